"""Properties of the 1:1 meeting scheduler (pure module, no app)."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from marketplace.events.scheduler import Problem, Request, schedule, upper_bound

STATUSES = ["accepted", "accepted", "accepted", "pending", "declined", "cancelled"]


@st.composite
def problems(draw):
    people = draw(st.integers(min_value=2, max_value=14))
    slots = draw(st.integers(min_value=1, max_value=6))
    tables = draw(st.integers(min_value=1, max_value=5))
    cap = draw(st.integers(min_value=1, max_value=5))
    n = draw(st.integers(min_value=0, max_value=40))
    requests = []
    for i in range(1, n + 1):
        a = draw(st.integers(min_value=1, max_value=people))
        b = draw(st.integers(min_value=1, max_value=people))
        requests.append(Request(i, a, b, draw(st.sampled_from(STATUSES))))
    unavailable = {
        p: set(draw(st.lists(st.integers(min_value=0, max_value=slots - 1), max_size=slots)))
        for p in range(1, people + 1)
        if draw(st.booleans())
    }
    caps = {p: draw(st.integers(min_value=0, max_value=3)) for p in range(1, people + 1) if draw(st.booleans())}
    return Problem(requests, slots=slots, tables=tables, cap=cap, unavailable=unavailable, caps=caps)


@settings(max_examples=300, deadline=None)
@given(problems())
def test_schedule_respects_every_rule(problem):
    placed = schedule(problem)
    by_id = {r.id: r for r in problem.requests}
    person_slots = Counter()
    table_slots = Counter()
    meetings = Counter()
    pairs = set()
    for rid, (slot, table) in placed.items():
        req = by_id[rid]
        assert req.status == "accepted"  # only accepted requests
        assert req.a != req.b
        assert 0 <= slot < problem.slots and 1 <= table <= problem.tables
        table_slots[(slot, table)] += 1
        for person in (req.a, req.b):
            person_slots[(person, slot)] += 1
            meetings[person] += 1
            assert slot not in problem.unavailable.get(person, ())  # unavailability respected
        pair = frozenset((req.a, req.b))
        assert pair not in pairs  # the same two people meet once
        pairs.add(pair)
    assert all(n == 1 for n in person_slots.values())  # no person double-booked
    assert all(n == 1 for n in table_slots.values())  # no table double-booked
    assert all(meetings[p] <= problem.cap_of(p) for p in meetings)  # caps respected
    assert len(placed) <= upper_bound(problem)


@settings(max_examples=100, deadline=None)
@given(problems(), st.randoms(use_true_random=False))
def test_schedule_is_deterministic(problem, rnd):
    first = schedule(problem)
    assert schedule(problem) == first
    shuffled = list(problem.requests)
    rnd.shuffle(shuffled)
    again = Problem(shuffled, problem.slots, problem.tables, problem.cap, problem.unavailable, problem.caps)
    assert schedule(again) == first  # the order in which requests arrive does not matter


def test_places_everything_when_there_is_room():
    requests = [Request(1, 1, 2), Request(2, 1, 3), Request(3, 2, 3), Request(4, 4, 5)]
    placed = schedule(Problem(requests, slots=3, tables=2, cap=3))
    assert len(placed) == 4


def test_repair_moves_a_blocking_meeting():
    # person 1 can only meet in slot 0; the greedy pass may put 1-2's neighbour there first
    requests = [Request(1, 2, 3), Request(2, 1, 2)]
    problem = Problem(requests, slots=2, tables=1, cap=2, unavailable={1: {1}, 3: set()})
    assert len(schedule(problem)) == 2
