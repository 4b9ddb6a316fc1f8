"""Cleaning a history: every row that cannot be used is counted, by reason, never silently dropped.

An event row whose *time* is unusable (missing, unparsable, duplicate, in the future) is left out of
everything.  A row with a usable time but an unusable *effort* (unparsable, negative, more than
:data:`~simkit.fitting.read.ABSURD_EFFORT_H`) still counts as an arrival; only its effort is left out of
the effort fit.  Interval rows with an unusable count are left out, and the interval is then treated as
not observed (a gap), not as zero: a missing export is not a quiet hour.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from simkit.errors import ScenarioError
from simkit.fitting.read import ABSURD_EFFORT_H, INTERVALS_MIN, History

__all__ = ["clean_events", "clean_intervals"]


def _count(issues: dict[str, int], what: str, mask: np.ndarray | pd.Series) -> None:
    n = int(np.asarray(mask).sum())
    if n:
        issues[what] = issues.get(what, 0) + n


def _no_rows_left(hist: History) -> ScenarioError:
    problems = ", ".join(f"{k}: {v}" for k, v in hist.issues.items() if v) or "no data rows"
    return ScenarioError("", f"has no usable rows in column '{hist.columns['time'][:40]}' ({problems})",
                         hist.source)


def _now_local(zone: ZoneInfo | None, now: pd.Timestamp | None) -> pd.Timestamp:
    if now is not None:
        return pd.Timestamp(now)
    stamp = pd.Timestamp.now(tz=zone or "UTC")
    return stamp.tz_localize(None)


def clean_events(hist: History, df: pd.DataFrame, unit_h: float, zone: ZoneInfo | None,
                 now: pd.Timestamp | None) -> None:
    """Keep the event rows with a usable time; turn the other columns into arrays (see the module docstring)."""
    issues = hist.issues
    ok = hist.times.notna().to_numpy().copy()
    dup = df.duplicated(keep="first").to_numpy() & ok
    _count(issues, "duplicate rows", dup)
    ok &= ~dup
    future = (hist.times > _now_local(zone, now)).to_numpy() & ok
    _count(issues, "time in the future", future)
    ok &= ~future
    if not ok.any():
        raise _no_rows_left(hist)
    kept = df.loc[ok]
    order = np.argsort(hist.times[ok].to_numpy(), kind="stable")
    hist.times = hist.times[ok].iloc[order].reset_index(drop=True)
    if hist.times_utc is not None:
        hist.times_utc = hist.times_utc[ok].iloc[order].reset_index(drop=True)
    kept = kept.iloc[order]
    cols = hist.columns
    if "effort" in cols:
        hist.effort_h = _efforts(kept[cols["effort"]], unit_h, issues)
    if "kind" in cols:
        labels = kept[cols["kind"]].astype("string").str.strip()
        missing = labels.isna() | (labels == "")
        _count(issues, "missing kind (counted as 'other')", missing)
        hist.kind = labels.fillna("other").replace("", "other").to_numpy(dtype=object)
    if "priority" in cols:
        hist.priority = kept[cols["priority"]].astype("string").str.strip().fillna("").to_numpy(dtype=object)
    if "resolved" in cols:
        hist.resolved_h = _resolution_h(hist, kept[cols["resolved"]], zone, issues)


def _efforts(raw: pd.Series, unit_h: float, issues: dict[str, int]) -> np.ndarray:
    text = raw.astype("string").str.strip()
    missing = text.isna() | (text == "")
    values = pd.to_numeric(text.where(~missing), errors="coerce").to_numpy(dtype=float) * unit_h
    _count(issues, "missing effort (arrival kept)", missing.to_numpy())
    _count(issues, "unparsable effort (arrival kept)", np.isnan(values) & ~missing.to_numpy())
    negative = values < 0
    _count(issues, "negative effort (arrival kept)", negative)
    absurd = values > ABSURD_EFFORT_H
    _count(issues, f"effort over {ABSURD_EFFORT_H:g} h (arrival kept)", absurd)
    zero = values == 0
    _count(issues, "zero effort (arrival kept)", zero)
    values[negative | absurd | zero] = np.nan
    return values


def _resolution_h(hist: History, raw: pd.Series, zone: ZoneInfo | None, issues: dict[str, int]) -> np.ndarray:
    from simkit.fitting.read import parse_times

    sub: dict[str, int] = {}
    local, _, utc = parse_times(raw.reset_index(drop=True), zone, sub, [])
    if utc is not None and hist.times_utc is not None:
        hours = (utc - hist.times_utc).dt.total_seconds().to_numpy() / 3600.0
    else:
        hours = (local - hist.times).dt.total_seconds().to_numpy() / 3600.0
    _count(issues, "unparsable resolved time", np.asarray(sub.get("unparsable time", 0)))
    before = hours < 0
    _count(issues, "resolved before created", before)
    hours[before] = np.nan
    return hours


def _infer_interval(starts: pd.Series, given: int | None, hist: History) -> int:
    if given is not None:
        return given
    diffs = starts.drop_duplicates().sort_values().diff().dropna().dt.total_seconds() / 60.0
    if diffs.empty:
        raise ScenarioError("", "has a single interval; the interval length cannot be inferred (pass --interval)",
                            hist.source)
    step = float(diffs.mode().iloc[0])
    if step not in INTERVALS_MIN:
        raise ScenarioError("", f"intervals are mostly {step:g} minutes apart; allowed: "
                                f"{', '.join(map(str, INTERVALS_MIN))} (pass --interval)", hist.source)
    hist.notes.append(f"interval length: {step:g} minutes (inferred from the spacing of the starts)")
    return int(step)


def clean_intervals(hist: History, df: pd.DataFrame, interval_min: int | None) -> None:
    """Keep interval rows with a usable start and count; count gaps and repeats."""
    issues = hist.issues
    raw = df[hist.columns["count"]].astype("string").str.strip()
    counts = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    ok = hist.times.notna().to_numpy().copy()
    _count(issues, "missing or unparsable count", np.isnan(counts) & ok)
    _count(issues, "negative count", (counts < 0) & ok)
    ok &= ~np.isnan(counts) & (counts >= 0)
    key = (hist.times_utc if hist.times_utc is not None else hist.times)
    repeated = key.duplicated(keep="first").to_numpy() & ok
    _count(issues, "repeated interval (first kept)", repeated)
    ok &= ~repeated
    if not ok.any():
        raise _no_rows_left(hist)
    order = np.argsort(key[ok].to_numpy(), kind="stable")
    hist.times = hist.times[ok].iloc[order].reset_index(drop=True)
    key = key[ok].iloc[order].reset_index(drop=True)
    if hist.times_utc is not None:
        hist.times_utc = key
    hist.counts = counts[ok][order]
    step = _infer_interval(key, interval_min, hist)
    hist.interval_min = step
    grid = pd.date_range(key.iloc[0], key.iloc[-1], freq=f"{step}min")
    gaps = len(grid) - int(key.isin(grid).sum())
    if gaps > 0:
        issues["missing intervals (gaps, not counted as zero)"] = gaps
    off_grid = int((~key.isin(grid)).sum())
    if off_grid:
        issues["intervals off the regular grid (kept)"] = off_grid
