"""Validation errors as one sentence: the field path, the offending value and what is allowed.

Pydantic reports a list of errors with a location and a type; :func:`from_validation_error` turns the first of
them into a :class:`ScenarioError` such as ``vendors.acme.price_per_item: must be >= 0, got -3`` (with "did you
mean" for a misspelt key and a note when more problems follow).  Used by :mod:`simkit.scenario.model`, which
re-exports these names.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, get_origin

from pydantic import BaseModel, ValidationError

from simkit.errors import ScenarioError, show, show_key
from simkit.scenario.mechanisms import BOUND_REASONS
from simkit.scenario.schema import ScenarioSpec
from simkit.scenario.sections import field_model, unwrap

__all__ = ["DIST_NUMBERS", "describe", "from_validation_error"]

def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The schema model found at a location, skipping the keys of named sections and the indexes of lists."""
    model: Any = ScenarioSpec
    i = 0
    while i < len(loc):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(str(loc[i]))
        if field is None:
            return None
        sub, _ = field_model(field.annotation)
        if sub is None:
            return None
        if get_origin(unwrap(field.annotation)) in (dict, tuple):
            i += 1  # the next part is a user-chosen key or a list index
        model = sub
        i += 1
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


DIST_NUMBERS = "a distribution's parameters must be numbers (values and weights: lists of numbers)"


def describe(err: Mapping[str, Any]) -> tuple[str, str]:
    loc = tuple(p for p in err["loc"] if p != "[key]")
    path = ".".join(show_key(p) for p in loc)
    kind, ctx, got = err["type"], err.get("ctx", {}), err.get("input")
    bounds = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}
    if kind in bounds:
        limit = next(iter(ctx.values()))
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        why = BOUND_REASONS.get(str(loc[-1]) if loc else "")
        return path, f"must be {bounds[kind]} {limit}, got {show(got)}" + (f" ({why})" if why else "")
    if kind == "extra_forbidden":
        parent, key = loc[:-1], loc[-1]
        model = _model_at(parent)
        allowed = list(model.model_fields) if model else []
        hint = difflib.get_close_matches(str(key)[:100], allowed, n=1, cutoff=0.6)
        msg = f"unknown key {show(str(key))}"
        msg += f" (did you mean '{hint[0]}'?)" if hint else ""
        if allowed:
            msg += f"; allowed: {', '.join(allowed)}"
        return path, msg
    if kind == "missing":
        return path, "is required but missing"
    if kind == "finite_number":
        return path, f"must be a finite number, got {show(got)}"
    if kind == "literal_error":
        return path, f"must be one of {ctx.get('expected')}, got {show(got)}"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        allowed = "3 capital letters such as USD" if "A-Z]{3}" in pattern else (
            "a name of letters, digits and _ that starts with a letter"
        )
        return path, f"must be {allowed}, got {show(got)}"
    if kind in ("value_error", "assertion_error"):
        msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if msg.startswith("could not convert"):  # float() inside a distribution's parameters
            msg = f"{DIST_NUMBERS}, got {show(got)}"
        return path, msg
    if kind.endswith(("_parsing", "_type")) or kind in ("int_from_float", "bool_parsing"):
        want = kind.split("_")[0]
        want = {"float": "number", "int": "whole number", "string": "text", "dict": "mapping",
                "model": "mapping", "tuple": "list", "list": "list", "bool": "true or false"}.get(want, want)
        if kind == "int_from_float":
            want = "whole number"
        return path, f"must be a {want}, got {show(got)}"
    sizes = {"too_short": ("at least", "min_length"), "too_long": ("at most", "max_length"),
             "string_too_short": ("at least", "min_length"), "string_too_long": ("at most", "max_length")}
    if kind in sizes:
        word, key = sizes[kind]
        if word == "at least" and ctx.get(key) == 1:
            return path, f"must not be empty, got {show(got)}"
        unit = "characters" if kind.startswith("string") else "entries"
        return path, f"must have {word} {ctx.get(key)} {unit}, got {show(got)}"
    if kind == "int_parsing_size":
        return path, f"must be a whole number of a sensible size, got {show(got)}"
    return path, f"is not allowed ({err['msg'][0].lower()}{err['msg'][1:]}), got {show(got)}"


def from_validation_error(exc: ValidationError, source: str | None) -> ScenarioError:
    errors = exc.errors(include_url=False)
    path, msg = describe(errors[0])
    if len(errors) > 1:
        msg += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ScenarioError(path, msg, source)
