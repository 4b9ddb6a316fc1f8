"""Statistics over replications: confidence intervals, paired comparisons, risk and ranking.

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

from .kpi import KPI_DIRECTION
from .tdist import t_quantile

__all__ = ["mean_ci", "summarise", "paired", "var_cvar", "risk_table", "p_miss_sla", "kpi_family",
           "rank_options", "check_weights", "KPI_FAMILIES"]


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
    if sd <= 1e-12 * max(1.0, abs(m)):  # identical values up to rounding: no spread
        sd = 0.0
    half = float(t_quantile(n - 1, 0.5 + level / 2.0)) * sd / np.sqrt(n)
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


def paired(kpis: pd.DataFrame, option: str, baseline: str, columns: list[str],
           level: float = 0.95) -> pd.DataFrame:
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


# --------------------------------------------------------------------------- risk
def var_cvar(x: np.ndarray, level: float = 0.95, worse: str = "high") -> tuple[float, float]:
    """Value at risk and conditional value at risk of a loss at confidence ``level``.

    ``VaR`` is the ``level`` quantile of the loss (the inverted empirical CDF:
    the smallest value with at least ``level`` of the replications at or below
    it): "in 95 years out of 100 it costs no more than this".  ``CVaR`` (expected
    shortfall) is the mean of the worst ``1 - level`` tail, by the
    Rockafellar-Uryasev formula ``VaR + E[(X - VaR)+] / (1 - level)``, which
    stays exact when ``(1 - level) n`` is not a whole number.  For ``x = 1..100``
    at 95 %: VaR = 95 and CVaR = 98 (the mean of 96..100).

    Parameters
    ----------
    x
        One value per replication.
    level
        The confidence level, in (0, 1).
    worse
        ``"high"`` when bigger is worse (a cost); ``"low"`` when smaller is worse
        (an SLA attainment) — then both are taken on the lower tail.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        raise ValueError("no values to take a VaR of")
    loss = x if worse == "high" else -x
    var = float(np.quantile(loss, level, method="inverted_cdf"))
    cvar = var + float(np.mean(np.maximum(loss - var, 0.0))) / (1.0 - level)
    return (var, cvar) if worse == "high" else (-var, -cvar)


def risk_table(kpis: pd.DataFrame, columns: list[str], level: float = 0.95) -> pd.DataFrame:
    """Per option: mean, VaR and CVaR at ``level`` of each column (a cost: bigger is worse)."""
    pct = f"{round(level * 100):d}"
    rows = {}
    for option, group in kpis.groupby("option", sort=False):
        row: dict[str, float] = {}
        for col in columns:
            var, cvar = var_cvar(group[col].to_numpy(), level)
            row.update({f"{col}_mean": float(group[col].mean()), f"{col}_var{pct}": var,
                        f"{col}_cvar{pct}": cvar})
        rows[option] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def p_miss_sla(kpis: pd.DataFrame, target_share: float = 0.95,
               column: str = "sla_attainment_share") -> pd.Series:
    """Per option, the share of replications whose SLA attainment fell below ``target_share``.

    A replication is a plausible year (or horizon); this is the probability
    that such a year misses the service level the business committed to.
    """
    if not 0 <= target_share <= 1:
        raise ValueError(f"the SLA target must be a share in [0, 1], got {target_share}")
    missed = kpis[column].to_numpy(float) < target_share
    return pd.Series(missed, index=kpis.index).groupby(kpis["option"], sort=False).mean().rename(column)


# --------------------------------------------------------------------------- ranking
KPI_FAMILIES = ("cost", "quality", "timeliness", "communication", "business_impact")
_ALIASES = {"business": "business_impact", "impact": "business_impact", "time": "timeliness"}
_PREFIXES = {  # used only for columns the KPI module does not list
    "cost": ("cost_total", "cost_per_item", "npv_cost", "cost_cvar"),
    "quality": ("defect", "rework", "escaped"),
    "timeliness": ("lead_time", "wait_", "waited", "sla_attainment", "backlog"),
    "communication": ("handoff", "clarif"),
    "business_impact": ("delay_cost", "abandon", "availability", "outage"),
}


def kpi_family(column: str, currency: str = "usd") -> str | None:
    """Which of the five KPI families a column belongs to (``None``: not a ranking criterion).

    The KPI module's own table (``simkit.kpi.KPI_FAMILIES``) decides when it
    lists the column; otherwise the column's prefix does.
    """
    from . import kpi as kpi_module

    table = getattr(kpi_module, "KPI_FAMILIES", None)
    if callable(table):
        for fam, cols in table(currency).items():
            if column in cols:
                fam = _ALIASES.get(fam, fam)
                return fam if fam in KPI_FAMILIES else None
    for fam, prefixes in _PREFIXES.items():
        if column.startswith(prefixes):
            return fam
    return None


def check_weights(weights: dict[str, float] | None) -> dict[str, float]:
    """Validate ``{family: weight}``; families left out weigh 0 (``None``: all families weigh 1)."""
    if weights is None:
        return dict.fromkeys(KPI_FAMILIES, 1.0)
    out = {}
    for fam, w in weights.items():
        fam = _ALIASES.get(fam, fam)
        if fam not in KPI_FAMILIES:
            known = ", ".join(KPI_FAMILIES)
            raise ValueError(f"unknown KPI family '{fam}' in the weights; families: {known}")
        if not (np.isfinite(w) and w >= 0):
            raise ValueError(f"the weight of '{fam}' must be a finite number >= 0, got {w}")
        out[fam] = float(w)
    if sum(out.values()) <= 0:
        raise ValueError("at least one KPI family needs a weight > 0")
    return out


def _scores(values: pd.DataFrame, criteria: dict[str, list[str]], weights: dict[str, float]) -> pd.DataFrame:
    """Min-max scores in [0, 1] (1 = best option) per criterion, averaged per family, weighted."""
    fam_scores = {}
    for fam, cols in criteria.items():
        parts = []
        for col in cols:
            x = values[col].astype(float)
            lo, hi = float(x.min()), float(x.max())
            if hi - lo <= 1e-12 * max(abs(lo), abs(hi), 1.0):
                parts.append(pd.Series(1.0, index=x.index))
            else:
                s = (x - lo) / (hi - lo)
                parts.append(s if KPI_DIRECTION(col) > 0 else 1.0 - s)
        fam_scores[fam] = pd.concat(parts, axis=1).mean(axis=1)
    out = pd.DataFrame(fam_scores)
    w = pd.Series({f: weights.get(f, 0.0) for f in criteria})
    out["score"] = (out[list(criteria)] * w).sum(axis=1) / w.sum() if w.sum() > 0 else 0.0
    return out


def rank_options(kpis: pd.DataFrame, columns: list[str], weights: dict[str, float] | None = None,
                 cost_column: str | None = None, level: float = 0.95) -> pd.DataFrame:
    """A weighted multi-criteria ranking of the options over the five KPI families.

    Every KPI with a direction (better up or down) is a criterion of its family
    (:func:`kpi_family`); the CVaR of ``cost_column`` joins *business_impact* as its
    cost-at-risk criterion.  On the options' mean values each criterion is scored
    0 (worst option) to 1 (best option) — simple additive weighting with min-max
    normalisation — scores are averaged within a family, and the family scores
    are averaged with the user's ``weights`` (vendor-selection criteria; default
    equal).  A KPI on which every option ties cannot change the order and is left
    out; a family left without KPIs drops out, and its weight with it.

    ``p_best`` applies the same scoring to each replication's values alone and
    counts how often the option comes first: how robust the ranking is to luck.

    Returns
    -------
    pandas.DataFrame
        Indexed by option, sorted by rank: one column per family used, ``score``,
        ``rank`` (1 = best) and ``p_best``; ``.attrs["weights"]`` and
        ``.attrs["criteria"]`` record what was used.
    """
    weights = check_weights(weights)
    currency = cost_column.rsplit("_", 1)[-1] if cost_column else "usd"
    criteria: dict[str, list[str]] = {}
    for col in columns:
        fam = kpi_family(col, currency)
        if fam is not None and KPI_DIRECTION(col) != 0 and col in kpis.columns and weights.get(fam, 0.0) > 0:
            criteria.setdefault(fam, []).append(col)
    if not criteria:
        raise ValueError("no KPI carries a positive weight; give a weight > 0 to a family with KPIs")
    means = kpis.groupby("option", sort=False)[[c for cols in criteria.values() for c in cols]].mean()
    spread = means.max() - means.min()
    tied = spread <= 1e-12 * np.maximum(means.abs().max(), 1.0)  # all options tie: it ranks nothing
    criteria = {f: [c for c in cols if not tied[c]] for f, cols in criteria.items()}
    criteria = {f: cols for f, cols in criteria.items() if cols}
    if not criteria:
        criteria = {"cost": [cost_column]} if cost_column in means.columns else {}
    means = means[[c for cols in criteria.values() for c in cols]]
    with_risk = {f: list(c) for f, c in criteria.items()}
    if cost_column is not None and weights.get("business_impact", 0.0) > 0:
        cvar_col = cost_column.replace("cost_total", "cost_cvar") + f"_{round(level * 100):d}"
        means[cvar_col] = kpis.groupby("option", sort=False)[cost_column].apply(
            lambda s: var_cvar(s.to_numpy(), level)[1])
        with_risk.setdefault("business_impact", []).append(cvar_col)
    table = _scores(means, with_risk, weights)
    wins = pd.Series(0.0, index=table.index)
    reps = kpis["replication"].unique()
    for _, one in kpis.groupby("replication", sort=True):
        values = one.set_index("option")[means.columns.intersection(one.columns)]
        s = _scores(values, criteria, weights)["score"]
        wins[s.idxmax()] += 1.0
    table["rank"] = table["score"].rank(ascending=False, method="min").astype(int)
    table["p_best"] = wins / max(len(reps), 1)
    table = table.sort_values(["rank"], kind="stable")
    table.attrs["weights"] = {f: weights[f] for f in with_risk}
    table.attrs["criteria"] = with_risk
    return table
