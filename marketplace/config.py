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

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ["zh", "en"]
    BOOTSTRAP_SERVE_LOCAL = True

    LISTINGS_PER_PAGE = 20
    EVENTS_PER_PAGE = 12  # public event list and the operators' event list
    SEARCH_BACKGROUND = _env_bool("SEARCH_BACKGROUND", True)  # in-process index updater thread
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
    LISTINGS_EXPIRE_SECONDS = 0
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing in tests only


def config_from_env():
    name = os.environ.get("MARKETPLACE_ENV", os.environ.get("FLASK_ENV", "development")).lower()
    return {"production": ProductionConfig, "testing": TestConfig}.get(name, Config)
