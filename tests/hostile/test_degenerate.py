"""Degenerate cases: nothing to do, nobody to do it, more work than capacity, a day, ten years.

Each ends in a sensible result that can be checked by hand, or in a clear error:

* zero arrivals: nothing is served, nothing is late, and the cost is exactly what is paid for
  being open (staff x hourly cost x open hours, overhead, the vendor's fixed fees);
* zero staff: every arrival is still waiting at the horizon; the pre-flight check warns;
* offered load >= capacity: a :class:`~simkit.scenario.preflight.CapacityWarning` naming the option and the pool,
  the run still ends, and the backlog grows at the rate ``(lambda - mu) t`` that a queue past
  saturation must show;
* a one-day horizon: a partial month priced pro rata, to the cent;
* a ten-year horizon: 120 monthly cash flows, arrivals matching the expected count, NPV below the total.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from conftest import SCENARIOS, mmc_dict, scenario_from

import simkit as sk
from simkit.scenario import preflight as checks
from simkit.units import HOURS_PER_MONTH

HELPDESK = SCENARIOS / "startup_it_helpdesk.yaml"


@pytest.fixture(scope="module")
def helpdesk() -> sk.Scenario:
    return sk.load(HELPDESK)


def simulate_quietly(sc: sk.Scenario, **kwargs) -> sk.Results:  # noqa: ANN003
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", checks.CapacityWarning)
        return sk.simulate(sc, executor=None, progress=False, **kwargs)


def finite(res: sk.Results) -> bool:
    return bool(np.isfinite(res.kpis.drop(columns=["option"]).to_numpy(dtype=float)).all())


def capacity_warnings(sc: sk.Scenario, **kwargs) -> tuple[sk.Results, list[str]]:  # noqa: ANN003
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = sk.simulate(sc, executor=None, progress=False, **kwargs)
    return res, [str(w.message) for w in caught if issubclass(w.category, checks.CapacityWarning)]


# --------------------------------------------------------------------------- nothing arrives
def test_zero_arrivals_cost_exactly_the_open_hours(helpdesk: sk.Scenario) -> None:
    sc = helpdesk.override({"workload.rate_per_hour": 0, "run.horizon_days": 28})
    res, warned = capacity_warnings(sc, replications=2, seed=1)
    assert not warned
    k = res.kpis.set_index("option")
    assert (k["items_arrived"] == 0).all() and (k["items_completed"] == 0).all()
    assert (k["backlog_end_items"] == 0).all() and (k["sla_attainment_share"] == 1).all()
    assert (k["utilisation_share"] == 0).all() and finite(res)
    # in-house: 2 engineers x $45 x 8 h x 20 working days (Mon-Fri 9-17 New York), overhead 2 x $800 pro rata
    team = helpdesk.teams["engineers"]
    open_h = 8.0 * 20
    expected = team.staff * team.loaded_cost_per_hour * open_h + team.staff * team.overhead_per_fte_month * (
        28 * 24 / HOURS_PER_MONTH)
    assert k.loc["in_house", res.cost_column].to_numpy() == pytest.approx([expected] * 2, rel=1e-12)
    # per-item vendor: nothing done, nothing billed but the one-off transition and its governance
    msp = helpdesk.vendors["msp"]
    assert k.loc["vendor", res.cost_column].to_numpy() == pytest.approx([msp.transition_cost] * 2, rel=1e-12)


def test_arrivals_only_while_nobody_works_wait_for_the_morning() -> None:
    data = mmc_dict(2, 4.0, horizon_days=14, warmup_days=0)
    weekdays = ["mon", "tue", "wed", "thu", "fri"]
    data["calendars"] = {"client": {"open_hour": 9, "close_hour": 17, "days": weekdays},
                         "night": {"open_hour": 22, "close_hour": 4}}
    data["workload"] |= {"calendar": "night"}  # all work arrives at night, the team works by day
    data["workload"]["hour_of_day"] = [1.0] * 4 + [0.0] * 18 + [1.0] * 2
    res = simulate_quietly(scenario_from(data), replications=1, seed=5)
    k = res.kpis.iloc[0]
    assert k["items_arrived"] > 100 and k["waited_share"] == 1.0 and finite(res)
    assert k["wait_mean_h"] >= 5.0  # the earliest start is 9:00 after arriving by 4:00


# --------------------------------------------------------------------------- nobody works
def test_zero_staff_and_zero_agents_keep_every_item_waiting(helpdesk: sk.Scenario) -> None:
    sc = helpdesk.override({"teams.engineers.staff": 0, "teams.engineer.staff": 0, "vendors.msp.agents": 0,
                            "run.horizon_days": 14})
    res, warned = capacity_warnings(sc, replications=2, seed=1)
    assert len(warned) == 3, warned
    assert any("option 'in_house': engineers has no capacity" in w for w in warned), warned
    k = res.kpis
    assert (k["items_completed"] == 0).all() and (k["items_arrived"] > 0).all()
    assert (k["backlog_end_items"] == k["items_arrived"]).all()
    assert (k["lead_time_mean_h"] == 0).all() and (k["utilisation_share"] == 0).all() and finite(res)
    assert (k[res.cost_column] >= 0).all()


def test_a_calendar_open_one_minute_a_week_is_nearly_no_capacity() -> None:
    data = mmc_dict(1, 0.05, horizon_days=21, warmup_days=0)
    data["calendars"] = {"client": {"open_hour": 9, "close_hour": 9.0 + 1 / 60, "days": ["wed"]}}
    sc = scenario_from(data)
    assert checks.offered_load(sc)["in_house"]["team"] > 1
    res, warned = capacity_warnings(sc, replications=1, seed=2)
    assert warned and finite(res)
    assert res.kpis.loc[0, "items_completed"] <= 3  # 3 minutes of work in three weeks


# --------------------------------------------------------------------------- more work than capacity
def test_overload_warns_runs_to_the_end_and_the_backlog_grows_linearly() -> None:
    lam, mu = 1.5, 1.0  # items per hour offered, served by one server: rho = 1.5
    backlogs = {}
    for days in (20, 40):
        sc = scenario_from(mmc_dict(1, lam, service_mean_h=1 / mu, horizon_days=days, warmup_days=0))
        res, warned = capacity_warnings(sc, replications=4, seed=11)
        assert warned == ["option 'in_house': team is offered 1.50 times the work it can do on average; "
                          "its backlog will grow for the whole run"]
        k = res.kpis
        assert finite(res) and (k["utilisation_share"] > 0.97).all()
        backlogs[days] = k["backlog_end_items"].mean()
        # past saturation the queue grows like (lambda - mu) t, with variance about (lambda + mu) t
        t = days * 24.0
        half_width = 4 * math.sqrt((lam + mu) * t / 4)
        assert abs(backlogs[days] - (lam - mu) * t) < half_width, (days, backlogs[days], (lam - mu) * t)
    assert backlogs[40] > 1.7 * backlogs[20]


def test_overload_of_one_pool_of_a_hybrid_names_that_pool(helpdesk: sk.Scenario) -> None:
    sc = helpdesk.override({"options.split": {"team": "engineer", "vendor": "msp", "routing": "by_kind",
                                              "vendor_kinds": ["incident", "request"]},
                            "vendors.msp.agents": 1, "vendors.msp.productivity": 0.05,
                            "run.horizon_days": 14})
    load = checks.offered_load(sc)["split"]
    assert load["msp"] > 1 > load["engineer"]
    _, warned = capacity_warnings(sc, replications=1, seed=3)
    assert any(w.startswith("option 'split': msp is offered") for w in warned), warned
    assert not any(w.startswith("option 'split': engineer") for w in warned)


def test_capacity_counts_elastic_benches_hiring_outages_and_other_clients(helpdesk: sk.Scenario) -> None:
    bare = helpdesk.override({"vendors.msp.agents": 0, "teams.engineers.staff": 0})
    assert math.isinf(checks.offered_load(bare)["vendor"]["msp"])
    grows = bare.override({"vendors.msp.elastic": {"max_agents": 3},
                           "teams.engineers.hiring": {"hire_when_backlog_per_staff": 2, "max_staff": 2}})
    load, as_written = checks.offered_load(grows), checks.offered_load(helpdesk)
    assert load["vendor"]["msp"] == pytest.approx(as_written["vendor"]["msp"])
    assert load["in_house"]["engineers"] == pytest.approx(as_written["in_house"]["engineers"])
    # outages half the time double the load; other clients' work takes capacity away
    down = helpdesk.override({"vendors.msp.outages": {"time_between_h": 10, "repair_h": 10}})
    assert checks.offered_load(down)["vendor"]["msp"] == pytest.approx(2 * load["vendor"]["msp"])
    busy = helpdesk.override({"vendors.msp.shared": {"background_rate_per_hour": 5,
                                                     "background_effort_h": 1}})
    assert math.isinf(checks.offered_load(busy)["vendor"]["msp"])


def test_no_warning_for_the_archetypes_as_written() -> None:
    for f in sorted(SCENARIOS.glob("*.yaml")):
        sc = sk.load(f)
        load = checks.offered_load(sc)
        overloaded = {o: p for o, pools in load.items() for p, rho in pools.items() if rho >= 1}
        assert not overloaded, (f.name, overloaded)


def test_the_cli_prints_the_overload_warning_in_one_line(tmp_path) -> None:  # noqa: ANN001
    p = subprocess.run([sys.executable, "-m", "simkit.ui.cli", "run", str(HELPDESK), "-n", "2", "--set",
                        "run.horizon_days=7", "--set", "teams.engineers.staff=0"],
                       capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert p.returncode == 0, p.stderr
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert lines == ["warning: option 'in_house': engineers has no capacity (no staff or agents, or a "
                     "calendar that is never open); its backlog will grow for the whole run"], p.stderr


# --------------------------------------------------------------------------- one day, ten years
def test_a_one_day_horizon_prices_a_partial_month_to_the_cent(helpdesk: sk.Scenario) -> None:
    sc = helpdesk.override({"run.horizon_days": 1})
    res = simulate_quietly(sc, replications=3, seed=4)
    assert finite(res)
    k = res.kpis.set_index(["option", "replication"])
    # Monday 9-17 in New York is 14-22 UTC: 8 open hours inside the first day
    in_house = 2 * 45.0 * 8 + 2 * 800.0 * 24 / HOURS_PER_MONTH
    assert k.loc["in_house", res.cost_column].to_numpy() == pytest.approx([in_house] * 3, rel=1e-12)
    assert (res.ledger["month"] == 0).all()
    assert (k["items_arrived"] > 0).all() and (k["items_completed"] <= k["items_arrived"]).all()
    vendor = res.ledger[res.ledger.option == "vendor"].groupby(["replication", "category"])["amount"].sum()
    done = k.loc["vendor", "items_completed"].to_numpy()
    assert vendor.xs("transition", level="category").to_numpy() == pytest.approx([9000.0] * 3)
    # every item the vendor finished that day is billed at $35
    assert vendor.xs("vendor_fees", level="category").to_numpy() == pytest.approx(35.0 * done)


def test_a_ten_year_horizon(helpdesk: sk.Scenario) -> None:
    sc = helpdesk.override({"run.horizon_days": 3652})
    res, warned = capacity_warnings(sc, replications=1, seed=8)
    # 10% growth a year: by year ten two engineers cannot keep up, and the check says so beforehand
    assert warned == [w for w in warned if w.startswith("option 'in_house': engineers is offered")] and warned
    assert finite(res)
    k = res.kpis.set_index("option")
    expected = checks.expected_items(sc)
    assert abs(k["items_arrived"].iloc[0] - expected) < 4 * math.sqrt(expected)
    months = res.ledger.groupby("option")["month"].nunique()
    assert months["in_house"] == math.ceil(3652 * 24 / HOURS_PER_MONTH)
    assert (k["npv_cost_usd"] < k[res.cost_column]).all() and (k["npv_cost_usd"] > 0).all()
    assert k.loc["in_house", "backlog_end_items"] > 1000  # it drowned, as warned
    assert k.loc["vendor", "backlog_end_items"] < 50


def test_horizon_bounds_are_clear_errors(helpdesk: sk.Scenario) -> None:
    for value, expected in ((0, "run.horizon_days: must be > 0, got 0"),
                            (36526, "run.horizon_days: must be <= 36525"),
                            (-1, "run.horizon_days: must be > 0")):
        with pytest.raises(sk.ScenarioError, match=re.escape(expected)):
            helpdesk.override({"run.horizon_days": value})
    with pytest.raises(sk.ScenarioError, match="warmup_days must be < horizon_days"):
        helpdesk.override({"run.horizon_days": 1, "run.warmup_days": 1})


def test_a_horizon_of_minutes_and_a_warmup_of_almost_all_of_it(helpdesk: sk.Scenario) -> None:
    for changes in ({"run.horizon_days": 0.01}, {"run.horizon_days": 2, "run.warmup_days": 1.999}):
        res = simulate_quietly(helpdesk.override(changes), replications=2, seed=1)
        assert finite(res) and (res.kpis[res.cost_column] >= 0).all()


# --------------------------------------------------------------------------- exits at the very start
def test_a_vendor_terminated_at_month_zero_hands_everything_to_its_fallback(helpdesk: sk.Scenario) -> None:
    sc = helpdesk.override({"vendors.msp.exit": {"fallback": "engineers", "terminate_at_month": 0},
                            "run.horizon_days": 14})
    res = simulate_quietly(sc, replications=1, seed=1)
    k = res.kpis.set_index("option")
    assert k.loc["vendor", "vendor_item_share"] == 0 or k.loc["vendor", "exits_count"] == 1
