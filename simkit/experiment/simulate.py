"""Experiments: replications of every option on common random numbers, on any executor.

One replication = one trace (drawn from the ``"workload"`` stream of that
replication) run through every option, each run priced and measured.
Replications are grouped into batches, and batches are handed to any
:class:`concurrent.futures.Executor` (see :mod:`simkit.experiment.execution`).
Because each replication's streams depend only on ``(seed, replication,
component name)``, the numbers are bit-identical whatever the executor, the
number of workers or the batch size — and the first ``n`` replications of a
longer run are exactly ``simulate(n)``.  That is what lets
:func:`simulate_to_precision` add replications until a confidence interval is
narrow enough and still return a result anyone can reproduce with a fixed ``n``.

A replication that raises does not stop the others: each batch catches its
replications' errors one by one and returns them as
:class:`~simkit.experiment.replication.ReplicationError` records, so whatever the executor
the same replications are kept and the same failures reported (in
``Results.failures``, ``Results.meta["failures"]`` and one
:class:`~simkit.experiment.replication.FailedReplicationWarning`).

With fewer replications than workers (one large replication, say), each option of a replication is a
task of its own: the replication's trace is drawn once, here, and a worker forked during the run reads it
from the memory it shares with this process (:class:`~simkit.experiment.replication.SharedTrace`); a
worker that shares none (spawned, dask) draws it again from the same stream.  Workers price and measure
their runs and send back KPI rows and ledgers; run logs cross only when ``keep_logs=True``.

Test seam: a batch calls the ``run_replication`` it is handed, which
:func:`simulate` reads from this module when it starts; replacing
``simkit.experiment.replication.run_replication`` with a picklable function therefore
reaches every worker process, whatever its start method.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pandas as pd

from simkit.engine import RunLog, compiled
from simkit.errors import ScenarioError
from simkit.experiment import replication
from simkit.experiment.execution import (
    ExecutorArg,
    batch_count,
    executor_workers,
    pool_up_front,
    run_tasks,
    split,
    traceback_text,
)
from simkit.experiment.replication import (  # noqa: F401 - re-exported; run_replication is the seam
    LEDGER_COLUMNS,
    Replication,
    ReplicationError,
    SharedTrace,
    draw_trace,
    price_log,
    run_replication,
    sharing,
    warn_failures,
)
from simkit.experiment.results import Results
from simkit.experiment.reuse import reusable_options
from simkit.fileio import shown
from simkit.scenario.limits import check_run_args
from simkit.scenario.model import Scenario
from simkit.scenario.preflight import preflight
from simkit.streams import Streams

__all__ = ["simulate", "run_replication", "draw_trace", "price_log", "Replication",
           "assemble"]

# Items an option's run gets through per second, roughly (engine, pricing and measuring, on 2 cores at low
# load): how a run split by option guesses its serial time (see ``pool_up_front``).
ITEMS_PER_S_COMPILED = 700_000.0
ITEMS_PER_S_PYTHON = 40_000.0

Piece = tuple[int, list[dict], pd.DataFrame, dict[str, RunLog]]  # replication, KPI rows, ledger, logs
Replicate = Callable[..., Replication]


def _run_batch(scenario: Scenario, seed: int, reps: Sequence[int], options: Sequence[str] | None,
               keep_logs: bool, replicate: Replicate | None = None,
               trace: SharedTrace | None = None) -> tuple[list[Piece], list[ReplicationError]]:
    """Run ``reps`` one by one; a replication that raises is returned as a failure, the others as pieces.

    ``trace``: the workload of the one replication in ``reps``, when the caller drew it already.
    """
    replicate = replicate or replication.run_replication
    out, failures = [], []
    for r in reps:
        try:
            rep = (replicate(scenario, r, seed, options, keep_logs) if trace is None
                   else replicate(scenario, r, seed, options, keep_logs, trace=trace.get(scenario, seed, r)))
        except ScenarioError:
            raise
        except Exception as err:  # noqa: BLE001 - reported with its seed, so that exactly it can be re-run
            failures.append(ReplicationError(scenario, r, seed, err, traceback_text(err)))
            continue
        out.append((r, rep.kpis, rep.ledger, rep.logs))
    return out, failures


def assemble(scenario: Scenario, seed: int, reps: list[Piece], keep_logs: bool = False,
             meta: dict | None = None, failures: Sequence[ReplicationError] = ()) -> Results:
    """Build :class:`Results` from per-replication pieces, in a canonical order.

    KPI rows are sorted by the scenario's option order, then replication; the
    ledger is concatenated in replication order.  The order never depends on
    which task finished first.  ``failures`` (replications that raised) are kept
    in ``Results.failures`` and listed in ``meta["failures"]``.
    """
    reps = sorted(reps, key=lambda piece: piece[0])
    order = {name: i for i, name in enumerate(scenario.option_names)}
    rows = sorted((row for _, kpis, _, _ in reps for row in kpis),
                  key=lambda row: (order.get(row["option"], len(order)), row["replication"]))
    kpis = pd.DataFrame(rows) if rows else pd.DataFrame(columns=["option", "replication"])
    frames = [ledger for _, _, ledger, _ in reps if len(ledger)]
    ledger = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=LEDGER_COLUMNS)
    logs = ({(name, r): log for r, _, _, rep_logs in reps for name, log in rep_logs.items()}
            if keep_logs else None)
    return Results(scenario=scenario, seed=seed, kpis=kpis.reset_index(drop=True), ledger=ledger, logs=logs,
                   meta=dict(meta or {}), failures=sorted(failures, key=lambda e: e.replication))


def _run_reps(scenario: Scenario, seed: int, reps: Sequence[int], executor: ExecutorArg,
              batch_size: int | None, progress: bool | None, options: Sequence[str] | None, keep_logs: bool,
              desc: str) -> tuple[list[Piece], list[ReplicationError], bool]:
    """Run ``reps`` on ``executor``: the finished pieces, the failed replications, and whether interrupted."""
    if batch_size is not None and batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    wanted = list(options or scenario.option_names)
    workers = executor_workers(executor) if executor is not None else 1
    if batch_size is not None:
        batches = [list(reps[i:i + batch_size]) for i in range(0, len(reps), batch_size)]
    else:
        batches = split(list(reps), batch_count(len(reps), workers))
    by_option = batch_size is None and len(wanted) > 1 and 0 < len(reps) < workers
    failures: list[ReplicationError] = []
    if by_option:  # fewer replications than workers: each option of a replication is a task of its own
        loading = _preload_kernel(scenario, wanted)
        try:
            traces, failures = _traces(scenario, seed, reps)
        except KeyboardInterrupt:
            return [], [], True
        finally:
            if loading is not None:
                loading.join()  # before any worker is forked: a fork must not happen mid-import
        jobs = [([r], [name], traces[r]) for r in reps if r in traces for name in wanted]
        items = max((len(t.trace) for t in traces.values() if t.trace is not None), default=0)
        rate = ITEMS_PER_S_COMPILED if compiled.will_run(scenario, wanted) else ITEMS_PER_S_PYTHON
        executor = pool_up_front(executor, len(jobs), len(jobs) * items / rate)
    else:
        traces, jobs = {}, [(b, options, None) for b in batches]
    tasks = [(scenario, seed, b, opts, keep_logs, replication.run_replication, trace)
             for b, opts, trace in jobs]  # the seam: see above
    with sharing(traces.values()):  # a worker forked meanwhile reads the trace from memory, not from a pipe
        outcome = run_tasks(_run_batch, tasks, executor, progress, desc, [len(b) for b, _, _ in jobs])
    pieces: list[Piece] = []
    for i in sorted(outcome.results):
        got, failed = outcome.results[i]
        pieces += got
        failures += failed
    failed_options: dict[int, list[str]] = {}  # by option: the options of each replication whose task failed
    for i in sorted(outcome.failures) if by_option else ():
        failed_options.setdefault(jobs[i][0][0], []).extend(jobs[i][1])
    for i, err in sorted(outcome.failures.items()):  # a whole batch failed (e.g. its worker died)
        if isinstance(err, ScenarioError):
            raise err
        cause = _task_failure(err, failed_options.get(jobs[i][0][0]))
        failures += [ReplicationError(scenario, r, seed, cause, outcome.tracebacks[i]) for r in jobs[i][0]]
    if by_option:
        pieces, failures = _join_options(pieces, failures, wanted)
    return pieces, sorted(failures, key=lambda e: e.replication), outcome.interrupted


def _task_failure(err: BaseException, options: Sequence[str] | None) -> str:
    """What a whole task's failure says: a dead worker named as such and, for a replication split by option,
    the options of that replication that did not finish.

    A worker killed by a signal (or by the out-of-memory killer) breaks the whole pool, so every task still
    running or waiting fails with the same ``BrokenProcessPool``: naming one option would blame it wrongly.
    """
    text = f"{type(err).__name__}: {err}"
    if isinstance(err, BrokenProcessPool):
        text = f"a worker process died (killed by a signal, or out of memory): {text}"
    if options:
        text = f"{text} (options not finished: {', '.join(shown(name) for name in options)})"
    return text


def _preload_kernel(scenario: Scenario, options: Sequence[str]) -> threading.Thread | None:
    """Start loading the compiled kernel (numba) in a thread when an option will run on it, or ``None``.

    A run split by option draws its trace here and then runs its first option here too: loading numba
    (seconds in a fresh process) overlaps the draw instead of following it, and the workers forked after
    it inherit the loaded kernel. A run that never uses the compiled kernel does not load numba at all.
    """
    if not compiled.will_run(scenario, options):
        return None
    thread = threading.Thread(target=_quietly, args=(compiled.preload,), daemon=True, name="simkit-kernel-load")
    thread.start()
    return thread


def _quietly(load: Callable[[], None]) -> None:
    """Run ``load``; a failure is left for the run itself to meet and report where it belongs."""
    try:
        load()
    except Exception:  # noqa: BLE001, S110 - the first compiled run imports the same modules and raises there
        pass


def _traces(scenario: Scenario, seed: int,
            reps: Sequence[int]) -> tuple[dict[int, SharedTrace], list[ReplicationError]]:
    """Each replication's workload, drawn here once for the tasks that run its options (and registered in
    :data:`_SHARED` for workers forked during the run); a replication whose draw raises fails here."""
    traces: dict[int, SharedTrace] = {}
    failures: list[ReplicationError] = []
    for r in reps:
        try:
            traces[r] = SharedTrace(draw_trace(scenario, Streams(seed, r)))
        except ScenarioError:
            raise
        except Exception as err:  # noqa: BLE001 - reported with its seed, as a replication failing in a task
            failures.append(ReplicationError(scenario, r, seed, err, traceback_text(err)))
    return traces, failures


def _join_options(pieces: list[Piece], failures: list[ReplicationError],
                  wanted: list[str]) -> tuple[list[Piece], list[ReplicationError]]:
    """One piece per replication from one piece per option; a replication with a failed option fails as a
    whole (reported once)."""
    first: dict[int, ReplicationError] = {}
    for e in failures:
        first.setdefault(e.replication, e)
    parts: dict[int, dict[str, tuple]] = {}
    for r, kpis, ledger, logs in pieces:
        name = kpis[0]["option"]
        parts.setdefault(r, {})[name] = (kpis[0], ledger, logs.get(name))
    joined = [_piece(r, parts[r], wanted) for r in sorted(parts)
              if r not in first and len(parts[r]) == len(wanted)]  # short: interrupted before every option ran
    return joined, [first[r] for r in sorted(first)]


def _piece(r: int, parts: dict[str, tuple[dict, pd.DataFrame | None, RunLog | None]], wanted: list[str]) -> Piece:
    """Replication ``r``'s piece from each option's (KPI row, ledger, log), in the option order that
    :func:`run_replication` gives."""
    order = [name for name in wanted if name in parts]
    frames = [parts[name][1] for name in order if parts[name][1] is not None]
    ledger = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=LEDGER_COLUMNS)
    logs = {name: parts[name][2] for name in order if parts[name][2] is not None}
    return r, [parts[name][0] for name in order], ledger, logs


def _check_options(scenario: Scenario, options: Sequence[str] | None) -> None:
    for name in options or ():
        if name not in scenario.options:
            raise KeyError(f"unknown option '{name}'; options: {', '.join(scenario.option_names)}")


def simulate(scenario: Scenario, replications: int | None = None, seed: int | None = None,
             executor: ExecutorArg = "auto", batch_size: int | None = None, progress: bool | None = None,
             keep_logs: bool = False, options: Sequence[str] | None = None, reuse: Results | None = None) -> Results:
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
        ``"auto"`` (a process pool sized to the cores when the work is long),
        ``None`` (this process), a number of worker processes, or any :class:`concurrent.futures.Executor`
        (a ``ProcessPoolExecutor``, a dask ``client.get_executor(pure=False)``).
    batch_size
        Replications per task; default about eight tasks per worker.
    progress
        Progress bar: ``True`` always, ``False`` never, ``None`` on long work.
    keep_logs
        Keep every run log in ``Results.logs`` so that :meth:`Results.reprice` can
        re-price them later without re-simulating.
    options
        Run only these options (default: all).
    reuse
        Earlier results kept with ``keep_logs=True`` (same seed): every option whose
        engine inputs are unchanged (:func:`simkit.experiment.reuse.engine_key`: only prices, or
        other options' teams and vendors, differ) is re-priced from those logs instead
        of simulated again — the same numbers, sooner.  ``meta["reused_options"]`` lists them.

    Returns
    -------
    Results
        ``.kpis`` has one row per option and replication, ``.ledger`` the cash
        flows.  After Ctrl+C it holds the replications that finished and
        ``meta["interrupted"]`` is true.  ``meta["replications_requested"]`` and
        ``meta["replications_finished"]`` count them.

    Raises
    ------
    ReplicationError
        When every replication raised (the first of them).  When only some do,
        the others are kept: the failed ones are in ``Results.failures`` (each
        with ``.rerun()``) and ``meta["failures"]``, one
        :class:`~simkit.experiment.replication.FailedReplicationWarning` names them, and every
        statistic uses the finished replications only.
    """
    check_run_args(replications, seed)  # before int(): 1e9 or -1 is a one-line ValueError, not an allocation
    n = int(replications if replications is not None else scenario.run.replications)
    _check_options(scenario, options)
    preflight(scenario)  # size cap and overload warnings, before any work is handed out
    seed = int(seed if seed is not None else scenario.run.seed)
    wanted = list(options or scenario.option_names)
    reused = [o for o in reusable_options(scenario, seed, reuse) if o in wanted]
    stored = [r for r in range(n) if reused and all((o, r) in reuse.logs for o in reused)]
    rest = [o for o in wanted if o not in reused]
    desc = f"{scenario.name}: replications"
    pieces, failures, interrupted = _run_reps(scenario, seed, [r for r in range(n) if r not in stored], executor,
                                              batch_size, progress, options, keep_logs, desc)
    if stored:
        more, failed, stopped = (_run_reps(scenario, seed, stored, executor, batch_size, progress, rest, keep_logs,
                                           desc) if rest else ([(r, [], None, {}) for r in stored], [], False))
        pieces += [_with_reused(scenario, piece, reuse, reused, wanted, keep_logs) for piece in more]
        failures, interrupted = sorted(failures + failed, key=lambda e: e.replication), interrupted or stopped
    if failures and not pieces:
        raise failures[0]
    meta: dict[str, Any] = {"replications_requested": n, "replications_finished": len(pieces)}
    if reused:
        meta["reused_options"] = reused
    if interrupted:
        meta["interrupted"] = True
    res = assemble(scenario, seed, pieces, keep_logs, meta, failures)
    warn_failures(failures, len(pieces) + len(failures))
    return res


def _with_reused(scenario: Scenario, piece: Piece, reuse: Results, reused: list[str], wanted: list[str],
                 keep_logs: bool) -> Piece:
    """``piece`` (the simulated options of one replication) completed with the reused options' logs, priced
    under ``scenario``."""
    r, kpis, ledger, logs = piece
    parts = {row["option"]: (row, None if ledger is None else ledger[ledger["option"] == row["option"]],
                             logs.get(row["option"])) for row in kpis}
    for name in reused:
        log = reuse.logs[(name, r)]
        row, frame = price_log(scenario, log, r)
        parts[name] = (row, frame, log if keep_logs else None)
    return _piece(r, parts, wanted)
