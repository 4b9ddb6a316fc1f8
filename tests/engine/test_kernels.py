"""The callback kernel (default) and the process-per-server kernel give identical logs."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS, mmc_dict, scenario_from
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.engine import simulate_option
from simkit.engine.loop import Environment, FastEnvironment
from simkit.experiment.simulate import draw_trace
from simkit.streams import Streams


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


CASES = {
    "mmc": lambda: scenario_from(mmc_dict(5, 4.5, horizon_days=40, warmup_days=2)),
    "helpdesk": lambda: sk.load(SCENARIOS / "startup_it_helpdesk.yaml").override({"run.horizon_days": 56}),
    "rich": rich,
    "staffing": staffing,
    "rosters_tiers": rosters_tiers,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_kernels_agree_item_by_item(case: str) -> None:
    sc = CASES[case]()
    seen: set[str] = set()
    for rep in range(2):
        st = Streams(7, rep)
        trace = draw_trace(sc, st)
        for option in sc.option_names:
            a = simulate_option(sc, option, trace, st, kernel="process")
            b = simulate_option(sc, option, trace, st, kernel="callback")
            for col in ("pool", "enter_h", "start_h", "end_h", "status", "clarify_h", "reworks", "escaped",
                        "busy_h", "open_server_h", "down_h"):
                np.testing.assert_array_equal(getattr(a, col), getattr(b, col), err_msg=f"{case}/{option}/{col}")
            assert a.events == b.events and a.staff_log == b.staff_log and a.on_call_work == b.on_call_work
            assert (a.tiers is None) == (b.tiers is None)
            if a.tiers is not None:
                for col in ("enter_h", "start_h", "end_h", "done_by"):
                    np.testing.assert_array_equal(getattr(a.tiers, col), getattr(b.tiers, col), err_msg=col)
            seen.update(what for _, _, what in b.events)
    if case == "rich":  # every mechanism on: the review clause acted too
        assert {"review", "remediation", "exit:cause"} <= seen, seen
    if case == "rosters_tiers":
        assert "call_out" in seen


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
