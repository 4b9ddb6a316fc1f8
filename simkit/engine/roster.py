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

An on-call shift (``on_call: true``) is not a seat.  Its people stand by while its calendar is
open; work arriving while no seat is open triggers a *call-out* (one event, one fee), and
``response_h`` hours later they work the queue by priority, each finishing the item in hand,
until the queue is empty or their on-call window has closed; then they stand by again, and the
next arrival calls them out anew.  The pieces of work done on call-outs are recorded for the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence

from simkit.calendars.weekly import WEEK_H, Calendar
from simkit.scenario.model import Scenario

__all__ = ["seat_calendars", "OnCall", "build_roster", "seated_capacity"]

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
                 events: list[tuple[float, str, str]]) -> tuple[Calendar, list[Calendar], OnCall | None]:
    """A team's shifts as ``(timeline, seats, on_call)``: the timeline is open while anybody is on shift."""
    regular = [s for s in spec.shifts if not s.on_call]
    seats = seat_calendars([scenario.calendar(s.calendar) for s in regular], [s.staff for s in regular])
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
