"""Routing: which pool of an option receives an arriving item.

* one pool: everything goes there;
* ``overflow``: the in-house team first; the vendor gets an item when no team
  member is free and the team's queue already holds ``overflow_queue`` items,
  or when the team is off shift while the vendor works;
* ``by_kind``: the item kinds listed in ``vendor_kinds`` go to the vendor, the
  rest to the team;
* ``time_of_day`` (follow-the-sun): the item goes to whichever pool is open at
  its arrival; when both are open, to the one with fewer items queued per server
  (a tie goes to the team); when neither is, to the one that opens first (a tie
  goes to the team);
* dual sourcing: of the items bound for the vendor, a ``backup_share`` goes to
  the ``backup`` vendor (decided by the item's own uniform number, so the split
  is the same in every option).

A vendor whose outage policy is ``reroute`` receives nothing while it is down:
the backup vendor takes the item if it is up, otherwise the team, if any.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from simkit.engine.pools import ServicePool
from simkit.scenario.schema import OptionSpec, VendorSpec
from simkit.workload.trace import Trace, Uniform

__all__ = ["make_router"]

Router = Callable[[int], int]


def make_router(option: OptionSpec, pools: list[ServicePool], roles: tuple[str, ...], trace: Trace,
                vendors: Mapping[str, VendorSpec]) -> Router:
    """A function from item index to pool index for ``option``.

    ``pools`` and ``roles`` are the option's own pools in the order team, vendor, backup.
    """
    has_team = "team" in roles
    team = roles.index("team") if has_team else -1
    vendor = roles.index("vendor") if "vendor" in roles else -1
    backup = vendor + 1 if option.backup is not None else -1
    base = _base_router(option, pools, team, vendor, trace)
    if backup >= 0 and option.backup_share > 0:
        split = (trace.u[:, Uniform.BACKUP_SPLIT] < option.backup_share).tolist() if len(trace) else []
        first = base

        def base(item: int) -> int:  # noqa: F811 - the split wraps the team/vendor choice
            p = first(item)
            return backup if p == vendor and split[item] else p

    reroutes = {k for k in (vendor, backup) if k >= 0 and vendors[pools[k].name].outages is not None
                and vendors[pools[k].name].outages.policy == "reroute"}
    if not reroutes:
        return base

    def reroute(item: int) -> int:
        p = base(item)
        if p not in reroutes or not pools[p].is_down(pools[p].env.now):
            return p
        for alt in (backup, vendor, team):
            if alt >= 0 and alt != p and not pools[alt].is_down(pools[alt].env.now):
                return alt
        return p

    return reroute


def _base_router(option: OptionSpec, pools: list[ServicePool], team: int, vendor: int, trace: Trace) -> Router:
    if team < 0 or vendor < 0:
        only = max(team, vendor)
        return lambda item: only
    if option.routing == "time_of_day":
        return _follow_the_sun(pools[team], pools[vendor], team, vendor)
    if option.routing == "by_kind":
        names = trace.kind_names
        to_vendor = np.isin(np.arange(len(names)), [names.index(k) for k in option.vendor_kinds])
        table = np.where(to_vendor, vendor, team)[trace.kind].tolist()
        return table.__getitem__
    threshold = option.overflow_queue
    team_pool, vendor_pool = pools[team], pools[vendor]

    def overflow(item: int) -> int:
        if team_pool.has_free_server():
            return team
        now = team_pool.env.now
        if not team_pool.timeline.is_open(now) and vendor_pool.timeline.is_open(now):
            return vendor  # the team is off shift and the vendor is working
        return team if team_pool.waiting < threshold else vendor

    return overflow


def _follow_the_sun(team_pool: ServicePool, vendor_pool: ServicePool, team: int, vendor: int) -> Router:
    """Whichever pool is open at arrival; both open: fewer queued per server; neither: the first to open."""
    team_tl, vendor_tl = team_pool.timeline, vendor_pool.timeline

    def per_server(pool: ServicePool) -> float:
        return pool.waiting / pool.servers if pool.servers else float("inf")

    def follow(item: int) -> int:
        now = team_pool.env._now
        team_open, vendor_open = team_tl.is_open(now), vendor_tl.is_open(now)
        if team_open and vendor_open:
            return vendor if per_server(vendor_pool) < per_server(team_pool) else team
        if team_open or vendor_open:
            return team if team_open else vendor
        return vendor if vendor_tl.next_open(now) < team_tl.next_open(now) else team

    return follow
