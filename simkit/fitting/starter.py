"""``simkit new``: a commented starter scenario from the few numbers a strategist knows.

Annual volume, opening hours, the team's size and loaded cost, the effort per item and the vendor's
price per item are enough for a first make-or-buy comparison: an in-house option and a vendor option
on the same workload.  When the staff count is not given the team is the fewest people busy at most
85% of their open hours, and the comment says how busy that is (a leaner or fatter team is an edit away;
``simkit validate`` shows the load).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simkit.calendars.weekly import DAY_NAMES, Calendar
from simkit.errors import ScenarioError
from simkit.fitting.write import TARGET_UTILISATION, WEEKS_PER_YEAR, _kv

__all__ = ["Starter", "starter_yaml", "parse_hours", "parse_days"]


@dataclass(frozen=True)
class Starter:
    """The numbers of a starter scenario (units in the names)."""

    annual_volume: float = 9000.0
    open_hour: float = 8.0
    close_hour: float = 18.0
    days: tuple[str, ...] = DAY_NAMES[:5]
    utc_offset_h: float = 0.0
    effort_min: float = 30.0
    staff: int | None = None
    loaded_cost_per_hour: float = 50.0
    vendor_price_per_item: float = 25.0
    currency: str = "USD"
    name: str = "My make-or-buy question"


def parse_hours(text: str) -> tuple[float, float]:
    """``"8-18"`` or ``"08:30-17:00"`` -> ``(8.0, 18.0)``."""
    try:
        a, b = text.split("-")
        def hour(s: str) -> float:
            h, _, m = s.strip().partition(":")
            return int(h) + (int(m) / 60.0 if m else 0.0)
        lo, hi = hour(a), hour(b)
    except ValueError:
        raise ScenarioError("--hours", f"must look like 8-18 or 08:30-17:00, got {text[:40]!r}") from None
    if not (0 <= lo < 24 and 0 < hi <= 24 and lo != hi):
        raise ScenarioError("--hours", f"must be two different hours between 0 and 24, got {text[:40]!r}")
    return lo, hi


def parse_days(text: str) -> tuple[str, ...]:
    """``"mon-fri"`` or ``"mon,wed,sat"`` -> day names."""
    t = text.strip().lower()
    try:
        if "-" in t:
            a, b = (DAY_NAMES.index(x.strip()) for x in t.split("-"))
            return tuple(DAY_NAMES[i % 7] for i in range(a, b + 1 if b >= a else b + 8))
        days = tuple(DAY_NAMES[DAY_NAMES.index(x.strip())] for x in t.split(","))
    except ValueError:
        raise ScenarioError("--days", f"must be like mon-fri or mon,wed,sat, got {text[:40]!r}") from None
    if len(set(days)) != len(days):
        raise ScenarioError("--days", f"must not repeat a day, got {text[:40]!r}")
    return days


def _work_and_open_hours(s: Starter) -> tuple[float, float]:
    """Effort hours a year and open hours a year per person of ``s``."""
    open_h = Calendar.weekly(s.utc_offset_h, s.open_hour, s.close_hour, s.days).open_hours_per_week * WEEKS_PER_YEAR
    return s.annual_volume * s.effort_min / 60.0, open_h


def sized_staff(s: Starter) -> int:
    """The fewest staff busy at most :data:`TARGET_UTILISATION` of their open hours with ``s``'s volume and effort."""
    work_h, open_h = _work_and_open_hours(s)
    return max(1, math.ceil(work_h / (open_h * TARGET_UTILISATION)))


def _staff_note(s: Starter, staff: int) -> str:
    """How the head count was chosen, with the utilisation it gives (whole people rarely land on the target)."""
    work_h, open_h = _work_and_open_hours(s)
    busy = f"{work_h / (staff * open_h):.0%}"
    if s.staff is not None:
        return f"given (busy {busy} of open hours)"
    return f"the fewest people busy at most {TARGET_UTILISATION:.0%} of open hours ({busy} with {staff})"


def starter_yaml(s: Starter) -> str:
    """The commented starter scenario text."""
    staff = s.staff if s.staff is not None else sized_staff(s)
    sized = _staff_note(s, staff)
    agents = sized_staff(s)
    lines = ["# A starter scenario written by `simkit new`: every number below is a guess to replace.",
             "# Check it with `simkit validate` (load summary), then `simkit compare`.",
             "# To calibrate the workload to your own history instead: `simkit fit HISTORY -o scenario.yaml`."]
    lines += _kv("name", s.name, 0)
    lines += _kv("run", {"horizon_days": 365, "replications": 20, "seed": 12345, "currency": s.currency}, 0)
    lines.append("calendars:")
    lines += _kv("office", {"utc_offset_h": s.utc_offset_h, "open_hour": s.open_hour, "close_hour": s.close_hour,
                            "days": list(s.days)}, 2, "when your team works (local time at utc_offset_h)")
    lines.append("workload:")
    lines += _kv("annual_volume", s.annual_volume, 2, "items a year; add hour_of_day / day_of_week multipliers "
                 "to shape it (the volume stays what you write)")
    lines += _kv("calendar", "office", 2, "the clock the profiles refer to")
    lines.append("  kinds:")
    lines += _kv("work", {"share": 1.0, "effort_h": f"lognormal(mean={s.effort_min / 60.0:.4g}, cv=0.8)",
                          "sla_h": 24.0}, 4, "one kind of item: mean effort in hours, target lead time")
    lines.append("teams:")
    lines += _kv("in_house", {"staff": staff, "calendar": "office", "loaded_cost_per_hour": s.loaded_cost_per_hour},
                 2, f"staff: {sized}; loaded cost per paid hour: salary, benefits, space, tools")
    lines.append("vendors:")
    lines += _kv("vendor", {"agents": agents, "calendar": "office", "pricing": "per_item",
                            "price_per_item": s.vendor_price_per_item, "governance_share": 0.05}, 2,
                 "a provider paid per item; governance_share: your cost of managing it, as a share of the fees")
    lines.append("options:")
    lines += _kv("in_house", {"team": "in_house", "label": "Keep it in-house"}, 2)
    lines += _kv("outsource", {"vendor": "vendor", "label": "Outsource to the vendor"}, 2)
    lines += _kv("baseline", "in_house", 0)
    return "\n".join(lines) + "\n"
