"""Ask a lesson's question, check a learner's answer with friendly feedback, show the worked solution.

Presentation only: the questions and their answers live in :mod:`simkit.ui.lessons.questions`.
"""

from __future__ import annotations

import math

from simkit.ui.lessons.measured import MEASURED, measure
from simkit.ui.lessons.questions import QUESTIONS, Question

__all__ = ["ask", "check_answer", "is_correct", "solution"]


def _get(question_id: str) -> Question:
    if question_id not in QUESTIONS:
        raise KeyError(f"unknown question '{question_id}'; questions: {', '.join(QUESTIONS)}")
    return QUESTIONS[question_id]


def ask(question_id: str) -> None:
    """Print the question (and its unit)."""
    q = MEASURED[question_id] if question_id in MEASURED else _get(question_id)
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


def check_answer(question_id: str, value: object, results: object = None) -> None:
    """Print a friendly verdict on ``value`` as the answer to ``question_id``.

    ``results`` is the learner's own simulation, for the questions checked against it
    (:mod:`simkit.ui.lessons.measured`).
    """
    if question_id in MEASURED:
        if value is None or value is Ellipsis:
            print(f"[{question_id}] Not answered yet: replace the placeholder with your answer. "
                  f"Hint: {MEASURED[question_id].hint}")
        else:
            print(f"[{question_id}] {measure(question_id, value, results)}")
        return
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
