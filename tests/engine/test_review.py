"""Review for cause (``vendors.X.review``) against a hand calculation on a deterministic case.

One vendor agent works around the clock on items of exactly 1.2 effort hours, SLA 10.1 h.
Month 1 brings an item every 2 h (no queue: every item is met), then one arrives every hour:
a single server at utilisation 1.2, so item ``i`` of the busy stretch waits ``0.2 i`` hours and
is met only while ``1.2 + 0.2 i <= 10.1``, i.e. for ``i <= 44``.  Month 2 judges the 5 last items
of month 1 (all met) and 720 of its own (45 met): attainment 50/725, under the floor of 0.5, and
months 3, 4 and 5 are worse.  With ``months_below: 2`` the first review falls at the end of
month 3, the remediation plan lifts productivity to 1.5 (service 0.8 h) 100 h later, and the
second review, at the end of month 5, terminates for cause: the queue moves to the in-house team,
which starts 48 h later.  Every vendor completion is checked against Lindley's recursion.
"""

from __future__ import annotations

import numpy as np
import pytest

import simkit as sk
from simkit.accounting.costs import account
from simkit.accounting.kpi import measure
from simkit.engine import simulate_option
from simkit.engine.log import COMPLETED
from simkit.experiment.simulate import draw_trace
from simkit.streams import Streams
from simkit.units import HOURS_PER_MONTH
from simkit.workload.trace import Trace

M = HOURS_PER_MONTH
SLA_H, EFFORT_H = 10.1, 1.2


def scenario(**review: object) -> sk.Scenario:
    clause = {"floor_share": 0.5, "months_below": 2, "penalty": 1000.0, "remediation_productivity_factor": 1.5,
              "remediation_delay_h": 100.0, "terminate_at_review": 2, **review}
    return sk.Scenario.model_validate({
        "name": "review by hand",
        "run": {"horizon_days": 200, "warmup_days": 0, "discount_rate_annual": 0.0},
        "workload": {"rate_per_hour": 1.0, "kinds": {"job": {"share": 1, "effort_h": EFFORT_H, "sla_h": SLA_H}}},
        "teams": {"team": {"staff": 2, "loaded_cost_per_hour": 10.0}},
        "vendors": {"acme": {"agents": 1, "price_per_item": 10.0, "review": clause,
                             "exit": {"fallback": "team", "switch_lead_h": 48, "switching_cost": 3000.0,
                                      "exit_fee": 999.0}}},
        "options": {"vendor": {"vendor": "acme"}},
    })


def trace(horizon_h: float = 200 * 24.0) -> Trace:
    """Every 2 h in month 1 (at 1, 3, ..., 729), then every hour (731, 732, ...)."""
    arrivals = np.concatenate([np.arange(1.0, M, 2.0), np.arange(731.0, horizon_h, 1.0)])
    n = arrivals.size
    return Trace(arrivals, np.zeros(n, np.int16), np.full(n, EFFORT_H), np.full((n, 4), 0.5), np.full(n, np.inf),
                 ("job",), (1,), (SLA_H,))


def lindley(arrival: np.ndarray, t_remediate: float, t_stop: float) -> tuple[np.ndarray, np.ndarray]:
    """One FIFO server: start = max(arrival, previous end); 1.2 h, or 0.8 h once remediated.
    Items not started by ``t_stop`` are left out (they move to the fallback)."""
    start, end, free = [], [], 0.0
    for a in arrival.tolist():
        s = max(a, free)
        if s >= t_stop:
            break
        free = s + (EFFORT_H / 1.5 if s >= t_remediate else EFFORT_H)
        start.append(s)
        end.append(free)
    return np.array(start), np.array(end)


def attainment(log, a: float, b: float) -> float:  # noqa: ANN001
    due = log.trace.due_h
    judged = (due >= a) & (due < b)
    return float(np.mean(log.end_h[judged] <= due[judged] + 1e-9))


@pytest.fixture(scope="module")
def run() -> tuple:
    sc = scenario()
    log = simulate_option(sc, "vendor", trace(), Streams(1, 0))
    ledger = account(sc, log)
    return sc, log, ledger, measure(sc, log, ledger)


def test_monthly_attainment_by_hand(run: tuple) -> None:
    _, log, _, _ = run
    assert attainment(log, 0, M) == 1.0
    assert attainment(log, M, 2 * M) == pytest.approx(50 / 725, abs=1e-12)
    for m in (3, 4, 5):
        assert attainment(log, (m - 1) * M, m * M) < 0.5


def test_reviews_remediation_and_termination_fall_when_the_clause_says(run: tuple) -> None:
    _, log, _, k = run
    assert log.events == [(3 * M, "acme", "review"), (3 * M + 100, "acme", "remediation"),
                          (5 * M, "acme", "exit:cause"), (5 * M, "acme", "review"),
                          (5 * M + 48, "team", "fallback_start")]
    assert (k["reviews_count"], k["remediations_count"], k["terminations_count"], k["exits_count"]) == (2, 1, 1, 1)
    assert log.pool_names == ("acme", "team")
    np.testing.assert_allclose(log.active_h, [[0.0, 5 * M], [5 * M + 48, 200 * 24.0]])
    assert log.down_h[0] == pytest.approx(48.0)  # the switching gap, as after any exit


def test_vendor_work_follows_lindley_and_the_rest_goes_to_the_fallback(run: tuple) -> None:
    _, log, _, _ = run
    start, end = lindley(log.trace.arrival_h, 3 * M + 100, 5 * M)
    by_vendor = log.pool == 0
    assert by_vendor.sum() == start.size
    np.testing.assert_allclose(log.start_h[by_vendor], start, rtol=0, atol=1e-9)
    np.testing.assert_allclose(log.end_h[by_vendor], end, rtol=0, atol=1e-9)
    moved = ~by_vendor & (log.status == COMPLETED)
    assert np.all(log.pool[moved] == 1)
    assert log.start_h[moved].min() == pytest.approx(5 * M + 48)  # nothing before the fallback starts


def test_ledger_books_penalties_and_switching_but_no_exit_fee(run: tuple) -> None:
    _, _, ledger, k = run
    by = ledger.by_category()
    assert by["review_penalties"] == -2000.0
    assert by["switching"] == 3000.0  # asset specificity 0.5 takes the figure as written
    assert by["exit_fee"] == 0.0
    months = ledger.month[ledger.category == list(by).index("review_penalties")]
    assert sorted(months.tolist()) == [3, 5]  # a review at a month's end is paid in the month it opens
    assert k["switching_cost_usd"] == 3000.0


def test_penalty_only_clause_reviews_every_second_bad_month() -> None:
    sc = scenario(terminate_at_review=None, remediation_productivity_factor=1.0)
    log = simulate_option(sc, "vendor", trace(), Streams(1, 0))
    reviews = [t for t, _, what in log.events if what == "review"]
    # months 2..6 are bad (the queue only grows): reviews at the ends of months 3 and 5
    assert reviews == [3 * M, 5 * M]
    assert log.pool_names == ("acme",)  # a fallback that never opened is not in the log
    assert account(sc, log).by_category()["review_penalties"] == -2000.0


def test_a_clause_that_never_fires_changes_nothing() -> None:
    base = scenario().override({"vendors.acme.review": None})
    quiet = scenario(floor_share=0.0)
    st = Streams(3, 0)
    tr = draw_trace(base, st)
    a = simulate_option(base, "vendor", tr, st)
    b = simulate_option(quiet, "vendor", tr, st)
    for col in ("pool", "start_h", "end_h", "status", "busy_h", "open_server_h", "active_h", "down_h"):
        np.testing.assert_array_equal(getattr(a, col), getattr(b, col), err_msg=col)
    assert a.events == b.events and a.pool_names == b.pool_names


@pytest.mark.parametrize("kernel", ["process", "callback"])
def test_both_kernels_agree_on_the_hand_case(kernel: str) -> None:
    sc = scenario()
    log = simulate_option(sc, "vendor", trace(), Streams(1, 0), kernel=kernel)
    assert [w for _, _, w in log.events] == ["review", "remediation", "exit:cause", "review", "fallback_start"]


def test_scheduled_exit_of_a_reviewed_vendor_takes_the_same_path() -> None:
    sc = scenario(floor_share=0.0).override({"vendors.acme.exit.terminate_at_month": 2})
    log = simulate_option(sc, "vendor", trace(), Streams(1, 0))
    assert [(t, w) for t, _, w in log.events] == [(2 * M, "exit:termination"), (2 * M + 48, "fallback_start")]
    assert account(sc, log).by_category()["exit_fee"] == 999.0


def test_termination_for_cause_needs_an_exit_plan() -> None:
    with pytest.raises(sk.ScenarioError, match=r"vendors\.acme\.review\.terminate_at_review: .*exit plan"):
        scenario().override({"vendors.acme.exit": None})


def test_a_fallback_opened_by_termination_learns_from_its_start() -> None:
    """Defects halving every 0.01 months from the fallback's start: almost none after the first hours
    (were the learning counted from the horizon, every item of the fallback would be defective)."""
    sc = scenario().override({"teams.team.quality": {"defect_share": 1.0, "defect_halving_months": 0.01,
                                                     "rework_effort_share": 0.1}})
    log = simulate_option(sc, "vendor", trace(), Streams(1, 0))
    by_team = (log.pool == 1) & (log.status == COMPLETED) & (log.start_h > 5 * M + 48 + 24)
    assert by_team.sum() > 100 and log.reworks[by_team].mean() < 0.05
