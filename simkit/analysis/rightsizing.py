"""Right-sizing: the least-cost staffing of one option that meets service targets with stated confidence.

An option staffed by hand can make a comparison meaningless: a team too small for its work loses on
service, a team far too large loses on cost, and neither says anything about make or buy.
:func:`right_size` searches the option's head counts (the levers, :class:`~simkit.analysis.service_targets.StaffLever`)
for the cheapest staffing whose KPI means meet every target (:class:`~simkit.analysis.service_targets.Target`) with
stated confidence: the one-sided bound of each mean at ``confidence`` lies on the right side of the target
(the lower bound of SLA attainment above 0.9, the upper bound of the p90 lead time below 24 h).

Every candidate is simulated with the same seed and replications, so every candidate sees the same trace
(common random numbers, :mod:`simkit.streams`): the differences between two staffings are the staffing's,
not the dice's, and the service KPIs are close to monotone in the head count replication by replication.

The search, for integer levers on which service improves with staff: the last lever is searched by a
bracketing phase (from a starting value, steps of 1, 2, 4, ... up or down until feasibility changes) and then
bisection; every other lever is enumerated over its bounds, each line starting from the previous line's
answer (more of one pool never needs more of the other).  Of the smallest feasible staffing on every line,
the one with the lowest mean total cost is chosen (ties: fewer people); a combination at least as large as one
whose line needed only the last lever's lower bound is not tried, since it could only add cost.  Enumerated
levers named without bounds are narrowed around today's head count when their combinations would pass the
cap (:mod:`simkit.analysis.lever_search`).  A cap on evaluations stops the search; every evaluated point is
reported (:attr:`RightSizing.evaluations`) with why it stopped.

The levers (:mod:`simkit.analysis.staff_levers`) are head counts: a team's staff, a roster shift's staff, a
vendor's agents; by default those of the option's team, vendor and escalation tiers.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from simkit.accounting import registry as registry
from simkit.analysis.lever_search import cheapest as _cheapest
from simkit.analysis.lever_search import combinations, narrow_free, smallest_feasible
from simkit.analysis.lever_search import line_minima as _line_minima
from simkit.analysis.service_targets import Target, parse_targets
from simkit.analysis.staff_levers import (
    StaffLever,
    default_levers,
    head_count,
    option_pools,
    parse_levers,
    staffed,
)
from simkit.experiment.execution import ExecutorArg
from simkit.experiment.results import Results
from simkit.scenario.limits import check_run_args
from simkit.scenario.model import Scenario, ScenarioError
from simkit.scenario.preflight import CapacityWarning
from simkit.scenario.yamlio import show
from simkit.stats.estimates import mean_ci

__all__ = ["RightSizing", "right_size", "smallest_feasible", "MAX_EVALUATIONS"]

MAX_EVALUATIONS = 1000
"""The most evaluations a search may be allowed (each is a full replicated simulation of one option)."""


class _CapReached(Exception):
    """The evaluation cap stopped the search."""


@dataclass(frozen=True, eq=False)
class _Point:
    """One evaluated staffing: KPI mean and interval per target KPI and for the total cost."""

    point: tuple[int, ...]
    stats: dict[str, tuple[float, float, float]]
    service_met: bool
    all_met: bool
    results: Results = field(repr=False)


class _Evaluator:
    """Simulates a staffing once (memoised) and judges it against the targets; counts toward the cap."""

    def __init__(self, scenario: Scenario, option: str, targets: tuple[Target, ...], levers: tuple[StaffLever, ...],
                 confidence: float, replications: int, seed: int, executor: ExecutorArg, cap: int) -> None:
        self.scenario, self.option, self.targets, self.levers = scenario, option, targets, levers
        self.level = 2.0 * confidence - 1.0  # the two-sided level whose edges are the one-sided bounds
        self.replications, self.seed, self.executor, self.cap = replications, seed, executor, cap
        self.cost = registry.kpi_name("cost_total", scenario.currency_suffix)
        self.memo: dict[tuple[int, ...], _Point] = {}

    def __call__(self, point: tuple[int, ...]) -> _Point:
        if point in self.memo:
            return self.memo[point]
        if len(self.memo) >= self.cap:
            raise _CapReached
        from simkit.experiment.simulate import simulate

        sc = staffed(self.scenario, {lever.path: v for lever, v in zip(self.levers, point, strict=True)})
        with warnings.catch_warnings():  # a deliberately small candidate is expected to drown: no warning each
            warnings.simplefilter("ignore", CapacityWarning)
            res = simulate(sc, replications=self.replications, seed=self.seed, options=[self.option],
                           executor=self.executor, progress=False)
        if res.meta.get("interrupted"):
            raise KeyboardInterrupt
        if res.failures:  # a search on part of the replications would judge candidates on different traces
            raise res.failures[0]
        stats = {}
        for col in [t.kpi for t in self.targets] + [self.cost]:
            m, _, lo, hi = mean_ci(res.kpis[col].to_numpy(float), self.level, *registry.bounds(col))
            stats[col] = (m, lo, hi)
        service = all(t.met(*stats[t.kpi][1:]) for t in self.targets if not t.ceiling)
        every = service and all(t.met(*stats[t.kpi][1:]) for t in self.targets if t.ceiling)
        self.memo[point] = _Point(point, stats, service, every, res)
        return self.memo[point]

    def frame(self) -> pd.DataFrame:
        """Every evaluated point, one row per point and KPI, in evaluation order."""
        bounds = {t.kpi: str(t) for t in self.targets}
        rows = []
        for i, p in enumerate(self.memo.values(), start=1):
            for col, (m, lo, hi) in p.stats.items():
                rows.append({"evaluation": i, **{lv.path: v for lv, v in zip(self.levers, p.point, strict=True)},
                             "kpi": col, "mean": m, "ci_low": lo, "ci_high": hi, "target": bounds.get(col, ""),
                             "met": _meets(self.targets, col, lo, hi), "meets_all": p.all_met})
        return pd.DataFrame(rows)


def _meets(targets: Sequence[Target], col: str, lo: float, hi: float) -> bool | None:
    t = next((t for t in targets if t.kpi == col), None)
    return None if t is None else t.met(lo, hi)


@dataclass(frozen=True, eq=False)
class RightSizing:
    """The outcome of :func:`right_size`.

    Attributes
    ----------
    option, targets, levers, confidence, replications, seed
        What was asked (targets and levers as parsed, bounds filled in).
    chosen
        ``{lever path: head count}`` of the least-cost staffing meeting the service targets, or ``None``
        when none within the bounds does (or the cap stopped the search before one was found).
    met
        Whether ``chosen`` meets every target, ceilings included, at ``confidence``.
    stop_reason
        Why the search stopped, in one sentence.
    estimates
        At ``chosen``: per target KPI and the total cost, ``mean, ci_low, ci_high`` (two-sided at
        ``2 confidence - 1``, so the unfavourable edge is the one-sided bound at ``confidence``),
        ``target`` and ``met``.
    below
        The same at one fewer on each lever (column ``lever``): the evidence that less does not do.
    evaluations
        Every evaluated point: ``evaluation`` (order), one column per lever, ``kpi, mean, ci_low,
        ci_high, target, met, meets_all``.
    scenario
        The scenario with the chosen staffing (``None`` without one).
    results
        The chosen staffing's replications (this option only), for comparing at equal service.
    """

    option: str
    targets: tuple[Target, ...]
    levers: tuple[StaffLever, ...]
    confidence: float
    replications: int
    seed: int
    chosen: Mapping[str, int] | None
    met: bool
    stop_reason: str
    estimates: pd.DataFrame
    below: pd.DataFrame
    evaluations: pd.DataFrame
    scenario: Scenario | None = field(default=None, repr=False)
    results: Results | None = field(default=None, repr=False)

    @property
    def cost(self) -> tuple[float, float, float]:
        """Mean total cost at the chosen staffing and its interval (NaN without one)."""
        if self.estimates.empty:
            return (math.nan, math.nan, math.nan)
        row = self.estimates.set_index("kpi").loc[self._cost_column]
        return float(row["mean"]), float(row["ci_low"]), float(row["ci_high"])

    @property
    def _cost_column(self) -> str:
        return next(k for k in self.estimates["kpi"] if k.startswith("cost_total_"))

    @property
    def n_evaluations(self) -> int:
        return int(self.evaluations["evaluation"].max()) if len(self.evaluations) else 0

    def text(self) -> str:
        """A short plain-text account: the staffing, the estimates, the evidence below it, why it stopped."""
        head = f"{self.option}: " + (", ".join(f"{k} = {v}" for k, v in self.chosen.items()) if self.chosen
                                     else "no staffing chosen")
        lines = [head + ("" if self.met else " (targets NOT met)"),
                 f"  {self.n_evaluations} evaluations x {self.replications} replications, seed {self.seed}, "
                 f"one-sided {self.confidence:.0%} bounds; {self.stop_reason}"]
        for _, r in self.estimates.iterrows():
            mark = "" if r["target"] == "" else f"  target {r['target']}: {'met' if r['met'] else 'MISSED'}"
            lines.append(f"  {r['kpi']}: {_fmt(r['kpi'], r['mean'])} [{_fmt(r['kpi'], r['ci_low'])}, "
                         f"{_fmt(r['kpi'], r['ci_high'])}]{mark}")
        for _, r in self.below[self.below["target"] != ""].iterrows():
            lines.append(f"  one fewer ({r['lever']} = {r['value']}): {r['kpi']} {_fmt(r['kpi'], r['mean'])} "
                         f"[{_fmt(r['kpi'], r['ci_low'])}, {_fmt(r['kpi'], r['ci_high'])}] "
                         f"{'met' if r['met'] else 'missed'}")
        return "\n".join(lines)


def _fmt(kpi: str, value: float) -> str:
    """The KPI's own format, with three significant digits where that format would show fewer."""
    text = registry.format_value(kpi, value)
    return text if abs(value) >= 1 or "share" in kpi or value == 0 else f"{value:.3g}"


def _check(scenario: Scenario, option: Any, confidence: Any, max_evaluations: Any) -> None:
    if not isinstance(option, str) or option not in scenario.options:
        raise ScenarioError("option", f"unknown option {show(option)}; options: {', '.join(scenario.option_names)}")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0.5 <= confidence < 1:
        raise ScenarioError("confidence", f"must be a probability in [0.5, 1), got {show(confidence)}")
    if isinstance(max_evaluations, bool) or not isinstance(max_evaluations, int) or not (
            1 <= max_evaluations <= MAX_EVALUATIONS):
        raise ScenarioError("max_evaluations", f"must be a whole number in 1..{MAX_EVALUATIONS}, "
                                               f"got {show(max_evaluations)}")


def _table(ev: _Evaluator, p: _Point) -> pd.DataFrame:
    bounds = {t.kpi: str(t) for t in ev.targets}
    return pd.DataFrame([{"kpi": col, "mean": m, "ci_low": lo, "ci_high": hi, "target": bounds.get(col, ""),
                          "met": _meets(ev.targets, col, lo, hi)} for col, (m, lo, hi) in p.stats.items()])


def right_size(scenario: Scenario, option: str, target: Mapping[str, Any] | str | Sequence[str],
               levers: Sequence[Any] | None = None, confidence: float = 0.95, replications: int | None = None,
               seed: int | None = None, max_evaluations: int = 60, executor: ExecutorArg = "auto") -> RightSizing:
    """The least-cost staffing of ``option`` that meets every target with stated confidence.

    Parameters
    ----------
    scenario, option
        The scenario and the option to staff.
    target
        ``{"sla_attainment_share": 0.9}`` (at least, for a KPI where more is better; at most where less is),
        ``"lead_time_p90_h <= 24"``, or a list of such texts.  Cost and head-count targets are ceilings,
        checked at the chosen staffing (see :mod:`simkit.analysis.service_targets`).
    levers
        Paths of head counts (``"teams.engineers.staff"``, ``"teams.l1.shifts.late.staff"``,
        ``"vendors.msp.agents"``), optionally with bounds: ``("vendors.msp.agents", 1, 12)`` or
        ``{"path": ..., "low": ..., "high": ...}``.  Default (:func:`~simkit.analysis.staff_levers.default_levers`):
        the head counts of the option's team (each regular shift of a roster), its vendor and each escalation
        tier's pool, each from 1 to max(8, 4 x today's); enumerated levers without bounds are narrowed around
        today's when their combinations would pass ``max_evaluations``.  The search assumes that more staff
        never worsens a service KPI and never lowers the cost.
    confidence
        One-sided confidence that each KPI mean meets its target, in [0.5, 1).
    replications, seed
        Per candidate (default: the scenario's); the same for every candidate, so all see the same traces.
    max_evaluations
        The most candidates simulated; the search reports what it found when the cap stops it.
    executor
        As for :func:`simkit.simulate`.

    Returns
    -------
    RightSizing
        The chosen staffing (or ``None``), whether it meets every target, the estimates there and at one
        fewer, every evaluated point and why the search stopped.

    Raises
    ------
    ScenarioError
        For a bad option, target, lever, bound, confidence or cap: one line naming the field.
    ReplicationError
        When a replication of a candidate raised (a search on fewer replications would compare unlike traces).
    """
    _check(scenario, option, confidence, max_evaluations)
    targets = parse_targets(target, scenario.currency_suffix)
    data = scenario.to_dict()
    named = levers if levers is not None else default_levers(scenario, option)
    parsed = parse_levers(named, data, option_pools(scenario, option))
    n = int(replications if replications is not None else scenario.run.replications)
    check_run_args(n, seed)
    if n < 2:
        raise ScenarioError("replications", f"a confidence bound needs at least 2 replications, got {n}")
    seed = int(seed if seed is not None else scenario.run.seed)
    today = {lv.path: head_count(data, lv.path) for lv in parsed}
    parsed = narrow_free(parsed, _free(named, parsed), today, max_evaluations)
    combos = combinations(parsed)
    if combos > max_evaluations:
        raise ScenarioError("levers", f"the bounds of {', '.join(lv.path for lv in parsed[:-1])} give {combos:,} "
                                      f"combinations, more than max_evaluations ({max_evaluations}); narrow them")
    ev = _Evaluator(scenario, option, targets, parsed, float(confidence), n, seed, executor, max_evaluations)
    start = tuple(min(max(today[lv.path], lv.low), lv.high) for lv in parsed)
    capped = False
    try:
        minima = _line_minima(ev, parsed, start)
    except _CapReached:
        capped, minima = True, [p for p in ev.memo.values() if p.service_met]
    best = _cheapest(minima, ev.cost)
    below = _below(ev, parsed, best) if best is not None else pd.DataFrame(columns=_BELOW_COLUMNS)
    reason = _reason(best, parsed, targets, ev, capped)
    chosen = None if best is None else MappingProxyType(dict(zip([lv.path for lv in parsed], best.point,
                                                                 strict=True)))  # read-only, like the record
    return RightSizing(option=option, targets=targets, levers=parsed, confidence=float(confidence), replications=n,
                       seed=seed, chosen=chosen, met=best is not None and best.all_met, stop_reason=reason,
                       estimates=_table(ev, best) if best is not None else pd.DataFrame(),
                       below=below, evaluations=ev.frame(),
                       scenario=None if chosen is None else staffed(scenario, chosen),
                       results=None if best is None else best.results)


def _free(named: Sequence[Any], parsed: Sequence[StaffLever]) -> set[str]:
    """The levers named without a lower bound (a bare path, or a mapping with ``high`` only): the search may
    narrow them around today's head count (:func:`simkit.analysis.lever_search.narrow_free`)."""
    return {lv.path for item, lv in zip(named, parsed, strict=True)
            if isinstance(item, str) or (isinstance(item, Mapping) and item.get("low") is None)}


_BELOW_COLUMNS = ["lever", "value", "kpi", "mean", "ci_low", "ci_high", "target", "met"]


def _below(ev: _Evaluator, levers: tuple[StaffLever, ...], best: _Point) -> pd.DataFrame:
    """Estimates at one fewer on each lever (evaluated now if the search had not; skipped at the cap)."""
    frames = []
    for i, lv in enumerate(levers):
        if best.point[i] <= lv.low:
            continue
        point = best.point[:i] + (best.point[i] - 1,) + best.point[i + 1:]
        try:
            p = ev(point)
        except _CapReached:
            continue
        frames.append(_table(ev, p).assign(lever=lv.path, value=point[i]))
    return pd.concat(frames, ignore_index=True)[_BELOW_COLUMNS] if frames else pd.DataFrame(columns=_BELOW_COLUMNS)


def _reason(best: _Point | None, levers: tuple[StaffLever, ...], targets: tuple[Target, ...], ev: _Evaluator,
            capped: bool) -> str:
    service = ", ".join(str(t) for t in targets if not t.ceiling)
    if best is None:
        if capped:
            return f"stopped at the cap of {ev.cap} evaluations before any staffing met {service}"
        top = ", ".join(f"{lv.path} = {lv.high}" for lv in levers)
        return f"no staffing within the bounds meets {service} (tried up to {top}); raise the upper bounds"
    where = ("stopped at the cap of " + f"{ev.cap} evaluations: the best staffing found so far, maybe not the least"
             if capped else f"the least-cost of the smallest staffings meeting {service}")
    missed = [t for t in targets if t.ceiling and not t.met(*best.stats[t.kpi][1:])]
    if missed:
        where += (f"; it misses {', '.join(map(str, missed))}, so no staffing meeting the service targets meets "
                  "those (they grow with staff)")
    if all(v == lv.low for v, lv in zip(best.point, levers, strict=True)):
        where += "; it is the lower bound of every lever: lower the bounds to look for less"
    return where
