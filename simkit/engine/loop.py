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
  share the heap and keep their order.  The callback kernel runs on it.

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

CALL_ENTRY_SIZE = 5
"""A bare call on the heap is ``(time, priority, id, fn, arg)``; SimPy's own entries, ``(time, priority, id,
event)``, are one shorter, which is how the loop tells them apart without a type check."""


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
        if len(entry) == CALL_ENTRY_SIZE:
            entry[3](entry[4])
        else:
            _process(entry[3])

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
        call_size = CALL_ENTRY_SIZE
        while True:
            slot = self._slot
            if slot is not None and (not queue or slot < queue[0]):  # (time, priority, id): SimPy's order
                if slot[0] >= until:
                    break
                self._slot = None
                entry = slot
            elif queue and queue[0][0] < until:
                entry = heappop(queue)
            else:
                break
            self._now = entry[0]
            if len(entry) == call_size:
                entry[3](entry[4])
            else:
                _process(entry[3])
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
