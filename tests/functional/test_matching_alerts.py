"""Saved searches and follows notify in the app and by email, once per pair."""

from marketplace.extensions import db
from marketplace.listings.changes import record_change
from marketplace.matching import alerts, services
from marketplace.notifications.models import Notification


def _apply_changes():
    while services.process_changes():
        db.session.commit()
    db.session.commit()
    alerts.send_pending_emails()
    db.session.commit()


def _outbox(app):
    from marketplace.mail import message_summary, outbox_names, read_outbox_message

    folder = app.config["OUTBOX_DIR"]
    return [message_summary(read_outbox_message(folder, n)) for n in outbox_names(folder)]


def test_saved_search_notifies_once_in_app_and_by_email(app, factory, client, login):
    company = factory.user("company")
    login(company)
    response = client.post("/matches/searches", data={"q": "石墨烯", "kind": "achievement"})
    assert response.status_code == 302
    hit = factory.listing("achievement", title="石墨烯散热膜", summary="石墨烯导热。")
    factory.listing("achievement", title="水稻栽培", summary="双季稻。")
    factory.listing("need", title="寻求石墨烯技术", summary="石墨烯。")  # wrong kind
    _apply_changes()
    notes = db.session.execute(db.select(Notification).filter_by(user_id=company.id)).scalars().all()
    assert [n.listing_id for n in notes] == [hit.id]
    mails = _outbox(app)
    assert len(mails) == 1 and mails[0]["to"] == company.email and "石墨烯散热膜" in mails[0]["body"]
    # The link in the e-mail is absolute, from EXTERNAL_BASE_URL.
    assert f"{app.config['EXTERNAL_BASE_URL']}/achievements/{hit.id}" in mails[0]["body"]

    page = client.get("/notifications/").get_data(as_text=True)
    assert "您保存的搜索有新的结果：石墨烯散热膜" in page

    # Withdrawn and published again: the same pair does not notify twice.
    hit.status = "withdrawn"
    record_change(hit.id)
    db.session.commit()
    _apply_changes()
    hit.status = "published"
    record_change(hit.id)
    db.session.commit()
    _apply_changes()
    assert db.session.execute(db.select(db.func.count(Notification.id))).scalar() == 1
    assert len(_outbox(app)) == 1


def test_following_a_listing_notifies_when_a_new_match_enters_its_suggestions(app, factory, client, login):
    company = factory.user("company")
    need = factory.listing("need", owner=company, title="寻求锂电池负极材料技术", summary="锂电池负极材料循环寿命。")
    _apply_changes()
    login(company)
    client.post(f"/matches/follow/{need.id}")
    new = factory.listing(
        "achievement", title="硅碳锂电池负极材料", summary="锂电池负极材料循环寿命提高。", tags=["锂电池", "负极材料"]
    )
    _apply_changes()
    note = db.session.execute(db.select(Notification).filter_by(user_id=company.id)).scalar_one()
    assert note.kind == "match_follow" and note.listing_id == new.id
    assert "有新的匹配" in _outbox(app)[0]["body"]
    services.refresh_listings([need.id])
    alerts.notify_for([new.id])
    db.session.commit()
    assert db.session.execute(db.select(db.func.count(Notification.id))).scalar() == 1


def test_saved_search_input_is_checked(factory, client, login):
    login(factory.user("company"))
    page = client.post("/matches/searches", data={"q": ""}, follow_redirects=True).get_data(as_text=True)
    assert "请至少填写关键词或选择一个筛选条件" in page
    page = client.post("/matches/searches", data={"q": "长" * 300}, follow_redirects=True).get_data(as_text=True)
    assert "无法保存搜索" in page


def test_saved_searches_belong_to_their_owner(factory, client, login):
    owner = factory.user("company")
    saved = alerts.save_search(owner, "石墨烯", {})
    db.session.commit()
    login(factory.user("company"))
    assert client.post(f"/matches/searches/{saved.id}/delete").status_code == 403
    assert client.post("/matches/searches/999999/delete").status_code == 404


def test_a_signed_in_user_saves_a_search_from_the_results_page(client, factory, login):
    from marketplace.extensions import db as _db
    from marketplace.matching.models import SavedSearch

    user = factory.user("company")
    login(user)
    page = client.get("/search/?q=石墨烯&region=ganzhou").get_data(as_text=True)
    assert "保存此搜索" in page
    resp = client.post("/matches/searches", data={"q": "石墨烯", "region": "ganzhou"})
    assert resp.status_code == 302
    saved = _db.session.execute(_db.select(SavedSearch).filter_by(user_id=user.id)).scalar_one()
    assert saved.filters == {"region": ["ganzhou"]}


def test_visitors_are_not_offered_to_save_a_search(client):
    assert "保存此搜索" not in client.get("/search/?q=石墨烯").get_data(as_text=True)


EVERY_FILTER = {
    "kind": ["achievement"],
    "industry": ["new_materials"],
    "region": ["ganzhou"],
    "maturity": ["pilot"],
    "coop": ["license", "equity"],
    "programme": ["national_03"],
    "band": ["negotiable"],
}


def test_a_saved_search_keeps_every_filter_shows_labels_and_runs_again(client, factory, login):
    import re
    from urllib.parse import parse_qs, urlsplit

    from werkzeug.datastructures import MultiDict

    from marketplace.listings.filters import FILTERS
    from marketplace.matching.models import SavedSearch

    assert {f.arg for f in FILTERS} == set(EVERY_FILTER)  # the test sets every filter of the table
    user = factory.user("company")
    login(user)
    page = client.get("/search/", query_string={"q": "导热", **EVERY_FILTER}).get_data(as_text=True)
    form = page[page.index('action="/matches/searches"') :]
    form = form[: form.index("</form>")]
    fields = MultiDict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields.pop("csrf_token", None)
    assert client.post("/matches/searches", data=fields).status_code == 302

    saved = db.session.execute(db.select(SavedSearch).filter_by(user_id=user.id)).scalar_one()
    assert saved.query == "导热" and saved.filters == EVERY_FILTER

    page = client.get("/notifications/").get_data(as_text=True)  # saved searches are listed beside the notifications
    label = "导热 · 科技成果 · 新材料（含钨与稀土） · 赣州 · 中试 · 技术许可 · 作价入股 · 国家03专项 · 面议"
    assert label in page
    link = re.search(r'<a href="([^"]+)" title="再次搜索">', page).group(1).replace("&amp;", "&")
    assert urlsplit(link).path == "/search/"
    assert parse_qs(urlsplit(link).query) == {"q": ["导热"], **EVERY_FILTER}
    assert client.get(link).status_code == 200


def test_a_saved_search_notifies_on_programme_band_and_cooperation(factory):
    from marketplace.matching.models import SavedSearch

    watcher = factory.user("company")
    wanted = alerts.save_search(watcher, "", {"programme": ["national_03"], "band": ["negotiable"], "coop": ["equity"]})
    older = SavedSearch(user_id=watcher.id, query="", filters={"source_programme": "national_02"})  # stored before
    db.session.add(older)
    db.session.commit()
    hit = factory.listing(source_programme="national_03", price_negotiable=True, cooperation_modes=["equity"])
    miss = factory.listing(source_programme="national_03", price_negotiable=True, cooperation_modes=["license"])
    assert alerts.search_matches(wanted, hit) and not alerts.search_matches(wanted, miss)
    assert not alerts.search_matches(older, hit)
    assert older.label == "国家02专项"


def test_a_batchs_alerts_are_found_before_its_write_transaction(factory, client, login):
    """The updater plans a batch without SQLite's write lock; matching saved searches is part of the plan, so the
    write transaction only inserts the alerts (it used to match thousands of saved searches holding the lock)."""
    from marketplace.dbsetup import read_only

    company = factory.user("company")
    login(company)
    client.post("/matches/searches", data={"q": "石墨烯"})
    hit = factory.listing("achievement", title="石墨烯散热膜", summary="石墨烯导热。")
    company_id, hit_id = company.id, hit.id
    with read_only():
        plan = services.plan_changes()
        db.session.rollback()
    assert [(user, source, listing) for user, source, _id, listing in plan.alerts] == [(company_id, "search", hit_id)]
    assert db.session.execute(db.select(Notification)).first() is None
    services.apply_plan(plan)
    db.session.commit()
    note = db.session.execute(db.select(Notification)).scalar_one()
    assert (note.user_id, note.listing_id, note.kind) == (company_id, hit_id, "match_search")
