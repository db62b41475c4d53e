"""Security audit log (等保 2.0 安全审计): what is recorded, what never is, search, export, retention, append-only."""

import csv
import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from marketplace.audit import record
from marketplace.audit.models import AuditEntryImmutable, AuditEvent
from marketplace.extensions import db
from marketplace.models_base import utcnow

PASSWORD = "correct horse battery"
BROWSER = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": "Mozilla/5.0 AuditTest"}


def _entries(event=None):
    stmt = db.select(AuditEvent).order_by(AuditEvent.id)
    if event:
        stmt = stmt.where(AuditEvent.event == event)
    return db.session.execute(stmt).scalars().all()


def _raw_text():
    """Every stored column of every entry as text: what an attacker reading the table would see."""
    rows = db.session.execute(db.text("SELECT * FROM audit_events")).all()
    return " ".join(str(value) for row in rows for value in row)


@pytest.fixture
def operator(factory, login):
    user = factory.user("operator", name="运营小王")
    login(user)
    return user


def test_sign_in_success_and_failure_are_recorded_with_ip_and_browser(client, factory):
    user = factory.user(email="wang@example.cn")
    client.post(
        "/account/login", data={"email": "wang@example.cn", "password": "wrong password!"}, environ_base=BROWSER
    )
    client.post("/account/login", data={"email": "wang@example.cn", "password": PASSWORD}, environ_base=BROWSER)
    failure, success = _entries("auth.login")
    assert (failure.outcome, failure.actor_id, failure.details["email"]) == ("failure", None, "wang@example.cn")
    assert (success.outcome, success.actor_id, success.actor_email) == ("success", user.id, "wang@example.cn")
    for entry in (failure, success):
        assert entry.ip == "203.0.113.7" and entry.user_agent == "Mozilla/5.0 AuditTest"
    assert "wrong password!" not in _raw_text() and PASSWORD not in _raw_text()


def test_sign_out_and_password_change_are_recorded_without_the_password(client, factory, login):
    user = factory.user()
    login(user)
    new = "赣江边的一棵老樟树"
    client.post("/account/password", data={"current_password": PASSWORD, "password": new, "confirm": new})
    client.post("/account/logout")
    assert [e.event for e in _entries()] == ["auth.password_change", "auth.logout"]
    assert all(e.actor_id == user.id for e in _entries())
    assert new not in _raw_text() and PASSWORD not in _raw_text()


def test_password_reset_request_and_reset_are_recorded_without_the_token(client, factory, app):
    from marketplace.accounts.services import make_reset_token

    user = factory.user(email="li@example.cn")
    client.post("/account/reset", data={"email": "li@example.cn"})
    token = make_reset_token(user)
    new = "赣江边的一棵老樟树"
    client.post(f"/account/reset/{token}", data={"password": new, "confirm": new})
    events = [(e.event, e.target_id) for e in _entries()]
    assert events == [("auth.password_reset_request", str(user.id)), ("auth.password_reset", str(user.id))]
    assert token not in _raw_text() and new not in _raw_text()


def test_record_never_stores_passwords_or_tokens(app):
    """Whatever a caller passes, secrets are dropped or masked before the entry is written."""
    record(
        "auth.password_reset",
        password="hunter2-secret",
        new_password="p@ss-new-1",
        token="tok-abc-123",
        csrf_token="csrf-xyz",
        session_id="sess-999",
        api_key="key-777",
        Authorization="Bearer bearer-555",
        link="https://m.example.cn/account/reset/reset-token-888",
        url="/x?token=query-token-444",
        nested={"password": "nested-pw-222", "ok": "visible"},
        email="who@example.cn",
    )
    db.session.commit()
    text = _raw_text()
    for secret in (
        "hunter2-secret",
        "p@ss-new-1",
        "tok-abc-123",
        "csrf-xyz",
        "sess-999",
        "key-777",
        "bearer-555",
        "reset-token-888",
        "query-token-444",
        "nested-pw-222",
    ):
        assert secret not in text
    entry = _entries()[0]
    assert entry.details["email"] == "who@example.cn" and entry.details["nested"] == {"ok": "visible"}


def test_record_works_outside_a_request(app):
    """CLI and background work have no request: no IP, no browser, no user unless given."""
    record("audit.purge", target="audit_log", removed=0)
    db.session.commit()
    entry = _entries()[0]
    assert (entry.ip, entry.user_agent, entry.actor_id, entry.target) == (None, None, None, "audit_log")


def test_operator_actions_on_users_and_organisations_are_recorded(client, factory, operator):
    member = factory.user(membership_status="pending")
    org = factory.org(name="待认证机构", verified=False, verification_status="pending", credit_code=None)
    client.post(f"/ops/users/{member.id}/approve")
    client.post(f"/ops/users/{member.id}/disable")
    client.post(f"/ops/users/{member.id}/enable")
    client.post(f"/ops/organisations/{org.id}/reject", data={"reason": "证照模糊"})
    client.post(f"/ops/organisations/{org.id}/verify")
    got = [(e.event, e.actor_id, e.target) for e in _entries()]
    assert got == [
        ("user.membership_approve", operator.id, f"user:{member.id}"),
        ("user.disable", operator.id, f"user:{member.id}"),
        ("user.enable", operator.id, f"user:{member.id}"),
        ("org.reject", operator.id, f"organisation:{org.id}"),
        ("org.verify", operator.id, f"organisation:{org.id}"),
    ]
    assert _entries("org.reject")[0].details["reason"] == "证照模糊"


def test_settings_changes_are_recorded(client, factory, login):
    user = factory.user()
    login(user)
    client.post("/account/profile", data={"name": "新名字", "phone": "", "locale": "zh"})
    org = user.organisation
    client.post(
        "/account/organisation",
        data={"name": org.name, "org_type": org.org_type, "region": org.region, "description": "新简介"},
    )
    assert [e.event for e in _entries()] == ["account.profile_update", "org.update"]


def test_exports_are_recorded_from_the_web_and_the_command_line(client, factory, operator, runner, tmp_path):
    factory.listing("achievement")
    assert client.get("/ops/exports?format=csv").status_code == 200
    result = runner.invoke(args=["listings", "export", "--out", str(tmp_path / "all.xlsx")])
    assert result.exit_code == 0, result.output
    web, cli = _entries("export.listings")
    assert (web.actor_id, web.details["format"], web.details["rows"]) == (operator.id, "csv", 1)
    assert (cli.actor_id, cli.ip, cli.details["via"], cli.details["rows"]) == (None, None, "cli", 1)


def _seed(operator):
    """Entries of different users, events, outcomes, days and addresses."""
    now = utcnow()
    rows = [
        ("auth.login", "failure", None, None, "198.51.100.9", now - timedelta(days=3)),
        ("auth.login", "success", operator.id, operator.email, "203.0.113.7", now - timedelta(days=1)),
        ("user.disable", "success", operator.id, operator.email, "203.0.113.8", now),
        ("auth.login", "success", 999, "zhao@example.cn", "10.0.0.1", now - timedelta(days=10)),
    ]
    for event, outcome, actor_id, email, ip, when in rows:
        db.session.add(
            AuditEvent(
                event=event, outcome=outcome, actor_id=actor_id, actor_email=email, ip=ip, created_at=when, details={}
            )
        )
    db.session.commit()


def test_operators_search_by_who_event_outcome_dates_and_ip(client, operator):
    _seed(operator)
    page = client.get("/ops/audit/").get_data(as_text=True)
    assert "zhao@example.cn" in page and "198.51.100.9" in page and "共 4 条符合条件" in page

    def count(query):
        page = client.get("/ops/audit/?" + query).get_data(as_text=True)
        return int(page.split("共 ")[1].split(" 条符合条件")[0])

    assert count("who=zhao") == 1
    assert count("who=999") == 1
    assert count("event=auth.login") == 3
    assert count("event=auth.login&outcome=failure") == 1
    assert count("ip=203.0.113") == 2
    today = (utcnow() + timedelta(hours=8)).date()
    assert count(f"date_from={today - timedelta(days=2)}") >= 2
    assert count(f"date_to={today - timedelta(days=5)}") == 1


def test_bad_search_input_is_explained_not_a_500(client, operator):
    resp = client.get("/ops/audit/?date_from=2026-05-02&date_to=2026-05-01&ip=1.2.3.4;drop")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "截止日期不能早于起始日期" in page and "IP 地址只能包含" in page


def test_search_results_are_paginated(client, operator, app):
    app.config["AUDIT_PER_PAGE"] = 5
    for i in range(12):
        record("auth.login", outcome="failure", email=f"x{i}@example.cn")
    db.session.commit()
    page = client.get("/ops/audit/?page=3").get_data(as_text=True)
    assert "第 3/3 页" in page and page.count("x0@example.cn") + page.count("x1@example.cn") == 2


def test_export_csv_and_xlsx_with_the_search_filters(client, operator):
    _seed(operator)
    resp = client.get("/ops/audit/export?format=csv&event=auth.login")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig"))))
    assert rows[0][0] == "时间（北京时间）" and len(rows) == 4
    assert {r[2] for r in rows[1:]} == {"auth.login"}
    resp = client.get("/ops/audit/export?format=xlsx&who=zhao")
    sheet = load_workbook(io.BytesIO(resp.get_data())).active
    values = list(sheet.values)
    assert len(values) == 2 and values[1][5] == "zhao@example.cn"
    exports = _entries("export.audit")
    assert [e.details["format"] for e in exports] == ["csv", "xlsx"]
    assert exports[1].details["filters"] == {"who": "zhao"}


def test_entries_cannot_be_changed_or_deleted_by_the_application(app):
    entry = record("auth.login", outcome="failure")
    db.session.commit()
    entry.outcome = "success"
    with pytest.raises(AuditEntryImmutable):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, entry.id))
    with pytest.raises(AuditEntryImmutable):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AuditEntryImmutable):
        db.session.execute(db.delete(AuditEvent))
    with pytest.raises(AuditEntryImmutable):
        db.session.execute(db.update(AuditEvent).values(outcome="success"))
    db.session.rollback()
    assert db.session.get(AuditEvent, entry.id).outcome == "failure"


def test_no_route_can_change_an_entry(app, client, operator):
    audit_rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("audit.")]
    assert audit_rules and all(rule.methods <= {"GET", "HEAD", "OPTIONS"} for rule in audit_rules)
    assert client.post("/ops/audit/").status_code == 405


def _aged(days, event="auth.login"):
    db.session.add(
        AuditEvent(event=event, outcome="success", created_at=utcnow() - timedelta(days=days), details={"age": days})
    )


def test_purge_removes_only_entries_older_than_the_retention(runner, app):
    for days in (400, 200, 181, 179, 30):
        _aged(days)
    db.session.commit()
    dry = runner.invoke(args=["audit", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "3 条" in dry.output and "试运行" in dry.output
    assert len(_entries("auth.login")) == 5
    result = runner.invoke(args=["audit", "purge", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "已删除 2/3 条" in result.output and "已删除 3/3 条" in result.output
    db.session.expire_all()
    assert sorted(e.details["age"] for e in _entries("auth.login")) == [30, 179]
    assert _entries("audit.purge")[0].details["removed"] == 3


def test_retention_is_configurable_but_never_below_180_days(runner, app):
    _aged(200)
    _aged(400)
    db.session.commit()
    app.config["AUDIT_RETENTION_DAYS"] = 365
    assert runner.invoke(args=["audit", "purge"]).exit_code == 0
    db.session.expire_all()
    assert [e.details["age"] for e in _entries("auth.login")] == [200]
    app.config["AUDIT_RETENTION_DAYS"] = 90
    result = runner.invoke(args=["audit", "purge"])
    assert result.exit_code != 0 and "至少保留 180 天" in result.output
    assert len(_entries("auth.login")) == 1


def test_dashboard_links_to_the_audit_log(client, operator):
    page = client.get("/ops/").get_data(as_text=True)
    assert 'href="/ops/audit/"' in page and "审计日志" in page


def test_details_are_json(app):
    record("org.reject", reason="理由<script>", count=3, flags=["a", "b"])
    db.session.commit()
    assert json.loads(json.dumps(_entries()[0].details)) == {"reason": "理由<script>", "count": 3, "flags": ["a", "b"]}
