"""Configuration. Every setting can be overridden from the environment."""

import os
import secrets
from pathlib import Path

from .security.settings import parse_hosts

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
    # Sign-in sessions (accounts/sessions.py): signed out after this long without a request ...
    SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", 30 * 60))
    # ... and this long after signing in, whatever happens ("keep me signed in": REMEMBER_COOKIE_DURATION).
    SESSION_ABSOLUTE_LIFETIME = int(os.environ.get("SESSION_ABSOLUTE_LIFETIME", 12 * 3600))
    SESSION_TOUCH_SECONDS = 60  # last use of a session is written at most this often

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
    # Host names the app answers to, comma-separated ("jxtm.example.cn,.jxtm.example.cn"); others get 400.
    # Unset: any Host in development; production derives it from EXTERNAL_BASE_URL (security/settings.py).
    TRUSTED_HOSTS = parse_hosts(os.environ.get("TRUSTED_HOSTS"))

    # Sign-in throttling and form rate limits (accounts/lockout.py, security/throttle.py). Counters are shared by
    # every worker: in Redis when RATELIMIT_STORAGE_URI=redis://host:6379/0, else in the database.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI")  # unset: the database table
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "jxtm:")  # Redis keys of this market
    LOGIN_MAX_FAILURES = int(os.environ.get("LOGIN_MAX_FAILURES", 5))  # wrong passwords per address ...
    LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", 900))  # ... within these seconds
    LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", 900))  # then locked this long
    LOGIN_IP_MAX_FAILURES = int(os.environ.get("LOGIN_IP_MAX_FAILURES", 30))  # failures per IP per window
    REGISTER_RATE_LIMIT = os.environ.get("REGISTER_RATE_LIMIT", "10/hour")  # registrations per IP
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "10/hour")  # reset requests per IP
    RESET_EMAIL_RATE_LIMIT = os.environ.get("RESET_EMAIL_RATE_LIMIT", "3/hour")  # reset mails per address
    # Behind a reverse proxy: how many X-Forwarded-For hops to trust for the client IP (0: none, the default;
    # never trust the header without a proxy that sets it, or the per-IP limits can be dodged).
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", 0))

    # Security headers on every response (security/headers.py). Scripts and styles come from this site only.
    CONTENT_SECURITY_POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; media-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    REFERRER_POLICY = "same-origin"
    PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 0))  # Strict-Transport-Security; production: one year

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
    # suggestion refresher thread; None: follows SEARCH_BACKGROUND (also when that one is overridden for an app)
    MATCH_BACKGROUND = _env_bool("MATCH_BACKGROUND", None)
    # CPU priority (nice) of the index phase of `flask listings import` (it holds no database lock); on a busy host
    # the pages come first, and a niced process is not slower on an idle one. 0: same as the site. Work that holds
    # SQLite's write lock is never niced: a descheduled lock holder would stall every writer.
    BULK_WORK_NICE = int(os.environ.get("BULK_WORK_NICE", 10))
    # SQLite: how long a writer waits for the write lock before answering 503 with Retry-After (readers never wait).
    SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("SQLITE_BUSY_TIMEOUT_MS", 5000))
    # Totals of public lists and home-page counts are reused this long per process (0: count on every page).
    PUBLIC_COUNT_CACHE_SECONDS = float(os.environ.get("PUBLIC_COUNT_CACHE_SECONDS", 30))
    # Anonymous visitors' home, lists, listing and search pages are reused this long per worker, dropped at once
    # by any write on this host (marketplace/pagecache.py); 0: off.
    PAGE_CACHE_SECONDS = float(os.environ.get("PAGE_CACHE_SECONDS", 5))
    PAGE_CACHE_MAX_BYTES = int(os.environ.get("PAGE_CACHE_MAX_BYTES", 32 * 1024 * 1024))  # per worker
    BUSY_RETRY_AFTER_SECONDS = 3  # Retry-After of the 503 a write gets when the database stays busy
    EVENTS_PER_PAGE = 12  # public event list and the operators' event list
    LISTINGS_EXPIRE_SECONDS = float(os.environ.get("LISTINGS_EXPIRE_SECONDS", 3600))  # 0: only `flask listings expire`
    LISTING_VIEWS_FLUSH_SECONDS = float(os.environ.get("LISTING_VIEWS_FLUSH_SECONDS", 60))  # page views written; 0: off
    INQUIRY_DAILY_LIMIT = int(os.environ.get("INQUIRY_DAILY_LIMIT", 10))  # new inquiries per user per 24 hours

    AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", 180))  # audit log kept this long (>= 180)
    AUDIT_PER_PAGE = 50  # entries per page of /ops/audit
    PRIVACY_POLICY_VERSION = "2026-11-30"  # version users consent to at registration (templates/privacy/)
    EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024))  # 营业执照 / 法人证书 file


class ProductionConfig(Config):
    ENV_NAME = "production"
    # No default in production: it refuses to start without it (security/settings.py lists every problem).
    EXTERNAL_BASE_URL = os.environ.get("EXTERNAL_BASE_URL")
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 365 * 24 * 3600))
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
    LISTING_VIEWS_FLUSH_SECONDS = 0
    BULK_WORK_NICE = 0  # tests run imports in the test process
    PUBLIC_COUNT_CACHE_SECONDS = 0  # tests see every change at once
    PAGE_CACHE_SECONDS = 0  # on in tests/functional/test_page_cache.py
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing in tests only


def config_from_env():
    name = os.environ.get("MARKETPLACE_ENV", os.environ.get("FLASK_ENV", "development")).lower()
    return {"production": ProductionConfig, "testing": TestConfig}.get(name, Config)
