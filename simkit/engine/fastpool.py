"""The same service pool, driven by event callbacks instead of one generator per server.

:class:`~simkit.engine.pools.ServicePool` spells each server out as a SimPy process
— the clearest way to read the model.  A generator resumption and a wake-up event
per item cost time, so the engine runs this formulation by default: each server's
loop body becomes :meth:`CallbackPool._step`, called when the server frees up, when
capacity returns or when work arrives for an idle server.  An idle server starts
at once unless more events are due at the same instant (items that become ready
together, e.g. answers at the client's opening time), in which case it waits for
them exactly as a woken process would, so the most urgent is taken first.
Decisions, order and every number are the same; ``tests/engine/test_kernels.py`` checks
that item by item.
"""

from __future__ import annotations

import math
from heapq import heappop

from simkit.engine.log import COMPLETED, QUEUED
from simkit.engine.pools import Server, ServicePool

__all__ = ["CallbackPool"]


class CallbackPool(ServicePool):
    """A :class:`ServicePool` whose servers are state machines stepped by callbacks.

    Runs on a :class:`~simkit.engine.loop.FastEnvironment` (or any environment with
    ``call_later``); a server in service keeps its item and end time in its own slots.
    """

    def _start(self, srv: Server) -> None:
        self.members.append(srv)
        self._step(srv)

    def _wake(self, srv: Server) -> None:
        env = self.env
        queue, slot = env._queue, env._slot
        now = env._now
        step = self._on_call_step if srv.on_call else self._step
        if (queue and queue[0][0] <= now) or (slot is not None and slot[0] <= now):
            env.call_later(0.0, step, srv)  # other work lands at this instant too: let it queue first
        else:
            step(srv)

    def _start_on_call(self, srv: Server) -> None:
        self.on_call.park(srv)

    def _on_call_step(self, srv: Server) -> None:
        """An on-call person called out (or done with an item): the next item, or standing by again."""
        queue, env, it, oc = self.queue, self.env, self.items, self.on_call
        while queue and oc.calendar.is_open(env._now):
            now = env._now
            item = heappop(queue)[2]
            if now >= it.gives_up_h[item] and it.gave_up(item, now):
                continue
            end = self._begin(srv, item, now, True)
            if end is None:
                continue
            srv.item, srv.end_h = item, end
            env.call_later(end - now, self._on_call_done, srv)
            return
        oc.park(srv)

    def _on_call_done(self, srv: Server) -> None:
        self._finish(srv.item, srv.end_h)
        self._on_call_step(srv)

    def _later(self, delay: float, item: int) -> None:
        self.env.call_later(delay, self.put, item)

    def _step(self, srv: Server) -> None:
        queue = self.queue
        if not queue:
            if not (self.closed or srv.leaving):
                self._idle.append(srv)
            return
        env, it = self.env, self.items
        tl = self.timeline if srv.timeline is None else srv.timeline
        gives_up = it.gives_up_h
        always = tl.always_open
        while True:
            if self.closed or srv.leaving:
                return
            if not queue:
                self._idle.append(srv)
                return
            now = env._now
            if not always and not tl.is_open(now):
                nxt = tl.next_open(now)
                if nxt >= self.closes_at or math.isinf(nxt):
                    self._idle.append(srv)
                    return
                env.call_later(nxt - now, self._step, srv)
                return
            item = heappop(queue)[2]
            if now >= gives_up[item] and it.gave_up(item, now):
                continue
            end = self._begin(srv, item, now, always)
            if end is None:
                continue
            if end > self.closes_at:
                env.call_later(self.closes_at - now, self._abort, item)
                return
            srv.item, srv.end_h = item, end
            env.call_later(end - now, self._done, srv)
            return

    def _done(self, srv: Server) -> None:
        item = srv.item
        if self.quality is None and self.escalate is None:
            it = self.items
            it.end[item] = srv.end_h
            it.status[item] = COMPLETED
        else:
            self._finish(item, srv.end_h)
        self._step(srv)

    def _abort(self, item: int) -> None:
        self.items.status[item] = QUEUED
        if self.fallback is not None:
            self.fallback.put(item)
