"""File formats of bulk import/export: the columns, and readers/writers for JSONL, CSV and XLSX.

A reader yields `(row_number, values, error)` with row numbers as a person sees them: the line number of a
JSONL file, the spreadsheet row (header = row 1) of a CSV or XLSX file. Exactly one of values/error is set.
"""

import csv
import functools
import io
import json
import unicodedata
from datetime import date, datetime
from decimal import Decimal

FORMATS = ("jsonl", "csv", "xlsx")
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".xlsx": "xlsx"}
MIME_TYPES = {
    "jsonl": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# Columns written by the exporter, in order; the importer reads every one of them.
PUBLIC_COLUMNS = (
    "external_id",
    "kind",
    "title",
    "summary",
    "description",
    "tags",
    "industry",
    "region",
    "organisation",
    "maturity",
    "trl",
    "ip_type",
    "ip_numbers",
    "ip_status",
    "source_programme",
    "project_number",
    "acceptance_status",
    "lead_institution",
    "cooperation_modes",
    "price_wan",
    "price_negotiable",
    "valid_until",
    "indicators",
    "deadline",
    "min_maturity",
    "hide_org_name",
    "status",
)
# Only with --include-confidential: contact details and the owner's sign-in email.
CONFIDENTIAL_COLUMNS = ("contact_name", "contact_phone", "contact_email", "owner")
# Read by the importer only (the csl-dev format): discipline and broad category, kept as tags.
IMPORT_ONLY_COLUMNS = ("field", "category")
# Present in exports for the reader's information; the importer accepts and ignores them.
IGNORED_COLUMNS = ("status", "id")
KNOWN_COLUMNS = frozenset(PUBLIC_COLUMNS + CONFIDENTIAL_COLUMNS + IMPORT_ONLY_COLUMNS + IGNORED_COLUMNS)

# Chinese headers a spreadsheet user may type instead of the column names.
HEADER_ALIASES = {
    "编号": "external_id",
    "外部编号": "external_id",
    "类型": "kind",
    "标题": "title",
    "摘要": "summary",
    "公开摘要": "summary",
    "需求描述": "summary",
    "详细技术方案": "description",
    "描述": "description",
    "标签": "tags",
    "关键词": "tags",
    "关键词标签": "tags",
    "学科": "field",
    "学科门类": "category",
    "行业": "industry",
    "所属行业": "industry",
    "地区": "region",
    "所在地区": "region",
    "机构": "organisation",
    "所属机构": "organisation",
    "成熟度": "maturity",
    "合作方式": "cooperation_modes",
    "价格": "price_wan",
    "价格(万元)": "price_wan",
    "预算(万元)": "price_wan",
    "面议": "price_negotiable",
    "来源计划": "source_programme",
    "有效期至": "valid_until",
    "技术指标": "indicators",
    "截止日期": "deadline",
    "状态": "status",
    "organization": "organisation",
}


def _label_aliases():
    """The listing forms' Chinese field labels also work as headers (标题, 所属行业, 期望最低成熟度, ...)."""
    from ..listings.fields import LABELS

    aliases = {}
    for column, text in LABELS.items():
        msgid = getattr(text, "_args", [text])[0]
        aliases[unicodedata.normalize("NFKC", msgid).strip().lower().replace(" ", "_")] = column
    return aliases


HEADER_ALIASES = {**_label_aliases(), **HEADER_ALIASES}

TAG_LIST_SEPARATOR = "; "
FORMULA_PREFIXES = ("=", "+", "-", "@")


class FormatError(Exception):
    """The file as a whole cannot be read (unknown format, unreadable workbook, no header)."""


def detect_format(filename, explicit=None):
    """The format named by --format, else by the file's extension."""
    if explicit:
        return explicit
    name = str(filename).lower()
    for ext, fmt in EXTENSIONS.items():
        if name.endswith(ext):
            return fmt
    raise FormatError(f"无法从文件名判断格式：{filename}（请用 --format 指定 jsonl、csv 或 xlsx）")


@functools.lru_cache(maxsize=1024)
def header_name(text):
    """A header cell -> the column name it means (NFKC, trimmed, lower-cased, Chinese aliases resolved)."""
    name = unicodedata.normalize("NFKC", str(text or "")).strip().lower().replace(" ", "_")
    return HEADER_ALIASES.get(name, name)


# ------------------------------------------------------------------ readers


def read_rows(path, fmt):
    """Rows of the file at `path` in format `fmt` (see the module docstring)."""
    readers = {"jsonl": read_jsonl, "csv": read_csv, "xlsx": read_xlsx}
    if fmt not in readers:
        raise FormatError(f"不支持的格式：{fmt}")
    return readers[fmt](path)


def read_jsonl(path):
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, 1):
            try:  # line by line: a GBK file (or one bad line) is reported with its line number
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield number, None, "这一行不是 UTF-8 编码（JSONL 文件须为 UTF-8，请另存为 UTF-8 后重新导入）"
                continue
            if not line.strip():
                continue
            try:
                values = json.loads(line)
            except ValueError:
                yield number, None, "JSON 格式错误，无法解析这一行"
                continue
            if not isinstance(values, dict):
                yield number, None, "每行应为一个 JSON 对象"
                continue
            yield number, {header_name(k): v for k, v in values.items()}, None


def unquote_cell(value):
    """Undo the exporter's protection of CSV cells that Excel would read as formulas ('=... -> =...)."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]
    return value


def _open_text(path):
    """CSV text: UTF-8 (with or without BOM), else GB18030 as saved by a Chinese Excel."""
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as err:
            raise FormatError("无法识别文件编码，请另存为 UTF-8 编码的 CSV") from err


class CellError(str):
    """A row the CSV parser could not read (e.g. a cell over csv.field_size_limit()): reported, not raised."""


def _csv_records(text):
    """csv.reader's rows; a parser error becomes a CellError and ends the file (the parser's place is lost)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        yield from reader
    except csv.Error as err:
        limit = csv.field_size_limit()
        if "field larger than field limit" in str(err):
            yield CellError(f"有单元格超过 {limit:,} 个字符，无法读取（此行及以后的行均未读取）")
        else:
            yield CellError(f"CSV 格式错误（{err}），此行及以后的行均未读取")


def read_csv(path):
    reader = _csv_records(_open_text(path))
    for number, values, error in _table_rows(reader):
        if values is not None:
            values = {k: unquote_cell(v) for k, v in values.items()}
        yield number, values, error


def read_xlsx(path):
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises several types for a file that is not a workbook
        raise FormatError(f"无法打开 XLSX 文件：{err}") from err
    try:
        yield from _table_rows(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def _table_rows(rows):
    """Header row -> column names; each later non-empty row -> a dict. Row 1 is the header."""
    header = None
    for number, cells in enumerate(rows, 1):
        if isinstance(cells, CellError):
            if header is None:
                raise FormatError(f"第 {number} 行（表头）: {cells}")
            yield number, None, str(cells)
            continue
        if header is None:
            header = [header_name(c) for c in cells]
            if not any(header):
                raise FormatError("第 1 行应为表头（列名），例如 external_id, kind, title, summary")
            continue
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        values = {name: cell for name, cell in zip(header, cells, strict=False) if name}
        if len(cells) > len(header) and any(c not in (None, "") for c in cells[len(header) :]):
            yield number, None, "这一行的单元格比表头多，请检查是否有未加引号的逗号"
            continue
        yield number, values, None


def columns_of(path, fmt):
    """The header of a CSV/XLSX file (for unknown-column warnings); None for JSONL."""
    if fmt == "csv":
        first = next(_csv_records(_open_text(path)), [])
        return [] if isinstance(first, CellError) else [header_name(c) for c in first]
    if fmt == "xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            first = next(workbook.worksheets[0].iter_rows(values_only=True, max_row=1), ())
        finally:
            workbook.close()
        return [header_name(c) for c in first]
    return None


# ------------------------------------------------------------------ writers


def _plain(value, fmt):
    """A Python value as a cell of `fmt`: lists joined for spreadsheets, dates ISO in text formats."""
    if isinstance(value, (list, tuple)):
        return list(value) if fmt == "jsonl" else TAG_LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, Decimal):
        return float(value) if fmt != "csv" else f"{value.normalize():f}"
    if isinstance(value, (date, datetime)):
        return value if fmt == "xlsx" else value.isoformat()
    if isinstance(value, bool) and fmt == "csv":
        return "true" if value else "false"
    if fmt == "csv" and isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value  # Excel would run it as a formula; unquote_cell() reverses this on import
    if value is None and fmt != "jsonl":
        return ""
    return value


def write_rows(rows, columns, fmt, stream, sheet="listings"):
    """Write dict rows to a binary stream in `fmt`; lists become "; "-joined text in CSV and XLSX."""
    if fmt == "jsonl":
        for row in rows:
            line = json.dumps({c: _plain(row.get(c), fmt) for c in columns}, ensure_ascii=False)
            stream.write(line.encode("utf-8") + b"\n")
    elif fmt == "csv":
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_plain(row.get(c), fmt) for c in columns])
        text.flush()
        text.detach()
    elif fmt == "xlsx":
        _write_xlsx(rows, columns, stream, sheet)
    else:
        raise FormatError(f"不支持的格式：{fmt}")


def _write_xlsx(rows, columns, stream, sheet_name="listings"):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    sheet.append(list(columns))
    for row in rows:
        cells = []
        for column in columns:
            value = _plain(row.get(column), "xlsx")
            if isinstance(value, date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                value = cell
            elif isinstance(value, str) and value.startswith("="):
                # Text that Excel would run as a formula stays text (CSV/XLSX injection).
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                value = cell
            cells.append(value)
        sheet.append(cells)
    workbook.save(stream)
