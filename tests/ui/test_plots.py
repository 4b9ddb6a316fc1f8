"""The result charts: risk markers, a horizontal box plot, the project's style and identity, titles that state
the finding, units, alt text, and the SVG and PNG files the CLI writes."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import warnings
from pathlib import Path
from xml.etree import ElementTree

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from matplotlib import MatplotlibDeprecationWarning
from matplotlib.figure import Figure
from PIL import Image

import simkit as sk
from simkit.analysis.sensitivity import DecisionMap
from simkit.ui import chartstyle, plots

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def res(small_helpdesk: sk.Scenario) -> sk.Results:
    return sk.simulate(small_helpdesk, replications=6, seed=5, progress=False)


def _markers(ax: object, marker: str, n_options: int) -> dict[int, float]:
    """x of the points drawn with ``marker``, by option index (the first option is the top row)."""
    found = {}
    for line in ax.lines:
        if line.get_marker() == marker and len(line.get_xdata()) == 1:
            found[n_options - 1 - round(float(line.get_ydata()[0]))] = float(line.get_xdata()[0])
    return found


def test_cost_at_risk_marks_the_quantiles_and_the_cvar(res: sk.Results) -> None:
    fig = Figure()
    ax = fig.subplots()
    assert plots.cost_at_risk(res, ax=ax) is fig
    costs = {o: res.kpis.loc[res.kpis["option"] == o, res.cost_column].to_numpy() for o in res.options}
    n = len(res.options)
    median, p90, p95, cvar = (_markers(ax, m, n) for m in ("o", "s", "^", "D"))
    for i, o in enumerate(res.options):
        x = costs[o]
        assert median[i] == pytest.approx(np.quantile(x, 0.5, method="inverted_cdf"))
        assert p90[i] == pytest.approx(np.quantile(x, 0.9, method="inverted_cdf"))
        assert p95[i] == pytest.approx(res.risk(0.95).loc[o, f"{res.cost_column}_var95"])
        # six runs: the worst 5% is the single worst run, so VaR and CVaR are both its cost
        assert cvar[i] == pytest.approx(x.max()) and p95[i] == pytest.approx(x.max())
        assert median[i] <= p90[i] <= p95[i] <= cvar[i]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [res.scenario.options[o].label for o in reversed(res.options)]
    assert "6 replications" in ax.get_title(loc="left") and "worst run" in ax.get_title(loc="left")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:4] == ["median (P50)", "P90", "P95 = VaR 95%", "CVaR 95%: mean of the worst 5%"]
    baseline = res.kpis.loc[res.kpis["option"] == res.scenario.baseline_option, res.cost_column].mean()
    dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert len(dotted) == 1 and dotted[0].get_xdata()[0] == pytest.approx(baseline)


def test_cost_at_risk_levels_and_a_long_tail(small_helpdesk: sk.Scenario) -> None:
    res = sk.simulate(small_helpdesk.override({"run.horizon_days": 21}), replications=40, seed=2,
                      options=["vendor", "in_house"], progress=False)
    fig = plots.cost_at_risk(res, levels=(0.8, 0.5, 0.9))
    ax = fig.axes[0]
    assert "worst run" not in ax.get_title(loc="left")  # 40 runs x 10% = 4 in the tail
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:4] == ["median (P50)", "P80", "P90 = VaR 90%", "CVaR 90%: mean of the worst 10%"]
    cvar = _markers(ax, "D", 2)
    want = res.risk(0.9)[f"{res.cost_column}_cvar90"]
    assert cvar == pytest.approx({i: want[o] for i, o in enumerate(res.options)})
    x = res.kpis.loc[res.kpis["option"] == "vendor", res.cost_column].to_numpy()
    worst = np.sort(x)[-4:].mean()  # 40 x 10%: CVaR is the mean of the four worst runs
    assert cvar[res.options.index("vendor")] == pytest.approx(worst)


def test_cost_distribution_is_horizontal_without_deprecated_arguments(res: sk.Results) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", MatplotlibDeprecationWarning)
        fig = plots.cost_distribution(res)
    ax = fig.axes[0]
    segments = [line for line in ax.lines if len(line.get_xdata()) == 2]
    spread = 0.0
    for i, o in enumerate(res.options):  # option i is the box at y = i + 1, along the x axis
        mine = [line for line in segments if np.mean(line.get_ydata()) == pytest.approx(i + 1)]
        whiskers = [line for line in mine if line.get_ydata()[0] == line.get_ydata()[1]]
        across = [line.get_xdata()[0] for line in mine if line.get_xdata()[0] == line.get_xdata()[1]]
        assert len(whiskers) == 2  # horizontal whiskers...
        median = np.median(res.kpis.loc[res.kpis["option"] == o, res.cost_column])
        assert any(x == pytest.approx(median) for x in across)  # ...and a vertical median line
        spread += sum(abs(np.diff(w.get_xdata())[0]) for w in whiskers)
    assert spread > 0  # the whiskers run along the cost axis
    assert [t.get_text() for t in ax.get_yticklabels()] == [res.scenario.options[o].label for o in res.options]


# ------------------------------------------------------------------ style, identity, alt text, files
def _every_chart(res: sk.Results) -> dict[str, Figure]:
    other = next(o for o in res.options if o != res.scenario.baseline_option)
    return {"cost_distribution": plots.cost_distribution(res), "cost_at_risk": plots.cost_at_risk(res),
            "monthly_cost": plots.monthly_cost(res), "lead_times": plots.lead_times(res),
            "cumulative_cost": plots.cumulative_cost(res),
            "paired_difference": plots.paired_difference(res, other),
            "tornado": plots.tornado(_tornado_table()), "decision_map": plots.decision_map(_decision_map())}


def _tornado_table() -> pd.DataFrame:
    table = pd.DataFrame({"path": ["vendors.msp.price_per_fte_month", "workload.rate_per_hour"],
                          "label": ["price_per_fte_month", "rate_per_hour"], "low": [4000.0, 1.0],
                          "high": [8000.0, 3.0], "at_low": [900.0, 1500.0], "at_high": [-2500.0, 400.0],
                          "base": [0.0, 0.0], "swing": [-3400.0, -1100.0]})
    table.attrs.update({"kpi": "savings", "option": "vendor", "baseline": "in_house", "currency": "USD"})
    return table


def _decision_map() -> DecisionMap:
    xs, ys = [4000.0, 6000.0, 8000.0], [1.0, 2.0, 3.0]
    rows = [{"vendors.msp.price_per_fte_month": x, "workload.rate_per_hour": y, "p_better": 1 - (x - 4000) / 4000,
             "delta_mean": (x - 6000) * y, "ci_low": 0.0, "ci_high": 0.0, "n": 10} for x in xs for y in ys]
    return DecisionMap("vendors.msp.price_per_fte_month", "workload.rate_per_hour", "vendor", "in_house",
                       "cost_total_usd", pd.DataFrame(rows))


def test_plotting_leaves_the_global_rcparams_alone(res: sk.Results) -> None:
    with matplotlib.rc_context({"lines.linewidth": 7.5, "axes.prop_cycle": matplotlib.cycler(color=["k"])}):
        before = dict(matplotlib.rcParams)
        figs = _every_chart(res)
        with pytest.raises(ValueError, match="band"):  # a chart that fails half-way restores them too
            plots.monthly_cost(res, band=1.5)
        after = dict(matplotlib.rcParams)
    assert {k for k in before if before[k] != after[k]} == set()
    # ...while the charts themselves were drawn in the project's style
    assert figs["lead_times"].axes[0].spines["top"].get_visible() is False
    assert figs["cumulative_cost"].axes[0].lines[0].get_color().lower() == chartstyle.PALETTE[0].lower()
    for fig in figs.values():
        plt.close(fig)


def test_every_chart_has_alt_text_and_a_title(res: sk.Results) -> None:
    for name, fig in _every_chart(res).items():
        alt = plots.alt_text(fig)
        assert alt.endswith(".") and len(alt) > 60 and "\n" not in alt, name
        titles = [fig.get_suptitle()] + [a.get_title(loc="left") for a in fig.axes]
        assert any(t.strip() for t in titles), name
        plt.close(fig)


def test_axes_have_units_and_plain_labels(res: sk.Results) -> None:
    figs = _every_chart(res)
    unit = re.compile(r"\((USD|hours|count|probability|USD/agent-month|items/h)\)|month")
    for name, fig in figs.items():
        ax = fig.axes[0]
        for label in (ax.get_xlabel(), ax.get_ylabel()):
            assert "." not in label.split("(")[0].replace("e.g.", ""), (name, label)  # no dotted paths
        labelled = [lb for lb in (ax.get_xlabel(), ax.get_ylabel()) if lb]
        assert labelled and any(unit.search(lb) for lb in labelled), (name, labelled)
    dm = figs["decision_map"].axes[0]
    assert dm.get_xlabel() == "msp: price per FTE month (USD/agent-month)"
    assert dm.get_ylabel() == "rate per hour (items/h)"
    assert figs["tornado"].axes[0].get_xlabel() == "savings against the baseline (USD), vendor vs in_house"
    for fig in figs.values():
        plt.close(fig)


def _inside(inner: object, outer: object) -> bool:
    return inner.x0 < outer.x1 and inner.x1 > outer.x0 and inner.y0 < outer.y1 and inner.y1 > outer.y0


@pytest.mark.parametrize("chart", ["tornado", "lead_times", "paired_difference", "decision_map", "cumulative_cost",
                                   "cost_at_risk"])
def test_legends_sit_outside_the_plotting_area(res: sk.Results, chart: str) -> None:
    fig = _every_chart(res)[chart]
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    assert not _inside(legend, ax.get_window_extent()), chart
    plt.close("all")


def test_options_differ_by_marker_and_hatch_not_colour_alone(res: sk.Results) -> None:
    n = len(res.options)
    looks = [chartstyle.identity(i) for i in range(8)]
    assert len({lk.marker for lk in looks}) == len({lk.hatch for lk in looks}) == len({lk.color for lk in looks}) == 8
    cum = plots.cumulative_cost(res).axes[0]
    lines = [line for line in cum.lines if line.get_label() in {o.label for o in res.scenario.options.values()}]
    assert len(lines) == n and len({line.get_marker() for line in lines}) == n
    assert len({str(line.get_linestyle()) for line in lines}) == n
    lead = plots.lead_times(res).axes[0]
    hatches = {p.get_hatch() or "" for p in lead.patches}
    assert len(hatches) == n
    dist = plots.cost_distribution(res).axes[0]
    markers = [c.get_paths()[0].vertices.round(3).tobytes() for c in dist.collections]
    assert len(markers) == n and len(set(markers)) == n
    plt.close("all")


def test_lead_times_draw_each_sla_target(res: sk.Results) -> None:
    ax = plots.lead_times(res).axes[0]
    targets = sorted({float(k.sla_h) for k in res.scenario.workload.kinds.values()})
    drawn = sorted(float(line.get_ydata()[0]) for line in ax.lines if line.get_label().startswith("SLA "))
    assert drawn == targets and len(targets) >= 2  # the helpdesk has 8 h, 24 h and 120 h kinds
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "SLA 8 h (incident)" in legend
    plt.close("all")


def test_monthly_cost_stacks_the_ledger_by_category_with_a_band(res: sk.Results) -> None:
    fig = plots.monthly_cost(res)
    mean = res.monthly_cost()
    for i, o in enumerate(res.options):
        ax = fig.axes[i]
        assert ax.get_title() == res.scenario.options[o].label
        tops: dict[float, float] = {}
        for bar in ax.patches:
            x = round(bar.get_x() + bar.get_width() / 2)
            tops[x] = max(tops.get(x, 0.0), bar.get_y() + bar.get_height())
        assert [tops[m + 1] for m in mean.index] == pytest.approx(mean[o].to_numpy(), rel=1e-9, abs=1e-6)
        reps = res.ledger[res.ledger["option"] == o].groupby(["replication", "month"])["amount"].sum()
        month1 = reps.xs(0, level="month").to_numpy()
        (bars,) = [c for c in ax.collections if len(c.get_segments()) == len(mean)]
        first = bars.get_segments()[0]
        assert sorted(p[1] for p in first) == pytest.approx(np.quantile(month1, [0.05, 0.95]))
    vendor = plots.monthly_by_category(res).loc["vendor"]
    assert vendor.loc[1, "transition"] > 0 and vendor["transition"].iloc[1:].sum() == 0
    assert "month 1" in fig.get_suptitle() and "transition" in fig.get_suptitle()
    plt.close("all")


def test_monthly_cost_takes_the_place_of_a_given_axes(res: sk.Results) -> None:
    fig = Figure(figsize=(12, 4), layout="constrained")
    left, right = fig.subplots(1, 2)
    assert plots.monthly_cost(res, ax=right) is fig
    assert left in fig.axes and right not in fig.axes
    assert len(fig.axes) == 1 + len(res.options)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example([-3e4] * 6, [0.0] * 6)  # the vendor clearly cheapest
@example([0.0] * 6, [0.0, 0.0, 0.0, 1.0, 1.0, 1.0])  # a tie of medians: no clear cheapest
@given(st.lists(st.floats(-5e4, 5e4, allow_nan=False), min_size=6, max_size=6),
       st.lists(st.floats(-5e4, 5e4, allow_nan=False), min_size=6, max_size=6))
def test_the_cost_title_names_the_cheapest_only_when_the_paired_ci_says_so(
        res: sk.Results, shift_a: list[float], shift_b: list[float]) -> None:
    kpis = res.kpis.copy()
    col = res.cost_column
    for option, shift in (("vendor", shift_a), ("hybrid", shift_b)):
        mine = kpis["option"] == option
        kpis.loc[mine, col] = kpis.loc[kpis["option"] == "in_house", col].to_numpy() + np.asarray(shift) + 1e5
    kpis.loc[kpis["option"] == "in_house", col] += 2e5  # never the cheapest
    fake = sk.Results(res.scenario, res.seed, kpis, res.ledger)
    fig = plots.cost_distribution(fake)
    head = " ".join(fig.axes[0].get_title(loc="left").split())
    medians = kpis.groupby("option")[col].median().reindex(res.options).sort_values(kind="stable")
    best, runner = medians.index[:2]
    label = {o: res.scenario.options[o].label for o in res.options}
    ci_high = fake.compare(best, runner).loc[col, "ci_high"]
    if ci_high < 0:
        assert head.startswith(f"{label[best]} is cheapest: ")
        assert chartstyle.money(medians[runner] - medians[best], "USD") in head
    else:
        assert head.startswith(f"No clear cheapest: {label[best]} and {label[runner]}")
    plt.close(fig)


def test_scenario_text_is_shown_literally_and_escaped_in_svg(small_helpdesk: sk.Scenario) -> None:
    odd = "Vendor $5/h <b>&</b> \\frac"
    sc = small_helpdesk.override({"options.vendor.label": odd})
    res = sk.simulate(sc, replications=3, seed=1, progress=False, options=["in_house", "vendor"])
    fig = plots.cost_distribution(res)
    svg = chartstyle.svg_bytes(fig).decode()  # drawing would raise if '$' started mathtext
    assert "Vendor $5/h &lt;b&gt;&amp;&lt;/b&gt; \\frac" in svg
    ElementTree.fromstring(svg.split("\n", 3)[3])  # still well-formed XML after the doctype


def _png_chunks(data: bytes) -> dict[bytes, list[bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, list[bytes]] = {}
    i = 8
    while i < len(data):
        (size,) = struct.unpack(">I", data[i:i + 4])
        chunks.setdefault(data[i + 4:i + 8], []).append(data[i + 8:i + 8 + size])
        i += 12 + size
    return chunks


def _png_dpi(data: bytes) -> float:
    x_ppm, y_ppm, unit = struct.unpack(">IIB", _png_chunks(data)[b"pHYs"][0])
    assert unit == 1 and x_ppm == y_ppm  # pixels per metre
    return x_ppm * 0.0254


def test_the_cli_writes_every_chart_as_svg_and_png(tmp_path: Path) -> None:
    charts = tmp_path / "charts"
    p = subprocess.run([sys.executable, "-m", "simkit.ui.cli", "run", str(SCENARIOS / "startup_it_helpdesk.yaml"),
                        "-n", "3", "--seed", "5", "--set", "run.horizon_days=56", "--charts", str(charts)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    names = ["cost_distribution", "cost_at_risk", "monthly_cost", "lead_times", "paired_difference_vendor",
             "paired_difference_hybrid"]
    for name in names:
        svg = ElementTree.parse(charts / f"{name}.svg").getroot()
        ns = "{http://www.w3.org/2000/svg}"
        title, desc = svg.find(f"{ns}title"), svg.find(f"{ns}desc")
        assert svg.get("role") == "img" and title.text.strip() and len(desc.text) > 60, name
        png = (charts / f"{name}.png").read_bytes()
        assert _png_dpi(png) >= 150 - 0.01, name
        text = dict(chunk.split(b"\0", 1) for chunk in _png_chunks(png)[b"tEXt"])
        assert text[b"Description"].decode("latin-1") == desc.text, name
        assert name.split("_")[0] in p.stdout
    assert not list(charts.glob(".*"))  # no temporary files left behind
    with Image.open(charts / "lead_times.png") as img:
        assert min(img.info["dpi"]) >= 149.99


def test_the_same_chart_gives_the_same_bytes(res: sk.Results) -> None:
    a, b = plots.lead_times(res), plots.lead_times(res)
    assert chartstyle.svg_bytes(a) == chartstyle.svg_bytes(b)
    assert chartstyle.png_bytes(a) == chartstyle.png_bytes(b)
    plt.close("all")


@pytest.mark.parametrize(("column", "label"), [
    ("cost_total_usd", "total cost (USD)"), ("lead_time_p90_h", "90th percentile lead time (hours)"),
    ("sla_attainment_share", "share within SLA (share)"), ("outages_count", "outages (count)"),
    ("backlog_end_items", "backlog end (items)"), ("savings", "savings (USD)")])
def test_kpi_labels_are_plain_with_units(column: str, label: str) -> None:
    assert chartstyle.kpi_label(column, "USD") == label


@given(st.floats(-1e9, 1e9, allow_nan=False))
def test_money_in_titles_is_close_to_the_number(x: float) -> None:
    text = chartstyle.money(x, "EUR")
    assert text.startswith("-EUR " if x < 0 and abs(x) >= 0.5 else ("EUR " if x >= 0 else ("-EUR ", "EUR ")))
    body = text.split(" ", 1)[1]
    scale = {"k": 1e3, "M": 1e6}.get(body[-1], 1.0)
    value = float(body.rstrip("kM")) * scale
    assert abs(value - abs(x)) <= max(0.5, 0.051 * abs(x))
