"""The callback pool's lean steps (no fixed mechanism on) give the reference kernel's log item by item, also
while what may change during a run changes: head count and ramp-up, elastic agents, a review's productivity,
a termination that closes the pool and hands its work on, priorities, patience, other clients' load."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import mmc_dict, scenario_from

import simkit as sk
from simkit.engine import fastpool, simulate_option
from simkit.engine.log import ABANDONED
from simkit.experiment.simulate import draw_trace
from simkit.streams import Streams

COLUMNS = ("pool", "enter_h", "start_h", "end_h", "status", "busy_h", "open_server_h", "active_h", "servers")


def lean_world() -> sk.Scenario:
    """Every pool open around the clock with no clarification, quality, exit date, roster or tier: each takes the
    lean steps, while hiring, elastic agents, reviews and a termination for cause act on them."""
    data = mmc_dict(3, 3.4, horizon_days=90, warmup_days=2,
                    hybrid={"team": "team", "vendor": "acme", "routing": "overflow", "overflow_queue": 1},
                    dual={"vendor": "acme", "backup": "beta", "backup_share": 0.4},
                    beta_first={"team": "team", "vendor": "beta", "routing": "overflow", "overflow_queue": 0})
    data["workload"]["kinds"] = {
        "urgent": {"share": 0.3, "effort_h": "lognormal(mean=0.8, cv=0.9)", "priority": 0, "sla_h": 1.5,
                   "patience_h": "exponential(mean=6)"},
        "routine": {"share": 0.7, "effort_h": "gamma(mean=1, cv=0.5)", "priority": 2}}
    data["teams"]["team"]["hiring"] = {"attrition_annual": 4.0, "hiring_lead_h": 120, "ramp_months": 1,
                                       "ramp_start_productivity": 0.4, "hire_when_backlog_per_staff": 1.5,
                                       "max_staff": 6, "layoff_after_idle_days": 3, "min_staff": 2}
    data["vendors"] = {
        "acme": {"agents": 2, "price_per_item": 10,
                 "elastic": {"max_agents": 4, "notice_h": 12, "scale_when_queue_per_agent": 1},
                 "review": {"floor_share": 1.0, "months_below": 1, "remediation_productivity_factor": 1.3,
                            "remediation_delay_h": 200},
                 "shared": {"background_rate_per_hour": 0.8, "background_effort_h": "exponential(mean=1)",
                            "client_priority": "equal"}},
        "beta": {"agents": 2, "price_per_item": 12,
                 "review": {"floor_share": 0.99, "months_below": 1, "terminate_at_review": 1},
                 "exit": {"fallback": "team", "switch_lead_h": 48}},
    }
    return scenario_from(data)


@pytest.fixture(scope="module")
def world() -> sk.Scenario:
    return lean_world()


LEAN_POOLS = {"in_house": ["team"], "hybrid": ["team", "acme"], "dual": ["acme", "beta"],
              "beta_first": ["team", "beta"]}
"""The pools that take the lean steps: the option's own (the fallback brought in when ``beta`` is terminated in
``dual`` works on a timeline that starts at the switch, so it takes the general steps)."""


@pytest.mark.parametrize("option", sorted(LEAN_POOLS))
def test_lean_steps_give_the_reference_log(world: sk.Scenario, option: str, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    lean: list[str] = []
    take = fastpool.CallbackPool._lean_steps

    def spy(pool: fastpool.CallbackPool):  # noqa: ANN202
        lean.append(pool.name)
        return take(pool)

    monkeypatch.setattr(fastpool.CallbackPool, "_lean_steps", spy)
    for rep in range(2):
        streams = Streams(world.run.seed, rep)
        trace = draw_trace(world, streams)
        ref = simulate_option(world, option, trace, streams, kernel="process")
        lean.clear()
        fast = simulate_option(world, option, trace, streams, kernel="fast")
        assert lean == LEAN_POOLS[option]
        for col in COLUMNS:
            np.testing.assert_array_equal(getattr(ref, col), getattr(fast, col), err_msg=f"{option}/{rep}/{col}")
        assert ref.events == fast.events and ref.staff_log == fast.staff_log, f"{option}/{rep}"


def test_the_world_exercises_what_the_lean_steps_still_read(world: sk.Scenario) -> None:
    """The comparison above is only as good as its coverage: hires, leavers and layoffs, agents scaled up, a
    remediation and a termination for cause, requesters giving up."""
    streams = Streams(world.run.seed, 0)
    trace = draw_trace(world, streams)
    kinds: set[str] = set()
    abandoned = 0
    for option in LEAN_POOLS:
        log = simulate_option(world, option, trace, streams, kernel="fast")
        kinds |= {what.split(":")[0] for _, _, what in log.events}
        abandoned += int(np.sum(log.status == ABANDONED))
    assert {"hire", "leave", "scale_up", "remediation", "exit"} <= kinds, kinds
    assert abandoned > 0
