"""The run log: everything that happened to every item, as numpy columns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..workload import Trace

__all__ = ["RunLog", "COMPLETED", "IN_SERVICE", "QUEUED"]

COMPLETED, IN_SERVICE, QUEUED = 0, 1, 2


@dataclass
class RunLog:
    """What one option did with one trace.

    Times are hours since the scenario start; ``NaN`` marks a step not reached
    by the horizon.  Per-pool arrays are indexed like ``pool_names``.

    Attributes
    ----------
    option
        The option's name.
    trace
        The shared workload (not copied).
    pool_names, pool_roles
        The pools of this option and whether each is a ``"team"`` or a ``"vendor"``.
    pool
        Pool index that served (or holds) each item; -1 if none could.
    enter_h
        When the item joined its pool's queue (arrival plus any handoff).
    start_h, end_h
        Service start and completion.
    window_h
        ``(t0, t1)``: the measured period (after warm-up, up to the horizon).
    servers
        Servers per pool (people on shift or vendor agents).
    busy_h, open_server_h
        Per pool, working hours spent serving inside the window, and server-hours on shift.
    """

    option: str
    trace: Trace
    pool_names: tuple[str, ...]
    pool_roles: tuple[str, ...]
    pool: np.ndarray
    enter_h: np.ndarray
    start_h: np.ndarray
    end_h: np.ndarray
    window_h: tuple[float, float]
    servers: np.ndarray
    busy_h: np.ndarray
    open_server_h: np.ndarray

    def state(self) -> np.ndarray:
        """Each item's state at the horizon: COMPLETED, IN_SERVICE or QUEUED (incl. in handoff)."""
        s = np.full(self.pool.size, QUEUED, dtype=np.int8)
        s[~np.isnan(self.start_h)] = IN_SERVICE
        s[~np.isnan(self.end_h)] = COMPLETED
        return s

    def in_window(self) -> np.ndarray:
        """Mask of the items that arrived inside the measured window."""
        return self.trace.arrival_h >= self.window_h[0]
