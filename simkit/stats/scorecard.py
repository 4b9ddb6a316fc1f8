"""The strategic scorecard: simulated KPIs and qualitative factors on one absolute scale.

A make-or-buy choice is not decided on cost alone.  The ``criteria:`` section of
a scenario (schema: :mod:`simkit.scenario.criteria`) (or a file beside it, ``simkit memo --criteria FILE``) lists

* **KPIs** with a value function: ``worst`` scores 0, ``best`` scores 1, linear
  in between and clipped outside.  The ends are the user's — what would be
  unacceptable and what would be excellent — not the options' own minimum and
  maximum, so a 10 % cost gap stays a 10 % gap of the scale instead of being
  stretched to "best" and "worst" (min-max scoring, :func:`simkit.stats.estimates.rank_options`,
  does that);
* **factors** the simulation cannot measure — focus on the core business, access
  to expertise, control, confidentiality and security, reputation, flexibility,
  cultural fit — each option scored 1 to 5 with the evidence for the score; a
  score ``s`` has the value ``(s - 1) / 4``.

Every criterion carries a weight; an option's score is the weighted mean of its
values (a linear additive model).  Because the model is linear, the weight at
which the top choice flips has a closed form (:func:`flip_weights`): raising the
weight of criterion ``k`` by ``t`` changes the lead of the winner ``A`` over a
rival ``B`` from ``D = sum_i w_i (v_Ai - v_Bi)`` to ``D + t (v_Ak - v_Bk)``
(the common denominator ``W + t`` is positive), so ``B`` catches up at
``t = -D / (v_Ak - v_Bk)``; the nearest such ``t`` over the rivals, in the
direction that keeps the weight non-negative, is where the winner changes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simkit.accounting import registry as registry
from simkit.scenario.criteria import FACTORS, CriteriaSpec

if TYPE_CHECKING:
    from simkit.experiment.results import Results
    from simkit.scenario.model import Scenario

__all__ = ["Scorecard", "scorecard", "flip_weights", "group_flip_weights", "flip_lines", "check_criteria_kpis",
           "kpi_column", "factor_value", "load_criteria"]

def kpi_column(key: str, currency: str) -> str | None:
    """The KPI column a ``criteria.kpis`` key names: a column (``cost_total_usd``) or its stem (``cost_total``)."""
    kpi = registry.lookup(key)
    if kpi is not None and kpi.column(currency) == key:
        return key
    stem = next((k for k in registry.KPIS if k.stem == key), None)
    return stem.column(currency) if stem is not None else None


def check_criteria_kpis(scenario: Scenario) -> None:
    """Refuse criteria that name an unknown KPI, one without a direction, or point a scale backwards."""
    from simkit.errors import ScenarioError
    from simkit.errors import pick_name as _pick

    spec = scenario.criteria
    if spec is None:
        return
    cur = scenario.currency_suffix
    for key, v in spec.kpis.items():
        path = f"criteria.kpis.{registry_key(key)}"
        column = kpi_column(key, cur)
        if column is None:
            known = {k.stem: None for k in registry.KPIS if k.direction != 0}
            raise ScenarioError(path, _pick(key, known, "KPI with a direction") or "is not a KPI")
        direction = registry.direction(column)
        if direction == 0:
            raise ScenarioError(path, "has no better direction, so it cannot be scored; pick a cost, time, "
                                      "quality or service KPI")
        if (v.best - v.worst) * direction < 0:
            way = "higher" if direction > 0 else "lower"
            raise ScenarioError(path, f"{way} is better for this KPI, so best must be {way} than worst, got "
                                      f"worst {v.worst:g} and best {v.best:g}")


def registry_key(key: str) -> str:
    from simkit.scenario.yamlio import show_key

    return show_key(key)


def factor_value(score: float) -> float:
    """The value in [0, 1] of a 1-5 score."""
    return (float(score) - 1.0) / 4.0


def _kpi_value(x: float, worst: float, best: float) -> float:
    return float(np.clip((x - worst) / (best - worst), 0.0, 1.0))


def flip_weights(values: pd.DataFrame, weights: pd.Series) -> pd.DataFrame:
    """Per criterion: the weight at which the top option changes, other weights held (closed form).

    Parameters
    ----------
    values
        Options (rows) by criteria (columns), each value in [0, 1].
    weights
        Non-negative weight per criterion (any scale; shares are reported).

    Returns
    -------
    pandas.DataFrame
        Indexed by criterion: ``weight`` and ``weight_share`` now, ``flip_weight`` (the raw weight at
        which the winner changes; NaN when no weight >= 0 changes it), ``flip_share`` (its share of the
        total weight then), ``change`` (``flip_weight - weight``) and ``new_winner`` ("" when none).
    """
    w = weights.reindex(values.columns).astype(float)
    total = float(w.sum())
    score = values.mul(w, axis=1).sum(axis=1) / total
    winner = str(score.idxmax())
    tol = 1e-12 * max(total, 1.0)
    rows = {}
    for k in values.columns:
        best_t, new = math.inf, None
        lead_all = (values.loc[winner] - values).mul(w, axis=1).sum(axis=1)  # D per rival (times W)
        for rival in values.index:
            if rival == winner:
                continue
            d_k = float(values.loc[winner, k] - values.loc[rival, k])
            if d_k == 0:
                continue
            t = -float(lead_all[rival]) / d_k
            if w[k] + t < -tol or (t < 0 and w[k] + t <= tol) or abs(t) <= tol:
                continue  # a negative weight, or a tie only at weight 0 (up to rounding): the rival never leads
            if abs(t) < abs(best_t):
                best_t, new = t, str(rival)
        flip = w[k] + best_t if new is not None else math.nan
        rows[k] = {"weight": w[k], "weight_share": w[k] / total if total else math.nan, "flip_weight": flip,
                   "flip_share": flip / (total + best_t) if new is not None else math.nan,
                   "change": best_t if new is not None else math.nan, "new_winner": new or ""}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.attrs["winner"] = winner
    return out


def group_flip_weights(values: pd.DataFrame, weights: pd.Series, groups: dict[str, str]) -> pd.DataFrame:
    """Per group of criteria (a KPI family): the weight of the whole group at which the top option changes.

    The group's criteria keep their weights' proportions while the group's total weight moves, so the
    group acts as one criterion valued at the weighted mean of its values (the plain mean when its
    weights are all 0) and weighted by their sum; :func:`flip_weights` of those groups is the closed form.

    Parameters
    ----------
    values, weights
        As for :func:`flip_weights`.
    groups
        ``{criterion: group}``; a criterion left out is a group of its own.

    Returns
    -------
    pandas.DataFrame
        As :func:`flip_weights`, indexed by group; ``.attrs["members"]`` lists each group's criteria.
    """
    w = weights.reindex(values.columns).astype(float)
    members: dict[str, list[str]] = {}
    for k in values.columns:
        members.setdefault(groups.get(k, k), []).append(k)
    group_values, group_weights = {}, {}
    for g, cols in members.items():
        total = float(w[cols].sum())
        if total > 0:
            group_values[g] = values[cols].mul(w[cols], axis=1).sum(axis=1) / total
        else:
            group_values[g] = values[cols].mean(axis=1)
        group_weights[g] = total
    out = flip_weights(pd.DataFrame(group_values, index=values.index), pd.Series(group_weights))
    out.attrs["members"] = members
    return out


def flip_lines(flips: pd.DataFrame, labels: dict[str, str] | None = None, indent: str = "    ") -> list[str]:
    """One plain line per row of a :func:`flip_weights` frame: its weight share now and where the top choice flips."""
    labels = labels or {}
    out = []
    for k, r in flips.iterrows():
        label = labels.get(str(k), str(k).replace("_", " "))
        if not r["new_winner"]:
            out.append(f"{indent}{label}: {r['weight_share']:.0%} now; no weight flips it")
        else:
            out.append(f"{indent}{label}: {r['weight_share']:.0%} now; {r['new_winner']} leads from "
                       f"{r['flip_share']:.0%}")
    return out


@dataclass
class Scorecard:
    """The scorecard of a set of results.

    Attributes
    ----------
    criteria
        One row per criterion: ``kind`` (``kpi`` or ``factor``), ``family`` (the KPI family, or
        ``strategic``), ``label``, ``unit``, ``weight``, ``weight_share``, ``worst``, ``best``.
    raw
        Options by criteria: the KPI means and the 1-5 factor scores.
    values
        Options by criteria: the values in [0, 1].
    evidence
        Options by factors: the evidence text.
    score
        Each option's weighted score in [0, 1], highest first.
    flips
        :func:`flip_weights` of the values and weights.
    family_flips
        :func:`group_flip_weights` with the KPI criteria grouped by family (each factor its own group).
    """

    criteria: pd.DataFrame
    raw: pd.DataFrame
    values: pd.DataFrame
    evidence: pd.DataFrame
    score: pd.Series
    flips: pd.DataFrame
    family_flips: pd.DataFrame

    @property
    def winner(self) -> str:
        return str(self.score.index[0])

    def text(self) -> str:
        lines = [f"Scorecard (absolute scale: 0 = worst, 1 = best; top choice {self.winner})"]
        for opt, s in self.score.items():
            lines.append(f"  {opt}: {s:.3f}")
        lines.append("  weight at which the top choice flips (share of all weight, others held):")
        labels = {k: str(self.criteria.loc[k, "label"]) for k in self.criteria.index}
        lines += flip_lines(self.flips, labels)
        if len(self.family_flips) != len(self.flips):
            lines.append("  the same per KPI family (its criteria moved together) and per factor:")
            lines += flip_lines(self.family_flips, labels)
        return "\n".join(lines)


def scorecard(results: Results, criteria: CriteriaSpec | None = None) -> Scorecard:
    """Score every option of ``results`` on the scenario's (or the given) criteria.

    KPI criteria take each option's mean over the replications.  Raises ``ValueError``
    when there are no criteria.
    """
    sc = results.scenario
    spec = criteria if criteria is not None else sc.criteria
    if spec is None:
        raise ValueError("the scenario has no criteria: section; add one or pass criteria=")
    if criteria is not None:
        sc = sc.override({"criteria": spec.model_dump(mode="json")})
    check_criteria_kpis(sc)
    cur = sc.currency_suffix
    means = results.kpis.groupby("option", sort=False).mean(numeric_only=True)
    options = list(results.options)
    crit, raw, values, evidence = {}, {}, {}, {}
    for key, v in spec.kpis.items():
        col = kpi_column(key, cur)
        kpi = registry.lookup(col)
        crit[col] = {"kind": "kpi", "family": kpi.family, "label": kpi.label, "unit": kpi.unit, "weight": v.weight,
                     "worst": v.worst, "best": v.best}
        raw[col] = {o: float(means.loc[o, col]) for o in options}
        values[col] = {o: _kpi_value(raw[col][o], v.worst, v.best) for o in options}
    for name, f in spec.factors.items():
        crit[name] = {"kind": "factor", "family": "strategic", "label": f.label or FACTORS.get(name, name),
                      "unit": "score 1-5", "weight": f.weight, "worst": 1.0, "best": 5.0}
        raw[name] = {o: float(f.scores[o].score) for o in options}
        values[name] = {o: factor_value(f.scores[o].score) for o in options}
        evidence[name] = {o: f.scores[o].evidence for o in options}
    table = pd.DataFrame.from_dict(crit, orient="index")
    table["weight_share"] = table["weight"] / table["weight"].sum()
    values_df = pd.DataFrame(values, index=options)
    weights = table["weight"].astype(float)
    score = (values_df.mul(weights, axis=1).sum(axis=1) / weights.sum()).sort_values(ascending=False, kind="stable")
    return Scorecard(table, pd.DataFrame(raw, index=options), values_df, pd.DataFrame(evidence, index=options),
                     score.rename("score"), flip_weights(values_df, weights),
                     group_flip_weights(values_df, weights, {c: table.loc[c, "family"] for c in table.index
                                                             if table.loc[c, "kind"] == "kpi"}))


def load_criteria(path: str, scenario: Scenario) -> Scenario:
    """``scenario`` with the ``criteria:`` section of the YAML file at ``path`` (errors name the file)."""
    from simkit.scenario.model import ScenarioError
    from simkit.scenario.yamlio import load_yaml_file

    data: Any = load_yaml_file(path, "a criteria file")
    if not isinstance(data, dict) or set(data) != {"criteria"}:
        raise ScenarioError("", "a criteria file holds one section, criteria:, with kpis: and/or factors:", path)
    try:
        out = scenario.override({"criteria": data["criteria"]})
        check_criteria_kpis(out)
    except ScenarioError as err:
        raise ScenarioError(err.path, err.message, path) from None
    return out
