"""Security events (lockouts, throttled attempts, session revocations): one function, one logger.

Every event goes through `emit`, which logs to the "marketplace.security" logger; the security audit log
(issue 11, item 8) is fed from here when the features are merged. Never pass passwords or tokens.
"""
import logging

log = logging.getLogger("marketplace.security")


def emit(event, user=None, outcome="", **details):
    """Record one security event: what happened, to whom, with what outcome, and plain details (ip, seconds)."""
    user_id = getattr(user, "id", user)
    extra = " ".join(f"{key}={value}" for key, value in sorted(details.items()))
    log.warning("security event=%s user=%s outcome=%s %s", event, user_id, outcome, extra)
