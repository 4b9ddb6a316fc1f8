"""What poor service cost, priced by hand: escaped defects by pool, late hours and abandoned items by kind."""

from __future__ import annotations

import numpy as np
import pytest
from usage_cases import pool, priced_scenario, table, usage

from simkit.accounting.costs import price_usage

N = 3


@pytest.fixture(scope="module")
def sc():  # noqa: ANN201
    return priced_scenario()


def test_escaped_defects_cost_their_pools_price(sc) -> None:  # noqa: ANN001
    zeros = np.zeros(N)
    use = usage(N, pool("team", "team", N, escaped=[2, 0, 1], staff_h=zeros, staff_months=zeros),
                pool("acme", "vendor", N, start_month=-1, escaped=[0, 3, 0], items=zeros, within_sla=zeros,
                     surge_agent_h=zeros))
    t = table(price_usage(sc, use), N)
    np.testing.assert_array_equal(t["quality"], [2 * 300.0, 3 * 500.0, 300.0])


def test_late_hours_and_abandoned_items_cost_their_kinds_price(sc) -> None:  # noqa: ANN001
    # kinds in file order: job (7 per late hour, 50 per lost item), rush (20 per late hour, nothing when lost)
    use = usage(N, late=([0, 0, 2], [0, 1, 1], [3.0, 2.0, 0.5]), lost=([1, 1, 2], [0, 1, 0]))
    t = table(price_usage(sc, use), N)
    np.testing.assert_allclose(t["delay"], [7.0 * 3 + 20.0 * 2, 0.0, 20.0 * 0.5], rtol=1e-12)
    np.testing.assert_array_equal(t["lost_business"], [0.0, 50.0, 50.0])
    assert sum(v.sum() for v in t.values()) == pytest.approx(61.0 + 10.0 + 100.0, rel=1e-12)


def test_outcomes_carry_no_exchange_rate(sc) -> None:  # noqa: ANN001
    zeros = np.zeros(N)
    use = usage(N, pool("team", "team", N, fx=[1.0, 2.0, 0.5], escaped=[1, 1, 1], staff_h=zeros,
                        staff_months=zeros), late=([1], [0], [4.0]), lost=([2], [0]))
    t = table(price_usage(sc, use), N)
    np.testing.assert_array_equal(t["quality"], [300.0] * 3)
    np.testing.assert_array_equal(t["delay"], [0.0, 28.0, 0.0])
    assert not t["fx"].any()
