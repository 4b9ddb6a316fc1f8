"""Charts of results (presentation only: every number comes from :class:`~simkit.results.Results`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from .results import Results

__all__ = ["cost_distribution", "monthly_cost", "lead_times", "PALETTE"]

PALETTE = ("#1b6ca8", "#d9822b", "#3a9d5d", "#8e5ea2", "#c23b3b", "#6b6b6b")


def _axes(ax: Axes | None, size: tuple[float, float] = (7.0, 4.0)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def _label(res: Results, option: str) -> str:
    return res.scenario.options[option].label or option


def cost_distribution(res: Results, ax: Axes | None = None) -> Figure:
    """Total cost of each option across replications: a box per option with every replication as a dot."""
    fig, ax = _axes(ax)
    col = res.cost_column
    data = [res.kpis.loc[res.kpis["option"] == o, col].to_numpy() for o in res.options]
    ax.boxplot(data, vert=False, widths=0.5, showfliers=False, medianprops={"color": "black"})
    rng = np.random.default_rng(0)  # jitter for display only
    for i, (o, d) in enumerate(zip(res.options, data, strict=True)):
        ax.scatter(d, i + 1 + rng.uniform(-0.12, 0.12, d.size), s=14, alpha=0.7,
                   color=PALETTE[i % len(PALETTE)], label=_label(res, o), zorder=3)
    ax.set_yticks(range(1, len(res.options) + 1), [_label(res, o) for o in res.options])
    ax.invert_yaxis()
    ax.set_xlabel(f"total cost over the horizon ({res.scenario.run.currency})")
    ax.set_title(f"{res.scenario.name}: total cost per option ({len(data[0])} replications)")
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    ax.grid(axis="x", alpha=0.3)
    return fig


def monthly_cost(res: Results, ax: Axes | None = None) -> Figure:
    """Mean cost per month of each option."""
    fig, ax = _axes(ax)
    m = res.monthly_cost()
    for i, o in enumerate(res.options):
        ax.plot(m.index + 1, m[o].to_numpy(), marker="o", ms=3, color=PALETTE[i % len(PALETTE)], label=_label(res, o))
    ax.set_xlabel("month")
    ax.set_ylabel(f"mean cost ({res.scenario.run.currency})")
    ax.set_title("Cost per month (mean over replications)")
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:,.0f}")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return fig


def lead_times(res: Results, ax: Axes | None = None) -> Figure:
    """Lead-time mean, p50, p90 and p99 per option, with 95% CIs across replications."""
    fig, ax = _axes(ax)
    s = res.summary().set_index(["option", "kpi"])
    stats_ = ["lead_time_mean_h", "lead_time_p50_h", "lead_time_p90_h", "lead_time_p99_h"]
    width = 0.8 / len(res.options)
    x = np.arange(len(stats_))
    for i, o in enumerate(res.options):
        mean = np.array([s.loc[(o, k), "mean"] for k in stats_])
        lo = np.array([s.loc[(o, k), "ci_low"] for k in stats_])
        hi = np.array([s.loc[(o, k), "ci_high"] for k in stats_])
        ax.bar(x + i * width, mean, width, color=PALETTE[i % len(PALETTE)], label=_label(res, o),
               yerr=np.vstack([mean - np.maximum(lo, 0), np.maximum(hi - mean, 0)]), capsize=3)
    ax.set_xticks(x + width * (len(res.options) - 1) / 2, ["mean", "median", "p90", "p99"])
    ax.set_ylabel("lead time (hours)")
    ax.set_title("Lead time from arrival to completion")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(frameon=False)
    return fig
