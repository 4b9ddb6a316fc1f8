"""What the dashboard shows and hands out, built from results: tables in words, the verdict, downloadable files.

Everything here is a pure function of a :class:`~simkit.experiment.results.Results` (and the scenario it ran): no
widgets, so each piece is unit-tested on its own and the dashboard only places the pieces.  Every piece of
scenario text (names, labels, descriptions) is HTML-escaped where it becomes HTML.

Downloads are delivered to the browser, not written on the server: :func:`download_link` makes an
``<a download>`` anchor whose ``href`` is a ``data:`` URI holding the file, which works wherever the page is
shown (JupyterLab, Voila, VS Code).  HTML files go out as ``application/octet-stream`` so that a click always
saves them and never opens them inside the page's origin.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import math
from collections.abc import Mapping, Sequence

import pandas as pd

from simkit.accounting.registry import format_plain, plain_label
from simkit.analysis.verdict import Verdict
from simkit.experiment.results import Results
from simkit.scenario.model import Scenario
from simkit.scenario.preview import preview
from simkit.stats.estimates import paired, summarise

__all__ = ["chart_output", "kpi_frame", "kpi_rows", "verdict_html", "download_link", "kpis_csv", "report_html",
           "preview_html", "CSV_COLUMNS"]

CSV_COLUMNS = ["option", "option_label", "kpi", "label", "mean", "ci_low", "ci_high", "replications"]


def _option_label(results: Results, option: str) -> str:
    return results.scenario.option_label(option)


def kpi_rows(results: Results, columns: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """Tidy KPI statistics for ``columns``: one row per option and KPI, with the plain label (see
    :data:`CSV_COLUMNS`).  Intervals are :meth:`Results.summary`'s: cut at 0 for a quantity that cannot be
    negative."""
    # Results.summary's numbers, for the columns shown only (each KPI is summarised on its own)
    shown = [c for c in dict.fromkeys(columns) if c in results.kpi_columns]
    summary = summarise(results.kpis, shown, level).set_index(["option", "kpi"])
    cur = results.scenario.run.currency
    rows = []
    for option in results.options:
        for col in columns:
            if (option, col) not in summary.index:
                continue
            s = summary.loc[(option, col)]
            rows.append({"option": option, "option_label": _option_label(results, option), "kpi": col,
                         "label": plain_label(col, cur), "mean": float(s["mean"]), "ci_low": float(s["ci_low"]),
                         "ci_high": float(s["ci_high"]), "replications": int(s["n"])})
    return pd.DataFrame(rows, columns=CSV_COLUMNS)


def _cell(col: str, mean: float, lo: float, hi: float) -> str:
    if lo == hi:
        return format_plain(col, mean)
    return f"{format_plain(col, mean)} [{format_plain(col, lo)}, {format_plain(col, hi)}]"


def kpi_frame(results: Results, columns: Sequence[str], level: float = 0.95) -> pd.DataFrame:
    """The dashboard's KPI table: rows in words with units, options by label, cells ``mean [CI]``.

    Two rows follow the KPIs: each option's paired total-cost difference against the baseline (with its
    interval) and the share of futures (replications) in which it was cheaper.
    """
    tidy = kpi_rows(results, [c for c in columns if c in results.kpi_columns], level)
    tidy["cell"] = [_cell(r.kpi, r.mean, r.ci_low, r.ci_high) for r in tidy.itertuples()]
    table = tidy.pivot(index="label", columns="option", values="cell")
    order = list(dict.fromkeys(tidy["label"]))
    table = table.loc[order, results.options]
    sc = results.scenario
    base, cur = sc.baseline_option, sc.run.currency
    base_label = _option_label(results, base)
    delta, cheaper = {}, {}
    for opt in results.options:
        if opt == base:
            delta[opt], cheaper[opt] = "baseline", "—"
            continue
        # Results.compare's numbers for the one row shown (it compares every KPI, each on its own)
        r = paired(results.kpis, opt, base, [results.cost_column], level).loc[results.cost_column]
        delta[opt] = f"{r.delta_mean:+,.0f} [{r.ci_low:+,.0f}, {r.ci_high:+,.0f}]"
        n = len(results.paired_deltas(opt, base))
        cheaper[opt] = f"{r.p_better:.0%} of {n}"
    table.loc[f"Total cost against {base_label} ({cur})"] = delta
    table.loc[f"Cheaper than {base_label} (share of futures)"] = cheaper
    table.columns = [_option_label(results, o) for o in table.columns]
    return table.rename_axis(index=None, columns=None)


def verdict_html(v: Verdict) -> str:
    """The verdict as a paragraph and its notes as a list, escaped."""
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in v.notes)
    return (f"<p class='simkit-verdict-text'>{html.escape(v.sentence)}</p>"
            + (f"<ul class='simkit-verdict-notes'>{notes}</ul>" if notes else ""))


def download_link(filename: str, data: bytes, mime: str, text: str) -> str:
    """An ``<a download>`` anchor carrying ``data`` in a ``data:`` URI (the browser saves it as ``filename``)."""
    if mime == "text/html":
        mime = "application/octet-stream"  # saved, never opened inside the dashboard's origin
    payload = base64.b64encode(data).decode("ascii")
    return (f'<a class="simkit-download" download="{html.escape(filename, quote=True)}" '
            f'href="data:{mime};base64,{payload}">{html.escape(text)}</a>')


def kpis_csv(results: Results, columns: Sequence[str] | None = None, level: float = 0.95) -> bytes:
    """The KPI statistics as CSV (UTF-8, one row per option and KPI, :data:`CSV_COLUMNS`)."""
    frame = kpi_rows(results, list(columns) if columns is not None else results.kpi_columns, level)
    out = io.StringIO()
    frame.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return out.getvalue().encode("utf-8")


def report_html(results: Results, v: Verdict, table: pd.DataFrame, charts: Mapping[str, tuple[bytes, str]],
                changes: Mapping[str, object]) -> bytes:
    """A self-contained HTML page: the verdict and its notes, the KPI table, the charts and the provenance.

    ``charts`` maps a chart name to its PNG bytes and alt text; ``changes`` are the levers moved from the
    scenario file.  All text from the scenario is escaped; the page holds no script.
    """
    sc, meta = results.scenario, results.meta
    images = "".join(
        f'<figure><img src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}" '
        f'alt="{html.escape(alt, quote=True)}" style="max-width:100%"></figure>' for png, alt in charts.values())
    moved = "".join(f"<li><code>{html.escape(str(k))}</code> = {html.escape(str(val))}</li>"
                    for k, val in changes.items()) or "<li>none: the scenario as written</li>"
    prov = {"scenario SHA-256": meta.get("scenario_sha256"), "seed": meta.get("seed"),
            "replications": meta.get("replications"), "simkit": meta.get("simkit_version")}
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(val))}</td></tr>" for k, val in prov.items())
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(sc.name)}</title>
<style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto}} td,th{{padding:2px 10px;
border-bottom:1px solid #ddd;text-align:right}} th:first-child,td:first-child{{text-align:left}}</style></head>
<body><h1>{html.escape(sc.name)}</h1><p>{html.escape(sc.description.strip())}</p>
<h2>Verdict</h2>{verdict_html(v)}
<h2>KPIs (mean [95% CI])</h2>{table.to_html(escape=True, border=0)}
<h2>Levers moved</h2><ul>{moved}</ul>
<h2>Charts</h2>{images}
<h2>Provenance</h2><table>{rows}</table></body></html>
"""
    return page.encode("utf-8")


def chart_output(name: str, png: bytes, alt: str) -> dict:
    """A display_data output: an ``<img>`` with its alt text, and the PNG itself for front ends without HTML."""
    data = base64.b64encode(png).decode("ascii")
    tag = f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'
    return {"output_type": "display_data", "metadata": {},
            "data": {"text/html": tag, "image/png": data, "text/plain": alt or f"<{name} chart>"}}


def preview_html(scenario: Scenario) -> str:
    """The closed-form preview (:mod:`simkit.scenario.preview`) as an escaped table, marked approximate."""
    pv = preview(scenario)
    cur = scenario.run.currency
    rows = []
    for name, opt in scenario.options.items():
        pools = list(pv.pools[pv.pools["option"] == name].itertuples())
        for i, r in enumerate(pools):
            cells = [html.escape(opt.label or name) if i == 0 else "", html.escape(r.pool),
                     str(r.servers), _fmt(r.arrivals_items, 0), _fmt(r.utilisation_share),
                     _fmt(r.p_wait_share), _fmt(r.wait_mean_h),
                     f"{pv.costs.loc[name, 'total']:,.0f}" if i == 0 else ""]
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (f"<table><thead><tr><th>option</th><th>pool</th><th>servers</th><th>items</th>"
            f"<th>utilisation</th><th>P(wait)</th><th>mean wait (h)</th><th>static cost ({cur})</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>"
            f"<div class='simkit-note'>Approximate: Erlang C (M/M/c) at each pool's average load "
            f"over its open hours — no peaks, no overnight backlog; static cost of the expected "
            f"volume over {pv.horizon_days:g} days.</div>")


def _fmt(x: float, digits: int = 2) -> str:
    return "∞" if math.isinf(x) else f"{x:,.{digits}f}"
