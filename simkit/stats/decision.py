"""The decision summary: how much cheaper, how sure, how bad a bad year gets, and which option ranks first.

A strategist needs four numbers per option, all from the same common-random-
number replications:

* the **paired difference** against the baseline, with its confidence
  interval, and **P(cheaper)** — the share of replications in which the option
  cost less;
* **VaR and CVaR (95 %)** of total cost and of NPV: the cost of a bad year and
  the mean of the worst 5 % of years (:func:`simkit.stats.estimates.var_cvar`), and
  the same for the paired extra cost over the baseline;
* **P(missing the SLA)**: the share of replications whose SLA attainment fell
  below the committed target share (:func:`simkit.stats.estimates.p_miss_sla`);
* a **weighted ranking** over the five KPI families with the user's weights
  (:func:`simkit.stats.estimates.rank_options`), every KPI valued on an absolute scale
  (:mod:`simkit.stats.value_scale`: the scenario's ``criteria:`` ends where it sets them, else a
  default by unit), and per family the **weight at which the top choice flips**
  (:func:`simkit.stats.scorecard.flip_weights`: the score is linear in the weights, so it has a closed form).

VaR, CVaR, P(missing the SLA) and the ranking's ``p_best`` are tail statistics:
from fewer than :data:`simkit.stats.estimates.MIN_TAIL_REPLICATIONS` replications the
frames flag them (``few_replications``) and :meth:`Decision.text` says so.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simkit.accounting.registry import kpi_name
from simkit.stats.estimates import few_replications, p_miss_sla, rank_options, risk_table, tail_caveat, var_cvar
from simkit.stats.scorecard import flip_lines, flip_weights
from simkit.stats.value_scale import criteria_scales, longest_sla_h

if TYPE_CHECKING:
    from simkit.experiment.results import Results

__all__ = ["Decision", "decide", "rank", "ranking_flips"]


@dataclass
class Decision:
    """The decision summary of one :class:`~simkit.experiment.results.Results`.

    Attributes
    ----------
    baseline
        The option every other is compared with.
    versus
        One row per other option: the paired total-cost and NPV differences
        (``delta_*``, CI, relative to the baseline), ``p_cheaper``, the VaR and
        CVaR of the paired extra cost, and ``few_replications``: whether the
        paired replications are too few for those tail statistics.
    risk
        One row per option: mean, VaR and CVaR of total cost and NPV,
        ``p_miss_sla`` and ``few_replications`` (as in ``versus``).
    ranking
        :func:`rank` output.
    flips
        Per KPI family of the ranking: :func:`~simkit.stats.scorecard.flip_weights` of the family values
        and weights (the weight, and its share, at which another option would rank first).
    labels
        ``{option: label}``: the words :meth:`text` prints for an option, the scenario's ``label`` where it
        sets one (as the command line prints them); an option without one is printed by its key.
    """

    baseline: str
    currency: str
    level: float
    sla_target_share: float
    replications: int
    versus: pd.DataFrame
    risk: pd.DataFrame
    ranking: pd.DataFrame
    flips: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, option: str) -> str:
        """The words people read for ``option``: its label, or its key when it has none."""
        return self.labels.get(str(option), str(option))

    @property
    def caveat(self) -> str | None:
        """A sentence warning that the tail statistics rest on too few replications (``None``: enough)."""
        counts = list(self.risk.attrs.get("replications", {}).values()) or [self.replications]
        return tail_caveat(min(counts))

    def text(self) -> str:
        """The summary as plain text for a terminal or a log."""
        cur, pct = self.currency, f"{round(self.level * 100):d}"
        lines = [f"Decision summary ({self.replications} replications, common random numbers, "
                 f"{pct}% CI; baseline {self.label(self.baseline)})", ""]
        if self.caveat:
            lines += [*textwrap.wrap(self.caveat, 110, initial_indent="  ", subsequent_indent="  "), ""]
        for opt, r in self.versus.iterrows():
            lines.append(
                f"  {self.label(opt)}: total cost {r['delta_cost_mean']:+,.0f} {cur} ({r['delta_cost_share']:+.1%}) "
                f"[{r['delta_cost_ci_low']:+,.0f}, {r['delta_cost_ci_high']:+,.0f}], P(cheaper) = "
                f"{r['p_cheaper']:.2f}; NPV {r['delta_npv_mean']:+,.0f}; extra cost VaR{pct} "
                f"{r[f'delta_cost_var{pct}']:+,.0f}, CVaR{pct} {r[f'delta_cost_cvar{pct}']:+,.0f}")
        lines += ["", f"  Cost at risk and P(missing the SLA: attainment < {self.sla_target_share:.0%}):"]
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            shown = self.risk.drop(columns="few_replications", errors="ignore").rename(index=self.label)
            money = [c for c in shown.columns if c != "p_miss_sla"]
            shown[money] = shown[money].map(lambda v: f"{v:,.0f}")
            shown["p_miss_sla"] = shown["p_miss_sla"].map(lambda v: f"{v:.2f}")
            short = {"cost_total": "cost", "npv_cost": "NPV"}

            def rename(col: str) -> str:
                for long, name in short.items():
                    if col.startswith(long):
                        stat = col.rsplit("_", 1)[-1].replace("cvar", "CVaR").replace("var", "VaR")
                        return f"{name} {stat}"
                return "P(miss SLA)" if col == "p_miss_sla" else col

            shown.columns = [rename(c) for c in shown.columns]
            lines += ["  " + line for line in shown.to_string().splitlines()]
            weights = ", ".join(f"{k} {v:g}" for k, v in self.ranking.attrs.get("weights", {}).items())
            lines += ["", f"  Ranking (weights: {weights}; absolute scale, score 1 = best on every criterion):"]
            ranked = self.ranking.rename(index=self.label)
            shares = [c for c in ranked.columns if c != "rank"]
            ranked[shares] = ranked[shares].map(lambda v: f"{v:.2f}")
            lines += ["  " + line for line in ranked.to_string().splitlines()]
        lines += ["", "  Weight at which the top choice flips (share of all weight, other families held):",
                  *flip_lines(self.flips.assign(new_winner=self.flips["new_winner"].map(
                      lambda o: self.label(o) if o else o)))]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()


def rank(res: Results, weights: dict[str, float] | None = None, level: float = 0.95) -> pd.DataFrame:
    """The ranking of ``res`` on absolute scales set by its scenario (:func:`~simkit.stats.estimates.rank_options`).

    The scales: the ``worst``/``best`` of the scenario's ``criteria.kpis`` where given; money and counts
    relative to the baseline option's means; hours from 0 to twice the longest SLA target of its item kinds.
    """
    sc = res.scenario
    base = sc.baseline_option if sc.baseline_option in res.options else res.options[0]
    return rank_options(res.kpis, res.kpi_columns, weights, cost_column=res.cost_column, level=level,
                        baseline=base, scales=criteria_scales(sc), sla_h=longest_sla_h(sc))


def ranking_flips(ranking: pd.DataFrame) -> pd.DataFrame:
    """Per family of a :func:`rank` table: the weight at which another option would rank first (closed form)."""
    families = list(ranking.attrs["criteria"])
    weights = pd.Series({f: ranking.attrs["weights"][f] for f in families}, dtype=float)
    return flip_weights(ranking[families], weights)


def decide(res: Results, baseline: str | None = None, weights: dict[str, float] | None = None,
           sla_target_share: float = 0.95, level: float = 0.95) -> Decision:
    """Build the :class:`Decision` summary of ``res``.

    Parameters
    ----------
    res
        Replicated results of every option.
    baseline
        Default: the scenario's baseline option.
    weights
        ``{family: weight}`` over ``cost, quality, timeliness, communication,
        business`` (default equal); see :func:`~simkit.stats.estimates.rank_options`.
    sla_target_share
        The SLA attainment a replication must reach not to count as a miss.
    level
        Confidence level of the CIs, VaR and CVaR.
    """
    base = baseline or res.scenario.baseline_option
    if base not in res.options:
        raise KeyError(f"unknown option '{base}'; options: {', '.join(res.options)}")
    cost = res.cost_column
    npv = kpi_name("npv_cost", res.scenario.currency_suffix)
    pct = f"{round(level * 100):d}"
    rows = {}
    for opt in res.options:
        if opt == base:
            continue
        cmp = res.compare(opt, base, level)
        d = res.paired_deltas(opt, base, cost)
        var, cvar = var_cvar(d, level)
        rows[opt] = {
            "delta_cost_mean": cmp.loc[cost, "delta_mean"], "delta_cost_ci_low": cmp.loc[cost, "ci_low"],
            "delta_cost_ci_high": cmp.loc[cost, "ci_high"], "delta_cost_share": cmp.loc[cost, "delta_share"],
            "p_cheaper": float(np.mean(d < 0)),
            "delta_npv_mean": cmp.loc[npv, "delta_mean"], "delta_npv_ci_low": cmp.loc[npv, "ci_low"],
            "delta_npv_ci_high": cmp.loc[npv, "ci_high"],
            f"delta_cost_var{pct}": var, f"delta_cost_cvar{pct}": cvar,
            "few_replications": few_replications(d.size),
        }
    versus = pd.DataFrame.from_dict(rows, orient="index")
    risk = risk_table(res.kpis, [cost, npv], level)
    risk["p_miss_sla"] = p_miss_sla(res.kpis, sla_target_share)
    risk["few_replications"] = [few_replications(risk.attrs["replications"][o]) for o in risk.index]
    ranking = rank(res, weights, level)
    return Decision(base, res.scenario.run.currency, level, sla_target_share, int(res.meta["replications"]),
                    versus, risk, ranking, ranking_flips(ranking),
                    {o: res.scenario.option_label(o) if o in res.scenario.options else o for o in res.options})
