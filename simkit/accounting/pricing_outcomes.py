"""Pricing what poor service cost the business: ``quality``, ``delay`` and ``lost_business``.

Escaped defects cost their pool's ``escaped_defect_cost`` each; an item late past its SLA costs its
kind's ``late_cost_per_h`` for every hour late (counted at completion, or at the horizon for an item
still open); an abandoned item costs its kind's ``abandon_cost``.  These are the business's own
costs, in the scenario's currency, with no FX (:mod:`simkit.accounting.book`).
"""

from __future__ import annotations

import numpy as np

from simkit.accounting.book import Book
from simkit.accounting.usage import Usage
from simkit.scenario.model import Scenario

__all__ = ["price_outcomes"]


def price_outcomes(book: Book, scenario: Scenario, use: Usage) -> None:
    """Book escaped defects by pool, and late hours and abandoned items by kind, in the month they happened."""
    n_months = book.n_months
    for pu in use.pools:
        q = (scenario.teams.get(pu.name) or scenario.vendors.get(pu.name)).quality
        if q is not None and q.escaped_defect_cost and pu.escaped is not None:
            book.add("quality", q.escaped_defect_cost * pu.escaped)
    kinds = list(scenario.workload.kinds.values())
    if any(k.late_cost_per_h for k in kinds):
        late_cost = np.array([k.late_cost_per_h for k in kinds])
        book.add("delay", np.bincount(use.late_month, weights=use.late_h * late_cost[use.late_kind],
                                      minlength=n_months)[:n_months])
    if any(k.abandon_cost for k in kinds):
        lost_cost = np.array([k.abandon_cost for k in kinds])
        book.add("lost_business", np.bincount(use.lost_month, weights=lost_cost[use.lost_kind],
                                              minlength=n_months)[:n_months])
