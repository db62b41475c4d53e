"""Whether a listing is public today: the one rule every surface uses.

A listing is public when it is published and its validity (a local date of the market) has not ended. The
status change to "expired" is written later (housekeeping round or `flask listings expire`), so every page,
the search index, suggestions, alerts, exports and the home page decide with this module, on the market's
clock (Config.MARKET_TIMEZONE), never with the server's `date.today()`.
"""

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import and_, or_

DEFAULT_TIMEZONE = "Asia/Shanghai"  # Config.MARKET_TIMEZONE's default, for code running without an app


def utcnow():
    """The current time (aware, UTC). Tests freeze the clock by replacing this function."""
    return datetime.now(UTC)


@lru_cache(maxsize=8)
def _zone(name):
    return ZoneInfo(name)


def market_timezone():
    """The market's time zone (Config.MARKET_TIMEZONE)."""
    name = current_app.config["MARKET_TIMEZONE"] if has_app_context() else DEFAULT_TIMEZONE
    return _zone(name)


def market_today():
    """Today's date in the market's time zone (validity dates are local dates)."""
    return utcnow().astimezone(market_timezone()).date()


def today_stamp(today=None):
    """Today as the yyyymmdd integer the search index stores validity dates in."""
    return int((today or market_today()).strftime("%Y%m%d"))


def public_condition(today=None, listing=None):
    """SQL condition on Listing (or an alias of it): published and still within its validity period."""
    if listing is None:
        from .models import Listing as listing
    today = today or market_today()
    return and_(listing.status == "published", or_(listing.valid_until.is_(None), listing.valid_until >= today))


def expired_condition(today=None, listing=None):
    """SQL condition: expired, or published with its validity over (the status change has not run yet)."""
    if listing is None:
        from .models import Listing as listing
    today = today or market_today()
    return or_(listing.status == "expired", and_(listing.status == "published", listing.valid_until < today))


def is_public(listing, today=None):
    """Python predicate with the same meaning as public_condition."""
    today = today or market_today()
    return listing.status == "published" and (listing.valid_until is None or listing.valid_until >= today)


def effective_status(listing, today=None):
    """The status a user should see: a published listing past its validity is already expired."""
    if listing.status == "published" and not is_public(listing, today):
        return "expired"
    return listing.status
