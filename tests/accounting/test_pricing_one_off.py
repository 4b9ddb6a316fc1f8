"""Moving between sourcing models priced by hand: transition, knowledge transfer, parallel run, severance, exits."""

from __future__ import annotations

import numpy as np
import pytest
from usage_cases import pool, priced_scenario, table, usage

from simkit.accounting.costs import price_usage
from simkit.units import HOURS_PER_MONTH

N = 4


@pytest.fixture(scope="module")
def sc():  # noqa: ANN201
    return priced_scenario()


def vendor(start_month: int = 0, fx: np.ndarray | None = None):  # noqa: ANN201
    zeros = np.zeros(N)
    return pool("acme", "vendor", N, fx=fx, start_month=start_month, items=zeros + 100.0, within_sla=zeros + 100.0,
                surge_agent_h=zeros)


def test_a_vendors_start_costs_transition_knowledge_transfer_parallel_run_and_severance(sc) -> None:  # noqa: ANN001
    t = table(price_usage(sc, usage(N, vendor())), N)
    np.testing.assert_array_equal(t["transition"], [5000.0, 0, 0, 0])
    np.testing.assert_array_equal(t["knowledge_transfer"], [8000.0 * 2 * 0.75, 0, 0, 0])  # x 2 x asset specificity
    # the retained team (2 people, open around the clock) for 1.5 months: wages and overhead
    month = 2 * (40.0 * HOURS_PER_MONTH + 600.0)
    np.testing.assert_allclose(t["parallel_run"], [month, month / 2, 0, 0], rtol=1e-12)
    np.testing.assert_array_equal(t["severance"], [0, 2 * 7000.0, 0, 0])  # released when parallel running ends


def test_a_vendor_that_started_before_the_window_books_no_one_off(sc) -> None:  # noqa: ANN001
    t = table(price_usage(sc, usage(N, vendor(start_month=-1))), N)
    assert not t["transition"].any() and not t["knowledge_transfer"].any()


@pytest.mark.parametrize(("how", "exit_fee"), [("termination", 15000.0), ("insolvency", 0.0), ("cause", 0.0)])
def test_an_exit_costs_switching_and_only_a_termination_the_exit_fee(sc, how: str, exit_fee: float) -> None:  # noqa: ANN001
    t = table(price_usage(sc, usage(N, events=((3, "acme", f"exit:{how}"),))), N)
    np.testing.assert_array_equal(t["switching"], [0, 0, 0, 40000.0 * 2 * 0.75])
    np.testing.assert_array_equal(t["exit_fee"], [0, 0, 0, exit_fee])


def test_one_offs_carry_no_exchange_rate(sc) -> None:  # noqa: ANN001
    fx = np.array([1.0, 1.5, 0.5, 2.0])
    home = table(price_usage(sc, usage(N, vendor(), events=((3, "acme", "exit:termination"),))), N)
    abroad = table(price_usage(sc, usage(N, vendor(fx=fx), events=((3, "acme", "exit:termination"),))), N)
    for category in ("transition", "knowledge_transfer", "parallel_run", "severance", "switching", "exit_fee"):
        np.testing.assert_array_equal(abroad[category], home[category], err_msg=category)
    fees = home["vendor_fees"] + home["governance"] + home["commitment"]
    np.testing.assert_allclose(abroad["fx"], fees * (fx - 1.0), rtol=1e-12)  # the fees' difference only
