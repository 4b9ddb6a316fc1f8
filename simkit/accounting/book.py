"""The cost categories, the ledger, and the book the pricing modules write into, with the one FX rule.

The exchange-rate rule
----------------------
A team or vendor with ``fx`` is paid in another currency.  Its amounts in the scenario are written
in ``run.currency`` at the plan rate (the rate at signature, month 0 of the path, where the
multiplier is 1); in month ``m`` they cost ``fx[m]`` times as much.  **Every category is booked at
the plan rate, and the difference the month's exchange rate makes, for every amount in another
currency, is booked in** ``fx``: ``category += amount``, ``fx += amount x (fx[m] - 1)`` (a gain is
negative).  So a category's line means the same with or without a currency risk, and ``fx`` holds
the whole of it.

The amounts in another currency are what a team or vendor with ``fx`` is paid month by month
(:data:`FX_CATEGORIES`): a team's ``labour``, ``overhead``, ``overtime`` and ``call_outs`` (fees and
hours), and its wages and overhead as a retained team running in parallel with a vendor
(``parallel_run``, at the team's own path although the team is seldom a pool of that option), and a
vendor's ``vendor_fees``, ``surge`` and ``commitment`` (take-or-pay), with the two amounts that are
shares of its fees, ``governance`` and ``sla_credits``.  Whichever option books an amount, it uses
the same path for the same team or vendor.  One-off amounts (transition, knowledge transfer,
severance, recruiting, switching, the exit fee, review penalties) and the outcome costs (quality,
delay, lost business) are written and paid in ``run.currency`` and carry no FX.

Why one rule: the ``fx`` line used to hold the exchange-rate effect of wages, overhead and fees
only, while overtime, surge, take-or-pay, governance and service credits carried theirs inside their
own lines; ``fx_cost`` then understated the currency risk, and a category's meaning depended on
whether its pool had ``fx``.  Moving a part between a category and ``fx`` changes no total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CATEGORIES", "FX_CATEGORIES", "Ledger", "Book"]

CATEGORIES = ("labour", "overhead", "vendor_fees", "governance", "transition", "knowledge_transfer", "parallel_run",
              "severance", "switching", "exit_fee", "commitment", "fx", "sla_credits", "quality", "delay",
              "lost_business", "recruiting", "surge", "overtime", "review_penalties", "call_outs")

FX_CATEGORIES = ("labour", "overhead", "overtime", "call_outs", "parallel_run", "vendor_fees", "surge", "commitment",
                 "governance", "sla_credits")
"""The categories whose amounts a team or vendor with ``fx`` is paid in its own currency (their FX difference
goes to ``fx``)."""


@dataclass(frozen=True)
class Ledger:
    """Monthly cash flows of one option in one replication (costs are positive)."""

    month: np.ndarray  # int
    category: np.ndarray  # index into CATEGORIES
    amount: np.ndarray  # currency

    def total(self) -> float:
        return float(self.amount.sum())

    def by_category(self) -> dict[str, float]:
        sums = np.bincount(self.category, weights=self.amount, minlength=len(CATEGORIES))
        return dict(zip(CATEGORIES, sums.tolist(), strict=True))

    def monthly(self, n_months: int) -> np.ndarray:
        return np.bincount(self.month, weights=self.amount, minlength=n_months)[:n_months]


class Book:
    """A category x month table the pricing modules add to; :meth:`ledger` turns it into a :class:`Ledger`.

    Every amount goes through :meth:`add` (or :meth:`one_off`) with the exchange-rate path of the team or
    vendor it is paid to, so the FX rule of this module is applied in one place and no pricing function can
    book it another way.
    """

    def __init__(self, n_months: int) -> None:
        self.n_months = n_months
        self.table = np.zeros((len(CATEGORIES), n_months))
        self._row = dict(zip(CATEGORIES, self.table, strict=True))  # row views: adding to one adds to the table

    def add(self, category: str, amount: np.ndarray, fx: np.ndarray | None = None) -> None:
        """Book a monthly ``amount`` (at the plan rate) in ``category``; with an exchange-rate path ``fx``,
        its difference ``amount x (fx - 1)`` in ``fx``."""
        self._row[category] += amount
        if fx is not None:
            if category not in FX_CATEGORIES:
                raise ValueError(f"'{category}' is paid in the scenario's currency, not at an exchange rate")
            self._row["fx"] += amount * (fx - 1.0)

    def one_off(self, category: str, month: int, amount: float, fx: np.ndarray | None = None) -> None:
        """Book ``amount`` once in ``month`` (nothing for a zero amount or a month outside the window, -1)."""
        if amount and month >= 0:
            self._row[category][month] += amount
            if fx is not None:
                if category not in FX_CATEGORIES:
                    raise ValueError(f"'{category}' is paid in the scenario's currency, not at an exchange rate")
                self._row["fx"][month] += amount * (fx[month] - 1.0)

    def ledger(self) -> Ledger:
        codes, months = np.nonzero(self.table)  # by category, then month: the ledger's order
        return Ledger(months, codes, self.table[codes, months])
