"""The look of simkit's charts: style, option identity, plain labels with units, alt text and file formats.

Presentation only.  :mod:`simkit.ui.plots` draws each chart inside :func:`style`, a context
manager that applies the shipped ``simkit.mplstyle`` and restores the caller's rcParams on
exit, so plotting never changes a user's global matplotlib settings.

Every option keeps one *identity* across charts: an Okabe-Ito colour (distinguishable with
the common colour-vision deficiencies) *and* a marker, a line style and a hatch, so a chart
still reads in grey-scale or on a projector that washes colours out.  Each chart attaches a
one-sentence description (:func:`alt_text`), which the report, the dashboard and the files the
CLI writes carry as alternative text: in an SVG as its ``<title>``/``<desc>``, in a PNG as its
``Title``/``Description`` text chunks.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec
from xml.sax.saxutils import escape

from simkit.extras import require
from simkit.scenario.fields import symbol

require("matplotlib", "simkit.plots")  # one line naming the 'charts' extra when it is missing

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

if TYPE_CHECKING:
    from simkit.experiment.results import Results

__all__ = ["style", "identity", "Identity", "alt_text", "svg_bytes", "png_bytes", "kpi_label", "path_label",
           "money", "STYLE_PATH", "PALETTE", "PNG_DPI"]

STYLE_PATH = Path(__file__).with_name("styles") / "simkit.mplstyle"
#: Okabe-Ito, in the order options take them (yellow last: it is faint on white).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 2, 1, 2)))
_HATCHES = ("", "///", "...", "xxx", "\\\\\\", "+++", "ooo", "---")
#: PNG resolution the CLI writes (slides need at least 150 dots per inch).
PNG_DPI = 150


@dataclass(frozen=True)
class Identity:
    """How the i-th option is drawn: colour plus a marker, a line style and a hatch."""

    color: str
    marker: str
    linestyle: str | tuple
    hatch: str


def identity(i: int) -> Identity:
    """The identity of the option at position ``i`` (cycles after eight options)."""
    k = i % len(PALETTE)
    return Identity(PALETTE[k], _MARKERS[k], _LINESTYLES[k], _HATCHES[k])


@contextlib.contextmanager
def style() -> Iterator[None]:
    """Draw with simkit's style; the caller's rcParams are back in place afterwards."""
    with plt.style.context(STYLE_PATH):
        yield


P = ParamSpec("P")


def styled(draw: Callable[P, Figure]) -> Callable[P, Figure]:
    """Run a chart function inside :func:`style` (the decorator every simkit chart wears)."""

    @functools.wraps(draw)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Figure:
        with style():
            return draw(*args, **kwargs)

    return wrapper


def new_axes(ax: Axes | None, size: tuple[float, float] = (7.0, 4.0)) -> tuple[Figure, Any]:
    """The caller's axes and figure, or a new figure of ``size`` inches with constrained layout."""
    if ax is not None:
        return ax.figure, ax
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    return fig, ax


def option_label(res: Results, option: str) -> str:
    """The option's label from the scenario (its key when it has none)."""
    return res.scenario.option_label(option)


def set_alt(fig: Figure, text: str) -> str:
    """Attach a one-sentence description to ``fig`` (read with :func:`alt_text`)."""
    text = " ".join(text.split())
    fig._simkit_alt = text  # noqa: SLF001 - matplotlib has no place for alternative text
    return text


def alt_text(fig: Figure) -> str:
    """The one-sentence description a simkit chart attached to its figure ('' for other figures)."""
    return getattr(fig, "_simkit_alt", "")


def title(ax: Axes, text: str, share: float = 1.0) -> None:
    """Set a title that states the finding, wrapped to the axes' width.

    ``share`` is about how much of the figure's width the axes take (less beside long tick labels).
    """
    width_in = ax.figure.get_figwidth() * share
    ax.set_title(textwrap.fill(text, width=max(36, int(width_in * 8.5)), break_on_hyphens=False))


def _titles(fig: Figure) -> str:
    found = [fig.get_suptitle()] if fig.get_suptitle() else []
    for a in fig.axes:
        found += [a.get_title(loc) for loc in ("left", "center", "right") if a.get_title(loc)]
    return " / ".join(" ".join(t.split()) for t in found)


def svg_bytes(fig: Figure) -> bytes:
    """``fig`` as an SVG whose ``<title>`` is the chart's title and whose ``<desc>`` is its alt text.

    Screen readers announce an SVG by these two elements; the date is left out so the same
    chart gives the same bytes.
    """
    buf = io.BytesIO()
    with style():
        fig.savefig(buf, format="svg", metadata={"Date": None})
    svg = buf.getvalue().decode("utf-8")
    head = (f"<title>{escape(_titles(fig) or alt_text(fig))}</title>\n"
            f"<desc>{escape(alt_text(fig))}</desc>\n")
    match = re.search(r"<svg\b[^>]*>", svg)
    if match is None:  # pragma: no cover - matplotlib always writes a root element
        return svg.encode("utf-8")
    root = match.group(0)
    if "role=" not in root:
        root = root[:-1] + ' role="img">'
    return (svg[:match.start()] + root + "\n" + head + svg[match.end():]).encode("utf-8")


def png_bytes(fig: Figure, dpi: int = PNG_DPI) -> bytes:
    """``fig`` as a PNG at ``dpi`` with the title and alt text in its ``Title``/``Description`` chunks."""
    buf = io.BytesIO()
    with style():
        fig.savefig(buf, format="png", dpi=dpi,
                    metadata={"Software": None, "Title": _titles(fig), "Description": alt_text(fig)})
    return buf.getvalue()


#: Plain names of the KPI columns (the unit comes from the column's suffix).
_KPI_NAMES = {"cost_total": "total cost", "cost_per_item": "cost per item", "npv_cost": "NPV of cost",
              "switching_cost": "switching cost", "fx_cost": "exchange-rate cost", "sla_credits": "SLA credits",
              "delay_cost": "cost of delay", "lead_time_mean_h": "mean lead time",
              "lead_time_p50_h": "median lead time",
              "lead_time_p90_h": "90th percentile lead time", "lead_time_p99_h": "99th percentile lead time",
              "wait_mean_h": "mean wait", "sla_attainment_share": "share within SLA", "savings": "savings",
              "availability_share": "availability"}
_SUFFIX_UNITS = {"_h": "hours", "_share": "share", "_count": "count", "_items": "items"}


def kpi_label(column: str, currency: str = "") -> str:
    """A KPI column as plain words with its unit, e.g. ``cost_total_usd`` -> ``total cost (USD)``."""
    cur = currency.lower()
    stem, unit = column, ""
    if cur and column.endswith(f"_{cur}"):
        stem, unit = column[: -len(cur) - 1], currency.upper()
    elif column == "savings":
        unit = currency.upper()
    else:
        for suffix, words in _SUFFIX_UNITS.items():
            if column.endswith(suffix):
                unit = words
                stem = column if column in _KPI_NAMES else column[: -len(suffix)]
                break
    name = _KPI_NAMES.get(column, _KPI_NAMES.get(stem, stem.replace("_", " ")))
    return f"{name} ({unit})" if unit else name




def path_label(path: str, currency: str = "") -> str:
    """A dotted scenario path as plain words with a unit: ``vendors.acme.price_per_fte_month`` ->
    ``acme: price per FTE month (USD/agent-month)``."""
    parts = path.split(".")
    field = parts[-1]
    owner = parts[-2] if len(parts) >= 3 else ""
    unit = symbol(path, currency.upper() or "money")
    if not unit:
        unit = next((w for s, w in _SUFFIX_UNITS.items() if field.endswith(s)), "")
    words = field
    for suffix in ("_h", "_share", "_days"):
        if words.endswith(suffix) and words != suffix:
            words = words[: -len(suffix)]
    words = words.replace("_", " ").replace("fte", "FTE")
    return f"{owner}: {words}" + (f" ({unit})" if unit else "") if owner else words + (f" ({unit})" if unit else "")


def money(x: float, currency: str) -> str:
    """A sum for a title: ``USD 48k``, ``EUR 1.2M``, ``USD 950``."""
    a = abs(x)
    if a >= 1e6:
        text = f"{a / 1e6:.1f}M"
    elif a >= 1e4:
        text = f"{a / 1e3:.0f}k"
    elif a >= 1e3:
        text = f"{a / 1e3:.1f}k"
    else:
        text = f"{a:.0f}"
    return f"{'-' if x < 0 else ''}{currency} {text}"
