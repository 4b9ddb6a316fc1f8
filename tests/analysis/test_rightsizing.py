"""Right-sizing: the search, the targets and levers, and the closed-form staffing of an M/M/c queue."""

from __future__ import annotations

import math

import pytest
from conftest import mmc_dict, scenario_from
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit import analytic
from simkit.analysis.rightsizing import _cheapest, _line_minima, _Point, right_size, smallest_feasible
from simkit.analysis.service_targets import StaffLever, parse_levers, parse_targets

LAM = 8.0  # arrivals per hour; exponential effort of mean 1 h, so the offered load is 8 servers


def mmc(c: int = 12, horizon_days: float = 40) -> sk.Scenario:
    return scenario_from(mmc_dict(c, LAM, horizon_days=horizon_days, warmup_days=min(5.0, horizon_days / 5)))


# --------------------------------------------------------------------------- the line search
@settings(max_examples=300, deadline=None)
@given(low=st.integers(0, 50), span=st.integers(0, 300), threshold=st.integers(-5, 400), start=st.integers(-20, 420))
def test_smallest_feasible_finds_the_threshold_in_few_calls(low: int, span: int, threshold: int, start: int) -> None:
    high = low + span
    calls: list[int] = []

    def feasible(v: int) -> bool:
        assert low <= v <= high, "probed outside the bounds"
        calls.append(v)
        return v >= threshold

    got = smallest_feasible(feasible, low, high, start)
    want = max(threshold, low) if threshold <= high else None
    assert got == want
    assert len(set(calls)) == len(calls), "a value was probed twice"
    assert len(calls) <= 2 * math.ceil(math.log2(span + 2)) + 2


class _Grid:
    """A stand-in for the simulation: feasible above a staircase that falls as the first lever grows, cost
    linear in both levers (what the search assumes: more staff never hurts service nor saves money)."""

    cost = "cost_total_usd"

    def __init__(self, need: list[int], price: tuple[float, float]) -> None:
        self.need, self.price, self.calls = need, price, 0

    def __call__(self, point: tuple[int, int]) -> _Point:
        self.calls += 1
        a, b = point
        c = self.price[0] * a + self.price[1] * b
        return _Point(point, {self.cost: (c, c, c)}, b >= self.need[a - 1], b >= self.need[a - 1], None)


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(st.integers(0, 6), min_size=1, max_size=8), top=st.integers(1, 25),
       price=st.tuples(st.floats(0.5, 10), st.floats(0.5, 10)), start=st.integers(1, 30))
def test_two_levers_find_the_cheapest_feasible_point(steps: list[int], top: int, price: tuple[float, float],
                                                     start: int) -> None:
    need, level = [], top  # how much of the second lever each value of the first needs: non-increasing
    for s in steps:
        need.append(max(1, level))
        level -= s
    outer, inner = StaffLever("a", 1, len(need)), StaffLever("b", 1, 20)
    grid = _Grid(need, price)
    got = _cheapest(_line_minima(grid, (outer, inner), (1, start)), grid.cost)
    feasible = [grid((a, b)) for a in range(1, len(need) + 1) for b in range(1, 21) if b >= need[a - 1]]
    want = _cheapest(feasible, grid.cost)
    if want is None:
        assert got is None
    else:
        assert got is not None and got.stats[grid.cost][0] == pytest.approx(want.stats[grid.cost][0])


# --------------------------------------------------------------------------- targets
def test_targets_read_in_the_kpis_direction() -> None:
    (t,) = parse_targets({"sla_attainment_share": 0.9})
    assert (t.kpi, t.bound, t.sense, t.ceiling) == ("sla_attainment_share", 0.9, 1, False)
    assert t.met(0.91, 0.95) and not t.met(0.89, 0.95)
    (t,) = parse_targets("lead_time_p90_h <= 24")
    assert (t.sense, t.bound) == (-1, 24.0) and t.met(10, 23.9) and not t.met(10, 24.1)
    a, b = parse_targets(["sla_attainment_share=0.8", "cost_total <= 5e5"], "EUR")
    assert b.kpi == "cost_total_eur" and b.ceiling and not a.ceiling


@pytest.mark.parametrize(("target", "message"), [
    ({"sla_attainment": 0.9}, "target.sla_attainment: is not a KPI"),
    ("sla_attainment_share <= 0.9", "higher is better, so a target reads 'sla_attainment_share >= value'"),
    ({"utilisation_share": 0.8}, "target.utilisation_share: has no better direction"),
    ({"sla_attainment_share": 1.5}, "is a share: the target must be in [0, 1], got 1.5"),
    ({"lead_time_p90_h": float("nan")}, "must be a finite number"),
    ({"lead_time_p90_h": True}, "must be a finite number, got true"),
    ({"lead_time_p90_h": -1}, "must be >= 0"),
    ("lead time < 24", "expects 'kpi >= value'"),
    ({"cost_total_usd": 1e5}, "needs at least one service KPI"),
    ({"cost_total_eur": 1e5, "waited_share": 0.2}, "the scenario's currency is USD: write cost_total_usd"),
    (["waited_share <= 0.2", "waited_share=0.3"], "target.waited_share: is given twice"),
    ({}, "needs at least one KPI"),
    (42, "expects a mapping"),
])
def test_bad_targets_are_one_line_naming_the_field(target: object, message: str) -> None:
    with pytest.raises(sk.ScenarioError) as err:
        parse_targets(target)  # type: ignore[arg-type]
    assert message in str(err.value) and "\n" not in str(err.value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_target_text_parses_or_is_refused_in_one_line(text: str) -> None:
    try:
        targets = parse_targets(text)
    except sk.ScenarioError as err:
        assert "\n" not in str(err) and str(err).startswith("target")
    else:
        assert all(math.isfinite(t.bound) and t.sense in (1, -1) for t in targets)


# --------------------------------------------------------------------------- levers
def test_levers_default_bounds_and_explicit_forms() -> None:
    sc = mmc(3)
    data, pools = sc.to_dict(), ["teams.team"]
    (lv,) = parse_levers(["teams.team.staff"], data, pools)
    assert lv == StaffLever("teams.team.staff", 1, 12)  # 1 .. max(8, 4 x 3)
    assert parse_levers([("teams.team.staff", 2, 5)], data, pools)[0] == StaffLever("teams.team.staff", 2, 5)
    assert parse_levers([{"path": "teams.team.staff", "high": 30}], data, pools)[0].high == 30


@pytest.mark.parametrize(("levers", "message"), [
    (["teams.crew.staff"], "levers.teams.crew: names no team of the scenario; there: team"),
    (["teams.team.loaded_cost_per_hour"], "levers.teams.team.loaded_cost_per_hour: names no head count; the "
                                          "team's is teams.team.staff"),
    (["teams.team"], "levers.teams.team: names no head count"),
    (["run.replications"], "levers.run.replications: names no head count; a lever is teams.<team>.staff"),
    (["vendors.acme.price_per_item"], "names no head count; the vendor's is vendors.acme.agents"),
    (["staff"], "a lever is a dotted path"),
    ([("teams.team.staff", 5, 2)], "levers.teams.team.staff.high: must be >= low (5), got 2"),
    ([("teams.team.staff", -1, 2)], "levers.teams.team.staff.low: must be a whole number in 0..100,000, got -1"),
    ([("teams.team.staff", 1, 2.5)], "got 2.5"),
    (["teams.team.staff", "teams.team.staff"], "is given twice"),
    ("teams.team.staff", "expects a non-empty list"),
    (["vendors.acme.agents"], "belongs to vendors.acme, which the option does not use; its pools: teams.team"),
])
def test_bad_levers_are_one_line_naming_the_field(levers: object, message: str) -> None:
    data = mmc(3).to_dict()
    data["vendors"] = {"acme": {"agents": 2}}  # a vendor the option does not use
    with pytest.raises(sk.ScenarioError) as err:
        parse_levers(levers, data, ["teams.team"])  # type: ignore[arg-type]
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"option": "outsourced"}, "option: unknown option 'outsourced'; options: in_house"),
    ({"confidence": 1.0}, "confidence: must be a probability in [0.5, 1), got 1.0"),
    ({"max_evaluations": 0}, "max_evaluations: must be a whole number in 1..1000"),
    ({"replications": 1}, "a confidence bound needs at least 2 replications"),
])
def test_bad_arguments_are_one_line(kwargs: dict, message: str) -> None:
    args = {"option": "in_house", "target": {"waited_share": 0.3}} | kwargs
    with pytest.raises(sk.ScenarioError) as err:
        right_size(mmc(10, horizon_days=5), **args)
    assert message in str(err.value)


# --------------------------------------------------------------------------- against Erlang C
@pytest.mark.parametrize("kpi", ["waited_share", "wait_mean_h"])
def test_the_smallest_staff_equals_erlang_cs_answer(kpi: str) -> None:
    """M/M/c: the least c whose P(wait) (or mean wait) meets a target is Erlang C's, and the CIs at c and c-1
    are tighter than the gap between their closed-form values, so the answer is not luck."""
    closed = {c: analytic.erlang_c(c, LAM) if kpi == "waited_share" else analytic.mmc_wait_mean_h(c, LAM, 1.0)
              for c in range(9, 15)}
    want = 11
    bound = (closed[want - 1] + closed[want]) / 2  # halfway: the search must tell c-1 from c
    assert min(c for c, v in closed.items() if v <= bound) == want
    r = right_size(mmc(14), "in_house", {kpi: bound}, replications=10, seed=7, executor=None)
    assert r.met and r.chosen == {"teams.team.staff": want}, r.text()
    gap = closed[want - 1] - closed[want]
    at = r.estimates.set_index("kpi").loc[kpi]
    below = r.below.set_index("kpi").loc[kpi]
    for row, c in ((at, want), (below, want - 1)):
        assert row["ci_low"] <= closed[c] <= row["ci_high"] or abs(row["mean"] - closed[c]) < 0.05 * gap
        assert row["ci_high"] - row["ci_low"] < gap / 2, f"the CI at c={c} is too wide to tell c-1 from c"
    assert not below["met"] and below["mean"] > bound
    assert r.n_evaluations <= 6  # bracketing from 14 then bisection, not a scan


def test_every_candidate_sees_the_same_trace() -> None:
    """Common random numbers: the chosen staffing ran on exactly the traces of a plain run with the seed."""
    sc = mmc(14, horizon_days=10)
    r = right_size(sc, "in_house", {"waited_share": 0.33}, replications=4, seed=3, executor=None)
    plain = sk.simulate(sc, replications=4, seed=3, executor=None)
    assert list(r.results.kpis["items_arrived"]) == list(plain.kpis["items_arrived"])
    again = right_size(sc, "in_house", {"waited_share": 0.33}, replications=4, seed=3, executor=None)
    assert again.chosen == r.chosen and again.evaluations.equals(r.evaluations)


# --------------------------------------------------------------------------- stopping
def test_the_cap_and_the_bounds_stop_the_search_and_say_so() -> None:
    sc = mmc(14, horizon_days=5)
    r = right_size(sc, "in_house", {"waited_share": 0.33}, replications=3, seed=1, max_evaluations=1,
                   executor=None)
    assert r.n_evaluations == 1 and "cap of 1 evaluations" in r.stop_reason
    r = right_size(sc, "in_house", {"waited_share": 0.01}, levers=[("teams.team.staff", 9, 10)], replications=3,
                   seed=1, executor=None)
    assert r.chosen is None and not r.met and "no staffing within the bounds" in r.stop_reason
    assert "teams.team.staff = 10" in r.stop_reason and r.estimates.empty


def test_a_cost_ceiling_is_checked_at_the_chosen_staffing() -> None:
    sc = mmc(14, horizon_days=5)
    cheap = right_size(sc, "in_house", {"waited_share": 0.33}, replications=3, seed=1, executor=None)
    cost = cheap.cost[0]
    ok = right_size(sc, "in_house", {"waited_share": 0.33, "cost_total_usd": cost * 1.01}, replications=3, seed=1,
                    executor=None)
    assert ok.met and ok.chosen == cheap.chosen
    tight = right_size(sc, "in_house", {"waited_share": 0.33, "cost_total_usd": cost * 0.99}, replications=3,
                       seed=1, executor=None)
    assert not tight.met and tight.chosen == cheap.chosen and "misses cost_total_usd <=" in tight.stop_reason


@pytest.mark.filterwarnings("ignore::simkit.scenario.preflight.CapacityWarning")  # drowning staffings
def test_two_levers_choose_the_least_cost_feasible_point_of_the_grid() -> None:
    """A team with overflow to a vendor: brute force over the small grid agrees with the search."""
    data = mmc_dict(2, 4.0, horizon_days=6, warmup_days=1,
                    hybrid={"team": "team", "vendor": "acme", "routing": "overflow"})
    data["vendors"] = {"acme": {"agents": 2, "price_per_item": 30.0}}
    sc = scenario_from(data)
    levers = [("teams.team.staff", 1, 4), ("vendors.acme.agents", 1, 5)]
    r = right_size(sc, "hybrid", {"waited_share": 0.3}, levers=levers, replications=3, seed=2, executor=None)
    feasible = {}
    for staff in range(1, 5):
        for agents in range(1, 6):
            res = sk.simulate(sc.override({"teams.team.staff": staff, "vendors.acme.agents": agents}),
                              replications=3, seed=2, executor=None, options=["hybrid"])
            row = {c: analytic_free_ci(res.kpis[c]) for c in ("waited_share", "cost_total_usd")}
            if row["waited_share"][2] <= 0.3:
                feasible[(staff, agents)] = row["cost_total_usd"][0]
    best = min(feasible, key=lambda k: (feasible[k], sum(k)))
    assert r.met and tuple(r.chosen.values()) == best, (r.text(), feasible)
    assert best != (1, 1), "a grid whose answer is its corner would not test the search"
    assert r.n_evaluations < 20


def analytic_free_ci(x) -> tuple[float, float, float]:  # noqa: ANN001
    """Mean and the 90% two-sided interval (the 95% one-sided bounds) the search uses."""
    from simkit.stats.estimates import mean_ci

    m, _, lo, hi = mean_ci(x.to_numpy(float), 0.9, 0.0)
    return m, lo, hi


# --------------------------------------------------------------------------- rosters and escalation tiers
def _brute_force(sc: sk.Scenario, grid: dict[str, range], kpi: str, bound: float, sense: int
                 ) -> dict[tuple[int, ...], float]:
    """Mean cost of every feasible staffing of the grid, simulated on the search's seed and replications."""
    from itertools import product

    from simkit.analysis.staff_levers import staffed

    feasible = {}
    for point in product(*grid.values()):
        res = sk.simulate(staffed(sc, dict(zip(grid, point, strict=True))), replications=3, seed=2, executor=None,
                          options=["in_house"])
        m, lo, hi = analytic_free_ci(res.kpis[kpi])
        if (lo >= bound) if sense > 0 else (hi <= bound):
            feasible[point] = analytic_free_ci(res.kpis["cost_total_usd"])[0]
    return feasible


def roster_week(day_staff: int = 4, evening_staff: int = 2) -> sk.Scenario:
    """A roster of a day shift (00-11, three arrivals an hour) and an evening shift (11-18, one an hour); no work
    arrives when both are closed.  The day shift as given is short."""
    data = mmc_dict(1, 1.0, horizon_days=6, warmup_days=1)
    data["calendars"] = {"client": {}, "day": {"open_hour": 0, "close_hour": 11},
                         "evening": {"open_hour": 11, "close_hour": 18}}
    data["workload"]["hour_of_day"] = [3.0] * 11 + [1.0] * 7 + [0.0] * 6
    data["teams"]["team"] = {"shifts": [{"calendar": "day", "staff": day_staff},
                                        {"calendar": "evening", "staff": evening_staff}],
                             "loaded_cost_per_hour": 10.0}
    return scenario_from(data)


@pytest.mark.filterwarnings("ignore::simkit.scenario.preflight.CapacityWarning")  # drowning staffings
def test_a_roster_shift_is_right_sized_as_brute_force_finds() -> None:
    """Two shifts of unequal length (so no two staffings cost the same): the search over both shifts' head
    counts chooses the cheapest staffing that brute force over the whole grid finds feasible, on the same seed."""
    sc = roster_week()
    grid = {"teams.team.shifts.day.staff": range(1, 7), "teams.team.shifts.evening.staff": range(1, 6)}
    levers = [(path, r.start, r.stop - 1) for path, r in grid.items()]
    r = right_size(sc, "in_house", {"waited_share": 0.3}, levers=levers, replications=3, seed=2, executor=None)
    feasible = _brute_force(sc, grid, "waited_share", 0.3, -1)
    best = min(feasible, key=lambda k: (feasible[k], sum(k)))
    assert r.met and tuple(r.chosen.values()) == best, (r.text(), feasible)
    assert best[1] == 2 and best[0] > 4, "only the short day shift should grow"
    assert r.n_evaluations < len(grid["teams.team.shifts.day.staff"]) * len(grid["teams.team.shifts.evening.staff"])
    assert r.scenario.teams["team"].shifts[0].staff == best[0] and r.scenario.teams["team"].shifts[1].staff == 2
    again = sk.simulate(r.scenario, replications=3, seed=2, executor=None, options=["in_house"])
    assert again.kpis.equals(r.results.kpis), "the chosen scenario re-runs to the very rows the search kept"


def test_a_roster_defaults_to_its_regular_shifts() -> None:
    data = roster_week().to_dict()
    data["calendars"]["weekend"] = {"days": ["sat", "sun"]}
    data["teams"]["team"]["shifts"].append({"calendar": "weekend", "staff": 1, "on_call": True, "response_h": 1})
    sc = scenario_from(data)
    r = right_size(sc, "in_house", {"waited_share": 0.3}, replications=2, seed=2, max_evaluations=1,
                   executor=None)
    assert [lv.path for lv in r.levers] == ["teams.team.shifts.day.staff", "teams.team.shifts.evening.staff"]
    with pytest.raises(sk.ScenarioError) as err:
        right_size(sc, "in_house", {"waited_share": 0.3}, levers=["teams.team.staff"])
    assert str(err.value) == ("levers.teams.team.staff: names no head count: teams.team is a roster, its head "
                              "counts are its shifts': teams.team.shifts.day.staff, teams.team.shifts.evening.staff, "
                              "teams.team.shifts.weekend.staff")


def two_tiers() -> sk.Scenario:
    """A first line of 3 (two arrivals an hour, 1 h each) escalating half its items to 2 engineers (1.5 h each):
    the engineers are short."""
    data = mmc_dict(3, 2.0, horizon_days=6, warmup_days=1)
    data["teams"]["l2"] = {"staff": 2, "loaded_cost_per_hour": 25.0}
    data["options"]["in_house"]["escalation"] = [{"pool": "l2", "share": 0.5, "effort_h": "exponential(mean=1.5)"}]
    return scenario_from(data)


@pytest.mark.filterwarnings("ignore::simkit.scenario.preflight.CapacityWarning")
def test_an_escalation_tier_is_right_sized_as_brute_force_finds() -> None:
    sc = two_tiers()
    from simkit.analysis.staff_levers import default_levers, option_pools

    assert default_levers(sc, "in_house") == ["teams.team.staff", "teams.l2.staff"]
    assert option_pools(sc, "in_house") == ["teams.team", "teams.l2"]
    r0 = right_size(sc, "in_house", {"lead_time_mean_h": 4}, replications=2, seed=2, max_evaluations=1,
                    executor=None)  # the cap leaves room for no line but today's: the first line is narrowed
    assert [str(lv) for lv in r0.levers] == ["teams.team.staff in 3..3", "teams.l2.staff in 1..8"]
    grid = {"teams.team.staff": range(1, 7), "teams.l2.staff": range(1, 6)}
    levers = [(path, r.start, r.stop - 1) for path, r in grid.items()]
    r = right_size(sc, "in_house", {"lead_time_mean_h": 4}, levers=levers, replications=3, seed=2, executor=None)
    feasible = _brute_force(sc, grid, "lead_time_mean_h", 4.0, -1)
    best = min(feasible, key=lambda k: (feasible[k], sum(k)))
    assert r.met and tuple(r.chosen.values()) == best, (r.text(), feasible)
    assert best[1] > 2, "the short tier should grow"
    assert r.scenario.teams["l2"].staff == best[1]


def test_levers_capped_but_not_floored_are_narrowed_like_bare_paths() -> None:
    """``--max-staff`` passes ``{"path", "high"}``: the enumerated lever may still be narrowed around today's."""
    sc = roster_week()
    levers = [{"path": "teams.team.shifts.day.staff", "high": 30}, {"path": "teams.team.shifts.evening.staff",
                                                                   "high": 30}]
    r = right_size(sc, "in_house", {"waited_share": 0.3}, levers=levers, replications=2, seed=2, max_evaluations=9,
                   executor=None)
    assert [str(lv) for lv in r.levers] == ["teams.team.shifts.day.staff in 3..5",
                                            "teams.team.shifts.evening.staff in 1..30"]
    with pytest.raises(sk.ScenarioError, match=r"levers: the bounds of teams.team.shifts.day.staff give 30 "):
        right_size(sc, "in_house", {"waited_share": 0.3}, levers=[("teams.team.shifts.day.staff", 1, 30),
                                                                 "teams.team.shifts.evening.staff"],
                   max_evaluations=9)
