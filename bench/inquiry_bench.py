"""Inbox and thread pages at scale: 10,000 deals and 100,000 messages by default.

    .venv/bin/python bench/inquiry_bench.py [--deals 10000] [--messages 100000] [--samples 200]

Builds a fresh temporary SQLite database (or uses DATABASE_URL: the tables are dropped and created, so give it a
database of its own), bulk-inserts users, published achievements, accepted inquiries at every deal stage and
their messages, then requests the pages in-process through the test client as a busy researcher (who owns
`--hot` threads) and prints p50/p95 of: /inbox, /inbox page 5, a thread page (/inquiries/<id>).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STAGES = ["negotiating", "agreed", "signed", "registered", "terminated"]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def line(name, values):
    print(f"{name:40} p50 {pct(values, 50):7.1f} ms   p95 {pct(values, 95):7.1f} ms   (n={len(values)})", flush=True)


PATH = {
    "negotiating": [],
    "agreed": ["agree"],
    "signed": ["agree", "sign"],
    "registered": ["agree", "sign", "register"],
    "terminated": ["terminate"],
}
TO = {"agree": "agreed", "sign": "signed", "register": "registered", "terminate": "terminated"}


def _events(deals):
    """The recorded steps of each deal (send, accept, then the moves that led to its stage)."""
    for deal in deals:
        t = deal["created_at"]
        yield {"inquiry_id": deal["id"], "action": "send", "to_state": "pending", "created_at": t}
        yield {"inquiry_id": deal["id"], "action": "accept", "to_state": "accepted", "created_at": t}
        for i, action in enumerate(PATH[deal["stage"]], 1):
            yield {
                "inquiry_id": deal["id"],
                "action": action,
                "to_state": TO[action],
                "created_at": t + timedelta(days=7 * i),
            }


def build(db, n_deals, n_messages, hot, rng):
    """Bulk-insert the market; returns (hot user id, the hot user's inquiry ids)."""
    from marketplace.accounts.models import Organisation, User
    from marketplace.inquiries.models import Inquiry, InquiryEvent, Message
    from marketplace.listings.models import Listing
    from marketplace.models_base import utcnow

    now = utcnow()
    conn = db.session.connection()
    conn.execute(
        Organisation.__table__.insert(),
        [
            {
                "id": i,
                "name": f"机构{i}",
                "org_type": "university" if i % 2 else "enterprise",
                "region": "nanchang",
                "verification_status": "verified",
                "qualifications": "",
                "description": "",
                "created_at": now,
            }
            for i in range(1, 41)
        ],
    )
    n_users = 2000
    conn.execute(
        User.__table__.insert(),
        [
            {
                "id": i,
                "email": f"u{i}@bench.invalid",
                "name": f"用户{i}",
                "password_hash": "x",
                "role": "researcher" if i % 2 else "company",
                "organisation_id": (1 if i % 2 else 2) + 2 * (i % 20),
                "is_disabled": False,
                "membership_status": "active",
                "created_at": now,
            }
            for i in range(1, n_users + 1)
        ],
    )
    researchers = [i for i in range(1, n_users + 1) if i % 2]
    companies = [i for i in range(1, n_users + 1) if not i % 2]
    n_listings = 4000
    conn.execute(
        Listing.__table__.insert(),
        [
            {
                "id": i,
                "kind": "achievement",
                "title": f"成果{i}：石墨烯电池材料",
                "summary": "摘要",
                "description": "",
                "industry": "new_materials",
                "region": "nanchang",
                "status": "published",
                "owner_id": 1 if i <= hot else researchers[i % len(researchers)],
                "organisation_id": 1,
                "price_negotiable": True,
                "cooperation_mask": 1,
                "hide_org_name": False,
                "created_at": now,
                "updated_at": now,
                "published_at": now,
            }
            for i in range(1, n_listings + 1)
        ],
    )
    deals, hot_ids = [], []
    for i in range(1, n_deals + 1):
        listing = i if i <= hot else rng.randint(hot + 1, n_listings)
        owner = 1 if listing <= hot else researchers[listing % len(researchers)]
        created = now - timedelta(days=rng.randint(1, 400))
        deals.append(
            {
                "id": i,
                "listing_id": listing,
                "sender_id": rng.choice(companies),
                "recipient_id": owner,
                "kind": "cooperation",
                "cooperation_mode": "transfer",
                "budget_range": "from_50",
                "timeline": "within_6m",
                "message": "希望合作",
                "origin": "suggestion",
                "status": "accepted",
                "created_at": created,
                "decided_at": created,
                "last_activity_at": created + timedelta(days=3),
                "stage": rng.choice(STAGES),
                "stage_changed_at": created,
                "contract_type": None,
                "amount_wan": None,
                "signed_on": None,
                "registration_number": None,
                "registry": None,
            }
        )
        reached = {"agreed": 1, "signed": 2, "registered": 3}  # deals.move keeps when each step was first reached
        for step, weeks in reached.items():
            on_path = len(PATH[deals[-1]["stage"]]) >= weeks and deals[-1]["stage"] != "terminated"
            deals[-1][f"{step}_at"] = created + timedelta(days=7 * weeks) if on_path else None
        if deals[-1]["stage"] == "registered":
            deals[-1].update(
                contract_type="license",
                amount_wan=Decimal(rng.randint(1000, 500000)) / 100,
                signed_on=(created + timedelta(days=21)).date(),
                registration_number=f"R{i:010d}",
                registry="江西省技术市场管理办公室",
            )
        if owner == 1:
            hot_ids.append(i)
    for start in range(0, len(deals), 5000):
        conn.execute(Inquiry.__table__.insert(), deals[start : start + 5000])
    conn.execute(InquiryEvent.__table__.insert(), list(_events(deals)))
    batch = []
    for m in range(1, n_messages + 1):
        deal = deals[m % n_deals]
        batch.append(
            {
                "id": m,
                "inquiry_id": deal["id"],
                "body": "您好，关于样品测试的安排如下。" * 3,
                "sender_id": deal["sender_id"] if m % 2 else deal["recipient_id"],
                "created_at": deal["created_at"] + timedelta(minutes=m % 5000),
                "read_at": None if m % 7 == 0 else now,
            }
        )
        if len(batch) == 10000:
            conn.execute(Message.__table__.insert(), batch)
            batch = []
    if batch:
        conn.execute(Message.__table__.insert(), batch)
    db.session.commit()
    return 1, hot_ids


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--deals", type=int, default=10000)
    p.add_argument("--messages", type=int, default=100000)
    p.add_argument("--hot", type=int, default=200, help="threads of the measured user")
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--analytics-samples", type=int, default=20, help="requests of /ops/analytics as an operator")
    args = p.parse_args()

    from marketplace import create_app
    from marketplace.accounts.models import AuthSession
    from marketplace.config import TestConfig
    from marketplace.extensions import db

    tmp = tempfile.mkdtemp(prefix="inquiry-bench-")
    uri = os.environ.get("DATABASE_URL") or "sqlite:///" + os.path.join(tmp, "bench.db")
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=uri,
        SEARCH_INDEX_DIR=os.path.join(tmp, "index"),
        UPLOAD_FOLDER=os.path.join(tmp, "uploads"),
        OUTBOX_DIR=os.path.join(tmp, "outbox"),
    )
    rng = random.Random(7)
    with app.app_context():
        db.drop_all()
        db.create_all()
        t0 = time.perf_counter()
        user_id, hot_ids = build(db, args.deals, args.messages, args.hot, rng)
        print(
            f"{args.deals} deals, {args.messages} messages, measured user in {len(hot_ids)} threads; "
            f"built in {time.perf_counter() - t0:.1f} s ({db.engine.dialect.name})",
            flush=True,
        )
        auth = AuthSession(user_id=user_id)
        db.session.add(auth)
        from marketplace.accounts.models import User

        db.session.get(User, 2000).role = "operator"
        ops_auth = AuthSession(user_id=2000)
        db.session.add(ops_auth)
        db.session.commit()
        token, ops_token = auth.token, ops_auth.token
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True

    def measure(name, urls):
        """Wall time per request, and this process's CPU time (less sensitive to a machine shared with others)."""
        times, cpu = [], []
        for url in urls:
            t, c = time.perf_counter(), time.process_time()
            resp = client.get(url)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            assert resp.status_code == 200, (url, resp.status_code)
        line(name, times)
        line("  (CPU time of the same requests)", cpu)
        return times

    for url in ("/inbox", f"/inquiries/{hot_ids[0]}"):  # warm templates and caches
        client.get(url)
    results = {
        "inbox": measure("GET /inbox", ["/inbox"] * args.samples),
        "inbox5": measure("GET /inbox?page=5", ["/inbox?page=5"] * args.samples),
        "thread": measure(
            "GET /inquiries/<id> (thread)", [f"/inquiries/{rng.choice(hot_ids)}" for _ in range(args.samples)]
        ),
    }
    worst = max(pct(v, 95) for v in results.values())
    if args.analytics_samples:
        with client.session_transaction() as sess:
            sess["_user_id"] = ops_token
        client.get("/ops/analytics")
        analytics = measure("GET /ops/analytics (all charts)", ["/ops/analytics"] * args.analytics_samples)
        print(f"analytics p95 {pct(analytics, 95):.1f} ms (target 300 ms)")
    print(f"slowest p95 {worst:.1f} ms (target 50 ms); mean inbox {statistics.mean(results['inbox']) * 1000:.1f} ms")
    with app.app_context():
        db.session.remove()
        if os.environ.get("DATABASE_URL"):
            db.drop_all()
        db.engine.dispose()


if __name__ == "__main__":
    main()
