"""The same service pool, driven by event callbacks instead of one generator per server.

:class:`~simkit.engine.pools.ServicePool` spells each server out as a SimPy process
— the clearest way to read the model.  A generator resumption and a wake-up event
per item cost time, so the engine runs this formulation by default: each server's
loop body becomes :meth:`CallbackPool._step`, called when the server frees up, when
capacity returns or when work arrives for an idle server.  An idle server starts
at once unless more events are due at the same instant (items that become ready
together, e.g. answers at the client's opening time), in which case it waits for
them exactly as a woken process would, so the most urgent is taken first.
Decisions, order and every number are the same; ``tests/test_kernels.py`` checks
that item by item.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappop, heappush

import simpy

from .log import ABANDONED, QUEUED
from .pools import Server, ServicePool

__all__ = ["CallbackPool", "call_later"]

_NORMAL = 1  # simpy.events.NORMAL


class _Call:
    """The least an event needs to be processed by ``Environment.step``: callbacks and an outcome."""

    __slots__ = ("callbacks", "_ok", "_value")

    def __init__(self, fn: Callable) -> None:
        self.callbacks = [fn]
        self._ok = True
        self._value = None


def call_later(env: simpy.Environment, delay: float, fn: Callable) -> None:
    """Call ``fn(event)`` after ``delay``: a ``Timeout`` without its construction cost, scheduled
    exactly as ``env.timeout(delay)`` would be (same time, priority and order)."""
    heappush(env._queue, (env._now + delay, _NORMAL, next(env._eid), _Call(fn)))


class CallbackPool(ServicePool):
    """A :class:`ServicePool` whose servers are state machines stepped by callbacks."""

    def _start(self, srv: Server) -> None:
        self.members.append(srv)
        self._step(srv)

    def _wake(self, srv: Server) -> None:
        env = self.env
        if env.peek() <= env.now:  # other work lands at this instant too: let it queue first
            wake = env.event()
            wake.callbacks.append(lambda _ev: self._step(srv))
            wake.succeed()
        else:
            self._step(srv)

    def _after(self, delay: float, fn) -> None:  # noqa: ANN001
        call_later(self.env, delay, fn)

    def _later(self, delay: float, item: int) -> None:
        call_later(self.env, delay, lambda _ev: self.put(item))

    def _step(self, srv: Server) -> None:
        queue = self.queue
        if not queue:
            if not (self.closed or srv.leaving):
                self._idle.append(srv)
            return
        env, tl, it = self.env, self.timeline, self.items
        status = it.status
        always = tl.always_open
        while True:
            if self.closed or srv.leaving:
                return
            if not queue:
                self._idle.append(srv)
                return
            now = env.now
            if not always and not tl.is_open(now):
                nxt = tl.next_open(now)
                if nxt >= self.closes_at or math.isinf(nxt):
                    self._idle.append(srv)
                    return
                self._after(nxt - now, lambda _ev: self._step(srv))
                return
            _, _, item = heappop(queue)
            if status[item] == ABANDONED:
                continue
            end = self._begin(srv, item, now, always)
            if end is None:
                continue
            if end > self.closes_at:
                self._after(self.closes_at - now, lambda _ev, i=item: self._abort(i))
                return
            call_later(env, end - now, lambda _ev, i=item, e=end: self._done(srv, i, e))
            return

    def _done(self, srv: Server, item: int, end: float) -> None:
        if self.quality is None:
            it = self.items
            it.end[item] = end
            it.status[item] = 0  # COMPLETED
        else:
            self._finish(item, end)
        self._step(srv)

    def _abort(self, item: int) -> None:
        self.items.status[item] = QUEUED
        if self.fallback is not None:
            self.fallback.put(item)
