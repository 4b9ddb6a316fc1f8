"""Hostile input to the newest commands: ``--equal-service`` targets, right-sizing levers, output paths of
``memo``, ``fit`` and ``new``, hostile histories for ``fit``, and scenario text in the memo's HTML.

Each class ends in one line on stderr naming the flag or field, the value and what is allowed (exit 2), or
exit 1 for a failing disk; never a traceback, and nothing written: the previous files stay as they were.
The commands run in this process (``simkit.ui.cli.main``) and fail before anything is simulated, except
where the writing itself is under test.
"""

from __future__ import annotations

import errno
import html
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit import fileio
from simkit.analysis.service_targets import parse_targets
from simkit.analysis.staff_levers import StaffLever, option_pools, parse_levers
from simkit.ui.cli import main

HELPDESK = str(SCENARIOS / "startup_it_helpdesk.yaml")
TIERS = SCENARIOS / "helpdesk_tiers.yaml"
SMALL = ["-n", "2", "--seed", "3", "--set", "run.horizon_days=28"]
BIDI = "\u202e"
ASCII_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    got = capsys.readouterr()
    return code, got.out, got.err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    assert len(lines[0]) < 1200, lines[0]
    return lines[0]


def files(folder: Path) -> dict[str, bytes | str]:
    """Every entry under ``folder``: file bytes, a link's target, a folder's name, other kinds by kind."""
    out: dict[str, bytes | str] = {}
    for p in sorted(folder.rglob("*")):
        key = str(p.relative_to(folder))
        out[key] = (f"-> {os.readlink(p)}" if p.is_symlink() else p.read_bytes() if p.is_file()
                    else "folder" if p.is_dir() else "other")
    return out


# --------------------------------------------------------------------------- --equal-service targets
@pytest.mark.parametrize(("value", "words"), [
    ("-0.1", "is a share: the target must be in [0, 1], got '-0.1'"),
    ("1.5", "is a share: the target must be in [0, 1]"),
    ("nan", "must be a finite number"),
    ("inf", "must be a finite number"),
    ("1e999", "must be a finite number, got '1e999'"),
    ("1" + "0" * 400, "must be a finite number"),
    ("\u0660.\u0669", "written with the digits 0-9"),  # Arabic-Indic 0.9: float() would read it
    ("0_9", "written with the digits 0-9"),  # float() reads 9
    ("0,9", "written with the digits 0-9"),
])
@pytest.mark.parametrize("command", ["compare", "memo"])
def test_a_target_value_that_is_no_plain_number_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                            command: str, value: str, words: str) -> None:
    out = tmp_path / "memo.html"
    extra = ["-o", str(out)] if command == "memo" else []
    code, stdout, err = run(capsys, command, HELPDESK, *SMALL, "--equal-service",
                            f"sla_attainment_share={value}", *extra)
    line = one_line(err)
    assert code == 2 and "--equal-service: target.sla_attainment_share: " in line and words in line, line
    assert "right-sized" not in stdout and not out.exists()


@pytest.mark.parametrize(("flags", "words"), [
    (["bogus=1"], "target.bogus: is not a KPI; KPIs with a direction: "),
    ([""], "target: expects 'kpi >= value'"),
    (["sla_attainment_share="], "target: expects 'kpi >= value'"),
    (["=0.9"], "target: expects"),
    (["\uff53la=0.9"], "target: expects"),  # a full-width letter: no KPI name
    (["sla_attainment_share=0.9\n<script>"], "got 'sla_attainment_share=0.9\\n<script>'"),
    (["sla_attainment_share=0.9", "sla_attainment_share=0.8"], "target.sla_attainment_share: is given twice"),
    (["waited_share<=0.3", "sla_attainment_share>=0.9", "waited_share=0.2"], "waited_share: is given twice"),
    (["cost_total_usd<=100"], "needs at least one service KPI"),
    (["cost_total_eur<=100"], "the scenario's currency is USD: write cost_total_usd"),
    (["lead_time_p90_h>=24"], "lower is better"),
    (["a" * 5000 + "=1"], "is not a KPI"),
])
def test_junk_and_repeated_targets_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture, flags: list[str],
                                                words: str) -> None:
    out = tmp_path / "memo.html"
    for command, extra in (("compare", []), ("memo", ["-o", str(out)])):
        args = [a for f in flags for a in ("--equal-service", f)]
        code, _, err = run(capsys, command, HELPDESK, *SMALL, *args, *extra)
        line = one_line(err)
        assert code == 2 and line.startswith("error: --equal-service: ") and words in line, (command, line)
    assert not out.exists()


@settings(max_examples=300, deadline=None)
@example("\u0660.\u0669")
@example("1_0")
@example("\uff11")
@example(" 24 ")
@example("2e1")
@given(value=st.text(max_size=12) | st.from_regex(r"[+-]?[0-9]{0,3}\.?[0-9]{0,3}(e[+-]?[0-9]{1,3})?",
                                                   fullmatch=True))
def test_a_target_is_the_number_written_or_refused(value: str) -> None:
    """Never a silent reinterpretation: accepted only when written in ASCII digits, and then as written."""
    try:
        (target,) = parse_targets([f"lead_time_p90_h<={value}"])
    except sk.ScenarioError as err:
        assert "\n" not in str(err) and str(err).startswith("target")
        return
    assert ASCII_NUMBER.fullmatch(value.strip()), value
    assert target.bound == float(value) and math.isfinite(target.bound) and target.bound >= 0


@pytest.mark.parametrize("confidence", ["nan", "1", "0.2", "-inf"])
def test_memo_confidence_is_named(tmp_path: Path, capsys: pytest.CaptureFixture, confidence: str) -> None:
    out = tmp_path / "memo.html"
    out.write_text("previous memo")
    code, _, err = run(capsys, "memo", HELPDESK, *SMALL, "--equal-service", "sla_attainment_share=0.8",
                       f"--confidence={confidence}", "-o", str(out))
    line = one_line(err)
    assert code == 2 and "--confidence must be a probability in [0.5, 1)" in line and confidence in line
    assert out.read_text() == "previous memo"


# --------------------------------------------------------------------------- levers
@pytest.fixture(scope="module")
def tiers() -> sk.Scenario:
    return sk.load(TIERS)


@pytest.mark.parametrize(("lever", "words"), [
    ("teams.l1_desk.shifts.nope.staff", "levers.teams.l1_desk.shifts.nope.staff: names no shift of teams.l1_desk; "
                                        "its shifts: 0 (early), 1 (late), 2 (weekend)"),
    ("teams.l1_desk.shifts.9.staff", "names no shift of teams.l1_desk"),
    ("teams.l1_desk.staff", "teams.l1_desk is a roster, its head counts are its shifts'"),
    ("teams.l2_extended.staff", "belongs to teams.l2_extended, which the option does not use"),
    ("calendars.early.open_hour", "names no head count"),
    (("teams.l2_core.staff", 5, 2), "levers.teams.l2_core.staff.high: must be >= low (5), got 2"),
    (("teams.l2_core.staff", -1, 2), "levers.teams.l2_core.staff.low: must be a whole number in 0..100,000"),
    (("teams.l2_core.staff", 1, 10**9), "levers.teams.l2_core.staff.high: must be a whole number in 0..100,000"),
    (("teams.l2_core.staff", 1.5, 2), "must be a whole number"),
])
def test_a_bad_lever_is_one_line_naming_it(tiers: sk.Scenario, lever: object, words: str) -> None:
    with pytest.raises(sk.ScenarioError) as err:
        sk.right_size(tiers, "in_house", {"sla_attainment_share": 0.5}, [lever], replications=2, executor=None)
    assert words in str(err.value) and "\n" not in str(err.value)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.text(max_size=60) | st.lists(st.sampled_from(["teams", "vendors", "l1_desk", "l2_core", "shifts",
                                                              "early", "0", "7", "staff", "agents",
                                                              "service_desk", "x"]), max_size=6).map(".".join))
def test_any_lever_path_is_a_lever_of_the_option_or_refused(tiers: sk.Scenario, path: str) -> None:
    pools = option_pools(tiers, "in_house")
    try:
        (lever,) = parse_levers([path], tiers.to_dict(), pools)
    except sk.ScenarioError as err:
        assert str(err).startswith("levers") and "\n" not in str(err)
        return
    assert isinstance(lever, StaffLever) and ".".join(lever.path.split(".")[:2]) in pools
    assert lever.path.endswith((".staff", ".agents")) and 0 <= lever.low <= lever.high <= 100_000


def test_a_huge_grid_is_refused_before_anything_is_simulated(tiers: sk.Scenario,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from simkit.analysis import rightsizing

    monkeypatch.setattr(rightsizing, "_Evaluator", None)  # nothing may be evaluated
    huge = [("teams.l1_desk.shifts.early.staff", 0, 100_000), ("teams.l1_desk.shifts.late.staff", 0, 100_000),
            "teams.l2_core.staff"]
    with pytest.raises(sk.ScenarioError, match=r"levers: the bounds of .* give 10,000,200,001 combinations, "
                                               r"more than max_evaluations \(1000\); narrow them"):
        sk.right_size(tiers, "in_house", {"sla_attainment_share": 0.5}, huge, replications=2, max_evaluations=1000)


def test_a_lever_range_without_a_feasible_point_says_so_within_the_cap(helpdesk: sk.Scenario) -> None:
    sc = helpdesk.override({"run.horizon_days": 28})
    r = sk.right_size(sc, "in_house", {"sla_attainment_share": 0.999}, [("teams.engineers.staff", 1, 3)],
                      replications=2, seed=3, max_evaluations=4, executor=None)
    assert not r.met and r.chosen is None and r.scenario is None
    assert 1 <= r.n_evaluations <= 4 and r.stop_reason


# --------------------------------------------------------------------------- output paths
BAD_PATHS = {
    "a newline": lambda tmp, ext: tmp / f"new\nline{ext}",
    "a carriage return": lambda tmp, ext: tmp / f"ret\rurn{ext}",
    "a bidi override": lambda tmp, ext: tmp / f"memo{BIDI}lmth{ext}",
    "a NUL byte": lambda tmp, ext: tmp / f"nul\x00{ext}",
    "a folder": lambda tmp, ext: _made(tmp / f"taken{ext}", "dir"),
    "a pipe": lambda tmp, ext: _made(tmp / f"pipe{ext}", "fifo"),
    "a parent that is a file": lambda tmp, ext: _made(tmp / "plain", "file") / f"x{ext}",
}


def _made(p: Path, kind: str) -> Path:
    if kind == "dir":
        p.mkdir()
    elif kind == "fifo":
        os.mkfifo(p)
    else:
        p.write_text("a file")
    return p


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten days of tickets, one every 37 minutes: enough for a fit, small enough to be quick."""
    times = pd.date_range("2025-01-06 08:00", periods=400, freq="37min")
    path = tmp_path_factory.mktemp("history") / "tickets.csv"
    pd.DataFrame({"created": times.strftime("%Y-%m-%dT%H:%M:%S")}).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("kind", BAD_PATHS)
@pytest.mark.parametrize("command", ["memo", "fit", "fit --report", "new"])
def test_a_bad_output_path_is_one_line_and_nothing_is_written(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                              history: Path, command: str, kind: str) -> None:
    ext = ".html" if command in ("memo", "fit --report") else ".yaml"
    path = BAD_PATHS[kind](tmp_path, ext)
    before = files(tmp_path)
    args = {"memo": ["memo", HELPDESK, *SMALL, "-o", str(path)],
            "fit": ["fit", str(history), "-o", str(path)],
            "fit --report": ["fit", str(history), "-o", str(tmp_path / "fitted.yaml"), "--report", str(path)],
            "new": ["new", "-o", str(path)]}[command]
    code, stdout, err = run(capsys, *args)
    line = one_line(err)
    assert code == 2 and repr(str(path))[:40] in line, line
    assert files(tmp_path) == before and "wrote" not in stdout


@pytest.mark.parametrize(("flags", "words"), [
    (["--utc-offset=nan"], "--utc-offset: must be from -12 to 14 hours, got nan"),
    (["--utc-offset", "1e308"], "--utc-offset: must be from -12 to 14 hours, got 1e+308"),
    (["--utc-offset=-13"], "--utc-offset: must be from -12 to 14 hours"),
    (["--hours", "25-3"], "--hours: must be two different hours between 0 and 24"),
    (["--annual-volume", "nan"], "--annual-volume: must be > 0"),
    (["--vendor-price", "nan"], "vendors.vendor.price_per_item: must be a finite number"),
    (["--currency", "<script>"], "run.currency: must be 3 capital letters"),
])
def test_new_refuses_numbers_out_of_range_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                      flags: list[str], words: str) -> None:
    code, _, err = run(capsys, "new", "-o", str(tmp_path / "starter.yaml"), *flags)
    assert code == 2 and words in one_line(err) and not list(tmp_path.iterdir())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=30).filter(lambda s: "/" not in s and s not in (".", "..")))
def test_any_file_name_is_refused_in_one_line_or_written_as_named(tmp_path_factory: pytest.TempPathFactory,
                                                                  name: str) -> None:
    folder = tmp_path_factory.mktemp("names")
    target = folder / f"{name}.html"
    try:
        fileio.check_file_target(target, "-o/--out")
    except fileio.OutputPathError as err:
        assert "\n" not in str(err) and str(err).startswith("-o/--out: ")
        assert not list(folder.iterdir())
        return
    assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]", name)
    fileio.write_text(target, "memo")
    assert [p.name for p in folder.iterdir()] == [target.name] and target.read_text() == "memo"


@pytest.mark.parametrize("command", ["memo", "fit", "new"])
def test_a_folder_no_file_can_be_made_in_is_one_line_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      history: Path, command: str) -> None:
    """A read-only folder (as root no folder is: the refusal is stood in for, as the system gives it)."""

    def read_only(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(fileio.tempfile, "mkstemp", read_only)
    target = tmp_path / ("memo.html" if command == "memo" else "out.yaml")
    args = {"memo": ["memo", HELPDESK, *SMALL, "-o", str(target)], "fit": ["fit", str(history), "-o", str(target)],
            "new": ["new", "-o", str(target)]}[command]
    code, stdout, err = run(capsys, *args)
    line = one_line(err)
    assert code == 2 and "cannot be written: no file can be created in" in line and "Permission denied" in line
    assert not list(tmp_path.iterdir()) and "wrote" not in stdout


def test_fit_refuses_one_name_for_the_scenario_and_the_report(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                              history: Path) -> None:
    out = tmp_path / "both.yaml"
    code, _, err = run(capsys, "fit", str(history), "-o", str(out), "--report", str(out))
    assert code == 2 and "is both the scenario (-o) and the report (--report)" in one_line(err)
    assert not list(tmp_path.iterdir())


def test_a_link_to_elsewhere_is_replaced_not_written_through(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    victim = tmp_path / "elsewhere" / "precious.yaml"
    victim.parent.mkdir()
    victim.write_bytes(b"precious: yes\n")
    link = tmp_path / "starter.yaml"
    link.symlink_to(victim)
    assert run(capsys, "new", "-o", str(link))[0] == 2  # an existing file, without --force
    code, _, err = run(capsys, "new", "-o", str(link), "--force")
    assert code == 0, err
    assert victim.read_bytes() == b"precious: yes\n" and not link.is_symlink() and "workload" in link.read_text()


def _full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fileio.os, "fsync", no_space)


def test_a_full_disk_under_the_memo_is_exit_1_and_the_old_memo_stays(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "memo.html"
    out.write_text("previous memo")
    _full_disk(monkeypatch)
    code, _, err = run(capsys, "memo", HELPDESK, *SMALL, "--sensitivity-replications", "2", "-o", str(out))
    errors = [line for line in err.splitlines() if not line.startswith("warning: ")]  # capacity warnings may come
    assert len(errors) == 1 and "Traceback" not in err, err
    line = errors[0]
    assert code == 1 and "No space left on device" in line and "previous files are unchanged" in line
    assert files(tmp_path) == {"memo.html": b"previous memo"}


def test_a_full_disk_under_fit_leaves_both_previous_files(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                          monkeypatch: pytest.MonkeyPatch, history: Path) -> None:
    out, report = tmp_path / "fitted.yaml", tmp_path / "fitted_fit_report.html"  # the report beside -o, by default
    out.write_text("previous scenario")
    report.write_text("previous report")
    _full_disk(monkeypatch)
    code, _, err = run(capsys, "fit", str(history), "-o", str(out), "-n", "2", "--force")
    line = one_line(err)
    assert code == 1 and "No space left on device" in line
    assert files(tmp_path) == {"fitted_fit_report.html": b"previous report", "fitted.yaml": b"previous scenario"}


def test_a_full_disk_under_new_is_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "starter.yaml"
    out.write_text("previous")
    _full_disk(monkeypatch)
    code, _, err = run(capsys, "new", "-o", str(out), "--force")
    assert code == 1 and "No space left on device" in one_line(err)
    assert files(tmp_path) == {"starter.yaml": b"previous"}


# --------------------------------------------------------------------------- hostile histories
def _write(path: Path, content: bytes | str | pd.DataFrame) -> Path:
    if isinstance(content, pd.DataFrame):
        content.to_parquet(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


STAMPS = pd.date_range("2025-01-06 08:00", periods=400, freq="37min").strftime("%Y-%m-%dT%H:%M:%S")
HISTORIES = {  # name: (file name, content, words of the one line)
    "one row": ("one.csv", "created\n2025-01-06T09:00:00\n", "has 1 usable row(s) at 1 distinct time(s)"),
    "every time the same": ("same.csv", "created\n" + "2025-01-06T09:00:00\n" * 400,
                            "(duplicate rows: 399), spanning 0 h; a fit needs at least 24 h of history"),
    "a million rows of one second": ("million.csv", "created\n" + "2025-01-06T09:00:00\n" * 1_000_000,
                                     "(duplicate rows: 999999), spanning 0 h"),
    "twelve hours": ("day.csv", "created\n" + "".join(f"2025-01-06T{h:02d}:00:00\n" for h in range(8, 20)),
                     "spanning 11 h; a fit needs at least 24 h"),
    "latin-1 bytes": ("latin1.csv", ("created,kind\n" + "".join(f"{t},caf\xe9\n" for t in STAMPS)).encode("latin-1"),
                      "cannot be read as a csv table ('utf-8' codec can't decode"),
    "UTF-16": ("utf16.csv", ("created\n" + "\n".join(STAMPS)).encode("utf-16"), "cannot be read as a csv table"),
    "random bytes": ("noise.csv", np.random.default_rng(1).bytes(4000), "cannot be read as a csv table"),
    "an open quote": ("quote.csv", 'created\n"2025-01-06T09:00:00\n', "cannot be read as a csv table"),
    "numbers for times": ("ints.parquet", pd.DataFrame({"created": np.arange(400)}), "unparsable time: 400"),
    "booleans for times": ("bools.parquet", pd.DataFrame({"created": [True] * 400}), "unparsable time: 400"),
    "lists in a cell": ("lists.parquet", pd.DataFrame({"created": STAMPS, "effort_min": [[1, 2]] * 400}),
                        "column 'effort_min' holds lists or other nested values (row 1: ndarray)"),
    "text named parquet": ("fake.parquet", "created\n2025-01-06T09:00:00\n", "cannot be read as a parquet table"),
    "text named xlsx": ("fake.xlsx", "created\n2025-01-06T09:00:00\n", "cannot be read as a xlsx table"),
    "zone names for offsets": ("names.csv", "created\n" + "".join(f"{t} CET\n" for t in STAMPS),
                               "unparsable time: 400"),
}


@pytest.mark.parametrize("name", HISTORIES)
def test_a_hostile_history_is_one_line_and_nothing_is_written(tmp_path: Path, capsys: pytest.CaptureFixture,
                                                              name: str) -> None:
    file_name, content, words = HISTORIES[name]
    source = _write(tmp_path / file_name, content)
    out = tmp_path / "out" / "fitted.yaml"
    code, _, err = run(capsys, "fit", str(source), "-o", str(out), "-n", "2")
    line = one_line(err)
    assert code == 2 and line.startswith(f"error: {source}: ") and words in line, line
    assert not (tmp_path / "out").exists()


def test_times_without_an_offset_among_times_with_one_are_not_read_as_utc() -> None:
    from zoneinfo import ZoneInfo

    from simkit.fitting.read import parse_times

    stamps = pd.Series(["2025-01-06T09:00:00+01:00", "2025-01-06T10:00:00", "2025-01-06T11:00:00+01:00", ""])
    issues: dict[str, int] = {}
    local, _, utc = parse_times(stamps, None, issues, [])
    assert issues["unparsable time"] == 0 and issues["missing time"] == 1
    assert [k for k, v in issues.items() if v and k.startswith("time without a UTC offset")] and sum(
        v for k, v in issues.items() if k.startswith("time without")) == 1
    assert local.iloc[1] is pd.NaT and local.iloc[0] == pd.Timestamp("2025-01-06 09:00")
    issues = {}
    local, _, utc = parse_times(stamps, ZoneInfo("Europe/Berlin"), issues, [])  # read on the zone's clock
    assert [t.strftime("%H:%M") for t in local.iloc[:3]] == ["09:00", "10:00", "11:00"]
    assert utc.iloc[1] == pd.Timestamp("2025-01-06 09:00") and not issues["unparsable time"]


def test_an_excel_history_of_formulas_never_calculated(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.append(["created"])
    for i in range(50):
        book.active.append([f"=NOW()-{i}"])  # openpyxl stores the formula only, as many exporters do
    book.save(tmp_path / "formulas.xlsx")
    code, _, err = run(capsys, "fit", str(tmp_path / "formulas.xlsx"), "-o", str(tmp_path / "out.yaml"))
    assert code == 2 and "has formulas but no values saved with them" in one_line(err)
    assert not (tmp_path / "out.yaml").exists()


def test_a_folder_given_as_the_history(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    folder = tmp_path / "history.csv"
    folder.mkdir()
    code, _, err = run(capsys, "fit", str(folder), "-o", str(tmp_path / "o.yaml"))
    assert code == 2 and "is not a regular file" in one_line(err) and not (tmp_path / "o.yaml").exists()


def test_a_byte_order_mark_and_formulas_without_values_read_as_the_plain_file(tmp_path: Path,
                                                                               history: Path) -> None:
    from simkit.fitting import fit

    plain = fit(history, replications=2)
    bom = _write(tmp_path / "bom.csv", b"\xef\xbb\xbf" + history.read_bytes())
    assert fit(bom, replications=2).annual_volume == plain.annual_volume
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["created", "effort_min"])
    for i, t in enumerate(pd.to_datetime(STAMPS)):
        sheet.append([t.to_pydatetime(), f"=ROW()*{i}"])  # never calculated: no value stored
    book.save(tmp_path / "formulas.xlsx")
    res = fit(tmp_path / "formulas.xlsx", effort_column="effort_min", replications=2)
    assert res.annual_volume == pytest.approx(plain.annual_volume)


# --------------------------------------------------------------------------- scenario text in the memo
def test_an_option_label_is_a_few_words_like_the_name(helpdesk: sk.Scenario) -> None:
    """A label fills table headers and chart axes: 200 characters at most, as the scenario's name."""
    with pytest.raises(sk.ScenarioError, match=r"options.vendor.label: must have at most 200 characters, got 'ZZZ"):
        helpdesk.override({"options.vendor.label": "Z" * 200_000})
    assert helpdesk.override({"options.vendor.label": "Z" * 200}).options["vendor"].label == "Z" * 200


@pytest.mark.parametrize("payload", [
    f"Desk {BIDI}0001 DSU\u2066 saved",
    "</style><script>alert(1)</script>",
    "{{ 7*7 }}{% raw %}<!-- ",
])
def test_scenario_text_is_contained_in_the_memo(helpdesk: sk.Scenario, payload: str) -> None:
    from simkit.analysis.memo_record import memo_record
    from simkit.ui.memo_html import memo_html

    sc = helpdesk.override({"run.horizon_days": 28, "name": payload, "description": payload,
                            "options.vendor.label": payload})
    res = sk.simulate(sc, replications=2, seed=1, executor=None, progress=False)
    page = memo_html(memo_record(sc, res, with_sensitivity=False, scenario_text=f"# {payload}\n"))
    assert not re.search(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]", page)  # shown as escapes, not obeyed
    assert "<script" not in page and "<!-- " not in page
    if BIDI not in payload:  # shown as the text it is, braces and all
        assert html.escape(payload, quote=True) in page
    body = page.split("</style>", 1)[1]
    assert "</style>" not in body  # the memo's one style sheet: no text closes it early
    if BIDI in payload:
        assert "\\u202e0001 DSU\\u2066" in page


def test_bidi_controls_in_scenario_text_are_shown_not_obeyed_in_the_report(helpdesk: sk.Scenario,
                                                                           tmp_path: Path) -> None:
    pytest.importorskip("papermill")
    payload = f"Desk {BIDI}0001 DSU\u2066 saved"
    sc = helpdesk.override({"run.horizon_days": 28, "name": payload, "description": payload,
                            "options.vendor.label": payload})
    page = sk.report(sc, tmp_path / "report.html", seed=5, replications=2).read_text(encoding="utf-8")
    assert not re.search(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]", page)
    assert "Desk \\u202e0001 DSU\\u2066 saved" in html.unescape(page)
