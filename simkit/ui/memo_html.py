"""The decision memo as one self-contained HTML page (and, through headless Chromium, a PDF).

Presentation only: the numbers and sentences come from :func:`simkit.analysis.memo_record.memo_record`.
Every piece of text from the scenario — names, labels, descriptions, evidence, sources, comments — is
escaped with :func:`html.escape`; charts are SVG (scalable, so sharp in print) inlined as data URIs with
alt text, so the file has no scripts and loads nothing from the network.  Print CSS fits the memo on
A4 pages with section breaks where they read best.
"""

from __future__ import annotations

import base64
import html
import math
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from simkit.analysis.memo_record import RISK_LEVEL, MemoRecord
from simkit.analysis.sensitivity_summary import band_decimals, format_in_band
from simkit.extras import require

__all__ = ["memo_html", "cash_flow_chart", "find_chromium", "html_to_pdf", "ChromiumMissing", "pdf_page_count",
           "visible_bidi"]

CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
"""Where Debian and Ubuntu put Chromium; ``SIMKIT_CHROMIUM`` names another binary."""
PDF_TIMEOUT_S = 120

_CSS = """
body{font:11pt/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#111;max-width:60em;
margin:1.5em auto;padding:0 1em}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.1em;margin:1.1em 0 .3em;border-bottom:1px solid #999}
.question{color:#333;margin:.2em 0 .8em}
.recommendation{border-left:6px solid #0072B2;background:#eef5fb;padding:.6em .9em;font-size:1.05em}
.warning{border-left:6px solid #D55E00;background:#fdf0e8;padding:.5em .9em;font-weight:600;margin:.5em 0}
.figures{display:flex;gap:1.5em;flex-wrap:wrap}.figures div{min-width:9em}
.figures b{display:block;font-size:1.25em}
table{border-collapse:collapse;margin:.3em 0;font-size:.9em}th,td{border-bottom:1px solid #ccc;padding:.15em .5em;
text-align:right;vertical-align:top}th:first-child,td:first-child{text-align:left}td.text{text-align:left}
th{text-align:left}
img{max-width:100%;height:auto}.small{font-size:.8em;color:#333}.sourced{color:#005a8c}.assumption{color:#8a3b00}
@page{size:A4;margin:12mm}
@media print{body{font-size:8.5pt;margin:0;max-width:none}h2{break-after:avoid}
section{break-inside:avoid}section.long{break-inside:auto}img{max-height:50mm}img.tornado{max-height:58mm}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}.pair table{font-size:.85em}h1{font-size:1.3em}
#assumptions table{font-size:7pt}.appendix{break-before:page}.figures b{font-size:1.1em}}
"""


_BIDI = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Bidi marks, embeddings, overrides and isolates: an unclosed override in a name would reverse the memo's text
after it (a saving read backwards), so they are shown as their escapes (``\\u202e``), not obeyed."""


def visible_bidi(text: str) -> str:
    """``text`` with every bidi control replaced by its escape (``\\u202e``): seen, not obeyed."""
    return _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _e(value: object) -> str:
    """Scenario text as HTML text: markup escaped, bidi controls shown as escapes."""
    return html.escape(visible_bidi(str(value)), quote=True)


def _money(cur: str, x: float) -> str:
    return f"{_e(cur)} {x:,.0f}"


def _img(svg: bytes, alt: str, kind: str) -> str:
    data = base64.b64encode(svg).decode("ascii")
    return f'<img class="{kind}" alt="{_e(alt)}" src="data:image/svg+xml;base64,{data}">'


def cash_flow_chart(rec: MemoRecord) -> tuple[bytes, str]:
    """The running total of the mean monthly saving, with the payback month marked: SVG bytes and alt text."""
    require("matplotlib", "the decision memo")
    import matplotlib.pyplot as plt

    from simkit.ui.chartstyle import identity, new_axes, set_alt, style, svg_bytes, title

    with style():
        fig, ax = new_axes(None, (7.0, 3.0))
        running = np.cumsum(rec.monthly_saving)
        months = np.arange(1, running.size + 1)
        look = identity(0)
        ax.plot(months, running, color=look.color, marker=look.marker, ms=4,
                label=f"{rec.label(rec.recommended)} against {rec.label(rec.versus)}")
        ax.axhline(0, color="black", lw=1)
        if rec.payback_months is not None and rec.payback_months > 0:
            ax.axvline(rec.payback_months, color=identity(3).color, ls="--", marker=None,
                       label=f"payback after {rec.payback_months:.0f} months")
        ax.set_xlabel("month")
        ax.set_ylabel(f"cumulative saving ({rec.currency})")
        ax.yaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
        total = float(running[-1]) if running.size else 0.0
        head = (f"{_payback_words(rec).capitalize()}; {rec.currency} {total:,.0f} saved over the horizon"
                if total >= 0 else f"The switch does not pay back: {rec.currency} {-total:,.0f} more over the horizon")
        title(ax, head)
        ax.legend(loc="upper left", fontsize=8)
        alt = set_alt(fig, f"Line chart of the cumulative mean saving by month. {head}.")
        svg = svg_bytes(fig)
        plt.close(fig)
    return svg, alt


def tornado_chart(rec: MemoRecord) -> tuple[bytes, str]:
    require("matplotlib", "the decision memo")
    import matplotlib.pyplot as plt

    from simkit.ui.chartstyle import alt_text, svg_bytes
    from simkit.ui.sensitivity_plots import tornado

    fig = tornado(rec.sensitivity.tornado)
    svg, alt = svg_bytes(fig), alt_text(fig)
    plt.close(fig)
    return svg, alt


def _payback_words(rec: MemoRecord) -> str:
    """The payback as it reads after the word "Payback" (the figure's title and the cash-flow line)."""
    if rec.payback_months is None:
        return "not within the horizon"
    if rec.payback_months == 0:
        return "from the first month"
    return f"after {rec.payback_months:.0f} month{'s' if rec.payback_months != 1 else ''}"


def _table(header: list[str], rows: list[list[str]], text_cols: tuple[int, ...] = ()) -> str:
    """A table of cells that are already escaped."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f'<td class="text">{c}</td>' if i in text_cols else f"<td>{c}</td>"
                                    for i, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summary(rec: MemoRecord) -> str:
    cur = rec.currency
    m, lo, hi = rec.saving_per_year
    spread = f"95% CI {_money(cur, lo)} to {_money(cur, hi)}" if rec.saving_varies else "the same in every replication"
    figures = [("Saving a year", f"{_money(cur, m)}", spread),
               ("Payback", _e(_payback_words(rec)), "running total of the mean monthly saving, one-offs included"),
               (f"NPV of the saving at {rec.discount_rate:.1%}", _money(cur, rec.npv_saving),
                "of the monthly savings over the horizon, discounted monthly"),
               ("P(cheaper)", f"{rec.p_cheaper:.2f}", "share of replications in which it cost less")]
    cells = "".join(f'<div><span class="small">{t}</span><b>{v}</b><span class="small">{s}</span></div>'
                    for t, v, s in figures)
    note = _e(rec.service_note[:1].upper() + rec.service_note[1:])
    warn = "" if rec.equal_service else f'<p class="warning" id="service-warning">{note}.</p>'
    return (f'<p class="recommendation" id="recommendation">{_e(rec.recommendation)}</p>{warn}'
            f'<div class="figures" id="key-figures">{cells}</div>')


def _cash_section(rec: MemoRecord) -> str:
    cur, a, b = rec.currency, rec.recommended, rec.versus
    rows = [[f"year {int(y)}", _money(cur, r[b]), _money(cur, r[a]), _money(cur, r["saving"]),
             _money(cur, r["cumulative_saving"])] for y, r in rec.cash_flow.iterrows()]
    table = _table(["", f"{_e(rec.label(b))}", f"{_e(rec.label(a))}", "saving", "cumulative saving"], rows)
    svg, alt = cash_flow_chart(rec)
    return (f'<section id="cash-flow"><h2>Cash flow by year ({_e(cur)}, mean over replications)</h2>'
            f'<div class="pair"><div>{table}<p id="payback">Payback: <b>{_e(_payback_words(rec))}</b>; NPV of the '
            f"saving {_money(cur, rec.npv_saving)} at a discount rate of {rec.discount_rate:.1%} a year.</p></div>"
            f"{_img(svg, alt, 'cash-flow-chart')}</div></section>")


def _risk_section(rec: MemoRecord) -> str:
    cur = rec.currency
    pct = f"{round(RISK_LEVEL * 100)}"
    same = '<span class="small">same as the mean</span>'
    rows = [[_e(rec.label(o)), _money(cur, r["mean"]), *((same, same) if r.get("fixed", False) else
                                                          (_money(cur, r["p90"]), _money(cur, r["cvar90"])))]
            for o, r in rec.risk.iterrows()]
    worst = f"CVaR {pct} (mean of the worst {100 - int(pct)}%)"
    table = _table(["option", "mean total cost", f"P{pct} (a bad run)", worst], rows)
    table += "".join(f'<p class="small risk-note">{_e(n)}</p>' for n in rec.risk_notes)
    service = _table(["", *[_e(rec.label(o)) for o in rec.service.columns]],
                     [[_e(k), *[_e(v) for v in r]] for k, r in rec.service.iterrows()])
    return (f'<div class="pair"><section id="risk"><h2>Cost at risk ({_e(cur)} over the horizon)</h2>{table}'
            f'</section><section id="service"><h2>Service and risk trade-offs (means)</h2>'
            f'<p class="small">{_e(rec.service_note[:1].upper() + rec.service_note[1:])}.</p>{service}</section></div>')


def _sensitivity_section(rec: MemoRecord) -> str:
    s = rec.sensitivity
    if s is None:
        return ""
    svg, alt = tornado_chart(rec)
    from simkit.ui.chartstyle import path_label

    items = []
    for be in s.break_evens:
        name = _e(path_label(be.path, rec.currency))
        if math.isfinite(be.value):
            d = band_decimals(be.value, be.band_low, be.band_high)  # one precision for the value, band and today
            band = (f" (95% band {format_in_band(be.band_low, d)} to {format_in_band(be.band_high, d)})"
                    if math.isfinite(be.band_low) and math.isfinite(be.band_high) else "")
            today = float(s.tornado.set_index("path").loc[be.path, "base_value"])
            items.append(f"<li>{name}: the options cost the same at <b>{format_in_band(be.value, d)}</b>{band}; "
                         f"today {format_in_band(today, d)}</li>")
        else:
            items.append(f"<li>{name}: no break-even between {be.bracket[0]:,.4g} and {be.bracket[1]:,.4g}</li>")
    items = "".join(items)
    return (f'<section id="sensitivity"><h2>What could change the answer</h2>{_img(svg, alt, "tornado")}'
            f'<p class="small">Savings of {_e(rec.label(s.option))} against {_e(rec.label(s.versus))} over the '
            f"horizon as each assumption moves over its range, the others held; "
            f"{_e(s.tornado.attrs.get('replications', ''))} replications on common random numbers.</p>"
            f'<p>Break-evens of the top two assumptions (where the two options cost the same):</p>'
            f'<ul id="break-evens">{items}</ul></section>')


def _scorecard_section(rec: MemoRecord) -> str:
    card = rec.scorecard
    if card is None:
        return ('<section id="scorecard"><h2>Strategic scorecard</h2><p class="small">No <code>criteria:</code> '
                "section: the recommendation rests on cost alone. Add one (or <code>--criteria FILE</code>) to weigh "
                "control, expertise, flexibility and the other strategic factors.</p></section>")
    options = list(card.values.index)
    rows = []
    for k, c in card.criteria.iterrows():
        flip = card.flips.loc[k]
        turn = (f"{_e(rec.label(flip['new_winner']))} from {flip['flip_share']:.0%}"
                if flip["new_winner"] else "never")
        cells = []
        for o in options:
            raw = card.raw.loc[o, k]
            shown = f"{raw:.0f}" if c["kind"] == "factor" else f"{raw:,.3g}"
            ev = card.evidence.loc[o, k] if k in card.evidence.columns else ""
            cells.append(f'{shown} <span class="small">({card.values.loc[o, k]:.2f})</span>'
                         + (f'<br><span class="small">{_e(ev)}</span>' if ev else ""))
        scale = "1-5" if c["kind"] == "factor" else f"{c['worst']:,.4g} &rarr; {c['best']:,.4g}"
        rows.append([f"{_e(c['label'])} <span class='small'>({_e(c['unit'])}; {scale})</span>",
                     f"{c['weight_share']:.0%}", *cells, turn])
    rows.append(["<b>Score</b> (0 worst, 1 best)", "100%", *[f"<b>{card.score[o]:.2f}</b>" for o in options], ""])
    table = _table(["criterion", "weight", *[_e(rec.label(o)) for o in options], "top choice flips to"], rows,
                   text_cols=tuple(range(2, 2 + len(options))))
    families = []
    for g, flip in card.family_flips.iterrows():
        if len(card.family_flips.attrs["members"][g]) < 2:  # a factor, or a family of one KPI: in the table
            continue
        turn = (f"{_e(rec.label(flip['new_winner']))} leads from {flip['flip_share']:.0%}" if flip["new_winner"]
                else "no weight flips it")
        families.append(f"{_e(str(g).replace('_', ' '))} {flip['weight_share']:.0%} now, {turn}")
    by_family = (f'<p class="small" id="family-flips">Per KPI family (its criteria moved together): '
                 f"{'; '.join(families)}.</p>" if families else "")
    return (f'<section id="scorecard" class="long"><h2>Strategic scorecard (absolute scale)</h2>{table}{by_family}'
            '<p class="small">KPIs score 0 at the worst and 1 at the best value set in the criteria, factors '
            "(score-1)/4; the score is the weighted mean. The last column is the weight share at which another "
            "option would lead, the other weights held.</p></section>")


def _assumptions_section(rec: MemoRecord) -> str:
    from simkit.ui.chartstyle import path_label

    rows = [[_e(path_label(r.path, rec.currency)), _e(r.value),
             f'<span class="{r.status}">{r.status}</span>', _e(r.note)] for r in rec.assumptions.itertuples()]
    n_src = int((rec.assumptions["status"] == "sourced").sum())
    note = f" Sources: {_e(rec.sources_note)}" if rec.sources_note else ""
    return (f'<section id="assumptions" class="long appendix"><h2>Appendix: assumptions ({n_src} of '
            f"{len(rec.assumptions)} parameters sourced)</h2>"
            + _table(["parameter", "value", "status", "source or note"], rows, text_cols=(1, 2, 3))
            .replace("<table>", '<table id="assumptions-table">', 1)
            + f'<p class="small">{note}</p></section>')


def _provenance(rec: MemoRecord) -> str:
    p = rec.provenance
    items = "".join(f"<li>{_e(k.replace('_', ' '))}: <code>{_e(v)}</code></li>" for k, v in p.items() if v != "")
    return f'<section id="provenance"><h2>Provenance</h2><ul class="small">{items}</ul></section>'


def memo_html(rec: MemoRecord) -> str:
    """The memo as a self-contained HTML page."""
    question = f'<p class="question">{_e(rec.question)}</p>' if rec.question else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Decision memo: {_e(rec.title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>Decision memo: {_e(rec.title)}</h1>{question}{_summary(rec)}{_cash_section(rec)}"
            f"{_risk_section(rec)}{_sensitivity_section(rec)}{_scorecard_section(rec)}"
            f"{_assumptions_section(rec)}{_provenance(rec)}</body></html>\n")


class ChromiumMissing(RuntimeError):
    """No Chromium to print the PDF with."""


def find_chromium() -> str:
    """The Chromium binary: ``SIMKIT_CHROMIUM``, a Debian/Ubuntu path, or ``chromium`` on the PATH."""
    named = os.environ.get("SIMKIT_CHROMIUM")
    for candidate in ([named] if named else []) + list(CHROMIUM_PATHS):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    raise ChromiumMissing("the PDF needs Chromium (Debian: apt install chromium; or set SIMKIT_CHROMIUM to its "
                          "path); the HTML needs nothing")


def html_to_pdf(page: str) -> bytes:
    """Print ``page`` to PDF with headless Chromium (A4, the page's print CSS, no header or footer)."""
    browser = find_chromium()
    with tempfile.TemporaryDirectory(prefix="simkit-memo-") as tmp:
        src, out = Path(tmp) / "memo.html", Path(tmp) / "memo.pdf"
        src.write_text(page, encoding="utf-8")
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={Path(tmp) / 'profile'}", "--no-pdf-header-footer",
               f"--print-to-pdf={out}", src.as_uri()]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=PDF_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise OSError(f"Chromium did not print the PDF within {PDF_TIMEOUT_S} s") from None
        if not out.is_file() or out.stat().st_size == 0:
            why = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
            raise OSError(f"Chromium could not print the PDF (exit {done.returncode}: {why[0][:200]})")
        return out.read_bytes()


def pdf_page_count(data: bytes) -> int:
    """Pages of a PDF, from its page tree's ``/Count`` (the largest, the root's)."""
    import re

    counts = [int(m) for m in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data, re.S)]
    counts += [int(m) for m in re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data, re.S)]
    return max(counts, default=0)
