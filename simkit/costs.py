"""The ledger: what an option's run cost, as dated monthly cash flows.

Pricing is a pure function of the run log: the engine records what happened
(including the exchange-rate path and exit dates), :func:`account` prices it.
A change of prices or salaries therefore re-prices stored logs without
re-simulating them.

Months are ``HOURS_PER_MONTH`` (730.5 h) long and start at the end of the
warm-up; a partial month is charged pro rata.  Each pool is charged only while
it is *active* (employed or under contract: a vendor until its exit, a fallback
from its start).  Categories (costs positive, credits and FX gains negative):

``labour``              in-house staff x loaded hourly cost x every hour on shift (idle time is paid too)
``overhead``            in-house overhead per FTE-month
``vendor_fees``         per completed item, per agent-month, or a fixed monthly fee plus per item, at the
                        contract price (indexed and raised by the lock-in premium at each renewal)
``governance``          the client's cost of managing the vendor, a share of its fees
``transition``          one-off cost of moving the work to a vendor, in its first month
``knowledge_transfer``  one-off, scaled by asset specificity
``parallel_run``        the retained in-house team's labour while it runs in parallel with the vendor
``severance``           released staff at the end of parallel running, and in-house layoffs
``switching``           one-off on a vendor's exit, scaled by asset specificity
``exit_fee``            when the client terminates the contract
``commitment``          take-or-pay: shortfall below the minimum monthly volume at the item price
``fx``                  the difference the exchange rate makes to fees or wages in another currency
``sla_credits``         service credits the vendor pays back when it misses its SLA (negative)
``quality``             escaped defects at their cost each
``delay``               hours beyond SLA x the kind's late cost per hour
``lost_business``       abandoned items x the kind's cost of a lost item
``recruiting``          each hire's recruiting cost
``overtime``            hours worked after closing (up to ``overtime_h_per_day``) at the loaded rate x
                        (1 + premium); the hours of each item in service after closing, so approximate when
                        an item waits for an answer or rework meanwhile
``surge``               an elastic vendor's extra agents x their hours on shift x the surge price

Asset specificity ``k`` scales knowledge transfer, switching and the lock-in
premium by ``2k`` (so the default ``k = 0.5`` takes the figures as written and
``k = 0`` makes them vanish).  Cash flows are booked at the end of their month;
:func:`npv` discounts them at the scenario's annual rate converted to a monthly one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine.log import ABANDONED, COMPLETED, RunLog, headcount_segments
from .scenario import Scenario
from .workload import HOURS_PER_MONTH

__all__ = ["Ledger", "account", "npv", "CATEGORIES", "month_edges", "price_factors"]

CATEGORIES = ("labour", "overhead", "vendor_fees", "governance", "transition", "knowledge_transfer", "parallel_run",
              "severance", "switching", "exit_fee", "commitment", "fx", "sla_credits", "quality", "delay",
              "lost_business", "recruiting", "surge", "overtime")


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


def price_factors(contract, asset_specificity: float, edges: np.ndarray, start_h: float) -> np.ndarray:  # noqa: ANN001
    """The contract price multiplier of each month: at every renewal the price is indexed for the
    term just ended and raised by the lock-in premium (scaled by ``2 x asset specificity``)."""
    mid = (edges[:-1] + edges[1:]) / 2.0
    if contract is None:
        return np.ones(mid.size)
    renewals = np.floor(np.maximum(mid - start_h, 0.0) / (contract.term_months * HOURS_PER_MONTH))
    step = (1.0 + contract.indexation_annual) ** (contract.term_months / 12.0)
    step *= 1.0 + contract.lock_in_premium * 2.0 * asset_specificity
    return step**renewals


def _staffed(segments: list[tuple[float, float, int]], cal, lo: np.ndarray,  # noqa: ANN001
             hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per month: person-hours on shift, and person-months employed, of a headcount step function."""
    hours = np.zeros(lo.size)
    months = np.zeros(lo.size)
    for s, e, count in segments:
        if count <= 0:
            continue
        a, b = np.clip(lo, s, e), np.clip(hi, s, e)
        hours += count * (cal.cumulative_hours_array(b) - cal.cumulative_hours_array(a))
        months += count * (b - a) / HOURS_PER_MONTH
    return hours, months


def _month_of(t: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(edges, t, side="right") - 1, 0, max(edges.size - 2, 0))


def account(scenario: Scenario, log: RunLog) -> Ledger:
    """Price the run log ``log`` of one option of ``scenario``."""
    t0, t1 = log.window_h
    edges = month_edges(t0, t1)
    n_months = len(edges) - 1
    k_spec = 2.0 * scenario.asset_specificity
    book: dict[str, np.ndarray] = {c: np.zeros(n_months) for c in CATEGORIES}
    if n_months == 0:
        return Ledger(np.zeros(0, int), np.zeros(0, int), np.zeros(0))
    done = (log.status == COMPLETED) & (log.end_h >= t0)

    def one_off(category: str, t: float, amount: float) -> None:
        if amount and t0 <= t <= t1:
            book[category][_month_of(np.array([t]), edges)[0]] += amount

    for k, (name, role) in enumerate(zip(log.pool_names, log.pool_roles, strict=True)):
        a, b = log.active_h[k]
        lo, hi = np.clip(edges[:-1], a, b), np.clip(edges[1:], a, b)
        frac = (hi - lo) / HOURS_PER_MONTH
        fx = log.fx.get(name, np.ones(n_months))[:n_months]
        segments = headcount_segments(int(log.servers[k]), log.staff_log.get(name, []), a, b)
        if role == "team":
            team = scenario.teams[name]
            cal = scenario.calendar(team.calendar)
            staff_h, staff_months = _staffed(segments, cal, lo, hi)
            wages = team.loaded_cost_per_hour * staff_h
            over = team.overhead_per_fte_month * staff_months
            book["labour"] += wages
            if team.overtime_h_per_day > 0:
                ext = scenario.calendars[team.calendar].build(team.overtime_h_per_day)
                mine = (log.pool == k) & ~np.isnan(log.start_h)
                s_ = np.maximum(log.start_h[mine], t0)
                e_ = np.minimum(np.where(np.isnan(log.end_h[mine]), t1, log.end_h[mine]), t1)
                extra = (ext.cumulative_hours_array(e_) - ext.cumulative_hours_array(s_)) - (
                    cal.cumulative_hours_array(e_) - cal.cumulative_hours_array(s_))
                ot = np.bincount(_month_of(e_, edges), weights=np.clip(extra, 0, None), minlength=n_months)
                book["overtime"] += team.loaded_cost_per_hour * (1 + team.overtime_premium) * ot[:n_months] * fx
            book["overhead"] += over
            book["fx"] += (wages + over) * (fx - 1.0)
            continue
        v = scenario.vendors[name]
        if v.elastic is not None and v.elastic.surge_price_per_agent_hour:
            extra = [(s, e, max(c - v.agents, 0)) for s, e, c in segments]
            extra_h, _ = _staffed(extra, scenario.calendar(v.calendar), lo, hi)
            book["surge"] += v.elastic.surge_price_per_agent_hour * extra_h * fx
        mine = done & (log.pool == k)
        items = np.histogram(log.end_h[mine], bins=edges)[0].astype(float)
        factor = price_factors(v.contract, scenario.asset_specificity, edges, a)
        fees = (v.price_per_item * items + v.fee_per_month * frac + v.agents * v.price_per_fte_month * frac) * factor
        if v.contract is not None and v.contract.min_items_per_month > 0:
            short = np.maximum(v.contract.min_items_per_month * frac - items, 0.0)
            book["commitment"] += short * v.price_per_item * factor * fx
        book["vendor_fees"] += fees
        book["fx"] += fees * (fx - 1.0)
        book["governance"] += v.governance_share * fees * fx
        one_off("transition", a, v.transition_cost)
        if v.sla is not None:
            lead = (log.end_h - log.trace.arrival_h)[mine]
            within = np.histogram(log.end_h[mine][lead <= log.trace.sla_h[mine] + 1e-9], bins=edges)[0]
            attain = np.divide(within, items, out=np.ones(n_months), where=items > 0)
            points = np.maximum(v.sla.target_share - attain, 0.0) * 100.0
            book["sla_credits"] -= np.minimum(v.sla.cap_share, v.sla.credit_share_per_point * points) * fees * fx
        if v.transition is not None:
            tr = v.transition
            one_off("knowledge_transfer", a, tr.knowledge_transfer_cost * k_spec)
            end_parallel = min(a + tr.parallel_run_months * HOURS_PER_MONTH, b)
            if tr.retained_team is not None and tr.parallel_run_months > 0:
                team = scenario.teams[tr.retained_team]
                cal = scenario.calendar(team.calendar)
                plo, phi = np.clip(edges[:-1], a, end_parallel), np.clip(edges[1:], a, end_parallel)
                book["parallel_run"] += team.staff * (
                    team.loaded_cost_per_hour * (cal.cumulative_hours_array(phi) - cal.cumulative_hours_array(plo))
                    + team.overhead_per_fte_month * (phi - plo) / HOURS_PER_MONTH)
            one_off("severance", end_parallel, tr.released_staff * tr.severance_per_fte)
    for t, name, what in log.events:
        if what == "hire":
            one_off("recruiting", t, scenario.teams[name].hiring.recruiting_cost)
        if what == "layoff":
            one_off("severance", t, scenario.teams[name].hiring.severance_per_fte)
        if what.startswith("exit:"):
            ex = scenario.vendors[name].exit
            one_off("switching", t, ex.switching_cost * k_spec)
            if what == "exit:termination":
                one_off("exit_fee", t, ex.exit_fee)

    for k, name in enumerate(log.pool_names):
        q = (scenario.teams.get(name) or scenario.vendors.get(name)).quality
        esc = done & (log.pool == k) & log.escaped
        if q is not None and q.escaped_defect_cost and esc.any():
            book["quality"] += q.escaped_defect_cost * np.histogram(log.end_h[esc], bins=edges)[0]

    kinds = list(scenario.workload.kinds.values())
    late_cost = np.array([k.late_cost_per_h for k in kinds])
    if late_cost.any() and len(log.trace):
        due = log.trace.due_h
        finish = np.where(done, log.end_h, t1)
        counted = (log.status != ABANDONED) & (due < t1) & log.in_window()
        late_h = np.clip(finish - np.maximum(due, t0), 0.0, None) * counted
        book["delay"] += np.bincount(_month_of(finish, edges), weights=late_h * late_cost[log.trace.kind],
                                     minlength=n_months)[:n_months]
    lost_cost = np.array([k.abandon_cost for k in kinds])
    if lost_cost.any():
        gone = (log.status == ABANDONED) & log.in_window()
        when = log.trace.arrival_h[gone] + log.trace.patience_h[gone]
        book["lost_business"] += np.bincount(_month_of(when, edges), weights=lost_cost[log.trace.kind[gone]],
                                             minlength=n_months)[:n_months]

    cats = [(i, v) for i, c in enumerate(CATEGORIES) if np.any(v := book[c])]
    if not cats:
        return Ledger(np.zeros(0, int), np.zeros(0, int), np.zeros(0))
    months = np.concatenate([np.arange(n_months)] * len(cats))
    codes = np.concatenate([np.full(n_months, i) for i, _ in cats])
    amounts = np.concatenate([v for _, v in cats])
    keep = amounts != 0.0
    return Ledger(months[keep], codes[keep], amounts[keep])
