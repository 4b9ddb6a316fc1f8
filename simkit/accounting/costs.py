"""The ledger: what an option's run cost, as dated monthly cash flows.

Pricing is a pure function of the run log: the engine records what happened
(including the exchange-rate path and exit dates), :func:`account` prices it.
A change of prices or salaries therefore re-prices stored logs without
re-simulating them.

Months are ``HOURS_PER_MONTH`` (730.5 h) long and start at the end of the
warm-up; a partial month is charged pro rata.  With ``run.start_date`` they are
real calendar months of the client's local time instead (:meth:`simkit.calendars.dates.Clock.month_edges`):
the first runs from the end of the warm-up to the next 1st, each month's per-month
amounts (overhead per FTE-month, monthly fees, per-agent-month prices) are charged
pro rata of *that* month's length (28-31 days, 743 or 745 h across a daylight-saving
change), and hourly wages follow the open hours each month actually holds.  Contract
terms, SLA review months, ramp-up and parallel-run months and ``terminate_at_month`` stay
730.5-h months.  Each pool is charged only while
it is *active* (employed or under contract: a vendor until its exit, a fallback
from its start).  Categories (costs positive, credits and FX gains negative):

``labour``              in-house staff x loaded hourly cost x every hour on shift (idle time is paid too)
``overhead``            in-house overhead per FTE-month
``vendor_fees``         per completed item, per agent-month, or a fixed monthly fee plus per item, at the
                        contract price (indexed and raised by the lock-in premium at each renewal)
``governance``          the client's cost of managing the vendor, a share of its fees
``transition``          one-off cost of moving the work to a vendor, in its first month
``knowledge_transfer``  one-off, scaled by asset specificity
``parallel_run``        the retained in-house team's labour and overhead while it runs in parallel with the vendor
``severance``           released staff at the end of parallel running, and in-house layoffs
``switching``           one-off on a vendor's exit, scaled by asset specificity
``exit_fee``            when the client terminates the contract (not on a termination for cause)
``commitment``          take-or-pay: shortfall below the minimum monthly volume at the item price
``fx``                  the difference the month's exchange rate makes to every amount in another currency
``sla_credits``         service credits the vendor pays back when it misses its SLA (negative)
``quality``             escaped defects at their cost each
``delay``               hours beyond SLA x the kind's late cost per hour
``lost_business``       abandoned items x the kind's cost of a lost item
``recruiting``          each hire's recruiting cost
``overtime``            hours worked after closing (up to ``overtime_h_per_day``) at the loaded rate x
                        (1 + premium); the hours of each item in service after closing, so approximate when
                        an item waits for an answer or rework meanwhile
``surge``               an elastic vendor's extra agents x their hours on shift x the surge price
``review_penalties``    what the vendor owes at each review for cause (``vendors.X.review.penalty``; negative)
``call_outs``           a roster's on-call shift: the fee per call-out plus the hours worked on call-outs at
                        the team's loaded hourly cost (standby hours are not paid: put any allowance in the fee)

A team with a roster (``shifts``) is paid shift by shift: each regular shift's head count x loaded
hourly cost x its calendar's open hours (``labour``), and overhead per FTE-month for those people.
With escalation tiers, a vendor is paid for every item it finishes at its tier, whether or not the
item then escalates; :func:`tier_costs` splits an option's cost by tier.

Every category is booked at the plan exchange rate; for every amount in another currency (a team or
vendor with ``fx``: its wages, overhead, overtime, call-outs, parallel run as a retained team, fees,
surge, take-or-pay, governance and service credits) the difference the month's rate makes is booked in
``fx`` (:mod:`simkit.accounting.book` states the rule).

Pricing is split in two so that a price sweep is cheap: :func:`log_usage` reads what a
log *used* (staffed hours and items per month and pool, dated events, late hours, ...:
nothing that a price can change), once per log (:mod:`simkit.accounting.usage`), and
:func:`price_usage` multiplies it by the scenario's prices.  :func:`account` is the two in a row.
The prices are applied by category family: :mod:`~simkit.accounting.pricing_people` (a team's
people), :mod:`~simkit.accounting.pricing_vendor` (a vendor's contract),
:mod:`~simkit.accounting.pricing_one_off` (moving between sourcing models) and
:mod:`~simkit.accounting.pricing_outcomes` (what poor service cost).

Asset specificity ``k`` scales knowledge transfer, switching and the lock-in
premium by ``2k`` (so the default ``k = 0.5`` takes the figures as written and
``k = 0`` makes them vanish).  Cash flows are booked at the end of their month;
:func:`npv` discounts them at the scenario's annual rate converted to a monthly one.
"""

from __future__ import annotations

import functools

import numpy as np

from simkit.accounting.book import CATEGORIES, FX_CATEGORIES, Book, Ledger
from simkit.accounting.pricing_one_off import price_exit, price_transition
from simkit.accounting.pricing_outcomes import price_outcomes
from simkit.accounting.pricing_people import price_call_out, price_hire, price_layoff, price_team
from simkit.accounting.pricing_vendor import price_factors, price_review, price_vendor
from simkit.accounting.usage import _MEMO, PoolUsage, Usage, log_memo, log_usage  # noqa: F401  (_MEMO: tests)
from simkit.calendars.dates import fte_months, month_edges, month_lengths_h
from simkit.engine.log import RunLog
from simkit.scenario.model import Scenario
from simkit.units import HOURS_PER_MONTH  # noqa: F401  (re-exported: months of the ledger)

__all__ = ["Ledger", "account", "npv", "CATEGORIES", "FX_CATEGORIES", "month_edges", "month_lengths_h",
           "fte_months", "price_factors", "Usage", "PoolUsage", "log_usage", "price_usage", "log_memo",
           "tier_costs"]

_EVENTS = {"hire": price_hire, "layoff": price_layoff, "call_out": price_call_out, "review": price_review}


def npv(monthly_amounts: np.ndarray, discount_rate_annual: float) -> float:
    """Present value of month-end cash flows at an annual discount rate."""
    return float(np.sum(np.asarray(monthly_amounts) / _discount(float(discount_rate_annual), len(monthly_amounts))))


@functools.lru_cache(maxsize=64)
def _discount(discount_rate_annual: float, n_months: int) -> np.ndarray:
    """``(1 + monthly rate) ** m`` for the month ends ``m = 1..n_months`` (read-only: it is shared)."""
    monthly_rate = (1.0 + discount_rate_annual) ** (1.0 / 12.0) - 1.0
    out = (1.0 + monthly_rate) ** np.arange(1, n_months + 1)
    out.flags.writeable = False
    return out


def price_usage(scenario: Scenario, use: Usage) -> Ledger:
    """The ledger of a run log's :class:`Usage` at the prices of ``scenario``.

    Each pool is priced by its family (a team's people; a vendor's contract and its start), then the
    dated events (hires, layoffs, call-outs, reviews, exits), then the outcomes of the service.
    """
    book = Book(len(use.edges) - 1)
    for pu in use.pools:
        if pu.role == "team":
            price_team(book, scenario, pu)
        else:
            price_vendor(book, scenario, pu, use)
            price_transition(book, scenario, pu, use)
    for month, name, what in use.events:
        if what.startswith("exit:"):
            price_exit(book, scenario, use, month, name, what.removeprefix("exit:"))
        else:
            _EVENTS[what](book, scenario, use, month, name)
    price_outcomes(book, scenario, use)
    return book.ledger()


def account(scenario: Scenario, log: RunLog) -> Ledger:
    """Price the run log ``log`` of one option of ``scenario``: :func:`price_usage` of :func:`log_usage`."""
    return price_usage(scenario, log_usage(scenario, log))


def tier_costs(scenario: Scenario, log: RunLog) -> dict[str, float]:
    """An option's cost split by escalation tier: ``{"tier1": ..., "tier2": ..., ...}``.

    Each tier's pools are priced on their own (the categories above that belong to a pool: labour,
    fees, governance, transition, call-outs, quality, one-offs dated to it); tier 1 holds every pool
    that is not a later tier (the option's own team and vendors, and any fallback).  The option-wide
    categories (``delay``, ``lost_business``) belong to no tier and are left out, so the tiers add up
    to the ledger's total less those two.  An option without tiers has only ``"tier1"``.
    """
    use = log_usage(scenario, log)
    later = log.tiers.pool_names if log.tiers is not None else ()
    out = {"tier1": 0.0, **{f"tier{j}": 0.0 for j in range(2, len(later) + 2)}}
    empty_i, empty_f = np.zeros(0, int), np.zeros(0)
    for pu in use.pools:
        alone = Usage(use.inputs, use.window_h, use.edges, use.month_h, (pu,),
                      tuple(e for e in use.events if e[1] == pu.name),
                      empty_i, empty_i, empty_f, empty_i, empty_i, use.fx)
        tier = f"tier{later.index(pu.name) + 2}" if pu.name in later else "tier1"
        out[tier] += price_usage(scenario, alone).total()
    return out
