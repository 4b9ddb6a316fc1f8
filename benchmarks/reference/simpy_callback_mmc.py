"""SimPy without processes: M/M/c as event callbacks, the fastest way to use SimPy's event loop.

No generator per item and none per server: an arrival is a ``Timeout`` whose
callback starts service (or queues the item in a deque) and schedules the next
arrival; a completion is a ``Timeout`` whose callback starts the next waiting
item or frees the server.  Two events per item and no generator resumptions —
this shows how much of idiomatic SimPy's cost is its processes, and what an
engine that keeps SimPy's clock but drops per-step generators can reach.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import simpy

__all__ = ["run"]


def run(arrival_h: np.ndarray, service_h: np.ndarray, servers: int, warmup_h: float,
        horizon_h: float) -> np.ndarray:
    """Waits of the items arriving in ``[warmup_h, horizon_h)`` that started before the horizon."""
    env = simpy.Environment()
    arrivals, services = arrival_h.tolist(), service_h.tolist()
    n = len(arrivals)
    start_h = [math.nan] * n
    waiting: deque[int] = deque()
    free = [servers]
    timeout = env.timeout

    def finish(_event: simpy.Event) -> None:
        if waiting:
            j = waiting.popleft()
            start_h[j] = env.now
            timeout(services[j]).callbacks.append(finish)
        else:
            free[0] += 1

    def arrive(event: simpy.Event) -> None:
        item = event.value
        if free[0]:
            free[0] -= 1
            start_h[item] = env.now
            timeout(services[item]).callbacks.append(finish)
        else:
            waiting.append(item)
        nxt = item + 1
        if nxt < n:
            timeout(arrivals[nxt] - env.now, nxt).callbacks.append(arrive)

    if n:
        timeout(arrivals[0], 0).callbacks.append(arrive)
    env.run(until=horizon_h)
    start = np.asarray(start_h)
    keep = (arrival_h >= warmup_h) & ~np.isnan(start)
    return np.maximum(start[keep] - arrival_h[keep], 0.0)
