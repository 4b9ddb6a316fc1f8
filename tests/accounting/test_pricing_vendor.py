"""A vendor's contract priced by hand: fees at the renewal price factor, surge, take-or-pay, governance, credits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from usage_cases import pool, priced_scenario, table, usage

from simkit.accounting.costs import price_factors, price_usage
from simkit.units import HOURS_PER_MONTH

N = 4
ITEMS = np.array([120.0, 80.0, 150.0, 0.0])
WITHIN = np.array([120.0, 78.0, 141.0, 0.0])  # attainment 1, 0.975, 0.94, none (counts as met)
SURGE_H = np.array([0.0, 12.0, 30.0, 0.0])


@pytest.fixture(scope="module")
def sc():  # noqa: ANN201
    return priced_scenario()


def vendor_usage(fx: np.ndarray | None = None, events: tuple = ()):  # noqa: ANN201
    return usage(N, pool("acme", "vendor", N, fx=fx, items=ITEMS, within_sla=WITHIN, surge_agent_h=SURGE_H),
                 events=events)


def test_price_factor_steps_at_each_renewal(sc) -> None:  # noqa: ANN001
    edges = np.arange(N + 1) * HOURS_PER_MONTH
    step = 1.12 ** (2 / 12) * (1 + 0.05 * 2 * 0.75)  # indexation for the 2-month term, lock-in x 2k
    np.testing.assert_allclose(price_factors(sc.vendors["acme"].contract, 0.75, edges, 0.0),
                               [1.0, 1.0, step, step], rtol=1e-12)
    np.testing.assert_array_equal(price_factors(None, 0.75, edges, 0.0), np.ones(N))


def test_fees_surge_commitment_governance_and_credits(sc) -> None:  # noqa: ANN001
    t = table(price_usage(sc, vendor_usage(events=((2, "acme", "review"),))), N)
    step = 1.12 ** (2 / 12) * 1.075
    factor = np.array([1.0, 1.0, step, step])
    fees = 20.0 * ITEMS * factor
    np.testing.assert_allclose(t["vendor_fees"], fees, rtol=1e-12)
    np.testing.assert_allclose(t["governance"], 0.1 * fees, rtol=1e-12)
    np.testing.assert_allclose(t["commitment"], [0.0, 20 * 20.0, 0.0, 100 * 20.0 * step], rtol=1e-12)
    np.testing.assert_allclose(t["surge"], 35.0 * SURGE_H, rtol=1e-12)
    np.testing.assert_allclose(t["sla_credits"], [0.0, 0.0, -0.02 * fees[2], 0.0], rtol=1e-9)  # 1 point below 95%
    np.testing.assert_array_equal(t["review_penalties"], [0.0, 0.0, -2500.0, 0.0])
    assert not t["fx"].any() and not t["labour"].any()


def test_service_credits_stop_at_the_cap(sc) -> None:  # noqa: ANN001
    bad = usage(N, pool("acme", "vendor", N, items=ITEMS, within_sla=ITEMS * 0.5, surge_agent_h=SURGE_H))
    t = table(price_usage(sc, bad), N)
    fees = table(price_usage(sc, bad), N)["vendor_fees"]
    np.testing.assert_allclose(t["sla_credits"], -0.1 * fees, rtol=1e-12)  # 45 points x 2% is far above the 10% cap


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.3, 3.0), min_size=N - 1, max_size=N - 1))
def test_a_vendor_paid_in_another_currency_books_every_exchange_rate_difference_in_fx(rates: list[float]) -> None:
    sc = priced_scenario()
    fx = np.array([1.0, *rates])
    home = table(price_usage(sc, vendor_usage(events=((2, "acme", "review"),))), N)
    abroad = table(price_usage(sc, vendor_usage(fx, events=((2, "acme", "review"),))), N)
    for category in home:
        if category != "fx":
            np.testing.assert_array_equal(abroad[category], home[category], err_msg=category)
    contract = ("vendor_fees", "surge", "commitment", "governance", "sla_credits")
    in_currency = sum(home[c] for c in contract)
    at_home = sum(home[c] for c in home if c not in contract)  # the penalty, the vendor's start: no FX
    assert at_home[2] != 0.0 and at_home[0] != 0.0
    np.testing.assert_allclose(abroad["fx"], in_currency * (fx - 1.0), rtol=1e-12, atol=1e-9)
    # what the client pays: the contract's amounts at the month's rate, the rest as written
    np.testing.assert_allclose(sum(abroad.values()), in_currency * fx + at_home, rtol=1e-12)
