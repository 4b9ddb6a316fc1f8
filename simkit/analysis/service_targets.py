"""Service targets and staffing levers: what right-sizing must meet, and what it may change.

A target is a bound on the *mean* of one KPI of the registry (:mod:`simkit.accounting.registry`), read in the KPI's
own direction: ``{"sla_attainment_share": 0.9}`` means "at least 0.9" because more is better,
``{"lead_time_p90_h": 24}`` means "at most 24 h" because less is better.  The text form
``"lead_time_p90_h <= 24"`` says the same; an operator that contradicts the KPI's direction is refused
rather than searched for (a ``>=`` on a lead time would ask for *slower* service).

The levers, the head counts the search may change, live in :mod:`simkit.analysis.staff_levers` (re-exported
here).

Why two kinds of target: a service KPI improves (or stays put) as staff is added, which is what lets
the search bisect; a cost or head-count KPI (the ``cost`` and ``scalability`` families) grows with staff.
Those are *ceilings*, checked at the least-cost staffing that meets the service targets: when that
staffing breaks a ceiling, so does every staffing that meets the service targets.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simkit.accounting import registry as registry
from simkit.analysis.staff_levers import (  # re-exported: the levers are part of what a search is asked
    MAX_LEVER_STAFF,
    StaffLever,
    default_levers,
    option_pools,
    parse_levers,
)
from simkit.scenario.yamlio import ScenarioError, show

__all__ = ["Target", "StaffLever", "parse_targets", "parse_levers", "default_levers", "option_pools",
           "CEILING_FAMILIES", "MAX_LEVER_STAFF"]

CEILING_FAMILIES = ("cost", "scalability")
"""KPI families that grow with staff: their targets are ceilings checked at the chosen staffing."""

_TEXT = re.compile(r"^\s*(?P<kpi>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>>=|<=|=)\s*(?P<value>\S+)\s*$")
_SENSE = {1: ">=", -1: "<="}
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
"""A number as written in a scenario file: ASCII digits only (``float`` would also read ``'1_0'`` as 10 and
Arabic-Indic digits as their values, which a reader of the command line would not see)."""


@dataclass(frozen=True)
class Target:
    """The mean of ``kpi`` must be ``>= bound`` (``sense`` +1) or ``<= bound`` (``sense`` -1).

    Attributes
    ----------
    kpi
        The KPI column (with the scenario's currency for a money KPI: ``cost_total_usd``).
    bound
        The value the KPI's mean must reach, in the KPI's unit.
    sense
        +1 for "at least" (a higher-is-better KPI), -1 for "at most".
    ceiling
        The KPI grows with staff (cost, head counts): checked at the chosen staffing, not searched on.
    """

    kpi: str
    bound: float
    sense: int
    ceiling: bool = False

    def __str__(self) -> str:
        return f"{self.kpi} {_SENSE[self.sense]} {self.bound:.6g}"  # as stated, not rounded to the KPI's format

    def met(self, ci_low: float, ci_high: float) -> bool:
        """Whether the interval's unfavourable edge is on the right side of the bound."""
        return ci_low >= self.bound if self.sense > 0 else ci_high <= self.bound


def _number(path: str, raw: Any) -> float:
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise ScenarioError(path, f"must be a finite number, got {show(raw)}")
    if isinstance(raw, str) and not _DECIMAL.fullmatch(raw.strip()):
        raise ScenarioError(path, f"must be a finite number written with the digits 0-9 (e.g. 0.9 or 24), "
                                  f"got {show(raw)}")
    try:
        value = float(raw)
    except OverflowError:  # an int too large for a float
        value = math.inf
    if not math.isfinite(value):
        raise ScenarioError(path, f"must be a finite number, got {show(raw)}")
    return value


def _target(name: Any, op: str | None, raw: Any, currency: str) -> Target:
    if not isinstance(name, str) or not name:
        raise ScenarioError("target", f"KPI names must be text, got {show(name)}")
    path = f"target.{name}" if re.fullmatch(r"[A-Za-z0-9_]{1,80}", name) else f"target.{show(name)}"
    kpi = registry.lookup(name)
    if kpi is None and name in {k.stem for k in registry.KPIS}:
        kpi = registry.lookup(registry.kpi_name(name, currency))
    if kpi is None:
        known = ", ".join(k.name.replace("{c}", currency) for k in registry.KPIS if k.direction)
        raise ScenarioError(path, f"is not a KPI; KPIs with a direction: {known}")
    column = kpi.column(currency)
    if kpi.is_money and name not in (column, kpi.stem):
        raise ScenarioError(path, f"the scenario's currency is {currency.upper()}: write {column}")
    if kpi.direction == 0:
        usable = ", ".join(k.name.replace("{c}", currency) for k in registry.KPIS if k.direction)
        raise ScenarioError(path, f"has no better direction, so it cannot be a target; KPIs with one: {usable}")
    if op is not None and op != "=" and op != _SENSE[kpi.direction]:
        better = "higher" if kpi.direction > 0 else "lower"
        raise ScenarioError(path, f"{better} is better, so a target reads '{column} {_SENSE[kpi.direction]} "
                                  f"value', got '{op}'")
    value = _number(path, raw)
    if kpi.unit == "share" and not 0 <= value <= 1:
        raise ScenarioError(path, f"is a share: the target must be in [0, 1], got {show(raw)}")
    if kpi.non_negative and value < 0:
        raise ScenarioError(path, f"is never negative: the target must be >= 0, got {show(raw)}")
    return Target(column, value, kpi.direction, kpi.family in CEILING_FAMILIES)


def parse_targets(target: Mapping[str, Any] | str | Sequence[str], currency: str = "usd") -> tuple[Target, ...]:
    """Targets from ``{"kpi": value}``, ``"kpi <= value"`` / ``"kpi=value"``, or a list of such strings.

    Raises
    ------
    ScenarioError
        One line naming ``target.<kpi>``, the value and what is allowed.
    """
    items: list[tuple[Any, str | None, Any]] = []
    if isinstance(target, Mapping):
        items = [(k, None, v) for k, v in target.items()]
    elif isinstance(target, str) or (isinstance(target, Sequence) and not isinstance(target, bytes)):
        for text in [target] if isinstance(target, str) else list(target):
            if not isinstance(text, str):
                raise ScenarioError("target", f"expects 'kpi >= value' or 'kpi <= value' text, got {show(text)}")
            m = _TEXT.match(text)
            if m is None:
                raise ScenarioError("target", "expects 'kpi >= value', 'kpi <= value' or 'kpi=value' (e.g. "
                                              f"'lead_time_p90_h <= 24'), got {show(text)}")
            items.append((m["kpi"], m["op"], m["value"]))
    else:
        raise ScenarioError("target", f"expects a mapping {{kpi: value}} or 'kpi <= value' text, got {show(target)}")
    if not items:
        raise ScenarioError("target", "needs at least one KPI, e.g. {'sla_attainment_share': 0.9}")
    out = [_target(name, op, raw, currency.lower()) for name, op, raw in items]
    seen = [t.kpi for t in out]
    doubled = sorted({k for k in seen if seen.count(k) > 1})
    if doubled:
        raise ScenarioError(f"target.{doubled[0]}", "is given twice; give each KPI one bound")
    if all(t.ceiling for t in out):
        raise ScenarioError("target", "needs at least one service KPI (not cost or head count, which grow with "
                                      f"staff and are only checked), got {', '.join(map(str, out))}")
    return tuple(out)
