"""The replication core: one trace through every option, priced under one scenario or many.

``run_replication`` is what simulate, sweeps, re-runs of failures and split replications all call, so its
extra inputs (a trace drawn elsewhere, several price points, no ledger) must give exactly the numbers of
the plain call; and a trace drawn once for a split replication must reach every task, however it runs.
"""

from __future__ import annotations

import multiprocessing
import pickle
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import simkit as sk
from simkit.experiment import replication as replication_mod
from simkit.experiment.replication import SharedTrace, draw_trace, price_log, run_replication, sharing
from simkit.scenario.preflight import CapacityWarning
from simkit.streams import Streams

SEED = 4242
PRICE = "vendors.msp.price_per_item"


@pytest.fixture(scope="module")
def sc(helpdesk: sk.Scenario) -> sk.Scenario:
    return helpdesk.override({"run.horizon_days": 21})


def trace_columns(trace: object) -> dict[str, np.ndarray]:
    return {k: v for k, v in vars(trace).items() if isinstance(v, np.ndarray)}


def assert_same_trace(a: object, b: object) -> None:
    cols_a, cols_b = trace_columns(a), trace_columns(b)
    assert cols_a and sorted(cols_a) == sorted(cols_b)
    for name in cols_a:
        np.testing.assert_array_equal(cols_a[name], cols_b[name], err_msg=name)


def test_a_trace_drawn_beforehand_gives_the_same_replication(sc: sk.Scenario) -> None:
    plain = run_replication(sc, 2, SEED)
    given = run_replication(sc, 2, SEED, trace=draw_trace(sc, Streams(SEED, 2)))
    assert plain.kpis == given.kpis and len(plain.kpis) == len(sc.option_names)
    assert_frame_equal(plain.ledger, given.ledger, check_exact=True)
    assert len(plain.ledger) > 0 and not given.failed_points


def test_price_points_equal_each_points_own_replication(sc: sk.Scenario) -> None:
    """Pricing the same logs at two points gives each point the rows a replication of that point's scenario
    gives, in point-then-option order, each tagged with its point."""
    cheap, dear = sc.override({PRICE: 20.0}), sc.override({PRICE: 60.0})
    rep = run_replication(sc, 1, SEED, points=[(7, cheap), (3, dear)], with_ledger=False)
    expected = ([{"point": 7, **row} for row in run_replication(cheap, 1, SEED).kpis]
                + [{"point": 3, **row} for row in run_replication(dear, 1, SEED).kpis])
    assert rep.kpis == expected
    assert rep.ledger.empty and not rep.failed_points
    vendor = {row["point"]: row for row in rep.kpis if row["option"] == "vendor"}
    assert vendor[3]["cost_total_usd"] > vendor[7]["cost_total_usd"]  # the price reached the rows


def test_a_point_whose_pricing_raises_is_recorded_and_the_others_priced(sc: sk.Scenario,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def fussy(scenario: sk.Scenario, log: object, replication: int, **kw: object) -> tuple:
        if scenario.vendors["msp"].price_per_item == 60.0 and log.option == "vendor":
            raise ValueError("no price")
        return price_log(scenario, log, replication, **kw)

    good, bad = sc.override({PRICE: 20.0}), sc.override({PRICE: 60.0})
    clean = run_replication(sc, 0, SEED, points=[(0, good)], with_ledger=False)
    monkeypatch.setattr(replication_mod, "price_log", fussy)
    rep = run_replication(sc, 0, SEED, points=[(0, good), (1, bad)], with_ledger=False)
    assert rep.kpis == clean.kpis  # point 1 left out whole (also its options priced before the failure)
    [(point, (err, text))] = rep.failed_points.items()
    assert point == 1 and isinstance(err, ValueError) and "no price" in text


def test_an_engine_failure_raises_out_of_the_core(sc: sk.Scenario) -> None:
    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("engine down")

    with pytest.raises(RuntimeError, match="engine down"):
        run_replication(sc, 0, SEED, engine=broken, points=[(0, sc)])


def test_a_shared_trace_travels_without_its_arrays(sc: sk.Scenario) -> None:
    trace = draw_trace(sc, Streams(SEED, 0))
    shared = SharedTrace(trace)
    assert shared.get(sc, SEED, 0) is trace
    copy = pickle.loads(pickle.dumps(shared))
    assert copy.trace is None and len(pickle.dumps(shared)) < 1000 < len(pickle.dumps(trace))
    with sharing([shared]):  # a worker forked now finds it in memory
        assert copy.get(sc, SEED, 0) is trace
    redrawn = copy.get(sc, SEED, 0)  # elsewhere: drawn again from the same stream
    assert redrawn is not trace
    assert_same_trace(redrawn, trace)
    assert SharedTrace(trace).token != shared.token


def _refuse_to_draw(*_args: object, **_kw: object) -> None:
    raise AssertionError("a worker drew the trace again")


def test_forked_workers_of_a_split_replication_read_the_trace_drawn_here(
        sc: sk.Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """One replication on two forked workers: each option is a task, and no task draws the trace (a forked
    worker inherits the patch that forbids it); the numbers equal the run in this process."""
    alone = sk.simulate(sc, replications=1, seed=SEED, executor=None, progress=False, keep_logs=True)
    monkeypatch.setattr(replication_mod, "draw_trace", _refuse_to_draw)
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        split = sk.simulate(sc, replications=1, seed=SEED, executor=pool, progress=False, keep_logs=True)
    assert not split.failures
    assert_frame_equal(split.kpis, alone.kpis, check_exact=True)
    assert_frame_equal(split.ledger.reset_index(drop=True), alone.ledger.reset_index(drop=True), check_exact=True)
    assert sorted(split.logs) == sorted(alone.logs)


def test_spawned_workers_of_a_split_replication_draw_the_same_trace(sc: sk.Scenario) -> None:
    """Workers that share no memory with this process draw the trace themselves: the same numbers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        alone = sk.simulate(sc, replications=1, seed=SEED, executor=None, progress=False)
        with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
            split = sk.simulate(sc, replications=1, seed=SEED, executor=pool, progress=False)
    assert_frame_equal(split.kpis, alone.kpis, check_exact=True)
    assert_frame_equal(split.ledger.reset_index(drop=True), alone.ledger.reset_index(drop=True), check_exact=True)
    assert isinstance(split.kpis, pd.DataFrame) and len(split.kpis) == len(sc.option_names)
