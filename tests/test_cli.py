"""The command line: a readable table on success, one line and exit code 2 on bad input."""

from __future__ import annotations

import subprocess
import sys
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
