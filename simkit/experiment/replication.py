"""One replication: a trace through every option, each run priced and measured; and the record
of a replication that failed.

Everything that runs replications (:func:`simkit.simulate`, sweeps, re-pricing and reuse)
builds on :func:`run_replication`. A replication that raises becomes a
:class:`ReplicationError` naming the replication, its seed and the scenario, so that
exactly it can be re-run (:meth:`ReplicationError.rerun`).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from simkit.accounting.costs import CATEGORIES, account
from simkit.accounting.kpi import measure
from simkit.engine import RunLog, simulate_option
from simkit.errors import show
from simkit.experiment.execution import traceback_text
from simkit.scenario.limits import check_run_args
from simkit.scenario.model import Scenario
from simkit.scenario.preflight import check_size
from simkit.streams import Streams
from simkit.workload.trace import Trace, generate

__all__ = ["run_replication", "draw_trace", "price_log", "Replication", "LEDGER_COLUMNS", "SharedTrace", "sharing",
           "ReplicationError", "FailedReplicationWarning", "warn_failures"]


LEDGER_COLUMNS = ["option", "replication", "month", "category", "amount"]


@dataclass
class Replication:
    """Everything one replication produced.

    Attributes
    ----------
    replication
        Its number.
    trace
        The workload every option ran.
    logs
        The run logs by option (only when asked to keep them).
    kpis
        One KPI row per option; priced under several scenarios (a sweep's points), one row per point and
        option, point by point, each with its ``"point"``.
    ledger
        The cash flows as a tidy frame (empty when not asked for).
    failed_points
        A point whose pricing raised: its exception and traceback text (its rows are left out; the
        other points are priced on).
    """

    replication: int
    trace: Trace
    logs: dict[str, RunLog]
    kpis: list[dict[str, float]]
    ledger: pd.DataFrame
    failed_points: dict[int, tuple[BaseException, str]] = field(default_factory=dict)


def draw_trace(scenario: Scenario, streams: Streams, checked: bool = False) -> Trace:
    """The replication's workload, drawn from its ``"workload"`` stream.

    ``checked``: the caller ran :func:`~simkit.scenario.preflight.check_size` on ``scenario`` already (a sweep
    checks every engine configuration before handing out work; checking again per task costs a sweep point
    about a millisecond).
    """
    if not checked:
        check_size(scenario)  # refuse absurd sizes before allocating anything
    offset = scenario.calendars[scenario.workload.calendar].utc_offset_h
    return generate(scenario.workload, scenario.run.horizon_days * 24.0, streams.rng("workload"), offset,
                    scenario.clock())


def price_log(scenario: Scenario, log: RunLog, replication: int,
              with_ledger: bool = True) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """Price one run log and measure it: the KPI row and (optionally) the ledger as a tidy frame.

    This is the only place the engine's output meets money, so re-pricing a
    stored log under new prices (:mod:`simkit.experiment.reprice`) gives exactly what a
    fresh simulation under those prices would.
    """
    ledger = account(scenario, log)
    row = {"option": log.option, "replication": replication, **measure(scenario, log, ledger)}
    if not with_ledger:
        return row, None
    frame = pd.DataFrame({
        "option": log.option, "replication": replication, "month": ledger.month,
        "category": np.asarray(CATEGORIES)[ledger.category], "amount": ledger.amount,
    })
    return row, frame


Engine = Callable[..., RunLog]
PricePoints = Sequence[tuple[int, Scenario]]
"""Scenarios to price every log under, each with its point number (a sweep's points of one engine group)."""


def run_replication(scenario: Scenario, replication: int, seed: int, options: Sequence[str] | None = None,
                    keep_logs: bool = False, *, trace: Trace | None = None, engine: Engine | None = None,
                    points: PricePoints | None = None, with_ledger: bool = True) -> Replication:
    """Run one replication of ``options`` (default: all) on one shared trace, pricing each run as it ends.

    Every experiment runs its replications through here: :func:`simkit.simulate` (a batch of
    replications per task, or one option of a replication per task), sweeps (one engine configuration
    priced at many points), re-runs of a failed replication.

    Parameters
    ----------
    scenario, replication, seed
        What to run; the random streams depend on ``(seed, replication)`` only.
    options
        The options to run (default: all), in this order.
    keep_logs
        Keep the run logs in :attr:`Replication.logs` (otherwise each log is dropped once priced, so a
        worker process sends back only KPI rows and ledgers).
    trace
        The replication's workload when it is already drawn (``draw_trace(scenario, Streams(seed,
        replication))``): a caller that splits one replication's options over tasks draws it once.
    engine
        The function that runs one option (default :func:`simkit.engine.simulate_option`).
    points
        Price every log under each of these scenarios (their engine fields must equal ``scenario``'s)
        instead of ``scenario`` itself; each KPI row gets its ``"point"``.  A point whose pricing
        raises is recorded in :attr:`Replication.failed_points` and priced no further; an engine
        failure raises.
    with_ledger
        Build the ledger frame (a sweep needs only the KPI rows; priced at ``points``, there is none).
    """
    check_run_args(seed=seed)
    streams = Streams(seed, replication)
    if trace is None:
        trace = draw_trace(scenario, streams)
    engine = engine or simulate_option
    priced = [(None, scenario)] if points is None else list(points)
    rows: dict[Any, list[dict]] = {point: [] for point, _ in priced}
    ledgers, logs, failed = [], {}, {}
    for name in options or scenario.option_names:
        log = engine(scenario, name, trace, streams)
        for point, price_scenario in priced:
            if point in failed:
                continue
            if point is None:  # the replication's own prices: a failure is the replication's
                row, ledger = price_log(price_scenario, log, replication, with_ledger)
                rows[point].append(row)
                ledgers.append(ledger)
                continue
            try:
                row, _ = price_log(price_scenario, log, replication, with_ledger=False)
            except Exception as err:  # noqa: BLE001 - this point fails; the others go on
                failed[point] = (err, traceback_text(err))
                continue
            rows[point].append({"point": point, **row})
        if keep_logs:
            logs[name] = log
    kpis = [row for point, _ in priced if point not in failed for row in rows[point]]
    frames = [f for f in ledgers if f is not None]
    ledger_df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=LEDGER_COLUMNS)
    return Replication(replication, trace, logs, kpis, ledger_df, failed)


_SHARED: dict[str, Trace] = {}
"""Traces drawn for the tasks of a run, by token, while it runs: a worker process forked meanwhile has them."""


class SharedTrace:
    """A replication's workload, drawn once in this process for the tasks that run its options.

    It travels to other processes without its arrays: a worker forked while the run lasts finds
    the trace in the memory it shares with this process (:data:`_SHARED`), any other worker (spawned,
    dask) draws it again, from the same stream, so the numbers are the same wherever a task runs.
    """

    _count = 0

    def __init__(self, trace: Trace) -> None:
        SharedTrace._count += 1
        self.token = f"{os.getpid()}:{SharedTrace._count}"
        self.trace: Trace | None = trace

    def __getstate__(self) -> dict[str, Any]:
        return {"token": self.token, "trace": None}

    def get(self, scenario: Scenario, seed: int, replication: int) -> Trace:
        """The trace: this object's, the forked parent's, or drawn again."""
        found = self.trace if self.trace is not None else _SHARED.get(self.token)
        return found if found is not None else draw_trace(scenario, Streams(seed, replication))


@contextmanager
def sharing(traces: Iterable[SharedTrace]) -> Iterator[None]:
    """Register ``traces`` for the worker processes forked while the block runs, and forget them after."""
    traces = list(traces)
    _SHARED.update({t.token: t.trace for t in traces if t.trace is not None})
    try:
        yield
    finally:
        for t in traces:
            _SHARED.pop(t.token, None)


class FailedReplicationWarning(UserWarning):
    """Some replications raised and were left out; the results hold the others."""


def _one_line(text: str) -> str:
    return " ".join(text.split())


class ReplicationError(RuntimeError):
    """A replication raised; this error says which one and how to re-run exactly it.

    Parameters
    ----------
    scenario
        The scenario the replication ran (for a sweep: the point's scenario, overrides applied).
    replication, seed
        Which replication of which root seed (its random streams depend on nothing else).
    error
        The original exception, or its ``"Type: message"`` text.
    traceback
        A short traceback text of the original exception (where it was raised, in whichever process).
    point, overrides
        For a sweep: the point's number and its parameter values (dotted path -> value).
    """

    def __init__(self, scenario: Scenario, replication: int, seed: int, error: BaseException | str,
                 traceback: str = "", point: int | None = None, overrides: Mapping[str, Any] | None = None) -> None:
        self.scenario, self.replication, self.seed = scenario, int(replication), int(seed)
        self.error = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        self.traceback, self.point = traceback, None if point is None else int(point)
        self.overrides = dict(overrides or {})
        where = ""
        if self.point is not None:
            values = ", ".join(f"{k}={v!r}" for k, v in self.overrides.items())
            where = f" at sweep point {self.point}" + (f" ({values})" if values else "")
        super().__init__(
            f"replication {self.replication} (seed {self.seed}) of scenario {show(scenario.name)} "
            f"(sha256 {scenario.fingerprint()[:12]}){where} failed with {_one_line(self.error)}; re-run it alone "
            f"with err.rerun() or simkit.run_replication(err.scenario, {self.replication}, seed={self.seed})")

    def __reduce__(self):  # noqa: ANN204 - so that the error crosses process boundaries intact
        return (type(self), (self.scenario, self.replication, self.seed, self.error, self.traceback, self.point,
                             self.overrides))

    def record(self) -> dict[str, Any]:
        """The failure as plain data (for ``Results.meta["failures"]`` and stored files)."""
        out: dict[str, Any] = {"replication": self.replication, "seed": self.seed}
        if self.point is not None:
            out.update(point=self.point, overrides=dict(self.overrides))
        out.update(scenario=self.scenario.name, scenario_sha256=self.scenario.fingerprint(), error=self.error,
                   traceback=self.traceback)
        return out

    def rerun(self, **kwargs: Any) -> Any:
        """Run the failed replication again, alone, in this process (keyword arguments go to it)."""
        return run_replication(self.scenario, self.replication, self.seed, **kwargs)


def warn_failures(failures: Sequence[ReplicationError], attempted: int, what: str = "replications",
                  hint: str = "", stacklevel: int = 3) -> str:
    """Warn once (:class:`FailedReplicationWarning`) that ``failures`` of ``attempted`` runs were left out.

    Returns the message ('' when nothing failed).
    """
    if not failures:
        return ""
    shown = [f"{e.replication}" if e.point is None else f"{e.replication} at point {e.point}" for e in failures]
    listed = ", ".join(shown[:10]) + (f" and {len(shown) - 10} more" if len(shown) > 10 else "")
    seeds = sorted({e.seed for e in failures})
    message = (f"{len(failures)} of {attempted} {what} failed and were left out (replication {listed}; seed "
               f"{', '.join(map(str, seeds))}; the first with {_one_line(failures[0].error)}); the statistics use the "
               f"{attempted - len(failures)} that finished; re-run one alone with results.failures[0].rerun(){hint}")
    warnings.warn(message, FailedReplicationWarning, stacklevel=stacklevel)
    return message

