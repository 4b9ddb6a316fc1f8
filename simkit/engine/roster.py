"""Rosters: a team's shifts as seats on a shared queue, and on-call staff called out by arriving work.

A roster (``teams.X.shifts``) is compiled into *seats*.  At any moment the team has ``H(t)``
people on shift, the sum of the head counts of the regular shifts whose calendars are open;
``H`` repeats every week.  Seat ``i`` (0, 1, ...) is open whenever ``H(t) > i``, so seat 0 is
open whenever anybody is on shift and the highest seat only at the busiest hours.  Each seat is
one server with its own weekly :class:`~simkit.calendars.weekly.Calendar`:

* capacity at time ``t`` is exactly ``H(t)`` servers (staggered starts add up where they overlap);
* at a hand-over where ``H`` does not drop (an early shift ends as a late one starts), the low
  seats stay open, so work in progress carries on; where ``H`` drops, the items in the seats that
  close wait for them to reopen, as work pauses at closing time on any calendar.

On a dated run (``run.start_date``) each shift's calendar is first compiled to dated open intervals in
its own time zone, holidays and closed dates included (:func:`simkit.calendars.dates.compile_calendar`),
and ``H(t)`` is counted on those intervals over the whole run instead of one week
(:func:`dated_seat_calendars`): a night shift across the spring-forward change is an hour shorter,
a holiday closes every shift that starts on it, and each seat is a
:class:`~simkit.calendars.dates.DatedCalendar`.  Undated runs are untouched.

An on-call shift (``on_call: true``) is not a seat.  Its people stand by while its calendar is
open; work arriving while no seat is open triggers a *call-out* (one event, one fee), and
``response_h`` hours later they work the queue by priority, each finishing the item in hand,
until the queue is empty or their on-call window has closed; then they stand by again, and the
next arrival calls them out anew.  The pieces of work done on call-outs are recorded for the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence

from simkit.calendars.dates import MARGIN_H, DatedCalendar
from simkit.calendars.timeline import CapacityTimeline
from simkit.calendars.weekly import WEEK_H, Calendar
from simkit.scenario.model import Scenario

__all__ = ["seat_calendars", "dated_seat_calendars", "OnCall", "build_roster", "seated_capacity"]

_SAME_H = 1e-9
"""Shift edges closer than this (hours) are one hand-over: a head count that does not drop keeps its seats open."""

SAME_INSTANT_H = 1e-12
"""A seat's open pieces that meet within this many hours are one interval (shift edges are sums of hours)."""


def seat_calendars(calendars: Sequence[Calendar], staff: Sequence[int]) -> list[Calendar]:
    """One weekly calendar per seat: seat ``i`` open while the summed head count exceeds ``i``.

    Parameters
    ----------
    calendars, staff
        The regular shifts' calendars and head counts, in the same order.

    Returns
    -------
    list of Calendar
        ``max H(t)`` calendars (none when nobody is ever on shift), lowest seat first.
    """
    points = sorted({0.0, WEEK_H, *(t for cal in calendars for iv in cal.intervals for t in iv)})
    pieces = []  # (from, to, head count) over one week
    for a, b in zip(points, points[1:], strict=False):
        if b > a:
            mid = (a + b) / 2.0
            pieces.append((a, b, sum(n for cal, n in zip(calendars, staff, strict=True) if cal.is_open(mid))))
    peak = max((h for _, _, h in pieces), default=0)
    seats = []
    for i in range(peak):
        merged: list[list[float]] = []
        for a, b, h in pieces:
            if h > i:
                if merged and abs(merged[-1][1] - a) < SAME_INSTANT_H:
                    merged[-1][1] = b
                else:
                    merged.append([a, b])
        seats.append(Calendar(tuple((a, b) for a, b in merged)))
    return seats


def _open_intervals(calendar: Calendar | CapacityTimeline, end_h: float) -> list[tuple[float, float]]:
    """A compiled calendar's open stretches on ``[0, end_h)``: a dated one's intervals, or all of it
    for the round-the-clock :meth:`Calendar.always` a dated run keeps as its fast path."""
    if isinstance(calendar, DatedCalendar):
        return [(a, min(b, end_h)) for a, b in calendar.intervals if a < end_h]
    if getattr(calendar, "always_open", False):
        return [(0.0, end_h)]
    raise TypeError(f"a dated roster needs dated calendars, not {type(calendar).__name__}")


def dated_seat_calendars(calendars: Sequence[Calendar | DatedCalendar], staff: Sequence[int],
                         horizon_h: float) -> list[DatedCalendar]:
    """:func:`seat_calendars` on a dated run: seat ``i`` open while the summed head count exceeds ``i``.

    ``H(t)`` no longer repeats every week (daylight saving moves shifts, holidays close them), so it is
    swept over the whole timeline: every shift edge adds or removes its head count, edges within
    :data:`_SAME_H` of each other count as one instant (a hand-over), and each seat's open stretches
    become a :class:`~simkit.calendars.dates.DatedCalendar` on the same span as the shifts' own.

    Parameters
    ----------
    calendars, staff
        The regular shifts' compiled calendars (``Scenario.calendar`` on a dated scenario) and head counts.
    horizon_h
        The simulated period; the seats run :data:`~simkit.calendars.dates.MARGIN_H` past it, as the calendars do.

    Returns
    -------
    list of DatedCalendar
        ``max H(t)`` seats (none when nobody is ever on shift), lowest seat first.
    """
    end_h = horizon_h + MARGIN_H
    steps: dict[float, int] = {}
    for cal, n in zip(calendars, staff, strict=True):
        if n <= 0:
            continue
        for a, b in _open_intervals(cal, end_h):
            steps[a] = steps.get(a, 0) + n
            steps[b] = steps.get(b, 0) - n
    edges: list[list[float]] = []  # [time, change in head count], edges closer than _SAME_H merged
    for t in sorted(steps):
        if edges and t - edges[-1][0] < _SAME_H:
            edges[-1][1] += steps[t]
        else:
            edges.append([t, steps[t]])
    pieces: list[tuple[float, float, int]] = []  # (from, to, head count) with a positive head count
    head = 0
    for (t, change), nxt in zip(edges, [*edges[1:], [end_h, 0]], strict=True):
        head += int(change)
        if head > 0 and nxt[0] > t:
            pieces.append((t, nxt[0], head))
    peak = max((h for *_, h in pieces), default=0)
    seats: list[list[tuple[float, float]]] = [[] for _ in range(peak)]
    for a, b, h in pieces:
        for i in range(h):
            run = seats[i]
            if run and a - run[-1][1] < _SAME_H:
                run[-1] = (run[-1][0], b)
            else:
                run.append((a, b))
    return [DatedCalendar(run, horizon_h, end_h) for run in seats]


class OnCall:
    """The on-call people of one team: who stands by, whether a call-out is under way, what it cost.

    Parameters
    ----------
    calendar
        When the on-call shift covers (its people can be called out).
    response_h
        Hours from the call-out to the first of them starting work.
    size
        How many people are called out together.
    name
        The team's name, for the ``"call_out"`` events.
    events
        The run's dated events; each call-out adds ``(time_h, name, "call_out")``.
    """

    def __init__(self, calendar: Calendar, response_h: float, size: int, name: str,
                 events: list[tuple[float, str, str]]) -> None:
        self.calendar = calendar
        self.response_h = response_h
        self.size = size
        self.name = name
        self.events = events
        self.standby: list = []  # servers standing by (all of them, unless called out)
        self.called_out = False

    def park(self, srv) -> None:  # noqa: ANN001 - a pools.Server
        """``srv`` stands by again; the call-out is over when all have."""
        self.standby.append(srv)
        if len(self.standby) == self.size:
            self.called_out = False

    def work_arrived(self, pool) -> None:  # noqa: ANN001 - a pools.ServicePool
        """Work joined the queue: call the on-call people out if nobody else covers and they do."""
        now = pool.env._now
        if self.called_out or not self.standby or pool.timeline.is_open(now) or not self.calendar.is_open(now):
            return
        self.called_out = True
        self.events.append((now, self.name, "call_out"))
        pool.env.call_later(self.response_h, self._arrive, pool)

    def _arrive(self, pool) -> None:  # noqa: ANN001
        woken, self.standby = self.standby, []
        for srv in woken:
            pool._wake(srv)


def build_roster(scenario: Scenario, spec, name: str,  # noqa: ANN001 - a TeamSpec
                 events: list[tuple[float, str, str]]) -> tuple[Calendar, list, OnCall | None]:
    """A team's shifts as ``(timeline, seats, on_call)``: the timeline is open while anybody is on shift."""
    regular = [s for s in spec.shifts if not s.on_call]
    calendars, staff = [scenario.calendar(s.calendar) for s in regular], [s.staff for s in regular]
    if scenario.clock() is None:
        seats = seat_calendars(calendars, staff)
    else:
        seats = dated_seat_calendars(calendars, staff, scenario.run.horizon_days * 24.0)
    on_call = None
    for s in spec.shifts:
        if s.on_call and s.staff > 0:
            on_call = OnCall(scenario.calendar(s.calendar), s.response_h, s.staff, name, events)
    return (seats[0] if seats else Calendar(())), seats, on_call


def seated_capacity(pool, t0: float, t1: float) -> tuple[float, float]:  # noqa: ANN001 - a pools.ServicePool
    """A roster's work and capacity in the window: each piece on its seat's calendar; work on a call-out
    counts in full on both sides (on-call people are available only while called out)."""
    busy = on_call = 0.0
    for a, b, cal in zip(pool.work_from_h, pool.work_to_h, pool.work_seat, strict=True):
        a, b = max(a, t0), min(b, t1)
        if b <= a:
            continue
        if cal is None:
            on_call += b - a
        else:
            busy += cal.working_hours(a, b)
    seats = sum(srv.timeline.working_hours(t0, t1) for srv in pool.members if not srv.on_call)
    return busy + on_call, seats + on_call
