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
``parallel_run``        the retained in-house team's labour while it runs in parallel with the vendor
``severance``           released staff at the end of parallel running, and in-house layoffs
``switching``           one-off on a vendor's exit, scaled by asset specificity
``exit_fee``            when the client terminates the contract (not on a termination for cause)
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
``review_penalties``    what the vendor owes at each review for cause (``vendors.X.review.penalty``; negative)
``call_outs``           a roster's on-call shift: the fee per call-out plus the hours worked on call-outs at
                        the team's loaded hourly cost (standby hours are not paid: put any allowance in the fee)

A team with a roster (``shifts``) is paid shift by shift: each regular shift's head count x loaded
hourly cost x its calendar's open hours (``labour``), and overhead per FTE-month for those people.
With escalation tiers, a vendor is paid for every item it finishes at its tier, whether or not the
item then escalates; :func:`tier_costs` splits an option's cost by tier.

Pricing is split in two so that a price sweep is cheap: :func:`log_usage` reads what a
log *used* (staffed hours and items per month and pool, dated events, late hours, ...:
nothing that a price can change), once per log, and :func:`price_usage` multiplies it by the
scenario's prices.  :func:`account` is the two in a row.

Asset specificity ``k`` scales knowledge transfer, switching and the lock-in
premium by ``2k`` (so the default ``k = 0.5`` takes the figures as written and
``k = 0`` makes them vanish).  Cash flows are booked at the end of their month;
:func:`npv` discounts them at the scenario's annual rate converted to a monthly one.
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from simkit.calendars.dates import fte_months, month_edges, month_lengths_h
from simkit.engine.log import ABANDONED, COMPLETED, RunLog, headcount_segments
from simkit.scenario.model import Scenario
from simkit.units import HOURS_PER_MONTH

__all__ = ["Ledger", "account", "npv", "CATEGORIES", "month_edges", "month_lengths_h", "fte_months", "price_factors",
           "Usage", "PoolUsage", "log_usage", "price_usage", "log_memo", "tier_costs"]

CATEGORIES = ("labour", "overhead", "vendor_fees", "governance", "transition", "knowledge_transfer", "parallel_run",
              "severance", "switching", "exit_fee", "commitment", "fx", "sla_credits", "quality", "delay",
              "lost_business", "recruiting", "surge", "overtime", "review_penalties", "call_outs")


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


def _staffed(segments: list[tuple[float, float, int]], cal, lo: np.ndarray,  # noqa: ANN001
             hi: np.ndarray, month_h: np.ndarray | float = HOURS_PER_MONTH) -> tuple[np.ndarray, np.ndarray]:
    """Per month: person-hours on shift, and person-months employed, of a headcount step function."""
    hours = np.zeros(lo.size)
    months = np.zeros(lo.size)
    for s, e, count in segments:
        if count <= 0:
            continue
        a, b = np.clip(lo, s, e), np.clip(hi, s, e)
        hours += count * (cal.cumulative_hours_array(b) - cal.cumulative_hours_array(a))
        months += count * (b - a) / month_h
    return hours, months


def _month_of(t: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(edges, t, side="right") - 1, 0, max(edges.size - 2, 0))


def _month_at(t: float, edges: np.ndarray, window_h: tuple[float, float]) -> int:
    """The month of a one-off at time ``t``; -1 outside the measured window (then it is not booked)."""
    return int(_month_of(np.array([t]), edges)[0]) if window_h[0] <= t <= window_h[1] else -1


# --------------------------------------------------------------------------- memo per run log
_MEMO: dict[int, dict[str, Any]] = {}


def log_memo(log: RunLog) -> dict[str, Any]:
    """A scratch dict that lives exactly as long as ``log``, for quantities derived from it once.

    Keyed by the log's identity and dropped when the log is garbage-collected (so
    a later log never sees an earlier one's entries).  A run log is never changed
    once the engine has returned it; what is stored must be a function of the log
    alone, or carry the key of whatever else it read (as :class:`Usage` does), and must not
    refer back to the log (that would keep it alive).
    """
    key = id(log)
    memo = _MEMO.get(key)
    if memo is None:
        try:
            weakref.finalize(log, _MEMO.pop, key, None)
        except TypeError:  # a log that cannot be referenced weakly is not memoised
            return {}
        memo = _MEMO[key] = {}
    return memo


# --------------------------------------------------------------------------- usage: what a log used
class _ReadOnly:
    """A frozen dataclass whose arrays are read-only too: a memoised usage is shared by every pricing."""

    def __post_init__(self) -> None:
        for value in vars(self).values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False


@dataclass(frozen=True)
class PoolUsage(_ReadOnly):
    """What one pool of a run log used, per month of the measured window; no price in it.

    ``staff_h``, ``staff_months`` and ``overtime_h`` (hours worked after closing) are a team's,
    ``items`` (completed), ``within_sla`` (of those, inside their SLA) and ``surge_agent_h``
    (an elastic vendor's extra agents on shift) a vendor's; ``escaped`` counts completed items
    with an escaped defect (``None``: none).  ``start_month`` is the month the pool became
    active (-1: before the window); ``fx`` the exchange-rate multiplier of each month (``None``:
    paid in the scenario's currency).
    """

    name: str
    role: str
    active_h: tuple[float, float]
    frac: np.ndarray
    fx: np.ndarray | None
    start_month: int
    escaped: np.ndarray | None = None
    staff_h: np.ndarray | None = None
    staff_months: np.ndarray | None = None
    overtime_h: np.ndarray | None = None
    items: np.ndarray | None = None
    within_sla: np.ndarray | None = None
    surge_agent_h: np.ndarray | None = None
    on_call_h: np.ndarray | None = None


@dataclass(frozen=True)
class Usage(_ReadOnly):
    """Everything :func:`price_usage` needs from one run log: quantities, never money.

    ``window_h`` is the measured window, ``edges`` its month boundaries and ``month_h`` each month's
    full length in hours (730.5, or the real month's with ``run.start_date``).
    ``inputs`` are the scenario values it was computed from (each pool's calendar,
    overtime hours, agents and whether it is elastic: fields the engine reads too),
    so a memoised usage is reused only for a scenario that agrees on all of them.
    ``events`` are the priced events inside the window as ``(month, pool, what)``;
    ``late_*`` the items late at the horizon or at completion (month, kind, hours late)
    and ``lost_*`` the abandoned items (month, kind).
    """

    inputs: tuple
    window_h: tuple[float, float]
    edges: np.ndarray
    month_h: np.ndarray
    pools: tuple[PoolUsage, ...]
    events: tuple[tuple[int, str, str], ...]
    late_month: np.ndarray
    late_kind: np.ndarray
    late_h: np.ndarray
    lost_month: np.ndarray
    lost_kind: np.ndarray


def _inputs(scenario: Scenario, log: RunLog) -> tuple:
    """The scenario values :func:`_usage` reads: the key a memoised usage must match."""
    out: list[tuple] = [("clock", scenario.clock())]
    for name, role in zip(log.pool_names, log.pool_roles, strict=True):
        if role == "team":
            t = scenario.teams[name]
            if t.shifts:
                out.append((name, tuple((scenario.calendars[s.calendar], s.staff, s.on_call) for s in t.shifts)))
                continue
            out.append((name, scenario.calendars[t.calendar], t.overtime_h_per_day))
        else:
            v = scenario.vendors[name]
            out.append((name, scenario.calendars[v.calendar], v.agents, v.elastic is not None))
    return tuple(out)


def _usage(scenario: Scenario, log: RunLog, inputs: tuple) -> Usage:
    """What ``log`` used; of ``scenario`` it reads only what :func:`_inputs` lists."""
    t0, t1 = log.window_h
    clock = scenario.clock()
    edges = month_edges(t0, t1, clock)
    month_h = month_lengths_h(t0, t1, clock)
    n_months = len(edges) - 1
    if n_months == 0:  # nothing to price
        none = np.zeros(0, int)
        return Usage(inputs, (t0, t1), edges, month_h, (), (), none, none, np.zeros(0), none, none)
    done = (log.status == COMPLETED) & (log.end_h >= t0)
    escaped = log.escaped != 0
    pools = []
    for k, (name, role) in enumerate(zip(log.pool_names, log.pool_roles, strict=True)):
        a, b = log.active_h[k]
        lo, hi = np.clip(edges[:-1], a, b), np.clip(edges[1:], a, b)
        common = {"name": name, "role": role, "active_h": (a, b), "frac": (hi - lo) / month_h,
                  "fx": log.fx[name][:n_months] if name in log.fx else None,
                  "start_month": _month_at(a, edges, log.window_h)}
        esc = done & (log.pool == k) & escaped
        if esc.any():
            common["escaped"] = np.histogram(log.end_h[esc], bins=edges)[0]
        segments = headcount_segments(int(log.servers[k]), log.staff_log.get(name, []), a, b)
        if role == "team" and scenario.teams[name].shifts:
            pools.append(_roster_usage(scenario, log, name, common, lo, hi, edges, month_h))
            continue
        if role == "team":
            team = scenario.teams[name]
            cal = scenario.calendar(team.calendar)
            staff_h, staff_months = _staffed(segments, cal, lo, hi, month_h)
            overtime = None
            if team.overtime_h_per_day > 0:
                ext = scenario.calendar(team.calendar, team.overtime_h_per_day)
                mine = (log.pool == k) & ~np.isnan(log.start_h)
                s_ = np.maximum(log.start_h[mine], t0)
                e_ = np.minimum(np.where(np.isnan(log.end_h[mine]), t1, log.end_h[mine]), t1)
                extra = (ext.cumulative_hours_array(e_) - ext.cumulative_hours_array(s_)) - (
                    cal.cumulative_hours_array(e_) - cal.cumulative_hours_array(s_))
                ot = np.bincount(_month_of(e_, edges), weights=np.clip(extra, 0, None), minlength=n_months)
                overtime = ot[:n_months]
            pools.append(PoolUsage(**common, staff_h=staff_h, staff_months=staff_months, overtime_h=overtime))
            continue
        v = scenario.vendors[name]
        surge = None
        if v.elastic is not None:
            extra_agents = [(s, e, max(c - v.agents, 0)) for s, e, c in segments]
            surge, _ = _staffed(extra_agents, scenario.calendar(v.calendar), lo, hi, month_h)
        items, within = _finished(log, k, done, edges)
        pools.append(PoolUsage(**common, items=items, within_sla=within, surge_agent_h=surge))

    priced = ("hire", "layoff", "review", "call_out")
    events = tuple((m, name, what) for t, name, what in log.events
                   if (what in priced or what.startswith("exit:")) and (m := _month_at(t, edges, log.window_h)) >= 0)
    in_window = log.in_window()
    kind = log.trace.kind
    due = log.trace.due_h
    finish = np.where(done, log.end_h, t1)
    counted = (log.status != ABANDONED) & (due < t1) & in_window
    late_h = np.clip(finish - np.maximum(due, t0), 0.0, None) * counted
    late = late_h != 0.0  # leaving out zeros changes no monthly sum
    gone = (log.status == ABANDONED) & in_window
    when = log.trace.arrival_h[gone] + log.trace.patience_h[gone]
    return Usage(inputs, (t0, t1), edges, month_h, tuple(pools), events, _month_of(finish, edges)[late], kind[late],
                 late_h[late], _month_of(when, edges), kind[gone])


def _finished(log: RunLog, k: int, done: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per month: items pool ``k`` finished (at any escalation tier), and of those, within their SLA
    counted from arrival to that finish."""
    if log.tiers is None:
        ends = [log.end_h[done & (log.pool == k)]]
        which = [done & (log.pool == k)]
    else:
        tiers = log.tiers
        which = [(tiers.done_by[j] == k) & (tiers.end_h[j] >= log.window_h[0]) for j in range(tiers.end_h.shape[0])]
        ends = [tiers.end_h[j][m] for j, m in enumerate(which)]
    items = np.zeros(edges.size - 1)
    within = np.zeros(edges.size - 1, dtype=np.int64)
    for end, mine in zip(ends, which, strict=True):
        items += np.histogram(end, bins=edges)[0]
        lead = end - log.trace.arrival_h[mine]
        within += np.histogram(end[lead <= log.trace.sla_h[mine] + 1e-9], bins=edges)[0]
    return items, within


def _roster_usage(scenario: Scenario, log: RunLog, name: str, common: dict, lo: np.ndarray, hi: np.ndarray,
                  edges: np.ndarray, month_h: np.ndarray | float = HOURS_PER_MONTH) -> PoolUsage:
    """A roster's person-hours and person-months shift by shift, and its hours worked on call-outs."""
    staff_h = np.zeros(lo.size)
    staff_months = np.zeros(lo.size)
    for shift in scenario.teams[name].shifts:
        if shift.on_call:
            continue
        h, m = _staffed([(*common["active_h"], shift.staff)], scenario.calendar(shift.calendar), lo, hi, month_h)
        staff_h += h
        staff_months += m
    on_call = None
    pieces = log.on_call_work.get(name)
    if pieces:
        a = np.clip(np.array([p[0] for p in pieces]), *log.window_h)
        b = np.clip(np.array([p[1] for p in pieces]), *log.window_h)
        on_call = np.bincount(_month_of(b, edges), weights=b - a, minlength=lo.size)[:lo.size]
    return PoolUsage(**common, staff_h=staff_h, staff_months=staff_months, on_call_h=on_call)


def log_usage(scenario: Scenario, log: RunLog) -> Usage:
    """What ``log`` used, month by month (memoised per log and per :attr:`Usage.inputs`).

    A scenario that differs only in prices (and other fields the engine never
    reads) gets the memoised usage back; any other gets it recomputed.
    """
    inputs = _inputs(scenario, log)
    memo = log_memo(log)
    use = memo.get("usage")
    if use is None or use.inputs != inputs:
        use = memo["usage"] = _usage(scenario, log, inputs)
    return use


def price_usage(scenario: Scenario, use: Usage) -> Ledger:
    """The ledger of a run log's :class:`Usage` at the prices of ``scenario``."""
    edges = use.edges
    n_months = len(edges) - 1
    k_spec = 2.0 * scenario.asset_specificity
    table = np.zeros((len(CATEGORIES), n_months))
    book = dict(zip(CATEGORIES, table, strict=True))  # row views: adding to one adds to the table

    def one_off(category: str, month: int, amount: float) -> None:
        if amount and month >= 0:
            book[category][month] += amount

    for pu in use.pools:
        fx, frac = pu.fx, pu.frac  # without an exchange rate (fx None) the factors of 1 are left out

        def at_fx(x: np.ndarray, fx: np.ndarray | None = fx) -> np.ndarray:
            return x if fx is None else x * fx

        if pu.role == "team":
            team = scenario.teams[pu.name]
            wages = team.loaded_cost_per_hour * pu.staff_h
            over = team.overhead_per_fte_month * pu.staff_months
            book["labour"] += wages
            if pu.overtime_h is not None:
                book["overtime"] += at_fx(team.loaded_cost_per_hour * (1 + team.overtime_premium) * pu.overtime_h)
            book["overhead"] += over
            if fx is not None:
                book["fx"] += (wages + over) * (fx - 1.0)
            if pu.on_call_h is not None:
                worked = team.loaded_cost_per_hour * pu.on_call_h
                book["call_outs"] += worked
                if fx is not None:
                    book["fx"] += worked * (fx - 1.0)
            continue
        v = scenario.vendors[pu.name]
        a, b = pu.active_h
        if v.elastic is not None and v.elastic.surge_price_per_agent_hour:
            book["surge"] += at_fx(v.elastic.surge_price_per_agent_hour * pu.surge_agent_h)
        items = pu.items
        fees = v.price_per_item * items + v.fee_per_month * frac + v.agents * v.price_per_fte_month * frac
        if v.contract is not None:
            factor = price_factors(v.contract, scenario.asset_specificity, edges, a)
            fees = fees * factor
            if v.contract.min_items_per_month > 0:
                short = np.maximum(v.contract.min_items_per_month * frac - items, 0.0)
                book["commitment"] += at_fx(short * v.price_per_item * factor)
        book["vendor_fees"] += fees
        if fx is not None:
            book["fx"] += fees * (fx - 1.0)
        book["governance"] += at_fx(v.governance_share * fees)
        one_off("transition", pu.start_month, v.transition_cost)
        if v.sla is not None:
            attain = np.divide(pu.within_sla, items, out=np.ones(n_months), where=items > 0)
            points = np.maximum(v.sla.target_share - attain, 0.0) * 100.0
            book["sla_credits"] -= at_fx(np.minimum(v.sla.cap_share, v.sla.credit_share_per_point * points) * fees)
        if v.transition is not None:
            tr = v.transition
            one_off("knowledge_transfer", pu.start_month, tr.knowledge_transfer_cost * k_spec)
            end_parallel = min(a + tr.parallel_run_months * HOURS_PER_MONTH, b)
            if tr.retained_team is not None and tr.parallel_run_months > 0:
                team = scenario.teams[tr.retained_team]
                plo, phi = np.clip(edges[:-1], a, end_parallel), np.clip(edges[1:], a, end_parallel)
                roster = ([(s.staff, s.calendar) for s in team.shifts if not s.on_call] if team.shifts
                          else [(team.staff, team.calendar)])
                for staff, cal_name in roster:
                    cal = scenario.calendar(cal_name)
                    book["parallel_run"] += staff * (
                        team.loaded_cost_per_hour * (cal.cumulative_hours_array(phi) - cal.cumulative_hours_array(plo))
                        + team.overhead_per_fte_month * (phi - plo) / use.month_h)
            one_off("severance", _month_at(end_parallel, edges, use.window_h), tr.released_staff * tr.severance_per_fte)
    for month, name, what in use.events:
        if what == "hire":
            one_off("recruiting", month, scenario.teams[name].hiring.recruiting_cost)
        elif what == "layoff":
            one_off("severance", month, scenario.teams[name].hiring.severance_per_fte)
        elif what == "review":
            one_off("review_penalties", month, -scenario.vendors[name].review.penalty)
        elif what == "call_out":
            fee = next(s.call_out_fee for s in scenario.teams[name].shifts if s.on_call)
            fx_name = next((pu.fx for pu in use.pools if pu.name == name), None)
            one_off("call_outs", month, fee)
            if fx_name is not None:
                one_off("fx", month, fee * (fx_name[month] - 1.0))
        else:
            ex = scenario.vendors[name].exit
            one_off("switching", month, ex.switching_cost * k_spec)
            if what == "exit:termination":
                one_off("exit_fee", month, ex.exit_fee)

    for pu in use.pools:
        q = (scenario.teams.get(pu.name) or scenario.vendors.get(pu.name)).quality
        if q is not None and q.escaped_defect_cost and pu.escaped is not None:
            book["quality"] += q.escaped_defect_cost * pu.escaped

    kinds = list(scenario.workload.kinds.values())
    if any(k.late_cost_per_h for k in kinds):
        late_cost = np.array([k.late_cost_per_h for k in kinds])
        book["delay"] += np.bincount(use.late_month, weights=use.late_h * late_cost[use.late_kind],
                                     minlength=n_months)[:n_months]
    if any(k.abandon_cost for k in kinds):
        lost_cost = np.array([k.abandon_cost for k in kinds])
        book["lost_business"] += np.bincount(use.lost_month, weights=lost_cost[use.lost_kind],
                                             minlength=n_months)[:n_months]

    codes, months = np.nonzero(table)  # by category, then month: the ledger's order
    return Ledger(months, codes, table[codes, months])


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
                      empty_i, empty_i, empty_f, empty_i, empty_i)
        tier = f"tier{later.index(pu.name) + 2}" if pu.name in later else "tier1"
        out[tier] += price_usage(scenario, alone).total()
    return out
