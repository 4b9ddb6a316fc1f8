"""Which scenario fields get a slider on the dashboard, with what range, step and unit.

A *control* is a dotted path into the scenario (``teams.engineers.staff``) with a label that carries
its unit and range (``engineers: staff (people, 0–6)``).  The default set covers the levers every
make-or-buy scenario has — the arrival rate, each team's staff and loaded cost, each vendor's agents
and the price its scheme uses, each overflow threshold.  Sweep levers (:class:`simkit.Lever`) and
levers files (:func:`simkit.load_levers`) become controls with their own ranges.  No widgets here:
:mod:`simkit.widgets` turns controls into sliders.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .scenario import Scenario, ScenarioError

__all__ = ["Control", "control_for", "controls_from", "default_controls", "value_at"]

_UNITS = {"rate_per_hour": "items/h", "staff": "people", "agents": "people",
          "loaded_cost_per_hour": "{cur}/h", "price_per_item": "{cur}/item",
          "price_per_fte_month": "{cur}/agent-month", "fee_per_month": "{cur}/month",
          "overhead_per_fte_month": "{cur}/FTE-month", "transition_cost": "{cur}", "overflow_queue": "items",
          "productivity": "x", "governance_share": "share of fees", "handoff_h": "h", "horizon_days": "days",
          "growth_annual": "per year"}


@dataclass(frozen=True)
class Control:
    """One slider: a dotted scenario path, its label with unit and range, and the range itself."""

    path: str
    label: str
    low: float
    high: float
    step: float
    integer: bool


def value_at(scenario: Scenario, path: str) -> Any:
    """The scenario's value at a dotted path (a :class:`ScenarioError` naming the path if there is none)."""
    node: Any = scenario.to_dict()
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ScenarioError(path, "is not a field of the scenario")
        node = node[part]
    return node


def _nice_step(span: float) -> float:
    raw = span / 40.0
    exp = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return min((m * exp for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(s - raw))


def control_for(scenario: Scenario, path: str, label: str | None = None, low: float | None = None,
                high: float | None = None) -> Control:
    """A slider for the numeric field at ``path``: from 0 to about three times its value unless given."""
    value = value_at(scenario, path)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(path, f"a lever needs a number, got {value!r}")
    field = path.rsplit(".", 1)[-1]
    unit = _UNITS.get(field, "").format(cur=scenario.run.currency)
    text = label or " ".join(path.split(".")[-2:]).replace("_", " ")
    integer = isinstance(value, int)
    if field.endswith("_share"):
        lo, hi = 0.0, 1.0
    elif integer:
        lo, hi = 0, max(2 * value, value + 4, 4)
    else:
        lo, hi = 0.0, 3.0 * value if value > 0 else 100.0
    lo, hi = (lo if low is None else low), (hi if high is None else high)
    if integer:
        lo, hi, step = math.floor(lo), math.ceil(hi), 1
    else:
        step = 0.01 if field.endswith("_share") and high is None else _nice_step(hi - lo)
        hi = round(lo + math.ceil((hi - lo) / step - 1e-9) * step, 10)
    where = f"{lo:g}–{hi:g}"
    return Control(path, f"{text} ({unit}, {where})" if unit else f"{text} ({where})", lo, hi, step, integer)


def controls_from(scenario: Scenario, levers: str | Path | Iterable[Any]) -> list[Control]:
    """Controls from a levers YAML file, dotted paths, :class:`Control` objects or sweep levers."""
    if isinstance(levers, str | Path):
        from .design import load_levers

        levers = load_levers(levers)
    out = []
    for lv in levers:
        if isinstance(lv, Control):
            out.append(lv)
        elif isinstance(lv, str):
            out.append(control_for(scenario, lv))
        else:  # a sweep lever (simkit.Lever): its path and range
            out.append(control_for(scenario, lv.path, getattr(lv, "name", "") or None, lv.low, lv.high))
    return out


def default_controls(scenario: Scenario) -> list[Control]:
    """The arrival rate, each team's staff and cost, each vendor's agents and price, each overflow queue."""
    levers = [control_for(scenario, "workload.rate_per_hour", "arrivals")]
    for name in scenario.teams:
        levers.append(control_for(scenario, f"teams.{name}.staff", f"{name}: staff"))
        levers.append(control_for(scenario, f"teams.{name}.loaded_cost_per_hour", f"{name}: loaded cost"))
    for name, v in scenario.vendors.items():
        levers.append(control_for(scenario, f"vendors.{name}.agents", f"{name}: agents"))
        prices = {"per_item": ["price_per_item"], "per_fte_month": ["price_per_fte_month"],
                  "fixed_plus_per_item": ["fee_per_month", "price_per_item"]}[v.pricing]
        for p in prices:
            levers.append(control_for(scenario, f"vendors.{name}.{p}", f"{name}: {p.replace('_', ' ')}"))
    for name, o in scenario.options.items():
        if o.routing == "overflow":
            levers.append(control_for(scenario, f"options.{name}.overflow_queue", f"{name}: overflow queue"))
    return levers
