"""The ``criteria:`` section of a scenario: the strategic scorecard's schema (scored by :mod:`simkit.stats.scorecard`).

KPIs with a value function (``worst`` is worth 0, ``best`` 1) and qualitative factors that every option is
scored on from 1 to 5 with its evidence, each with a weight.  Which options are scored is checked here, with the
rest of the scenario; which KPIs are named, and whether their scale points the right way, is checked by the
scorecard against the KPI registry (:func:`simkit.stats.scorecard.check_criteria_kpis`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import Field, model_validator

from simkit.scenario.mechanisms import _Spec

if TYPE_CHECKING:
    from simkit.scenario.model import Scenario

__all__ = ["CriteriaSpec", "FactorSpec", "FactorScore", "KpiValueSpec", "FACTORS", "check_criteria_options"]

FACTORS = {
    "focus_on_core": "Focus on the core business",
    "access_to_expertise": "Access to expertise",
    "control": "Control",
    "confidentiality_security": "Confidentiality and security",
    "reputation": "Reputation",
    "flexibility": "Flexibility",
    "cultural_fit": "Cultural fit",
}
"""The qualitative factors of the outsourcing literature, with their plain labels (other names are allowed)."""

Name = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)]
Weight = Annotated[float, Field(ge=0, le=1e6)]
Finite = Annotated[float, Field(ge=-1e15, le=1e15)]


class FactorScore(_Spec):
    """One option's score on a factor, 1 (poor) to 5 (excellent), and why."""

    score: int = Field(ge=1, le=5)
    evidence: str = Field("", max_length=2000)


class FactorSpec(_Spec):
    """A qualitative factor: its weight and every option's score."""

    weight: Weight
    label: str = Field("", max_length=200)
    scores: dict[Name, FactorScore] = Field(min_length=1)


class KpiValueSpec(_Spec):
    """A simulated KPI on an absolute scale: ``worst`` is worth 0, ``best`` is worth 1."""

    weight: Weight
    worst: Finite
    best: Finite

    @model_validator(mode="after")
    def _ends_differ(self) -> KpiValueSpec:
        if self.worst == self.best:
            raise ValueError(f"worst and best must differ, both are {self.worst:g}")
        return self


class CriteriaSpec(_Spec):
    """The scorecard: KPIs with value functions and scored factors, all weighted."""

    kpis: dict[str, KpiValueSpec] = Field(default_factory=dict)
    factors: dict[Name, FactorSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _something_weighs(self) -> CriteriaSpec:
        weights = [k.weight for k in self.kpis.values()] + [f.weight for f in self.factors.values()]
        if not weights:
            raise ValueError("needs at least one entry under kpis: or factors:")
        if sum(weights) <= 0:
            raise ValueError("at least one criterion needs a weight > 0")
        return self


def check_criteria_options(scenario: Scenario) -> None:
    """Every factor scores every option of the scenario, and no other."""
    from simkit.errors import ScenarioError
    from simkit.errors import pick_name as _pick

    spec = scenario.criteria
    if spec is None:
        return
    for name, f in spec.factors.items():
        for opt in f.scores:
            problem = _pick(opt, scenario.options, "option")
            if problem:
                raise ScenarioError(f"criteria.factors.{name}.scores.{opt}", problem)
        missing = [o for o in scenario.options if o not in f.scores]
        if missing:
            raise ScenarioError(f"criteria.factors.{name}.scores",
                                f"every option needs a score 1-5; missing: {', '.join(missing)}")
