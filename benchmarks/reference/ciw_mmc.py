"""Ciw M/M/c: the same queue in the Ciw queueing-network library.

Ciw samples an inter-arrival time for each arrival and a service time when
service begins.  Here its distributions *replay* the shared trace instead of
drawing their own numbers: the inter-arrival distribution hands out the gaps
of the trace in order, and the service distribution hands each customer the
service time of the trace row with its id (Ciw numbers customers 1, 2, ... in
arrival order).  Ciw then simulates the very items every other implementation
sees — so their waits can be compared item by item — at the cost of one
Python call per number, as Ciw's own ``Exponential`` makes.
"""

from __future__ import annotations

import itertools
import math

import ciw
import numpy as np

__all__ = ["run"]


class _Replay(ciw.dists.Distribution):
    """Hands out the given numbers in order, then ``inf`` (no more arrivals)."""

    def __init__(self, values: list[float]) -> None:
        self._next = itertools.chain(values, itertools.repeat(math.inf)).__next__

    def sample(self, t: float | None = None, ind: object = None) -> float:
        return self._next()


class _PerCustomer(ciw.dists.Distribution):
    """Hands customer number ``k`` (from 1) the ``k``-th value."""

    def __init__(self, values: list[float]) -> None:
        self._values = values

    def sample(self, t: float | None = None, ind: ciw.Individual | None = None) -> float:
        return self._values[ind.id_number - 1]


def run(arrival_h: np.ndarray, service_h: np.ndarray, servers: int, warmup_h: float,
        horizon_h: float) -> np.ndarray:
    """Waits of the items arriving in ``[warmup_h, horizon_h)`` that started before the horizon."""
    gaps = np.diff(arrival_h, prepend=0.0).tolist()
    network = ciw.create_network(
        arrival_distributions=[_Replay(gaps)],
        service_distributions=[_PerCustomer(service_h.tolist())],
        number_of_servers=[servers],
    )
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(horizon_h)
    ids, waited = [], []
    for r in sim.get_all_records():
        ids.append(r.id_number)
        waited.append(r.waiting_time)
    for ind in sim.nodes[1].all_individuals:  # in service at the horizon
        if ind.service_start_date is not False:
            ids.append(ind.id_number)
            waited.append(ind.service_start_date - ind.arrival_date)
    order = np.argsort(ids, kind="stable")
    row = np.asarray(ids, dtype=np.int64)[order] - 1  # the trace row of each customer
    waits_h = np.asarray(waited)[order]
    return np.maximum(waits_h[arrival_h[row] >= warmup_h], 0.0)
