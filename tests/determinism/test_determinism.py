"""Same seed, same numbers: bit-identical results on every executor, worker count and batch size.

Every random stream is keyed by (seed, replication, component name), never by which process ran the
replication or what ran before it, so the KPIs and the ledger must be *identical* — not close — whether
the replications run here, in a process pool of one or two workers, or on a dask.distributed cluster,
in batches of any size, and however often they are repeated.  The scenario used switches on the
stochastic mechanisms too (outages, exits, exchange rates, attrition, clarification, abandonment), so
that their streams are covered as well as the workload's.

Every output also records how to reproduce it: the seed and the simkit version are in
``Results.meta``, in the parquet file ``Results.save`` writes, and in the CLI's output files.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import SCENARIOS

import simkit as sk
from simkit.experiment import execution
from simkit.experiment.replication import FailedReplicationWarning, ReplicationError
from simkit.scenario.preflight import CapacityWarning

REPS = 5
SEED = 20240611


@pytest.fixture(scope="module")
def risky() -> sk.Scenario:
    """The helpdesk over ten weeks, with a stochastic mechanism in every component that has one."""
    sc = sk.load(SCENARIOS / "startup_it_helpdesk.yaml")
    changes = {
        "run.horizon_days": 70, "run.warmup_days": 2,
        "vendors.msp.outages": {"time_between_h": "exponential(mean=80)",
                                "repair_h": "lognormal(mean=4, cv=1)"},
        "vendors.msp.exit": {"hazard_per_year": 6.0, "fallback": "engineers", "switch_lead_h": 24},
        "vendors.msp.fx": {"currency": "EUR", "volatility_annual": 0.3},
        "teams.engineers.hiring": {"attrition_annual": 2.0, "hiring_lead_h": 48},
        "workload.kinds.incident.clarify_share": 0.3,
        "workload.kinds.request.patience_h": "exponential(mean=30)",
    }
    return sc.override(changes)


def run(sc: sk.Scenario, executor=None, batch_size: int | None = None,  # noqa: ANN001
        replications: int = REPS) -> sk.Results:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        return sk.simulate(sc, replications=replications, seed=SEED, executor=executor, batch_size=batch_size,
                           progress=False)


def assert_identical(a: sk.Results, b: sk.Results) -> None:
    pd.testing.assert_frame_equal(a.kpis, b.kpis, check_exact=True)
    pd.testing.assert_frame_equal(a.ledger.reset_index(drop=True), b.ledger.reset_index(drop=True),
                                  check_exact=True)


@pytest.fixture(scope="module")
def reference(risky: sk.Scenario) -> sk.Results:
    return run(risky)


def test_the_reference_run_is_not_trivial(reference: sk.Results) -> None:
    k = reference.kpis
    assert len(k) == REPS * 3 and k["items_arrived"].min() > 50
    assert k.groupby("option")["lead_time_mean_h"].nunique().min() == REPS  # every replication differs
    assert len(reference.ledger) > 0
    active = k.groupby("option")[["outages_count", "exits_count", "fx_cost_usd", "clarify_share",
                                  "abandoned_share", "leavers_count"]].agg(lambda s: (s != 0).sum())
    assert (active.loc["vendor", ["outages_count", "exits_count", "fx_cost_usd"]] > 0).all(), active
    assert (active[["clarify_share", "abandoned_share"]] > 0).all().all(), active
    assert active.loc["in_house", "leavers_count"] > 0, active


def test_repeated_runs_and_any_batch_size(risky: sk.Scenario, reference: sk.Results) -> None:
    assert_identical(run(risky), reference)
    for batch in (1, 2, 3, REPS):
        with ProcessPoolExecutor(max_workers=2) as pool:
            assert_identical(run(risky, pool, batch_size=batch), reference)


@pytest.mark.parametrize("workers", [1, 2])
def test_process_pools(risky: sk.Scenario, reference: sk.Results, workers: int) -> None:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        assert_identical(run(risky, pool), reference)
        assert_identical(run(risky, pool), reference)  # the same pool, warm, again


def test_fewer_replications_than_workers_split_the_options(risky: sk.Scenario, reference: sk.Results) -> None:
    """Two replications on three workers: each option of a replication runs as a task of its own, and
    the results are the same rows, ledger and logs as running them together."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        with ProcessPoolExecutor(max_workers=3) as pool:
            split = sk.simulate(risky, replications=2, seed=SEED, executor=pool, progress=False, keep_logs=True)
        together = sk.simulate(risky, replications=2, seed=SEED, executor=None, progress=False, keep_logs=True)
    assert_identical(split, together)
    assert sorted(split.logs) == sorted(together.logs)
    first_two = reference.kpis[reference.kpis.replication < 2].reset_index(drop=True)
    pd.testing.assert_frame_equal(split.kpis, first_two, check_exact=True)


def test_dask_distributed(risky: sk.Scenario, reference: sk.Results) -> None:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       dashboard_address=None)
    try:
        with distributed.Client(cluster) as client:
            executor = client.get_executor(pure=False)
            assert_identical(run(risky, executor), reference)
            assert_identical(run(risky, executor, batch_size=1), reference)
            assert_identical(run(risky, executor, replications=1), first(reference))  # options split over workers
    finally:
        cluster.close()


def first(res: sk.Results) -> sk.Results:
    """``res`` cut to its replication 0."""
    kpis = res.kpis[res.kpis.replication == 0].reset_index(drop=True)
    ledger = res.ledger[res.ledger.replication == 0].reset_index(drop=True)
    return sk.Results(scenario=res.scenario, seed=res.seed, kpis=kpis, ledger=ledger, logs=None, meta={})


@pytest.mark.parametrize("executor", [None, 1, 2, "auto"])
def test_one_replication_gives_its_row_on_every_executor(risky: sk.Scenario, reference: sk.Results, executor,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """One replication: its options run as tasks of their own on more than one worker (on "auto", made to
    hand them to a pool), on a trace drawn once; the numbers are replication 0's of the reference run."""
    monkeypatch.setattr(execution, "AUTO_PARALLEL_S", 0.0)
    assert_identical(run(risky, executor, replications=1), first(reference))


def test_one_replication_alone_equals_its_row(risky: sk.Scenario, reference: sk.Results) -> None:
    """Replication 3 re-run on its own (as a failure report tells you to) gives exactly its numbers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        rep = sk.run_replication(risky, 3, seed=SEED)
    alone = pd.DataFrame(rep.kpis)
    row = reference.kpis[reference.kpis["replication"] == 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(alone[row.columns], row, check_exact=True, check_dtype=False)


# --------------------------------------------------------------------------- provenance in every output
def test_meta_and_parquet_record_seed_and_version(reference: sk.Results, tmp_path: Path) -> None:
    assert reference.meta["seed"] == SEED
    assert reference.meta["simkit_version"] == sk.__version__
    assert reference.meta["scenario_sha256"] == reference.scenario.fingerprint()
    path = reference.save(tmp_path / "kpis.parquet")
    attrs = pd.read_parquet(path).attrs
    assert attrs["seed"] == str(SEED) and attrs["simkit_version"] == sk.__version__, attrs
    assert attrs["scenario_sha256"] == reference.scenario.fingerprint()
    assert pq.read_schema(path).metadata  # the same, readable without pandas
    assert not list(tmp_path.glob(".*tmp*"))


def test_cli_outputs_record_seed_and_version(tmp_path: Path) -> None:
    out, charts = tmp_path / "kpis.parquet", tmp_path / "charts"
    scenario = str(SCENARIOS / "startup_it_helpdesk.yaml")
    p = subprocess.run([sys.executable, "-m", "simkit.ui.cli", "run", scenario, "-n", "2", "--seed", "77",
                        "--set", "run.horizon_days=14", "--out", str(out),
                        "--charts", str(charts)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "seed 77" in p.stdout and sk.__version__ in p.stdout
    attrs = pd.read_parquet(out).attrs
    assert attrs["seed"] == "77" and attrs["simkit_version"] == sk.__version__
    table = (charts / "table.txt").read_text(encoding="utf-8")
    assert "seed 77" in table and sk.__version__ in table
    meta = json.loads((charts / "meta.json").read_text(encoding="utf-8"))
    assert meta["seed"] == 77 and meta["simkit_version"] == sk.__version__


# --------------------------------------------------------------------------- failing work
class Boom(RuntimeError):
    pass


def _fail_on(replication: int):  # noqa: ANN202 - a patched engine that breaks one replication
    from simkit.engine import simulate_option

    def patched(scenario, option_name, trace, streams=None):  # noqa: ANN001, ANN202
        if streams is not None and streams.replication == replication:
            raise Boom(f"engine broke on {option_name}")
        return simulate_option(scenario, option_name, trace, streams)

    return patched


def test_a_failing_replication_names_its_seed_and_reruns_exactly(risky: sk.Scenario, reference: sk.Results,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    import simkit.experiment.replication as replication

    monkeypatch.setattr(replication, "simulate_option", _fail_on(3))
    with pytest.warns(FailedReplicationWarning, match=rf"replication 3; seed {SEED}"):
        res = run(risky)  # the other replications are kept, number for number
    pd.testing.assert_frame_equal(res.kpis, reference.kpis[reference.kpis["replication"] != 3].reset_index(drop=True),
                                  check_exact=True)
    [err] = res.failures
    assert isinstance(err, ReplicationError) and (err.replication, err.seed) == (3, SEED)
    msg = str(err)
    assert f"replication 3 (seed {SEED})" in msg and risky.fingerprint()[:12] in msg
    assert "Boom: engine broke on in_house" in msg and "\n" not in msg
    assert "Boom" in err.traceback and res.meta["failures"] == [err.record()]
    again = pickle.loads(pickle.dumps(err))  # it crosses process boundaries intact
    assert str(again) == msg and again.scenario == risky
    with pytest.raises(Boom):  # re-running it alone reproduces the failure ...
        err.rerun()
    monkeypatch.undo()  # ... and once the engine is fixed, gives exactly the reference numbers
    rows = pd.DataFrame(err.rerun().kpis)
    ref = reference.kpis[reference.kpis["replication"] == 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(rows[ref.columns], ref, check_exact=True, check_dtype=False)


def test_a_failing_replication_in_a_worker_process_is_reported_the_same(
        risky: sk.Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    import simkit.experiment.replication as replication

    monkeypatch.setattr(replication, "simulate_option", _fail_on(1))  # forked workers inherit the patch
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        with pytest.warns(FailedReplicationWarning, match=rf"replication 1; seed {SEED}"):
            res = run(risky, pool, batch_size=1)
    [err] = res.failures
    assert err.scenario == risky and err.replication == 1 and "Boom: engine broke" in str(err)
    assert sorted(res.kpis["replication"].unique()) == [0, 2, 3, 4]


def test_a_failed_save_leaves_the_previous_file_intact(reference: sk.Results, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = reference.save(tmp_path / "kpis.parquet")
    before = path.read_bytes()

    def broken(table, target, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        target.write(b"PAR1 half a file")  # an open temporary file beside the target (simkit.fileio)
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken)  # what simkit.experiment.store.write_frame writes with
    with pytest.raises(OSError, match="disk full"):
        reference.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["kpis.parquet"]  # no temporary file left
    monkeypatch.undo()
    pd.testing.assert_frame_equal(pd.read_parquet(path), reference.kpis)
