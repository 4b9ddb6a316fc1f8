"""Which numbers of a scenario are sourced and which are assumptions.

A decision memo lists every parameter the scenario sets, each marked *sourced*
(with its source) or *assumption*.  Two places say which is which:

* the scenario's ``sources:`` map, ``{dotted path: text}``: the text is the
  source, unless it starts with "assumption" (then it is the reason for the
  assumption);
* the YAML comments the shipped archetypes carry on a parameter's line or on
  the comment lines just above it: a comment citing a source (``[S24]``,
  ``[Gartner 2023]``, a web address, "source: ...") marks the value sourced, any
  other comment is the note of an assumption.

A parameter with neither is an assumption with no note: the memo shows it, so
that nothing unsourced hides behind the model.

The table keeps each value as set (``raw``) beside its plain text (``value``): the memo shows it with its unit
from the field registry (:func:`simkit.scenario.fields.with_unit`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from simkit.scenario.model import Scenario

__all__ = ["parameters", "yaml_comments", "assumptions_table", "check_sources", "header_sources", "SKIPPED"]

SKIPPED = ("name", "description", "criteria", "sources", "run.seed", "run.replications", "run.currency")
"""Paths that are no assumption about the world: titles, the scorecard, the sources themselves, run settings."""
_CITATION = re.compile(r"\[S\d+|\[[A-Z][^\]]*\d{4}[^\]]*\]|https?://|\bsource[sd]?\b\s*:", re.I)
_DIST = re.compile(r"[a-z_]+\(.*\)")
_KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][\w]*|'[^']*'|\"[^\"]*\"):(?P<rest>.*)$")


def _is_parameter(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    if isinstance(value, list) and value and all(isinstance(v, int | float) and not isinstance(v, bool)
                                                  for v in value):
        return True
    return isinstance(value, str) and bool(_DIST.fullmatch(value.strip()))  # a distribution


def parameters(scenario: Scenario, written: Any = None) -> dict[str, Any]:
    """``{dotted path: value}`` of every number, list of numbers and distribution the scenario sets itself.

    ``written`` is the scenario file's parsed YAML: a path counts when the file writes it (the value shown is
    the scenario's, so a ``--set`` change shows).  Without it, the fields the scenario was built with count.
    """
    out: dict[str, Any] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif path not in SKIPPED and path.split(".")[0] not in ("criteria", "sources") and _is_parameter(node):
            out[path] = node

    walk(scenario.model_dump(mode="json", exclude_unset=written is None), "")
    if written is not None:
        out = {p: v for p, v in out.items() if _has_path(written, p.split(".")) or p in scenario.sources}
    return out


def _comment(rest: str) -> tuple[str, str]:
    """A line's value part and its comment (a ``#`` after a space, outside quotes)."""
    quote = None
    for i, ch in enumerate(rest):
        if ch in "'\"" and quote in (None, ch):
            quote = None if quote == ch else ch
        elif ch == "#" and quote is None and (i == 0 or rest[i - 1] in " \t"):
            return rest[:i].strip(), rest[i + 1:].strip()
    return rest.strip(), ""


def yaml_comments(text: str) -> dict[str, str]:
    """``{dotted path: comment}`` from a block-style YAML text: the comment on a key's line, else the
    comment lines straight above it (not separated by a blank line)."""
    stack: list[tuple[int, str]] = []
    pending: list[str] = []
    out: dict[str, str] = {}
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped:
            pending = []
            continue
        if stripped.startswith("#"):
            pending.append(stripped.lstrip("#").strip())
            continue
        m = _KEY.match(raw)
        if m is None:  # a list item or a continuation: no key of its own
            pending = []
            continue
        indent, key = len(m["indent"]), m["key"].strip("'\"")
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = ".".join([k for _, k in stack] + [key])
        _, note = _comment(m["rest"])
        note = note or " ".join(pending)
        note = "" if re.fullmatch(r"[\d\s.,:-]*", note) else note  # a column ruler above a list, not a note
        if note:
            out[path] = note
        pending = []
        stack.append((indent, key))
    return out


def header_sources(text: str) -> str:
    """The ``# Sources: ...`` paragraph of a scenario's header comment (empty when there is none)."""
    lines, taking = [], False
    for raw in text.splitlines():
        if not raw.startswith("#"):
            break
        body = raw.lstrip("#").strip()
        if body.lower().startswith("sources:"):
            taking = True
            body = body[len("sources:"):].strip()
        elif taking and (not raw.startswith("#  ") or not body):
            break
        if taking:
            lines.append(body)
    return " ".join(lines).strip()


@dataclass(frozen=True)
class _Mark:
    status: str
    note: str


def _mark(path: str, sources: dict[str, str], comments: dict[str, str]) -> _Mark:
    if path in sources:
        text = sources[path]
        if text.lower().startswith("assumption"):
            return _Mark("assumption", text[len("assumption"):].lstrip(" :-;,"))
        return _Mark("sourced", text)
    note = comments.get(path, "")
    if note and _CITATION.search(note) and "assumption" not in note.lower():
        return _Mark("sourced", note)
    note = re.sub(r"^assumption\s*[:,;-]?\s*|\s*\(assumption\)", "", note, flags=re.I)
    return _Mark("assumption", note)


def assumptions_table(scenario: Scenario, text: str | None = None) -> pd.DataFrame:
    """One row per parameter: ``path``, ``value`` (as text), ``raw`` (the number, list of numbers or distribution
    as set), ``status`` (``sourced`` or ``assumption``) and ``note``.

    ``text`` is the scenario file's YAML (for its comments); without it only ``sources:`` counts.
    """
    comments = yaml_comments(text) if text else {}
    written = None
    if text:
        from simkit.scenario.yamlio import parse_yaml

        written = parse_yaml(text, "the scenario text")
        written = written if isinstance(written, dict) else None
    rows = []
    for path, value in parameters(scenario, written).items():
        mark = _mark(path, dict(scenario.sources), comments)
        shown = ", ".join(f"{v:g}" for v in value) if isinstance(value, list) else (
            f"{value:,.6g}" if isinstance(value, int | float) else str(value))
        rows.append({"path": path, "value": shown, "raw": value, "status": mark.status, "note": mark.note})
    return pd.DataFrame(rows, columns=["path", "value", "raw", "status", "note"])


def _has_path(data: Any, parts: list[str]) -> bool:
    for part in parts:
        if not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return not isinstance(data, dict)


def check_sources(scenario: Scenario) -> None:
    """Each key of ``sources:`` must name a field of the scenario that holds a value (not a section)."""
    from simkit.errors import ScenarioError
    from simkit.scenario.yamlio import show

    if not scenario.sources:
        return
    data = scenario.model_dump(mode="json")
    for key in scenario.sources:
        if not _has_path(data, key.split(".")):
            raise ScenarioError(f"sources.{show(key)}" if not re.fullmatch(r"[\w.]+", key) else f"sources.{key}",
                                "names no field of this scenario; a key is a dotted path to a value, e.g. "
                                "vendors.msp.price_per_item")
