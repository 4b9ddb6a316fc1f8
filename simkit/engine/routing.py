"""Routing: which pool of an option receives an arriving item.

* one pool: everything goes there;
* ``overflow``: the in-house team first; the vendor gets an item when no team
  member is free and the team's queue already holds ``overflow_queue`` items;
* ``by_kind``: the item kinds listed in ``vendor_kinds`` go to the vendor, the
  rest to the team.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..schema import OptionSpec
from .pools import ServicePool

__all__ = ["make_router"]

Router = Callable[[int], int]


def make_router(option: OptionSpec, pools: list[ServicePool], roles: tuple[str, ...],
                kind: np.ndarray, kind_names: tuple[str, ...]) -> Router:
    """A function from item index to pool index for ``option``."""
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
