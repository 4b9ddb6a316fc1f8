"""Distribution specs: parsing, moments of the samplers, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simkit.scenario.distributions import DIST_NAMES, Dist, parse_dist

SPECS = [
    "exponential(mean=2)", "exponential(rate=0.5)", "lognormal(mean=2, cv=0.5)", "gamma(mean=2, cv=0.7)",
    "gamma(shape=4, scale=0.5)", "triangular(low=1, mode=2, high=3)", "uniform(low=1, high=3)",
    "deterministic(value=2)", "empirical(values=[1, 2, 3])", "empirical(values=[1, 3], weights=[1, 1])",
]


@pytest.mark.parametrize("spec", SPECS)
def test_sample_mean_and_scv_match_the_spec(spec: str) -> None:
    d = parse_dist(spec)
    x = d.sample(np.random.default_rng(0), 400_000)
    assert x.dtype == np.float64 and x.shape == (400_000,)
    assert d.mean == pytest.approx(2.0)
    assert x.mean() == pytest.approx(d.mean, rel=0.01)
    assert x.var() / x.mean() ** 2 == pytest.approx(d.scv, rel=0.03, abs=1e-9)
    assert np.all(x >= 0)


@pytest.mark.parametrize("spec", SPECS)
def test_string_round_trip(spec: str) -> None:
    d = parse_dist(spec)
    assert parse_dist(str(d)) == d


def test_other_forms() -> None:
    assert parse_dist(1.5) == Dist.of("deterministic", value=1.5)
    assert parse_dist({"dist": "lognormal", "mean": 2, "cv": 0.5}) == parse_dist("lognormal(mean=2, cv=0.5)")
    assert set(DIST_NAMES) >= {"exponential", "lognormal", "gamma", "triangular", "uniform", "deterministic",
                               "empirical"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("weibull(k=2)", "unknown distribution 'weibull'"),
        ("lognormal(mean=2)", "lognormal takes (mean, cv), got (mean)"),
        ("lognormal(mean=-2, cv=1)", "mean must be > 0"),
        ("triangular(low=3, mode=2, high=1)", "low <= mode <= high"),
        ("exponential(mean=__import__('os'))", "cannot read the parameters"),
        ("lognormal mean 2", "cannot read"),
        ("exponential(mean=1, mean=2)", "given twice"),
        ({"mean": 2}, "needs 'dist: <name>'"),
        (True, "expected a distribution"),
        ([1, 2], "expected a distribution"),
    ],
)
def test_errors(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=None) as info:
        parse_dist(value)
    assert message in str(info.value)


@settings(max_examples=60, deadline=None)
@given(mean=st.floats(0.01, 100), cv=st.floats(0, 3), seed=st.integers(0, 2**32 - 1))
def test_lognormal_samples_are_positive_and_seeded(mean: float, cv: float, seed: int) -> None:
    d = Dist.of("lognormal", mean=mean, cv=cv)
    a = d.sample(np.random.default_rng(seed), 100)
    b = d.sample(np.random.default_rng(seed), 100)
    assert np.array_equal(a, b)
    assert np.all(a > 0) and np.all(np.isfinite(a))
