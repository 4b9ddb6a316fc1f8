"""The capstone's data: the committed history is what its generator writes, the fit recovers the stated
truth, and the reference options turn the fit into the case's three options.

The history is one draw from :data:`~simkit.fitting.demo.NORTHWIND_TRUTH`, so each recovered value is
checked against the truth with its 99% interval (about 2.6 standard errors) from the size of the data.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simkit as sk
from simkit.fitting import fit
from simkit.fitting.demo import NORTHWIND_TRUTH, northwind_tickets
from simkit.scenario.yamlio import load_yaml_file
from simkit.ui.lessons import check_answer

CAPSTONE = Path(__file__).resolve().parents[2] / "notebooks" / "capstone"
HISTORY, SOLUTION = CAPSTONE / "northwind_tickets.csv", CAPSTONE / "northwind_solution.yaml"
Z99 = 2.576


@pytest.fixture(scope="module")
def fitted() -> sk.fitting.FitResult:
    return fit(HISTORY, timezone="America/New_York", replications=4)


def test_the_committed_history_is_what_the_generator_writes() -> None:
    assert HISTORY.stat().st_size < 2_500_000  # a year of 57,000 contacts in five short columns
    assert northwind_tickets().to_csv(index=False) == HISTORY.read_text()


def test_messy_rows_are_counted_exactly(fitted) -> None:
    m, issues = NORTHWIND_TRUTH["messy"], fitted.history.issues
    assert issues["duplicate rows"] == m["duplicate rows"]
    assert issues["unparsable time"] == m["unparsable time"]
    assert issues["negative effort (arrival kept)"] == m["negative effort"]
    assert issues["effort over 168 h (arrival kept)"] == m["absurd effort"]
    assert not issues.get("missing time") and not issues.get("time in the future")
    assert fitted.history.utc_offset_h == -5.0  # New York in winter; the calendars follow its clock


def test_volume_profile_and_months_within_their_intervals(fitted) -> None:
    a, t = fitted.arrivals, NORTHWIND_TRUTH
    expected = t["annual_volume"] * t["days"] * 24 / 8766
    assert abs(a.total_items - expected) < Z99 * math.sqrt(expected)  # Poisson: the count over the year
    assert a.separable  # the truth is separable: the held-out deviance prefers the separable profile
    truth = np.outer(t["day_of_week"], t["hour_of_day"]).ravel()
    has = truth > 0
    assert np.mean(np.abs(a.how[has] / (truth[has] / truth.mean()) - 1)) < 0.05
    # The monthly shape, trend included (the fit may split it between months and growth), against the truth
    mid_year = (np.arange(12) + 0.5) / 12
    shape = a.month * np.exp(a.beta_per_year * mid_year if a.growth_annual else 0.0)
    month_truth = np.asarray(t["month_of_year"])
    items = expected * month_truth / month_truth.sum()  # about 3,400 to 7,900 contacts a month
    assert np.all(np.abs(shape / shape.mean() / month_truth - 1) < Z99 / np.sqrt(items) + 0.005)
    assert a.day_noise_cv == 0.0  # Poisson days: no day multiplier


def test_kinds_efforts_and_priorities(fitted) -> None:
    n = sum(k.count for k in fitted.kinds)
    kinds = {k.labels[0]: k for k in fitted.kinds}
    assert set(kinds) == set(NORTHWIND_TRUTH["kinds"])
    for label, (share, mean_min, cv, _) in NORTHWIND_TRUTH["kinds"].items():
        k = kinds[label]
        assert abs(k.share - share) < Z99 * math.sqrt(share * (1 - share) / n)
        assert k.effort.family == "lognormal"
        assert abs(k.effort.mean_h - mean_min / 60) < Z99 * cv * mean_min / 60 / math.sqrt(k.effort.n) + 0.05 / 60
        assert abs(k.effort.cv - cv) < 0.05 * cv
    assert [kinds[k].priority for k in ("Call", "Email", "Return")] == [0, 1, 2]
    assert all(k.sla_h is None for k in fitted.kinds)  # no resolution times: the promises come from the brief


def test_the_backtest_passes_the_tolerances_the_notebook_states(fitted) -> None:
    s = fitted.backtest.summary
    assert s["how_mape"] <= 0.10 and abs(s["weekly_error"]) <= 0.03
    assert abs(s["daily_sd_sim"] / s["daily_sd_obs"] - 1) <= 0.15
    assert fitted.backtest.effort["rel_error"].abs().max() <= 0.05


def test_the_reference_options_complete_the_fitted_scenario(fitted) -> None:
    changes = load_yaml_file(SOLUTION)
    sc = fitted.scenario.override(changes)
    assert sc.option_names == ["in_house", "vendor", "hybrid"] and sc.baseline == "in_house"
    assert {k: v.sla_h for k, v in sc.workload.kinds.items()} == {"call": 0.5, "email": 24, "return": 48}
    # the volume the solution states is the year the fit counted, with no trend (its comments say why)
    assert changes["workload.annual_volume"] == round(fitted.arrivals.total_items)
    assert sc.workload.growth_annual == 0.0
    assert sc.workload.implied_annual_volume == pytest.approx(fitted.arrivals.total_items, rel=1e-9)
    fitted_kinds = {k.name: k for k in fitted.kinds}
    for name, kind in sc.workload.kinds.items():  # the fitted work is kept as fitted
        assert kind.share == pytest.approx(round(fitted_kinds[name].share, 4))
    assert sc.calendars["centre"].timezone == sc.calendars["client"].timezone == "America/New_York"  # DST too


def test_fit_exercises_are_checked_against_the_learners_own_fit(fitted, capsys: pytest.CaptureFixture[str]) -> None:
    other = fit(northwind_tickets(seed=3), timezone="America/New_York", replications=1)
    mine, theirs = fitted.arrivals.month[11], other.arrivals.month[11]
    assert abs(mine - theirs) > 0.01  # another draw gives a clearly different December
    check_answer("capstone.fit_december", mine, results=fitted)
    check_answer("capstone.fit_december", mine, results=other)
    check_answer("capstone.fit_growth", other.arrivals.growth_annual, results=other)
    check_answer("capstone.fit_growth", 0.5)
    check_answer("capstone.sim_hybrid_gap", 0.5, results=fitted)  # the fit passed for a simulation
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "[capstone.fit_december] Correct! It matches your fit."
    assert out[1].startswith("[capstone.fit_december] Not quite")
    assert out[2] == "[capstone.fit_growth] Correct! It matches your fit."
    assert "checked against your fit: pass it, check_answer(..., results=fitted)" in out[3]
    assert out[4].startswith("[capstone.sim_hybrid_gap] Cannot read this question's answer off the FitResult")
    assert out[4].endswith(": pass your simulation.") and len(out) == 5


def test_simulation_exercises_read_the_learners_options(fitted, capsys: pytest.CaptureFixture[str]) -> None:
    sc = fitted.scenario.override(load_yaml_file(SOLUTION)).override({"run.horizon_days": 28})
    res = sk.simulate(sc, replications=2, keep_logs=True, progress=False)
    k = res.kpis.groupby("option")["cost_total_usd"].mean()
    quality = res.ledger.query("option == 'vendor' and category == 'quality'")["amount"].sum() / 2
    assert quality > 0
    check_answer("capstone.sim_hybrid_gap", k["hybrid"] - k["in_house"], results=res)
    check_answer("capstone.sim_quality_cost", quality, results=res)
    check_answer("capstone.sim_quality_cost", quality * 1.05, results=res)
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("Correct! It matches your simulation.")
    assert out[1].endswith("Correct! It matches your simulation.")
    assert out[2].startswith("[capstone.sim_quality_cost] Not quite (too high)")


def test_generator_is_seeded_and_the_messy_rows_are_where_the_truth_says() -> None:
    a, b = northwind_tickets(seed=5), northwind_tickets(seed=5)
    pd.testing.assert_frame_equal(a, b)
    m = NORTHWIND_TRUTH["messy"]
    assert (a["created_at"] == "#VALUE!").sum() == m["unparsable time"]
    assert int(a.duplicated().sum()) == m["duplicate rows"]
    handle = pd.to_numeric(a["handle_min"])
    assert (handle < 0).sum() == m["negative effort"] and (handle > 168 * 60).sum() == m["absurd effort"]
