"""`flask listings export` writes what the importer reads; operators download CSV/XLSX from /ops/exports."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import pytest

from marketplace.extensions import db
from marketplace.listings.models import Listing, ListingChange, ListingEvent
from marketplace.transfer.importer import COMPARED_COLUMNS

# What a round trip must keep: the importer's own compared columns, plus who and what kind.
COMPARED = ("kind", "external_id", "organisation_id", "owner_id", *COMPARED_COLUMNS)


def snapshot():
    """Every listing as comparable values (id-free), keyed by external id."""
    out = {}
    for listing in db.session.execute(db.select(Listing)).scalars():
        values = {name: getattr(listing, name) for name in COMPARED}
        values["external_id"] = listing.external_id or f"listing-{listing.id}"
        if listing.price_wan is not None:
            values["price_wan"] = Decimal(listing.price_wan).quantize(Decimal("0.01"))
        values["tags"] = listing.tag_names
        out[values["external_id"]] = values
    return out


def wipe_listings():
    for model in (ListingChange, ListingEvent, Listing):
        db.session.execute(db.delete(model))
    db.session.commit()


@pytest.fixture
def catalogue(factory):
    """Listings as the forms store them (text NFKC-normalised, lead institution filled in)."""
    researcher = factory.user("researcher")
    company = factory.user("company")
    texts = {
        "summary": "基于石墨烯的高性能锂电池负极材料,适用于窄带物联网(NB-IoT)终端。",
        "description": "保密的详细技术方案:工艺参数与配方。\n第二段。",
        "lead_institution": "南昌大学",
    }
    factory.listing(
        "achievement",
        owner=researcher,
        external_id="a-1",
        tags=["石墨烯", "nb-iot"],
        **texts,
        price_wan=Decimal("120.50"),
        ip_type="invention_patent",
        ip_status="granted",
        contact_name="李工",
        contact_phone="0791-88888888",
        contact_email="li@example.cn",
        title="=石墨烯电池(防公式注入)",
        cooperation_modes=["transfer", "equity"],
    )
    factory.listing(
        "achievement",
        owner=researcher,
        status="draft",
        tags=["稀土永磁"],
        price_negotiable=True,
        title="稀土永磁电机",
        summary=texts["summary"],
        description="",
        lead_institution="南昌大学",
    )
    factory.listing(
        "need",
        owner=company,
        external_id="n-1",
        tags=["远程抄表"],
        indicators="功耗≤2.4mW",
        deadline=date(2027, 6, 30),
        min_maturity="pilot",
        hide_org_name=True,
        region="ganzhou",
        price_wan=Decimal("50"),
        title="寻求远程抄表方案",
        summary=texts["summary"],
        description="",
        cooperation_modes=["co_develop"],
    )
    return researcher, company


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "xlsx"])
def test_export_then_import_into_an_empty_catalogue_gives_the_same_listings(runner, catalogue, tmp_path, fmt):
    before = snapshot()
    out = tmp_path / f"listings.{fmt}"

    result = runner.invoke(args=["listings", "export", "--out", str(out), "--include-confidential"])
    assert result.exit_code == 0, result.output
    assert "已导出 3 条记录" in result.output
    wipe_listings()
    result = runner.invoke(args=["listings", "import", str(out), "--no-index"])

    assert result.exit_code == 0, result.output
    after = snapshot()
    assert after.keys() == before.keys()
    for key, old in before.items():
        assert {name: (value, after[key][name]) for name, value in old.items() if after[key][name] != value} == {}


def test_reimporting_an_export_changes_nothing_and_adds_no_duplicates(runner, catalogue, tmp_path):
    out = tmp_path / "all.csv"
    runner.invoke(args=["listings", "export", "--out", str(out)])
    result = runner.invoke(args=["listings", "import", str(out), "--no-index"])

    assert result.exit_code == 0, result.output
    assert "未变化 3 条" in result.output
    assert db.session.execute(db.select(db.func.count()).select_from(Listing)).scalar_one() == 3
    # the confidential description was not exported, and the re-import kept it
    assert db.session.execute(db.select(Listing).filter_by(external_id="a-1")).scalar_one().description


def test_export_without_the_flag_leaves_out_confidential_fields(runner, catalogue, tmp_path):
    out = tmp_path / "public.jsonl"
    result = runner.invoke(
        args=["listings", "export", "--kind", "achievement", "--status", "published", "--out", str(out)]
    )

    assert "不含保密字段" in result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["external_id"] for r in rows] == ["a-1"]
    assert rows[0]["description"] is None
    assert not {"contact_name", "contact_phone", "contact_email", "owner"} & set(rows[0])
    assert rows[0]["tags"] == ["nb-iot", "石墨烯"] and rows[0]["cooperation_modes"] == ["transfer", "equity"]


def test_csv_opens_in_excel_with_chinese_labels_and_joined_tags(runner, catalogue, tmp_path):
    out = tmp_path / "needs.csv"
    runner.invoke(args=["listings", "export", "--kind", "need", "--out", str(out)])

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 1
    need = rows[0]
    assert (need["kind"], need["region"], need["min_maturity"]) == ("技术需求", "赣州", "中试")
    assert need["cooperation_modes"] == "合作开发" and need["hide_org_name"] == "true"
    assert need["deadline"] == "2027-06-30" and need["price_wan"] == "50"


def test_spreadsheet_formulas_are_never_written(runner, catalogue, tmp_path):
    from openpyxl import load_workbook

    runner.invoke(args=["listings", "export", "--out", str(tmp_path / "a.csv")])
    runner.invoke(args=["listings", "export", "--out", str(tmp_path / "a.xlsx")])

    assert "'=石墨烯电池" in (tmp_path / "a.csv").read_text(encoding="utf-8-sig")
    sheet = load_workbook(tmp_path / "a.xlsx").worksheets[0]
    title = next(c for c in sheet["C"] if str(c.value).endswith("(防公式注入)"))
    assert title.data_type == "s"


def test_operator_downloads_xlsx_and_csv(client, login, factory, catalogue):
    from openpyxl import load_workbook

    login(factory.user("operator"))
    page = client.get("/ops/exports")
    assert page.status_code == 200 and "导出成果与需求" in page.get_data(as_text=True)

    resp = client.get("/ops/exports?kind=achievement&status=published&format=xlsx")
    assert resp.status_code == 200
    disposition = resp.headers["Content-Disposition"]
    assert "attachment" in disposition and "listings-" in disposition and disposition.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(resp.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "external_id" and [r[0] for r in rows[1:]] == ["a-1"]
    assert "contact_phone" not in rows[0]

    resp = client.get("/ops/exports?format=csv")
    assert resp.data.startswith(b"\xef\xbb\xbf") and resp.headers["Content-Disposition"].endswith(".csv")
    assert len(resp.data.decode("utf-8-sig").strip().splitlines()) == 4


def test_bad_export_choice_rerenders_the_form(client, login, factory):
    login(factory.user("operator"))
    resp = client.get("/ops/exports?format=pdf")
    assert resp.status_code == 200
    assert "attachment" not in resp.headers.get("Content-Disposition", "")


def test_exports_are_for_operators_only(client, login, factory):
    assert client.get("/ops/exports?format=csv").status_code in (302, 401)
    login(factory.user("researcher"))
    assert client.get("/ops/exports?format=csv").status_code == 403
    assert client.get("/ops/exports").status_code == 403
