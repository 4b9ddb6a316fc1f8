"""Arrivals: the option's items and other clients' on shared vendors, and what is decided as each arrives.

Every item of the trace arrives at its time, is routed to a tier-1 pool (:mod:`simkit.engine.routing`) and
joins its queue after the vendor's hand-off; its clarification rounds and its requester's patience are set
then.  A shared vendor also receives other clients' items (``vendors.X.shared``), drawn here from the
vendor's ``"background:<name>"`` stream; they follow the option's items in the item arrays (indices
``len(trace)`` on) and are never measured.

Arrivals are fed to the loop as a chain (:func:`in_order`): one pending call at a time, not one event per
item, so a million-item trace costs no more memory in the loop than one item.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from simkit.scenario.model import Scenario
from simkit.streams import Streams
from simkit.workload.trace import Trace, Uniform, local_parts

if TYPE_CHECKING:
    from simkit.engine.loop import Environment
    from simkit.engine.pools import Items, ServicePool
    from simkit.engine.wiring import Members

__all__ = ["BACKGROUND_PRIORITY", "Background", "background_load", "clarify_rounds", "in_order", "start_arrivals",
           "start_background"]

BACKGROUND_PRIORITY = {"higher": 10, "equal": 1, "lower": -1}
"""Other clients' items' priority by ``shared.client_priority`` (this client's standing): kinds have
priorities 0 to 9, lower served first, so 10 puts theirs after every item of this client, -1 before, and
1 ranks them like this client's default priority."""

SMALLEST_UNIFORM = 1e-300
"""Uniforms are floored here before their logarithm is taken (a uniform of exactly 0 has none)."""

LARGEST_ASK_SHARE = 1 - 1e-12
"""A clarification share is capped just below 1 before its logarithm is taken (``log 1 = 0`` divides by
zero); a share of exactly 1 asks ``clarify_max_rounds`` rounds, decided separately."""


@dataclass
class Background:
    """Other clients' items on the option's shared vendors: per shared vendor, arrival times, efforts,
    priorities, and the index of its pool."""

    arrival_h: list[np.ndarray] = field(default_factory=list)
    effort_h: list[np.ndarray] = field(default_factory=list)
    priority: list[np.ndarray] = field(default_factory=list)
    pool: list[int] = field(default_factory=list)

    def all_effort_h(self, trace: Trace) -> np.ndarray:
        """Every item's effort: the option's, then other clients' (the item arrays' layout)."""
        return np.concatenate([trace.effort_h, *self.effort_h]) if self.effort_h else trace.effort_h

    def all_priority(self, trace: Trace) -> np.ndarray:
        """Every item's priority, in the same layout."""
        return np.concatenate([trace.priority.astype(np.int64), *self.priority]) if self.priority else trace.priority


def _draw_background(spec, horizon_h: float, rng: np.random.Generator, offset_h: float,  # noqa: ANN001
                     clock=None) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """Other clients' items on a shared vendor: arrival times and efforts (months read like the workload's)."""
    peak = spec.background_rate_per_hour * (max(spec.background_month_of_year) if spec.background_month_of_year
                                            else 1.0)
    n = int(rng.poisson(peak * horizon_h)) if peak > 0 else 0
    t = np.sort(rng.uniform(0.0, horizon_h, n))
    keep = rng.uniform(0.0, 1.0, n)
    if spec.background_month_of_year is not None and n:
        month = local_parts(t, offset_h, clock)[3]
        t = t[keep * peak < spec.background_rate_per_hour * np.asarray(spec.background_month_of_year)[month]]
    return t, spec.background_effort_h.sample(rng, t.size)


def background_load(scenario: Scenario, members: Members, streams: Streams, horizon_h: float) -> Background:
    """Other clients' items on every shared vendor among the option's pools, up to ``horizon_h``."""
    out = Background()
    offset_h = scenario.calendars[scenario.workload.calendar].utc_offset_h
    for k, (name, role) in enumerate(zip(members.names, members.roles, strict=True)):
        spec = scenario.vendors.get(name) if role == "vendor" else None
        if spec is None or spec.shared is None:
            continue
        t, e = _draw_background(spec.shared, horizon_h, streams.rng(f"background:{name}"), offset_h,
                                scenario.clock())
        out.arrival_h.append(t)
        out.effort_h.append(e)
        out.priority.append(np.full(t.size, BACKGROUND_PRIORITY[spec.shared.client_priority], dtype=np.int64))
        out.pool.append(k)
    return out


def _geometric_rounds(u: np.ndarray, p: np.ndarray, max_rounds: np.ndarray) -> np.ndarray:
    """Geometric rounds from one uniform each: P(rounds >= k) = p**k, capped."""
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.floor(np.log(np.maximum(u, SMALLEST_UNIFORM)) / np.log(np.clip(p, SMALLEST_UNIFORM, LARGEST_ASK_SHARE)))
    k = np.where(p <= 0, 0, np.where(p >= 1, max_rounds, k))
    return np.minimum(k, max_rounds).astype(np.int64)


def clarify_rounds(scenario: Scenario, trace: Trace, clarify_factor: np.ndarray, n_pools: int,
                   ) -> dict[int, np.ndarray]:
    """Per pool ``0 .. n_pools - 1``: the clarification rounds each item would ask there (its kind's share
    times the pool's ``clarify_factor``, from the item's own uniform, so the same items ask everywhere);
    empty when no item's kind asks."""
    n = len(trace)
    kinds = list(scenario.workload.kinds.values())
    p_kind = np.array([k.clarify_share for k in kinds])[trace.kind] if n else np.zeros(0)
    if not np.any(p_kind > 0):
        return {}
    max_rounds = np.array([k.clarify_max_rounds for k in kinds])[trace.kind]
    u_clarify = trace.u[:, Uniform.CLARIFY]
    return {k: _geometric_rounds(u_clarify, np.minimum(1.0, p_kind * clarify_factor[k]), max_rounds)
            for k in range(n_pools)}


def in_order(env: Environment, times: np.ndarray, handle: Callable[[int], None], stamp: list | None = None) -> None:
    """Call ``handle(i)`` at each of the sorted ``times``: a chain of scheduled calls, one pending at a time.

    With ``stamp``, each call's clock time is written to ``stamp[i]`` first (see
    :meth:`~simkit.engine.loop.Environment.call_in_order`).
    """
    env.call_in_order(times.tolist(), handle, stamp)


def start_arrivals(env: Environment, trace: Trace, router: Callable[[int], int], pools: list[ServicePool],
                   items: Items, handoff_h: list[float], rounds: dict[int, np.ndarray],
                   n_tier1: int) -> tuple[list[int], list[float]]:
    """Schedule the trace's arrivals; returns the lists the run fills: each item's pool and queue-entry time.

    The handler is the leanest that does the job: with nothing on the way (no clarification, patience or
    hand-off) an item is only routed and queued, and with one pool not even routed.
    """
    n = len(trace)
    route = [-1] * n
    enter = [math.nan] * n
    finite = np.isfinite(trace.patience_h).tolist()
    plain = not rounds and not any(finite) and not any(h > 0.0 for h in handoff_h[:n_tier1])
    if plain and n_tier1 == 1:
        route[:] = [0] * n
        in_order(env, trace.arrival_h, pools[0].put, enter)  # the chain stamps the queue-entry time itself
        return route, enter
    if plain:
        puts = [pool.put for pool in pools]

        def arrive_plain(item: int) -> None:
            p = router(item)
            route[item] = p
            enter[item] = env._now
            puts[p](item)

        in_order(env, trace.arrival_h, arrive_plain)
        return route, enter
    in_order(env, trace.arrival_h, _arrive_handler(env, trace, router, pools, items, handoff_h, rounds, route, enter))
    return route, enter


def _arrive_handler(env: Environment, trace: Trace, router: Callable[[int], int], pools: list[ServicePool],
                    items: Items, handoff_h: list[float], rounds: dict[int, np.ndarray], route: list[int],
                    enter: list[float]) -> Callable[[int], None]:
    """The full arrival: route, set the rounds the item will ask there and when its requester gives up,
    and queue it after the hand-off."""
    any_clarify = bool(rounds)
    per_pool_rounds = {k: v.tolist() for k, v in rounds.items()}
    patience = trace.patience_h.tolist()
    finite = np.isfinite(trace.patience_h).tolist()

    def arrive(item: int) -> None:
        t = env._now
        p = router(item)
        route[item] = p
        if any_clarify:
            items.rounds[item] = per_pool_rounds[p][item]
        if finite[item]:
            items.gives_up_h[item] = t + patience[item]
        delay = handoff_h[p]
        enter[item] = t + delay
        if delay > 0.0:
            env.call_later(delay, pools[p].put, item)
        else:
            pools[p].put(item)

    return arrive


def _put_from(pool: ServicePool, first: int) -> Callable[[int], None]:
    """Queue the ``j``-th of a run of items that starts at index ``first``."""
    put = pool.put

    def handle(j: int) -> None:
        put(first + j)

    return handle


def start_background(env: Environment, background: Background, pools: list[ServicePool], first: int) -> None:
    """Schedule other clients' arrivals; their items are numbered from ``first`` on, vendor by vendor."""
    for t, k in zip(background.arrival_h, background.pool, strict=True):
        if t.size:
            in_order(env, t, _put_from(pools[k], first))
        first += t.size
