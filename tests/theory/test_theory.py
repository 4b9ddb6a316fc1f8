"""The simulation against queueing theory: Erlang C and Little's law.

An in-house option with Poisson arrivals, exponential effort and c staff around
the clock is an M/M/c queue.  Its mean wait and probability of waiting must
land inside the 95% confidence interval of the replications.  Seeds are fixed,
so these tests are deterministic; with other seeds about 1 in 20 intervals
would miss, which is what a 95% interval means.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import mmc_dict, scenario_from

import simkit as sk
from simkit import analytic
from simkit.experiment.simulate import run_replication


@pytest.mark.parametrize(("rho", "horizon_days"), [(0.7, 100), (0.9, 200), (0.95, 300)])
def test_mmc_matches_erlang_c(rho: float, horizon_days: float) -> None:
    c = 10
    lam = rho * c
    sc = scenario_from(mmc_dict(c, lam, horizon_days=horizon_days, warmup_days=10))
    res = sk.simulate(sc, replications=20, seed=1)
    s = res.summary().set_index("kpi")
    wq = analytic.mmc_wait_mean_h(c, lam, 1.0)
    pw = analytic.erlang_c(c, lam)
    lo, hi = s.loc["wait_mean_h", ["ci_low", "ci_high"]]
    assert lo <= wq <= hi, f"rho={rho}: Erlang C Wq={wq:.4f} outside CI [{lo:.4f}, {hi:.4f}]"
    lo, hi = s.loc["waited_share", ["ci_low", "ci_high"]]
    assert lo <= pw <= hi, f"rho={rho}: Erlang C P(wait)={pw:.4f} outside CI [{lo:.4f}, {hi:.4f}]"
    # the interval is informative, not vacuous: narrower than 20% of the value
    assert (s.loc["wait_mean_h", "ci_high"] - s.loc["wait_mean_h", "ci_low"]) < 0.2 * wq
    util_lo, util_hi = s.loc["utilisation_share", ["ci_low", "ci_high"]]
    assert util_lo - 0.01 <= rho <= util_hi + 0.01


def test_mm1_wait() -> None:
    sc = scenario_from(mmc_dict(1, 0.8, horizon_days=200, warmup_days=5))
    res = sk.simulate(sc, replications=40, seed=1)
    s = res.summary().set_index("kpi")
    wq = 0.8 / (1.0 - 0.8)  # rho / (mu - lambda) with mu = 1
    lo, hi = s.loc["wait_mean_h", ["ci_low", "ci_high"]]
    assert lo <= wq <= hi


def test_littles_law_on_the_item_log() -> None:
    """L (time-average number in system) = lambda (arrival rate) x W (mean time in system)."""
    sc = scenario_from(mmc_dict(5, 4.0, horizon_days=400, warmup_days=0))
    log = run_replication(sc, 0, seed=11, keep_logs=True).logs["in_house"]
    t0, t1 = log.window_h
    arrival = log.trace.arrival_h
    end = np.where(np.isnan(log.end_h), t1, log.end_h)
    in_system_h = np.clip(np.minimum(end, t1) - np.maximum(arrival, t0), 0, None).sum()
    L = in_system_h / (t1 - t0)
    lam = arrival.size / (t1 - t0)
    W = float((end - arrival).mean())
    assert L == pytest.approx(lam * W, rel=0.01)
