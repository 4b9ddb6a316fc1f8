"""Where the engine's time goes on the M/M/c benchmark: a cProfile of one ``simulate_option``.

Usage::

    python -m benchmarks.profile_engine [--items 200000] [--top 25] [--rich]

Prints the functions that take the most time of their own (``tottime``) and,
with their callees (``cumtime``), so that an engine change can be aimed at
what costs.  Profiling slows pure-Python code roughly twofold and evenly, so
read the shares, not the seconds.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
from collections.abc import Sequence

from simkit.engine import simulate_option
from simkit.experiment.simulate import draw_trace
from simkit.streams import Streams

from .cases import mmc_scenario, rich_scenario
from .reference.mmc import MMCProblem

__all__ = ["profile", "cli"]


def profile(items: int = 200_000, rich: bool = False, top: int = 25, seed: int = 1) -> str:
    """The profile report of one engine run on ``items`` measured items."""
    if rich:
        sc, option = rich_scenario(items), "hybrid"
    else:
        sc, option = mmc_scenario(MMCProblem(measured_items=items), seed), "in_house"
    streams = Streams(seed, 0)
    trace = draw_trace(sc, streams)
    prof = cProfile.Profile()
    prof.enable()
    simulate_option(sc, option, trace, streams)
    prof.disable()
    out = io.StringIO()
    out.write(f"{option} on {len(trace):,} items\n")
    for key in ("tottime", "cumulative"):
        pstats.Stats(prof, stream=out).strip_dirs().sort_stats(key).print_stats(top)
    return out.getvalue()


def cli(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_engine",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000, help="measured items (default 200000)")
    parser.add_argument("--top", type=int, default=25, help="rows per table")
    parser.add_argument("--rich", action="store_true", help="profile the rich scenario instead of M/M/c")
    args = parser.parse_args(argv)
    if args.items < 1000:
        parser.error(f"--items must be >= 1000, got {args.items}")
    print(profile(args.items, args.rich, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
