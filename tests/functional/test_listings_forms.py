"""Creating and editing achievements and needs: Chinese and full-width input, clear messages, nothing half-saved."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import url_for

from marketplace.extensions import db
from marketplace.listings.models import Attachment, Listing, ListingChange, ListingEvent, Tag


def achievement_form(**overrides):
    data = {
        "title": "基于石墨烯的锂电池负极材料",
        "summary": "高能量密度、长循环寿命的负极材料，已完成中试。",
        "description": "保密：配方与烧结工艺参数。",
        "industry": "new_materials",
        "tags": "石墨烯，锂电池、储能",
        "maturity": "pilot",
        "trl": "6",
        "ip_type": "invention_patent",
        "ip_numbers": "ZL201910000000.1",
        "ip_status": "granted",
        "cooperation_modes": ["transfer", "license"],
        "price_wan": "120",
        "source_programme": "national_03",
        "project_number": "2019ZX03001",
        "acceptance_status": "accepted",
        "lead_institution": "",
        "contact_name": "张老师",
        "contact_phone": "0791-88888888",
        "contact_email": "zhang@example.cn",
        "valid_until": (date.today() + timedelta(days=200)).isoformat(),
        "action": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def need_form(**overrides):
    data = {
        "title": "NB-IoT 远程抄表低功耗模组",
        "summary": "需要一种续航十年以上的窄带物联网抄表模组。",
        "indicators": "功耗≤2.4mW；工作温度-40~85℃",
        "industry": "mobile_iot",
        "tags": "NB-IoT 抄表",
        "price_wan": "50",
        "deadline": (date.today() + timedelta(days=90)).isoformat(),
        "cooperation_modes": ["co_develop"],
        "min_maturity": "pilot",
        "region": "jiujiang",
        "action": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def png_bytes():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def researcher(factory, login):
    user = factory.user("researcher")
    login(user)
    return user


def test_researcher_creates_a_draft_with_full_width_input_normalised(client, researcher):
    resp = client.post(
        "/achievements/new",
        data=achievement_form(
            title="　ＡＢＣ１２３ 石墨烯材料　", price_wan="１２０.５", tags="ＮＢ－ＩｏＴ、石墨烯，石墨烯"
        ),
    )
    assert resp.status_code == 302
    listing = db.session.execute(db.select(Listing)).scalar_one()
    assert listing.title == "ABC123 石墨烯材料"
    assert listing.price_wan == Decimal("120.50")
    assert listing.tag_names == sorted(["NB-IoT", "石墨烯"])  # the form typed, full width folded
    assert listing.status == "draft"
    assert listing.lead_institution == researcher.organisation.name  # defaults to the user's organisation
    assert listing.region == researcher.organisation.region
    assert listing.cooperation_modes == ["transfer", "license"]
    assert [e.action for e in listing.events] == ["create"]
    assert count(ListingChange) == 1
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "草稿已保存" in page and "ABC123 石墨烯材料" in page


def test_saving_and_submitting_in_one_step_for_a_verified_org(client, researcher):
    client.post("/achievements/new", data=achievement_form(action="submit"))
    listing = db.session.execute(db.select(Listing)).scalar_one()
    assert listing.status == "submitted"
    assert [e.action for e in listing.events] == ["create", "submit"]


def test_unverified_org_keeps_a_draft_and_is_told_why(client, factory, login, app):
    user = factory.user("researcher", org=factory.org(verified=False))
    login(user)
    resp = client.post("/achievements/new", data=achievement_form(action="submit"), follow_redirects=True)
    listing = db.session.execute(db.select(Listing)).scalar_one()
    assert listing.status == "draft"
    page = resp.get_data(as_text=True)
    assert "机构尚未通过实名认证，可先保存草稿" in page
    with app.test_request_context():
        link = url_for("accounts.organisation")
    assert f'href="{link}">前往机构认证</a>' in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": ""}, "请填写标题。"),
        ({"title": "　　"}, "请填写标题。"),
        ({"title": "长" * 101}, "不能超过 100 个字"),
        ({"summary": ""}, "请填写公开摘要。"),
        ({"industry": ""}, "请选择所属行业。"),
        ({"industry": "no-such-industry"}, "请选择列表中的选项。"),
        ({"cooperation_modes": None}, "请至少选择一种合作方式。"),
        ({"price_wan": ""}, "请填写金额（万元）或勾选“面议”。"),
        ({"price_wan": "-5"}, "金额不能为负数。"),
        ({"price_wan": "十万"}, "请填写数字金额"),
        ({"price_wan": "NaN"}, "金额不能为负数。"),
        ({"price_wan": "1.234"}, "金额最多保留两位小数。"),
        ({"price_wan": "10", "price_negotiable": "y"}, "已勾选“面议”时请不要填写金额。"),
        ({"tags": "标" * 41}, "超过 40 个字"),
        ({"tags": " ".join(f"标签{i}" for i in range(16))}, "标签最多 15 个。"),
        ({"valid_until": "2020-01-01"}, "有效期必须晚于今天。"),
        ({"valid_until": "明年"}, "请输入有效的日期"),
        ({"contact_email": "not-an-email"}, "请输入有效的邮箱地址。"),
        ({"contact_phone": "电话abc"}, "电话号码只能包含数字"),
        ({"description": "详" * 20001}, "不能超过 20000 个字"),
    ],
)
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_saved(client, researcher, overrides, message):
    before = (count(Listing), count(ListingEvent), count(Tag), count(ListingChange))
    resp = client.post("/achievements/new", data=achievement_form(**overrides))
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert message in page
    assert "表单有" in page
    assert (count(Listing), count(ListingEvent), count(Tag), count(ListingChange)) == before


def test_negotiable_price_is_saved_without_an_amount(client, researcher):
    client.post("/achievements/new", data=achievement_form(price_wan="", price_negotiable="y"))
    listing = db.session.execute(db.select(Listing)).scalar_one()
    assert listing.price_negotiable is True and listing.price_wan is None


def test_script_in_full_width_is_normalised_then_escaped(client, researcher):
    resp = client.post("/achievements/new", data=achievement_form(title="＜script＞alert(1)＜/script＞"))
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


def test_only_researchers_create_achievements_and_companies_needs(client, factory, login):
    company = factory.user("company")
    login(company)
    assert client.get("/achievements/new").status_code == 403
    assert client.post("/achievements/new", data=achievement_form()).status_code == 403
    assert client.get("/needs/new").status_code == 200
    login(factory.user("operator"))
    assert client.get("/needs/new").status_code == 403
    assert client.get("/achievements/new").status_code == 403
    assert count(Listing) == 0


def test_visitor_is_sent_to_sign_in(client):
    resp = client.get("/achievements/new")
    assert resp.status_code == 302
    assert "/account/login" in resp.headers["Location"]


def test_company_creates_a_need_with_region_defaulting_to_the_org(client, factory, login):
    company = factory.user("company", org=factory.org(org_type="enterprise", region="ganzhou"))
    login(company)
    form_page = client.get("/needs/new").get_data(as_text=True)
    assert 'selected value="ganzhou"' in form_page
    resp = client.post("/needs/new", data=need_form(hide_org_name="y", price_wan="", price_negotiable="y"))
    assert resp.status_code == 302
    need = db.session.execute(db.select(Listing)).scalar_one()
    assert (need.kind, need.region, need.hide_org_name, need.price_negotiable) == ("need", "jiujiang", True, True)
    assert need.indicators == "功耗≤2.4mW；工作温度-40~85°C"  # NFKC folds ℃; Chinese punctuation is kept
    assert need.valid_until > date.today() + timedelta(days=360)


def test_need_deadline_in_the_past_is_refused(client, factory, login):
    login(factory.user("company"))
    resp = client.post("/needs/new", data=need_form(deadline="2001-01-01"))
    assert "截止日期不能早于今天。" in resp.get_data(as_text=True)
    assert count(Listing) == 0


# ---------------------------------------------------------------- attachments


def test_real_pdf_and_png_are_accepted_and_downloaded_under_the_chinese_name(client, researcher, app):
    data = achievement_form()
    data["attachments"] = [(io.BytesIO(PDF_BYTES), "石墨烯检测报告.pdf"), (io.BytesIO(png_bytes()), "样品照片.png")]
    resp = client.post("/achievements/new", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302
    items = db.session.execute(db.select(Attachment).order_by(Attachment.id)).scalars().all()
    assert [(a.original_name, a.content_type) for a in items] == [
        ("石墨烯检测报告.pdf", "application/pdf"),
        ("样品照片.png", "image/png"),
    ]
    import os

    stored = os.listdir(app.config["UPLOAD_FOLDER"])
    assert sorted(stored) == sorted(a.stored_name for a in items)
    assert all(len(name) == 32 and "." not in name for name in stored)

    download = client.get(f"/attachments/{items[0].id}")
    assert download.status_code == 200
    assert download.data == PDF_BYTES
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert "filename*=UTF-8''%E7%9F%B3%E5%A2%A8%E7%83%AF" in disposition
    assert download.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("报告.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "不是有效的 PDF、PNG 或 JPEG 文件"),
        ("setup.exe", PDF_BYTES, "不是有效的 PDF、PNG 或 JPEG 文件"),
        ("照片.png", PDF_BYTES, "不是有效的 PDF、PNG 或 JPEG 文件"),
        ("坏图.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 20, "已损坏或无法识别"),
        ("空.pdf", b"", "是空文件"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_written(client, researcher, app, name, content, message):
    import os

    data = achievement_form()
    data["attachments"] = [(io.BytesIO(PDF_BYTES), "好文件.pdf"), (io.BytesIO(content), name)]
    resp = client.post("/achievements/new", data=data, content_type="multipart/form-data")
    assert resp.status_code == 200
    assert message in resp.get_data(as_text=True)
    assert count(Listing) == 0 and count(Attachment) == 0
    folder = app.config["UPLOAD_FOLDER"]
    assert not os.path.isdir(folder) or os.listdir(folder) == []


def test_oversized_attachment_is_refused(client, researcher, app):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    data = achievement_form()
    data["attachments"] = [(io.BytesIO(PDF_BYTES + b"0" * 2000), "大文件.pdf")]
    resp = client.post("/achievements/new", data=data, content_type="multipart/form-data")
    assert "超过" in resp.get_data(as_text=True) and "大小限制" in resp.get_data(as_text=True)
    assert count(Listing) == 0


def test_files_are_removed_when_the_commit_fails(client, researcher, app, monkeypatch):
    import os

    def failing_commit():
        raise RuntimeError("database went away")

    data = achievement_form()
    data["attachments"] = [(io.BytesIO(PDF_BYTES), "报告.pdf")]
    monkeypatch.setattr(db.session, "commit", failing_commit)
    resp = client.post("/achievements/new", data=data, content_type="multipart/form-data")
    monkeypatch.undo()
    assert "保存失败" in resp.get_data(as_text=True)
    assert count(Listing) == 0
    assert os.listdir(app.config["UPLOAD_FOLDER"]) == []


def test_owner_deletes_an_attachment_others_cannot(client, factory, login, researcher):
    data = achievement_form()
    data["attachments"] = [(io.BytesIO(PDF_BYTES), "报告.pdf")]
    client.post("/achievements/new", data=data, content_type="multipart/form-data")
    item = db.session.execute(db.select(Attachment)).scalar_one()
    listing_id, item_id = item.listing_id, item.id
    login(factory.user("researcher"))
    assert client.post(f"/attachments/{item_id}/delete").status_code == 403
    login(researcher)
    assert client.post("/attachments/999999/delete").status_code == 404
    assert client.post(f"/attachments/{item_id}/delete").status_code == 302
    assert count(Attachment) == 0
    assert db.session.get(Listing, listing_id).events[-1].action == "attachment_removed"
    assert client.get(f"/attachments/{item_id}").status_code == 404


def test_edit_form_is_prefilled_and_saves_a_draft_directly(client, factory, login):
    draft = factory.listing("achievement", status="draft", tags=["石墨烯"], price_wan=Decimal("12.50"))
    login(draft.owner)
    page = client.get(f"/achievements/{draft.id}/edit").get_data(as_text=True)
    assert 'value="12.5"' in page and "石墨烯" in page
    resp = client.post(f"/achievements/{draft.id}/edit", data=achievement_form(title="新标题"))
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Listing, draft.id).title == "新标题"
    assert db.session.get(Listing, draft.id).events[-1].action == "edit"


def test_other_users_cannot_edit_and_missing_is_404(client, factory, login):
    listing = factory.listing("achievement", status="draft")
    login(factory.user("researcher"))
    assert client.get(f"/achievements/{listing.id}/edit").status_code == 403
    assert client.post(f"/achievements/{listing.id}/edit", data=achievement_form()).status_code == 403
    assert client.get("/achievements/999999/edit").status_code == 404
    assert client.get(f"/needs/{listing.id}/edit").status_code == 404  # wrong kind in the URL
