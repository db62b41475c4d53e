"""Organisation verification evidence: 营业执照 / 法人证书 with the 统一社会信用代码, readable only by operators."""

import io
import os

import pytest
from PIL import Image

from marketplace.accounts.validation import credit_code_check_char
from marketplace.audit.models import AuditEvent
from marketplace.extensions import db
from marketplace.verification.models import VerificationEvidence

FIRST17 = "91360100MA35ABCDE"
CODE = FIRST17 + credit_code_check_char(FIRST17)
BAD_CODE = FIRST17 + ("0" if CODE[-1] != "0" else "1")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _form(data=None, name="营业执照.png", code=CODE, kind="business_licence"):
    form = {"kind": kind, "credit_code": code}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return form


@pytest.fixture
def member(factory, login):
    org = factory.org(org_type="enterprise", verified=False, name="鹰潭测试科技有限公司")
    user = factory.user("company", org=org)
    login(user)
    return user


def _evidence():
    return db.session.execute(db.select(VerificationEvidence)).scalars().all()


def test_member_asks_for_verification_with_the_licence_and_code(client, member, app):
    page = client.get("/account/organisation").get_data(as_text=True)
    assert 'href="/account/organisation/verify"' in page
    resp = client.post(
        "/account/organisation/verify", data=_form(_png(), code=CODE.lower()), content_type="multipart/form-data"
    )
    assert resp.status_code == 302
    org = member.organisation
    db.session.refresh(org)
    assert org.verification_status == "pending" and org.credit_code == CODE
    (evidence,) = _evidence()
    assert (evidence.kind, evidence.credit_code, evidence.original_name) == ("business_licence", CODE, "营业执照.png")
    assert evidence.stored_name != evidence.original_name
    assert os.path.isfile(os.path.join(app.config["UPLOAD_FOLDER"], evidence.stored_name))
    events = [e.event for e in db.session.execute(db.select(AuditEvent)).scalars()]
    assert events == ["org.evidence_upload", "org.verification_request"]


@pytest.mark.parametrize(
    "data,name,code,message",
    [
        (None, "x.png", CODE, "请上传营业执照或法人证书"),
        (_png(), "x.png", BAD_CODE, "校验位不正确"),
        (_png(), "x.png", "", "请填写统一社会信用代码"),
        (b"MZ\x90\x00 not a pdf", "licence.pdf", CODE, "不是有效的 PDF、PNG 或 JPEG 文件"),
        (PDF, "licence.png", CODE, "不是有效的 PDF、PNG 或 JPEG 文件"),
    ],
)
def test_bad_evidence_is_refused_with_a_chinese_message_and_nothing_saved(
    client, member, app, data, name, code, message
):
    resp = client.post(
        "/account/organisation/verify", data=_form(data, name=name, code=code), content_type="multipart/form-data"
    )
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    db.session.refresh(member.organisation)
    assert member.organisation.verification_status == "unverified" and not _evidence()
    assert not os.listdir(app.config["UPLOAD_FOLDER"]) if os.path.isdir(app.config["UPLOAD_FOLDER"]) else True


def test_files_over_the_size_limit_are_refused(client, member, app):
    app.config["EVIDENCE_MAX_BYTES"] = 100
    resp = client.post(
        "/account/organisation/verify", data=_form(PDF + b"0" * 200, name="a.pdf"), content_type="multipart/form-data"
    )
    assert "超过" in resp.get_data(as_text=True) and not _evidence()


def test_pending_members_cannot_ask_for_verification(client, factory, login):
    user = factory.user("company", org=factory.org(org_type="enterprise", verified=False), membership_status="pending")
    login(user)
    assert (
        client.post("/account/organisation/verify", data=_form(_png()), content_type="multipart/form-data").status_code
        == 403
    )


def test_the_old_request_button_without_evidence_leads_to_the_upload_page(client, member):
    resp = client.post("/account/organisation/verification")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account/organisation/verify")
    db.session.refresh(member.organisation)
    assert member.organisation.verification_status == "unverified"


def _upload(client, data, name):
    client.post("/account/organisation/verify", data=_form(data, name=name), content_type="multipart/form-data")
    return _evidence()[0]


def test_operator_sees_the_file_and_the_code_side_by_side(client, member, factory, login):
    evidence = _upload(client, _png(), "执照.png")
    org = member.organisation
    org.credit_code = None  # a member changed it after uploading: the operator must notice
    db.session.commit()
    login(factory.user("operator"))
    page = client.get(f"/ops/organisations/{org.id}").get_data(as_text=True)
    url = f"/ops/organisations/{org.id}/evidence/{evidence.id}"
    assert f'<img src="{url}"' in page and CODE in page and "不一致" in page
    resp = client.get(url)
    assert resp.status_code == 200 and resp.mimetype == "image/png" and resp.data.startswith(b"\x89PNG")
    assert resp.headers["X-Content-Type-Options"] == "nosniff" and "no-store" in resp.headers["Cache-Control"]


def test_pdf_evidence_is_a_download_for_operators(client, member, factory, login):
    evidence = _upload(client, PDF, "法人证书.pdf")
    login(factory.user("operator"))
    resp = client.get(f"/ops/organisations/{member.organisation_id}/evidence/{evidence.id}")
    assert resp.status_code == 200 and resp.headers["Content-Disposition"].startswith("attachment")


def test_only_operators_open_evidence_members_see_that_it_exists(client, member, factory, login):
    evidence = _upload(client, _png(), "执照.png")
    url = f"/ops/organisations/{member.organisation_id}/evidence/{evidence.id}"
    page = client.get("/account/organisation").get_data(as_text=True)
    assert "执照.png" in page and url not in page and "仅运营人员可以查看" in page
    assert client.get(url).status_code == 403  # the organisation's own member
    login(factory.user("researcher"))
    assert client.get(url).status_code == 403
    login(factory.user("operator"))
    assert client.get(f"/ops/organisations/{member.organisation_id + 1000}/evidence/{evidence.id}").status_code == 404
    assert client.get(url).status_code == 200


def test_visitors_are_sent_to_sign_in(client, member, app):
    evidence = _upload(client, _png(), "执照.png")
    visitor = app.test_client()
    resp = visitor.get(f"/ops/organisations/{member.organisation_id}/evidence/{evidence.id}")
    assert resp.status_code == 302 and "/account/login" in resp.headers["Location"]
