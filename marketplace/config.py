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
    ENV_NAME = "development"
    SECRET_KEY = None  # resolved in create_app (environment or instance folder)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")  # default filled in create_app (instance/)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_DURATION = 14 * 24 * 3600
    PERMANENT_SESSION_LIFETIME = 7 * 24 * 3600
    # Sign-in sessions (accounts/sessions.py): signed out after this long without a request ...
    SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", 30 * 60))
    # ... and this long after signing in, whatever happens ("keep me signed in": REMEMBER_COOKIE_DURATION).
    SESSION_ABSOLUTE_LIFETIME = int(os.environ.get("SESSION_ABSOLUTE_LIFETIME", 12 * 3600))
    SESSION_TOUCH_SECONDS = 60  # last use of a session is written at most this often

    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 20 * 1024 * 1024))
    ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER")  # default: instance/uploads
    OUTBOX_DIR = os.environ.get("OUTBOX_DIR")  # default: instance/outbox
    SEARCH_INDEX_DIR = os.environ.get("SEARCH_INDEX_DIR", str(BASE_DIR / "search_index"))

    MAIL_SERVER = os.environ.get("MAIL_SERVER")  # unset: messages go to the outbox folder
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "noreply@jxtm.example.cn")
    PASSWORD_RESET_MAX_AGE = 3600
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

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ["zh", "en"]
    BOOTSTRAP_SERVE_LOCAL = True

    LISTINGS_PER_PAGE = 20
    SEARCH_BACKGROUND = _env_bool("SEARCH_BACKGROUND", True)  # in-process index updater thread
    LISTINGS_EXPIRE_SECONDS = float(os.environ.get("LISTINGS_EXPIRE_SECONDS", 3600))  # 0: only `flask listings expire`


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
    LISTINGS_EXPIRE_SECONDS = 0
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing in tests only


def config_from_env():
    name = os.environ.get("MARKETPLACE_ENV", os.environ.get("FLASK_ENV", "development")).lower()
    return {"production": ProductionConfig, "testing": TestConfig}.get(name, Config)
