"""Replications: precision rule, CI shrinkage, common random numbers, executors, interrupts, re-pricing."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest
from conftest import mmc_dict, scenario_from
from pandas.testing import assert_frame_equal

import simkit as sk
from simkit.experiment import execution, replication
from simkit.scenario.fields import COST_ONLY_PATHS, is_cost_only
from simkit.stats.estimates import mean_ci


@pytest.fixture(scope="module")
def tiny() -> sk.Scenario:
    """An M/M/1 queue over 10 days (~190 items): replications in milliseconds."""
    return scenario_from(mmc_dict(1, 0.8, horizon_days=10, warmup_days=0))


@pytest.fixture(scope="module")
def helpdesk14(helpdesk: sk.Scenario) -> sk.Scenario:
    return helpdesk.override({"run.horizon_days": 14})


def same(a: sk.Results, b: sk.Results) -> None:
    assert_frame_equal(a.kpis, b.kpis, check_exact=True)
    assert_frame_equal(a.ledger.reset_index(drop=True), b.ledger.reset_index(drop=True), check_exact=True)


# --------------------------------------------------------------------------- precision
def test_precision_rule_stops_at_the_smallest_n_and_equals_simulate_n(tiny: sk.Scenario) -> None:
    kpi = "lead_time_mean_h"
    res = sk.simulate_to_precision(
        tiny,
        kpi=kpi,
        rel_half_width=0.08,
        min_replications=5,
        max_replications=200,
        seed=3,
        executor=None,
        progress=False,
    )
    info = res.meta["precision"]
    n = info["replications_needed"]
    assert info["reached"] and 5 <= n < 200 and res.meta["replications"] == n
    same(res, sk.simulate(tiny, n, seed=3, executor=None, progress=False))
    x = res.kpis[kpi].to_numpy()
    m, _, lo, hi = mean_ci(x)
    assert (hi - lo) / 2 / abs(m) <= 0.08 == info["target_rel_half_width"]
    assert info["achieved_rel_half_width"] == pytest.approx((hi - lo) / 2 / abs(m), rel=1e-9)
    if n > 5:  # one replication fewer would not have been enough
        m1, _, lo1, hi1 = mean_ci(x[:-1])
        assert (hi1 - lo1) / 2 / abs(m1) > 0.08


def test_precision_rule_reports_when_the_cap_stops_it(tiny: sk.Scenario) -> None:
    res = sk.simulate_to_precision(
        tiny,
        kpi="lead_time_mean_h",
        rel_half_width=1e-4,
        min_replications=4,
        max_replications=9,
        seed=3,
        executor=None,
        progress=False,
    )
    info = res.meta["precision"]
    assert not info["reached"] and info["replications_needed"] is None
    assert res.meta["replications"] == 9 and info["achieved_rel_half_width"] > 1e-4


def test_ci_half_width_shrinks_as_replications_grow(tiny: sk.Scenario) -> None:
    res = sk.simulate(tiny, 80, seed=7, executor=None, progress=False)
    x = res.kpis.sort_values("replication")["lead_time_mean_h"].to_numpy()
    half = {n: (mean_ci(x[:n])[3] - mean_ci(x[:n])[2]) / 2 for n in (5, 20, 80)}
    assert half[5] > half[20] > half[80] > 0
    assert 1.3 < half[20] / half[80] < 3.0  # ~ sqrt(80 / 20) = 2
    # the first 20 of 80 replications are exactly simulate(20)
    first = res.kpis[res.kpis["replication"] < 20].reset_index(drop=True)
    assert_frame_equal(
        first, sk.simulate(tiny, 20, seed=7, executor=None, progress=False).kpis, check_exact=True
    )


def test_common_random_numbers_shrink_the_paired_variance() -> None:
    """Make (fixed fee + v per item) against buy (p per item) over the same items Q.

    On common random numbers both options bill the same Q in a replication, so
    Var(make - buy) = (p - v)^2 Var(Q); on independent streams it is
    (p^2 + v^2) Var(Q): here 41 times larger.
    """
    p, v = 10.0, 8.0
    job = {"share": 1.0, "effort_h": "deterministic(value=0.05)"}
    sc = scenario_from({
        "name": "crn", "run": {"horizon_days": 10, "warmup_days": 0, "discount_rate_annual": 0.0},
        "workload": {"rate_per_hour": 2.0, "kinds": {"job": job}},
        "vendors": {"plant": {"agents": 20, "pricing": "fixed_plus_per_item", "fee_per_month": 1000.0,
                              "price_per_item": v, "governance_share": 0.0},
                    "supplier": {"agents": 20, "price_per_item": p, "governance_share": 0.0}},
        "options": {"make": {"vendor": "plant"}, "buy": {"vendor": "supplier"}},
    })
    n, kpi = 30, "cost_total_usd"
    crn = sk.simulate(sc, n, seed=11, executor=None, progress=False)
    var_crn = np.var(crn.paired_deltas("make", "buy", kpi), ddof=1)
    q = crn.kpis[crn.kpis["option"] == "buy"][kpi].to_numpy() / p
    assert var_crn == pytest.approx((p - v) ** 2 * np.var(q, ddof=1), rel=1e-9)
    other = sk.simulate(sc, n, seed=12, executor=None, progress=False, options=["buy"])  # independent streams
    a = crn.kpis[crn.kpis["option"] == "make"][kpi].to_numpy()
    var_indep = np.var(a - other.kpis[kpi].to_numpy(), ddof=1)
    ratio = var_indep / var_crn
    expected = (p * p + v * v) / (p - v) ** 2
    assert 10.0 < ratio < 3 * expected, f"CRN variance ratio {ratio:.1f}, expected about {expected:.0f}"


# --------------------------------------------------------------------------- executors
def test_identical_results_whatever_the_executor_workers_or_batch_size(
    helpdesk14: sk.Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = sk.simulate(helpdesk14, 6, seed=5, executor=None, progress=False)
    with ProcessPoolExecutor(2) as pool:
        same(ref, sk.simulate(helpdesk14, 6, seed=5, executor=pool, batch_size=1, progress=False))
        same(ref, sk.simulate(helpdesk14, 6, seed=5, executor=pool, batch_size=4, progress=False))
    with ProcessPoolExecutor(1) as pool:
        same(ref, sk.simulate(helpdesk14, 6, seed=5, executor=pool, progress=False))
    same(ref, sk.simulate(helpdesk14, 6, seed=5, executor=2, progress=False))  # a pool made for the run
    space = {"vendors.msp.price_per_item": [30, 40], "teams.engineers.staff": [1, 2]}
    serial = sk.sweep(helpdesk14, space, replications=3, seed=5, executor=None, progress=False)
    with ProcessPoolExecutor(2) as pool:
        pooled = sk.sweep(helpdesk14, space, replications=3, seed=5, executor=pool, batch_size=1,
                          progress=False)
    assert_frame_equal(serial.frame, pooled.frame, check_exact=True)
    monkeypatch.setattr(execution, "AUTO_PARALLEL_S", 0.0)  # "auto" hands the rest to a process pool at once
    monkeypatch.setattr(execution, "cpu_workers", lambda: 2)
    same(ref, sk.simulate(helpdesk14, 6, seed=5, executor="auto", progress=False))


def test_auto_executor_moves_long_work_to_a_process_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(execution, "cpu_workers", lambda: 2)
    short = execution.run_tasks(abs, [(-i,) for i in range(5)], "auto", progress=False)
    assert short.executor == "serial" and short.results == {i: i for i in range(5)}
    monkeypatch.setattr(execution, "AUTO_PARALLEL_S", 0.0)
    long = execution.run_tasks(abs, [(-i,) for i in range(5)], "auto", progress=False)
    assert long.executor == "ProcessPoolExecutor" and long.results == {i: i for i in range(5)}


def test_dask_local_cluster_gives_identical_results(helpdesk14: sk.Scenario) -> None:
    distributed = pytest.importorskip("distributed")
    ref = sk.simulate(helpdesk14, 4, seed=5, executor=None, progress=False)
    points = {"vendors.msp.price_per_item": [30, 40], "teams.engineers.staff": [1, 2]}
    ref_sweep = sk.sweep(helpdesk14, points, replications=2, seed=5, executor=None, progress=False)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cl,
        distributed.Client(cl) as client,
    ):
        ex = client.get_executor(pure=False)
        assert execution.executor_workers(ex) == 2
        same(ref, sk.simulate(helpdesk14, 4, seed=5, executor=ex, progress=False))
        got = sk.sweep(helpdesk14, points, replications=2, seed=5, executor=ex, progress=False)
    assert_frame_equal(got.frame, ref_sweep.frame, check_exact=True)


# --------------------------------------------------------------------------- interrupts and progress
def test_an_interrupt_returns_the_finished_replications(
    tiny: sk.Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = sk.simulate(tiny, 6, seed=2, executor=None, progress=False)
    real = replication.run_replication

    def flaky(scenario, replication, *args, **kw):  # noqa: ANN001, ANN002, ANN003
        if replication == 3:
            raise KeyboardInterrupt
        return real(scenario, replication, *args, **kw)

    monkeypatch.setattr(replication, "run_replication", flaky)
    part = sk.simulate(tiny, 6, seed=2, executor=None, batch_size=1, progress=False)
    assert part.meta["interrupted"] and part.meta["replications_requested"] == 6
    assert sorted(part.kpis["replication"].unique()) == [0, 1, 2]
    assert_frame_equal(
        part.kpis, full.kpis[full.kpis["replication"] < 3].reset_index(drop=True), check_exact=True
    )


def test_progress_bar_shows_when_asked_and_never_when_off(
    tiny: sk.Scenario, capsys: pytest.CaptureFixture
) -> None:
    sk.simulate(tiny, 3, seed=1, executor=None, progress=False)
    assert capsys.readouterr().err == ""
    sk.simulate(tiny, 3, seed=1, executor=None, progress=True)
    assert "3/3" in capsys.readouterr().err


# --------------------------------------------------------------------------- re-pricing
NEW_VALUES = {
    "teams.engineers.loaded_cost_per_hour": 61.5,
    "teams.engineer.overhead_per_fte_month": 1234.0,
    "vendors.msp.price_per_item": 27.25,
    "vendors.msp.governance_share": 0.11,
    "vendors.msp.transition_cost": 4321.0,
    "run.discount_rate_annual": 0.2,
}


@pytest.fixture(scope="module")
def kept(helpdesk14: sk.Scenario) -> sk.Results:
    return sk.simulate(helpdesk14, 3, seed=9, executor=None, progress=False, keep_logs=True)


@pytest.mark.parametrize("path", list(NEW_VALUES))
def test_repricing_equals_resimulating(kept: sk.Results, path: str) -> None:
    assert is_cost_only(path)
    again = kept.reprice({path: NEW_VALUES[path]})
    fresh = sk.simulate(
        kept.scenario.override({path: NEW_VALUES[path]}), 3, seed=9, executor=None, progress=False
    )
    same(again, fresh)
    assert not again.kpis.equals(kept.kpis)  # the change mattered


@pytest.mark.parametrize(
    "pricing",
    [
        {"pricing": "per_fte_month", "price_per_fte_month": 3000.0},
        {"pricing": "fixed_plus_per_item", "fee_per_month": 900.0, "price_per_item": 4.0},
    ],
)
def test_repricing_other_schemes_equals_resimulating(pricing: dict) -> None:
    data = mmc_dict(1, 0.8, horizon_days=20, warmup_days=0, vendor={"vendor": "acme"})
    data["vendors"] = {"acme": {"agents": 2, **pricing}}
    sc = scenario_from(data)
    res = sk.simulate(sc, 2, seed=4, executor=None, progress=False, keep_logs=True)
    key = "price_per_fte_month" if "price_per_fte_month" in pricing else "fee_per_month"
    change = {f"vendors.acme.{key}": 1777.0}
    same(res.reprice(change), sk.simulate(sc.override(change), 2, seed=4, executor=None, progress=False))


def test_repricing_refuses_engine_fields_and_results_without_logs(
    kept: sk.Results, tiny: sk.Scenario
) -> None:
    assert not is_cost_only("vendors.msp.agents") and "vendors.*.price_per_item" in COST_ONLY_PATHS
    with pytest.raises(ValueError, match="vendors.msp.agents: cannot be re-priced"):
        kept.reprice({"vendors.msp.agents": 5})
    with pytest.raises(ValueError, match="keep_logs=True"):
        sk.simulate(tiny, 2, seed=1, executor=None, progress=False).reprice(
            {"teams.team.loaded_cost_per_hour": 1}
        )


def test_cumulative_cost_bands_end_at_the_total_cost(kept: sk.Results) -> None:
    c = kept.cumulative_cost(band=0.9)
    last = c.sort_values("month").groupby("option").last()
    totals = kept.kpis.groupby("option")["cost_total_usd"]
    for option in kept.options:
        assert last.loc[option, "mean"] == pytest.approx(totals.mean()[option], rel=1e-12)
        assert last.loc[option, "low"] >= totals.min()[option] - 1e-6
        assert last.loc[option, "high"] <= totals.max()[option] + 1e-6
    assert (c["low"] <= c["mean"] + 1e-9).all() and (c["mean"] <= c["high"] + 1e-9).all()
    assert isinstance(c, pd.DataFrame) and set(c["option"]) == set(kept.options)
