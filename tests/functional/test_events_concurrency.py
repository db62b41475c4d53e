"""Concurrent registrations never exceed the capacity and lose nobody; a cancelled seat is handed on once.

Runs on the test database of the session: SQLite by default, PostgreSQL when DATABASE_URL is set.
"""

import threading

from events_support import make_event

from marketplace.events import services
from marketplace.events.models import Event, Registration
from marketplace.extensions import db


def _in_threads(app, target, args_list):
    barrier = threading.Barrier(len(args_list))
    errors = []

    def run(*args):
        with app.app_context():
            barrier.wait()
            try:
                target(*args)
                db.session.commit()
            except Exception as err:  # noqa: BLE001 - collected and asserted below
                db.session.rollback()
                errors.append(repr(err))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=args) for args in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_registrations_respect_capacity(app, factory):
    operator = factory.user("operator")
    event_id = make_event(operator, capacity=5).id
    people = [factory.user("company") for _ in range(16)]
    user_ids = [p.id for p in people]
    db.session.remove()

    def register(user_id):
        from marketplace.accounts.models import User

        services.register(event_id, db.session.get(User, user_id))

    errors = _in_threads(app, register, [(uid,) for uid in user_ids])
    assert errors == []
    regs = db.session.execute(db.select(Registration).where(Registration.event_id == event_id)).scalars().all()
    assert len(regs) == 16  # nobody lost
    confirmed = [r for r in regs if r.status == "confirmed"]
    assert len(confirmed) == 5
    assert db.session.get(Event, event_id).seats_taken == 5


def test_concurrent_cancellations_promote_each_waiting_person_once(app, factory):
    operator = factory.user("operator")
    event = make_event(operator, capacity=4)
    event_id = event.id
    people = [factory.user("investor") for _ in range(10)]
    for person in people:
        services.register(event.id, person)
    db.session.commit()
    ids = [p.id for p in people]
    leaving = ids[:4]
    db.session.remove()

    def cancel(user_id):
        from marketplace.accounts.models import User

        services.cancel(event_id, db.session.get(User, user_id))

    errors = _in_threads(app, cancel, [(uid,) for uid in leaving])
    assert errors == []
    regs = {
        r.user_id: r.status
        for r in db.session.execute(db.select(Registration).where(Registration.event_id == event_id)).scalars()
    }
    assert [regs[uid] for uid in ids] == ["cancelled"] * 4 + ["confirmed"] * 4 + ["waitlisted"] * 2
    assert db.session.get(Event, event_id).seats_taken == 4
