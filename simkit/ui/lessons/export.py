"""Export the lesson notebooks for a class: the full set, or the student build without the answers.

    simkit lessons export DIR [--student] [--source notebooks]
    make student                      # = simkit lessons export build/student --student

The student build drops every solution cell (a markdown cell opening ``### Solutions`` and the cells after
it, up to the next heading that is not a solution) and every file whose name contains ``solution`` (the
capstone's reference options, for instance), imports ``ask`` and ``check_answer`` from
:mod:`simkit.ui.lessons.student` instead of the package's answer key, and writes ``checks.json`` (salted hashes
of the accepted answers, :func:`simkit.ui.lessons.student.build_key`) beside the notebooks.  The export is
written to a temporary folder and moved into place whole, so an interrupted export leaves the previous one
intact; a folder that is not a previous export is never overwritten.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import tempfile
from pathlib import Path

from simkit.extras import require
from simkit.fileio import signals_held

require("nbformat", "simkit lessons export")  # one line naming the extra when it is missing

import nbformat  # noqa: E402

from simkit.scenario.model import ScenarioError  # noqa: E402
from simkit.ui.lessons.student import KEY_FILE, build_key  # noqa: E402

__all__ = ["export", "student_notebook", "MARKER"]

MARKER = ".simkit-lessons-export"
_COPIED = ("lessons", "game", "capstone", "sanitize.cfg")
_IMPORT = re.compile(r"^from simkit\.(?:ui\.)?lessons import (?P<names>[\w, ]+)$", re.MULTILINE)
_CHECKING = ("ask", "check_answer", "is_correct", "solution")
_NOT_COPIED = ("__pycache__", ".*")
_NOT_FOR_STUDENTS = ("*solution*",)


def _is_solution_heading(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "markdown" and cell.source.lstrip().lower().startswith("### solution")


def _rewrite_imports(source: str) -> str:
    def swap(match: re.Match[str]) -> str:
        names = [n.strip() for n in match["names"].split(",") if n.strip()]
        kept = [n for n in names if n not in _CHECKING]
        checking = [n for n in names if n in ("ask", "check_answer")]
        lines = [f"from simkit.ui.lessons import {', '.join(kept)}"] if kept else []
        if checking:
            lines.append(f"from simkit.ui.lessons.student import {', '.join(checking)}")
        return "\n".join(lines)

    return _IMPORT.sub(swap, source)


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` without solution cells, checking answers against ``checks.json``."""
    out = copy.deepcopy(nb)
    cells, skipping = [], False
    for cell in out.cells:
        if _is_solution_heading(cell):
            skipping = True
            continue
        if skipping and cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
            skipping = False
        if skipping:
            continue
        if cell.cell_type == "code":
            cell.source = _rewrite_imports(cell.source)
        cells.append(cell)
    out.cells = cells
    return out


def _read_notebook(path: Path) -> nbformat.NotebookNode:
    """The notebook at ``path``, checked against the notebook format; else one line naming the file.

    A pipe or device named like a notebook would block the read: only a regular file is opened.
    """
    if not path.is_file():
        raise ScenarioError("", "is not a regular file; a lesson notebook must be one", str(path))
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as err:  # noqa: BLE001 - nbformat raises many kinds (JSON, schema, type errors) for one cause
        text = " ".join(str(err).split())
        raise ScenarioError("", f"is not a readable notebook ({type(err).__name__}: {text[:200]})",
                            str(path)) from None
    return nb


def export(dest: str | Path, source: str | Path = "notebooks", student: bool = False) -> Path:
    """Write the notebooks of ``source`` (and their scenario folders) to ``dest``; see the module text.

    Raises
    ------
    ScenarioError
        When ``source`` holds no notebooks, or ``dest`` exists and is not an earlier export.
    """
    src, dst = Path(source), Path(dest)
    notebooks = sorted(src.glob("[0-9][0-9]_*.ipynb")) if src.is_dir() else []
    if not notebooks:
        raise ScenarioError("", "holds no lesson notebooks (NN_name.ipynb); the lessons are in the notebooks/ folder "
                            "of simkit's source repository, not in the installed package: run this from the "
                            "repository's root or pass --source PATH/TO/notebooks", str(source))
    lessons = [(path, _read_notebook(path)) for path in notebooks]  # every one readable before anything is written
    if dst.exists() and (not dst.is_dir() or (any(dst.iterdir()) and not (dst / MARKER).exists())):
        raise ScenarioError("", "exists and is not an earlier lessons export; choose an empty or new folder",
                            str(dest))
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dst.name}.", dir=dst.parent))
    try:
        for path, nb in lessons:
            nbformat.write(student_notebook(nb) if student else nb, tmp / path.name)
        skipped = _NOT_COPIED + (_NOT_FOR_STUDENTS if student else ())
        for name in _COPIED:
            item = src / name
            if item.is_dir():
                shutil.copytree(item, tmp / name, ignore=shutil.ignore_patterns(*skipped))
            elif item.is_file():
                shutil.copy2(item, tmp / name)
        if student:
            (tmp / KEY_FILE).write_text(json.dumps(build_key(), indent=1), encoding="utf-8")
        (tmp / MARKER).write_text("student\n" if student else "full\n", encoding="utf-8")
        old = None
        with signals_held():  # Ctrl+C between the two renames would leave no export at DIR, only the hidden old
            if dst.exists():
                old = dst.with_name(f".{dst.name}.old")
                shutil.rmtree(old, ignore_errors=True)
                dst.rename(old)
            tmp.rename(dst)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return dst
