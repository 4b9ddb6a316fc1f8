"""Checking answers without shipping them: the student build's ``ask`` and ``check_answer``.

The student build (``simkit lessons export DIR --student``, ``make student``) writes the lessons without
their solution cells and replaces the answer key by ``checks.json``: for each question its text, unit and
hint, and *salted SHA-256 hashes* of the answers it accepts.  A number is accepted when it rounds to an
accepted value at the question's precision: the tolerance band ``[x - h, x + h]`` (``h`` from the
question's ``rel_tol`` and ``abs_tol``) is covered by multiples of a quantum ``q`` (a power of ten, about a
tenth of ``h``), and the hashes are those of the multiples ``k`` with ``k q`` in ``[x - h - q/2, x + h + q/2]``.
So every value inside the band is accepted and none further than ``q`` outside it (``tests/ui/test_student.py``).
A word answer is hashed as written, normalised as :func:`simkit.ui.lessons.is_correct` does.

What this does not stop, and is said so in the README: the accepted values are few (a few hundred per
question at most), so a student who reads this module can try them all; the simulation answers every
question it is asked; and the full package, with its answer key, is one ``pip install`` away.  The hashes
keep the answers out of sight, not out of reach: assess judgement, not arithmetic.
"""

from __future__ import annotations

import hashlib
import json
import math
import secrets
from pathlib import Path
from typing import Any

from simkit.ui.lessons.measured import MEASURED, measure

__all__ = ["ask", "check_answer", "solution", "build_key", "KEY_FILE", "accepts"]

KEY_FILE = "checks.json"
_SEARCH_UP = 3  # notebooks run in their own folder; the key sits there or a few folders up


def _digest(salt: str, question_id: str, token: str) -> str:
    return hashlib.sha256(f"{salt}:{question_id}:{token}".encode()).hexdigest()


def _normalised(word: str) -> str:
    return word.strip().lower().replace("-", "_")


def _band(expected: float, rel_tol: float, abs_tol: float) -> tuple[float, float]:
    """The half-width ``h`` of the accepted band and its quantum ``q``."""
    h = max(abs_tol, rel_tol * abs(expected))
    if h == 0:
        return 0.0, 10.0 ** (math.floor(math.log10(abs(expected))) - 9) if expected else 1e-12
    return h, 10.0 ** math.floor(math.log10(h)) / 10


def build_key(salt: str | None = None) -> dict[str, Any]:
    """The student key of every question: text, unit, hint and hashes of the accepted answers."""
    from simkit.ui.lessons.questions import QUESTIONS  # the instructor's key: read here, at export time only

    salt = salt or secrets.token_hex(16)
    out: dict[str, Any] = {"salt": salt, "questions": {}}
    for qid, q in QUESTIONS.items():
        want = q.expected()
        entry: dict[str, Any] = {"text": q.text, "unit": q.unit, "hint": q.hint}
        if isinstance(want, str):
            entry |= {"kind": "word", "hashes": [_digest(salt, qid, _normalised(want))]}
        else:
            x = float(want)
            h, step = _band(x, q.rel_tol, q.abs_tol)
            ks = range(math.ceil((x - h - step / 2) / step), math.floor((x + h + step / 2) / step) + 1)
            entry |= {"kind": "number", "quantum": step, "hashes": sorted(_digest(salt, qid, str(k)) for k in ks)}
        out["questions"][qid] = entry
    for qid, m in MEASURED.items():
        out["questions"][qid] = {"text": m.text, "unit": m.unit, "hint": m.hint, "kind": "measured"}
    return out


def accepts(key: dict[str, Any], question_id: str, value: object) -> bool:
    """Whether the key accepts ``value`` for a hashed (number or word) question."""
    entry = key["questions"][question_id]
    if entry["kind"] == "word":
        token = _normalised(value) if isinstance(value, str) else None
    else:
        try:
            got = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        token = str(round(got / entry["quantum"])) if math.isfinite(got) else None
    return token is not None and _digest(key["salt"], question_id, token) in set(entry["hashes"])


def _load_key() -> dict[str, Any]:
    here = Path.cwd()
    for folder in [here, *here.parents][: _SEARCH_UP + 1]:
        if (folder / KEY_FILE).is_file():
            return json.loads((folder / KEY_FILE).read_text(encoding="utf-8"))
    raise FileNotFoundError(f"{KEY_FILE} not found in {here} or the {_SEARCH_UP} folders above: "
                            "open the notebooks from the student build's folder")


def _entry(question_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    key = _load_key()
    if question_id not in key["questions"]:
        raise KeyError(f"unknown question '{question_id}'; questions: {', '.join(key['questions'])}")
    return key, key["questions"][question_id]


def ask(question_id: str) -> None:
    """Print the question (and its unit)."""
    _, q = _entry(question_id)
    print(f"[{question_id}] {q['text']}" + (f" (answer in {q['unit']})" if q["unit"] else ""))


def check_answer(question_id: str, value: object, results: Any = None) -> None:
    """Print whether ``value`` is right, with the hint when it is not.

    ``results`` is the simulation a *measured* question is checked against (the student's own run).
    """
    key, q = _entry(question_id)
    if value is None or value is Ellipsis:
        print(f"[{question_id}] Not answered yet: replace the placeholder with your answer. Hint: {q['hint']}")
        return
    if q["kind"] == "measured":
        verdict = measure(question_id, value, results)
        print(f"[{question_id}] {verdict}")
        return
    if accepts(key, question_id, value):
        print(f"[{question_id}] Correct!")
    else:
        print(f"[{question_id}] Not quite: {value!r}. Hint: {q['hint']}")


def solution(question_id: str) -> None:
    """Not available in the student build: the answers are not in it."""
    raise RuntimeError("the student build has no solutions; ask your instructor")
