"""One registry of background workers, each switched off by one setting."""

from marketplace import background


def test_every_worker_has_one_setting_declared_in_config():
    from marketplace.config import Config, TestConfig

    names = {w.name for w in background.workers()}
    assert names == {"search-updater", "match-updater", "listing-expiry", "listing-views"}
    for worker in background.workers():
        assert hasattr(Config, worker.setting)
        assert not getattr(TestConfig, worker.setting)  # tests run the work themselves


def test_switched_off_workers_never_start(app, client, monkeypatch):
    started = []
    monkeypatch.setattr(background, "start", lambda app, worker: started.append(worker.name))
    assert background.enabled(app) == []
    client.get("/")
    assert started == []


def test_a_switched_on_worker_starts_once_per_process(tmp_path, monkeypatch):
    from marketplace import create_app
    from marketplace.config import TestConfig

    calls = []
    fake = background.Worker("listing-expiry", "LISTINGS_EXPIRE_SECONDS", lambda app: calls.append(app))
    monkeypatch.setattr(background, "workers", lambda: (fake,))
    app = create_app(
        TestConfig, SQLALCHEMY_DATABASE_URI="sqlite://", INSTANCE_PATH=str(tmp_path), LISTINGS_EXPIRE_SECONDS=3600
    )
    client = app.test_client()
    client.get("/healthz")
    client.get("/healthz")
    assert calls == [app]
