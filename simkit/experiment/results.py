"""Results: the record types experiments return.

:class:`Results` (one scenario): ``kpis`` (one row per option and replication)
and ``ledger`` (monthly cash flows per option, replication and category) are
tidy pandas frames; everything else — summaries, comparisons, risk, rankings,
tables, plots, files — is derived from them.  With ``keep_logs=True`` it also
holds the run logs, which :meth:`Results.reprice` prices again under new
prices without re-simulating.

:class:`SweepResults` (many parameter points): one tidy frame, one row per
point x option x replication, with the point's parameter values as columns.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simkit._version import __version__
from simkit.accounting.kpi import KPI_DIRECTION, kpi_columns
from simkit.accounting.registry import bounds, kpi_name
from simkit.fileio import Outputs
from simkit.stats.estimates import mean_ci, p_miss_sla, paired, risk_table, summarise

if TYPE_CHECKING:
    from simkit.engine import RunLog
    from simkit.experiment.replication import ReplicationError
    from simkit.scenario.model import Scenario
    from simkit.stats.decision import Decision

__all__ = ["Results", "SweepResults", "stored_meta"]


def _stored(value: Any) -> Any:
    if isinstance(value, list | tuple | Mapping):
        try:
            return json.loads(json.dumps(value, default=str))
        except (TypeError, ValueError):  # e.g. keys that are not text
            pass
    return str(value)


def stored_meta(meta: Mapping[str, Any]) -> dict[str, Any]:
    """``meta`` as a file keeps it: lists and mappings as JSON values (e.g. the failures), the rest as text."""
    return {str(k): _stored(v) for k, v in meta.items()}


@dataclass
class Results:
    """Replicated KPIs and ledgers of every option of a scenario.

    ``failures`` holds the replications that raised (left out of ``kpis`` and
    ``ledger``), each a :class:`~simkit.experiment.replication.ReplicationError` whose
    ``.rerun()`` repeats exactly it; ``meta["failures"]`` lists them as data.
    """

    scenario: Scenario
    seed: int
    kpis: pd.DataFrame
    ledger: pd.DataFrame
    meta: dict = field(default_factory=dict)
    logs: dict[tuple[str, int], RunLog] | None = field(default=None, repr=False)
    failures: list[ReplicationError] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.meta = {"simkit_version": __version__, "seed": self.seed,
                     "scenario": self.scenario.name, "scenario_sha256": self.scenario.fingerprint(),
                     "replications": int(self.kpis["replication"].nunique()),
                     "failures": [err.record() for err in self.failures], **self.meta}

    @property
    def kpi_columns(self) -> list[str]:
        return kpi_columns(self.scenario.currency_suffix)

    @property
    def options(self) -> list[str]:
        return list(dict.fromkeys(self.kpis["option"]))

    @property
    def cost_column(self) -> str:
        return kpi_name("cost_total", self.scenario.currency_suffix)

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Mean, standard deviation and CI of every KPI per option (tidy)."""
        return summarise(self.kpis, self.kpi_columns, level)

    def compare(self, option: str, baseline: str | None = None, level: float = 0.95) -> pd.DataFrame:
        """Paired differences ``option - baseline`` with CIs and the share of replications it did better."""
        base = baseline or self.scenario.baseline_option
        for name in (option, base):
            if name not in self.options:
                raise KeyError(f"unknown option '{name}'; options: {', '.join(self.options)}")
        return paired(self.kpis, option, base, self.kpi_columns, level)

    def p_cheaper(self, option: str, baseline: str | None = None) -> float:
        """Share of replications in which ``option`` cost less in total than ``baseline``."""
        return float(self.compare(option, baseline).loc[self.cost_column, "p_better"])

    def paired_deltas(self, option: str, baseline: str | None = None, kpi: str | None = None) -> np.ndarray:
        """``option - baseline`` of ``kpi`` (default total cost), one value per common replication."""
        base = baseline or self.scenario.baseline_option
        kpi = kpi or self.cost_column
        for name in (option, base):
            if name not in self.options:
                raise KeyError(f"unknown option '{name}'; options: {', '.join(self.options)}")
        a = self.kpis[self.kpis["option"] == option].set_index("replication")[kpi]
        b = self.kpis[self.kpis["option"] == base].set_index("replication")[kpi]
        common = a.index.intersection(b.index).sort_values()
        return a.loc[common].to_numpy(float) - b.loc[common].to_numpy(float)

    def risk(self, level: float = 0.95) -> pd.DataFrame:
        """Per option: mean, VaR and CVaR of total cost and NPV (see :func:`~simkit.stats.estimates.var_cvar`)."""
        return risk_table(self.kpis, [self.cost_column, kpi_name("npv_cost", self.scenario.currency_suffix)], level)

    def p_miss_sla(self, target_share: float = 0.95) -> pd.Series:
        """Per option, the share of replications whose SLA attainment fell below ``target_share``."""
        return p_miss_sla(self.kpis, target_share)

    def rank(self, weights: Mapping[str, float] | None = None, level: float = 0.95) -> pd.DataFrame:
        """Weighted ranking over the KPI families on absolute scales (:func:`simkit.stats.decision.rank`)."""
        from simkit.stats.decision import rank

        return rank(self, dict(weights) if weights else None, level)

    def decision(self, baseline: str | None = None, weights: Mapping[str, float] | None = None,
                 sla_target_share: float = 0.95, level: float = 0.95) -> Decision:
        """The decision summary: paired deltas, P(cheaper), VaR/CVaR, P(missing the SLA), ranking."""
        from simkit.stats.decision import decide

        return decide(self, baseline, dict(weights) if weights else None, sla_target_share, level)

    def reprice(self, changes: Mapping[str, Any]) -> Results:
        """The same runs priced under ``changes`` to cost-only fields, without re-simulating.

        Needs ``simulate(..., keep_logs=True)``; see :mod:`simkit.experiment.reprice` for the fields allowed.
        """
        from simkit.experiment.reprice import reprice

        return reprice(self, changes)

    def cumulative_cost(self, band: float = 0.9) -> pd.DataFrame:
        """Cumulative cost by month per option: mean and a central ``band`` of the replications.

        Returns a tidy frame ``option, month, mean, low, high`` where month 1 is
        the first month's end, and ``low``/``high`` are the ``(1 - band) / 2`` and
        ``(1 + band) / 2`` quantiles across replications.
        """
        if not 0 < band < 1:
            raise ValueError(f"band must be in (0, 1), got {band}")
        months = int(self.ledger["month"].max()) + 1 if len(self.ledger) else 0
        rows = []
        for option in self.options:
            reps = np.sort(self.kpis.loc[self.kpis["option"] == option, "replication"].unique())
            mine = self.ledger[self.ledger["option"] == option]
            grid = mine.groupby(["replication", "month"])["amount"].sum().unstack("month")
            grid = grid.reindex(index=reps, columns=range(months)).fillna(0.0).to_numpy()
            cum = np.cumsum(grid, axis=1) if months else np.zeros((len(reps), 0))
            lo, hi = np.quantile(cum, [(1 - band) / 2, (1 + band) / 2], axis=0) if len(reps) else (cum, cum)
            for m in range(months):
                rows.append({"option": option, "month": m + 1, "mean": float(cum[:, m].mean()),
                             "low": float(lo[m]), "high": float(hi[m])})
        return pd.DataFrame(rows, columns=["option", "month", "mean", "low", "high"])

    def table(self, level: float = 0.95, digits: int = 2) -> pd.DataFrame:
        """KPIs as rows, options as columns, each cell ``mean [ci_low, ci_high]`` as text.

        The intervals are :meth:`summary`'s: clipped at 0 for a KPI that cannot be negative, at 1 for a share.
        """
        s = self.summary(level)

        def cell(r: pd.Series) -> str:
            if r["ci_low"] == r["ci_high"]:
                return f"{r['mean']:,.{digits}f}"
            return f"{r['mean']:,.{digits}f} [{r['ci_low']:,.{digits}f}, {r['ci_high']:,.{digits}f}]"

        s["cell"] = s.apply(cell, axis=1)
        t = s.pivot(index="kpi", columns="option", values="cell")
        return t.loc[self.kpi_columns, self.options].rename_axis(index=None, columns=None)

    def monthly_cost(self) -> pd.DataFrame:
        """Mean cost per month per option (months as rows)."""
        n = self.kpis.groupby("option")["replication"].nunique()
        m = self.ledger.groupby(["option", "month"])["amount"].sum().unstack("option").fillna(0.0)
        return (m / n).reindex(columns=self.options)

    def save(self, path: str | Path) -> Path:
        """Write the KPIs to ``.csv`` or ``.parquet`` safely (:mod:`simkit.fileio`: all or nothing), with the
        provenance in ``meta``.

        Stored as every simkit file is (:mod:`simkit.experiment.store`): inside a parquet file, in a
        ``FILE.csv.meta.json`` sidecar beside a CSV; :func:`simkit.read` returns both.
        """
        with Outputs() as out:
            self.stage(out, path)
        return Path(path)

    def stage(self, out: Outputs, path: str | Path) -> None:
        """Add :meth:`save`'s file(s) to ``out``, to be put in place with other files all at once."""
        from simkit.experiment.store import stage_frame

        stage_frame(out, self.kpis, Path(path), stored_meta(self.meta))


@dataclass
class SweepResults:
    """A parameter sweep: every option at every point, on common random numbers.

    Attributes
    ----------
    scenario
        The base scenario; point ``p`` is ``scenario.override(points.loc[p])``.
    seed
        Root seed: replication ``r`` sees the same workload at every point whose
        workload is unchanged, so differences between points are paired too.
    points
        One row per point (index ``point``), one column per dotted parameter path.
    frame
        Tidy: ``point``, the parameter columns, ``option``, ``replication`` and every KPI.
    design
        ``"grid"``, ``"lhs"``, ``"sobol"``, ``"oat"`` or ``"custom"``.
    meta
        Provenance (version, seed, scenario fingerprint), ``interrupted`` and ``failures``.
    failures
        The (point, replication) runs that raised in this call, each a
        :class:`~simkit.experiment.replication.ReplicationError` carrying the point's parameters; ``.rerun()``
        repeats exactly it.  Running the same sweep with ``out=`` again retries only these.
    """

    scenario: Scenario
    seed: int
    points: pd.DataFrame
    frame: pd.DataFrame
    design: str = "custom"
    meta: dict = field(default_factory=dict)
    failures: list[ReplicationError] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.meta = {"simkit_version": __version__, "seed": self.seed, "scenario": self.scenario.name,
                     "scenario_sha256": self.scenario.fingerprint(), "design": self.design,
                     "points": len(self.points), "interrupted": False,
                     "failures": [err.record() for err in self.failures], **self.meta}

    @property
    def paths(self) -> list[str]:
        return list(self.points.columns)

    @property
    def options(self) -> list[str]:
        return list(dict.fromkeys(self.frame["option"]))

    @property
    def cost_column(self) -> str:
        return kpi_name("cost_total", self.scenario.currency_suffix)

    @property
    def kpi_columns(self) -> list[str]:
        return [c for c in kpi_columns(self.scenario.currency_suffix) if c in self.frame.columns]

    @property
    def interrupted(self) -> bool:
        return bool(self.meta.get("interrupted"))

    def values(self, kpi: str | None = None, option: str | None = None,
               baseline: str | None = None) -> pd.DataFrame:
        """A point x replication matrix of ``kpi`` for ``option``, or of ``option - baseline`` when given.

        ``kpi="savings"`` is the baseline's total cost minus the option's: positive
        when the option saves money.
        """
        option = option or self._default_option(baseline)
        savings = kpi == "savings"
        if savings:
            kpi, baseline = self.cost_column, baseline or self.scenario.baseline_option
        kpi = kpi or self.cost_column
        if kpi not in self.frame.columns:
            raise KeyError(f"unknown KPI '{kpi}'; KPIs: {', '.join(self.kpi_columns)}")
        for name in (option, baseline):
            if name is not None and name not in self.options:
                raise KeyError(f"unknown option '{name}'; options: {', '.join(self.options)}")

        def grid(name: str) -> pd.DataFrame:
            mine = self.frame[self.frame["option"] == name]
            return mine.pivot(index="point", columns="replication", values=kpi).sort_index()

        out = grid(option)
        if baseline is not None:
            out = out - grid(baseline)
        out = out.dropna(axis=1, how="any")
        return -out if savings else out

    def _default_option(self, baseline: str | None) -> str:
        base = baseline or self.scenario.baseline_option
        others = [o for o in self.options if o != base]
        return others[0] if others else base

    def summary(self, kpi: str | None = None, level: float = 0.95) -> pd.DataFrame:
        """Per point and option: mean, CI and n of ``kpi`` (default total cost), with the parameter values.

        The interval is clipped to the range the KPI can take (as in :meth:`Results.summary`).
        """
        kpi = kpi or self.cost_column
        ends = bounds(kpi)
        rows = []
        for (point, option), group in self.frame.groupby(["point", "option"], sort=False):
            m, sd, lo, hi = mean_ci(group[kpi].to_numpy(), level, *ends)
            rows.append({"point": point, "option": option, "mean": m, "std": sd, "ci_low": lo, "ci_high": hi,
                         "n": len(group)})
        out = pd.DataFrame(rows)
        return out.merge(self.points, left_on="point", right_index=True).sort_values(["point"], kind="stable")

    def paired(self, option: str | None = None, baseline: str | None = None, kpi: str | None = None,
               level: float = 0.95) -> pd.DataFrame:
        """Per point: ``option - baseline`` of ``kpi``, its CI and ``p_better`` (P(cheaper) for a cost)."""
        base = baseline or self.scenario.baseline_option
        option = option or self._default_option(base)
        kpi = kpi or self.cost_column
        d = self.values(kpi, option, base)
        sign = KPI_DIRECTION(kpi)
        rows = []
        for point, x in d.iterrows():
            v = x.to_numpy(float)
            m, sd, lo, hi = mean_ci(v, level)
            rows.append({"point": point, "delta_mean": m, "std": sd, "ci_low": lo, "ci_high": hi,
                         "p_better": float(np.mean(v * sign > 0)) if sign else float("nan"), "n": v.size})
        out = pd.DataFrame(rows).set_index("point")
        return self.points.join(out, how="inner")

    def save(self, path: str | Path) -> Path:
        """Write the tidy frame to ``.parquet`` or ``.csv`` (atomically)."""
        from simkit.experiment.store import write_frame

        return write_frame(self.frame, Path(path), stored_meta(self.meta))
