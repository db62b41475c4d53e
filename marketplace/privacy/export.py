"""Everything the market holds about a person, as named sections of rows ("download my data").

Each section is a function user -> list of dicts. Features that store more about a person add theirs with
`register_section(key, function)` (e.g. inquiries, NDA signatures), so the download stays complete.
"""

import io
import json
from datetime import date, datetime

from ..extensions import db
from ..models_base import utcnow

SECTIONS = {}


def register_section(key, function):
    SECTIONS[key] = function


def _account(user):
    return [
        {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "phone": user.phone,
            "role": user.role,
            "locale": user.locale,
            "created_at": user.created_at,
            "last_login_at": user.last_login_at,
            "disabled": user.is_disabled,
        }
    ]


def _organisation(user):
    org = user.organisation
    return [
        {
            "organisation": org.name,
            "org_type": org.org_type,
            "region": org.region,
            "credit_code": org.credit_code,
            "verification_status": org.verification_status,
            "membership_status": user.membership_status,
        }
    ]


def _listings(user):
    from ..listings.models import Listing

    rows = db.session.execute(db.select(Listing).filter_by(owner_id=user.id).order_by(Listing.id)).scalars()
    return [
        {
            "id": item.id,
            "kind": item.kind,
            "title": item.title,
            "status": item.status,
            "organisation": item.organisation.name,
            "contact_name": item.contact_name,
            "contact_phone": item.contact_phone,
            "contact_email": item.contact_email,
            "created_at": item.created_at,
            "published_at": item.published_at,
        }
        for item in rows
    ]


def _saved_searches(user):
    from ..matching.models import SavedSearch

    rows = db.session.execute(db.select(SavedSearch).filter_by(user_id=user.id)).scalars()
    return [{"query": s.query, "filters": s.filters, "created_at": s.created_at} for s in rows]


def _follows(user):
    from ..matching.models import Follow

    rows = db.session.execute(db.select(Follow).filter_by(user_id=user.id)).scalars()
    return [{"listing_id": f.listing_id, "listing": f.listing.title, "created_at": f.created_at} for f in rows]


def _notifications(user):
    from ..notifications.models import Notification
    from ..notifications.services import text

    rows = db.session.execute(db.select(Notification).filter_by(user_id=user.id)).scalars()
    return [
        {
            "kind": n.kind,
            "text": text(n),
            "listing_id": n.listing_id,
            "created_at": n.created_at,
            "read_at": n.read_at,
            "emailed_at": n.emailed_at,
        }
        for n in rows
    ]


def _dismissals(user):
    from ..matching.models import Dismissal

    rows = db.session.execute(db.select(Dismissal).filter_by(user_id=user.id)).scalars()
    return [
        {
            "listing_id": d.listing_id,
            "candidate_id": d.candidate_id,
            "reason": d.reason,
            "note": d.note,
            "created_at": d.created_at,
        }
        for d in rows
    ]


def _sessions(user):
    from .services import session_rows

    return session_rows(user)


def _consents(user):
    from .services import consents_of

    return [{"policy_version": c.policy_version, "accepted_at": c.accepted_at} for c in consents_of(user)]


def _audit(user):
    from ..audit.services import entries_about

    return [
        {
            "time": e.created_at,
            "event": e.event,
            "outcome": e.outcome,
            "ip": e.ip,
            "browser": e.user_agent,
            "target": e.target,
            "details": e.details,
        }
        for e in entries_about(user.id)
    ]


def _evidence(user):
    from ..verification.models import VerificationEvidence

    rows = db.session.execute(db.select(VerificationEvidence).filter_by(uploaded_by_id=user.id)).scalars()
    return [
        {"kind": e.kind, "file": e.original_name, "credit_code": e.credit_code, "uploaded_at": e.created_at}
        for e in rows
    ]


for _key, _function in (
    ("account", _account),
    ("organisation", _organisation),
    ("listings", _listings),
    ("saved_searches", _saved_searches),
    ("follows", _follows),
    ("notifications", _notifications),
    ("match_dismissals", _dismissals),
    ("sessions", _sessions),
    ("privacy_consents", _consents),
    ("verification_evidence", _evidence),
    ("audit_log", _audit),
):
    register_section(_key, _function)


def collect(user):
    """{"generated_at": ..., "sections": {key: [rows]}} for the user."""
    return {
        "generated_at": utcnow(),
        "user_id": user.id,
        "sections": {key: function(user) for key, function in SECTIONS.items()},
    }


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def to_json(data):
    return json.dumps(data, ensure_ascii=False, indent=2, default=_plain).encode("utf-8")


def _cell(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=_plain)
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@")):
        return "'" + value  # never a formula in Excel
    return value


def to_xlsx(data):
    """One sheet per section (an empty section keeps its sheet, saying so)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for key, rows in data["sections"].items():
        sheet = workbook.create_sheet(key[:31])
        columns = list(rows[0]) if rows else ["(none)"]
        sheet.append(columns)
        for row in rows:
            sheet.append([_cell(row.get(c)) for c in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
