"""Template filters and globals: taxonomy labels, local times, prices.

Labels of the code lists are lazy strings, translated on every use; a list page shows a few hundred of them
(cards and filter menus). Translations do not change while the process runs, so each label is translated once
per language and reused (`label`, `translated_choices`).
"""

import threading
from datetime import UTC
from urllib.parse import urlencode

from flask import request, url_for
from markupsafe import Markup

from . import badges, taxonomy
from .listings import filters as filter_table
from .listings.cards import card_html
from .listings.visibility import market_timezone
from .search.query import MAX_QUERY_CHARS


def local_time(value, fmt="%Y-%m-%d %H:%M"):
    if value is None:
        return "—"
    if getattr(value, "tzinfo", None) is None and hasattr(value, "hour"):
        value = value.replace(tzinfo=UTC).astimezone(market_timezone())
    return value.strftime(fmt)


_labels = {}  # (locale, id(vocabulary), code) -> (vocabulary, translated label)
_labels_lock = threading.Lock()


def _translated(vocabulary, code, value):
    """The label `value` of `code` in the request's language, translated once per language and process."""
    from flask_babel import get_locale

    key = (str(get_locale()), id(vocabulary), code)
    hit = _labels.get(key)
    if hit is not None and hit[0] is vocabulary:
        return hit[1]
    # Markup: a lazy label renders unescaped (LazyString.__html__), and so does its cached text. The entry keeps
    # its vocabulary, so that an id is never reused while cached; the bound keeps throw-away dicts from piling up.
    text = Markup(str(value))
    with _labels_lock:
        if len(_labels) > 5000:
            _labels.clear()
        _labels[key] = (vocabulary, text)
    return text


def label(vocabulary, code, default="—"):
    """taxonomy.label, translated once per language: the display label of a code, a dash for an empty one."""
    if not code or code not in vocabulary:  # empty or unknown code: nothing to translate
        return taxonomy.label(vocabulary, code, default)
    return _translated(vocabulary, code, taxonomy.label(vocabulary, code))


def translated_choices(vocabulary):
    """taxonomy.choices with the labels translated (once per language)."""
    return [(code, _translated(vocabulary, code, text)) for code, text in taxonomy.choices(vocabulary)]


def price_text(listing):
    from flask_babel import gettext as _

    if listing.price_negotiable or listing.price_wan is None:
        return _("面议")
    value = float(listing.price_wan)
    shown = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
    return _("%(value)s 万元", value=shown)


def url_with(**changes):
    """The current URL with some query arguments changed (None removes one); page resets unless given. A view may
    set `request.url_with_args` to replace arguments in every link (the search page: a shortened query)."""
    args = request.args.to_dict(flat=False)
    args.update(getattr(request, "url_with_args", {}))
    if "page" not in changes:
        args.pop("page", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value if isinstance(value, list) else [value]
    query = urlencode([(key, v) for key, values in args.items() for v in values if v is not None], safe=URL_SAFE)
    return _current_path() + ("?" + query if query else "")


NEXT_URL_CHARS = 2000  # a longer query string is not worth coming back to after signing in


def here():
    """The current page, for a `next=` argument (sign in, then come back): its path alone when the query string
    is very long (a pasted 40,000-character search made the sign-in link of every page 600 KB)."""
    path = request.full_path
    return path if len(path) <= NEXT_URL_CHARS else request.path


URL_SAFE = "!$'()*,/:;?@"  # what url_for leaves unquoted in a query (werkzeug.urls._urlencode)


def _current_path():
    """The path of the current page as url_for builds it, once per request (a search page has ~150 links)."""
    path = getattr(request, "url_with_path", None)  # on the request: an app context (g) may outlive it in tests
    if path is None:
        if request.endpoint is None:  # error pages: no endpoint matched
            path = request.path
        else:
            path = url_for(request.endpoint, **(request.view_args or {}))
        request.url_with_path = path
    return path


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
        badge=badges.badge,
        filter_args=filter_table.read,
        listing_filters=filter_table.FILTERS,
        taxonomy=taxonomy,
        label=label,
        price_text=price_text,
        listing_card=card_html,
        url_with=url_with,
        here=here,
        max_query_chars=MAX_QUERY_CHARS,
    )
