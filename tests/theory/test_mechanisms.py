"""Outsourcing mechanisms against closed forms, and by the direction and size of their effects.

Each mechanism is off by default; switched on, it must match its closed form inside a
95% confidence interval (fixed seeds), or move the KPIs the way and by the amount its
design says on a scenario built to show it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import mmc_dict, scenario_from

import simkit as sk
from simkit import analytic
from simkit.accounting.costs import account, price_factors
from simkit.accounting.kpi import measure
from simkit.engine import simulate_option
from simkit.engine.log import ABANDONED
from simkit.engine.risk import exit_time_h, fx_path, wright_factors
from simkit.experiment.simulate import draw_trace
from simkit.scenario.mechanisms import ContractSpec, ExitSpec, FxSpec
from simkit.stats.estimates import mean_ci
from simkit.streams import Streams
from simkit.units import HOURS_PER_MONTH, HOURS_PER_YEAR


def runs(sc: sk.Scenario, option: str, reps: int, seed: int = 1) -> list[tuple]:
    """(log, ledger, kpis) of ``option`` over ``reps`` replications."""
    out = []
    for r in range(reps):
        st = Streams(seed, r)
        log = simulate_option(sc, option, draw_trace(sc, st), st)
        ledger = account(sc, log)
        out.append((log, ledger, measure(sc, log, ledger)))
    return out


def vendor_dict(horizon_days: float = 60, rate: float = 2.0, agents: int = 4, **vendor: object) -> dict:
    data = mmc_dict(3, rate, horizon_days=horizon_days, warmup_days=0, vendor={"vendor": "acme"})
    data["vendors"] = {"acme": {"agents": agents, "price_per_item": 10.0, **vendor}}
    return data


# ---------------------------------------------------------------------------- failure
def test_outage_availability_matches_mtbf_over_mtbf_plus_mttr() -> None:
    sc = scenario_from(vendor_dict(horizon_days=120, rate=0.5, outages={
        "time_between_h": "exponential(mean=100)", "repair_h": "exponential(mean=8)"}))
    kp = [k for _, _, k in runs(sc, "vendor", 40, seed=3)]
    m, _, lo, hi = mean_ci(np.array([k["availability_share"] for k in kp]))
    expected = analytic.availability(100, 8)
    assert lo <= expected <= hi, (expected, lo, hi)
    assert sum(k["outages_count"] for k in kp) > 100


def test_nothing_is_served_during_an_outage_and_reroute_uses_the_team() -> None:
    data = vendor_dict(horizon_days=60, rate=2.0, outages={"time_between_h": "exponential(mean=50)",
                                                           "repair_h": "deterministic(value=10)"})
    data["options"]["hybrid"] = {"team": "team", "vendor": "acme", "routing": "overflow", "overflow_queue": 0}
    sc = scenario_from(data)
    st = Streams(2, 0)
    trace = draw_trace(sc, st)
    log = simulate_option(sc, "vendor", trace, st)
    from simkit.engine.risk import outage_intervals

    down = outage_intervals(sc.vendors["acme"].outages, 60 * 24 + 4 * 168, Streams(2, 0).rng("outage:acme"))
    starts = log.start_h[log.status != ABANDONED]
    for a, b in down:
        assert not np.any((starts > a + 1e-9) & (starts < b - 1e-9))
    wait = runs(sc, "vendor", 1, seed=2)[0][2]["lead_time_p99_h"]
    rerouted = scenario_from({**data, "vendors": {"acme": {**data["vendors"]["acme"], "outages": {
        **data["vendors"]["acme"]["outages"], "policy": "reroute"}}}})
    assert runs(rerouted, "hybrid", 1, seed=2)[0][2]["lead_time_p99_h"] < wait


def test_exit_survival_matches_exp_minus_hazard_times_years() -> None:
    spec = ExitSpec(hazard_per_year=0.7, fallback="team")
    years = 1.5
    n = 4000
    survived = sum(exit_time_h(spec, 0.0, Streams(5, r).rng("exit:acme")) > years * HOURS_PER_YEAR for r in range(n))
    p = survived / n
    half = 1.96 * math.sqrt(p * (1 - p) / n)
    assert abs(p - analytic.survival(0.7, years)) < half


def test_exit_moves_work_to_the_fallback_and_books_switching() -> None:
    sc = scenario_from(vendor_dict(horizon_days=180, rate=1.0, exit={
        "terminate_at_month": 2, "fallback": "team", "switch_lead_h": 240, "switching_cost": 20000,
        "exit_fee": 5000, "ramp_start_productivity": 0.5, "ramp_months": 2}))
    log, ledger, k = runs(sc, "vendor", 1, seed=4)[0]
    t_exit = 2 * HOURS_PER_MONTH
    assert [e[2] for e in log.events] == ["exit:termination", "fallback_start"]
    assert log.pool_names == ("acme", "team")
    served_late = log.pool[log.trace.arrival_h > t_exit + 240]
    assert np.all(served_late[served_late >= 0] == 1)
    assert k["exits_count"] == 1
    by = ledger.by_category()
    assert by["switching"] == 20000 and by["exit_fee"] == 5000  # asset specificity 0.5: figures as written
    assert by["labour"] > 0  # the team is paid from its start
    assert k["availability_share"] == pytest.approx(1 - 240 / (180 * 24))


# ---------------------------------------------------------------------------- time zones
@pytest.mark.parametrize("overlap_h", [0.5, 4, 8])
def test_clarification_waits_for_the_next_overlap(overlap_h: float) -> None:
    """Questions raised uniformly over the day, answered only in an o-hour window: (24 - o)^2 / 48."""
    data = vendor_dict(horizon_days=120, rate=1.0, agents=30)
    data["calendars"] = {"client": {"open_hour": 9, "close_hour": 9 + overlap_h}, "provider": {}}
    data["vendors"]["acme"]["calendar"] = "provider"
    data["workload"]["kinds"]["job"]["clarify_share"] = 1.0
    data["workload"]["kinds"]["job"]["clarify_max_rounds"] = 1
    sc = scenario_from(data)
    delays = np.array([k["clarify_delay_mean_h"] for _, _, k in runs(sc, "vendor", 12, seed=6)])
    _, _, lo, hi = mean_ci(delays)
    expected = analytic.overlap_wait_mean_h(overlap_h)
    assert lo <= expected <= hi, (expected, lo, hi)


def test_in_house_on_the_client_calendar_waits_for_no_answer() -> None:
    data = mmc_dict(3, 1.0, horizon_days=30, warmup_days=0)
    data["calendars"] = {"client": {"open_hour": 9, "close_hour": 17}}
    data["workload"]["kinds"]["job"]["clarify_share"] = 0.5
    k = runs(scenario_from(data), "in_house", 1)[0][2]
    assert k["clarify_share"] == pytest.approx(0.5, abs=0.05)
    assert k["clarify_delay_mean_h"] == 0.0


@pytest.mark.parametrize("waits", ["clarification", "rework"])
def test_utilisation_counts_work_not_waits_in_between(waits: str) -> None:
    """Busy time is the pieces of work: an item waiting for a client's answer (or for its defect to be
    found) holds no agent, so utilisation stays the offered load over the agents, lambda E[S] / c."""
    data = vendor_dict(horizon_days=120, rate=1.0, agents=10)
    if waits == "clarification":
        data["calendars"] = {"client": {"open_hour": 9, "close_hour": 13}, "provider": {}}
        data["vendors"]["acme"]["calendar"] = "provider"
        data["workload"]["kinds"]["job"]["clarify_share"] = 1.0
        data["workload"]["kinds"]["job"]["clarify_max_rounds"] = 1
        expected = 1.0 / 10
    else:
        data["vendors"]["acme"]["quality"] = {"defect_share": 1.0, "detection_share": 1.0,
                                              "detection_delay_h": "deterministic(value=24)",
                                              "rework_effort_share": 0.5}
        expected = 1.5 / 10  # every item is done once, then half of it again
    kp = [k for _, _, k in runs(scenario_from(data), "vendor", 8, seed=11)]
    _, _, lo, hi = mean_ci(np.array([k["vendor_utilisation_share"] for k in kp]))
    assert lo <= expected <= hi, (expected, lo, hi)
    if waits == "clarification":  # the waits are long: counting them would triple utilisation
        assert np.mean([k["clarify_delay_mean_h"] for k in kp]) > 5.0


# ---------------------------------------------------------------------------- quality
def test_defects_rework_and_escapes() -> None:
    sc = scenario_from(vendor_dict(horizon_days=200, rate=1.0, quality={
        "defect_share": 0.2, "detection_share": 0.75, "detection_delay_h": "deterministic(value=12)",
        "rework_effort_share": 0.5, "escaped_defect_cost": 100}))
    log, ledger, k = runs(sc, "vendor", 1, seed=7)[0]
    assert k["defect_share"] == pytest.approx(0.2, abs=0.02)
    assert k["rework_share"] == pytest.approx(0.15, abs=0.02)
    assert ledger.by_category()["quality"] == pytest.approx(100 * log.escaped[log.status == 0].sum())
    reworked = (log.reworks > 0) & (log.status == 0)
    clean = ~reworked & (log.status == 0)
    assert (log.end_h - log.start_h)[reworked].mean() > 12 + (log.end_h - log.start_h)[clean].mean()


def test_sla_credits_are_capped_and_negative() -> None:
    data = vendor_dict(horizon_days=60, rate=3.8, agents=4, sla={"target_share": 0.99,
                                                                "credit_share_per_point": 0.02, "cap_share": 0.1})
    data["workload"]["kinds"]["job"]["sla_h"] = 0.5
    _, ledger, k = runs(scenario_from(data), "vendor", 1, seed=8)[0]
    by = ledger.by_category()
    assert by["sla_credits"] < 0
    assert -by["sla_credits"] <= 0.1 * by["vendor_fees"] + 1e-6
    assert k["sla_credits_usd"] == -by["sla_credits"]


# ---------------------------------------------------------------------------- patience
def test_abandonment_matches_erlang_a() -> None:
    data = mmc_dict(5, 5.0, horizon_days=150, warmup_days=5)
    data["workload"]["kinds"]["job"]["patience_h"] = "exponential(mean=1)"
    sc = scenario_from(data)
    shares = np.array([k["abandoned_share"] for _, _, k in runs(sc, "in_house", 15, seed=9)])
    _, _, lo, hi = mean_ci(shares)
    expected = analytic.erlang_a(5, 5.0, 1.0, 1.0)["p_abandon"]
    assert lo <= expected <= hi, (expected, lo, hi)


def test_patience_runs_during_the_hand_off_too() -> None:
    """The requester's clock starts at arrival: with a 2 h hand-off and patience uniform on 0-4 h, about half
    give up before the vendor even sees the item (a spare vendor takes the rest at once)."""
    data = vendor_dict(horizon_days=60, rate=1.0, agents=20, handoff_h=2.0)
    data["workload"]["kinds"]["job"]["patience_h"] = "uniform(low=0, high=4)"
    log, _, k = runs(scenario_from(data), "vendor", 1, seed=29)[0]
    assert k["abandoned_share"] == pytest.approx(0.5, abs=0.05)
    gone = log.status == ABANDONED
    assert np.isnan(log.start_h[gone]).all() and not np.isnan(log.start_h[~gone & (log.status == 0)]).any()


# ---------------------------------------------------------------------------- transition, contract, FX
def test_wright_ramp_and_transition_costs() -> None:
    f = wright_factors(0.6, 0.8, 6)
    assert f[0] == 0.6 and f[1] == pytest.approx(0.75) and f[-1] == 1.0
    data = vendor_dict(horizon_days=180, rate=2.0, transition={
        "start_productivity": 0.5, "learning_rate": 0.8, "parallel_run_months": 2, "retained_team": "team",
        "knowledge_transfer_cost": 8000, "released_staff": 3, "severance_per_fte": 4000})
    log, ledger, _ = runs(scenario_from(data), "vendor", 1, seed=10)[0]
    by = ledger.by_category()
    assert by["knowledge_transfer"] == 8000 and by["severance"] == 12000
    assert by["parallel_run"] == pytest.approx(3 * 10.0 * 2 * HOURS_PER_MONTH)
    service = log.end_h - log.start_h
    first = log.start_h < HOURS_PER_MONTH
    later = log.start_h > 4 * HOURS_PER_MONTH
    assert np.nanmean(service[first]) > 1.4 * np.nanmean(service[later])


def test_renewal_price_path() -> None:
    edges = np.arange(0, 37) * HOURS_PER_MONTH
    f = price_factors(ContractSpec(term_months=12, indexation_annual=0.05, lock_in_premium=0.1), 0.5, edges, 0.0)
    assert f[0] == 1.0 and f[11] == 1.0
    assert f[12] == pytest.approx(1.05 * 1.1)
    assert f[35] == pytest.approx((1.05 * 1.1) ** 2)
    assert price_factors(ContractSpec(term_months=12, lock_in_premium=0.1), 0.0, edges, 0.0)[30] == 1.0


def test_fx_is_a_martingale_without_drift() -> None:
    paths = np.array([fx_path(FxSpec(currency="INR", volatility_annual=0.2), 25, Streams(1, r).rng("fx"))
                      for r in range(3000)])
    assert np.all(paths[:, 0] == 1.0)
    end = paths[:, -1]
    assert end.mean() == pytest.approx(1.0, abs=3 * end.std() / math.sqrt(end.size))
    assert np.log(end).std() == pytest.approx(0.2 * math.sqrt(2), rel=0.05)


# ---------------------------------------------------------------------------- off by default
@pytest.mark.parametrize("section", [
    {"quality": {"defect_share": 0.0}},
    {"exit": {"hazard_per_year": 0.0, "fallback": "team"}},
    {"fx": {"currency": "EUR", "volatility_annual": 0.0}},
    {"contract": {"term_months": 12}},
    {"transition": {}},
])
def test_switched_off_mechanisms_change_nothing(section: dict) -> None:
    plain = scenario_from(vendor_dict(horizon_days=30))
    with_section = scenario_from(vendor_dict(horizon_days=30, **section))
    a = runs(plain, "vendor", 2, seed=12)
    b = runs(with_section, "vendor", 2, seed=12)
    for (_, _, ka), (_, _, kb) in zip(a, b, strict=True):
        assert ka == kb


# ---------------------------------------------------------------------------- dual sourcing, pooling, TCE
def test_dual_sourcing_splits_and_hedges_outages() -> None:
    data = vendor_dict(horizon_days=90, rate=2.0, agents=4, outages={
        "time_between_h": "exponential(mean=120)", "repair_h": "exponential(mean=24)", "policy": "reroute"})
    data["vendors"]["beta"] = {"agents": 4, "price_per_item": 12.0, "outages": {
        "time_between_h": "exponential(mean=120)", "repair_h": "exponential(mean=24)", "policy": "reroute"}}
    data["options"]["dual"] = {"vendor": "acme", "backup": "beta", "backup_share": 0.3}
    sc = scenario_from(data)
    dual = runs(sc, "dual", 6, seed=13)
    single = runs(sc, "vendor", 6, seed=13)
    for log, _, _ in dual:
        vendor_bound = log.pool >= 0
        assert 0.2 < np.mean(log.pool[vendor_bound] == 1) < 0.6
    p99_dual = np.mean([k["lead_time_p99_h"] for _, _, k in dual])
    p99_single = np.mean([k["lead_time_p99_h"] for _, _, k in single])
    assert p99_dual < 0.7 * p99_single


def test_shared_vendor_pooling_meets_the_wait_with_fewer_agents() -> None:
    """Four clients at a = 10 each: separate teams need 14 agents each (56) for P(wait) <= 0.2;
    one pooled vendor serving all four needs 48 (square-root staffing)."""
    data = mmc_dict(14, 10.0, horizon_days=40, warmup_days=2, vendor={"vendor": "pool"})
    data["vendors"] = {"pool": {"agents": 48, "price_per_item": 1.0, "shared": {
        "background_rate_per_hour": 30.0, "background_effort_h": "exponential(mean=1)"}}}
    sc = scenario_from(data)
    team = [k["waited_share"] for _, _, k in runs(sc, "in_house", 4, seed=14)]
    pooled = [k["waited_share"] for _, _, k in runs(sc, "vendor", 4, seed=14)]
    assert np.mean(team) < 0.22 and np.mean(pooled) < 0.22
    assert analytic.min_servers_for_p_wait(40, 0.2) == 48 < 4 * analytic.min_servers_for_p_wait(10, 0.2)


def test_asset_specificity_scales_switching_and_lock_in() -> None:
    base = vendor_dict(horizon_days=400, rate=0.5, contract={"term_months": 6, "lock_in_premium": 0.2},
                       exit={"terminate_at_month": 12, "fallback": "team", "switching_cost": 10000},
                       transition={"knowledge_transfer_cost": 10000})
    costs = {}
    for k in (0.0, 0.5, 1.0):
        sc = scenario_from({**base, "asset_specificity": k})
        by = runs(sc, "vendor", 1, seed=15)[0][1].by_category()
        costs[k] = by
        assert by["switching"] == pytest.approx(10000 * 2 * k)
        assert by["knowledge_transfer"] == pytest.approx(10000 * 2 * k)
    assert costs[0.0]["vendor_fees"] < costs[0.5]["vendor_fees"] < costs[1.0]["vendor_fees"]


# ---------------------------------------------------------------------------- scalability
def attrition_runs(staff: int, rate_annual: float, years: float, lead_h: float, reps: int, warmup_days: float = 0,
                   **hiring: object) -> tuple[sk.Scenario, list]:
    """Logs of a team with attrition and (almost) no work, so the runs are cheap and only staffing moves."""
    data = mmc_dict(staff, 0.01, horizon_days=years * 365.25, warmup_days=warmup_days)
    data["teams"]["team"]["hiring"] = {"attrition_annual": rate_annual, "hiring_lead_h": lead_h, **hiring}
    sc = scenario_from(data)
    logs = []
    for r in range(reps):
        st = Streams(16, r)
        logs.append(simulate_option(sc, "in_house", draw_trace(sc, st), st))
    return sc, logs


def leave_times(log) -> list[float]:  # noqa: ANN001
    return [t for t, _, what in log.events if what == "leave"]


def staffed_h(log, staff: int, horizon_h: float) -> float:  # noqa: ANN001
    from simkit.engine.log import headcount_segments

    return sum(c * (b - a) for a, b, c in headcount_segments(staff, log.staff_log.get("team", []), 0, horizon_h))


def test_attrition_count_is_rate_x_staff_x_years() -> None:
    # 6 staff, 30% a year, replaced at once, 10 years: 18 leavers.  With 400 replications the 95% CI
    # half-width is ~0.4 (2.3%), far below the 15% a clock that lags the head count would lose.
    sc, logs = attrition_runs(6, 0.3, 10.0, 0.0, 400)
    horizon_h = 10 * HOURS_PER_YEAR
    leavers = np.array([len(leave_times(log)) for log in logs])
    mean, _, lo, hi = mean_ci(leavers)
    expected = analytic.attrition_leavers(6, 0.3, 10.0)
    assert expected == pytest.approx(18.0)
    assert (hi - lo) / 2 < 0.03 * expected, (lo, hi)
    assert lo <= expected <= hi, (mean, lo, hi)
    for log in logs[:50]:  # replaced at once: six people are paid all the time
        assert staffed_h(log, 6, horizon_h) == pytest.approx(6 * horizon_h)
        assert sum(1 for _, _, what in log.events if what == "hire") == len(leave_times(log))
    log = logs[0]
    by = account(sc, log).by_category()
    assert by["labour"] == pytest.approx(10.0 * 6 * horizon_h)


def test_attrition_with_a_hiring_lead_time_matches_the_renewal_closed_form() -> None:
    # Each position alternates exponential employment with a vacancy of L hours (nobody leaves an
    # empty position), so fewer leave than rate x staff x years: the closed form (analytic) is exact.
    staff, rate, years, lead_h = 6, 0.3, 10.0, 2000.0
    sc, logs = attrition_runs(staff, rate, years, lead_h, 400, recruiting_cost=500)
    horizon_h = years * HOURS_PER_YEAR
    expected = analytic.attrition_leavers(staff, rate, years, lead_h)
    assert expected < 0.95 * rate * staff * years
    mean, _, lo, hi = mean_ci(np.array([len(leave_times(log)) for log in logs]))
    assert (hi - lo) / 2 < 0.03 * expected, (lo, hi)
    assert lo <= expected <= hi, (mean, lo, hi)
    assert hi < rate * staff * years  # the plain rule would be wrong here
    # paid head count: each leave empties a position for L hours (cut at the horizon), to the hour ...
    for log in logs:
        vacant = sum(min(lead_h, horizon_h - t) for t in leave_times(log))
        assert staffed_h(log, staff, horizon_h) == pytest.approx(staff * horizon_h - vacant)
        joins = [t for t, _, what in log.events if what == "hire"]
        assert joins == pytest.approx([t + lead_h for t in leave_times(log) if t + lead_h < horizon_h])
    # ... and on average as the closed form says
    paid = np.array([staffed_h(log, staff, horizon_h) / horizon_h for log in logs])
    mean, _, lo, hi = mean_ci(paid)
    expected_paid = staff - analytic.attrition_vacancy_h(staff, rate, years, lead_h) / horizon_h
    assert lo <= expected_paid <= hi and hi - lo < 0.1 * (staff - expected_paid), (expected_paid, lo, hi)
    for log in logs[:3]:  # the ledger pays the staffed hours and each hire
        k = measure(sc, log, ledger := account(sc, log))
        by = ledger.by_category()
        assert by["labour"] == pytest.approx(10.0 * staffed_h(log, staff, horizon_h))
        assert by["recruiting"] == 500 * k["hires_count"]
        assert k["staff_end_count"] == staff - k["leavers_count"] + k["hires_count"]


def test_leavers_and_hires_are_counted_after_the_warm_up_as_the_ledger_pays_them() -> None:
    # 4 years of which the first is warm-up: 6 x 30% x 3 years = 5.4 leavers are measured
    sc, logs = attrition_runs(6, 0.3, 4.0, 0.0, 300, warmup_days=365.25, recruiting_cost=500)
    t0 = 365.25 * 24
    kpis = [measure(sc, log, account(sc, log)) for log in logs[:5]]
    for log, k in zip(logs, kpis, strict=False):
        assert k["leavers_count"] == sum(1 for t in leave_times(log) if t >= t0)
        assert k["hires_count"] == sum(1 for t, _, what in log.events if what == "hire" and t >= t0)
        assert account(sc, log).by_category().get("recruiting", 0.0) == 500 * k["hires_count"]
    assert any(t < t0 for log in logs[:5] for t in leave_times(log))  # some left during the warm-up
    _, _, lo, hi = mean_ci(np.array([sum(1 for t in leave_times(log) if t >= t0) for log in logs]))
    assert lo <= 0.3 * 6 * 3 <= hi and (hi - lo) / 2 < 0.06 * 5.4, (lo, hi)


def test_attrition_follows_the_head_count_through_hires_and_layoffs() -> None:
    # Backlog hires and layoffs move the head count between 1 and 8.  Whatever the path, leavers
    # arrive at rate x the people there are, so E[leavers] = rate x E[person-years] (the count minus
    # its compensator has mean zero).  A clock drawn for the head count at an earlier moment fails this.
    rate, years, reps = 2.0, 1.0, 150
    data = mmc_dict(2, 0.4, service_mean_h=10.0, horizon_days=years * 365.25, warmup_days=0)
    data["teams"]["team"]["hiring"] = {"attrition_annual": rate, "hiring_lead_h": 300,
                                       "hire_when_backlog_per_staff": 2, "max_staff": 8,
                                       "layoff_after_idle_days": 10, "min_staff": 1}
    sc = scenario_from(data)
    horizon_h = years * HOURS_PER_YEAR
    leavers, excess, layoffs = [], [], 0
    for r in range(reps):
        st = Streams(16, r)
        log = simulate_option(sc, "in_house", draw_trace(sc, st), st)
        n = len(leave_times(log))
        leavers.append(n)
        excess.append(n - rate * staffed_h(log, 2, horizon_h) / HOURS_PER_YEAR)
        layoffs += sum(1 for _, _, what in log.events if what == "layoff")
    assert layoffs > 5 * reps  # the head count really moves
    _, _, lo, hi = mean_ci(np.array(excess))
    assert (hi - lo) / 2 < 0.06 * np.mean(leavers), (lo, hi)
    assert lo <= 0.0 <= hi, (lo, hi)


def test_backlog_hiring_with_ramp_cuts_the_backlog() -> None:
    base = mmc_dict(4, 5.0, horizon_days=120, warmup_days=0)  # overloaded: a = 5 > 4 staff
    hiring = mmc_dict(4, 5.0, horizon_days=120, warmup_days=0)
    hiring["teams"]["team"]["hiring"] = {"hiring_lead_h": 24 * 14, "hire_when_backlog_per_staff": 3,
                                         "max_staff": 7, "ramp_months": 1, "ramp_start_productivity": 0.5}
    k0 = runs(scenario_from(base), "in_house", 1, seed=18)[0][2]
    k1 = runs(scenario_from(hiring), "in_house", 1, seed=18)[0][2]
    assert 1 <= k1["hires_count"] <= 3 and k1["staff_end_count"] <= 7
    assert k1["backlog_end_items"] < 0.2 * k0["backlog_end_items"]
    assert k1["cost_total_usd"] > k0["cost_total_usd"]


def test_elastic_vendor_scales_up_and_bills_surge() -> None:
    base = vendor_dict(horizon_days=60, rate=3.0, agents=2)
    elastic = vendor_dict(horizon_days=60, rate=3.0, agents=2, elastic={
        "max_agents": 6, "scale_when_queue_per_agent": 2, "notice_h": 12, "release_after_h": 48,
        "surge_price_per_agent_hour": 30})
    k0 = runs(scenario_from(base), "vendor", 1, seed=19)[0][2]
    log, ledger, k1 = runs(scenario_from(elastic), "vendor", 1, seed=19)[0]
    assert k1["hires_count"] >= 2  # extra agents joined (and may have been released and rejoined)
    assert k1["lead_time_mean_h"] < 0.2 * k0["lead_time_mean_h"]
    assert ledger.by_category()["surge"] > 0
    heads = np.cumsum([2] + [d for _, d in log.staff_log["acme"]])
    assert heads.max() <= 6 and heads.min() >= 2


def test_elastic_agents_go_after_a_peak_though_work_waits_overnight() -> None:
    """A business-hours vendor always finds the night's work queued at its morning check; the extra
    agents must still go once the peak is over (quiet = queue below half the scale-up trigger)."""
    months = [3.0] + [1.0] * 11  # January is the peak: the weekend queue then passes the trigger
    data = vendor_dict(horizon_days=120, rate=1.0, agents=8, calendar="office", elastic={
        "max_agents": 20, "scale_when_queue_per_agent": 10, "notice_h": 24, "release_after_h": 72})
    data["calendars"]["office"] = {"open_hour": 8, "close_hour": 18, "days": ["mon", "tue", "wed", "thu", "fri"]}
    data["workload"]["month_of_year"] = months
    data["workload"]["kinds"]["job"]["effort_h"] = "exponential(mean=0.5)"
    log = runs(scenario_from(data), "vendor", 1, seed=23)[0][0]
    steps = log.staff_log["acme"]
    heads = 8 + np.cumsum([d for _, d in steps])
    times = np.array([t for t, _ in steps])
    assert heads.max() > 10  # the peak brought extra agents
    assert heads[-1] <= 10 and np.all(heads[times > 60 * 24] <= 10)  # and they left when it ended


def test_overtime_works_late_at_a_premium() -> None:
    data = mmc_dict(3, 1.2, horizon_days=56, warmup_days=0)
    data["calendars"] = {"client": {"open_hour": 9, "close_hour": 17, "days": ["mon", "tue", "wed", "thu", "fri"]}}
    ot = {**data, "teams": {"team": {**data["teams"]["team"], "overtime_h_per_day": 2, "overtime_premium": 0.5}}}
    log0, led0, k0 = runs(scenario_from(data), "in_house", 1, seed=20)[0]
    log1, led1, k1 = runs(scenario_from(ot), "in_house", 1, seed=20)[0]
    assert k1["lead_time_mean_h"] < k0["lead_time_mean_h"]
    by0, by1 = led0.by_category(), led1.by_category()
    assert by1["labour"] == by0["labour"]  # regular hours unchanged
    assert 0 < by1["overtime"] <= 10.0 * 1.5 * 3 * 2 * 40  # at most 3 people x 2 h x 40 working days
    starts = log1.start_h[~np.isnan(log1.start_h)] % 24
    assert np.any((starts >= 17) & (starts < 19)) and not np.any((starts >= 19) | (starts < 9))


def test_layoffs_after_idle_spells_pay_severance() -> None:
    data = mmc_dict(6, 0.5, horizon_days=120, warmup_days=0)  # far more staff than work
    data["teams"]["team"]["hiring"] = {"layoff_after_idle_days": 7, "min_staff": 2, "severance_per_fte": 3000}
    _, ledger, k = runs(scenario_from(data), "in_house", 1, seed=21)[0]
    assert k["leavers_count"] == 4 and k["staff_end_count"] == 2
    assert ledger.by_category()["severance"] == 4 * 3000
