"""Moving between sourcing models priced by hand: transition, knowledge transfer, parallel run, severance, exits."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from usage_cases import pool, priced_scenario, table, usage

import simkit as sk
from simkit.accounting.costs import account, log_usage, price_usage
from simkit.engine.risk import fx_path
from simkit.experiment.simulate import run_replication
from simkit.streams import Streams
from simkit.units import HOURS_PER_MONTH

N = 4
SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture(scope="module")
def sc():  # noqa: ANN201
    return priced_scenario()


def vendor(start_month: int = 0, fx: np.ndarray | None = None):  # noqa: ANN201
    zeros = np.zeros(N)
    return pool("acme", "vendor", N, fx=fx, start_month=start_month, items=zeros + 100.0, within_sla=zeros + 100.0,
                surge_agent_h=zeros)


def test_a_vendors_start_costs_transition_knowledge_transfer_parallel_run_and_severance(sc) -> None:  # noqa: ANN001
    t = table(price_usage(sc, usage(N, vendor())), N)
    np.testing.assert_array_equal(t["transition"], [5000.0, 0, 0, 0])
    np.testing.assert_array_equal(t["knowledge_transfer"], [8000.0 * 2 * 0.75, 0, 0, 0])  # x 2 x asset specificity
    # the retained team (2 people, open around the clock) for 1.5 months: wages and overhead
    month = 2 * (40.0 * HOURS_PER_MONTH + 600.0)
    np.testing.assert_allclose(t["parallel_run"], [month, month / 2, 0, 0], rtol=1e-12)
    np.testing.assert_array_equal(t["severance"], [0, 2 * 7000.0, 0, 0])  # released when parallel running ends


def test_a_vendor_that_started_before_the_window_books_no_one_off(sc) -> None:  # noqa: ANN001
    t = table(price_usage(sc, usage(N, vendor(start_month=-1))), N)
    assert not t["transition"].any() and not t["knowledge_transfer"].any()


@pytest.mark.parametrize(("how", "exit_fee"), [("termination", 15000.0), ("insolvency", 0.0), ("cause", 0.0)])
def test_an_exit_costs_switching_and_only_a_termination_the_exit_fee(sc, how: str, exit_fee: float) -> None:  # noqa: ANN001
    t = table(price_usage(sc, usage(N, events=((3, "acme", f"exit:{how}"),))), N)
    np.testing.assert_array_equal(t["switching"], [0, 0, 0, 40000.0 * 2 * 0.75])
    np.testing.assert_array_equal(t["exit_fee"], [0, 0, 0, exit_fee])


def test_one_offs_carry_no_exchange_rate(sc) -> None:  # noqa: ANN001
    fx = np.array([1.0, 1.5, 0.5, 2.0])
    home = table(price_usage(sc, usage(N, vendor(), events=((3, "acme", "exit:termination"),))), N)
    abroad = table(price_usage(sc, usage(N, vendor(fx=fx), events=((3, "acme", "exit:termination"),))), N)
    for category in ("transition", "knowledge_transfer", "parallel_run", "severance", "switching", "exit_fee"):
        np.testing.assert_array_equal(abroad[category], home[category], err_msg=category)
    fees = home["vendor_fees"] + home["governance"] + home["commitment"]
    np.testing.assert_allclose(abroad["fx"], fees * (fx - 1.0), rtol=1e-12)  # the fees' difference only


# --------------------------------------------------------------------------- a retained team paid in another currency
def test_a_retained_team_in_another_currency_runs_in_parallel_at_the_plan_rate_its_difference_in_fx(sc) -> None:  # noqa: ANN001
    team_fx = np.array([1.0, 1.25, 0.8, 3.0])
    home = table(price_usage(sc, usage(N, vendor())), N)
    abroad = table(price_usage(sc, usage(N, vendor(), fx={"team": team_fx})), N)
    assert home["parallel_run"][:2].all()  # the team does run in parallel
    for category in home:
        if category != "fx":
            np.testing.assert_array_equal(abroad[category], home[category], err_msg=category)
    np.testing.assert_allclose(abroad["fx"] - home["fx"], home["parallel_run"] * (team_fx - 1.0), rtol=1e-12)


def test_a_retained_team_is_paid_at_its_own_rate_not_at_the_vendors(sc) -> None:  # noqa: ANN001
    vendor_fx, team_fx = np.array([1.0, 1.5, 0.5, 2.0]), np.array([1.0, 0.9, 1.1, 1.3])
    both = table(price_usage(sc, usage(N, vendor(fx=vendor_fx), fx={"team": team_fx})), N)
    home = table(price_usage(sc, usage(N, vendor())), N)
    fees = home["vendor_fees"] + home["governance"] + home["commitment"]
    np.testing.assert_allclose(both["fx"], fees * (vendor_fx - 1.0) + home["parallel_run"] * (team_fx - 1.0),
                               rtol=1e-12)


@pytest.fixture(scope="module")
def retained_abroad():  # noqa: ANN201
    """The vendor retains ``team``, paid in a wandering currency, for 1.5 months; ``in_house`` is that team."""
    scenario = priced_scenario().override({"teams.team.fx": {"currency": "INR", "volatility_annual": 0.5},
                                           "run.warmup_days": 0, "run.horizon_days": 120})
    return scenario, run_replication(scenario, 2, seed=11, keep_logs=True)


def test_the_retained_teams_path_is_the_one_it_gets_as_a_pool(retained_abroad) -> None:  # noqa: ANN001
    scenario, rep = retained_abroad
    vendor_log, team_log = rep.logs["vendor"], rep.logs["in_house"]
    assert "team" not in vendor_log.pool_names and "team" in team_log.pool_names
    np.testing.assert_array_equal(vendor_log.fx["team"], team_log.fx["team"])  # common random numbers
    n = len(vendor_log.fx["team"])
    drawn = fx_path(scenario.teams["team"].fx, n, Streams(11, 2).rng("fx:team"))
    np.testing.assert_array_equal(vendor_log.fx["team"], drawn)
    assert np.ptp(drawn) > 0.05  # the rate did move


def test_a_retained_team_that_is_also_an_unopened_fallback_keeps_its_path(retained_abroad) -> None:  # noqa: ANN001
    scenario, rep = retained_abroad
    # a termination for cause that never comes (no month is below a floor of 0): the fallback, the
    # retained team, waits closed and is dropped from the log, but the parallel run still pays it
    never = scenario.override({"vendors.acme.review": {"floor_share": 0.0, "terminate_at_review": 1}})
    log = run_replication(never, 2, seed=11, options=["vendor"], keep_logs=True).logs["vendor"]
    assert "team" not in log.pool_names
    np.testing.assert_array_equal(log.fx["team"], rep.logs["in_house"].fx["team"])


def test_a_simulated_parallel_run_books_the_plan_rate_and_fx_exactly_its_rate_difference(retained_abroad) -> None:  # noqa: ANN001
    scenario, rep = retained_abroad
    log = rep.logs["vendor"]
    t = table(account(scenario, log), len(log.fx["team"]))
    # 2 people around the clock at 40 an hour plus 600 a month, for 1.5 months from the window's start
    month = 2 * (40.0 * HOURS_PER_MONTH + 600.0)
    expected = np.zeros(len(log.fx["team"]))
    expected[:2] = month, month / 2
    np.testing.assert_allclose(t["parallel_run"], expected, rtol=1e-12)
    assert "acme" not in log.fx  # the vendor is paid at home: the whole fx line is the retained team's
    np.testing.assert_allclose(t["fx"], expected * (log.fx["team"] - 1.0), rtol=1e-12, atol=1e-9)
    assert t["fx"][1] != 0.0


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_shipped_scenario_pays_in_another_currency_exactly_what_it_says(path: Path) -> None:
    """Each option's log holds a path for its pools with ``fx`` and its retained teams with ``fx``, nothing else;
    without the retained teams' paths (the pricing before they had a currency) only the ``fx`` line changes, and
    not at all for an option without a retained team paid abroad (every shipped scenario's)."""
    scenario = sk.load(path).override({"run.horizon_days": 45, "run.warmup_days": 0})
    rep = run_replication(scenario, 0, seed=5, keep_logs=True)
    for option, log in rep.logs.items():
        specs = [scenario.teams[n] if r == "team" else scenario.vendors[n]
                 for n, r in zip(log.pool_names, log.pool_roles, strict=True)]
        retained = {s.transition.retained_team for s in specs
                    if getattr(s, "transition", None) is not None and s.transition.retained_team is not None}
        abroad = {t for t in retained if scenario.teams[t].fx is not None}
        assert set(log.fx) == {n for n, s in zip(log.pool_names, specs, strict=True) if s.fx is not None} | abroad
        use = log_usage(scenario, log)
        n = len(use.edges) - 1
        at_path = table(price_usage(scenario, use), n)
        pools_only = table(price_usage(scenario, replace(use, fx={k: p for k, p in use.fx.items()
                                                                  if k in log.pool_names})), n)
        for category in at_path:
            if category != "fx" or not abroad - set(log.pool_names):
                np.testing.assert_array_equal(at_path[category], pools_only[category], err_msg=f"{option}: {category}")
