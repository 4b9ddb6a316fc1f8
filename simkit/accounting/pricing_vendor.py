"""Pricing a vendor's contract: ``vendor_fees``, ``surge``, ``commitment``, ``governance``, ``sla_credits`` and
``review_penalties``.

Fees follow the pricing scheme (per completed item, per agent-month, or a fixed monthly fee plus per
item), times the contract's price factor, which steps up at every renewal (:func:`price_factors`).
An elastic vendor's extra agents cost the surge price per hour on shift; take-or-pay charges the
items short of the monthly minimum; governance is the client's cost of managing the vendor, a share
of its fees; service credits are a share of the fees paid back for a missed SLA.  All of these
follow a vendor's exchange rate; a review penalty is paid in the scenario's currency
(:mod:`simkit.accounting.book`).
"""

from __future__ import annotations

import numpy as np

from simkit.accounting.book import Book
from simkit.accounting.usage import PoolUsage, Usage
from simkit.scenario.model import Scenario
from simkit.units import HOURS_PER_MONTH

__all__ = ["price_factors", "price_vendor", "price_review"]


def price_factors(contract, asset_specificity: float, edges: np.ndarray, start_h: float) -> np.ndarray:  # noqa: ANN001
    """The contract price multiplier of each month: at every renewal the price is indexed for the
    term just ended and raised by the lock-in premium (scaled by ``2 x asset specificity``)."""
    if contract is None:
        return np.ones(edges.size - 1)
    mid = (edges[:-1] + edges[1:]) / 2.0
    renewals = np.floor(np.maximum(mid - start_h, 0.0) / (contract.term_months * HOURS_PER_MONTH))
    step = (1.0 + contract.indexation_annual) ** (contract.term_months / 12.0)
    step *= 1.0 + contract.lock_in_premium * 2.0 * asset_specificity
    return step**renewals


def price_vendor(book: Book, scenario: Scenario, pu: PoolUsage, use: Usage) -> None:
    """Book what vendor ``pu`` was paid each month: fees, surge, take-or-pay, governance, less service credits."""
    v = scenario.vendors[pu.name]
    fx, frac, items = pu.fx, pu.frac, pu.items
    if v.elastic is not None and v.elastic.surge_price_per_agent_hour:
        book.add("surge", v.elastic.surge_price_per_agent_hour * pu.surge_agent_h, fx)
    fees = v.price_per_item * items + v.fee_per_month * frac + v.agents * v.price_per_fte_month * frac
    if v.contract is not None:
        factor = price_factors(v.contract, scenario.asset_specificity, use.edges, pu.active_h[0])
        fees = fees * factor
        if v.contract.min_items_per_month > 0:
            short = np.maximum(v.contract.min_items_per_month * frac - items, 0.0)
            book.add("commitment", short * v.price_per_item * factor, fx)
    book.add("vendor_fees", fees, fx)
    book.add("governance", v.governance_share * fees, fx)
    if v.sla is not None:
        attain = np.divide(pu.within_sla, items, out=np.ones(items.size), where=items > 0)
        points = np.maximum(v.sla.target_share - attain, 0.0) * 100.0
        book.add("sla_credits", -(np.minimum(v.sla.cap_share, v.sla.credit_share_per_point * points) * fees), fx)


def price_review(book: Book, scenario: Scenario, use: Usage, month: int, vendor: str) -> None:
    """A review for cause: the vendor owes its penalty (a negative cost)."""
    book.one_off("review_penalties", month, -scenario.vendors[vendor].review.penalty)
