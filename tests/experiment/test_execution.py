"""Process pools made by simkit: their workers never outlive the process that made them."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import SCENARIOS

import simkit as sk
from simkit.experiment.execution import run_tasks, worker_pool

psutil = pytest.importorskip("psutil")

LONG_SIMULATION = textwrap.dedent(f"""
    import simkit as sk
    sc = sk.load({str(SCENARIOS / "startup_it_helpdesk.yaml")!r})
    sk.simulate(sc, replications=400, seed=1, executor=2, progress=False)
""")


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _poll(condition, seconds: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_workers_end_when_their_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", LONG_SIMULATION], stderr=subprocess.DEVNULL)
    workers: list[psutil.Process] = []
    try:
        me = psutil.Process(parent.pid)
        assert _poll(lambda: parent.poll() is not None or len(me.children()) >= 2, 180), "no workers started"
        assert parent.poll() is None
        workers = me.children(recursive=True)
        assert all(_alive(w) for w in workers)
        time.sleep(1)  # the workers are computing
        parent.send_signal(signal.SIGKILL)  # as an out-of-memory kill does: no clean-up code runs
        parent.wait(timeout=30)
        assert _poll(lambda: not any(_alive(w) for w in workers), 20), \
            f"orphan workers left running: {[w.pid for w in workers if _alive(w)]}"
    finally:
        parent.kill()
        for w in workers:  # only when the test failed: do not leave them running
            if _alive(w):
                w.kill()


def _square(x: int) -> int:
    return x * x


def _ignored_signals() -> tuple[bool, bool]:
    return (signal.getsignal(signal.SIGINT) is signal.SIG_IGN, signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)


def test_workers_leave_ctrl_c_to_the_parent() -> None:
    with worker_pool(2) as pool:
        assert pool.submit(_ignored_signals).result() == (True, True)
    assert run_tasks(_square, [(k,) for k in range(6)], executor=2, progress=False).results == {
        k: k * k for k in range(6)}


def test_results_do_not_depend_on_the_pool(small_helpdesk: sk.Scenario) -> None:
    serial = sk.simulate(small_helpdesk, replications=4, seed=11, executor=None, progress=False)
    pooled = sk.simulate(small_helpdesk, replications=4, seed=11, executor=2, progress=False)
    assert serial.kpis.equals(pooled.kpis) and serial.ledger.equals(pooled.ledger)
