"""`flask listings import`: bad rows are reported by row number and stop the import; imports are idempotent."""

import json
from pathlib import Path

import pytest

from marketplace.extensions import db
from marketplace.listings.models import Listing, ListingChange, ListingEvent

DATA = Path(__file__).resolve().parent.parent / "data"


def run_import(runner, path, *options):
    return runner.invoke(args=["listings", "import", str(path), "--no-index", *options])


def write_jsonl(path, rows):
    path.write_text(
        "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8"
    )
    return path


def listings():
    return db.session.execute(db.select(Listing).order_by(Listing.id)).scalars().all()


def good(n, **fields):
    row = {
        "external_id": f"t-{n}",
        "kind": "achievement",
        "title": f"稀土永磁电机控制技术{n}",
        "summary": "一种高效率稀土永磁同步电机的矢量控制方法。",
        "tags": ["稀土永磁", "电机"],
    }
    row.update(fields)
    return row


@pytest.fixture
def owner(factory):
    return factory.user("researcher")


def test_csl_sample_imports_as_drafts_with_tags_events_and_index_changes(runner, owner):
    result = run_import(runner, DATA / "csl_achievements_200.jsonl", "--org", owner.organisation.name)

    assert result.exit_code == 0, result.output
    assert "已新建 200 条" in result.output
    rows = listings()
    assert len(rows) == 200
    assert {r.status for r in rows} == {"draft"}
    assert {r.owner_id for r in rows} == {owner.id}
    first = rows[0]
    assert first.external_id == "dev-a0000"
    assert first.kind == "achievement" and first.region == owner.organisation.region
    # the discipline and the category are kept as tags; keywords keep the form they were written in
    assert {"兵器科学与技术", "工学", "Lyapunov函数", "平方和优化"} <= set(first.tag_names)
    materials = db.session.execute(db.select(Listing).filter(Listing.tags.any(name="材料科学与工程"))).scalars().all()
    assert materials and "new_materials" in {m.industry for m in materials}
    # the same discipline map as `flask demo load`: a telling word in the title wins (陶瓷 -> ceramics)
    from marketplace.transfer.disciplines import industry_for

    assert all(m.industry == industry_for("材料科学与工程", title=m.title) for m in materials)
    events = db.session.execute(db.select(ListingEvent)).scalars().all()
    assert len(events) == 200 and {e.action for e in events} == {"import"}
    changed = set(db.session.execute(db.select(ListingChange.listing_id)).scalars())
    assert changed == {r.id for r in rows}


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row(runner, owner, tmp_path):
    path = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            good(1),
            good(2, title=""),
            good(3, kind="patent"),
            good(4, region="火星"),
            good(5, price_wan="abc"),
            good(6, valid_until="2026-13-40"),
            good(7, title="长" * 101),
            good(1, title="重复的编号"),
            '{"external_id": "t-9", "title": 缺引号}',
            good(10, trl=12),
            good(11, deadline="2027-01-01"),
        ],
    )

    result = run_import(runner, path, "--org", owner.organisation.name)

    assert result.exit_code != 0
    out = result.output
    assert "第 2 行: 缺少标题" in out
    assert "第 3 行: 未知类型“patent”" in out
    assert "第 4 行: 所在地区（region）的值“火星”不在可选列表中" in out
    assert "第 5 行: 价格（万元）（price_wan）不是有效数字" in out
    assert "第 6 行: 有效期至（valid_until）不是有效日期" in out
    assert "第 7 行: 标题（title）超过 100 个字" in out
    assert "第 8 行: external_id“t-1”与第 1 行重复" in out
    assert "第 9 行: JSON 格式错误" in out
    assert "第 10 行: 技术就绪度（TRL）（trl）应为 1 到 9 的整数" in out
    assert "第 11 行: 截止日期（deadline）只适用于技术需求" in out
    assert "未导入任何记录" in out
    assert listings() == []
    assert db.session.execute(db.select(ListingChange)).first() is None


def test_skip_bad_imports_the_good_rows_and_reports_the_others(runner, owner, tmp_path):
    path = write_jsonl(tmp_path / "mixed.jsonl", [good(1), good(2, kind="patent"), good(3)])

    result = run_import(runner, path, "--org", owner.organisation.name, "--skip-bad")

    assert result.exit_code == 0, result.output
    assert "第 2 行: 未知类型" in result.output
    assert [r.external_id for r in listings()] == ["t-1", "t-3"]


def test_importing_twice_updates_instead_of_duplicating(runner, owner, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [good(1), good(2)])
    assert run_import(runner, path, "--org", owner.organisation.name).exit_code == 0

    again = run_import(runner, path, "--org", owner.organisation.name)
    assert "未变化 2 条" in again.output
    edited = good(1, title="稀土永磁电机控制技术（第二版）", tags=["稀土永磁", "伺服"], price_wan=120)
    write_jsonl(path, [edited, good(2)])
    changed = run_import(runner, path, "--org", owner.organisation.name)

    assert changed.exit_code == 0, changed.output
    assert "已更新 1 条" in changed.output and "未变化 1 条" in changed.output
    rows = listings()
    assert len(rows) == 2
    db.session.expire_all()
    first = db.session.get(Listing, rows[0].id)
    assert first.title == "稀土永磁电机控制技术（第二版）"  # Chinese brackets kept, as the forms store them
    assert first.tag_names == ["伺服", "稀土永磁"]
    assert float(first.price_wan) == 120
    assert [e.reason for e in first.events][-1].startswith("批量导入更新")
    assert len(first.events) == 2


def test_publish_is_recorded_as_an_import_event(runner, owner, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [good(1)])
    result = run_import(runner, path, "--org", str(owner.organisation.id), "--publish")

    assert result.exit_code == 0, result.output
    listing = listings()[0]
    assert listing.status == "published" and listing.published_at is not None
    event = listing.events[0]
    assert (event.action, event.from_status, event.to_status) == ("import", None, "published")
    assert "运营操作" in event.reason


def test_publishing_a_draft_by_reimport(runner, owner, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [good(1)])
    run_import(runner, path, "--org", owner.organisation.name)
    result = run_import(runner, path, "--org", owner.organisation.name, "--publish")

    assert "已更新 1 条" in result.output
    listing = listings()[0]
    db.session.refresh(listing)
    assert listing.status == "published"
    assert (listing.events[-1].from_status, listing.events[-1].to_status) == ("draft", "published")


def test_chinese_labels_in_csv_are_accepted(runner, owner, tmp_path):
    path = tmp_path / "needs.csv"
    path.write_text(
        "编号,类型,标题,需求描述,行业,地区,合作方式,预算(万元),截止日期,期望最低成熟度,隐藏企业名称,标签\n"
        "n-1,技术需求,寻求NB-IoT远程抄表方案,需要低功耗窄带物联网表计方案,移动物联网,南昌,技术转让、合作开发,"
        "50,2027-06-30,中试,是,NB-IoT；远程抄表、低功耗\n"
        "n-2,need,寻求陶瓷釉料配方,需要耐高温釉料,陶瓷,景德镇,technology transfer,面议,,,否,\n",
        encoding="utf-8-sig",
    )

    result = run_import(runner, path, "--org", owner.organisation.name)

    assert result.exit_code != 0
    assert "第 3 行: 合作方式（cooperation_modes）的值“technology transfer”不在可选列表中" in result.output
    path.write_text(path.read_text(encoding="utf-8-sig").replace("technology transfer", "技术服务"), encoding="utf-8")
    result = run_import(runner, path, "--org", owner.organisation.name)
    assert result.exit_code == 0, result.output
    first, second = listings()
    assert (first.kind, first.industry, first.region, first.min_maturity) == ("need", "mobile_iot", "nanchang", "pilot")
    assert first.cooperation_modes == ["transfer", "co_develop"]
    assert first.hide_org_name is True and float(first.price_wan) == 50
    assert first.deadline.isoformat() == "2027-06-30"
    assert first.tag_names == ["NB-IoT", "低功耗", "远程抄表"]
    assert (second.region, second.industry, second.price_negotiable, second.price_wan) == (
        "jingdezhen",
        "ceramics",
        True,
        None,
    )


def test_xlsx_rows_are_numbered_as_in_the_spreadsheet(runner, owner, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["external_id", "kind", "title", "summary", "maturity"])
    sheet.append(["x-1", "achievement", "钨基高温合金", "耐高温钨合金制备工艺", "产业化"])
    sheet.append([None, None, None, None, None])
    sheet.append(["x-2", "achievement", "赣南脐橙保鲜", "果蔬保鲜", "量产"])
    workbook.save(tmp_path / "a.xlsx")

    result = run_import(runner, tmp_path / "a.xlsx", "--org", owner.organisation.name)

    assert "第 4 行: 成熟度（maturity）的值“量产”不在可选列表中" in result.output
    assert listings() == []


def test_csl_needs_take_their_description_as_public_text(runner, factory):
    company = factory.user("company")
    result = run_import(runner, DATA / "csl_needs_30.jsonl", "--org", company.organisation.name)

    assert result.exit_code == 0, result.output
    need = listings()[0]
    assert need.kind == "need" and need.summary.startswith("本试验引进的10个品种")
    assert need.industry == "agriculture" and need.tag_names == ["农学"]


def test_dry_run_reports_but_writes_nothing(runner, owner):
    result = run_import(runner, DATA / "csl_achievements_200.jsonl", "--org", owner.organisation.name, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "将新建 200 条" in result.output and "试运行" in result.output
    assert listings() == []


def test_unknown_organisation_or_missing_org_is_refused(runner, owner, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [good(1)])
    assert "未知机构：不存在的大学" in run_import(runner, path, "--org", "不存在的大学").output
    result = run_import(runner, path)
    assert result.exit_code != 0 and "第 1 行: 没有指定所属机构" in result.output


def test_rows_may_name_their_organisation_but_not_take_over_anothers_listing(runner, factory, tmp_path):
    first, second = factory.user("researcher"), factory.user("researcher")
    path = write_jsonl(tmp_path / "a.jsonl", [good(1, organisation=first.organisation.name)])
    assert run_import(runner, path).exit_code == 0
    assert listings()[0].organisation_id == first.organisation_id

    write_jsonl(path, [good(1, organisation=second.organisation.name)])
    result = run_import(runner, path)
    assert result.exit_code != 0
    assert "external_id“t-1”已属于另一机构的记录" in result.output


def test_published_rows_are_searchable_right_after_the_import(runner, owner, tmp_path):
    from marketplace.search import services

    path = write_jsonl(tmp_path / "p.jsonl", [good(1, title="窄带物联网远程抄表终端")])
    result = runner.invoke(args=["listings", "import", str(path), "--org", owner.organisation.name, "--publish"])

    assert result.exit_code == 0, result.output
    found = services.search(q="远程抄表")
    assert [hit.listing.external_id for hit in found.hits] == ["t-1"]


def test_a_failure_while_writing_leaves_nothing_half_imported(runner, owner, tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from marketplace.transfer import importer, writer

    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    real_events, calls = writer.ListingWriter._events, []

    def failing_events(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # the second batch: the first one is already written
            raise OperationalError("INSERT", {}, Exception("disk full"))
        return real_events(self, *args, **kwargs)

    monkeypatch.setattr(writer.ListingWriter, "_events", failing_events)
    path = write_jsonl(tmp_path / "a.jsonl", [good(n) for n in range(1, 6)])

    result = run_import(runner, path, "--org", owner.organisation.name)

    assert result.exit_code != 0
    assert "整个导入已撤销" in result.output and "disk full" in result.output
    assert listings() == []


def test_empty_cells_keep_what_an_existing_listing_has(runner, owner, tmp_path):
    run_import(
        runner,
        write_jsonl(tmp_path / "a.jsonl", [good(1, price_wan="面议", contact_name="王工")]),
        "--org",
        owner.organisation.name,
    )
    path = tmp_path / "edit.csv"
    path.write_text(
        "external_id,kind,title,summary,tags,contact_name,price_wan\nt-1,achievement,稀土永磁电机(修订),,,,80\n",
        encoding="utf-8",
    )

    result = run_import(runner, path, "--org", owner.organisation.name)

    assert "第 2 行: 缺少公开摘要" in result.output  # summary is required in every row
    path.write_text(path.read_text(encoding="utf-8").replace(",,,,80", ",新摘要,,,80"), encoding="utf-8")
    assert run_import(runner, path, "--org", owner.organisation.name).exit_code == 0
    listing = listings()[0]
    db.session.refresh(listing)
    assert (listing.title, listing.summary, listing.contact_name) == ("稀土永磁电机(修订)", "新摘要", "王工")
    assert listing.tag_names == ["电机", "稀土永磁"]
    assert (float(listing.price_wan), listing.price_negotiable) == (80, False)
