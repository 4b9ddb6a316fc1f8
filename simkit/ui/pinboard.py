"""Pinned variants: runs kept under a name and compared side by side (KPIs and cost distribution).

A strategist tries "two more engineers", then "vendor at USD 30", and wants to see both next to each other.
:class:`Pin` keeps what a run showed — the KPI statistics, each option's total cost per replication, the
verdict and the levers that differ from the scenario file — so a pin stays as it was when later moves
change the dashboard.  :class:`Pinboard` holds at most :data:`MAX_PINS`; pinning one more drops the oldest
(and says so).  Rendering escapes every name and label.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simkit.accounting.registry import format_plain
from simkit.analysis.verdict import verdict
from simkit.experiment.results import Results
from simkit.ui.dashboard_views import kpi_rows

__all__ = ["Pin", "Pinboard", "MAX_PINS", "pin"]

MAX_PINS = 4


@dataclass(frozen=True)
class Pin:
    """One pinned run.

    Attributes
    ----------
    name
        The name the user gave (or ``variant N``).
    scenario
        The scenario's name.
    changes
        ``{lever label: value}`` for the levers that differ from the scenario file.
    kpis
        :func:`simkit.ui.dashboard_views.kpi_rows` of the run.
    costs
        ``{option label: total cost per replication}``.
    currency, sentence, replications
        The run's currency, its verdict sentence and replications.
    """

    name: str
    scenario: str
    changes: Mapping[str, object]
    kpis: pd.DataFrame
    costs: Mapping[str, np.ndarray]
    currency: str
    sentence: str
    replications: int


def pin(name: str, results: Results, columns: Sequence[str], changes: Mapping[str, object]) -> Pin:
    """A :class:`Pin` of ``results`` (``columns``: the KPIs to keep; ``changes``: levers moved, by label)."""
    sc = results.scenario
    costs = {sc.option_label(o): results.kpis.loc[results.kpis["option"] == o, results.cost_column]
             .to_numpy(float) for o in results.options}
    return Pin(name, sc.name, dict(changes), kpi_rows(results, columns), costs, sc.run.currency,
               verdict(results).sentence, int(results.meta.get("replications", 0)))


@dataclass
class Pinboard:
    """Up to :data:`MAX_PINS` pins, oldest first."""

    pins: list[Pin] = field(default_factory=list)

    def add(self, p: Pin) -> str | None:
        """Pin ``p``; returns a sentence when the oldest pin had to go to make room."""
        dropped = None
        if len(self.pins) >= MAX_PINS:
            dropped = f"Only {MAX_PINS} variants fit side by side: '{self.pins[0].name}' was unpinned."
            self.pins.pop(0)
        self.pins.append(p)
        return dropped

    def clear(self) -> None:
        self.pins.clear()

    def names(self) -> list[str]:
        return [p.name for p in self.pins]

    def table(self) -> pd.DataFrame:
        """Rows ``(option, KPI)``, one column per pin, cells ``mean [CI]``; first the levers moved."""
        cols: dict[str, dict[tuple[str, str], str]] = {}
        for p in self.pins:
            moved = "; ".join(f"{k} = {v}" for k, v in p.changes.items()) or "as in the file"
            col = {("", "Scenario"): p.scenario, ("", "Levers moved"): moved,
                   ("", "Replications"): str(p.replications)}
            for r in p.kpis.itertuples():
                cell = format_plain(r.kpi, r.mean)
                if r.ci_low != r.ci_high:
                    cell += f" [{format_plain(r.kpi, r.ci_low)}, {format_plain(r.kpi, r.ci_high)}]"
                col[(r.option_label, r.label)] = cell
            cols[p.name] = col
        rows = list(dict.fromkeys(k for c in cols.values() for k in c))
        frame = pd.DataFrame({name: [c.get(k, "—") for k in rows] for name, c in cols.items()},
                             index=pd.MultiIndex.from_tuples(rows, names=["option", "KPI"]))
        return frame

    def html(self) -> str:
        """The side-by-side table as escaped HTML (empty text when nothing is pinned)."""
        if not self.pins:
            return ""
        frame = self.table()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in frame.columns)
        body = []
        for (option, kpi), row in frame.iterrows():
            cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
            body.append(f"<tr><td>{html.escape(option)}</td><td>{html.escape(kpi)}</td>{cells}</tr>")
        return (f"<table class='simkit-pins'><thead><tr><th>option</th><th>KPI</th>{head}</tr></thead>"
                f"<tbody>{''.join(body)}</tbody></table>")

    def figure(self):  # noqa: ANN201 - a matplotlib Figure, imported lazily
        """The total cost of every option in every pin: one box per (pin, option), grouped by pin."""
        from simkit.extras import require

        require("matplotlib", "the pinned variants' chart")
        from matplotlib.figure import Figure

        from simkit.ui.chartstyle import identity, set_alt, style, title

        with style():
            options = max((len(p.costs) for p in self.pins), default=1)
            fig = Figure(figsize=(2.5 + 2.6 * max(1, len(self.pins)), 1.4 + 0.45 * options), layout="constrained")
            axes = fig.subplots(1, max(1, len(self.pins)), sharex=True, squeeze=False)[0]
            for ax, p in zip(axes, self.pins, strict=False):
                data = list(p.costs.values())
                ax.boxplot(data, orientation="horizontal", widths=0.5, showfliers=False,
                           medianprops={"color": "black"})
                for i, d in enumerate(data):
                    look = identity(i)
                    ax.scatter(d, np.full(d.size, i + 1.0), s=12, alpha=0.7, color=look.color,
                               marker=look.marker, zorder=3)
                ax.set_yticks(range(1, len(data) + 1), list(p.costs) if ax is axes[0] else [""] * len(data))
                ax.invert_yaxis()
                ax.set_xlabel(f"total cost ({p.currency})")
                ax.xaxis.set_major_formatter(lambda x, _: f"{x / 1000:,.0f}k")
                title(ax, p.name)
            names = ", ".join(self.names())
            set_alt(fig, f"Box plots of each option's total cost across replications, one panel per pinned "
                         f"variant: {names}.")
        return fig
