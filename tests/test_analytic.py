"""Closed forms against the worked values in the reference literature."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simkit import analytic


def test_erlang_c_worked_example() -> None:
    # lambda = 30/h, 5-minute handle time: a = 2.5; c = 4 -> C = 0.32, Wq ~ 1.07 min; c = 5 -> C = 0.13
    assert analytic.erlang_c(4, 2.5) == pytest.approx(0.32, abs=0.005)
    assert analytic.mmc_wait_mean_h(4, 30.0, 5 / 60) * 60 == pytest.approx(1.07, abs=0.01)
    assert analytic.erlang_c(5, 2.5) == pytest.approx(0.13, abs=0.005)


def test_erlang_c_limits() -> None:
    assert analytic.erlang_c(1, 0.5) == pytest.approx(0.5)  # M/M/1: P(wait) = rho
    assert analytic.erlang_c(3, 3.0) == 1.0
    assert math.isinf(analytic.mmc_wait_mean_h(2, 3.0, 1.0))


def test_halfin_whitt() -> None:
    # a = 100, beta = 1: exact 0.237 against the QED limit 0.223
    c = analytic.sqrt_staffing(100, 1.0)
    assert c == 110
    assert analytic.erlang_c(c, 100) == pytest.approx(0.237, abs=0.002)
    assert analytic.halfin_whitt_p_wait(1.0) == pytest.approx(0.223, abs=0.002)


def test_pooling_needs_fewer_servers() -> None:
    # four clients at a = 10 need 14 each for P(wait) <= 0.2; pooled at a = 40 they need 48
    assert analytic.min_servers_for_p_wait(10, 0.2) == 14
    assert analytic.min_servers_for_p_wait(40, 0.2) == 48


def test_present_values_and_break_even() -> None:
    assert analytic.annuity_pv(100.0, 12, 0.0) == 1200.0
    r = 1.08 ** (1 / 12) - 1
    assert analytic.annuity_pv(100.0, 12, 0.08) == pytest.approx(sum(100 / (1 + r) ** m for m in range(1, 13)))
    assert analytic.growing_annuity_pv(100, 5, 0.1, 0.03) == pytest.approx(
        sum(100 * 1.03 ** (t - 1) / 1.1**t for t in range(1, 6)))
    assert analytic.break_even_volume(10_000, 30, 10) == 500
    assert math.isinf(analytic.break_even_volume(10_000, 10, 10))


def test_availability_survival_overlap() -> None:
    assert analytic.availability(99, 1) == pytest.approx(0.99)
    assert analytic.survival(0.2, 5) == pytest.approx(math.exp(-1))
    assert analytic.overlap_wait_mean_h(0) == 12.0
    assert analytic.overlap_wait_mean_h(24) == 0.0


@settings(max_examples=60, deadline=None)
@given(staff=st.integers(1, 50), rate=st.floats(0.01, 5.0), years=st.floats(0.1, 10.0),
       lead_h=st.floats(1.0, 4000.0))
def test_attrition_closed_forms_are_consistent(staff: int, rate: float, years: float, lead_h: float) -> None:
    plain = analytic.attrition_leavers(staff, rate, years)
    assert plain == pytest.approx(staff * rate * years)
    assert analytic.attrition_leavers(staff, rate, years, 1e-6) == pytest.approx(plain, rel=1e-6)
    with_lead = analytic.attrition_leavers(staff, rate, years, lead_h)
    # a vacancy loses nobody: between the long-run renewal rate and the plain rule
    assert staff * rate * years / (1 + rate * lead_h / 8766) * (1 - 1e-9) - staff <= with_lead <= plain * (1 + 1e-9)
    assert with_lead >= analytic.attrition_leavers(staff, rate, years, 2 * lead_h) - 1e-9
    vacant = analytic.attrition_vacancy_h(staff, rate, years, lead_h)
    assert 0.0 <= vacant <= lead_h * with_lead * (1 + 1e-9)  # each leave empties a position for at most L
    assert vacant <= staff * years * 8766
