"""The search over head counts on stand-ins for the simulation: three levers, and the narrowing of free levers."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from simkit.analysis.lever_search import WINDOWS, cheapest, combinations, line_minima, narrow_free
from simkit.analysis.staff_levers import StaffLever


class _Point:
    def __init__(self, point: tuple[int, ...], cost: float, ok: bool) -> None:
        self.point, self.stats, self.service_met = point, {"cost": (cost, cost, cost)}, ok


class _Grid:
    """Feasible when the last lever reaches what the others leave it: ``need - sum(weight x other)``; cost linear
    (what the search assumes: more staff never hurts service nor saves money)."""

    def __init__(self, need: int, weights: tuple[int, int], price: tuple[float, float, float]) -> None:
        self.need, self.weights, self.price, self.calls = need, weights, price, set()

    def __call__(self, point: tuple[int, ...]) -> _Point:
        self.calls.add(point)
        a, b, c = point
        cost = sum(p * x for p, x in zip(self.price, point, strict=True))
        return _Point(point, cost, c >= self.need - self.weights[0] * a - self.weights[1] * b)


@settings(max_examples=200, deadline=None)
@given(need=st.integers(1, 30), weights=st.tuples(st.integers(0, 4), st.integers(0, 4)),
       price=st.tuples(st.integers(1, 9), st.integers(1, 9), st.integers(1, 9)), start=st.integers(1, 12))
def test_three_levers_find_the_cheapest_feasible_point(need: int, weights: tuple[int, int],
                                                       price: tuple[int, int, int], start: int) -> None:
    levers = (StaffLever("a", 1, 4), StaffLever("b", 1, 4), StaffLever("c", 1, 12))
    grid = _Grid(need, weights, tuple(float(p) for p in price))  # integer prices: exact ties are exercised
    got = cheapest(line_minima(grid, levers, (1, 1, start)), "cost")
    every = [grid(p) for p in itertools.product(range(1, 5), range(1, 5), range(1, 13))]
    want = cheapest([p for p in every if p.service_met], "cost")
    if want is None:
        assert got is None
    else:
        assert got is not None and got.stats["cost"][0] == want.stats["cost"][0]
        assert sum(got.point) == sum(want.point), "ties go to fewer people"


def test_a_line_that_needs_only_the_floor_prunes_every_larger_combination() -> None:
    levers = (StaffLever("a", 1, 4), StaffLever("b", 1, 4), StaffLever("c", 1, 12))
    grid = _Grid(6, (2, 2), (1.0, 1.0, 1.0))
    line_minima(grid, levers, (1, 1, 6))
    lines = {p[:2] for p in grid.calls}  # (1, 2) and (2, 1) need only c = 1: of 16 lines, none beyond them
    assert lines == {(1, 1), (1, 2), (2, 1)}


def test_free_levers_are_narrowed_around_today_until_the_lines_fit_a_third_of_the_cap() -> None:
    levers = (StaffLever("early", 1, 12), StaffLever("late", 1, 12), StaffLever("engineers", 1, 16))
    today = {"early": 3, "late": 3, "engineers": 4}
    free = {"early", "late", "engineers"}
    assert narrow_free(levers, free, today, 200) == levers, "within the cap: the bounds stay"
    wide = narrow_free(levers, free, today, 75)  # 144 lines > 75: +-2 gives 25 <= 75 // 3
    assert wide[:2] == (StaffLever("early", 1, 5), StaffLever("late", 1, 5)) and wide[2] == levers[2]
    tight = narrow_free(levers, free, today, 60)  # 25 > 20: +-1 gives 9
    assert tight[:2] == (StaffLever("early", 2, 4), StaffLever("late", 2, 4)) and combinations(tight) == 9
    fixed = narrow_free(levers, {"late", "engineers"}, today, 60)  # early's bounds were given: only late narrows
    assert fixed[0] == levers[0] and fixed[1] == StaffLever("late", 3, 3) and combinations(fixed) == 12
    assert WINDOWS[-1] == 0


@settings(max_examples=300, deadline=None)
@given(spans=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 60), st.integers(0, 80)), min_size=2, max_size=5),
       cap=st.integers(1, 1000), free_mask=st.lists(st.booleans(), min_size=5, max_size=5))
def test_narrowing_keeps_today_inside_and_never_widens(spans: list[tuple[int, int, int]], cap: int,
                                                       free_mask: list[bool]) -> None:
    levers = tuple(StaffLever(f"x{i}", lo, lo + width) for i, (lo, width, _) in enumerate(spans))
    today = {lv.path: t for lv, (_, _, t) in zip(levers, spans, strict=True)}
    free = {lv.path for lv, f in zip(levers, free_mask, strict=False) if f}
    out = narrow_free(levers, free, today, cap)
    assert len(out) == len(levers) and out[-1] == levers[-1]
    for old, new in zip(levers, out, strict=True):
        assert old.low <= new.low <= new.high <= old.high
        if new != old:
            assert old.path in free and new.low <= min(max(today[old.path], old.low), old.high) <= new.high
    if combinations(levers) > cap and any(lv.path in free for lv in levers[:-1]):
        fitted = combinations(out) <= max(1, cap // 3)
        all_zero = all(new.low == new.high for new, old in zip(out[:-1], levers[:-1], strict=True) if old.path in free)
        assert fitted or all_zero, "either the lines fit or every free lever is down to today's head count"
