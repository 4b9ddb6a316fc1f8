"""The lessons' helpers: exercise tolerances, words, placeholders, closed-form answers, monthly SLA,
and the notebooks asking exactly the questions the library defines."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT

import simkit as sk
from simkit import analytic
from simkit.ui.lessons import QUESTIONS, ask, check_answer, is_correct, monthly_sla, solution
from simkit.ui.lessons.measured import MEASURED


def test_numbers_are_checked_within_the_tolerance() -> None:
    want = analytic.erlang_c(10, 8.0)
    assert is_correct("queueing.p_wait", want)
    assert is_correct("queueing.p_wait", want + 0.004)
    assert not is_correct("queueing.p_wait", want + 0.02)
    assert is_correct("queueing.servers", 13) and not is_correct("queueing.servers", 12)
    assert is_correct("break_even.volume", "6267")  # text that reads as a number is fine
    for bad in (None, "lots", float("nan"), float("inf"), [1]):
        assert not is_correct("break_even.volume", bad)


def test_words_are_compared_loosely() -> None:
    assert is_correct("break_even.scale", " In-House ")
    assert not is_correct("break_even.scale", "vendor")
    assert not is_correct("break_even.scale", 1.0)


def test_the_verdicts_read_well(capsys: pytest.CaptureFixture) -> None:
    check_answer("queueing.servers", None)
    check_answer("queueing.servers", 20)
    check_answer("queueing.servers", 5)
    check_answer("queueing.servers", 13)
    check_answer("break_even.scale", 3)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("[queueing.servers] Not answered yet") and "Hint:" in lines[0]
    assert "Not quite (too high)" in lines[1] and "Not quite (too low)" in lines[2]
    assert lines[3].startswith("[queueing.servers] Correct!")
    assert "Not quite: 3" in lines[4]
    ask("queueing.servers")
    solution("queueing.servers")
    out = capsys.readouterr().out
    assert "(answer in agents)" in out and "[queueing.servers] 13 agents." in out


def test_unknown_questions_name_the_known_ones() -> None:
    with pytest.raises(KeyError, match="unknown question 'nope'; questions: break_even.volume"):
        check_answer("nope", 1)


def test_every_answer_is_finite_and_has_a_hint() -> None:
    for qid, q in QUESTIONS.items():
        want = q.expected()
        assert isinstance(want, str) or float(want) == float(want), qid
        assert q.hint and q.why and "?" in q.text, qid
        assert is_correct(qid, want), qid


def test_closed_form_answers() -> None:
    assert QUESTIONS["break_even.volume"].expected() == pytest.approx(197_400 / 31.5)
    assert QUESTIONS["queueing.pooling"].expected() == 6
    assert QUESTIONS["hidden.headline"].expected() == pytest.approx(1 - 84_000 / 166_400)


def test_monthly_sla_agrees_with_the_kpi() -> None:
    sc = sk.load(ROOT / "notebooks" / "lessons" / "seasonal_peak.yaml")
    # within one month (30 days < 30.44) and one replication, the monthly figure is the KPI itself
    one = sk.simulate(sc.override({"run.horizon_days": 30}), replications=1, keep_logs=True, progress=False)
    kpi = one.kpis.set_index("option")["sla_attainment_share"]
    assert list(monthly_sla(one).index) == [1]
    for option in one.options:
        assert monthly_sla(one).loc[1, option] == pytest.approx(kpi[option], abs=1e-12)
    res = sk.simulate(sc.override({"run.horizon_days": 91}), replications=2, keep_logs=True, progress=False)
    monthly = monthly_sla(res)
    assert list(monthly.index) == [1, 2, 3] and list(monthly.columns) == res.options
    assert ((monthly > 0.5) & (monthly <= 1)).all().all()
    with pytest.raises(ValueError, match="keep_logs=True"):
        monthly_sla(sk.simulate(sc.override({"run.horizon_days": 30}), replications=1, progress=False))


def test_the_notebooks_ask_exactly_the_library_questions() -> None:
    cells = "\n".join(p.read_text() for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")))  # the sources
    asked = set(re.findall(r'ask\("([a-z_]+\.[a-z_]+)"\)', cells))
    checked = set(re.findall(r'check_answer\("([a-z_]+\.[a-z_]+)"', cells))
    assert asked == checked == set(QUESTIONS) | set(MEASURED)  # every question is asked, checked and solved
    assert "QUESTIONS" not in cells and "Question(" not in cells  # no notebook defines its own


def test_answers_of_the_later_lessons() -> None:
    from scipy.stats import norm

    assert QUESTIONS["risk.var"].expected() == pytest.approx(1.0 + 0.2 * norm.ppf(0.95), rel=1e-12)
    assert QUESTIONS["risk.cvar"].expected() == pytest.approx(1.0 + 0.2 * norm.pdf(norm.ppf(0.95)) / 0.05,
                                                              rel=1e-12)
    assert QUESTIONS["time_zones.wait"].expected() == pytest.approx(21**2 / 48)
    assert QUESTIONS["failure.survival"].expected() == pytest.approx(analytic.survival(0.3, 3.0))
    assert QUESTIONS["decision.swing"].expected() == pytest.approx(4800 * 20 * 1.05)
    assert QUESTIONS["decision.largest"].expected() == "price"
    assert is_correct("decision.largest", "Price") and not is_correct("decision.largest", "loaded cost")
    # the boundary of the decision map: Q* scales as 1 / p
    q = [analytic.break_even_volume(197_400, p * 1.05, 0.0) for p in (35.0, 38.5)]
    assert is_correct("decision.boundary", q[1] / q[0])
    assert is_correct("decision.resimulate", "volume") and not is_correct("decision.resimulate", "price")
