"""Finding 6: registration answers the same for new and registered addresses; the owner gets a notice instead."""

from test_accounts_register import PASSWORD, _form

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.mail import message_summary, outbox_names, read_outbox_message


def _mails(app):
    folder = app.config["OUTBOX_DIR"]
    return [message_summary(read_outbox_message(folder, name)) for name in outbox_names(folder)]


def _answer(client, email):
    resp = client.post("/account/register", data=_form(email=email, org_name=f"机构 {email}"))
    page = client.get(resp.headers["Location"]).get_data(as_text=True) if resp.status_code == 302 else ""
    return resp.status_code, resp.headers.get("Location"), page.replace(email, "EMAIL")


def test_new_and_registered_addresses_get_the_same_answer(app, client, factory):
    factory.user(email="taken@example.cn", password="old password of the owner")
    new = _answer(client, "fresh@example.cn")
    taken = _answer(client, "taken@example.cn")
    assert new == taken
    assert new[0] == 302 and "该邮箱已注册" not in new[2]


def test_the_registered_owner_gets_a_notice_and_nothing_changes(app, client, factory):
    owner = factory.user(email="taken@example.cn", password="old password of the owner", name="王老师")
    _answer(client, "taken@example.cn")
    [mail] = _mails(app)
    assert mail["to"] == "taken@example.cn"
    assert "尝试用本邮箱" in mail["body"] and "/account/reset" in mail["body"]
    assert PASSWORD not in mail["body"]
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1
    assert db.session.get(User, owner.id).name == "王老师"
    resp = client.post("/account/login", data={"email": "taken@example.cn", "password": PASSWORD})
    assert resp.status_code == 200  # the attacker's password does not open the account


def test_a_new_address_gets_a_welcome_mail(app, client):
    _answer(client, "fresh@example.cn")
    [mail] = _mails(app)
    assert mail["to"] == "fresh@example.cn" and "/account/login" in mail["body"]
