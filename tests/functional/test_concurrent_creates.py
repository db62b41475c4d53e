"""Rows created on demand under a unique key: concurrent requests never end in a 500 (UniqueViolation).

Threads start together at a barrier, on whichever database the suite runs (SQLite, or PostgreSQL in CI's second
pass, where check-then-insert used to fail). Nothing is timed.
"""

import threading

from marketplace.extensions import db

THREADS = 8


def _together(target, count=THREADS):
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(i):
        try:
            barrier.wait(timeout=30)
            results[i] = target(i)
        except Exception as err:  # noqa: BLE001 - reported below
            errors.append(repr(err))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def test_concurrent_follows_of_one_listing_never_fail(app, factory, login):
    from marketplace.matching.models import Follow

    listing = factory.listing("achievement", title="被关注的成果")
    users = [factory.user("company") for _ in range(THREADS)]
    clients = []
    for user in users:
        client = app.test_client()
        login(user, client)
        clients.append(client)
    twice = app.test_client()
    login(users[0], twice)  # the same user in two tabs: a double click
    clients.append(twice)
    listing_id, others = listing.id, {u.id for u in users[1:]}
    db.session.remove()

    statuses = _together(lambda i: clients[i].post(f"/matches/follow/{listing_id}").status_code, len(clients))
    assert all(code == 302 for code in statuses), statuses
    followers = db.session.execute(db.select(Follow.user_id).filter_by(listing_id=listing_id)).scalars().all()
    assert len(followers) == len(set(followers))
    assert others <= set(followers)


def test_concurrent_saves_introducing_one_new_tag_make_one_tag(app, factory):
    from marketplace.listings import services
    from marketplace.listings.models import Listing, Tag

    ids = [factory.listing("achievement", title=f"标签竞争{i}").id for i in range(THREADS)]
    db.session.remove()

    def tag(i):
        with app.app_context():
            listing = db.session.get(Listing, ids[i])
            listing.tags = services.find_or_create_tags(["并发新标签", f"独有标签{i}"])
            db.session.commit()
            return sorted(t.name for t in listing.tags)

    results = _together(tag)
    assert all("并发新标签" in names for names in results)
    assert db.session.execute(db.select(db.func.count()).select_from(Tag).where(Tag.name == "并发新标签")).scalar() == 1


def test_concurrent_dismissals_of_one_pair_keep_one_row(app, factory, login):
    from marketplace.matching.models import Dismissal, Suggestion

    owner = factory.user("company")
    need = factory.listing("need", owner=owner, title="需求")
    candidate = factory.listing("achievement", title="候选成果")
    db.session.add(Suggestion(listing_id=need.id, candidate_id=candidate.id, rank=1, score=0.5, factors=[]))
    db.session.commit()
    clients = []
    for _ in range(4):
        client = app.test_client()
        login(owner, client)
        clients.append(client)
    need_id, data = need.id, {"candidate_id": candidate.id, "reason": "price"}
    db.session.remove()
    statuses = _together(lambda i: clients[i].post(f"/matches/listings/{need_id}/dismiss", data=data).status_code, 4)
    assert all(code in (302, 303) for code in statuses), statuses
    assert db.session.execute(db.select(db.func.count()).select_from(Dismissal)).scalar() == 1
