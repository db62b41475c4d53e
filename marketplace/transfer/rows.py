"""Validation of one imported row: raw cells -> listing column values, or the reasons it is refused.

Codes or Chinese labels are accepted wherever the taxonomy has a code (region "南昌" -> "nanchang").
Empty cells mean "no value": a new listing gets the default, an existing one keeps what it has.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from .. import taxonomy
from ..listings.fields import LABELS, VOCABULARIES
from ..listings.tags import MAX_TAG_LENGTH, MAX_TAGS, normalise_tag, tag_key
from ..text import clean_text as text_clean
from .disciplines import industry_for
from .formats import KNOWN_COLUMNS

MAX_PRICE = Decimal("9999999999.99")  # Numeric(12, 2)
EXTERNAL_ID_MAX = 64
# The limits of the listing forms (listings/forms.py), so an import cannot store what a form would refuse.
TEXT_LIMITS = {
    "title": 100,
    "description": 20000,
    "indicators": 5000,
    "ip_numbers": 300,
    "project_number": 60,
    "lead_institution": 120,
    "contact_name": 60,
    "contact_phone": 30,
    "contact_email": 254,
}
SUMMARY_LIMITS = {"achievement": 2000, "need": 5000}
ACHIEVEMENT_ONLY = {
    "maturity",
    "trl",
    "ip_type",
    "ip_numbers",
    "ip_status",
    "source_programme",
    "project_number",
    "acceptance_status",
    "lead_institution",
    "description",
}
NEED_ONLY = {"indicators", "deadline", "min_maturity", "hide_org_name"}
BOOLEAN_FIELDS = ("price_negotiable", "hide_org_name")
DATE_FIELDS = ("valid_until", "deadline")
KIND_WORDS = {
    "achievement": "achievement",
    "科技成果": "achievement",
    "成果": "achievement",
    "need": "need",
    "技术需求": "need",
    "需求": "need",
}
TRUE_WORDS = {"1", "true", "yes", "y", "t", "是", "√", "✓"}
FALSE_WORDS = {"0", "false", "no", "n", "f", "否", "×"}
LIST_SEPARATORS = re.compile(r"[;,、；，]+")
PHONE = re.compile(r"^[0-9+\-() ]*$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NEGOTIABLE_WORDS = {"面议", "negotiable"}


@dataclass
class Row:
    """A valid row: where it came from, what it is, and the listing columns it sets."""

    number: int
    external_id: str
    kind: str
    values: dict  # listing column -> value (only the columns the row gives)
    tags: list = None  # None: the row gives no tags (an existing listing keeps its own)
    organisation: object = None  # name or id as written in the row
    owner_email: str = None
    warnings: list = field(default_factory=list)
    org: object = None  # resolved Organisation
    user: object = None  # resolved owner (User)
    existing: dict = None  # the listing this row updates, as columns plus "tags"
    new_tags: list = None  # tags of a new listing: the row's tags, else its discipline and category
    discipline: str = None  # the CSL `field` (学科), passed to matching (MatchProfile)
    category: str = None  # the CSL `category` (门类)


class RowError(ValueError):
    """One reason a row is refused; the message is shown after "第 N 行: "."""


def msgid(text):
    """The Chinese msgid of a lazy label, without translating it (no request is needed, as in the CLI)."""
    return getattr(text, "_args", [text])[0]


def label_of(column):
    text = msgid(LABELS.get(column))
    return f"{text}（{column}）" if text else column


def clean_text(value):
    """A cell as text, cleaned as the listing forms clean it (text.clean_text); empty cells are ""."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets give 2024.0 for 2024
    return text_clean(value)


def _key(text):
    return clean_text(text).casefold()


class Vocabularies:
    """Reverse lookups (code or Chinese label -> code) built once per import."""

    def __init__(self):
        self.maps = {name: self._build(vocab) for name, vocab in VOCABULARIES.items()}
        self.maps["cooperation_modes"] = self._build(taxonomy.COOPERATION_MODES)

    @staticmethod
    def _build(vocabulary):
        lookup = {}
        for code, value in vocabulary.items():
            text = value[0] if isinstance(value, tuple) else value
            lookup[_key(code)] = code
            lookup[_key(msgid(text))] = code
        return lookup

    def code(self, column, value):
        found = self.maps[column].get(_key(value))
        if found is None:
            raise RowError(f"{label_of(column)}的值“{clean_text(value)[:40]}”不在可选列表中")
        return found


def _is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _split(value):
    if isinstance(value, (list, tuple)):
        return [clean_text(v) for v in value if not _is_empty(v)]
    return [p.strip() for p in LIST_SEPARATORS.split(clean_text(value)) if p.strip()]


def parse_bool(column, value):
    if isinstance(value, bool):
        return value
    text = _key(value)
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise RowError(f"{label_of(column)}应为 是/否（true/false），而不是“{text[:20]}”")


def parse_date(column, value):
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(value).replace("/", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RowError(f"{label_of(column)}不是有效日期（应为 YYYY-MM-DD）：“{text[:20]}”") from None


def parse_price(value):
    """(price or None, negotiable?) from a number, a numeric text or 面议."""
    if isinstance(value, bool):
        raise RowError(f"{label_of('price_wan')}不是有效数字")
    if isinstance(value, (int, float, Decimal)):
        text = str(value)
    else:
        text = clean_text(value).replace(",", "")
    if text.casefold() in NEGOTIABLE_WORDS:
        return None, True
    try:
        price = Decimal(text)
    except InvalidOperation:
        raise RowError(f"{label_of('price_wan')}不是有效数字：“{text[:20]}”") from None
    if not price.is_finite() or price < 0:
        raise RowError(f"{label_of('price_wan')}不能为负数或非数字")
    if price > MAX_PRICE:
        raise RowError(f"{label_of('price_wan')}过大（单位：万元）")
    if price != price.quantize(Decimal("0.01")):
        raise RowError(f"{label_of('price_wan')}最多保留两位小数")
    return price.quantize(Decimal("0.01")), False


def parse_trl(value):
    text = _key(value).removeprefix("trl").strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is None or not number.is_integer() or not 1 <= number <= 9:
        raise RowError(f"{label_of('trl')}应为 1 到 9 的整数，而不是“{text[:20]}”")
    return int(number)


def parse_tags(raw, extra, warnings):
    """Normalised tags: discipline/category first, then the row's own; too long ones dropped with a warning."""
    tags, keys = [], set()
    for text in list(extra) + _split(raw):
        tag = normalise_tag(text)
        if not tag or tag_key(tag) in keys:
            continue
        keys.add(tag_key(tag))
        if len(tag) > MAX_TAG_LENGTH:
            warnings.append(f"标签“{tag[:20]}…”超过 {MAX_TAG_LENGTH} 个字，已忽略")
            continue
        tags.append(tag)
    if len(tags) > MAX_TAGS:
        warnings.append(f"标签超过 {MAX_TAGS} 个，只保留前 {MAX_TAGS} 个")
        tags = tags[:MAX_TAGS]
    return tags


def _text_value(column, value, kind):
    text = clean_text(value)
    limit = SUMMARY_LIMITS[kind] if column == "summary" else TEXT_LIMITS.get(column)
    if limit and len(text) > limit:
        raise RowError(f"{label_of(column)}超过 {limit} 个字（当前 {len(text)} 个字）")
    if column == "contact_phone" and not PHONE.match(text):
        raise RowError(f"{label_of(column)}只能包含数字、空格和 + - ( )")
    if column == "contact_email" and not EMAIL.match(text):
        raise RowError(f"{label_of(column)}不是有效的邮箱地址")
    return text


def _kind_of(raw):
    if _is_empty(raw.get("kind")):
        raise RowError("缺少类型（kind：achievement 或 need）")
    kind = KIND_WORDS.get(_key(raw["kind"]))
    if kind is None:
        raise RowError(f"未知类型“{clean_text(raw['kind'])[:20]}”（应为 achievement/科技成果 或 need/技术需求）")
    return kind


def _external_id_of(raw):
    external_id = clean_text(raw.get("external_id"))
    if not external_id:
        raise RowError("缺少 external_id（导入用它识别同一条记录，再次导入时更新而不重复）")
    if len(external_id) > EXTERNAL_ID_MAX:
        raise RowError(f"external_id 超过 {EXTERNAL_ID_MAX} 个字符")
    return external_id


def _column_value(column, value, kind, vocab, values):
    """Parse one non-empty cell into `values` (price may set two columns)."""
    if column in VOCABULARIES or column == "industry":
        values[column] = vocab.code(column, value)
    elif column == "cooperation_modes":
        values["cooperation_mask"] = taxonomy.mask_from_modes([vocab.code(column, part) for part in _split(value)])
    elif column == "price_wan":
        values["price_wan"], negotiable = parse_price(value)
        if negotiable:
            values["price_negotiable"] = True
    elif column in BOOLEAN_FIELDS:
        values[column] = parse_bool(column, value)
    elif column in DATE_FIELDS:
        values[column] = parse_date(column, value)
    elif column == "trl":
        values["trl"] = parse_trl(value)
    else:
        values[column] = _text_value(column, value, kind)


SKIPPED_COLUMNS = {"external_id", "kind", "tags", "field", "category", "organisation", "owner", "status", "id"}


def clean_row(number, raw, vocab):
    """Row(...) for a valid row; raises RowError with the first reason it is refused."""
    external_id = _external_id_of(raw)
    kind = _kind_of(raw)
    values, warnings = {}, []
    if kind == "need" and _is_empty(raw.get("summary")) and not _is_empty(raw.get("description")):
        raw = dict(raw, summary=raw["description"], description=None)  # a need's description is its public text
    if not clean_text(raw.get("title")):
        raise RowError("缺少标题（title）")
    if not clean_text(raw.get("summary")):
        raise RowError("缺少公开摘要（summary）" if kind == "achievement" else "缺少需求描述（summary 或 description）")
    for column, value in raw.items():
        if column in SKIPPED_COLUMNS or column not in KNOWN_COLUMNS or _is_empty(value):
            continue
        wrong_kind = NEED_ONLY if kind == "achievement" else ACHIEVEMENT_ONLY
        if column in wrong_kind:
            if column == "description":
                warnings.append("技术需求没有单独的详细技术方案，description 已忽略")
                continue
            raise RowError(f"{label_of(column)}只适用于{'技术需求' if kind == 'achievement' else '科技成果'}")
        _column_value(column, value, kind, vocab, values)
    if values.get("price_negotiable"):
        values["price_wan"] = None
    elif values.get("price_wan") is not None:
        values.setdefault("price_negotiable", False)  # a price replaces an earlier 面议

    field, category = (clean_text(raw.get(c)) for c in ("field", "category"))
    discipline = [name for name in (field, category) if name]
    if "industry" not in values and discipline:
        values["industry"] = industry_for(field, category, values.get("title", ""), default="other")
    # An empty tags cell keeps an existing listing's tags; a new listing then gets the discipline tags.
    tags_given = not _is_empty(raw.get("tags"))
    tags = parse_tags(raw.get("tags") if tags_given else [], discipline, warnings) if tags_given or discipline else None
    organisation = raw.get("organisation")
    owner = clean_text(raw.get("owner")).lower() or None
    return Row(
        number,
        external_id,
        kind,
        values,
        tags if tags_given else None,
        None if _is_empty(organisation) else organisation,
        owner,
        warnings,
        new_tags=tags,
        discipline=field or None,
        category=category or None,
    )
