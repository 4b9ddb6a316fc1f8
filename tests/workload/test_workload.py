"""Workload volume as people state it (``annual_volume``) and day-level over-dispersion (``day_noise_cv``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.scenario.preflight import expected_items
from simkit.scenario.schema import WorkloadSpec
from simkit.units import HOURS_PER_YEAR
from simkit.workload.trace import generate

KINDS = {"ticket": {"share": 1, "effort_h": "exponential(mean=0.5)"}}
HOUR = [0.2] * 8 + [2.5] * 10 + [0.6] * 6  # a hand-written profile that does not average 1
DAY = [1.3, 1.1, 1.0, 1.0, 0.9, 0.2, 0.1]
MONTH = [0.8, 0.8, 1.0, 1.0, 1.1, 1.2, 1.2, 1.0, 1.0, 0.9, 1.3, 1.6]


def _spec(**fields: object) -> WorkloadSpec:
    return WorkloadSpec.model_validate({"kinds": KINDS, **fields})


def _counts(spec: WorkloadSpec, horizon_h: float, reps: int, seed: int = 1) -> np.ndarray:
    root = np.random.SeedSequence(seed)
    return np.array([len(generate(spec, horizon_h, np.random.default_rng(s))) for s in root.spawn(reps)])


def _mean_ci(x: np.ndarray) -> tuple[float, float]:
    """Mean and the half-width of its 99.9% interval (normal; the counts are sums of thousands of items)."""
    return float(x.mean()), 3.29 * float(x.std(ddof=1)) / math.sqrt(x.size)


def test_annual_volume_sets_the_base_rate_whatever_the_profile_averages() -> None:
    spec = _spec(annual_volume=9000, hour_of_day=HOUR, day_of_week=DAY)
    assert spec.profile_mean == pytest.approx(np.mean(HOUR) * np.mean(DAY))
    assert spec.rate_per_hour == pytest.approx(9000 / (HOURS_PER_YEAR * spec.profile_mean))
    assert spec.implied_annual_volume == pytest.approx(9000)
    hand = _spec(rate_per_hour=9000 / HOURS_PER_YEAR, hour_of_day=HOUR, day_of_week=DAY)
    assert hand.implied_annual_volume == pytest.approx(9000 * spec.profile_mean)  # the silent shortfall


def test_simulated_count_over_whole_weeks_matches_annual_volume() -> None:
    """Over 52 whole weeks every (hour, weekday) occurs equally often: the mean-1 normalisation is exact."""
    spec = _spec(annual_volume=9000, hour_of_day=HOUR, day_of_week=DAY)
    horizon_h = 52 * 168.0
    mean, half = _mean_ci(_counts(spec, horizon_h, 300))
    want = 9000 * horizon_h / HOURS_PER_YEAR
    assert half < 0.005 * want  # the interval is tighter than the half-percent error we guard against
    assert abs(mean - want) < half


def test_simulated_first_year_matches_annual_volume_with_months_and_growth() -> None:
    spec = _spec(annual_volume=6000, month_of_year=MONTH, growth_annual=0.25)
    assert spec.rate_per_hour < 6000 / HOURS_PER_YEAR / np.mean(MONTH)  # growth adds volume through the year
    mean, half = _mean_ci(_counts(spec, HOURS_PER_YEAR, 300, seed=2))
    assert half < 0.005 * 6000
    assert abs(mean - 6000) < half


def test_scenario_expected_items_equals_annual_volume() -> None:
    sc = sk.loads(f"""
name: volume
run: {{horizon_days: 365.25}}
workload: {{annual_volume: 12000, hour_of_day: {HOUR}, day_of_week: {DAY}, month_of_year: {MONTH},
           growth_annual: 0.1, kinds: {{t: {{share: 1, effort_h: 0.5}}}}}}
teams: {{desk: {{staff: 3}}}}
options: {{in_house: {{team: desk}}}}
""")
    assert expected_items(sc) == pytest.approx(12000, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(volume=st.floats(1, 1e6), hour=st.lists(st.floats(0.01, 5), min_size=24, max_size=24),
       growth=st.floats(-0.5, 2))
def test_annual_volume_round_trips_for_any_profile(volume: float, hour: list[float], growth: float) -> None:
    spec = _spec(annual_volume=volume, hour_of_day=hour, growth_annual=growth)
    assert spec.implied_annual_volume == pytest.approx(volume, rel=1e-9)


def test_volume_needs_exactly_one_of_rate_and_annual_volume() -> None:
    base = "name: v\nteams: {d: {staff: 1}}\noptions: {o: {team: d}}\nworkload: {kinds: {t: {share: 1, effort_h: 1}}"
    with pytest.raises(sk.ScenarioError, match="workload: needs rate_per_hour .* or annual_volume"):
        sk.loads(base + "}")
    with pytest.raises(sk.ScenarioError, match="either rate_per_hour or annual_volume, not both"):
        sk.loads(base + ", rate_per_hour: 1, annual_volume: 8766}")
    with pytest.raises(sk.ScenarioError, match="annual_volume: must be >= 0, got -5"):
        sk.loads(base + ", annual_volume: -5}")
    with pytest.raises(sk.ScenarioError, match="needs a base rate of .* items/h"):
        sk.loads(base + ", annual_volume: 1e9, hour_of_day: [" + ", ".join(["0.001"] * 23 + ["1"]) + "]}")


def test_annual_volume_survives_overrides_and_yaml_round_trip() -> None:
    sc = sk.loads("name: v\nteams: {d: {staff: 1}}\noptions: {o: {team: d}}\n"
                  "workload: {annual_volume: 8766, day_of_week: [2, 2, 2, 2, 2, 0, 0], kinds: {t: {share: 1, "
                  "effort_h: 1}}}")
    assert "rate_per_hour" not in sc.to_dict()["workload"]  # derived, so an override of the volume re-derives it
    doubled = sc.override({"workload.annual_volume": 17532})
    assert doubled.workload.rate_per_hour == pytest.approx(2 * sc.workload.rate_per_hour)
    assert sk.loads(sc.to_yaml()) == sc


def test_fields_left_out_keep_the_dump_and_fingerprint() -> None:
    sc = sk.load("scenarios/startup_it_helpdesk.yaml")
    wl = sc.to_dict()["workload"]
    assert "annual_volume" not in wl and "day_noise_cv" not in wl
    assert sc.override({"workload.day_noise_cv": 0.0}).fingerprint() == sc.fingerprint()


def test_day_noise_off_draws_nothing_extra() -> None:
    plain = _spec(rate_per_hour=2.0, hour_of_day=HOUR)
    zero = _spec(rate_per_hour=2.0, hour_of_day=HOUR, day_noise_cv=0.0)
    a, b = generate(plain, 24 * 60.0, np.random.default_rng(5)), generate(zero, 24 * 60.0, np.random.default_rng(5))
    assert np.array_equal(a.arrival_h, b.arrival_h) and np.array_equal(a.effort_h, b.effort_h)


def _daily(spec: WorkloadSpec, days: int, seed: int, offset_h: float = 0.0) -> np.ndarray:
    tr = generate(spec, days * 24.0, np.random.default_rng(seed), utc_offset_h=offset_h)
    local_day = np.floor((tr.arrival_h + offset_h) / 24.0) - math.floor(offset_h / 24.0)
    return np.bincount(local_day.astype(int), minlength=days + 1)[:days]


def test_day_noise_gives_the_stated_extra_spread_and_keeps_the_mean() -> None:
    """Daily counts are gamma-mixed Poisson: var = m + (cv m)^2, so cv^2 = (var - m) / m^2."""
    cv, per_day, days = 0.3, 120.0, 365
    spec = _spec(rate_per_hour=per_day / 24, day_noise_cv=cv)
    estimates, means = [], []
    for seed in range(24):
        d = _daily(spec, days, seed, offset_h=-5.0)[1:]  # the first local day is partial
        m, v = d.mean(), d.var(ddof=1)
        estimates.append(math.sqrt(max(v - m, 0.0)) / m)
        means.append(m)
    cv_hat, half = _mean_ci(np.array(estimates))
    assert half < 0.03
    assert abs(cv_hat - cv) < half + 0.005  # the square root biases each estimate down by ~1/(4n)
    m_hat, m_half = _mean_ci(np.array(means))
    assert m_half < 0.02 * per_day and abs(m_hat - per_day) < m_half
    plain = _daily(_spec(rate_per_hour=per_day / 24), days, 99)
    assert plain.var(ddof=1) / plain.mean() < 1.5  # without noise: Poisson, dispersion index about 1
