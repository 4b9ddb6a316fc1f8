"""Which assumption decides it: tornado, Sobol indices, break-even and the decision map.

All four run sweeps (:func:`simkit.experiment.sweep.sweep`) on common random numbers, so a
change in the answer between two parameter values is the parameter's doing and
not a different draw of luck; price-only parameters are re-priced on the same
run logs instead of re-simulated.

The answer they study is a *metric*: by default ``"savings"`` — the baseline's
total cost minus the option's, per replication (positive: the option saves
money) — or any KPI of one option, or its paired difference against a baseline.

* :func:`tornado`: one parameter at a time from its low to its high end, the
  others at the scenario's values; bars sorted by the swing of the metric,
  each swing with a paired CI.
* :func:`sobol_indices`: variance-based global sensitivity.  ``S1`` is the share
  of the metric's variance explained by a parameter alone, ``ST`` the share it
  is involved in, interactions included (Saltelli's estimators via SALib, with
  bootstrap CIs).
* :func:`break_even`: the parameter value at which two options cost the same,
  by root finding on the paired mean difference, with an uncertainty band from
  the roots of its CI bounds.
* :func:`decision_map`: a 2-D grid coloured by P(option cheaper), with the
  boundary where the choice flips.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simkit.accounting.registry import kpi_name
from simkit.experiment.design import Lever, current_value, resolve_levers
from simkit.experiment.execution import ExecutorArg
from simkit.experiment.results import Results, SweepResults
from simkit.experiment.simulate import simulate
from simkit.experiment.sweep import sweep
from simkit.extras import require
from simkit.scenario.fields import is_cost_only
from simkit.scenario.model import Scenario
from simkit.stats.estimates import mean_ci
from simkit.streams import Streams

brentq = require("scipy.optimize", "simkit's sensitivity analysis").brentq

__all__ = ["tornado", "sobol_indices", "break_even", "BreakEven", "decision_map", "DecisionMap", "band_decimals",
           "format_in_band"]


def _who(scenario: Scenario, kpi: str, option: str | None,
         baseline: str | None) -> tuple[str, str | None, list[str]]:
    base = baseline or (scenario.baseline_option if kpi == "savings" else None)
    others = [o for o in scenario.option_names if o != (base or scenario.baseline_option)]
    option = option or (others[0] if others else scenario.baseline_option)
    return option, base, [option] + ([base] if base and base != option else [])


def tornado(scenario: Scenario, levers: Sequence[Lever], kpi: str = "savings", option: str | None = None,
            baseline: str | None = None, replications: int | None = None, seed: int | None = None,
            level: float = 0.95, executor: ExecutorArg = "auto",
            progress: bool | None = None) -> pd.DataFrame:
    """One-at-a-time sensitivity of a metric: each lever from ``low`` to ``high``, the rest at base.

    Returns
    -------
    pandas.DataFrame
        One row per lever, largest ``|swing|`` first: ``path, label, low, high, base_value``
        (the scenario's value), ``at_low``, ``at_high`` (mean metric), ``base`` (metric at
        the scenario's values), ``swing = at_high - at_low`` with its paired CI.
    """
    option, base, opts = _who(scenario, kpi, option, baseline)
    levers = resolve_levers(scenario, levers)
    sw = sweep(scenario, levers, replications, seed, design="oat", options=opts, executor=executor,
               progress=progress)
    v = sw.values(kpi, option, base)
    rows = []
    for i, lv in enumerate(levers):
        lo, hi = v.loc[1 + 2 * i].to_numpy(float), v.loc[2 + 2 * i].to_numpy(float)
        m, _, c_lo, c_hi = mean_ci(hi - lo, level)
        rows.append({"path": lv.path, "label": lv.label, "low": lv.low, "high": lv.high,
                     "base_value": current_value(scenario, lv.path), "at_low": float(lo.mean()),
                     "at_high": float(hi.mean()), "base": float(v.loc[0].mean()), "swing": m,
                     "swing_ci_low": c_lo, "swing_ci_high": c_hi})
    out = pd.DataFrame(rows)
    order = out["swing"].abs().sort_values(ascending=False, kind="stable").index
    out = out.reindex(order).reset_index(drop=True)
    out.attrs.update({"kpi": kpi, "option": option, "baseline": base, "replications": v.shape[1],
                      "currency": scenario.run.currency})
    return out


def sobol_indices(source: Scenario | SweepResults, levers: Sequence[Lever] | None = None,
                  kpi: str = "savings", option: str | None = None, baseline: str | None = None, n: int = 64,
                  replications: int | None = None, seed: int | None = None, level: float = 0.95,
                  num_resamples: int = 200, executor: ExecutorArg = "auto",
                  progress: bool | None = None) -> pd.DataFrame:
    """First-order and total Sobol indices of a metric, with bootstrap CIs.

    Parameters
    ----------
    source
        A scenario (then ``levers`` are swept on a Sobol design of base size ``n``)
        or the :class:`SweepResults` of ``sweep(..., design="sobol")``.
    kpi, option, baseline
        The metric (see the module notes); it is averaged over replications at
        each point, so the indices apportion the variance of the *expected* metric.

    Returns
    -------
    pandas.DataFrame
        Indexed by parameter path: ``S1, S1_ci_low, S1_ci_high, ST, ST_ci_low, ST_ci_high``.
    """
    saltelli = require("SALib.analyze.sobol", "Sobol indices")

    if isinstance(source, SweepResults):
        sw = source
        if sw.design != "sobol":
            raise ValueError(f"Sobol indices need a sweep with design='sobol', got '{sw.design}'")
        option, base, _ = _who(sw.scenario, kpi, option, baseline)
    else:
        if not levers:
            raise ValueError("sobol_indices needs levers to vary")
        option, base, opts = _who(source, kpi, option, baseline)
        sw = sweep(source, levers, replications, seed, design="sobol", n=n, options=opts, executor=executor,
                   progress=progress)
    y = sw.values(kpi, option, base).reindex(sw.points.index).mean(axis=1).to_numpy(float)
    if np.isnan(y).any():
        raise ValueError("the Sobol sweep is incomplete (interrupted?); finish it before estimating indices")
    paths = sw.paths
    problem = {"num_vars": len(paths), "names": paths, "bounds": [[0.0, 1.0]] * len(paths)}
    boot_seed = int(Streams(sw.seed, 0).rng("sobol:bootstrap").integers(1, 2**31 - 1))
    si = saltelli.analyze(problem, y, calc_second_order=False, num_resamples=num_resamples, conf_level=level,
                          seed=boot_seed)
    cols = {}
    for k in ("S1", "ST"):
        half = si[f"{k}_conf"]
        cols.update({k: si[k], f"{k}_ci_low": si[k] - half, f"{k}_ci_high": si[k] + half})
    out = pd.DataFrame(cols, index=pd.Index(paths, name="path"))
    out.attrs.update({"kpi": kpi, "option": option, "baseline": base, "points": len(y)})
    return out


MAX_DECIMALS = 6
"""The most decimals a break-even is shown with, however narrow its band."""


def band_decimals(value: float, low: float = float("nan"), high: float = float("nan")) -> int:
    """Decimals to show a break-even ``value`` and its band ``[low, high]`` with: one rule for all three.

    The band is what is known, so its width sets the precision: two significant figures of the width
    (a band 2.3 wide: one decimal; 0.05 wide: three; 150 wide: none), so that the last digit shown moves
    by 1 % to 10 % of the band.  More digits would claim a precision the simulation does not have; fewer
    would hide the band.  Without a band (not found, or zero wide) the value keeps four significant figures.
    """
    width = high - low
    if np.isfinite(width) and width > 0:
        digits = 1 - int(np.floor(np.log10(width)))
    elif np.isfinite(value) and value != 0:
        digits = 3 - int(np.floor(np.log10(abs(value))))
    else:
        digits = 0
    return int(min(max(digits, 0), MAX_DECIMALS))


def format_in_band(x: float, decimals: int) -> str:
    """``x`` with thousands separators and ``decimals`` decimals (``-0`` shown as ``0``)."""
    text = f"{x:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


@dataclass
class BreakEven:
    """Where two options tie: ``value`` of ``path`` at which the paired mean difference is zero.

    ``band_low``/``band_high`` are where the difference's CI bounds cross zero:
    inside the band the data cannot tell the options apart at the chosen level.
    NaN means a bound does not cross zero inside the bracket.
    """

    path: str
    option: str
    baseline: str
    kpi: str
    value: float
    band_low: float
    band_high: float
    bracket: tuple[float, float]
    evaluations: pd.DataFrame = field(repr=False)
    note: str = ""

    def text(self) -> str:
        if not np.isfinite(self.value):
            return (f"{self.option} vs {self.baseline}: no break-even of {self.path} in {self.bracket}: "
                    f"{self.note}")
        d = band_decimals(self.value, self.band_low, self.band_high)  # one precision for the value and its band
        band = f"[{format_in_band(self.band_low, d)}, {format_in_band(self.band_high, d)}]"
        return (f"{self.option} and {self.baseline} tie on {self.kpi} at {self.path} = "
                f"{format_in_band(self.value, d)} (95% band {band})" + (f"; {self.note}" if self.note else ""))


def _root(f: Callable[[float], float], lo: float, hi: float, integer: bool, xtol: float) -> float:
    flo, fhi = f(lo), f(hi)
    if flo == 0:
        return lo
    if fhi == 0:
        return hi
    if np.sign(flo) == np.sign(fhi):
        return float("nan")
    if not integer:
        return float(brentq(f, lo, hi, xtol=xtol, rtol=1e-12, maxiter=200))
    a, b = int(lo), int(hi)  # the first whole number at which the sign has flipped
    while b - a > 1:
        mid = (a + b) // 2
        if np.sign(f(mid)) == np.sign(flo):
            a = mid
        else:
            b = mid
    return float(b)


def break_even(scenario: Scenario, path: str, bracket: tuple[float, float], option: str | None = None,
               baseline: str | None = None, kpi: str | None = None, replications: int | None = None,
               seed: int | None = None, level: float = 0.95, xtol: float | None = None,
               executor: ExecutorArg = "auto", progress: bool | None = False,
               stored: Results | None = None, known: Mapping[float, Results] | None = None) -> BreakEven:
    """The value of ``path`` in ``bracket`` at which ``option`` and ``baseline`` tie on ``kpi``.

    The paired mean difference ``option - baseline`` (default: total cost) is a
    function of the parameter, evaluated on the same seeds everywhere (common
    random numbers).  Brent's method finds its zero; the zeros of its CI bounds
    give the uncertainty band.  A cost-only parameter (vendor price, salary) is
    re-priced on one set of run logs — the difference is then exactly linear
    and its zero exact; any other (volume, head count, failure rate) is
    re-simulated at every evaluation.  Whole-number fields are bisected to the
    first whole number past the tie.  ``stored``: results of ``scenario`` kept with their run logs
    (``keep_logs=True``) to re-price a cost-only parameter on, instead of simulating once more.
    ``known``: runs already made at some values of ``path`` (``{value: results}``, e.g. a tornado's two ends),
    each of ``scenario.override({path: value})`` with both options at these ``replications`` and ``seed``: the
    search starts from them instead of simulating them again, so the answer is the same, sooner.
    """
    lo, hi = float(bracket[0]), float(bracket[1])
    if not lo < hi:
        raise ValueError(f"the bracket needs low < high, got {bracket}")
    base = baseline or scenario.baseline_option
    option = option or next((o for o in scenario.option_names if o != base), base)
    if option == base:
        raise ValueError("a break-even needs two different options")
    kpi = kpi or kpi_name("cost_total", scenario.currency_suffix)
    integer = resolve_levers(scenario, [Lever(path, lo, hi)])[0].integer
    opts = [option, base]
    cache: dict[float, tuple[float, float, float]] = {}
    if not is_cost_only(path) or (stored is not None and not (stored.logs and set(opts) <= set(stored.options))):
        stored = None  # a re-simulated parameter, or results without the logs of both options
    if is_cost_only(path) and stored is None:
        stored = simulate(scenario, replications, seed, executor=executor, progress=progress, keep_logs=True,
                          options=opts)

    def summary(res: Results) -> tuple[float, float, float]:
        m, _, c_lo, c_hi = mean_ci(res.paired_deltas(option, base, kpi), level)
        return m, c_lo, c_hi

    for x, res in (known or {}).items():
        if lo <= x <= hi and set(opts) <= set(res.options):
            cache[float(round(x)) if integer else float(x)] = summary(res)

    def evaluate(x: float) -> tuple[float, float, float]:
        x = float(round(x)) if integer else float(x)
        if x not in cache:
            value = int(x) if integer else x
            cache[x] = summary(stored.reprice({path: value}) if stored is not None else simulate(
                scenario.override({path: value}), replications, seed, executor=executor, progress=progress,
                options=opts))
        return cache[x]

    tol = xtol or 1e-6 * (hi - lo)
    value = _root(lambda x: evaluate(x)[0], lo, hi, integer, tol)
    note = ""
    if np.isfinite(value):
        ends = sorted(_root(lambda x, k=k: evaluate(x)[k], lo, hi, integer, tol) for k in (1, 2))
        band_low, band_high = ends
        if not (np.isfinite(band_low) and np.isfinite(band_high)):
            note = "the CI still includes a tie at an end of the bracket; widen it for the whole band"
    else:
        band_low = band_high = float("nan")
        m_lo, m_hi = evaluate(lo)[0], evaluate(hi)[0]
        note = (f"the mean difference keeps its sign ({m_lo:+,.4g} at {lo:g}, {m_hi:+,.4g} at {hi:g}); "
                "widen the bracket")
    evals = pd.DataFrame([(x, *v) for x, v in sorted(cache.items())], columns=[path, "delta_mean", "ci_low",
                                                                                 "ci_high"])
    return BreakEven(path, option, base, kpi, float(value), float(band_low), float(band_high), (lo, hi),
                     evals, note)


@dataclass
class DecisionMap:
    """P(option better than baseline) over a 2-D grid of two parameters, with the mean difference."""

    x: str
    y: str
    option: str
    baseline: str
    kpi: str
    frame: pd.DataFrame  # x, y, p_better, delta_mean, ci_low, ci_high, n

    def grid(self, column: str = "p_better") -> pd.DataFrame:
        """``column`` as a y x x table (rows: y values, columns: x values)."""
        return self.frame.pivot(index=self.y, columns=self.x, values=column).sort_index()

    def boundary(self) -> pd.DataFrame:
        """Where the mean difference crosses zero: for each x, the y values (linearly interpolated)."""
        g = self.grid("delta_mean")
        ys = g.index.to_numpy(float)
        rows = []
        for xv in g.columns:
            d = g[xv].to_numpy(float)
            for k in np.flatnonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0):
                at = ys[k] + (ys[k + 1] - ys[k]) * d[k] / (d[k] - d[k + 1])
                rows.append({self.x: float(xv), self.y: float(at)})
            rows += [{self.x: float(xv), self.y: float(ys[k])} for k in np.flatnonzero(d == 0)]
        return pd.DataFrame(rows, columns=[self.x, self.y])


def decision_map(scenario: Scenario, x: Lever, y: Lever, option: str | None = None,
                 baseline: str | None = None, kpi: str | None = None, replications: int | None = None,
                 seed: int | None = None, level: float = 0.95, executor: ExecutorArg = "auto",
                 progress: bool | None = None) -> DecisionMap:
    """Sweep two parameters on a grid and record, at each point, P(option better) and the mean difference.

    For a cost KPI ``p_better`` is P(option cheaper than baseline); the boundary
    where the choice flips is where the mean difference crosses zero.
    """
    base = baseline or scenario.baseline_option
    option = option or next((o for o in scenario.option_names if o != base), base)
    kpi = kpi or kpi_name("cost_total", scenario.currency_suffix)
    sw = sweep(scenario, [x, y], replications, seed, design="grid", options=[option, base], executor=executor,
               progress=progress)
    frame = sw.paired(option, base, kpi, level).reset_index(drop=True)
    frame = frame[[x.path, y.path, "p_better", "delta_mean", "ci_low", "ci_high", "n"]]
    if math.isnan(frame["p_better"].iloc[0]) if len(frame) else False:
        raise ValueError(f"'{kpi}' has no better direction; pick a cost, time or quality KPI")
    return DecisionMap(x.path, y.path, option, base, kpi, frame)
