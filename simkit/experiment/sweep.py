"""Sweeps: every option at many parameter points, on common random numbers, resumable.

``sweep(scenario, space, replications=R)`` runs every option at every point of
a design (:mod:`simkit.experiment.design`) for ``R`` replications and returns a tidy
:class:`~simkit.experiment.results.SweepResults` frame: one row per point x option x
replication.

Three things make it cheap and safe:

* **Common random numbers across points.**  Replication ``r`` uses the same
  seed at every point, so a point's workload is the same wherever the workload
  is not what is being varied, and the change between points is the lever's
  doing, not luck.
* **Re-pricing instead of re-simulating.**  Points are grouped by the values of
  the parameters the engine reads (:func:`simkit.scenario.fields.split_changes`); within
  a group the engine runs once per replication and each point's prices are
  applied to the same logs.  A pure price sweep costs one simulation.
* **Streaming and resume; nothing finished is lost.**  With ``out="sweep.parquet"``
  every finished task is on disk at once (:mod:`simkit.experiment.store`), each row with its
  parameter values; running again (after Ctrl+C, or with more or fewer
  replications, points or options) computes only the (point, replication) pairs
  that are missing, finds stored points by their values, and writes a file that
  keeps every finished row.

A (point, replication) that raises is kept out of the frame and reported as a
:class:`~simkit.experiment.replication.ReplicationError` carrying the point's parameters
(``SweepResults.failures``, ``meta["failures"]``, one warning); every other
point is kept and stored, so running the same sweep with ``out=`` again retries
only the failed pairs.  Before anything runs, the base scenario gets the same
pre-flight checks as :func:`simkit.simulate` (size cap, overload warning), and
every engine configuration the size cap.

Each task runs its engine configuration through
:func:`~simkit.experiment.replication.run_replication` (the core every experiment shares), which prices
every log at each of the group's points.

Test seam: a task calls the engine function it is handed, which :func:`sweep`
reads from this module's ``simulate_option`` when it starts, so a picklable
replacement reaches every worker process.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simkit._version import __version__
from simkit.engine import simulate_option
from simkit.errors import ScenarioError
from simkit.experiment.design import Lever, design_points
from simkit.experiment.execution import (
    ExecutorArg,
    TaskOutcome,
    batch_count,
    executor_workers,
    run_tasks,
    split,
    traceback_text,
)
from simkit.experiment.replication import ReplicationError, draw_trace, run_replication, warn_failures
from simkit.experiment.results import SweepResults, stored_meta
from simkit.experiment.store import SweepStore, fingerprint
from simkit.scenario.fields import split_changes
from simkit.scenario.limits import check_priced, check_run_args
from simkit.scenario.model import Scenario
from simkit.scenario.preflight import check_size, preflight
from simkit.streams import Streams

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


Priced = list[tuple[int, Scenario, dict[str, Any]]]  # point, its scenario, its parameter values


def _sweep_task(sim: Scenario, priced: Priced, seed: int, reps: Sequence[int], options: Sequence[str],
                engine: Callable[..., Any] | None = None) -> tuple[pd.DataFrame, list[ReplicationError]]:
    """Simulate one engine configuration for ``reps`` and price every point of the group on the same logs.

    A (point, replication) that raises is returned as a :class:`ReplicationError` (an engine failure
    fails every point of the group for that replication; a pricing failure only its point), the
    others as rows.
    """
    rows: list[dict] = []
    failures: list[ReplicationError] = []
    points = [(point, scenario) for point, scenario, _ in priced]
    for r in reps:
        try:
            trace = draw_trace(sim, Streams(seed, r), checked=True)  # sweep() checked every engine configuration
            rep = run_replication(sim, r, seed, options, trace=trace, engine=engine or simulate_option,
                                  points=points, with_ledger=False)
        except ScenarioError:
            raise
        except Exception as err:  # noqa: BLE001 - the engine failed: every point of the group, this replication
            broken = dict.fromkeys((point for point, _ in points), (err, traceback_text(err)))
        else:
            broken = rep.failed_points
            rows += rep.kpis
        failures += [ReplicationError(scenario, r, seed, *broken[point], point, changes)
                     for point, scenario, changes in priced if point in broken]
    return pd.DataFrame(rows), failures


def _tidy(rows: pd.DataFrame, points: pd.DataFrame, options: list[str], reps: float) -> pd.DataFrame:
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


def sweep_key(scenario: Scenario, seed: int, paths: list[str]) -> str:
    """What decides a stored row's numbers besides its point's values, option and replication.

    The number of replications, the design, the points and the options are left out: a sweep
    that differs only in those reuses (and extends) the same rows.
    """
    data = scenario.to_dict()
    data["run"] = {k: v for k, v in data["run"].items() if k not in ("replications", "seed")}
    return fingerprint({"scenario": data, "seed": seed, "paths": sorted(map(str, paths)), "version": __version__})


def _value_key(values: Sequence[Any]) -> tuple[str, ...]:
    """A point's identity: its parameter values (numbers compared as floats, so 3 and 3.0 are one point)."""
    out = []
    for v in values:
        v = v.item() if hasattr(v, "item") else v
        out.append(repr(float(v)) if isinstance(v, int | float) and not isinstance(v, bool) else repr(v))
    return tuple(out)


def _rows(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Rows of several sources, each (point, option, replication) once (the first: stored before new)."""
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame()
    rows = pd.concat(frames, ignore_index=True)
    return rows.drop_duplicates(["point", "option", "replication"], keep="first", ignore_index=True)


class _Stored:
    """Stored rows matched to the current design by parameter values.

    ``mine``: rows of the design's points (one copy per point with those values, numbered as in the
    design); ``other``: rows of points the design does not have, kept for the finished file.
    """

    def __init__(self, mine: pd.DataFrame, other: pd.DataFrame) -> None:
        self.mine, self.other = mine, other

    @classmethod
    def empty(cls) -> _Stored:
        return cls(pd.DataFrame(), pd.DataFrame())

    def done(self, options: list[str], reps: int) -> set[tuple[int, int]]:
        """(point, replication) pairs stored for every option asked for."""
        if self.mine.empty:
            return set()
        rows = self.mine[self.mine["option"].isin(options)]
        counts = rows.groupby(["point", "replication"])["option"].nunique()
        return {(int(p), int(r)) for (p, r), c in counts.items() if c >= len(options)}

    def everything(self, rows: pd.DataFrame, points: pd.DataFrame,
                   options: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
        """Every finished row for the file, with its points and options (in the order of ``options``, the
        scenario's): ``rows`` (the design's points, every option and replication) and the stored rows of
        other points, numbered after the design's."""
        if not self.other.empty:
            paths = list(points.columns)
            keys = list(dict.fromkeys(self.other["_values"]))
            number = {k: len(points) + i for i, k in enumerate(keys)}
            firsts = self.other.drop_duplicates("_values").set_index("_values").loc[keys, paths]
            extra = pd.DataFrame(firsts.to_numpy(), columns=paths,
                                 index=pd.Index([number[k] for k in keys], name="point"))
            points = pd.concat([points, extra.astype(points.dtypes.to_dict())])
            other = self.other.assign(point=self.other["_values"].map(number)).drop(columns="_values")
            rows = _rows([rows, other])
        present = set(rows["option"]) if not rows.empty else set()
        return rows, points, [o for o in options if o in present] + sorted(present - set(options))


def _by_values(finished: pd.DataFrame, points: pd.DataFrame) -> _Stored:
    """Match stored rows to the design's points by their parameter values."""
    paths = list(points.columns)
    if finished.empty or not set(paths) <= set(finished.columns):
        return _Stored.empty()
    finished = finished.assign(_values=[_value_key(v) for v in finished[paths].itertuples(index=False)])
    finished = finished.drop_duplicates(["_values", "option", "replication"], keep="first")
    design = pd.DataFrame({"_values": [_value_key(v) for v in points.itertuples(index=False)],
                           "point": points.index.to_numpy()})
    mine = finished.drop(columns=["point", *paths]).merge(design, on="_values").drop(columns="_values")
    other = finished[~finished["_values"].isin(set(design["_values"]))]
    return _Stored(mine.reset_index(drop=True), other.reset_index(drop=True))


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
        of :class:`~simkit.experiment.design.Lever`, or a DataFrame of points (one column per path).
    replications, seed
        Default: the scenario's.  Every point uses the same seeds (common random numbers).
    design
        ``"grid"``, ``"lhs"``, ``"sobol"`` or ``"oat"`` (see :mod:`simkit.experiment.design`).
    n
        Points for ``lhs``; base sample size for ``sobol``.
    options
        The options to run (default: all).
    executor, batch_size, progress
        As in :func:`simkit.simulate`; ``batch_size`` counts replications per task.
    out
        A ``.parquet`` file: stream results there as they finish, reuse every row an earlier
        sweep with the same key stored (interrupted or finished; more or fewer replications,
        points, options), and write a file that keeps all of them (see :mod:`simkit.experiment.store`).
    resume
        ``False`` moves earlier results for ``out`` to a dated backup folder and starts afresh.

    Returns
    -------
    SweepResults
        ``.frame`` is tidy (point x option x replication) and holds what was asked for;
        ``.meta["computed"]`` counts the (point, replication) pairs computed by this call,
        ``.meta["reused"]`` those read from what was stored.  Pairs that
        raised are left out and listed in ``.failures`` and ``.meta["failures"]``
        (one :class:`~simkit.experiment.replication.FailedReplicationWarning` names them); with
        ``out`` the finished ones are stored, and running the same sweep again
        retries only the failed.

    Raises
    ------
    ReplicationError
        When every pair this call ran raised and nothing earlier is stored (the first of them).
    """
    check_run_args(replications, seed)
    reps = int(replications if replications is not None else scenario.run.replications)
    seed = int(seed if seed is not None else scenario.run.seed)
    options = _options(scenario, options)
    preflight(scenario)  # as simulate(): the size cap and overload warnings, once, on the base scenario
    points, design = _points(scenario, space, design, n, seed)
    groups, sims = _engine_groups(scenario, points)

    key = sweep_key(scenario, seed, list(points.columns))
    store = SweepStore(out, key, resume) if out is not None else None
    stored = _by_values(store.finished(), points) if store is not None else _Stored.empty()
    done = stored.done(options, reps)
    tasks, units = _tasks(groups, sims, done, reps, seed, options, executor, batch_size)

    outcome = run_tasks(_sweep_task, tasks, executor, progress, f"{scenario.name}: sweep", units,
                        _streaming(store, points))
    failures = _failures(outcome, tasks, seed)
    new = [outcome.results[i][0] for i in sorted(outcome.results) if not outcome.results[i][0].empty]
    if failures and not new and stored.mine.empty:
        raise failures[0]
    rows = _rows([stored.mine, *new])
    computed = sum(units[i] for i in outcome.results) - sum(len(outcome.results[i][1]) for i in outcome.results)
    meta: dict[str, Any] = {"replications": reps, "options": options, "interrupted": outcome.interrupted,
                            "computed": computed, "reused": sum(1 for _, r in done if r < reps),
                            "levers": [lv.path for lv in points.attrs.get("levers", [])] or list(points.columns),
                            "sweep_key": key, "engine_groups": len(groups)}
    res = SweepResults(scenario, seed, points, _tidy(rows, points, options, reps), design, meta, failures)
    if store is not None and not outcome.interrupted:
        _store_everything(store, stored, rows, points, scenario.option_names, res.meta)
    hint = f"; run the same sweep (out={str(out)!r}) again to retry only these" if store is not None else ""
    warn_failures(failures, computed + len(failures), "point-replications", hint)
    return res


def _options(scenario: Scenario, options: Sequence[str] | None) -> list[str]:
    """The options asked for (default: all), each checked to exist."""
    for name in options or ():
        if name not in scenario.options:
            raise KeyError(f"unknown option '{name}'; options: {', '.join(scenario.option_names)}")
    return list(options or scenario.option_names)


def _streaming(store: SweepStore | None, points: pd.DataFrame) -> Callable[[int, Any], None] | None:
    """What stores each finished task's rows at once (with their parameter values: points are found by them)."""
    if store is None:
        return None

    def stream(_i: int, result: tuple[pd.DataFrame, list[ReplicationError]]) -> None:
        if not result[0].empty:
            store.add(result[0].merge(points, left_on="point", right_index=True, how="left"))

    return stream


def _engine_groups(scenario: Scenario, points: pd.DataFrame) -> tuple[dict[tuple, Priced], dict[tuple, Scenario]]:
    """The design's points grouped by the values of the fields the engine reads, and each group's scenario.

    Every point's scenario is checked here (size cap, prices), before any work is handed out.
    """
    groups: dict[tuple, Priced] = {}
    sims: dict[tuple, Scenario] = {}
    paths = list(points.columns)
    for point, values in zip(points.index, points.to_numpy(), strict=True):  # the rows as iterrows gives them
        changes = {path: (v.item() if hasattr(v, "item") else v) for path, v in zip(paths, values, strict=True)}
        engine, _ = split_changes(changes)
        key = tuple(sorted((k, repr(v)) for k, v in engine.items()))
        if key not in sims:
            sims[key] = scenario.override(engine) if engine else scenario
            check_size(sims[key])  # refuse an absurd point before any work is handed out
        priced = scenario.override(changes)
        check_priced(priced)  # a price-only point is never drawn: its prices are checked here
        groups.setdefault(key, []).append((int(point), priced, changes))
    return groups, sims


def _tasks(groups: dict[tuple, Priced], sims: dict[tuple, Scenario], done: set[tuple[int, int]], reps: int,
           seed: int, options: list[str], executor: ExecutorArg,
           batch_size: int | None) -> tuple[list[tuple], list[int]]:
    """The tasks for every (point, replication) not ``done``, and each task's units (point-replications).

    A task is one engine group's missing points for a run of replications: the group's engine runs once
    per replication, and every point of it is priced on those logs.
    """
    need: dict[tuple, list[int]] = {}
    for gkey, priced in groups.items():
        for r in range(reps):
            todo = tuple(i for i, (p, _, _) in enumerate(priced) if (p, r) not in done)
            if todo:
                need.setdefault((gkey, todo), []).append(r)
    total = sum(len(r) for r in need.values())
    size = batch_size or max(1, math.ceil(total / batch_count(total, executor_workers(executor), 16)))
    tasks, units = [], []
    for (gkey, todo), rlist in need.items():
        priced = [groups[gkey][i] for i in todo]
        for chunk in split(rlist, math.ceil(len(rlist) / size)):
            tasks.append((sims[gkey], priced, seed, chunk, options, simulate_option))  # the seam: see above
            units.append(len(chunk) * len(priced))
    return tasks, units


def _failures(outcome: TaskOutcome, tasks: list[tuple], seed: int) -> list[ReplicationError]:
    """Every failed (point, replication): those a task reported, and every pair of a task that raised as a
    whole (e.g. its worker died); a :class:`ScenarioError` is raised."""
    failures = [err for i in sorted(outcome.results) for err in outcome.results[i][1]]
    for i, err in sorted(outcome.failures.items()):
        if isinstance(err, ScenarioError):
            raise err
        _, priced, _, chunk, _, _ = tasks[i]
        failures += [ReplicationError(point_sc, r, seed, err, outcome.tracebacks[i], point, changes)
                     for r in chunk for point, point_sc, changes in priced]
    return sorted(failures, key=lambda e: (e.point, e.replication))


def _store_everything(store: SweepStore, stored: _Stored, rows: pd.DataFrame, points: pd.DataFrame,
                      option_names: list[str], meta: dict[str, Any]) -> None:
    """Finish ``store``'s file with every finished row: this sweep's and every earlier one's (never fewer rows
    than were stored)."""
    kept, kept_points, kept_options = stored.everything(rows, points, option_names)
    whole = _tidy(kept, kept_points, kept_options, math.inf)
    store.finish(whole, stored_meta({**{k: v for k, v in meta.items() if k != "interrupted"},
                         "stored": {"points": len(kept_points), "options": kept_options,
                                    "replications": int(whole["replication"].max()) + 1 if len(whole) else 0}}))
