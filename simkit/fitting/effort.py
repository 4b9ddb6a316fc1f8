"""Kinds, shares, effort distributions, priorities and SLA hours from an event history.

*Effort*: for each kind, a lognormal and a gamma are fitted by maximum likelihood; the one with the
higher likelihood (equivalently the lower AIC: both have two parameters) is chosen.  When even the
better one is clearly rejected (Kolmogorov-Smirnov p < 0.001 with at least 200 values) the kind gets
an empirical distribution of 100 quantiles of its efforts instead.  Kinds with fewer than
:data:`MIN_EFFORTS` usable efforts borrow the fit of all kinds together.

*Priorities*: the labels found are ranked (numbers by value, text naturally: ``P1 < P2``; the first is
the most urgent, priority 0) and each kind gets its most common one.  *SLA hours*: the 90th percentile
of the kind's observed resolution time — a measured starting point, to be replaced by the contractual
target.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from simkit.extras import require

stats = require("scipy.stats", "simkit fit", "data")  # one line naming the extra when it is missing

from simkit.fitting.read import History  # noqa: E402

__all__ = ["KindFit", "EffortFit", "fit_kinds", "fit_effort", "MAX_KINDS", "MIN_EFFORTS"]

MAX_KINDS = 8
"""More kinds than this are merged into 'other' (the rarest first)."""
MIN_EFFORTS = 30


@dataclass(frozen=True)
class EffortFit:
    """A fitted effort distribution in hours: ``dist`` is the scenario text, ``why`` the evidence."""

    dist: str
    family: str
    mean_h: float
    cv: float
    n: int
    why: str


@dataclass(frozen=True)
class KindFit:
    """One kind: its scenario name, the labels it covers, its share, effort, priority and SLA hours."""

    name: str
    labels: tuple[str, ...]
    count: int
    share: float
    effort: EffortFit | None
    priority: int
    priority_label: str
    sla_h: float | None


def _slug(label: str, taken: set[str]) -> str:
    s = re.sub(r"[^A-Za-z0-9_]+", "_", label).strip("_").lower()[:40] or "kind"
    if not s[0].isalpha():
        s = f"k_{s}"
    name, i = s, 2
    while name in taken:
        name, i = f"{s}_{i}", i + 1
    taken.add(name)
    return name


def fit_effort(values_h: np.ndarray) -> EffortFit | None:
    """The better of lognormal and gamma by likelihood, or empirical when both are rejected."""
    x = values_h[np.isfinite(values_h) & (values_h > 0)]
    n = x.size
    if n < 2 or np.ptp(x) <= 0:
        return None
    logs = np.log(x)
    mu, sigma = float(logs.mean()), float(logs.std())
    ll_logn = float(stats.lognorm.logpdf(x, sigma, scale=math.exp(mu)).sum())
    shape, _, scale = stats.gamma.fit(x, floc=0)
    ll_gamma = float(stats.gamma.logpdf(x, shape, scale=scale).sum())
    if ll_logn >= ll_gamma:
        family, mean, cv = "lognormal", math.exp(mu + sigma**2 / 2), math.sqrt(math.expm1(sigma**2))
        ks = stats.kstest(x, "lognorm", args=(sigma, 0, math.exp(mu))).pvalue
    else:
        family, mean, cv = "gamma", shape * scale, 1.0 / math.sqrt(shape)
        ks = stats.kstest(x, "gamma", args=(shape, 0, scale)).pvalue
    why = (f"{n} efforts; log-likelihood lognormal {ll_logn:,.1f} vs gamma {ll_gamma:,.1f}; "
           f"KS p = {ks:.3g}")
    if n >= 200 and ks < 1e-3:
        q = np.quantile(x, (np.arange(100) + 0.5) / 100)
        values = ", ".join(f"{v:.4g}" for v in q)
        return EffortFit(f"empirical(values=[{values}])", "empirical", float(x.mean()),
                         float(x.std() / x.mean()), n, why + f"; {family} rejected, 100 quantiles used")
    return EffortFit(f"{family}(mean={mean:.4g}, cv={cv:.3g})", family, mean, cv, n,
                     why + f"; {family} chosen (higher likelihood)")


def _rank_labels(labels: np.ndarray) -> dict[str, int]:
    found = sorted({str(v) for v in labels if str(v)},
                   key=lambda s: [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", s)])
    return {lab: min(i, 9) for i, lab in enumerate(found)}


def fit_kinds(hist: History) -> list[KindFit]:
    """One :class:`KindFit` per kind (or a single ``work`` kind when the history has no kind column)."""
    n = len(hist.times)
    labels = hist.kind if hist.kind is not None else np.full(n, "work", dtype=object)
    uniq, counts = np.unique(labels.astype(str), return_counts=True)
    order = np.argsort(-counts, kind="stable")
    keep = [str(uniq[i]) for i in order[:MAX_KINDS - 1]] if len(uniq) > MAX_KINDS else [str(u) for u in uniq[order]]
    groups = {lab: (lab,) for lab in keep}
    rest = tuple(str(u) for u in uniq if str(u) not in groups)
    if rest:
        groups["other"] = rest
    effort = hist.effort_h if hist.effort_h is not None else np.full(n, np.nan)
    pooled = fit_effort(effort)
    ranks = _rank_labels(hist.priority) if hist.priority is not None else {}
    taken: set[str] = set()
    out = []
    for label, members in groups.items():
        rows = np.isin(labels.astype(str), members)
        e = fit_effort(effort[rows]) if np.isfinite(effort[rows]).sum() >= MIN_EFFORTS else None
        if e is None and pooled is not None and hist.effort_h is not None:
            e = EffortFit(pooled.dist, pooled.family, pooled.mean_h, pooled.cv, pooled.n,
                          f"too few efforts of this kind; all kinds together: {pooled.why}")
        prio, prio_label = 1, ""
        if ranks:
            vals, cnt = np.unique(hist.priority[rows].astype(str), return_counts=True)
            prio_label = str(vals[np.argmax(cnt)])
            prio = ranks.get(prio_label, 1)
        sla = None
        if hist.resolved_h is not None:
            r = hist.resolved_h[rows]
            r = r[np.isfinite(r)]
            sla = float(np.quantile(r, 0.9)) if r.size >= 10 else None
        out.append(KindFit(_slug(label, taken), members, int(rows.sum()), float(rows.sum()) / n, e, prio,
                           prio_label, sla))
    return out
