"""Hooks: what a pool asks a mechanism when it finishes an item.

A pool runs the same service loop whatever the option; mechanisms that decide per item plug into it
through small objects set on the pool (``ServicePool.quality``, ``ServicePool.escalate``,
``ServicePool.answer_time``).  This module holds the quality hook: whether a finished item was
defective, whether the defect is caught, when, and how much rework it brings.

The decisions come from uniforms drawn before the run (:class:`QualityDraws`): the trace's own
columns for the option's items, so every option judges the same item with the same luck (common
random numbers), and the pool's ``"quality:<name>"`` stream for other clients' items on a shared
vendor and for the detection delays.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING, NamedTuple, Protocol

import numpy as np

from simkit.units import HOURS_PER_MONTH
from simkit.workload.trace import Trace, Uniform

if TYPE_CHECKING:
    from simkit.scenario.mechanisms import QualitySpec

__all__ = ["QualityCheck", "QualityHook", "QualityDraws", "quality_draws"]

DEFECT_DECAY_PER_HALVING = 0.5
"""The defect share's excess over its floor falls by this factor every ``defect_halving_months``: the
field is a half-life, so the factor is one half by definition."""


class QualityCheck(Protocol):
    """What a pool asks when it finishes an item's first pass (``ServicePool._finish``).

    The pool calls :meth:`defective` once per item (never on rework); if it is, :meth:`detected`
    decides between rework and an escaped defect.  A detected defect sends the item back to the
    queue after :meth:`detection_delay_h`, with ``rework_share`` of its effort as the work to do.
    """

    rework_share: float

    def defective(self, item: int, end_h: float) -> bool:
        """Whether the work on ``item`` finished at ``end_h`` is defective."""

    def detected(self, item: int) -> bool:
        """Whether ``item``'s defect is caught before it reaches the client."""

    def detection_delay_h(self, item: int) -> float:
        """Hours from finishing ``item`` to its defect being caught."""


class QualityDraws(NamedTuple):
    """Per item (the option's, then other clients' on a shared vendor): the uniform deciding a defect,
    the uniform deciding its detection, and the detection delay in hours."""

    u_defect: np.ndarray
    u_detect: np.ndarray
    delay_h: np.ndarray


def quality_draws(spec: QualitySpec, trace: Trace, rng: np.random.Generator, total: int) -> QualityDraws:
    """The draws of one pool's quality hook for ``total`` items, of which the first ``len(trace)`` are the
    option's own (their uniforms are the trace's, so options are compared on the same luck)."""
    n = len(trace)
    if n:
        u_defect = np.concatenate([trace.u[:, Uniform.DEFECT], rng.uniform(size=total - n)])
        u_detect = np.concatenate([trace.u[:, Uniform.DETECT], rng.uniform(size=total - n)])
    else:
        u_defect = rng.uniform(size=total)
        u_detect = rng.uniform(size=total)
    return QualityDraws(u_defect, u_detect, np.asarray(spec.detection_delay_h.sample(rng, total), dtype=float))


class QualityHook:
    """A pool's :class:`QualityCheck` from its ``quality`` section.

    The defect share at time ``t`` is ``defect_share``, falling towards ``defect_share_floor`` with
    experience (half the excess gone every ``defect_halving_months`` after ``start_h``), times
    ``degraded_factor`` inside a degradation episode, capped at 1.

    Parameters
    ----------
    spec
        The pool's quality section.
    draws
        From :func:`quality_draws`.
    degraded
        The pool's degradation episodes ``(from_h, to_h)``, sorted.
    degraded_factor
        The defect multiplier inside an episode (1: none).
    start_h
        When the pool started on this work: experience counts from here.
    """

    __slots__ = ("spec", "draws", "degraded", "degraded_factor", "start_h", "rework_share", "_starts")

    def __init__(self, spec: QualitySpec, draws: QualityDraws, degraded: list[tuple[float, float]],
                 degraded_factor: float, start_h: float) -> None:
        self.spec = spec
        self.draws = draws
        self.degraded = degraded
        self.degraded_factor = degraded_factor
        self.start_h = start_h
        self.rework_share = spec.rework_effort_share
        self._starts = [a for a, _ in degraded]

    def defect_share(self, t: float) -> float:
        """The probability that work finished at ``t`` is defective."""
        q = self.spec
        p = q.defect_share
        if q.defect_halving_months:
            months = max(0.0, t - self.start_h) / HOURS_PER_MONTH
            p = q.defect_share_floor + (p - q.defect_share_floor) * DEFECT_DECAY_PER_HALVING ** (
                months / q.defect_halving_months)
        if self.degraded:
            i = bisect_right(self._starts, t) - 1
            if i >= 0 and t < self.degraded[i][1]:
                p *= self.degraded_factor
        return min(p, 1.0)

    def defective(self, item: int, end_h: float) -> bool:
        return self.draws.u_defect[item] < self.defect_share(end_h)

    def detected(self, item: int) -> bool:
        return self.draws.u_detect[item] < self.spec.detection_share

    def detection_delay_h(self, item: int) -> float:
        return float(self.draws.delay_h[item])

    def starting_at(self, start_h: float) -> QualityHook:
        """The same hook with experience counted from ``start_h`` (a fallback opened by a termination):
        the same draws, so the same items are judged with the same luck."""
        return QualityHook(self.spec, self.draws, self.degraded, self.degraded_factor, start_h)

    def packed(self) -> tuple:
        """``(spec, degraded, degraded_factor, start_h, draws)``: what the compiled kernel packs into arrays."""
        return self.spec, self.degraded, self.degraded_factor, self.start_h, tuple(self.draws)
