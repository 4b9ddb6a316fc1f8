"""Every kernel gives identical logs: the process-per-server reference on SimPy's loop, the callback kernel on
the fast loop, and the compiled kernel (numba) on the options whose mechanisms are on its list."""

from __future__ import annotations

import math
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
from conftest import SCENARIOS, mmc_dict, scenario_from
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st
from properties.test_invariants import scenarios

import simkit as sk
from simkit.calendars.timeline import CapacityTimeline
from simkit.calendars.weekly import Calendar
from simkit.engine import compiled, jitloop, simulate_option
from simkit.engine import staffing as staffing_module
from simkit.engine.loop import Environment, FastEnvironment
from simkit.experiment.simulate import draw_trace
from simkit.scenario.schema import TeamSpec
from simkit.scenario.yamlio import ScenarioError
from simkit.streams import Streams
from simkit.workload import trace as workload

needs_numba = pytest.mark.skipif(not compiled.available(), reason="numba (the fast extra) is not installed")
COLUMNS = ("pool", "enter_h", "start_h", "end_h", "status", "clarify_h", "clarify_rounds", "reworks", "escaped",
           "busy_h", "open_server_h", "down_h", "outages", "active_h", "servers")


def rich() -> sk.Scenario:
    data = mmc_dict(3, 2.5, horizon_days=60, warmup_days=3, vendor={"vendor": "acme"},
                    hybrid={"team": "team", "vendor": "acme", "routing": "overflow", "overflow_queue": 2},
                    dual={"vendor": "acme", "backup": "beta", "backup_share": 0.3})
    data["calendars"] = {"client": {"open_hour": 8, "close_hour": 18, "days": ["mon", "tue", "wed", "thu", "fri"]},
                         "offshore": {"utc_offset_h": 5.5, "open_hour": 9, "close_hour": 18}}
    data["workload"]["kinds"] = {
        "urgent": {"share": 0.3, "effort_h": "lognormal(mean=0.8, cv=0.7)", "priority": 0, "clarify_share": 0.3,
                   "patience_h": "exponential(mean=30)"},
        "routine": {"share": 0.7, "effort_h": "gamma(mean=1, cv=0.5)", "priority": 2, "clarify_share": 0.1},
    }
    data["teams"]["team"]["hiring"] = {"attrition_annual": 2.0, "hiring_lead_h": 200, "ramp_months": 1}
    data["teams"]["team"]["quality"] = {"defect_share": 0.05}
    data["vendors"] = {
        "acme": {"agents": 4, "calendar": "offshore", "price_per_item": 10,
                 "outages": {"time_between_h": "exponential(mean=150)", "repair_h": "exponential(mean=10)",
                             "policy": "reroute"},
                 "quality": {"defect_share": 0.1, "detection_delay_h": "exponential(mean=20)"},
                 "exit": {"hazard_per_year": 3.0, "fallback": "team", "switch_lead_h": 100},
                 "review": {"floor_share": 0.99, "months_below": 1, "remediation_productivity_factor": 1.2,
                            "remediation_delay_h": 100},
                 "elastic": {"max_agents": 6, "notice_h": 24},
                 "shared": {"background_rate_per_hour": 1.0, "background_effort_h": "exponential(mean=1)"}},
        "beta": {"agents": 2, "price_per_item": 12, "degradation": {
            "time_between_h": "exponential(mean=200)", "duration_h": "exponential(mean=50)"},
                 "review": {"floor_share": 0.99, "months_below": 1, "terminate_at_review": 1},
                 "exit": {"fallback": "team", "switch_lead_h": 50}},
    }
    return scenario_from(data)


def staffing() -> sk.Scenario:
    """Attrition while backlog hires and layoffs move the head count (the leave clock restarts at each)."""
    data = mmc_dict(2, 0.4, service_mean_h=10.0, horizon_days=120, warmup_days=0)
    data["teams"]["team"]["hiring"] = {"attrition_annual": 3.0, "hiring_lead_h": 100, "ramp_months": 0.5,
                                       "hire_when_backlog_per_staff": 2, "max_staff": 8,
                                       "layoff_after_idle_days": 5, "min_staff": 1}
    return scenario_from(data)


def staffing_hybrid() -> sk.Scenario:
    """Hiring on a day-shift team that overflows to a vendor: attrition at a high rate, replacements and backlog
    hires ramping up from a low start, layoffs down to a floor, beside priorities, clarification, patience,
    defects, a hand-off and outages rerouted to the team: every staffing decision meets the rest of the model."""
    data = mmc_dict(4, 3.2, horizon_days=150, warmup_days=5,
                    hybrid={"team": "team", "vendor": "acme", "routing": "overflow", "overflow_queue": 3},
                    by_kind={"team": "team", "vendor": "acme", "routing": "by_kind", "vendor_kinds": ["routine"]})
    data["calendars"] = {"client": {"open_hour": 8, "close_hour": 18, "days": ["mon", "tue", "wed", "thu", "fri"]},
                         "offshore": {"utc_offset_h": 5.5, "open_hour": 6, "close_hour": 22}}
    data["workload"]["kinds"] = {
        "urgent": {"share": 0.4, "effort_h": "lognormal(mean=0.8, cv=0.8)", "priority": 0, "clarify_share": 0.2,
                   "patience_h": "exponential(mean=40)"},
        "routine": {"share": 0.6, "effort_h": "gamma(mean=1, cv=0.5)", "priority": 1}}
    data["teams"]["team"] |= {
        "calendar": "client",
        "hiring": {"attrition_annual": 4.0, "hiring_lead_h": 150, "ramp_months": 1.5, "ramp_start_productivity": 0.3,
                   "hire_when_backlog_per_staff": 1.5, "max_staff": 9, "layoff_after_idle_days": 4, "min_staff": 2},
        "quality": {"defect_share": 0.1, "detection_delay_h": "exponential(mean=12)"}}
    data["vendors"] = {"acme": {
        "agents": 3, "calendar": "offshore", "price_per_item": 10, "handoff_h": 0.25,
        "outages": {"time_between_h": "exponential(mean=300)", "repair_h": "exponential(mean=8)",
                    "policy": "reroute"}}}
    return scenario_from(data)


def rosters_tiers() -> sk.Scenario:
    """Staggered shifts with weekend on-call, follow-the-sun routing, and vendor L1 -> team L2 -> vendor L3
    with clarification, patience, quality, outages and a hand-off on the way."""
    week = ["mon", "tue", "wed", "thu", "fri"]
    data = mmc_dict(2, 1.5, horizon_days=42, warmup_days=2,
                    sun={"team": "roster", "vendor": "acme", "routing": "time_of_day"},
                    tiers={"vendor": "acme", "escalation": [
                        {"pool": "roster", "share": 0.3, "share_by_kind": {"urgent": 0.6},
                         "effort_h": "exponential(mean=1.5)"},
                        {"pool": "l3", "share": 0.25, "effort_h": "gamma(mean=3, cv=0.8)"}]},
                    rostered={"team": "roster"})
    data["calendars"] = {"client": {"open_hour": 8, "close_hour": 18, "days": week},
                         "early": {"open_hour": 6, "close_hour": 14, "days": week},
                         "late": {"open_hour": 12, "close_hour": 21, "days": week},
                         "weekend": {"days": ["sat", "sun"]},
                         "offshore": {"utc_offset_h": 8, "open_hour": 8, "close_hour": 20}}
    data["workload"]["kinds"] = {
        "urgent": {"share": 0.3, "effort_h": "lognormal(mean=0.6, cv=0.7)", "priority": 0, "clarify_share": 0.2,
                   "patience_h": "exponential(mean=40)"},
        "routine": {"share": 0.7, "effort_h": "gamma(mean=0.8, cv=0.5)", "priority": 2}}
    data["teams"]["roster"] = {"shifts": [{"calendar": "early", "staff": 2}, {"calendar": "late", "staff": 2},
                                          {"calendar": "weekend", "staff": 1, "on_call": True,
                                           "call_out_fee": 80, "response_h": 0.5}],
                               "quality": {"defect_share": 0.1}}
    data["vendors"] = {
        "acme": {"agents": 3, "price_per_item": 9, "calendar": "offshore",
                 "outages": {"time_between_h": "exponential(mean=150)", "repair_h": "exponential(mean=6)"}},
        "l3": {"agents": 1, "price_per_item": 60, "handoff_h": 2, "quality": {"defect_share": 0.2}}}
    return scenario_from(data)


def rich_compiled() -> sk.Scenario:
    """Every mechanism the compiled kernel runs, at once: clarification, patience, hand-off, overtime, outages
    with rerouting, degradation, a learning curve, defects falling with experience, another client's load,
    overflow, by-kind and dual-sourcing routes, priorities."""
    data = mmc_dict(3, 2.5, horizon_days=60, warmup_days=3, vendor={"vendor": "acme"},
                    hybrid={"team": "team", "vendor": "acme", "routing": "overflow", "overflow_queue": 2},
                    by_kind={"team": "team", "vendor": "acme", "routing": "by_kind", "vendor_kinds": ["routine"]},
                    dual={"vendor": "acme", "backup": "beta", "backup_share": 0.3},
                    dual_team={"team": "team", "vendor": "beta", "backup": "acme", "backup_share": 0.5,
                               "routing": "overflow", "overflow_queue": 0})
    data["calendars"] = {"client": {"open_hour": 8, "close_hour": 18, "days": ["mon", "tue", "wed", "thu", "fri"]},
                         "offshore": {"utc_offset_h": 5.5, "open_hour": 9, "close_hour": 18}}
    data["workload"]["kinds"] = {
        "urgent": {"share": 0.3, "effort_h": "lognormal(mean=0.8, cv=0.7)", "priority": 0, "clarify_share": 0.3,
                   "patience_h": "exponential(mean=30)"},
        "routine": {"share": 0.7, "effort_h": "gamma(mean=1, cv=0.5)", "priority": 2, "clarify_share": 0.1},
    }
    data["teams"]["team"] |= {"overtime_h_per_day": 2, "quality": {"defect_share": 0.2, "defect_share_floor": 0.02,
                                                                  "defect_halving_months": 0.5}}
    data["vendors"] = {
        "acme": {"agents": 4, "calendar": "offshore", "price_per_item": 10, "handoff_h": 0.5,
                 "outages": {"time_between_h": "exponential(mean=150)", "repair_h": "exponential(mean=10)",
                             "policy": "reroute"},
                 "quality": {"defect_share": 0.1, "detection_share": 0.7,
                             "detection_delay_h": "exponential(mean=20)"},
                 "transition": {"start_productivity": 0.6, "learning_rate": 0.85},
                 "shared": {"background_rate_per_hour": 1.0, "background_effort_h": "exponential(mean=1)",
                            "client_priority": "lower"}},
        "beta": {"agents": 2, "price_per_item": 12, "degradation": {
            "time_between_h": "exponential(mean=200)", "duration_h": "exponential(mean=50)", "defect_factor": 2},
                 "quality": {"defect_share": 0.05}},
    }
    return scenario_from(data)


CASES = {
    "mmc": lambda: scenario_from(mmc_dict(5, 4.5, horizon_days=40, warmup_days=2)),
    "helpdesk": lambda: sk.load(SCENARIOS / "startup_it_helpdesk.yaml").override({"run.horizon_days": 56}),
    "rich": rich,
    "staffing": staffing,
    "staffing_hybrid": staffing_hybrid,
    "rosters_tiers": rosters_tiers,
    "rich_compiled": rich_compiled,
}


def assert_same(a, b, where: str) -> None:  # noqa: ANN001
    for col in COLUMNS:
        np.testing.assert_array_equal(getattr(a, col), getattr(b, col), err_msg=f"{where}/{col}")
    assert a.events == b.events and a.staff_log == b.staff_log and a.on_call_work == b.on_call_work, where
    assert (a.tiers is None) == (b.tiers is None), where
    if a.tiers is not None:
        for col in ("enter_h", "start_h", "end_h", "done_by"):
            np.testing.assert_array_equal(getattr(a.tiers, col), getattr(b.tiers, col), err_msg=f"{where}/tiers/{col}")


def run_every_kernel(sc: sk.Scenario, option: str, trace, st: Streams, where: str):  # noqa: ANN001
    """The option's log on every kernel that can run it, checked equal item by item; the reference log."""
    a = simulate_option(sc, option, trace, st, kernel="process")
    assert_same(a, simulate_option(sc, option, trace, st, kernel="fast"), f"{where}/fast")
    if compiled.available() and compiled.unsupported(sc, option) is None:
        assert_same(a, simulate_option(sc, option, trace, st, kernel="compiled"), f"{where}/compiled")
    return a


@pytest.mark.parametrize("case", sorted(CASES))
def test_kernels_agree_item_by_item(case: str) -> None:
    sc = CASES[case]()
    seen: set[str] = set()
    for rep in range(2):
        st = Streams(7, rep)
        trace = draw_trace(sc, st)
        for option in sc.option_names:
            a = run_every_kernel(sc, option, trace, st, f"{case}/{option}/{rep}")
            seen.update(what for _, _, what in a.events)
            if case == "rich_compiled":
                seen.update(col for col in ("clarify_rounds", "reworks", "escaped") if getattr(a, col).any())
                if (a.status == 3).any():
                    seen.add("abandoned")
    if case == "rich":  # every mechanism on: the review clause acted too
        assert {"review", "remediation", "exit:cause"} <= seen, seen
    if case == "rosters_tiers":
        assert "call_out" in seen
    if case == "rich_compiled":  # the compiled kernel ran every option, and each mechanism acted
        assert all(compiled.unsupported(sc, option) is None for option in sc.option_names)
        assert {"abandoned", "clarify_rounds", "reworks", "escaped"} <= seen, seen
    if case in ("staffing", "staffing_hybrid"):  # on the compiled kernel too, with every staffing change
        assert all(compiled.unsupported(sc, option) is None for option in sc.option_names)
        assert {"hire", "leave", "layoff"} <= seen, seen


@needs_numba
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(staff=st.integers(0, 5), attrition=st.sampled_from([0.0, 1e-9, 0.5, 5.0]),
       lead=st.sampled_from([0.0, 24.0, 90.5]), ramp=st.sampled_from([0.0, 0.4, 2.0]),
       start=st.sampled_from([0.1, 0.5, 1.0]),
       backlog=st.none() | st.sampled_from([0.5, 2.0]), max_staff=st.none() | st.integers(0, 7),
       layoff=st.none() | st.sampled_from([0.5, 3.0]), min_staff=st.integers(0, 3), always_open=st.booleans(),
       seed=st.integers(0, 2**16))
def test_compiled_hiring_on_random_staffing(staff: int, attrition: float, lead: float, ramp: float, start: float,
                                            backlog: float | None, max_staff: int | None, layoff: float | None,
                                            min_staff: int, always_open: bool, seed: int) -> None:
    """Any hiring policy — nobody on the team at the start, a rate too small to act, hires with no lead time,
    ramps from 10%, backlog hiring with or without a cap, layoffs to a floor — on a team that works shifts or
    round the clock beside an overflow vendor: the compiled log is the reference's, item by item."""
    hiring = {"attrition_annual": attrition, "hiring_lead_h": lead, "ramp_months": ramp,
              "ramp_start_productivity": start, "min_staff": min_staff}
    hiring |= {k: v for k, v in (("hire_when_backlog_per_staff", backlog), ("max_staff", max_staff),
                                 ("layoff_after_idle_days", layoff)) if v is not None}
    sc = CASES["staffing_hybrid"]().override({"run.horizon_days": 45, "teams.team.staff": staff,
                                              "teams.team.hiring": hiring,
                                              "teams.team.calendar": "offshore" if always_open else "client"})
    st_ = Streams(seed, 0)
    trace = draw_trace(sc, st_)
    for option in sc.option_names:
        assert compiled.unsupported(sc, option) is None
        run_every_kernel(sc, option, trace, st_, f"{option}/{seed}")


@needs_numba
def test_compiled_hiring_beyond_its_spare_server_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no spare server numbers, every hire sends the loop back for bigger arrays; it resumes where it
    stopped and the log is the reference's, item by item."""
    monkeypatch.setattr(compiled, "SPARE_SERVERS", 0)
    grown = []
    real_grow = compiled._grow
    monkeypatch.setattr(compiled, "_grow", lambda *a: grown.append(1) or real_grow(*a))
    sc = CASES["staffing_hybrid"]()
    st = Streams(11, 0)
    trace = draw_trace(sc, st)
    a = run_every_kernel(sc, "hybrid", trace, st, "spare0")
    assert sum(what == "hire" for _, _, what in a.events) >= 2 and len(grown) >= 2


@needs_numba
def test_compiled_attrition_draws_follow_numpy() -> None:
    """Who leaves and when come from the team's attrition stream exactly as the Python kernels draw them:
    numba's exponential and Lemire bounded integers on the same generator, in any interleaving."""
    sequence = np.random.default_rng(3).integers(1, 60, 3000)
    ours, theirs = np.random.default_rng(8), np.random.default_rng(8)
    ev, st = np.zeros((2, 6)), np.zeros(15, np.int64)
    sv = compiled._servers(np.array([1]), 0, 2, np.array([0.25 / 8766.0, *[0.0] * 9]))  # the loop's types
    for k, n in enumerate(sequence.tolist()):
        if k % 2:
            st[jitloop.MEMBERS], st[0] = n, 0
            jitloop._next_leaver(0, 1.0, ev, st, sv, ours)
            assert ev[0, 0] == 1.0 + theirs.exponential(1.0 / (0.25 / 8766.0 * n))
        elif n > 1:
            assert jitloop._lemire32(ours.bit_generator, n - 1) == theirs.integers(n)
    assert ours.random() == theirs.random()


@needs_numba
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                                   HealthCheck.filter_too_much])
@given(data=scenarios())
def test_every_kernel_agrees_on_random_scenarios(data: dict) -> None:
    """Random scenarios from the invariant suite's generator: any option the compiled kernel takes gives the
    reference log item by item (the others are compared between the two Python kernels)."""
    try:
        sc = scenario_from(data)
    except (sk.ScenarioError, ValueError) as err:  # a combination the schema refuses: draw again
        note(str(err))
        assume(False)
    assume(any(compiled.unsupported(sc, o) is None for o in sc.option_names))
    st = Streams(sc.run.seed, 0)
    trace = draw_trace(sc, st)
    for option in sc.option_names:
        run_every_kernel(sc, option, trace, st, option)


def test_auto_falls_back_for_mechanisms_off_the_list(monkeypatch: pytest.MonkeyPatch) -> None:
    sc = CASES["rich"]()
    expected = {"vendor": "vendors.acme.exit", "hybrid": "vendors.acme.exit", "dual": "vendors.acme.exit"}
    monkeypatch.delenv(compiled.ENV_VAR, raising=False)
    for option, field in expected.items():
        assert compiled.unsupported(sc, option) == field
        assert compiled.choose(sc, option) == "fast"
        if compiled.available():
            with pytest.raises(ScenarioError, match=rf"kernel: 'compiled' cannot run option '{option}': {field}"):
                compiled.choose(sc, option, "compiled")
    plain = CASES["mmc"]()
    assert compiled.choose(plain, "in_house") == ("compiled" if compiled.available() else "fast")
    assert compiled.choose(sc, "in_house") == compiled.choose(plain, "in_house")  # hiring is on the list
    elastic = sc.override({"options.in_house.vendor": "acme", "options.in_house.routing": "overflow",
                           "vendors.acme.exit": None, "vendors.acme.review": None})
    assert compiled.unsupported(elastic, "in_house") == "vendors.acme.elastic"

    class RosteredTeam(TeamSpec):  # a mechanism added after the list was written: off it until added
        roster: str | None = None

    team = RosteredTeam(**plain.teams["team"].model_dump(), roster="two shifts")
    assert compiled._check("teams.team", team) == "teams.team.roster"
    assert compiled._check("teams.team", RosteredTeam(**plain.teams["team"].model_dump())) is None


def test_choosing_a_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argument, then SIMKIT_KERNEL, then run.kernel; bad names and a missing compiler are one-line errors."""
    sc = CASES["mmc"]()
    monkeypatch.delenv(compiled.ENV_VAR, raising=False)
    assert compiled.choose(sc.override({"run.kernel": "process"}), "in_house") == "process"
    monkeypatch.setenv(compiled.ENV_VAR, "fast")
    assert compiled.choose(sc.override({"run.kernel": "process"}), "in_house") == "fast"
    assert compiled.choose(sc, "in_house", "callback") == "fast"
    monkeypatch.setenv(compiled.ENV_VAR, "turbo")
    with pytest.raises(ScenarioError, match="SIMKIT_KERNEL: 'turbo' is not a kernel; allowed: auto, compiled"):
        compiled.choose(sc, "in_house")
    with pytest.raises(ScenarioError, match="run.kernel"):
        sc.override({"run.kernel": "turbo"})
    monkeypatch.delenv(compiled.ENV_VAR)
    monkeypatch.setattr(compiled, "HAVE_NUMBA", False)
    assert compiled.choose(sc, "in_house") == "fast"  # auto: the pure-Python kernel where numba is missing
    with pytest.raises(ScenarioError, match=r"run.kernel: 'compiled' needs the 'fast' extra: "
                                            r"pip install \"simkit-sourcing\[fast\]\" \('auto' runs without it\)$"):
        compiled.choose(sc.override({"run.kernel": "compiled"}), "in_house")


def _packed(tl) -> tuple:  # noqa: ANN001
    return compiled._timelines([tl])


@settings(max_examples=300, deadline=None)
@given(open_hour=st.sampled_from([0.0, 7.5, 9.0, 22.0]), length=st.sampled_from([4.0, 8.0, 10.5, 24.0]),
       offset=st.sampled_from([-5.0, 0.0, 5.5]), days=st.integers(1, 7),
       t=st.floats(0.0, 5000.0), work=st.floats(0.0, 300.0) | st.sampled_from([0.0, 1e-13, 8.0, 40.0]))
def test_compiled_calendar_arithmetic_is_bit_identical(open_hour: float, length: float, offset: float, days: int,
                                                       t: float, work: float) -> None:
    close = (open_hour + length) % 24.0
    cal = Calendar.weekly(offset, open_hour, close, ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][:days])
    tl = _packed(cal)
    assert jitloop.is_open(tl, 0, t) == cal.is_open(t)
    assert jitloop.next_open(tl, 0, t) == cal.next_open(t)
    assert jitloop.advance(tl, 0, t, work) == cal.advance(t, work) or tl[0][0] == jitloop.ALWAYS
    line = CapacityTimeline.from_calendar(cal, 3000.0).scaled([(100.0, 250.5), (1000.0, 1001.0)], 0.0) \
        .stepped([0.0, 730.5, 1461.0], [0.6, 0.8, 0.9])
    tl = _packed(line)
    assert jitloop.is_open(tl, 0, t) == line.is_open(t)
    assert jitloop.next_open(tl, 0, t) == line.next_open(t)
    assert jitloop.advance(tl, 0, t, work) == line.advance(t, work)


def test_compiled_constants_follow_the_engine() -> None:
    assert jitloop.HOURS_PER_MONTH == workload.HOURS_PER_MONTH
    assert jitloop.HIRING_CHECK_H == staffing_module.HIRING_CHECK_H
    assert (jitloop.COMPLETED, jitloop.IN_SERVICE, jitloop.QUEUED, jitloop.ABANDONED) == (0, 1, 2, 3)
    assert math.isinf(jitloop.next_open(_packed(CapacityTimeline(np.array([0.0]), np.array([0.0]), 10.0)), 0, 1.0))


def test_unknown_kernel() -> None:
    sc = CASES["mmc"]()
    st = Streams(1, 0)
    with pytest.raises(ValueError, match="kernel must be one of"):
        simulate_option(sc, "in_house", draw_trace(sc, st), st, kernel="turbo")


@settings(max_examples=60, deadline=None)
@given(plan=st.lists(st.tuples(st.sampled_from([0.0, 0.5, 1.0, 2.0]), st.booleans(), st.integers(0, 2)),
                     min_size=1, max_size=25))
def test_the_fast_loop_keeps_simpys_order(plan: list[tuple[float, bool, int]]) -> None:
    """Calls, timeouts, processes and events due at the same instants run in the same order on SimPy's
    loop and on the fast one, including calls kept in the slot beside the heap (``call_next``; ties are the
    point: the delays are few and coincide often)."""

    def trace(env_class: type) -> list[tuple[float, str]]:
        env, seen = env_class(), []

        def note(label: str) -> None:
            seen.append((env.now, label))

        def proc(k: int, delay: float):
            yield env.timeout(delay)
            note(f"process {k}")
            ev = env.event()
            ev.callbacks.append(lambda _ev, k=k: note(f"event {k}"))
            ev.succeed()

        for k, (delay, as_process, chained) in enumerate(plan):
            if as_process:
                env.process(proc(k, delay))
            else:
                def call(arg: tuple[int, int], delay: float = delay, k: int = k) -> None:
                    note(f"call {arg}")
                    if arg[1] > 0:  # a call that schedules another: the arrival chain's pattern
                        schedule = env.call_next if k % 2 else env.call_later  # beside the heap, or in it
                        schedule(delay, call, (arg[0], arg[1] - 1))
                env.call_next(delay, call, (k, chained)) if k % 3 == 0 else env.call_later(delay, call, (k, chained))
        env.run(until=10.0)
        return seen

    assert trace(FastEnvironment) == trace(Environment)


def _run_in_worker(seed: int) -> tuple[int, int, int, int]:
    """One task of a process pool: an option on the compiled kernel; what the worker's compiled loop has seen."""
    sc = CASES["mmc"]()
    st = Streams(seed, 0)
    simulate_option(sc, "in_house", draw_trace(sc, st), st, kernel="compiled")
    stats = jitloop.run_loop.stats
    return (os.getpid(), len(jitloop.run_loop.signatures), sum(stats.cache_misses.values()),
            sum(stats.cache_hits.values()))


@needs_numba
def test_pool_workers_load_the_compiled_code_once() -> None:
    """A fresh worker (spawned, as a dask worker is) loads the compiled loop from the disk cache on its first
    task and compiles nothing; its next tasks reuse it."""
    _run_in_worker(0)  # the code is in the disk cache (compiled here if it was not)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        first, second, third = pool.map(_run_in_worker, [1, 2, 3])
    assert first[0] == second[0] == third[0]  # one worker ran the three tasks
    assert first[1:] == second[1:] == third[1:] == (1, 0, 1)  # one signature, loaded from the cache, once
