"""1:1 meeting scheduler: a pure module (no app, no database).

Places accepted meeting requests into (slot, table) so that nobody and no table is booked twice in a slot,
nobody has more meetings than their cap, and nobody meets in a slot they marked unavailable. It places as many
as it can: a most-constrained-first greedy pass, then a repair pass that moves one blocking meeting to another
slot to make room. Ties are broken by request id, so the same input always gives the same schedule.
"""

import random
from collections import defaultdict
from dataclasses import dataclass, field

ATTEMPTS = 8  # greedy orderings tried (the first most-constrained-first, then seeded variations)


@dataclass(frozen=True)
class Request:
    id: int
    a: int  # requester
    b: int  # recipient
    status: str = "accepted"


@dataclass
class Problem:
    requests: list
    slots: int
    tables: int
    cap: int  # meetings per person
    unavailable: dict = field(default_factory=dict)  # person -> set of slot numbers
    caps: dict = field(default_factory=dict)  # person -> own cap (overrides `cap`)

    def cap_of(self, person):
        return self.caps.get(person, self.cap)

    def available(self, person):
        blocked = self.unavailable.get(person, ())
        return [s for s in range(self.slots) if s not in blocked]


class _State:
    def __init__(self, problem):
        self.p = problem
        self.busy = defaultdict(set)  # person -> slots taken
        self.count = defaultdict(int)  # person -> meetings placed
        self.load = [0] * problem.slots  # meetings per slot (tables in use)
        self.at = {}  # request id -> slot
        self.by_slot = defaultdict(dict)  # slot -> {person: request}

    def fits(self, req, slot, ignore=None):
        """May `req` go into `slot` (ignoring the meeting `ignore`, which is being moved)?"""
        p = self.p
        if self.load[slot] - (1 if ignore is not None and self.at.get(ignore.id) == slot else 0) >= p.tables:
            return False
        for person in (req.a, req.b):
            if slot in p.unavailable.get(person, ()):
                return False
            holder = self.by_slot[slot].get(person)
            if holder is not None and holder is not ignore:
                return False
        return True

    def under_cap(self, req):
        return all(self.count[x] < self.p.cap_of(x) for x in (req.a, req.b))

    def place(self, req, slot):
        self.at[req.id] = slot
        self.load[slot] += 1
        for person in (req.a, req.b):
            self.busy[person].add(slot)
            self.count[person] += 1
            self.by_slot[slot][person] = req

    def unplace(self, req):
        slot = self.at.pop(req.id)
        self.load[slot] -= 1
        for person in (req.a, req.b):
            self.busy[person].discard(slot)
            self.count[person] -= 1
            del self.by_slot[slot][person]
        return slot


def _valid(problem):
    seen = set()
    out = []
    for req in sorted(problem.requests, key=lambda r: r.id):
        pair = frozenset((req.a, req.b))
        if req.status != "accepted" or req.a == req.b or pair in seen:
            continue
        seen.add(pair)
        out.append(req)
    return out


def schedule(problem):
    """{request id: (slot, table)} for the placed requests; tables are numbered from 1 within each slot."""
    requests = _valid(problem)
    if problem.slots <= 0 or problem.tables <= 0:
        return {}
    degree = defaultdict(int)
    for req in requests:
        degree[req.a] += 1
        degree[req.b] += 1

    def tightness(req):
        # fewest free slots and most competing requests first
        room = min(len(problem.available(req.a)), len(problem.available(req.b)))
        return (room, -max(degree[req.a], degree[req.b]), req.id)

    first = sorted(requests, key=tightness)
    best = None
    for attempt in range(ATTEMPTS):
        order = first if attempt == 0 else _reshuffled(first, attempt)
        state = _run(problem, order)
        if best is None or len(state.at) > len(best.at):
            best = state
    return _tables(best)


def _reshuffled(order, seed):
    """The same order with requests of nearly equal tightness swapped: a seeded, so repeatable, variation."""
    rng = random.Random(seed)
    keyed = [(i + rng.random() * len(order) * 0.2, req.id, req) for i, req in enumerate(order)]
    return [req for _k, _id, req in sorted(keyed)]


def _run(problem, order):
    state = _State(problem)
    unplaced = [req for req in order if not _place_best(state, req)]
    for req in unplaced:
        if state.under_cap(req):
            _repair(state, req)
    return state


def _place_best(state, req):
    if not state.under_cap(req):
        return False
    best = None
    for slot in range(state.p.slots):
        if state.fits(req, slot) and (best is None or state.load[slot] < state.load[best]):
            best = slot
    if best is None:
        return False
    state.place(req, best)
    return True


def _repair(state, req):
    """Make room for `req` by moving one meeting that blocks it to another slot."""
    p = state.p
    for slot in range(p.slots):
        if any(slot in p.unavailable.get(x, ()) for x in (req.a, req.b)):
            continue
        blockers = {state.by_slot[slot].get(req.a), state.by_slot[slot].get(req.b)} - {None}
        if len(blockers) != 1:  # free but full of tables, or both people busy: moving one meeting is not enough
            continue
        (blocker,) = blockers
        for other in range(p.slots):
            if other != slot and state.fits(blocker, other):
                state.unplace(blocker)
                state.place(blocker, other)
                if state.fits(req, slot):
                    state.place(req, slot)
                    return True
                state.unplace(blocker)
                state.place(blocker, slot)
    return False


def _tables(state):
    out = {}
    per_slot = defaultdict(list)
    for rid, slot in state.at.items():
        per_slot[slot].append(rid)
    for slot, rids in per_slot.items():
        for table, rid in enumerate(sorted(rids), start=1):
            out[rid] = (slot, table)
    return out


def upper_bound(problem):
    """No schedule can place more than this: table-slots, and half the sum of what each person can take."""
    requests = _valid(problem)
    degree = defaultdict(int)
    for req in requests:
        degree[req.a] += 1
        degree[req.b] += 1
    per_person = sum(min(d, problem.cap_of(x), len(problem.available(x))) for x, d in degree.items())
    per_request = sum(1 for r in requests if set(problem.available(r.a)) & set(problem.available(r.b)))
    return min(problem.slots * problem.tables, per_person // 2, per_request)
