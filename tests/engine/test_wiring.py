"""Which pools an option runs, in which order, with which exits; why an exit happened; the log's keywords."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from conftest import mmc_dict, scenario_from

from simkit.engine import simulate_option
from simkit.engine.log import RunLog
from simkit.engine.risk import exit_cause
from simkit.engine.timelines import CLOSED
from simkit.engine.wiring import choose_members
from simkit.experiment.simulate import draw_trace
from simkit.scenario.mechanisms import ExitSpec
from simkit.scenario.model import Scenario
from simkit.streams import Streams
from simkit.units import HOURS_PER_MONTH

WINDOW = (48.0, 60 * 24.0)


def _scenario(**acme: object) -> Scenario:
    full = {"team": "team", "vendor": "acme", "routing": "overflow", "backup": "beta", "backup_share": 0.2,
            "escalation": [{"pool": "l2", "share": 0.1, "effort_h": "exponential(mean=2)"}]}
    data = mmc_dict(2, 1.0, horizon_days=60, warmup_days=2, full=full)
    data["teams"]["l2"] = {"staff": 1, "loaded_cost_per_hour": 20.0}
    data["teams"]["rescue"] = {"staff": 2, "loaded_cost_per_hour": 15.0}
    data["vendors"] = {"acme": {"agents": 2, "price_per_item": 10, **acme},
                       "beta": {"agents": 1, "price_per_item": 12}}
    return scenario_from(data)


def test_pools_come_in_the_log_order_with_a_scheduled_exit_fallback_last() -> None:
    sc = _scenario(exit={"terminate_at_month": 1, "fallback": "rescue", "switch_lead_h": 100})
    m = choose_members(sc, sc.options["full"], Streams(1, 0), WINDOW)
    assert m.names == ["team", "acme", "beta", "l2", "rescue"]
    assert m.roles == ["team", "vendor", "vendor", "team", "team"]
    assert (m.n_tier1, m.n_primary) == (3, 4)
    t_exit = WINDOW[0] + HOURS_PER_MONTH
    assert m.exits == {"acme": pytest.approx(t_exit)}
    assert m.fallback_start == {"rescue": pytest.approx(t_exit + 100)}
    assert [m.is_new_fallback(k) for k in range(5)] == [False] * 4 + [True]
    assert m.exit_to(sc, "rescue").fallback == "rescue"
    assert m.for_cause == {} and m.deferred == {}


def test_an_exit_after_the_horizon_brings_no_fallback() -> None:
    sc = _scenario(exit={"terminate_at_month": 5, "fallback": "rescue"})
    m = choose_members(sc, sc.options["full"], Streams(1, 0), WINDOW)
    assert m.names == ["team", "acme", "beta", "l2"] and m.exits == {}


def test_a_fallback_already_in_the_option_is_not_added_twice() -> None:
    sc = _scenario(exit={"terminate_at_month": 1, "fallback": "team"})
    m = choose_members(sc, sc.options["full"], Streams(1, 0), WINDOW)
    assert m.names == ["team", "acme", "beta", "l2"] and set(m.exits) == {"acme"}


def test_a_vendor_terminable_for_cause_defers_its_new_fallback() -> None:
    sc = _scenario(exit={"hazard_per_year": 0.5, "fallback": "rescue"},
                   review={"floor_share": 0.9, "months_below": 1, "terminate_at_review": 1})
    m = choose_members(sc, sc.options["full"], Streams(1, 0), WINDOW)
    assert m.names[-1] == "rescue" and m.exits == {}
    assert set(m.for_cause) == {"acme"} and m.deferred == {"rescue": CLOSED}


def test_the_exit_at_the_termination_date_is_a_termination_and_any_other_an_insolvency() -> None:
    spec = ExitSpec(terminate_at_month=3, fallback="x")
    on_date = 24.0 + 3 * HOURS_PER_MONTH
    assert exit_cause(spec, on_date, 24.0) == "termination"
    assert exit_cause(spec, on_date - 1.0, 24.0) == "insolvency"
    assert exit_cause(ExitSpec(hazard_per_year=1.0, fallback="x"), on_date, 24.0) == "insolvency"


def test_a_run_log_is_built_by_keywords_only() -> None:
    sc = scenario_from(mmc_dict(1, 0.5, horizon_days=5, warmup_days=0))
    streams = Streams(1, 0)
    log = simulate_option(sc, "in_house", draw_trace(sc, streams), streams, kernel="fast")
    values = [getattr(log, f.name) for f in dataclasses.fields(RunLog)]
    with pytest.raises(TypeError):
        RunLog(*values)
    again = RunLog(**{f.name: getattr(log, f.name) for f in dataclasses.fields(RunLog)})
    assert again.option == "in_house" and np.array_equal(again.end_h, log.end_h, equal_nan=True)
    assert all(math.isfinite(t) for t in again.window_h)


def test_a_tier_log_is_built_by_keywords_only() -> None:
    from simkit.engine.log import TierLog

    arrays = [np.zeros((2, 3)) for _ in range(3)] + [np.full((2, 3), -1, dtype=np.int8)]
    with pytest.raises(TypeError):
        TierLog(("l2",), *arrays)
    log = TierLog(pool_names=("l2",), enter_h=arrays[0], start_h=arrays[1], end_h=arrays[2], done_by=arrays[3])
    assert log.pool_names == ("l2",) and log.done_by.dtype == np.int8
