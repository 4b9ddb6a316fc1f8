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

A pool none of whose fixed mechanisms is on (always open, no exit date, no clarification
questions, no quality check, no escalation, no roster, nobody on call: the M/M/c case)
runs a lean version of the same steps, chosen once when the run starts
(:meth:`CallbackPool.ready`): no tests for what is off, an item's start written out in
place, and its lists bound once.  What may change during a run — the pool closing,
a server leaving or ramping up, the productivity — is still read per item.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappop, heappush

from simkit.engine.log import COMPLETED, IN_SERVICE, QUEUED
from simkit.engine.loop import NORMAL
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

    def ready(self) -> None:
        """Every hook is in place and the run is about to start: take the lean steps if none is on.

        They replace :meth:`put` and :meth:`_step` on this pool only (instance attributes win over
        methods), so callers that look them up afterwards — the arrivals, :meth:`_wake`, a new hire's
        start — get them without a test per item.  The hooks tested here are set while the model is
        wired and never switched on later; a review may change a quality hook that exists, never add one.
        """
        tl = self.timeline
        if (getattr(tl, "always_open", False) and math.isinf(self.closes_at) and self.answer_time is None
                and self.quality is None and self.escalate is None and self.starts is None
                and not self.seated and self.on_call is None):
            self.put, self._step = self._lean_steps()

    def _lean_steps(self) -> tuple[Callable[[int], None], Callable[[Server], None]]:
        """:meth:`put` and :meth:`_step` (with :meth:`_done` and :meth:`_begin` folded in) for a pool with
        no fixed mechanism on; the same decisions, clock values and entry keys.

        Closures over local names: a name in a closure is one load, ``self.x`` a dictionary look-up.
        """
        pool, env, it = self, self.env, self.items
        queue, idle, heap, eid = self.queue, self._idle, env._queue, env._eid
        general_put = ServicePool.put.__get__(self)
        status, priority, start, end_h = it.status, it.priority, it.start, it.end
        served_by, work = it.served_by, it.work
        gives_up, gave_up = it.gives_up_h, it.gave_up
        work_from, work_to = self.work_from_h.append, self.work_to_h.append
        index = self.index

        def step(srv: Server) -> None:
            # A server's entry on the heap is this step: with an item in its hands (srv.item >= 0) it has
            # just finished it (``_done``); one call per item instead of two.
            item = srv.item
            if item >= 0:
                end_h[item] = srv.end_h
                status[item] = COMPLETED
                srv.item = -1
            while True:
                # queue may have been replaced by close(): closed is tested before it is read
                if pool.closed or srv.leaving:
                    return
                if not queue:
                    idle.append(srv)
                    return
                now = env._now
                item = heappop(queue)[2]
                if now >= gives_up[item] and gave_up(item, now):
                    continue
                if start[item] != start[item]:  # NaN: first time taken (``_begin`` from here on)
                    start[item] = now
                status[item] = IN_SERVICE
                served_by[item] = index
                end = now + work[item] / (pool.productivity * (srv.factor(now) if srv.ramp_h else 1.0))
                work_from(now)
                work_to(end)
                srv.item, srv.end_h = item, end
                # = env.call_later(end - now, step, srv): the same time, rounding included
                heappush(heap, (now + (end - now), NORMAL, next(eid), step, srv))
                return

        def put(item: int) -> None:
            if pool.closed:  # closed for good: the general path hands the item on
                general_put(item)
                return
            status[item] = QUEUED
            now = env._now
            heappush(queue, (priority[item], now, item))
            if idle:  # = self._wake(idle.pop())
                srv = idle.pop()
                slot = env._slot
                if (heap and heap[0][0] <= now) or (slot is not None and slot[0] <= now):
                    heappush(heap, (now + 0.0, NORMAL, next(eid), step, srv))  # let the instant's work queue first
                else:
                    step(srv)

        return put, step

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
