"""Distributions: from a line of YAML to a vectorised numpy sampler.

A scenario describes uncertain quantities such as the effort an item takes in
words a spreadsheet user already knows::

    effort_h: lognormal(mean=0.75, cv=0.8)
    effort_h: {dist: triangular, low: 0.25, mode: 0.5, high: 2}
    effort_h: 0.5                      # a plain number is deterministic

The string form is *parsed*, never evaluated: a name, then ``key=value`` pairs
whose values are numbers or ``[lists, of, numbers]``.  Every distribution is
parameterised by what people estimate (a mean and a coefficient of variation,
or a low / most likely / high), not by the mathematician's ``mu`` and
``sigma``.

Each :class:`Dist` draws a whole block at once with ``sample(rng, n)`` from a
:class:`numpy.random.Generator` that the caller owns; no global random state
is touched, which is what keeps replications reproducible.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from simkit.errors import show

__all__ = ["Dist", "DistField", "parse_dist", "DIST_NAMES"]

# name -> (required parameter sets, in order of preference)
_PARAMS: dict[str, tuple[tuple[str, ...], ...]] = {
    "exponential": (("mean",), ("rate",)),
    "lognormal": (("mean", "cv"),),
    "gamma": (("mean", "cv"), ("shape", "scale")),
    "triangular": (("low", "mode", "high"),),
    "uniform": (("low", "high"),),
    "deterministic": (("value",),),
    "empirical": (("values",), ("values", "weights")),
}
DIST_NAMES = tuple(_PARAMS)

MAX_PARAMETER = 1e15
"""Largest size of a distribution parameter (hours, counts, weights): sums and products of draws stay finite."""
MAX_CV = 100.0
"""Largest coefficient of variation: beyond it a lognormal or gamma draw is a single huge value among zeros, and
``cv ** 2`` overflows near 1e154."""
MIN_RATE = 1.0 / MAX_PARAMETER
"""Smallest exponential rate (a mean of at most :data:`MAX_PARAMETER`)."""

_CALL = re.compile(r"^\s*([a-z_]+)\s*\((.*)\)\s*$", re.S)
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_ARG = re.compile(rf"\s*([a-z_]+)\s*=\s*(\[[^\]]*\]|{_NUMBER})\s*(?:,|$)")


@dataclass(frozen=True)
class Dist:
    """A named distribution with validated parameters.

    Parameters
    ----------
    name
        One of :data:`DIST_NAMES`.
    params
        The parameters as given (sorted ``(key, value)`` pairs), so that a
        distribution writes back to YAML exactly as it was read.
    """

    name: str
    params: tuple[tuple[str, Any], ...]

    # -- construction -----------------------------------------------------
    def __post_init__(self) -> None:
        p = dict(self.params)
        n = self.name
        if n not in _PARAMS:
            raise ValueError(f"unknown distribution {show(n)}; allowed: {', '.join(DIST_NAMES)}")
        keys = set(p)
        if not any(keys == set(opt) for opt in _PARAMS[n]):
            allowed = " or ".join("(" + ", ".join(opt) + ")" for opt in _PARAMS[n])
            got = show(", ".join(sorted(keys))).strip("'") or "nothing"
            raise ValueError(f"{n} takes {allowed}, got ({got})")
        for k, v in p.items():
            if k in ("values", "weights"):
                arr = np.asarray(v, dtype=float)
                if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)) or np.any(arr < 0):
                    raise ValueError(f"{n} {k} must be a non-empty list of finite numbers >= 0")
                if np.any(arr > MAX_PARAMETER):
                    raise ValueError(f"{n} {k} must be at most {MAX_PARAMETER:.0e}, got {arr.max():g}")
            elif not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v):
                raise ValueError(f"{n} {k} must be a finite number, got {show(v)}")
            elif abs(v) > MAX_PARAMETER:
                raise ValueError(f"{n} {k} must be at most {MAX_PARAMETER:.0e} in size, got {v:g}")
        positive = {"mean", "rate", "shape", "scale"}
        for k in positive & keys:
            if p[k] <= 0:
                raise ValueError(f"{n} {k} must be > 0, got {p[k]}")
        if "cv" in p and not 0 <= p["cv"] <= MAX_CV:
            raise ValueError(f"{n} cv must be from 0 to {MAX_CV:g} (beyond it a draw is one huge value among "
                             f"zeros), got {p['cv']:g}")
        if "rate" in p and p["rate"] < MIN_RATE:
            raise ValueError(f"{n} rate must be >= {MIN_RATE:g} (a mean of at most {MAX_PARAMETER:.0e}), got "
                             f"{p['rate']:g}")
        for k in ("low", "mode", "high", "value"):
            if k in p and p[k] < 0:
                raise ValueError(f"{n} {k} must be >= 0, got {p[k]}")
        if n == "triangular" and not p["low"] <= p["mode"] <= p["high"]:
            raise ValueError(f"triangular needs low <= mode <= high, got {p['low']}, {p['mode']}, {p['high']}")
        if n == "uniform" and not p["low"] <= p["high"]:
            raise ValueError(f"uniform needs low <= high, got {p['low']}, {p['high']}")
        if "weights" in p:
            if len(p["weights"]) != len(p["values"]):
                raise ValueError("empirical weights must have one entry per value")
            if sum(p["weights"]) <= 0:
                raise ValueError("empirical weights must not all be zero")

    @classmethod
    def of(cls, name: str, **params: Any) -> Dist:
        """Build a distribution from keyword parameters, e.g. ``Dist.of("exponential", mean=1)``."""
        for k, v in params.items():  # float() would read True as 1 and "1_000" as 1000
            if isinstance(v, list | tuple) and any(isinstance(x, bool | str | bytes) for x in v):
                raise ValueError(f"{show(name)} {show(k)} must be a list of numbers, got {show(list(v))}")
        norm = {k: (tuple(float(x) for x in v) if isinstance(v, list | tuple) else v) for k, v in params.items()}
        return cls(name, tuple(sorted(norm.items())))

    # -- properties ---------------------------------------------------------
    @property
    def mean(self) -> float:
        """The distribution's expected value."""
        p = dict(self.params)
        match self.name:
            case "exponential":
                return p["mean"] if "mean" in p else 1.0 / p["rate"]
            case "lognormal":
                return float(p["mean"])
            case "gamma":
                return float(p["mean"]) if "mean" in p else p["shape"] * p["scale"]
            case "triangular":
                return (p["low"] + p["mode"] + p["high"]) / 3.0
            case "uniform":
                return (p["low"] + p["high"]) / 2.0
            case "deterministic":
                return float(p["value"])
            case _:  # empirical
                w = np.asarray(p.get("weights", [1.0] * len(p["values"])), dtype=float)
                return float(np.dot(w / w.sum(), p["values"]))

    @property
    def scv(self) -> float:
        """Squared coefficient of variation (variance / mean**2); 0 for a point mass."""
        p = dict(self.params)
        m = self.mean
        if m == 0:
            return 0.0
        match self.name:
            case "exponential":
                return 1.0
            case "lognormal":
                return float(p["cv"]) ** 2
            case "gamma":
                return float(p["cv"]) ** 2 if "cv" in p else 1.0 / p["shape"]
            case "triangular":
                a, c, b = p["low"], p["mode"], p["high"]
                return (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0 / m**2
            case "uniform":
                return (p["high"] - p["low"]) ** 2 / 12.0 / m**2
            case "deterministic":
                return 0.0
            case _:
                v = np.asarray(p["values"], dtype=float)
                w = np.asarray(p.get("weights", [1.0] * len(v)), dtype=float)
                w = w / w.sum()
                return float(np.dot(w, (v - m) ** 2)) / m**2

    # -- sampling -----------------------------------------------------------
    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` independent values as a float64 array."""
        p = dict(self.params)
        match self.name:
            case "exponential":
                return rng.exponential(self.mean, n)
            case "lognormal":
                m, cv = float(p["mean"]), float(p["cv"])
                if cv == 0:
                    return np.full(n, m)
                s2 = math.log1p(cv * cv)
                return rng.lognormal(math.log(m) - s2 / 2.0, math.sqrt(s2), n)
            case "gamma":
                if "cv" in p:
                    if p["cv"] ** 2 == 0:  # also a cv so small that its square underflows: no spread to draw
                        return np.full(n, float(p["mean"]))
                    k = 1.0 / p["cv"] ** 2
                    return rng.gamma(k, p["mean"] / k, n)
                return rng.gamma(p["shape"], p["scale"], n)
            case "triangular":
                if p["low"] == p["high"]:
                    return np.full(n, float(p["low"]))
                return rng.triangular(p["low"], p["mode"], p["high"], n)
            case "uniform":
                return rng.uniform(p["low"], p["high"], n)
            case "deterministic":
                return np.full(n, float(p["value"]))
            case _:
                v = np.asarray(p["values"], dtype=float)
                w = p.get("weights")
                probs = None if w is None else np.asarray(w, dtype=float) / float(sum(w))
                return rng.choice(v, size=n, p=probs)

    def __str__(self) -> str:
        def fmt(v: Any) -> str:
            if isinstance(v, tuple):
                return "[" + ", ".join(fmt(x) for x in v) + "]"
            return repr(float(v)) if isinstance(v, float) and not float(v).is_integer() else str(int(v))

        order = next(opt for opt in _PARAMS[self.name] if set(opt) == {k for k, _ in self.params})
        p = dict(self.params)
        return f"{self.name}(" + ", ".join(f"{k}={fmt(p[k])}" for k in order) + ")"


def parse_dist(value: Any) -> Dist:
    """Turn what a scenario file says into a :class:`Dist`.

    Accepts a :class:`Dist`, a plain number (deterministic), a string such as
    ``"lognormal(mean=2, cv=0.5)"`` or a mapping ``{dist: lognormal, mean: 2, cv: 0.5}``.

    Raises
    ------
    ValueError
        With one sentence saying what is wrong and what is allowed.
    """
    if isinstance(value, Dist):
        return value
    if isinstance(value, bool):
        raise ValueError(f"expected a distribution, got {show(value)}")
    if isinstance(value, int | float):
        try:
            return Dist.of("deterministic", value=float(value))
        except OverflowError:
            raise ValueError("must be a finite number, got one too large to represent") from None
    if isinstance(value, dict):
        params = dict(value)
        name = params.pop("dist", None)
        if not isinstance(name, str):
            raise ValueError("a distribution mapping needs 'dist: <name>'; allowed: " + ", ".join(DIST_NAMES))
        if not all(isinstance(k, str) for k in params):
            raise ValueError(f"{show(name)} parameter names must be text, got {show(sorted(map(str, params)))}")
        try:
            return Dist.of(name, **params)
        except (TypeError, OverflowError):
            raise ValueError(f"{name} parameters must be numbers (values: a list of numbers)") from None
    if isinstance(value, str):
        m = _CALL.match(value)
        if not m:
            raise ValueError(
                f"cannot read {show(value)} as a distribution; write e.g. 'lognormal(mean=2, cv=0.5)'"
                f" with one of: {', '.join(DIST_NAMES)}"
            )
        name, body = m.group(1), m.group(2).strip()
        if name not in _PARAMS:
            raise ValueError(f"unknown distribution '{name}'; allowed: {', '.join(DIST_NAMES)}")
        params: dict[str, Any] = {}
        pos = 0
        while pos < len(body):
            a = _ARG.match(body, pos)
            if not a or a.end() == pos:
                raise ValueError(f"cannot read the parameters of {show(value)}; write key=number pairs")
            key, raw = a.group(1), a.group(2)
            if key in params:
                raise ValueError(f"{name} parameter '{key}' is given twice")
            if raw.startswith("["):
                items = [x.strip() for x in raw[1:-1].split(",") if x.strip()]
                if not all(re.fullmatch(_NUMBER, x) for x in items):
                    raise ValueError(f"{name} {key} must be a list of numbers, got {show(raw)}")
                params[key] = [float(x) for x in items]
            else:
                params[key] = float(raw)
            pos = a.end()
        return Dist.of(name, **params)
    raise ValueError(f"expected a distribution, got {type(value).__name__} {show(value)}")


def _dist_field():
    from typing import Annotated

    from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

    return Annotated[Dist, BeforeValidator(parse_dist), PlainSerializer(str, return_type=str),
                     WithJsonSchema({"type": "string"})]


DistField = _dist_field()
"""A pydantic field type: accepts anything :func:`parse_dist` reads, writes back the string form."""
