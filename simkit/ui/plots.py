"""Charts of results (presentation only: every number comes from :class:`~simkit.experiment.results.Results`).

Each chart is drawn in simkit's own style (:func:`simkit.ui.chartstyle.style`; the caller's
rcParams are untouched), gives every option the same colour *and* marker/hatch everywhere,
puts units on every axis, titles itself with what the numbers show, and attaches a
one-sentence description for screen readers (:func:`alt_text`).  Charts of sensitivity
analyses live in :mod:`simkit.ui.sensitivity_plots` and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from simkit.extras import require

require("matplotlib", "simkit.plots")  # one line naming the 'charts' extra when it is missing

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from simkit.ui.chartstyle import (  # noqa: E402
    PALETTE,
    alt_text,
    identity,
    kpi_label,
    money,
    new_axes,
    option_label,
    set_alt,
    styled,
    title,
)
from simkit.ui.monthly_plots import monthly_by_category, monthly_cost  # noqa: E402
from simkit.ui.sensitivity_plots import decision_map, tornado  # noqa: E402

if TYPE_CHECKING:
    from simkit.experiment.results import Results

__all__ = ["cost_distribution", "cost_at_risk", "monthly_cost", "monthly_by_category", "lead_times",
           "paired_difference", "tornado", "decision_map", "cumulative_cost", "alt_text", "PALETTE"]


def _span(res: Results) -> str:
    """The period a total covers, in words."""
    days = float(res.scenario.run.horizon_days)
    return "a year" if abs(days - 365) <= 1 else f"over {days:g} days"


def _cheapest_finding(res: Results) -> tuple[str, str]:
    """A title and a sentence on which option is cheapest by median total cost, and whether that is clear."""
    col, cur = res.cost_column, res.scenario.run.currency
    medians = res.kpis.groupby("option")[col].median().reindex(res.options)
    order = medians.sort_values(kind="stable").index.tolist()
    best = order[0]
    if len(order) == 1:
        return (f"{option_label(res, best)}: median total cost {money(medians[best], cur)} {_span(res)}",
                f"median {money(medians[best], cur)}")
    runner = order[1]
    gap = float(medians[runner] - medians[best])
    row = res.compare(best, runner).loc[col]
    clear = row["ci_high"] < 0  # the paired 95% CI of best - runner-up lies below zero
    if clear:
        head = (f"{option_label(res, best)} is cheapest: {money(gap, cur)} less {_span(res)} than "
                f"{option_label(res, runner)} (median)")
    else:
        head = (f"No clear cheapest: {option_label(res, best)} and {option_label(res, runner)} differ by "
                f"{money(gap, cur)} {_span(res)} (median), within the noise")
    return head, f"{option_label(res, best)} has the lowest median, {money(medians[best], cur)}"


@styled
def cost_distribution(res: Results, ax: Axes | None = None) -> Figure:
    """Total cost of each option across replications: a box per option with every replication as a dot.

    The title names the cheapest option by median and the gap to the runner-up, or says there
    is no clear cheapest when the paired 95% CI of their difference includes zero.
    """
    fig, ax = new_axes(ax)
    col, cur = res.cost_column, res.scenario.run.currency
    data = [res.kpis.loc[res.kpis["option"] == o, col].to_numpy() for o in res.options]
    ax.boxplot(data, orientation="horizontal", widths=0.5, showfliers=False, medianprops={"color": "black"})
    rng = np.random.default_rng(0)  # jitter for display only
    for i, (o, d) in enumerate(zip(res.options, data, strict=True)):
        look = identity(i)
        ax.scatter(d, i + 1 + rng.uniform(-0.12, 0.12, d.size), s=16, alpha=0.75, color=look.color,
                   marker=look.marker, label=option_label(res, o), zorder=3)
    ax.set_yticks(range(1, len(res.options) + 1), [option_label(res, o) for o in res.options])
    ax.invert_yaxis()
    ax.set_xlabel(f"total cost over the horizon ({cur})")
    head, sentence = _cheapest_finding(res)
    title(ax, head)
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    ax.grid(axis="x")
    set_alt(fig, f"Box plot of total cost in {cur} across {len(data[0])} replications for "
                 f"{len(res.options)} options; {sentence}. {head}.")
    return fig


#: How :func:`cost_at_risk` marks each statistic: (label, marker, size); bigger markers are drawn first.
_RISK_MARKS = {"median": ("median (P50)", "o", 6), "p": ("P{pct}", "s", 6), "var": ("P{pct} = VaR {pct}%", "^", 8),
               "cvar": ("CVaR {pct}%: mean of the worst {tail}%", "D", 10)}


@styled
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
    quantiles, :func:`simkit.stats.estimates.var_cvar`); with few replications the tail is the worst
    run or two, which the title says. Options are rows labelled by name, so the statistics,
    not the options, own the markers.
    """
    fig, ax = new_axes(ax)
    col, cur = res.cost_column, res.scenario.run.currency
    levels = sorted(float(lv) for lv in levels)
    top = levels[-1]
    pct = {lv: f"{round(lv * 100):d}" for lv in levels}
    quantiles = {lv: res.risk(lv)[f"{col}_var{pct[lv]}"] for lv in levels}
    top_risk = res.risk(top)
    cvar, mean = top_risk[f"{col}_cvar{pct[top]}"], top_risk[f"{col}_mean"]
    greys = dict(zip(levels, np.linspace(0.6, 0.0, len(levels)), strict=True))
    for i, o in enumerate(res.options):
        y = len(res.options) - 1 - i
        ax.plot([quantiles[levels[0]][o], cvar[o]], [y, y], color=identity(i).color, lw=7, alpha=0.35,
                solid_capstyle="round")
        label, marker, size = _RISK_MARKS["cvar"]
        ax.plot(cvar[o], y, marker=marker, ms=size, ls="none", color=PALETTE[3], zorder=3,
                label=label.format(pct=pct[top], tail=round((1 - top) * 100)) if i == 0 else None)
        for k, lv in enumerate(reversed(levels)):
            label, marker, size = _RISK_MARKS["median" if lv == 0.5 else ("var" if lv == top else "p")]
            ax.plot(quantiles[lv][o], y, marker=marker, ms=size, ls="none", color=str(greys[lv]), zorder=4 + k,
                    label=label.format(pct=pct[lv]) if i == 0 else None)
        ax.annotate(f"{cvar[o]:,.0f}", (cvar[o], y), xytext=(9, 0), textcoords="offset points", va="center",
                    fontsize=8)
    base = res.scenario.baseline_option
    if base in mean.index:
        ax.axvline(mean[base], color="black", lw=1, ls=":", label=f"mean of {option_label(res, base)}")
    ax.set_yticks(range(len(res.options)), [option_label(res, o) for o in reversed(res.options)])
    ax.set_ylim(-0.6, len(res.options) - 0.4)
    ax.margins(x=0.15)
    n = int(res.kpis.groupby("option").size().min())
    safest = cvar.reindex(res.options).idxmin()
    few = f"; few runs: P{pct[top]} and CVaR are the worst run or two" if n * (1 - top) < 2 else ""
    title(ax, f"{option_label(res, safest)} has the lowest cost at risk: CVaR {pct[top]}% {money(cvar[safest], cur)} "
              f"over {n} replications{few}")
    ax.set_xlabel(f"total cost over the horizon ({cur})")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    ax.grid(axis="x")
    handles, labels = ax.get_legend_handles_labels()  # drawn from the tail in; listed from the median out
    order = [*reversed(range(len(levels) + 1)), *range(len(levels) + 1, len(labels))]
    ax.legend([handles[k] for k in order], [labels[k] for k in order], fontsize=7, ncol=2,
              loc="upper center", bbox_to_anchor=(0.5, -0.2))
    set_alt(fig, f"Cost at risk in {cur} per option over {n} replications, from the median to the CVaR "
                 f"{pct[top]}%; {option_label(res, safest)} has the lowest CVaR, {money(cvar[safest], cur)}.")
    return fig


def _sla_hours(res: Results) -> dict[float, list[str]]:
    """The SLA targets of the work kinds: hours -> the kinds with that target."""
    out: dict[float, list[str]] = {}
    for name, kind in res.scenario.workload.kinds.items():
        out.setdefault(float(kind.sla_h), []).append(name)
    return dict(sorted(out.items()))


@styled
def lead_times(res: Results, ax: Axes | None = None) -> Figure:
    """Lead-time mean, p50, p90 and p99 per option, with 95% CIs across replications and the SLA targets.

    A dashed line marks each work kind's SLA target (one line when all kinds share it); the
    title names the option with the shortest p90 lead time and its share of items within SLA.
    """
    fig, ax = new_axes(ax)
    s = res.summary().set_index(["option", "kpi"])
    stats_ = ["lead_time_mean_h", "lead_time_p50_h", "lead_time_p90_h", "lead_time_p99_h"]
    width = 0.8 / len(res.options)
    x = np.arange(len(stats_))
    for i, o in enumerate(res.options):
        mean = np.array([s.loc[(o, k), "mean"] for k in stats_])
        lo = np.array([s.loc[(o, k), "ci_low"] for k in stats_])
        hi = np.array([s.loc[(o, k), "ci_high"] for k in stats_])
        look = identity(i)
        ax.bar(x + i * width, mean, width, color=look.color, hatch=look.hatch, edgecolor="white",
               label=option_label(res, o), yerr=np.vstack([mean - np.maximum(lo, 0), np.maximum(hi - mean, 0)]),
               capsize=3)
    slas = _sla_hours(res)
    for j, (hours, kinds) in enumerate(slas.items()):
        who = "" if len(slas) == 1 else f" ({', '.join(kinds)})"
        ax.axhline(hours, color="black", lw=1, ls=("--", ":", "-.")[j % 3], label=f"SLA {hours:g} h{who}")
    ax.set_xticks(x + width * (len(res.options) - 1) / 2, ["mean", "median", "p90", "p99"])
    ax.set_xlabel("lead-time statistic over items (bars: mean of replications, whiskers: 95% CI)")
    ax.set_ylabel("lead time (hours)")
    p90 = {o: float(s.loc[(o, "lead_time_p90_h"), "mean"]) for o in res.options}
    fast = min(p90, key=p90.get)
    within = float(s.loc[(fast, "sla_attainment_share"), "mean"])
    head = f"{option_label(res, fast)} is fastest: 90% of items done within {p90[fast]:.1f} h; {within:.0%} within SLA"
    title(ax, head)
    ax.grid(axis="y")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))  # beside the bars, never on them
    set_alt(fig, f"Bar chart of lead-time mean, median, p90 and p99 in hours for {len(res.options)} options with "
                 f"SLA lines at {', '.join(f'{h:g}' for h in slas)} h; {head}.")
    return fig


@styled
def paired_difference(res: Results, option: str, baseline: str | None = None, kpi: str | None = None,
                      ax: Axes | None = None) -> Figure:
    """The per-replication difference ``option - baseline`` (common random numbers), its mean and 95% CI."""
    from simkit.stats.estimates import mean_ci

    fig, ax = new_axes(ax)
    base = baseline or res.scenario.baseline_option
    kpi = kpi or res.cost_column
    cur = res.scenario.run.currency
    d = res.paired_deltas(option, base, kpi)
    m, _, lo, hi = mean_ci(d)
    ax.hist(d, bins=max(5, min(40, d.size // 2)), color=PALETTE[0], alpha=0.75, edgecolor="white")
    ax.axvspan(lo, hi, color=PALETTE[1], alpha=0.25, hatch="//", label=f"95% CI of the mean [{lo:,.0f}, {hi:,.0f}]")
    ax.axvline(m, color=PALETTE[3], lw=2, label=f"mean {m:+,.0f}")
    ax.axvline(0.0, color="black", lw=1, ls="--", label="no difference")
    share = float((d < 0).mean())
    what = kpi_label(kpi, cur)
    ax.set_xlabel(f"{option_label(res, option)} minus {option_label(res, base)}: {what}")
    ax.set_ylabel("replications (count)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    name = what.split(" (")[0]
    if hi < 0 or lo > 0:
        sign = "lower" if m < 0 else "higher"
        head = f"{option_label(res, option)} has {sign} {name} than {option_label(res, base)}: {m:+,.0f} on average"
    else:
        head = f"No clear difference in {name} between {option_label(res, option)} and {option_label(res, base)}"
    title(ax, f"{head}; below zero in {share:.0%} of {d.size} replications")
    ax.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    set_alt(fig, f"Histogram of the paired difference {option_label(res, option)} minus {option_label(res, base)} "
                 f"in {what} over {d.size} replications; mean {m:+,.0f}, 95% CI [{lo:,.0f}, {hi:,.0f}], "
                 f"below zero in {share:.0%}.")
    return fig


@styled
def cumulative_cost(res: Results, band: float = 0.9, ax: Axes | None = None) -> Figure:
    """Cumulative cost over time per option: the mean and a central band of the replications."""
    fig, ax = new_axes(ax)
    cur = res.scenario.run.currency
    c = res.cumulative_cost(band)
    for i, o in enumerate(res.options):
        mine = c[c["option"] == o]
        look = identity(i)
        ax.plot(mine["month"], mine["mean"], color=look.color, marker=look.marker, ls=look.linestyle, ms=4,
                label=option_label(res, o))
        ax.fill_between(mine["month"], mine["low"], mine["high"], color=look.color, alpha=0.18, lw=0)
    ax.set_xlabel("month (end of)")
    ax.set_ylabel(f"cumulative cost ({cur})")
    last = c[c["month"] == c["month"].max()].set_index("option")["mean"] if len(c) else None
    if last is not None and len(last):
        best = last.idxmin()
        head = (f"{option_label(res, best)} has cost least after {int(c['month'].max())} months: "
                f"{money(last[best], cur)} (mean; band: central {band:.0%} of replications)")
    else:
        head = "Cumulative cost: no months priced"
    title(ax, head)
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:,.0f}")
    ax.grid()
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))  # beside the lines and bands, never on them
    set_alt(fig, f"Line chart of cumulative cost in {cur} by month for {len(res.options)} options with a band of "
                 f"the central {band:.0%} of replications; {head}.")
    return fig
