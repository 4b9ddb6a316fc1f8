"""Staffing levers: the head counts right-sizing may change, how they are named, and how they are applied.

A lever is a head count of a pool the option can send work to, named by its dotted path, with inclusive
bounds.  Three forms name a head count, and nothing else is a lever:

* ``teams.<team>.staff`` -- a team on one calendar;
* ``teams.<team>.shifts.<shift>.staff`` -- one shift of a roster, ``<shift>`` its position (from 0) or the
  name of its calendar (when no other shift of the roster uses that calendar);
* ``vendors.<vendor>.agents`` -- a vendor's agents.

A path is refused in one line that names it, says what it holds and what would be a head count there
(``teams.l1_desk.staff`` of a roster: "name a shift: teams.l1_desk.shifts.early.staff, ...").

The pools an option uses (:func:`option_pools`) are its team, vendor and backup, an exit's fallback or
retained team, and the pool of every escalation tier; the default levers (:func:`default_levers`) are the
head counts of the option's team (every regular shift of a roster: an on-call shift is paid per call-out, so
it is a contingency, not capacity), its vendor and every escalation tier's pool, in that order.  A backup
or exit pool is a contingency and is not searched unless named.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simkit.scenario.model import Scenario
from simkit.scenario.yamlio import ScenarioError, show

__all__ = ["StaffLever", "parse_levers", "default_levers", "option_pools", "default_bounds", "staffed",
           "head_count", "MAX_LEVER_STAFF"]

MAX_LEVER_STAFF = 100_000
"""The schema's own cap on a head count (``teams.X.staff``, ``vendors.X.agents``, a shift's ``staff``)."""

_PATH = re.compile(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)+")
_FORMS = "teams.<team>.staff, teams.<team>.shifts.<shift>.staff or vendors.<vendor>.agents"


@dataclass(frozen=True)
class StaffLever:
    """A head count the search may set, from ``low`` to ``high`` inclusive."""

    path: str
    low: int
    high: int

    def __str__(self) -> str:
        return f"{self.path} in {self.low}..{self.high}"


def _where(path: str) -> str:
    return f"levers.{path}" if len(path) <= 80 else f"levers.{show(path)}"


def _shift_index(team: str, shifts: Sequence[Mapping[str, Any]], key: str, path: str) -> int:
    """The position of shift ``key`` (a position or a calendar name used by one shift only)."""
    if key.isdigit():
        if int(key) < len(shifts):
            return int(key)
    else:
        hits = [i for i, s in enumerate(shifts) if s.get("calendar") == key]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise ScenarioError(_where(path), f"shifts {', '.join(map(str, hits))} of teams.{team} share the "
                                              f"calendar {key}: name the shift by its position")
    names = ", ".join(f"{i} ({s.get('calendar')})" for i, s in enumerate(shifts))
    raise ScenarioError(_where(path), f"names no shift of teams.{team}; its shifts: {names}")


def _shift_name(shifts: Sequence[Mapping[str, Any]], i: int) -> str:
    """The shift's calendar when no other shift uses it (readable), else its position."""
    cal = shifts[i].get("calendar")
    return str(cal) if sum(1 for s in shifts if s.get("calendar") == cal) == 1 else str(i)


def _roster_hint(team: str, shifts: Sequence[Mapping[str, Any]]) -> str:
    return ", ".join(f"teams.{team}.shifts.{_shift_name(shifts, i)}.staff" for i in range(len(shifts)))


def _resolve(data: Mapping[str, Any], path: str) -> tuple[str, int]:
    """``(canonical path, today's head count)`` of a lever path, or a one-line :class:`ScenarioError`."""
    parts = path.split(".")
    section = parts[0]
    if section not in ("teams", "vendors"):
        raise ScenarioError(_where(path), f"names no head count; a lever is {_FORMS}")
    pools = data.get(section) or {}
    if len(parts) < 2 or parts[1] not in pools:
        raise ScenarioError(_where(".".join(parts[:2])), f"names no {section[:-1]} of the scenario; there: "
                                                         f"{', '.join(map(str, pools))[:300] or 'none'}")
    name, spec = parts[1], pools[parts[1]]
    if section == "vendors":
        if parts[2:] != ["agents"]:
            raise ScenarioError(_where(path), f"names no head count; the vendor's is vendors.{name}.agents")
        return path, int(spec["agents"])
    shifts = spec.get("shifts")
    if not shifts:
        if parts[2:] != ["staff"]:
            raise ScenarioError(_where(path), f"names no head count; the team's is teams.{name}.staff")
        return path, int(spec["staff"])
    if len(parts) != 5 or parts[2] != "shifts" or parts[4] != "staff":
        raise ScenarioError(_where(path), f"names no head count: teams.{name} is a roster, its head counts are "
                                          f"its shifts': {_roster_hint(name, shifts)}")
    i = _shift_index(name, shifts, parts[3], path)
    return f"teams.{name}.shifts.{_shift_name(shifts, i)}.staff", int(shifts[i]["staff"])


def head_count(data: Mapping[str, Any], path: str) -> int:
    """Today's head count at a lever path of ``scenario.to_dict()``."""
    return _resolve(data, path)[1]


def staffed(scenario: Scenario, staffing: Mapping[str, int]) -> Scenario:
    """``scenario`` with ``{lever path: head count}`` applied (a shift's count rewrites its roster's list).

    Raises
    ------
    ScenarioError
        For a path that names no head count, or a head count the scenario refuses.
    """
    data = scenario.to_dict()
    changes: dict[str, Any] = {}
    for path, value in staffing.items():
        parts = path.split(".")
        if len(parts) == 5 and parts[2] == "shifts":
            _resolve(data, path)
            team = f"teams.{parts[1]}.shifts"
            shifts = changes.setdefault(team, copy.deepcopy(list(data["teams"][parts[1]]["shifts"])))
            shifts[_shift_index(parts[1], shifts, parts[3], path)]["staff"] = value
        else:
            changes[path] = value
    return scenario.override(changes)


def _bound(path: str, which: str, raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= MAX_LEVER_STAFF:
        raise ScenarioError(f"{_where(path)}.{which}", f"must be a whole number in 0..{MAX_LEVER_STAFF:,}, "
                                                       f"got {show(raw)}")
    return raw


def default_bounds(current: int) -> tuple[int, int]:
    """1 up to four times today's head count (at least 8): wide enough for a straw man, small enough to run."""
    return 1, min(MAX_LEVER_STAFF, max(8, 4 * current))


def _item(item: Any) -> tuple[Any, Any, Any]:
    if isinstance(item, StaffLever):
        return item.path, item.low, item.high
    if isinstance(item, str):
        return item, None, None
    if isinstance(item, Mapping) and set(item) <= {"path", "low", "high"} and "path" in item:
        return item["path"], item.get("low"), item.get("high")
    if isinstance(item, (tuple, list)) and len(item) == 3:
        return tuple(item)
    raise ScenarioError("levers", f"each lever is a field path, (path, low, high) or {{path, low, high}}, "
                                  f"got {show(item)}")


def parse_levers(levers: Sequence[Any], scenario_data: Mapping[str, Any], option_pools: Sequence[str]
                 ) -> tuple[StaffLever, ...]:
    """Levers from paths (``"teams.x.staff"``), ``(path, low, high)``, ``{"path", "low", "high"}`` or
    :class:`StaffLever`; each must name a head count of a pool the option uses (module docstring)."""
    if isinstance(levers, (str, bytes, Mapping)) or not isinstance(levers, Sequence) or not levers:
        raise ScenarioError("levers", f"expects a non-empty list of field paths, got {show(levers)}")
    out: list[StaffLever] = []
    for item in levers:
        raw, low, high = _item(item)
        if not isinstance(raw, str) or not _PATH.fullmatch(raw):
            raise ScenarioError("levers", f"a lever is a dotted path such as {_FORMS}, got {show(raw)}")
        path, current = _resolve(scenario_data, raw)
        pool = ".".join(path.split(".")[:2])
        if pool not in option_pools:
            raise ScenarioError(_where(raw), f"belongs to {pool}, which the option does not use; its pools: "
                                             f"{', '.join(option_pools)}")
        d_low, d_high = default_bounds(current)
        low = d_low if low is None else _bound(path, "low", low)
        high = max(d_high, low) if high is None else _bound(path, "high", high)
        if high < low:
            raise ScenarioError(f"{_where(path)}.high", f"must be >= low ({low}), got {high}")
        out.append(StaffLever(path, low, high))
    paths = [lever.path for lever in out]
    doubled = sorted({p for p in paths if paths.count(p) > 1})
    if doubled:
        raise ScenarioError(_where(doubled[0]), "is given twice")
    return tuple(out)


def _pool_levers(scenario: Any, name: str) -> list[str]:
    """The head counts of pool ``name``: a vendor's agents, a team's staff or its roster's regular shifts."""
    if name in scenario.vendors:
        return [f"vendors.{name}.agents"]
    team = scenario.teams[name]
    if team.shifts is None:
        return [f"teams.{name}.staff"]
    dumped = [s.model_dump() for s in team.shifts]
    return [f"teams.{name}.shifts.{_shift_name(dumped, i)}.staff" for i, s in enumerate(team.shifts)
            if not s.on_call]


def default_levers(scenario: Any, option: str) -> list[str]:
    """The head counts of the option's team (each regular shift of a roster), its vendor and every escalation
    tier's pool, in that order (a backup vendor or an on-call shift is a contingency, not a lever)."""
    spec = scenario.options[option]
    pools = [p for p in (spec.team, spec.vendor) if p is not None] + [t.pool for t in spec.escalation or ()]
    return list(dict.fromkeys(path for pool in pools for path in _pool_levers(scenario, pool)))


def option_pools(scenario: Any, option: str) -> list[str]:
    """``teams.X`` / ``vendors.Y`` of every pool the option can send work to (backup, exit fallbacks and
    escalation tiers included)."""
    spec = scenario.options[option]
    pools = [f"teams.{spec.team}"] if spec.team is not None else []
    pools += [f"vendors.{v}" for v in (spec.vendor, spec.backup) if v is not None]
    for v in [p.split(".", 1)[1] for p in pools if p.startswith("vendors.")]:  # exit fallbacks take the work too
        ex, tr = scenario.vendors[v].exit, scenario.vendors[v].transition
        if ex is not None:
            pools.append(f"{'teams' if ex.fallback in scenario.teams else 'vendors'}.{ex.fallback}")
        if tr is not None and tr.retained_team is not None:
            pools.append(f"teams.{tr.retained_team}")
    for tier in spec.escalation or ():
        pools.append(f"{'teams' if tier.pool in scenario.teams else 'vendors'}.{tier.pool}")
    return list(dict.fromkeys(pools))
