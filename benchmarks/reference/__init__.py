"""Reference implementations of the M/M/c queue that simkit's engine is measured against.

Every reference takes the *same* inputs — arrival times and service times as
numpy arrays, the number of servers, the end of the warm-up and the horizon —
and returns the waits in queue of the items that arrived after the warm-up and
started service before the horizon, in arrival order.  Fed one trace, the FIFO
implementations therefore return the same waits to rounding error, and every
one of them can be checked against Erlang C (:mod:`benchmarks.reference.mmc`).

* :mod:`.simpy_mmc` — idiomatic SimPy: one process per item and a ``simpy.Resource``;
* :mod:`.simpy_callback_mmc` — SimPy's event loop driven by callbacks, no processes;
* :mod:`.ciw_mmc` — the Ciw queueing-network library;
* :mod:`.heapq_mmc` — a plain ``heapq`` event loop, the floor a pure-Python engine can reach.
"""

from .mmc import MMCProblem, WaitStats, wait_stats

__all__ = ["MMCProblem", "WaitStats", "wait_stats"]
