"""Reading the files simkit is given: bounded, regular files only, YAML 1.2 core-schema rules, one-line errors.

Every YAML text simkit reads (scenario files, levers files, ``--set`` values)
goes through :func:`parse_yaml`, and every file through :func:`read_file`:

* **Regular files only, read to a cap.**  A FIFO, ``/dev/zero`` or a terminal
  would hang or exhaust memory; :func:`read_file` opens without blocking,
  refuses anything that is not a regular file and reads at most
  :data:`MAX_FILE_BYTES` + 1 bytes.
* **YAML 1.2 core schema.**  PyYAML implements YAML 1.1, under which
  ``sla_h: 8:00`` is 480 (base 60), ``010`` is 8 (octal), ``yes``/``no``/``on``/``off``
  are booleans and ``1_000`` is a thousand.  The loader here resolves plain
  scalars as YAML 1.2 does: ``null``/``~``, ``true``/``false``, decimal,
  ``0o`` and ``0x`` integers, decimal floats and ``.inf``/``.nan``; everything
  else is text, which a numeric field then refuses in one line.  A decimal
  integer with a leading zero (``010``) is refused: YAML 1.1 reads it as octal
  8 and YAML 1.2 as 10, so it cannot be meant unambiguously.
* **Nothing that explodes.**  Anchors, aliases and merge keys (a "billion
  laughs" file is a few lines of them), nesting deeper than :data:`MAX_DEPTH`
  and more than :data:`MAX_VALUES` values are refused from the event stream
  before any Python object is built.
* **No silent collapse of keys.**  A key may appear once.  (A key with
  surrounding whitespace, ``"engineers "``, is refused where it is validated,
  with its field path: :mod:`simkit.scenario.mechanisms` and :mod:`simkit.experiment.design`.)

Messages quote and truncate what they show (:func:`show`), so a hostile key
or value can neither break the one-line promise nor flood a terminal.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from simkit.errors import SHOWN_CHARS, ScenarioError, one_line, show, show_key  # noqa: F401 - re-exported

__all__ = ["ScenarioError", "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_VALUES", "show", "show_key", "one_line",
           "read_file", "decode", "parse_yaml", "load_yaml_file", "dump_yaml"]

MAX_FILE_BYTES = 1_000_000
"""Largest file simkit reads (a scenario needs a few kilobytes; the cap keeps parsing within seconds)."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists a file may have (the scenario schema itself needs about 7)."""
MAX_VALUES = 100_000
"""Most scalar values (numbers, texts) a file may hold; parsing stays within a few seconds."""

# --------------------------------------------------------------------------- files
def read_file(path: str | Path, what: str = "a scenario", max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; a :class:`ScenarioError` for anything else.

    The file is opened without blocking (a FIFO would otherwise wait for a
    writer forever) and checked on the open descriptor, so a path swapped for
    a FIFO or a device between a check and the read is refused too.
    """
    source = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ScenarioError("", "no such file", source) from None
    except IsADirectoryError:
        raise ScenarioError("", "is a folder, not a file", source) from None
    except OSError as err:
        raise ScenarioError("", f"cannot be read ({err.strerror})", source) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError("", "is a folder, not a file", source)
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError("", f"is not a regular file (a pipe, device or socket); {what} must be a "
                                    "regular file", source)
        if info.st_size > max_bytes:
            raise ScenarioError("", f"is {info.st_size:,} bytes; {what} may have at most {max_bytes:,}",
                                source)
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, max_bytes + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > max_bytes:  # grew while being read
            raise ScenarioError("", f"is larger than the {max_bytes:,} bytes {what} may have", source)
        return b"".join(chunks)
    except OSError as err:
        raise ScenarioError("", f"cannot be read ({err.strerror})", source) from None
    finally:
        os.close(fd)


_BINARY = "is a binary file; {what} must be YAML text in UTF-8"


def decode(text: str | bytes, source: str | None, what: str = "a scenario") -> str:
    """UTF-8 text of at most :data:`MAX_FILE_BYTES` without NUL bytes or lone surrogates."""
    too_big = f"is larger than the {MAX_FILE_BYTES:,} bytes {what} may have"
    if len(text) > MAX_FILE_BYTES:  # characters or bytes: either way more bytes than allowed
        raise ScenarioError("", too_big, source)
    if isinstance(text, bytes):
        if b"\x00" in text:
            raise ScenarioError("", _BINARY.format(what=what), source)
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as err:
            line = text.count(b"\n", 0, err.start) + 1
            raise ScenarioError("", f"is not UTF-8 text (bad byte at offset {err.start}, line {line}); "
                                    f"{what} must be saved as UTF-8", source) from None
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise ScenarioError("", f"must be valid Unicode text, got a lone surrogate at offset {err.start}",
                            source) from None
    if len(encoded) > MAX_FILE_BYTES:
        raise ScenarioError("", too_big, source)
    if "\x00" in text:
        raise ScenarioError("", _BINARY.format(what=what), source)
    return text


# --------------------------------------------------------------------------- YAML 1.2 core schema
_PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's C parser when installed: ~10x faster
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
_CORE = [
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", ["<"]),  # recognised only to be refused
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    ("tag:yaml.org,2002:float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                                r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", list("-+.0123456789")),
]


class _StrictLoader(_PARSER):  # type: ignore[misc, valid-type]
    """Safe loader (never constructs Python objects) with YAML 1.2 core-schema scalars.

    It refuses duplicate keys, non-text keys, merge keys and decimal
    integers with a leading zero.
    """

    yaml_implicit_resolvers: dict[str, list[tuple[str, re.Pattern[str]]]] = {}

    def construct_mapping(self, node, deep=False):  # noqa: ANN001 - PyYAML signature
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise ScenarioError("", f"merge keys (<<) are not allowed (line {line})")
            if not isinstance(key_node, yaml.ScalarNode):
                kind = "list" if isinstance(key_node, yaml.SequenceNode) else "mapping"
                raise ScenarioError("", f"a mapping key must be text, got a {kind} (line {line})")
            key = self.construct_object(key_node, deep=deep)
            try:
                dup = key in seen
            except TypeError:
                raise ScenarioError("", f"a mapping key must be text, got {show(key)} (line {line})") from None
            if dup:
                raise ScenarioError("", f"key {show(key)} appears twice (line {line}), first on line {seen[key]}")
            seen[key] = line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):  # noqa: ANN001, ANN201 - PyYAML signature
        text = self.construct_scalar(node)
        if _LEADING_ZERO.fullmatch(text):
            line = node.start_mark.line + 1
            raise ScenarioError("", f"the number {text} (line {line}) has a leading zero, which YAML 1.1 reads "
                                    f"as octal and YAML 1.2 as decimal; write {int(text, 10)} (or 0o... for "
                                    "octal), or quote it as text")
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text, 10)

    def construct_yaml_float(self, node):  # noqa: ANN001, ANN201 - PyYAML signature
        text = self.construct_scalar(node).lower()
        if text.endswith(".inf"):
            return float("-inf") if text.startswith("-") else float("inf")
        if text == ".nan":
            return float("nan")
        return float(text)


for _tag, _pattern, _first in _CORE:
    _StrictLoader.add_implicit_resolver(_tag, re.compile(_pattern), _first)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_yaml_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_yaml_float)


class _Dumper(yaml.SafeDumper):
    """Writes plain only the text that YAML 1.1 *and* the 1.2 core schema both read back as text."""


for _tag, _pattern, _first in _CORE:
    _Dumper.add_implicit_resolver(_tag, re.compile(_pattern), _first)


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """Text with a CR, NEL, U+2028/U+2029, a tab or another control character is written double-quoted:
    PyYAML's plain and single-quoted styles fold such characters (a NEL reads back as a space), double
    quotes spell each of them as an escape."""
    quoted = any(not (ch.isprintable() or ch == "\n") for ch in value)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if quoted else None)


_Dumper.add_representer(str, _represent_text)


def dump_yaml(data: Any) -> str:
    """Plain data as YAML text that :func:`parse_yaml` (and any YAML 1.1 reader) reads back equal."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def _scan(text: str) -> None:
    """Refuse, from the event stream alone, what could make loading explode or recurse."""
    depth = values = 0
    for event in yaml.parse(text, Loader=_PARSER):
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise ScenarioError("", f"anchors and aliases (&, *) are not allowed (line {line})")
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError("", f"is nested more than {MAX_DEPTH} levels deep (line {line}); "
                                        "simkit's files need far fewer")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent):
            values += 1
            if values > MAX_VALUES:
                raise ScenarioError("", f"has more than {MAX_VALUES:,} values (line {line}); "
                                        "a file may have at most that many")


def parse_yaml(text: str | bytes, source: str | None, what: str = "a scenario") -> Any:
    """YAML text to plain data (dicts, lists, text, numbers, booleans, None) under the rules above."""
    text = decode(text, source, what)
    if not text.strip():
        return None
    try:
        _scan(text)
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader derives from SafeLoader
    except ScenarioError as err:
        raise ScenarioError("", err.message, source) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError("", f"not valid YAML{line}: {show(problem, 120).strip(chr(39))}", source) from None
    except RecursionError:
        raise ScenarioError("", "the YAML is nested too deeply", source) from None
    except (ValueError, OverflowError) as err:  # a number the constructors cannot build
        raise ScenarioError("", f"holds a number that cannot be read ({show(str(err))})", source) from None


def load_yaml_file(path: str | Path, what: str = "a scenario") -> Any:
    """Read a regular file (:func:`read_file`) and parse it (:func:`parse_yaml`)."""
    return parse_yaml(read_file(path, what), str(path), what)
