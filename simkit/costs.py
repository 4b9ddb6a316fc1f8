"""The ledger: what an option's run cost, as dated monthly cash flows.

Pricing is a pure function of the run log: the engine records what happened,
:func:`account` prices it.  A change of prices or salaries therefore re-prices
stored logs without re-simulating them.

Months are ``HOURS_PER_MONTH`` (730.5 h) long and start at the end of the
warm-up; a last partial month is charged pro rata.  Categories:

``labour``       in-house staff x loaded hourly cost x every hour on shift (idle time is paid too)
``overhead``     in-house overhead per FTE-month (space, tools, management)
``vendor_fees``  per completed item, per agent-month, or a fixed monthly fee plus per item
``governance``   the client's cost of managing the vendor, as a share of its fees
``transition``   one-off cost of moving the work to the vendor, in the first month

Cash flows are booked at the end of their month; :func:`npv` discounts them
at the scenario's annual rate converted to a monthly one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine.log import RunLog
from .scenario import Scenario
from .workload import HOURS_PER_MONTH

__all__ = ["Ledger", "account", "npv", "CATEGORIES", "month_edges"]

CATEGORIES = ("labour", "overhead", "vendor_fees", "governance", "transition")


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
        return {c: float(v) for c, v in zip(CATEGORIES, sums, strict=True)}

    def monthly(self, n_months: int) -> np.ndarray:
        return np.bincount(self.month, weights=self.amount, minlength=n_months)[:n_months]


def month_edges(t0: float, t1: float) -> np.ndarray:
    """Month boundaries from ``t0`` to ``t1`` (the last month may be partial)."""
    n = int(np.ceil((t1 - t0) / HOURS_PER_MONTH - 1e-9))
    return np.minimum(t0 + HOURS_PER_MONTH * np.arange(n + 1), t1)


def npv(monthly_amounts: np.ndarray, discount_rate_annual: float) -> float:
    """Present value of month-end cash flows at an annual discount rate."""
    monthly_rate = (1.0 + discount_rate_annual) ** (1.0 / 12.0) - 1.0
    m = np.arange(1, len(monthly_amounts) + 1)
    return float(np.sum(np.asarray(monthly_amounts) / (1.0 + monthly_rate) ** m))


def account(scenario: Scenario, log: RunLog) -> Ledger:
    """Price the run log ``log`` of one option of ``scenario``."""
    option = scenario.options[log.option]
    t0, t1 = log.window_h
    edges = month_edges(t0, t1)
    n_months = len(edges) - 1
    frac = np.diff(edges) / HOURS_PER_MONTH  # share of a full month in each month
    rows: list[tuple[np.ndarray, int]] = []

    def book(values: np.ndarray, category: str) -> None:
        rows.append((np.asarray(values, dtype=float), CATEGORIES.index(category)))

    if option.team is not None:
        team = scenario.teams[option.team]
        cum = scenario.calendar(team.calendar).cumulative_hours_array(edges)
        book(team.staff * team.loaded_cost_per_hour * np.diff(cum), "labour")
        book(team.staff * team.overhead_per_fte_month * frac, "overhead")
    if option.vendor is not None:
        v = scenario.vendors[option.vendor]
        k = log.pool_roles.index("vendor")
        done = log.end_h[(log.pool == k) & (log.end_h >= t0)]
        per_month_items = np.histogram(done, bins=edges)[0] if n_months else np.zeros(0)
        fees = v.price_per_item * per_month_items + v.fee_per_month * frac
        fees = fees + v.agents * v.price_per_fte_month * frac
        book(fees, "vendor_fees")
        book(v.governance_share * fees, "governance")
        one_off = np.zeros(n_months)
        if n_months:
            one_off[0] = v.transition_cost
        book(one_off, "transition")

    if not rows:
        return Ledger(np.zeros(0, int), np.zeros(0, int), np.zeros(0))
    months = np.concatenate([np.arange(n_months)] * len(rows))
    cats = np.concatenate([np.full(n_months, c) for _, c in rows])
    amounts = np.concatenate([v for v, _ in rows])
    keep = amounts != 0.0
    return Ledger(months[keep], cats[keep], amounts[keep])
