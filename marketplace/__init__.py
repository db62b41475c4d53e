"""The technology-transfer marketplace: application factory."""

import logging
import os
from pathlib import Path

from flask import Flask

from . import background
from .config import config_from_env, load_secret_key
from .extensions import babel, bootstrap, csrf, db, login_manager, migrate
from .security.settings import check_production

log = logging.getLogger(__name__)

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config=None, **overrides):
    """Build the app. `config` is a config class (default: from MARKETPLACE_ENV); overrides win over it."""
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH", str(root / "instance")),
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
    )
    app.config.from_object(config or config_from_env())
    background.apply_process_role(app)  # a gunicorn web worker leaves background work to its own process
    app.config.update(overrides)
    _resolve_paths(app)
    check_production(app.config)
    if app.config["PROXY_FIX_X_FOR"]:  # the client IP for per-IP limits, from a proxy we run
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_security_headers(app)
    register_commands(app)
    register_background(app)
    register_page_cache(app)  # last: a cached page skips the before_request functions registered after it
    return app


def _resolve_paths(app):
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if app.config["MATCH_BACKGROUND"] is None:
        app.config["MATCH_BACKGROUND"] = app.config["SEARCH_BACKGROUND"]
    if not app.config.get("SECRET_KEY"):
        if app.config.get("ENV_NAME") == "production":  # never a generated key: check_production says so
            app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY")
        else:
            app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(app.instance_path, "marketplace.db")
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgres://"):
        uri = "postgresql://" + uri[len("postgres://") :]
    if uri.startswith("postgresql://"):
        uri = "postgresql+psycopg://" + uri[len("postgresql://") :]
    app.config["SQLALCHEMY_DATABASE_URI"] = uri
    for key, sub in (("UPLOAD_FOLDER", "uploads"), ("OUTBOX_DIR", "outbox")):
        if not app.config.get(key):
            app.config[key] = os.path.join(app.instance_path, sub)


def register_extensions(app):
    from . import i18n
    from .accounts.services import load_user_from_token
    from .dbsetup import configure_engine
    from .models import import_all
    from .search import whoosh_patches

    import_all()
    whoosh_patches.install()  # every change this project makes to Whoosh is listed in that module

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    bootstrap.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=lambda: app.config["MARKET_TIMEZONE"])
    i18n.install_template_gettext(app.jinja_env)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = i18n.LOGIN_MESSAGE
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user_from_token)
    with app.app_context():
        configure_engine(db.engine, busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"])


def register_blueprints(app):
    from .accounts import bp as accounts_bp
    from .audit.views import bp as audit_bp
    from .events import bp as events_bp
    from .inquiries import bp as inquiries_bp
    from .listings import bp as listings_bp
    from .main import bp as main_bp
    from .matching import bp as matching_bp
    from .notifications import bp as notifications_bp
    from .operators import bp as operators_bp
    from .privacy.views import bp as privacy_bp
    from .search import bp as search_bp
    from .verification.views import bp as verification_bp
    from .workspace import bp as workspace_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp, url_prefix="/account")
    app.register_blueprint(listings_bp)
    app.register_blueprint(workspace_bp, url_prefix="/me")
    app.register_blueprint(operators_bp, url_prefix="/ops")
    app.register_blueprint(search_bp, url_prefix="/search")
    app.register_blueprint(matching_bp, url_prefix="/matches")
    app.register_blueprint(audit_bp, url_prefix="/ops/audit")
    app.register_blueprint(verification_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(notifications_bp, url_prefix="/notifications")
    app.register_blueprint(inquiries_bp)
    app.register_blueprint(events_bp, url_prefix="/events")


def register_errorhandlers(app):
    from .errors import register

    register(app)


def register_template_helpers(app):
    from .templating import register

    register(app)


def register_page_cache(app):
    from . import pagecache

    pagecache.init_app(app)


def register_security_headers(app):
    from .security import headers

    headers.init_app(app)


def register_commands(app):
    from .commands import register

    register(app)


def register_background(app):
    """The background workers of each web worker (search updater, suggestion refresher, expiry round)."""
    from . import background

    background.init_app(app)
