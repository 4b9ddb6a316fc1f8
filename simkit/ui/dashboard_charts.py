"""The dashboard's charts: one tab per chart, drawn only when it is seen, on figures kept for the dashboard's life.

Rasterising a chart costs far more than the numbers it shows (about half a second to two seconds per chart at
:data:`DASHBOARD_DPI` on a busy machine, against a few milliseconds to re-price a run), so a refresh draws the
chart on the selected tab only, after the verdict and the table are on the page.  A chart on another tab is
drawn when its tab is opened, and :meth:`DashboardCharts.draw_all_charts` draws every chart of the current
run not drawn yet (the report and the SVG files ask for it when they are requested, never on a refresh).
Each chart keeps one :class:`~matplotlib.figure.Figure` that is cleared and drawn again rather than made anew,
and it is rendered once per refresh: the PNG bytes are the only rendering, its alt text is read from the artists.

A chart shows the run it was drawn for: the images are kept with the results they show, and
:meth:`DashboardCharts.current_charts` hands out only images of the current results, so a download or a report
never mixes the previous run's picture with the new numbers.  :meth:`DashboardCharts.missing_charts` names the
charts not yet drawn for them: what a complete report still needs.
"""

from __future__ import annotations

from typing import Any

from simkit.extras import require

require("matplotlib", "simkit.explore")

from matplotlib.figure import Figure  # noqa: E402

from simkit.ui import plots  # noqa: E402
from simkit.ui.chartstyle import alt_text, png_bytes, style  # noqa: E402
from simkit.ui.dashboard_views import chart_output  # noqa: E402

__all__ = ["CHARTS", "DASHBOARD_DPI", "DashboardCharts"]

#: Resolution of the dashboard's chart images (shown scaled to the column, sharp on high-density screens).
DASHBOARD_DPI = 150
#: The charts, one tab each, in tab order.
CHARTS = {"cost_distribution": plots.cost_distribution, "cost_at_risk": plots.cost_at_risk,
          "monthly_cost": plots.monthly_cost, "lead_times": plots.lead_times}


class DashboardCharts:
    """Chart tabs of a :class:`simkit.ui.widgets.Dashboard`: draw what is visible, keep the figures."""

    results: Any
    charts: dict[str, Any]
    chart_tabs: Any
    chart_png: dict[str, bytes]
    chart_svg: dict[str, bytes]
    chart_alt: dict[str, str]
    _figures: dict[str, Figure]
    _charts_of: Any  # the results the kept images show (``None``: none yet)
    _make_downloads: Any  # DashboardActions'

    def _charts_stale(self) -> None:
        """The results changed: drop every image of the previous run (until it is drawn again for these)."""
        self.chart_png, self.chart_svg, self.chart_alt = {}, {}, {}
        self._charts_of = self.results
        for out in self.charts.values():
            out.outputs = ()

    def current_charts(self) -> dict[str, tuple[bytes, str]]:
        """``{chart name: (PNG bytes, alt text)}`` of the charts drawn for the current results, in tab order.

        Empty when the kept images show other results: an image never outlives the numbers it was drawn from.
        """
        if self.results is None or self._charts_of is not self.results:
            return {}
        return {name: (self.chart_png[name], self.chart_alt[name]) for name in self.charts if name in self.chart_png}

    def missing_charts(self) -> list[str]:
        """The charts not yet drawn for the current results, in tab order (empty before any run)."""
        if self.results is None:
            return []
        drawn = self.current_charts()
        return [name for name in self.charts if name not in drawn]

    def visible_chart(self) -> str:
        """The name of the chart on the selected tab."""
        index = self.chart_tabs.selected_index or 0
        return list(self.charts)[index]

    def _draw_chart(self, name: str) -> None:
        """Draw chart ``name`` for the current results on its kept figure, render it once, show it."""
        if self._charts_of is not self.results:
            self._charts_stale()  # the other images show older numbers
        fig = self._figures.get(name)
        if fig is None:
            fig = self._figures[name] = Figure(figsize=(6.0, 3.6), layout="constrained")
        else:
            fig.clear()
        with style():
            CHARTS[name](self.results, ax=fig.subplots())
        png = self.chart_png[name] = png_bytes(fig, dpi=DASHBOARD_DPI)
        self.chart_alt[name] = alt_text(fig)
        self.charts[name].outputs = (chart_output(name, png, self.chart_alt[name]),)

    def draw_visible_chart(self) -> bool:
        """Draw the selected tab's chart unless it already shows the current results; whether it drew."""
        name = self.visible_chart()
        if self.results is None or name in self.current_charts():
            return False
        self._draw_chart(name)
        return True

    def draw_all_charts(self) -> None:
        """Draw every chart not yet drawn for the current results (for the report and the SVG files)."""
        for name in self.missing_charts():
            self._draw_chart(name)

    def _tab_changed(self, _change: dict) -> None:
        if self.draw_visible_chart():
            self._make_downloads()
