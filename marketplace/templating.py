"""Template filters and globals: taxonomy labels, local times, prices."""

from datetime import UTC

from flask import request, url_for

from . import taxonomy
from .listings import filters as filter_table
from .listings.visibility import market_timezone


def local_time(value, fmt="%Y-%m-%d %H:%M"):
    if value is None:
        return "—"
    if getattr(value, "tzinfo", None) is None and hasattr(value, "hour"):
        value = value.replace(tzinfo=UTC).astimezone(market_timezone())
    return value.strftime(fmt)


def price_text(listing):
    from flask_babel import gettext as _

    if listing.price_negotiable or listing.price_wan is None:
        return _("面议")
    value = float(listing.price_wan)
    shown = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    return _("%(value)s 万元", value=shown)


def url_with(**changes):
    """The current URL with some query arguments changed (None removes one); page resets unless given."""
    args = request.args.to_dict(flat=False)
    if "page" not in changes:
        args.pop("page", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    if request.endpoint is None:  # error pages: no endpoint matched
        from urllib.parse import urlencode

        return request.path + ("?" + urlencode(args, doseq=True) if args else "")
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _nav_context():
    """Navigation entries whose endpoints exist (features register them as they are built)."""
    from flask import current_app
    from flask_babel import gettext as _
    from flask_login import current_user

    endpoints = current_app.view_functions
    public = [
        ("listings.achievements", _("科技成果")),
        ("listings.needs", _("技术需求")),
        ("search.results", _("搜索")),
        ("events.index", _("路演活动")),
    ]
    private = [("workspace.index", _("我的工作台")), ("matching.index", _("匹配推荐"))]
    if getattr(current_user, "is_operator", False):
        private.append(("operators.index", _("运营后台")))
    if getattr(current_user, "role", None) == "expert":
        private.append(("events.my_reviews", _("我的评审任务")))
    private.append(("accounts.profile", _("账号设置")))
    return {
        "nav_items": [(e, t) for e, t in public if e in endpoints],
        "user_nav_items": [(e, t) for e, t in private if e in endpoints],
    }


def register(app):
    app.context_processor(_nav_context)
    app.jinja_env.filters["local_time"] = local_time
    from flask_babel import get_locale

    app.jinja_env.globals.update(
        get_locale=get_locale,
        filter_args=filter_table.read,
        listing_filters=filter_table.FILTERS,
        taxonomy=taxonomy,
        label=taxonomy.label,
        price_text=price_text,
        url_with=url_with,
    )
