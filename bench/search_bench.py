"""Search benchmark: bulk import rate, search latency, worker memory, against a naive Whoosh baseline.

    .venv/bin/python bench/search_bench.py                 # 10k and 100k (100k build cached in bench/out/)
    .venv/bin/python bench/search_bench.py --sizes 10000   # quicker
    .venv/bin/python bench/search_bench.py --fresh         # ignore cached builds

For each size: the corpus goes into a SQLite database (bulk insert of listings, tags and change records),
then `search.service.rebuild()` segments and indexes it (the path `flask search rebuild` takes). Search runs
the same code as the web page (engine.execute: query + all facet counts + first page + highlights) over the
fixed queries of bench/corpus.py; "service" adds the database load of the page's listings. RSS is measured
in a fresh process that opens the index and runs the queries. The baseline is what the issue calls naive:
jieba's stock ChineseAnalyzer, a plain writer, a new searcher per query, Whoosh's own facet grouping and
highlighter (built at 10k only: it indexes too slowly for the time budget at 100k).
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import corpus  # noqa: E402


def make_app(size):
    from marketplace import create_app
    from marketplace.config import Config

    OUT.mkdir(parents=True, exist_ok=True)
    return create_app(Config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{OUT}/bench-{size}.db",
                      SEARCH_INDEX_DIR=str(OUT / f"index-{size}"), SEARCH_BACKGROUND=False,
                      INSTANCE_PATH=str(OUT / "instance"), SECRET_KEY="bench")


def load_database(app, records):
    """Bulk insert listings, tags and change records; returns seconds."""
    from marketplace.accounts.services import create_organisation, create_user
    from marketplace.extensions import db
    from marketplace.listings.models import Listing, Tag, listing_tags
    from marketplace.models_base import utcnow
    from marketplace.search.models import IndexChange

    with app.app_context():
        db.drop_all()
        db.create_all()
        org = create_organisation(name="基准测试大学", org_type="university", region="nanchang")
        user = create_user(email="bench@example.cn", password="bench-password", name="基准", role="researcher",
                           organisation=org)
        db.session.commit()
        start = time.perf_counter()
        now = utcnow()
        tag_names = sorted({t for rec in records for t in rec["tags"]})
        db.session.execute(db.insert(Tag), [{"name": n[:40]} for n in tag_names])
        tag_ids = dict(db.session.execute(db.select(Tag.name, Tag.id)).all())
        rows = []
        for rec in records:
            row = {k: v for k, v in rec.items() if k != "tags"}
            row.update(owner_id=user.id, organisation_id=org.id, created_at=now, updated_at=now,
                       hide_org_name=False)
            rows.append(row)
        for i in range(0, len(rows), 5000):
            db.session.execute(db.insert(Listing.__table__), rows[i:i + 5000])
        ids = dict(db.session.execute(db.select(Listing.external_id, Listing.id)).all())
        links = [{"listing_id": ids[rec["external_id"]], "tag_id": tag_ids[t[:40]]}
                 for rec in records for t in set(rec["tags"])]
        for i in range(0, len(links), 20000):
            db.session.execute(db.insert(listing_tags), links[i:i + 20000])
        db.session.execute(db.insert(IndexChange), [{"listing_id": i, "created_at": now} for i in ids.values()])
        db.session.commit()
        return time.perf_counter() - start


def build_index(app):
    from marketplace.search import service

    with app.app_context():
        start = time.perf_counter()
        count = service.rebuild()
        return time.perf_counter() - start, count


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def time_queries(run, queries, repeat=1):
    times = []
    for _ in range(repeat):
        for q in queries:
            start = time.perf_counter()
            run(q)
            times.append((time.perf_counter() - start) * 1000)
    return times


def search_figures(app, queries):
    from marketplace.extensions import db
    from marketplace.search import service
    from marketplace.search.engine import SearchParams, execute

    with app.app_context():
        store = service.get_store()
        searcher = store.searcher()
        totals = [execute(searcher, SearchParams(q=q)).total for q in queries]  # warm caches once
        engine = time_queries(lambda q: execute(store.searcher(), SearchParams(q=q)), queries)
        filtered = time_queries(lambda q: execute(store.searcher(), SearchParams(
            q=q, filters={"industry": {"new_materials", "ai"}, "region": {"ganzhou"}})), queries)
        sorted_ = time_queries(lambda q: execute(store.searcher(), SearchParams(q=q, sort="newest")), queries)

        def full(q):
            service.search(q=q)
            db.session.rollback()

        with_db = time_queries(full, queries)
        return {"engine": engine, "filtered": filtered, "newest": sorted_, "service": with_db,
                "hits_median": statistics.median(totals)}


def rss_figure(size):
    """Peak RSS (MB) of a fresh process that opens the index and runs every query."""
    code = (
        "import sys, json, resource; sys.path[:0] = [%r, %r]; import search_bench as b, corpus;"
        "from marketplace.search import service; from marketplace.search.engine import SearchParams, execute;"
        "app = b.make_app(%d); ctx = app.app_context(); ctx.push();"
        "[execute(service.get_store().searcher(), SearchParams(q=q)) for q in corpus.queries()];"
        "print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))"
    ) % (str(ROOT), str(ROOT / "bench"), size)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- naive baseline

def baseline(records, queries, path):
    """jieba ChineseAnalyzer, plain writer, a new searcher per query, Whoosh grouping and highlights."""
    import logging

    import jieba
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index, sorting
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.qparser import MultifieldParser

    jieba.setLogLevel(logging.WARNING)
    analyzer = ChineseAnalyzer()
    facets = ["kind", "industry", "region", "maturity", "source_programme", "price_band"]
    schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=analyzer, stored=True),
                    text=TEXT(analyzer=analyzer, stored=True),
                    **{f: ID(stored=True, sortable=True) for f in facets})
    path.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(path), schema)
    from marketplace.taxonomy import price_band

    start = time.perf_counter()
    writer = ix.writer()
    for i, rec in enumerate(records):
        writer.add_document(id=str(i), title=rec["title"], text=rec["summary"] + " " + " ".join(rec["tags"]),
                            kind=rec["kind"], industry=rec["industry"], region=rec["region"],
                            maturity=rec["maturity"] or "", source_programme=rec["source_programme"] or "",
                            price_band=price_band(rec["price_wan"], rec["price_negotiable"]))
    writer.commit()
    build = time.perf_counter() - start

    parser = MultifieldParser(["title", "text"], schema)

    def run(q):
        with ix.searcher() as searcher:
            results = searcher.search(parser.parse(q), limit=20,
                                      groupedby=[sorting.FieldFacet(f, allow_overlap=True) for f in facets])
            for f in facets:
                results.groups(f)
            for hit in results:
                hit.highlights("text")

    return build, time_queries(run, queries)


# ---------------------------------------------------------------- report

def row(name, values, unit="ms"):
    return f"| {name} | {percentile(values, 50):.1f} {unit} | {percentile(values, 95):.1f} {unit} |"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--fresh", action="store_true", help="rebuild cached corpora")
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    queries = corpus.queries()
    report = [f"queries: {len(queries)} fixed 1-4 word queries (bench/corpus.py); CPU: {os.cpu_count()} cores, "
              f"shared with other work (load average at start {os.getloadavg()[0]:.1f})"]
    for size in args.sizes:
        app = make_app(size)
        marker = OUT / f"built-{size}.json"
        if args.fresh or not marker.exists():
            records = corpus.records(size)
            db_seconds = load_database(app, records)
            index_seconds, count = build_index(app)
            marker.write_text(json.dumps({"db": db_seconds, "index": index_seconds, "count": count}))
        else:
            records = None
        built = json.loads(marker.read_text())
        figures = search_figures(app, queries)
        rss = rss_figure(size)
        total = built["db"] + built["index"]
        report += [
            "", f"### {size:,} listings" + (" (build figures from the cached run)" if records is None else ""),
            f"- bulk import: database {size / built['db']:,.0f}/s ({built['db']:.1f} s), index incl. segmentation "
            f"{size / built['index']:,.0f}/s ({built['index']:.1f} s), together {size / total:,.0f} listings/s",
            f"- index size {sum(f.stat().st_size for f in (OUT / f'index-{size}').rglob('*') if f.is_file()) / 1e6:.0f} MB; "
            f"median hits per query {figures['hits_median']:.0f}; worker peak RSS with the index open {rss:.0f} MB",
            "", "| search (query + facet counts + first page + highlights) | p50 | p95 |", "|---|---|---|",
            row("engine, relevance", figures["engine"]), row("engine, 2 facet filters", figures["filtered"]),
            row("engine, sort newest", figures["newest"]), row("service (+ database rows of the page)", figures["service"]),
        ]
        if not args.no_baseline and size <= 20_000:
            records = records or corpus.records(size)
            base_build, base_times = baseline(records, queries, OUT / f"baseline-{size}")
            report += [
                row("naive baseline (jieba, new searcher, Whoosh groups)", base_times),
                "", f"- naive baseline indexing: {size / base_build:,.0f}/s ({base_build:.1f} s, index only)",
                f"- ratios: indexing {base_build / built['index']:.1f}x faster (index only), search p95 "
                f"{percentile(base_times, 95) / percentile(figures['engine'], 95):.1f}x, p50 "
                f"{percentile(base_times, 50) / percentile(figures['engine'], 50):.1f}x faster",
            ]
    report.append(f"\nbenchmark process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print("\n".join(report))


if __name__ == "__main__":
    main()
