"""Review for cause: contract clauses that act on the vendor's measured monthly SLA attainment.

Outages, degradation and exits are drawn before the run; a review cannot be, because it
reacts to what the queue did.  So a vendor with a ``review`` clause gets a process that
wakes at every month end of the measured window and measures the month just ended:

    attainment = items routed to the vendor, due in the month, done by their due time
                 / items routed to the vendor, due in the month (abandoned ones left out)

(1 when nothing was due).  After ``months_below`` months in a row below ``floor_share`` a
review is held (event ``"review"``): the vendor owes the penalty (priced in the ledger), a
remediation plan sets the vendor's productivity to ``remediation_productivity_factor`` times
the contract's after ``remediation_delay_h`` (event ``"remediation"`` when it takes effect),
and at review number ``terminate_at_review`` the client terminates for cause (event
``"exit:cause"``).  Termination uses the vendor's exit plan (``vendors.X.exit``): the queue and
every later item go to its fallback, which starts after the switching lead time and ramps up
as after any exit; work already in the vendor's hands is finished.  Switching cost is booked,
the exit fee is not.

A vendor that can be terminated for cause does not know in advance when (or whether) its
fallback starts, so both pools run on a :class:`~simkit.engine.timelines.SwitchableTimeline` whose capacity is set at
the moment of termination.  Its scheduled exit, if any (insolvency or a termination date),
goes through the same path, whichever comes first.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from simkit.calendars.timeline import CapacityTimeline
from simkit.engine.log import ABANDONED
from simkit.engine.risk import exit_cause
from simkit.engine.timelines import TIMELINE_MARGIN_H, SwitchableTimeline, fallback_timeline
from simkit.scenario.mechanisms import ReviewSpec
from simkit.units import HOURS_PER_MONTH

__all__ = ["monthly_attainment", "start_review", "wire_reviews", "without_pools", "is_counted"]

ON_TIME_SLACK_H = 1e-9
"""An item that ends this close after its due time is on time (its due time and end are sums of hours
in floating point)."""


def monthly_attainment(due_h: np.ndarray, order: np.ndarray, due_sorted: np.ndarray, mine: Callable[[int], bool],
                       end: list[float], counted: Callable[[int], bool], a: float, b: float) -> float:
    """Share of ``mine`` items due in ``[a, b)`` that ended by their due time (1 when none was due).

    ``order`` sorts the items by due time (``due_sorted``), so a month costs only its own items.
    """
    lo, hi = np.searchsorted(due_sorted, [a, b], side="left").tolist()
    due, met = 0, 0
    for item in order[lo:hi].tolist():
        if mine(item) and counted(item):
            due += 1
            met += end[item] <= due_h[item] + ON_TIME_SLACK_H  # NaN (not done) is never <=
    return met / due if due else 1.0


def start_review(env, spec: ReviewSpec, pool, name: str, window_h: tuple[float, float],  # noqa: ANN001
                 attainment: Callable[[float, float], float], terminate: Callable[[str], None],
                 events: list[tuple[float, str, str]]) -> None:
    """Run ``spec``'s monthly checks on ``pool`` (vendor ``name``) from the window's start to its end.

    ``attainment(a, b)`` measures a month; ``terminate("cause")`` ends the contract now.
    """
    t0, t1 = window_h
    base = pool.productivity

    def remediate(_ev: object) -> None:
        if not pool.closed:
            pool.productivity = base * spec.remediation_productivity_factor
            events.append((env.now, name, "remediation"))

    def checks():
        below = reviews = 0
        m = 1
        while (t := t0 + m * HOURS_PER_MONTH) < t1:  # months that end before the horizon
            m += 1
            yield env.timeout(t - env.now)
            if pool.closed:
                return
            if attainment(t - HOURS_PER_MONTH, t) >= spec.floor_share:
                below = 0
                continue
            below += 1
            if below < spec.months_below:
                continue
            below = 0
            reviews += 1
            events.append((env.now, name, "review"))
            if spec.terminate_at_review is not None and reviews >= spec.terminate_at_review:
                terminate("cause")
                return
            if spec.remediation_productivity_factor > 1.0:
                env.timeout(spec.remediation_delay_h).callbacks.append(remediate)

    env.process(checks())


def is_counted(status: list[int], start: list[float], gives_up_h: list[float], now: Callable[[], float]
               ) -> Callable[[int], bool]:
    """Whether an item is judged: not abandoned (marked, or its requester gone before anyone took it)."""
    def counted(item: int) -> bool:
        if status[item] == ABANDONED:
            return False
        return not (gives_up_h[item] <= now() and start[item] != start[item])
    return counted


def wire_reviews(scenario, env, reviewed: list[str], for_cause: dict[str, float], deferred: dict,  # noqa: ANN001
                   switchable: dict[str, SwitchableTimeline], names: tuple[str, ...], pools: list,
                   active: list[tuple[float, float]], events: list[tuple[float, str, str]],
                   terminations: list[tuple[str, float, float]], trace, route: list[int], items,
                   window_h: tuple[float, float], on_open: dict[str, Callable[[float], None]] | None = None) -> None:
    """Start the review checks of the ``reviewed`` vendors, and schedule the exit of those that may be
    terminated for cause (``for_cause``: their drawn exit time) on the same path as a termination.

    ``deferred`` maps each fallback brought in only for such a termination to its capacity timeline
    (it stays closed until then); ``terminations`` receives ``(vendor, when, fallback start)``, the
    start being NaN when the fallback was already working in the option.  A deferred fallback's quality
    hook (:class:`~simkit.engine.hooks.QualityHook`) is restarted at its start: defects fall with
    experience from then, and its staffing processes (``on_open``, per fallback) start then too.
    """
    t0, horizon = window_h
    due_h = trace.due_h
    order = np.argsort(due_h, kind="stable")
    due_sorted = due_h[order]
    counted = is_counted(items.status, items.start, items.gives_up_h, lambda: env.now)
    opened: dict[str, float] = {}

    def terminate(name: str, cause: str) -> None:
        k = names.index(name)
        pool = pools[k]
        if pool.closed:
            return
        now = env.now
        ex = scenario.vendors[name].exit
        events.append((now, name, f"exit:{cause}"))
        inner = switchable[name].inner
        if not isinstance(inner, CapacityTimeline):
            inner = CapacityTimeline.from_calendar(inner, horizon + TIMELINE_MARGIN_H)
        switchable[name].switch(inner.closed_after(now))
        active[k] = (active[k][0], now)
        fb = ex.fallback
        start = math.nan
        if fb in deferred:
            if fb not in opened:
                opened[fb] = start = min(now + ex.switch_lead_h, horizon)
                j = names.index(fb)
                role = "team" if fb in scenario.teams else "vendor"
                switchable[fb].switch(fallback_timeline(deferred[fb], ex, start, t0, role))
                if pools[j].quality is not None:
                    pools[j].quality = pools[j].quality.starting_at(start)
                active[j] = (start, horizon)
                events.append((start, fb, "fallback_start"))
                if on_open and fb in on_open and start < horizon:
                    on_open[fb](start)
            start = opened[fb]
        terminations.append((name, now, start))
        pool.close()

    for name in reviewed:
        k = names.index(name)
        spec = scenario.vendors[name]
        t_exit = for_cause.get(name, math.inf)
        if t_exit < horizon:
            cause = exit_cause(spec.exit, t_exit, t0)
            env.timeout(t_exit).callbacks.append(lambda _ev, n=name, c=cause: terminate(n, c))

        def attainment(a: float, b: float, k: int = k) -> float:
            return monthly_attainment(due_h, order, due_sorted, lambda item: route[item] == k, items.end,
                                      counted, a, b)

        start_review(env, spec.review, pools[k], name, window_h, attainment,
                     lambda cause, n=name: terminate(n, cause), events)


def without_pools(log, drop: list[str]):  # noqa: ANN001, ANN201
    """``log`` without the pools named in ``drop`` (fallbacks never opened), their events and staff changes."""
    keep = [k for k, n in enumerate(log.pool_names) if n not in drop]
    remap = np.full(len(log.pool_names) + 1, -1, dtype=np.int8)
    remap[keep] = np.arange(len(keep))
    pool = np.where(log.pool >= 0, remap[log.pool], log.pool).astype(np.int8)

    def take(a: np.ndarray) -> np.ndarray:
        return a[keep]

    return replace(log, pool_names=tuple(log.pool_names[k] for k in keep),
                   pool_roles=tuple(log.pool_roles[k] for k in keep), pool=pool, servers=take(log.servers),
                   busy_h=take(log.busy_h), open_server_h=take(log.open_server_h), active_h=take(log.active_h),
                   down_h=take(log.down_h), outages=take(log.outages),
                   events=[e for e in log.events if e[1] not in drop],
                   fx={n: v for n, v in log.fx.items() if n not in drop},
                   staff_log={n: v for n, v in log.staff_log.items() if n not in drop},
                   tiers=None if log.tiers is None else replace(
                       log.tiers, done_by=np.where(log.tiers.done_by >= 0, remap[log.tiers.done_by],
                                                   -1).astype(np.int8)))
