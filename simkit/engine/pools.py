"""Service pools: servers that pull work from a priority queue on a capacity timeline.

A pool is a group of identical servers — the people of an in-house team on
shift, or a vendor's agents — sharing one queue.  Each server is one
long-lived SimPy process (an item is a row in the log, not a process):

1. with nothing queued, it waits to be woken by the next arrival;
2. while the pool has no capacity (closed, down, not yet started), it sleeps
   until capacity returns;
3. otherwise it takes the most urgent item (lowest priority number, then
   earliest queued) and works on it for ``work / productivity`` effort hours
   on the pool's timeline (:meth:`~simkit.calendars.weekly.Calendar.advance`): work
   pauses at closing time or in an outage and resumes afterwards.

Mechanisms hook in at three points: when an item is *taken* (a clarification
question goes to the client and the item waits for the answer), when it is
*finished* (a defect may send it back as rework after detection), and when the
pool *closes for good* (a vendor exit hands queued and in-service work to the
fallback pool).
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections.abc import Callable
from heapq import heappop, heappush
from typing import TYPE_CHECKING

import numpy as np
import simpy

from simkit.engine.log import ABANDONED, COMPLETED, IN_SERVICE, QUEUED

if TYPE_CHECKING:
    from simkit.engine.hooks import QualityCheck

__all__ = ["ServicePool", "Items", "Server"]


class Server:
    """One server's employment: when it joined, how it ramps up, whether it is leaving."""

    __slots__ = ("joined_h", "ramp_start", "ramp_h", "leaving", "wake", "item", "end_h", "timeline", "on_call")

    def __init__(self, joined_h: float = 0.0, ramp_start: float = 1.0, ramp_h: float = 0.0,
                 timeline=None, on_call: bool = False) -> None:  # noqa: ANN001
        self.joined_h, self.ramp_start, self.ramp_h = joined_h, ramp_start, ramp_h
        self.timeline = timeline  # a roster's seat calendar (None: the pool's timeline)
        self.on_call = on_call  # an on-call person: works only when called out (see engine.roster)
        self.leaving = False
        self.wake: simpy.Event | None = None  # the process kernel's wake-up call
        self.item = -1  # the item in service and when it will be done (the callback kernel)
        self.end_h = math.nan

    def factor(self, now: float) -> float:
        """Productivity relative to a fully trained server (linear ramp from ``ramp_start``)."""
        if self.ramp_h <= 0.0:
            return 1.0
        return self.ramp_start + (1.0 - self.ramp_start) * min(1.0, (now - self.joined_h) / self.ramp_h)


class Items:
    """The per-item state one option's pools share.

    Plain Python lists while the simulation runs (indexing a list is several
    times cheaper than indexing a numpy array, and the engine touches each item
    a handful of times); :meth:`arrays` turns them into the log's numpy columns.
    """

    def __init__(self, effort_h: np.ndarray, priority: np.ndarray) -> None:
        n = effort_h.size
        nan = math.nan
        self.effort = effort_h
        self.priority = priority.tolist()
        self.work = effort_h.tolist()  # effort of the next piece of work (rework is smaller)
        self.status = [QUEUED] * n
        self.start = [nan] * n
        self.end = [nan] * n
        self.served_by = [-1] * n
        self.rounds = [0] * n
        self.clarify_h = [0.0] * n
        self.asked = [0] * n
        self.reworks = [0] * n
        self.escaped = [False] * n
        self.gives_up_h = [math.inf] * n  # when the requester abandons an item nobody has taken yet

    def gave_up(self, item: int, now: float) -> bool:
        """Whether ``item``'s requester has abandoned it by ``now`` (it was never taken); marks it so.

        Abandonment is decided when a server reaches the item (or the run ends), not by an event of
        its own: an item nobody has taken by its requester's deadline is gone, whenever that is noticed.
        """
        if now >= self.gives_up_h[item] and self.start[item] != self.start[item]:
            self.status[item] = ABANDONED
            return True
        return self.status[item] == ABANDONED

    _DTYPES = {"status": np.int8, "start": float, "end": float, "served_by": np.int8, "clarify_h": float,
               "asked": np.int16, "reworks": np.int8, "escaped": bool}

    def arrays(self, n: int) -> dict[str, np.ndarray]:
        """The first ``n`` items' state as numpy columns (the option's own items; the rest is background)."""
        # fromiter reads the first n straight from the list: no slice copy, and it converts element by element
        # faster than np.array, which first inspects the whole list for its shape and type
        return {name: np.fromiter(getattr(self, name), dtype=dtype, count=n) for name, dtype in self._DTYPES.items()}


class ServicePool:
    """Servers pulling from one priority queue.

    Parameters
    ----------
    env
        The SimPy environment.
    index
        This pool's index in the option (recorded as ``served_by``).
    servers
        How many items can be in service at once.
    timeline
        When and how fast the servers work (a ``Calendar`` or a ``CapacityTimeline``).
    productivity
        Effort hours done per working hour (service time = effort / productivity).
    items
        The option's shared item state.
    """

    def __init__(self, env: simpy.Environment, index: int, servers: int, timeline, productivity: float,  # noqa: ANN001
                 items: Items, name: str = "", seats: list | None = None, on_call=None) -> None:  # noqa: ANN001
        self.env = env
        self.name = name
        self.index = index
        self.timeline = timeline
        self.productivity = productivity
        self.items = items
        self.servers = servers
        self.queue: list[tuple[int, float, int]] = []
        self._idle: list[Server] = []
        self.members: list[Server] = []
        self.staff_log: list[tuple[float, int]] = []  # (time, +1 joined / -1 left) after the start
        self.closes_at = math.inf  # a vendor exit
        self.closed = False
        self.fallback: ServicePool | None = None
        self.on_headcount_change: Callable[[], None] | None = None  # attrition's clock restarts on every change
        self.down: list[tuple[float, float]] = []  # outage intervals (for rerouting)
        self._down_starts: list[float] = []
        # mechanism hooks (set by the model when configured)
        self.answer_time = None  # t -> when the client's answer arrives
        self.quality: QualityCheck | None = None  # defects and rework on finishing (engine.hooks)
        # every piece of work done here, (from, to) in hours: what utilisation counts as busy
        self.work_from_h = array("d")
        self.work_to_h = array("d")
        self.starts: list[float] | None = None  # an escalation tier's own first-start times (engine.tiers)
        self.escalate: Callable[[int, float], bool] | None = None  # may send a finished item to the next tier
        self.seated = seats is not None  # a roster: each server has its seat's calendar (engine.roster)
        self.work_seat: list | None = [] if self.seated else None  # each piece's calendar (None: on call)
        self.on_call = on_call
        if seats is not None:
            for cal in seats:
                self._start(Server(timeline=cal))
            for _ in range(on_call.size if on_call is not None else 0):
                self._start_on_call(Server(on_call=True))
            return
        for _ in range(servers):
            self._start(Server())

    def ready(self) -> None:
        """Called once every hook is in place, before the run starts (a faster formulation may pick its path)."""

    # -- state -------------------------------------------------------------
    @property
    def waiting(self) -> int:
        """Items queued and not yet started."""
        return len(self.queue)

    def set_down(self, intervals: list[tuple[float, float]]) -> None:
        self.down = intervals
        self._down_starts = [a for a, _ in intervals]

    def is_down(self, t: float) -> bool:
        i = bisect_right(self._down_starts, t) - 1
        return i >= 0 and t < self.down[i][1]

    @property
    def headcount(self) -> int:
        return len(self.members)

    def _start(self, srv: Server) -> None:
        self.members.append(srv)
        self.env.process(self._server(srv))

    def add_server(self, ramp_start: float = 1.0, ramp_h: float = 0.0) -> Server:
        """A new server joins now (a hire, or an extra vendor agent) and ramps up."""
        srv = Server(self.env.now, ramp_start, ramp_h)
        self.staff_log.append((self.env.now, +1))
        self._start(srv)
        if self.on_headcount_change is not None:
            self.on_headcount_change()
        return srv

    def remove_server(self, srv: Server) -> None:
        """``srv`` leaves now; an item in its hands is finished first."""
        srv.leaving = True
        self.members.remove(srv)
        self.staff_log.append((self.env.now, -1))
        if srv in self._idle:
            self._idle.remove(srv)
            if srv.wake is not None:
                srv.wake.succeed()  # the process resumes, sees it is leaving, and ends
        if self.on_headcount_change is not None:
            self.on_headcount_change()

    def has_free_server(self) -> bool:
        """Whether an item put now would start at once."""
        return bool(self._idle) and not self.closed and self.timeline.is_open(self.env._now)

    # -- flow ----------------------------------------------------------------
    def put(self, item: int) -> None:
        """Queue ``item`` (or pass it to the fallback once this pool has closed) and wake a server."""
        if self.closed and self.fallback is not None:
            self.fallback.put(item)
            return
        items = self.items
        items.status[item] = QUEUED
        heappush(self.queue, (items.priority[item], self.env._now, item))
        if self._idle:
            if self.seated:
                self._wake_seat()
            else:
                self._wake(self._idle.pop())
        if self.on_call is not None:
            self.on_call.work_arrived(self)

    def _wake_seat(self) -> None:
        """A roster's new work: wake the idle seat last parked among those open now; with none open, wake
        every idle seat, so each waits for its own opening and the first to open takes the work."""
        now, idle = self.env._now, self._idle
        for i in range(len(idle) - 1, -1, -1):
            if idle[i].timeline.is_open(now):
                self._wake(idle.pop(i))
                return
        self._idle = []
        for srv in idle:
            self._wake(srv)

    def _wake(self, srv: Server) -> None:
        """Set an idle server going (its process resumes at this instant)."""
        srv.wake.succeed()

    def close(self) -> None:
        """Close for good and hand every queued item to the fallback pool."""
        self.closed = True
        queued, self.queue = self.queue, []
        if self.fallback is not None:
            now = self.env._now
            for _, _, item in sorted(queued):
                if not self.items.gave_up(item, now):
                    self.fallback.put(item)

    def _later(self, delay: float, item: int) -> None:
        self.env.timeout(delay).callbacks.append(lambda _ev: self.put(item))

    def _park(self, srv: Server) -> simpy.Event:
        srv.wake = self.env.event()
        self._idle.append(srv)
        return srv.wake

    def _start_on_call(self, srv: Server) -> None:
        self.env.process(self._on_call_server(srv))

    def _on_call_server(self, srv: Server):
        """An on-call person: stands by until called out, then works the queue while the window lasts."""
        env, queue, it, oc = self.env, self.queue, self.items, self.on_call
        while True:
            srv.wake = env.event()
            oc.park(srv)
            yield srv.wake
            while queue and oc.calendar.is_open(env.now):
                now = env.now
                _, _, item = heappop(queue)
                if now >= it.gives_up_h[item] and it.gave_up(item, now):
                    continue
                end = self._begin(srv, item, now, True)
                if end is None:
                    continue
                yield env.timeout(end - now)
                self._finish(item, end)

    def _server(self, srv: Server):
        env, queue, it = self.env, self.queue, self.items
        tl = self.timeline if srv.timeline is None else srv.timeline
        always = getattr(tl, "always_open", False)
        gives_up = it.gives_up_h
        while True:
            if self.closed or srv.leaving:
                return
            if not queue:
                yield self._park(srv)
                continue
            now = env.now
            if not always and not tl.is_open(now):
                nxt = tl.next_open(now)
                if nxt >= self.closes_at or math.isinf(nxt):
                    yield self._park(srv)  # no capacity ever again
                    continue
                yield env.timeout(nxt - now)
                continue
            _, _, item = heappop(queue)
            if now >= gives_up[item] and it.gave_up(item, now):
                continue
            end = self._begin(srv, item, now, always)
            if end is None:  # a question went to the client instead
                continue
            if end > self.closes_at:  # the pool closes first: progress is lost, the fallback redoes it
                yield env.timeout(self.closes_at - now)
                it.status[item] = QUEUED
                if self.fallback is not None:
                    self.fallback.put(item)
                return
            yield env.timeout(end - now)
            self._finish(item, end)

    def _begin(self, srv: Server, item: int, now: float, always: bool) -> float | None:
        """``srv`` takes ``item`` at ``now``: a clarification question goes to the client (``None``: the
        item waits for the answer), or work starts and the time it will end is returned."""
        it = self.items
        if it.start[item] != it.start[item]:  # NaN: first time taken
            it.start[item] = now
        starts = self.starts
        if starts is not None and item < len(starts) and starts[item] != starts[item]:  # first time in this tier
            starts[item] = now
        if self.answer_time is not None and it.rounds[item] > 0:
            it.rounds[item] -= 1
            it.asked[item] += 1
            answer = self.answer_time(now)
            it.clarify_h[item] += answer - now
            self._later(answer - now, item)
            return None
        it.status[item] = IN_SERVICE
        it.served_by[item] = self.index
        work = it.work[item] / (self.productivity * (srv.factor(now) if srv.ramp_h else 1.0))
        if always:
            end = now + work
        else:
            end = (self.timeline if srv.timeline is None else srv.timeline).advance(now, work)
        self.work_from_h.append(now)
        self.work_to_h.append(end if end <= self.closes_at else self.closes_at)
        if self.work_seat is not None:
            self.work_seat.append(None if srv.on_call else srv.timeline)
        return end

    def _finish(self, item: int, end: float) -> None:
        it = self.items
        quality = self.quality
        if quality is not None and it.reworks[item] == 0 and quality.defective(item, end):
            if quality.detected(item):
                it.reworks[item] = 1
                it.work[item] = it.effort[item] * quality.rework_share
                it.status[item] = QUEUED
                self._later(quality.detection_delay_h(item), item)
                return
            it.escaped[item] = True
        if self.escalate is not None and self.escalate(item, end):
            return
        it.end[item] = end
        it.status[item] = COMPLETED
