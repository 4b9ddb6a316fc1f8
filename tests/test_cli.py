"""The command line: a readable table on success, one line and exit code 2 on bad input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import SCENARIOS

HELPDESK = str(SCENARIOS / "startup_it_helpdesk.yaml")


def simkit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simkit.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_run_prints_the_table_and_writes_files(tmp_path: Path) -> None:
    out = tmp_path / "kpis.parquet"
    charts = tmp_path / "charts"
    p = simkit("run", HELPDESK, "-n", "3", "--seed", "5", "--set", "run.horizon_days=56",
               "--out", str(out), "--charts", str(charts))
    assert p.returncode == 0, p.stderr
    for option in ("in_house", "vendor", "hybrid"):
        assert option in p.stdout
    assert "cost_total_usd" in p.stdout and "P(cheaper)" in p.stdout
    kpis = pd.read_parquet(out)
    assert len(kpis) == 9 and set(kpis["option"]) == {"in_house", "vendor", "hybrid"}
    for name in ("table.txt", "summary.csv", "ledger.csv", "cost_distribution.png", "monthly_cost.png",
                 "lead_times.png"):
        assert (charts / name).stat().st_size > 0
    assert not list(tmp_path.rglob(".*.tmp*"))


def test_same_seed_same_output_csv(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for f in (a, b):
        assert simkit("run", HELPDESK, "-n", "2", "--seed", "9", "--set", "run.horizon_days=28",
                      "--out", str(f)).returncode == 0
    assert a.read_bytes() == b.read_bytes()


def test_validate_and_compare() -> None:
    p = simkit("validate", HELPDESK)
    assert p.returncode == 0 and "valid" in p.stdout
    p = simkit("compare", HELPDESK, "-n", "3", "--set", "run.horizon_days=28")
    assert p.returncode == 0, p.stderr
    assert "vendor - in_house" in p.stdout and "p_better" in p.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", HELPDESK, "--set", "vendors.msp.price_per_item=-3"],
         "vendors.msp.price_per_item: must be >= 0, got -3"),
        (["run", HELPDESK, "--set", "teams.engineers.staff=two"], "teams.engineers.staff: must be a whole number"),
        (["run", HELPDESK, "--set", "workload.kinds.incident.effort_h=weibull(k=1)"], "unknown distribution"),
        (["run", HELPDESK, "--set", "vendors.msp.pricee_per_item=3"], "did you mean 'price_per_item'"),
        (["run", HELPDESK, "--set", "novalue"], "--set expects key=value"),
        (["run", "missing.yaml"], "missing.yaml: no such file"),
        (["validate", str(Path(__file__))], "not valid YAML"),
        (["run", HELPDESK, "-n", "0"], "--replications must be >= 1"),
        (["run", HELPDESK, "--out", "x.xlsx"], "--out must end in .csv or .parquet"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    p = simkit(*args, cwd=tmp_path)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert expected in lines[0]
    assert not list(tmp_path.iterdir()), "nothing may be written on bad input"


def test_non_yaml_binary_file(tmp_path: Path) -> None:
    f = tmp_path / "image.yaml"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    p = simkit("validate", str(f))
    assert p.returncode == 2 and "binary file" in p.stderr and "Traceback" not in p.stderr


# ---------------------------------------------------------------- signals: Ctrl+C and SIGTERM
LONG_RUN = ["-n", "400", "--seed", "1"]  # minutes of work: it is certainly still running when the signal comes


def _start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, Path]:
    err = tmp_path / "stderr.txt"
    with open(err, "w") as fh, open(tmp_path / "stdout.txt", "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "simkit.cli", *args], stdout=out, stderr=fh,
                                env={**os.environ, "SIMKIT_PROGRESS": "1"}, cwd=tmp_path)
    return proc, err


def _wait_until_working(proc: subprocess.Popen, err: Path) -> None:
    """Until the command is simulating: a progress bar on stderr, or worker processes."""
    psutil = pytest.importorskip("psutil")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert proc.poll() is None, err.read_text()
        if err.stat().st_size > 0 or psutil.Process(proc.pid).children():
            return
        time.sleep(0.2)
    proc.kill()
    pytest.fail("the command never started simulating")


@pytest.mark.parametrize(("command", "signum", "code"), [
    ("run", signal.SIGINT, 130), ("run", signal.SIGTERM, 143), ("compare", signal.SIGINT, 130)])
def test_an_interrupted_run_says_so_and_writes_nothing(tmp_path: Path, command: str, signum: int,
                                                       code: int) -> None:
    out, charts = tmp_path / "k.csv", tmp_path / "charts"
    out.write_bytes(b"previous result\n")
    extra = ["--out", str(out), "--charts", str(charts)] if command == "run" else []
    proc, err = _start(tmp_path, command, HELPDESK, *LONG_RUN, *extra)
    _wait_until_working(proc, err)
    proc.send_signal(signum)
    assert proc.wait(timeout=120) == code
    last = err.read_text().strip().splitlines()[-1]
    assert last.startswith(f"interrupted ({signal.Signals(signum).name}): ") and "Traceback" not in err.read_text()
    assert "replications had finished" in last
    assert out.read_bytes() == b"previous result\n" and not charts.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k.csv", "stderr.txt", "stdout.txt"]  # no temp file


def test_an_interrupted_sweep_keeps_its_finished_parts(tmp_path: Path) -> None:
    out = tmp_path / "s.parquet"
    proc, err = _start(tmp_path, "sweep", HELPDESK, "--vary", "teams.engineers.staff=1:4:4", "-n", "100",
                       "--out", str(out))
    _wait_until_working(proc, err)
    time.sleep(1)
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=120) == 130
    last = err.read_text().strip().splitlines()[-1]
    assert last.startswith("interrupted (SIGINT): ") and "run the same command again to resume" in last
    assert not out.exists() and (tmp_path / ".s.parquet.parts" / "manifest.json").is_file()
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_help_lists_the_exit_codes() -> None:
    text = " ".join(simkit("--help").stdout.split())
    for words in ("1 an output could not be written", "2 bad input or a bad output path", "3 some replications",
                  "130 interrupted by Ctrl+C (SIGINT), 143 by SIGTERM"):
        assert words in text


@pytest.mark.parametrize("signum", [signal.SIGTERM])
def test_an_interrupted_report_leaves_the_old_one(tmp_path: Path, signum: int) -> None:
    psutil = pytest.importorskip("psutil")
    out = tmp_path / "r.html"
    out.write_bytes(b"previous report\n")
    proc, err = _start(tmp_path, "report", HELPDESK, *LONG_RUN, "-o", str(out))
    _wait_until_working(proc, err)  # the notebook's kernel has started
    kernels = psutil.Process(proc.pid).children(recursive=True)
    time.sleep(2)
    proc.send_signal(signum)
    assert proc.wait(timeout=120) == 128 + signum
    last = err.read_text().strip().splitlines()[-1]
    assert last == f"interrupted ({signal.Signals(signum).name}): nothing written, previous files unchanged"
    assert out.read_bytes() == b"previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "stderr.txt", "stdout.txt"]
    deadline = time.monotonic() + 30
    while any(k.is_running() and k.status() != psutil.STATUS_ZOMBIE for k in kernels) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [k.pid for k in kernels if k.is_running() and k.status() != psutil.STATUS_ZOMBIE]
