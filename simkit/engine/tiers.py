"""Escalation tiers: a share of the items a tier finishes goes on to the next tier's pool.

An option's own team and vendor (with their routing) are tier 1; ``options.X.escalation``
lists tiers 2 and 3, each one pool (a team or a vendor) with the share of items that escalate
to it (per kind) and the effort they bring there.  When a pool finishes an item (after any
rework), the item either is done or, if it escalates, joins the next tier's queue at once (after
the vendor's ``handoff_h`` when the next tier is a vendor), with that tier's effort as its work;
its lead time runs from arrival to the last tier's completion.

Which items escalate is decided up front by one uniform number per item and tier from the
``"escalation:<tier>"`` stream, and their effort from ``"escalation_effort:<tier>"``: streams
named by the tier, not the option, so options with the same tiers escalate the same items with
the same efforts (common random numbers), whatever the pools are.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from simkit.engine.log import QUEUED, TierLog
from simkit.engine.pools import Items, ServicePool
from simkit.scenario.schema import OptionSpec
from simkit.streams import Streams
from simkit.workload.trace import Trace

__all__ = ["Escalation"]


class Escalation:
    """The tiers of one option's run: who escalates, and the hook the pools call on completion.

    Parameters
    ----------
    option
        The option (its ``escalation`` list is not empty).
    trace
        The replication's workload.
    streams
        The replication's random streams.
    items
        The option's shared item state.
    """

    def __init__(self, option: OptionSpec, trace: Trace, streams: Streams, items: Items) -> None:
        n = len(trace)
        self.n = n
        self.items = items
        self.tier_pools: list[ServicePool | None] = [None]  # tier 1 is the option's own routing
        self.handoff_h: list[float] = [0.0]
        levels = len(option.escalation) + 1
        kinds = trace.kind_names
        self.goes: list[list[bool]] = [[True] * n]
        self.effort: list[list[float]] = [[]]
        for j, tier in enumerate(option.escalation, start=2):
            share = np.array([tier.share_by_kind.get(k, tier.share) for k in kinds])
            u = streams.rng(f"escalation:{j}").uniform(size=n)
            self.goes.append((u < share[trace.kind]).tolist() if n else [])
            self.effort.append(tier.effort_h.sample(streams.rng(f"escalation_effort:{j}"), n).tolist())
        nan = math.nan
        self.tier = [0] * n
        self.enter = [[nan] * n for _ in range(levels)]
        self.start = [[nan] * n for _ in range(levels)]
        self.end = [[nan] * n for _ in range(levels)]
        self.done_by = [[-1] * n for _ in range(levels)]

    def attach(self, pools: list[ServicePool], tier_pools: list[int], handoff_h: list[float]) -> None:
        """Give every pool the completion hook; ``tier_pools`` are the pool indices of tiers 2, 3."""
        for j, k in enumerate(tier_pools, start=1):
            self.tier_pools.append(pools[k])
            self.handoff_h.append(handoff_h[k])
            pools[k].starts = self.start[j]
        hook: Callable[[int, float], bool] = self.finished
        for pool in pools:
            pool.escalate = hook

    def finished(self, item: int, end: float) -> bool:
        """A pool finished ``item`` at ``end``: whether it escalates (then it is queued at the next tier)."""
        if item >= self.n:  # another client's item on a shared vendor
            return False
        j = self.tier[item]
        it = self.items
        self.end[j][item] = end
        self.done_by[j][item] = it.served_by[item]
        nxt = j + 1
        if nxt >= len(self.goes) or not self.goes[nxt][item]:
            return False
        self.tier[item] = nxt
        it.work[item] = self.effort[nxt][item]
        it.status[item] = QUEUED
        pool = self.tier_pools[nxt]
        delay = self.handoff_h[nxt]
        self.enter[nxt][item] = end + delay
        if delay > 0.0:
            pool.env.call_later(delay, pool.put, item)
        else:
            pool.put(item)
        return True

    def log(self, names: tuple[str, ...], tier_pools: list[int], enter_h: np.ndarray,
            start_h: np.ndarray) -> TierLog:
        """The tiers' record for the run log (tier 1's enter and start are the item's own)."""
        enter = np.array(self.enter, dtype=float)
        start = np.array(self.start, dtype=float)
        enter[0], start[0] = enter_h, start_h
        return TierLog(pool_names=tuple(names[k] for k in tier_pools), enter_h=enter, start_h=start,
                       end_h=np.array(self.end, dtype=float), done_by=np.array(self.done_by, dtype=np.int8))
