"""Measuring the search page's ranking on a labelled keyword-search set (CSL format).

`flask search run/evaluate` point a second app at a fresh temporary SQLite database and index, load the
documents as published listings and rank every query through `services.search` with the search page's
defaults (relevance, no filters), so the figures are those of the page a user sees. The metrics are the
shared scorer's (matching.evaluation.score is its copy).
"""

import json
import secrets
import tempfile
from datetime import date, timedelta
from pathlib import Path

from ..accounts.services import create_organisation, create_user
from ..extensions import db
from ..listings.models import Achievement, Need
from ..models_base import utcnow

RANK_DEPTH = 100  # results kept per query (scoring reads the first 10)


def read_jsonl(path):
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_documents(records):
    """Every record as a published listing of one evaluation organisation; returns {listing id: external id}."""
    org = create_organisation(name="评测机构", org_type="university", region="outside")
    owner = create_user(
        email="eval-search@example.invalid",
        password=secrets.token_urlsafe(16),
        name="评测",
        role="researcher",
        organisation=org,
    )
    now, valid = utcnow(), date.today() + timedelta(days=365)
    rows = []
    for rec in records:
        cls = Need if rec.get("kind") == "need" else Achievement
        rows.append(
            cls(
                external_id=rec["external_id"],
                title=(rec.get("title") or "")[:200],
                summary=rec.get("summary") or rec.get("description") or "",
                industry="other",
                region="outside",
                status="published",
                owner=owner,
                organisation=org,
                published_at=now,
                valid_until=valid,
                created_at=now,
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    return {row.id: row.external_id for row in rows}


def rank_queries(queries, external_ids, depth=RANK_DEPTH):
    """{query_id: [external ids]} ranked exactly as the search page ranks them (default sort, no filters)."""
    from . import services

    run = {}
    for query in queries:
        result = services.search(q=query["text"], per_page=depth)
        run[query["query_id"]] = [external_ids[hit.listing_id] for hit in result.hits]
    return run


def isolated_run(docs_path, queries_path, depth=RANK_DEPTH, secret_key="evaluation"):
    """Load the documents into a temporary database and index (a second app) and rank every query there."""
    from .. import create_app
    from . import services

    records, queries = read_jsonl(docs_path), read_jsonl(queries_path)
    with tempfile.TemporaryDirectory(prefix="search-run-") as tmp:
        app = create_app(
            None,
            SECRET_KEY=secret_key,
            SQLALCHEMY_DATABASE_URI="sqlite:///" + str(Path(tmp) / "search.db"),
            SEARCH_INDEX_DIR=str(Path(tmp) / "search_index"),
            UPLOAD_FOLDER=str(Path(tmp) / "uploads"),
            OUTBOX_DIR=str(Path(tmp) / "outbox"),
            SEARCH_BACKGROUND=False,
            MATCH_BACKGROUND=False,
            PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
        )
        with app.app_context():
            db.create_all()
            external_ids = load_documents(records)
            db.session.commit()
            services.rebuild()
            run = rank_queries(queries, external_ids, depth)
            services.close(app)
            db.session.remove()
            db.engine.dispose()
    return run


def write_run(run, out_path):
    with open(out_path, "w", encoding="utf-8") as fh:
        for query_id, ranked in run.items():
            fh.write(json.dumps({"query_id": query_id, "ranked": ranked}, ensure_ascii=False) + "\n")
