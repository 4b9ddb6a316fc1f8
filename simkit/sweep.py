"""Sweeps: every option at many parameter points, on common random numbers, resumable.

``sweep(scenario, space, replications=R)`` runs every option at every point of
a design (:mod:`simkit.design`) for ``R`` replications and returns a tidy
:class:`~simkit.results.SweepResults` frame: one row per point x option x
replication.

Three things make it cheap and safe:

* **Common random numbers across points.**  Replication ``r`` uses the same
  seed at every point, so a point's workload is the same wherever the workload
  is not what is being varied, and the change between points is the lever's
  doing, not luck.
* **Re-pricing instead of re-simulating.**  Points are grouped by the values of
  the parameters the engine reads (:func:`simkit.reprice.split_changes`); within
  a group the engine runs once per replication and each point's prices are
  applied to the same logs.  A pure price sweep costs one simulation.
* **Streaming and resume.**  With ``out="sweep.parquet"`` every finished task is
  on disk at once (:mod:`simkit.store`); after Ctrl+C, running the same sweep
  again computes only the (point, replication) pairs that are missing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__
from .design import Lever, design_points
from .engine import simulate_option
from .execution import ExecutorArg, batch_count, executor_workers, run_tasks, split
from .experiment import draw_trace, price_log
from .reprice import split_changes
from .results import SweepResults
from .scenario import Scenario
from .store import SweepStore, fingerprint
from .streams import Streams

__all__ = ["sweep", "Space"]

Space = Mapping[str, Sequence[float]] | Sequence[Lever] | Lever | pd.DataFrame


def _points(scenario: Scenario, space: Space, design: str, n: int | None,
            seed: int) -> tuple[pd.DataFrame, str]:
    if isinstance(space, pd.DataFrame):
        points = space.reset_index(drop=True)
        points.index.name = "point"
        return points, "custom"
    if isinstance(space, Lever):
        space = [space]
    if isinstance(space, Mapping):
        space = [Lever.of_values(str(k), list(np.ravel(v))) for k, v in space.items()]
    return design_points(scenario, list(space), design, n, seed), design


def _sweep_task(sim: Scenario, priced: list[tuple[int, Scenario]], seed: int, reps: Sequence[int],
                options: Sequence[str]) -> pd.DataFrame:
    """Simulate one engine configuration for ``reps`` and price every point of the group on the same logs."""
    rows = []
    for r in reps:
        streams = Streams(seed, r)
        trace = draw_trace(sim, streams)
        for name in options:
            log = simulate_option(sim, name, trace, streams)
            for point, scenario in priced:
                row, _ = price_log(scenario, log, r, with_ledger=False)
                rows.append({"point": point, **row})
    return pd.DataFrame(rows)


def _tidy(rows: pd.DataFrame, points: pd.DataFrame, options: list[str], reps: int) -> pd.DataFrame:
    if rows.empty:
        return pd.DataFrame(columns=["point", *points.columns, "option", "replication"])
    keep = (rows["replication"] < reps) & rows["point"].isin(points.index) & rows["option"].isin(options)
    rows = rows[keep]
    rows = rows.drop(columns=[c for c in points.columns if c in rows.columns])
    order = {o: i for i, o in enumerate(options)}
    rows = rows.assign(_o=rows["option"].map(order))
    rows = rows.sort_values(["point", "_o", "replication"], kind="stable")
    rows = rows.drop(columns="_o").astype({"point": "int64", "replication": "int64", "option": "str"})
    out = rows.merge(points, left_on="point", right_index=True, how="left")
    first = ["point", *points.columns, "option", "replication"]
    return out[first + [c for c in rows.columns if c not in first]].reset_index(drop=True)


def sweep(scenario: Scenario, space: Space, replications: int | None = None, seed: int | None = None,
          design: str = "grid", n: int | None = None, options: Sequence[str] | None = None,
          executor: ExecutorArg = "auto", batch_size: int | None = None, progress: bool | None = None,
          out: str | Path | None = None, resume: bool = True) -> SweepResults:
    """Run every option at every point of a design.

    Parameters
    ----------
    scenario
        The base scenario.
    space
        What to vary: ``{"vendors.msp.price_per_item": [25, 35, 45], ...}`` (a grid of
        those values; for ``lhs``/``sobol`` their min and max are the range), a list
        of :class:`~simkit.design.Lever`, or a DataFrame of points (one column per path).
    replications, seed
        Default: the scenario's.  Every point uses the same seeds (common random numbers).
    design
        ``"grid"``, ``"lhs"``, ``"sobol"`` or ``"oat"`` (see :mod:`simkit.design`).
    n
        Points for ``lhs``; base sample size for ``sobol``.
    options
        The options to run (default: all).
    executor, batch_size, progress
        As in :func:`simkit.simulate`; ``batch_size`` counts replications per task.
    out
        A ``.parquet`` file: stream results there as they finish and resume a sweep
        interrupted earlier (see :mod:`simkit.store`).
    resume
        ``False`` discards earlier results for ``out``.

    Returns
    -------
    SweepResults
        ``.frame`` is tidy (point x option x replication); ``.meta["computed"]``
        counts the (point, replication) pairs computed by this call.
    """
    reps = int(replications if replications is not None else scenario.run.replications)
    if reps < 1:
        raise ValueError(f"replications must be >= 1, got {reps}")
    seed = int(seed if seed is not None else scenario.run.seed)
    options = list(options or scenario.option_names)
    for name in options:
        if name not in scenario.options:
            raise KeyError(f"unknown option '{name}'; options: {', '.join(scenario.option_names)}")
    points, design = _points(scenario, space, design, n, seed)
    levers = points.attrs.get("levers", [])

    groups: dict[tuple, list[tuple[int, Scenario]]] = {}
    sims: dict[tuple, Scenario] = {}
    for point, values in points.iterrows():
        changes = {path: (v.item() if hasattr(v, "item") else v) for path, v in values.items()}
        engine, _ = split_changes(changes)
        key = tuple(sorted((k, repr(v)) for k, v in engine.items()))
        if key not in sims:
            sims[key] = scenario.override(engine) if engine else scenario
        groups.setdefault(key, []).append((int(point), scenario.override(changes)))

    key = fingerprint({"scenario": scenario.fingerprint(), "points": points.to_dict("split"), "seed": seed,
                       "options": options, "version": __version__})
    store = SweepStore(out, key, resume) if out is not None else None
    finished = store.finished() if store is not None else pd.DataFrame()
    done: set[tuple[int, int]] = set()
    if not finished.empty:
        counts = finished.groupby(["point", "replication"])["option"].nunique()
        done = {(int(p), int(r)) for (p, r), c in counts.items() if c >= len(options)}

    need: dict[tuple, list[int]] = {}
    for gkey, priced in groups.items():
        for r in range(reps):
            todo = tuple(i for i, (p, _) in enumerate(priced) if (p, r) not in done)
            if todo:
                need.setdefault((gkey, todo), []).append(r)
    total = sum(len(r) for r in need.values())
    size = batch_size or max(1, math.ceil(total / batch_count(total, executor_workers(executor), 16)))
    tasks, units = [], []
    for (gkey, todo), rlist in need.items():
        priced = [groups[gkey][i] for i in todo]
        for chunk in split(rlist, math.ceil(len(rlist) / size)):
            tasks.append((sims[gkey], priced, seed, chunk, options))
            units.append(len(chunk) * len(priced))
    outcome = run_tasks(_sweep_task, tasks, executor, progress, f"{scenario.name}: sweep", units,
                        on_result=(lambda _i, rows: store.add(rows)) if store is not None else None)

    frames = [finished] if not finished.empty else []
    frames += [outcome.results[i] for i in sorted(outcome.results)]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    frame = _tidy(rows, points, options, reps)
    meta: dict[str, Any] = {"replications": reps, "options": options, "interrupted": outcome.interrupted,
                            "computed": sum(units[i] for i in outcome.results), "reused": len(done),
                            "levers": [lv.path for lv in levers] or list(points.columns), "sweep_key": key,
                            "engine_groups": len(groups)}
    res = SweepResults(scenario, seed, points, frame, design, meta)
    if store is not None and not outcome.interrupted:
        store.finish(frame, {k: v for k, v in res.meta.items() if k != "interrupted"})
    return res
