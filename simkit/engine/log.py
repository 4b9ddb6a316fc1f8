"""The run log: everything that happened to every item, as numpy columns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simkit.workload.trace import Trace

__all__ = ["RunLog", "TierLog", "COMPLETED", "IN_SERVICE", "QUEUED", "ABANDONED", "STATE_NAMES", "headcount_segments"]

COMPLETED, IN_SERVICE, QUEUED, ABANDONED = 0, 1, 2, 3
STATE_NAMES = ("completed", "in_service", "queued", "abandoned")


@dataclass(frozen=True, kw_only=True)
class TierLog:
    """What happened at each escalation tier of an option (row 0 is tier 1, row 1 tier 2, ...).

    Attributes
    ----------
    pool_names
        The pool of each tier from tier 2 on (tier 1 is the option's own team, vendor or both).
    enter_h, start_h, end_h
        Arrays of shape ``(tiers, items)``: when the item joined the tier's queue (after any hand-off),
        when a server there first took it, and when the tier finished it; ``NaN`` where the item did
        not reach that step by the horizon (or was not escalated there).
    done_by
        Shape ``(tiers, items)``: the pool index that finished the item at that tier (-1: not finished).

    Built by keywords only, as :class:`RunLog` is: four arrays of one shape could be swapped unnoticed.
    """

    pool_names: tuple[str, ...]
    enter_h: np.ndarray
    start_h: np.ndarray
    end_h: np.ndarray
    done_by: np.ndarray


@dataclass(kw_only=True)
class RunLog:
    """What one option did with one trace.

    Times are hours since the scenario start; ``NaN`` marks a step not reached
    by the horizon.  Per-pool arrays are indexed like ``pool_names``.  Built by keywords only: with
    twenty-odd columns, several of them arrays of the same shape, a positional call could swap two
    unnoticed.

    Attributes
    ----------
    option
        The option's name.
    trace
        The shared workload (not copied).
    pool_names, pool_roles
        The pools of this option (including a fallback brought in by an exit) and
        whether each is a ``"team"`` or a ``"vendor"``.
    pool
        Pool that last worked on each item (-1: none yet); for an item still queued,
        the pool it was routed to.
    enter_h
        When the item joined its first pool's queue (arrival plus any handoff).
    start_h, end_h
        First time a server took the item, and final completion (after any rework).
    status
        Each item's state at the horizon: COMPLETED, IN_SERVICE, QUEUED (incl. waiting for
        an answer or for rework) or ABANDONED.
    clarify_rounds, clarify_h
        How many clarification questions the item asked by the horizon, and the hours it waited for
        the answers (0 for a question asked while the client was at work: answered at once).
    reworks, escaped
        Whether the item was reworked after a detected defect, or shipped with an undetected one.
    window_h
        ``(t0, t1)``: the measured period (after warm-up, up to the horizon).
    servers
        Servers per pool (people on shift or vendor agents; a roster: its people on all shifts, on call included).
    busy_h, open_server_h
        Per pool, server hours spent working on items inside the window (time, not effort: an
        item of e effort hours takes e / productivity, longer while a hire ramps up), and server
        hours available (headcount x open hours, outages excluded).  Both are measured on the
        pool's capacity timeline, so an hour at a reduced rate (degradation, a learning curve)
        counts at that rate on both sides.
    active_h
        Per pool, ``(from, to)``: when it was under contract or employed inside the window.
    down_h
        Per pool, hours without service inside the window: outages plus any gap between an
        exit and the fallback's start.
    outages
        Per pool, the number of outages that started inside the window.
    events
        Dated events ``(time_h, pool_name, what)``: ``"exit:insolvency"``, ``"exit:termination"``,
        ``"exit:cause"`` (termination for cause), ``"fallback_start"``, ``"review"``, ``"remediation"``,
        the staffing events ``"hire"``, ``"leave"``, ``"layoff"``, ``"scale_up"``, ``"scale_down"``, and a
        roster's ``"call_out"``.
    staff_log
        Per pool whose headcount changed, ``(time_h, +1 joined / -1 left)`` after the start
        (``servers`` is the headcount at the start).
    fx
        Per pool priced in another currency, and per team a vendor of the option retains for parallel
        running that is paid in another currency, the exchange-rate multiplier of each month (month 0
        is 1: the rate at signature), drawn from the ``"fx:<name>"`` stream: a team's path is the same
        in every option.
    tiers
        Per escalation tier, what happened there (``None``: the option has no escalation tiers).
    on_call_work
        Per team with an on-call shift, ``(from_h, to_h)`` of every piece of work done on a call-out
        (each call-out itself is a ``"call_out"`` event).
    """

    option: str
    trace: Trace
    pool_names: tuple[str, ...]
    pool_roles: tuple[str, ...]
    pool: np.ndarray
    enter_h: np.ndarray
    start_h: np.ndarray
    end_h: np.ndarray
    status: np.ndarray
    clarify_rounds: np.ndarray
    clarify_h: np.ndarray
    reworks: np.ndarray
    escaped: np.ndarray
    window_h: tuple[float, float]
    servers: np.ndarray
    busy_h: np.ndarray
    open_server_h: np.ndarray
    active_h: np.ndarray
    down_h: np.ndarray
    outages: np.ndarray
    events: list[tuple[float, str, str]] = field(default_factory=list)
    fx: dict[str, np.ndarray] = field(default_factory=dict)
    staff_log: dict[str, list[tuple[float, int]]] = field(default_factory=dict)
    tiers: TierLog | None = None
    on_call_work: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def state(self) -> np.ndarray:
        """Each item's state at the horizon (see ``status``)."""
        return self.status

    def in_window(self) -> np.ndarray:
        """Mask of the items that arrived inside the measured window."""
        return self.trace.arrival_h >= self.window_h[0]

    def pool_index(self, name: str) -> int:
        return self.pool_names.index(name)


def headcount_segments(start_count: int, changes: list[tuple[float, int]], t0: float,
                       t1: float) -> list[tuple[float, float, int]]:
    """The headcount as ``(from_h, to_h, count)`` pieces covering ``[t0, t1]``."""
    out, count, prev = [], start_count, t0
    for t, delta in sorted(changes):
        if t > prev:
            out.append((prev, min(t, t1), count))
            prev = t
        count += delta
        if t >= t1:
            break
    if prev < t1:
        out.append((prev, t1, count))
    return [(a, b, c) for a, b, c in out if b > a]
