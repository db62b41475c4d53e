"""`flask db upgrade` on a fresh database builds exactly the schema the models describe.

Runs on SQLite, and also on PostgreSQL when DATABASE_URL points at one: there in a throw-away schema
(search_path), so the test session's own tables are never touched.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from marketplace.extensions import db
from marketplace.models import import_all

ROOT = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if DATABASE_URL.startswith(("postgresql", "postgres:")) else [])


def _sqlalchemy_uri(uri):
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix) :]
    return uri


def flask_db(uri, tmp_path, *args):
    """Run `flask db <args>` in a subprocess against `uri`, as `make run` does."""
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        FLASK_APP="wsgi.py",
        DATABASE_URL=uri,
        INSTANCE_PATH=str(tmp_path / "instance"),
        SEARCH_INDEX_DIR=str(tmp_path / "search_index"),
        SEARCH_BACKGROUND="0",
    )
    done = subprocess.run(
        [sys.executable, "-m", "flask", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, f"flask db {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(params=BACKENDS)
def fresh_database(request, tmp_path):
    """The URI of an empty database (SQLite file, or a new PostgreSQL schema dropped afterwards)."""
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "fresh.db")
        return
    schema = f"migration_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(_sqlalchemy_uri(DATABASE_URL))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in DATABASE_URL else "?"
    try:
        yield f"{DATABASE_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _schema_differences(uri):
    import_all()
    engine = create_engine(_sqlalchemy_uri(uri))
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def _describe(diff):
    if isinstance(diff, list):  # column modifications come as a list of tuples
        return "\n".join(_describe(d) for d in diff)
    action, *rest = diff
    if action in ("add_column", "remove_column"):
        return f"  {action}: {rest[1]}.{rest[2].name}"
    if action.startswith("modify_"):
        return f"  {action}: {rest[1]}.{rest[2]} {rest[-2]!r} -> {rest[-1]!r}"
    target = rest[0]
    table = getattr(target, "table", None)
    return f"  {action}: {getattr(table, 'name', '')} {getattr(target, 'name', None) or target}"


def _tables(uri):
    engine = create_engine(_sqlalchemy_uri(uri))
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_builds_the_schema_of_the_models(fresh_database, tmp_path):
    flask_db(fresh_database, tmp_path, "upgrade")
    flask_db(fresh_database, tmp_path, "upgrade")  # `make run` upgrades on every start: a second run is a no-op

    differences = _schema_differences(fresh_database)
    assert differences == [], (
        "the migrations do not build the models' schema; regenerate them (`flask db migrate`) and check that\n"
        "use_alter foreign keys are created with op.create_foreign_key after both tables exist:\n"
        + "\n".join(_describe(diff) for diff in differences)
    )
    import_all()
    assert _tables(fresh_database) >= set(db.metadata.tables)


def test_downgrade_to_base_removes_every_table(fresh_database, tmp_path):
    flask_db(fresh_database, tmp_path, "upgrade")
    flask_db(fresh_database, tmp_path, "downgrade", "base")

    assert _tables(fresh_database) <= {"alembic_version"}
