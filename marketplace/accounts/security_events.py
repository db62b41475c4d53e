"""Security events (lockouts, throttled attempts, session revocations): one function, one logger, the audit log.

Every event goes through `emit`, which logs to the "marketplace.security" logger and appends an entry to the
security audit log (marketplace.audit.record) in the caller's transaction: the view that emits commits, as every
view does. Never pass passwords or tokens (the audit log drops such keys anyway).
"""

import logging

from ..extensions import db

log = logging.getLogger("marketplace.security")

# Noticed while loading the user on any request, reads included, which must not write: logged only.
LOG_ONLY = {"session_expired"}


def emit(event, user=None, outcome="", **details):
    """Record one security event: what happened, to whom, with what outcome, and plain details (ip, seconds)."""
    from ..accounts.models import User
    from ..audit import record

    user_id = getattr(user, "id", user)
    extra = " ".join(f"{key}={value}" for key, value in sorted(details.items()))
    log.warning("security event=%s user=%s outcome=%s %s", event, user_id, outcome, extra)
    if event in LOG_ONLY:
        return
    if isinstance(user, int):
        user = db.session.get(User, user)
    record(event, user=user, outcome=outcome or "success", **details)
