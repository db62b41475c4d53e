"""Many request threads reading through one app at once, as a gunicorn worker's threads do.

A worker died with SIGSEGV under `wrk -c32` on the signed-in /matches/ page once reads ran in parallel (issue 12).
Here eight threads, each with its own signed-in client, read the suggestions page and a listing page over and over
on one database (a SQLite file by default) while the cyclic garbage collector runs often: every answer must be
the whole, correct page. Nothing is timed.
"""

import gc
import re
import threading

from marketplace.extensions import db
from marketplace.matching import services

THREADS = 8
ROUNDS = 8


def _apply_changes():
    while services.process_changes():
        db.session.commit()
    db.session.commit()


def _suggested_titles(html):
    return re.findall(r"data-suggestion=\"\d+\"[^>]*>.*?<a [^>]*>([^<]+)</a>", html, re.S)


def test_threads_reading_suggestions_at_once_each_get_the_whole_page(app, factory, login):
    company = factory.user("company")
    researcher = factory.user("researcher")
    need = factory.listing("need", owner=company, title="寻求石墨烯锂电池负极材料技术", summary="锂电池负极材料。")
    for n in range(6):
        factory.listing(
            "achievement",
            owner=researcher,
            title=f"石墨烯锂电池负极材料的制备{n}",
            summary="以氧化石墨烯制备锂电池负极材料。",
            tags=["石墨烯", "锂电池", "负极材料"],
        )
    _apply_changes()
    expected = [s.candidate.title for s in services.suggestions_for(need, limit=5)]
    assert len(expected) == 5
    detail_path = f"/needs/{need.id}"
    clients = [app.test_client() for _ in range(THREADS)]
    for client in clients:
        login(company, test_client=client)
    db.session.remove()  # the threads open their own sessions; this one must not hold a transaction

    start = threading.Barrier(THREADS)
    seen, failures = [], []
    lock = threading.Lock()

    def read(client):
        start.wait(timeout=60)
        for _ in range(ROUNDS):
            page = client.get("/matches/")
            detail = client.get(detail_path)
            with lock:
                seen.append((page.status_code, detail.status_code))
                titles = _suggested_titles(page.get_data(as_text=True))
                if titles[: len(expected)] != expected or detail.status_code != 200:
                    failures.append((page.status_code, detail.status_code, titles))

    thresholds = gc.get_threshold()
    gc.set_threshold(50, 5, 5)  # collect often, while other threads are inside the ORM and the driver
    try:
        threads = [threading.Thread(target=read, args=(client,)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        gc.set_threshold(*thresholds)
    assert len(seen) == THREADS * ROUNDS
    assert failures == []
