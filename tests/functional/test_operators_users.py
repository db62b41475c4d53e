"""Operators: dashboard, organisation verification, user management, the outbox and the CLI."""

import re

import pytest

from marketplace.accounts.models import AuthSession, Organisation, User
from marketplace.accounts.services import find_user_by_email
from marketplace.extensions import db
from marketplace.mail import send_mail

OPS_PAGES = ["/ops/", "/ops/organisations", "/ops/users", "/ops/outbox"]


@pytest.fixture
def operator(factory, login):
    user = factory.user("operator", name="运营小王")
    login(user)
    return user


@pytest.mark.parametrize("url", OPS_PAGES)
def test_visitors_are_sent_to_sign_in(client, url):
    resp = client.get(url)
    assert resp.status_code == 302 and "/account/login" in resp.headers["Location"]


@pytest.mark.parametrize("url", OPS_PAGES)
def test_other_roles_get_403(client, factory, login, url):
    login(factory.user("company"))
    assert client.get(url).status_code == 403


def test_operator_only_actions_refuse_others(client, factory, login):
    victim = factory.user()
    login(factory.user("researcher"))
    assert client.post(f"/ops/users/{victim.id}/disable").status_code == 403
    assert client.post(f"/ops/organisations/{victim.organisation_id}/verify").status_code == 403
    db.session.refresh(victim)
    assert not victim.is_disabled


def test_dashboard_counts(client, factory, operator):
    factory.listing("achievement", status="submitted")
    factory.listing("need", status="published")
    factory.org(name="待认证机构", verified=False, verification_status="pending")
    page = client.get("/ops/").get_data(as_text=True)
    assert "运营后台" in page
    assert 'href="/ops/organisations?status=pending"' in page
    assert 'href="/ops/users"' in page and 'href="/ops/outbox"' in page
    assert re.search(r'scope="row">待认证</th><td class="text-end">1</td>', page)
    assert re.search(r'scope="row">运营人员</th><td class="text-end">1</td>', page)
    # listings by status: achievements | needs
    assert re.search(r'scope="row">待审核</th>\s*<td class="text-end">1</td><td class="text-end">0</td>', page)
    assert re.search(r'scope="row">已发布</th>\s*<td class="text-end">0</td><td class="text-end">1</td>', page)


def test_organisation_list_filters(client, factory, operator):
    factory.org(
        name="赣州稀土研究院", org_type="institute", region="ganzhou", verified=False, verification_status="pending"
    )
    factory.org(name="九江学院", org_type="university", region="jiujiang")
    page = client.get("/ops/organisations?status=pending").get_data(as_text=True)
    assert "赣州稀土研究院" in page and "九江学院" not in page
    page = client.get("/ops/organisations?q=九江").get_data(as_text=True)
    assert "九江学院" in page and "赣州稀土研究院" not in page
    page = client.get("/ops/organisations?region=ganzhou&org_type=institute").get_data(as_text=True)
    assert "赣州稀土研究院" in page and "九江学院" not in page
    assert client.get("/ops/organisations?status=bogus&page=999").status_code == 200


def test_verify_an_organisation(client, factory, operator):
    org = factory.org(verified=False, verification_status="pending")
    member = factory.user(org=org)
    assert not member.in_verified_org
    resp = client.post(f"/ops/organisations/{org.id}/verify", follow_redirects=True)
    assert "已认证机构" in resp.get_data(as_text=True)
    db.session.refresh(org)
    assert org.verification_status == "verified"
    assert org.verified_by_id == operator.id and org.verified_at is not None
    assert member.in_verified_org


def test_rejection_needs_a_reason(client, factory, operator):
    org = factory.org(verified=False, verification_status="pending")
    resp = client.post(f"/ops/organisations/{org.id}/reject", data={"reason": "   "})
    assert resp.status_code == 400
    assert "请填写理由" in resp.get_data(as_text=True)
    db.session.refresh(org)
    assert org.verification_status == "pending"
    client.post(f"/ops/organisations/{org.id}/reject", data={"reason": "营业执照名称与填写不一致。"})
    db.session.refresh(org)
    assert org.verification_status == "rejected"
    assert org.verification_note == "营业执照名称与填写不一致。"


def test_unknown_organisation_is_404(client, operator):
    assert client.get("/ops/organisations/999999").status_code == 404
    assert client.post("/ops/organisations/999999/verify").status_code == 404


def test_organisation_page_asks_before_deciding(client, factory, operator):
    org = factory.org(verified=False, verification_status="pending")
    page = client.get(f"/ops/organisations/{org.id}").get_data(as_text=True)
    assert page.count("data-confirm=") >= 2


def test_user_list_filters_and_search(client, factory, operator):
    factory.user("investor", name="投资人钱七", email="qian@example.cn")
    factory.user("company", name="企业孙八", email="sun@example.cn", is_disabled=True)
    page = client.get("/ops/users?role=investor").get_data(as_text=True)
    assert "投资人钱七" in page and "企业孙八" not in page
    page = client.get("/ops/users?status=disabled").get_data(as_text=True)
    assert "企业孙八" in page and "投资人钱七" not in page
    page = client.get("/ops/users?q=QIAN").get_data(as_text=True)
    assert "投资人钱七" in page and "企业孙八" not in page
    page = client.get("/ops/users?q=%25").get_data(as_text=True)  # a literal %, not a wildcard
    assert "投资人钱七" not in page


def test_disable_and_enable_a_user(app, client, factory, login, operator):
    user = factory.user()
    other = app.test_client()
    login(user, other)
    client.post(f"/ops/users/{user.id}/disable", data={"next": "/ops/users?role=researcher"})
    db.session.refresh(user)
    assert user.is_disabled
    assert db.session.execute(db.select(AuthSession).filter_by(user_id=user.id)).first() is None
    assert other.get("/account/profile").status_code == 302
    client.post(f"/ops/users/{user.id}/enable")
    db.session.refresh(user)
    assert not user.is_disabled


def test_operator_cannot_disable_themselves(client, operator):
    resp = client.post(f"/ops/users/{operator.id}/disable", follow_redirects=True)
    assert "不能停用自己的账号" in resp.get_data(as_text=True)
    db.session.refresh(operator)
    assert not operator.is_disabled


def test_back_link_after_an_action_stays_on_site(client, factory, operator):
    user = factory.user()
    resp = client.post(f"/ops/users/{user.id}/enable", data={"next": "https://evil.example/"})
    assert resp.headers["Location"] == "/ops/users"


def test_approve_a_pending_membership(client, factory, operator):
    org = factory.org(name="江西省科学院", verified=True)
    user = factory.user(org=org, membership_status="pending", name="新成员")
    page = client.get("/ops/users?status=pending").get_data(as_text=True)
    assert "新成员" in page and "确认成员" in page
    client.post(f"/ops/users/{user.id}/approve")
    db.session.refresh(user)
    assert user.membership_status == "active" and user.in_verified_org


def test_outbox_lists_newest_first_and_shows_a_message(app, client, operator):
    send_mail("a@example.cn", "第一封", "正文一")
    send_mail("b@example.cn", "第二封 <b>", "正文二 <script>alert(1)</script>")
    page = client.get("/ops/outbox").get_data(as_text=True)
    assert page.index("第二封") < page.index("第一封")
    assert "<b>" not in page
    import os

    newest = sorted(os.listdir(app.config["OUTBOX_DIR"]))[-1]
    page = client.get(f"/ops/outbox/{newest}").get_data(as_text=True)
    assert "正文二 &lt;script&gt;" in page and "b@example.cn" in page


@pytest.mark.parametrize(
    "name", ["..%2Fsecret_key", "%2E%2E%2F%2E%2E%2Fsecret_key", "nothing.eml", "20250101T000000000000Z-deadbeef.eml"]
)
def test_outbox_cannot_read_other_files(app, client, operator, name):
    (__import__("pathlib").Path(app.config["OUTBOX_DIR"]).parent / "secret_key").write_text("s3cret")
    resp = client.get(f"/ops/outbox/{name}")
    assert resp.status_code == 404
    assert "s3cret" not in resp.get_data(as_text=True)


def test_cli_creates_an_operator(runner):
    result = runner.invoke(
        args=[
            "users",
            "create-operator",
            "--email",
            "OPS@Example.cn",
            "--name",
            "运营主管",
            "--password",
            "赣江边的一棵老樟树",
        ]
    )
    assert result.exit_code == 0, result.output
    user = find_user_by_email("ops@example.cn")
    assert user.role == "operator" and user.organisation.name == "运营中心" and user.organisation.is_verified
    again = runner.invoke(
        args=[
            "users",
            "create-operator",
            "--email",
            "two@example.cn",
            "--name",
            "二号",
            "--password",
            "另一个足够长的密码",
        ]
    )
    assert again.exit_code == 0, again.output
    assert db.session.execute(db.select(db.func.count()).select_from(Organisation)).scalar_one() == 1
    listing = runner.invoke(args=["users", "list", "--role", "operator"])
    assert "ops@example.cn" in listing.output and "two@example.cn" in listing.output


def test_cli_refuses_weak_passwords_duplicates_and_missing_password(runner, factory):
    factory.user(email="taken@example.cn")
    weak = runner.invoke(
        args=["users", "create-operator", "--email", "x@example.cn", "--name", "X", "--password", "12345678"]
    )
    assert weak.exit_code != 0 and "太常见" in weak.output
    dup = runner.invoke(
        args=[
            "users",
            "create-operator",
            "--email",
            "taken@example.cn",
            "--name",
            "X",
            "--password",
            "赣江边的一棵老樟树",
        ]
    )
    assert dup.exit_code != 0 and "已注册" in dup.output
    no_tty = runner.invoke(args=["users", "create-operator", "--email", "x@example.cn", "--name", "X"], input="")
    assert no_tty.exit_code != 0 and "--password" in no_tty.output
    assert db.session.execute(db.select(User).filter_by(role="operator")).first() is None
