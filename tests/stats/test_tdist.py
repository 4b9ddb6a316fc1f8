"""Student-t quantiles without SciPy agree with SciPy's and with the closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simkit.stats.tdist import t_quantile


def _scipy_special():  # noqa: ANN202 - the oracle: SciPy >= 1.12 (Boost's quantile; older cdflib is off by 1e-9)
    pytest.importorskip("scipy", minversion="1.12")
    import scipy.special

    return scipy.special


@settings(max_examples=150, deadline=None)
@given(df=st.integers(1, 100_000), p=st.floats(0.55, 0.99995))
def test_matches_scipy_for_confidence_levels(df: int, p: float) -> None:
    scipy_special = _scipy_special()
    expected = float(scipy_special.stdtrit(df, p))
    assert t_quantile(df, p) == pytest.approx(expected, rel=1e-9)
    assert t_quantile(df, 1.0 - p) == pytest.approx(-expected, rel=1e-8)  # symmetric


@settings(max_examples=100, deadline=None)
@given(df=st.floats(0.5, 5000.0), t=st.floats(0.01, 30.0))
def test_inverts_scipys_distribution_function(df: float, t: float) -> None:
    scipy_special = _scipy_special()
    p = float(scipy_special.stdtr(df, t))
    if p > 1 - 1e-6:  # 1 - p keeps too few digits there to pin t down to 1e-7
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
    assert out.shape == (30,) and np.all(np.diff(out) < 0)  # more replications, narrower interval
    np.testing.assert_allclose(out, [t_quantile(d, 0.975) for d in range(1, 31)], rtol=0)
    for df in (1, 2):  # closed forms (t_quantile uses them): the Newton path agrees with them too
        for p in (0.6, 0.9, 0.975, 0.9995):
            assert t_quantile(df + 1e-9, p) == pytest.approx(t_quantile(df, p), rel=1e-7)


def test_student_t_table() -> None:
    """Two-sided 95% and 99% critical values from a printed table (3 decimals)."""
    table = {3: (3.182, 5.841), 5: (2.571, 4.032), 9: (2.262, 3.250), 29: (2.045, 2.756), 120: (1.980, 2.617)}
    for df, (t95, t99) in table.items():
        assert round(t_quantile(df, 0.975), 3) == t95 and round(t_quantile(df, 0.995), 3) == t99
