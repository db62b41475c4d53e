"""My profile and my organisation: edits, verification requests, pending members."""

from marketplace.extensions import db


def test_profile_saves_normalised_name_phone_and_language(client, factory, login):
    user = factory.user()
    login(user)
    data = {"name": "　李四　", "phone": "０７９１－８６９６９９９９", "locale": "en"}
    resp = client.post("/account/profile", data=data)
    assert resp.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.phone, user.locale) == ("李四", "0791-86969999", "en")


def test_profile_refuses_junk(client, factory, login):
    user = factory.user(name="王五")
    login(user)
    resp = client.post("/account/profile", data={"name": "", "phone": "<script>", "locale": "fr"})
    page = resp.get_data(as_text=True)
    assert "请填写姓名" in page and "电话号码格式不正确" in page
    db.session.refresh(user)
    assert user.name == "王五"


def test_profile_needs_sign_in(client):
    resp = client.get("/account/profile")
    assert resp.status_code == 302 and "/account/login" in resp.headers["Location"]


def _org_form(org, **overrides):
    data = {
        "name": org.name,
        "org_type": org.org_type,
        "region": org.region,
        "credit_code": org.credit_code or "",
        "description": org.description or "",
        "website": org.website or "",
    }
    data.update(overrides)
    return data


def test_editing_identity_of_a_verified_org_undoes_verification(client, factory, login):
    org = factory.org(org_type="enterprise", name="江西某科技有限公司", verified=True)
    login(factory.user("company", org=org))
    page = client.get("/account/organisation").get_data(as_text=True)
    assert "机构将变为“未认证”" in page  # said before saving
    resp = client.post("/account/organisation", data=_org_form(org, region="ganzhou"), follow_redirects=True)
    assert "机构已变为“未认证”" in resp.get_data(as_text=True)  # and after
    db.session.refresh(org)
    assert org.region == "ganzhou"
    assert org.verification_status == "unverified" and org.verified_at is None


def test_editing_the_description_keeps_verification(client, factory, login):
    org = factory.org(org_type="enterprise", verified=True)
    login(factory.user("company", org=org))
    resp = client.post(
        "/account/organisation", data=_org_form(org, description="专注稀土永磁材料研发。", qualifications=["high_tech"])
    )
    assert resp.status_code == 302
    db.session.refresh(org)
    assert org.is_verified
    assert org.description == "专注稀土永磁材料研发。"
    assert org.qualification_codes == ["high_tech"]


def test_organisation_name_must_stay_unique(client, factory, login):
    factory.org(name="南昌大学")
    org = factory.org(name="南昌航空大学")
    login(factory.user(org=org))
    resp = client.post("/account/organisation", data=_org_form(org, name="南昌大学"))
    assert "该机构名称已被使用" in resp.get_data(as_text=True)


def test_request_verification_and_see_the_rejection_note(client, factory, login):
    org = factory.org(verified=False)
    login(factory.user(org=org))
    client.post("/account/organisation/verification")  # without evidence: sent to the upload page
    db.session.refresh(org)
    assert org.verification_status == "unverified"
    from io import BytesIO

    from marketplace.accounts.validation import credit_code_check_char

    code = "12360000MB1234567" + credit_code_check_char("12360000MB1234567")
    client.post(
        "/account/organisation/verify",
        content_type="multipart/form-data",
        data={
            "kind": "legal_person_certificate",
            "credit_code": code,
            "file": (BytesIO(b"%PDF-1.4\n%%EOF\n"), "法人证书.pdf"),
        },
    )
    db.session.refresh(org)
    assert org.verification_status == "pending"
    org.verification_status, org.verification_note = "rejected", "请补充统一社会信用代码。"
    db.session.commit()
    page = client.get("/account/organisation").get_data(as_text=True)
    assert "认证未通过" in page and "请补充统一社会信用代码。" in page
    assert "申请机构认证" in page


def test_pending_member_sees_but_cannot_edit(client, factory, login):
    org = factory.org(name="江西省科学院", verified=True)
    factory.user(org=org, name="赵六")
    login(factory.user(org=org, membership_status="pending"))
    page = client.get("/account/organisation").get_data(as_text=True)
    assert "等待运营人员确认" in page and "赵六" in page
    assert client.post("/account/organisation", data=_org_form(org, name="改名")).status_code == 403
    assert client.post("/account/organisation/verification").status_code == 403
    db.session.refresh(org)
    assert org.name == "江西省科学院"
