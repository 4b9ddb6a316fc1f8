"""The arrival-rate profile a workload describes: the base rate shaped by hour, day, month and
growth, at any time.

A pure function of the scenario's workload section, read by the trace generator
(:mod:`simkit.workload.trace`), the closed-form preview and the load summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simkit.scenario.schema import WorkloadSpec
from simkit.units import HOURS_PER_YEAR

if TYPE_CHECKING:
    from simkit.calendars.dates import Clock

__all__ = ["rate_at", "local_parts"]


def _multiplier(values: tuple[float, ...] | None, index: np.ndarray) -> np.ndarray | float:
    if values is None:
        return 1.0
    return np.asarray(values, dtype=float)[index]


def local_parts(t_h: np.ndarray, utc_offset_h: float = 0.0, clock: Clock | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Local hour of day, day number since the start, day of week (0 = Monday) and month (0-11) at ``t_h``.

    Undated (``clock`` None): local time is ``t + utc_offset_h`` from an undated Monday 00:00 UTC and
    months are twelfths of a 365.25-day year from the start.  Dated: the client's wall clock from
    ``start_date`` 00:00 (DST included) and real calendar months, January first.
    """
    t = np.asarray(t_h, dtype=float)
    if clock is None:
        local = t + utc_offset_h
        day_no = np.floor(local / 24.0).astype(np.int64)
        month = np.floor(np.mod(local / 24.0, 365.25) / (365.25 / 12.0)).astype(np.int64) % 12
        weekday = day_no % 7
    else:
        local = clock.local_hours(t)
        day_no = np.floor(local / 24.0).astype(np.int64)
        month = clock.month_of_year(day_no)
        weekday = (day_no + clock.weekday0()) % 7
    hour = np.floor(np.mod(local, 24.0)).astype(np.int64) % 24
    return hour, day_no, weekday, month


def rate_at(spec: WorkloadSpec, t_h: np.ndarray, utc_offset_h: float = 0.0, clock: Clock | None = None) -> np.ndarray:
    """The arrival rate (items per hour) at times ``t_h`` (``clock``: a dated scenario's, see :func:`local_parts`)."""
    hour, _, day, month = local_parts(t_h, utc_offset_h, clock)
    r = spec.rate_per_hour * _multiplier(spec.hour_of_day, hour) * _multiplier(spec.day_of_week, day)
    if spec.hour_of_week is not None:
        r = r * _multiplier(spec.hour_of_week, day * 24 + hour)
    r = r * _multiplier(spec.month_of_year, month)
    if spec.growth_annual:
        r = r * (1.0 + spec.growth_annual) ** (np.asarray(t_h) / HOURS_PER_YEAR)
    return np.broadcast_to(r, hour.shape).astype(float)


def _local_day(t_h: np.ndarray | float, utc_offset_h: float, clock: Clock | None = None) -> np.ndarray:
    return local_parts(np.atleast_1d(np.asarray(t_h, dtype=float)), utc_offset_h, clock)[1]
