"""The tables of the HTML report (``simkit report``), formatted as the dashboard, the CLI and the memo format KPIs.

Presentation only: every number comes from :class:`simkit.experiment.results.Results` (``summary``, ``compare``,
``ledger``); this module decides how it reads.  The words and numbers come from the one KPI registry
(:mod:`simkit.accounting.registry`):

* a KPI row is named by :func:`~simkit.accounting.registry.plain_label`, the registry's label with its unit
  ("Total cost (USD)", "SLA attainment (%)", "Items completed (items)"), never by its column name;
* a value is formatted by :func:`~simkit.accounting.registry.format_plain`: money to the currency unit (no cents),
  counts of items and people as whole numbers, shares as percentages with one decimal, hours to one decimal.
  Counts of rare events (outages, exits, reviews) keep the decimals the registry gives them: their mean over
  replications is a frequency below 1, which a whole number would round to 0;
* a KPI that is exactly 0 in every replication of every option measures a mechanism the scenario does not use:
  it is left out of the tables, as ``simkit run`` leaves it out, and :func:`left_out_note` names it.  A KPI that is
  0 for one option but not another is kept: that difference is the point of the comparison.

Scenario text (option labels) is data: every table is rendered with ``escape=True``.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd

from simkit.accounting import registry

__all__ = ["shown_kpis", "left_out", "kpi_table", "kpi_table_html", "left_out_note", "compare_table",
           "compare_table_html", "ledger_table_html", "COMPARED_STEMS"]

COMPARED_STEMS = ("cost_total", "cost_per_item", "npv_cost", "lead_time_mean_h", "lead_time_p90_h",
                  "sla_attainment_share", "sla_credits", "backlog_end_items")
"""The KPIs of the paired-difference tables (registry stems), in registry order when shown."""


def _option_label(res: Any, option: str) -> str:
    """The option's label from the scenario, or its key (raw text: the tables escape it)."""
    spec = res.scenario.options.get(option)
    return (getattr(spec, "label", "") if spec is not None else "") or option


def shown_kpis(res: Any) -> list[str]:
    """The KPI columns the report shows: those not exactly 0 in every replication of every option.

    ``NaN`` is not 0, so a KPI with a missing value is shown.
    """
    return [c for c in res.kpi_columns if not (res.kpis[c] == 0).all()]


def left_out(res: Any) -> list[str]:
    """The KPI columns left out of the report's tables: 0 in every replication of every option."""
    shown = set(shown_kpis(res))
    return [c for c in res.kpi_columns if c not in shown]


def _cell(column: str, mean: float, low: float, high: float) -> str:
    """``mean [low, high]`` in the KPI's plain format; the mean alone when the interval is a point or unknown."""
    one = registry.format_plain(column, mean)
    if low == high == mean or not (math.isfinite(low) and math.isfinite(high)):
        return one
    return f"{one} [{registry.format_plain(column, low)}, {registry.format_plain(column, high)}]"


def kpi_table(res: Any, level: float = 0.95) -> pd.DataFrame:
    """KPIs as rows (plain label with unit), options as columns (their labels), cells ``mean [CI]`` as text."""
    cur = res.scenario.run.currency
    keep = shown_kpis(res)
    s = res.summary(level).set_index(["kpi", "option"])
    cells = {_option_label(res, o): [_cell(k, *s.loc[(k, o), ["mean", "ci_low", "ci_high"]].astype(float))
                                     for k in keep] for o in res.options}
    return pd.DataFrame(cells, index=pd.Index([registry.plain_label(k, cur) for k in keep]), columns=list(cells))


def left_out_note(res: Any) -> str:
    """One sentence naming the KPIs left out (by plain label), or ``""`` when none was."""
    cur = res.scenario.run.currency
    names = [registry.plain_label(k, cur) for k in left_out(res)]
    if not names:
        return ""
    return (f"Left out, 0 in every option and replication (mechanisms this scenario does not use): "
            f"{', '.join(names)}.")


def kpi_table_html(res: Any, level: float = 0.95) -> str:
    """:func:`kpi_table` as an HTML table (class ``simkit-kpis``), followed by the :func:`left_out_note`."""
    table = kpi_table(res, level).to_html(classes="simkit-kpis", border=0, escape=True)
    note = left_out_note(res)
    return table + (f'<p class="simkit-kpis-left-out">{html.escape(note)}</p>' if note else "")


def _signed(column: str, value: float) -> str:
    """A difference in the KPI's plain format with its sign (a share's in percentage points)."""
    kpi = registry.lookup(column)
    if kpi is not None and kpi.unit == "share":
        return f"{100.0 * value:+.1f}"
    return format(value, "+" + (kpi.fmt if kpi is not None else ",.2f"))


def _p_better(delta: float, low: float, high: float, p: float) -> str:
    """P(better): "-" for a KPI with no better side, "equal" when no replication differs."""
    if p != p:  # NaN
        return "-"
    if delta == low == high == 0:
        return "equal"
    return f"{p:.2f}"


def compare_table(res: Any, option: str, base: str, level: float = 0.95) -> pd.DataFrame:
    """The paired difference of ``option`` against ``base`` on the :data:`COMPARED_STEMS` the report shows.

    Columns as ``simkit compare`` prints them: ``baseline``, ``option``, ``difference [95% CI]`` (a share's in
    percentage points), ``P(better)``.
    """
    cur = res.scenario.run.currency
    wanted = {registry.kpi_name(stem, cur) for stem in COMPARED_STEMS}
    keep = [k for k in shown_kpis(res) if k in wanted]
    cmp = res.compare(option, base, level).loc[keep]
    pct = f"{round(level * 100):d}"
    diff = f"difference [{pct}% CI]"
    rows = {}
    for k, r in cmp.iterrows():
        rows[registry.plain_label(k, cur)] = {
            "baseline": registry.format_plain(k, float(r["baseline_mean"])),
            "option": registry.format_plain(k, float(r["option_mean"])),
            diff: f"{_signed(k, float(r['delta_mean']))} [{_signed(k, float(r['ci_low']))}, "
                  f"{_signed(k, float(r['ci_high']))}]",
            "P(better)": _p_better(float(r["delta_mean"]), float(r["ci_low"]), float(r["ci_high"]),
                                   float(r["p_better"]))}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["baseline", "option", diff, "P(better)"])


def compare_table_html(res: Any, option: str, base: str, level: float = 0.95) -> str:
    """:func:`compare_table` as an HTML table (class ``simkit-compare``)."""
    return compare_table(res, option, base, level).to_html(classes="simkit-compare", border=0, escape=True)


LEDGER_ORDER = ("labour", "overhead", "vendor_fees", "governance", "transition")
"""The ledger categories shown first, in this order; the others follow as the ledger has them."""


def ledger_table_html(res: Any) -> str:
    """Mean cost per replication by ledger category (columns) and option (rows), money to the currency unit."""
    n = res.kpis.groupby("option")["replication"].nunique()
    by_category = res.ledger.groupby(["option", "category"])["amount"].sum().unstack("category").fillna(0.0)
    order = [c for c in LEDGER_ORDER if c in by_category] + [c for c in by_category if c not in LEDGER_ORDER]
    by_category = by_category[order].div(n, axis=0).reindex(res.options)
    by_category["total"] = by_category.sum(axis=1)
    cur = res.scenario.run.currency.upper()
    shown = pd.DataFrame({f"{c.replace('_', ' ')} ({cur})": [f"{v:,.0f}" for v in by_category[c]]
                          for c in by_category.columns},
                         index=[_option_label(res, o) for o in by_category.index])
    return shown.to_html(classes="simkit-ledger", border=0, escape=True)
