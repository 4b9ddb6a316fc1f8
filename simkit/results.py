"""Results: the one record type every experiment returns.

``kpis`` (one row per option and replication) and ``ledger`` (monthly cash
flows per option, replication and category) are tidy pandas frames; everything
else — summaries, comparisons, tables, plots, files — is derived from them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from . import __version__
from .analysis import paired, summarise
from .kpi import kpi_columns

if TYPE_CHECKING:
    from .scenario import Scenario

__all__ = ["Results"]


@dataclass
class Results:
    """Replicated KPIs and ledgers of every option of a scenario."""

    scenario: Scenario
    seed: int
    kpis: pd.DataFrame
    ledger: pd.DataFrame
    meta: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.meta = {"simkit_version": __version__, "seed": self.seed,
                     "scenario": self.scenario.name, "scenario_sha256": self.scenario.fingerprint(),
                     "replications": int(self.kpis["replication"].nunique()), **self.meta}

    @property
    def kpi_columns(self) -> list[str]:
        return kpi_columns(self.scenario.currency_suffix)

    @property
    def options(self) -> list[str]:
        return list(dict.fromkeys(self.kpis["option"]))

    @property
    def cost_column(self) -> str:
        return f"cost_total_{self.scenario.currency_suffix}"

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

    def table(self, level: float = 0.95, digits: int = 2) -> pd.DataFrame:
        """KPIs as rows, options as columns, each cell ``mean [ci_low, ci_high]`` as text."""
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
        """Write the KPIs to ``.csv`` or ``.parquet`` (atomically: temp file, then rename)."""
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(f".{p.name}.tmp")
        if p.suffix == ".parquet":
            frame = self.kpis.copy()
            frame.attrs = {k: str(v) for k, v in self.meta.items()}
            frame.to_parquet(tmp, index=False)
        elif p.suffix == ".csv":
            self.kpis.to_csv(tmp, index=False)
        else:
            raise ValueError(f"cannot write '{p.suffix}' files; use .csv or .parquet")
        tmp.replace(p)
        return p
