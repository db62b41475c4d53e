"""NDA gate: an owner requires the standard NDA; the detailed tier and attachments open only to signers."""

import os
import uuid

from marketplace.extensions import db
from marketplace.inquiries import nda
from marketplace.inquiries.models import NdaSignature
from marketplace.listings.models import Attachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _achievement_with_file(app, factory):
    owner = factory.user("researcher")
    ach = factory.listing("achievement", owner=owner, description="保密工艺：烧结温度 1080℃。")
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)
    stored = uuid.uuid4().hex
    with open(os.path.join(app.config["UPLOAD_FOLDER"], stored), "wb") as fh:
        fh.write(PDF)
    att = Attachment(
        listing_id=ach.id,
        stored_name=stored,
        original_name="工艺.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by_id=owner.id,
    )
    db.session.add(att)
    db.session.commit()
    return owner, ach, att


def test_nda_gate_opens_the_detailed_tier_only_after_signing(app, client, factory, login):
    owner, ach, att = _achievement_with_file(app, factory)
    login(owner)
    assert client.post(f"/achievements/{ach.id}/nda/required", data={"required": "1"}).status_code == 302
    page = client.get(f"/achievements/{ach.id}").get_data(as_text=True)
    assert "取消保密协议要求" in page and "保密工艺" in page  # the owner still sees everything

    company = factory.user("company", name="王经理")
    login(company)
    page = client.get(f"/achievements/{ach.id}").get_data(as_text=True)
    assert "保密工艺" not in page and "工艺.pdf" not in page and "阅读并签署保密协议" in page
    assert client.get(f"/attachments/{att.id}").status_code == 403
    page = client.get(f"/achievements/{ach.id}/nda").get_data(as_text=True)
    assert "标准保密协议" in page and nda.NDA_VERSION in page
    resp = client.post(f"/achievements/{ach.id}/nda", data={})
    assert resp.status_code == 422 and "请勾选同意后再签署" in resp.get_data(as_text=True)
    assert client.post(f"/achievements/{ach.id}/nda", data={"agree": "y"}).status_code == 302
    signature = db.session.execute(db.select(NdaSignature)).scalar_one()
    assert (signature.user_id, signature.version) == (company.id, nda.NDA_VERSION) and signature.signed_at
    from marketplace.audit.models import AuditEvent

    entry = db.session.execute(db.select(AuditEvent).filter_by(event="nda.sign")).scalar_one()  # 等保 安全审计
    assert (entry.actor_id, entry.target_id, entry.details["version"]) == (company.id, str(ach.id), nda.NDA_VERSION)
    page = client.get(f"/achievements/{ach.id}").get_data(as_text=True)
    assert "保密工艺" in page and "工艺.pdf" in page
    assert client.get(f"/attachments/{att.id}").data == PDF

    login(owner)
    page = client.get(f"/achievements/{ach.id}").get_data(as_text=True)
    assert "王**" in page and company.organisation.name in page and "王经理" not in page
    assert "签署了" in client.get("/notifications/").get_data(as_text=True)

    # Without the requirement, verified members read as before; the owner alone switches it.
    other = factory.user("company")
    login(other)
    assert client.post(f"/achievements/{ach.id}/nda/required", data={"required": "0"}).status_code == 403
    login(owner)
    client.post(f"/achievements/{ach.id}/nda/required", data={"required": "0"})
    login(other)
    assert "保密工艺" in client.get(f"/achievements/{ach.id}").get_data(as_text=True)
    assert client.get(f"/achievements/{ach.id}/nda").status_code == 404


def test_unverified_members_cannot_sign(app, client, factory, login):
    owner, ach, _att = _achievement_with_file(app, factory)
    nda.set_required(ach, owner, True)
    db.session.commit()
    login(factory.user("company", org=factory.org("enterprise", verified=False)))
    assert client.post(f"/achievements/{ach.id}/nda", data={"agree": "y"}).status_code == 403
    assert "阅读并签署保密协议" not in client.get(f"/achievements/{ach.id}").get_data(as_text=True)
