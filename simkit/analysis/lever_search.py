"""The search over head counts: a monotone line search, the enumeration of the other levers, the cheapest point.

Kept apart from :mod:`simkit.analysis.rightsizing` so that it can be checked on stand-ins for the simulation:
nothing here simulates.  A point is any object with ``point`` (the head counts), ``service_met`` and
``stats[cost][0]`` (the mean cost); ``evaluate(point)`` returns one.

Bounding the work: the last lever costs about ``2 log2(range)`` evaluations per line, and there is one line per
combination of the other levers.  When the enumerated levers' default bounds would give more combinations than
the evaluation cap allows, :func:`narrow_free` narrows those named without bounds to a window around today's
head count (+-2, +-1, then today's alone) until their combinations are at most a third of the cap (a line
costs a few evaluations).  A combination at least as large, lever by lever, as one whose line already needed
only the last lever's lower bound is skipped: it could only add cost.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from simkit.analysis.staff_levers import StaffLever

__all__ = ["smallest_feasible", "line_minima", "cheapest", "narrow_free", "combinations", "WINDOWS"]

WINDOWS = (2, 1, 0)
"""The half-widths tried, in turn, around today's head count of an enumerated lever named without bounds."""


def smallest_feasible(feasible: Callable[[int], bool], low: int, high: int, start: int) -> int | None:
    """The smallest ``v`` in ``low..high`` with ``feasible(v)``, for a ``feasible`` that is monotone
    (false up to some value, true from it on); ``None`` when ``feasible(high)`` is false.

    Bracketing first, from ``start`` (clipped to the bounds): steps of 1, 2, 4, ... downwards while
    feasible, upwards while not; then bisection of the bracket.  A good ``start`` (today's head count,
    the previous line's answer) costs a handful of calls; the worst case is about ``2 log2(high - low)``.
    """
    ok = bad = None
    s = min(max(start, low), high)
    step = 1
    if feasible(s):
        ok = s
        while ok > low:
            probe = max(low, ok - step)
            if not feasible(probe):
                bad = probe
                break
            ok, step = probe, step * 2
        if bad is None:
            return low
    else:
        bad = s
        while bad < high:
            probe = min(high, bad + step)
            if feasible(probe):
                ok = probe
                break
            bad, step = probe, step * 2
        if ok is None:
            return None
    while ok - bad > 1:
        mid = (ok + bad) // 2
        if feasible(mid):
            ok = mid
        else:
            bad = mid
    return ok


def line_minima(ev: Callable[[tuple[int, ...]], Any], levers: Sequence[StaffLever], start: tuple[int, ...]
                ) -> list[Any]:
    """The smallest feasible last lever for every combination of the others (bounds inclusive), skipping a
    combination that dominates one whose line needed only the last lever's lower bound (it could only cost more).
    """
    *outer, inner = levers
    minima: list[Any] = []
    floor: list[tuple[int, ...]] = []  # combinations whose line was feasible at inner.low
    guess = start[-1]
    for head in itertools.product(*(range(lv.low, lv.high + 1) for lv in outer)):
        if any(all(h >= f for h, f in zip(head, low, strict=True)) for low in floor):
            continue
        v = smallest_feasible(lambda x, head=head: ev((*head, x)).service_met, inner.low, inner.high, guess)
        if v is not None:
            minima.append(ev((*head, v)))
            guess = v
            if v == inner.low:
                floor.append(head)
    return minima


def cheapest(points: Sequence[Any], cost: str) -> Any | None:
    """The point of least mean ``cost``; ties go to fewer people in all."""
    return min(points, key=lambda p: (p.stats[cost][0], sum(p.point)), default=None)


def combinations(levers: Sequence[StaffLever]) -> int:
    """How many lines the enumeration walks: the product of the ranges of all but the last lever."""
    return math.prod(lv.high - lv.low + 1 for lv in levers[:-1])


def narrow_free(levers: Sequence[StaffLever], free: Collection[str], today: Mapping[str, int], cap: int
                ) -> tuple[StaffLever, ...]:
    """``levers`` with the enumerated ones named without bounds (``free``) narrowed around ``today`` when their
    combinations exceed ``cap``: the widest window of :data:`WINDOWS` whose combinations are at most ``cap // 3``.

    Levers with bounds of their own and the last lever (bisected, so cheap) keep theirs; when even today's
    head counts alone exceed the budget, the narrowest window is returned and the caller refuses the bounds.
    """
    levers = tuple(levers)
    if combinations(levers) <= cap or not any(lv.path in free for lv in levers[:-1]):
        return levers
    out = levers
    for w in WINDOWS:
        out = tuple(_window(lv, today[lv.path], w) if lv.path in free else lv for lv in levers[:-1]) + levers[-1:]
        if combinations(out) <= max(1, cap // 3):
            break
    return out


def _window(lever: StaffLever, today: int, half_width: int) -> StaffLever:
    centre = min(max(today, lever.low), lever.high)
    return StaffLever(lever.path, max(lever.low, centre - half_width), min(lever.high, centre + half_width))
