"""The dashboard: move a lever, see the closed-form preview at once and the simulated decision after.

``sk.explore(scenario)`` builds one control per *lever* (:mod:`simkit.ui.controls`) — a dotted path into the
scenario such as ``teams.engineers.staff`` — with its range and unit in the
label: a slider for a number, a dropdown for a choice the schema lists
(``vendors.<v>.pricing``, ``vendors.<v>.outages.policy``) and an on/off toggle
for a boolean field or an optional section (``vendors.<v>.outages``: on is the
scenario's own section, off removes it; the controls inside a section that is
off are greyed out and left out of the changes).  Sliders report on release
(``continuous_update=False``), so one drag is one simulation.  On every change the dashboard

1. applies the levers to the original scenario with :meth:`Scenario.override`
   (a bad combination shows its one-sentence error and keeps the last result);
2. shows the instant closed-form preview (:mod:`simkit.scenario.preview`: Erlang C
   waits and a static cost, labelled approximate);
3. simulates every option on common random numbers (:func:`simkit.simulate`)
   and shows the KPI table with 95% confidence intervals, the paired cost
   difference against the baseline, and four charts drawn by
   :mod:`simkit.ui.plots` as static PNG images with alt text — the cost distribution, the
   cost at risk (median, P90, P95 and CVaR of total cost: what a budget has
   to carry in a bad year), the monthly cost and the lead times.  When only
   prices moved (a vendor's price, a loaded cost), the last runs are re-priced
   instead of re-simulated (:meth:`Results.reprice`), which gives the same
   numbers at once; otherwise only the options the change touches are
   simulated again, the others re-priced from the last runs' logs
   (``simulate(..., reuse=...)``, :mod:`simkit.experiment.reuse`).

"Save as scenario YAML" writes the current scenario safely (:mod:`simkit.fileio`: temp file,
then rename); "Reset" puts every lever back (sliders, dropdowns and toggles).  No modelling happens here: the
numbers come from the public API.  The controller works without a browser,
so it is unit-tested by setting ``dash.controls[path].value``.
"""

from __future__ import annotations

import base64
import html
import math
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from simkit.accounting.registry import dashboard_columns
from simkit.errors import ScenarioError
from simkit.experiment.results import Results
from simkit.experiment.simulate import simulate
from simkit.extras import require
from simkit.fileio import write_text
from simkit.scenario.fields import split_changes
from simkit.scenario.model import Scenario, load
from simkit.scenario.preview import preview
from simkit.ui.controls import Control, control_for, controls_from, default_controls, value_at

require("ipywidgets", "simkit.explore")  # one line naming the 'dashboard' extra when it is missing
require("matplotlib", "simkit.explore")

import ipywidgets as W  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from simkit.ui import plots  # noqa: E402
from simkit.ui.chartstyle import alt_text, png_bytes, style  # noqa: E402

__all__ = ["Control", "Dashboard", "explore", "default_controls", "control_for"]

REPLICATIONS = "replications"
#: Resolution of the dashboard's chart images (shown scaled to the column, sharp on high-density screens).
DASHBOARD_DPI = 150
CHARTS = {"cost_distribution": plots.cost_distribution, "cost_at_risk": plots.cost_at_risk,
          "monthly_cost": plots.monthly_cost, "lead_times": plots.lead_times}
_STYLE = """<style>
.simkit-dash .simkit-kpi table, .simkit-dash .simkit-preview table {border-collapse: collapse;
  font-size: 12.5px}
.simkit-dash td, .simkit-dash th {padding: 2px 10px; border-bottom: 1px solid #e3e3e3; text-align: right;
  white-space: nowrap}
.simkit-dash th:first-child, .simkit-dash td:first-child, .simkit-preview td:nth-child(2),
.simkit-preview th:nth-child(2) {text-align: left}
.simkit-dash thead th {background: #f2f5f9}
.simkit-dash .widget-output img {max-width: 100%; height: auto}
.simkit-dash h3 {margin: 10px 0 4px 0; color: #1b6ca8}
.simkit-dash .simkit-note {color: #666; font-size: 11.5px}
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


def _widget(lever: Control, value: Any) -> W.Widget:
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


def _chart_output(name: str, png: bytes, alt: str) -> dict:
    """A display_data output: an ``<img>`` with its alt text, and the PNG itself for front ends without HTML."""
    data = base64.b64encode(png).decode("ascii")
    tag = f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'
    return {"output_type": "display_data", "metadata": {},
            "data": {"text/html": tag, "image/png": data, "text/plain": alt or f"<{name} chart>"}}


def _fmt(x: float, digits: int = 2) -> str:
    return "∞" if math.isinf(x) else f"{x:,.{digits}f}"


class Dashboard:
    """Controls, preview, KPI table and charts for one scenario (see the module docstring).

    Parameters
    ----------
    scenario
        The scenario the levers start from; it is never changed.
    levers
        What to put on sliders: dotted paths, :class:`Control` objects, sweep levers
        (:class:`simkit.Lever`, whose range is used) or a levers YAML file
        (:func:`simkit.load_levers`); default :func:`default_controls`.
    replications, seed
        Simulation size and root seed (default: the scenario's seed).
    save_path
        Default file for "Save as scenario YAML".
    run
        Simulate at once (``False`` shows only the preview until the first change).
    """

    def __init__(self, scenario: Scenario, levers: str | Path | Iterable[Any] | None = None,
                 replications: int = 5, seed: int | None = None, save_path: str | Path | None = None,
                 run: bool = True) -> None:
        self.base = scenario
        self.seed = int(seed if seed is not None else scenario.run.seed)
        chosen = default_controls(scenario) if levers is None else controls_from(scenario, levers)
        self.levers = {lv.path: lv for lv in chosen}
        self._base_values = {p: value_at(scenario, p) for p in self.levers}
        self.controls: dict[str, W.Widget] = {
            p: _widget(lv, self._base_values[p]) for p, lv in self.levers.items()}
        self.controls[REPLICATIONS] = W.IntSlider(
            value=replications, min=2, max=max(50, replications), description="replications (runs, 2–50)",
            continuous_update=False, style=_SLIDER_STYLE, layout=W.Layout(**_SLIDER_LAYOUT))
        self.scenario: Scenario = scenario
        self.results: Results | None = None
        self.table: pd.DataFrame | None = None
        self.error: str | None = None
        self.chart_png: dict[str, bytes] = {}
        self.chart_alt: dict[str, str] = {}
        self._hold = False
        self._runs: tuple[tuple, Results] | None = None  # the last simulation, kept for re-pricing
        self.preview_html = W.HTML().add_class("simkit-preview")
        self.status = W.HTML()
        self.kpi_html = W.HTML().add_class("simkit-kpi")
        self.charts = {name: W.Output(layout=W.Layout(min_width="300px")) for name in CHARTS}
        slug = re.sub(r"[^a-z0-9]+", "_", scenario.name.lower()).strip("_") or "scenario"
        self.path_text = W.Text(value=str(save_path or f"{slug}_edited.yaml"), description="file",
                                layout=W.Layout(width="300px"))
        self.save_button = W.Button(description="Save as scenario YAML", icon="save", button_style="primary",
                                     layout=W.Layout(width="220px"))
        self.reset_button = W.Button(description="Reset", icon="undo")
        self.save_button.on_click(lambda _b: self._save_clicked())
        self.reset_button.on_click(lambda _b: self.reset())
        for control in self.controls.values():
            control.observe(self._changed, names="value")
        self.widget = self._layout()
        self.refresh(simulate_too=run)

    # -- state ----------------------------------------------------------------
    def changes(self) -> dict[str, Any]:
        """The levers that differ from the original scenario, as ``{dotted path: value}``.

        A section switched off is ``{path: None}``; levers inside it are left out (they have no field to set).
        """
        values = {p: lv.value(self.controls[p].value, self._base_values[p]) for p, lv in self.levers.items()}
        off = self._switched_off()
        return {p: v for p, v in values.items()
                if v != self._base_values[p] and not any(p.startswith(f"{q}.") for q in off)}

    def _switched_off(self) -> list[str]:
        """The section levers that are off while the original scenario has the section."""
        return [p for p, lv in self.levers.items() if lv.kind == "section" and self._base_values[p] is not None
                and lv.value(self.controls[p].value, self._base_values[p]) is None]

    @property
    def replications(self) -> int:
        return int(self.controls[REPLICATIONS].value)

    def _changed(self, _change: dict) -> None:
        if not self._hold:
            self.refresh()

    def refresh(self, simulate_too: bool = True) -> None:
        """Rebuild the scenario from the levers, show the preview, then simulate and show the results."""
        off = self._switched_off()
        for p in self.levers:  # a lever inside a section that is off has nothing to change
            self.controls[p].disabled = any(p.startswith(f"{q}.") for q in off)
        try:
            self.scenario = self.base.override(self.changes())
        except ScenarioError as err:
            self.error = str(err)
            self.status.value = (f"<b style='color:#c23b3b'>Not a valid scenario: "
                                 f"{html.escape(self.error)}</b>")
            return
        self.error = None
        self.preview_html.value = self._preview_html()
        if not simulate_too:
            self.status.value = "<span class='simkit-note'>Move a lever to simulate.</span>"
            return
        started = time.perf_counter()
        res, how = self._run()
        self.results = res
        self.table = self._kpi_table(res)
        self.kpi_html.value = self.table.to_html(escape=True, border=0)
        for name, draw in CHARTS.items():
            with style():
                fig = Figure(figsize=(6.0, 3.6), layout="constrained")
                draw(res, ax=fig.subplots())
            png = self.chart_png[name] = png_bytes(fig, dpi=DASHBOARD_DPI)
            self.chart_alt[name] = alt_text(fig)
            self.charts[name].outputs = (_chart_output(name, png, self.chart_alt[name]),)
        self.status.value = (f"<span class='simkit-note'>{self.replications} replications, seed {self.seed}, "
                             f"{self.scenario.run.horizon_days:g} days — {how} in "
                             f"{time.perf_counter() - started:.1f} s; mean [95% CI]</span>")

    def _run(self) -> tuple[Results, str]:
        """Simulate, or only re-price the last runs when just prices moved (money depends on the log)."""
        engine, cost = split_changes(self.changes())
        key = (tuple(sorted(engine.items())), self.replications)
        if self._runs is None or self._runs[0] != key:
            self.status.value = f"<i>simulating {self.replications} replications…</i>"
            previous = self._runs[1] if self._runs is not None else None  # options the change leaves alone
            raw = simulate(self.base.override(engine), replications=self.replications, seed=self.seed,
                           progress=False, keep_logs=True, reuse=previous)
            self._runs = (key, raw)
            return (raw.reprice(cost) if cost else raw), "simulated"
        return self._runs[1].reprice(cost) if cost else self._runs[1], "re-priced without re-simulating"

    def reset(self) -> None:
        """Put every lever back to the original scenario's value and refresh once."""
        self._hold = True
        try:
            for p, lv in self.levers.items():
                self.controls[p].value = lv.shown(self._base_values[p])
        finally:
            self._hold = False
        self.refresh()

    def save(self, path: str | Path | None = None) -> Path:
        """Write the current scenario as YAML safely (:mod:`simkit.fileio`); it loads back to an equal scenario."""
        target = Path(path or self.path_text.value).expanduser()
        head = f"# {self.scenario.name}: saved from the simkit dashboard; changes: {self.changes()}"
        comment = "# " + _one_line(head[2:])  # a line break in a name must not end the comment
        write_text(target, f"{comment}\n{self.scenario.to_yaml()}")
        return target

    def _save_clicked(self) -> None:
        try:
            where = self.save(None)
        except OSError as err:
            self.status.value = f"<b style='color:#c23b3b'>Could not save: {html.escape(str(err))}</b>"
        else:
            self.status.value = f"<span class='simkit-note'>Saved to {html.escape(str(where))}</span>"

    # -- views ----------------------------------------------------------------
    def _kpi_table(self, res: Results) -> pd.DataFrame:
        rows = [k for k in dashboard_columns(self.scenario.currency_suffix) if k in res.kpi_columns]
        table = res.table().loc[rows].copy()
        base = self.scenario.baseline_option
        delta, p_cheaper = {}, {}
        for opt in res.options:
            if opt == base:
                delta[opt], p_cheaper[opt] = "baseline", "—"
                continue
            r = res.compare(opt, base).loc[res.cost_column]
            delta[opt] = f"{r.delta_mean:+,.0f} [{r.ci_low:+,.0f}, {r.ci_high:+,.0f}]"
            p_cheaper[opt] = f"{r.p_better:.2f}"
        table.loc[f"cost vs {base} ({self.scenario.run.currency})"] = delta
        table.loc[f"P(cheaper than {base})"] = p_cheaper
        table.columns = [self.scenario.options[o].label or o for o in table.columns]
        return table

    def _preview_html(self) -> str:
        pv = preview(self.scenario)
        cur = self.scenario.run.currency
        rows = []
        for name, opt in self.scenario.options.items():
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

    def _layout(self) -> W.Widget:
        sc = self.base
        head = W.HTML(f"{_STYLE}<h2 style='margin:4px 0'>{html.escape(sc.name)}</h2>"
                      f"<div class='simkit-note'>{html.escape(sc.description.strip())}</div>")
        groups: dict[str, list[W.Widget]] = {}
        for p, lv in self.levers.items():
            section = {"workload": "Workload", "teams": "In-house teams", "vendors": "Vendors",
                       "options": "Routing"}.get(p.split(".")[0], "Scenario")
            if lv.kind == "section" or (section in ("In-house teams", "Vendors") and p.count(".") > 2):
                section = "Risks and scaling"  # a mechanism section or a field inside one
            groups.setdefault(section, []).append(self.controls[p])
        groups["Simulation"] = [self.controls[REPLICATIONS]]
        left = [W.HTML(f"<h3>{title}</h3>") for title in groups]
        stacked = [w for title, head_w in zip(groups, left, strict=True) for w in (head_w, *groups[title])]
        controls = W.VBox(stacked, layout=W.Layout(width="520px", min_width="520px"))
        right = W.VBox([W.HTML("<h3>Instant preview</h3>"), self.preview_html,
                        W.HTML("<h3>Simulated KPIs</h3>"), self.status, self.kpi_html],
                       layout=W.Layout(flex="1 1 600px", padding="0 0 0 12px", overflow="auto"))
        charts = W.GridBox(list(self.charts.values()),
                           layout=W.Layout(grid_template_columns="repeat(2, minmax(0, 1fr))", grid_gap="6px"))
        buttons = W.HBox([self.path_text, self.save_button, self.reset_button])
        top = W.HBox([controls, right], layout=W.Layout(flex_flow="row wrap"))
        return W.VBox([head, top, W.HTML("<h3>Charts</h3>"), charts, buttons]
                      ).add_class("simkit-dash")

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def _one_line(text: str) -> str:
    """``text`` with every character that is not printable (line breaks such as U+2028 among them) escaped."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def explore(scenario: Scenario | str | Path, levers: str | Path | Iterable[Any] | None = None,
            replications: int = 5, seed: int | None = None, save_path: str | Path | None = None,
            run: bool = True) -> Dashboard:
    """An interactive dashboard for ``scenario`` (a :class:`Scenario` or a YAML path); show it in a notebook.

    Examples
    --------
    >>> dash = sk.explore(sk.load("scenarios/startup_it_helpdesk.yaml"))   # doctest: +SKIP
    >>> dash.controls["teams.engineers.staff"].value = 3                   # doctest: +SKIP
    """
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    return Dashboard(sc, levers=levers, replications=replications, seed=seed, save_path=save_path, run=run)
