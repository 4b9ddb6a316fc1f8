"""The command line: a readable table on success, one line and exit code 2 on bad input."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import SCENARIOS

HELPDESK = str(SCENARIOS / "startup_it_helpdesk.yaml")


def simkit(*args: str, cwd: Path | None = None, columns: int = 250) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simkit.ui.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300, env={**os.environ, "COLUMNS": str(columns)})


def test_run_prints_the_table_and_writes_files(tmp_path: Path) -> None:
    out = tmp_path / "kpis.parquet"
    charts = tmp_path / "charts"
    p = simkit("run", HELPDESK, "-n", "3", "--seed", "5", "--set", "run.horizon_days=56",
               "--out", str(out), "--charts", str(charts))
    assert p.returncode == 0, p.stderr
    for option in ("In-house (2 engineers)", "Managed-service provider", "1 engineer + MSP overflow"):
        assert option in p.stdout  # options by their label, KPIs by label and unit
    assert "Total cost (USD)" in p.stdout and "P(cheaper)" in p.stdout and "cost_total_usd" not in p.stdout
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
    assert "Managed-service provider - In-house (2 engineers)" in p.stdout and "P(better)" in p.stdout
    # no replication differs in availability (no outages): a tie, not "never better"
    assert re.search(r"^Availability \(share\) .* equal$", p.stdout, re.M), p.stdout


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
        (["validate", HELPDESK, "--set", "teams.engineers.staff=010"], "has a leading zero"),
        (["validate", HELPDESK, "--set", "teams.engineers.staff=true"], "staff: must be a whole number, got true"),
        (["validate", HELPDESK, "--set", "workload.kinds.incident.sla_h=8:00"], "must be a number, got '8:00'"),
        (["validate", HELPDESK, "--set", "description=&a [*a, *a]"], "anchors and aliases (&, *) are not allowed"),
        (["validate", HELPDESK, "--set", "description=" + "[" * 3000], "nest"),
        (["validate", HELPDESK, "--set", "teams.engineers .staff=3"], "did you mean 'engineers'"),
        (["validate", "/dev/zero"], "/dev/zero: is not a regular file"),
        (["run", HELPDESK, "-n", "1e9"], "invalid int value: '1e9'"),
        (["run", HELPDESK, "-n", "1000000000"], "--replications must be >= 1 and <= 100,000, got 1,000,000,000"),
        (["run", HELPDESK, "--seed", "-1"], "--seed must be >= 0"),
        (["sweep", HELPDESK, "--vary", "vendors.msp.price_per_item=1:2:1000000000", "--out", "s.parquet"],
         "n must be a whole number from 1 to 100,000"),
        (["sweep", HELPDESK, "--vary", "vendors.msp.price_per_item=1:2", "--design", "lhs", "--points",
          "1000000000", "--out", "s.parquet"], "--points must be >= 1 and <= 100,000"),
        (["sweep", HELPDESK, "--vary", "run.seed=1:2", "--out", "s.parquet"], "run.seed: has no effect as a lever"),
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


# --------------------------------------------------------------------------- load summary, fit, new
def test_validate_prints_the_load_summary() -> None:
    p = simkit("validate", HELPDESK)
    assert p.returncode == 0, p.stderr
    assert "annual items: 4,837" in p.stdout and "load (Erl)" in p.stdout and "P(wait)" in p.stdout
    assert "multipliers average 0.619, not 1" in p.stdout  # what the hand-written rate really implies
    assert "per agent-hour" in p.stdout


def test_validate_warns_about_a_straw_man_baseline(tmp_path: Path) -> None:
    f = tmp_path / "idle.yaml"
    f.write_text("name: idle\nworkload: {annual_volume: 2000, kinds: {t: {share: 1, effort_h: 1}}}\n"
                 "teams: {desk: {staff: 10}}\noptions: {in_house: {team: desk}}\n")
    p = simkit("validate", str(f))
    assert p.returncode == 0 and "straw man" in p.stderr and p.stderr.count("\n") == 1


def _small_history(tmp_path: Path) -> Path:
    data = Path(__file__).resolve().parents[2] / "examples" / "data" / "contact_centre_intervals.csv"
    small = tmp_path / "calls.csv"
    small.write_text("\n".join(data.read_text().splitlines()[: 1 + 96 * 63]) + "\n")
    return small


def test_fit_writes_a_runnable_scenario_and_report(tmp_path: Path) -> None:
    hist, out = _small_history(tmp_path), tmp_path / "fitted.yaml"
    p = simkit("fit", str(hist), "-o", str(out), "--timezone", "America/New_York", "-n", "3")
    assert p.returncode == 0, p.stderr
    assert "count column: 'offered_calls'" in p.stdout and "hour-of-week MAPE" in p.stdout
    assert (tmp_path / "fitted_fit_report.html").stat().st_size > 10_000
    run = simkit("run", str(out), "-n", "1", "--set", "run.horizon_days=7")
    assert run.returncode == 0, run.stderr
    before = out.read_bytes()
    again = simkit("fit", str(hist), "-o", str(out))
    assert again.returncode == 2 and "exists already; pass --force" in again.stderr
    assert out.read_bytes() == before
    # a second history fitted in the same folder (as the README does) writes its own report
    second = simkit("fit", str(hist), "-o", str(tmp_path / "calls.yaml"), "-n", "1")
    assert second.returncode == 0, second.stderr
    assert "wrote" in second.stdout and (tmp_path / "calls_fit_report.html").stat().st_size > 10_000


@pytest.mark.parametrize(("args", "message"), [
    (["--timezone", "Nowhere/City"], "not an IANA time zone"),
    (["--time-column", "when"], "is not a column"),
    (["--interval", "7"], "--interval must be one of 5, 15, 30, 60"),
])
def test_fit_bad_input_is_one_line_and_writes_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "x.yaml"
    p = simkit("fit", str(_small_history(tmp_path)), "-o", str(out), *args)
    assert p.returncode == 2 and message in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr
    assert not out.exists() and not (tmp_path / "x_fit_report.html").exists()


def test_fit_an_empty_file_and_a_folder(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    for target, message in ((empty, "is empty"), (tmp_path, "not a regular file")):
        p = simkit("fit", str(target), "-o", str(tmp_path / "o.yaml"))
        assert p.returncode == 2 and message in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_a_docs_path_to_a_shipped_example_outside_a_checkout_says_how_to_load_it(tmp_path: Path) -> None:
    p = simkit("validate", "scenarios/startup_it_helpdesk.yaml", cwd=tmp_path)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "no such file; a shipped example has that name: load it as 'startup_it_helpdesk'" in p.stderr
    other = simkit("validate", "scenarios/not_an_example.yaml", cwd=tmp_path)
    assert other.returncode == 2 and other.stderr.strip().endswith("no such file")
    assert simkit("validate", "startup_it_helpdesk", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("command", ["memo", "sensitivity"])
def test_a_one_option_scenario_is_refused_before_simulating(tmp_path: Path, command: str) -> None:
    import yaml

    data = yaml.safe_load(Path(HELPDESK).read_text())
    data["options"] = {"in_house": data["options"]["in_house"]}
    data.pop("sources", None)
    one = tmp_path / "fitted.yaml"
    one.write_text(yaml.safe_dump(data))
    out = tmp_path / "memo.html"
    p = simkit(command, str(one), *(["-o", str(out)] if command == "memo" else []))
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "options: a " in p.stderr and "this scenario has one ('in_house')" in p.stderr
    assert "simkit new" in p.stderr and not out.exists()


def test_new_writes_a_valid_commented_starter(tmp_path: Path) -> None:
    out = tmp_path / "my.yaml"
    p = simkit("new", "-o", str(out), "--annual-volume", "12000", "--hours", "08:30-17:30", "--days", "mon-sat",
               "--loaded-cost", "42", "--vendor-price", "18", "--effort-min", "20", "--currency", "EUR")
    assert p.returncode == 0, p.stderr
    text = out.read_text()
    assert text.startswith("# A starter scenario") and "annual_volume: 12000.0" in text
    v = simkit("validate", str(out))
    assert v.returncode == 0 and "annual items: 12,000" in v.stdout, v.stderr
    assert simkit("run", str(out), "-n", "1", "--set", "run.horizon_days=7").returncode == 0
    refused = simkit("new", "-o", str(out), "--annual-volume", "1")
    assert refused.returncode == 2 and "exists already" in refused.stderr and out.read_text() == text
    assert simkit("new", "-o", str(out), "--annual-volume", "1", "--force").returncode == 0
    assert "annual_volume: 1.0" in out.read_text()


@pytest.mark.parametrize(("args", "message"), [
    (["--hours", "9-9"], "--hours: must be two different hours"),
    (["--days", "mon-funday"], "--days: must be like mon-fri"),
    (["--annual-volume", "0"], "--annual-volume: must be > 0"),
    (["--annual-volume", "1e308"], "--annual-volume: must be > 0 and <= 1,000,000,000"),
    (["--annual-volume", "nan"], "--annual-volume: must be > 0"),
    (["--effort-min", "1e308"], "--effort-min: must be > 0 and <= 525,600"),
    (["--currency", "euro"], "run.currency: must be 3 capital letters"),
    (["--loaded-cost", "-1"], "teams.in_house.loaded_cost_per_hour: must be >= 0"),
])
def test_new_bad_flags(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "n.yaml"
    p = simkit("new", "-o", str(out), *args)
    assert p.returncode == 2 and message in p.stderr and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert not out.exists()


# ---------------------------------------------------------------- signals: Ctrl+C and SIGTERM
LONG_RUN = ["-n", "400", "--seed", "1"]  # minutes of work: it is certainly still running when the signal comes


def _start(tmp_path: Path, *args: str) -> tuple[subprocess.Popen, Path]:
    err = tmp_path / "stderr.txt"
    with open(err, "w") as fh, open(tmp_path / "stdout.txt", "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "simkit.ui.cli", *args], stdout=out, stderr=fh,
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
    assert not out.exists() and list((tmp_path / ".s.parquet.parts").glob("*/manifest.json"))  # in its key's folder
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
