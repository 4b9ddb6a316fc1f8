"""Which scenario fields get a control on the dashboard: a slider, a dropdown or an on/off toggle.

A *control* is a dotted path into the scenario (``teams.engineers.staff``) with a label that carries
its unit and range (``engineers: staff (people, 0–6)``).  The words and the unit are the facts the field
carries (:mod:`simkit.scenario.fields`: its ``label`` and ``symbol``), prefixed by the name of the team,
vendor or kind it belongs to.  What kind of control a path gets follows from the schema
(:mod:`simkit.scenario.schema`, :mod:`simkit.scenario.mechanisms`):

* a number gets a **slider** from 0 to about three times its value;
* a ``Literal[...]`` field (``vendors.<v>.pricing``, ``options.<o>.routing``, ``vendors.<v>.outages.policy``)
  gets a **choice**, a dropdown whose values are read from the field's annotation;
* a boolean field gets a **switch**, and an optional section the scenario defines (``vendors.<v>.outages``,
  ``teams.<t>.hiring``) a **section** toggle: "on" is the scenario's own section, "off" is ``None``.

The default set covers the levers every make-or-buy scenario has — the arrival rate, each team's staff
and loaded cost, each vendor's agents and the price its scheme uses, each overflow threshold — and, where
the scenario defines them, a toggle for each risk or scaling section (outages, degradation, exit, an
elastic bench, a review clause, hiring) and a dropdown for each outage policy.  Sweep levers (:class:`simkit.Lever`) and
levers files (:func:`simkit.load_levers`) become controls with their own ranges; a levers-file entry with
only a ``path`` to a choice, a switch or a section becomes a dropdown or a toggle.  No widgets here:
:mod:`simkit.ui.widgets` turns controls into sliders, dropdowns and toggles.
"""

from __future__ import annotations

import math
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from simkit.errors import ScenarioError, show
from simkit.scenario.fields import facts, label, symbol
from simkit.scenario.model import Scenario
from simkit.scenario.yamlio import load_yaml_file

__all__ = ["Control", "control_for", "controls_from", "default_controls", "field_kind", "kind_of", "schema_bounds",
           "value_at", "words_for"]

#: The optional sections the default set switches on and off, where the scenario defines them.
SWITCHED_SECTIONS = {"teams": ("hiring",), "vendors": ("outages", "degradation", "exit", "elastic", "review")}
KINDS = ("number", "choice", "switch", "section")


@dataclass(frozen=True)
class Control:
    """One control: a dotted scenario path, its label, and what the widget may show.

    Attributes
    ----------
    path, label
        The dotted scenario path and the text beside the widget (with unit and range).
    low, high, step, integer
        A slider's range (``kind="number"`` only).
    kind
        ``"number"`` (a slider), ``"choice"`` (a dropdown of ``options``), ``"switch"`` (a boolean
        field on or off) or ``"section"`` (an optional section: the scenario's own, or ``None``).
    options
        A choice's allowed values, in the schema's order.
    """

    path: str
    label: str
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0
    integer: bool = False
    kind: str = "number"
    options: tuple[Any, ...] = ()

    @property
    def is_toggle(self) -> bool:
        """Whether the control is on/off (a boolean field or an optional section)."""
        return self.kind in ("switch", "section")

    def shown(self, value: Any) -> Any:
        """What the widget shows for the scenario value ``value`` (a section: whether it is set)."""
        return value is not None if self.kind == "section" else value

    def value(self, shown: Any, base: Any) -> Any:
        """The scenario value for what the widget shows; ``base`` is the original scenario's value."""
        if self.kind == "section":
            return base if shown else None
        return shown


def value_at(scenario: Scenario, path: str) -> Any:
    """The scenario's value at a dotted path (a :class:`ScenarioError` naming the path if there is none)."""
    node: Any = scenario.to_dict()
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ScenarioError(path, "is not a field of the scenario")
        node = node[part]
    return node


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """``(the annotation without Annotated and None, whether None is allowed)``."""
    optional = False
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            optional = optional or len(args) < len(get_args(annotation))
            if len(args) != 1:
                return annotation, optional
            annotation = args[0]
        else:
            return annotation, optional


def _annotation(model: Any, path: str) -> Any:
    """The schema annotation of the field at ``path`` in ``model`` (``None`` if the schema has no such field)."""
    parts, i, annotation = path.split("."), 0, None
    while i < len(parts):
        model, _ = _unwrap(model)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(parts[i])
        if field is None:
            return None
        annotation = field.annotation
        inner, _ = _unwrap(annotation)
        if get_origin(inner) is dict:  # a named section: the next part is a user-chosen key
            i += 1
            if i == len(parts):
                return annotation
            annotation = get_args(inner)[1]
        model = annotation
        i += 1
    return annotation


def _field_info(model: Any, path: str) -> FieldInfo | None:
    """The pydantic :class:`FieldInfo` of the field at ``path`` in ``model`` (``None`` if there is no such field)."""
    parts = path.split(".")
    head, last = ".".join(parts[:-1]), parts[-1]
    parent = _annotation(model, head) if head else model
    inner, _ = _unwrap(parent)
    if get_origin(inner) is dict:  # the last part is a user-chosen key, not a field
        return None
    if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
        return None
    return inner.model_fields.get(last)


def schema_bounds(scenario: Scenario, path: str) -> tuple[float, float, bool, bool]:
    """``(low, high, low_open, high_open)``: what the schema allows at ``path`` (``ge``/``gt``, ``le``/``lt``).

    An open end (``gt``, ``lt``) is allowed to come close but not to reach the bound: ``absence_share`` is
    ``< 1``, so its slider stops one step short of 1.  Unbounded ends are infinite.
    """
    info = _field_info(type(scenario), path)
    low, high, low_open, high_open = -math.inf, math.inf, False, False
    for m in info.metadata if info is not None else ():
        for attr, is_open in (("ge", False), ("gt", True)):
            v = getattr(m, attr, None)
            if v is not None and (float(v) > low or (float(v) == low and is_open)):
                low, low_open = float(v), is_open
        for attr, is_open in (("le", False), ("lt", True)):
            v = getattr(m, attr, None)
            if v is not None and (float(v) < high or (float(v) == high and is_open)):
                high, high_open = float(v), is_open
    return low, high, low_open, high_open


def field_kind(scenario: Scenario, path: str) -> tuple[str, tuple[Any, ...]]:
    """``(kind, options)`` of the field at ``path`` read from the schema: see :class:`Control`.

    ``"number"`` also stands for anything the schema does not know; :func:`control_for` then checks the value.
    """
    return kind_of(_annotation(type(scenario), path))


def kind_of(annotation: Any) -> tuple[str, tuple[Any, ...]]:
    """``(kind, options)`` for a schema annotation: ``Literal`` a choice, ``bool`` a switch, an optional model
    a section, anything else ``"number"`` (see :class:`Control`)."""
    inner, optional = _unwrap(annotation)
    if get_origin(inner) is Literal:
        return "choice", get_args(inner)
    if inner is bool:
        return "switch", (True, False)
    if isinstance(inner, type) and issubclass(inner, BaseModel) and optional:
        return "section", (True, False)
    return "number", ()


def words_for(path: str) -> str:
    """The words beside a control for ``path``: the field's registry label, after the name it belongs to
    (``"engineers: loaded cost"`` for ``teams.engineers.loaded_cost_per_hour``, ``"arrivals"`` for
    ``workload.rate_per_hour``)."""
    f = facts(path)
    parts = str(path).split(".")
    named = [p for p, w in zip(parts, f.path.split("."), strict=True) if w == "<name>"] if f else []
    return f"{named[-1]}: {label(path)}" if named else label(path)


def _nice_step(span: float) -> float:
    raw = span / 40.0
    exp = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return min((m * exp for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(s - raw))


def _switch(path: str, kind: str, options: tuple[Any, ...], value: Any, text: str,
            ranged: bool) -> Control:
    """A dropdown or a toggle for ``path``; the errors name the path, the value and what is allowed."""
    what = {"choice": "a choice", "switch": "an on/off field", "section": "an optional section"}[kind]
    if ranged:
        raise ScenarioError(path, f"is {what}, so it takes no low or high; give only its path")
    if kind == "section":
        if value is None:
            raise ScenarioError(path, "is not defined in this scenario (None), and a toggle can only switch "
                                      "off a section the scenario defines; add the section to the file first")
        return Control(path, f"{text} (on/off)", kind=kind, options=options)
    if value not in options:
        allowed = ", ".join(map(str, options))
        raise ScenarioError(path, f"is {value!r} in this scenario, and a dropdown needs one of {allowed}")
    listed = " / ".join(map(str, options))
    shown = listed if len(listed) <= 24 else f"{len(options)} choices"
    return Control(path, f"{text} ({shown})", kind=kind, options=options)


def control_for(scenario: Scenario, path: str, label: str | None = None, low: float | None = None,
                high: float | None = None) -> Control:
    """A control for the field at ``path``: a slider, or a dropdown or toggle when the schema says so.

    A slider runs from 0 to about three times the value unless ``low`` and ``high`` are given; a choice,
    a switch or a section takes no range.
    """
    value = value_at(scenario, path)
    text = label or words_for(path)
    kind, options = field_kind(scenario, path)
    if kind != "number":
        return _switch(path, kind, options, value, text, low is not None or high is not None)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(path, f"a lever needs a number, a choice or an optional section, got {value!r}")
    field = path.rsplit(".", 1)[-1]
    unit = symbol(path, scenario.run.currency)
    integer = isinstance(value, int)
    s_lo, s_hi, lo_open, hi_open = schema_bounds(scenario, path)
    if field.endswith("_share") and math.isfinite(s_lo) and math.isfinite(s_hi):
        lo, hi = s_lo, s_hi
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
    lo, hi = _inside(lo, hi, step, integer, (s_lo, s_hi, lo_open, hi_open))
    where = f"{lo:g}–{hi:g}"
    return Control(path, f"{text} ({unit}, {where})" if unit else f"{text} ({where})", lo, hi, step, integer)


def _inside(lo: float, hi: float, step: float, integer: bool,
            bounds: tuple[float, float, bool, bool]) -> tuple[float, float]:
    """``(lo, hi)`` pulled inside the schema's bounds: every position of the slider is a valid value.

    A closed bound is reached, an open one stays a step away (a whole number for an integer field).
    """
    s_lo, s_hi, lo_open, hi_open = bounds
    if math.isfinite(s_lo):
        floor = s_lo + step if lo_open else s_lo
        lo = max(lo, math.ceil(floor) if integer else floor)
    if math.isfinite(s_hi):
        ceiling = s_hi - step if hi_open else s_hi
        hi = min(hi, math.floor(ceiling) if integer else ceiling)
    if integer:
        lo, hi = int(lo), int(hi)
    return lo, max(lo, hi)


def _levers_file(scenario: Scenario, path: str | Path) -> list[Control]:
    """A levers file's controls in file order: entries naming a choice, switch or section become toggles."""
    from simkit.experiment.design import check_sections, levers_from_dict

    source = str(path)
    data = load_yaml_file(path, "a levers file")  # bounded, regular files only, YAML 1.2, no duplicate keys
    if not isinstance(data, Mapping):
        return controls_from(scenario, levers_from_dict(data, source))
    check_sections(data, source)
    slots: list[Control | None] = []  # None: the next numeric lever, in file order
    numeric, malformed = dict(data), False
    for section in ("levers", "uncertainties"):
        entries = data.get(section) or {}
        if not isinstance(entries, Mapping):
            malformed = True  # levers_from_dict names the problem
            continue
        kept = {}
        for name, spec in entries.items():
            target = spec.get("path") if isinstance(spec, Mapping) else None
            if isinstance(target, str) and field_kind(scenario, target)[0] != "number":
                extra = sorted((k for k in spec if k != "path"), key=str)
                if extra:
                    raise ScenarioError(f"{section}.{name}", f"{target} is a choice or an on/off section, so "
                                        f"{show(str(extra[0]))} is not allowed; give only its path", source)
                slots.append(control_for(scenario, target, str(name)))
            else:
                kept[name] = spec
                slots.append(None)
        numeric[section] = kept
    if malformed or not slots or None in slots:
        ranged = iter(controls_from(scenario, levers_from_dict(numeric, source)))
        return [slot if slot is not None else next(ranged) for slot in slots]
    return [slot for slot in slots if slot is not None]


def controls_from(scenario: Scenario, levers: str | Path | Iterable[Any]) -> list[Control]:
    """Controls from a levers YAML file, dotted paths, :class:`Control` objects or sweep levers."""
    if isinstance(levers, str | Path):
        return _levers_file(scenario, levers)
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
    """The arrival rate and its growth, each kind's SLA target, each team's staff and cost, each vendor's
    agents, price, governance share and transition cost, each overflow queue, the horizon, and a toggle
    for each risk or scaling section the scenario defines (:data:`SWITCHED_SECTIONS`) with a dropdown for
    each outage policy."""
    volume = "annual_volume" if scenario.workload.annual_volume is not None else "rate_per_hour"
    levers = [control_for(scenario, f"workload.{volume}"),
              control_for(scenario, "workload.growth_annual", low=-0.2, high=0.5)]
    for kind, spec in scenario.workload.kinds.items():
        levers.append(control_for(scenario, f"workload.kinds.{kind}.sla_h", low=0.0, high=max(3.0 * spec.sla_h, 8.0)))
    switches = []
    for name, team in scenario.teams.items():
        if not team.shifts:  # a roster's head counts are per shift, in a list no dotted path reaches
            levers.append(control_for(scenario, f"teams.{name}.staff"))
        levers.append(control_for(scenario, f"teams.{name}.loaded_cost_per_hour"))
        switches += [control_for(scenario, f"teams.{name}.{s}")
                     for s in SWITCHED_SECTIONS["teams"] if getattr(team, s) is not None]
    for name, v in scenario.vendors.items():
        levers.append(control_for(scenario, f"vendors.{name}.agents"))
        prices = {"per_item": ["price_per_item"], "per_fte_month": ["price_per_fte_month"],
                  "fixed_plus_per_item": ["fee_per_month", "price_per_item"]}[v.pricing]
        levers += [control_for(scenario, f"vendors.{name}.{p}") for p in prices]
        levers.append(control_for(scenario, f"vendors.{name}.governance_share"))
        levers.append(control_for(scenario, f"vendors.{name}.transition_cost", low=0.0,
                                  high=max(3.0 * v.transition_cost, 50_000.0)))
        for s in SWITCHED_SECTIONS["vendors"]:
            if getattr(v, s) is not None:
                switches.append(control_for(scenario, f"vendors.{name}.{s}"))
                if s == "outages":
                    switches.append(control_for(scenario, f"vendors.{name}.outages.policy"))
    for name, o in scenario.options.items():
        if o.routing == "overflow":
            levers.append(control_for(scenario, f"options.{name}.overflow_queue"))
    return levers + [_horizon(scenario)] + switches


def _horizon(scenario: Scenario) -> Control:
    """The horizon in whole days, from four weeks (or a week past the warm-up) to three years or more."""
    run = scenario.run
    low = float(min(math.floor(run.horizon_days), max(28, math.ceil(run.warmup_days) + 7)))
    high = float(max(math.ceil(run.horizon_days), 3 * 365))
    path = "run.horizon_days"
    return Control(path, f"{words_for(path)} ({symbol(path)}, {low:g}–{high:,.0f})", low, high, 1.0)
