"""Every output file: written through one safe helper, all or nothing, bad paths refused before simulating."""

from __future__ import annotations

import errno
import json
import os
import signal
import stat
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from conftest import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit import fileio
from simkit.experiment.store import SweepStore, write_frame
from simkit.fileio import OutputPathError, Outputs, OutputWriteError, check_file_target, check_folder_target
from simkit.ui.cli import main
from simkit.ui.widgets import explore

HELPDESK = str(SCENARIOS / "startup_it_helpdesk.yaml")
TINY = ["-n", "2", "--seed", "3", "--set", "run.horizon_days=14"]
VICTIM = b"precious: must not change\n"
FILE_NAMES = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="-_ .é"),
                     min_size=1, max_size=20).filter(lambda s: s.strip(" .") == s and s not in (".", ".."))


@pytest.fixture(scope="module")
def tiny() -> sk.Results:
    sc = sk.load(HELPDESK).override({"run.horizon_days": 14})
    return sk.simulate(sc, replications=2, seed=3, progress=False)


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links as the text of their target) — to compare before and after."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_symlink():
            out[str(p.relative_to(folder))] = b"link->" + os.readlink(p).encode()
        elif p.is_file():
            out[str(p.relative_to(folder))] = p.read_bytes()
    return out


def plant_links(target: Path, victim: Path) -> list[Path]:
    """Symbolic links to ``victim`` at every temp name simkit used to use for ``target``, and at ``target``."""
    names = [f".{target.name}.tmp", f".{target.name}.{os.getpid()}.tmp", f".{target.stem}.tmp{target.suffix}",
             target.name]
    links = [target.with_name(n) for n in names]
    for link in links:
        link.symlink_to(victim)
    return links


WRITERS: dict[str, Callable[[Path, sk.Results], None]] = {
    "write_text": lambda p, res: fileio.write_text(p, "new\n"),
    "Results.save csv": lambda p, res: res.save(p.with_suffix(".csv")),
    "Results.save parquet": lambda p, res: res.save(p.with_suffix(".parquet")),
    "write_frame": lambda p, res: write_frame(res.kpis, p.with_suffix(".parquet"), {"a": 1}),
    "dashboard Save": lambda p, res: explore(res.scenario, replications=2, run=False).save(p.with_suffix(".yaml")),
}


@pytest.mark.parametrize("writer", WRITERS)
def test_a_planted_link_is_not_followed(tmp_path: Path, tiny: sk.Results, writer: str) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_bytes(VICTIM)
    target = {"write_text": tmp_path / "out" / "k.txt"}.get(writer, tmp_path / "out" / "k.csv")
    final = {"Results.save parquet": ".parquet", "write_frame": ".parquet", "dashboard Save": ".yaml"}
    final_path = target.with_suffix(final.get(writer, target.suffix))
    final_path.parent.mkdir()
    plant_links(final_path, victim)
    WRITERS[writer](target, tiny)
    assert victim.read_bytes() == VICTIM
    assert stat.S_ISREG(final_path.lstat().st_mode) and final_path.stat().st_size > 0
    assert not [p for p in final_path.parent.glob(f".{final_path.name}.*.tmp") if not p.is_symlink()]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=FILE_NAMES)
def test_any_file_name_written_safely_through_a_planted_link(tmp_path_factory: pytest.TempPathFactory,
                                                             name: str) -> None:
    folder = tmp_path_factory.mktemp("links")
    victim = folder / "victim"
    victim.write_bytes(VICTIM)
    target = folder / f"{name}.csv"
    plant_links(target, victim)
    fileio.write_text(target, "a,b\n1,2\n")
    assert victim.read_bytes() == VICTIM
    assert not target.is_symlink() and target.read_text() == "a,b\n1,2\n"
    assert {p.name for p in folder.iterdir() if not p.is_symlink()} == {"victim", target.name}


def test_the_temp_file_is_created_exclusively_beside_the_target(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    made = []
    real = fileio.tempfile.mkstemp

    def spy(**kwargs):  # noqa: ANN003, ANN202
        fd, name = real(**kwargs)
        made.append((Path(name), stat.S_IMODE(os.fstat(fd).st_mode)))
        return fd, name

    monkeypatch.setattr(fileio.tempfile, "mkstemp", spy)
    fileio.write_text(tmp_path / "sub" / "x.json", "{}")
    (tmp, mode), = made
    assert tmp.parent == tmp_path / "sub" and tmp.name.startswith(".x.json.") and mode == 0o600
    assert not tmp.exists()


@pytest.mark.parametrize("umask", [0o022, 0o077, 0o002])
def test_a_new_file_gets_the_mode_open_would_give_it(tmp_path: Path, umask: int) -> None:
    old = os.umask(umask)
    try:
        made = fileio.write_text(tmp_path / "kpis.csv", "a\n")
        with Outputs() as out:
            out.add_text(tmp_path / "meta.json", "{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(made.stat().st_mode) == 0o666 & ~umask
    assert stat.S_IMODE((tmp_path / "meta.json").stat().st_mode) == 0o666 & ~umask


def test_a_replaced_file_keeps_its_mode_and_a_planted_link_lends_none(tmp_path: Path) -> None:
    kept = tmp_path / "shared.csv"
    kept.write_text("old\n")
    kept.chmod(0o640)
    fileio.write_text(kept, "new\n")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_text() == "new\n"
    victim = tmp_path / "victim"
    victim.write_bytes(VICTIM)
    victim.chmod(0o777)
    link = tmp_path / "out.csv"
    link.symlink_to(victim)
    fileio.write_text(link, "x\n")
    assert not link.is_symlink() and stat.S_IMODE(link.stat().st_mode) & 0o111 == 0
    assert victim.read_bytes() == VICTIM


@pytest.mark.parametrize("failing", range(4))
def test_outputs_are_all_or_nothing(tmp_path: Path, failing: int) -> None:
    names = ["a.csv", "b.png", "c.txt", "meta.json"]
    for n in names:
        (tmp_path / n).write_text(f"old {n}")
    before = snapshot(tmp_path)

    def write(i: int) -> Callable:
        def go(fh) -> None:  # noqa: ANN001
            fh.write(b"partial")
            if i == failing:
                raise OSError(errno.ENOSPC, "No space left on device")
        return go

    with pytest.raises(OutputWriteError) as err, Outputs() as out:
        for i, n in enumerate(names):
            out.add(tmp_path / n, write(i))
    assert err.value.errno == errno.ENOSPC and "previous files are unchanged" in str(err.value)
    assert snapshot(tmp_path) == before


def test_outputs_put_files_in_place_in_order(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    order = []
    real = os.replace
    monkeypatch.setattr(fileio.os, "replace", lambda a, b: (order.append(Path(b).name), real(a, b)))
    with Outputs() as out:
        out.add_text(tmp_path / "meta.json", "{}")  # staged first ...
        out.add_text(tmp_path / "z.csv", "z")
    assert order == ["meta.json", "z.csv"]  # ... put in place first: the caller orders, metadata last


# ---------------------------------------------------------------- the command line: all or nothing
def run_cli(capsys, *args: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = main(list(args))
    got = capsys.readouterr()
    return code, got.out, got.err


def assert_one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


@pytest.fixture()
def previous_run(tmp_path: Path, capsys) -> tuple[Path, Path, dict[str, bytes]]:  # noqa: ANN001
    out, charts = tmp_path / "k.csv", tmp_path / "charts"
    code, _, err = run_cli(capsys, "run", HELPDESK, *TINY, "--out", str(out), "--charts", str(charts))
    assert code == 0, err
    assert json.loads((charts / "meta.json").read_text())["seed"] == 3
    return out, charts, snapshot(tmp_path)


RUN_FILES = ["table.txt", "summary.csv.meta.json", "summary.csv", "ledger.csv.meta.json", "ledger.csv",
             *(f"{chart}.{kind}" for chart in ("cost_distribution", "cost_at_risk", "monthly_cost", "lead_times",
                                               "paired_difference_vendor", "paired_difference_hybrid")
               for kind in ("svg", "png")),
             "k.csv.meta.json", "k.csv", "meta.json"]  # in the order they are added: meta.json last


@pytest.mark.parametrize("failing", [0, 1, 4, 5, 6, 16, 17, 18, 19])
def test_run_failing_mid_way_leaves_every_previous_file(tmp_path: Path, capsys, monkeypatch, previous_run,  # noqa: ANN001
                                                        failing: int) -> None:
    out, charts, before = previous_run
    assert {Path(k).name for k in before} == set(RUN_FILES)
    real = Outputs.add
    calls = []

    def full_disk(self, target, write):  # noqa: ANN001, ANN202
        calls.append(Path(target).name)
        if len(calls) - 1 == failing:
            return real(self, target, lambda fh: (fh.write(b"half"), _raise(errno.ENOSPC)))
        return real(self, target, write)

    monkeypatch.setattr(Outputs, "add", full_disk)
    code, _, err = run_cli(capsys, "run", HELPDESK, *TINY[:2], "--seed", "4", *TINY[4:], "--out", str(out),
                           "--charts", str(charts))
    line = assert_one_line(err)
    assert code == 1 and "No space left on device" in line and calls[failing] in line
    assert calls == RUN_FILES[:failing + 1] and len(calls) == failing + 1
    assert snapshot(tmp_path) == before  # byte for byte, and no temp file left


def test_a_chart_that_cannot_be_saved_changes_nothing(tmp_path: Path, capsys, monkeypatch, previous_run) -> None:  # noqa: ANN001
    out, charts, before = previous_run
    from matplotlib.figure import Figure

    real, seen = Figure.savefig, []

    def second_fails(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        seen.append(1)
        if len(seen) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", second_fails)
    code, _, err = run_cli(capsys, "run", HELPDESK, *TINY[:2], "--seed", "4", *TINY[4:], "--out", str(out),
                           "--charts", str(charts))
    assert code == 1 and "cost_distribution.png" in assert_one_line(err)  # the second drawing: its PNG
    assert snapshot(tmp_path) == before
    assert json.loads((charts / "meta.json").read_text())["seed"] == 3


def _raise(code: int) -> None:
    raise OSError(code, os.strerror(code))


# ---------------------------------------------------------------- bad output paths: exit 2, before simulating
def _dir(p: Path) -> Path:
    p.mkdir()
    return p


def _file(p: Path) -> Path:
    p.write_text("a file")
    return p


def _fifo(p: Path) -> Path:
    os.mkfifo(p)
    return p


PATH_KINDS: dict[str, Callable[[Path, str], Path]] = {
    "a folder": lambda tmp, ext: _dir(tmp / f"taken{ext}"),
    "parent is a file": lambda tmp, ext: _file(tmp / "plain") / f"k{ext}",
    "grandparent is a file": lambda tmp, ext: _file(tmp / "plain") / "sub" / f"k{ext}",
    "a pipe": lambda tmp, ext: _fifo(tmp / f"pipe{ext}"),
    "under /proc": lambda tmp, ext: Path(f"/proc/simkit-nowhere/k{ext}"),
    "in /proc itself": lambda tmp, ext: Path(f"/proc/k{ext}"),
    "empty": lambda tmp, ext: Path(""),
}
COMMANDS = {  # the flag under test, and the file extension it wants
    "run --out": (["run", HELPDESK, *TINY, "--out"], ".csv"),
    "run --out parquet": (["run", HELPDESK, *TINY, "--out"], ".parquet"),
    "sweep --out": (["sweep", HELPDESK, *TINY, "--vary", "teams.engineers.staff=1:2:2", "--quiet", "--out"],
                    ".parquet"),
    "report -o": (["report", HELPDESK, *TINY, "-o"], ".html"),
}


def _no_simulation(monkeypatch) -> None:  # noqa: ANN001
    def refuse(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("a bad output path must be refused before simulating")

    import importlib

    import papermill

    monkeypatch.setattr(importlib.import_module("simkit.experiment.simulate"), "simulate", refuse)
    monkeypatch.setattr(importlib.import_module("simkit.experiment.sweep"), "run_tasks", refuse)
    monkeypatch.setattr(papermill, "execute_notebook", refuse)


@pytest.mark.parametrize("kind", PATH_KINDS)
@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_output_path_is_one_line_and_exit_2(tmp_path: Path, capsys, monkeypatch, kind: str,  # noqa: ANN001
                                                  command: str) -> None:
    args, ext = COMMANDS[command]
    path = PATH_KINDS[kind](tmp_path, ext)
    if kind == "empty" and command != "run --out":
        pytest.skip("the extension check answers first")
    _no_simulation(monkeypatch)
    before = snapshot(tmp_path)
    code, _, err = run_cli(capsys, *args, str(path))
    line = assert_one_line(err)
    assert code == 2, line
    assert (repr(str(path)) in line or kind == "empty") and len(line) < 400
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("kind", ["a file", "a pipe", "under /proc", "parent is a file"])
def test_a_bad_charts_folder_is_one_line_and_exit_2(tmp_path: Path, capsys, monkeypatch, kind: str) -> None:  # noqa: ANN001
    path = {"a file": lambda: _file(tmp_path / "charts"), "a pipe": lambda: _fifo(tmp_path / "charts"),
            "under /proc": lambda: Path("/proc/simkit-nowhere/charts"),
            "parent is a file": lambda: _file(tmp_path / "plain") / "charts"}[kind]()
    _no_simulation(monkeypatch)
    before = snapshot(tmp_path)
    code, _, err = run_cli(capsys, "run", HELPDESK, *TINY, "--out", str(tmp_path / "k.csv"), "--charts", str(path))
    assert code == 2 and "--charts" in assert_one_line(err)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("taken_by", ["file", "link"])
def test_a_parts_name_taken_by_a_file_is_one_line_and_exit_2(tmp_path: Path, capsys, monkeypatch,  # noqa: ANN001
                                                             taken_by: str) -> None:
    parts = tmp_path / ".s.parquet.parts"
    if taken_by == "file":
        parts.write_text("not a folder")
    else:
        _dir(tmp_path / "elsewhere")
        parts.symlink_to(tmp_path / "elsewhere")
    _no_simulation(monkeypatch)
    before = snapshot(tmp_path)
    code, _, err = run_cli(capsys, *COMMANDS["sweep --out"][0], str(tmp_path / "s.parquet"))
    assert code == 2 and ".s.parquet.parts" in assert_one_line(err)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["run --out", "sweep --out", "report -o"])
def test_a_full_disk_is_one_line_and_exit_1(tmp_path: Path, capsys, monkeypatch, command: str) -> None:  # noqa: ANN001
    args, ext = COMMANDS[command]
    target = tmp_path / f"result{ext}"
    target.write_bytes(b"previous result")
    if command == "report -o":  # the writing is under test, not the notebook: stand in for papermill
        import papermill

        import simkit.ui.report
        monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: None)
        monkeypatch.setattr(simkit.ui.report, "_export", lambda executed, title: "<html></html>")
    monkeypatch.setattr(fileio.os, "fsync", lambda fd: _raise(errno.ENOSPC))
    before = snapshot(tmp_path)
    code, _, err = run_cli(capsys, *args, str(target))
    line = assert_one_line(err)
    assert code == 1 and "No space left on device" in line
    assert snapshot(tmp_path) == before or command == "sweep --out"  # a sweep may keep its (empty) parts folder
    assert target.read_bytes() == b"previous result"
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


# ---------------------------------------------------------------- the checks themselves
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(sorted(PATH_KINDS)), ext=st.sampled_from([".csv", ".parquet", ".html", ".yaml"]),
       name=FILE_NAMES)
def test_check_file_target_refuses_every_bad_kind(tmp_path_factory: pytest.TempPathFactory, kind: str,
                                                  ext: str, name: str) -> None:
    path = PATH_KINDS[kind](tmp_path_factory.mktemp("kinds"), ext)
    with pytest.raises(OutputPathError) as err:
        check_file_target(path, "--out")
    assert str(err.value).startswith("--out: ") and "\n" not in str(err.value)
    good = tmp_path_factory.mktemp("good") / "new" / f"{name}{ext}"
    assert check_file_target(good, "--out") == good and not good.parent.exists()  # nothing created


def test_check_folder_target(tmp_path: Path) -> None:
    assert check_folder_target(tmp_path / "a" / "b") == tmp_path / "a" / "b"
    assert check_folder_target(tmp_path) == tmp_path
    (tmp_path / "dangling").symlink_to(tmp_path / "missing")
    for bad in (_file(tmp_path / "f"), tmp_path / "dangling", Path("/proc/simkit-nowhere")):
        with pytest.raises(OutputPathError):
            check_folder_target(bad, "--charts")
    assert not (tmp_path / "a").exists()


def test_messages_quote_and_cut_long_paths(tmp_path: Path) -> None:
    weird = tmp_path / ("x\ny" * 300)
    with pytest.raises(OutputPathError) as err:
        check_file_target(weird / "k.csv", "--out")  # the name is too long for the system, or its parent missing
    text = str(err.value)
    assert "\n" not in text and len(text) < 400


def test_sweep_store_refuses_a_parts_file(tmp_path: Path) -> None:
    (tmp_path / ".s.parquet.parts").write_text("x")
    with pytest.raises(OutputPathError):
        SweepStore(tmp_path / "s.parquet", "key")
    pd.DataFrame({"a": [1]}).pipe(write_frame, tmp_path / "ok.parquet")
    assert (tmp_path / "ok.parquet").is_file()


def test_an_interrupt_during_the_renames_waits_for_them(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    real, seen = os.replace, []

    def replace_then_signal(a, b) -> None:  # noqa: ANN001
        real(a, b)
        seen.append(Path(b).name)
        if len(seen) == 1:
            os.kill(os.getpid(), signal.SIGINT)  # held back until every file is in place

    monkeypatch.setattr(fileio.os, "replace", replace_then_signal)
    with pytest.raises(fileio.WrittenThenInterrupted) as stop, Outputs() as out:
        for name in ("a.csv", "b.csv", "meta.json"):
            out.add_text(tmp_path / name, name)
    assert seen == ["a.csv", "b.csv", "meta.json"] and [p.name for p in stop.value.targets] == seen
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(seen)


def test_the_cli_says_the_files_were_written_when_the_interrupt_came_during_the_renames(
        tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    real = os.replace

    def replace_then_signal(a, b) -> None:  # noqa: ANN001
        real(a, b)
        if Path(b).name == "k.csv":
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(fileio.os, "replace", replace_then_signal)
    out = tmp_path / "k.csv"
    code, _, err = run_cli(capsys, "run", HELPDESK, *TINY, "--out", str(out))
    assert code == 143
    assert err.strip() == f"interrupted (SIGTERM): the outputs were all written just before: {out}.meta.json, {out}"
    assert pd.read_csv(out).shape[0] == 6 and int(json.loads(Path(f"{out}.meta.json").read_text())["seed"]) == 3
