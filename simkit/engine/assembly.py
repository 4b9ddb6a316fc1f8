"""The run log of one option's run: the item columns the kernel filled, and each pool's hours measured.

After the run, each pool's work is measured inside the window on its own capacity timeline
(:func:`capacity_hours`), its hours without service are added up (outages, and the gap between an exit
and a new fallback's start), and each pool priced in another currency, and each retained team paid in one,
gets its exchange-rate path.  A fallback that was deferred for a termination for cause that never came is
dropped from the log.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from simkit.engine.log import RunLog, headcount_segments
from simkit.engine.review import without_pools
from simkit.engine.risk import fx_path
from simkit.engine.roster import seated_capacity
from simkit.engine.wiring import OptionRun
from simkit.units import HOURS_PER_MONTH

__all__ = ["assemble_log", "capacity_hours", "down_hours"]

WHOLE_MONTH_SLACK = 1e-9
"""Months of a window counted as ``ceil(hours / month - this)``: a window of exactly ``m`` months, computed
in floating point, must give ``m`` ledger months, not ``m + 1``."""


def _clip_sum(intervals: list[tuple[float, float]], a: float, b: float) -> float:
    return float(sum(max(0.0, min(e, b) - max(s, a)) for s, e in intervals))


def capacity_hours(pools: list, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
    """Per pool: hours of work done inside the window (each piece of work on the pool's timeline,
    so waits for a client's answer or for rework in between are not counted), and capacity on shift."""
    busy = np.zeros(len(pools))
    open_server = np.zeros(len(pools))
    for k, pool in enumerate(pools):
        if pool.seated:
            busy[k], open_server[k] = seated_capacity(pool, t0, t1)
            continue
        tl = pool.timeline
        a = np.maximum(np.frombuffer(pool.work_from_h), t0)
        b = np.minimum(np.frombuffer(pool.work_to_h), t1)
        worked = tl.cumulative_hours_array(b) - tl.cumulative_hours_array(a) if a.size else np.zeros(0)
        cap = sum(count * tl.working_hours(max(s, t0), min(e, t1))
                  for s, e, count in headcount_segments(pool.servers, pool.staff_log, t0, t1) if e > s)
        busy[k] = min(float(np.clip(worked, 0.0, None).sum()), cap)
        open_server[k] = cap
    return busy, open_server


def down_hours(run: OptionRun) -> np.ndarray:
    """Per pool, hours without service inside the window: outages, plus the gap between an exit (scheduled,
    or a termination for cause) and its new fallback's start (none when the fallback was already working)."""
    t0, horizon = run.window_h
    members, vendors = run.members, run.scenario.vendors
    down_h = np.array([_clip_sum(d, t0, horizon) for d in run.downs])
    for name, t_exit in members.exits.items():
        fallback = vendors[name].exit.fallback
        if members.index(fallback) < members.n_primary:
            continue  # the fallback was already working in this option: no gap
        gap_end = min(members.fallback_start[fallback], horizon)
        down_h[members.index(name)] += max(0.0, gap_end - max(t_exit, t0))
    for name, t_stop, start in run.terminations:
        if not math.isnan(start):
            down_h[members.index(name)] += max(0.0, min(start, horizon) - max(t_stop, t0))
    return down_h


def _fx_paths(run: OptionRun, pool_names: tuple[str, ...], pool_roles: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Per team or vendor paid in another currency that the option pays: one exchange-rate multiplier per
    ledger month (a dated scenario's real months).

    Those are its pools with ``fx`` and the team each of its vendors retains for parallel running
    (``transition.retained_team``) when that team has ``fx``: the retained team is rarely a pool of the
    option, yet its wages are paid in its currency.  Each path comes from the ``"fx:<name>"`` stream,
    so a team gets the same path in every option that pays it (common random numbers).  The retained
    team's path is drawn whatever ``parallel_run_months`` is, a cost-only field a re-pricing may change.
    """
    scenario = run.scenario
    t0, horizon = run.window_h
    clock = scenario.clock()
    n_months = (math.ceil((horizon - t0) / HOURS_PER_MONTH - WHOLE_MONTH_SLACK) if clock is None
                else len(clock.month_edges(t0, horizon)[0]) - 1)
    paid = {}
    for name, role in zip(pool_names, pool_roles, strict=True):
        spec = scenario.teams[name] if role == "team" else scenario.vendors[name]
        if spec.fx is not None:
            paid[name] = spec.fx
        retained = spec.transition.retained_team if role == "vendor" and spec.transition is not None else None
        if retained is not None and scenario.teams[retained].fx is not None:
            paid[retained] = scenario.teams[retained].fx
    return {name: fx_path(spec, n_months, run.streams.rng(f"fx:{name}")) for name, spec in paid.items()}


def _column(values: list | np.ndarray, dtype: type) -> np.ndarray:
    """A per-item list (the event loop's) or array (the compiled loop's) as a new numpy column; a list is read
    with ``np.fromiter``, a fraction of ``np.array``'s time on a long list of numbers."""
    if isinstance(values, list):
        return np.fromiter(values, dtype=dtype, count=len(values))
    return np.array(values, dtype=dtype)


def assemble_log(run: OptionRun, cols: dict[str, np.ndarray], route: list[int] | np.ndarray,
                 enter: list[float] | np.ndarray) -> RunLog:
    """The :class:`RunLog` of a finished run from the kernel's item columns (``Items.arrays``), each item's
    route and queue-entry time."""
    t0, horizon = run.window_h
    members, pools = run.members, run.pools
    tier_pools = list(range(members.n_tier1, members.n_primary))
    enter_h = _column(enter, float)
    served = cols["served_by"]
    busy, open_server = capacity_hours(pools, t0, horizon)
    log = RunLog(
        option=run.option_name, trace=run.trace, pool_names=tuple(members.names), pool_roles=tuple(members.roles),
        pool=np.where(served >= 0, served, _column(route, np.int8)).astype(np.int8),
        enter_h=enter_h, start_h=cols["start"], end_h=cols["end"], status=cols["status"],
        clarify_rounds=cols["asked"], clarify_h=cols["clarify_h"], reworks=cols["reworks"],
        escaped=cols["escaped"], window_h=(t0, horizon),
        servers=np.array([run.people.get(k, p.servers) for k, p in enumerate(pools)]),
        busy_h=busy, open_server_h=open_server, active_h=np.array(run.active, dtype=float).reshape(-1, 2),
        down_h=down_hours(run), outages=np.array([sum(1 for s, _ in d if t0 <= s < horizon) for d in run.downs]),
        events=sorted(run.events),
        staff_log={p.name: list(p.staff_log) for p in pools if p.staff_log},
        tiers=(None if run.escalation is None
               else run.escalation.log(tuple(members.names), tier_pools, enter_h, cols["start"])),
        on_call_work={p.name: [(a, b) for a, b, cal in zip(p.work_from_h, p.work_to_h, p.work_seat, strict=True)
                               if cal is None] for p in pools if p.on_call is not None})
    vendors = run.scenario.vendors
    opened = {vendors[v].exit.fallback for v, _, start in run.terminations if not math.isnan(start)}
    unused = [fb for fb in members.deferred if fb not in opened]
    log = without_pools(log, unused) if unused else log
    # drawn for the pools that stayed: a dropped fallback may still be a kept vendor's retained team
    return replace(log, fx=_fx_paths(run, log.pool_names, log.pool_roles))
