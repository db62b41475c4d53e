"""Import edge cases that used to print a raw traceback: a GBK-encoded JSONL, a CSV cell over the parser's limit.
Both give the row-numbered report, and nothing is written."""

import json

import pytest

from marketplace.extensions import db
from marketplace.listings.models import Listing


@pytest.fixture
def owner(factory):
    return factory.user("researcher")


def _row(n, **fields):
    row = {
        "external_id": f"e-{n}",
        "kind": "achievement",
        "title": f"稀土永磁电机控制技术{n}",
        "summary": "一种高效率稀土永磁同步电机的矢量控制方法。",
    }
    row.update(fields)
    return row


def _count():
    return db.session.execute(db.select(db.func.count()).select_from(Listing)).scalar()


def test_a_gbk_encoded_jsonl_is_reported_by_line_and_imports_nothing(runner, owner, tmp_path):
    path = tmp_path / "gbk.jsonl"
    path.write_bytes("\n".join(json.dumps(_row(n), ensure_ascii=False) for n in (1, 2)).encode("gbk") + b"\n")
    result = runner.invoke(args=["listings", "import", str(path), "--no-index", "--org", owner.organisation.name])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # the report, not a traceback
    assert "第 1 行: 这一行不是 UTF-8 编码" in result.output
    assert "第 2 行: 这一行不是 UTF-8 编码" in result.output
    assert _count() == 0


def test_one_gbk_line_in_a_utf8_jsonl_stops_the_whole_import(runner, owner, tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = json.dumps(_row(1), ensure_ascii=False).encode("utf-8")
    bad = json.dumps(_row(2), ensure_ascii=False).encode("gbk")
    path.write_bytes(good + b"\n" + bad + b"\n")
    result = runner.invoke(args=["listings", "import", str(path), "--no-index", "--org", owner.organisation.name])
    assert result.exit_code == 1
    assert "第 2 行: 这一行不是 UTF-8 编码" in result.output
    assert _count() == 0


def test_a_csv_cell_over_the_parser_limit_is_reported_by_row_and_imports_nothing(runner, owner, tmp_path):
    path = tmp_path / "huge.csv"
    huge = "长" * 131_073
    path.write_text(
        "external_id,kind,title,summary\n"
        "c-1,achievement,稀土永磁电机控制技术,一种矢量控制方法\n"
        f'c-2,achievement,超长单元格,"{huge}"\n',
        encoding="utf-8",
    )
    result = runner.invoke(args=["listings", "import", str(path), "--no-index", "--org", owner.organisation.name])
    assert result.exit_code == 1
    assert "第 3 行: 有单元格超过 131,072 个字符" in result.output
    assert _count() == 0
