"""Helpers for the lesson notebooks: exercises with friendly feedback, and two teaching views.

* :func:`check_answer` compares a learner's number (or word) with the expected answer within a
  tolerance and prints a verdict with a hint; :func:`ask` prints a question, :func:`solution`
  its worked answer.  Every question is self-contained: the numbers it needs are in its text, and
  its answer is computed from them with :mod:`simkit.analytic` where a closed form exists.
* :func:`waterfall` draws the steps from one option's total cost to another's (the hidden-costs
  lesson); :func:`monthly_sla` splits SLA attainment by month of arrival (the seasonal lesson),
  with the same definition as the ``sla_attainment_share`` KPI.

Presentation only: the numbers come from the public API.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from . import analytic
from .engine.log import COMPLETED
from .results import Results
from .workload import HOURS_PER_MONTH

__all__ = ["Question", "QUESTIONS", "ask", "check_answer", "is_correct", "solution", "waterfall",
           "monthly_sla"]

Answer = float | str


@dataclass(frozen=True)
class Question:
    """One exercise: its text, its answer (or how to compute it), and the tolerance allowed."""

    text: str
    answer: Answer | Callable[[], Answer]
    rel_tol: float = 0.02
    abs_tol: float = 0.0
    unit: str = ""
    hint: str = ""
    why: str = ""

    def expected(self) -> Answer:
        return self.answer() if callable(self.answer) else self.answer


def _team_cost_usd(staff: int, per_hour: float, hours: float, overhead_month: float, months: float) -> float:
    return staff * (per_hour * hours + overhead_month * months)


_F_HELPDESK = _team_cost_usd(2, 45.0, 2080.0, 800.0, 12.0)  # 206,400 USD a year

QUESTIONS: dict[str, Question] = {
    # ---------------------------------------------------------------- 03 break-even
    "break_even.volume": Question(
        "Two engineers cost 2 x (45 USD/h x 2,080 h + 800 USD/month x 12) = 206,400 USD a year whatever "
        "the volume. A provider charges 30 USD a ticket plus 5% governance, after a one-off 9,000 USD "
        "transition. Above how many tickets a year is keeping the team cheaper?",
        lambda: analytic.break_even_volume(_F_HELPDESK - 9000.0, 30.0 * 1.05, 0.0),
        rel_tol=0.01, unit="tickets a year",
        hint="Q* = F / (p - v): F is the difference in fixed costs (team minus transition), p the "
             "all-in price per ticket (with governance), v the team's extra cost per ticket (zero).",
        why="(206,400 - 9,000) / (30 x 1.05) = 6,267 tickets: below it, buying is cheaper."),
    "break_even.price": Question(
        "Same team (206,400 USD a year) and transition (9,000 USD), and 4,800 tickets a year. At what "
        "price per ticket, before the 5% governance, do both options cost the same?",
        lambda: (_F_HELPDESK - 9000.0) / (4800 * 1.05), rel_tol=0.01, unit="USD a ticket",
        hint="Solve F - T = Q x p x (1 + g) for p.",
        why="(206,400 - 9,000) / (4,800 x 1.05) = 39.17 USD: the provider's 35 USD leaves a margin."),
    "break_even.scale": Question(
        "As the volume grows, whose cost per ticket falls: 'in_house' or 'vendor'?",
        "in_house", hint="Divide each option's total cost by the volume: which part is fixed?",
        why="The team's cost is fixed, so its cost per ticket falls as 1/Q; the provider's stays at p."),
    # ---------------------------------------------------------------- 04 hidden costs
    "hidden.headline": Question(
        "The spreadsheet compares an in-house developer at 80 USD/h (2,080 h a year) with an offshore "
        "engineer at 7,000 USD a month. What saving per head does it promise, as a share of the in-house "
        "cost (0 to 1)?",
        lambda: 1.0 - 7000.0 * 12 / (80.0 * 2080.0), abs_tol=0.005, unit="share",
        hint="Compare the yearly costs of one head: 80 x 2,080 against 7,000 x 12.",
        why="1 - 84,000 / 166,400 = 0.495: the famous 'half price'."),
    "hidden.agents": Question(
        "The vendor's engineers are 80% as productive in the first years. How many does it take to "
        "match 12 in-house developers?", 15.0, abs_tol=0.0, unit="engineers",
        hint="Capacity = heads x productivity.", why="12 / 0.8 = 15 engineers, not 12."),
    "hidden.realised": Question(
        "In the lesson's simulation, what share of the in-house cost does the offshore option really "
        "save in year one (0 to 1)? Read it off the waterfall.",
        lambda: 1.0 - (15 * 7000.0 * 12 * 1.06 + 200_000.0) / (12 * (80.0 * 2080 + 1500.0 * 12)),
        abs_tol=0.01, unit="share",
        hint="(in-house total - vendor total) / in-house total, with every category of the ledger.",
        why="Fifteen engineers, 6% governance and the 200,000 USD transition eat most of the headline."),
    # ---------------------------------------------------------------- 05 queueing and pooling
    "queueing.p_wait": Question(
        "An IT desk gets 8 tickets an hour, each takes 1 hour on average, and 10 people answer around "
        "the clock. What share of tickets has to wait (Erlang C)?",
        lambda: analytic.erlang_c(10, 8.0), abs_tol=0.005, unit="share",
        hint="The offered load is a = lambda x mean service time; use analytic.erlang_c(c, a).",
        why="C(10, 8) = 0.409: even at 80% utilisation, four tickets in ten wait."),
    "queueing.servers": Question(
        "How many agents keep the probability of waiting at or below 0.2 at a load of 9 Erlangs?",
        lambda: float(analytic.min_servers_for_p_wait(9.0, 0.2)), abs_tol=0.0, unit="agents",
        hint="Add agents one at a time until erlang_c(c, 9) <= 0.2 (analytic.min_servers_for_p_wait).",
        why="13 agents: 4 above the load, about 1.3 x sqrt(9) (square-root staffing)."),
    "queueing.pooling": Question(
        "Four client teams each have a load of 5 Erlangs and each wants P(wait) <= 0.2. How many agents "
        "fewer does one pooled vendor desk need than the four separate teams together?",
        lambda: float(4 * analytic.min_servers_for_p_wait(5.0, 0.2)
                      - analytic.min_servers_for_p_wait(20.0, 0.2)),
        abs_tol=0.0, unit="agents",
        hint="Compare 4 x min_servers(5) with min_servers(4 x 5).",
        why="4 x 8 = 32 separately against 26 pooled: the spare agents grow with sqrt(a), so pooling "
            "halves them (12 to 6)."),
    # ---------------------------------------------------------------- 06 seasonal peaks
    "seasonal.peak_load": Question(
        "Tickets arrive at 1.6 an hour times the month's multiplier, each takes 1 hour of work. In "
        "December the multiplier is 1.9. What is December's offered load in Erlangs?",
        lambda: 1.6 * 1.9 * 1.0, rel_tol=0.01, unit="Erlangs",
        hint="a = rate x multiplier x mean effort.",
        why="1.6 x 1.9 = 3.04 Erlangs: more than three agents can serve, so December's queue grows."),
    "seasonal.worst_month": Question(
        "In the lesson's simulation, which month (1-12) has the in-house team's lowest SLA attainment?",
        12.0, abs_tol=0.0, unit="month",
        hint="Look at the monthly SLA table: the minimum of the in-house column.",
        why="December: the fixed team cannot absorb the peak, and the backlog spills into the last weeks."),
}


def _get(question_id: str) -> Question:
    if question_id not in QUESTIONS:
        raise KeyError(f"unknown question '{question_id}'; questions: {', '.join(QUESTIONS)}")
    return QUESTIONS[question_id]


def ask(question_id: str) -> None:
    """Print the question (and its unit)."""
    q = _get(question_id)
    print(f"[{question_id}] {q.text}" + (f" (answer in {q.unit})" if q.unit else ""))


def is_correct(question_id: str, value: object) -> bool:
    """Whether ``value`` is the expected answer within the question's tolerance."""
    q = _get(question_id)
    want = q.expected()
    if isinstance(want, str):
        return isinstance(value, str) and value.strip().lower().replace("-", "_") == want
    try:
        got = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return math.isfinite(got) and math.isclose(got, float(want), rel_tol=q.rel_tol, abs_tol=q.abs_tol)


def check_answer(question_id: str, value: object) -> None:
    """Print a friendly verdict on ``value`` as the answer to ``question_id``."""
    q = _get(question_id)
    if value is None or value is Ellipsis:
        print(f"[{question_id}] Not answered yet: replace the placeholder with your answer. Hint: {q.hint}")
    elif is_correct(question_id, value):
        print(f"[{question_id}] Correct! {q.why}")
    else:
        want = q.expected()
        direction = ""
        if not isinstance(want, str):
            try:
                direction = " (too high)" if float(value) > float(want) else " (too low)"  # type: ignore[arg-type]
            except (TypeError, ValueError):
                direction = " (expected a number)"
        print(f"[{question_id}] Not quite{direction}: {value!r}. Hint: {q.hint}")


def solution(question_id: str) -> None:
    """Print the expected answer and why."""
    q = _get(question_id)
    want = q.expected()
    shown = want if isinstance(want, str) else f"{float(want):,.4g}"
    print(f"[{question_id}] {shown} {q.unit}".rstrip() + f". {q.why}")


# --------------------------------------------------------------------- teaching views
def waterfall(start: tuple[str, float], steps: Sequence[tuple[str, float]], end_label: str,
              ax: Axes | None = None, currency: str = "USD") -> Figure:
    """A waterfall chart: a starting total, signed steps (green down, red up), and the final total."""
    if ax is None:
        fig = Figure(figsize=(8.0, 4.2), layout="constrained")
        ax = fig.subplots()
    fig = ax.figure
    labels = [start[0], *[s[0] for s in steps], end_label]
    level, bottoms, heights, colours = start[1], [0.0], [start[1]], ["#1b6ca8"]
    for _, delta in steps:
        bottoms.append(level if delta >= 0 else level + delta)
        heights.append(abs(delta))
        colours.append("#c23b3b" if delta > 0 else "#3a9d5d")
        level += delta
    bottoms.append(0.0)
    heights.append(level)
    colours.append("#d9822b")
    x = np.arange(len(labels))
    ax.bar(x, heights, bottom=bottoms, color=colours, width=0.6)
    for i, (b, h) in enumerate(zip(bottoms, heights, strict=True)):
        delta = steps[i - 1][1] if 0 < i <= len(steps) else h
        ax.text(i, b + h, f"{delta:+,.0f}" if 0 < i <= len(steps) else f"{h:,.0f}", ha="center", va="bottom",
                fontsize=8)
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.set_ylabel(f"cost over the horizon ({currency})")
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:,.0f}")
    ax.grid(axis="y", alpha=0.3)
    return fig


def monthly_sla(res: Results) -> pd.DataFrame:
    """SLA attainment by month of arrival (rows 1..n) and option (columns), pooled over replications.

    An item meets its SLA when it is completed within ``sla_h`` of arriving; an item still open at
    the horizon counts as a miss once its due time has passed (as in ``sla_attainment_share``).
    Needs ``simulate(..., keep_logs=True)``.
    """
    if res.logs is None:
        raise ValueError("monthly_sla needs the run logs: simulate with keep_logs=True")
    met: dict[str, np.ndarray] = {}
    judged: dict[str, np.ndarray] = {}
    for (option, _rep), log in res.logs.items():
        t0, t1 = log.window_h
        win = log.in_window()
        arrival = log.trace.arrival_h[win]
        done = log.state()[win] == COMPLETED
        lead = log.end_h[win] - arrival
        ok = done & (lead <= log.trace.sla_h[win] + 1e-9)
        late_open = ~done & (log.trace.due_h[win] < t1)
        month = np.floor((arrival - t0) / HOURS_PER_MONTH).astype(int)
        n = int(math.ceil((t1 - t0) / HOURS_PER_MONTH - 1e-9))
        met[option] = met.get(option, np.zeros(n)) + np.bincount(month[ok], minlength=n)[:n]
        counted = np.bincount(month[done | late_open], minlength=n)[:n]
        judged[option] = judged.get(option, np.zeros(n)) + counted
    frame = pd.DataFrame({o: np.divide(met[o], judged[o], out=np.ones_like(met[o]), where=judged[o] > 0)
                          for o in res.options})
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="month")
    return frame
