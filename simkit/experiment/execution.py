"""Running many independent tasks: on any executor, with a progress bar, stoppable.

Every experiment in simkit (replications, sweeps, sensitivity designs) is a
list of independent tasks — a batch of replications of one or more parameter
points.  :func:`run_tasks` hands them to

* ``None``: this process, one task after the other;
* a whole number ``n``: a process pool of ``n`` workers made for this run (``1``: this process);
  the workers of a pool made here end with this process, even when it is killed (:func:`worker_pool`);
* any :class:`concurrent.futures.Executor`: a ``ProcessPoolExecutor``, or a
  dask cluster through ``client.get_executor(pure=False)``;
* ``"auto"`` (the default of the public functions): the first task runs here
  and is timed; when the rest would take longer than :data:`AUTO_PARALLEL_S`
  seconds and there is more than one core, the rest go to a process pool with
  one worker per core.

A task's numbers depend only on its arguments (every random stream is keyed by
seed, replication and component name), so which executor ran it, how many
workers there were and how the work was batched never changes a result.

A progress bar (``tqdm.auto``: a widget in a notebook, text in a terminal)
shows with ``progress=True`` and never with ``progress=False``.  The default
``progress=None`` shows it on work that lasts more than two seconds *when
stderr is a terminal*, so stored notebook outputs, logs and CI stay the same
from run to run; the environment variable ``SIMKIT_PROGRESS=1`` (or ``0``)
turns that default on (or off) everywhere, notebooks included.  Ctrl+C (``KeyboardInterrupt``)
stops the run and returns what was finished, flagged ``interrupted``.

A task that raises does not stop the others: its exception and a short
traceback text are kept in :attr:`TaskOutcome.failures` and
:attr:`TaskOutcome.tracebacks`, identically on every executor, and every other
task's result is kept.  Callers decide what a failure means (see
:mod:`simkit.experiment.simulate`: a failed replication is reported and left out).
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Literal

from simkit.fileio import signals_held

__all__ = ["run_tasks", "TaskOutcome", "ExecutorArg", "cpu_workers", "executor_workers", "batch_count",
           "AUTO_PARALLEL_S", "pool_up_front", "traceback_text", "TRACEBACK_LINES", "worker_pool"]

AUTO_PARALLEL_S = 3.0
"""Estimated serial seconds above which ``executor="auto"`` starts a process pool."""

ExecutorArg = Executor | Literal["auto"] | int | None

TRACEBACK_LINES = 40
"""At most this many of a failure's last traceback lines are kept."""


@dataclass
class TaskOutcome:
    """What :func:`run_tasks` did.

    Attributes
    ----------
    results
        ``results[i]`` is task ``i``'s return value, for every task that finished.
    failures
        ``failures[i]`` is the exception task ``i`` raised, for every task that raised.
    tracebacks
        ``tracebacks[i]`` is a short traceback text of ``failures[i]`` (for a task run in another
        process, the worker's traceback).
    interrupted
        ``KeyboardInterrupt`` stopped the run before every task was done.
    workers, executor
        How many tasks ran at once, and on what.
    """

    results: dict[int, Any] = field(default_factory=dict)
    failures: dict[int, BaseException] = field(default_factory=dict)
    tracebacks: dict[int, str] = field(default_factory=dict)
    interrupted: bool = False
    workers: int = 1
    executor: str = "serial"


def traceback_text(error: BaseException, max_lines: int = TRACEBACK_LINES) -> str:
    """The last ``max_lines`` lines of ``error``'s formatted traceback (with its chained causes)."""
    lines = "".join(traceback.format_exception(error)).rstrip("\n").splitlines()
    if len(lines) > max_lines:
        lines = ["...", *lines[-max_lines:]]
    return "\n".join(lines)


def cpu_workers() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def executor_workers(executor: ExecutorArg) -> int:
    """How many tasks ``executor`` runs at once (a guess of 2 when it does not say)."""
    if executor is None:
        return 1
    if isinstance(executor, str):
        return cpu_workers()
    if isinstance(executor, int):
        return max(1, executor)
    n = getattr(executor, "_max_workers", None)
    if n:
        return int(n)
    client = getattr(executor, "_client", None)  # dask's ClientExecutor
    if client is not None:
        try:
            workers = client.scheduler_info()["workers"].values()
            return max(1, sum(int(w.get("nthreads", 1)) for w in workers))
        except Exception:  # noqa: BLE001 - only a batching hint
            return 2
    return 2


def pool_up_front(executor: ExecutorArg, tasks: int, serial_s: float) -> ExecutorArg:
    """``"auto"`` as a number of workers, one per task (at most two per core), for a few large tasks alike
    whose serial time is guessed at ``serial_s`` seconds (over :data:`AUTO_PARALLEL_S`); else ``executor``.

    ``"auto"`` normally runs a first task here to time it, which suits many small tasks.  For a replication
    split by option the tasks are few, large and alike: the first run alone costs a whole task, and three
    tasks on two cores finish together sooner sharing the cores (1.5 task times) than in two rounds (2).
    """
    if executor != "auto" or tasks < 2 or cpu_workers() < 2 or serial_s <= AUTO_PARALLEL_S:
        return executor
    return min(tasks, 2 * cpu_workers())


def batch_count(units: int, workers: int, per_worker: int = 8) -> int:
    """How many tasks to cut ``units`` of work into: about ``per_worker`` per worker, at most ``units``."""
    if workers <= 1:
        return max(1, units)
    return max(1, min(units, per_worker * workers))


def _auto_progress() -> bool:
    """Whether ``progress=None`` shows a bar: ``SIMKIT_PROGRESS`` if set, else whether stderr is a tty."""
    flag = os.environ.get("SIMKIT_PROGRESS", "").strip().lower()
    if flag in ("1", "true", "yes", "on"):
        return True
    if flag in ("0", "false", "no", "off"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def _progress_bar(total: int, progress: bool | None, desc: str):  # noqa: ANN202 - tqdm type
    from tqdm.auto import tqdm

    if progress is None and not _auto_progress():
        progress = False

    return tqdm(total=total, desc=desc, unit="run", disable=progress is False or total == 0,
                delay=0.0 if progress else 2.0, leave=bool(progress), dynamic_ncols=True)


def run_tasks(fn: Callable[..., Any], tasks: Sequence[tuple], executor: ExecutorArg = "auto",
              progress: bool | None = None, desc: str = "simkit", units: Sequence[int] | None = None,
              on_result: Callable[[int, Any], None] | None = None) -> TaskOutcome:
    """Run ``fn(*task)`` for every task; return the results by task index.

    Parameters
    ----------
    fn
        A module-level function (it is pickled by reference for other processes).
    tasks
        Argument tuples, one per task.
    executor
        ``None`` (here, serially), ``"auto"``, a number of worker processes, or any
        ``concurrent.futures.Executor``.
    progress
        ``True`` always shows a bar, ``False`` never, ``None`` only for work over two seconds
        in a terminal (see the module notes).
    desc
        The bar's label.
    units
        Work units per task for the bar (e.g. replications); default 1 each.
    on_result
        Called as ``on_result(i, result)`` in this process as each task finishes
        (in completion order), e.g. to stream results to disk.

    Returns
    -------
    TaskOutcome
        ``results`` holds every finished task; ``failures`` (with ``tracebacks``) every task
        that raised an :class:`Exception` — the others still run; ``interrupted`` is true when
        ``KeyboardInterrupt`` stopped the run early.  An exception raised by ``on_result``
        is not a task's failure: it stops the run and propagates.
    """
    _check_executor(executor)
    units = list(units) if units is not None else [1] * len(tasks)
    out = TaskOutcome()
    bar = _progress_bar(sum(units), progress, desc)

    def done(i: int, value: Any) -> None:
        out.results[i] = value
        if on_result is not None:
            on_result(i, value)
        bar.update(units[i])

    def failed(i: int, error: BaseException) -> None:
        out.failures[i] = error
        out.tracebacks[i] = traceback_text(error)
        bar.update(units[i])

    todo = list(range(len(tasks)))
    if isinstance(executor, int):
        executor = None if executor == 1 else worker_pool(executor)
        owned = executor
    else:
        owned = None
    finished = False
    try:
        if executor is None or executor == "auto":
            owned = _run_here(fn, tasks, todo, done, failed, out, parallel_later=executor == "auto")
        else:
            _run_on(executor, fn, tasks, todo, done, failed, out)
        finished = True
    except KeyboardInterrupt:
        out.interrupted = True
    finally:
        bar.close()
        if owned is not None:
            _stop(owned, terminate=not finished)
    return out


def _check_executor(executor: ExecutorArg) -> None:
    if isinstance(executor, bool) or (isinstance(executor, str) and executor != "auto"):
        raise ValueError(f"executor must be 'auto', None, a number of processes or an Executor, "
                         f"got {executor!r}")
    if isinstance(executor, int) and executor < 1:
        raise ValueError(f"the number of worker processes must be >= 1, got {executor}")


def _run_here(fn: Callable[..., Any], tasks: Sequence[tuple], todo: list[int], done: Callable[[int, Any], None],
              failed: Callable[[int, BaseException], None], out: TaskOutcome,
              parallel_later: bool) -> ProcessPoolExecutor | None:
    """Run ``todo`` in this process, one task after the other.

    With ``parallel_later`` (``executor="auto"``), each finished task times the rest: once they would take
    longer than :data:`AUTO_PARALLEL_S` and there is more than one core, they go to a new process pool,
    which is returned (the caller shuts it down).
    """
    started = time.perf_counter()
    while todo:
        i = todo.pop(0)
        try:
            value = fn(*tasks[i])
        except Exception as err:  # noqa: BLE001 - kept as the task's failure; the others go on
            failed(i, err)
        else:
            done(i, value)
        if parallel_later and todo and cpu_workers() > 1:
            per_task = (time.perf_counter() - started) / (len(tasks) - len(todo))
            if per_task * len(todo) > AUTO_PARALLEL_S:
                pool = worker_pool(cpu_workers())
                try:
                    _run_on(pool, fn, tasks, todo, done, failed, out)
                except BaseException:
                    _stop(pool, terminate=True)
                    raise
                return pool
    return None


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_PARENT_POLL_S = 1.0


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers end when this process ends, however it ends (even by SIGKILL).

    An out-of-memory kill of the parent would otherwise leave its workers running
    (and computing) forever.  The initializer touches no random state, so results
    stay bit-identical.
    """
    return ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent, initargs=(os.getpid(),))


def _die_with_parent(parent_pid: int) -> None:
    """Pool initializer: ask Linux for SIGKILL when the parent dies; elsewhere poll for the parent.

    Ctrl+C is the parent's to handle (it stops the pool and keeps what finished), so a worker ignores
    SIGINT and ends quietly on SIGTERM, whatever handlers it inherited from its parent.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if not _parent_death_signal():
        threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True,
                         name="simkit-parent-watch").start()
    if os.getppid() != parent_pid and not _alive(parent_pid):  # the parent died before the signal was asked for
        os._exit(1)


def _parent_death_signal() -> bool:
    """``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux; ``False`` where it is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - an unusual libc
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - exists, owned by someone else
        return True
    return True


def _watch_parent(parent: int) -> None:  # pragma: no cover - the fallback off Linux
    """Exit this worker as soon as its parent is gone (it is then re-parented)."""
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_S)
    os._exit(1)


def _stop(pool: ProcessPoolExecutor, terminate: bool) -> None:
    """Shut down a pool this module made; after an interrupt, stop its workers mid-task too."""
    if not terminate:
        pool.shutdown(wait=True)
        return
    workers = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)  # taken first: shutdown() forgets it
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in workers:  # a worker would otherwise finish its current batch first
        proc.terminate()
    for proc in workers:
        proc.join(timeout=5)
    # The pool's manager thread notices the stopped workers and closes its wake-up pipe. Waiting for it here
    # keeps that close from racing the interpreter's exit hook, which writes to the same pipe (Python before
    # 3.12 then prints an "Exception ignored ... Bad file descriptor" traceback after the one-line message).
    if manager is not None and manager is not threading.current_thread():
        manager.join(timeout=5)


def _run_on(executor: Executor, fn: Callable[..., Any], tasks: Sequence[tuple], todo: list[int],
            done: Callable[[int, Any], None], failed: Callable[[int, BaseException], None],
            out: TaskOutcome) -> None:
    out.workers = executor_workers(executor)
    out.executor = type(executor).__name__
    with signals_held():  # a pool forks its workers here: an interrupt inside a fork callback would be lost
        futures: dict[Future, int] = {executor.submit(fn, *tasks[i]): i for i in todo}

    def collect(fut: Future) -> None:
        i = futures[fut]
        try:
            value = fut.result()
        except Exception as err:  # noqa: BLE001 - kept as the task's failure; the others go on
            failed(i, err)
        else:
            done(i, value)

    try:
        for fut in as_completed(futures):
            collect(fut)
    except KeyboardInterrupt:
        for fut in futures:
            fut.cancel()
        for fut, i in futures.items():  # keep whatever finished (or failed) before the interrupt
            if i in out.results or i in out.failures or not fut.done() or fut.cancelled():
                continue
            if isinstance(fut.exception(), Exception | None):
                collect(fut)
        raise
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise


def split(items: Sequence[Any], parts: int) -> list[list[Any]]:
    """``items`` cut into at most ``parts`` contiguous, nearly equal slices."""
    if not items:
        return []
    size = math.ceil(len(items) / max(1, parts))
    return [list(items[k:k + size]) for k in range(0, len(items), size)]
