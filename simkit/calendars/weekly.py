"""Working calendars: when people work, in whose time zone.

Simulation time is float hours since the scenario start, **Monday 00:00 UTC**.
A :class:`Calendar` is a weekly pattern of open intervals (in UTC hours of the
week, ``0 <= h < 168``) built from a local working day and a UTC offset.

Everything a queue needs from a calendar reduces to one monotone function,
the *cumulative open hours* ``W(t)`` since time zero:

* ``working_hours(a, b) = W(b) - W(a)``: how much work fits between a and b;
* ``advance(t, h)``: the earliest time at which ``h`` working hours have
  passed since ``t`` (work pauses at closing time and resumes next morning);
* ``next_open(t)``: when the next working period starts.

``W`` is piecewise linear, so the vectorised form is a single ``np.interp``
over one week's breakpoints.  A calendar open around the clock short-cuts all
of this to plain arithmetic.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Calendar", "WEEK_H", "DAY_NAMES", "overlap"]

WEEK_H = 168.0
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _merge(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted(intervals):
        if b <= a:
            continue
        if out and a <= out[-1][1] + 1e-12:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _wrap(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Fold intervals given in any hour-of-week range into [0, 168)."""
    pieces: list[tuple[float, float]] = []
    for a, b in intervals:
        length = b - a
        if length >= WEEK_H:
            return [(0.0, WEEK_H)]
        a0 = a % WEEK_H
        b0 = a0 + length
        if b0 <= WEEK_H:
            pieces.append((a0, b0))
        else:
            pieces += [(a0, WEEK_H), (0.0, b0 - WEEK_H)]
    return _merge(pieces)


@dataclass(frozen=True)
class Calendar:
    """A weekly working pattern in UTC hours of the week.

    Parameters
    ----------
    intervals
        Disjoint, sorted ``(open, close)`` pairs with ``0 <= open < close <= 168``.
    """

    intervals: tuple[tuple[float, float], ...]
    _starts: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _cum_start: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _cum_end: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _ends: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _per_week: float = field(init=False, repr=False, compare=False)
    _xp: np.ndarray = field(init=False, repr=False, compare=False)
    _fp: np.ndarray = field(init=False, repr=False, compare=False)
    always_open: bool = field(init=False, repr=False, compare=False)
    """Whether the calendar is open around the clock (the engine's fast path)."""

    def __post_init__(self) -> None:
        cum, starts, cs, ce = 0.0, [], [], []
        xp, fp = [0.0], [0.0]
        for a, b in self.intervals:
            starts.append(a)
            cs.append(cum)
            xp += [a, b]
            fp += [cum, cum + (b - a)]
            cum += b - a
            ce.append(cum)
        xp.append(WEEK_H)
        fp.append(cum)
        object.__setattr__(self, "_starts", tuple(starts))
        object.__setattr__(self, "_cum_start", tuple(cs))
        object.__setattr__(self, "_cum_end", tuple(ce))
        object.__setattr__(self, "_ends", tuple(b for _, b in self.intervals))
        object.__setattr__(self, "_per_week", ce[-1] if ce else 0.0)
        object.__setattr__(self, "_xp", np.asarray(xp))
        object.__setattr__(self, "_fp", np.asarray(fp))
        object.__setattr__(self, "always_open", self.intervals == ((0.0, WEEK_H),))

    # -- construction -------------------------------------------------------
    @classmethod
    def weekly(
        cls,
        utc_offset_h: float = 0.0,
        open_hour: float = 0.0,
        close_hour: float = 24.0,
        days: Iterable[str] = DAY_NAMES,
    ) -> Calendar:
        """A calendar open ``open_hour``-``close_hour`` local time on ``days``.

        ``close_hour < open_hour`` describes a night shift that ends the next
        morning; ``open_hour=0, close_hour=24`` on all days is open around the clock.
        """
        length = (close_hour - open_hour) % 24.0 or 24.0
        local = [DAY_NAMES.index(d) * 24.0 + open_hour for d in days]
        return cls(tuple(_wrap((s - utc_offset_h, s - utc_offset_h + length) for s in local)))

    @classmethod
    def always(cls) -> Calendar:
        """Open around the clock."""
        return cls(((0.0, WEEK_H),))

    # -- facts --------------------------------------------------------------
    @property
    def open_hours_per_week(self) -> float:
        return self._per_week

    def is_open(self, t: float) -> bool:
        """Whether the calendar is open at time ``t`` (open intervals include their start)."""
        r = t % WEEK_H
        i = bisect_right(self._starts, r) - 1
        return i >= 0 and r < self._ends[i]

    def next_open(self, t: float) -> float:
        """The earliest time ``>= t`` at which the calendar is open (``inf`` if never)."""
        if not self.intervals:
            return math.inf
        w = math.floor(t / WEEK_H)
        r = t - w * WEEK_H
        i = bisect_right(self._starts, r) - 1
        if i >= 0 and r < self.intervals[i][1]:
            return t
        if i + 1 < len(self._starts):
            return w * WEEK_H + self._starts[i + 1]
        return (w + 1) * WEEK_H + self._starts[0]

    def cumulative_hours(self, t: float) -> float:
        """``W(t)``: open hours between time 0 and ``t`` (scalar)."""
        w = math.floor(t / WEEK_H)
        r = t - w * WEEK_H
        starts = self._starts
        i = bisect_right(starts, r) - 1
        within = 0.0 if i < 0 else self._cum_start[i] + min(r - starts[i], self._ends[i] - starts[i])
        return w * self._per_week + within

    def cumulative_hours_array(self, t: np.ndarray) -> np.ndarray:
        """``W(t)`` for an array of times (vectorised with ``np.interp``)."""
        t = np.asarray(t, dtype=float)
        w = np.floor(t / WEEK_H)
        return w * self.open_hours_per_week + np.interp(t - w * WEEK_H, self._xp, self._fp)

    def working_hours(self, a: float, b: float) -> float:
        """Open hours between times ``a <= b``."""
        return self.cumulative_hours(b) - self.cumulative_hours(a)

    def advance(self, t: float, work_h: float) -> float:
        """The earliest time by which ``work_h`` open hours have elapsed since ``t``.

        Work pauses while the calendar is closed and resumes when it opens.
        """
        if work_h <= 0.0:
            return t
        per_week = self._per_week
        if per_week <= 0.0:
            return math.inf
        w = math.floor(t / WEEK_H)  # cumulative_hours(t), inlined: the engine calls this for every item
        r = t - w * WEEK_H
        starts = self._starts
        i = bisect_right(starts, r) - 1
        if i < 0:
            within = 0.0
        else:
            close = self._ends[i]
            if r < close and r + work_h <= close:  # open now, and done before this interval closes
                return t + work_h
            within = self._cum_start[i] + min(r - starts[i], close - starts[i])
        target = w * per_week + within + work_h
        w = math.floor(target / per_week)
        rem = target - w * per_week
        if rem <= 1e-12:  # lands exactly on the end of a week's last interval
            w -= 1
            rem += per_week
        i = bisect_left(self._cum_end, rem - 1e-12)
        i = min(i, len(self._starts) - 1)
        return max(t, w * WEEK_H + self._starts[i] + (rem - self._cum_start[i]))


def overlap(a: Calendar, b: Calendar) -> Calendar:
    """The calendar of hours when both ``a`` and ``b`` are open."""
    out = []
    for s1, e1 in a.intervals:
        for s2, e2 in b.intervals:
            lo, hi = max(s1, s2), min(e1, e2)
            if hi > lo:
                out.append((lo, hi))
    return Calendar(tuple(_merge(out)))
