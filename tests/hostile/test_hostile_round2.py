"""Hostile and careless use of the newest surfaces: the command's start-up, runs split by option on a pool,
sweep resume with a tampered parts folder, and the lessons export.

Each class ends in one line on stderr naming the flag, field or path and what is allowed (exit 2 bad input,
130/143 signals), never a traceback; nothing half-written, previous files intact, no finished work lost.
Commands run in this process (``simkit.ui.cli.main``) except where a signal, a killed worker or a fresh
interpreter is the point.
"""

from __future__ import annotations

import os
import pickle
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.experiment import store as store_module
from simkit.experiment.design import parse_vary
from simkit.experiment.simulate import _task_failure
from simkit.experiment.store import SweepStore
from simkit.experiment.sweep import sweep, sweep_key
from simkit.ui.cli import main

HELPDESK = str(SCENARIOS / "startup_it_helpdesk.yaml")
PRICE = "vendors.msp.price_per_item"
STAFF_LEVER = "teams.engineers.staff=1:3:3"  # three engine groups x two replications: six tasks to stop between
SHORT = {"run.horizon_days": 28}
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SIMKIT_PROGRESS": "0"}


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as stop:  # argparse: --help, --version and usage errors
        code = int(stop.code or 0)
    got = capsys.readouterr()
    return code, got.out, got.err


# -- start-up ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [[], ["bogus"], ["run"], ["--nope"], ["run", HELPDESK, "-n", "x"]])
def test_usage_errors_are_one_line_and_exit_2(capsys: pytest.CaptureFixture, argv: list[str]) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert one_line(err).startswith("error: simkit")


def test_version_and_help(capsys: pytest.CaptureFixture) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"simkit {sk.__version__}"
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "COMMAND" in out and "exit codes" in out


def test_every_public_name_loads_and_is_listed() -> None:
    assert set(sk.__all__) <= set(dir(sk))
    names: dict[str, object] = {}
    exec("from simkit import *", names)  # noqa: S102 - the star import itself is under test
    assert set(sk.__all__) <= set(names)
    assert all(names[name] is getattr(sk, name) for name in sk.__all__)
    assert sk.plots.__name__ == "simkit.ui.plots"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        sk.nope  # noqa: B018


def test_results_and_scenario_unpickle_in_a_process_that_only_imported_simkit(tmp_path: Path) -> None:
    sc = sk.load(HELPDESK).override(SHORT)
    res = sk.simulate(sc, replications=2, seed=3, executor=None, progress=False)
    (tmp_path / "r.pkl").write_bytes(pickle.dumps((sc, res)))
    expected = res.kpis.to_json()
    code = ("import pickle, sys, simkit\n"
            f"sc, res = pickle.loads(open({str(tmp_path / 'r.pkl')!r}, 'rb').read())\n"
            "assert isinstance(res, simkit.Results) and isinstance(sc, simkit.Scenario)\n"
            "sys.stdout.write(res.kpis.to_json())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=ENV, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected


@pytest.mark.parametrize("delay_s", [0.0, 0.3, 1.0])
def test_a_signal_while_starting_is_one_line_and_128_plus_its_number(tmp_path: Path, delay_s: float) -> None:
    """SIGTERM at any moment from the interpreter's start to the run: 143 and one line, nothing written."""
    out = tmp_path / "kpis.csv"
    proc = subprocess.Popen([sys.executable, "-m", "simkit", "run", HELPDESK, "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    time.sleep(delay_s + 0.2)  # the interpreter's own start (before any handler) is not simkit's to catch
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 143, err
    assert one_line(err).startswith("interrupted (SIGTERM)")
    assert not out.exists() and list(tmp_path.iterdir()) == []


# -- a replication split by option on a pool -----------------------------------------------------------------
def test_a_dead_pool_names_the_dead_worker_and_the_unfinished_options() -> None:
    from concurrent.futures.process import BrokenProcessPool

    text = _task_failure(BrokenProcessPool("A process in the process pool was terminated abruptly"),
                         ["in_house", "vendor\nx"])
    assert text.startswith("a worker process died (killed by a signal, or out of memory): BrokenProcessPool")
    assert "options not finished: 'in_house', 'vendor\\nx'" in text and "\n" not in text
    assert _task_failure(ValueError("boom"), None) == "ValueError: boom"


def _long_split_run(out: Path) -> subprocess.Popen:
    """One long replication of a three-option scenario: split by option and sent to a pool at once."""
    return subprocess.Popen([sys.executable, "-m", "simkit", "run", str(SCENARIOS / "enterprise_service_desk.yaml"),
                             "-n", "1", "--set", "run.horizon_days=26000", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)


def _workers(proc: subprocess.Popen, timeout_s: float = 240.0) -> list:
    psutil = pytest.importorskip("psutil")
    started = time.monotonic()
    while time.monotonic() - started < timeout_s and proc.poll() is None:
        kids = psutil.Process(proc.pid).children(recursive=True)
        if len(kids) >= 2:
            time.sleep(0.5)  # the pool's workers have started their tasks
            return psutil.Process(proc.pid).children(recursive=True)
        time.sleep(0.1)
    return []


def _gone(procs: list) -> bool:
    psutil = pytest.importorskip("psutil")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if all(not p.is_running() or p.status() == psutil.STATUS_ZOMBIE for p in procs):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="a pool up front needs two cores")
@pytest.mark.parametrize("how", ["ctrl-c", "worker-killed"])
def test_a_split_run_stopped_or_broken_keeps_the_previous_file_and_leaves_no_worker(tmp_path: Path,
                                                                                     how: str) -> None:
    out = tmp_path / "kpis.csv"
    out.write_text("earlier results\n")
    proc = _long_split_run(out)
    workers = _workers(proc)
    assert workers, "the run never started a pool"
    if how == "ctrl-c":
        proc.send_signal(signal.SIGINT)
    else:
        os.kill(workers[-1].pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    if how == "ctrl-c":
        assert proc.returncode == 130
        assert one_line(err).startswith("interrupted (SIGINT)")
    else:  # the only replication lost an option: it fails as a whole, named with its seed, and nothing is written
        assert proc.returncode == 3
        line = one_line(err)
        assert "replication 0 (seed" in line and "a worker process died" in line and "options not finished" in line
    assert _gone(workers)
    assert out.read_text() == "earlier results\n" and sorted(p.name for p in tmp_path.iterdir()) == ["kpis.csv"]


# -- sweeps: interrupt, resume, tampered parts ---------------------------------------------------------------
@pytest.fixture(scope="module")
def short_helpdesk() -> sk.Scenario:
    return sk.load(HELPDESK).override(SHORT)


@pytest.fixture(scope="module")
def uninterrupted(short_helpdesk: sk.Scenario) -> pd.DataFrame:
    return sweep(short_helpdesk, [parse_vary(STAFF_LEVER)], replications=2, seed=5, executor=None,
                 batch_size=1, progress=False).frame


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stop_at=st.integers(1, 6), after_write=st.booleans())
def test_a_sweep_interrupted_anywhere_resumes_to_the_uninterrupted_frame(
        short_helpdesk: sk.Scenario, uninterrupted: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory,
        stop_at: int, after_write: bool) -> None:
    """Ctrl+C before or after the k-th finished task is stored; running again gives the same numbers."""
    out = tmp_path_factory.mktemp("sweep") / "s.parquet"
    levers = [parse_vary(STAFF_LEVER)]
    original = SweepStore.add
    calls = []

    def add(self: SweepStore, rows: pd.DataFrame) -> None:
        calls.append(1)
        if len(calls) == stop_at and not after_write:
            raise KeyboardInterrupt
        original(self, rows)
        if len(calls) == stop_at:
            raise KeyboardInterrupt

    SweepStore.add = add
    try:
        first = sweep(short_helpdesk, levers, replications=2, seed=5, executor=None, batch_size=1,
                      progress=False, out=out)
    finally:
        SweepStore.add = original
    assert first.interrupted and not out.exists()
    kept = len(list(out.parent.glob(".s.parquet.parts/*/part-*.parquet")))
    assert kept == stop_at - (0 if after_write else 1)
    again = sweep(short_helpdesk, levers, replications=2, seed=5, executor=None, batch_size=1, progress=False,
                  out=out)
    assert not again.interrupted and again.meta["reused"] == kept
    pd.testing.assert_frame_equal(again.frame, uninterrupted)
    stored, _ = sk.read(out)
    assert len(stored) == len(uninterrupted)


def _plant_part(out: Path, key: str, rows: pd.DataFrame) -> Path:
    """A part written as a sweep of key ``key`` writes it (its own key inside)."""
    store = SweepStore(out, key)
    store.add(rows)
    return next(store.parts.glob("part-*.parquet"))


def _this_key(sc: sk.Scenario, seed: int) -> str:
    return sweep_key(sc, seed, [STAFF_LEVER.split("=")[0]])


@pytest.mark.parametrize("tamper", ["other seed", "other scenario", "truncated", "no key"])
def test_a_tampered_parts_folder_is_refused_in_one_line_never_merged(
        capsys: pytest.CaptureFixture, tmp_path: Path, short_helpdesk: sk.Scenario, uninterrupted: pd.DataFrame,
        tamper: str) -> None:
    out = tmp_path / "s.parquet"
    mine = _this_key(short_helpdesk, 5)
    rows = uninterrupted[uninterrupted["replication"] == 0].assign(total_cost=1.0)  # numbers never to be merged
    if tamper == "other seed":
        foreign = _plant_part(tmp_path / "other.parquet", _this_key(short_helpdesk, 6), rows)
    elif tamper == "other scenario":
        foreign = _plant_part(tmp_path / "other.parquet", _this_key(short_helpdesk.override({"name": "x"}), 5), rows)
    else:
        foreign = _plant_part(out, mine, rows)
        if tamper == "truncated":
            foreign.write_bytes(foreign.read_bytes()[:100])
        else:
            store_module.write_frame(rows, foreign)  # the same rows without the key of the sweep they belong to
    parts = out.with_name(".s.parquet.parts") / mine[:16]
    parts.mkdir(parents=True, exist_ok=True)
    planted = parts / "part-00000000000000000001-1-000001.parquet"
    shutil.copyfile(foreign, planted)
    if foreign != planted:
        foreign.unlink()
    before = planted.read_bytes()
    code, out_text, err = run(capsys, "sweep", HELPDESK, "--set", "run.horizon_days=28", "-n", "2", "--seed", "5",
                              "--vary", STAFF_LEVER, "--workers", "1", "--out", str(out))
    assert code == 2 and out_text == ""
    line = one_line(err)
    assert planted.name in line and ("another sweep" in line or "corrupt part" in line), line
    assert "--fresh" in line
    assert not out.exists() and planted.read_bytes() == before  # refused: nothing written, the evidence kept


# -- lessons export and game ---------------------------------------------------------------------------------
def _export(capsys: pytest.CaptureFixture, folder: Path | str) -> tuple[int, str, str]:
    return run(capsys, "lessons", "export", str(folder), "--student", "--source", str(ROOT / "notebooks"))


@pytest.mark.parametrize("kind", ["non-empty folder", "file", "non-empty folder\nwith a line break"])
def test_an_export_over_someone_elses_files_is_refused(capsys: pytest.CaptureFixture, tmp_path: Path,
                                                        kind: str) -> None:
    target = tmp_path / kind.split()[0] if "\n" not in kind else tmp_path / kind
    if kind == "file":
        target.write_text("mine")
    else:
        target.mkdir()
        (target / "mine.txt").write_text("mine")
    code, out, err = _export(capsys, target)
    assert code == 2 and out == ""
    assert "exists and is not an earlier lessons export" in one_line(err)
    assert (target.read_text() if kind == "file" else (target / "mine.txt").read_text()) == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_ctrl_c_during_the_folder_swap_never_leaves_the_export_missing(capsys: pytest.CaptureFixture,
                                                                       tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Re-exporting over an earlier export swaps two folders; Ctrl+C between the renames waits for both."""
    target = tmp_path / "class"
    assert _export(capsys, target)[0] == 0
    earlier = sorted(p.name for p in target.iterdir())
    renamed = []
    original = Path.rename

    def rename(self: Path, new: Path) -> Path:
        result = original(self, new)
        renamed.append(self.name)
        if len(renamed) == 1:
            signal.raise_signal(signal.SIGINT)  # Ctrl+C right after the earlier export is moved aside
        return result

    monkeypatch.setattr(Path, "rename", rename)
    code, _out, err = _export(capsys, target)
    monkeypatch.undo()
    assert code == 130 and one_line(err).startswith("interrupted (SIGINT)")
    assert len(renamed) == 2  # the swap was completed before the interrupt was taken
    assert sorted(p.name for p in target.iterdir()) == earlier  # a whole export, never none
    assert [p.name for p in tmp_path.iterdir() if p.name != "class"] in ([], [".class.old"])


@pytest.mark.parametrize("bad", ["missing", "a file\nwith a line break"])
def test_game_with_a_bad_submissions_folder_is_one_line(capsys: pytest.CaptureFixture, tmp_path: Path,
                                                        bad: str) -> None:
    folder = tmp_path / bad
    if bad != "missing":
        folder.write_text("not a folder")
    code, out, err = run(capsys, "game", str(ROOT / "notebooks" / "game" / "game.yaml"), str(folder))
    assert code == 2 and out == ""
    one_line(err)


# -- pools stopped mid-run -----------------------------------------------------------------------------------
def _nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_an_interrupted_pool_leaves_no_worker_and_no_manager_thread() -> None:
    """After Ctrl+C the pool's manager thread is gone too: it cannot race the interpreter's exit (a traceback)."""
    import threading

    from simkit.experiment.execution import run_tasks

    def stop(_i: int, _value: object) -> None:
        raise KeyboardInterrupt

    psutil = pytest.importorskip("psutil")

    def managers() -> set:
        return {t for t in threading.enumerate() if type(t).__name__ == "_ExecutorManagerThread"}

    def children() -> set[int]:
        return {p.pid for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE}

    before_threads, before_children = managers(), children()  # other tests' pools may still be alive
    outcome = run_tasks(_nap, [(0.01,), (30.0,), (30.0,)], executor=2, progress=False, on_result=stop)
    assert outcome.interrupted and outcome.results == {0: 0.01}
    assert managers() - before_threads == set()
    assert children() - before_children == set()


SWEEP_ARGS = ["sweep", "startup_it_helpdesk", "--set", "run.horizon_days=56", "-n", "3", "--seed", "5",
              "--vary", "teams.engineers.staff=1:4:4", "--workers", "2"]


@pytest.mark.parametrize("delay_s", [3.0, 5.0])
def test_ctrl_c_at_any_moment_of_a_pooled_sweep_then_resume_gives_the_uninterrupted_file(tmp_path: Path,
                                                                                          delay_s: float) -> None:
    cmd = [sys.executable, "-m", "simkit", *SWEEP_ARGS]
    whole = subprocess.run([*cmd, "--out", str(tmp_path / "whole.parquet")], capture_output=True, env=ENV,
                           timeout=600)
    assert whole.returncode == 0, whole.stderr
    proc = subprocess.Popen([*cmd, "--out", str(tmp_path / "s.parquet")], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=ENV)
    time.sleep(delay_s)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode in (0, 130), err  # 0: it had finished
    assert "Traceback" not in err and len(err.strip().splitlines()) <= 1, err
    again = subprocess.run([*cmd, "--out", str(tmp_path / "s.parquet")], capture_output=True, env=ENV, timeout=600)
    assert again.returncode == 0, again.stderr
    keys = ["point", "option", "replication"]
    expected, got = (sk.read(tmp_path / name)[0].sort_values(keys).reset_index(drop=True)
                     for name in ("whole.parquet", "s.parquet"))
    pd.testing.assert_frame_equal(got, expected)
    assert not (tmp_path / ".s.parquet.parts").exists()


@pytest.mark.parametrize("content", ["{not json", '{"cells": 5, "nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
                                     '{"nbformat": 4}', "fifo"])
def test_an_unreadable_lesson_notebook_is_one_line_and_nothing_is_written(capsys: pytest.CaptureFixture,
                                                                          tmp_path: Path, content: str) -> None:
    source = tmp_path / "notebooks"
    source.mkdir()
    shutil.copy(ROOT / "notebooks" / "01_quickstart.ipynb", source / "01_quickstart.ipynb")
    bad = source / "00_bad\nname.ipynb"
    if content == "fifo":
        os.mkfifo(bad)  # a read would block forever
    else:
        bad.write_text(content)
    code, out, err = run(capsys, "lessons", "export", str(tmp_path / "class"), "--source", str(source))
    assert code == 2 and out == ""
    line = one_line(err)
    assert "00_bad\\nname.ipynb" in line and ("not a readable notebook" in line or "not a regular file" in line)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks"]


@pytest.mark.parametrize("kind", ["pipe", "folder"])
def test_a_part_that_is_not_a_regular_file_is_refused_never_read(tmp_path: Path, short_helpdesk: sk.Scenario,
                                                                 kind: str) -> None:
    """A pipe named like a part would block the read for ever, deaf even to SIGTERM (a subprocess, with a limit)."""
    out = tmp_path / "s.parquet"
    parts = out.with_name(".s.parquet.parts") / _this_key(short_helpdesk, 5)[:16]
    parts.mkdir(parents=True)
    odd = parts / "part-00000000000000000001-1-000001.parquet"
    os.mkfifo(odd) if kind == "pipe" else odd.mkdir()
    cmd = [sys.executable, "-m", "simkit", "sweep", HELPDESK, "--set", "run.horizon_days=28", "-n", "2", "--seed", "5",
           "--vary", STAFF_LEVER, "--workers", "1", "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=240)
    assert done.returncode == 2 and done.stdout == ""
    line = one_line(done.stderr)
    assert odd.name in line and "not a regular file" in line and "--fresh" in line
    assert not out.exists() and (odd.is_fifo() if kind == "pipe" else odd.is_dir())
