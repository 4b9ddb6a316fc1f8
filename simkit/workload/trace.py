"""Workload: the stream of work items every option must handle.

Arrivals form a non-homogeneous Poisson process whose rate is

    rate(t) = rate_per_hour * hour_of_day[h] * day_of_week[d] * hour_of_week[24 d + h] * month_of_year[m]
              * (1 + growth_annual) ** (t / 8766) [* day multiplier]

with ``h``, ``d`` and ``m`` read in the workload calendar's local time (with ``run.start_date``: its wall
clock through daylight-saving changes, and real calendar months), and an
optional gamma multiplier per local day (``day_noise_cv``, mean 1) for histories
whose daily totals vary more than Poisson.  ``annual_volume`` is turned into
``rate_per_hour`` by the schema, so nothing here depends on how volume was given.  It is
sampled by *thinning* (Lewis & Shedler): draw a homogeneous process at the peak
rate and keep each point with probability rate(t) / peak, all in numpy.

The result is a :class:`Trace`: one row per item, as columns.  One trace is
drawn per replication and handed unchanged to every option, so differences
between options come from the options, not from luck (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from simkit.scenario.profile import _local_day, _multiplier, local_parts, rate_at  # noqa: F401 - re-exported
from simkit.scenario.schema import WorkloadSpec
from simkit.units import HOURS_PER_MONTH, HOURS_PER_YEAR  # noqa: F401 - re-exported

if TYPE_CHECKING:
    from simkit.calendars.dates import Clock

__all__ = ["Trace", "Uniform", "generate", "rate_at", "local_parts", "day_multipliers", "HOURS_PER_YEAR",
           "HOURS_PER_MONTH"]


class Uniform(IntEnum):
    """The columns of :attr:`Trace.u`: which per-item decision each uniform number makes.

    Each mechanism reads its own column (``trace.u[:, Uniform.DEFECT]``), so adding a mechanism never
    shifts another one's numbers, and every option reads the same column for the same decision
    (common random numbers).  The order is the order they are drawn in: changing it changes every trace.
    """

    CLARIFY = 0
    """How many clarification rounds the item needs (geometric, from one uniform)."""
    DEFECT = 1
    """Whether the first pass over the item is defective."""
    DETECT = 2
    """Whether a defect is detected (then reworked) rather than escaping to the client."""
    BACKUP_SPLIT = 3
    """Whether an item bound for the vendor goes to the backup vendor instead (dual sourcing)."""


@dataclass(frozen=True)
class Trace:
    """The work items of one replication, as numpy columns sorted by arrival.

    Attributes
    ----------
    arrival_h
        Arrival time in hours since the scenario start.
    kind
        Index into ``kind_names``.
    effort_h
        Working hours the item takes at productivity 1.
    priority_by_kind, sla_h_by_kind
        Each kind's priority (0 is the most urgent; lower numbers are served first)
        and target lead time in elapsed hours; :attr:`priority` and :attr:`sla_h` give
        them per item (looked up, not stored: a run log of a million items stays small).
    u
        Per-item uniform numbers in [0, 1) for mechanisms that decide per item
        (shared by every option so that those decisions, too, are common), one column per
        decision, named by :class:`Uniform`: clarification rounds, whether the work is defective,
        whether a defect is detected, which of two vendors gets a split item.
    patience_h
        How long the item's requester waits before abandoning (``inf``: never).
    """

    arrival_h: np.ndarray
    kind: np.ndarray
    effort_h: np.ndarray
    u: np.ndarray
    patience_h: np.ndarray
    kind_names: tuple[str, ...]
    priority_by_kind: tuple[int, ...]
    sla_h_by_kind: tuple[float, ...]

    def __len__(self) -> int:
        return int(self.arrival_h.size)

    @property
    def priority(self) -> np.ndarray:
        """Each item's priority (its kind's)."""
        return np.array(self.priority_by_kind, dtype=np.int8)[self.kind]

    @property
    def sla_h(self) -> np.ndarray:
        """Each item's target lead time in elapsed hours (its kind's)."""
        return np.array(self.sla_h_by_kind, dtype=float)[self.kind]

    @property
    def due_h(self) -> np.ndarray:
        return self.arrival_h + self.sla_h


def _peak_rate(spec: WorkloadSpec, horizon_h: float) -> float:
    peak = spec.rate_per_hour
    for m in (spec.hour_of_day, spec.day_of_week, spec.hour_of_week, spec.month_of_year):
        if m is not None:
            peak *= max(m)
    if spec.growth_annual > 0:
        peak *= (1.0 + spec.growth_annual) ** (horizon_h / HOURS_PER_YEAR)
    return peak


def day_multipliers(spec: WorkloadSpec, horizon_h: float, rng: np.random.Generator,
                    utc_offset_h: float = 0.0, clock: Clock | None = None) -> np.ndarray | None:
    """One random rate multiplier per local calendar day, or ``None`` when ``day_noise_cv`` is 0.

    Real daily totals vary more than a Poisson process allows (weather, outages, news).  A gamma
    multiplier with mean 1 and coefficient of variation ``day_noise_cv`` per day keeps the expected
    volume and adds that extra day-to-day spread: a day's count then has variance
    ``m + (cv * m) ** 2`` for a mean ``m``.  The draws come from the workload stream, so every option
    still sees the same items; with ``day_noise_cv = 0`` nothing is drawn and traces are unchanged.
    """
    cv = spec.day_noise_cv
    if cv <= 0.0:
        return None
    n_days = int((_local_day(horizon_h, utc_offset_h, clock) - _local_day(0.0, utc_offset_h, clock))[0]) + 1
    shape = 1.0 / (cv * cv)
    return rng.gamma(shape, 1.0 / shape, n_days)


def generate(spec: WorkloadSpec, horizon_h: float, rng: np.random.Generator, utc_offset_h: float = 0.0,
             clock: Clock | None = None) -> Trace:
    """Draw one replication's work items on ``[0, horizon_h)``.

    Parameters
    ----------
    spec
        The workload section of a scenario.
    horizon_h
        Length of the simulated period in hours.
    rng
        The replication's ``"workload"`` stream.
    utc_offset_h
        UTC offset of the calendar the profile's hours and days refer to.
    clock
        A dated scenario's clock (:meth:`simkit.scenario.model.Scenario.clock`): the profiles then follow
        the client's wall clock, daylight saving included, and real months; ``utc_offset_h`` is unused.
    """
    names = tuple(spec.kinds)
    peak = _peak_rate(spec, horizon_h)
    day_factor = day_multipliers(spec, horizon_h, rng, utc_offset_h, clock)
    if day_factor is not None:
        peak *= float(day_factor.max(initial=0.0))
    n = int(rng.poisson(peak * horizon_h)) if peak > 0 else 0
    t = np.sort(rng.uniform(0.0, horizon_h, n))
    keep_u = rng.uniform(0.0, 1.0, n)
    if n:
        rate = rate_at(spec, t, utc_offset_h, clock)
        if day_factor is not None:
            rate = rate * day_factor[_local_day(t, utc_offset_h, clock) - _local_day(0.0, utc_offset_h, clock)]
        t = t[keep_u * peak < rate]
    n = t.size
    shares = np.array([k.share for k in spec.kinds.values()], dtype=float)
    kind = rng.choice(len(names), size=n, p=shares / shares.sum()).astype(np.int16)
    effort = np.empty(n)
    for i, k in enumerate(spec.kinds.values()):
        rows = np.flatnonzero(kind == i)
        effort[rows] = k.effort_h.sample(rng, rows.size)
    u = rng.uniform(0.0, 1.0, (len(Uniform), n)).T.copy()
    patience = np.full(n, np.inf)
    for i, k in enumerate(spec.kinds.values()):
        if k.patience_h is not None:
            rows = np.flatnonzero(kind == i)
            patience[rows] = k.patience_h.sample(rng, rows.size)
    return Trace(t, kind, effort, u, patience, names, tuple(int(k.priority) for k in spec.kinds.values()),
                 tuple(float(k.sla_h) for k in spec.kinds.values()))
