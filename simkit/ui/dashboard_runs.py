"""How the dashboard runs: simulate on its one executor, or re-price the kept runs when only prices moved.

A mixin of :class:`simkit.ui.widgets.Dashboard`.  The last simulation is kept with its run logs
(``keep_logs=True``): a change to cost-only fields (:func:`simkit.experiment.reprice.split_changes`) re-prices
those logs — the same common random numbers, so the numbers a fresh simulation at the new prices gives —
and never calls the engine; any other change simulates again, only the options it touches
(``simulate(..., reuse=...)``).  Every run goes through one executor kept for the dashboard's life: this
process while runs are short, and one pool of worker processes from the first run that took longer than
:data:`POOL_AFTER_S`.
"""

from __future__ import annotations

import time
import weakref
from concurrent.futures import Executor
from typing import Any, Literal

from simkit.experiment.execution import cpu_workers, worker_pool
from simkit.experiment.precision import simulate_to_precision
from simkit.experiment.reprice import split_changes
from simkit.experiment.results import Results
from simkit.experiment.simulate import simulate
from simkit.ui.dashboard_actions import MIN_REPLICATIONS
from simkit.ui.dashboard_layout import CAP, PRECISION, REPLICATIONS

__all__ = ["POOL_AFTER_S", "DashboardRuns"]

#: A run slower than this (seconds) moves the next runs to the dashboard's one pool of worker processes.
POOL_AFTER_S = 1.0


class DashboardRuns:
    """Simulate or re-price for a :class:`simkit.ui.widgets.Dashboard`, on the dashboard's one executor."""

    base: Any
    seed: int
    controls: dict[str, Any]
    status: Any
    progress: Any
    changes: Any
    _executor_arg: Executor | Literal["own"] | None
    _pool: Executor | None
    _runs: tuple[tuple, Results] | None

    def _run_key(self) -> tuple:
        if REPLICATIONS in self.controls:
            return ("fixed", int(self.controls[REPLICATIONS].value))
        return ("precision", float(self.controls[PRECISION].value), int(self.controls[CAP].value))

    def executor(self) -> Executor | None:
        """The executor of the next run: the one given, else this process until a run was slow, then the pool."""
        if isinstance(self._executor_arg, Executor):
            return self._executor_arg
        return self._pool

    def _after_run(self, seconds: float) -> None:
        if self._executor_arg == "own" and self._pool is None and seconds > POOL_AFTER_S and cpu_workers() > 1:
            self._pool = worker_pool(cpu_workers())
            weakref.finalize(self, self._pool.shutdown, wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the dashboard's own worker processes (an executor given by the caller is left open)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _run(self) -> tuple[Results, str]:
        """Simulate, or only re-price the last runs when just prices moved (money depends on the log)."""
        engine, cost = split_changes(self.changes())
        key = (tuple(sorted(engine.items())), self._run_key())
        if self._runs is None or self._runs[0] != key:
            rule = self._run_key()
            self.status.value = ("<i>simulating " + (f"{rule[1]} replications" if rule[0] == "fixed" else
                                 f"until total cost is within ±{rule[1]:g}%, at most {rule[2]} replications")
                                 + "…</i>")
            previous = self._runs[1] if self._runs is not None else None  # options the change leaves alone
            started = time.perf_counter()
            with self.progress:
                if rule[0] == "fixed":
                    raw = simulate(self.base.override(engine), replications=rule[1], seed=self.seed,
                                   progress=True, keep_logs=True, reuse=previous, executor=self.executor())
                else:
                    raw = simulate_to_precision(self.base.override(engine), rel_half_width=rule[1] / 100.0,
                                                max_replications=rule[2], min_replications=MIN_REPLICATIONS,
                                                seed=self.seed, keep_logs=True, executor=self.executor(),
                                                progress=True)
            self.progress.clear_output()
            self._after_run(time.perf_counter() - started)
            self._runs = (key, raw)
            return (raw.reprice(cost) if cost else raw), "simulated"
        return self._runs[1].reprice(cost) if cost else self._runs[1], "re-priced without re-simulating"

