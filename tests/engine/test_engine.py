"""Engine invariants: common random numbers, determinism, conservation, routing, calendars."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import mmc_dict, scenario_from

import simkit as sk
from simkit.engine.log import COMPLETED, IN_SERVICE, QUEUED
from simkit.experiment.simulate import run_replication


def test_every_option_receives_the_identical_trace(small_helpdesk: sk.Scenario) -> None:
    rep = run_replication(small_helpdesk, 0, seed=5, keep_logs=True)
    traces = [log.trace for log in rep.logs.values()]
    assert len(traces) == 3
    for t in traces[1:]:
        np.testing.assert_array_equal(t.arrival_h, traces[0].arrival_h)
        np.testing.assert_array_equal(t.effort_h, traces[0].effort_h)
        np.testing.assert_array_equal(t.kind, traces[0].kind)


def test_adding_an_option_does_not_shift_the_others(small_helpdesk: sk.Scenario) -> None:
    full = sk.simulate(small_helpdesk, replications=3, seed=9).kpis
    alone = sk.simulate(small_helpdesk.override({"options": {"vendor": {"vendor": "msp"}}, "baseline": "vendor"}),
                        replications=3, seed=9).kpis
    a = full[full.option == "vendor"].drop(columns="option").reset_index(drop=True)
    b = alone.drop(columns="option").reset_index(drop=True)
    pd_testing = pytest.importorskip("pandas.testing")
    pd_testing.assert_frame_equal(a, b)


def test_same_seed_same_numbers_other_seed_other_numbers(small_helpdesk: sk.Scenario) -> None:
    a = sk.simulate(small_helpdesk, replications=3, seed=42)
    b = sk.simulate(small_helpdesk, replications=3, seed=42)
    c = sk.simulate(small_helpdesk, replications=3, seed=43)
    assert a.kpis.equals(b.kpis)
    assert a.ledger.equals(b.ledger)
    cost = a.cost_column
    assert not np.allclose(a.kpis[cost].to_numpy(), c.kpis[cost].to_numpy())


def test_conservation_and_finite_kpis(small_helpdesk: sk.Scenario) -> None:
    rep = run_replication(small_helpdesk, 1, seed=3, keep_logs=True)
    for log in rep.logs.values():
        state = log.state()
        n = len(log.trace)
        counts = np.bincount(state, minlength=3)
        assert counts.sum() == n
        assert counts[COMPLETED] + counts[IN_SERVICE] + counts[QUEUED] == n
        done = state == COMPLETED
        assert np.all(log.trace.arrival_h[done] <= log.start_h[done])
        assert np.all(log.start_h[done] <= log.end_h[done])
        assert np.all(log.end_h[done] <= log.window_h[1])
        assert counts[IN_SERVICE] <= log.servers.sum()
    for row in rep.kpis:
        values = np.array([v for k, v in row.items() if k not in ("option", "replication")], dtype=float)
        assert np.all(np.isfinite(values)), row


def test_ledger_categories_sum_to_totals(small_helpdesk: sk.Scenario) -> None:
    res = sk.simulate(small_helpdesk, replications=2, seed=1)
    by_rep = res.ledger.groupby(["option", "replication"])["amount"].sum()
    k = res.kpis.set_index(["option", "replication"])[res.cost_column]
    np.testing.assert_allclose(by_rep.loc[k.index].to_numpy(), k.to_numpy(), rtol=1e-12)


def test_priorities_serve_urgent_items_first() -> None:
    data = mmc_dict(2, 1.8, horizon_days=60, warmup_days=2)
    data["workload"]["kinds"] = {
        "urgent": {"share": 0.5, "effort_h": "exponential(mean=1)", "priority": 0},
        "routine": {"share": 0.5, "effort_h": "exponential(mean=1)", "priority": 5},
    }
    log = run_replication(scenario_from(data), 0, seed=2, keep_logs=True).logs["in_house"]
    wait = log.start_h - log.trace.arrival_h
    urgent = np.nanmean(wait[log.trace.kind == 0])
    routine = np.nanmean(wait[log.trace.kind == 1])
    assert urgent * 3 < routine


def test_work_happens_only_in_working_hours() -> None:
    data = mmc_dict(2, 0.5, horizon_days=28, warmup_days=0)
    data["calendars"] = {"client": {"open_hour": 9, "close_hour": 17, "days": ["mon", "tue", "wed", "thu", "fri"]}}
    sc = scenario_from(data)
    log = run_replication(sc, 0, seed=4, keep_logs=True).logs["in_house"]
    cal = sc.calendar("client")
    started = log.start_h[~np.isnan(log.start_h)]
    assert started.size > 50
    assert all(cal.is_open(t) for t in started)
    # work done equals effort: the open hours between start and end are the service time
    done = ~np.isnan(log.end_h)
    worked = cal.cumulative_hours_array(log.end_h[done]) - cal.cumulative_hours_array(log.start_h[done])
    np.testing.assert_allclose(worked, log.trace.effort_h[done], rtol=1e-9, atol=1e-9)


def test_routing_by_kind_sends_listed_kinds_to_the_vendor(small_helpdesk: sk.Scenario) -> None:
    sc = small_helpdesk.override({"options.split": {"team": "engineer", "vendor": "msp", "routing": "by_kind",
                                                    "vendor_kinds": ["request", "project"]}})
    log = run_replication(sc, 0, seed=8, options=["split"], keep_logs=True).logs["split"]
    names = log.trace.kind_names
    to_vendor = np.isin(log.trace.kind, [names.index("request"), names.index("project")])
    vendor = log.pool_roles.index("vendor")
    assert np.all((log.pool == vendor) == to_vendor)


def test_overflow_only_when_the_team_is_busy(small_helpdesk: sk.Scenario) -> None:
    rep = run_replication(small_helpdesk, 0, seed=8, keep_logs=True)
    hybrid = rep.logs["hybrid"]
    team = hybrid.pool_roles.index("team")
    share_team = np.mean(hybrid.pool == team)
    assert 0.2 < share_team < 0.9
    # a higher threshold keeps more work in-house
    sc = small_helpdesk.override({"options.hybrid.overflow_queue": 20})
    more = run_replication(sc, 0, seed=8, options=["hybrid"], keep_logs=True).logs["hybrid"]
    assert np.mean(more.pool == team) > share_team


def test_productivity_scales_service_time() -> None:
    base = mmc_dict(3, 1.0, horizon_days=30, warmup_days=0)
    fast = mmc_dict(3, 1.0, horizon_days=30, warmup_days=0)
    fast["teams"]["team"]["productivity"] = 2.0
    a = run_replication(scenario_from(base), 0, seed=1, keep_logs=True).logs["in_house"]
    b = run_replication(scenario_from(fast), 0, seed=1, keep_logs=True).logs["in_house"]
    sa = (a.end_h - a.start_h)[~np.isnan(a.end_h)]
    sb = (b.end_h - b.start_h)[~np.isnan(b.end_h)]
    assert sb.mean() == pytest.approx(sa.mean() / 2, rel=0.02)


def test_zero_arrivals_and_zero_staff_give_finite_results() -> None:
    quiet = mmc_dict(2, 0.0, horizon_days=10, warmup_days=0)
    res = sk.simulate(scenario_from(quiet), replications=2, seed=1)
    assert (res.kpis["items_arrived"] == 0).all()
    assert np.isfinite(res.kpis.drop(columns="option").to_numpy(dtype=float)).all()
    nobody = mmc_dict(0, 1.0, horizon_days=10, warmup_days=0)
    res = sk.simulate(scenario_from(nobody), replications=2, seed=1)
    assert (res.kpis["items_completed"] == 0).all()
    assert (res.kpis["backlog_end_items"] == res.kpis["items_arrived"]).all()
    assert np.isfinite(res.kpis.drop(columns="option").to_numpy(dtype=float)).all()
