"""Memo benchmarks: how long ``sk.memo`` takes to build the decision memo, start to finish.

The memo simulates every option, runs the tornado and the top two break-evens, and renders the page
(:func:`simkit.ui.memo_build.memo`, nothing written: ``out=None``).  Two scenarios are timed, alternating
from repeat to repeat so that a change of load hits both alike, and the median is quoted:

* the project's default scenario (``scenarios/startup_it_helpdesk.yaml``), what a first memo costs;
* ``scenarios/enterprise_service_desk.yaml``, the slowest shipped archetype, whose volume lever's break-even
  re-simulates every evaluation.

The target is the one the memo promises: under a minute on two cores.  Wall time inflates with the load of
a shared machine; the details keep the CPU seconds (this process and its reaped workers) beside it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import simkit as sk

from .cases import DEFAULT_SCENARIO, ROOT
from .harness import Row, alternate

__all__ = ["memo_rows", "MEMO_SCENARIOS", "MEMO_TARGET_S"]

MEMO_SCENARIOS = {"memo_default": DEFAULT_SCENARIO,
                  "memo_enterprise_service_desk": ROOT / "scenarios" / "enterprise_service_desk.yaml"}
MEMO_TARGET_S = 60.0
"""Seconds a memo may take on two cores."""


def _cpu_s() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _build(path: Path, replications: int | None, cpu: list[float]) -> Any:
    start = _cpu_s()
    rec = sk.memo(path, None, replications=replications)
    cpu.append(_cpu_s() - start)
    return rec


def memo_rows(repeats: int, quick: bool = False) -> list[Row]:
    """One row per scenario of :data:`MEMO_SCENARIOS`: the median seconds of ``sk.memo`` over ``repeats``.

    ``quick`` builds each memo on two replications instead of the scenario's own: it checks that the
    benchmark runs, not how fast a memo is.
    """
    reps = 2 if quick else None
    cpu: dict[str, list[float]] = {key: [] for key in MEMO_SCENARIOS}
    sides = {key: (lambda key=key, path=path: _build(path, reps, cpu[key])) for key, path in MEMO_SCENARIOS.items()}
    timed = alternate(sides, repeats)
    rows = []
    for key, path in MEMO_SCENARIOS.items():
        t = timed[key]
        rows.append(Row(key, f"decision memo of {path.stem} (sk.memo, every run included)", "s", t.median_s,
                        MEMO_TARGET_S, target_op="<=", target_on="value",
                        details={"scenario": f"scenarios/{path.name}", "replications": reps or "the scenario's",
                                 "seconds": [round(s, 2) for s in t.seconds],
                                 "cpu_seconds": [round(s, 2) for s in cpu[key]],
                                 "call": "simkit.memo(scenario, None): simulate, tornado, break-evens, page"}))
    return rows
