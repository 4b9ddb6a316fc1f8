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
  Sobol indices are estimated (:func:`simkit.sensitivity.sobol_indices`);
* ``oat``: one at a time — the base scenario, then each lever at its low and its
  high end with the others at base (the tornado diagram's design).

Random designs draw from the ``"design:<name>"`` stream of the seed, so the same
seed gives the same points.  Whole-number fields (head counts) stay whole.

Ranges come from code (``Lever(...)``), from the command line
(``--vary path=lo:hi:n``) or from a YAML file with ``levers:`` and
``uncertainties:`` sections (:func:`load_levers`).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .extras import require
from .scenario import Scenario, ScenarioError
from .streams import Streams

__all__ = ["Lever", "parse_vary", "levers_from_dict", "load_levers", "resolve_levers", "design_points",
           "DESIGNS", "current_value"]

DESIGNS = ("grid", "lhs", "sobol", "oat")


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
        if self.n < 1:
            raise ValueError(f"{self.path}: n must be >= 1, got {self.n}")
        if self.kind not in ("lever", "uncertainty"):
            raise ValueError(f"{self.path}: kind must be 'lever' or 'uncertainty', got {self.kind!r}")

    @classmethod
    def of_values(cls, path: str, values: Sequence[float], **kw: Any) -> Lever:
        vals = tuple(values)
        if not vals:
            raise ValueError(f"{path}: needs at least one value")
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
            n = int(parts[2]) if len(parts) == 3 else 3
            return Lever(path, float(parts[0]), float(parts[1]), n)
        return Lever.of_values(path, [float(v) for v in spec.split(",")])
    except ValueError as err:
        detail = str(err) if str(err).startswith(path) else f"{form}, got {text!r}"
        raise ValueError(detail) from None


def levers_from_dict(data: Mapping[str, Any], source: str | None = None) -> list[Lever]:
    """Levers from ``{"levers": {name: {path, low, high, n}}, "uncertainties": {...}}``."""
    if not isinstance(data, Mapping):
        raise ScenarioError("", "a levers file must be a mapping with levers: and/or uncertainties:", source)
    out = []
    for section, kind in (("levers", "lever"), ("uncertainties", "uncertainty")):
        entries = data.get(section) or {}
        if not isinstance(entries, Mapping):
            raise ScenarioError(section, "must be a mapping of name: {path, low, high, n}", source)
        for name, spec in entries.items():
            where = f"{section}.{name}"
            if not isinstance(spec, Mapping) or "path" not in spec:
                raise ScenarioError(where, "needs path and either low and high, or values", source)
            unknown = set(spec) - {"path", "low", "high", "n", "values"}
            if unknown:
                first = sorted(unknown)[0]
                raise ScenarioError(where, f"unknown key '{first}'; allowed: path, low, high, n, values",
                                    source)
            try:
                if "values" in spec:
                    values = [float(v) for v in spec["values"]]
                    out.append(Lever.of_values(str(spec["path"]), values, kind=kind, name=str(name)))
                else:
                    out.append(Lever(str(spec["path"]), float(spec["low"]), float(spec["high"]),
                                     int(spec.get("n", 3)), kind=kind, name=str(name)))
            except (KeyError, TypeError, ValueError) as err:
                msg = "low, high, n and values must be numbers"
                if isinstance(err, KeyError):
                    msg = f"needs {err.args[0]}"
                elif str(err).startswith(str(spec["path"])):
                    msg = str(err)
                raise ScenarioError(where, msg, source) from None
    if not out:
        raise ScenarioError("", "declares no levers or uncertainties", source)
    return out


def load_levers(path: str | Path) -> list[Lever]:
    """Levers and uncertainties from the ``levers:``/``uncertainties:`` sections of a YAML file."""
    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as err:
        raise ScenarioError("", f"cannot be read ({err.strerror})", str(path)) from None
    except yaml.YAMLError as err:
        raise ScenarioError("", f"not valid YAML: {str(err).splitlines()[0]}", str(path)) from None
    return levers_from_dict(data, str(path))


def current_value(scenario: Scenario, path: str) -> Any:
    """The scenario's value at a dotted path (a :class:`ScenarioError` naming the path if there is none)."""
    node: Any = scenario.to_dict()
    parts = path.split(".")
    for i, part in enumerate(parts):
        if not isinstance(node, dict) or part not in node:
            here = ".".join(parts[: i + 1])
            known = ", ".join(node) if isinstance(node, dict) else "none (not a section)"
            raise ScenarioError(here, f"names no field of the scenario; known here: {known}")
        node = node[part]
    return node


def resolve_levers(scenario: Scenario, levers: Sequence[Lever]) -> list[Lever]:
    """Check that every lever names a numeric field; mark whole-number fields ``integer``."""
    out, seen = [], set()
    for lever in levers:
        if lever.path in seen:
            raise ScenarioError(lever.path, "is varied twice")
        seen.add(lever.path)
        value = current_value(scenario, lever.path)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ScenarioError(lever.path, f"is not a number (it is {value!r}); only numbers can be varied")
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
        rows = list(itertools.product(*(lv.grid() for lv in levers)))
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
        rng = Streams(seed, 0).rng("design:lhs")
        u = np.column_stack([(rng.permutation(count) + rng.uniform(size=count)) / count for _ in levers])
        rows = list(zip(*(lv.scale(u[:, i]) for i, lv in enumerate(levers)), strict=True))
    else:
        saltelli = require("SALib.sample.sobol", "a Sobol design")

        base_n = int(n or 64)
        if base_n < 2 or base_n & (base_n - 1):
            raise ValueError(f"sobol needs a base sample size n that is a power of two (>= 2), got {base_n}")
        problem = {"num_vars": len(levers), "names": paths, "bounds": [[0.0, 1.0]] * len(levers)}
        rng = Streams(seed, 0).rng("design:sobol")
        u = saltelli.sample(problem, base_n, calc_second_order=False, seed=rng)
        rows = list(zip(*(lv.scale(u[:, i]) for i, lv in enumerate(levers)), strict=True))
    frame = pd.DataFrame([[_python(v, lv.integer) for v, lv in zip(r, levers, strict=True)] for r in rows],
                         columns=paths)
    frame.index.name = "point"
    frame.attrs["levers"] = levers
    return frame
