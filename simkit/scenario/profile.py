"""The arrival-rate profile a workload describes: the base rate shaped by hour, day, month and
growth, at any time.

A pure function of the scenario's workload section, read by the trace generator
(:mod:`simkit.workload.trace`), the closed-form preview and the load summary.
"""

from __future__ import annotations

import numpy as np

from simkit.scenario.schema import WorkloadSpec
from simkit.units import HOURS_PER_YEAR

__all__ = ["rate_at"]


def _multiplier(values: tuple[float, ...] | None, index: np.ndarray) -> np.ndarray | float:
    if values is None:
        return 1.0
    return np.asarray(values, dtype=float)[index]


def rate_at(spec: WorkloadSpec, t_h: np.ndarray, utc_offset_h: float = 0.0) -> np.ndarray:
    """The arrival rate (items per hour) at times ``t_h``."""
    local = np.asarray(t_h, dtype=float) + utc_offset_h
    hour = np.floor(np.mod(local, 24.0)).astype(np.int64) % 24
    day = np.floor(local / 24.0).astype(np.int64) % 7
    month = np.floor(np.mod(local / 24.0, 365.25) / (365.25 / 12.0)).astype(np.int64) % 12
    r = spec.rate_per_hour * _multiplier(spec.hour_of_day, hour) * _multiplier(spec.day_of_week, day)
    if spec.hour_of_week is not None:
        r = r * _multiplier(spec.hour_of_week, day * 24 + hour)
    r = r * _multiplier(spec.month_of_year, month)
    if spec.growth_annual:
        r = r * (1.0 + spec.growth_annual) ** (np.asarray(t_h) / HOURS_PER_YEAR)
    return np.broadcast_to(r, local.shape).astype(float)


def _local_day(t_h: np.ndarray | float, utc_offset_h: float) -> np.ndarray:
    return np.floor((np.asarray(t_h, dtype=float) + utc_offset_h) / 24.0).astype(np.int64)

