"""The dashboard's layout: its widgets, where they sit and how a lever looks; no callbacks here.

:class:`simkit.ui.widgets.Dashboard` (the callbacks: what happens when a lever moves) builds on
:class:`DashboardLayout`: the page's widgets are made by :meth:`DashboardLayout._make_widgets`, grouped by
:meth:`DashboardLayout._lever_widgets` and arranged by :meth:`DashboardLayout._layout`.  A lever
(:class:`simkit.ui.controls.Control`) becomes a slider, a dropdown or an on/off toggle in :func:`lever_widget`.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import Any

from simkit.extras import require
from simkit.scenario.model import Scenario
from simkit.ui.controls import Control
from simkit.ui.dashboard_actions import MIN_REPLICATIONS

require("ipywidgets", "simkit.explore")  # one line naming the 'dashboard' extra when it is missing

import ipywidgets as W  # noqa: E402

__all__ = ["REPLICATIONS", "PRECISION", "CAP", "STYLE", "DashboardLayout", "head_html", "lever_widget",
           "rule_text", "simulation_controls"]

REPLICATIONS = "replications"
PRECISION = "precision"
CAP = "max_replications"
STYLE = """<style>
.simkit-dash .simkit-kpi table, .simkit-dash .simkit-preview table, .simkit-dash .simkit-pins {
  border-collapse: collapse; font-size: 12.5px}
.simkit-dash td, .simkit-dash th {padding: 2px 10px; border-bottom: 1px solid #e3e3e3; text-align: right;
  white-space: nowrap}
.simkit-dash th:first-child, .simkit-dash td:first-child, .simkit-preview td:nth-child(2),
.simkit-preview th:nth-child(2), .simkit-pins td:nth-child(2) {text-align: left}
.simkit-dash thead th {background: #f2f5f9}
.simkit-dash .widget-output img {max-width: 100%; height: auto}
.simkit-dash h3 {margin: 10px 0 4px 0; color: #1b6ca8}
.simkit-dash .simkit-note {color: #666; font-size: 11.5px}
.simkit-dash .simkit-verdict {background: #f4f8fc; border-left: 4px solid #1b6ca8; padding: 4px 12px;
  font-size: 14px; line-height: 1.45}
.simkit-dash .simkit-verdict-notes {color: #8a5a00; font-size: 12px; margin: 2px 0}
.simkit-dash a.simkit-download {margin-right: 14px; white-space: nowrap}
</style>"""


_SLIDER_STYLE = {"description_width": "258px"}
_SLIDER_LAYOUT = {"width": "505px"}


def _slider(lever: Control, value: float) -> W.Widget:
    kw = dict(value=value, min=lever.low, max=max(lever.high, value), step=lever.step,
              description=lever.label, tooltip=lever.label, continuous_update=False,
              style=_SLIDER_STYLE, layout=W.Layout(**_SLIDER_LAYOUT))
    if lever.integer:
        return W.IntSlider(**kw)
    decimals = max(0, -math.floor(math.log10(lever.step) + 1e-9))
    decimals += 1 if str(lever.step).endswith("25") else 0
    return W.FloatSlider(**kw, readout_format=f".{decimals}f")


def lever_widget(lever: Control, value: Any) -> W.Widget:
    """A slider, a dropdown or an on/off toggle for ``lever`` showing the scenario value ``value``."""
    if lever.kind == "number":
        return _slider(lever, value)
    kw = dict(value=lever.shown(value), description=lever.label, tooltip=lever.label,
              layout=W.Layout(**_SLIDER_LAYOUT))
    if lever.kind == "choice":
        return W.Dropdown(options=list(lever.options), style=_SLIDER_STYLE, **kw)
    toggle = W.ToggleButtons(options=[("on", True), ("off", False)],
                             style={**_SLIDER_STYLE, "button_width": "64px"}, **kw)
    return toggle.add_class("widget-inline-hbox")  # label beside the buttons, as a slider's


def simulation_controls(replications: int | None, precision: float, cap: int) -> dict[str, W.Widget]:
    """The run's own sliders: a fixed number of replications, or the precision rule's target and cap."""
    kw = dict(continuous_update=False, style=_SLIDER_STYLE, layout=W.Layout(**_SLIDER_LAYOUT))
    if replications is not None:
        return {REPLICATIONS: W.IntSlider(value=replications, min=2, max=max(50, replications),
                                          description="replications (runs, 2–50)", **kw)}
    return {PRECISION: W.FloatSlider(value=precision, min=0.5, max=10.0, step=0.5, readout_format=".1f",
                                     description="precision (± % of mean total cost)", **kw),
            CAP: W.IntSlider(value=cap, min=MIN_REPLICATIONS, max=max(200, cap),
                             description=f"at most (replications, {MIN_REPLICATIONS}–200)", **kw)}


def rule_text(meta: dict[str, Any]) -> str:
    """The precision rule of a run in words (``""`` for a fixed number of replications); ``meta`` is
    ``Results.meta``."""
    rule = meta.get("precision")
    if not isinstance(rule, dict):
        return ""
    reached = "reached" if rule.get("reached") else "not reached: the cap stopped it"
    return f" (total cost within ±{rule['target_rel_half_width']:.1%} of its mean: {reached})"


def head_html(scenario: Scenario) -> str:
    """The page's title: the scenario's name and description (escaped: text from a scenario is data)."""
    return (f"{STYLE}<h2 style='margin:4px 0'>{html.escape(scenario.name)}</h2>"
            f"<div class='simkit-note'>{html.escape(scenario.description.strip())}</div>")


class DashboardLayout:
    """The widgets of a :class:`simkit.ui.widgets.Dashboard` and their places on the page."""

    levers: dict[str, Control]
    controls: dict[str, W.Widget]
    widget: W.Widget

    def _make_widgets(self, chart_names: Iterable[str], replications: int | None, precision: float,
                      cap: int) -> None:
        """Every widget of the page, empty; the dashboard wires their callbacks and fills them."""
        self.head = W.HTML()
        self.verdict_html = W.HTML("<i>Move a lever to simulate.</i>").add_class("simkit-verdict")
        self.preview_html = W.HTML().add_class("simkit-preview")
        self.status = W.HTML()
        self.progress = W.Output()
        self.kpi_html = W.HTML().add_class("simkit-kpi")
        self.charts = {name: W.Output(layout=W.Layout(min_width="300px", max_width="760px"))
                       for name in chart_names}
        self.chart_tabs = W.Tab(children=list(self.charts.values()))
        for i, name in enumerate(self.charts):  # one tab per chart: only the one shown is drawn
            self.chart_tabs.set_title(i, name.replace("_", " "))
        self.chart_tabs.selected_index = 0
        self.sim_controls = simulation_controls(replications, precision, cap)
        self.picker = W.Dropdown(description="scenario", layout=W.Layout(width="520px"),
                                 style={"description_width": "70px"})
        self.upload = W.FileUpload(accept=".yaml,.yml", multiple=False, description="Upload YAML")
        self.reset_button = W.Button(description="Reset", icon="undo")
        self.pin_name = W.Text(placeholder="name of this variant", layout=W.Layout(width="240px"))
        self.pin_button = W.Button(description="Pin this run", icon="thumb-tack", button_style="info")
        self.clear_pins_button = W.Button(description="Clear pins", icon="times")
        self.pins_html = W.HTML().add_class("simkit-pins-box")
        self.pins_chart = W.Output()
        self.tornado_button = W.Button(description="Tornado: which lever matters?", icon="bar-chart",
                                       layout=W.Layout(width="260px"))
        self.tornado_out = W.Output()
        self.downloads = W.HTML()
        self.report_button = W.Button(description="Prepare the report", icon="file-text-o",
                                      tooltip="Draws the charts not drawn yet, then offers the report and their images",
                                      layout=W.Layout(width="220px", display="none"))  # shown with an answer
        self.svg_button = W.Button(description="Add the charts as SVG", icon="file-image-o",
                                   layout=W.Layout(width="220px"))
        self._lever_box = W.VBox(layout=W.Layout(width="520px", min_width="520px"))

    def _lever_widgets(self) -> tuple[W.Widget, ...]:
        """The levers under headings by what they move (workload, teams, vendors, risks, ...), then the run's."""
        groups: dict[str, list[W.Widget]] = {}
        for p, lv in self.levers.items():
            section = {"workload": "Workload", "teams": "In-house teams", "vendors": "Vendors",
                       "options": "Routing", "run": "Horizon"}.get(p.split(".")[0], "Scenario")
            if lv.kind == "section" or (section in ("In-house teams", "Vendors") and p.count(".") > 2):
                section = "Risks and scaling"  # a mechanism section or a field inside one
            groups.setdefault(section, []).append(self.controls[p])
        groups["Simulation"] = list(self.sim_controls.values())
        return tuple(w for title, ws in groups.items() for w in (W.HTML(f"<h3>{title}</h3>"), *ws))

    def _layout(self) -> W.Widget:
        """The page: picker, verdict, levers beside the KPIs and preview, charts, pins, tornado, downloads."""
        source = W.HBox([self.picker, self.upload, self.reset_button])
        right = W.VBox([W.HTML("<h3>Simulated KPIs</h3>"), self.status, self.progress, self.kpi_html,
                        W.HTML("<h3>Instant preview</h3>"), self.preview_html],
                       layout=W.Layout(flex="1 1 600px", padding="0 0 0 12px", overflow="auto"))
        top = W.HBox([self._lever_box, right], layout=W.Layout(flex_flow="row wrap"))
        pins = W.VBox([W.HBox([self.pin_name, self.pin_button, self.clear_pins_button]), self.pins_html,
                       self.pins_chart])
        return W.VBox([self.head, source, self.verdict_html, top, W.HTML("<h3>Charts</h3>"), self.chart_tabs,
                       W.HTML("<h3>Pinned variants (up to four, side by side)</h3>"), pins,
                       W.HTML("<h3>What moves the answer</h3>"), self.tornado_button, self.tornado_out,
                       W.HTML("<h3>Downloads</h3>"), self.downloads,
                       W.HBox([self.report_button, self.svg_button])]).add_class("simkit-dash")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
