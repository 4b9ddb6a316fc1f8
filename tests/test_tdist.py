"""Student-t quantiles without SciPy agree with SciPy's and with the closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simkit.tdist import t_quantile

scipy_special = pytest.importorskip("scipy.special")


@settings(max_examples=150, deadline=None)
@given(df=st.integers(1, 100_000), p=st.floats(0.55, 0.99995))
def test_matches_scipy_for_confidence_levels(df: int, p: float) -> None:
    expected = float(scipy_special.stdtrit(df, p))
    assert t_quantile(df, p) == pytest.approx(expected, rel=1e-9)
    assert t_quantile(df, 1.0 - p) == pytest.approx(-expected, rel=1e-8)  # symmetric


@settings(max_examples=100, deadline=None)
@given(df=st.floats(0.5, 5000.0), t=st.floats(0.01, 30.0))
def test_inverts_scipys_distribution_function(df: float, t: float) -> None:
    p = float(scipy_special.stdtr(df, t))
    if p > 1 - 1e-12:  # the quantile is not determined to double precision there
        return
    assert t_quantile(df, p) == pytest.approx(t, rel=1e-7)


def test_closed_forms_and_known_values() -> None:
    assert t_quantile(1, 0.975) == pytest.approx(math.tan(math.pi * 0.475), rel=1e-15)
    assert t_quantile(2, 0.975) == pytest.approx(4.302652729749464, rel=1e-14)
    assert t_quantile(19, 0.975) == pytest.approx(2.093024054408263, rel=1e-12)  # tables: 2.093
    assert t_quantile(10**9, 0.975) == pytest.approx(1.959963984540054, rel=1e-6)  # the normal limit


def test_edges_and_broadcasting() -> None:
    assert t_quantile(5, 0.5) == 0.0
    assert t_quantile(5, 1.0) == math.inf and t_quantile(5, 0.0) == -math.inf
    assert math.isnan(t_quantile(0, 0.9)) and math.isnan(t_quantile(5, 1.5)) and math.isnan(t_quantile(5, math.nan))
    out = t_quantile(np.arange(1, 31), 0.975)
    assert out.shape == (30,)
    np.testing.assert_allclose(out, scipy_special.stdtrit(np.arange(1, 31), 0.975), rtol=1e-11)
    assert np.all(np.diff(out) < 0)  # more replications, narrower interval
