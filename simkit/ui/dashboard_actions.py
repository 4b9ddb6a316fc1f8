"""What the dashboard does beyond showing a run: pin it, rank its levers in a tornado, hand out its files.

The files are those of the answer on the page.  The scenario YAML, the KPIs CSV and the charts drawn so far
come with every answer; the report needs every chart, and a refresh draws only the visible one, so the report
is offered once *Prepare the report* has drawn the rest for that answer — never with a chart of older numbers.

A mixin of :class:`simkit.ui.widgets.Dashboard` (kept apart so each file stays readable); it reads the
dashboard's state — ``results``, ``verdict``, ``levers``, ``scenario`` — and writes only its own widgets.
No modelling here: pins keep the run's numbers (:mod:`simkit.ui.pinboard`), the tornado is
:func:`simkit.analysis.sensitivity.tornado`, the files come from :mod:`simkit.ui.dashboard_views`.
"""

from __future__ import annotations

import html
import math
import re
import time
from pathlib import Path
from typing import Any

import pandas as pd

from simkit.accounting.registry import dashboard_columns
from simkit.fileio import write_text
from simkit.scenario.model import Scenario
from simkit.ui import dashboard_views as views
from simkit.ui.chartstyle import alt_text, png_bytes, svg_bytes
from simkit.ui.controls import value_at
from simkit.ui.dashboard_views import chart_output
from simkit.ui.pinboard import pin

__all__ = ["DashboardActions", "MIN_REPLICATIONS", "TORNADO_SPAN"]

#: The precision rule's floor, and the most replications a tornado point gets.
MIN_REPLICATIONS = 10
#: The tornado moves each lever to this share below and above its current value.
TORNADO_SPAN = 0.2


class DashboardActions:
    """Pins, the tornado and the downloads of a :class:`simkit.ui.widgets.Dashboard`."""

    results: Any
    verdict: Any
    scenario: Scenario
    answer_scenario: Scenario  # the scenario and levers behind the answer on the page (set by its refresh)
    answer_changes: dict[str, Any]
    _save_path: Any
    _pending: Any  # a refresh waiting for the levers to rest, or None

    def _moved_by_label(self) -> dict[str, Any]:
        """The levers moved from the scenario file, by their label (without the range)."""
        return {self.levers[p].label.split(" (")[0]: ("off" if v is None else v) for p, v in self.changes().items()}

    def pin_current(self, name: str | None = None) -> None:
        """Pin the current run as a named variant (the oldest pin goes when :data:`MAX_PINS` are pinned)."""
        if self.results is None or self.error is not None:
            self.status.value = "<b style='color:#c23b3b'>Nothing to pin: no valid run is shown.</b>"
            return
        label = (name or self.pin_name.value or "").strip()[:60] or f"variant {len(self.pinboard.pins) + 1}"
        dropped = self.pinboard.add(pin(label, self.results, dashboard_columns(self.scenario.currency_suffix),
                                        self._moved_by_label()))
        self.pin_name.value = ""
        self._show_pins()
        if dropped:
            self.status.value = f"<span class='simkit-note'>{html.escape(dropped)}</span>"

    def clear_pins(self) -> None:
        self.pinboard.clear()
        self._show_pins()

    def _show_pins(self) -> None:
        self.pins_html.value = self.pinboard.html()
        if not self.pinboard.pins:
            self.pins_chart.outputs = ()
            return
        fig = self.pinboard.figure()
        self.pins_chart.outputs = (chart_output("pinned", png_bytes(fig, dpi=110), alt_text(fig)),)

    def tornado_levers(self) -> list:
        """The numeric levers (the horizon aside) from 80% to 120% of their current value, inside their range."""
        from simkit.experiment.design import Lever

        out = []
        for p, lv in self.levers.items():
            value = value_at(self.scenario, p) if lv.kind == "number" and p != "run.horizon_days" else None
            if not isinstance(value, int | float) or isinstance(value, bool) or value == 0:
                continue
            lo, hi = max(lv.low, (1 - TORNADO_SPAN) * value), min(lv.high, (1 + TORNADO_SPAN) * value)
            if lv.integer:
                lo, hi = math.floor(lo), math.ceil(hi)
            if hi > lo:
                out.append(Lever(p, lo, hi, name=lv.label.split(" (")[0]))
        return out

    def run_tornado(self) -> pd.DataFrame | None:
        """One lever at a time from 80% to 120%: how far each moves the cheapest option's saving."""
        if self.results is None or self.verdict is None or self.error is not None:
            return None
        try:
            from simkit.analysis import sensitivity
        except ImportError as err:
            self._show_error(str(err))
            return None
        base = self.scenario.baseline_option
        others = [o for o in self.results.options if o != base]
        if not others:
            return None
        option = self.verdict.cheapest if self.verdict.cheapest != base else others[0]
        self.status.value = "<i>tornado: each lever at 80% and 120%…</i>"
        started = time.perf_counter()
        with self.tornado_out:
            table = sensitivity.tornado(self.scenario, self.tornado_levers(), option=option, seed=self.seed,
                                        replications=min(MIN_REPLICATIONS, self.replications),
                                        executor=self.executor(), progress=True)
        self._after_run(time.perf_counter() - started)
        from simkit.ui.sensitivity_plots import tornado as tornado_chart

        fig = tornado_chart(table)
        self.tornado_table = table
        self.tornado_out.outputs = (chart_output("tornado", png_bytes(fig, dpi=110), alt_text(fig)),)
        self.status.value = (f"<span class='simkit-note'>Tornado of the saving of "
                             f"{html.escape(self.scenario.option_label(option))} against "
                             f"{html.escape(self.scenario.option_label(base))}, "
                             f"{table.attrs.get('replications')} replications per point.</span>")
        return table

    # -- downloads ------------------------------------------------------------
    def _answer_first(self) -> None:
        """A file asked for while a refresh waits for the levers to rest: answer first, then make the file."""
        if self._pending is not None:
            self.refresh()

    def prepare_report(self) -> None:
        """Draw the charts not yet drawn for the current answer and offer the report and every chart's PNG.

        A refresh draws only the chart on the selected tab (so the answer is not kept waiting); the report is
        offered only once it can carry every chart of the answer it reports.
        """
        self._answer_first()
        if self.results is None:
            return
        missing = self.missing_charts()
        if missing:
            self.report_button.disabled = True
            self.report_button.description = f"Preparing: drawing {len(missing)} chart{'s' * (len(missing) > 1)}…"
        try:
            self.draw_all_charts()
        finally:
            self.report_button.disabled = False
            self._make_downloads()

    def make_svg(self) -> None:
        """Draw every chart of the current answer and add them as SVG files to the downloads (and the report)."""
        self._answer_first()
        if self.results is None:
            return
        self.draw_all_charts()
        self.chart_svg = {name: svg_bytes(self._figures[name]) for name in self.current_charts()}
        self._make_downloads()

    def _make_downloads(self) -> None:
        """The files a user can take away for the answer on the page, as links that deliver them to the browser.

        The scenario and the KPIs are always offered; each chart's PNG (and SVG) once it is drawn for this
        answer; the report only when every chart is — until then a button prepares it.  Everything is made from
        the answer shown (its results, and the scenario and levers that made them), never from levers moved since.
        """
        res = self.results
        if res is None:
            return
        slug = self._slug(self.answer_scenario)
        charts, missing = self.current_charts(), self.missing_charts()
        items = [(f"{slug}.yaml", self._yaml_text(self.answer_scenario, self.answer_changes).encode("utf-8"),
                  "text/yaml", "scenario (YAML)"),
                 (f"{slug}_kpis.csv", views.kpis_csv(res), "text/csv", "KPIs (CSV)")]
        if not missing:
            items.append((f"{slug}_report.html",
                          views.report_html(res, self.verdict, self.table, charts, self.answer_changes),
                          "text/html", "report (HTML)"))
        for name, (png, _alt) in charts.items():
            words = name.replace("_", " ")
            items.append((f"{slug}_{name}.png", png, "image/png", f"{words} (PNG)"))
            if name in self.chart_svg:
                items.append((f"{slug}_{name}.svg", self.chart_svg[name], "image/svg+xml", f"{words} (SVG)"))
        self.downloads_files = {fname: (data, mime) for fname, data, mime, _ in items}
        links = [views.download_link(fname, data, mime, text) for fname, data, mime, text in items]
        note = ("" if not missing else " <span class='simkit-note'>The report and the images of the charts not "
                f"drawn yet ({html.escape(', '.join(n.replace('_', ' ') for n in missing))}) are made on request: "
                "<i>Prepare the report</i>.</span>")
        self.downloads.value = "<div class='simkit-downloads'>" + " ".join(links) + note + "</div>"
        self.report_button.description = "Prepare the report"
        self.report_button.layout.display = "none" if not missing else None

    def _yaml_text(self, scenario: Scenario | None = None, changes: dict[str, Any] | None = None) -> str:
        """``scenario`` (default: the levers' current one) as YAML under a comment naming the levers moved."""
        scenario = self.scenario if scenario is None else scenario
        changes = self.changes() if changes is None else changes
        comment = "# " + _one_line(f"{scenario.name}: saved from the simkit dashboard; changes: {changes}")
        return f"{comment}\n{scenario.to_yaml()}"  # one line: a line break in a name must not end the comment

    def save(self, path: str | Path | None = None) -> Path:
        """Write the current scenario as YAML safely (:mod:`simkit.fileio`); it loads back to an equal scenario.

        The page offers the same text as a download; this is for code that wants a file on this machine.
        """
        target = Path(path or self._save_path or f"{self._slug()}_edited.yaml").expanduser()
        write_text(target, self._yaml_text())
        return target

    def _slug(self, scenario: Scenario | None = None) -> str:
        name = (self.scenario if scenario is None else scenario).name
        return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:60] or "scenario"


def _one_line(text: str) -> str:
    """``text`` with every character that is not printable (line breaks such as U+2028 among them) escaped."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
