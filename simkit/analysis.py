"""Statistics over replications: confidence intervals and paired comparisons.

Replications are independent, so a KPI's mean across them has a Student-t
confidence interval.  Options within a replication share the workload
(common random numbers), so the right comparison is *paired*: the difference
option - baseline is taken replication by replication and its mean gets the
interval.  That interval is much narrower than the one from two independent
samples, which is the point of common random numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import stdtrit

from .kpi import KPI_DIRECTION

__all__ = ["mean_ci", "summarise", "paired"]


def mean_ci(x: np.ndarray, level: float = 0.95) -> tuple[float, float, float, float]:
    """Mean, standard deviation and the two-sided Student-t CI of the mean of ``x``."""
    x = np.asarray(x, dtype=float)
    n = x.size
    if n == 0:
        raise ValueError("no values to summarise")
    m = float(x.mean())
    if n == 1:
        return m, 0.0, m, m
    sd = float(x.std(ddof=1))
    half = float(stdtrit(n - 1, 0.5 + level / 2.0)) * sd / np.sqrt(n)
    return m, sd, m - half, m + half


def summarise(kpis: pd.DataFrame, columns: list[str], level: float = 0.95) -> pd.DataFrame:
    """Per option and KPI: ``mean, std, ci_low, ci_high, n`` (tidy, one row each)."""
    rows = []
    for option, group in kpis.groupby("option", sort=False):
        for col in columns:
            m, sd, lo, hi = mean_ci(group[col].to_numpy(), level)
            rows.append({"option": option, "kpi": col, "mean": m, "std": sd, "ci_low": lo, "ci_high": hi,
                         "n": len(group)})
    return pd.DataFrame(rows)


def paired(kpis: pd.DataFrame, option: str, baseline: str, columns: list[str], level: float = 0.95) -> pd.DataFrame:
    """Paired differences ``option - baseline`` per KPI over common replications.

    Columns: ``baseline_mean, option_mean, delta_mean, ci_low, ci_high, delta_share``
    (delta relative to the baseline mean, 0 when that is 0) and ``p_better``: the
    share of replications in which the option did better than the baseline
    (for a cost, the probability that the option is cheaper).
    """
    a = kpis[kpis["option"] == option].set_index("replication")
    b = kpis[kpis["option"] == baseline].set_index("replication")
    common = a.index.intersection(b.index)
    if common.empty:
        known = ", ".join(map(str, kpis["option"].unique()))
        raise KeyError(f"no common replications of '{option}' and '{baseline}'; options: {known}")
    rows = []
    for col in columns:
        d = a.loc[common, col].to_numpy() - b.loc[common, col].to_numpy()
        m, sd, lo, hi = mean_ci(d, level)
        base = float(b.loc[common, col].mean())
        sign = KPI_DIRECTION(col)
        better = float(np.mean(d * sign > 0)) if sign else float("nan")
        rows.append({"kpi": col, "baseline_mean": base, "option_mean": float(a.loc[common, col].mean()),
                     "delta_mean": m, "ci_low": lo, "ci_high": hi,
                     "delta_share": m / base if base else 0.0, "p_better": better})
    return pd.DataFrame(rows).set_index("kpi")
