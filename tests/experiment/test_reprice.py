"""Re-pricing stored run logs: every cost-only field, the memos behind it, and price sweeps.

Every path in :data:`simkit.scenario.fields.COST_ONLY_PATHS` is changed on a scenario
where its mechanism is on, and the re-priced results must equal a fresh
simulation exactly (KPIs, ledger and the run logs themselves: the engine never
reads the field) while the cost does change (the test is not vacuous).
"""

from __future__ import annotations

import copy
import dataclasses
import gc
from typing import Any

import numpy as np
import pytest
from pandas.testing import assert_frame_equal

import simkit as sk
from simkit.accounting import costs
from simkit.accounting.costs import account, log_usage, price_usage
from simkit.accounting.kpi import kpi_columns, measure, measure_log, measure_money
from simkit.experiment.reprice import reprice_sweep
from simkit.scenario.fields import COST_ONLY_PATHS, is_cost_only

REPS, SEED = 2, 11
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def every_mechanism() -> dict[str, Any]:
    """A scenario where every priced mechanism books money within 75 days."""
    return {
        "name": "every priced mechanism",
        "run": {"horizon_days": 75, "warmup_days": 0, "seed": 3, "discount_rate_annual": 0.05},
        "calendars": {"client": {}, "office": {"open_hour": 9, "close_hour": 17, "days": WEEKDAYS}},
        "workload": {"rate_per_hour": 1.5, "kinds": {
            "job": {"share": 0.8, "effort_h": "exponential(mean=1)", "sla_h": 2, "late_cost_per_h": 3.0,
                    "patience_h": "exponential(mean=6)", "abandon_cost": 40.0},
            "task": {"share": 0.2, "effort_h": "exponential(mean=2)", "sla_h": 8, "late_cost_per_h": 1.0}}},
        "teams": {
            "team": {"staff": 2, "calendar": "office", "loaded_cost_per_hour": 30.0, "overhead_per_fte_month": 500.0,
                     "overtime_h_per_day": 2, "overtime_premium": 0.5,
                     "hiring": {"attrition_annual": 5.0, "hiring_lead_h": 48, "recruiting_cost": 700.0},
                     "quality": {"defect_share": 0.1, "detection_share": 0.5, "escaped_defect_cost": 60.0}},
            "spare": {"staff": 8, "loaded_cost_per_hour": 20.0,
                      "hiring": {"layoff_after_idle_days": 3, "min_staff": 3, "severance_per_fte": 2500.0}},
            "retained": {"staff": 2, "loaded_cost_per_hour": 25.0, "overhead_per_fte_month": 300.0},
        },
        "vendors": {
            "acme": {"agents": 2, "price_per_item": 12.0, "governance_share": 0.06, "transition_cost": 3000.0,
                     "sla": {"target_share": 0.95, "credit_share_per_point": 0.002, "cap_share": 0.5},
                     "exit": {"terminate_at_month": 2, "fallback": "beta", "switching_cost": 9000.0,
                              "exit_fee": 4000.0},
                     "transition": {"parallel_run_months": 1, "retained_team": "retained",
                                    "knowledge_transfer_cost": 6000.0, "released_staff": 2,
                                    "severance_per_fte": 3500.0},
                     "contract": {"term_months": 1, "indexation_annual": 0.1, "lock_in_premium": 0.2,
                                  "min_items_per_month": 2000},
                     "elastic": {"max_agents": 4, "scale_when_queue_per_agent": 1, "notice_h": 4,
                                 "release_after_h": 24, "surge_price_per_agent_hour": 15.0},
                     "quality": {"defect_share": 0.1, "detection_share": 0.5, "escaped_defect_cost": 50.0}},
            "beta": {"agents": 3, "pricing": "per_fte_month", "price_per_fte_month": 4000.0},
            "gamma": {"agents": 1, "price_per_item": 9.0,  # swamped: a review (and a penalty) every month
                      "review": {"floor_share": 0.99, "months_below": 1, "penalty": 1500.0}},
        },
        "options": {"in_house": {"team": "team"}, "lean": {"team": "spare"}, "vendor": {"vendor": "acme"},
                    "reviewed": {"vendor": "gamma"}},
    }


# one change per case; a case may change several paths at once (a switch of pricing scheme)
CHANGES: list[dict[str, Any]] = [
    {"teams.team.loaded_cost_per_hour": 33.5},
    {"teams.team.overhead_per_fte_month": 650.0},
    {"teams.team.overtime_premium": 0.8},
    {"teams.team.hiring.recruiting_cost": 810.0},
    {"teams.spare.hiring.severance_per_fte": 2900.0},
    {"teams.team.quality.escaped_defect_cost": 75.0},
    {"vendors.beta.pricing": "fixed_plus_per_item", "vendors.beta.price_per_fte_month": 0.0,
     "vendors.beta.fee_per_month": 2500.0, "vendors.beta.price_per_item": 3.0},
    {"vendors.acme.price_per_item": 13.5},
    {"vendors.beta.price_per_fte_month": 4500.0},
    {"vendors.acme.governance_share": 0.09},
    {"vendors.acme.transition_cost": 3500.0},
    {"vendors.acme.quality.escaped_defect_cost": 65.0},
    {"vendors.acme.sla.target_share": 0.99},
    {"vendors.acme.sla.credit_share_per_point": 0.004},
    {"vendors.acme.sla.cap_share": 0.01},
    {"vendors.acme.exit.switching_cost": 9500.0},
    {"vendors.acme.exit.exit_fee": 4400.0},
    {"vendors.gamma.review.penalty": 1800.0},
    {"vendors.acme.transition.knowledge_transfer_cost": 7000.0},
    {"vendors.acme.transition.parallel_run_months": 0.5},
    {"vendors.acme.transition.released_staff": 3},
    {"vendors.acme.transition.severance_per_fte": 4200.0},
    {"vendors.acme.contract.term_months": 0.5},
    {"vendors.acme.contract.indexation_annual": 0.2},
    {"vendors.acme.contract.lock_in_premium": 0.4},
    {"vendors.acme.contract.min_items_per_month": 2500},
    {"vendors.acme.elastic.surge_price_per_agent_hour": 22.0},
    {"workload.kinds.job.late_cost_per_h": 4.0},
    {"workload.kinds.task.abandon_cost": 55.0, "workload.kinds.job.abandon_cost": 30.0},
    {"asset_specificity": 0.8},
    {"run.discount_rate_annual": 0.12},
]

pytestmark = pytest.mark.filterwarnings("ignore::simkit.scenario.preflight.CapacityWarning")  # the team is swamped


def _pattern(path: str) -> str:
    """The entry of COST_ONLY_PATHS that ``path`` matches."""
    parts = path.split(".")
    return next(p for p in COST_ONLY_PATHS
                if len(p.split(".")) == len(parts)
                and all(w in ("*", x) for w, x in zip(p.split("."), parts, strict=True)))


def _value(scenario: sk.Scenario, path: str) -> Any:
    node: Any = scenario.to_dict()
    for part in path.split("."):
        node = node[part]
    return node


def _same(a: Any, b: Any, where: str = "log") -> None:
    """Two run logs (or parts of them) are identical, field by field, whatever the fields are."""
    if dataclasses.is_dataclass(a):
        assert type(a) is type(b), where
        for f in dataclasses.fields(a):
            _same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), where
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k}]")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b or (a != a and b != b), where  # noqa: PLR0124 - NaN equals NaN here


def same_results(a: sk.Results, b: sk.Results) -> None:
    assert_frame_equal(a.kpis, b.kpis, check_exact=True)
    assert_frame_equal(a.ledger.reset_index(drop=True), b.ledger.reset_index(drop=True), check_exact=True)


@pytest.fixture(scope="module")
def scenario() -> sk.Scenario:
    return sk.Scenario.model_validate(every_mechanism())


@pytest.fixture(scope="module")
def kept(scenario: sk.Scenario) -> sk.Results:
    return sk.simulate(scenario, REPS, seed=SEED, executor=None, progress=False, keep_logs=True)


def test_every_cost_only_path_has_a_case() -> None:
    covered = {_pattern(path) for change in CHANGES for path in change}
    assert covered == set(COST_ONLY_PATHS)


@pytest.mark.parametrize("change", CHANGES, ids=[next(iter(c)) for c in CHANGES])
def test_repricing_equals_resimulating(kept: sk.Results, change: dict[str, Any]) -> None:
    assert all(is_cost_only(path) for path in change)
    again = kept.reprice(change)
    fresh = sk.simulate(kept.scenario.override(change), REPS, seed=SEED, executor=None, progress=False,
                        keep_logs=True)
    same_results(again, fresh)
    for key, log in kept.logs.items():  # the engine did exactly the same: it never reads the field
        _same(log, fresh.logs[key])
    money = [c for c in kept.kpis.columns if c.endswith("_usd")]
    assert not again.kpis[money].equals(kept.kpis[money])  # the change mattered
    back = {path: _value(kept.scenario, path) for path in change}
    same_results(again.reprice(back), kept)  # and re-pricing back restores every number


# --------------------------------------------------------------------------- the split behind the speed
def test_measure_is_the_money_columns_around_the_log_kpis(kept: sk.Results) -> None:
    sc = kept.scenario
    for log in kept.logs.values():
        ledger = account(sc, log)
        row = measure(sc, log, ledger)
        assert list(row) == kpi_columns("usd")
        part = measure_log(log)
        assert measure_log(log) is part  # once per log
        assert {k: row[k] for k in part.as_dict()} == part.as_dict()
        assert measure_money(sc, ledger, part) == row
        cheaper = sc.override({"vendors.acme.price_per_item": 1.0, "teams.team.loaded_cost_per_hour": 1.0})
        other = measure(cheaper, log, account(cheaper, log))
        assert {k: other[k] for k in part.as_dict()} == part.as_dict()


@pytest.mark.parametrize(("option", "engine_change"), [
    ("in_house", {"teams.team.overtime_h_per_day": 3}),
    ("in_house", {"calendars.office.close_hour": 18}),
    ("vendor", {"vendors.acme.agents": 3}),
    ("vendor", {"calendars.client.open_hour": 6}),
])
def test_the_usage_memo_is_reused_for_prices_only(kept: sk.Results, option: str,
                                                  engine_change: dict[str, Any]) -> None:
    """A memoised usage serves a scenario that differs in prices; any field it read makes it recompute."""
    sc, log = kept.scenario, kept.logs[(option, 0)]
    use = log_usage(sc, log)
    assert log_usage(sc.override({"teams.team.loaded_cost_per_hour": 1.0, "vendors.acme.price_per_item": 1.0}),
                     log) is use
    other = sc.override(engine_change)
    fresh = copy.copy(log)  # a new log object: nothing memoised for it
    for s in (other, sc, other):  # back and forth: never a stale usage
        got, want = account(s, log), account(s, copy.copy(fresh))
        for x, y in ((got.month, want.month), (got.category, want.category), (got.amount, want.amount)):
            assert np.array_equal(x, y)
    assert log_usage(other, log) is not use
    assert not np.array_equal(account(other, log).amount, account(sc, log).amount)  # the field mattered
    assert price_usage(sc, log_usage(sc, log)).total() == account(sc, log).total()


def test_memos_go_with_their_logs(scenario: sk.Scenario) -> None:
    res = sk.simulate(scenario.override({"run.horizon_days": 10}), 1, seed=1, executor=None, progress=False,
                      keep_logs=True)
    again = res.reprice({"vendors.acme.price_per_item": 20.0})
    ids = {id(log) for log in res.logs.values()}
    assert ids <= set(costs._MEMO)
    del res, again
    gc.collect()
    assert not ids & set(costs._MEMO)


# --------------------------------------------------------------------------- sweeps of many prices
def test_reprice_sweep_equals_a_simulated_sweep(kept: sk.Results) -> None:
    space = {"vendors.acme.price_per_item": [10.0, 14.0], "workload.kinds.job.late_cost_per_h": [2.0, 5.0]}
    got = reprice_sweep(kept, space)
    want = sk.sweep(kept.scenario, space, replications=REPS, seed=SEED, executor=None, progress=False)
    assert_frame_equal(got.points, want.points, check_exact=True)
    assert_frame_equal(got.frame, want.frame, check_exact=True)
    assert got.frame[f"cost_total_{'usd'}"].nunique() > len(got.frame) // 2  # the points differ
    custom = want.points.iloc[[3, 0]]
    assert_frame_equal(reprice_sweep(kept, custom).frame,
                       sk.sweep(kept.scenario, custom, replications=REPS, seed=SEED, executor=None,
                                progress=False).frame, check_exact=True)


def test_reprice_sweep_refuses_engine_fields_and_results_without_logs(kept: sk.Results) -> None:
    with pytest.raises(ValueError, match="vendors.acme.agents: cannot be re-priced"):
        reprice_sweep(kept, {"vendors.acme.price_per_item": [10.0], "vendors.acme.agents": [3, 4]})
    no_logs = sk.simulate(kept.scenario.override({"run.horizon_days": 5}), 1, seed=1, executor=None,
                          progress=False)
    with pytest.raises(ValueError, match="keep_logs=True"):
        reprice_sweep(no_logs, {"vendors.acme.price_per_item": [10.0]})
    with pytest.raises(ValueError, match="cannot be re-priced"):
        kept.reprice({"teams.team.hiring.attrition_annual": 1.0})
