"""Shared fixtures: app, client, runner, database cleanup, factories and a login helper.

Tests run on SQLite by default and on PostgreSQL when DATABASE_URL is set (as .ci/run does).
"""

import itertools
import os
from datetime import date, timedelta

import pytest

from marketplace import create_app
from marketplace.config import TestConfig
from marketplace.extensions import db

_counter = itertools.count(1)


@pytest.fixture(scope="session")
def _database_uri(tmp_path_factory):
    return os.environ.get("DATABASE_URL") or "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def _schema(_database_uri, tmp_path_factory):
    """Create the schema once per test session."""
    app = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI=_database_uri, INSTANCE_PATH=str(tmp_path_factory.mktemp("instance"))
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app(_schema, _database_uri, tmp_path):
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=_database_uri,
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        OUTBOX_DIR=str(tmp_path / "outbox"),
        SEARCH_INDEX_DIR=str(tmp_path / "search_index"),
    )
    app.before_request(_forget_cached_user)
    with app.app_context():
        yield app
        db.session.remove()
        _truncate_all()
        db.engine.dispose()


def _forget_cached_user():
    """Requests share the fixture's app context (and so `g`): drop Flask-Login's cached user of the previous
    request, so that each request loads its own user from its own cookie. Flask-Babel caches the locale in `g`
    too: drop it, so that each request selects its own language (?lang=, session, user)."""
    from flask import g

    g.pop("_login_user", None)
    g.pop("_flask_babel", None)
    for name in ("page_cache", "listing_shown", "listing_shown_id"):  # marketplace/pagecache.py's, per request
        g.pop(name, None)


def _truncate_all():
    with db.engine.begin() as conn:
        # Break reference cycles first (use_alter keys such as organisations.verified_by_id -> users).
        for table in db.metadata.sorted_tables:
            cyclic = {fk.parent.name: None for fk in table.foreign_keys if fk.use_alter}
            if cyclic:
                conn.execute(table.update().values(cyclic))
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---------------------------------------------------------------- factories


class Factory:
    """Builds committed objects with sensible Chinese defaults; keyword arguments override fields."""

    def org(self, org_type="university", verified=True, **fields):
        from marketplace.accounts.services import create_organisation

        n = next(_counter)
        fields.setdefault("name", f"测试机构{n}")
        fields.setdefault("region", "nanchang")
        org = create_organisation(org_type=org_type, **fields)
        if verified:
            org.verification_status = "verified"
        db.session.commit()
        return org

    def user(self, role="researcher", org=None, password="correct horse battery", **fields):
        from marketplace.accounts.services import create_user

        n = next(_counter)
        if org is None:
            org_type = {
                "researcher": "university",
                "company": "enterprise",
                "investor": "investor",
                "operator": "service",
            }[role]
            org = self.org(org_type=org_type)
        fields.setdefault("email", f"user{n}@example.cn")
        fields.setdefault("name", f"用户{n}")
        user = create_user(password=password, role=role, organisation=org, **fields)
        db.session.commit()
        return user

    def listing(self, kind="achievement", owner=None, status="published", tags=(), **fields):
        from marketplace.listings.changes import record_change
        from marketplace.listings.models import Achievement, Need
        from marketplace.listings.services import find_or_create_tags
        from marketplace.models_base import utcnow

        if owner is None:
            owner = self.user("researcher" if kind == "achievement" else "company")
        cls = Achievement if kind == "achievement" else Need
        n = next(_counter)
        fields.setdefault("title", f"测试{'成果' if kind == 'achievement' else '需求'}{n}：石墨烯电池材料")
        fields.setdefault("summary", "基于石墨烯的高性能锂电池负极材料，适用于窄带物联网(NB-IoT)终端。")
        fields.setdefault("description", "保密的详细技术方案：工艺参数与配方。")
        fields.setdefault("industry", "new_materials")
        fields.setdefault("region", owner.organisation.region)
        fields.setdefault("valid_until", date.today() + timedelta(days=365))
        if kind == "achievement":
            fields.setdefault("maturity", "pilot")
            fields.setdefault("trl", 6)
            fields.setdefault("source_programme", "national_03")
        modes = fields.pop("cooperation_modes", ["transfer", "license"])
        listing = cls(owner=owner, organisation=owner.organisation, status=status, **fields)
        listing.cooperation_modes = modes
        listing.tags = find_or_create_tags(tags)
        if status == "published":
            listing.published_at = utcnow()
        db.session.add(listing)
        db.session.flush()
        record_change(listing.id)
        db.session.commit()
        return listing


@pytest.fixture
def factory(app):
    return Factory()


@pytest.fixture
def login(client, app):
    """login(user) signs the test client in as that user without going through the form."""
    from marketplace.accounts.models import AuthSession

    def _login(user, test_client=None):
        auth = AuthSession(user_id=user.id)
        db.session.add(auth)
        db.session.commit()
        with (test_client or client).session_transaction() as sess:
            sess.clear()
            sess["_user_id"] = auth.token
            sess["_fresh"] = True
        return auth.token

    return _login
