"""Configuration. Every setting can be overridden from the environment."""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_secret_key(instance_path):
    """SECRET_KEY from the environment, else from instance/secret_key (created once, shared by all workers)."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when several workers start at once, exactly one writes the key and all read the same one.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    except FileExistsError:
        pass
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key
        import time

        time.sleep(0.02)
    raise RuntimeError(f"empty secret key file {path}")


class Config:
    """Every setting the code reads, with its default and what it is for (tests/unit/test_config.py checks that
    nothing reads a key that is not declared here)."""

    ENV_NAME = "development"  # development | production | testing
    SECRET_KEY = None  # resolved in create_app (environment or instance folder)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # default filled in create_app (instance/)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}  # drop dead pooled connections before use
    SQLALCHEMY_TRACK_MODIFICATIONS = False  # Flask-SQLAlchemy's event system, unused

    SESSION_COOKIE_HTTPONLY = True  # no JavaScript access to the session cookie
    SESSION_COOKIE_SAMESITE = "Lax"  # cross-site POSTs carry no session
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)  # HTTPS only (always on in production)
    REMEMBER_COOKIE_HTTPONLY = True  # Flask-Login's "remember me" cookie, same rules as the session cookie
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600  # seconds
    PERMANENT_SESSION_LIFETIME = 7 * 24 * 3600  # seconds
    WTF_CSRF_ENABLED = True  # CSRF token on every form (off only in tests)
    PASSWORD_HASH_METHOD = None  # None: Werkzeug's default (scrypt); tests use a fast method

    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 20 * 1024 * 1024))  # largest request body
    ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))  # largest attachment
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER")  # default: instance/uploads
    OUTBOX_DIR = os.environ.get("OUTBOX_DIR")  # default: instance/outbox
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(BASE_DIR / "search_index"))  # derived, rebuildable

    MAIL_SERVER = os.environ.get("MAIL_SERVER")  # unset: messages go to the outbox folder
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")  # SMTP login, when the server needs one
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)  # STARTTLS
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "noreply@jxtm.example.cn")
    PASSWORD_RESET_MAX_AGE = 3600  # seconds a password-reset link stays valid
    # Links in e-mails and notifications use this address (e.g. https://jxtm.example.cn), never the Host header
    # of the request (marketplace/urls.py). The default suits `make run` on this machine.
    EXTERNAL_BASE_URL = os.environ.get("EXTERNAL_BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")

    # The market's clock: validity dates are local dates here, times are shown in it (listings/visibility.py).
    MARKET_TIMEZONE = os.environ.get("MARKET_TIMEZONE", "Asia/Shanghai")
    BABEL_DEFAULT_LOCALE = "zh"  # Chinese first
    BABEL_DEFAULT_TIMEZONE = MARKET_TIMEZONE  # Flask-Babel's dates and times use the market's clock
    LANGUAGES = ["zh", "en"]  # interface languages (marketplace/translations)
    BOOTSTRAP_SERVE_LOCAL = True  # Bootstrap from the package, never a CDN

    LISTINGS_PER_PAGE = 20  # browse and organisation pages
    SEARCH_PER_PAGE = 20  # results per search page
    # A search first applies up to a few pending change-log rows itself, so a change is searchable at once even
    # when no updater thread runs (tests, CLI); off only for benchmarks of the bare engine.
    SEARCH_SYNC_ON_QUERY = True
    SEARCH_BUILD_PROCS = int(os.environ.get("SEARCH_BUILD_PROCS", 0)) or None  # None: 1 in tests, else min(4, CPUs)
    SEARCH_POLL_SECONDS = 0.5  # how often the search updater looks at the change log
    SEARCH_DICTIONARY_CHECK_SECONDS = 60.0  # how often it checks whether the domain dictionary changed
    SEARCH_DICTIONARY_REBUILD_SECONDS = 3600.0  # at most one rebuild for new tags per this many seconds

    # Background workers of each web worker (marketplace/background.py); each one can be switched off.
    SEARCH_BACKGROUND = _env_bool("SEARCH_BACKGROUND", True)  # search index updater thread
    MATCH_BACKGROUND = _env_bool("MATCH_BACKGROUND", SEARCH_BACKGROUND)  # suggestion refresher thread
    # SQLite: how long a writer waits for the write lock before answering 503 with Retry-After (readers never wait).
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", 5000))
    # Totals of public lists and home-page counts are reused this long per process (0: count on every page).
    PUBLIC_COUNT_CACHE_SECONDS = float(os.environ.get("PUBLIC_COUNT_CACHE_SECONDS", 30))
    BUSY_RETRY_AFTER_SECONDS = 3  # Retry-After of the 503 a write gets when the database stays busy
    LISTINGS_EXPIRE_SECONDS = float(os.environ.get("LISTINGS_EXPIRE_SECONDS", 3600))  # 0: only `flask listings expire`


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    SEARCH_BACKGROUND = False
    MATCH_BACKGROUND = False
    LISTINGS_EXPIRE_SECONDS = 0
    PUBLIC_COUNT_CACHE_SECONDS = 0  # tests see every change at once
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing in tests only


def config_from_env():
    name = os.environ.get("MARKETPLACE_ENV", os.environ.get("FLASK_ENV", "development")).lower()
    return {"production": ProductionConfig, "testing": TestConfig}.get(name, Config)
