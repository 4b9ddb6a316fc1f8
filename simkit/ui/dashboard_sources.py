"""Where the dashboard's scenarios come from: the shipped examples, the YAML files of a folder, an upload.

:func:`scenario_choices` lists them for a dropdown, :func:`load_choice` loads one, and :func:`load_upload`
validates the bytes of an uploaded file exactly as :func:`simkit.load` validates a file (same size bound,
same YAML rules, same one-line :class:`~simkit.scenario.model.ScenarioError` naming the field).  Nothing here
writes anything.
"""

from __future__ import annotations

from pathlib import Path

from simkit.scenario.catalog import example_names, examples
from simkit.scenario.model import Scenario, ScenarioError, load, loads
from simkit.scenario.yamlio import MAX_FILE_BYTES, show

__all__ = ["Choice", "scenario_choices", "load_choice", "load_upload", "MAX_FOLDER_FILES"]

#: At most this many YAML files of the folder are listed (the first by name).
MAX_FOLDER_FILES = 200

Choice = tuple[str, str]  # (kind, what): ("example", name) or ("file", path)


def scenario_choices(folder: str | Path | None = ".") -> list[tuple[str, Choice]]:
    """``(text shown, choice)`` for every shipped example, then every ``*.yaml``/``*.yml`` file in ``folder``.

    An example shows its title; a file shows its name.  Files are listed, not read: a broken file fails
    when it is picked, with its one-line error.
    """
    out: list[tuple[str, Choice]] = []
    titles = examples()["title"] if example_names() else {}
    for name in example_names():
        out.append((f"{titles[name]} (example)", ("example", name)))
    if folder is not None:
        base = Path(folder)
        try:
            files = sorted(p for p in base.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file())
        except OSError:
            files = []
        for p in files[:MAX_FOLDER_FILES]:
            out.append((f"{p.name} (file)", ("file", str(p))))
    return out


def load_choice(choice: Choice) -> Scenario:
    """The scenario of a dropdown choice (:class:`ScenarioError` for a file that is not a valid scenario)."""
    kind, what = choice
    return load(what)


def load_upload(name: str, content: bytes) -> Scenario:
    """Validate an uploaded file's bytes as a scenario; its file name is the error's source."""
    source = Path(str(name)).name or "upload"
    if len(content) > MAX_FILE_BYTES:
        raise ScenarioError("", f"is {len(content):,} bytes; a scenario file may have at most "
                                f"{MAX_FILE_BYTES:,}", show(source))
    if not source.lower().endswith((".yaml", ".yml")):
        raise ScenarioError("", "is not a .yaml or .yml file; upload a scenario file", show(source))
    return loads(bytes(content), source)
