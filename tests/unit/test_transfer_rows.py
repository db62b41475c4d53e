"""Row parsing of bulk import, without the app: what a spreadsheet user types becomes listing values."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from marketplace.transfer.disciplines import industry_for
from marketplace.transfer.formats import detect_format, read_csv, write_rows
from marketplace.transfer.rows import RowError, Vocabularies, clean_row, parse_price


@pytest.fixture(scope="module")
def vocab():
    return Vocabularies()


def row(**fields):
    base = {"external_id": "x-1", "kind": "achievement", "title": "标题", "summary": "摘要"}
    base.update(fields)
    return base


def test_codes_and_chinese_labels_give_the_same_values(vocab):
    by_code = clean_row(
        2,
        row(region="nanchang", industry="new_materials", maturity="pilot", cooperation_modes=["transfer", "license"]),
        vocab,
    )
    by_label = clean_row(
        2,
        row(region="南昌", industry="新材料（含钨与稀土）", maturity="中试", cooperation_modes="技术转让、技术许可"),
        vocab,
    )
    assert by_code.values == by_label.values
    assert by_label.values["region"] == "nanchang"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12.5", (Decimal("12.50"), False)),
        ("1,200", (Decimal("1200.00"), False)),
        (30, (Decimal("30.00"), False)),
        (12.5, (Decimal("12.50"), False)),
        ("面议", (None, True)),
        ("１００", (Decimal("100.00"), False)),
    ],
)
def test_prices(text, expected):
    assert parse_price(text) == expected


@pytest.mark.parametrize("text", ["abc", "-1", "1.234", "99999999999", "NaN"])
def test_bad_prices_are_refused(text):
    with pytest.raises(RowError):
        parse_price(text)


def test_dates_from_text_or_spreadsheet_cells(vocab):
    assert clean_row(2, row(valid_until="2027/01/31"), vocab).values["valid_until"] == date(2027, 1, 31)
    assert clean_row(2, row(valid_until=datetime(2027, 1, 31)), vocab).values["valid_until"] == date(2027, 1, 31)
    with pytest.raises(RowError, match="不是有效日期"):
        clean_row(2, row(valid_until="明年"), vocab)


def test_tags_are_split_normalised_and_deduplicated(vocab):
    parsed = clean_row(2, row(tags="ＮＢ－ＩｏＴ；石墨烯、 nb-iot ,Wi-Fi", field="材料科学与工程"), vocab)
    assert parsed.tags == ["材料科学与工程", "NB-IoT", "石墨烯", "Wi-Fi"]  # as typed, repeats by key dropped
    assert parsed.values["industry"] == "new_materials"


def test_a_too_long_tag_is_dropped_with_a_warning(vocab):
    parsed = clean_row(2, row(tags=["短标签", "长" * 41]), vocab)
    assert parsed.tags == ["短标签"] and "超过 40 个字" in parsed.warnings[0]


def test_a_needs_description_is_its_public_text(vocab):
    parsed = clean_row(2, {"external_id": "n", "kind": "技术需求", "title": "t", "description": "需求正文"}, vocab)
    assert parsed.kind == "need" and parsed.values["summary"] == "需求正文" and "description" not in parsed.values


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"title": " "}, "缺少标题"),
        ({"kind": ""}, "缺少类型"),
        ({"external_id": ""}, "缺少 external_id"),
        ({"price_negotiable": "也许"}, "应为 是/否"),
        ({"contact_email": "not-an-email"}, "不是有效的邮箱地址"),
        ({"indicators": "≤2mW"}, "只适用于技术需求"),
        ({"summary": "字" * 2001}, "超过 2000 个字"),
    ],
)
def test_row_errors_say_what_is_wrong(vocab, fields, reason):
    with pytest.raises(RowError, match=reason):
        clean_row(2, row(**fields), vocab)


def test_industry_mapping_falls_back_to_category_then_other():
    assert industry_for("中医学/中药学", "医学") == "tcm"
    assert industry_for("哲学", "医学") == "biomedicine"
    assert industry_for("哲学", "哲学", default="other") == "other"
    assert industry_for("哲学", "哲学") is None


def test_one_discipline_map_for_import_and_demo():
    """Both `listings import` (clean_row) and `demo load` (catalogue) use transfer.disciplines.industry_for."""
    from marketplace.demo import catalogue

    assert catalogue.industry_for is industry_for
    assert industry_for("计算机科学与技术") == "big_data"
    assert industry_for("计算机科学与技术", title="基于深度学习的图像识别") == "ai"
    assert industry_for("信息与通信工程", title="NB-IoT 远程抄表系统") == "mobile_iot"
    vocab = {}
    cleaned = clean_row(2, row(field="计算机科学与技术", category="工学", title="基于深度学习的缺陷检测"), vocab)
    assert cleaned.values["industry"] == "ai"


def test_format_follows_the_extension():
    assert detect_format("a.XLSX") == "xlsx" and detect_format("a.jsonl") == "jsonl"
    assert detect_format("a.txt", "csv") == "csv"


def test_csv_saved_by_a_chinese_excel_in_gb18030_is_read(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("标题,地区\n石墨烯,南昌\n".encode("gb18030"))
    assert list(read_csv(path)) == [(2, {"title": "石墨烯", "region": "南昌"}, None)]


def test_csv_formula_cells_are_escaped_and_read_back(tmp_path):
    path = tmp_path / "a.csv"
    with open(path, "wb") as fh:
        write_rows([{"title": "=HYPERLINK(1)", "tags": ["a", "b"]}], ["title", "tags"], "csv", fh)
    assert "'=HYPERLINK" in path.read_text(encoding="utf-8-sig")
    assert list(read_csv(path)) == [(2, {"title": "=HYPERLINK(1)", "tags": "a; b"}, None)]
