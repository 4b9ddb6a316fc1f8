"""Writing the fitted scenario as YAML whose comments state every fitted value's evidence.

The scenario is complete and runnable: the fitted workload on a round-the-clock client calendar in
the history's local time (in its IANA zone with a ``run.start_date`` when the history named one, so
the profile follows daylight saving), a team calendar covering the hours that hold the work, and one starter
in-house option sized so that its staff are busy about :data:`TARGET_UTILISATION` of their open
hours.  Every comment says where a number came from (rows used, period, method) or that it is a
placeholder to edit.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import yaml

from simkit.calendars.weekly import DAY_NAMES, Calendar
from simkit.fitting.effort import KindFit
from simkit.fitting.profile import ArrivalFit
from simkit.fitting.read import History

__all__ = ["scenario_yaml", "team_hours", "TARGET_UTILISATION", "PLACEHOLDER_EFFORT"]

TARGET_UTILISATION = 0.85
PLACEHOLDER_EFFORT = "exponential(mean=0.25)"
WEEKS_PER_YEAR = 8766.0 / 168.0


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:300]


class _Dumper(yaml.SafeDumper):
    """Block mappings, flow lists (a profile stays on a few lines)."""


_Dumper.add_representer(list, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def _kv(key: str, value: Any, indent: int, comment: str | list[str] = "") -> list[str]:
    pad = " " * indent
    lines = [f"{pad}# {_one_line(c)}" for c in ([comment] if isinstance(comment, str) else comment) if c]
    dumped = yaml.dump({key: value}, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=110,
                       allow_unicode=True).rstrip("\n").splitlines()
    return lines + [pad + line for line in dumped]


def team_hours(arr: ArrivalFit) -> tuple[float, float, list[str]]:
    """Opening hours holding the work: the span of hours whose mean volume on open days is >= 20% of the peak."""
    grid = arr.how.reshape(7, 24)
    days = [DAY_NAMES[d] for d in range(7) if DAY_NAMES[d] not in arr.closed_days] or list(DAY_NAMES)
    hours = grid[[DAY_NAMES.index(d) for d in days]].mean(axis=0)
    busy = np.flatnonzero(hours >= 0.2 * hours.max())
    if busy.size == 0 or busy.size >= 22:
        return 0.0, 24.0, days
    return float(busy.min()), float(busy.max() + 1), days


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 3) for v in values]


def _workload(hist: History, arr: ArrivalFit, kinds: list[KindFit], annual: float) -> list[str]:
    period = f"{arr.start:%Y-%m-%d} to {arr.end:%Y-%m-%d}"
    out = ["workload:"]
    out += _kv("annual_volume", round(annual), 2, [
        f"fitted: {arr.total_items:,.0f} items in {arr.observed_hours:,.0f} observed hours ({period}), "
        "Poisson maximum likelihood; the level at the end of the history, over a year",
        "profiles below are normalised by the schema, so this is the first year's expected volume"])
    out += _kv("calendar", "client", 2)
    which = "separable hour x weekday" if arr.separable else "168 hour-of-week values"
    dev = "; ".join(f"{k}: {v:,.1f}" for k, v in arr.deviance.items()) or "too few days to compare"
    why = f"weekly profile: {which} (held-out Poisson deviance on alternate weeks, lower is better: {dev})"
    if arr.separable:
        grid = arr.how.reshape(7, 24)
        hod, dow = grid.mean(axis=0), grid.mean(axis=1)
        out += _kv("hour_of_day", _rounded(hod / hod.mean()), 2, [why, "local hours 0-23"])
        out += _kv("day_of_week", _rounded(dow / dow.mean()), 2, "Monday first")
    else:
        out += _kv("hour_of_week", _rounded(arr.how), 2, [why, "Monday 00-01 first, local time"])
    if arr.month is not None:
        out += _kv("month_of_year", _rounded(arr.month), 2,
                   "fitted on at least 12 months; January first (a run starts on 1 January)")
    else:
        out += [f"  # month_of_year: flat — {_one_line(n)}" for n in arr.notes if n.startswith("month")]
    lo, hi = arr.growth_ci
    if arr.growth_estimable:
        g_note = (f"log-linear trend: {math.expm1(arr.beta_per_year):+.1%} a year, 95% CI [{lo:+.1%}, {hi:+.1%}] "
                  f"(t on {arr.growth_df:.0f} df, day-to-day spread included)"
                  + ("" if arr.growth_annual else "; the interval includes 0, so no trend is written"))
    else:
        g_note = arr.growth_unestimable or "growth: not estimable, 0 written"
    out += _kv("growth_annual", round(arr.growth_annual, 4), 2, g_note)
    d_note = f"dispersion index of daily totals {arr.dispersion_index:.2f} (1 = Poisson)"
    if arr.day_noise_cv > 0:
        out += _kv("day_noise_cv", round(arr.day_noise_cv, 3), 2, d_note + "; clearly over-dispersed: "
                   "a gamma day multiplier with this cv makes simulated daily totals vary like the history")
    else:
        out.append(f"  # {d_note}: not clearly over-dispersed, no day multiplier")
    if arr.closed_days:
        out.append(f"  # closed days found (under 1% of the volume): {', '.join(arr.closed_days)}")
    if arr.holidays:
        shown = ", ".join(arr.holidays[:20]) + (" ..." if len(arr.holidays) > 20 else "")
        out.append(f"  # days with under 10% of their expected volume (holidays?): {shown}")
    out.append("  kinds:")
    for k in kinds:
        out += _kind(hist, k)
    return out


def _kind(hist: History, k: KindFit) -> list[str]:
    labels = ", ".join(k.labels[:5]) + (" ..." if len(k.labels) > 5 else "")
    out = [f"    # '{_one_line(labels)}': {k.count:,} rows ({k.share:.1%})", f"    {k.name}:"]
    out += _kv("share", round(k.share, 4), 6)
    if k.effort is not None:
        out += _kv("effort_h", k.effort.dist, 6, k.effort.why)
    else:
        out += _kv("effort_h", PLACEHOLDER_EFFORT, 6, "EDIT: no effort in the data; a placeholder of 15 minutes")
    if k.priority_label:
        out += _kv("priority", k.priority, 6, f"most common priority '{_one_line(k.priority_label)}' "
                   "(labels ranked, most urgent = 0)")
    if k.sla_h is not None:
        out += _kv("sla_h", round(k.sla_h, 2), 6, "90th percentile of observed resolution hours; EDIT: your "
                   "contractual target")
    return out


def scenario_yaml(hist: History, arr: ArrivalFit, kinds: list[KindFit], annual: float, name: str) -> str:
    """The commented scenario text (see the module docstring)."""
    open_h, close_h, days = team_hours(arr)
    offset = round(hist.utc_offset_h, 2)
    cal = Calendar.weekly(offset, open_h, close_h if close_h < 24 or open_h else 24.0, days)
    mean_effort = sum(k.share * (k.effort.mean_h if k.effort else 0.25) for k in kinds)
    work_h = annual * mean_effort
    open_per_year = cal.open_hours_per_week * WEEKS_PER_YEAR
    staff = max(1, math.ceil(work_h / (open_per_year * TARGET_UTILISATION)))
    where = f"UTC{offset:+g}" + (f" (standard offset of {hist.timezone})" if hist.timezone else "")
    issues = "; ".join(f"{k}: {v:,}" for k, v in hist.issues.items() if v) or "none"
    lines = [f"# Fitted by `simkit fit` from {_one_line(hist.source)}: {hist.rows_read:,} rows read.",
             f"# Data issues (counted, see the fit report written with this file): {issues}.",
             "# Next: edit the team's cost and add the options you want to compare (a vendor, a hybrid);",
             "# then `simkit validate` for the load summary and `simkit compare`."]
    lines += _kv("name", name, 0)
    run: dict[str, Any] = {"horizon_days": 365, "replications": 20, "seed": 12345, "currency": "USD"}
    clock: dict[str, Any] = {"utc_offset_h": offset}
    run_note = "EDIT: horizon, replications and currency"
    if hist.timezone:  # a DST zone: dated calendars follow its clock, so the profile stays on local hours
        end = arr.end
        run["start_date"] = dt.date(end.year + (end.month == 12), end.month % 12 + 1, 1).isoformat()
        clock = {"timezone": hist.timezone}
        where = f"{hist.timezone}, daylight saving followed"
        run_note += "; start_date: the 1st of the month after the history (calendars in a time zone need one)"
    lines += _kv("run", run, 0, run_note)
    lines.append("calendars:")
    lines += _kv("client", clock, 2, f"round the clock in the history's local time, {where}")
    lines += _kv("team_hours", {**clock, "open_hour": open_h, "close_hour": close_h, "days": days}, 2,
                 "the span of local hours holding at least 20% of the peak hour's volume, on open days")
    lines += _workload(hist, arr, kinds, annual)
    lines.append("teams:")
    lines += _kv("in_house", {"staff": staff, "calendar": "team_hours", "loaded_cost_per_hour": 50.0}, 2, [
        f"starter: {work_h:,.0f} effort hours a year over {open_per_year:,.0f} open hours per person: the fewest "
        f"staff busy at most {TARGET_UTILISATION:.0%} ({work_h / (staff * open_per_year):.0%} here)",
        "EDIT: loaded_cost_per_hour (salary, benefits, space, tools per paid hour)"])
    lines.append("options:")
    lines += _kv("in_house", {"team": "in_house", "label": "Today's team (fitted)"}, 2)
    lines += _kv("baseline", "in_house", 0)
    return "\n".join(lines) + "\n"
