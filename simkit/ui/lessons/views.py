"""Two teaching views: a cost waterfall (the hidden-costs lesson) and SLA attainment by month (the seasonal one).

Presentation only: the numbers come from the public API; :func:`monthly_sla` uses the same definition
as the ``sla_attainment_share`` KPI.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from simkit.calendars.dates import month_index
from simkit.engine.log import COMPLETED
from simkit.experiment.results import Results
from simkit.extras import require

require("matplotlib", "simkit.lessons")  # one line naming the 'charts' extra when it is missing

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

__all__ = ["waterfall", "monthly_sla"]


def waterfall(start: tuple[str, float], steps: Sequence[tuple[str, float]], end_label: str,
              ax: Axes | None = None, currency: str = "USD") -> Figure:
    """A waterfall chart: a starting total, signed steps (green down, red up), and the final total."""
    if ax is None:
        fig = Figure(figsize=(8.0, 4.2), layout="constrained")
        ax = fig.subplots()
    fig = ax.figure
    labels = [start[0], *[s[0] for s in steps], end_label]
    level, bottoms, heights, colours = start[1], [0.0], [start[1]], ["#1b6ca8"]
    for _, delta in steps:
        bottoms.append(level if delta >= 0 else level + delta)
        heights.append(abs(delta))
        colours.append("#c23b3b" if delta > 0 else "#3a9d5d")
        level += delta
    bottoms.append(0.0)
    heights.append(level)
    colours.append("#d9822b")
    x = np.arange(len(labels))
    ax.bar(x, heights, bottom=bottoms, color=colours, width=0.6)
    for i, (b, h) in enumerate(zip(bottoms, heights, strict=True)):
        delta = steps[i - 1][1] if 0 < i <= len(steps) else h
        ax.text(i, b + h, f"{delta:+,.0f}" if 0 < i <= len(steps) else f"{h:,.0f}", ha="center", va="bottom",
                fontsize=8)
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.set_ylabel(f"cost over the horizon ({currency})")
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:,.0f}")
    ax.grid(axis="y", alpha=0.3)
    return fig


def monthly_sla(res: Results) -> pd.DataFrame:
    """SLA attainment by month of arrival (rows 1..n) and option (columns), pooled over replications.

    An item meets its SLA when it is completed within ``sla_h`` of arriving; an item still open at
    the horizon counts as a miss once its due time has passed (as in ``sla_attainment_share``).
    Needs ``simulate(..., keep_logs=True)``.
    """
    if res.logs is None:
        raise ValueError("monthly_sla needs the run logs: simulate with keep_logs=True")
    met: dict[str, np.ndarray] = {}
    judged: dict[str, np.ndarray] = {}
    clock = res.scenario.clock()
    for (option, _rep), log in res.logs.items():
        t0, t1 = log.window_h
        win = log.in_window()
        arrival = log.trace.arrival_h[win]
        done = log.state()[win] == COMPLETED
        lead = log.end_h[win] - arrival
        ok = done & (lead <= log.trace.sla_h[win] + 1e-9)
        late_open = ~done & (log.trace.due_h[win] < t1)
        month, n = month_index(arrival, t0, t1, clock)
        met[option] = met.get(option, np.zeros(n)) + np.bincount(month[ok], minlength=n)[:n]
        counted = np.bincount(month[done | late_open], minlength=n)[:n]
        judged[option] = judged.get(option, np.zeros(n)) + counted
    frame = pd.DataFrame({o: np.divide(met[o], judged[o], out=np.ones_like(met[o]), where=judged[o] > 0)
                          for o in res.options})
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="month")
    return frame
