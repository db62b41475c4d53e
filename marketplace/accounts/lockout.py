"""Sign-in throttling (等保 2.0 登录失败处理): per account and per client IP, shared by all workers and hosts.

LOGIN_MAX_FAILURES wrong passwords for one address within LOGIN_FAILURE_WINDOW seconds lock that address for
LOGIN_LOCKOUT_SECONDS (the right password does not work either until then); LOGIN_IP_MAX_FAILURES failures
from one IP lock that IP the same way. Unknown addresses are counted and locked like real ones, so the answer
reveals nothing. Operators unlock an account from /ops/users. The counters live in security/throttle.py.

Every attempt is counted *before* the password is checked (an atomic increment), so concurrent guesses on
several workers cannot slip past the limit; a correct password takes its attempt back.
"""

import logging

from flask import current_app

from ..security.throttle import digest, store
from .security_events import emit

log = logging.getLogger(__name__)


def _keys(email, ip):
    account = digest(email)
    return {
        "account": f"login:fail:account:{account}",
        "account_lock": f"login:lock:account:{account}",
        "ip": f"login:fail:ip:{ip}",
        "ip_lock": f"login:lock:ip:{ip}",
    }


def _settings():
    config = current_app.config
    return (
        int(config["LOGIN_FAILURE_WINDOW"]),
        int(config["LOGIN_LOCKOUT_SECONDS"]),
        int(config["LOGIN_MAX_FAILURES"]),
        int(config["LOGIN_IP_MAX_FAILURES"]),
    )


def begin_attempt(email, ip):
    """Count this attempt before the password is checked: (seconds to wait, attempt).

    A wait above 0 means the address or the IP is locked: do not check the password. `attempt` is this try's
    place in the address's and the IP's windows, for record_failure."""
    window, lockout, max_account, max_ip = _settings()
    keys = _keys(email, ip)
    try:
        wait = max(store().get(keys["account_lock"])[1], store().get(keys["ip_lock"])[1])
        if wait:
            return wait, None
        attempt = (store().hit(keys["account"], window)[0], store().hit(keys["ip"], window)[0])
    except Exception:  # an unreachable store must not stop every sign-in: log it loudly
        log.exception("throttle store unavailable: sign-in not limited")
        return 0, None
    if attempt[0] > max_account or attempt[1] > max_ip:  # concurrent guesses past the limit
        return lockout, None
    return 0, attempt


def record_failure(email, ip, attempt):
    """After a wrong password: (seconds locked now or 0, True when this failure locked the account).

    The attempt that reaches LOGIN_MAX_FAILURES (or the IP's limit) sets the lock; later ones were refused."""
    if attempt is None:
        return 0, False
    window, lockout, max_account, max_ip = _settings()
    keys = _keys(email, ip)
    account_locked, ip_locked = attempt[0] >= max_account, attempt[1] >= max_ip
    try:
        if account_locked:
            store().lock(keys["account_lock"], lockout)
        if ip_locked:
            store().lock(keys["ip_lock"], lockout)
    except Exception:
        log.exception("throttle store unavailable: lock not set")
        return 0, False
    if ip_locked:
        emit("login_ip_locked", outcome="locked", ip=ip, seconds=lockout)
    return (lockout if account_locked or ip_locked else 0), account_locked


def record_success(email, ip):
    """A correct password forgets the address's failures and takes its attempt back from the IP's count."""
    keys = _keys(email, ip)
    try:
        store().clear(keys["account"])
        store().undo(keys["ip"])
    except Exception:
        log.exception("throttle store unavailable")


def unlock(email):
    """Operators: lift the lock of this address and forget its failures."""
    keys = _keys(email, "-")
    store().clear(keys["account_lock"], keys["account"])


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
