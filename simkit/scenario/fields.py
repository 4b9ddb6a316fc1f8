"""The field registry: what each scenario field means, in what unit, and whether only money depends on it.

Every field of every section of the schema has one entry in ``fields.yaml`` beside this module, keyed by the
section's class and the field's name: its unit, the default and allowed values as a reader should see them, its
meaning (Markdown), a short label, ``cost_only`` when the engine never reads it and ``bounds`` that pre-flight
checks. :mod:`simkit.scenario.facts` attaches each entry to its pydantic field as the schema is built, so the
fields carry their own facts (``TeamSpec.model_fields["staff"].description`` is its meaning) and everything here
reads them from the fields: the field tables of ``scenarios/README.md`` and the reference pages, the JSON Schema
that editors use (``simkit schema``, pydantic's own ``model_json_schema()``), the dashboard's units and labels,
pre-flight's bounds and re-pricing's cost-only list.

A field is *cost-only* when the engine never reads it: changing it changes only the money, so stored run logs
can be re-priced instead of re-simulated (:mod:`simkit.experiment.reprice`), and an option whose other fields are
unchanged can reuse its logs (:mod:`simkit.experiment.reuse`).

The schema (types, bounds, defaults) stays in code; the registry holds what code cannot say. A test fails when
they disagree in either direction, so neither can drift silently.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from simkit.scenario.facts import FACT_KEYS, REGISTRY_PATH, facts_of, registry, registry_key
from simkit.scenario.model import Scenario
from simkit.scenario.sections import walk_sections

__all__ = ["FieldFacts", "COST_ONLY_PATHS", "REGISTRY_PATH", "field_facts", "facts", "unit", "symbol", "label",
           "with_unit", "is_cost_only", "split_changes", "json_schema", "sync_field_tables", "registry_drift"]


@dataclass(frozen=True)
class FieldFacts:
    """One field as people read about it. ``path`` uses ``<name>`` for names the user chooses."""

    path: str
    section: str
    name: str
    unit: str
    default: str
    allowed: str
    meaning: str
    cost_only: bool = False
    symbol: str = ""  # the short unit beside a number on a control or an axis ("{cur}/h"), where one is set
    label: str = ""  # a few words for a control or an axis ("loaded cost"); the name in words unless set
    bounds: Mapping[str, Any] | None = None  # {min, max, why} that pre-flight checks where the schema does not


@functools.cache
def field_facts() -> dict[str, FieldFacts]:
    """Every field of the schema by path (``"teams.<name>.staff"``), in schema order; a section is a field too.

    Read from the fields themselves (:func:`simkit.scenario.facts.facts_of`); a field without facts is left out
    and reported by :func:`registry_drift`."""
    out: dict[str, FieldFacts] = {}
    for path, model in walk_sections(Scenario):
        for name, field in model.model_fields.items():
            f = facts_of(field)
            if f is None:
                continue
            full = f"{path}.{name}" if path else name
            out[full] = FieldFacts(full, registry_key(model), name, f["unit"], f["default"], f["allowed"],
                                   f["meaning"], f["cost_only"], f["symbol"], f["label"], f["bounds"])
    return out


def _registry() -> dict[str, dict[str, dict[str, Any]]]:
    """``fields.yaml`` as written, which the fields' facts come from (what :func:`registry_drift` compares)."""
    return registry()


def _pattern(path: str) -> str:
    return ".".join("*" if p == "<name>" else p for p in path.split("."))


def facts(path: str) -> FieldFacts | None:
    """The facts of a dotted field path as written in an override (``"teams.support.staff"``), or None."""
    parts = str(path).split(".")
    for f in field_facts().values():
        want = f.path.split(".")
        if len(want) == len(parts) and all(w in ("<name>", p) for w, p in zip(want, parts, strict=True)):
            return f
    return None


def unit(path: str, currency: str = "") -> str:
    """The unit of a field in words, with "currency" replaced by ``currency`` when given ("" when unknown)."""
    f = facts(path)
    text = f.unit if f else ""
    return re.sub(r"\bcurrency\b", currency, text) if currency else text


def symbol(path: str, currency: str = "") -> str:
    """The short unit of a field for a control or an axis (``"USD/h"``), "" when the registry sets none."""
    f = facts(path)
    return f.symbol.replace("{cur}", currency or "currency") if f else ""


def label(path: str) -> str:
    """A few words for the field at ``path`` on a control or an axis (``"loaded cost"``); its last part in
    words when the schema has no such field."""
    f = facts(path)
    return f.label if f else str(path).rsplit(".", 1)[-1].replace("_", " ")


COST_ONLY_PATHS: tuple[str, ...] = tuple(_pattern(f.path) for f in field_facts().values() if f.cost_only)


_PLAIN = ("ratio", "rank", "relative weight", "weight", "score", "coefficient of variation", "count")
"""Units that are a kind of number rather than a quantity: shown after it in brackets ("0.85 (ratio)")."""


def _number(x: float) -> str:
    return f"{x:,.6g}"


def _percent(share: float) -> str:
    return f"{round(share * 100, 9):,.6g}%"


def _singular(unit: str) -> str:
    """``"elapsed hours"`` -> ``"elapsed hour"``, ``"people on shift"`` -> ``"person on shift"``: the counted noun
    (the last word before "per", "on" or "of") in the singular, for a value of exactly 1."""
    words = unit.split(" ")
    end = next((i for i, w in enumerate(words) if i and w in ("per", "on", "of")), len(words))
    noun = words[end - 1]
    if noun == "people":
        words[end - 1] = "person"
    elif noun.endswith("s") and not noun.endswith("ss"):
        words[end - 1] = noun[:-1]
    return " ".join(words)


def with_unit(path: str, value: Any, currency: str) -> str:
    """``value`` of the field at ``path`` as a reader takes it in, with the unit the field registry gives.

    ``run.warmup_days``, 0 -> ``0 days``; ``run.discount_rate_annual``, 0.08 -> ``8% a year``;
    ``teams.desk.loaded_cost_per_hour``, 45 -> ``USD 45 per person-hour``; a distribution keeps its text and
    names its unit (``lognormal(mean=24, cv=1), in elapsed hours``).  A field the registry does not know
    (or gives no unit) is shown as a plain number.
    """
    f = facts(path)
    unit = (f.unit if f else "").strip()
    unit = "" if unit in ("-", "text", "section") else unit
    if isinstance(value, list):
        shown = ", ".join(f"{v:g}" for v in value)
        return f"{shown} ({unit})" if unit else shown
    if isinstance(value, str):  # a distribution
        words = unit.replace("(distribution)", "").replace("distribution,", "").strip()
        return f"{value.strip()}, in {words}" if words else value.strip()
    x = float(value)
    if not unit:
        return _number(x)
    if unit.startswith("currency"):
        rest = unit[len("currency"):].lstrip(" ,")
        return f"{currency} {_number(x)}" + (f" {rest}" if rest else "")
    if unit == "share per year":
        return f"{_percent(x)} a year"
    if unit.startswith("share"):
        return _percent(x) + unit[len("share"):]
    if unit == "probability":
        return f"{_percent(x)} probability"
    if unit == "local hour of day":
        minutes = round(x * 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d} local time"
    if unit.startswith("multiplier"):
        return f"{_number(x)}\u00d7"
    if unit in _PLAIN:
        return f"{_number(x)} ({unit})"
    return f"{_number(x)} {_singular(unit) if x == 1 else unit}"


def is_cost_only(path: str) -> bool:
    """Whether the dotted ``path`` only changes prices (the engine never reads it)."""
    parts = str(path).split(".")
    for pattern in COST_ONLY_PATHS:
        want = pattern.split(".")
        if len(want) == len(parts) and all(w in ("*", p) for w, p in zip(want, parts, strict=True)):
            return True
    return False


def split_changes(changes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(engine_changes, cost_changes)``: what needs a simulation and what only a re-pricing."""
    engine = {k: v for k, v in changes.items() if not is_cost_only(k)}
    cost = {k: v for k, v in changes.items() if is_cost_only(k)}
    return engine, cost


def registry_drift(entries: Mapping[str, Mapping[str, Any]] | None = None) -> list[str]:
    """Where the registry and the schema disagree: fields without facts, entries (of ``entries``, by default
    ``fields.yaml``) that name no field or no section, required facts left empty, unknown facts (a misspelt
    ``cost-only`` would otherwise be ignored), bounds the schema already enforces."""
    entries = _registry() if entries is None else entries
    problems: list[str] = []
    seen: set[str] = set()
    for path, model in walk_sections(Scenario):
        key = registry_key(model)
        seen.add(key)
        section = entries.get(key, {})
        for name, field in model.model_fields.items():
            f = facts_of(field)
            if f is None or name not in section:
                problems.append(f"{path or 'top level'}: {name} has no entry in fields.yaml")
                continue
            problems += [f"{key}.{name}: '{k}' is empty" for k in ("unit", "allowed", "meaning") if not f[k]]
            problems += [f"{key}.{name}: '{k}' is not a fact the registry knows ({', '.join(FACT_KEYS)})"
                         for k in section[name] if k not in FACT_KEYS]
            problems += _bounds_drift(f"{key}.{name}", section[name].get("bounds"), field.metadata)
        problems += [f"{key}.{n}: in fields.yaml, not in the schema" for n in section if n not in model.model_fields]
    problems += [f"{name}: a section of fields.yaml that is not in the schema" for name in entries if name not in seen]
    return problems


def _bounds_drift(where: str, bounds: Any, metadata: list[Any]) -> list[str]:
    """A ``bounds`` entry must hold only ``min``, ``max`` and ``why``, and be tighter than the schema's own."""
    if bounds is None:
        return []
    if not isinstance(bounds, Mapping) or set(bounds) - {"min", "max", "why"} or not ({"min", "max"} & set(bounds)):
        return [f"{where}: bounds must be a mapping of min and/or max (numbers) and why (text)"]
    schema_low = max((float(getattr(m, k)) for m in metadata for k in ("ge", "gt") if getattr(m, k, None) is not None),
                     default=-float("inf"))
    schema_high = min((float(getattr(m, k)) for m in metadata for k in ("le", "lt") if getattr(m, k, None) is not None),
                      default=float("inf"))
    out = []
    if "min" in bounds and not float(bounds["min"]) > schema_low:
        out.append(f"{where}: bounds.min {bounds['min']} is already enforced by the schema (>= {schema_low:g})")
    if "max" in bounds and not float(bounds["max"]) < schema_high:
        out.append(f"{where}: bounds.max {bounds['max']} is already enforced by the schema (<= {schema_high:g})")
    return out


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, each property carrying its meaning, unit and allowed values.

    Pydantic's own ``model_json_schema()`` of :class:`~simkit.scenario.model.Scenario`: types, bounds and
    defaults from the schema (unknown keys refused), and from the facts on each field its ``description``,
    a ``markdownDescription`` with unit and allowed values (what editors show on hover) and ``x-unit``,
    ``x-allowed``, ``x-label``, ``x-symbol``, ``x-cost-only`` and ``x-bounds``.
    """
    schema = Scenario.model_json_schema()
    schema["description"] = ("A simkit scenario: the workload, the teams and vendors that could serve it, and the "
                             "options to compare. Field meanings: scenarios/README.md.")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": "simkit scenario"}


# ----------------------------------------------------------------------------- the README's field tables
_HEADER = ["| field | unit | default | allowed values | meaning |", "| --- | --- | --- | --- | --- |"]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _table(model: type[BaseModel]) -> list[str]:
    rows = list(_HEADER)
    for name, field in model.model_fields.items():
        e = facts_of(field)
        if e is None:
            continue
        rows.append(f"| `{name}` | {_cell(e['unit'])} | {_cell(e['default'])} | {_cell(e['allowed'])} | "
                    f"{_cell(e['meaning'])} |")
    return rows


def sync_field_tables(text: str) -> str:
    """``scenarios/README.md`` with every section's field table regenerated from the registry.

    A table belongs to the heading above it: a heading naming a section path in backticks (``## `run```,
    ``### `teams.<name>.quality`, `vendors.<name>.quality```) or ``## Top level``. Prose is left as written.
    """
    models = {path or "Top level": model for path, model in walk_sections(Scenario)}
    out, lines, i = [], text.splitlines(), 0
    current: type[BaseModel] | None = None
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            paths = re.findall(r"`([^`]+)`", line) or [line.lstrip("# ").strip()]
            current = next((models[p] for p in paths if p in models), None)
        if current is not None and line.strip() == _HEADER[0]:
            out += _table(current)
            i += 1
            while i < len(lines) and lines[i].startswith("|"):
                i += 1
            current = None
            continue
        out.append(line)
        i += 1
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")
