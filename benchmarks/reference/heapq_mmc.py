"""A plain ``heapq`` event loop for M/M/c FIFO, no simulation library at all.

The state is a count of free servers, a FIFO deque of waiting items and a heap
of completion times; arrivals are read in order from the (sorted) trace, so
only completions need the heap.  Each step takes the earlier of the next
arrival and the next completion.  This is about the fastest a general event
loop written in pure Python gets, and so the ceiling for any engine built on
Python objects.
"""

from __future__ import annotations

import math
from collections import deque
from heapq import heappop, heappush

import numpy as np

__all__ = ["run"]


def run(arrival_h: np.ndarray, service_h: np.ndarray, servers: int, warmup_h: float,
        horizon_h: float) -> np.ndarray:
    """Waits of the items arriving in ``[warmup_h, horizon_h)`` that started before the horizon."""
    arrivals, services = arrival_h.tolist(), service_h.tolist()
    n = len(arrivals)
    start_h = [math.nan] * n
    waiting: deque[int] = deque()
    completions: list[float] = []
    free = servers
    item = 0
    next_arrival = arrivals[0] if n else math.inf
    while True:
        if completions and completions[0] <= next_arrival:
            t = heappop(completions)
            if t >= horizon_h:
                break
            if waiting:
                j = waiting.popleft()
                start_h[j] = t
                heappush(completions, t + services[j])
            else:
                free += 1
        else:
            t = next_arrival
            if t >= horizon_h:
                break
            if free:
                free -= 1
                start_h[item] = t
                heappush(completions, t + services[item])
            else:
                waiting.append(item)
            item += 1
            next_arrival = arrivals[item] if item < n else math.inf
    start = np.asarray(start_h)
    keep = (arrival_h >= warmup_h) & ~np.isnan(start)
    return start[keep] - arrival_h[keep]
