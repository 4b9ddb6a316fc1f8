"""The rules of a classroom game and the teams' submissions: read, check, and turn into scenarios.

A *game file* names a base scenario (the shared world: workload, calendars, teams and vendors with their
outages and exits), the service floor, and what a strategy may choose: which teams and vendors it may use,
which routings, which numeric levers within which bounds, and which contract packages each vendor offers.
A *submission* is a team's choice within those limits.  Everything a file says is data: it is parsed with
the scenario loader's strict YAML reader (no aliases, no duplicate keys, nothing evaluated) and every
problem becomes one :class:`~simkit.errors.ScenarioError` line naming the file, the field and what is
allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simkit.errors import ScenarioError
from simkit.errors import pick_name as _pick
from simkit.errors import show as _show
from simkit.scenario.model import Scenario, load
from simkit.scenario.yamlio import parse_yaml, read_file

__all__ = ["Game", "Submission", "load_game", "read_submission", "STRATEGY_KEYS", "MAX_SUBMISSION_BYTES"]

MAX_SUBMISSION_BYTES = 20_000
"""A strategy fits on a postcard; a larger file is refused before it is read."""
MAX_GAME_BYTES = 200_000
STRATEGY_KEYS = ("team", "vendor", "routing", "overflow_queue", "vendor_kinds", "backup", "backup_share")
"""The fields of an option (see ``options`` in scenarios/README.md) a strategy may set."""
_OPTION_LEVERS = ("overflow_queue", "backup_share")
_GAME_KEYS = ("name", "description", "scenario", "seed", "replications", "service_floor", "teams", "vendors",
              "routing", "levers", "contracts")
_SUBMISSION_KEYS = ("team", "strategy", "set", "contracts", "note")
_SHARED_WORLD = ("run.", "workload.", "calendars.")
_SHARED_RISKS = (".outages", ".exit", ".degradation", ".fx")


def _shared(path: str) -> bool:
    """Whether ``path`` is part of the world every team must share (common random numbers)."""
    return path.startswith(_SHARED_WORLD) or any(f"{r}." in f"{path}." for r in _SHARED_RISKS)


OPTION = "strategy"
"""The name of the one option in every team's scenario."""


@dataclass(frozen=True)
class Game:
    """A game: the shared world and the limits every strategy must respect.

    Attributes
    ----------
    name
        Shown above the leaderboard.
    base
        The base scenario; its ``options`` are replaced by each team's strategy.
    seed, replications
        The simulated year(s) every team faces: the same seed and replication numbers for all, so the same
        arrivals, outages and exits (streams are keyed by component name, :mod:`simkit.streams`).
    service_floor
        Minimum ``sla_attainment_share``; a team below it is ranked after every team at or above it.
    teams, vendors, routings
        What a strategy may use.
    levers
        Dotted path (or ``strategy.overflow_queue`` / ``strategy.backup_share``) -> (low, high), inclusive.
    contracts
        Vendor -> package name -> dotted changes; the first package listed is the default.
    """

    name: str
    base: Scenario
    seed: int
    replications: int
    service_floor: float
    teams: tuple[str, ...]
    vendors: tuple[str, ...]
    routings: tuple[str, ...]
    levers: dict[str, tuple[float, float]]
    contracts: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    source: str = ""

    def describe(self) -> str:
        """The rules in a few lines, for the class."""
        lines = [f"{self.name}: {self.base.run.horizon_days:g} days, seed {self.seed}, "
                 f"{self.replications} replication(s); service floor: SLA attainment >= {self.service_floor:g}",
                 f"  teams: {', '.join(self.teams) or 'none'}; vendors: {', '.join(self.vendors) or 'none'}; "
                 f"routing: {', '.join(self.routings) or 'none'}"]
        lines += [f"  set {path}: {lo:g} to {hi:g}" for path, (lo, hi) in self.levers.items()]
        lines += [f"  contracts of {v}: {', '.join(menu)} (default {next(iter(menu))})"
                  for v, menu in self.contracts.items()]
        return "\n".join(lines)


@dataclass(frozen=True)
class Submission:
    """One team's valid strategy, and the scenario it plays."""

    team: str
    file: str
    scenario: Scenario


def _read_mapping(path: Path, limit: int, source: str) -> dict[str, Any]:
    data = parse_yaml(read_file(path, "a game file", limit), source, "a game file")  # regular files only, capped
    if not isinstance(data, dict):
        raise ScenarioError("", f"must be a YAML mapping of keys to values, got {_show(data)}", source)
    return data


def _unknown_keys(data: dict[str, Any], allowed: tuple[str, ...], where: str, source: str) -> None:
    for key in data:
        if key not in allowed:
            problem = _pick(str(key), dict.fromkeys(allowed), "key") or ""
            raise ScenarioError(f"{where}{key}", problem.replace("; defined:", "; allowed:"), source)


def _number(value: Any, path: str, source: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(path, f"must be a finite number, got {_show(value)}", source)
    return float(value)


def _names(data: dict[str, Any], key: str, known: dict[str, Any] | tuple[str, ...], source: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScenarioError(key, f"must be a list of names, got {_show(value)}", source)
    for v in value:
        problem = _pick(v, dict.fromkeys(known), key.rstrip("s") if key != "routing" else "routing")
        if problem:
            raise ScenarioError(key, problem, source)
    return tuple(value)


def load_game(path: str | Path) -> Game:
    """Read and check a game file; the base scenario's path is relative to it.

    Raises
    ------
    ScenarioError
        One line naming the file, the field and what is allowed.
    """
    p = Path(path)
    source = str(path)
    data = _read_mapping(p, MAX_GAME_BYTES, source)
    _unknown_keys(data, _GAME_KEYS, "", source)
    for key in ("name", "scenario", "service_floor"):
        if key not in data:
            raise ScenarioError(key, "is required but missing", source)
    if not isinstance(data["name"], str) or not data["name"].strip():
        raise ScenarioError("name", f"must be a non-empty text, got {_show(data['name'])}", source)
    if not isinstance(data["scenario"], str):
        raise ScenarioError("scenario", f"must be a path to a scenario file, got {_show(data['scenario'])}", source)
    base = load(p.parent / data["scenario"])
    seed = data.get("seed", base.run.seed)
    reps = data.get("replications", 1)
    for key, value, low, high in (("seed", seed, 0, 2**63 - 1), ("replications", reps, 1, 200)):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            allowed = "a whole number >= 0" if low == 0 else "a whole number from 1 to 200"
            raise ScenarioError(key, f"must be {allowed}, got {_show(value)}", source)
    floor = _number(data["service_floor"], "service_floor", source)
    if not 0 <= floor <= 1:
        raise ScenarioError("service_floor", f"must be an SLA attainment share in [0, 1], got {_show(floor)}", source)
    teams = _names(data, "teams", base.teams, source)
    vendors = _names(data, "vendors", base.vendors, source)
    routings = _names(data, "routing", ("overflow", "by_kind"), source)
    levers = _levers(data.get("levers", {}), base, source)
    contracts = _contracts(data.get("contracts", {}), base, vendors, source)
    return Game(data["name"].strip(), base, int(seed), int(reps), floor, teams, vendors, routings, levers,
                contracts, source)


def _levers(raw: Any, base: Scenario, source: str) -> dict[str, tuple[float, float]]:
    if not isinstance(raw, dict):
        raise ScenarioError("levers", f"must map dotted paths to [low, high], got {_show(raw)}", source)
    out: dict[str, tuple[float, float]] = {}
    for path, bounds in raw.items():
        where = f"levers.{path}"
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise ScenarioError(where, f"must be [low, high], got {_show(bounds)}", source)
        lo, hi = (_number(b, where, source) for b in bounds)
        if lo > hi:
            raise ScenarioError(where, f"low must not exceed high, got {_show(bounds)}", source)
        if _shared(str(path)):
            raise ScenarioError(where, "is part of the year every team shares (workload, calendars, run, outages, "
                                "exits, degradation, FX) and cannot be a lever", source)
        if str(path).startswith(f"{OPTION}."):
            if str(path)[len(OPTION) + 1:] not in _OPTION_LEVERS:
                raise ScenarioError(where, f"a strategy lever must be one of {', '.join(_OPTION_LEVERS)}", source)
        else:
            try:  # the path must name a numeric field of the base scenario
                base.override({path: lo})
            except ScenarioError as err:
                raise ScenarioError(where, err.message if err.path == path else f"{err.path}: {err.message}",
                                    source) from None
        out[str(path)] = (lo, hi)
    return out


def _contracts(raw: Any, base: Scenario, vendors: tuple[str, ...],
               source: str) -> dict[str, dict[str, dict[str, Any]]]:
    if not isinstance(raw, dict):
        raise ScenarioError("contracts", f"must map a vendor to its packages, got {_show(raw)}", source)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for vendor, menu in raw.items():
        problem = _pick(str(vendor), dict.fromkeys(vendors), "vendor")
        if problem:
            raise ScenarioError(f"contracts.{vendor}", problem, source)
        if not isinstance(menu, dict) or not menu:
            raise ScenarioError(f"contracts.{vendor}", f"must map package names to changes, got {_show(menu)}", source)
        for package, changes in menu.items():
            where = f"contracts.{vendor}.{package}"
            if not isinstance(changes, dict):
                raise ScenarioError(where, f"must map dotted paths to values, got {_show(changes)}", source)
            shared = [str(k) for k in changes if _shared(str(k))]
            if shared:
                raise ScenarioError(f"{where}.{shared[0]}", "is part of the year every team shares and cannot be "
                                    "a contract term", source)
            try:
                base.override(changes)
            except ScenarioError as err:
                raise ScenarioError(where, f"{err.path}: {err.message}", source) from None
        out[str(vendor)] = {str(k): dict(v) for k, v in menu.items()}
    return out


def read_submission(game: Game, path: str | Path) -> tuple[str, Scenario]:
    """A team's name and the scenario its strategy plays (one option, :data:`OPTION`).

    Raises
    ------
    ScenarioError
        One line naming the file, the field and what the game allows.
    """
    p = Path(path)
    source = p.name
    data = _read_mapping(p, MAX_SUBMISSION_BYTES, source)
    _unknown_keys(data, _SUBMISSION_KEYS, "", source)
    team = data.get("team")
    if (not isinstance(team, str) or not team.strip() or len(team.strip()) > 60
            or not team.strip().isprintable()):
        raise ScenarioError("team", f"must be a team name of 1 to 60 printable characters, got {_show(team)}",
                            source)
    strategy = data.get("strategy")
    if not isinstance(strategy, dict):
        raise ScenarioError("strategy", f"must be a mapping such as {{vendor: alpha}}, got {_show(strategy)}", source)
    _unknown_keys(strategy, STRATEGY_KEYS, "strategy.", source)
    for key, allowed in (("team", game.teams), ("vendor", game.vendors), ("backup", game.vendors),
                         ("routing", game.routings)):
        if key in strategy:
            value = strategy[key]
            if not isinstance(value, str) or value not in allowed:
                listed = ", ".join(allowed) or "none"
                raise ScenarioError(f"strategy.{key}", f"must be one of the game's {listed}, got {_show(value)}",
                                    source)
    changes: dict[str, Any] = {}
    sets = data.get("set", {}) or {}
    if not isinstance(sets, dict):
        raise ScenarioError("set", f"must map lever paths to numbers, got {_show(sets)}", source)
    for key, value in list(sets.items()) + [(f"{OPTION}.{k}", strategy[k]) for k in _OPTION_LEVERS if k in strategy]:
        path = f"set.{key}" if not str(key).startswith(f"{OPTION}.") else str(key)
        if key not in game.levers:
            listed = ", ".join(game.levers) or "none"
            raise ScenarioError(path, f"is not a lever of this game; levers: {listed}", source)
        lo, hi = game.levers[key]
        x = _number(value, path, source)
        if not lo <= x <= hi:
            raise ScenarioError(path, f"must be between {lo:g} and {hi:g}, got {_show(value)}", source)
        if not str(key).startswith(f"{OPTION}."):
            changes[str(key)] = value
    used = [strategy[k] for k in ("vendor", "backup") if k in strategy]
    chosen = data.get("contracts", {}) or {}
    if not isinstance(chosen, dict):
        raise ScenarioError("contracts", f"must map a vendor to a package name, got {_show(chosen)}", source)
    for vendor, package in chosen.items():
        if vendor not in used:
            raise ScenarioError(f"contracts.{vendor}", f"names a vendor the strategy does not use; it uses: "
                                f"{', '.join(used) or 'none'}", source)
        menu = game.contracts.get(vendor, {})
        if package not in menu:
            raise ScenarioError(f"contracts.{vendor}", f"must be one of {', '.join(menu) or 'no packages'}, "
                                f"got {_show(package)}", source)
    for vendor in used:  # the default package (the first listed) unless the team chose another
        menu = game.contracts.get(vendor, {})
        if menu:
            changes.update(menu[chosen.get(vendor, next(iter(menu)))])
    option = {k: v for k, v in strategy.items()} | {"label": OPTION}
    changes.update({"options": {OPTION: option}, "baseline": OPTION})
    try:
        return team.strip(), game.base.override(changes)
    except ScenarioError as err:
        path = err.path.replace(f"options.{OPTION}", "strategy") if err.path else ""
        raise ScenarioError(path, err.message, source) from None
