"""Sign-in throttling (等保 2.0 登录失败处理): per account and per client IP, shared by all workers and hosts.

LOGIN_MAX_FAILURES wrong passwords for one address within LOGIN_FAILURE_WINDOW seconds lock that address for
LOGIN_LOCKOUT_SECONDS (the right password does not work either until then); LOGIN_IP_MAX_FAILURES failures
from one IP lock that IP the same way. Unknown addresses are counted and locked like real ones, so the answer
reveals nothing. Operators unlock an account from /ops/users. The counters live in security/throttle.py.
"""
import logging

from flask import current_app

from ..security.throttle import digest, store
from .security_events import emit

log = logging.getLogger(__name__)


def _keys(email, ip):
    account = digest(email)
    return {"account_failures": f"login:fail:account:{account}", "account_lock": f"login:lock:account:{account}",
            "ip_failures": f"login:fail:ip:{ip}", "ip_lock": f"login:lock:ip:{ip}"}


def locked_for(email, ip):
    """Seconds until this address (or this IP) may try again; 0 when it may try now."""
    keys = _keys(email, ip)
    try:
        return max(store().get(keys["account_lock"])[1], store().get(keys["ip_lock"])[1])
    except Exception:  # an unreachable store must not stop every sign-in: log it loudly
        log.exception("throttle store unavailable: sign-in not limited")
        return 0


def record_failure(email, ip):
    """Count a failed sign-in; returns (seconds locked now or 0, True when this failure locked the account)."""
    config, keys = current_app.config, _keys(email, ip)
    window, lockout = int(config["LOGIN_FAILURE_WINDOW"]), int(config["LOGIN_LOCKOUT_SECONDS"])
    try:
        account_count, _ = store().hit(keys["account_failures"], window)
        ip_count, _ = store().hit(keys["ip_failures"], window)
        account_locked = account_count >= int(config["LOGIN_MAX_FAILURES"])
        ip_locked = ip_count >= int(config["LOGIN_IP_MAX_FAILURES"])
        if account_locked:
            store().lock(keys["account_lock"], lockout)
            store().clear(keys["account_failures"])
        if ip_locked:
            store().lock(keys["ip_lock"], lockout)
            store().clear(keys["ip_failures"])
    except Exception:
        log.exception("throttle store unavailable: failure not counted")
        return 0, False
    if ip_locked:
        emit("login_ip_locked", outcome="locked", ip=ip, seconds=lockout)
    return (lockout if account_locked or ip_locked else 0), account_locked


def record_success(email, ip):
    """A correct password forgets the address's earlier failures."""
    try:
        store().clear(_keys(email, ip)["account_failures"])
    except Exception:
        log.exception("throttle store unavailable")


def unlock(email):
    """Operators: lift the lock of this address and forget its failures."""
    keys = _keys(email, "-")
    store().clear(keys["account_lock"], keys["account_failures"])


def locks_of(emails):
    """{email: seconds left} for the locked ones among `emails` (the operators' user list)."""
    found = {}
    try:
        for email in emails:
            seconds = store().get(_keys(email, "-")["account_lock"])[1]
            if seconds:
                found[email] = seconds
    except Exception:
        log.exception("throttle store unavailable")
    return found
