"""What a run log *used*, month by month: staffed hours, items, dated events, late hours; never money.

Pricing is split in two so that a price sweep is cheap: :func:`log_usage` reads what a log used
(nothing that a price can change), once per log, and :func:`simkit.accounting.costs.price_usage`
multiplies it by the scenario's prices.  The usage is memoised per log (:func:`log_memo`) and per
:attr:`Usage.inputs`, the scenario values it was computed from.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simkit.calendars.dates import month_edges, month_lengths_h
from simkit.engine.log import ABANDONED, COMPLETED, RunLog, headcount_segments
from simkit.scenario.model import Scenario
from simkit.units import HOURS_PER_MONTH

__all__ = ["Usage", "PoolUsage", "log_usage", "log_memo", "month_at"]


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


def month_at(t: float, edges: np.ndarray, window_h: tuple[float, float]) -> int:
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
            for array in value.values() if isinstance(value, Mapping) else (value,):
                if isinstance(array, np.ndarray):
                    array.flags.writeable = False


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
    and ``lost_*`` the abandoned items (month, kind).  ``fx`` holds every exchange-rate path of
    the log by team or vendor name: the pools' (also in :attr:`PoolUsage.fx`) and a retained team's,
    which is paid during parallel running without being a pool.
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
    fx: Mapping[str, np.ndarray] = field(default_factory=dict)

    def fx_of(self, name: str) -> np.ndarray | None:
        """The exchange-rate path of team or vendor ``name`` (``None``: paid in the scenario's currency): a
        pool's own, else the one ``fx`` holds for it."""
        return next((pu.fx for pu in self.pools if pu.name == name), self.fx.get(name))


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
    fx = {name: path[:n_months] for name, path in log.fx.items()}
    done = (log.status == COMPLETED) & (log.end_h >= t0)
    escaped = log.escaped != 0
    pools = []
    for k, (name, role) in enumerate(zip(log.pool_names, log.pool_roles, strict=True)):
        a, b = log.active_h[k]
        lo, hi = np.clip(edges[:-1], a, b), np.clip(edges[1:], a, b)
        common = {"name": name, "role": role, "active_h": (a, b), "frac": (hi - lo) / month_h,
                  "fx": fx.get(name),
                  "start_month": month_at(a, edges, log.window_h)}
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
                   if (what in priced or what.startswith("exit:")) and (m := month_at(t, edges, log.window_h)) >= 0)
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
                 late_h[late], _month_of(when, edges), kind[gone], fx)


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

