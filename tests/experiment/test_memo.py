"""Reusing unchanged options' logs gives exactly a fresh simulation; a memo's one pool gives the serial numbers."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import mmc_dict, scenario_from

import simkit as sk
from simkit.experiment import simulate as experiment
from simkit.experiment.reuse import engine_key, reusable_options

REPS, SEED = 3, 11


def run(sc: sk.Scenario, reps: int = REPS, **kw: object) -> sk.Results:
    return sk.simulate(sc, replications=reps, seed=SEED, executor=None, progress=False, keep_logs=True, **kw)


def same(a: sk.Results, b: sk.Results) -> None:
    assert a.kpis.equals(b.kpis)
    assert a.ledger.equals(b.ledger)
    assert sorted(a.logs) == sorted(b.logs)


@pytest.fixture(scope="module")
def base(small_helpdesk: sk.Scenario) -> sk.Results:
    return run(small_helpdesk)


@pytest.mark.parametrize(("change", "reused"), [
    ({"teams.engineers.staff": 3}, ["vendor", "hybrid"]),  # the in-house team of one option only
    ({"vendors.msp.agents": 4}, ["in_house"]),  # the vendor serves two options
    ({"vendors.msp.price_per_item": 31.0, "teams.engineer.loaded_cost_per_hour": 70.0},
     ["in_house", "vendor", "hybrid"]),  # prices only: nothing to simulate
    ({"workload.rate_per_hour": 0.5}, []),  # the workload is every option's
    ({"run.horizon_days": 50}, []),
])
def test_reused_options_give_a_fresh_simulations_numbers(base: sk.Results, change: dict, reused: list) -> None:
    sc = base.scenario.override(change)
    got = run(sc, reuse=base)
    assert got.meta.get("reused_options", []) == reused
    same(got, run(sc))


def test_nothing_is_simulated_when_only_prices_moved(base: sk.Results, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kw: object) -> None:
        raise AssertionError("simulated although every option could be re-priced")

    monkeypatch.setattr(experiment, "run_replication", refuse)
    got = sk.simulate(base.scenario.override({"vendors.msp.price_per_item": 12.0}), replications=REPS, seed=SEED,
                      executor=None, progress=False, reuse=base)
    assert len(got.kpis) == 3 * REPS and not got.failures


def test_more_replications_than_stored_and_another_seed(base: sk.Results) -> None:
    sc = base.scenario.override({"teams.engineers.staff": 1})
    same(run(sc, reps=REPS + 2, reuse=base), run(sc, reps=REPS + 2))
    assert reusable_options(sc, SEED + 1, base) == []  # another seed: other logs
    assert "reused_options" not in sk.simulate(sc, replications=2, seed=SEED + 1, executor=None, progress=False,
                                               reuse=base).meta


def test_an_exit_fallback_is_part_of_the_vendors_inputs() -> None:
    data = mmc_dict(3, 2.0, horizon_days=60, warmup_days=0, vendor={"vendor": "acme"})
    data["vendors"] = {"acme": {"agents": 4, "price_per_item": 10.0,
                                "exit": {"hazard_per_year": 2.0, "fallback": "backstop"}}}
    data["teams"]["backstop"] = {"staff": 2, "loaded_cost_per_hour": 50.0}
    sc = scenario_from(data)
    moved = sc.override({"teams.backstop.staff": 5})
    assert engine_key(moved, "vendor") != engine_key(sc, "vendor")  # the fallback's staff matter after an exit
    assert engine_key(moved, "in_house") == engine_key(sc, "in_house")
    assert engine_key(sc.override({"teams.backstop.loaded_cost_per_hour": 80.0}), "vendor") == engine_key(sc, "vendor")
    same(run(moved, reuse=run(sc)), run(moved))


def test_a_retained_teams_currency_is_part_of_the_vendors_inputs() -> None:
    data = mmc_dict(3, 2.0, horizon_days=60, warmup_days=0, vendor={"vendor": "acme"})
    data["vendors"] = {"acme": {"agents": 4, "price_per_item": 10.0,
                                "transition": {"retained_team": "team", "parallel_run_months": 1}}}
    sc = scenario_from(data)
    abroad = sc.override({"teams.team.fx": {"currency": "INR", "volatility_annual": 0.3}})
    wilder = abroad.override({"teams.team.fx.volatility_annual": 0.6})
    # the vendor option's log holds the retained team's path, so its currency is an input of that option
    assert len({engine_key(s, "vendor") for s in (sc, abroad, wilder)}) == 3
    assert engine_key(abroad.override({"teams.team.staff": 5}), "vendor") == engine_key(abroad, "vendor")
    same(run(wilder, reuse=run(abroad)), run(wilder))


def test_the_order_of_item_kinds_is_an_engine_input(base: sk.Results) -> None:
    """Kinds are drawn in the order they are listed and indexed by position: listed in another order, the
    same kinds give another trace, so nothing may be reused."""
    data = base.scenario.to_dict()
    data["workload"]["kinds"] = dict(reversed(list(data["workload"]["kinds"].items())))
    flipped = sk.Scenario.model_validate(data)
    assert reusable_options(flipped, SEED, base) == []
    same(run(flipped, reuse=base), run(flipped))


def test_a_memo_holds_one_pool_for_all_its_runs_and_gives_the_serial_numbers(
        small_helpdesk: sk.Scenario, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """``executor="auto"``: one worker pool serves the comparison, the tornado and the break-evens, and is shut
    down with the memo; the page is the one a serial build writes, to the byte but for the time it was written."""
    import re

    from simkit.experiment import execution

    if execution.cpu_workers() < 2:
        pytest.skip("one core: the memo runs everything in this process")
    pools = []
    real = execution.worker_pool
    monkeypatch.setattr(execution, "worker_pool", lambda n: pools.append(real(n)) or pools[-1])
    pooled = sk.memo(small_helpdesk, tmp_path / "pooled.html", replications=REPS, seed=SEED)
    assert len(pools) == 1 and pools[0]._shutdown_thread  # one pool, started once and stopped with the memo
    serial = sk.memo(small_helpdesk, tmp_path / "serial.html", replications=REPS, seed=SEED, executor=None)
    assert len(pools) == 1
    assert pooled.sensitivity is not None and len(pooled.sensitivity.break_evens) == 2
    pd.testing.assert_frame_equal(pooled.sensitivity.tornado, serial.sensitivity.tornado, check_exact=True)
    for a, b in zip(pooled.sensitivity.break_evens, serial.sensitivity.break_evens, strict=True):
        pd.testing.assert_frame_equal(a.evaluations, b.evaluations, check_exact=True)

    def page(name: str) -> str:
        return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "<written>", (tmp_path / name).read_text())

    assert page("pooled.html") == page("serial.html")
