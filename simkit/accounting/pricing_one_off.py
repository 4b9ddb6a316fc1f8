"""Pricing the moves between sourcing models: ``transition``, ``knowledge_transfer``, ``parallel_run``, the
``severance`` of released staff, ``switching`` and the ``exit_fee``.

Moving work to a vendor costs its transition and knowledge transfer once, in the vendor's first
month; a retained team runs in parallel for ``parallel_run_months`` at its wages and overhead, and
its released staff are paid severance when parallel running ends.  A vendor's exit costs the
switching cost and, on a termination by the client, the exit fee.  Asset specificity ``k`` scales
knowledge transfer and switching by ``2k``.

Currency (:mod:`simkit.accounting.book` states the rule): the retained team is paid as it is paid
anywhere, so when it has ``fx`` its parallel run goes through the one FX rule with the team's own
exchange-rate path (the run log holds it even though the team is seldom a pool of the option, drawn
from the same stream as in an option where it is one).  The other amounts here are paid in the
scenario's currency, with no FX: transition, knowledge transfer, switching and the exit fee are
contract sums written in ``run.currency``, and severance is paid to the people let go under the
client's own employment terms.
"""

from __future__ import annotations

import numpy as np

from simkit.accounting.book import Book
from simkit.accounting.usage import PoolUsage, Usage, month_at
from simkit.scenario.model import Scenario
from simkit.units import HOURS_PER_MONTH

__all__ = ["price_transition", "price_exit"]


def price_transition(book: Book, scenario: Scenario, pu: PoolUsage, use: Usage) -> None:
    """Book vendor ``pu``'s start: transition, knowledge transfer, the retained team's parallel run, severance."""
    v = scenario.vendors[pu.name]
    book.one_off("transition", pu.start_month, v.transition_cost)
    tr = v.transition
    if tr is None:
        return
    book.one_off("knowledge_transfer", pu.start_month, tr.knowledge_transfer_cost * (2.0 * scenario.asset_specificity))
    a, b = pu.active_h
    end_parallel = min(a + tr.parallel_run_months * HOURS_PER_MONTH, b)
    if tr.retained_team is not None and tr.parallel_run_months > 0:
        fx = use.fx_of(tr.retained_team)
        for shift_cost in _parallel_run(scenario, tr.retained_team, a, end_parallel, use):
            book.add("parallel_run", shift_cost, fx)
    book.one_off("severance", month_at(end_parallel, use.edges, use.window_h), tr.released_staff * tr.severance_per_fte)


def _parallel_run(scenario: Scenario, team_name: str, start_h: float, end_h: float, use: Usage) -> list[np.ndarray]:
    """Per month, for each regular shift of the retained team (or the whole team without a roster): its wages
    for the open hours and its overhead while it runs in parallel, at the plan exchange rate."""
    team = scenario.teams[team_name]
    edges = use.edges
    plo, phi = np.clip(edges[:-1], start_h, end_h), np.clip(edges[1:], start_h, end_h)
    roster = ([(s.staff, s.calendar) for s in team.shifts if not s.on_call] if team.shifts
              else [(team.staff, team.calendar)])
    out = []
    for staff, cal_name in roster:
        cal = scenario.calendar(cal_name)
        open_h = cal.cumulative_hours_array(phi) - cal.cumulative_hours_array(plo)
        out.append(staff * (team.loaded_cost_per_hour * open_h
                            + team.overhead_per_fte_month * (phi - plo) / use.month_h))
    return out


def price_exit(book: Book, scenario: Scenario, use: Usage, month: int, vendor: str, how: str) -> None:
    """A vendor's exit (``how``: ``insolvency``, ``termination``, ...): switching, and the exit fee when the
    client terminated (not on a termination for cause)."""
    ex = scenario.vendors[vendor].exit
    book.one_off("switching", month, ex.switching_cost * (2.0 * scenario.asset_specificity))
    if how == "termination":
        book.one_off("exit_fee", month, ex.exit_fee)
