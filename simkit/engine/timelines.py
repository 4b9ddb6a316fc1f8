"""Each pool's capacity over the run: its working calendar and every change to it drawn or known up front.

A pool's servers work on one timeline (:class:`~simkit.calendars.timeline.CapacityTimeline`, or a
plain weekly :class:`~simkit.calendars.weekly.Calendar` when nothing changes it).  It is built in a
fixed order, each step scaling or cutting the one before:

1. the working calendar: a roster's seats, a team's overtime, the share of paid hours a team is present;
2. a vendor's drawn risks (:mod:`simkit.engine.risk`): no capacity in an outage, less in a degradation
   episode, a learning curve after the transition;
3. the contract: closed after a vendor's exit; a vendor that may be terminated for cause and a
   fallback that waits for it run on a :class:`SwitchableTimeline`, set when (and if) it happens; a
   fallback brought in by an exit is closed until the switching lead time has passed, then ramps up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simkit.calendars.timeline import CapacityTimeline
from simkit.calendars.weekly import WEEK_H, Calendar
from simkit.engine.risk import degradation_intervals, exit_cause, outage_intervals, wright_factors
from simkit.engine.roster import OnCall, build_roster
from simkit.scenario.mechanisms import ExitSpec
from simkit.units import HOURS_PER_MONTH, HOURS_PER_YEAR

if TYPE_CHECKING:
    from simkit.engine.wiring import OptionRun

__all__ = ["TIMELINE_MARGIN_H", "CLOSED", "SwitchableTimeline", "PoolCapacity", "as_timeline", "fallback_timeline",
           "pool_capacity"]

TIMELINE_MARGIN_H = 4 * WEEK_H
"""Timelines run four weeks past the horizon, so that work in progress at the horizon can be scheduled to
its end (an item's end may fall after the horizon; only what happens before it is measured)."""

MIN_KNOWLEDGE_KEPT = 0.05
"""A returning in-house team keeps at least this share of its starting productivity however long the work
was out: the erosion rate is a linear extrapolation, and a team that knows nothing still works a little."""

CLOSED = CapacityTimeline(np.array([0.0]), np.array([0.0]), 0.0)
"""No capacity, ever: a fallback waiting for a termination that may not come."""


class SwitchableTimeline:
    """A capacity timeline that can be replaced while the run goes on (by a termination for cause).

    Pools hold on to their timeline object, so the object stays and what it delegates to changes.
    ``always_open`` is fixed when it is built: a pool that is switched is a vendor that closes
    at that moment, or a fallback that was closed until then, so neither reads it afterwards.
    """

    def __init__(self, inner: object, always_open: bool = False) -> None:
        self.inner = inner
        self.always_open = always_open

    def switch(self, inner: object) -> None:
        self.inner = inner

    def is_open(self, t: float) -> bool:
        return self.inner.is_open(t)

    def next_open(self, t: float) -> float:
        return self.inner.next_open(t)

    def advance(self, t: float, work_h: float) -> float:
        return self.inner.advance(t, work_h)

    def cumulative_hours(self, t: float) -> float:
        return self.inner.cumulative_hours(t)

    def cumulative_hours_array(self, t: np.ndarray) -> np.ndarray:
        return self.inner.cumulative_hours_array(t)

    def working_hours(self, a: float, b: float) -> float:
        return self.inner.working_hours(a, b)


def as_timeline(tl: Calendar | CapacityTimeline, end_h: float) -> CapacityTimeline:
    """``tl`` as a timeline that can be scaled and cut (a calendar is unrolled up to ``end_h``)."""
    return tl if isinstance(tl, CapacityTimeline) else CapacityTimeline.from_calendar(tl, end_h)


def fallback_timeline(base: CapacityTimeline, ex: ExitSpec, start_h: float, t0: float,
                      role: str) -> CapacityTimeline:
    """A fallback's capacity: closed before ``start_h``, then a linear ramp in monthly steps from
    ``ramp_start_productivity`` (an in-house team's also eroded by the years the work was out)."""
    years_out = max(0.0, (start_h - t0) / HOURS_PER_YEAR)
    first = ex.ramp_start_productivity
    if role == "team":
        first *= max(MIN_KNOWLEDGE_KEPT, 1.0 - ex.knowledge_erosion_annual * years_out)
    steps = max(1, math.ceil(ex.ramp_months))
    factors = [first + (1.0 - first) * m / steps for m in range(steps)] + [1.0]
    return base.opened_from(start_h).stepped([start_h + m * HOURS_PER_MONTH for m in range(steps + 1)], factors)


@dataclass
class PoolCapacity:
    """One pool's capacity, as :func:`pool_capacity` built it.

    Attributes
    ----------
    timeline
        What the pool's servers work on.
    seats, on_call
        A roster's seat calendars and on-call people (``seats`` is ``None`` for a pool without shifts).
    down, degraded
        Outage and degradation intervals ``(from_h, to_h)`` (empty for a team).
    start_h, stop_h
        When the pool is under contract or employed: from the window's start (a fallback: its start)
        to the horizon (a vendor that exits: its exit).
    """

    timeline: Calendar | CapacityTimeline | SwitchableTimeline
    seats: list[Calendar] | None
    on_call: OnCall | None
    down: list[tuple[float, float]]
    degraded: list[tuple[float, float]]
    start_h: float
    stop_h: float


def pool_capacity(run: OptionRun, k: int) -> PoolCapacity:
    """Pool ``k``'s timeline with every change to it (the module's steps 1 to 3, in that order)."""
    members = run.members
    name, role = members.names[k], members.roles[k]
    spec = members.spec(run.scenario, k)
    roster = build_roster(run.scenario, spec, name, run.events) if role == "team" and spec.shifts else None
    tl = _working_calendar(run, spec, role, roster[0] if roster else None)
    down: list[tuple[float, float]] = []
    degraded: list[tuple[float, float]] = []
    if role == "vendor":
        tl, down, degraded = _vendor_risks(run, spec, name, tl, is_new_fallback=members.is_new_fallback(k))
    tl, start_h, stop_h = _contract_changes(run, k, spec, tl)
    return PoolCapacity(tl, roster[1] if roster else None, roster[2] if roster else None, down, degraded,
                        start_h, stop_h)


def _working_calendar(run: OptionRun, spec, role: str, roster_calendar: Calendar | None,  # noqa: ANN001
                      ) -> Calendar | CapacityTimeline:
    """The hours the pool's people work: a roster's, else its calendar's (a team's with overtime: people
    stay on when there is work), scaled to the share present for a team with absence (see ``TeamSpec``)."""
    scenario = run.scenario
    cal = roster_calendar if roster_calendar is not None else scenario.calendar(spec.calendar)
    if roster_calendar is None and role == "team" and spec.overtime_h_per_day > 0:
        cal = scenario.calendar(spec.calendar, spec.overtime_h_per_day)
    if role == "team" and spec.absence_share > 0:
        return as_timeline(cal, run.t_end).stepped([0.0], [spec.available_share])
    return cal


def _vendor_risks(run: OptionRun, spec, name: str, tl: Calendar | CapacityTimeline,  # noqa: ANN001
                  is_new_fallback: bool) -> tuple:
    """A vendor's outages (no capacity), degradation episodes (less) and transition learning curve (monthly
    steps up to full productivity; not for a fallback, whose ramp is its exit plan's)."""
    t0, t_end, streams = run.window_h[0], run.t_end, run.streams
    down: list[tuple[float, float]] = []
    degraded: list[tuple[float, float]] = []
    if spec.outages is not None:
        down = outage_intervals(spec.outages, t_end, streams.rng(f"outage:{name}"))
        tl = as_timeline(tl, t_end).scaled(down, 0.0)
    if spec.degradation is not None:
        degraded = degradation_intervals(spec.degradation, t_end, streams.rng(f"degradation:{name}"))
        tl = as_timeline(tl, t_end).scaled(degraded, spec.degradation.productivity_factor)
    if spec.transition is not None and spec.transition.start_productivity < 1 and not is_new_fallback:
        months = math.ceil((t_end - t0) / HOURS_PER_MONTH) + 1
        factors = wright_factors(spec.transition.start_productivity, spec.transition.learning_rate, months)
        tl = as_timeline(tl, t_end).stepped([t0 + m * HOURS_PER_MONTH for m in range(months)], factors)
    return tl, down, degraded


def _contract_changes(run: OptionRun, k: int, spec, tl) -> tuple:  # noqa: ANN001
    """The pool's timeline cut by its contract, and its ``(start_h, stop_h)``: a scheduled exit closes a
    vendor; a vendor that may be terminated for cause, and a fallback that waits for that, become
    switchable; a fallback brought in by an exit opens after the switching lead time and ramps up."""
    members, t_end = run.members, run.t_end
    t0, horizon = run.window_h
    name, role = members.names[k], members.roles[k]
    start_h, stop_h = t0, horizon
    if role == "vendor":
        if name in members.for_cause:
            tl = run.switchable[name] = SwitchableTimeline(tl, getattr(tl, "always_open", False))
        if name in members.exits:
            stop_h = members.exits[name]
            tl = as_timeline(tl, t_end).closed_after(stop_h)
            cause = exit_cause(spec.exit, stop_h, members.contract_start_h(name, t0))
            run.events.append((stop_h, name, f"exit:{cause}"))
    if name in members.deferred:  # closed until a termination opens it
        members.deferred[name] = as_timeline(tl, t_end)
        tl = run.switchable[name] = SwitchableTimeline(CLOSED)
        start_h = horizon
    elif members.is_new_fallback(k):
        start_h = min(members.fallback_start[name], horizon)
        tl = fallback_timeline(as_timeline(tl, t_end), members.exit_to(run.scenario, name), start_h, t0, role)
        run.events.append((start_h, name, "fallback_start"))
    return tl, start_h, stop_h
