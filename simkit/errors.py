"""Errors every layer raises, and how their messages show input.

A scenario (or any other input) that is wrong is one :class:`ScenarioError` whose
message is one line naming the field, the value (quoted, escaped and shortened) and
what is allowed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

SHOWN_CHARS = 60
"""Longest rendering of a value or key in a message; longer ones end in an ellipsis."""


_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` with line breaks, other control characters and bidi overrides escaped (``\\n``, ``\\u2028``)."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def show(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A value as a message shows it: text quoted repr-style, everything escaped to one line, truncated."""
    import json

    if isinstance(value, str):
        text = repr(value[: limit + 1])
    else:
        try:
            text = json.dumps(value, default=str)
        except (ValueError, TypeError, RecursionError):
            text = repr(value)
    text = one_line(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_PLAIN_KEY = re.compile(rf"[A-Za-z0-9_]{{1,{SHOWN_CHARS}}}")


def show_key(key: Any) -> str:
    """A key inside a dotted path: as is when it is a plain name, otherwise quoted and truncated."""
    text = str(key)
    return text if _PLAIN_KEY.fullmatch(text) else show(text)


class ScenarioError(Exception):
    """A scenario (or another input) is wrong; ``str(err)`` is one line naming the field and what is allowed."""

    def __init__(self, path: str, message: str, source: str | None = None):
        self.path, self.message, self.source = path, message, source
        where = f"{one_line(source)}: " if source else ""
        text = f"{where}{path}: {message}" if path else f"{where}{message}"
        super().__init__(one_line(text))

    def __reduce__(self):  # noqa: ANN204 - so that the error crosses process boundaries intact
        return (type(self), (self.path, self.message, self.source))


def pick_name(name: str, known: Mapping[str, Any], what: str) -> str | None:
    """``None`` when ``name`` is a key of ``known``; else the message naming it, the closest key and the keys."""
    if name in known:
        return None
    hint = difflib.get_close_matches(str(name)[:100], list(known), n=1, cutoff=0.6)
    listed = ", ".join(show_key(k) for k in known) or "none"
    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
    return f"unknown {what} {show(str(name))}{suggestion}; defined: {listed}"
