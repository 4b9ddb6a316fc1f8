"""The student build: no solution cells, no answer key, and check_answer still right or wrong."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simkit.errors import ScenarioError
from simkit.ui.cli import main
from simkit.ui.lessons import QUESTIONS, is_correct
from simkit.ui.lessons.export import export
from simkit.ui.lessons.student import KEY_FILE, accepts, build_key

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
KEY = build_key(salt="fixed-for-the-test")
NUMERIC = sorted(q for q, v in QUESTIONS.items() if not isinstance(v.expected(), str))
RUN_UNDER_NBVAL = ("09_lock_in.ipynb", "13_quality_rework.ipynb")  # 13: questions checked against `mine`


@pytest.fixture(scope="module")
def student(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "student"
    assert main(["lessons", "export", str(out), "--student", "--source", str(NOTEBOOKS)]) == 0
    return out


def test_student_notebooks_hold_no_solution_and_import_no_key(student: Path) -> None:
    lessons = sorted(student.glob("[0-9][0-9]_*.ipynb"))
    assert {p.name for p in lessons} == {p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    asked = 0
    for path in lessons:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            assert "solution" not in cell.source.lower().split("\n", 1)[0], (path.name, cell.source[:60])
            if cell.cell_type != "code":
                continue
            assert not re.search(r"from simkit\.(ui\.)?lessons import [^\n]*\b(ask|check_answer|solution|QUESTIONS)\b",
                                 cell.source)
            if "check_answer(" in cell.source and "import" in cell.source:
                assert "from simkit.ui.lessons.student import ask, check_answer" in cell.source
            assert "simkit.ui.lessons.questions" not in cell.source
            for call in re.findall(r"check_answer\(\"[\w.]+\", ([^)\n]+)\)", cell.source):
                assert call.startswith("my_"), (path.name, call)  # only the learner's placeholder is checked
                asked += 1
    assert asked >= len(QUESTIONS) - 1  # every lesson's exercises are still there


def test_the_key_file_holds_hashes_not_answers(student: Path) -> None:
    key = json.loads((student / KEY_FILE).read_text())
    assert set(key) == {"salt", "questions"}
    assert set(QUESTIONS) <= set(key["questions"])
    for qid, entry in key["questions"].items():
        assert set(entry) <= {"text", "unit", "hint", "kind", "quantum", "hashes"}, qid
        assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in entry.get("hashes", []))
    assert "why" not in (student / KEY_FILE).read_text()


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(NUMERIC), st.floats(-2.0, 2.0))
def test_hashes_accept_the_tolerance_band_and_little_more(qid: str, u: float) -> None:
    q = QUESTIONS[qid]
    x = float(q.expected())
    entry = KEY["questions"][qid]
    h, step = max(q.abs_tol, q.rel_tol * abs(x)), entry["quantum"]
    v = x + u * max(h, step)
    if is_correct(qid, v) and abs(v - x) <= h * (1 - 1e-9):
        assert accepts(KEY, qid, v), (qid, v, x)
    if accepts(KEY, qid, v):
        assert abs(v - x) <= h + step * (1 + 1e-9), (qid, v, x, h, step)
    assert step <= max(h, 1e-9 * max(abs(x), 1)) / 5 or h == 0


def test_every_expected_answer_and_word_is_accepted_and_a_wrong_one_is_not() -> None:
    for qid, q in QUESTIONS.items():
        want = q.expected()
        assert accepts(KEY, qid, want), qid
        if isinstance(want, str):
            assert accepts(KEY, qid, want.upper().replace("_", "-"))
            assert not accepts(KEY, qid, "something else")
        else:
            assert not accepts(KEY, qid, float(want) * 1.5 + 1)
            assert not accepts(KEY, qid, math.nan)
            assert not accepts(KEY, qid, "a word")


def test_check_answer_in_the_student_build_says_right_or_wrong(student: Path) -> None:
    code = ("from simkit.ui.lessons.student import check_answer, solution\n"
            "check_answer('failure.availability', 500 / 536)\n"
            "check_answer('failure.availability', 0.5)\n"
            "check_answer('break_even.scale', 'in-house')\n"
            "check_answer('failure.survival', None)\n"
            "try:\n    solution('failure.survival')\nexcept RuntimeError as e:\n    print('no solution:', e)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=student / "lessons", capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[0] == "[failure.availability] Correct!"
    assert out[1].startswith("[failure.availability] Not quite: 0.5. Hint: Availability = MTBF")
    assert out[2] == "[break_even.scale] Correct!"
    assert out[3].startswith("[failure.survival] Not answered yet")
    assert out[4].startswith("no solution:")


@pytest.mark.parametrize("name", RUN_UNDER_NBVAL)
def test_a_student_notebook_runs_under_nbval(student: Path, name: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "pytest", name, "--nbval-lax", "--nbval-current-env",
                           "--nbval-sanitize-with", "sanitize.cfg", "-p", "no:cacheprovider", "-q"],
                          cwd=student, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "passed" in proc.stdout


def test_export_never_overwrites_a_foreign_folder_and_replaces_an_earlier_export(tmp_path: Path) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("precious")
    with pytest.raises(ScenarioError, match="is not an earlier lessons export"):
        export(foreign, NOTEBOOKS, student=True)
    assert (foreign / "thesis.txt").read_text() == "precious"
    full = export(tmp_path / "full", NOTEBOOKS)
    nb = nbformat.read(full / "08_vendor_failure.ipynb", as_version=4)
    assert any(c.source.startswith("### Solutions") for c in nb.cells)  # the full build keeps them
    export(tmp_path / "full", NOTEBOOKS, student=True)  # an earlier export is replaced whole
    assert (tmp_path / "full" / KEY_FILE).exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_measured_question_is_checked_against_the_learners_own_simulation(capsys: pytest.CaptureFixture[str],
                                                                            student: Path) -> None:
    import simkit as sk
    from simkit.ui.lessons import check_answer

    sc = sk.load(NOTEBOOKS / "lessons" / "quality_rework.yaml").override({"run.horizon_days": 60})
    runs = {s: sk.simulate(sc.override({"vendors.cheap.quality.detection_share": s}), replications=2,
                           progress=False) for s in (0.2, 0.9)}
    gaps = {s: r.kpis.groupby("option")["cost_total_usd"].mean() for s, r in runs.items()}
    gap = {s: g["cheap"] - g["careful"] for s, g in gaps.items()}
    assert abs(gap[0.2] - gap[0.9]) > 0.05 * abs(gap[0.9])  # the two choices give clearly different answers
    check_answer("quality.sim_gap", gap[0.2], results=runs[0.2])
    check_answer("quality.sim_gap", gap[0.2], results=runs[0.9])
    check_answer("quality.sim_gap", gap[0.2])
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "[quality.sim_gap] Correct! It matches your simulation."
    assert out[1].startswith("[quality.sim_gap] Not quite (too high)")
    assert "pass it, check_answer(..., results=mine)" in out[2]
    code = ("import simkit as sk, sys\nfrom simkit.ui.lessons.student import check_answer\n"
            f"sc = sk.load({str(NOTEBOOKS / 'lessons' / 'quality_rework.yaml')!r})\n"
            "sc = sc.override({'run.horizon_days': 60})\n"
            "r = sk.simulate(sc, replications=2, progress=False)\n"
            "k = r.kpis.groupby('option')['cost_total_usd'].mean()\n"
            "check_answer('quality.sim_gap', k['cheap'] - k['careful'], results=r)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=student, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[quality.sim_gap] Correct! It matches your simulation."


def test_the_student_capstone_ships_the_history_and_not_the_reference_solution(student: Path,
                                                                               tmp_path: Path) -> None:
    src, cap = NOTEBOOKS / "capstone", student / "capstone"
    assert (cap / "northwind_tickets.csv").read_bytes() == (src / "northwind_tickets.csv").read_bytes()
    shipped = {p.name for p in src.iterdir() if "solution" not in p.name and not p.name.startswith(".")}
    assert {p.name for p in cap.iterdir()} == shipped and {"brief.md", "memo_template.md"} <= shipped
    assert not list(student.rglob("*solution*"))
    text = "\n".join(c.source for c in nbformat.read(student / "16_capstone.ipynb", as_version=4).cells)
    assert "northwind_solution" not in text and "fitted.scenario.override(load_yaml_file" not in text
    assert text.count("check_answer(\"capstone.") == 5  # every capstone exercise, with its placeholder
    full = export(tmp_path / "full", NOTEBOOKS)
    assert (full / "capstone" / "northwind_solution.yaml").is_file()  # the instructor's build keeps it


def test_the_student_capstone_runs_up_to_the_learners_own_options(student: Path) -> None:
    nb = nbformat.read(student / "16_capstone.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    upto = next(i for i, s in enumerate(code) if s.startswith("# Your scenario"))
    script = "\n\n".join(code[: upto + 1])
    proc = subprocess.run([sys.executable, "-c", script], cwd=student, capture_output=True, text=True,
                          env={**os.environ, "MPLBACKEND": "Agg"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "data issues: unparsable time: 4; duplicate rows: 23" in proc.stdout
    assert "[capstone.fit_december] Not answered yet" in proc.stdout
    assert "[capstone.fit_growth] Not answered yet" in proc.stdout


@settings(max_examples=25, deadline=None)
@given(names=st.sets(st.from_regex(r"[a-z][a-z_]{0,12}(solution)?[a-z_]{0,6}\.(yaml|csv|md)", fullmatch=True),
                     min_size=1, max_size=6))
def test_the_student_build_leaves_out_exactly_the_files_named_solution(names: set[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        (src / "capstone").mkdir(parents=True)
        nbformat.write(nbformat.v4.new_notebook(), src / "01_x.ipynb")
        for name in names:
            (src / "capstone" / name).write_text(name)
        student = export(Path(tmp) / "student", src, student=True)
        full = export(Path(tmp) / "full", src)
        assert {p.name for p in (student / "capstone").iterdir()} == {n for n in names if "solution" not in n}
        assert {p.name for p in (full / "capstone").iterdir()} == names
