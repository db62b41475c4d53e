"""Writing, searching, exporting and purging audit entries. Plain functions that flush, never commit.

`record()` adds the entry to the caller's transaction, so an entry never claims a change that was rolled
back; a view that records an event without any other write (a failed sign-in, a download) commits itself.
"""

import logging
import re
from datetime import UTC, datetime, time, timedelta

from flask import current_app, has_request_context, request
from sqlalchemy import or_

from ..extensions import db
from ..listings.visibility import market_timezone
from ..models_base import utcnow
from .models import AuditEvent, purge_allowed

log = logging.getLogger(__name__)

MIN_RETENTION_DAYS = 180  # 等保 2.0 / 网络安全法 第二十一条: logs kept at least six months
# Detail keys whose values are never stored (passwords, reset links' tokens, cookies, keys).
SECRET_KEY_RE = re.compile(
    r"pass|pwd|token|secret|csrf|otp|cookie|session|auth|credential|api_?key|signature", re.IGNORECASE
)
# Values that carry a secret inside a longer text: reset links and bearer-like strings.
SECRET_VALUE_RES = (
    re.compile(r"(/reset/)[^/?#\s]+"),
    re.compile(r"((?:token|key|password|secret)=)[^&\s]+", re.IGNORECASE),
)
MAX_VALUE_CHARS = 500
MAX_DETAILS = 30
TARGET_TYPES = {
    "User": "user",
    "Organisation": "organisation",
    "Listing": "listing",
    "Achievement": "listing",
    "Need": "listing",
}


def scrub(value, depth=0):
    """`value` made safe to store: secret keys dropped, secret-looking parts of text replaced, sizes bounded."""
    if isinstance(value, dict):
        if depth > 3:
            return "…"
        items = [(str(k), v) for k, v in value.items() if not SECRET_KEY_RE.search(str(k))][:MAX_DETAILS]
        return {k: scrub(v, depth + 1) for k, v in items}
    if isinstance(value, (list, tuple, set)):
        return [scrub(v, depth + 1) for v in list(value)[:MAX_DETAILS]]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    for pattern in SECRET_VALUE_RES:
        text = pattern.sub(r"\1[已隐去]", text)
    return text[:MAX_VALUE_CHARS]


def _request_origin():
    if not has_request_context():
        return None, None
    return (request.remote_addr or None), (request.headers.get("User-Agent", "")[:200] or None)


def _current_user_or_none():
    if not has_request_context():
        return None
    from flask_login import current_user

    return current_user if getattr(current_user, "is_authenticated", False) else None


def _target_fields(target):
    """(type, id, name) of a target given as a model object, a (type, id) pair or a plain string."""
    if target is None:
        return None, None, None
    if isinstance(target, str):
        return target[:40], None, None
    if isinstance(target, tuple):
        kind, ident = target
        return str(kind)[:40], (None if ident is None else str(ident)[:64]), None
    kind = TARGET_TYPES.get(type(target).__name__, getattr(target, "__tablename__", type(target).__name__))
    name = getattr(target, "email", None) or getattr(target, "name", None) or getattr(target, "title", None)
    return kind, str(getattr(target, "id", "") or "") or None, name


def record(event, user=None, outcome="success", target=None, **details):
    """Append one audit entry to the current transaction and return it.

    `user` is who acted (default: the signed-in user of the request, else nobody); `target` what was acted on
    (a model object, a ("type", id) pair or a string); `details` anything else worth keeping. IP address and
    user agent come from the request when there is one (CLI and background work have none). Keys that look
    like passwords, tokens or keys are never stored. The call maps one to one onto
    `security_events.emit(event, user=None, outcome="", **details)`; an empty outcome means success.
    """
    actor = user if user is not None else _current_user_or_none()
    ip, agent = _request_origin()
    target_type, target_id, target_name = _target_fields(target)
    details = scrub(details)
    if target_name and "target_name" not in details:
        details["target_name"] = scrub(target_name)
    entry = AuditEvent(
        created_at=utcnow(),
        event=str(event)[:60],
        outcome=(outcome or "success")[:20],
        actor_id=getattr(actor, "id", None),
        actor_email=getattr(actor, "email", None),
        ip=(ip or "")[:45] or None,
        user_agent=agent,
        target_type=target_type,
        target_id=target_id,
        details=details,
    )
    db.session.add(entry)
    db.session.flush()
    log.info(
        "audit %s %s user=%s target=%s:%s ip=%s", entry.event, entry.outcome, entry.actor_id, target_type, target_id, ip
    )
    return entry


# ---------------------------------------------------------------- searching


def local_day_bounds(day):
    """The UTC instants (naive) at which a market day (Asia/Shanghai) starts and ends."""
    start = datetime.combine(day, time.min, tzinfo=market_timezone()).astimezone(UTC).replace(tzinfo=None)
    return start, start + timedelta(days=1)


def _like(text):
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_query(who=None, event=None, outcome=None, date_from=None, date_to=None, ip=None):
    """Entries matching the filters, newest first. `who` is an e-mail fragment or a user id; `ip` a prefix."""
    stmt = db.select(AuditEvent)
    if who:
        condition = AuditEvent.actor_email.ilike(_like(who), escape="\\")
        if who.isdigit():
            condition = or_(
                condition,
                AuditEvent.actor_id == int(who),
                db.and_(AuditEvent.target_type == "user", AuditEvent.target_id == who),
            )
        stmt = stmt.where(condition)
    if event:
        stmt = stmt.where(AuditEvent.event == event)
    if outcome:
        stmt = stmt.where(AuditEvent.outcome == outcome)
    if date_from:
        stmt = stmt.where(AuditEvent.created_at >= local_day_bounds(date_from)[0])
    if date_to:
        stmt = stmt.where(AuditEvent.created_at < local_day_bounds(date_to)[1])
    if ip:
        stmt = stmt.where(
            AuditEvent.ip.like(ip.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%", escape="\\")
        )
    return stmt.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def entries_about(user_id):
    """Entries where the user acted or was acted on (for "download my data")."""
    return (
        db.session.execute(
            db.select(AuditEvent)
            .where(
                or_(
                    AuditEvent.actor_id == user_id,
                    db.and_(AuditEvent.target_type == "user", AuditEvent.target_id == str(user_id)),
                )
            )
            .order_by(AuditEvent.id)
        )
        .scalars()
        .all()
    )


# ---------------------------------------------------------------- retention


def retention_days():
    """AUDIT_RETENTION_DAYS; a value below the legal minimum is refused rather than silently raised."""
    days = int(current_app.config["AUDIT_RETENTION_DAYS"])
    if days < MIN_RETENTION_DAYS:
        raise ValueError(f"AUDIT_RETENTION_DAYS={days}：审计日志至少保留 {MIN_RETENTION_DAYS} 天（等保 2.0）。")
    return days


def purge_cutoff(now=None):
    return (now or utcnow()) - timedelta(days=retention_days())


def count_older_than(cutoff):
    return db.session.execute(
        db.select(db.func.count()).select_from(AuditEvent).where(AuditEvent.created_at < cutoff)
    ).scalar_one()


def purge_batch(cutoff, batch_size=1000):
    """Delete up to `batch_size` entries older than `cutoff`; returns how many went (the caller commits)."""
    ids = (
        db.session.execute(
            db.select(AuditEvent.id).where(AuditEvent.created_at < cutoff).order_by(AuditEvent.id).limit(batch_size)
        )
        .scalars()
        .all()
    )
    if not ids:
        return 0
    with purge_allowed():
        db.session.execute(db.delete(AuditEvent).where(AuditEvent.id.in_(ids), AuditEvent.created_at < cutoff))
    return len(ids)
