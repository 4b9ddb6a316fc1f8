"""Step 1 of the sourcing lifecycle: screen which functions are candidates for outsourcing at all.

Before anything is simulated, each function of the business is scored from 1 (low) to 5 (high)
on six classic criteria and placed on a keep / hybrid / outsource map, with the reasons.  The
model is deliberately small and transparent — a first cut that says where a full simulation is
worth running (``scenario:`` points a candidate to its scenario file), not a verdict:

==========================  ==========================================================  ========
criterion                   why it matters                                               pulls to
==========================  ==========================================================  ========
``strategic_importance``    a core competence that differentiates (valuable, rare,       keep
                            hard to imitate) should stay in-house: resource-based view
                            (Barney 1991), core competencies (Quinn & Hilmer 1994)
``asset_specificity``       investments specific to this relationship invite hold-up     keep
                            and raise switching costs (Williamson 1985)
``confidentiality``         data or know-how whose leak is costly raises the cost of     keep
                            controlling a vendor
``measurability``           output that can be specified and measured can be governed    outsource
                            by contract; unmeasurable output needs hierarchy (TCE)
``market_maturity``         many capable vendors: competition disciplines price and      outsource
                            exit is possible; few vendors: small-numbers bargaining
``volume_variability``      a vendor pools uncorrelated demand, so variable volume      hybrid /
                            favours buying at least the peaks                            outsource
==========================  ==========================================================  ========

The *keep score* is the mean of the five keep pressures on [0, 1] (strategic importance,
asset specificity, confidentiality, and the lack of measurability and of market maturity:
``(score - 1) / 4`` or ``(5 - score) / 4``).  Placement: **keep** at a keep score of
``KEEP_AT`` (0.6) or more, or whenever strategic importance is 5 (a core competence is not
outsourced whatever else holds); **outsource** at ``OUTSOURCE_BELOW`` (0.4) or less;
**hybrid** in between.  A keep with highly variable volume (4 or 5) that is not core, in a market
with vendors to buy from (maturity 3 or more), becomes **hybrid** — keep the base load, buy the
peaks (``routing: overflow``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import Field, ValidationError

from simkit.errors import ScenarioError
from simkit.errors import show as _show
from simkit.scenario.mechanisms import _Spec  # strict numbers and keys, as every scenario section
from simkit.scenario.model import _describe
from simkit.scenario.yamlio import parse_yaml, read_file

__all__ = ["FunctionSpec", "ScreenSpec", "Placement", "Screen", "screen", "load_screen", "CRITERIA"]

Score = Annotated[int, Field(ge=1, le=5)]
KEEP_AT, OUTSOURCE_BELOW = 0.6, 0.4

# criterion -> (direction: +1 a high score pulls to keep, -1 a low one does; words for a high and a low score)
CRITERIA: dict[str, tuple[int, str, str]] = {
    "strategic_importance": (+1, "a core competence that differentiates (resource-based view: Barney 1991; "
                                 "Quinn & Hilmer 1994)", "a commodity activity, not a source of advantage"),
    "asset_specificity": (+1, "specific investments invite hold-up and costly switching (Williamson 1985)",
                          "general-purpose skills and assets: little hold-up risk"),
    "confidentiality": (+1, "sensitive data or know-how: costly to protect at a vendor",
                        "little sensitive data or know-how involved"),
    "measurability": (-1, "output is easy to specify and measure: a contract can govern it",
                      "output is hard to measure: a contract cannot govern it well (TCE)"),
    "market_maturity": (-1, "many capable vendors: competition and a credible exit",
                        "few capable vendors: small-numbers bargaining and lock-in"),
}




class FunctionSpec(_Spec):
    """One business function scored from 1 (low) to 5 (high) on each criterion."""

    description: str = Field("", max_length=2000)
    strategic_importance: Score
    asset_specificity: Score
    confidentiality: Score
    volume_variability: Score
    measurability: Score
    market_maturity: Score
    scenario: str | None = Field(None, max_length=500)


class ScreenSpec(_Spec):
    """A screen file: the functions to place, by name."""

    name: str = Field("screen", min_length=1, max_length=200)
    functions: dict[Annotated[str, Field(min_length=1, max_length=80)], FunctionSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Placement:
    """Where one function lands and why."""

    function: str
    placement: str  # "keep", "hybrid" or "outsource"
    keep_score: float  # 0 (everything says buy) .. 1 (everything says keep)
    reasons: tuple[str, ...]
    scenario: str | None


@dataclass(frozen=True)
class Screen:
    """The screen's result: one :class:`Placement` per function, in file order."""

    name: str
    placements: tuple[Placement, ...]
    base_dir: Path = Path(".")  # where relative ``scenario:`` paths start (the screen file's folder)

    def scenario(self, function: str):  # noqa: ANN201 - a Scenario (imported lazily: no cycle)
        """Load the scenario file a function points to (relative to the screen file's folder)."""
        from simkit.scenario.model import load

        p = next((p for p in self.placements if p.function == function), None)
        if p is None:
            raise ScenarioError("functions", f"no function {_show(function)}; screened: "
                                f"{', '.join(q.function for q in self.placements)}")
        if p.scenario is None:
            raise ScenarioError(f"functions.{function}.scenario", "is not set: no scenario to simulate")
        return load(self.base_dir / p.scenario)

    def table(self) -> pd.DataFrame:
        """One row per function: placement, keep score, the reasons joined by '; ', scenario."""
        return pd.DataFrame([{"function": p.function, "placement": p.placement, "keep_score": round(p.keep_score, 3),
                              "reasons": "; ".join(p.reasons), "scenario": p.scenario or ""}
                             for p in self.placements])

    def text(self) -> str:
        """The map as plain text: functions grouped by placement, each with its reasons."""
        lines = [f"screen: {self.name}"]
        for where in ("keep", "hybrid", "outsource"):
            chosen = [p for p in self.placements if p.placement == where]
            lines.append(f"{where.upper()} ({len(chosen)})")
            for p in chosen:
                sim = f"  -> simulate: {p.scenario}" if p.scenario else ""
                lines.append(f"  {p.function}  keep score {p.keep_score:.2f}{sim}")
                lines.extend(f"    - {r}" for r in p.reasons)
        return "\n".join(lines)


def place(name: str, f: FunctionSpec) -> Placement:
    """Score one function and place it (see the module docstring for the rule)."""
    pressures, reasons = [], []
    for criterion, (direction, high, low) in CRITERIA.items():
        score = getattr(f, criterion)
        keep = (score - 1) / 4 if direction > 0 else (5 - score) / 4
        pressures.append(keep)
        if score >= 4 or score <= 2:
            words = high if score >= 4 else low
            lean = "keep" if keep >= 0.75 else "outsource" if keep <= 0.25 else "neutral"
            reasons.append(f"{criterion.replace('_', ' ')} {score}/5: {words} ({lean})")
    keep_score = sum(pressures) / len(pressures)
    core = f.strategic_importance == 5
    if core or keep_score >= KEEP_AT:
        where = "keep"
        if core:
            reasons.insert(0, "strategic importance 5/5: a core competence stays in-house whatever else holds")
    elif keep_score <= OUTSOURCE_BELOW:
        where = "outsource"
    else:
        where = "hybrid"
    if f.volume_variability >= 4:
        reasons.append(f"volume variability {f.volume_variability}/5: a vendor pools variable demand, "
                       "so the peaks are cheaper bought (hybrid or outsource)")
        if where == "keep" and not core and f.market_maturity >= 3:  # someone to buy the peaks from
            where = "hybrid"
            reasons.append("kept base load with the peaks sent to a vendor (routing: overflow)")
    return Placement(name, where, keep_score, tuple(reasons), f.scenario)


def screen(spec: ScreenSpec | Mapping[str, Any] | str | Path) -> Screen:
    """Place every function of a screen (a :class:`ScreenSpec`, a mapping, or a YAML file's path).

    Raises
    ------
    ScenarioError
        For a missing or invalid file or mapping, naming the field at fault.
    """
    base = Path(".")
    if isinstance(spec, str | Path):
        base = Path(spec).parent
        spec = load_screen(spec)
    elif not isinstance(spec, ScreenSpec):
        spec = _validate(spec, None)
    return Screen(spec.name, tuple(place(n, f) for n, f in spec.functions.items()), base)


def _validate(data: Any, source: str | None) -> ScreenSpec:
    if not isinstance(data, Mapping):
        raise ScenarioError("", f"a screen must be a mapping with 'functions', got {type(data).__name__}", source)
    try:
        return ScreenSpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        path, msg = _describe(err)
        if err["type"] == "extra_forbidden":
            model = ScreenSpec if len(err["loc"]) == 1 else FunctionSpec
            msg = f"unknown key {_show(err['loc'][-1])}; allowed: {', '.join(model.model_fields)}"
        elif err["type"] == "missing" and len(err["loc"]) == 3:
            msg += f" (each function is scored 1-5 on: {', '.join([*CRITERIA, 'volume_variability'])})"
        raise ScenarioError(path, msg, source) from None


def load_screen(path: str | Path) -> ScreenSpec:
    """Read and validate a screen file (YAML, same limits and safety as a scenario file)."""
    source = str(path)
    data = parse_yaml(read_file(path, "a screen file"), source, "a screen file")  # regular files only, capped
    if data is None:
        raise ScenarioError("", "is empty; a screen file is YAML text with 'functions'", source)
    return _validate(data, source)
