"""Experimental designs: which parameter values a sweep visits.

A :class:`Lever` is a scenario parameter (a dotted path such as
``vendors.msp.price_per_item``) with a range.  Levers are *decisions* you
control (a price to negotiate, a head count); *uncertainties* are parameters you
don't (volume, a failure rate) — the same object with ``kind="uncertainty"``.

Designs turn levers into points:

* ``grid``: every combination of ``n`` evenly spaced values per lever — exact
  and readable, but ``n ** d`` points;
* ``lhs``: a Latin hypercube of ``n`` points — each lever's range cut into ``n``
  strata, every stratum used exactly once — space-filling at any size;
* ``sobol``: Saltelli's scheme on a scrambled Sobol' sequence (SALib), ``n`` base
  samples giving ``n * (d + 2)`` points, from which first-order and total
  Sobol indices are estimated (:func:`simkit.analysis.sensitivity.sobol_indices`);
* ``oat``: one at a time — the base scenario, then each lever at its low and its
  high end with the others at base (the tornado diagram's design).

Random designs draw from the ``"design:<name>"`` stream of the seed, so the same
seed gives the same points.  Whole-number fields (head counts) stay whole.

Ranges come from code (``Lever(...)``), from the command line
(``--vary path=lo:hi:n``) or from a YAML file with ``levers:`` and
``uncertainties:`` sections (:func:`load_levers`).
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simkit.errors import ScenarioError, show, show_key
from simkit.extras import require
from simkit.scenario.limits import MAX_DESIGN_POINTS, check_design_size
from simkit.scenario.model import Scenario
from simkit.scenario.yamlio import load_yaml_file
from simkit.streams import Streams

__all__ = ["Lever", "parse_vary", "levers_from_dict", "load_levers", "resolve_levers", "design_points",
           "DESIGNS", "current_value", "check_sections"]

DESIGNS = ("grid", "lhs", "sobol", "oat")
SECTIONS = ("levers", "uncertainties")
"""The sections of a levers file: decisions and uncertainties (nothing else is read, so nothing else is allowed)."""
ENTRY_KEYS = ("path", "low", "high", "n", "values")
NO_EFFECT = {"run.seed": "the seed of a sweep is its own (seed=, CLI --seed), the same at every point",
             "run.replications": "the replications of a sweep are its own (replications=, CLI -n)"}
"""Numeric fields a sweep sets itself: varying them would change nothing, so they are refused as levers."""


@dataclass(frozen=True)
class Lever:
    """A scenario parameter and the range a sweep explores.

    Parameters
    ----------
    path
        Dotted path into the scenario, e.g. ``"vendors.msp.price_per_item"``.
    low, high
        The range (inclusive).
    n
        Values on a grid (evenly spaced from ``low`` to ``high``).
    values
        Explicit grid values instead of a range (``low``/``high`` are then their min and max).
    integer
        Whole numbers only (set automatically for whole-number fields by :func:`resolve_levers`).
    kind
        ``"lever"`` (a decision) or ``"uncertainty"``.
    name
        A short label for charts (default: the last part of the path).
    """

    path: str
    low: float
    high: float
    n: int = 3
    values: tuple[float, ...] | None = None
    integer: bool = False
    kind: str = "lever"
    name: str = ""

    def __post_init__(self) -> None:
        if not (np.isfinite(self.low) and np.isfinite(self.high)) or self.low > self.high:
            raise ValueError(f"{self.path}: the range needs finite low <= high, got {self.low} and "
                             f"{self.high}")
        if isinstance(self.n, bool) or not isinstance(self.n, int | np.integer) or not 1 <= self.n <= MAX_DESIGN_POINTS:
            raise ValueError(f"{self.path}: n must be a whole number from 1 to {MAX_DESIGN_POINTS:,}, got "
                             f"{show(self.n)}")
        if self.kind not in ("lever", "uncertainty"):
            raise ValueError(f"{self.path}: kind must be 'lever' or 'uncertainty', got {self.kind!r}")

    @classmethod
    def of_values(cls, path: str, values: Sequence[float], **kw: Any) -> Lever:
        vals = tuple(values)
        if not vals:
            raise ValueError(f"{path}: needs at least one value")
        if len(vals) > MAX_DESIGN_POINTS:
            raise ValueError(f"{path}: at most {MAX_DESIGN_POINTS:,} values, got {len(vals):,}")
        return cls(path, float(min(vals)), float(max(vals)), len(vals), vals, **kw)

    @property
    def label(self) -> str:
        return self.name or self.path.rsplit(".", 1)[-1]

    def grid(self) -> np.ndarray:
        """The grid values."""
        if self.values is not None:
            return np.asarray(self.values, dtype=float)
        x = np.linspace(self.low, self.high, self.n) if self.n > 1 else np.array([(self.low + self.high) / 2])
        return np.unique(np.rint(x)) if self.integer else x

    def scale(self, u: np.ndarray) -> np.ndarray:
        """Unit-interval numbers to values (whole numbers uniform over ``low..high`` if integer)."""
        u = np.asarray(u, dtype=float)
        if self.integer:
            return np.minimum(np.floor(self.low + u * (self.high - self.low + 1)), self.high)
        return self.low + u * (self.high - self.low)


def parse_vary(text: str) -> Lever:
    """Read ``path=lo:hi:n``, ``path=lo:hi`` (n = 3) or ``path=v1,v2,...`` (explicit values)."""
    path, sep, spec = str(text).partition("=")
    path, spec = path.strip(), spec.strip()
    form = "--vary expects path=lo:hi:n or path=v1,v2,... (e.g. vendors.msp.price_per_item=25:45:5)"
    if not sep or not path or not spec:
        raise ValueError(f"{form}, got {text!r}")
    try:
        if ":" in spec:
            parts = spec.split(":")
            if len(parts) not in (2, 3):
                raise ValueError
            n = int(parts[2]) if len(parts) == 3 else 3  # "1e9" is refused here: n is a whole number
            return Lever(path, float(parts[0]), float(parts[1]), n)
        return Lever.of_values(path, [float(v) for v in spec.split(",")])
    except ValueError as err:
        detail = str(err) if str(err).startswith(path) else f"{form}, got {text!r}"
        raise ValueError(detail) from None


def check_sections(data: Mapping[Any, Any], source: str | None) -> None:
    for key in data:
        if key in SECTIONS:
            continue
        hint = difflib.get_close_matches(str(key)[:100], SECTIONS, n=1, cutoff=0.6)
        maybe = f" (did you mean '{hint[0]}'?)" if hint else ""
        raise ScenarioError(show_key(key), f"unknown section {show(str(key))}{maybe}; a levers file has only "
                                           f"{' and '.join(s + ':' for s in SECTIONS)}", source)


def _lever(spec: Mapping[Any, Any], where: str, kind: str, name: Any, source: str | None) -> Lever:
    unknown = [k for k in spec if k not in ENTRY_KEYS]
    if unknown:
        hint = difflib.get_close_matches(str(unknown[0])[:100], ENTRY_KEYS, n=1, cutoff=0.6)
        maybe = f" (did you mean '{hint[0]}'?)" if hint else ""
        raise ScenarioError(where, f"unknown key {show(str(unknown[0]))}{maybe}; allowed: {', '.join(ENTRY_KEYS)}",
                            source)
    path = spec["path"]
    if not isinstance(path, str):
        raise ScenarioError(where, f"path must be a dotted path such as vendors.msp.price_per_item, got {show(path)}",
                            source)
    if path in NO_EFFECT:
        raise ScenarioError(where, f"{path} has no effect as a lever: {NO_EFFECT[path]}", source)
    numbers = [spec[k] for k in ("low", "high", "n") if k in spec] + list(
        spec["values"] if isinstance(spec.get("values"), list) else [])
    if any(isinstance(v, bool | str) for v in numbers):  # float() would read True as 1 and "1_000" as 1000
        bad = next(v for v in numbers if isinstance(v, bool | str))
        raise ScenarioError(where, f"low, high, n and values must be numbers, got {show(bad)}", source)
    try:
        if "values" in spec:
            if not isinstance(spec["values"], list):
                raise TypeError
            return Lever.of_values(path, [float(v) for v in spec["values"]], kind=kind, name=str(name))
        n = spec.get("n", 3)
        if isinstance(n, float) and n.is_integer():
            n = int(n)
        if not isinstance(n, int):
            raise ScenarioError(where, f"n must be a whole number, got {show(n)}", source)
        return Lever(path, float(spec["low"]), float(spec["high"]), n, kind=kind, name=str(name))
    except (KeyError, TypeError, ValueError, OverflowError) as err:
        msg = "low, high, n and values must be numbers"
        if isinstance(err, KeyError):
            msg = f"needs {err.args[0]}"
        elif str(err).startswith(path):
            msg = str(err)[len(path) + 2:]
        raise ScenarioError(where, msg, source) from None


def levers_from_dict(data: Mapping[str, Any], source: str | None = None) -> list[Lever]:
    """Levers from ``{"levers": {name: {path, low, high, n}}, "uncertainties": {...}}``.

    Any other section is refused (with "did you mean" for a misspelt one), as are
    unknown keys in an entry, keys with whitespace around them and booleans or
    text where a number belongs: a lever that is silently dropped or misread
    would sweep something other than what was asked.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError("", "a levers file must be a mapping with levers: and/or uncertainties:, got "
                                f"{type(data).__name__}", source)
    check_sections(data, source)
    out = []
    for section, kind in (("levers", "lever"), ("uncertainties", "uncertainty")):
        entries = data.get(section) or {}
        if not isinstance(entries, Mapping):
            raise ScenarioError(section, "must be a mapping of name: {path, low, high, n}", source)
        for name, spec in entries.items():
            where = f"{section}.{show_key(name)}"
            if isinstance(name, str) and name != name.strip():
                raise ScenarioError(where, f"the name {show(name)} must not have whitespace around it; write "
                                           f"{show(name.strip())}", source)
            if not isinstance(spec, Mapping) or "path" not in spec:
                raise ScenarioError(where, "needs path and either low and high, or values", source)
            out.append(_lever(spec, where, kind, name, source))
    if not out:
        raise ScenarioError("", "declares no levers or uncertainties", source)
    return out


def load_levers(path: str | Path) -> list[Lever]:
    """Levers and uncertainties from the ``levers:``/``uncertainties:`` sections of a YAML file.

    The file is read like a scenario (:mod:`simkit.scenario.yamlio`): a regular file of bounded size, YAML 1.2
    scalars, no duplicate keys, aliases or deep nesting.
    """
    return levers_from_dict(load_yaml_file(path, "a levers file"), str(path))


def current_value(scenario: Scenario, path: str) -> Any:
    """The scenario's value at a dotted path (a :class:`ScenarioError` naming the path if there is none)."""
    node: Any = scenario.to_dict()
    parts = path.split(".")
    for i, part in enumerate(parts):
        if not isinstance(node, dict) or part not in node:
            here = ".".join(show_key(p) for p in parts[: i + 1])
            known = ", ".join(node) if isinstance(node, dict) else "none (not a section)"
            raise ScenarioError(here, f"names no field of the scenario; known here: {known}")
        node = node[part]
    return node


def resolve_levers(scenario: Scenario, levers: Sequence[Lever]) -> list[Lever]:
    """Check that every lever names a numeric field; mark whole-number fields ``integer``."""
    out, seen = [], set()
    for lever in levers:
        if lever.path in seen:
            raise ScenarioError(show_key(lever.path), "is varied twice")
        seen.add(lever.path)
        if lever.path in NO_EFFECT:
            raise ScenarioError(lever.path, f"has no effect as a lever: {NO_EFFECT[lever.path]}")
        value = current_value(scenario, lever.path)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(show_key(lever.path), f"is not a number (it is {show(value)}); only numbers can be "
                                                      "varied")
        out.append(replace(lever, integer=True) if isinstance(value, int) else lever)
    return out


def _python(value: float, integer: bool) -> float | int:
    return int(round(value)) if integer else float(value)


def design_points(scenario: Scenario, levers: Sequence[Lever], design: str = "grid", n: int | None = None,
                  seed: int | None = None) -> pd.DataFrame:
    """The points of ``design`` over ``levers``: one row per point, one column per path.

    Parameters
    ----------
    n
        ``lhs``: the number of points (default 10 x levers); ``sobol``: the base
        sample size (default 64; a power of two), giving ``n * (levers + 2)`` points.
    seed
        For ``lhs`` and ``sobol`` (default: the scenario's seed).
    """
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {', '.join(DESIGNS)}, got {design!r}")
    levers = resolve_levers(scenario, levers)
    if not levers:
        raise ValueError("a sweep needs at least one lever")
    paths = [lv.path for lv in levers]
    seed = int(seed if seed is not None else scenario.run.seed)
    if design == "grid":
        grids = [lv.grid() for lv in levers]
        check_design_size(math.prod(len(g) for g in grids), "the grid (" + " x ".join(str(len(g)) for g in grids)
                          + " values)")
        rows = list(itertools.product(*grids))
    elif design == "oat":
        base = [float(current_value(scenario, p)) for p in paths]
        rows = [tuple(base)]
        for i, lv in enumerate(levers):
            for end in (lv.low, lv.high):
                rows.append(tuple(base[:i] + [end] + base[i + 1:]))
    elif design == "lhs":
        count = int(n or 10 * len(levers))
        if count < 1:
            raise ValueError(f"lhs needs n >= 1 points, got {count}")
        check_design_size(count, f"lhs with n = {count:,}")
        rng = Streams(seed, 0).rng("design:lhs")
        u = np.column_stack([(rng.permutation(count) + rng.uniform(size=count)) / count for _ in levers])
        rows = list(zip(*(lv.scale(u[:, i]) for i, lv in enumerate(levers)), strict=True))
    else:
        saltelli = require("SALib.sample.sobol", "a Sobol design")

        base_n = int(n or 64)
        if base_n < 2 or base_n & (base_n - 1):
            raise ValueError(f"sobol needs a base sample size n that is a power of two (>= 2), got {base_n}")
        check_design_size(base_n * (len(levers) + 2), f"sobol with n = {base_n:,} and {len(levers)} levers")
        problem = {"num_vars": len(levers), "names": paths, "bounds": [[0.0, 1.0]] * len(levers)}
        rng = Streams(seed, 0).rng("design:sobol")
        u = saltelli.sample(problem, base_n, calc_second_order=False, seed=rng)
        rows = list(zip(*(lv.scale(u[:, i]) for i, lv in enumerate(levers)), strict=True))
    frame = pd.DataFrame([[_python(v, lv.integer) for v, lv in zip(r, levers, strict=True)] for r in rows],
                         columns=paths)
    frame.index.name = "point"
    frame.attrs["levers"] = levers
    return frame
