"""Scenarios: load a YAML file, validate it, change it with dotted overrides.

A :class:`Scenario` is immutable.  ``sc.override({"vendors.acme.price_per_item": 9})``
returns a *new* validated scenario and leaves ``sc`` untouched, which is what
sweeps and dashboards build on.

Every problem with a scenario becomes one :class:`ScenarioError` whose message
is a single sentence: the field path, the offending value and what is allowed,
e.g. ``vendors.acme.price_per_item: must be >= 0, got -3``, with "did you mean"
for a misspelt key.  YAML is read with the safe loader (on libyaml's C parser
when it is installed), so nothing in a file is ever evaluated.  Before anything
is built, the event stream alone refuses anchors, aliases and merge keys (they
are how "billion laughs" files explode), nesting deeper than :data:`MAX_DEPTH`
and more than :data:`MAX_VALUES` values; files over :data:`MAX_FILE_BYTES`, binary
files and text that is not UTF-8 are refused unread.  Duplicate keys are refused.
Whether a *valid* scenario is sensible to simulate (its size, its load) is
checked later, by :mod:`simkit.checks`.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError, model_validator

from .calendar import Calendar
from .schema import ScenarioSpec

__all__ = ["Scenario", "ScenarioError", "load", "loads", "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_VALUES"]

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists a scenario may have (the schema itself needs about 7)."""
MAX_VALUES = 100_000
"""Most scalar values (numbers, texts) a scenario file may hold; parsing stays within a few seconds."""


class ScenarioError(Exception):
    """A scenario is wrong; ``str(err)`` is one sentence naming the field and what is allowed."""

    def __init__(self, path: str, message: str, source: str | None = None):
        self.path, self.message, self.source = path, message, source
        where = f"{source}: " if source else ""
        super().__init__(f"{where}{path}: {message}" if path else f"{where}{message}")

    def __reduce__(self):  # noqa: ANN204 - so that the error crosses process boundaries intact
        return (type(self), (self.path, self.message, self.source))


# --------------------------------------------------------------------------- YAML
class _TextSafeDumper(yaml.SafeDumper):
    """Writes text with a CR, NEL, U+2028/U+2029, a tab or a control character double-quoted (escaped).

    PyYAML's plain and single-quoted styles fold such characters (a NEL becomes a space on reading), so
    text holding them would not read back equal; double quotes spell every one of them as an escape.
    """


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    quoted = any(not (ch.isprintable() or ch == "\n") for ch in value)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if quoted else None)


_TextSafeDumper.add_representer(str, _represent_text)

_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C parser when installed: ~10x faster


class _NoDuplicates:
    """Constructor mix-in: a mapping key may appear once, must be hashable, and ``<<`` merges are refused."""

    def construct_mapping(self, node, deep=False):  # noqa: ANN001 - PyYAML signature
        seen: set[Any] = set()
        for key_node, _ in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ScenarioError("", f"merge keys (<<) are not allowed (line {line})")
            if not isinstance(key_node, yaml.ScalarNode):
                kind = "list" if isinstance(key_node, yaml.SequenceNode) else "mapping"
                raise ScenarioError("", f"a mapping key must be text, got a {kind} (line {line})")
            key = self.construct_object(key_node, deep=deep)
            try:
                dup = key in seen
            except TypeError:
                raise ScenarioError("", f"a mapping key must be text, got {key!r} (line {line})") from None
            if dup:
                raise ScenarioError("", f"key '{key}' appears twice (line {line})")
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _StrictLoader(_NoDuplicates, _PARSER):  # type: ignore[misc, valid-type]
    """Safe loader (never constructs Python objects) that refuses duplicate keys and merges."""


def _scan(text: str) -> None:
    """Refuse, from the event stream alone, what could make loading explode or recurse.

    Anchors and aliases (a "billion laughs" file is a few lines of them), nesting
    deeper than :data:`MAX_DEPTH` and more than :data:`MAX_VALUES` values are
    refused before any Python object is built.
    """
    depth = values = 0
    for event in yaml.parse(text, Loader=_PARSER):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ScenarioError("", f"anchors and aliases (&, *) are not allowed (line {line})")
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError("", f"is nested more than {MAX_DEPTH} levels deep (line {line}); "
                                        "a scenario needs far fewer")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent):
            values += 1
            if values > MAX_VALUES:
                raise ScenarioError("", f"has more than {MAX_VALUES:,} values (line {line}); "
                                        "a scenario may have at most that many")


def _parse_yaml(text: str, source: str | None) -> Any:
    try:
        _scan(text)
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader derives from SafeLoader
    except ScenarioError as err:
        raise ScenarioError("", err.message, source) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError("", f"not valid YAML{line}: {problem}", source) from None
    except RecursionError:
        raise ScenarioError("", "the YAML is nested too deeply", source) from None


# --------------------------------------------------------------------------- errors
def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The schema model found at a location, skipping the keys of named sections."""
    model: Any = ScenarioSpec
    i = 0
    while i < len(loc):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(str(loc[i]))
        if field is None:
            return None
        model = field.annotation
        if get_origin(model) in (Union, UnionType):  # an optional section: ``QualitySpec | None``
            model = next((a for a in get_args(model) if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if get_origin(model) is dict:
            model = get_args(model)[1]
            i += 1  # the next part is a user-chosen key
        i += 1
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


_DIST_NUMBERS = "a distribution's parameters must be numbers (values and weights: lists of numbers)"


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _describe(err: Mapping[str, Any]) -> tuple[str, str]:
    loc = tuple(p for p in err["loc"] if p != "[key]")
    path = ".".join(str(p) for p in loc)
    kind, ctx, got = err["type"], err.get("ctx", {}), err.get("input")
    bounds = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}
    if kind in bounds:
        limit = next(iter(ctx.values()))
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        return path, f"must be {bounds[kind]} {limit}, got {_show(got)}"
    if kind == "extra_forbidden":
        parent, key = loc[:-1], loc[-1]
        model = _model_at(parent)
        allowed = list(model.model_fields) if model else []
        hint = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        msg = f"unknown key '{key}'"
        msg += f" (did you mean '{hint[0]}'?)" if hint else ""
        if allowed:
            msg += f"; allowed: {', '.join(allowed)}"
        return path, msg
    if kind == "missing":
        return path, "is required but missing"
    if kind == "finite_number":
        return path, f"must be a finite number, got {_show(got)}"
    if kind == "literal_error":
        return path, f"must be one of {ctx.get('expected')}, got {_show(got)}"
    if kind == "string_pattern_mismatch":
        pattern = ctx.get("pattern", "")
        allowed = "3 capital letters such as USD" if "A-Z]{3}" in pattern else (
            "a name of letters, digits and _ that starts with a letter"
        )
        return path, f"must be {allowed}, got {_show(got)}"
    if kind in ("value_error", "assertion_error"):
        msg = err["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
        if msg.startswith("could not convert"):  # float() inside a distribution's parameters
            msg = f"{_DIST_NUMBERS}, got {_show(got)}"
        return path, msg
    if kind.endswith(("_parsing", "_type")) or kind in ("int_from_float", "bool_parsing"):
        want = kind.split("_")[0]
        want = {"float": "number", "int": "whole number", "string": "text", "dict": "mapping",
                "model": "mapping", "tuple": "list", "list": "list", "bool": "true or false"}.get(want, want)
        if kind == "int_from_float":
            want = "whole number"
        return path, f"must be a {want}, got {_show(got)}"
    sizes = {"too_short": ("at least", "min_length"), "too_long": ("at most", "max_length"),
             "string_too_short": ("at least", "min_length"), "string_too_long": ("at most", "max_length")}
    if kind in sizes:
        word, key = sizes[kind]
        if word == "at least" and ctx.get(key) == 1:
            return path, f"must not be empty, got {_show(got)}"
        unit = "characters" if kind.startswith("string") else "entries"
        return path, f"must have {word} {ctx.get(key)} {unit}, got {_show(got)}"
    if kind == "int_parsing_size":
        return path, f"must be a whole number of a sensible size, got {_show(got)}"
    return path, f"is not allowed ({err['msg'][0].lower()}{err['msg'][1:]}), got {_show(got)}"


def _from_validation_error(exc: ValidationError, source: str | None) -> ScenarioError:
    errors = exc.errors(include_url=False)
    path, msg = _describe(errors[0])
    if len(errors) > 1:
        msg += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ScenarioError(path, msg, source)


# --------------------------------------------------------------------------- scenario
def _pick(name: str, known: Mapping[str, Any], what: str) -> str | None:
    if name in known:
        return None
    hint = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    listed = ", ".join(known) or "none"
    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
    return f"unknown {what} '{name}'{suggestion}; defined: {listed}"


class Scenario(ScenarioSpec):
    """A validated, immutable scenario. Build one with :func:`load` or :func:`loads`."""

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        checks: list[tuple[str, str, Mapping[str, Any], str]] = [
            ("workload.calendar", self.workload.calendar, self.calendars, "calendar"),
        ]
        pools = {**self.teams, **self.vendors}
        checks += [(f"{'teams' if n in self.teams else 'vendors'}.{n}.calendar", p.calendar, self.calendars,
                    "calendar") for n, p in pools.items()]
        for n, v in self.vendors.items():
            if v.exit is not None:
                checks.append((f"vendors.{n}.exit.fallback", v.exit.fallback, pools, "team or vendor"))
                if v.exit.fallback == n:
                    raise ScenarioError(f"vendors.{n}.exit.fallback", "a vendor cannot fall back to itself")
            if v.transition is not None and v.transition.retained_team is not None:
                retained = v.transition.retained_team
                checks.append((f"vendors.{n}.transition.retained_team", retained, self.teams, "team"))
        for n in self.vendors:  # an exit hands the work on; a chain of fallbacks must end somewhere
            chain = [n]
            while (ex := self.vendors[chain[-1]].exit) is not None and ex.fallback in self.vendors:
                if ex.fallback in chain:
                    loop = " -> ".join([*chain[chain.index(ex.fallback):], ex.fallback])
                    raise ScenarioError(f"vendors.{chain[-1]}.exit.fallback",
                                        f"fallbacks must not form a loop, got {loop}")
                chain.append(ex.fallback)
        if set(self.teams) & set(self.vendors):
            both = ", ".join(sorted(set(self.teams) & set(self.vendors)))
            raise ScenarioError("vendors", f"names must differ from team names; both have: {both}")
        for n, o in self.options.items():
            if o.team is not None:
                checks.append((f"options.{n}.team", o.team, self.teams, "team"))
            if o.vendor is not None:
                checks.append((f"options.{n}.vendor", o.vendor, self.vendors, "vendor"))
            if o.backup is not None:
                checks.append((f"options.{n}.backup", o.backup, self.vendors, "vendor"))
            checks += [(f"options.{n}.vendor_kinds", k, self.workload.kinds, "item kind")
                       for k in o.vendor_kinds]
        if self.baseline is not None:
            checks.append(("baseline", self.baseline, self.options, "option"))
        for path, name, known, what in checks:
            problem = _pick(name, known, what)
            if problem:
                raise ScenarioError(path, problem)
        return self

    # -- convenience ---------------------------------------------------------
    @property
    def option_names(self) -> list[str]:
        return list(self.options)

    @property
    def baseline_option(self) -> str:
        return self.baseline or next(iter(self.options))

    @property
    def currency_suffix(self) -> str:
        return self.run.currency.lower()

    def calendar(self, name: str) -> Calendar:
        """The built :class:`~simkit.calendar.Calendar` called ``name``."""
        return self.calendars[name].build()

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_yaml(self) -> str:
        """The scenario as YAML text that :func:`loads` reads back to an equal scenario (any text in it)."""
        return yaml.dump(self.to_dict(), Dumper=_TextSafeDumper, sort_keys=False, allow_unicode=True)

    def fingerprint(self) -> str:
        """A SHA-256 of the scenario's canonical content (independent of formatting and comments)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()

    def override(self, changes: Mapping[str, Any]) -> Scenario:
        """A new scenario with ``{"dotted.path": value}`` changes applied and validated.

        Raises
        ------
        ScenarioError
            When a path names no field, or the new value is not allowed.
        """
        data = copy.deepcopy(self.to_dict())
        for dotted, value in changes.items():
            parts = str(dotted).split(".")
            node: Any = data
            for i, part in enumerate(parts[:-1]):
                if not isinstance(node, dict) or part not in node or not isinstance(node[part], dict):
                    here = ".".join(parts[: i + 1])
                    known = list(node) if isinstance(node, dict) else []
                    problem = _pick(part, dict.fromkeys(known), "field") or "is not a section"
                    raise ScenarioError(here, problem)
                node = node[part]
            node[parts[-1]] = value
        return _validate(data, None)


def _walk(data: Any) -> Any:
    """Every ``(path, value)`` of nested mappings and lists, breadth first (no recursion)."""
    queue: deque[tuple[tuple[Any, ...], Any]] = deque([((), data)])
    while queue:
        loc, value = queue.popleft()
        yield loc, value
        if isinstance(value, dict):
            queue.extend(((*loc, k), v) for k, v in value.items())
        elif isinstance(value, list | tuple):
            queue.extend(((*loc, i), v) for i, v in enumerate(value))


def _check_depth(data: Any, source: str | None) -> None:
    for loc, _ in _walk(data):
        if len(loc) > MAX_DEPTH:
            path = ".".join(str(p) for p in loc[:3])
            raise ScenarioError(path, f"is nested more than {MAX_DEPTH} levels deep; a scenario needs far "
                                      "fewer", source)


def _unreadable(data: Any, err: Exception, source: str | None) -> ScenarioError:
    """Name the value a validator could not even read (a wrong type inside a distribution, a huge integer)."""
    from .distributions import parse_dist

    for loc, value in _walk(data):
        is_dist = isinstance(value, dict) and "dist" in value
        huge = isinstance(value, int) and not isinstance(value, bool) and abs(value) > 1e300
        if is_dist or huge:
            try:
                parse_dist(value)
            except (TypeError, OverflowError):
                path = ".".join(str(p) for p in loc)
                if huge:
                    return ScenarioError(path, f"must be a number below 1e300, got {_show(value)}", source)
                return ScenarioError(path, f"{_DIST_NUMBERS}, got {_show(value)}", source)
            except ValueError:
                pass
    return ScenarioError("", f"a value has the wrong type ({err})", source)


def _validate(data: Any, source: str | None) -> Scenario:
    if data is None:
        raise ScenarioError("", "is empty; a scenario needs at least name, workload and options", source)
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ScenarioError("", "a scenario must be a mapping of sections (name, run, workload, options, "
                                f"...), got {kind}", source)
    _check_depth(data, source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _from_validation_error(exc, source) from None
    except ScenarioError as err:
        raise ScenarioError(err.path, err.message, source) from None
    except RecursionError:
        raise ScenarioError("", "the scenario is nested too deeply", source) from None
    except (TypeError, OverflowError) as err:
        raise _unreadable(data, err, source) from None


_BINARY = "is a binary file; a scenario must be YAML text in UTF-8"


def loads(text: str | bytes, source: str | None = None) -> Scenario:
    """Validate scenario text (YAML) and return a :class:`Scenario`."""
    if len(text) > MAX_FILE_BYTES:  # characters or bytes: either way more bytes than allowed
        raise ScenarioError("", f"is larger than the {MAX_FILE_BYTES:,} bytes a scenario may have", source)
    if isinstance(text, bytes):
        if b"\x00" in text:
            raise ScenarioError("", _BINARY, source)
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as err:
            line = text.count(b"\n", 0, err.start) + 1
            raise ScenarioError("", f"is not UTF-8 text (bad byte at offset {err.start}, line {line}); "
                                    "a scenario must be saved as UTF-8", source) from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ScenarioError("", f"must be valid Unicode text, got a lone surrogate at offset {err.start}",
                            source) from None
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise ScenarioError("", f"is larger than the {MAX_FILE_BYTES:,} bytes a scenario may have", source)
    if "\x00" in text:
        raise ScenarioError("", _BINARY, source)
    if not text.strip():
        raise ScenarioError("", "is empty; a scenario needs at least name, workload and options", source)
    return _validate(_parse_yaml(text, source), source)


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Raises
    ------
    ScenarioError
        For a missing, unreadable, non-YAML or invalid file, naming the field at fault.
    """
    p = Path(path)
    source = str(path)
    if not p.exists():
        raise ScenarioError("", "no such file", source)
    if p.is_dir():
        raise ScenarioError("", "is a folder, not a scenario file", source)
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ScenarioError("", f"is {size:,} bytes; a scenario may have at most {MAX_FILE_BYTES:,}", source)
    try:
        raw = p.read_bytes()
    except OSError as err:
        raise ScenarioError("", f"cannot be read ({err.strerror})", source) from None
    return loads(raw, source)
