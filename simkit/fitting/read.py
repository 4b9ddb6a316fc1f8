"""Reading a history: one table of events or interval volumes, cleaned with every dropped row counted.

Two shapes are understood:

* **events** — one row per ticket, case or order: a time column (when it arrived), optionally a kind,
  an effort (``--effort-unit h|min|s``), a priority and a resolved time;
* **intervals** — one row per 5/15/30/60-minute interval: its start and the number of arrivals in it
  (what contact-centre and workforce-management systems export).

Times are reduced to *local wall-clock* times, because that is what a profile of the working day is
about: timestamps with an offset are converted to ``timezone`` (an IANA name such as
``Europe/Berlin``, so daylight saving is followed) or, without one, kept at the most common offset in
the data; naive timestamps are read as wall-clock time in ``timezone``.  With a zone the written
scenario's calendars name it (and get a ``run.start_date``), so the profile follows the local clock
through daylight saving; :attr:`History.utc_offset_h` is the zone's *standard* offset, used by the
back-test and by histories without a zone.

Nothing is dropped silently: missing and unparsable times, duplicate rows, dates after the newest
plausible one, negative and absurd efforts, negative counts, gaps and repeated intervals are counted in
:attr:`History.issues` and shown in the fit report.  A table that leaves nothing usable raises
:class:`~simkit.errors.ScenarioError` with one line naming the column or file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import numpy as np
import pandas as pd

from simkit.errors import ScenarioError

__all__ = ["History", "read_history", "read_table", "ROLES", "ABSURD_EFFORT_H"]

ROLES = {  # column role -> name fragments that identify it (first match wins, lower case)
    "time": ("created", "opened", "arrival", "timestamp", "interval_start", "start", "datetime", "time", "date"),
    "count": ("count", "volume", "offered", "calls", "contacts", "arrivals"),
    "kind": ("kind", "type", "category", "queue"),
    "effort": ("effort", "handle", "aht", "duration", "work_min", "minutes"),
    "priority": ("priority", "prio", "severity"),
    "resolved": ("resolved", "closed", "completed", "solved"),
}
EFFORT_UNITS_H = {"h": 1.0, "min": 1.0 / 60.0, "s": 1.0 / 3600.0}
ABSURD_EFFORT_H = 24.0 * 7
"""An item said to take more than a week of working time is treated as a data error, not as work."""
INTERVALS_MIN = (5, 15, 30, 60)
_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
_OFFSET_GROUP = re.compile(r"(Z|[+-]\d\d:?\d\d)$")


@dataclass
class History:
    """A cleaned history, in local wall-clock time.

    Attributes
    ----------
    shape
        ``"events"`` or ``"intervals"``.
    times
        Events: each kept row's local arrival time.  Intervals: each kept interval's local start.
    times_utc
        The same instants in UTC (naive) when the data carried offsets; ``None`` otherwise.
    counts
        Intervals only: arrivals per interval (``None`` for events).
    interval_min
        Interval length in minutes (intervals only).
    kind, effort_h, priority, resolved_h
        Per kept event: kind label, effort in hours, priority label, hours from arrival to resolution
        (``None`` when the column was not given; ``NaN`` entries where a value was unusable).
    utc_offset_h, timezone
        The offset the scenario's client calendar gets, and the IANA zone read (or '').
    columns
        Role -> the column used.
    issues
        What was wrong and how many rows it affected (``{"duplicate rows": 12, ...}``).
    notes
        Sentences for the report: column choices, offsets, units.
    """

    shape: str
    times: pd.Series
    times_utc: pd.Series | None = None
    counts: np.ndarray | None = None
    interval_min: int = 0
    kind: np.ndarray | None = None
    effort_h: np.ndarray | None = None
    priority: np.ndarray | None = None
    resolved_h: np.ndarray | None = None
    utc_offset_h: float = 0.0
    timezone: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    issues: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source: str = "history"


def _fail(message: str, source: str) -> ScenarioError:
    return ScenarioError("", message, source)


def read_table(source: str | Path | pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The raw table and a name for messages; CSV, parquet or Excel (``.xlsx``) by file suffix."""
    if isinstance(source, pd.DataFrame):
        return source.copy(), "history"
    p, name = Path(source), str(source)
    if not p.exists():
        raise _fail("no such file", name)
    if not p.is_file():
        raise _fail("is not a regular file (a folder, device or pipe); give a CSV, parquet or .xlsx file", name)
    if p.stat().st_size == 0:
        raise _fail("is empty; a history needs a header row and at least one data row", name)
    suffix = p.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            with p.open("rb") as fh:
                header = fh.readline(65536).decode("utf-8", "replace")
            sep = max(",;\t|", key=header.count) if suffix != ".tsv" else "\t"
            df = pd.read_csv(p, sep=sep, dtype=str, keep_default_na=False, na_values=[""])
        elif suffix in (".parquet", ".pq"):
            df = pd.read_parquet(p)
        elif suffix in (".xlsx", ".xlsm"):
            try:
                import openpyxl  # noqa: F401 - pandas needs it for Excel
            except ImportError:
                from simkit.extras import extra_message

                raise _fail(extra_message("reading an Excel history", "data"), name) from None
            df = pd.read_excel(p, engine="openpyxl")
            if df.empty and _formulas_without_values(p):
                raise _fail("has formulas but no values saved with them (written by a program that does not "
                            "calculate); open and save it in a spreadsheet, or export it as CSV", name)
        else:
            raise _fail(f"has suffix {suffix!r}; allowed: .csv, .tsv, .parquet, .xlsx", name)
    except ScenarioError:
        raise
    except (ValueError, OSError, UnicodeDecodeError, ImportError) as err:  # parser errors, bad bytes
        first = str(err).splitlines()[0][:120] if str(err) else type(err).__name__
        raise _fail(f"cannot be read as a {suffix[1:]} table ({first})", name) from None
    except Exception as err:  # noqa: BLE001 - pyarrow/openpyxl raise their own types for corrupt files
        raise _fail(f"cannot be read as a {suffix[1:]} table ({type(err).__name__})", name) from None
    if df.empty or len(df.columns) == 0:
        raise _fail("has no data rows", name)
    if suffix not in (".csv", ".txt", ".tsv"):  # a CSV cell is text; parquet can hold lists and maps
        _one_value_per_cell(df, name)
    return df, name


def _formulas_without_values(path: Path) -> bool:
    """Whether the first sheet holds formulas whose values were never stored (pandas reads those cells as empty)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = book.worksheets[0].iter_rows(min_row=2, max_row=200, values_only=True)
        return any(isinstance(v, str) and v.startswith("=") for row in rows for v in row)
    finally:
        book.close()


def _one_value_per_cell(df: pd.DataFrame, name: str) -> None:
    """Refuse a column of lists, maps or arrays (parquet allows them): no role of a history is one."""
    for col in df.columns:
        if df[col].dtype != object:
            continue
        nested = df[col].map(lambda v: isinstance(v, (list, tuple, dict, set, np.ndarray))).to_numpy()
        if nested.any():
            row = int(np.argmax(nested))
            raise _fail(f"column {str(col)[:40]!r} holds lists or other nested values (row {row + 1}: "
                        f"{type(df[col].iloc[row]).__name__}); a history has one value per cell", name)


def _pick_column(df: pd.DataFrame, role: str, given: str | None, name: str, notes: list[str]) -> str | None:
    cols = [str(c) for c in df.columns]
    if given is not None:
        if given not in cols:
            shown = ", ".join(repr(c[:40]) for c in cols[:12])
            raise _fail(f"--{role}-column {given[:60]!r} is not a column; columns: {shown}", name)
        return given
    lower = {c: c.lower().strip() for c in cols}
    for fragment in ROLES[role]:
        hits = [c for c in cols if fragment in lower[c]]
        if role == "time":
            hits = [c for c in hits if not any(r in lower[c] for r in ROLES["resolved"])]
        if len(hits) == 1:
            notes.append(f"{role} column: '{hits[0]}' (detected; pass --{role}-column to choose another)")
            return hits[0]
        if len(hits) > 1:
            if role == "time":
                listed = ", ".join(repr(h[:40]) for h in hits)
                raise _fail(f"several columns could be the time ({listed}); pass --time-column", name)
            return None
    return None


def _check_zone(timezone: str | None, name: str) -> ZoneInfo | None:
    if not timezone:
        return None
    try:
        if timezone not in available_timezones() and timezone != "UTC":
            raise ZoneInfoNotFoundError(timezone)
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(f"--timezone {timezone[:60]!r} is not an IANA time zone; write e.g. Europe/Berlin or "
                    "America/New_York", name) from None


def parse_times(raw: pd.Series, zone: ZoneInfo | None, issues: dict[str, int],
                notes: list[str]) -> tuple[pd.Series, float, pd.Series | None]:
    """Local wall-clock times (naive), the calendar's UTC offset, and UTC times when the zone is known.

    Missing and unparsable times become ``NaT`` (and are counted in ``issues``).
    """
    missing = raw.isna() | (raw.astype(str).str.strip() == "")
    issues["missing time"] = int(missing.sum())
    text = raw.astype(str).str.strip()
    with_offset = text.str.contains(_OFFSET) & ~missing
    if pd.api.types.is_datetime64_any_dtype(raw):
        parsed = pd.to_datetime(raw, errors="coerce")
        aware = parsed.dt.tz is not None
    elif with_offset.any():
        parsed = pd.to_datetime(text.where(with_offset), errors="coerce", utc=True, format="ISO8601")
        aware = True
        naive = ~with_offset & ~missing
        if naive.any():  # among times with offsets, a time without one is not silently read as UTC
            parsed = _naive_among_aware(text, naive, parsed, zone, issues)
        offsets = text[with_offset].str.extract(_OFFSET_GROUP)[0].str.replace(":", "").value_counts()
        if len(offsets) > 1 and zone is None:
            issues["mixed UTC offsets (rows not at the most common)"] = int(offsets.iloc[1:].sum())
        elif len(offsets) > 1:
            notes.append(f"UTC offsets {', '.join(offsets.index[:4])} converted to {zone.key} wall-clock time")
    else:
        parsed = pd.to_datetime(text.where(~missing), errors="coerce", format="mixed", dayfirst=False)
        aware = False
    issues["unparsable time"] = int((parsed.isna() & ~missing).sum()) - issues.get(_NO_OFFSET, 0)
    if aware:
        utc = parsed.dt.tz_convert("UTC") if parsed.dt.tz is not None else parsed
        if zone is not None:
            local_aware = utc.dt.tz_convert(zone)
        else:
            common = text[with_offset].str.extract(_OFFSET_GROUP)[0].mode()
            off = 0.0 if common.empty or common.iloc[0] == "Z" else _offset_h(common.iloc[0])
            local_aware = utc.dt.tz_convert(dt.timezone(dt.timedelta(hours=off)))
            notes.append(f"times carry UTC offsets; read at the most common one ({off:+g} h): pass --timezone "
                         "Area/City to follow daylight saving")
        offset_h = _mode_offset_h(local_aware, standard=zone is not None)
        local = local_aware.dt.tz_localize(None)
        utc_naive = utc.dt.tz_localize(None)
    else:
        local = parsed
        offset_h = 0.0
        utc_naive = None
        if zone is not None:
            valid = local.dropna()
            sample = valid.iloc[:: max(1, len(valid) // 2000)] if len(valid) else valid
            offs = [(zone.utcoffset(t.to_pydatetime()) - (zone.dst(t.to_pydatetime()) or dt.timedelta(0)))
                    .total_seconds() / 3600.0 for t in sample]
            offset_h = float(pd.Series(offs).mode().iloc[0]) if offs else 0.0
        else:
            notes.append("times have no zone: read as local wall-clock time at UTC+0 (pass --timezone to place "
                         "them)")
    return local, offset_h, utc_naive


_NO_OFFSET = "time without a UTC offset among times with one (left out; pass --timezone to read it there)"


def _naive_among_aware(text: pd.Series, naive: pd.Series, parsed: pd.Series, zone: ZoneInfo | None,
                       issues: dict[str, int]) -> pd.Series:
    """``parsed`` with the times written without an offset read as wall-clock time in ``zone``; without a
    zone they are left out and counted (``issues``), since no offset can be assumed for them."""
    if zone is None:
        issues[_NO_OFFSET] = int(naive.sum())
        return parsed
    local = pd.to_datetime(text.where(naive), errors="coerce", format="mixed")
    placed = local.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert("UTC")
    return parsed.where(~naive, placed)


def _offset_h(text: str) -> float:
    sign = -1.0 if text.startswith("-") else 1.0
    digits = text.lstrip("+-").replace(":", "")
    return sign * (int(digits[:2]) + int(digits[2:4]) / 60.0)


def _mode_offset_h(aware: pd.Series, standard: bool = False) -> float:
    """The most common UTC offset; with ``standard``, daylight saving taken off (a zone's standard time)."""
    valid = aware.dropna()
    if valid.empty:
        return 0.0
    sample = valid.iloc[:: max(1, len(valid) // 2000)]
    offs = [(t.utcoffset() - (t.dst() if standard and t.dst() else dt.timedelta(0))).total_seconds() / 3600.0
            for t in sample]
    return float(pd.Series(offs).mode().iloc[0])


def read_history(source: str | Path | pd.DataFrame, *, time_column: str | None = None,
                 count_column: str | None = None, kind_column: str | None = None,
                 effort_column: str | None = None, effort_unit: str = "min", priority_column: str | None = None,
                 resolved_column: str | None = None, interval_min: int | None = None,
                 timezone: str | None = None, now: pd.Timestamp | None = None) -> History:
    """Read, detect columns, parse times and clean (see the module docstring)."""
    from simkit.fitting.clean import clean_events, clean_intervals

    df, name = read_table(source)
    zone = _check_zone(timezone, name)
    if effort_unit not in EFFORT_UNITS_H:
        raise _fail(f"--effort-unit must be one of h, min, s, got {effort_unit[:20]!r}", name)
    if interval_min is not None and interval_min not in INTERVALS_MIN:
        raise _fail(f"--interval must be one of {', '.join(map(str, INTERVALS_MIN))} minutes, got {interval_min}",
                    name)
    notes: list[str] = []
    cols = {"time": _pick_column(df, "time", time_column, name, notes)}
    if cols["time"] is None:
        shown = ", ".join(repr(str(c)[:40]) for c in list(df.columns)[:12])
        raise _fail(f"no time column found among {shown}; pass --time-column", name)
    cols["count"] = _pick_column(df, "count", count_column, name, notes)
    if cols["count"] is None:
        for role, given in (("kind", kind_column), ("effort", effort_column), ("priority", priority_column),
                            ("resolved", resolved_column)):
            cols[role] = _pick_column(df, role, given, name, notes)
    cols = {k: v for k, v in cols.items() if v is not None}
    issues: dict[str, int] = {}
    local, offset_h, utc = parse_times(df[cols["time"]], zone, issues, notes)
    hist = History("intervals" if "count" in cols else "events", local, times_utc=utc, utc_offset_h=offset_h,
                   timezone=timezone or "", columns=cols, rows_read=len(df), issues=issues, notes=notes,
                   source=name)
    if hist.shape == "events":
        clean_events(hist, df, EFFORT_UNITS_H[effort_unit], zone, now)
    else:
        clean_intervals(hist, df, interval_min)
    return hist
