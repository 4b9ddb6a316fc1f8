"""Random-number streams: one independent generator per component and replication.

Every random number in simkit comes from a :class:`numpy.random.Generator`
built from ``SeedSequence(seed, spawn_key=(replication, crc32(component)))``.
The key depends only on the seed, the replication number and the component's
*name* (``"workload"``, ``"vendor:acme"``, ...), never on the order in which
components are created or on which worker runs the replication.  So:

* every option in a replication sees the same workload (common random numbers);
* adding or removing an option, a vendor or a risk process never shifts any
  other component's numbers;
* results are bit-identical on any executor, worker count or batch size.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

__all__ = ["Streams"]


@dataclass(frozen=True)
class Streams:
    """The random streams of one replication.

    Parameters
    ----------
    seed
        The experiment's root seed.
    replication
        The replication number (0, 1, ...).
    """

    seed: int
    replication: int

    def key(self, component: str) -> tuple[int, int]:
        return (self.replication, zlib.crc32(component.encode("utf-8")))

    def rng(self, component: str) -> np.random.Generator:
        """A fresh generator for ``component``; the same name always gives the same numbers."""
        ss = np.random.SeedSequence(entropy=self.seed, spawn_key=self.key(component))
        return np.random.Generator(np.random.PCG64(ss))
