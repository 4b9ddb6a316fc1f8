"""The exit drill as HTML: a section usable as exit-plan test evidence, with its provenance.

Presentation only (the numbers come from :mod:`simkit.analysis.exit_drill`).  Every piece of text that comes from
the scenario (its name, option, vendor and team names, file path) is escaped with :func:`html.escape`;
the chart is an embedded PNG with alt text, so the file stands alone (no scripts, no network).
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
import tempfile
from pathlib import Path

from simkit.analysis.exit_drill import DrillResult
from simkit.errors import ScenarioError

__all__ = ["html_section", "html_page", "write_html", "dip_png"]


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def dip_png(result: DrillResult) -> bytes:
    """The service dip: weekly SLA attainment around the exit (mean and 10-90% band) against no exit."""
    from simkit.extras import require

    require("matplotlib", "simkit drill")  # one line naming the 'charts' extra when it is missing
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    w = result.weekly
    fig, ax = plt.subplots(figsize=(7.5, 3.2), dpi=100)
    ax.fill_between(w["week"], w["drill_p10"], w["drill_p90"], alpha=0.25, label="drill, 10-90% of replications")
    ax.plot(w["week"], w["drill_mean"], marker="o", ms=3, label="drill, mean")
    ax.plot(w["week"], w["no_exit_mean"], ls="--", color="grey", label="no exit, mean")
    ax.axvline(0, color="black", lw=1)
    ax.axhline(result.meta["sla_target"], color="tab:red", lw=1, ls=":", label="SLA target")
    ax.set_xlabel("weeks from the exit")
    ax.set_ylabel("SLA attainment")
    ax.set_ylim(-0.02, 1.02)
    ax.legend(loc="lower right", fontsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _hours(h: float) -> str:
    return "not before the horizon" if not math.isfinite(h) else f"{h:,.0f} h ({h / 24:,.1f} days)"


def html_section(result: DrillResult) -> str:
    """An HTML ``<section>``: the question, the answers, the dip chart and the provenance."""
    s, m = result.summary(), result.meta
    cur = _e(m["currency"])
    png = base64.b64encode(dip_png(result)).decode("ascii")
    alt = (f"Weekly SLA attainment from {int(result.weekly['week'].min())} to {int(result.weekly['week'].max())} "
           f"weeks around the exit of vendor {m['vendor']}; the mean falls to {s['dip_min_attainment_share']:.0%} "
           f"against a target of {m['sla_target']:.0%}.")
    rows = [
        ("Time to restore service within SLA (median)", _hours(s["restore_median_h"])),
        ("Time to restore (90th percentile)", _hours(s["restore_p90_h"])),
        (f"P(restored within {_hours(s['tolerance_h'])})",
         f"{s['p_restored_within_tolerance']:.2f} "
         f"(95% CI {s['p_restored_ci_low']:.2f} to {s['p_restored_ci_high']:.2f})"),
        ("Lowest weekly SLA attainment (mean over replications)", f"{s['dip_min_attainment_share']:.1%}"),
        ("Backlog peak after the exit (no exit)",
         f"{s['backlog_peak_items']:,.0f} items ({s['backlog_peak_no_exit_items']:,.0f})"),
        ("One-off cost of the exit (switching, exit fee)", f"{s['one_off_cost']:,.0f} {cur}"),
        ("Running cost after the exit, per month", f"{s['running_cost_per_month']:+,.0f} {cur}"),
        ("Extra total cost over the horizon", f"{s['extra_cost_total']:+,.0f} {cur}"),
    ]
    prov = [("Scenario", m["scenario"]), ("Scenario file", m["scenario_file"] or "(in memory)"),
            ("Scenario file SHA-256", m["scenario_sha256"] or "(in memory)"),
            ("Scenario fingerprint", m["fingerprint"]),
            ("Seed", m["seed"]), ("Replications", m["replications"]), ("simkit version", m["simkit_version"]),
            ("Date", m["date"])]
    table = "\n".join(f"<tr><th scope='row'>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    provenance = "\n".join(f"<tr><th scope='row'>{_e(k)}</th><td><code>{_e(v)}</code></td></tr>" for k, v in prov)
    return f"""<section class="exit-drill">
<h2>Exit drill: {_e(m['option'])}</h2>
<p>The vendor <strong>{_e(m['vendor'])}</strong> was made to exit at month {m['at_month']:g} of the measured window
in each of {m['replications']} replications; its work moved to <strong>{_e(m['fallback'])}</strong> under the exit
plan. Service counts as restored from the first week (counted from the exit) whose SLA attainment is at least
{m['sla_target']:.0%} and stays there the week after. Each replication is compared with the same workload
without the exit (common random numbers).</p>
<table class="drill-results">
{table}
</table>
<figure><img src="data:image/png;base64,{png}" alt="{_e(alt)}">
<figcaption>SLA attainment by week around the exit (week 0 starts at the exit).</figcaption></figure>
<h3>Provenance</h3>
<table class="provenance">
{provenance}
</table>
</section>"""


def html_page(result: DrillResult) -> str:
    """A standalone HTML page holding :func:`html_section`."""
    title = _e(f"Exit drill — {result.meta['scenario']}")
    return (f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
            "th{text-align:left;padding-right:1em}td,th{vertical-align:top}</style></head>\n<body>\n"
            f"{html_section(result)}\n</body></html>\n")


def write_html(result: DrillResult, path: str | Path) -> Path:
    """Write :func:`html_page` to ``path`` atomically (a temp file in the same folder, then a rename).

    Raises
    ------
    ScenarioError
        When ``path`` does not end in .html, is a folder or something other than a regular file, or
        cannot be written (the previous file, if any, is left as it was).
    """
    p = Path(path)
    if p.suffix.lower() not in (".html", ".htm"):
        raise ScenarioError("--out", f"the drill report is HTML: the file must end in .html, got {str(path)!r}")
    if p.exists() and not p.is_file():
        raise ScenarioError("--out", f"{str(path)!r} exists and is not a regular file")
    page = html_page(result)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    except OSError as err:
        raise ScenarioError("--out", f"cannot write {str(path)!r} ({err.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page)
        os.replace(tmp, p)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise ScenarioError("--out", f"cannot write {str(path)!r} ({err.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return p
