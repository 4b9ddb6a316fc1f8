"""Capacity timelines: a working calendar with outages, slow-downs and ramps over the horizon.

A weekly :class:`~simkit.calendars.weekly.Calendar` says when people work.  Real
capacity also drops to zero during a vendor outage, runs at 70% during an
attrition wave, climbs a learning curve after a transition, and ends when a
vendor exits.  A :class:`CapacityTimeline` is that whole story as a
piecewise-constant *work rate* ``r(t)`` (effort hours done per hour per server):
0 when closed or down, 1 at full productivity.

Everything the engine needs follows from the cumulative work function
``W(t) = integral of r`` (piecewise linear): ``advance(t, h)`` is the earliest
time by which ``h`` effort hours have been done — so an item caught by an
outage simply resumes afterwards, and one caught by a slow-down takes longer.
It offers the same methods as ``Calendar``, so pools accept either.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right

import numpy as np

from simkit.calendars.weekly import Calendar

__all__ = ["CapacityTimeline"]


class CapacityTimeline:
    """A piecewise-constant work rate on ``[0, end_h)``; zero after ``end_h``.

    Parameters
    ----------
    breaks_h
        Increasing times where the rate changes; ``breaks_h[0] == 0``.
    rates
        Work rate on ``[breaks_h[i], breaks_h[i+1])``; the last one lasts to ``end_h``.
    end_h
        After this the timeline is closed for good (the horizon plus a margin, or an exit).
    """

    always_open = False

    def __init__(self, breaks_h: np.ndarray, rates: np.ndarray, end_h: float) -> None:
        b = np.asarray(breaks_h, dtype=float)
        r = np.asarray(rates, dtype=float)
        keep = np.concatenate([[True], np.diff(r) != 0])  # merge equal neighbours
        b, r = b[keep], r[keep]
        self.breaks = np.append(b, end_h)
        self.rates = np.append(r, 0.0)
        self.cum = np.concatenate([[0.0], np.cumsum(np.diff(self.breaks) * r)])
        self.end_h = float(end_h)
        self._b = self.breaks.tolist()
        self._r = self.rates.tolist()
        self._c = self.cum.tolist()

    # -- construction -------------------------------------------------------
    @classmethod
    def from_calendar(cls, calendar: Calendar, end_h: float) -> CapacityTimeline:
        """The calendar's open hours as a 0/1 rate on ``[0, end_h)``."""
        starts, ends = [], []
        weeks = math.ceil(end_h / 168.0) + 1
        for w in range(weeks):
            for a, b in calendar.intervals:
                starts.append(w * 168.0 + a)
                ends.append(w * 168.0 + b)
        pts = sorted({0.0, *starts, *ends})
        pts = [p for p in pts if p < end_h]
        mid = np.asarray(pts) + 1e-9
        rates = np.array([1.0 if calendar.is_open(m) else 0.0 for m in mid])
        return cls(np.asarray(pts), rates, end_h)

    def scaled(self, intervals: list[tuple[float, float]], factor: float) -> CapacityTimeline:
        """A copy with the rate multiplied by ``factor`` on each ``(start, end)`` interval."""
        if not intervals:
            return self
        pts = sorted({*self._b[:-1], *(t for iv in intervals for t in iv if 0 <= t < self.end_h)})
        pts_a = np.asarray(pts)
        base = np.asarray([self.rate_at(p) for p in pts])
        mult = np.ones(len(pts))
        for a, b in intervals:
            mult[(pts_a >= a) & (pts_a < b)] *= factor
        return CapacityTimeline(pts_a, base * mult, self.end_h)

    def stepped(self, steps_h: list[float], factors: list[float]) -> CapacityTimeline:
        """A copy with the rate multiplied by ``factors[i]`` from ``steps_h[i]`` to the next step."""
        pts = sorted({*self._b[:-1], *(s for s in steps_h if 0 <= s < self.end_h)})
        pts_a = np.asarray(pts)
        idx = np.searchsorted(np.asarray(steps_h), pts_a, side="right") - 1
        mult = np.where(idx >= 0, np.asarray(factors)[np.clip(idx, 0, None)], 1.0)
        base = np.asarray([self.rate_at(p) for p in pts])
        return CapacityTimeline(pts_a, base * mult, self.end_h)

    def closed_after(self, t_h: float) -> CapacityTimeline:
        """A copy that closes for good at ``t_h`` (a vendor's exit)."""
        if t_h >= self.end_h:
            return self
        keep = self.breaks[:-1] < t_h
        if not keep.any():  # closed from the start
            return CapacityTimeline(np.array([0.0]), np.array([0.0]), 0.0)
        return CapacityTimeline(self.breaks[:-1][keep], self.rates[:-1][keep], max(t_h, 0.0))

    def opened_from(self, t_h: float) -> CapacityTimeline:
        """A copy closed before ``t_h`` (a fallback that starts work then)."""
        if t_h <= 0:
            return self
        return self.scaled([(0.0, t_h)], 0.0)

    # -- queries ------------------------------------------------------------
    def _index(self, t: float) -> int:
        return bisect_right(self._b, t) - 1

    def rate_at(self, t: float) -> float:
        i = self._index(t)
        return self._r[i] if 0 <= i < len(self._r) else 0.0

    def is_open(self, t: float) -> bool:
        return self.rate_at(t) > 0.0

    def next_open(self, t: float) -> float:
        """The earliest time ``>= t`` with a positive rate (``inf`` if none)."""
        i = max(self._index(t), 0)
        while i < len(self._r) - 1:
            if self._r[i] > 0.0:
                return max(t, self._b[i])
            i += 1
        return math.inf

    def cumulative_hours(self, t: float) -> float:
        """``W(t)``: work capacity (effort hours per server) from 0 to ``t``."""
        if t >= self.end_h:
            return self._c[-1]
        i = max(self._index(t), 0)
        return self._c[i] + (t - self._b[i]) * self._r[i]

    def cumulative_hours_array(self, t: np.ndarray) -> np.ndarray:
        return np.interp(np.asarray(t, dtype=float), self.breaks, self.cum)

    def working_hours(self, a: float, b: float) -> float:
        return self.cumulative_hours(b) - self.cumulative_hours(a)

    def advance(self, t: float, work_h: float) -> float:
        """Earliest time by which ``work_h`` effort hours are done from ``t`` (``inf`` if never)."""
        if work_h <= 0.0:
            return t
        i = bisect_right(self._b, t) - 1
        if 0 <= i < len(self._r) - 1:
            rate = self._r[i]
            if rate > 0.0 and t < self.end_h:
                end = t + work_h / rate
                if end <= self._b[i + 1]:  # done before the rate changes
                    return end
        target = self.cumulative_hours(t) + work_h
        if target > self._c[-1] + 1e-12:
            return math.inf
        i = max(bisect_left(self._c, target - 1e-12) - 1, 0)
        while self._r[i] <= 0.0:  # skip closed stretches that end exactly at the target level
            i += 1
            if i >= len(self._r) - 1:
                return math.inf
        return max(t, self._b[i] + (target - self._c[i]) / self._r[i])

    def down_hours(self, a: float, b: float) -> float:
        """Hours in ``[a, b)`` with a zero rate (for availability)."""
        bb = np.clip(self.breaks, a, b)
        widths = np.diff(bb)
        return float(widths[self.rates[:-1] <= 0.0].sum())
