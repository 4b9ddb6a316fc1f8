"""Idiomatic SimPy M/M/c: one process per item and a ``simpy.Resource`` for the servers.

This is how the SimPy documentation teaches a queue, and how most simulation
code is written: a source process creates a ``customer`` generator per
arrival; each customer requests a server, waits for it, holds it for its
service time and releases it.  Its cost per item is a generator, a request
event, a timeout event and the resource's bookkeeping.
"""

from __future__ import annotations

import numpy as np
import simpy

__all__ = ["run"]


def run(arrival_h: np.ndarray, service_h: np.ndarray, servers: int, warmup_h: float,
        horizon_h: float) -> np.ndarray:
    """Waits of the items arriving in ``[warmup_h, horizon_h)`` that started before the horizon."""
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    start_h = [np.nan] * len(arrival_h)

    def customer(item: int, service: float):
        with desk.request() as request:
            yield request
            start_h[item] = env.now
            yield env.timeout(service)

    def source():
        for item, (t, service) in enumerate(zip(arrival_h.tolist(), service_h.tolist(), strict=True)):
            yield env.timeout(t - env.now)
            env.process(customer(item, service))

    env.process(source())
    env.run(until=horizon_h)
    start = np.asarray(start_h)
    keep = (arrival_h >= warmup_h) & ~np.isnan(start)
    return np.maximum(start[keep] - arrival_h[keep], 0.0)
