"""The dashboard: pick a scenario, move a lever, read the verdict; pin variants, download what you see.

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
3. shows the answer — the verdict sentence (:mod:`simkit.analysis.verdict`) with its notes, the KPI table in
   words with units and 95% confidence intervals (:mod:`simkit.ui.dashboard_views`) and the paired cost
   difference against the baseline — and only then the chart on the selected tab
   (:mod:`simkit.ui.dashboard_charts`: the cost distribution, the cost at risk, the monthly cost and the lead
   times, static PNG images with alt text; another tab's chart is drawn when it is opened).

A lever the engine never reads (a price, a wage, a rate: ``cost_only`` in the field registry) re-prices the
kept run logs (:meth:`Results.reprice`: the same common random numbers, the numbers a fresh run gives) and
answers at once.  Any other lever simulates again — only the options the change touches
(``simulate(..., reuse=...)``, :mod:`simkit.experiment.reuse`) — after the levers have rested for
:data:`DEBOUNCE_S` inside a running kernel, with the preview shown meanwhile.  Levers set to values shown
before bring back the kept answer (:data:`KEPT_ANSWERS` of them) without re-pricing or comparing again.

Replications follow a precision rule (:func:`simkit.simulate_to_precision`): as many as it takes for the
95% interval of every option's total cost to be within the chosen share of its mean, at least 10 and at
most the cap; ``replications=N`` fixes the number instead.  Every run goes through one executor kept for
the dashboard's life: this process while runs are short, and one pool of worker processes from the first
run that took longer than :data:`POOL_AFTER_S` (closed by :meth:`Dashboard.close`), never a pool per
refresh.  A run shows a progress bar while it works.

Around the levers: a dropdown of the shipped examples and the YAML files in the working folder, and an
upload button (an invalid file shows its one-line error and the current scenario stays); *Pin* keeps the
current run as a named variant, up to :data:`simkit.ui.pinboard.MAX_PINS` side by side; *Tornado* ranks the
numeric levers by how much they move the saving; the downloads (scenario YAML, KPIs CSV, each chart as
PNG and SVG, a report page) are links that deliver the file to the browser, made from the answer on the page.
The report needs every chart, and a refresh draws only the visible one: *Prepare the report* draws the others
for that answer and then offers it (:mod:`simkit.ui.dashboard_actions`).  No modelling happens here:
the numbers come from the public API.  The page's widgets and their places are :mod:`simkit.ui.dashboard_layout`;
this module holds what happens when they change.  The controller works without a browser, so it is unit-tested by
setting ``dash.controls[path].value``.
"""

from __future__ import annotations

import asyncio
import html
import math
import time
from collections.abc import Iterable
from concurrent.futures import Executor
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from simkit.accounting.registry import dashboard_columns
from simkit.analysis.verdict import Verdict, verdict
from simkit.experiment.reprice import is_cost_only
from simkit.experiment.results import Results
from simkit.extras import require
from simkit.scenario.model import Scenario, ScenarioError, load
from simkit.ui import dashboard_views as views
from simkit.ui.controls import Control, control_for, controls_from, default_controls, value_at
from simkit.ui.dashboard_actions import MIN_REPLICATIONS, DashboardActions
from simkit.ui.dashboard_sources import load_choice, load_upload, scenario_choices
from simkit.ui.pinboard import Pinboard

require("ipywidgets", "simkit.explore")  # one line naming the 'dashboard' extra when it is missing
require("matplotlib", "simkit.explore")

import ipywidgets as W  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from simkit.ui.dashboard_charts import CHARTS, DASHBOARD_DPI, DashboardCharts  # noqa: E402
from simkit.ui.dashboard_layout import (  # noqa: E402
    CAP,
    PRECISION,
    REPLICATIONS,
    DashboardLayout,
    head_html,
    lever_widget,
    rule_text,
)
from simkit.ui.dashboard_runs import POOL_AFTER_S, DashboardRuns  # noqa: E402

__all__ = ["CAP", "CHARTS", "DASHBOARD_DPI", "POOL_AFTER_S", "PRECISION", "REPLICATIONS", "Control", "Dashboard",
           "explore", "default_controls", "control_for"]

#: The precision rule's defaults: total cost within ±2% of its mean, at least 10 and at most 40 replications.
DEFAULT_PRECISION_PCT, DEFAULT_CAP = 2.0, 40
#: A structural lever waits this long (seconds) for the next move before simulating, inside a running kernel.
DEBOUNCE_S = 0.3
#: How many answers (results, verdict, table) the dashboard keeps, by the levers that made them.
KEPT_ANSWERS = 8


class Dashboard(DashboardRuns, DashboardActions, DashboardCharts, DashboardLayout):
    """Scenario picker, controls, verdict, preview, KPI table, charts, pins and downloads (see the module docstring).

    Parameters
    ----------
    scenario
        The scenario the levers start from; it is never changed.
    levers
        What to put on sliders: dotted paths, :class:`Control` objects, sweep levers
        (:class:`simkit.Lever`, whose range is used) or a levers YAML file
        (:func:`simkit.load_levers`); default :func:`default_controls`.  A scenario picked or uploaded
        later gets its default controls.
    replications
        A fixed number of replications (a slider); ``None`` (the default): the precision rule.
    seed
        Root seed (default: the scenario's seed).
    save_path
        Default file for :meth:`save`.
    run
        Simulate at once (``False`` shows only the preview until the first change).
    precision, max_replications
        The precision rule's target (± percent of mean total cost) and cap.
    executor
        ``"own"`` (default): this process, then one pool of worker processes kept for the dashboard's
        life once a run took longer than :data:`POOL_AFTER_S`; ``None``: always this process; or any
        :class:`concurrent.futures.Executor`, used for every run (the caller closes it).
    folder
        Where the picker looks for YAML files (``None``: the shipped examples only).
    """

    def __init__(self, scenario: Scenario, levers: str | Path | Iterable[Any] | None = None,
                 replications: int | None = None, seed: int | None = None, save_path: str | Path | None = None,
                 run: bool = True, precision: float = DEFAULT_PRECISION_PCT, max_replications: int = DEFAULT_CAP,
                 executor: Executor | Literal["own"] | None = "own", folder: str | Path | None = ".") -> None:
        self._seed_arg, self._save_path = seed, save_path
        self._executor_arg: Executor | Literal["own"] | None = executor
        self._pool: Executor | None = None
        self.results: Results | None = None
        self.table: pd.DataFrame | None = None
        self.verdict: Verdict | None = None
        self.error: str | None = None
        self.chart_png: dict[str, bytes] = {}
        self.chart_svg: dict[str, bytes] = {}  # made on request (svg_button): an SVG costs as much as a PNG
        self._figures: dict[str, Figure] = {}
        self._charts_of: Results | None = None  # the results the kept chart images show
        self.chart_alt: dict[str, str] = {}
        self.downloads_files: dict[str, tuple[bytes, str]] = {}
        self.tornado_table: pd.DataFrame | None = None
        self.pinboard = Pinboard()
        self._hold = False
        self._runs: tuple[tuple, Results] | None = None  # the last simulation, kept for re-pricing
        # (results, verdict, table, how, the simulation behind them) by the levers and rule; oldest first
        self._answers: dict[tuple, tuple[Results, Verdict, pd.DataFrame, str, Any]] = {}
        self._pending: asyncio.TimerHandle | None = None
        self.debounce_s = DEBOUNCE_S
        self.answer_s = self.answered_at = math.nan
        self._make_widgets(tuple(CHARTS), replications, precision, max_replications)
        self.svg_button.on_click(lambda _b: self.make_svg())
        self.report_button.on_click(lambda _b: self.prepare_report())
        self.reset_button.on_click(lambda _b: self.reset())
        self.pin_button.on_click(lambda _b: self.pin_current())
        self.clear_pins_button.on_click(lambda _b: self.clear_pins())
        self.tornado_button.on_click(lambda _b: self.run_tornado())
        self.upload.observe(self._uploaded, names="value")
        self.picker.observe(self._picked, names="value")
        for control in self.sim_controls.values():
            control.observe(self._changed, names="value")
        self.chart_tabs.observe(self._tab_changed, names="selected_index")
        self._use(scenario, levers, folder)
        self.widget = self._layout()
        self.refresh(simulate_too=run)

    # -- scenario and levers ---------------------------------------------------
    def _use(self, scenario: Scenario, levers: str | Path | Iterable[Any] | None, folder: Any = None) -> None:
        """Make ``scenario`` the original: new levers, no stored runs, the picker showing it."""
        self.base = self.scenario = scenario
        self.seed = int(self._seed_arg if self._seed_arg is not None else scenario.run.seed)
        chosen = default_controls(scenario) if levers is None else controls_from(scenario, levers)
        old = [w for p, w in getattr(self, "controls", {}).items() if p not in self.sim_controls]
        for w in old:
            w.unobserve(self._changed, names="value")
            w.close()
        self.levers = {lv.path: lv for lv in chosen}
        self._base_values = {p: value_at(scenario, p) for p in self.levers}
        self.controls: dict[str, W.Widget] = {
            p: lever_widget(lv, self._base_values[p]) for p, lv in self.levers.items()}
        for p in self.levers:
            self.controls[p].observe(self._changed, names="value")
        self.controls.update(self.sim_controls)
        self._runs, self.results, self._answers = None, None, {}
        self.head.value = head_html(scenario)
        self._lever_box.children = self._lever_widgets()
        self._set_choices(folder)

    def _set_choices(self, folder: Any = None) -> None:
        if folder is not None or not hasattr(self, "_folder"):
            self._folder = folder
        choices = scenario_choices(self._folder)
        current = ("current", self.base.name)
        options = [(f"{self.base.name} (current)", current), *choices]
        self._hold = True
        try:
            self.picker.options = options
            self.picker.value = current
        finally:
            self._hold = False

    def _picked(self, change: dict) -> None:
        if self._hold or change["new"] is None or change["new"][0] == "current":
            return
        try:
            sc = load_choice(change["new"])
        except ScenarioError as err:
            self._show_error(f"Could not open that scenario: {err}")
            self._set_choices()
            return
        self.open(sc)

    def _uploaded(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        f = files[0]
        try:
            sc = load_upload(f["name"], bytes(f["content"]))
        except ScenarioError as err:
            self._show_error(f"Not loaded, the current scenario stays: {err}")
        else:
            self.open(sc)
        finally:
            self.upload.unobserve(self._uploaded, names="value")
            self.upload.value = ()
            self.upload.observe(self._uploaded, names="value")

    def open(self, scenario: Scenario) -> None:
        """Make ``scenario`` the one the levers start from (its default levers) and simulate it."""
        self._use(scenario, None)
        self.refresh()

    def _show_error(self, text: str) -> None:
        self.error = text
        self.status.value = f"<b style='color:#c23b3b'>{html.escape(text)}</b>"

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
        """The replications of the last run (the fixed number before any run)."""
        if self.results is not None:
            return int(self.results.meta["replications"])
        return int(self.controls[REPLICATIONS].value) if REPLICATIONS in self.controls else MIN_REPLICATIONS

    def _changed(self, change: dict) -> None:
        """A lever moved: prices answer at once; a lever the engine reads waits :data:`DEBOUNCE_S` for the next
        move inside a running kernel (the preview shows meanwhile), so one drag over several values is one run."""
        if self._hold:
            return
        owner = change.get("owner") if isinstance(change, dict) else None
        path = next((p for p, w in self.controls.items() if w is owner), None)
        structural = path is None or path in self.sim_controls or not is_cost_only(path)
        loop = _running_loop()
        if structural and self.debounce_s > 0 and loop is not None:
            self._cancel_pending()
            if self._apply_levers():
                self.status.value = "<i>simulating when the levers rest…</i>"
                self._pending = loop.call_later(self.debounce_s, self.refresh)
            return
        self.refresh()

    def _cancel_pending(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _apply_levers(self) -> bool:
        """Rebuild the scenario from the levers and show the preview; ``False`` (and the error) if invalid."""
        off = self._switched_off()
        for p in self.levers:  # a lever inside a section that is off has nothing to change
            self.controls[p].disabled = any(p.startswith(f"{q}.") for q in off)
        try:
            self.scenario = self.base.override(self.changes())
        except ScenarioError as err:
            self._show_error(f"Not a valid scenario: {err}")
            self.error = str(err)
            return False
        self.error = None
        self.preview_html.value = views.preview_html(self.scenario)
        return True

    def refresh(self, simulate_too: bool = True) -> None:
        """Rebuild the scenario from the levers, show the preview, then the answer, then the visible chart.

        The answer — verdict, KPI table and status — is on the page before any chart is drawn; levers that
        were shown before (by their values and the run's rule) bring back their kept answer without
        re-pricing or comparing again.  :attr:`answer_s` is how long the answer took.
        """
        self._cancel_pending()
        if not self._apply_levers():
            return
        if not simulate_too:
            self.status.value = "<span class='simkit-note'>Move a lever to simulate.</span>"
            return
        started = time.perf_counter()
        key = (repr(sorted(self.changes().items())), self._run_key())
        kept = self._answers.pop(key, None)
        if kept is None:
            res, how = self._run()
            cols = dashboard_columns(self.scenario.currency_suffix)
            kept = (res, verdict(res, columns=cols), views.kpi_frame(res, cols), how, self._runs)
        else:
            how = f"kept from the last time the levers were here ({kept[3]})"
            self._runs = kept[4]  # the next price change re-prices the runs behind this answer
        self._answers[key] = kept
        while len(self._answers) > KEPT_ANSWERS:
            self._answers.pop(next(iter(self._answers)))
        new_results = kept[0] is not self.results
        self.results, self.verdict, self.table = kept[0], kept[1], kept[2]
        self.answer_scenario, self.answer_changes = self.scenario, self.changes()  # what the files are made of
        self.verdict_html.value = views.verdict_html(self.verdict)
        self.kpi_html.value = self.table.to_html(escape=True, border=0)
        self.answered_at = time.perf_counter()
        self.answer_s = self.answered_at - started
        self.status.value = (f"<span class='simkit-note'>{self.replications} replications{rule_text(self.results.meta)}"
                             f", seed {self.seed}, {self.scenario.run.horizon_days:g} days — {how} in "
                             f"{self.answer_s:.2f} s; mean [95% CI]</span>")
        if new_results:
            self._charts_stale()
        self.draw_visible_chart()
        self._make_downloads()

    def reset(self) -> None:
        """Put every lever back to the original scenario's value and refresh once."""
        self._hold = True
        try:
            for p, lv in self.levers.items():
                self.controls[p].value = lv.shown(self._base_values[p])
        finally:
            self._hold = False
        self.refresh()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop running this call (a Jupyter kernel's), or ``None`` (a script, a test)."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def explore(scenario: Scenario | str | Path, levers: str | Path | Iterable[Any] | None = None,
            replications: int | None = None, seed: int | None = None, save_path: str | Path | None = None,
            run: bool = True, **options: Any) -> Dashboard:
    """An interactive dashboard for ``scenario`` (a :class:`Scenario`, a YAML path or an example's name).

    ``options`` go to :class:`Dashboard` (``precision``, ``max_replications``, ``executor``, ``folder``).

    Examples
    --------
    >>> dash = sk.explore("startup_it_helpdesk")                           # doctest: +SKIP
    >>> dash.controls["teams.engineers.staff"].value = 3                   # doctest: +SKIP
    """
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    return Dashboard(sc, levers=levers, replications=replications, seed=seed, save_path=save_path, run=run,
                     **options)
