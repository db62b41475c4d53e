"""SQLite's write lock: readers never wait for it; a write that cannot get it answers 503 + Retry-After, not 500.

These run on a SQLite file of their own whatever DATABASE_URL says: the lock is SQLite's (PostgreSQL has row
locks and MVCC, and its readers never wait either). Nothing here is timed: another connection holds the lock
for the whole request, and the busy timeout is set short so the write gives up quickly.
"""

import sqlite3

import pytest

from marketplace import create_app
from marketplace.config import TestConfig
from marketplace.extensions import db


@pytest.fixture
def sqlite_app(tmp_path):
    path = tmp_path / "locking.db"
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}",
        SQLITE_BUSY_TIMEOUT_MS=200,
        SEARCH_INDEX_DIR=str(tmp_path / "index"),
        UPLOAD_FOLDER=str(tmp_path / "up"),
        OUTBOX_DIR=str(tmp_path / "outbox"),
    )
    with app.app_context():
        db.create_all()
    app.db_path = str(path)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def world(sqlite_app):
    """A published achievement and a signed-in company user (cookie set on the returned client)."""
    from marketplace.accounts.models import AuthSession
    from tests.conftest import Factory

    with sqlite_app.app_context():
        factory = Factory()
        listing = factory.listing("achievement", title="锁测试成果")
        user = factory.user("company")
        auth = AuthSession(user_id=user.id)
        db.session.add(auth)
        db.session.commit()
        ids = {"listing": listing.id, "token": auth.token}
        db.session.remove()
    client = sqlite_app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = ids["token"]
        sess["_fresh"] = True
    return client, ids


@pytest.fixture
def held_write_lock(sqlite_app):
    """Another process's writer: a second connection holding BEGIN IMMEDIATE until the test ends."""
    conn = sqlite3.connect(sqlite_app.db_path, isolation_level=None, timeout=0)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    conn.execute("ROLLBACK")
    conn.close()


def test_reads_are_served_while_another_writer_holds_the_lock(world, held_write_lock):
    client, ids = world
    assert client.get("/achievements").status_code == 200
    assert client.get(f"/achievements/{ids['listing']}").status_code == 200
    assert client.get("/").status_code == 200
    assert client.get("/me/").status_code == 200


def test_a_write_under_a_held_lock_gets_503_with_retry_after_and_keeps_the_input(world, held_write_lock):
    client, ids = world
    response = client.post("/matches/searches", data={"q": "石墨烯 电池", "kind": "achievement"})
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert 'value="石墨烯 电池"' in page  # offered again as it was typed
    assert "重新提交" in page or "Resubmit" in page
    follow = client.post(f"/matches/follow/{ids['listing']}")
    assert follow.status_code == 503


def test_the_same_write_succeeds_once_the_lock_is_free(world, sqlite_app):
    client, ids = world
    response = client.post(f"/matches/follow/{ids['listing']}")
    assert response.status_code == 302
    with sqlite_app.app_context():
        from marketplace.matching.models import Follow

        assert db.session.execute(db.select(Follow)).scalars().all()


def test_which_transactions_take_the_write_lock(sqlite_app):
    from marketplace.dbsetup import read_only, wants_write_lock

    with sqlite_app.test_request_context("/achievements", method="GET"):
        assert not wants_write_lock()  # a read: deferred BEGIN, no lock
    with sqlite_app.test_request_context("/notifications/", method="GET"):
        assert wants_write_lock()  # a GET view marked @writes_on_read (opening the list marks it read)
    with sqlite_app.test_request_context("/matches/searches", method="POST"):
        assert wants_write_lock()
    with sqlite_app.app_context():
        assert wants_write_lock()  # CLI commands and background threads write
        with read_only():  # ... except where they only read (an import's checks, its index phase, the updaters)
            assert not wants_write_lock()
