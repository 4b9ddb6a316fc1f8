"""A team's people priced by hand: wages, overhead, overtime, call-outs, recruiting and layoff severance."""

from __future__ import annotations

import numpy as np
import pytest
from usage_cases import pool, priced_scenario, table, usage

from simkit.accounting.book import Book
from simkit.accounting.costs import price_usage
from simkit.accounting.pricing_people import price_team

N = 3
STAFF_H = [320.0, 300.0, 0.0]
STAFF_MONTHS = [2.0, 1.5, 0.0]
OVERTIME_H = [4.0, 0.0, 10.0]


@pytest.fixture(scope="module")
def sc():  # noqa: ANN201
    return priced_scenario()


def test_wages_overhead_and_overtime_of_a_team(sc) -> None:  # noqa: ANN001
    use = usage(N, pool("team", "team", N, staff_h=STAFF_H, staff_months=STAFF_MONTHS, overtime_h=OVERTIME_H))
    t = table(price_usage(sc, use), N)
    np.testing.assert_array_equal(t["labour"], [40.0 * 320, 40.0 * 300, 0.0])
    np.testing.assert_array_equal(t["overhead"], [600.0 * 2, 600.0 * 1.5, 0.0])
    np.testing.assert_array_equal(t["overtime"], [40.0 * 1.5 * 4, 0.0, 40.0 * 1.5 * 10])
    assert not t["fx"].any()
    assert sum(v.sum() for v in t.values()) == pytest.approx(40 * 620 + 600 * 3.5 + 60 * 14, rel=1e-12)


def test_a_roster_is_paid_for_on_call_hours_and_each_call_out(sc) -> None:  # noqa: ANN001
    use = usage(N, pool("roster", "team", N, staff_h=[100.0] * 3, staff_months=[2.0] * 3, on_call_h=[0.0, 3.0, 1.5]),
                events=((1, "roster", "call_out"), (1, "roster", "call_out"), (2, "roster", "call_out")))
    t = table(price_usage(sc, use), N)
    np.testing.assert_allclose(t["call_outs"], [0.0, 30.0 * 3 + 2 * 150.0, 30.0 * 1.5 + 150.0], rtol=1e-12)
    np.testing.assert_array_equal(t["labour"], [3000.0] * 3)


def test_hires_and_layoffs_are_booked_in_their_month(sc) -> None:  # noqa: ANN001
    use = usage(N, pool("team", "team", N, staff_h=[0.0] * 3, staff_months=[0.0] * 3),
                events=((0, "team", "hire"), (2, "team", "hire"), (2, "team", "layoff")))
    t = table(price_usage(sc, use), N)
    np.testing.assert_array_equal(t["recruiting"], [3000.0, 0.0, 3000.0])
    np.testing.assert_array_equal(t["severance"], [0.0, 0.0, 9000.0])


def test_a_team_paid_in_another_currency_books_every_exchange_rate_difference_in_fx(sc) -> None:  # noqa: ANN001
    fx = np.array([1.0, 1.25, 0.8])
    home = usage(N, pool("roster", "team", N, staff_h=STAFF_H, staff_months=STAFF_MONTHS, on_call_h=[1.0, 2.0, 3.0]),
                 events=((1, "roster", "call_out"), (2, "roster", "call_out")))
    abroad = usage(N, pool("roster", "team", N, fx=fx, staff_h=STAFF_H, staff_months=STAFF_MONTHS,
                           on_call_h=[1.0, 2.0, 3.0]), events=home.events)
    t1, t = table(price_usage(sc, home), N), table(price_usage(sc, abroad), N)
    for category in t:
        if category != "fx":
            np.testing.assert_array_equal(t[category], t1[category], err_msg=category)
    paid = 30.0 * np.array(STAFF_H) + 30.0 * np.array([1.0, 2.0, 3.0]) + [0, 150, 150]  # wages, on call; no overhead
    np.testing.assert_allclose(t["fx"], paid * (fx - 1.0), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(sum(t.values()), paid * fx, rtol=1e-12)


def test_the_book_refuses_an_exchange_rate_on_a_category_paid_at_home() -> None:
    book = Book(2)
    with pytest.raises(ValueError, match="recruiting"):
        book.one_off("recruiting", 0, 100.0, np.ones(2))
    with pytest.raises(ValueError, match="quality"):
        book.add("quality", np.ones(2), np.ones(2))


def test_price_team_adds_to_what_the_book_holds(sc) -> None:  # noqa: ANN001
    book = Book(N)
    pu = pool("team", "team", N, staff_h=STAFF_H, staff_months=STAFF_MONTHS)
    price_team(book, sc, pu)
    price_team(book, sc, pu)
    t = table(book.ledger(), N)
    np.testing.assert_array_equal(t["labour"], 2 * 40.0 * np.array(STAFF_H))
