"""Meeting scheduler benchmark: 300 participants, 40 tables, 12 slots, 2,000 accepted requests (issue 8).

    .venv/bin/python bench/scheduler_bench.py [--participants 300 --tables 40 --slots 12 --requests 2000]

Prints the time of one scheduling run (best of --repeat) and how many meetings were placed against an upper
bound (table-slots, each person's cap and availability). Pure Python, one core, no database.
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace.events.scheduler import Problem, Request, schedule, upper_bound  # noqa: E402


def make_problem(participants, tables, slots, requests, cap, seed=8):
    rng = random.Random(seed)
    people = list(range(1, participants + 1))
    # a few popular presenters attract many requests, as at a real roadshow
    popular = people[:30]
    pairs = set()
    while len(pairs) < requests:
        a = rng.choice(people)
        b = rng.choice(popular) if rng.random() < 0.4 else rng.choice(people)
        if a != b:
            pairs.add((a, b) if (b, a) not in pairs else (b, a))
    reqs = [Request(i, a, b) for i, (a, b) in enumerate(sorted(pairs), start=1)]
    unavailable = {p: set(rng.sample(range(slots), rng.randint(0, 3))) for p in people if rng.random() < 0.3}
    return Problem(reqs, slots=slots, tables=tables, cap=cap, unavailable=unavailable)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--tables", type=int, default=40)
    parser.add_argument("--slots", type=int, default=12)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--cap", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    problem = make_problem(args.participants, args.tables, args.slots, args.requests, args.cap)
    timings = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        placed = schedule(problem)
        timings.append(time.perf_counter() - start)
    bound = upper_bound(problem)
    print(
        f"participants={args.participants} tables={args.tables} slots={args.slots} "
        f"accepted requests={len(problem.requests)} cap={args.cap}"
    )
    print(
        f"placed {len(placed)} of an upper bound of {bound} ({len(placed) / bound:.1%}); "
        f"best of {args.repeat}: {min(timings):.3f} s (limit 5 s)"
    )
    return 0 if min(timings) <= 5 else 1


if __name__ == "__main__":
    sys.exit(main())
