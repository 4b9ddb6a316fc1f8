"""Monthly cost by category: where each option's money goes, month by month, and how much it varies.

A line of mean cost per month leaves a spike (a transition fee, a parallel run, an exit) unexplained
and hides how much a month varies between futures.  :func:`monthly_cost` draws one panel per option:
the mean cost of each month stacked by ledger category (the largest categories by name, the rest as
"other"), and whiskers across the central ``band`` of replications' monthly totals.  All panels share
the cost axis so heights compare across options.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from simkit.extras import require

require("matplotlib", "simkit.plots")  # one line naming the 'charts' extra when it is missing

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from simkit.ui.chartstyle import PALETTE, money, option_label, set_alt, styled  # noqa: E402

if TYPE_CHECKING:
    from simkit.experiment.results import Results

__all__ = ["monthly_cost", "monthly_by_category"]

#: Categories shown by name; the rest are summed into "other" so the legend stays readable.
TOP_CATEGORIES = 6
_CATEGORY_HATCHES = ("", "///", "...", "xxx", "\\\\\\", "+++", "ooo")
_OTHER_GREY = "#9a9a9a"  # "other" reads as the remainder, apart from every named category


def monthly_by_category(res: Results, top: int = TOP_CATEGORIES) -> pd.DataFrame:
    """Mean cost per option, month and category over replications (the ``top`` categories, then other).

    Returns a frame indexed by ``(option, month)`` with months from 1, one column per category
    (the categories with the largest mean amount in any one month first, ``other`` last when
    there is one); a month in which a replication paid nothing counts as zero in the mean.
    """
    led = res.ledger
    n = res.kpis.groupby("option")["replication"].nunique()
    # rank by the largest mean amount in any one month: a one-off (transition, switching) that makes a month
    # stand out is named, not folded into "other", even when its total is small beside a year of wages
    monthly = led.groupby(["option", "month", "category"])["amount"].sum()
    monthly = monthly / n.reindex(monthly.index.get_level_values("option")).to_numpy()
    peaks = monthly.abs().groupby("category").max().sort_values(ascending=False, kind="stable")
    named = list(peaks[peaks > 0].index[:top])
    category = led["category"].where(led["category"].isin(named), "other")
    table = (led.assign(category=category).groupby(["option", "month", "category"])["amount"].sum()
             .unstack("category", fill_value=0.0))
    columns = named + (["other"] if "other" in table.columns else [])
    months = int(led["month"].max()) + 1 if len(led) else 0
    index = pd.MultiIndex.from_product([res.options, range(months)], names=["option", "month"])
    table = table.reindex(index=index, columns=columns, fill_value=0.0).fillna(0.0)
    table = table.div(n.reindex(table.index.get_level_values("option")).to_numpy(), axis=0)
    return table.set_axis(pd.MultiIndex.from_arrays([table.index.get_level_values(0),
                                                     table.index.get_level_values(1) + 1],
                                                    names=["option", "month"]))


def _monthly_totals(res: Results, option: str, months: int) -> np.ndarray:
    """Replications x months of the option's total monthly cost (zero where nothing was paid)."""
    reps = np.sort(res.kpis.loc[res.kpis["option"] == option, "replication"].unique())
    mine = res.ledger[res.ledger["option"] == option]
    grid = mine.groupby(["replication", "month"])["amount"].sum().unstack("month")
    return grid.reindex(index=reps, columns=range(months)).fillna(0.0).to_numpy(float)


def _panels(fig: Figure, ax: Axes | None, n: int) -> list[Axes]:
    """``n`` side-by-side axes sharing y: in a new figure, or in the place of the caller's ``ax``."""
    if ax is None:
        return list(np.atleast_1d(fig.subplots(1, n, sharey=True, squeeze=False)[0]))
    spec = ax.get_subplotspec()
    if spec is None:  # an axes placed by hand: share its box between the panels
        ax.set_axis_off()
        return [ax.inset_axes((k / n + 0.02, 0.0, 1 / n - 0.04, 1.0)) for k in range(n)]
    ax.remove()
    grid = spec.subgridspec(1, n, wspace=0.05)
    first = fig.add_subplot(grid[0, 0])
    return [first, *(fig.add_subplot(grid[0, k], sharey=first) for k in range(1, n))]


@styled
def monthly_cost(res: Results, band: float = 0.9, ax: Axes | None = None) -> Figure:
    """Mean cost per month of each option, stacked by ledger category, with whiskers over replications.

    One panel per option (given ``ax``, the panels share its place in the figure). Bars are the
    mean over replications of each category's cost in that month; whiskers span the central
    ``band`` of the replications' monthly totals. The title names the dearest month and the
    category that made it so (month 1 is usually a transition).
    """
    if not 0 < band < 1:
        raise ValueError(f"band must be in (0, 1), got {band}")
    cur = res.scenario.run.currency
    fig = ax.figure if ax is not None else plt.figure(figsize=(2.0 + 2.6 * len(res.options), 4.2),
                                                      layout="constrained")
    panels = _panels(fig, ax, len(res.options))
    table = monthly_by_category(res)
    categories = list(table.columns)
    months = table.index.get_level_values("month").max() if len(table) else 0
    peak = (0.0, "", 0, "")
    for k, (o, pax) in enumerate(zip(res.options, panels, strict=True)):
        mine = table.loc[o] if len(table) else table
        x = mine.index.to_numpy(int)
        bottom = np.zeros(len(x))
        for j, cat in enumerate(categories):
            values = mine[cat].to_numpy(float)
            pax.bar(x, values, 0.8, bottom=bottom, color=_OTHER_GREY if cat == "other" else PALETTE[j % 6],
                    hatch=_CATEGORY_HATCHES[j % len(_CATEGORY_HATCHES)], edgecolor="white", lw=0.4,
                    label=cat.replace("_", " ") if k == 0 else None)
            bottom += values
        totals = _monthly_totals(res, o, int(months))
        if totals.size:
            lo, hi = np.quantile(totals, [(1 - band) / 2, (1 + band) / 2], axis=0)
            pax.errorbar(x, bottom, yerr=np.vstack([np.maximum(bottom - lo, 0), np.maximum(hi - bottom, 0)]),
                         fmt="none", ecolor="black", elinewidth=1, capsize=2,
                         label=f"central {band:.0%} of replications" if k == 0 else None)
            m = int(np.argmax(bottom))
            if bottom[m] > peak[0]:
                above = mine.iloc[m] - mine.median()
                peak = (float(bottom[m]), o, int(x[m]), str(above.idxmax()).replace("_", " "))
        width = max(14, int(fig.get_figwidth() / len(res.options) * 9))  # characters a panel's title fits
        pax.set_title(textwrap.fill(option_label(res, o), width, break_on_hyphens=False), fontsize=10,
                      loc="center")
        pax.set_xlabel("month")
        pax.xaxis.get_major_locator().set_params(integer=True)
        pax.grid(axis="y")
    panels[0].set_ylabel(f"mean cost per month ({cur})")
    panels[0].yaxis.set_major_formatter(lambda y, _: f"{y:,.0f}")
    if peak[1]:
        head = (f"Dearest month: {option_label(res, peak[1])}, month {peak[2]}, "
                f"{money(peak[0], cur)} (mostly {peak[3]})")
    else:
        head = "Monthly cost: nothing was priced"
    if fig.get_suptitle() == "":  # a figure of the caller's may have its own
        fig.suptitle(head, fontsize=11, fontweight="bold", x=0.01, ha="left")
    handles, labels = panels[0].get_legend_handles_labels()
    if fig.get_layout_engine() is not None and fig.get_constrained_layout():
        fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=8)
    else:  # below the panels, clear of the bars
        panels[0].legend(handles, labels, loc="upper left", bbox_to_anchor=(0.0, -0.18), ncol=4, fontsize=8)
    set_alt(fig, f"Stacked bar charts of mean monthly cost in {cur} by category, one panel per option "
                 f"({', '.join(option_label(res, o) for o in res.options)}), with whiskers over the central "
                 f"{band:.0%} of replications; {head}.")
    return fig
