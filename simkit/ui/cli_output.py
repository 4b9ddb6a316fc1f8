"""How the command line prints: a table fitted to the terminal, CSV or JSON, or nothing (``--quiet``).

Every subcommand hands its result to :func:`emit`, so the three formats mean the same thing everywhere:

* ``table`` (the default) is for a person: KPI rows carry their plain label and unit from the one KPI
  registry (:mod:`simkit.accounting.registry`), numbers follow the registry's format (money to the currency unit, shares
  to three decimals), options appear by their label, and no line is longer than the terminal
  (:func:`shutil.get_terminal_size`, which honours ``$COLUMNS``): a table too wide for it is printed as
  one block per option (or per record), and prose is wrapped.
* ``csv`` is one table, one row per record, numbers at full precision (``repr``), for a spreadsheet or
  ``pandas.read_csv``.
* ``json`` is one object: the run's facts (scenario, seed, replications ...) and ``"rows"``, the same
  records as the CSV; units are stated in the ``unit`` field of every KPI record; ``NaN`` becomes ``null``.

Text from a scenario (names, labels) is data: control characters are shown escaped in a table, JSON and
CSV quote it by their own rules.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simkit.accounting import registry as kpis

__all__ = ["FORMATS", "emit", "add_output_flags", "terminal_width", "fit_table", "wrap", "unit_of",
           "kpi_heading", "kpi_cell", "option_label", "render"]

FORMATS = ("table", "csv", "json")
"""What ``--format`` accepts."""

MIN_WIDTH = 30
"""Narrowest terminal a table is fitted to (below it, lines are cut at this width)."""

FILE_WIDTH = 250
"""Width a table is fitted to when it is written to a file rather than a terminal."""


def add_output_flags(sp: argparse.ArgumentParser) -> None:
    """``--format`` and ``--quiet`` on one subcommand (every subcommand has both)."""
    sp.add_argument("--format", choices=FORMATS, default="table",
                    help="table: for reading, fitted to the terminal ($COLUMNS); csv or json: the numbers at "
                         "full precision, with units, for other programs (default table)")
    sp.add_argument("--quiet", "-q", action="store_true",
                    help="print nothing but errors (files are still written; no progress bar, no warnings)")


def terminal_width() -> int:
    """The terminal's width in characters: ``$COLUMNS`` when set, else the terminal's, else 80."""
    return max(MIN_WIDTH, shutil.get_terminal_size((80, 24)).columns)


def _printable(text: object) -> str:
    """``text`` with control characters escaped, so a scenario's text cannot move the cursor or break a row."""
    s = str(text)
    return s if s.isprintable() else "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)


# --------------------------------------------------------------------------- labels from the registry
def unit_of(column: str, currency: str) -> str:
    """The unit of a KPI column in words: the currency code for money, ``"h"``, ``"share"``, ``"items"`` ..."""
    kpi = kpis.lookup(column)
    if kpi is None:
        return ""
    return kpi.unit.replace("currency", currency.upper())


def kpi_heading(column: str, currency: str) -> str:
    """``"Total cost (USD)"``: the registry's label and unit (the column name for a column that is no KPI)."""
    kpi = kpis.lookup(column)
    return f"{kpi.label} ({unit_of(column, currency)})" if kpi is not None else column


def kpi_cell(column: str, mean: float, low: float | None = None, high: float | None = None) -> str:
    """One value in the KPI's format, with its interval when it has one (``12,345 [11,990, 12,700]``)."""
    one = kpis.format_value(column, mean)
    if low is None or high is None or (low == high == mean) or not (math.isfinite(low) and math.isfinite(high)):
        return one
    return f"{one} [{kpis.format_value(column, low)}, {kpis.format_value(column, high)}]"


def option_label(scenario: Any, key: str) -> str:
    """The option's label from the scenario (``options.X.label``), or its key when it has none."""
    spec = scenario.options.get(key)
    label = getattr(spec, "label", "") if spec is not None else ""
    return _printable(label or key)


# --------------------------------------------------------------------------- fitting to the terminal
_GLUE = "\ue000"  # a space that textwrap does not break at (a private-use character, never printed)


def wrap(text: str, width: int) -> list[str]:
    """Each line of ``text`` at most ``width`` long, wrapped at spaces and keeping its indent.

    ``name = value`` stays on one line ("P(cheaper) = 1.00" is not split before its value).
    """
    out: list[str] = []
    for line in _printable_lines(text):
        if len(line) <= width:
            out.append(line)
            continue
        indent = " " * min(len(line) - len(line.lstrip(" ")), width // 2)
        glued = line.strip() if _GLUE in line else line.strip().replace(" = ", f"{_GLUE}={_GLUE}")
        out += [w.replace(_GLUE, " ") for w in textwrap.wrap(
            glued, width, initial_indent=indent, subsequent_indent=indent + "  ", break_on_hyphens=False)] or [""]
    return out


def _printable_lines(text: str) -> list[str]:
    return [_printable(line) for line in str(text).split("\n")]


def _side_by_side(frame: pd.DataFrame) -> list[str]:
    labels = [_printable(i) for i in frame.index]
    heads = [_printable(c) for c in frame.columns]
    cells = [[_printable(v) for v in frame[c]] for c in frame.columns]
    wl = max([len(s) for s in labels] + [len(str(frame.index.name or ""))], default=0)
    widths = [max([len(h)] + [len(v) for v in col]) for h, col in zip(heads, cells, strict=True)]
    lines = [(str(frame.index.name or "")).ljust(wl) + "".join("  " + h.rjust(w) for h, w in zip(heads, widths,
                                                                                                strict=True))]
    for r, label in enumerate(labels):
        lines.append(label.ljust(wl) + "".join("  " + col[r].rjust(w) for col, w in zip(cells, widths,
                                                                                        strict=True)))
    return [line.rstrip() for line in lines]


def _stacked(frame: pd.DataFrame, width: int) -> list[str] | None:
    """Columns side by side under headers wrapped to their width, each row's label on a line of its own above
    its values; ``None`` when even the values do not fit."""
    heads = [_printable(c) for c in frame.columns]
    cells = [[_printable(v) for v in frame[c]] for c in frame.columns]
    widths = [max([len(v) for v in col] + [max((len(w) for w in h.split()), default=0)])
              for h, col in zip(heads, cells, strict=True)]
    if 2 + sum(widths) + 2 * (len(widths) - 1) > width:
        return None
    wrapped = [textwrap.wrap(h, w) or [""] for h, w in zip(heads, widths, strict=True)]
    depth = max(len(h) for h in wrapped)
    wrapped = [[""] * (depth - len(h)) + h for h in wrapped]
    lines = ["  " + "  ".join(h[i].rjust(w) for h, w in zip(wrapped, widths, strict=True)) for i in range(depth)]
    for r, label in enumerate(frame.index):
        lines += wrap(_printable(label), width)
        lines.append("  " + "  ".join(col[r].rjust(w) for col, w in zip(cells, widths, strict=True)))
    return [line.rstrip() for line in lines]


def _pairs(title: str, pairs: list[tuple[str, str]], width: int) -> list[str]:
    """A block: its title, then ``label  value`` per pair (the value on its own line when both do not fit)."""
    lines = wrap(title, width)
    wl = max((len(k) for k, _ in pairs), default=0)
    for key, value in pairs:
        if 2 + wl + 2 + len(value) <= width:
            lines.append(f"  {key.ljust(wl)}  {value}".rstrip())
        else:
            lines += wrap("  " + key, width) + wrap("      " + value, width)
    return lines


def fit_table(frame: pd.DataFrame, width: int | None = None, by: str = "column") -> list[str]:
    """The lines of ``frame`` (cells already text), no line longer than ``width``.

    Side by side when it fits.  Otherwise, with ``by="column"``, the columns stay side by side with their
    headers wrapped and each row's label on a line of its own when the values fit, else one block per column
    (options as blocks, KPIs as their rows); with ``by="row"``, one block per row (a record per block).  A
    block holds one ``label  value`` line per cell.
    """
    width = width or terminal_width()
    frame = frame.astype(str) if len(frame.columns) else frame
    lines = _side_by_side(frame)
    if max((len(line) for line in lines), default=0) <= width:
        return lines
    stacked = _stacked(frame, width) if by == "column" else None
    if stacked is not None:
        return stacked
    out: list[str] = []
    if by == "column":
        for col in frame.columns:
            out += _pairs(f"{_printable(col)}:", [(_printable(i), _printable(v)) for i, v in frame[col].items()],
                          width) + [""]
    else:
        name = str(frame.index.name or "")
        for idx, row in frame.iterrows():
            title = f"{name} {_printable(idx)}:" if name else f"{_printable(idx)}:"
            out += _pairs(title, [(_printable(c), _printable(v)) for c, v in row.items()], width) + [""]
    return out[:-1]


# --------------------------------------------------------------------------- generic rendering
def _cell(column: str, value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        return "" if not math.isfinite(value) else kpis.format_value(column, float(value))
    return _printable("" if value is None else value)


def render(frame: pd.DataFrame, currency: str = "USD") -> pd.DataFrame:
    """``frame``'s records as display text: KPI columns headed by label and unit, numbers in their format.

    A frame with a ``kpi`` column (one record per KPI) shows the KPI's label and unit as the row's name and
    formats that row's numbers in the KPI's format.  Otherwise the first column names the rows.
    """
    if frame.empty:
        return pd.DataFrame(index=pd.Index([], name=""))
    if "kpi" in frame.columns:
        rows = frame.drop(columns=[c for c in ("label", "unit") if c in frame.columns])
        names = [kpi_heading(k, currency) for k in rows["kpi"]]
        shown = pd.DataFrame({c: [_cell(k, v) for k, v in zip(rows["kpi"], rows[c], strict=True)]
                              for c in rows.columns if c != "kpi"}, index=pd.Index(names, name=""))
        return shown
    first = frame.columns[0]
    shown = pd.DataFrame({kpi_heading(c, currency): [_cell(c, v) for v in frame[c]] for c in frame.columns[1:]})
    shown.index = pd.Index([_cell(first, v) for v in frame[first]], name=_printable(first))
    return shown


# --------------------------------------------------------------------------- the three formats
def _plain(value: Any) -> Any:
    """A JSON value: numpy scalars as Python numbers, NaN and infinities as ``null``, paths as text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return str(value)


def _frame(data: Any) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True)
    if isinstance(data, Mapping):
        return pd.DataFrame([dict(data)])
    return pd.DataFrame(list(data))


def _table_text(blocks: Sequence[Any] | None, frame: pd.DataFrame, width: int) -> str:
    lines: list[str] = []
    for block in blocks if blocks is not None else [render(frame)]:
        if isinstance(block, pd.DataFrame):
            lines += fit_table(block, width)
        elif isinstance(block, tuple):  # (frame, "row"): records as blocks when too wide
            lines += fit_table(block[0], width, by=block[1])
        else:
            lines += wrap(block, width)
    return "\n".join(lines)


def emit(data: pd.DataFrame | Iterable[Mapping[str, Any]] | Mapping[str, Any], fmt: str = "table",
         out: str | Path | None = None, quiet: bool = False, *, text: Sequence[Any] | None = None,
         extra: Mapping[str, Any] | None = None, width: int | None = None) -> str:
    """Print a command's result in ``fmt``, or write it to ``out``; return the text.

    Parameters
    ----------
    data
        The records: a data frame, a list of dicts or one dict (one record).  CSV and JSON hold exactly
        these, at full precision; give KPI records a ``unit`` field so the numbers say what they are.
    fmt
        ``"table"``, ``"csv"`` or ``"json"`` (:data:`FORMATS`).
    out
        Write the text to this file (through :func:`simkit.fileio.write_text`: all or nothing) instead of
        printing it.  Check the path with :func:`simkit.fileio.check_file_target` before the work.
    quiet
        Print nothing (a file named by ``out`` is still written).
    text
        What ``table`` shows, in order: strings (wrapped to the width), data frames of display text (fitted:
        side by side, else one block per column) or ``(frame, "row")`` (one block per row when too wide).
        Without it, ``data`` is rendered by :func:`render`.
    extra
        JSON only: facts about the whole result (scenario, seed, replications ...) put beside ``"rows"``.
    width
        The width to fit (default :func:`terminal_width`).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    frame = _frame(data)
    if fmt == "csv":
        body = frame.to_csv(index=False)
    elif fmt == "json":
        records = [_plain(r) for r in frame.to_dict(orient="records")]
        body = json.dumps({**_plain(dict(extra or {})), "rows": records}, indent=2, ensure_ascii=False) + "\n"
    else:
        body = _table_text(text, frame, width or (FILE_WIDTH if out is not None else terminal_width())) + "\n"
    if out is not None:
        from simkit.fileio import write_text

        write_text(Path(out), body)
    elif not quiet:
        sys.stdout.write(body)
        sys.stdout.flush()
    return body
