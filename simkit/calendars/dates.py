"""Dated calendars: a start date, IANA time zones with daylight saving, public holidays, real months.

Without ``run.start_date`` simulation time is hours since an undated Monday 00:00 UTC, calendars are
weekly patterns (:class:`simkit.calendars.weekly.Calendar`) and months are 730.5 h; nothing here is used.

With a start date, hour 0 is midnight at the start of that date in the *workload (client) calendar's*
local time, and this module turns the scenario's calendars into what the engine already reads:

* :class:`Clock` maps simulation hours to instants and back, to the client's wall-clock time (for the
  arrival profiles, which follow the client's clock through daylight-saving changes) and to real
  calendar months (the ledger's months: 28-31 local days, 743 or 745 h across a DST change);
* :func:`compile_calendar` turns a calendar into open intervals in hours from the start.  A calendar
  is open exactly when its own wall clock reads a time inside one of its shifts: local date ``d`` (a
  listed day, not a public holiday or closed date) from ``d + open_hour`` to ``d + open_hour + length``.
  So a 09:00-17:00 day stays 8 h on both sides of a daylight-saving change while its UTC hours move by
  one; a shift that would open inside the spring-forward gap opens when the clock jumps past it, and
  one that closes inside the autumn's repeated hour is open again while that hour repeats.  The result
  is a :class:`~simkit.calendars.timeline.CapacityTimeline`, which the engine, the ledger and the previews
  already accept wherever a :class:`~simkit.calendars.weekly.Calendar` goes; a calendar open around the clock
  with nothing closed stays :meth:`Calendar.always` (its fast path).
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from simkit.calendars.timeline import CapacityTimeline
from simkit.calendars.weekly import DAY_NAMES, WEEK_H, Calendar, _merge
from simkit.units import HOURS_PER_MONTH

__all__ = ["Clock", "DatedCalendar", "compile_calendar", "holiday_dates", "MARGIN_H", "month_edges", "month_lengths_h",
           "fte_months"]

MARGIN_H = 8 * WEEK_H
"""Compiled calendars run this far past the horizon, so work in progress at the end can be scheduled."""


def to_utc(local: datetime, timezone: str | None, utc_offset_h: float) -> datetime:
    """The UTC instant of a naive local wall-clock time in ``timezone`` (or at a fixed offset)."""
    if timezone:
        return local.replace(tzinfo=ZoneInfo(timezone), fold=0).astimezone(UTC)
    return (local - timedelta(hours=utc_offset_h)).replace(tzinfo=UTC)


def _local_date(instant: datetime, timezone: str | None, utc_offset_h: float) -> date:
    if timezone:
        return instant.astimezone(ZoneInfo(timezone)).date()
    return (instant + timedelta(hours=utc_offset_h)).date()


@dataclass(frozen=True)
class Clock:
    """Simulation hours of a dated scenario: hour 0 is ``start_date`` 00:00 in the client's local time.

    Parameters
    ----------
    start_date
        The first simulated day.
    timezone, utc_offset_h
        The client calendar's clock: an IANA zone (with daylight saving) or a fixed offset.
    """

    start_date: date
    timezone: str | None = None
    utc_offset_h: float = 0.0

    @functools.cached_property
    def epoch_utc(self) -> datetime:
        """The UTC instant of hour 0."""
        return to_utc(datetime.combine(self.start_date, time()), self.timezone, self.utc_offset_h)

    def hours_at(self, local: datetime, timezone: str | None, utc_offset_h: float) -> float:
        """Simulation hours of a naive local time on a clock (``timezone`` or ``utc_offset_h``)."""
        return (to_utc(local, timezone, utc_offset_h) - self.epoch_utc).total_seconds() / 3600.0

    def instant(self, t_h: float) -> datetime:
        """The UTC instant of simulation hour ``t_h``."""
        return self.epoch_utc + timedelta(hours=float(t_h))

    def local_date_at(self, t_h: float, timezone: str | None, utc_offset_h: float) -> date:
        """The local date at hour ``t_h`` on a clock."""
        return _local_date(self.instant(t_h), timezone, utc_offset_h)

    # -- the client's wall clock (arrival profiles) ----------------------------------------------------
    def local_hours(self, t_h: np.ndarray | float) -> np.ndarray:
        """Client wall-clock hours since ``start_date`` 00:00 at times ``t_h`` (``t`` plus any DST shift).

        ``floor(local / 24)`` is the local day number and ``local mod 24`` the local hour of day; in the
        autumn's repeated hour two elapsed hours read the same wall-clock hour, in the spring gap none does.
        """
        t = np.asarray(t_h, dtype=float)
        if not self.timezone:
            return t
        end_h = float(np.max(t, initial=0.0))
        times, shifts = _shift_steps(self, 8784.0 * math.ceil((end_h + 1.0) / 8784.0))  # whole years: cached
        if times.size == 1:
            return t
        return t + shifts[np.searchsorted(times, t, side="right") - 1]

    def weekday0(self) -> int:
        """Day of week of ``start_date`` (0 = Monday)."""
        return self.start_date.weekday()

    def month_of_year(self, local_day: np.ndarray) -> np.ndarray:
        """Month of year (0 = January) of local day numbers counted from ``start_date``."""
        d = np.datetime64(self.start_date, "D") + np.asarray(local_day, dtype=np.int64).astype("timedelta64[D]")
        return d.astype("datetime64[M]").astype(np.int64) % 12

    # -- real months (the ledger) ------------------------------------------------------------------
    def month_starts_h(self, end_h: float) -> np.ndarray:
        """Hours of local midnight on the 1st of each month, from the month holding hour 0 to past ``end_h``."""
        return _month_starts(self, float(end_h))

    def month_edges(self, t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
        """Ledger months on ``[t0, t1]``: their edges and the full length of each calendar month in hours.

        Edges are ``t0``, every local 1st-of-month midnight inside, and ``t1``; a month cut by the
        window's start or end is charged pro rata of its *own* length (28-31 days, DST included).
        """
        if t1 <= t0:
            return np.array([float(t0)]), np.zeros(0)
        firsts = self.month_starts_h(t1)
        inside = firsts[(firsts > t0 + 1e-9) & (firsts < t1 - 1e-9)]
        edges = np.concatenate([[t0], inside, [t1]]).astype(float)
        which = np.searchsorted(firsts, edges[:-1] + 1e-9, side="right") - 1
        lengths = firsts[which + 1] - firsts[which]
        return edges, lengths


@functools.lru_cache(maxsize=256)
def _offset_segments(timezone: str, epoch_utc: datetime, from_h: float, to_h: float) -> tuple[tuple, tuple]:
    """Where ``timezone``'s UTC offset changes on ``[from_h, to_h]`` (hours from ``epoch_utc``): times and offsets.

    The first time is ``from_h``; each change is found to the second by bisection inside the day it
    falls in (zones change at most once a day).
    """
    zone = ZoneInfo(timezone)

    def offset_s(seconds: int) -> float:
        return (epoch_utc + timedelta(seconds=seconds)).astimezone(zone).utcoffset().total_seconds()

    first = int(math.floor(from_h * 3600.0))
    prev = offset_s(first)
    times, offsets = [from_h], [prev / 3600.0]
    for k in range(1, math.ceil((to_h - from_h) / 24.0) + 2):
        now = offset_s(first + k * 86400)
        if now != prev:
            lo, hi = first + (k - 1) * 86400, first + k * 86400
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset_s(mid) == prev else (lo, mid)
            times.append(hi / 3600.0)
            offsets.append(now / 3600.0)
            prev = now
    return tuple(times), tuple(offsets)


def _shift_steps(clock: Clock, end_h: float) -> tuple[np.ndarray, np.ndarray]:
    """Times where the client's UTC offset changes and the wall-clock shift after each (hours)."""
    times, offsets = _offset_segments(clock.timezone, clock.epoch_utc, 0.0, end_h)
    return np.asarray(times), np.asarray(offsets) - offsets[0]


@functools.lru_cache(maxsize=64)
def _month_starts(clock: Clock, end_h: float) -> np.ndarray:
    y, m = clock.start_date.year, clock.start_date.month
    out = []
    while True:
        h = clock.hours_at(datetime(y, m, 1), clock.timezone, clock.utc_offset_h)
        out.append(h)
        if h > end_h:
            break
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if len(out) < 2:  # the end lies in the first month: add the next one for its length
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        out.append(clock.hours_at(datetime(y, m, 1), clock.timezone, clock.utc_offset_h))
    arr = np.asarray(out)
    arr.flags.writeable = False
    return arr


def holiday_dates(country: str, subdivision: str | None, years: range) -> frozenset[date]:
    """Public holidays (observed substitutes included) of a country or subdivision, from ``holidays``."""
    from simkit.extras import require

    hol = require("holidays", "calendars.<name>.holidays", "holidays")
    return frozenset(hol.country_holidays(country, subdiv=subdivision, years=list(years)).keys())


class DatedCalendar(CapacityTimeline):
    """A compiled dated calendar: 0/1 open intervals from hour 0, with what the previews ask of a calendar.

    Parameters
    ----------
    intervals
        Disjoint sorted ``(open, close)`` pairs in hours from the start.
    horizon_h
        The simulated period; ``open_hours_per_week`` is the mean over it.
    end_h
        Where the timeline ends (the horizon plus :data:`MARGIN_H`).
    """

    def __init__(self, intervals: list[tuple[float, float]], horizon_h: float, end_h: float) -> None:
        pts, rates = [0.0], [0.0]
        for a, b in intervals:  # merged: each opens after the previous one closed, bar one at hour 0
            if a <= pts[-1]:
                rates[-1] = 1.0
            else:
                pts.append(a)
                rates.append(1.0)
            pts.append(b)
            rates.append(0.0)
        keep = [i for i in range(len(pts)) if pts[i] < end_h]
        super().__init__(np.asarray(pts)[keep], np.asarray(rates)[keep], end_h)
        self.intervals = tuple(intervals)
        self.horizon_h = float(horizon_h)
        weeks = max(self.horizon_h, 1e-9) / WEEK_H
        self.open_hours_per_week = self.cumulative_hours(self.horizon_h) / weeks


def _instants(wall_a: float, wall_b: float, times: tuple, offsets: tuple, end_h: float) -> list[tuple[float, float]]:
    """The times on ``[0, end_h]`` whose wall clock (time + offset in force) lies in ``[wall_a, wall_b)``."""
    out = []
    k = max(bisect_right(times, wall_a - max(offsets)) - 1, 0)
    while k < len(times):
        seg_a, seg_b = times[k], times[k + 1] if k + 1 < len(times) else math.inf
        if seg_a >= wall_b - min(offsets):
            break
        a, b = max(wall_a - offsets[k], seg_a, 0.0), min(wall_b - offsets[k], seg_b, end_h)
        if b > a:
            out.append((a, b))
        k += 1
    return out


@functools.lru_cache(maxsize=256)
def compile_calendar(spec, clock: Clock, horizon_h: float, extra_h: float = 0.0) -> Calendar | DatedCalendar:  # noqa: ANN001
    """The open intervals of calendar ``spec`` (a ``CalendarSpec``) on a dated clock.

    ``extra_h`` lengthens each working day (overtime), capped at 24 h.  Shifts belong to the local date
    they start on: a night shift that starts on a holiday is not worked, one that starts the evening
    before is.
    """
    length = (spec.close_hour - spec.open_hour) % 24.0 or 24.0
    if extra_h > 0:
        length = min(length + extra_h, 24.0)
    days = set(spec.days)
    end_h = horizon_h + MARGIN_H
    first = clock.local_date_at(0.0, spec.timezone, spec.utc_offset_h) - timedelta(days=1)
    last = clock.local_date_at(end_h, spec.timezone, spec.utc_offset_h) + timedelta(days=1)
    closed = set(spec.closed_dates)
    if spec.holidays is not None:
        closed |= holiday_dates(spec.holidays.country, spec.holidays.subdivision, range(first.year, last.year + 1))
    if length >= 24.0 and len(days) == 7 and not closed:
        return Calendar.always()
    if spec.timezone:
        times, offsets = _offset_segments(spec.timezone, clock.epoch_utc, -72.0, end_h + 72.0)
    else:
        times, offsets = (-math.inf,), (spec.utc_offset_h,)
    epoch_naive = clock.epoch_utc.replace(tzinfo=None)
    intervals = []
    d = first
    while d <= last:
        if DAY_NAMES[d.weekday()] in days and d not in closed:
            # the shift in wall-clock hours on the epoch's axis; open wherever the wall clock reads inside it
            ws = (datetime.combine(d, time()) - epoch_naive).total_seconds() / 3600.0 + spec.open_hour
            intervals += _instants(ws, ws + length, times, offsets, end_h)
        d += timedelta(days=1)
    return DatedCalendar(_merge(intervals), horizon_h, end_h)

def month_edges(t0: float, t1: float, clock: Clock | None = None) -> np.ndarray:
    """Month boundaries from ``t0`` to ``t1`` (the last month may be partial; ``clock``: real months)."""
    if clock is not None:
        return clock.month_edges(t0, t1)[0]
    n = int(np.ceil((t1 - t0) / HOURS_PER_MONTH - 1e-9))
    return np.minimum(t0 + HOURS_PER_MONTH * np.arange(n + 1), t1)

def month_lengths_h(t0: float, t1: float, clock: Clock | None = None) -> np.ndarray:
    """The full length in hours of each ledger month of :func:`month_edges` (730.5 h when undated)."""
    if clock is not None:
        return clock.month_edges(t0, t1)[1]
    return np.full(len(month_edges(t0, t1)) - 1, HOURS_PER_MONTH)

def month_index(times_h: np.ndarray, t0: float, t1: float, clock: Clock | None = None) -> tuple[np.ndarray, int]:
    """The ledger month (0-based, from ``t0``) of each time, and how many months ``[t0, t1]`` has.

    Summaries by month (SLA by month, a game's monthly table, an exit drill's running cost) must group
    items by the months the ledger uses, or their rows and the ledger's would not line up on a dated run.
    Times before ``t0`` get negative indices and times at or after ``t1`` indices ``>= n``: callers clip or
    drop them as their rule says.
    """
    times_h = np.asarray(times_h, dtype=float)
    if clock is None:  # the undated rule, kept exactly as the ledger computes it
        n = int(np.ceil((t1 - t0) / HOURS_PER_MONTH - 1e-9))
        return np.floor((times_h - t0) / HOURS_PER_MONTH).astype(int), n
    edges = month_edges(t0, t1, clock)
    n = len(edges) - 1
    index = np.searchsorted(edges, times_h, side="right") - 1
    return np.where(times_h >= t1, np.maximum(index, n), index).astype(int), n

def fte_months(t0: float, t1: float, clock: Clock | None = None) -> float:
    """How many months ``[t0, t1]`` spans, each counted pro rata of its own length."""
    edges = month_edges(t0, t1, clock)
    return float(np.sum(np.diff(edges) / month_lengths_h(t0, t1, clock)))
