"""The command line's output: three formats with the same numbers, plain labels, fitted to the terminal, quiet."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import SCENARIOS
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.accounting import registry as kpis
from simkit.ui.cli import main
from simkit.ui.cli_compare import compare_records
from simkit.ui.cli_output import emit, fit_table, wrap
from simkit.ui.cli_simulate import kpi_records

HELPDESK = str(SCENARIOS / "startup_it_helpdesk.yaml")
TINY = ["-n", "2", "--seed", "3", "--set", "run.horizon_days=14"]
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))


def cli(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    got = capsys.readouterr()
    return code, got.out, got.err


@pytest.fixture(scope="module")
def tiny() -> sk.Results:
    """The run the CLI makes with ``TINY`` (same scenario, seed and replications: the same numbers)."""
    sc = sk.load(HELPDESK).override({"run.horizon_days": 14})
    return sk.simulate(sc, replications=2, seed=3, executor=None, progress=False)


def _game(tmp: Path) -> list[str]:
    from game.test_game import GAME, TEAMS

    (tmp / "game.yaml").write_text(GAME)
    (tmp / "subs").mkdir(exist_ok=True)
    for name, text in TEAMS.items():
        (tmp / "subs" / name).write_text(text)
    return ["game", str(tmp / "game.yaml"), str(tmp / "subs"), "--replay"]


def commands(tmp: Path) -> dict[str, list[str]]:
    """Every command that prints, on shipped files, kept tiny (2 replications, two weeks)."""
    return {
        "run": ["run", HELPDESK, *TINY],
        "compare": ["compare", HELPDESK, *TINY],
        "sweep": ["sweep", HELPDESK, *TINY, "--workers", "1", "--vary", "vendors.msp.price_per_item=20:40:2",
                  "--out", str(tmp / "s.parquet")],
        "validate": ["validate", str(SCENARIOS / "enterprise_service_desk.yaml")],
        "screen": ["screen", str(SCENARIOS / "screens" / "mid_size_company.yaml")],
        "drill": ["drill", str(SCENARIOS / "vendor_exit_insourcing.yaml"), "--option", "vendor", "--at", "1",
                  "-n", "2", "--set", "run.horizon_days=120"],
        "new": ["new", "-o", str(tmp / "new.yaml"), "--force"],
        "game": _game(tmp),
    }


# --------------------------------------------------------------------------- the same numbers in every format
def test_json_parses_with_the_numbers_at_full_precision_and_their_units(capsys, tiny: sk.Results) -> None:
    code, out, _ = cli(capsys, "run", HELPDESK, *TINY, "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["seed"] == 3 and doc["replications"] == 2 and doc["currency"] == "USD"
    rows = pd.DataFrame(doc["rows"])
    summary = tiny.summary().set_index(["option", "kpi"])
    for r in rows.itertuples():
        expected = summary.loc[(r.option, r.kpi)]
        assert (r.mean, r.ci_low, r.ci_high) == (expected["mean"], expected["ci_low"], expected["ci_high"])  # exact
        assert r.unit == kpis.lookup(r.kpi).unit.replace("currency", "USD") and r.label == kpis.lookup(r.kpi).label
    assert set(rows.loc[rows.kpi == "cost_total_usd", "unit"]) == {"USD"}
    assert set(rows.loc[rows.kpi == "lead_time_p90_h", "unit"]) == {"h"}
    assert [v["option"] for v in doc["cost_versus_baseline"]] == ["vendor", "hybrid"]


def test_csv_round_trips_with_pandas(capsys, tiny: sk.Results) -> None:
    code, out, _ = cli(capsys, "run", HELPDESK, *TINY, "--format", "csv")
    assert code == 0
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(out)), kpi_records(tiny), check_exact=True)
    code, out, _ = cli(capsys, "compare", HELPDESK, *TINY, "--format", "csv")
    assert code == 0
    expected = pd.concat([compare_records(tiny, o, "in_house") for o in ("vendor", "hybrid")], ignore_index=True)
    pd.testing.assert_frame_equal(pd.read_csv(io.StringIO(out)), expected, check_exact=True)


def test_compare_json_holds_the_decision(capsys, tiny: sk.Results) -> None:
    code, out, _ = cli(capsys, "compare", HELPDESK, *TINY, "--format", "json", "--weights", "cost=3,timeliness=1")
    assert code == 0
    doc = json.loads(out)
    decision = tiny.decision("in_house", {"cost": 3, "timeliness": 1})
    assert doc["decision"]["weights"] == {"cost": 3.0, "timeliness": 1.0}
    got = {r["option"]: r["p_cheaper"] for r in doc["decision"]["versus"]}
    assert got == decision.versus["p_cheaper"].to_dict()
    assert {r["option"]: r["rank"] for r in doc["decision"]["ranking"]} == decision.ranking["rank"].to_dict()


@pytest.mark.parametrize("suffix", [".csv", ".json", ".txt"])
def test_compare_writes_its_tables_to_a_file(capsys, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"cmp{suffix}"
    code, printed, _ = cli(capsys, "compare", HELPDESK, *TINY, "--out", str(out), "--quiet")
    assert code == 0 and printed == ""
    text = out.read_text(encoding="utf-8")
    if suffix == ".csv":
        assert set(pd.read_csv(out)["option"]) == {"vendor", "hybrid"}
    elif suffix == ".json":
        assert json.loads(text)["baseline"] == "in_house"
    else:
        assert "Total cost (USD)" in text and "Decision summary" in text


def test_compare_refuses_an_unknown_out_suffix_before_simulating(capsys, tmp_path: Path) -> None:
    code, out, err = cli(capsys, "compare", HELPDESK, *TINY, "--out", str(tmp_path / "x.xlsx"))
    assert code == 2 and out == "" and err.count("\n") == 1 and "--out must end in .csv, .json, .txt" in err
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------- all-zero rows
@pytest.mark.parametrize("command", ["run", "compare"])
def test_all_zero_rows_are_hidden_unless_all_kpis(capsys, tiny: sk.Results, command: str) -> None:
    zero = {k for k in tiny.kpi_columns if (tiny.kpis[k] == 0).all()}
    assert {"outages_count", "exits_count"} <= zero  # the helpdesk has no outages and no exits
    _, out, _ = cli(capsys, command, HELPDESK, *TINY, "--format", "json")
    shown = {r["kpi"] for r in json.loads(out)["rows"]}
    assert shown == set(tiny.kpi_columns) - zero
    _, out, _ = cli(capsys, command, HELPDESK, *TINY, "--format", "json", "--all-kpis")
    assert {r["kpi"] for r in json.loads(out)["rows"]} == set(tiny.kpi_columns)
    _, table, _ = cli(capsys, command, HELPDESK, *TINY)
    _, every, _ = cli(capsys, command, HELPDESK, *TINY, "--all-kpis")
    assert "Outages (count)" not in table and "Outages (count)" in every


def test_compare_hides_a_row_zero_for_both_options_only(capsys) -> None:
    """A KPI that moves for one option only is shown in the pair holding it (the row is not all zero)."""
    res = sk.simulate(sk.load(HELPDESK).override({"run.horizon_days": 14}), 2, seed=3, executor=None,
                      progress=False)
    records = compare_records(res, "vendor", "in_house")
    pair = res.kpis[res.kpis.option.isin(["vendor", "in_house"])]
    for k in res.kpi_columns:
        assert (k in set(records.kpi)) == (not (pair[k] == 0).all()), k
    assert "vendor_utilisation_share" in set(records.kpi)  # 0 in house, not at the vendor


# --------------------------------------------------------------------------- labels and rounding
def test_table_uses_labels_units_and_the_registry_format(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    _, out, _ = cli(capsys, "run", HELPDESK, *TINY)
    for label in ("In-house (2 engineers)", "Managed-service provider", "1 engineer + MSP overflow",
                  "Total cost (USD)", "SLA attainment (share)", "Lead time, 90th percentile (h)"):
        assert label in out
    assert not re.search(r"\b(in_house|cost_total_usd|sla_attainment_share)\b", out)
    for label in ("Total cost (USD)", "Items arrived (items)", "Headcount at the end (people)"):
        line = next(line for line in out.splitlines() if line.startswith(label))
        cells = line[len(label):].strip()
        assert cells and "." not in cells, line  # money to the currency unit, counts as whole numbers
    line = next(line for line in out.splitlines() if line.startswith("SLA attainment (share)"))
    assert re.search(r"\d\.\d{3}", line)


# --------------------------------------------------------------------------- fitted to the terminal
@pytest.mark.parametrize("width", [60, 80, 117, 200])
def test_no_line_is_longer_than_the_terminal(capsys, monkeypatch, tmp_path: Path, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    for name, args in commands(tmp_path).items():
        code, out, err = cli(capsys, *args)
        assert code == 0, (name, err)
        long = [line for line in out.splitlines() if len(line) > width]
        assert not long, (name, width, long[:3])
        assert out.strip(), name


@pytest.mark.parametrize("scenario", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenarios_fit_80_columns(capsys, monkeypatch, scenario: Path) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for command in ("compare", "validate"):
        args = [command, str(scenario)]
        if command == "compare":
            args += ["-n", "2", "--set", "run.horizon_days=14", "--set", "run.warmup_days=0"]
        code, out, err = cli(capsys, *args)
        assert code == 0, err
        assert max(len(line) for line in out.splitlines()) <= 80, (command, out)


def test_help_fits_too(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    for args in (["--help"], *([name, "--help"] for name in ("run", "compare", "sweep", "validate", "completion"))):
        with pytest.raises(SystemExit):
            main(list(args))
        out = capsys.readouterr().out
        assert "--format" in out or args == ["--help"] or args[0] == "completion"
        assert max(len(line) for line in out.splitlines()) <= 80, args


PRINTABLE = st.text(st.characters(min_codepoint=32, max_codepoint=126) | st.sampled_from("\x1b\t\r\n"),
                    max_size=60)


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(st.lists(PRINTABLE, min_size=1, max_size=5), min_size=1, max_size=6),
       heads=st.lists(PRINTABLE, min_size=5, max_size=5), width=st.integers(30, 220),
       by=st.sampled_from(["column", "row"]))
def test_any_table_fits_any_width(cells: list[list[str]], heads: list[str], width: int, by: str) -> None:
    ncol = min(len(r) for r in cells)
    frame = pd.DataFrame([r[:ncol] for r in cells], columns=[f"{h}#{i}" for i, h in enumerate(heads[:ncol])],
                         index=[f"row {i} {r[0]}" for i, r in enumerate(cells)])
    lines = fit_table(frame, width, by=by)
    assert all(len(line) <= width for line in lines)
    assert not any("\x1b" in line or "\n" in line for line in lines)  # control characters shown escaped
    for value in frame.to_numpy().ravel():  # nothing is lost when it fits without wrapping
        if len(value) < 20 and value.isprintable() and value.strip() and " " not in value:
            assert any(value in line for line in lines)


@settings(max_examples=100, deadline=None)
@given(text=PRINTABLE, width=st.integers(30, 200))
def test_wrapped_text_fits(text: str, width: int) -> None:
    assert all(len(line) <= width for line in wrap(text * 5, width))


def test_a_value_is_not_wrapped_away_from_its_name() -> None:
    line = ("1 engineer + MSP overflow vs In-house (2 engineers): total cost -8,540 USD (-4.1%), 95% CI "
            "[-11,796, -5,284], P(cheaper) = 1.00")
    for width in range(30, len(line)):
        lines = wrap(line, width)
        assert all(len(x) <= width for x in lines)
        assert not any(x.rstrip().endswith((" =", "P(cheaper)")) or x.lstrip().startswith("=") for x in lines)
        assert " ".join(x.strip() for x in lines) == line  # only the breaks moved


# --------------------------------------------------------------------------- quiet
def test_quiet_prints_nothing_but_errors(capsys, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SIMKIT_PROGRESS", "1")  # a bar would show without --quiet
    for name, args in commands(tmp_path).items():
        code, out, err = cli(capsys, *args, "--quiet")
        assert (code, out, err) == (0, "", ""), name
    assert (tmp_path / "s.parquet").is_file() and (tmp_path / "new.yaml").is_file()  # files are still written
    code, out, err = cli(capsys, "run", str(tmp_path / "missing.yaml"), "--quiet")
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("error: ")


def test_quiet_silences_warnings(tmp_path: Path) -> None:
    """In a process of its own: pytest would catch the warning before the command's stderr does."""
    args = [sys.executable, "-m", "simkit", "run", HELPDESK, "-n", "2", "--set", "run.horizon_days=7", "--set",
            "teams.engineers.staff=0"]
    loud = subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert loud.returncode == 0 and loud.stderr.startswith("warning: ") and loud.stdout
    quiet = subprocess.run([*args, "--quiet"], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_emit_writes_a_file_and_prints_nothing_when_quiet(capsys, tmp_path: Path) -> None:
    rows = [{"kpi": "cost_total_usd", "label": "Total cost", "unit": "USD", "mean": 1234.5678}]
    text = emit(rows, "table", quiet=True)
    assert "Total cost (USD)" in text and "1,235" in text and capsys.readouterr().out == ""
    emit(rows, "json", out=tmp_path / "x.json")
    assert json.loads((tmp_path / "x.json").read_text())["rows"][0]["mean"] == 1234.5678
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="format must be one of table, csv, json"):
        emit(rows, "xml")


# --------------------------------------------------------------------------- python -m simkit, completion
def test_python_dash_m_simkit() -> None:
    p = subprocess.run([sys.executable, "-m", "simkit", "--help"], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "COLUMNS": "80"})
    assert p.returncode == 0 and p.stdout.startswith("usage: simkit") and "completion" in p.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completion_scripts_name_every_subcommand(capsys, shell: str) -> None:
    pytest.importorskip("shtab")
    code, out, _ = cli(capsys, "completion", shell)
    assert code == 0
    for name in ("run", "compare", "sweep", "validate", "report", "screen", "drill", "fit", "new", "game",
                 "lessons", "completion", "--format", "--quiet", "--all-kpis"):
        assert name in out, name
    assert ("complete -o bashdefault -F _shtab_simkit simkit" in out) if shell == "bash" else \
        out.startswith("#compdef simkit")


def test_completion_without_shtab_names_the_extra(capsys, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "shtab", None)
    code, out, err = cli(capsys, "completion", "bash")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "needs the 'completion' extra: pip install \"simkit-sourcing[completion]\"" in err
