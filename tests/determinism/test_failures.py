"""A replication that raises is reported with its seed (and sweep point) and left out; the others are kept.

Failures are injected deterministically through the documented test seams: ``simulate`` hands every batch
the ``simkit.experiment.simulate.run_replication`` it finds when it starts, and ``sweep`` hands every task the
``simkit.experiment.sweep`` module's ``simulate_option``.  The replacements below are module-level functions bound with
``functools.partial``, so they are pickled by reference and reach process-pool and dask workers alike (a
worker imports this module and finds the real functions, captured at import).
"""

from __future__ import annotations

import functools
import importlib
import json
import pickle
import warnings
from collections.abc import Collection
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from conftest import SCENARIOS
from pandas.testing import assert_frame_equal

import simkit as sk
import simkit.engine
import simkit.experiment.replication as replication_mod
import simkit.experiment.simulate as experiment
from simkit.experiment import execution
from simkit.experiment.replication import FailedReplicationWarning, ReplicationError
from simkit.experiment.store import read_meta
from simkit.scenario.preflight import CapacityWarning, warn_overload
from simkit.ui.cli import EXIT_FAILED, main

sweep_mod = importlib.import_module("simkit.experiment.sweep")  # the module (simkit.sweep is the function)

HELPDESK = str(SCENARIOS / "startup_it_helpdesk.yaml")
REPS, SEED, BAD = 5, 31, 2
PRICES = {"vendors.msp.agents": [2, 3, 4]}  # an engine field: every point runs the engine

_REAL_REPLICATION = replication_mod.run_replication
_REAL_ENGINE = simkit.engine.simulate_option


class Boom(RuntimeError):
    pass


def failing_replication(bad: Collection[int], scenario: sk.Scenario, replication: int, seed: int, *args: object,
                        **kwargs: object) -> experiment.Replication:
    """``run_replication``, except that the replications in ``bad`` raise :class:`Boom`."""
    if replication in bad:
        raise Boom(f"replication {replication} broke")
    return _REAL_REPLICATION(scenario, replication, seed, *args, **kwargs)


def failing_engine(bad_replication: int, bad_agents: int, scenario: sk.Scenario, option: str, trace: object,
                   streams: object = None, **kw: object) -> object:
    """The engine, except that it raises for one replication of the point with ``bad_agents`` vendor agents."""
    replication = getattr(streams, "replication", None)
    if replication == bad_replication and scenario.vendors["msp"].agents == bad_agents:
        raise Boom(f"engine broke on {option}")
    return _REAL_ENGINE(scenario, option, trace, streams, **kw)


def reciprocal(x: float) -> float:
    return 1.0 / x


@pytest.fixture(scope="module")
def sc() -> sk.Scenario:
    return sk.load(HELPDESK).override({"run.horizon_days": 14})


@pytest.fixture(scope="module")
def clean(sc: sk.Scenario) -> sk.Results:
    return sk.simulate(sc, REPS, seed=SEED, executor=None, progress=False)


def break_replications(monkeypatch: pytest.MonkeyPatch, *bad: int) -> None:
    monkeypatch.setattr(replication_mod, "run_replication", functools.partial(failing_replication, bad))


def simulate_failing(sc: sk.Scenario, executor, batch_size: int | None = None) -> sk.Results:
    with pytest.warns(FailedReplicationWarning) as caught:
        res = sk.simulate(sc, REPS, seed=SEED, executor=executor, batch_size=batch_size, progress=False)
    messages = [str(w.message) for w in caught if w.category is FailedReplicationWarning]
    assert len(messages) == 1, messages  # warned once
    assert messages[0].startswith(f"1 of {REPS} replications failed")
    assert f"replication {BAD}; seed {SEED}" in messages[0]
    assert "Boom: replication 2 broke" in messages[0] and "results.failures[0].rerun()" in messages[0]
    assert "\n" not in messages[0]
    return res


def assert_kept(res: sk.Results, clean: sk.Results) -> None:
    """Every other replication is kept, number for number; the failed one is listed with its seed."""
    assert sorted(res.kpis["replication"].unique()) == [r for r in range(REPS) if r != BAD]
    assert_frame_equal(res.kpis, clean.kpis[clean.kpis["replication"] != BAD].reset_index(drop=True),
                       check_exact=True)
    expected_ledger = clean.ledger[clean.ledger["replication"] != BAD].reset_index(drop=True)
    assert_frame_equal(res.ledger.reset_index(drop=True), expected_ledger, check_exact=True)
    assert res.meta["replications"] == REPS - 1 == res.meta["replications_finished"]
    assert res.meta["replications_requested"] == REPS
    [record] = res.meta["failures"]
    assert record["replication"] == BAD and record["seed"] == SEED
    assert record["scenario_sha256"] == res.scenario.fingerprint() and record["error"] == "Boom: replication 2 broke"
    assert "failing_replication" in record["traceback"] and "Boom" in record["traceback"]
    [err] = res.failures
    assert isinstance(err, ReplicationError) and err.record() == record
    summary = res.summary()  # statistics use the finished replications only
    assert set(summary["n"]) == {REPS - 1}


# --------------------------------------------------------------------------- run_tasks
@pytest.mark.parametrize("executor", [None, "auto", 2])
def test_run_tasks_keeps_every_finished_task_and_returns_the_failures(executor, monkeypatch) -> None:
    monkeypatch.setattr(execution, "AUTO_PARALLEL_S", 0.0)  # "auto": the rest go to a pool at once
    monkeypatch.setattr(execution, "cpu_workers", lambda: 2)
    xs = [1.0, 0.0, 4.0, 0.0, 2.0]
    out = execution.run_tasks(reciprocal, [(x,) for x in xs], executor, progress=False)
    assert out.results == {0: 1.0, 2: 0.25, 4: 0.5} and not out.interrupted
    assert sorted(out.failures) == [1, 3]
    assert all(isinstance(e, ZeroDivisionError) for e in out.failures.values())
    assert all("ZeroDivisionError" in out.tracebacks[i] and "reciprocal" in out.tracebacks[i] for i in (1, 3))


def test_an_error_in_on_result_is_not_a_task_failure() -> None:
    def full(_i: int, _value: float) -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        execution.run_tasks(reciprocal, [(1.0,), (2.0,)], None, progress=False, on_result=full)


# --------------------------------------------------------------------------- simulate
@pytest.mark.parametrize(("executor", "batch_size"), [(None, None), (None, REPS), (2, 2), (2, 1)])
def test_a_failing_replication_is_left_out_and_the_others_kept(sc, clean, monkeypatch, executor,
                                                                batch_size) -> None:
    break_replications(monkeypatch, BAD)
    res = simulate_failing(sc, executor, batch_size)  # batch_size=REPS: the other 4 of its batch survive
    assert_kept(res, clean)


def test_serial_process_pool_and_dask_report_the_same(sc, clean, monkeypatch) -> None:
    distributed = pytest.importorskip("distributed")
    break_replications(monkeypatch, BAD)
    serial = simulate_failing(sc, None)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = simulate_failing(sc, pool, batch_size=2)
    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cl,
        distributed.Client(cl) as client,
    ):
        dasked = simulate_failing(sc, client.get_executor(pure=False), batch_size=2)
    for res in (serial, pooled, dasked):
        assert_kept(res, clean)
    assert serial.meta["failures"] == pooled.meta["failures"] == dasked.meta["failures"]


def test_rerun_reproduces_the_failure_and_then_the_numbers(sc, clean, monkeypatch) -> None:
    break_replications(monkeypatch, BAD)
    res = simulate_failing(sc, None)
    [err] = res.failures
    msg = str(err)
    assert f"replication {BAD} (seed {SEED})" in msg and sc.fingerprint()[:12] in msg and "\n" not in msg
    again = pickle.loads(pickle.dumps(err))  # crosses process boundaries intact
    assert str(again) == msg and again.record() == err.record() and again.scenario == sc
    with pytest.raises(Boom, match="replication 2 broke"):
        err.rerun()
    monkeypatch.undo()  # once the cause is fixed, the re-run gives exactly the clean numbers
    rows = pd.DataFrame(err.rerun().kpis)
    ref = clean.kpis[clean.kpis["replication"] == BAD].reset_index(drop=True)
    assert_frame_equal(rows[ref.columns], ref, check_exact=True, check_dtype=False)


def test_every_replication_failing_raises_the_first(sc, monkeypatch) -> None:
    break_replications(monkeypatch, *range(REPS))
    with pytest.raises(ReplicationError, match=rf"^replication 0 \(seed {SEED}\)") as info:
        sk.simulate(sc, REPS, seed=SEED, executor=2, batch_size=2, progress=False)
    assert info.value.error == "Boom: replication 0 broke"


def test_precision_rule_stops_at_a_failure(sc, monkeypatch) -> None:
    break_replications(monkeypatch, 3)
    with pytest.raises(ReplicationError, match=r"replication 3 \(seed 1\)"):
        sk.simulate_to_precision(sc, rel_half_width=1e-9, min_replications=4, max_replications=6, seed=1,
                                 executor=None, progress=False)


def test_stored_results_list_the_failures(sc, monkeypatch, tmp_path: Path) -> None:
    break_replications(monkeypatch, BAD)
    res = simulate_failing(sc, None)
    attrs = pd.read_parquet(res.save(tmp_path / "kpis.parquet")).attrs
    res.save(tmp_path / "kpis.csv")
    side = json.loads((tmp_path / "kpis.csv.meta.json").read_text(encoding="utf-8"))
    for meta in (attrs, side):
        assert meta["seed"] == str(SEED) and meta["replications_requested"] == str(REPS)
        [record] = meta["failures"]
        assert (record["replication"], record["seed"], record["error"]) == (BAD, SEED, "Boom: replication 2 broke")


# --------------------------------------------------------------------------- sweeps
def break_engine(monkeypatch: pytest.MonkeyPatch, replication: int, agents: int) -> None:
    bad = functools.partial(failing_engine, replication, agents)
    monkeypatch.setattr(sweep_mod, "simulate_option", bad)  # what the sweep's tasks run
    monkeypatch.setattr(replication_mod, "simulate_option", bad)  # what err.rerun() runs


def counting_engine(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    calls: list[tuple[int, int]] = []

    def engine(scenario, option, trace, streams=None, **kw):
        calls.append((scenario.vendors["msp"].agents, streams.replication))
        return _REAL_ENGINE(scenario, option, trace, streams, **kw)

    monkeypatch.setattr(sweep_mod, "simulate_option", engine)
    return calls


@pytest.fixture(scope="module")
def clean_sweep(sc: sk.Scenario) -> sk.SweepResults:
    return sk.sweep(sc, PRICES, replications=3, seed=SEED, executor=None, progress=False)


@pytest.mark.parametrize("executor", [None, 2])
def test_a_failing_sweep_point_is_left_out_stored_and_retried_alone(sc, clean_sweep, monkeypatch, tmp_path,
                                                                     executor) -> None:
    out = tmp_path / "sweep.parquet"
    break_engine(monkeypatch, 1, 3)  # point 1 (3 agents), replication 1
    with pytest.warns(FailedReplicationWarning, match=r"^1 of 9 point-replications failed .*replication 1 at point "
                                                      r"1; seed 31.*run the same sweep"):
        part = sk.sweep(sc, PRICES, replications=3, seed=SEED, executor=executor, batch_size=1, progress=False,
                        out=out)
    lost = (clean_sweep.frame["point"] == 1) & (clean_sweep.frame["replication"] == 1)
    assert_frame_equal(part.frame, clean_sweep.frame[~lost].reset_index(drop=True), check_exact=True)
    assert part.meta["computed"] == 8 and not part.interrupted
    [err] = part.failures
    assert (err.point, err.replication, err.seed, err.overrides) == (1, 1, SEED, {"vendors.msp.agents": 3})
    assert err.scenario == sc.override({"vendors.msp.agents": 3})
    assert "at sweep point 1 (vendors.msp.agents=3)" in str(err) and "Boom: engine broke on in_house" in str(err)
    with pytest.raises(Boom):
        err.rerun()
    [stored] = read_meta(out)["failures"]  # the finished points are on disk, with the failure listed
    assert stored == err.record() == part.meta["failures"][0]
    assert_frame_equal(pd.read_parquet(out), part.frame, check_exact=True)

    monkeypatch.undo()
    calls = counting_engine(monkeypatch)
    resumed = sk.sweep(sc, PRICES, replications=3, seed=SEED, executor=None, progress=False, out=out)
    assert calls == [(3, 1)] * len(sc.option_names)  # only the failed (point, replication) is run again
    assert resumed.failures == [] and resumed.meta["reused"] == 8 and resumed.meta["computed"] == 1
    assert_frame_equal(resumed.frame, clean_sweep.frame, check_exact=True)


def test_a_pricing_failure_keeps_the_other_points_of_its_engine_run(sc, monkeypatch) -> None:
    space = {"vendors.msp.price_per_item": [30.0, 40.0]}  # one engine run per replication, priced twice
    clean = sk.sweep(sc, space, replications=2, seed=SEED, executor=None, progress=False)
    real = replication_mod.price_log

    def price(scenario, log, replication, **kw):
        if scenario.vendors["msp"].price_per_item == 40.0 and replication == 0 and log.option == "vendor":
            raise ValueError("no price")
        return real(scenario, log, replication, **kw)

    monkeypatch.setattr(replication_mod, "price_log", price)  # what the replication core prices with
    with pytest.warns(FailedReplicationWarning, match="1 of 4 point-replications"):
        got = sk.sweep(sc, space, replications=2, seed=SEED, executor=None, progress=False)
    lost = (clean.frame["point"] == 1) & (clean.frame["replication"] == 0)  # every option of it, not just vendor
    assert_frame_equal(got.frame, clean.frame[~lost].reset_index(drop=True), check_exact=True)
    assert [(e.point, e.replication, e.error) for e in got.failures] == [(1, 0, "ValueError: no price")]


def test_a_sweep_where_everything_fails_raises(sc, monkeypatch) -> None:
    space = {"vendors.msp.agents": [3]}
    break_engine(monkeypatch, 0, 3)
    with pytest.raises(ReplicationError, match=r"replication 0 \(seed 31\).*at sweep point 0"):
        sk.sweep(sc, space, replications=1, seed=SEED, executor=None, progress=False)


def test_sweep_runs_the_overload_check_once_on_the_base_scenario(sc) -> None:
    drowning = sc.override({"teams.engineers.staff": 0})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        expected = warn_overload(drowning)
    assert expected and len(caught) == len(expected)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sk.sweep(drowning, {"vendors.msp.price_per_item": [30.0, 35.0, 40.0]}, replications=1, seed=SEED,
                 executor=None, progress=False)
    got = [str(w.message) for w in caught if issubclass(w.category, CapacityWarning)]
    assert got == expected  # once for the base scenario, not once per point


# --------------------------------------------------------------------------- command line
def cli(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COLUMNS", "250")  # a wide terminal: no sentence asserted on is wrapped
        code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("command", ["run", "compare"])
def test_cli_prints_one_line_per_failure_writes_the_rest_and_exits_3(command, monkeypatch, capsys,
                                                                      tmp_path: Path) -> None:
    break_replications(monkeypatch, 1, 3)
    args = [command, HELPDESK, "-n", "4", "--seed", "5", "--set", "run.horizon_days=14"]
    out = tmp_path / "kpis.parquet"
    if command == "run":
        args += ["--out", str(out)]
    code, stdout, stderr = cli(capsys, *args)
    assert code == EXIT_FAILED == 3
    lines = stderr.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in stderr, stderr
    for line, r in zip(lines, (1, 3), strict=True):
        assert line.startswith(f"error: replication {r} (seed 5)") and f"Boom: replication {r} broke" in line
    assert "2 failed and left out" in stdout and "Total cost (USD)" in stdout
    if command == "run":
        kpis = pd.read_parquet(out)
        assert sorted(kpis["replication"].unique()) == [0, 2]
        assert [f["replication"] for f in kpis.attrs["failures"]] == [1, 3]


def test_cli_all_failing_is_one_line_exit_3_and_writes_nothing(monkeypatch, capsys, tmp_path: Path) -> None:
    break_replications(monkeypatch, 0, 1)
    code, _, stderr = cli(capsys, "run", HELPDESK, "-n", "2", "--seed", "5", "--set", "run.horizon_days=14",
                          "--out", str(tmp_path / "kpis.csv"))
    assert code == EXIT_FAILED and len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert stderr.startswith("error: replication 0 (seed 5)")
    assert not list(tmp_path.iterdir())


def test_cli_sweep_with_a_failure_exits_3_and_resumes(monkeypatch, capsys, tmp_path: Path) -> None:
    out = tmp_path / "s.parquet"
    args = ["sweep", HELPDESK, "-n", "2", "--seed", "5", "--set", "run.horizon_days=14", "--workers", "1",
            "--vary", "vendors.msp.agents=2,4", "--out", str(out)]
    break_engine(monkeypatch, 0, 4)
    code, stdout, stderr = cli(capsys, *args)
    assert code == EXIT_FAILED
    lines = stderr.strip().splitlines()
    assert lines[0].startswith("error: replication 0 (seed 5)") and "at sweep point 1" in lines[0]
    assert len(lines) == 2 and "retry only the 1 failed" in lines[1] and "Traceback" not in stderr
    assert out.exists() and "wrote" in stdout
    monkeypatch.undo()
    code, stdout, stderr = cli(capsys, *args)
    assert code == 0 and "computed 1 point-replications, reused 3" in stdout and stderr == ""


def test_cli_help_documents_the_exit_code(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert f"{EXIT_FAILED} some replications failed" in " ".join(capsys.readouterr().out.split())


def failing_option(bad_replication: int, bad_option: str, scenario: sk.Scenario, replication: int, seed: int,
                   options: object = None, *args: object, **kwargs: object) -> experiment.Replication:
    """``run_replication``, except that one option of one replication raises :class:`Boom`."""
    if replication == bad_replication and bad_option in (options or scenario.option_names):
        raise Boom(f"{bad_option} broke in replication {replication}")
    return _REAL_REPLICATION(scenario, replication, seed, options, *args, **kwargs)


def test_an_option_failing_in_a_split_replication_fails_that_replication_once(
        sc: sk.Scenario, clean: sk.Results, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fewer replications than workers: the options of a replication run as separate tasks; one option
    raising loses its replication (reported once, with its seed), and the other replication is kept whole."""
    monkeypatch.setattr(replication_mod, "run_replication", functools.partial(failing_option, 1, "vendor"))
    with ProcessPoolExecutor(max_workers=4) as pool, pytest.warns(FailedReplicationWarning):
        res = sk.simulate(sc, 2, seed=SEED, executor=pool, progress=False)
    assert [(e.replication, e.seed) for e in res.failures] == [(1, SEED)]
    kept = clean.kpis[clean.kpis.replication == 0].reset_index(drop=True)
    assert_frame_equal(res.kpis, kept, check_exact=True)
    assert res.meta["replications_finished"] == 1
