"""Replicate until a confidence interval is narrow enough: the precision rule (:func:`simulate_to_precision`).

Replications are added in rounds on the same common random numbers as :func:`~simkit.experiment.simulate.simulate`,
and the result is cut back to the smallest count at which the rule holds, so it equals ``simulate(scenario, n)``
exactly, whatever the rounds were.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from simkit.accounting.registry import kpi_name
from simkit.experiment.execution import ExecutorArg
from simkit.experiment.results import Results
from simkit.experiment.simulate import _check_options, _run_reps, assemble
from simkit.scenario.limits import check_run_args
from simkit.scenario.model import Scenario
from simkit.stats.tdist import t_quantile

__all__ = ["simulate_to_precision"]


def _half_widths(x: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Running means and CI half-widths of ``x[:m]`` for every ``m = 1..len(x)``."""
    m = np.arange(1, x.size + 1, dtype=float)
    mean = np.cumsum(x) / m
    dev = np.cumsum((x - x[0]) ** 2) - m * (mean - x[0]) ** 2  # shifted sums: stable for large values
    var = np.where(m > 1, np.maximum(dev, 0.0) / np.maximum(m - 1, 1), np.inf)
    t = np.where(m > 1, t_quantile(np.maximum(m - 1, 1), 0.5 + level / 2.0), np.inf)
    return mean, t * np.sqrt(var / m)


def simulate_to_precision(scenario: Scenario, kpi: str | None = None, rel_half_width: float = 0.02,
                          max_replications: int = 1000, min_replications: int = 10, seed: int | None = None,
                          options: Sequence[str] | None = None, level: float = 0.95,
                          executor: ExecutorArg = "auto", progress: bool | None = None,
                          keep_logs: bool = False) -> Results:
    """Replicate until the CI of ``kpi`` is narrow enough for every option (the precision rule).

    The rule: the confidence interval's half-width, relative to the mean, must be
    at most ``rel_half_width`` for every option in ``options``.  Replications are
    added in rounds, each sized from the variance seen so far
    (``n_next = n * (half_width / target)^2``), up to ``max_replications``.  The
    result is then cut back to the *smallest* ``n >= min_replications`` at which
    the rule holds, so it equals ``simulate(scenario, n)`` exactly, whatever the
    rounds were.

    Returns
    -------
    Results
        With ``meta["precision"]``: ``kpi``, ``target_rel_half_width``,
        ``achieved_rel_half_width`` (worst option), ``replications_needed``,
        ``reached`` (false when the cap stopped it) and ``replications_run``.

    Raises
    ------
    ReplicationError
        For the first replication that raised: the stopping rule counts
        replications ``0 .. n-1`` without gaps, so a failure stops it.
    """
    if not 0 < rel_half_width:
        raise ValueError(f"rel_half_width must be > 0, got {rel_half_width}")
    if not 2 <= min_replications <= max_replications:
        raise ValueError(f"need 2 <= min_replications <= max_replications, got {min_replications} and "
                         f"{max_replications}")
    check_run_args(max_replications, seed)
    _check_options(scenario, options)
    seed = int(seed if seed is not None else scenario.run.seed)
    kpi = kpi or kpi_name("cost_total", scenario.currency_suffix)
    judged = list(options or scenario.option_names)
    pieces: list = []
    n, interrupted, needed, worst = 0, False, None, np.full(max_replications, np.inf)
    target_n = min_replications
    while True:
        more, failures, interrupted = _run_reps(scenario, seed, range(n, target_n), executor, None, progress,
                                                None, keep_logs, f"{scenario.name}: to ±{rel_half_width:.1%}")
        if failures:
            raise failures[0]
        pieces += more
        n = target_n
        if interrupted:
            break
        rows = pd.DataFrame([row for _, kpis, _, _ in pieces for row in kpis])
        if kpi not in rows.columns:
            raise KeyError(f"unknown KPI '{kpi}'; KPIs: {', '.join(c for c in rows.columns[2:])}")
        worst = np.zeros(n)
        for name in judged:
            x = rows[rows["option"] == name].sort_values("replication")[kpi].to_numpy(float)
            mean, half = _half_widths(x, level)
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                rel = np.where(np.abs(mean) > 0, half / np.abs(mean), np.where(half > 0, np.inf, 0.0))
            worst = np.maximum(worst, rel)
        ok = np.flatnonzero(worst[min_replications - 1:] <= rel_half_width)
        if ok.size:
            needed = int(ok[0]) + min_replications
            break
        if n >= max_replications:
            break
        grow = (worst[-1] / rel_half_width) ** 2 if np.isfinite(worst[-1]) else 2.0
        target_n = min(max_replications, max(n + 1, math.ceil(n * min(grow, 10.0)), math.ceil(n * 1.1)))
    keep = needed or n
    pieces = [p for p in pieces if p[0] < keep]
    precision = {"kpi": kpi, "target_rel_half_width": rel_half_width, "replications_needed": needed,
                 "achieved_rel_half_width": float(worst[keep - 1]) if len(worst) >= keep else float("nan"),
                 "reached": needed is not None, "replications_run": n, "max_replications": max_replications}
    meta = {"precision": precision}
    if interrupted:
        meta["interrupted"] = True
    return assemble(scenario, seed, pieces, keep_logs, meta)
