"""Database side of bulk import: rows/s of `flask listings import` without the search index.

    .venv/bin/python bench/import_bench.py [--n 10000] [--database-url postgresql://postgres@127.0.0.1:5432/DB]

Builds n listings with bench/corpus.py (CSL titles and abstracts), writes them as JSONL, then times on a
fresh schema (THE DATABASE IS EMPTIED: use a scratch database):
  1. first import (all rows new): read + validate, then write (listings, tags, listing_tags, events,
     index changes) and commit;
  2. the same file again (all rows unchanged: the idempotency check alone);
  3. the file with every title edited (all rows updated).
Without --database-url it runs on a temporary SQLite file. Prints a Markdown table.

    .venv/bin/python bench/import_bench.py --n 10000 --end-to-end

times what `flask listings import FILE --publish` does as a whole instead: read + validate, write + commit, then
the search index brought up to date (segmentation included) by marketplace.search.services.sync().
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def write_jsonl(path, records, edit=""):
    from marketplace import taxonomy

    with open(path, "w", encoding="utf-8") as fh:
        for rec in records:
            row = {k: v for k, v in rec.items() if k not in ("status", "published_at", "cooperation_mask")}
            row["cooperation_modes"] = taxonomy.modes_from_mask(rec["cooperation_mask"])
            row["title"] = (rec["title"] + edit)[:100]
            if row["kind"] == "need":
                row.pop("description", None)
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def timed_import(path, organisation):
    from marketplace.extensions import db
    from marketplace.transfer.importer import import_rows, validate_file

    start = time.perf_counter()
    rows, report = validate_file(path, "jsonl", organisation)
    validated = time.perf_counter()
    assert not report.errors, report.error_lines(5)
    import_rows(rows, report, source=path.name)
    db.session.commit()
    done = time.perf_counter()
    return report, validated - start, done - validated


def end_to_end(database_url, n):
    """Rows/s of a published import including the search index (issue 3's bulk-import target)."""
    from corpus import records

    from marketplace import create_app
    from marketplace.accounts.services import create_organisation, create_user
    from marketplace.config import TestConfig
    from marketplace.extensions import db
    from marketplace.search import services
    from marketplace.transfer.importer import import_rows, validate_file

    tmp = Path(tempfile.mkdtemp(prefix="import-e2e-"))
    url = database_url or f"sqlite:///{tmp / 'bench.db'}"
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=url,
        INSTANCE_PATH=str(tmp / "instance"),
        SEARCH_INDEX_DIR=str(tmp / "index"),
        SEARCH_BUILD_PROCS=2,
    )  # as the CLI does on 2 cores
    with app.app_context():
        db.drop_all()
        db.create_all()
        org = create_organisation(name="南昌大学", org_type="university", region="nanchang")
        create_user(email="bench@example.cn", password="x" * 12, name="基准", role="researcher", organisation=org)
        db.session.commit()
        services.sync()  # an empty index exists before the import, as in a running deployment
        path = tmp / "listings.jsonl"
        write_jsonl(path, records(n))
        start = time.perf_counter()
        rows, report = validate_file(path, "jsonl", org)
        assert not report.errors, report.error_lines(5)
        import_rows(rows, report, publish=True, source=path.name)
        db.session.commit()
        written = time.perf_counter()
        applied = services.sync()
        done = time.perf_counter()
        indexed = services.get_store().searcher().doc_count()
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    dialect = url.split(":", 1)[0]
    print("| database | rows | database s | index s | total s | listings/s | documents in index |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {dialect} | {n} | {written - start:.1f} | {done - written:.1f} | {done - start:.1f} "
        f"| {n / (done - start):,.0f} | {indexed} (changes applied: {applied}) |"
    )


def run(database_url, n):
    from corpus import records

    from marketplace import create_app
    from marketplace.accounts.services import create_organisation, create_user
    from marketplace.config import TestConfig
    from marketplace.extensions import db
    from marketplace.listings.models import ListingChange

    tmp = Path(tempfile.mkdtemp(prefix="import-bench-"))
    url = database_url or f"sqlite:///{tmp / 'bench.db'}"
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, INSTANCE_PATH=str(tmp / "instance"))
    results = []
    with app.app_context():
        db.drop_all()
        db.create_all()
        org = create_organisation(name="南昌大学", org_type="university", region="nanchang")
        create_user(email="bench@example.cn", password="x" * 12, name="基准", role="researcher", organisation=org)
        db.session.commit()
        data = records(n)
        plain, edited = tmp / "listings.jsonl", tmp / "edited.jsonl"
        write_jsonl(plain, data)
        write_jsonl(edited, data, edit="（修订）")
        for label, path in (("new", plain), ("unchanged", plain), ("updated", edited)):
            report, validate_s, write_s = timed_import(path, org)
            results.append((label, report, validate_s, write_s))
        changes = db.session.execute(db.select(db.func.count()).select_from(ListingChange)).scalar_one()
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    dialect = url.split(":", 1)[0]
    for label, report, validate_s, write_s in results:
        total = validate_s + write_s
        print(
            f"| {dialect} | {n} | {label} | {report.created}/{report.updated}/{report.unchanged} "
            f"| {validate_s:.2f} | {write_s:.2f} | {total:.2f} | {n / total:,.0f} |"
        )
    print(f"<!-- {changes} index changes recorded -->")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--database-url", help="a scratch database: it is emptied (default: temporary SQLite)")
    parser.add_argument("--end-to-end", action="store_true", help="published import including the search index")
    args = parser.parse_args()
    if args.end_to_end:
        end_to_end(args.database_url, args.n)
        return
    print("| database | rows | run | created/updated/unchanged | read+validate s | write+commit s | total s | rows/s |")
    print("|---|---|---|---|---|---|---|---|")
    run(args.database_url, args.n)


if __name__ == "__main__":
    main()
