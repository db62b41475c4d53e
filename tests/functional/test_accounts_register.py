"""Registering: a new account with a new organisation, or a pending membership of an existing one."""

from marketplace.accounts.models import Organisation, User
from marketplace.accounts.services import find_user_by_email
from marketplace.extensions import db

PASSWORD = "赣江边的一棵老樟树"


def _form(**overrides):
    data = {
        "email": "zhangsan@example.cn",
        "name": "张三",
        "phone": "",
        "role": "researcher",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "org_choice": "new",
        "org_name": "南昌大学材料科学与工程学院",
        "org_type": "university",
        "region": "nanchang",
        "credit_code": "",
        "existing_org_name": "",
        "accept_privacy": "y",
    }
    data.update(overrides)
    return data


def _last_mail(app):
    from marketplace.mail import message_summary, outbox_names, read_outbox_message

    folder = app.config["OUTBOX_DIR"]
    return message_summary(read_outbox_message(folder, outbox_names(folder)[0]))["body"]


def _count(model):
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def test_register_with_new_organisation_signs_in(client):
    resp = client.post(
        "/account/register",
        data=_form(
            email=" ＺｈａｎｇＳａｎ＠ｅｘａｍｐｌｅ．ｃｎ ",
            name="　张三　",
            phone="１３８００１３８０００",
        ),
    )
    assert resp.status_code == 302
    user = find_user_by_email("zhangsan@example.cn")
    assert user.email == "zhangsan@example.cn"
    assert user.name == "张三"
    assert user.phone == "13800138000"
    assert user.role == "researcher"
    assert user.membership_status == "active"
    assert user.organisation.name == "南昌大学材料科学与工程学院"
    assert user.organisation.verification_status == "unverified"
    assert not user.in_verified_org
    page = client.get(resp.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert "注册申请已收到" in page  # the same answer as for a registered address (no enumeration)
    resp = client.post("/account/login", data={"email": "zhangsan@example.cn", "password": PASSWORD})
    assert resp.status_code == 302
    assert client.get("/account/profile").status_code == 200  # signed in with the chosen password


def test_enterprise_keeps_qualifications_and_credit_code(client):
    client.post(
        "/account/register",
        data=_form(
            role="company",
            org_name="江西赣锋新材料有限公司",
            org_type="enterprise",
            region="xinyu",
            credit_code="91350100m000100y43",
            qualifications=["high_tech", "gazelle"],
        ),
    )
    org = db.session.execute(db.select(Organisation).filter_by(name="江西赣锋新材料有限公司")).scalar_one()
    assert org.credit_code == "91350100M000100Y43"
    assert org.qualification_codes == ["high_tech", "gazelle"]


def test_qualifications_are_dropped_for_non_enterprises(client):
    client.post("/account/register", data=_form(qualifications=["high_tech"]))
    org = db.session.execute(db.select(Organisation)).scalar_one()
    assert org.qualification_codes == []


def test_joining_an_existing_organisation_waits_for_an_operator(client, factory):
    org = factory.org(name="江西省科学院", org_type="institute", verified=True)
    resp = client.post(
        "/account/register",
        data=_form(org_choice="existing", existing_org_name=" 江西省科学院 ", org_name="", org_type="", region=""),
    )
    assert resp.status_code == 302
    user = find_user_by_email("zhangsan@example.cn")
    assert user.organisation_id == org.id
    assert user.membership_status == "pending"
    assert not user.in_verified_org  # the org is verified, but this membership is not confirmed
    assert "需要运营人员确认" in _last_mail(client.application)
    assert _count(Organisation) == 1


def test_joining_an_unknown_organisation_is_explained(client, factory):
    factory.org(name="江西省科学院")
    resp = client.post("/account/register", data=_form(org_choice="existing", existing_org_name="江西科学院"))
    assert resp.status_code == 200
    assert "没有找到这个名称的机构" in resp.get_data(as_text=True)
    assert _count(User) == 0


def test_creating_an_organisation_that_exists_points_to_joining(client, factory):
    factory.org(name="南昌大学")
    resp = client.post("/account/register", data=_form(org_name="南昌大学"))
    assert "该机构已存在" in resp.get_data(as_text=True)
    assert _count(User) == 0


def test_empty_form_re_renders_with_chinese_messages_and_saves_nothing(client):
    empty = {key: "" for key in _form()}
    resp = client.post("/account/register", data=empty)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    for message in ("请填写邮箱", "请填写姓名", "请填写密码", "请选择身份", "请选择新建机构或加入已有机构"):
        assert message in page
    assert _count(User) == 0 and _count(Organisation) == 0


def test_new_organisation_needs_name_type_and_region(client):
    resp = client.post("/account/register", data=_form(org_name="  ", org_type="", region=""))
    page = resp.get_data(as_text=True)
    assert "请填写机构名称" in page and "请选择机构类型" in page and "请选择所在地区" in page
    assert _count(User) == 0


def test_oversized_fields_are_refused(client):
    resp = client.post(
        "/account/register",
        data=_form(
            email="a" * 250 + "@example.cn",
            name="张" * 61,
            phone="1" * 31,
            org_name="院" * 121,
            password="长" * 129,
            confirm="长" * 129,
        ),
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert page.count("最多") >= 4
    assert "密码不能超过 128 个字符" in page
    assert _count(User) == 0 and _count(Organisation) == 0


def test_a_registered_email_creates_nothing(client, factory):
    factory.user(email="zhangsan@example.cn")
    resp = client.post("/account/register", data=_form(email="ZhangSan@Example.CN"))
    assert resp.status_code == 302
    assert _count(User) == 1  # see test_security_enumeration.py for the answer and the notice


def test_common_and_short_passwords_are_refused(client):
    page = client.post("/account/register", data=_form(password="woaini1314", confirm="woaini1314")).get_data(True)
    assert "这个密码太常见" in page
    page = client.post("/account/register", data=_form(password="abc", confirm="abc")).get_data(as_text=True)
    assert "密码至少需要 8 个字符" in page
    assert _count(User) == 0


def test_passwords_must_match(client):
    page = client.post("/account/register", data=_form(confirm=PASSWORD + "!")).get_data(as_text=True)
    assert "两次输入的密码不一致" in page
    assert _count(User) == 0


def test_nobody_registers_as_an_operator(client):
    resp = client.post("/account/register", data=_form(role="operator"))
    assert resp.status_code == 200
    assert _count(User) == 0


def test_bad_credit_code_and_email_are_explained(client):
    page = client.post("/account/register", data=_form(email="zhangsan", credit_code="12345")).get_data(True)
    assert "邮箱格式不正确" in page
    assert "统一社会信用代码应为 18 位" in page


def test_register_page_is_accessible_chinese(client):
    page = client.get("/account/register").get_data(as_text=True)
    assert '<label class="form-label" for="email">邮箱</label>' in page
    assert "科研人员" in page and "企业用户" in page and "投资人" in page
    assert 'value="operator"' not in page
    assert "省外" in page and "赣州" in page
