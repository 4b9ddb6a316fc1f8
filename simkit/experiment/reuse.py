"""Which options a change leaves untouched: reuse their run logs instead of simulating them again.

An option's run log depends only on what the engine reads for that option —
the run settings, the workload, the calendars, the option itself and the teams
and vendors it can use (its own, a backup, its escalation tiers, the fallback an exit brings in),
the currency of a team its vendors retain for parallel running (the log holds that team's exchange-rate
path) — and on the seed and replication.  Prices never enter it.  :func:`engine_key`
condenses exactly those inputs, with every cost-only field
(:func:`simkit.scenario.fields.is_cost_only`) left out, into a digest: two scenarios
with the same key for an option give that option identical logs, replication
by replication.

A dashboard that moves the in-house team's headcount therefore re-simulates
only the options that use that team; the vendor-only option is re-priced from
the previous run's logs (``simulate(..., reuse=previous)``), number for number
what a new simulation would give (``tests/experiment/test_memo.py``).
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from simkit.scenario.model import Scenario

if TYPE_CHECKING:
    from simkit.experiment.results import Results

__all__ = ["engine_key", "engine_keys", "reusable_options"]


def _members(scenario: Scenario, option: str) -> list[tuple[str, str]]:
    """``(section, name)`` of every team and vendor ``option`` may send work to, escalation tiers and fallbacks
    included."""
    spec = scenario.options[option]
    todo = [("teams", spec.team)] if spec.team else []
    todo += [("vendors", v) for v in (spec.vendor, spec.backup) if v]
    todo += [("teams" if t.pool in scenario.teams else "vendors", t.pool) for t in spec.escalation or ()]
    seen: list[tuple[str, str]] = []
    while todo:
        section, name = todo.pop(0)
        if (section, name) in seen:
            continue
        seen.append((section, name))
        member = (scenario.teams if section == "teams" else scenario.vendors)[name]
        fallback = getattr(getattr(member, "exit", None), "fallback", None)
        if fallback:
            todo.append(("teams" if fallback in scenario.teams else "vendors", fallback))
    return seen


def _retained_fx(scenario: Scenario, members: list[tuple[str, str]], data: dict) -> dict[str, Any]:
    """The currency of each team a member vendor retains for parallel running that is paid in another
    currency: the log holds its exchange-rate path (:mod:`simkit.engine.assembly`) though the team is not a
    member."""
    out = {}
    for section, name in members:
        transition = scenario.vendors[name].transition if section == "vendors" else None
        if transition is not None and transition.retained_team is not None:
            fx = data["teams"][transition.retained_team].get("fx")
            if fx is not None:
                out[transition.retained_team] = fx
    return out


def _engine_part(value: Any, path: str) -> Any:
    """``value`` (a dumped scenario section at dotted ``path``) without its cost-only fields."""
    from simkit.scenario.fields import is_cost_only  # here: reprice builds on experiment, which uses this module

    if isinstance(value, dict):
        return {k: _engine_part(v, f"{path}.{k}") for k, v in sorted(value.items())
                if not is_cost_only(f"{path}.{k}")}
    if isinstance(value, list | tuple):
        return [_engine_part(v, path) for v in value]
    return value


def engine_key(scenario: Scenario, option: str) -> str:
    """A digest of everything the engine reads to simulate ``option`` (prices left out)."""
    return engine_keys(scenario, [option])[option]


def engine_keys(scenario: Scenario, options: list[str]) -> dict[str, str]:
    """:func:`engine_key` of each of ``options`` (the scenario is dumped once)."""
    data = scenario.model_dump(mode="json")
    shared = {
        "run": {k: v for k, v in _engine_part(data["run"], "run").items()
                if k not in ("replications", "seed", "kernel")},  # every kernel gives the same log
        # the kinds' order matters (the trace draws them in it and indexes them by position): keep it
        "workload": {**data["workload"], "kinds": [[name, spec] for name, spec in data["workload"]["kinds"].items()]},
        "calendars": data["calendars"],
    }
    keys = {}
    for option in options:
        members = _members(scenario, option)
        parts = {**shared, "option": _engine_part(data["options"][option], f"options.{option}"),
                 "members": {f"{section}.{name}": _engine_part(data[section][name], f"{section}.{name}")
                             for section, name in members}}
        retained = _retained_fx(scenario, members, data)
        if retained:  # only then, so that every other option keeps the digest it had
            parts["retained_fx"] = retained
        text = json.dumps(parts, sort_keys=True, default=str, allow_nan=True)
        keys[option] = hashlib.sha256(text.encode()).hexdigest()
    return keys


def reusable_options(scenario: Scenario, seed: int, previous: Results | None) -> list[str]:
    """The options of ``scenario`` whose logs ``previous`` holds for the same engine inputs and seed."""
    if previous is None or not previous.logs or int(previous.seed) != int(seed):
        return []
    both = [name for name in scenario.option_names if name in previous.scenario.options]
    new, old = engine_keys(scenario, both), engine_keys(previous.scenario, both)
    return [name for name in both if new[name] == old[name]]
