"""Exercises checked against the learner's own simulation, not a formula.

A *measured* question asks for a number read off a simulation the learner ran with their own choices
(or off their own fit of a history, a :class:`~simkit.fitting.FitResult`); the check reads the same number
from the object passed in, so a learner who changes the scenario is marked against what they simulated.
Nothing here is an answer key: the expected value exists only once the learner's simulation does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Measured", "MEASURED", "measure"]


@dataclass(frozen=True)
class Measured:
    """A question whose answer is read off the learner's results (or fit) by ``read``."""

    text: str
    read: Callable[[Any], float]
    rel_tol: float = 0.01
    abs_tol: float = 0.0
    unit: str = ""
    hint: str = ""
    read_off: str = "simulation"  # what the answer is read off: the learner's "simulation" or "fit"


def _mean(option: str, kpi: str) -> Callable[[Any], float]:
    return lambda res: float(res.kpis.loc[res.kpis.option == option, kpi].mean())


def _worst_month(option: str) -> Callable[[Any], float]:
    def read(res: Any) -> float:
        from simkit.ui.lessons.views import monthly_sla  # needs the run logs: simulate(..., keep_logs=True)

        return float(monthly_sla(res)[option].idxmin())

    return read


def _saving(cheap: str, careful: str) -> Callable[[Any], float]:
    return lambda res: _mean(cheap, "cost_total_usd")(res) - _mean(careful, "cost_total_usd")(res)


def _month_sla(option: str, month: int) -> Callable[[Any], float]:
    def read(res: Any) -> float:
        from simkit.ui.lessons.views import monthly_sla  # needs the run logs: simulate(..., keep_logs=True)

        return float(monthly_sla(res).loc[month, option])

    return read


def _ledger_mean(option: str, category: str) -> Callable[[Any], float]:
    def read(res: Any) -> float:
        rows = res.ledger[(res.ledger.option == option) & (res.ledger.category == category)]
        return float(rows["amount"].sum() / res.kpis.loc[res.kpis.option == option, "replication"].nunique())

    return read


MEASURED: dict[str, Measured] = {
    "seasonal.worst_month": Measured(
        "In the lesson's simulation `res`, which month (1-12) has the in-house team's lowest SLA attainment?",
        _worst_month("in_house"), rel_tol=0.0, abs_tol=0.0, unit="month",
        hint="Look at the monthly SLA table: the minimum of the in-house column."),
    "hidden.realised": Measured(
        "In the lesson's simulation `res`, what share of the in-house cost does the offshore option really save "
        "(0 to 1)? Read it off the ledger or the waterfall; if you changed the scenario, answer for your `res`.",
        lambda res: 1.0 - _mean("vendor", "cost_total_usd")(res) / _mean("in_house", "cost_total_usd")(res),
        rel_tol=0.0, abs_tol=0.01, unit="share",
        hint="(in-house total - vendor total) / in-house total, with every category of the ledger."),
    "quality.sim_escaped_cost": Measured(
        "In YOUR simulation `mine` (the lesson's scenario with your detection share), what is the cheap "
        "vendor's mean cost of escaped defects over the year, in USD? Read the 'quality' line of its ledger, "
        "averaged over the replications.",
        lambda res: float(res.ledger[(res.ledger.option == "cheap") & (res.ledger.category == "quality")]
                          ["amount"].sum() / res.kpis.loc[res.kpis.option == "cheap", "replication"].nunique()),
        rel_tol=0.01, unit="USD",
        hint="res.ledger rows with option 'cheap' and category 'quality', summed, divided by the replications."),
    "quality.sim_gap": Measured(
        "Judgement, numeric part: in YOUR simulation `mine`, by how many USD does the cheap vendor's mean total "
        "cost exceed the careful vendor's (negative if the cheap one is cheaper)?",
        _saving("cheap", "careful"), rel_tol=0.01, abs_tol=1.0, unit="USD",
        hint="mean cost_total_usd of 'cheap' minus that of 'careful' in mine.kpis (or mine.compare)."),
    "offshore.sim_captive_gap": Measured(
        "Judgement, numeric part: in YOUR simulation `mine`, by how many USD does the outsourced option's "
        "mean total cost exceed the captive centre's over the horizon (negative if it is cheaper)?",
        _saving("outsourced", "captive"), rel_tol=0.01, abs_tol=1.0, unit="USD",
        hint="mean cost_total_usd of 'outsourced' minus that of 'captive' in mine.kpis."),
    # the capstone: two readings of the learner's fit (a FitResult), three of their simulation
    "capstone.fit_december": Measured(
        "In YOUR fit `fitted`, how busy is December against an average month (the fitted month_of_year "
        "multiplier for December)? The client's brief says '90% busier'.",
        lambda fit: float(fit.arrivals.month[11]), rel_tol=0.0, abs_tol=0.005, unit="multiplier",
        hint="The last value of month_of_year in the fitted scenario (fitted.yaml), or fitted.arrivals.month.",
        read_off="fit"),
    "capstone.fit_growth": Measured(
        "In YOUR fit `fitted`, what annual growth did the fit write (a share: 0.05 for +5% a year)?",
        lambda fit: float(fit.arrivals.growth_annual), rel_tol=0.0, abs_tol=0.001, unit="share a year",
        hint="growth_annual in the fitted scenario; its comment gives the trend's 95% interval.", read_off="fit"),
    "capstone.sim_december_sla": Measured(
        "In YOUR simulation `res`, what share of the contacts arriving in month 12 does the in-house team "
        "answer within their promise (0 to 1)?",
        _month_sla("in_house", 12), rel_tol=0.0, abs_tol=0.005, unit="share",
        hint="monthly_sla(res): the in-house column, row 12 (the run's months: calendar months when it has a "
             "start date, else 730.5 hours each)."),
    "capstone.sim_quality_cost": Measured(
        "In YOUR simulation `res`, what do the BPO's escaped contacts cost the client a year when the BPO "
        "takes everything (the 'quality' line of the vendor option's ledger, mean over the replications)?",
        _ledger_mean("vendor", "quality"), rel_tol=0.01, unit="USD",
        hint="res.ledger rows with option 'vendor' and category 'quality', summed, divided by the replications."),
    "capstone.sim_hybrid_gap": Measured(
        "Judgement, numeric part: in YOUR simulation `res`, by how many USD does the hybrid's mean total "
        "cost exceed the in-house team's (negative if the hybrid is cheaper)?",
        _saving("hybrid", "in_house"), rel_tol=0.01, abs_tol=1.0, unit="USD",
        hint="mean cost_total_usd of 'hybrid' minus that of 'in_house' in res.kpis (or res.compare)."),
}


def measure(question_id: str, value: object, results: Any) -> str:
    """The verdict on ``value`` as the answer to a measured question, read off ``results``."""
    q = MEASURED[question_id]
    if results is None:
        example = "fitted" if q.read_off == "fit" else "mine"
        return f"This question is checked against your {q.read_off}: pass it, check_answer(..., results={example})."
    try:  # a fit passed for a simulation (or the reverse), a run without logs: one sentence, not a traceback
        want = q.read(results)
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        return (f"Cannot read this question's answer off the {type(results).__name__} passed as results= "
                f"({str(err)[:120]}): pass your {q.read_off}.")
    try:
        got = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"Not quite: expected a number, got {value!r}. Hint: {q.hint}"
    if math.isfinite(got) and math.isclose(got, want, rel_tol=q.rel_tol, abs_tol=q.abs_tol):
        return f"Correct! It matches your {q.read_off}."
    return f"Not quite ({'too high' if got > want else 'too low'}): {value!r}. Hint: {q.hint}"
