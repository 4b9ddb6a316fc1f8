"""Routing: which pool of an option receives an arriving item.

* one pool: everything goes there;
* ``overflow``: the in-house team first; the vendor gets an item when no team
  member is free and the team's queue already holds ``overflow_queue`` items;
* ``by_kind``: the item kinds listed in ``vendor_kinds`` go to the vendor, the
  rest to the team.

A vendor whose outage policy is ``reroute`` receives nothing while it is down:
the other pool of the option takes the item instead (if the option has one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ..schema import OptionSpec, VendorSpec
from .pools import ServicePool

__all__ = ["make_router"]

Router = Callable[[int], int]


def make_router(option: OptionSpec, pools: list[ServicePool], roles: tuple[str, ...], kind: np.ndarray,
                kind_names: tuple[str, ...], vendors: Mapping[str, VendorSpec]) -> Router:
    """A function from item index to pool index for ``option``."""
    base = _base_router(option, pools, roles, kind, kind_names)
    if "vendor" not in roles or len(pools) < 2:
        return base
    v = roles.index("vendor")
    spec = vendors[option.vendor]
    if spec.outages is None or spec.outages.policy != "reroute":
        return base
    vendor_pool, other = pools[v], 1 - v

    def reroute(item: int) -> int:
        p = base(item)
        return other if p == v and vendor_pool.is_down(vendor_pool.env.now) else p

    return reroute


def _base_router(option: OptionSpec, pools: list[ServicePool], roles: tuple[str, ...], kind: np.ndarray,
                 kind_names: tuple[str, ...]) -> Router:
    if len(pools) == 1:
        return lambda item: 0
    team, vendor = roles.index("team"), roles.index("vendor")
    if option.routing == "by_kind":
        to_vendor = np.isin(np.arange(len(kind_names)), [kind_names.index(k) for k in option.vendor_kinds])
        table = np.where(to_vendor, vendor, team)[kind].tolist()
        return table.__getitem__
    threshold = option.overflow_queue
    team_pool = pools[team]

    def overflow(item: int) -> int:
        if team_pool.has_free_server() or team_pool.waiting < threshold:
            return team
        return vendor

    return overflow
