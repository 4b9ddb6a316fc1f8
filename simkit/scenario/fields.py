"""The field registry: what each scenario field means, in what unit, and whether only money depends on it.

Every field of every section of the schema has one entry in ``fields.yaml`` beside this module, keyed by the
section's class and the field's name: its unit, the default and allowed values as a reader should see them, its
meaning (Markdown), and ``cost_only`` when the engine never reads it. Everything that describes fields reads
this registry rather than keeping its own table: the field tables of ``scenarios/README.md`` and the reference
pages are generated from it, the JSON Schema that editors use (``simkit schema``) carries its text, the
dashboard takes units from it, and re-pricing takes the cost-only list from it.

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
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from simkit.scenario.model import Scenario
from simkit.scenario.sections import walk_sections

__all__ = ["FieldFacts", "COST_ONLY_PATHS", "field_facts", "facts", "unit", "symbol", "is_cost_only", "split_changes",
           "json_schema", "sync_field_tables", "registry_drift"]

REGISTRY_PATH = Path(__file__).with_name("fields.yaml")


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


@functools.cache
def _registry() -> dict[str, dict[str, dict[str, Any]]]:
    return yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8")) or {}


@functools.cache
def field_facts() -> dict[str, FieldFacts]:
    """Every field of the schema by path (``"teams.<name>.staff"``), in schema order; a section is a field too."""
    out: dict[str, FieldFacts] = {}
    registry = _registry()
    for path, model in walk_sections(Scenario):
        entries = registry.get(model.__name__, {})
        for name in model.model_fields:
            e = entries.get(name)
            if e is None:
                continue  # reported by registry_drift()
            full = f"{path}.{name}" if path else name
            out[full] = FieldFacts(full, model.__name__, name, str(e.get("unit", "")), str(e.get("default", "")),
                                   str(e.get("allowed", "")), str(e.get("meaning", "")), bool(e.get("cost_only")),
                                   str(e.get("symbol", "")))
    return out


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


COST_ONLY_PATHS: tuple[str, ...] = tuple(_pattern(f.path) for f in field_facts().values() if f.cost_only)


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


def registry_drift() -> list[str]:
    """Where ``fields.yaml`` and the schema disagree: fields without an entry, entries without a field."""
    problems = []
    registry = _registry()
    seen: set[str] = set()
    for path, model in walk_sections(Scenario):
        seen.add(model.__name__)
        entries = registry.get(model.__name__, {})
        leaves = list(model.model_fields)
        problems += [f"{path or 'top level'}: {n} has no entry in fields.yaml" for n in leaves if n not in entries]
        problems += [f"{model.__name__}.{n}: in fields.yaml, not in the schema" for n in entries if n not in leaves]
        for n in leaves:
            e = entries.get(n) or {}
            empty = [k for k in ("unit", "allowed", "meaning") if not e.get(k)]
            problems += [f"{model.__name__}.{n}: '{k}' is empty" for k in empty]
    problems += [f"{name}: a section of fields.yaml that is not in the schema" for name in registry if name not in seen]
    return problems


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, each property carrying its meaning, unit and allowed values.

    Generated by pydantic from the schema (types, bounds, defaults; unknown keys refused) and annotated from
    the registry, so an editor with a YAML language server completes keys and shows what each one means.
    """
    schema = Scenario.model_json_schema()
    defs = schema.get("$defs", {})
    registry = _registry()
    for name, entries in registry.items():
        node = schema if name == "Scenario" else defs.get(name)
        if node is None:
            continue
        for field, e in entries.items():
            prop = node.get("properties", {}).get(field)
            if prop is None:
                continue
            text = _plain(str(e.get("meaning", "")))
            extra = "; ".join(x for x in (f"unit: {_plain(str(e.get('unit', '')))}",
                                          f"allowed: {_plain(str(e.get('allowed', '')))}") if not x.endswith(": "))
            prop["description"] = f"{text} ({extra})" if extra else text
            prop["x-unit"] = _plain(str(e.get("unit", "")))
            if e.get("cost_only"):
                prop["x-cost-only"] = True
    schema["description"] = ("A simkit scenario: the workload, the teams and vendors that could serve it, and the "
                             "options to compare. Field meanings: scenarios/README.md.")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema, "title": "simkit scenario"}


def _plain(markdown: str) -> str:
    return markdown.replace("`", "")


# ----------------------------------------------------------------------------- the README's field tables
_HEADER = ["| field | unit | default | allowed values | meaning |", "| --- | --- | --- | --- | --- |"]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _table(model: type[BaseModel]) -> list[str]:
    entries = _registry().get(model.__name__, {})
    rows = list(_HEADER)
    for name in model.model_fields:
        e = entries.get(name)
        if e is None:
            continue
        rows.append(f"| `{name}` | {_cell(str(e.get('unit', '')))} | {_cell(str(e.get('default', '')))} | "
                    f"{_cell(str(e.get('allowed', '')))} | {_cell(str(e.get('meaning', '')))} |")
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
