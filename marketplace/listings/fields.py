"""The editable fields of each kind, their labels, and how their values travel through a pending revision."""

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from .. import taxonomy

ACHIEVEMENT_FIELDS = (
    "title",
    "summary",
    "description",
    "industry",
    "tags",
    "maturity",
    "trl",
    "ip_type",
    "ip_numbers",
    "ip_status",
    "cooperation_modes",
    "price_wan",
    "price_negotiable",
    "source_programme",
    "project_number",
    "acceptance_status",
    "lead_institution",
    "contact_name",
    "contact_phone",
    "contact_email",
    "valid_until",
)
NEED_FIELDS = (
    "title",
    "summary",
    "indicators",
    "industry",
    "tags",
    "price_wan",
    "price_negotiable",
    "deadline",
    "cooperation_modes",
    "min_maturity",
    "region",
    "hide_org_name",
)
FIELDS = {"achievement": ACHIEVEMENT_FIELDS, "need": NEED_FIELDS}

DECIMAL_FIELDS = {"price_wan"}
DATE_FIELDS = {"valid_until", "deadline"}

LABELS = {
    "title": _l("标题"),
    "summary": _l("公开摘要"),
    "description": _l("详细技术方案"),
    "indicators": _l("技术指标"),
    "industry": _l("所属行业"),
    "tags": _l("关键词标签"),
    "maturity": _l("成熟度"),
    "trl": _l("技术就绪度（TRL）"),
    "ip_type": _l("知识产权类型"),
    "ip_numbers": _l("知识产权编号"),
    "ip_status": _l("知识产权状态"),
    "cooperation_modes": _l("合作方式"),
    "price_wan": _l("价格（万元）"),
    "price_negotiable": _l("面议"),
    "source_programme": _l("来源计划"),
    "project_number": _l("项目编号"),
    "acceptance_status": _l("验收状态"),
    "lead_institution": _l("牵头单位"),
    "contact_name": _l("联系人"),
    "contact_phone": _l("联系电话"),
    "contact_email": _l("联系邮箱"),
    "valid_until": _l("有效期至"),
    "deadline": _l("截止日期"),
    "min_maturity": _l("期望最低成熟度"),
    "region": _l("所在地区"),
    "hide_org_name": _l("隐藏企业名称"),
}

VOCABULARIES = {
    "industry": taxonomy.INDUSTRIES,
    "maturity": taxonomy.MATURITIES,
    "min_maturity": taxonomy.MATURITIES,
    "ip_type": taxonomy.IP_TYPES,
    "ip_status": taxonomy.IP_STATUSES,
    "source_programme": taxonomy.SOURCE_PROGRAMMES,
    "acceptance_status": taxonomy.ACCEPTANCE_STATUSES,
    "region": taxonomy.REGIONS,
}


def current_values(listing):
    """The listing's editable field values, as a form or a revision sees them."""
    values = {}
    for name in FIELDS[listing.kind]:
        if name == "tags":
            values[name] = listing.tag_names
        elif name == "cooperation_modes":
            values[name] = listing.cooperation_modes
        else:
            values[name] = getattr(listing, name)
    return values


def to_json(values):
    """Field values -> JSON-safe dict (Decimal and date as strings) for Listing.pending_revision."""
    out = {}
    for name, value in values.items():
        if isinstance(value, (Decimal, date)):
            value = value.isoformat() if isinstance(value, date) else str(value)
        out[name] = value
    return out


def from_json(data):
    """The inverse of to_json."""
    values = {}
    for name, value in (data or {}).items():
        if value is not None and name in DECIMAL_FIELDS:
            value = Decimal(value)
        elif value is not None and name in DATE_FIELDS:
            value = date.fromisoformat(value)
        values[name] = value
    return values


def display(name, value):
    """A value as a person reads it (labels for codes, 是/否 for flags)."""
    from flask_babel import gettext as _

    if value is None or value == "" or value == []:
        return "—"
    if name in VOCABULARIES:
        return str(taxonomy.label(VOCABULARIES[name], value))
    if name == "cooperation_modes":
        return _("、").join(str(taxonomy.label(taxonomy.COOPERATION_MODES, c)) for c in value)
    if name == "tags":
        return _("、").join(value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def changes(old, new):
    """[(name, label, old shown, new shown)] for each field whose value differs."""
    rows = []
    for name, new_value in new.items():
        old_value = old.get(name)
        if _comparable(old_value) != _comparable(new_value):
            rows.append((name, LABELS.get(name, name), display(name, old_value), display(name, new_value)))
    return rows


def _comparable(value):
    if value in (None, "", []):
        return None
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def display_status(status):
    return str(taxonomy.label(taxonomy.LISTING_STATUSES, status))


EVENT_ACTIONS = {
    "create": _l("创建草稿"),
    "edit": _l("修改"),
    "submit": _l("提交审核"),
    "approve": _l("审核通过"),
    "reject": _l("审核驳回"),
    "withdraw": _l("撤回"),
    "expire": _l("到期下线"),
    "extend": _l("延长有效期并重新提交"),
    "revision_submitted": _l("提交修改"),
    "revision_approved": _l("修改审核通过"),
    "revision_rejected": _l("修改被驳回"),
    "revision_applied": _l("修改直接生效"),
    "attachment_removed": _l("删除附件"),
    "takedown": _l("因举报被运营人员下线"),
}
