"""Finding 2: sign-in throttling per account and per IP, shared by every worker (database or Redis), lockout
with an e-mail to the owner, operators unlocking, limits on registration and reset requests, and password
hashing never inside a database write transaction."""

import uuid

import pytest

from marketplace import create_app
from marketplace.config import TestConfig
from marketplace.extensions import db
from marketplace.mail import message_summary, outbox_names, read_outbox_message

PASSWORD = "correct horse battery"
REDIS_URI = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["database", "redis"])
def storage(request, app):
    """Run the test on the embedded (database) store and on Redis."""
    prefix = f"test-{uuid.uuid4().hex}:"
    if request.param == "redis":
        app.config.update(RATELIMIT_STORAGE_URI=REDIS_URI, RATELIMIT_KEY_PREFIX=prefix)
    app.extensions.pop("throttle_store", None)
    yield request.param
    if request.param == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_URI)
        keys = list(client.scan_iter(prefix + "*"))
        if keys:
            client.delete(*keys)


def _mails(app):
    folder = app.config["OUTBOX_DIR"]
    return [message_summary(read_outbox_message(folder, name)) for name in outbox_names(folder)]


def _sign_in(client, email, password, ip="10.0.0.1"):
    return client.post("/account/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": ip})


def test_five_failures_lock_the_account_even_for_the_right_password(app, client, factory, storage):
    factory.user(email="li@example.cn", name="李老师")
    for _ in range(4):
        assert _sign_in(client, "li@example.cn", "wrong password").status_code == 200
    fifth = _sign_in(client, "li@example.cn", "wrong password")
    assert fifth.status_code == 200 and "已被暂时锁定" in fifth.get_data(as_text=True)  # checked, then locked
    right = _sign_in(client, "li@example.cn", PASSWORD)
    assert right.status_code == 429
    page = right.get_data(as_text=True)
    assert "已被暂时锁定" in page and "15 分钟" in page
    assert client.get("/account/profile").status_code == 302  # not signed in
    [mail] = _mails(app)
    assert mail["to"] == "li@example.cn" and "锁定 15 分钟" in mail["body"]
    assert "wrong password" not in mail["body"]


def test_the_lockout_length_is_configurable_and_told(app, client, factory, storage):
    app.config.update(LOGIN_MAX_FAILURES=2, LOGIN_LOCKOUT_SECONDS=1800)
    factory.user(email="li@example.cn")
    _sign_in(client, "li@example.cn", "wrong password")
    resp = _sign_in(client, "li@example.cn", "wrong password")
    assert "30 分钟" in resp.get_data(as_text=True)
    assert _sign_in(client, "li@example.cn", PASSWORD).status_code == 429


def test_an_unknown_address_is_locked_the_same_way_and_nobody_is_mailed(app, client, storage):
    answers = [_sign_in(client, "nobody@example.cn", "wrong password").status_code for _ in range(6)]
    assert answers == [200, 200, 200, 200, 200, 429]
    assert _mails(app) == []


def test_a_success_forgets_earlier_failures(app, client, factory, storage):
    factory.user(email="li@example.cn")
    for _ in range(4):
        _sign_in(client, "li@example.cn", "wrong password")
    assert _sign_in(client, "li@example.cn", PASSWORD).status_code == 302
    client.post("/account/logout")
    for _ in range(4):
        assert _sign_in(client, "li@example.cn", "wrong password").status_code == 200


def test_one_ip_trying_many_accounts_is_locked_while_other_ips_still_sign_in(app, client, factory, storage):
    app.config["LOGIN_IP_MAX_FAILURES"] = 3
    factory.user(email="li@example.cn")
    codes = [_sign_in(client, f"guess{i}@example.cn", "wrong", ip="10.9.9.9").status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]
    assert _sign_in(client, "li@example.cn", PASSWORD, ip="10.9.9.9").status_code == 429
    assert _sign_in(client, "li@example.cn", PASSWORD, ip="10.1.1.1").status_code == 302


def test_the_counters_are_shared_by_every_worker(app, factory, storage, tmp_path):
    """Two app instances (two gunicorn workers) see the same failures: 3 in one and 2 in the other lock."""
    factory.user(email="li@example.cn")
    other = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        OUTBOX_DIR=app.config["OUTBOX_DIR"],
        SEARCH_INDEX_DIR=str(tmp_path / "ix"),
        RATELIMIT_STORAGE_URI=app.config["RATELIMIT_STORAGE_URI"],
        RATELIMIT_KEY_PREFIX=app.config["RATELIMIT_KEY_PREFIX"],
    )
    first, second = app.test_client(), other.test_client()
    for _ in range(3):
        _sign_in(first, "li@example.cn", "wrong")
    with other.app_context():
        _sign_in(second, "li@example.cn", "wrong")
        assert "已被暂时锁定" in _sign_in(second, "li@example.cn", "wrong").get_data(as_text=True)
        db.session.remove()
    assert _sign_in(first, "li@example.cn", PASSWORD).status_code == 429


def test_an_operator_sees_the_lock_and_lifts_it(app, client, factory, login, storage):
    user = factory.user(email="li@example.cn")
    other_client = app.test_client()
    for _ in range(5):
        _sign_in(other_client, "li@example.cn", "wrong")
    login(factory.user("operator"))
    page = client.get("/ops/users?q=li@example.cn").get_data(as_text=True)
    assert "登录已锁定" in page and f"/ops/users/{user.id}/unlock" in page
    resp = client.post(f"/ops/users/{user.id}/unlock", follow_redirects=True)
    assert "已解除" in resp.get_data(as_text=True)
    assert _sign_in(other_client, "li@example.cn", PASSWORD).status_code == 302


def test_registration_is_limited_per_ip(app, client, storage):
    app.config["REGISTER_RATE_LIMIT"] = "2/hour"
    codes = [
        client.post("/account/register", data={}, environ_base={"REMOTE_ADDR": "10.2.2.2"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    resp = client.post("/account/register", data={}, environ_base={"REMOTE_ADDR": "10.2.2.2"})
    assert "请求过于频繁" in resp.get_data(as_text=True) and 0 < int(resp.headers["Retry-After"]) <= 3600
    assert client.post("/account/register", data={}, environ_base={"REMOTE_ADDR": "10.3.3.3"}).status_code == 200


def test_reset_requests_are_limited_per_ip_and_per_address(app, client, factory, storage):
    app.config.update(RESET_RATE_LIMIT="3/hour", RESET_EMAIL_RATE_LIMIT="1/hour")
    factory.user(email="li@example.cn")
    answers = [client.post("/account/reset", data={"email": "li@example.cn"}).status_code for _ in range(3)]
    assert answers == [302, 302, 302]  # the same answer each time ...
    assert len(_mails(app)) == 1  # ... but one mail: nobody floods a mailbox
    assert client.post("/account/reset", data={"email": "li@example.cn"}).status_code == 429


def test_the_reusable_limiter_counts_what_it_is_given(app, storage):
    from marketplace.security.throttle import hit, parse_limit

    assert parse_limit("10/hour") == (10, 3600) and parse_limit("5/15minutes") == (5, 900)
    with app.test_request_context("/"):
        assert [hit("inquiry", "user-7", "2/minute") > 0 for _ in range(3)] == [False, False, True]
        assert hit("inquiry", "user-8", "2/minute") == 0


def test_passwords_are_never_hashed_inside_a_write_transaction(app, client, factory, login, monkeypatch):
    """Every hash and check of a password happens while the request holds no database transaction."""
    from marketplace.accounts import services

    seen = []

    def spy(real):
        def wrapped(*args, **kwargs):
            seen.append(db.session().in_transaction())
            return real(*args, **kwargs)

        return wrapped

    monkeypatch.setattr(services, "generate_password_hash", spy(services.generate_password_hash))
    monkeypatch.setattr(services, "check_password_hash", spy(services.check_password_hash))
    services._dummy_hash_for.cache_clear()
    factory.user(email="li@example.cn")
    seen.clear()
    _sign_in(client, "nobody@example.cn", "wrong")
    _sign_in(client, "li@example.cn", "wrong")
    assert _sign_in(client, "li@example.cn", PASSWORD).status_code == 302
    new = "赣江边的一棵老樟树"
    client.post("/account/password", data={"current_password": PASSWORD, "password": new, "confirm": new})
    client.post("/account/logout")
    from test_accounts_register import _form

    assert client.post("/account/register", data=_form(email="new@example.cn")).status_code == 302
    assert client.post("/account/register", data=_form(email="li@example.cn", org_name="另一机构")).status_code == 302
    assert len(seen) >= 6 and not any(seen), seen
