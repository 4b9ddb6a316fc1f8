"""The event loop: SimPy's environment, and a leaner loop for the same schedule.

SimPy keeps future events in a heap of ``(time, priority, id, event)`` and
processes them in that order: earliest first, then urgent before normal, then
first scheduled first.  Much of the engine's work is not a SimPy process
waiting for an event but a plain call due at some time ("put this item in the
queue at 10:42", "this server is free at 11:05").  :meth:`Environment.call_later`
schedules such a call exactly where ``env.timeout(delay)`` would put its event
— same time, priority and order — without building the event.

* :class:`Environment` is SimPy's own loop; a call is wrapped in the least
  an event needs (:class:`_Call`) so that ``Environment.step`` processes it.
  The process kernel runs on it: the reference.
* :class:`FastEnvironment` keeps a call as a bare ``(time, priority, id, fn,
  arg)`` entry and runs the heap itself, so a call costs one heap push and
  one function call.  The arrivals' next call (:meth:`Environment.call_next`)
  waits in a slot beside the heap, with the same key; the loop takes whichever
  of slot and heap top comes first.  SimPy events and processes (hiring, exits)
  share the heap and keep their order: an event is scheduled as a call of
  :func:`_process`, so every entry has the same shape and the loop never asks
  which kind it holds.  The callback kernel runs on it.

``tests/engine/test_kernels.py`` checks that both give identical logs, item by item.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy

__all__ = ["Environment", "FastEnvironment", "NORMAL"]

NORMAL = 1  # simpy.events.NORMAL: the priority of a timeout

class _Call:
    """A scheduled call dressed as the least ``Environment.step`` needs: callbacks and an outcome."""

    __slots__ = ("callbacks", "_ok", "_value", "fn", "arg")

    def __init__(self, fn: Callable[[Any], Any], arg: Any) -> None:
        self.fn, self.arg = fn, arg
        self.callbacks = [self._fire]
        self._ok = True
        self._value = None

    def _fire(self, _event: object) -> None:
        self.fn(self.arg)


class Environment(simpy.Environment):
    """SimPy's environment with :meth:`call_later` and :meth:`call_next`."""

    _slot = None  # see FastEnvironment

    def call_later(self, delay: float, fn: Callable[[Any], Any], arg: Any = None) -> None:
        """Call ``fn(arg)`` after ``delay`` hours, ordered exactly as ``self.timeout(delay)`` would be."""
        heappush(self._queue, (self._now + delay, NORMAL, next(self._eid), _Call(fn, arg)))

    def call_next(self, delay: float, fn: Callable[[Any], Any], arg: Any = None) -> None:
        """:meth:`call_later` for a stream of calls that keeps one pending at a time (the arrivals)."""
        self.call_later(delay, fn, arg)

    def call_in_order(self, times: list[float], handle: Callable[[int], Any], stamp: list | None = None) -> None:
        """Call ``handle(i)`` at each of the sorted ``times``: a chain of :meth:`call_next` calls, one pending.

        Calls due at the same time are made in index order from one scheduled call; the next is scheduled
        ``times[i] - t`` after the clock's time, as a chain of timeouts would be.  With ``stamp``, the
        clock's time of each call is written to ``stamp[i]`` first (an arrival's queue-entry time).
        """
        n = len(times)
        if not n:
            return
        i = 0  # the next index
        call_next = self.call_next

        def step(_arg: object) -> None:
            nonlocal i
            t = times[i]
            while True:
                if stamp is not None:
                    stamp[i] = self._now
                handle(i)
                i += 1
                if i >= n:
                    return
                if times[i] > t:
                    break
            call_next(times[i] - t, step)

        call_next(times[0], step)


class FastEnvironment(Environment):
    """The same schedule with bare calls on the heap, processed by :meth:`run`'s own loop."""

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        queue, eid, env = self._queue, self._eid, self

        def call_later(delay: float, fn: Callable[[Any], Any], arg: Any = None) -> None:
            heappush(queue, (env._now + delay, NORMAL, next(eid), fn, arg))

        def call_next(delay: float, fn: Callable[[Any], Any], arg: Any = None) -> None:
            entry = (env._now + delay, NORMAL, next(eid), fn, arg)
            if env._slot is None:  # the stream's next call waits beside the heap, with the same key
                env._slot = entry
            else:
                heappush(queue, entry)

        call_later.__doc__ = Environment.call_later.__doc__
        call_next.__doc__ = Environment.call_next.__doc__
        self.call_later = call_later  # closures: no bound method or attribute lookups per call
        self.call_next = call_next
        self._slot: tuple | None = None

    def schedule(self, event: simpy.Event, priority: int = NORMAL, delay: float = 0) -> None:
        """Schedule a SimPy event as SimPy does, as a call of :func:`_process` (the loop's one entry shape)."""
        heappush(self._queue, (self._now + delay, priority, next(self._eid), _process, event))

    def call_in_order(self, times: list[float], handle: Callable[[int], Any], stamp: list | None = None) -> None:
        """:meth:`Environment.call_in_order` with the next call put in the slot (or heap) directly.

        The chain runs once per arrival, so it builds its entry itself instead of calling ``call_next``: one
        Python call less per arrival, the same key.  Without ``stamp`` the times go to a list nobody reads:
        a list store costs less than a test per call.
        """
        n = len(times)
        if not n:
            return
        stamp = [0.0] * n if stamp is None else stamp
        queue, eid = self._queue, self._eid
        i = 0  # the next index

        def step(_arg: object) -> None:
            nonlocal i
            t = times[i]
            now = self._now
            while True:
                stamp[i] = now
                handle(i)
                i += 1
                if i >= n:
                    return
                if times[i] > t:
                    break
            entry = (self._now + (times[i] - t), NORMAL, next(eid), step, None)  # = call_next(times[i] - t, step)
            if self._slot is None:
                self._slot = entry
            else:
                heappush(queue, entry)

        self.call_next(times[0], step)

    def peek(self) -> float:
        """The time of the next entry (``inf`` if none)."""
        head = self._queue[0][0] if self._queue else math.inf
        return min(head, self._slot[0]) if self._slot is not None else head

    def _pop(self) -> tuple:
        """The next entry by SimPy's key: the heap's top or the stream's call beside it."""
        slot = self._slot
        if slot is not None and (not self._queue or slot < self._queue[0]):
            self._slot = None
            return slot
        return heappop(self._queue)

    def step(self) -> None:
        """Process the next entry: a call, or a SimPy event and its callbacks."""
        if not self._queue and self._slot is None:
            raise simpy.core.EmptySchedule()
        entry = self._pop()
        self._now = entry[0]
        entry[3](entry[4])

    def run(self, until: float | None = None) -> None:  # type: ignore[override]
        """Process everything due before ``until`` hours, then stand at ``until``.

        As SimPy's ``run(until=t)``: entries due exactly at ``t`` are left unprocessed.
        """
        if until is None or isinstance(until, simpy.Event):
            raise TypeError("FastEnvironment.run needs a time to run until")
        until = float(until)
        if until <= self._now:
            raise ValueError(f"until (={until}) must be > the current simulation time")
        queue = self._queue
        while True:
            slot = self._slot
            if slot is not None and (not queue or slot < queue[0]):  # (time, priority, id): SimPy's order
                if slot[0] >= until:
                    break
                self._slot = None
                now, _, _, fn, arg = slot
            elif queue and queue[0][0] < until:
                now, _, _, fn, arg = heappop(queue)  # unpacking: one bytecode instead of three subscripts
            else:
                break
            self._now = now
            fn(arg)
        self._now = until


def _process(event: simpy.Event) -> None:
    """What ``simpy.Environment.step`` does with an event once it is due."""
    callbacks, event.callbacks = event.callbacks, None
    for callback in callbacks:
        callback(event)
    if not event._ok and not hasattr(event, "_defused"):
        exc = type(event._value)(*event._value.args)
        exc.__cause__ = event._value
        raise exc
