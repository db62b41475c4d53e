"""Browser tests: the real app under gunicorn, driven by Chromium through Playwright.

Fixtures:
- `live_server` (session): gunicorn with 2 workers on a free port, its own instance folder, SQLite database
  (migrated with `flask db upgrade`), uploads and search index. Helpers: `.url(path)`, `.flask(*args)` runs a
  CLI command against its database, `.create_user(role)` / `.create_operator()` add accounts, `.app_context()`
  gives direct database access from the test.
- `browser` (session), `page` (per test, Chinese locale): a screenshot of the page is saved to
  test-artifacts/screenshots/ at the end of every test, with a -FAILED suffix when the test failed.
- `sign_in(page, email, password)`: fills the sign-in form; `sample_pdf`: a small valid PDF file to upload.

Every test in this folder is marked `browser`. Without /usr/bin/chromium they are skipped with a loud reason,
unless REQUIRE_BROWSER=1 (CI), where a missing browser is an error.
"""

import contextlib
import itertools
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TEST_PASSWORD = "browser-test-pass-2026"
_serial = itertools.count(1)
_THIS_DIR = Path(__file__).resolve().parent
MISSING_REASON = (
    f"!!! BROWSER TESTS SKIPPED: {CHROMIUM} not found. "
    "Install it with `apt-get install chromium fonts-noto-cjk`; REQUIRE_BROWSER=1 makes this an error. !!!"
)


def chromium_available():
    return os.access(CHROMIUM, os.X_OK)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _THIS_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if not chromium_available() and not REQUIRE_BROWSER:
                item.add_marker(pytest.mark.skip(reason=MISSING_REASON))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so that the page fixture knows whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


# ------------------------------------------------------------------ live server


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A running gunicorn serving the app from a throw-away instance folder."""

    def __init__(self, base, port):
        self.base = Path(base)
        self.port = port
        self.root_url = f"http://127.0.0.1:{port}"
        self.instance_path = self.base / "instance"
        self.database_uri = "sqlite:///" + str(self.instance_path / "marketplace.db")
        self.env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SECRET_KEY")}
        self.env.update(
            FLASK_APP="wsgi.py",
            MARKETPLACE_ENV="development",
            INSTANCE_PATH=str(self.instance_path),
            DATABASE_URL=self.database_uri,
            SEARCH_INDEX_DIR=str(self.base / "search_index"),
            UPLOAD_FOLDER=str(self.instance_path / "uploads"),
            OUTBOX_DIR=str(self.instance_path / "outbox"),
            PORT=str(port),
            WEB_CONCURRENCY="2",
            PYTHONUNBUFFERED="1",
        )
        self.log_path = ARTIFACTS / "live-server.log"
        self.process = None
        self._app = None

    def url(self, path="/"):
        return self.root_url + path

    # -- processes

    def flask(self, *args, check=True):
        """Run `flask <args>` against the server's database; returns the CompletedProcess."""
        env = dict(self.env, SEARCH_BACKGROUND="0")  # a CLI process needs no index updater thread
        done = subprocess.run(
            [sys.executable, "-m", "flask", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"flask {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def start(self):
        self.instance_path.mkdir(parents=True, exist_ok=True)
        self.flask("db", "upgrade")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self._log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._wait_until_healthy()

    def _wait_until_healthy(self, timeout=45):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"live server not healthy after {timeout}s:\n{self.log_tail()}")

    def log_tail(self, lines=60):
        self._log.flush()
        return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the master stops its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if getattr(self, "_log", None):
            self._log.close()

    # -- direct database access

    @property
    def app(self):
        """An app object on the server's database, for setting up data from the test process."""
        if self._app is None:
            from marketplace import create_app
            from marketplace.config import TestConfig

            self._app = create_app(
                TestConfig,
                SQLALCHEMY_DATABASE_URI=self.database_uri,
                SEARCH_INDEX_DIR=self.env["SEARCH_INDEX_DIR"],
                UPLOAD_FOLDER=self.env["UPLOAD_FOLDER"],
                OUTBOX_DIR=self.env["OUTBOX_DIR"],
            )
        return self._app

    @contextlib.contextmanager
    def app_context(self):
        """`with live_server.app_context(): ...` then use db.session; commit yourself."""
        from marketplace.extensions import db

        with self.app.app_context():
            try:
                yield db.session
            finally:
                db.session.remove()

    def create_user(
        self,
        role="researcher",
        email=None,
        password=TEST_PASSWORD,
        name=None,
        org_name=None,
        org_type=None,
        region="nanchang",
        verified=True,
    ):
        """Create a user (and a new organisation unless org_name exists) in the server's database.

        Returns (email, password). Operators join the market's own organisation.
        """
        from marketplace.accounts.models import Organisation
        from marketplace.accounts.services import create_operator, create_organisation, create_user

        n = next(_serial)
        email = email or f"{role}{n}-{self.port}@browser.test"
        name = name or f"浏览器测试{n}"
        with self.app_context() as session:
            if role == "operator":
                create_operator(email, name, password)
            else:
                org_name = org_name or f"浏览器测试机构{n}"
                org = session.query(Organisation).filter_by(name=org_name).one_or_none()
                if org is None:
                    default_type = {"researcher": "university", "company": "enterprise", "investor": "investor"}
                    org = create_organisation(org_name, org_type or default_type[role], region)
                    if verified:
                        org.verification_status = "verified"
                create_user(email, password, name, role, org)
            session.commit()
        return email, password

    def create_operator(self, **kwargs):
        return self.create_user("operator", **kwargs)

    def publish(self, kind, owner_email, tags=(), **fields):
        """A published listing of `owner_email`'s organisation in the server's database, in the change log (so the
        index and suggestions pick it up); `tags` by name, found or created. Returns its id."""
        from marketplace.accounts.services import find_user_by_email
        from marketplace.listings.changes import record_change
        from marketplace.listings.models import Achievement, Need, Tag
        from marketplace.models_base import utcnow

        cooperation_modes = fields.pop("cooperation_modes", None)
        with self.app_context() as session:
            owner = find_user_by_email(owner_email)
            listing = {"achievement": Achievement, "need": Need}[kind](
                status="published",
                published_at=utcnow(),
                owner=owner,
                organisation=owner.organisation,
                tags=[session.query(Tag).filter_by(name=name).one_or_none() or Tag(name=name) for name in tags],
                **fields,
            )
            if cooperation_modes:
                listing.cooperation_modes = cooperation_modes
            session.add(listing)
            session.flush()
            record_change(listing.id)
            session.commit()
            return listing.id


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    if not chromium_available():
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(MISSING_REASON)
    server = LiveServer(tmp_path_factory.mktemp("live"), _free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server_factory(tmp_path_factory):
    """`live_server_factory()` starts another server with a database of its own (e.g. for the demo catalogue);
    every server it started is stopped at the end of the session."""
    if not chromium_available():
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(MISSING_REASON)
    servers = []

    def _start():
        server = LiveServer(tmp_path_factory.mktemp("live"), _free_port())
        servers.append(server)
        server.start()
        return server

    yield _start
    for server in servers:
        server.stop()


# ------------------------------------------------------------------ browser and page


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        if REQUIRE_BROWSER:
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing")
        pytest.skip(MISSING_REASON)
    from playwright.sync_api import sync_playwright

    for old in SCREENSHOTS.glob("*.png"):  # screenshots describe this run only
        old.unlink()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def screenshot_path(nodeid, suffix=""):
    name = re.sub(r"[^\w.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}{suffix}.png"


@pytest.fixture
def page(browser, request):
    """A fresh browser context (Chinese locale, own cookies) and page; screenshot at the end of the test."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    failed = any(getattr(getattr(request.node, f"report_{when}", None), "failed", False) for when in ("setup", "call"))
    with contextlib.suppress(Exception):
        page.screenshot(path=str(screenshot_path(request.node.nodeid, "-FAILED" if failed else "")), full_page=True)
    context.close()


@pytest.fixture
def screenshot(page, request):
    """screenshot("step") saves the current page as <test>-step.png next to the end-of-test screenshots."""

    def _shot(step):
        path = screenshot_path(request.node.nodeid, f"-{step}")
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def sign_in(live_server):
    """sign_in(page, email, password): sign in through the form and wait for the page after it."""

    def _sign_in(page, email, password=TEST_PASSWORD):
        page.goto(live_server.url("/account/login"))
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("form[action*='/account/login'] button[type=submit]")
        page.wait_for_load_state()
        assert "/account/login" not in page.url, "sign-in failed: still on the sign-in page"

    return _sign_in


@pytest.fixture
def sample_pdf(tmp_path):
    """A small, valid one-page PDF (with a Chinese file name) for upload tests."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path = tmp_path / "成果说明书.pdf"
    path.write_bytes(body)
    return path
