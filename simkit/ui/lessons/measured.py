"""Exercises checked against the learner's own simulation, not a formula.

A *measured* question asks for a number read off a simulation the learner ran with their own choices;
the check reads the same number from the :class:`~simkit.experiment.results.Results` passed in, so a learner who
changes the scenario is marked against what they simulated.  Nothing here is an answer key: the
expected value exists only once the learner's simulation does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Measured", "MEASURED", "measure"]


@dataclass(frozen=True)
class Measured:
    """A question whose answer is read off the learner's results by ``read``."""

    text: str
    read: Callable[[Any], float]
    rel_tol: float = 0.01
    abs_tol: float = 0.0
    unit: str = ""
    hint: str = ""


def _mean(option: str, kpi: str) -> Callable[[Any], float]:
    return lambda res: float(res.kpis.loc[res.kpis.option == option, kpi].mean())


def _worst_month(option: str) -> Callable[[Any], float]:
    def read(res: Any) -> float:
        from simkit.ui.lessons.views import monthly_sla  # needs the run logs: simulate(..., keep_logs=True)

        return float(monthly_sla(res)[option].idxmin())

    return read


def _saving(cheap: str, careful: str) -> Callable[[Any], float]:
    return lambda res: _mean(cheap, "cost_total_usd")(res) - _mean(careful, "cost_total_usd")(res)


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
}


def measure(question_id: str, value: object, results: Any) -> str:
    """The verdict on ``value`` as the answer to a measured question, read off ``results``."""
    q = MEASURED[question_id]
    if results is None:
        return "This question is checked against your simulation: pass it, check_answer(..., results=mine)."
    want = q.read(results)
    try:
        got = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"Not quite: expected a number, got {value!r}. Hint: {q.hint}"
    if math.isfinite(got) and math.isclose(got, want, rel_tol=q.rel_tol, abs_tol=q.abs_tol):
        return "Correct! It matches your simulation."
    return f"Not quite ({'too high' if got > want else 'too low'}): {value!r}. Hint: {q.hint}"
