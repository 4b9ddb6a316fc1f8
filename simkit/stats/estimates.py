"""Statistics over replications: confidence intervals, paired comparisons, risk and ranking.

Replications are independent, so a KPI's mean across them has a Student-t
confidence interval.  Options within a replication share the workload
(common random numbers), so the right comparison is *paired*: the difference
option - baseline is taken replication by replication and its mean gets the
interval.  That interval is much narrower than the one from two independent
samples, which is the point of common random numbers.

Two honesty rules.  The interval of a quantity that cannot be negative (a count,
a cost, a share, hours: the registry's ``non_negative`` flag) is clipped at 0, and
the interval of a share at 1 (:func:`simkit.accounting.registry.bounds`): a
Student-t interval reaching past the range only says the sample is small and
skewed, and clipping keeps every true value the interval covered.  Tail statistics — VaR and
CVaR, P(missing the SLA), ``p_best`` — rest on the few worst or best replications;
from fewer than :data:`MIN_TAIL_REPLICATIONS` replications they are flagged
(``few_replications``) and the decision text says so.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from simkit.accounting import registry as registry
from simkit.accounting.kpi import KPI_DIRECTION
from simkit.stats.tdist import t_quantile
from simkit.stats.value_scale import kpi_values, value_scales

__all__ = ["mean_ci", "summarise", "MIN_TAIL_REPLICATIONS", "few_replications", "tail_caveat",
           "paired", "var_cvar", "risk_table", "p_miss_sla", "kpi_family",
           "rank_options", "check_weights", "KPI_FAMILIES"]


MIN_TAIL_REPLICATIONS = 10


def few_replications(n: int) -> bool:
    """Whether ``n`` replications are too few for a tail statistic (VaR, CVaR, P(miss SLA), ``p_best``).

    At 95 % the VaR of fewer than 10 replications is their largest value and the CVaR
    the same value again; a probability of a bad year is a count out of a handful.
    """
    return n < MIN_TAIL_REPLICATIONS


def tail_caveat(n: int) -> str | None:
    """One sentence warning that tail statistics rest on ``n`` replications, or ``None`` when enough."""
    if not few_replications(n):
        return None
    return (f"Caution: VaR, CVaR, P(miss SLA) and p_best rest on {n} replication{'s' if n != 1 else ''} "
            f"(fewer than {MIN_TAIL_REPLICATIONS}): the tail is barely sampled; run more replications "
            "before relying on them.")


def mean_ci(x: np.ndarray, level: float = 0.95, floor: float | None = None,
            ceiling: float | None = None) -> tuple[float, float, float, float]:
    """Mean, standard deviation and the two-sided Student-t CI of the mean of ``x``.

    ``floor``, ``ceiling``: the least and greatest value the quantity can take (0 for a
    count or a cost; 0 and 1 for a share); the interval is clipped there, since no mean
    outside them is possible.
    """
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
    lo, hi = m - half, m + half
    if floor is not None:
        lo, hi = max(lo, floor), max(hi, floor)
    if ceiling is not None:
        lo, hi = min(lo, ceiling), min(hi, ceiling)
    return m, sd, lo, hi


def summarise(kpis: pd.DataFrame, columns: list[str], level: float = 0.95) -> pd.DataFrame:
    """Per option and KPI: ``mean, std, ci_low, ci_high, n`` (tidy, one row each).

    The interval is clipped to the range the KPI can take (:func:`simkit.accounting.registry.bounds`): at 0 for
    one that cannot be negative, at 1 for a share.
    """
    ends = {col: registry.bounds(col) for col in columns}
    rows = []
    for option, group in kpis.groupby("option", sort=False):
        for col in columns:
            m, sd, lo, hi = mean_ci(group[col].to_numpy(), level, *ends[col])
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
    """Per option: mean, VaR and CVaR at ``level`` of each column (a cost: bigger is worse).

    ``.attrs["replications"]`` holds each option's number of replications and
    ``.attrs["few_replications"]`` whether any option has fewer than :data:`MIN_TAIL_REPLICATIONS`
    (the tail is then barely sampled; see :func:`tail_caveat`).
    """
    pct = f"{round(level * 100):d}"
    rows = {}
    counts = {}
    for option, group in kpis.groupby("option", sort=False):
        counts[option] = len(group)
        row: dict[str, float] = {}
        for col in columns:
            var, cvar = var_cvar(group[col].to_numpy(), level)
            row.update({f"{col}_mean": float(group[col].mean()), f"{col}_var{pct}": var,
                        f"{col}_cvar{pct}": cvar})
        rows[option] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.attrs["replications"] = counts
    out.attrs["few_replications"] = any(few_replications(n) for n in counts.values())
    return out


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
KPI_FAMILIES = registry.RANKED_FAMILIES
_ALIASES = {"business": "business_impact", "impact": "business_impact", "time": "timeliness"}


def kpi_family(column: str, currency: str = "usd") -> str | None:
    """Which of the five ranking families a KPI column belongs to (``None``: not a ranking criterion).

    The registry (:mod:`simkit.accounting.registry`) decides; a column it does not hold, or one of the
    scalability and volume families, is no criterion.  ``currency`` is accepted for
    compatibility: the registry reads the currency from the column name.
    """
    kpi = registry.lookup(column)
    if kpi is None:
        return None
    return kpi.family if kpi.family in KPI_FAMILIES else None


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


def _scores(values: pd.DataFrame, criteria: dict[str, list[str]], weights: dict[str, float],
            scales: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """Absolute values in [0, 1] per criterion (``scales[col] = (worst, best)``), averaged per family, weighted."""
    fam_scores = {}
    for fam, cols in criteria.items():
        parts = [kpi_values(values[col].astype(float), *scales[col]) for col in cols]
        fam_scores[fam] = pd.concat(parts, axis=1).mean(axis=1)
    out = pd.DataFrame(fam_scores)
    w = pd.Series({f: weights.get(f, 0.0) for f in criteria})
    out["score"] = (out[list(criteria)] * w).sum(axis=1) / w.sum() if w.sum() > 0 else 0.0
    return out


def rank_options(kpis: pd.DataFrame, columns: list[str], weights: dict[str, float] | None = None,
                 cost_column: str | None = None, level: float = 0.95, *, baseline: str | None = None,
                 scales: Mapping[str, tuple[float, float]] | None = None,
                 sla_h: float | None = None) -> pd.DataFrame:
    """A weighted multi-criteria ranking of the options over the five KPI families, on absolute scales.

    Every KPI with a direction (better up or down) is a criterion of its family
    (:func:`kpi_family`); the CVaR of ``cost_column`` joins *business_impact* as its
    cost-at-risk criterion.  Each criterion's mean is valued on a fixed scale from 0 (``worst``)
    to 1 (``best``), linear and clipped (:mod:`simkit.stats.value_scale`): the user's ``scales``
    where given (a scenario's ``criteria:``), else the default by unit — money and counts
    relative to the ``baseline`` option's mean (+-50 % spans the scale), shares as they are,
    hours from 0 to twice ``sla_h``.  No scale depends on which other options are ranked, so
    adding or removing an option changes no other option's score, and a 10 % cost gap is a
    0.1 value gap, not the whole scale.  Values are averaged within a family and the family
    values are averaged with the user's ``weights`` (default equal); a family without KPIs
    drops out, and its weight with it.

    ``p_best`` values each replication's KPIs on the same scales and counts how often the option
    comes first: how robust the ranking is to luck.

    Parameters
    ----------
    baseline
        The option whose means set the money and count scales (default: the first option in ``kpis``).
    scales
        ``{column: (worst, best)}`` set by the user.
    sla_h
        The scenario's longest SLA target in hours (``None``: hours are scaled like money).

    Returns
    -------
    pandas.DataFrame
        Indexed by option, sorted by rank: one column per family used (its value in [0, 1]), ``score``,
        ``rank`` (1 = best) and ``p_best``; ``.attrs`` record the ``weights``, the ``criteria`` per family,
        the ``scales`` used, the ``baseline``, how many ``replications`` ``p_best`` counts over and whether
        that is ``few_replications`` (fewer than :data:`MIN_TAIL_REPLICATIONS`).
    """
    weights = check_weights(weights)
    criteria: dict[str, list[str]] = {}
    for col in columns:
        fam = kpi_family(col)
        if fam is not None and KPI_DIRECTION(col) != 0 and col in kpis.columns and weights.get(fam, 0.0) > 0:
            criteria.setdefault(fam, []).append(col)
    if not criteria:
        raise ValueError("no KPI carries a positive weight; give a weight > 0 to a family with KPIs")
    options = list(dict.fromkeys(kpis["option"]))
    base = baseline if baseline is not None else options[0]
    if base not in options:
        raise KeyError(f"unknown baseline '{base}'; options: {', '.join(map(str, options))}")
    used = [c for cols in criteria.values() for c in cols]
    means = kpis.groupby("option", sort=False)[used].mean()
    with_risk = {f: list(c) for f, c in criteria.items()}
    cvar_col = None
    if cost_column is not None and cost_column in kpis.columns and weights.get("business_impact", 0.0) > 0:
        cvar_col = cost_column.replace("cost_total", "cost_cvar") + f"_{round(level * 100):d}"
        means[cvar_col] = kpis.groupby("option", sort=False)[cost_column].apply(
            lambda s: var_cvar(s.to_numpy(), level)[1])
        with_risk.setdefault("business_impact", []).append(cvar_col)
    base_means = means.loc[base].copy()
    if cost_column is not None and cost_column in kpis.columns:
        base_means[cost_column] = float(kpis.loc[kpis["option"] == base, cost_column].mean())
    table_scales = value_scales(base_means, list(means.columns), sla_h, scales, cost_column)
    table = _scores(means, with_risk, weights, table_scales)
    wins = pd.Series(0.0, index=table.index)
    reps = kpis["replication"].unique()
    for _, one in kpis.groupby("replication", sort=True):
        values = one.set_index("option")[used]
        s = _scores(values, criteria, weights, table_scales)["score"]
        wins[s.idxmax()] += 1.0
    table["rank"] = table["score"].rank(ascending=False, method="min").astype(int)
    table["p_best"] = wins / max(len(reps), 1)
    table = table.sort_values(["rank"], kind="stable")
    table.attrs["weights"] = {f: weights[f] for f in with_risk}
    table.attrs["criteria"] = with_risk
    table.attrs["scales"] = table_scales
    table.attrs["baseline"] = base
    table.attrs["replications"] = len(reps)
    table.attrs["few_replications"] = few_replications(len(reps))
    return table
