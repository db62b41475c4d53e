"""Locale selection: ?lang= switch remembered in the session, then the user's choice, then Chinese; templates'
translations looked up once per request."""

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_login import current_user

LOGIN_MESSAGE = _l("请先登录。")


def select_locale():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and background work: the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    lang = request.args.get("lang")
    if lang in languages:
        session["lang"] = lang
        return lang
    if session.get("lang") in languages:
        return session["lang"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def request_translations():
    """The translations of this request's locale, looked up once per request.

    Flask-Babel's template gettext looks them up on every call (context, locale and a str() of it: ~15 µs);
    /matches/ makes 445 such calls. The cache is the slot Flask-Babel reserves for it on its request context
    (`babel_translations`): its refresh() and force_locale() reset it, so a changed or forced locale is seen.
    """
    ctx = g.get("_flask_babel") if g else None
    if ctx is None:
        return get_translations()
    translations = getattr(ctx, "babel_translations", None)
    if translations is None:
        translations = ctx.babel_translations = get_translations()
    return translations


def install_template_gettext(jinja_env):
    """Templates' _(), ngettext() ... read request_translations() (same newstyle semantics as Flask-Babel's)."""
    jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
