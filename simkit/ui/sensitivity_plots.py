"""Charts of sensitivity analyses: the tornado diagram and the decision map (presentation only).

Both take the frames :mod:`simkit.analysis.sensitivity` returns; axes name scenario fields in plain words
with their units (:func:`simkit.ui.chartstyle.path_label`) rather than as dotted paths, and legends
sit outside the plotting area so they never cover a bar or a boundary.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simkit.extras import require

require("matplotlib", "simkit.plots")  # one line naming the 'charts' extra when it is missing

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from simkit.ui.chartstyle import PALETTE, kpi_label, new_axes, path_label, set_alt, styled, title  # noqa: E402

__all__ = ["tornado", "decision_map"]


def _metric(kpi: str, currency: str) -> str:
    if kpi == "savings":
        return f"savings against the baseline ({currency})" if currency else "savings against the baseline"
    return kpi_label(kpi, currency)


def _currency_of(kpi: str, attrs_currency: str) -> str:
    """The currency a metric is in: recorded by the analysis, or read off a cost column's suffix."""
    if attrs_currency:
        return attrs_currency
    tail = kpi.rsplit("_", 1)[-1]
    return tail.upper() if "cost" in kpi and len(tail) == 3 else ""


@styled
def tornado(table: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Tornado diagram of :func:`simkit.analysis.sensitivity.tornado`: each lever's metric at its low and high end.

    Bars start at the metric with every lever at the scenario's value; the lever whose range
    swings the metric most is on top, and the title names it.
    """
    fig, ax = new_axes(ax, (7.5, 1.4 + 0.5 * len(table)))
    kpi = table.attrs.get("kpi", "metric")
    cur = _currency_of(kpi, table.attrs.get("currency", ""))
    base = float(table["base"].iloc[0]) if len(table) else 0.0
    y = np.arange(len(table))
    for i, r in enumerate(table.itertuples()):
        for end, value, color, hatch in (("lever at its low end", r.at_low, PALETTE[0], ""),
                                         ("lever at its high end", r.at_high, PALETTE[1], "///")):
            ax.barh(i, value - base, left=base, color=color, hatch=hatch, edgecolor="white", height=0.6,
                    label=end if i == 0 else None)
    names = [path_label(r.path, cur) if getattr(r, "label", "") in ("", r.path.rsplit(".", 1)[-1])
             else str(r.label) for r in table.itertuples()]
    ax.set_yticks(y, [f"{name}: {r.low:g} to {r.high:g}" for name, r in zip(names, table.itertuples(), strict=True)])
    ax.invert_yaxis()
    ax.axvline(base, color="black", lw=1, label=f"all at the scenario's values ({base:,.0f})")
    who = table.attrs.get("option", "")
    versus = f" vs {table.attrs['baseline']}" if table.attrs.get("baseline") else ""
    metric = _metric(kpi, cur)
    ax.set_xlabel(f"{metric}, {who}{versus}" if who else metric)
    if len(table):
        top = table.iloc[0]
        unit = f" {cur}" if cur and "(" in metric else ""
        head = (f"{names[0].split(' (')[0]} moves {metric.split(' (')[0]} most: {top['swing']:+,.0f}{unit} "
                f"from its low to its high end")
    else:
        head = "One-at-a-time sensitivity: no levers"
    title(ax, head, share=0.5)
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    ax.grid(axis="x")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25 if len(table) > 2 else -0.45), ncol=3)
    set_alt(fig, f"Tornado diagram of {metric} for {len(table)} levers, each from its low to its high end; {head}.")
    return fig


@styled
def decision_map(dm, ax: Axes | None = None) -> Figure:  # noqa: ANN001 - a sensitivity.DecisionMap
    """P(option better than baseline) over two parameters, and the boundary where the mean difference is 0."""
    fig, ax = new_axes(ax, (7.5, 5.0))
    cur = _currency_of(dm.kpi, getattr(dm, "currency", ""))
    p = dm.grid("p_better")
    d = dm.grid("delta_mean")
    xs, ys = p.columns.to_numpy(float), p.index.to_numpy(float)
    values = p.to_numpy(float)
    mesh = ax.pcolormesh(xs, ys, values, cmap="RdBu", vmin=0, vmax=1, shading="nearest")
    fig.colorbar(mesh, ax=ax, label=f"P({dm.option} better than {dm.baseline}) (probability)")
    if len(xs) > 1 and len(ys) > 1:
        ax.contour(xs, ys, d.to_numpy(float), levels=[0.0], colors="black", linewidths=2)
    edge = dm.boundary()
    ax.plot(edge[dm.x], edge[dm.y], ls="none", color="black", marker="o", ms=3,
            label=f"mean difference in {kpi_label(dm.kpi, cur).split(' (')[0]} = 0")
    ax.set_xlabel(path_label(dm.x, cur))
    ax.set_ylabel(path_label(dm.y, cur))
    share = float(np.mean(values > 0.5)) if values.size else 0.0
    head = (f"Where the choice flips: {dm.option} beats {dm.baseline} on "
            f"{kpi_label(dm.kpi, cur).split(' (')[0]} in {share:.0%} of the grid")
    title(ax, head)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15))
    set_alt(fig, f"Heat map of the probability that {dm.option} is better than {dm.baseline} over "
                 f"{path_label(dm.x, cur)} and {path_label(dm.y, cur)}, with the line where the mean difference "
                 f"is zero; {dm.option} is more likely better in {share:.0%} of the grid points.")
    return fig
