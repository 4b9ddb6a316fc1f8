"""Service pools: servers that pull work from a priority queue on a working calendar.

A pool is a group of identical servers — the people of an in-house team on
shift, or a vendor's agents — sharing one queue.  Each server is one
long-lived SimPy process (an item is a row in the log, not a process):

1. with nothing queued, it waits to be woken by the next arrival;
2. outside working hours, it sleeps until the calendar opens;
3. otherwise it takes the most urgent item (lowest priority number, then
   first come first served) and works on it for ``effort / productivity``
   *working* hours: work stops at closing time and resumes next morning
   (:meth:`simkit.calendar.Calendar.advance`).
"""

from __future__ import annotations

from heapq import heappop, heappush

import numpy as np
import simpy

from ..calendar import Calendar

__all__ = ["ServicePool"]


class ServicePool:
    """Servers pulling from one priority queue.

    Parameters
    ----------
    env
        The SimPy environment.
    servers
        How many items can be in service at once.
    calendar
        When the servers work.
    productivity
        Effort hours done per working hour (service time = effort / productivity).
    effort_h, priority
        The trace's columns (read-only).
    start_h, end_h
        The log's columns, written as items start and finish.
    """

    def __init__(
        self,
        env: simpy.Environment,
        servers: int,
        calendar: Calendar,
        productivity: float,
        effort_h: np.ndarray,
        priority: np.ndarray,
        start_h: np.ndarray,
        end_h: np.ndarray,
    ) -> None:
        self.env = env
        self.calendar = calendar
        self.productivity = productivity
        self._effort = effort_h
        self._priority = priority
        self._start = start_h
        self._end = end_h
        self.queue: list[tuple[int, int]] = []
        self._idle: list[simpy.Event] = []
        self.servers = servers
        for _ in range(servers):
            env.process(self._server())

    @property
    def waiting(self) -> int:
        """Items queued and not yet started."""
        return len(self.queue)

    def has_free_server(self) -> bool:
        """Whether an item put now would start at once."""
        return bool(self._idle) and self.calendar.is_open(self.env.now)

    def put(self, item: int) -> None:
        """Queue item ``item`` and wake one idle server."""
        heappush(self.queue, (int(self._priority[item]), item))
        if self._idle:
            self._idle.pop().succeed()

    def _server(self):
        env, cal, queue = self.env, self.calendar, self.queue
        always = cal.always_open
        while True:
            if not queue:
                wake = env.event()
                self._idle.append(wake)
                yield wake
                continue
            now = env.now
            if not always and not cal.is_open(now):
                yield env.timeout(cal.next_open(now) - now)
                continue
            _, item = heappop(queue)
            self._start[item] = now
            work = self._effort[item] / self.productivity
            end = now + work if always else cal.advance(now, work)
            yield env.timeout(end - now)
            self._end[item] = end
