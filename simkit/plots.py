"""Charts of results (presentation only: every number comes from :class:`~simkit.results.Results`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

if TYPE_CHECKING:
    from .results import Results

__all__ = ["cost_distribution", "cost_at_risk", "monthly_cost", "lead_times", "paired_difference", "tornado",
           "decision_map", "cumulative_cost", "PALETTE"]

PALETTE = ("#1b6ca8", "#d9822b", "#3a9d5d", "#8e5ea2", "#c23b3b", "#6b6b6b")


def _axes(ax: Axes | None, size: tuple[float, float] = (7.0, 4.0)) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def _plain(text: str) -> str:
    """Scenario text drawn as it is: a ``$`` would otherwise start matplotlib's math mode (or fail to parse)."""
    return text.replace("$", r"\$")


def _label(res: Results, option: str) -> str:
    return _plain(res.scenario.options[option].label or option)


def cost_distribution(res: Results, ax: Axes | None = None) -> Figure:
    """Total cost of each option across replications: a box per option with every replication as a dot."""
    fig, ax = _axes(ax)
    col = res.cost_column
    data = [res.kpis.loc[res.kpis["option"] == o, col].to_numpy() for o in res.options]
    ax.boxplot(data, orientation="horizontal", widths=0.5, showfliers=False, medianprops={"color": "black"})
    rng = np.random.default_rng(0)  # jitter for display only
    for i, (o, d) in enumerate(zip(res.options, data, strict=True)):
        ax.scatter(d, i + 1 + rng.uniform(-0.12, 0.12, d.size), s=14, alpha=0.7,
                   color=PALETTE[i % len(PALETTE)], label=_label(res, o), zorder=3)
    ax.set_yticks(range(1, len(res.options) + 1), [_label(res, o) for o in res.options])
    ax.invert_yaxis()
    ax.set_xlabel(f"total cost over the horizon ({res.scenario.run.currency})")
    ax.set_title(f"{_plain(res.scenario.name)}: total cost per option ({len(data[0])} replications)")
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    ax.grid(axis="x", alpha=0.3)
    return fig


#: How :func:`cost_at_risk` marks each statistic: (label, marker, size); bigger markers are drawn first.
_RISK_MARKS = {"median": ("median (P50)", "o", 6), "p": ("P{pct}", "s", 6), "var": ("P{pct} = VaR {pct}%", "^", 8),
               "cvar": ("CVaR {pct}%: mean of the worst {tail}%", "D", 10)}


def cost_at_risk(res: Results, levels: Sequence[float] = (0.5, 0.9, 0.95), ax: Axes | None = None) -> Figure:
    """Cost at risk: how much each option costs in a typical run and in a bad one.

    For a make-or-buy decision "risk" is the cost of a bad outcome, not the spread as such:
    a budget has to hold in most futures (the P90 and P95 of total cost, the 95% *value at
    risk*), and the *conditional* value at risk says how bad the worst 5% are on average.
    Outages, exits, renewals, exchange rates, SLA credits and late work all end up in the
    ledger, so the total cost across replications prices the exposure to every mechanism in
    one currency. Each option is a band from its median to its CVaR, with a marker at every
    quantile in ``levels`` (the highest is the VaR, also used for the CVaR); the dotted line is
    the baseline's mean. The numbers are :meth:`Results.risk` at each level (empirical
    quantiles, :func:`simkit.analysis.var_cvar`); with few replications the tail is the worst
    run or two, which the title says.
    """
    fig, ax = _axes(ax)
    col = res.cost_column
    levels = sorted(float(lv) for lv in levels)
    top = levels[-1]
    pct = {lv: f"{round(lv * 100):d}" for lv in levels}
    quantiles = {lv: res.risk(lv)[f"{col}_var{pct[lv]}"] for lv in levels}
    top_risk = res.risk(top)
    cvar, mean = top_risk[f"{col}_cvar{pct[top]}"], top_risk[f"{col}_mean"]
    greys = dict(zip(levels, np.linspace(0.6, 0.0, len(levels)), strict=True))
    for i, o in enumerate(res.options):
        y = len(res.options) - 1 - i
        ax.plot([quantiles[levels[0]][o], cvar[o]], [y, y], color=PALETTE[i % len(PALETTE)], lw=7, alpha=0.35,
                solid_capstyle="round")
        label, marker, size = _RISK_MARKS["cvar"]
        ax.plot(cvar[o], y, marker=marker, ms=size, ls="none", color=PALETTE[4], zorder=3,
                label=label.format(pct=pct[top], tail=round((1 - top) * 100)) if i == 0 else None)
        for k, lv in enumerate(reversed(levels)):
            label, marker, size = _RISK_MARKS["median" if lv == 0.5 else ("var" if lv == top else "p")]
            ax.plot(quantiles[lv][o], y, marker=marker, ms=size, ls="none", color=str(greys[lv]), zorder=4 + k,
                    label=label.format(pct=pct[lv]) if i == 0 else None)
        ax.annotate(f"{cvar[o]:,.0f}", (cvar[o], y), xytext=(9, 0), textcoords="offset points", va="center",
                    fontsize=8)
    base = res.scenario.baseline_option
    if base in mean.index:
        ax.axvline(mean[base], color="black", lw=1, ls=":", label=f"mean of {_label(res, base)}")
    ax.set_yticks(range(len(res.options)), [_label(res, o) for o in reversed(res.options)])
    ax.set_ylim(-0.6, len(res.options) - 0.4)
    ax.margins(x=0.15)
    n = int(res.kpis.groupby("option").size().min())
    few = f"\nfew runs: P{pct[top]} and CVaR are the worst run or two" if n * (1 - top) < 2 else ""
    ax.set_title(f"Cost at risk over {n} replications{few}")
    ax.set_xlabel(f"total cost over the horizon ({res.scenario.run.currency})")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    ax.grid(axis="x", alpha=0.3)
    handles, labels = ax.get_legend_handles_labels()  # drawn from the tail in; listed from the median out
    order = [*reversed(range(len(levels) + 1)), *range(len(levels) + 1, len(labels))]
    ax.legend([handles[k] for k in order], [labels[k] for k in order], frameon=False, fontsize=7, ncol=2,
              loc="upper center", bbox_to_anchor=(0.5, -0.2))
    return fig

def monthly_cost(res: Results, ax: Axes | None = None) -> Figure:
    """Mean cost per month of each option."""
    fig, ax = _axes(ax)
    m = res.monthly_cost()
    for i, o in enumerate(res.options):
        ax.plot(m.index + 1, m[o].to_numpy(), marker="o", ms=3, color=PALETTE[i % len(PALETTE)],
                label=_label(res, o))
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


def paired_difference(res: Results, option: str, baseline: str | None = None, kpi: str | None = None,
                      ax: Axes | None = None) -> Figure:
    """The per-replication difference ``option - baseline`` (common random numbers), its mean and 95% CI."""
    from .analysis import mean_ci

    fig, ax = _axes(ax)
    base = baseline or res.scenario.baseline_option
    kpi = kpi or res.cost_column
    d = res.paired_deltas(option, base, kpi)
    m, _, lo, hi = mean_ci(d)
    ax.hist(d, bins=max(5, min(40, d.size // 2)), color=PALETTE[0], alpha=0.75, edgecolor="white")
    ax.axvspan(lo, hi, color=PALETTE[1], alpha=0.25, label=f"95% CI of the mean [{lo:,.0f}, {hi:,.0f}]")
    ax.axvline(m, color=PALETTE[1], lw=2, label=f"mean {m:+,.0f}")
    ax.axvline(0.0, color="black", lw=1, ls="--")
    share = float((d < 0).mean())
    ax.set_xlabel(f"{_label(res, option)} - {_label(res, base)}: {kpi}")
    ax.set_ylabel("replications")
    ax.set_title(f"Paired difference over {d.size} replications; below zero in {share:.0%}")
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    ax.legend(frameon=False)
    return fig


def tornado(table, ax: Axes | None = None) -> Figure:  # noqa: ANN001 - a sensitivity.tornado frame
    """Tornado diagram of :func:`simkit.sensitivity.tornado`: each lever's metric at its low and high end."""
    fig, ax = _axes(ax, (7.0, 1.0 + 0.5 * len(table)))
    base = float(table["base"].iloc[0]) if len(table) else 0.0
    y = np.arange(len(table))
    for i, r in enumerate(table.itertuples()):
        for end, value, color in (("low", r.at_low, PALETTE[0]), ("high", r.at_high, PALETTE[1])):
            ax.barh(i, value - base, left=base, color=color, height=0.6,
                    label=f"{end} end" if i == 0 else None)
    ax.set_yticks(y, [f"{r.label} ({r.low:g} to {r.high:g})" for r in table.itertuples()])
    ax.invert_yaxis()
    ax.axvline(base, color="black", lw=1)
    metric = table.attrs.get("kpi", "metric")
    who = table.attrs.get("option", "")
    versus = f" vs {table.attrs['baseline']}" if table.attrs.get("baseline") else ""
    ax.set_xlabel(f"{metric} of {who}{versus}")
    ax.set_title("One-at-a-time sensitivity (largest swing first)")
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(frameon=False, loc="lower right")
    return fig


def decision_map(dm, ax: Axes | None = None) -> Figure:  # noqa: ANN001 - a sensitivity.DecisionMap
    """P(option better than baseline) over two parameters, and the boundary where the mean difference is 0."""
    fig, ax = _axes(ax, (7.0, 5.0))
    p = dm.grid("p_better")
    d = dm.grid("delta_mean")
    xs, ys = p.columns.to_numpy(float), p.index.to_numpy(float)
    mesh = ax.pcolormesh(xs, ys, p.to_numpy(float), cmap="RdBu", vmin=0, vmax=1, shading="nearest")
    fig.colorbar(mesh, ax=ax, label=f"P({dm.option} better than {dm.baseline})")
    if len(xs) > 1 and len(ys) > 1:
        ax.contour(xs, ys, d.to_numpy(float), levels=[0.0], colors="black", linewidths=2)
    edge = dm.boundary()
    ax.plot(edge[dm.x], edge[dm.y], "k--", lw=0, marker="o", ms=3, label="mean difference = 0")
    ax.set_xlabel(dm.x)
    ax.set_ylabel(dm.y)
    ax.set_title(f"Where the choice flips: {dm.option} vs {dm.baseline} on {dm.kpi}")
    ax.legend(frameon=False, loc="best")
    return fig


def cumulative_cost(res: Results, band: float = 0.9, ax: Axes | None = None) -> Figure:
    """Cumulative cost over time per option: the mean and a central band of the replications."""
    fig, ax = _axes(ax)
    c = res.cumulative_cost(band)
    for i, o in enumerate(res.options):
        mine = c[c["option"] == o]
        color = PALETTE[i % len(PALETTE)]
        ax.plot(mine["month"], mine["mean"], color=color, marker="o", ms=3, label=_label(res, o))
        ax.fill_between(mine["month"], mine["low"], mine["high"], color=color, alpha=0.2)
    ax.set_xlabel("month")
    ax.set_ylabel(f"cumulative cost ({res.scenario.run.currency})")
    ax.set_title(f"Cumulative cost: mean and central {band:.0%} of replications")
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:,.0f}")
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return fig
