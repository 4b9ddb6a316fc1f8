"""Walking the schema: each section of a scenario with the model that validates it.

A section is a field holding a model (``run``) or a mapping of named ones (``teams.<name>``). The field registry,
the reference pages and the JSON Schema all walk the schema the same way, so they agree on what the sections are.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

__all__ = ["unwrap", "field_model", "walk_sections"]


def unwrap(annotation: Any) -> Any:
    """``X | None`` and ``Annotated[X, ...]`` to ``X``."""
    while True:
        origin = get_origin(annotation)
        if origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        elif origin is not None and hasattr(annotation, "__metadata__"):
            annotation = get_args(annotation)[0]
        else:
            return annotation


def field_model(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model a field holds, and whether it is a mapping of named ones (``dict[str, Model]``).

    A list of models (``tuple[Model, ...]``: a roster's shifts, escalation tiers) is a section too, its path
    without an index."""
    inner = unwrap(annotation)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return inner, False
    if get_origin(inner) is dict:
        value = unwrap(get_args(inner)[1])
        if isinstance(value, type) and issubclass(value, BaseModel):
            return value, True
    if get_origin(inner) is tuple and len(get_args(inner)) == 2 and get_args(inner)[1] is Ellipsis:
        value = unwrap(get_args(inner)[0])  # a list of sections (a roster's shifts, escalation tiers)
        if isinstance(value, type) and issubclass(value, BaseModel):
            return value, False
    return None, False


def walk_sections(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, type[BaseModel]]]:
    """``(path, model)`` for ``model`` and every section below it, depth first (``""`` is the top level)."""
    yield prefix, model
    for name, field in model.model_fields.items():
        sub, named = field_model(field.annotation)
        if sub is not None:
            path = f"{prefix}.{name}" if prefix else name
            yield from walk_sections(sub, f"{path}.<name>" if named else path)
