"""Helpers for the lesson notebooks: exercises with friendly feedback, and two teaching views.

* :func:`check_answer` compares a learner's number (or word) with the expected answer within a
  tolerance and prints a verdict with a hint; :func:`ask` prints a question, :func:`solution`
  its worked answer.  The questions of every lesson are in :data:`QUESTIONS`
  (:mod:`simkit.ui.lessons.questions`): each is self-contained, the numbers it needs are in its
  text, and its answer is computed from them with :mod:`simkit.analytic` where a closed form exists.
* :func:`waterfall` draws the steps from one option's total cost to another's (the hidden-costs
  lesson); :func:`monthly_sla` splits SLA attainment by month of arrival (the seasonal lesson),
  with the same definition as the ``sla_attainment_share`` KPI (:mod:`simkit.ui.lessons.views`).

Presentation only: the numbers come from the public API.
"""

from __future__ import annotations

from simkit.ui.lessons.exercises import ask, check_answer, is_correct, solution
from simkit.ui.lessons.questions import QUESTIONS, Question
from simkit.ui.lessons.views import monthly_sla, waterfall

__all__ = ["Question", "QUESTIONS", "ask", "check_answer", "is_correct", "solution", "waterfall",
           "monthly_sla"]
