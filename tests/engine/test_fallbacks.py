"""Fallbacks behave like any other pool from their start, and not before.

A fallback team's attrition, hiring and layoffs start with it (scheduled, or opened by a termination
for cause), and it is paid from then; a fallback vendor's own exit is drawn from its start and hands the
work down the chain; what the engine cannot run for a fallback is refused when the scenario is loaded.
Every case is run on each kernel that takes it, and the logs compared item by item.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import mmc_dict, scenario_from
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_kernels import run_every_kernel
from test_review import M
from test_review import scenario as review_scenario
from test_review import trace as review_trace

import simkit as sk
from simkit.accounting.book import CATEGORIES
from simkit.accounting.costs import account, log_usage
from simkit.engine import compiled, simulate_option
from simkit.engine.risk import exit_time_h
from simkit.engine.wiring import choose_members
from simkit.experiment.simulate import draw_trace
from simkit.streams import Streams
from simkit.units import HOURS_PER_MONTH, HOURS_PER_YEAR

STAFFING = ("hire", "leave", "layoff")
WINDOW = (48.0, 300 * 24.0)


def _rescue(attrition: float = 5.0, backlog: float | None = 1.0, layoff: float | None = 2.0) -> dict:
    hiring = {"attrition_annual": attrition, "hiring_lead_h": 72.0, "ramp_months": 0.5, "min_staff": 1,
              "recruiting_cost": 5000.0, "severance_per_fte": 8000.0}
    hiring |= {k: v for k, v in (("hire_when_backlog_per_staff", backlog), ("layoff_after_idle_days", layoff))
               if v is not None}
    return {"staff": 3, "loaded_cost_per_hour": 40.0, "hiring": hiring}


def fallback_team(exit_month: float = 3.0, lead_h: float = 200.0, horizon_days: float = 200, **rescue: object
                  ) -> sk.Scenario:
    """A vendor terminated at ``exit_month``; a new in-house team with hiring takes over ``lead_h`` later."""
    data = mmc_dict(2, 1.2, horizon_days=horizon_days, warmup_days=2, vendor={"vendor": "acme"})
    data["teams"]["rescue"] = _rescue(**rescue)
    data["vendors"] = {"acme": {"agents": 2, "price_per_item": 10.0, "exit": {
        "terminate_at_month": exit_month, "fallback": "rescue", "switch_lead_h": lead_h}}}
    return scenario_from(data)


def chain(beta_exit: dict, **gamma: object) -> sk.Scenario:
    """acme (terminated at month 1) -> beta (a new vendor with ``beta_exit``) -> ``beta_exit``'s fallback."""
    data = mmc_dict(2, 1.0, horizon_days=300, warmup_days=2, vendor={"vendor": "acme"})
    data["teams"]["rescue"] = _rescue()
    data["vendors"] = {
        "acme": {"agents": 2, "price_per_item": 10.0,
                 "exit": {"terminate_at_month": 1, "fallback": "beta", "switch_lead_h": 100}},
        "beta": {"agents": 2, "price_per_item": 12.0, "exit": beta_exit},
        "gamma": {"agents": 2, "price_per_item": 14.0, **gamma},
    }
    return scenario_from(data)


def staffing_times(log, name: str) -> list[float]:  # noqa: ANN001
    return [t for t, pool, what in log.events if pool == name and what in STAFFING]


def start_of(log, name: str) -> float:  # noqa: ANN001
    return next(t for t, pool, what in log.events if pool == name and what == "fallback_start")


# -- a fallback team -----------------------------------------------------------------------------------------------
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exit_month=st.floats(0.0, 4.0), lead_h=st.sampled_from([0.0, 24.0, 500.0, 2000.0]),
       attrition=st.sampled_from([0.5, 2.0, 5.0]), backlog=st.none() | st.just(1.0),
       layoff=st.none() | st.sampled_from([0.5, 3.0]), seed=st.integers(0, 2**16))
def test_a_fallback_teams_staffing_changes_all_fall_after_its_start(exit_month: float, lead_h: float,
                                                                    attrition: float, backlog: float | None,
                                                                    layoff: float | None, seed: int) -> None:
    """Whenever the team starts, nobody leaves, is hired or laid off before; the kernels agree item by item."""
    sc = fallback_team(exit_month, lead_h, horizon_days=150, attrition=attrition, backlog=backlog, layoff=layoff)
    streams = Streams(seed, 0)
    log = run_every_kernel(sc, "vendor", draw_trace(sc, streams), streams, f"fallback team/{seed}")
    start = start_of(log, "rescue")
    assert start == pytest.approx(min(48.0 + exit_month * HOURS_PER_MONTH + lead_h, 150 * 24.0))
    assert all(t >= start for t in staffing_times(log, "rescue"))
    assert all(t >= start for t, _ in log.staff_log.get("rescue", []))


def test_a_fallback_team_loses_people_at_its_rate_from_its_start_only() -> None:
    """Late in a long run, at 5 leavers a year for each of 3 people: counted from time 0, some 25 would leave
    before the team exists in each replication (about 500 over 20).  Each replication's leaves all come after
    its start, and their count over replications matches the rate times the people-years from the start
    (about 98) within 4 sd plus 5% for the vacancies: a band of about 45, a tenth of that error."""
    sc = fallback_team(exit_month=20.0, lead_h=0.0, horizon_days=730, backlog=None, layoff=None)
    leaves, exposure = 0, 0.0
    for rep in range(20):
        streams = Streams(5, rep)
        log = simulate_option(sc, "vendor", draw_trace(sc, streams), streams, kernel="fast")
        start = start_of(log, "rescue")
        times = [t for t, pool, what in log.events if pool == "rescue" and what == "leave"]
        assert all(t >= start for t in times)
        leaves += len(times)
        exposure += 3 * (730 * 24.0 - start) / HOURS_PER_YEAR  # a leaver is replaced after 72 h: ~3 people
    expected = 5.0 * exposure
    assert 4 * math.sqrt(expected) + 0.05 * expected < 0.2 * 5.0 * 3 * 20 * (20 * HOURS_PER_MONTH) / HOURS_PER_YEAR
    assert abs(leaves - expected) < 4 * math.sqrt(expected) + 0.05 * expected, (leaves, expected)


def test_a_fallback_team_is_paid_from_its_start() -> None:
    """No wages, overhead or recruiting in the months before the team starts; wages from then on."""
    sc = fallback_team(exit_month=3.0, lead_h=0.0, horizon_days=200)
    streams = Streams(2, 0)
    log = simulate_option(sc, "vendor", draw_trace(sc, streams), streams)
    use = log_usage(sc, log)
    rescue = next(p for p in use.pools if p.name == "rescue")
    assert rescue.start_month == 3
    assert not rescue.staff_h[:3].any() and rescue.staff_h[3:].all()
    ledger = account(sc, log)
    for cat in ("labour", "overhead", "recruiting", "severance"):
        mine = ledger.category == CATEGORIES.index(cat)
        assert not ledger.amount[mine & (ledger.month < 3)].any(), cat
    labour = ledger.category == CATEGORIES.index("labour")
    assert ledger.amount[labour & (ledger.month >= 3)].sum() > 0


def test_a_fallback_team_opened_by_a_termination_for_cause_staffs_from_then() -> None:
    """The deterministic review case of ``test_review``: acme is terminated for cause at the end of month 5
    and the new team starts 48 h later; its hires and leaves all fall after that, on both Python kernels."""
    data = review_scenario().model_dump(mode="json")
    data["teams"]["rescue"] = _rescue(attrition=5.0, backlog=1.0, layoff=None)
    data["vendors"]["acme"]["exit"]["fallback"] = "rescue"
    sc = scenario_from(data)
    streams = Streams(1, 0)
    log = run_every_kernel(sc, "vendor", review_trace(), streams, "for cause")
    assert start_of(log, "rescue") == pytest.approx(5 * M + 48)
    times = staffing_times(log, "rescue")
    assert times and all(t >= 5 * M + 48 for t in times)


def test_a_fallback_team_never_opened_has_no_staffing_at_all() -> None:
    """A floor nobody misses: no termination, so the deferred team never starts and never hires or loses anyone."""
    data = review_scenario(floor_share=0.0).model_dump(mode="json")
    data["teams"]["rescue"] = _rescue(attrition=5.0)
    data["vendors"]["acme"]["exit"]["fallback"] = "rescue"
    sc = scenario_from(data)
    streams = Streams(1, 0)
    log = run_every_kernel(sc, "vendor", review_trace(), streams, "never opened")
    assert "rescue" not in log.pool_names and "rescue" not in log.staff_log


def test_the_compiled_kernel_leaves_exits_to_the_python_kernels() -> None:
    """An exit is off the compiled kernel's list, so an option with a fallback runs on ``fast``."""
    sc = fallback_team()
    assert compiled.unsupported(sc, "vendor") == "vendors.acme.exit"
    assert compiled.unsupported(sc, "in_house") is None


# -- a fallback vendor with an exit of its own -------------------------------------------------------------------
def test_a_fallback_vendors_termination_month_counts_from_its_start() -> None:
    sc = chain({"terminate_at_month": 2, "fallback": "rescue", "switch_lead_h": 300})
    m = choose_members(sc, sc.options["vendor"], Streams(1, 0), WINDOW)
    beta_start = 48.0 + HOURS_PER_MONTH + 100
    assert m.names == ["acme", "beta", "rescue"] and m.roles == ["vendor", "vendor", "team"]
    assert m.exits == {"acme": pytest.approx(48.0 + HOURS_PER_MONTH), "beta": pytest.approx(beta_start + 2 * M)}
    assert m.fallback_start == {"beta": pytest.approx(beta_start), "rescue": pytest.approx(beta_start + 2 * M + 300)}
    assert m.started_by == {"beta": "acme", "rescue": "beta"}
    assert m.exit_to(sc, "rescue") is sc.vendors["beta"].exit


@settings(max_examples=25, deadline=None)
@given(hazard=st.floats(0.05, 50.0), seed=st.integers(0, 2**20))
def test_a_fallback_vendors_insolvency_is_drawn_from_its_start(hazard: float, seed: int) -> None:
    """The hazard runs from the fallback's start, on its own stream: the very draw an option that started
    with beta would make, shifted to beta's start."""
    sc = chain({"hazard_per_year": hazard, "fallback": "gamma"})
    m = choose_members(sc, sc.options["vendor"], Streams(seed, 0), WINDOW)
    start = m.fallback_start["beta"]
    expected = exit_time_h(sc.vendors["beta"].exit, start, Streams(seed, 0).rng("exit:beta"))
    if expected < WINDOW[1]:
        assert m.exits["beta"] == expected > start
        assert m.names[-1] == "gamma" and m.fallback_start["gamma"] == expected
    else:
        assert "beta" not in m.exits and "gamma" not in m.names


def test_a_chain_of_fallbacks_runs_to_its_end_on_every_python_kernel() -> None:
    """acme -> beta -> gamma -> rescue, each exit a termination: the work and the items pass down the chain,
    each pool active from its start to its exit, and each exit priced."""
    sc = chain({"terminate_at_month": 1, "fallback": "gamma", "switch_lead_h": 50, "switching_cost": 1000.0},
               exit={"terminate_at_month": 1, "fallback": "rescue", "switch_lead_h": 50, "exit_fee": 500.0})
    streams = Streams(4, 0)
    log = run_every_kernel(sc, "vendor", draw_trace(sc, streams), streams, "chain")
    assert log.pool_names == ("acme", "beta", "gamma", "rescue")
    a = 48.0 + M
    b = a + 100 + M
    g = b + 50 + M
    np.testing.assert_allclose(log.active_h, [[48.0, a], [a + 100, b], [b + 50, g], [g + 50, 300 * 24.0]])
    assert [(w, p) for _, p, w in log.events if not w.startswith(STAFFING)][:6] == [
        ("exit:termination", "acme"), ("fallback_start", "beta"), ("exit:termination", "beta"),
        ("fallback_start", "gamma"), ("exit:termination", "gamma"), ("fallback_start", "rescue")]
    np.testing.assert_allclose(log.down_h[:3], [100.0, 50.0, 50.0])
    for k, (lo, hi) in enumerate(log.active_h.tolist()):  # each pool finished work only while it was there
        done = (log.pool == k) & ~np.isnan(log.end_h)
        assert done.any()
        assert (log.end_h[done] > (lo if k else 0.0)).all() and (log.end_h[done] <= hi).all()
    costs = account(sc, log).by_category()
    assert costs["switching"] == pytest.approx(1000.0) and costs["exit_fee"] == pytest.approx(500.0)


def test_a_fallback_several_exits_bring_in_starts_at_the_earliest() -> None:
    """Vendor and backup both hand over to the same new team: it starts with the first exit's plan."""
    data = mmc_dict(2, 1.0, horizon_days=300, warmup_days=2,
                    dual={"vendor": "acme", "backup": "beta", "backup_share": 0.5})
    data["teams"]["rescue"] = _rescue()
    data["vendors"] = {
        "acme": {"agents": 2, "price_per_item": 10.0,
                 "exit": {"terminate_at_month": 3, "fallback": "rescue", "switch_lead_h": 10}},
        "beta": {"agents": 2, "price_per_item": 10.0,
                 "exit": {"terminate_at_month": 1, "fallback": "rescue", "switch_lead_h": 500,
                          "ramp_start_productivity": 0.5, "ramp_months": 2}}}
    sc = scenario_from(data)
    m = choose_members(sc, sc.options["dual"], Streams(1, 0), WINDOW)
    assert m.fallback_start == {"rescue": pytest.approx(48.0 + M + 500)} and m.started_by == {"rescue": "beta"}
    assert m.exit_to(sc, "rescue").ramp_months == 2


def test_a_fallback_already_in_the_option_takes_a_chained_exits_work_at_once() -> None:
    data = mmc_dict(2, 1.0, horizon_days=300, warmup_days=2, hybrid={"team": "team", "vendor": "acme",
                                                                       "routing": "overflow"})
    data["vendors"] = {
        "acme": {"agents": 2, "price_per_item": 10.0,
                 "exit": {"terminate_at_month": 1, "fallback": "beta", "switch_lead_h": 100}},
        "beta": {"agents": 2, "price_per_item": 12.0, "exit": {"terminate_at_month": 1, "fallback": "team"}}}
    sc = scenario_from(data)
    m = choose_members(sc, sc.options["hybrid"], Streams(1, 0), WINDOW)
    assert m.names == ["team", "acme", "beta"] and set(m.exits) == {"acme", "beta"}
    assert set(m.fallback_start) == {"beta"}  # the team needs no start: it was working already


# -- what is refused -----------------------------------------------------------------------------------------------
def test_a_review_on_a_vendor_that_joins_only_as_a_fallback_is_refused() -> None:
    assert chain({"terminate_at_month": 1, "fallback": "gamma"}).vendors["gamma"].review is None
    with pytest.raises(sk.ScenarioError) as err:
        chain({"terminate_at_month": 1, "fallback": "gamma"},
              review={"floor_share": 0.9, "months_below": 1, "penalty": 10.0})
    assert err.value.path == "vendors.gamma.review"
    assert "'gamma' joins option 'vendor' only as the fallback of vendor 'beta'" in str(err.value)


def test_a_review_on_a_fallback_the_option_starts_with_is_accepted() -> None:
    data = mmc_dict(2, 1.0, dual={"vendor": "acme", "backup": "beta", "backup_share": 0.5})
    data["vendors"] = {"acme": {"agents": 1, "price_per_item": 1.0, "exit": {"hazard_per_year": 1, "fallback": "beta"}},
                       "beta": {"agents": 1, "price_per_item": 1.0, "review": {"floor_share": 0.5, "months_below": 1}}}
    assert scenario_from(data).vendors["beta"].review is not None


def test_an_exit_on_the_new_fallback_of_a_vendor_terminable_for_cause_is_refused() -> None:
    data = review_scenario().model_dump(mode="json")
    data["vendors"]["acme"]["exit"]["fallback"] = "beta"
    data["vendors"]["beta"] = {"agents": 1, "price_per_item": 5.0, "exit": {"hazard_per_year": 1, "fallback": "team"}}
    with pytest.raises(sk.ScenarioError) as err:
        scenario_from(data)
    assert err.value.path == "vendors.beta.exit" and "terminated for cause" in str(err.value)
    del data["vendors"]["beta"]["exit"]
    assert scenario_from(data).vendors["beta"].exit is None


def test_a_chain_that_ends_on_an_escalation_tier_is_refused() -> None:
    data = mmc_dict(2, 1.0, tiered={"vendor": "acme", "escalation": [
        {"pool": "team", "share": 0.1, "effort_h": "exponential(mean=1)"}]})
    data["vendors"] = {
        "acme": {"agents": 1, "price_per_item": 1.0, "exit": {"terminate_at_month": 1, "fallback": "beta"}},
        "beta": {"agents": 1, "price_per_item": 1.0, "exit": {"terminate_at_month": 1, "fallback": "team"}}}
    with pytest.raises(sk.ScenarioError) as err:
        scenario_from(data)
    assert err.value.path == "vendors.beta.exit.fallback"
