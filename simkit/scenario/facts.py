"""The field registry attached to the schema: each field's pydantic ``FieldInfo`` carries its facts.

``fields.yaml`` beside this module is where the facts are written (prose edited in one place): per schema
section (keyed by class name) and field, its unit, default and allowed values as a reader sees them, its
meaning (Markdown), a short ``label`` and ``symbol`` for controls and axes, ``cost_only`` when the engine never
reads it, and ``bounds`` that pre-flight checks where the schema itself does not.

Every schema section derives from :class:`simkit.scenario.mechanisms._Spec`, whose subclass hook calls
:func:`attach` as the class is created, before any section that holds it is built. So the facts live on the
fields themselves: ``TeamSpec.model_fields["staff"].description`` is the meaning, its ``json_schema_extra``
holds the rest under ``x-`` keys, and pydantic's own ``model_json_schema()`` carries them to editors.
:func:`facts_of` reads them back; :mod:`simkit.scenario.fields` builds everything else on it.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

__all__ = ["REGISTRY_PATH", "FACT_KEYS", "registry", "registry_key", "prepare", "attach", "facts_of"]

REGISTRY_PATH = Path(__file__).with_name("fields.yaml")

#: The facts a registry entry may hold; ``unit``, ``allowed`` and ``meaning`` are required.
FACT_KEYS = ("unit", "default", "allowed", "meaning", "label", "symbol", "cost_only", "bounds")

_KEYS = {"ScenarioSpec": "Scenario"}  # the top level is written under the name people import


@functools.cache
def registry() -> dict[str, dict[str, dict[str, Any]]]:
    """``fields.yaml`` as written: ``{section class: {field: {fact: value}}}``."""
    return yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8")) or {}


def registry_key(model: type[BaseModel]) -> str:
    """The name a schema class is written under in ``fields.yaml`` (``ScenarioSpec`` and ``Scenario``: ``Scenario``)."""
    return _KEYS.get(model.__name__, model.__name__)


def _extra(name: str, entry: dict[str, Any]) -> dict[str, Any]:
    """The ``json_schema_extra`` of one field: its facts under ``x-`` keys, and the hover text for editors."""
    unit, allowed = str(entry.get("unit", "")), str(entry.get("allowed", ""))
    extra: dict[str, Any] = {
        "x-unit": unit, "x-default": str(entry.get("default", "")), "x-allowed": allowed,
        "x-label": str(entry.get("label") or name.replace("_", " ")),
        "markdownDescription": f"{str(entry.get('meaning', '')).strip()}\n\nUnit: {unit}. Allowed: {allowed}.",
    }
    if entry.get("symbol"):
        extra["x-symbol"] = str(entry["symbol"])
    if entry.get("cost_only"):
        extra["x-cost-only"] = True
    if entry.get("bounds"):
        extra["x-bounds"] = dict(entry["bounds"])
    return extra


def _attach_one(name: str, field: FieldInfo, entry: dict[str, Any]) -> None:
    field.description = str(entry.get("meaning", "")).strip()
    field.json_schema_extra = _extra(name, entry)
    # recorded as set explicitly, so that a subclass re-declaring the field merges the facts in
    field._attributes_set.update(description=field.description, json_schema_extra=field.json_schema_extra)


def _copied(field: FieldInfo) -> FieldInfo:
    """A copy of ``field`` whose mutable parts are its own (``FieldInfo._copy`` exists from pydantic 2.10 only)."""
    own = getattr(field, "_copy", None)
    if own is not None:
        return own()
    out = copy.copy(field)
    out.metadata = list(field.metadata)
    if isinstance(field.json_schema_extra, dict):
        out.json_schema_extra = dict(field.json_schema_extra)
    return out


def prepare(model: type[BaseModel]) -> None:
    """Put the registry's facts on the fields ``model`` declares *before* pydantic collects them.

    Called from ``__init_subclass__``, which runs while the class is being created and before pydantic reads its
    fields and builds its validator: each declared field's assigned value (a default, a ``Field(...)`` or none)
    becomes a ``Field`` carrying the facts, so the schema is built once, with them. Rebuilding every section
    after the fact doubled the cost of building the schema at ``import simkit``. :func:`attach` remains the
    fallback for inherited fields a subclass's registry entry describes.
    """
    entries = registry().get(registry_key(model))
    if not entries:
        return
    for name in model.__dict__.get("__annotations__", {}):
        entry = entries.get(name)
        if entry is None:
            continue
        assigned = model.__dict__.get(name, PydanticUndefined)
        if isinstance(assigned, FieldInfo):
            if facts_of(assigned) is not None:
                continue
            field = _copied(assigned)
        else:
            field = Field(default=assigned)
        _attach_one(name, field, entry)
        setattr(model, name, field)


def attach(model: type[BaseModel]) -> bool:
    """Put the registry's facts on ``model``'s fields; whether anything changed (the caller then rebuilds).

    A class the registry does not name is left alone (a test fails for a schema section without entries:
    :func:`simkit.scenario.fields.registry_drift`). Fields that already carry facts (inherited from a section
    that had them attached) keep them.
    """
    entries = registry().get(registry_key(model))
    if not entries:
        return False
    changed = False
    for name, field in model.model_fields.items():
        entry = entries.get(name)
        if entry is not None and facts_of(field) is None:
            _attach_one(name, field, entry)
            changed = True
    return changed


def facts_of(field: FieldInfo) -> dict[str, Any] | None:
    """The facts a field carries (``unit``, ``default``, ``allowed``, ``meaning``, ``label``, ``symbol``,
    ``cost_only``, ``bounds``), or ``None`` for a field without them."""
    extra = field.json_schema_extra
    if not isinstance(extra, dict) or "x-unit" not in extra:
        return None
    return {"unit": extra["x-unit"], "default": extra.get("x-default", ""), "allowed": extra.get("x-allowed", ""),
            "meaning": field.description or "", "label": extra.get("x-label", ""), "symbol": extra.get("x-symbol", ""),
            "cost_only": bool(extra.get("x-cost-only")), "bounds": extra.get("x-bounds")}
