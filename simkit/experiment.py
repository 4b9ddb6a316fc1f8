"""Experiments: replications of every option on common random numbers, on any executor.

One replication = one trace (drawn from the ``"workload"`` stream of that
replication) run through every option, each run priced and measured.
Replications are grouped into batches, and batches are handed to any
:class:`concurrent.futures.Executor` (``None`` runs them in this process).
Because each replication's streams depend only on ``(seed, replication,
component name)``, the numbers are bit-identical whatever the executor, the
number of workers or the batch size.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .costs import CATEGORIES, account
from .engine import RunLog, simulate_option
from .kpi import measure
from .results import Results
from .scenario import Scenario
from .streams import Streams
from .workload import Trace, generate

__all__ = ["simulate", "run_replication", "draw_trace", "Replication"]


@dataclass
class Replication:
    """Everything one replication produced."""

    replication: int
    trace: Trace
    logs: dict[str, RunLog]
    kpis: list[dict[str, float]]
    ledger: pd.DataFrame


def draw_trace(scenario: Scenario, streams: Streams) -> Trace:
    """The replication's workload, drawn from its ``"workload"`` stream."""
    offset = scenario.calendars[scenario.workload.calendar].utc_offset_h
    return generate(scenario.workload, scenario.run.horizon_days * 24.0, streams.rng("workload"), offset)


def run_replication(scenario: Scenario, replication: int, seed: int, options: Sequence[str] | None = None,
                    keep_logs: bool = False) -> Replication:
    """Run one replication of ``options`` (default: all) on one shared trace."""
    streams = Streams(seed, replication)
    trace = draw_trace(scenario, streams)
    kpis, ledgers, logs = [], [], {}
    for name in options or scenario.option_names:
        log = simulate_option(scenario, name, trace, streams)
        ledger = account(scenario, log)
        row = {"option": name, "replication": replication, **measure(scenario, log, ledger)}
        kpis.append(row)
        ledgers.append(pd.DataFrame({
            "option": name, "replication": replication, "month": ledger.month,
            "category": np.asarray(CATEGORIES)[ledger.category], "amount": ledger.amount,
        }))
        if keep_logs:
            logs[name] = log
    ledger_df = pd.concat(ledgers, ignore_index=True) if ledgers else pd.DataFrame()
    return Replication(replication, trace, logs, kpis, ledger_df)


def _run_batch(scenario: Scenario, seed: int, reps: Sequence[int]) -> list[tuple[list[dict], pd.DataFrame]]:
    out = []
    for r in reps:
        rep = run_replication(scenario, r, seed)
        out.append((rep.kpis, rep.ledger))
    return out


def _batches(reps: Sequence[int], batch_size: int) -> Iterable[list[int]]:
    for i in range(0, len(reps), batch_size):
        yield list(reps[i:i + batch_size])


def simulate(scenario: Scenario, replications: int | None = None, seed: int | None = None,
             executor: Executor | None = None, batch_size: int | None = None) -> Results:
    """Run every option of ``scenario`` over ``replications`` common-random-number replications.

    Parameters
    ----------
    scenario
        A validated scenario (see :func:`simkit.load`).
    replications
        How many; default ``scenario.run.replications``.
    seed
        Root seed; default ``scenario.run.seed``.
    executor
        Any :class:`concurrent.futures.Executor` (a process pool, a dask
        ``client.get_executor(pure=False)``); ``None`` runs in this process.
    batch_size
        Replications per task; default splits the work into about four tasks per worker.

    Returns
    -------
    Results
        ``.kpis`` has one row per option and replication, ``.ledger`` the cash flows.
    """
    n = int(replications if replications is not None else scenario.run.replications)
    if n < 1:
        raise ValueError(f"replications must be >= 1, got {n}")
    seed = int(seed if seed is not None else scenario.run.seed)
    reps = list(range(n))
    if executor is None:
        parts = [_run_batch(scenario, seed, reps)]
    else:
        workers = getattr(executor, "_max_workers", None) or 2
        size = batch_size or max(1, math.ceil(n / (4 * workers)))
        futures = [executor.submit(_run_batch, scenario, seed, b) for b in _batches(reps, size)]
        parts = [f.result() for f in futures]
    kpi_rows = [row for part in parts for kpis, _ in part for row in kpis]
    ledgers = [ledger for part in parts for _, ledger in part]
    kpis = pd.DataFrame(kpi_rows).sort_values(["option", "replication"], kind="stable")
    order = {name: i for i, name in enumerate(scenario.option_names)}
    kpis = kpis.sort_values(["option", "replication"], key=lambda s: s.map(order) if s.name == "option" else s)
    ledger = pd.concat(ledgers, ignore_index=True) if ledgers else pd.DataFrame(
        columns=["option", "replication", "month", "category", "amount"])
    return Results(scenario=scenario, seed=seed, kpis=kpis.reset_index(drop=True), ledger=ledger)
