"""Tags keep the form the owner typed and repeats after normalisation never crash a write path
(forms, edit, bulk import, demo catalogue, the matcher's evaluation loader); imports pass field and category
to matching."""

import json

from marketplace.extensions import db
from marketplace.listings.models import Listing, Tag
from marketplace.listings.services import find_or_create_tags
from marketplace.matching.models import MatchProfile


def _tags_of(listing):
    db.session.refresh(listing)
    return listing.tag_names


def test_forms_keep_the_typed_form_and_drop_repeats(client, factory, login):
    researcher = factory.user("researcher")
    existing = factory.listing(tags=["nb-iot"])  # an older tag, stored case-folded
    login(researcher)
    from tests.functional.test_listings_forms import achievement_form

    response = client.post("/achievements/new", data=achievement_form(tags="NB-IoT，5G、LoRa T细胞 t细胞 ｔ细胞"))
    assert response.status_code == 302
    listing = db.session.execute(db.select(Listing).filter_by(owner_id=researcher.id)).scalar_one()
    assert sorted(_tags_of(listing), key=str.casefold) == sorted(["nb-iot", "5G", "LoRa", "T细胞"], key=str.casefold)
    # NB-IoT is the same tag as the existing nb-iot (one row per key), so both listings share it
    same = db.select(db.func.count()).select_from(Tag).where(Tag.match_key == "nb-iot")
    assert db.session.execute(same).scalar() == 1
    assert "nb-iot" in _tags_of(existing)

    edit = client.post(f"/achievements/{listing.id}/edit", data=achievement_form(tags="Ｔ细胞, t细胞, 5g, 5G"))
    assert edit.status_code == 302
    assert sorted(_tags_of(listing)) == sorted(["5G", "T细胞"])


def test_a_new_tag_shows_as_typed(factory):
    listing = factory.listing(tags=["LoRa", "lora", "ＬｏＲａ"])
    assert listing.tag_names == ["LoRa"]
    assert [t.name for t in find_or_create_tags(["LORA"])] == ["LoRa"]


def test_bulk_import_with_repeated_tags_and_discipline(runner, factory, tmp_path):
    owner = factory.user("researcher")
    path = tmp_path / "rows.jsonl"
    rows = [
        {
            "external_id": "t-1",
            "kind": "achievement",
            "title": "T细胞免疫治疗",
            "summary": "T细胞。",
            "tags": ["T细胞", "t细胞", " 2", "2", "NB-IoT", "nb-iot"],
            "field": "基础医学/临床医学",
            "category": "医学",
        },
        {
            "external_id": "t-2",
            "kind": "achievement",
            "title": "窄带物联网水表",
            "summary": "NB-IoT。",
            "tags": "ＮＢ－ＩｏＴ；LoRa；lora",
        },
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    result = runner.invoke(args=["listings", "import", str(path), "--no-index", "--org", owner.organisation.name])
    assert result.exit_code == 0, result.output
    first = db.session.execute(db.select(Listing).filter_by(external_id="t-1")).scalar_one()
    second = db.session.execute(db.select(Listing).filter_by(external_id="t-2")).scalar_one()
    assert sorted(first.tag_names) == sorted(["基础医学/临床医学", "医学", "T细胞", "2", "NB-IoT"])
    assert sorted(second.tag_names) == sorted(["NB-IoT", "LoRa"])
    profile = db.session.get(MatchProfile, first.id)
    assert (profile.discipline, profile.category) == ("基础医学/临床医学", "医学")
    assert db.session.get(MatchProfile, second.id) is None

    # importing again (an update) keeps one profile and no repeated tag
    result = runner.invoke(args=["listings", "import", str(path), "--no-index", "--org", owner.organisation.name])
    assert result.exit_code == 0, result.output
    assert db.session.execute(db.select(db.func.count()).select_from(MatchProfile)).scalar() == 1


def test_demo_and_evaluation_loader_tags_never_repeat():
    from marketplace.demo.catalogue import _tags

    assert _tags(["T细胞", "t细胞", " 2", "2", "NB-IoT", "nb-iot"]) == ["T细胞", "2", "NB-IoT"]


def test_the_evaluation_loader_links_a_repeated_tag_once(app, tmp_path):
    from marketplace.matching import csl

    records = [
        {
            "external_id": "a1",
            "kind": "achievement",
            "title": "T细胞",
            "summary": "T细胞。",
            "tags": ["T细胞", "t细胞", " 2", "2"],
            "field": "基础医学/临床医学",
            "category": "医学",
        }
    ]
    ids = csl.load_records(records, [])
    db.session.commit()
    assert sorted(db.session.get(Listing, ids["a1"]).tag_names) == ["2", "T细胞"]
