"""``fit_report.html``: the data issues, the fitted values and the back-test as observed-vs-simulated charts.

Charts are PNGs embedded as data URIs (one self-contained file); every text taken from the history
(file name, kind labels, column names) is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING

from simkit.extras import require

require("matplotlib", "simkit fit", "data")  # one line naming the extra when it is missing

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

if TYPE_CHECKING:
    from simkit.fitting import FitResult

__all__ = ["report_html"]


def _png(fig) -> str:  # noqa: ANN001 - a matplotlib figure
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return f'<img alt="chart" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def charts(result: FitResult) -> list[str]:
    """The back-test charts as ``<img>`` tags."""
    bt = result.backtest
    out = []
    fig, ax = plt.subplots(figsize=(10, 3))
    ax.plot(bt.hour_of_week.index, bt.hour_of_week["observed"], label="observed", lw=1.5)
    ax.plot(bt.hour_of_week.index, bt.hour_of_week["simulated"], label="simulated", lw=1.2, ls="--")
    ax.set(xlabel="hour of the week (Monday 00:00 = 0, local time)", ylabel="items per week",
           title="Volume by hour of week")
    ax.set_xticks(range(0, 169, 24))
    ax.legend()
    out.append(_png(fig))
    daily = bt.daily[bt.daily["hours"] >= 23]
    fig, ax = plt.subplots(figsize=(10, 3))
    ax.plot(daily.index, daily["observed"], label="observed", lw=0.8)
    ax.plot(daily.index, daily["sim_mean"], label="simulated mean", lw=1.0)
    ax.fill_between(daily.index, daily["sim_mean"] - daily["sim_sd"], daily["sim_mean"] + daily["sim_sd"],
                    alpha=0.25, label="simulated ±1 sd")
    ax.set(ylabel="items per day", title="Daily totals")
    ax.legend()
    out.append(_png(fig))
    if len(bt.months) > 1:
        fig, ax = plt.subplots(figsize=(10, 3))
        labels = [str(p) for p in bt.months.index]
        x = range(len(labels))
        ax.bar([i - 0.2 for i in x], bt.months["observed_per_day"], width=0.4, label="observed")
        ax.bar([i + 0.2 for i in x], bt.months["simulated_per_day"], width=0.4, label="simulated")
        ax.set_xticks(list(x), labels, rotation=45)
        ax.set(ylabel="items per day", title="By month")
        ax.legend()
        out.append(_png(fig))
    return out


def _table(rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{html.escape(a)}</th><td>{html.escape(b)}</td></tr>" for a, b in rows)
    return f"<table>{body}</table>"


def report_html(result: FitResult) -> str:
    """The whole report as one HTML document."""
    hist, bt = result.history, result.backtest
    issues = [(k, f"{v:,}") for k, v in hist.issues.items() if v] or [("none", "")]
    kinds = [(k.name, f"{k.share:.1%} · {k.effort.dist[:80] if k.effort else 'no effort in the data'}")
             for k in result.kinds]
    effort = bt.effort.to_html(index=False, float_format=lambda v: f"{v:.3g}") if not bt.effort.empty else ""
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>simkit fit report</title>",
        "<style>body{font-family:sans-serif;max-width:1000px;margin:auto}th{text-align:left;padding-right:1em}"
        "pre{background:#f4f4f4;padding:.5em}</style></head><body>",
        f"<h1>Fit report: {html.escape(hist.source)}</h1>",
        f"<p>{hist.rows_read:,} rows read ({html.escape(hist.shape)}); period "
        f"{result.arrivals.start:%Y-%m-%d} to {result.arrivals.end:%Y-%m-%d}.</p>",
        "<h2>Data issues (counted, not silently dropped)</h2>", _table(issues),
        "<h2>Notes</h2><ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in result.notes) + "</ul>",
        "<h2>Kinds</h2>", _table(kinds),
        f"<h2>Back-test ({bt.replications} simulated replications)</h2>",
        f"<pre>{html.escape(bt.table())}</pre>", *charts(result),
        "<h3>Effort quantiles (hours)</h3>" + effort if effort else "",
        "<h2>Scenario written</h2>", f"<pre>{html.escape(result.yaml)}</pre>",
        "</body></html>",
    ]
    return "\n".join(parts)
