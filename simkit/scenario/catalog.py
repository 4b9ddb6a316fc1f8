"""The example scenarios that ship with simkit, by name.

The archetypes in the repository's ``scenarios/`` folder are installed with the
package (as ``simkit/_examples/``, see ``pyproject.toml``), so a user who
installed from the package index has something to start from::

    sk.examples()                       # name -> title and what it compares
    sk.load("startup_it_helpdesk")      # a shipped example: a bare name, not a file
    simkit run startup_it_helpdesk -n 5

A name resolves to an example only when it has no folder and no ``.yaml``
suffix and is not an existing file: a file always wins, so a scenario of one's
own is never shadowed by an example.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

__all__ = ["examples", "example_names", "example_path", "is_bare_name"]

_SUFFIXES = (".yaml", ".yml")


def _folder() -> Path | None:
    """Where the examples are: inside the installed package, or the checkout's ``scenarios/``."""
    package = Path(__file__).resolve().parents[1]  # simkit/
    for folder in (package / "_examples", package.parent / "scenarios"):
        if folder.is_dir() and any(folder.glob("*.yaml")):
            return folder
    return None


def example_names() -> list[str]:
    """The names of the shipped examples, sorted."""
    folder = _folder()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder else []


def is_bare_name(text: str) -> bool:
    """True for ``startup_it_helpdesk``; false for anything with a folder or a ``.yaml`` suffix."""
    p = Path(text)
    return bool(text) and p.name == text and p.suffix.lower() not in _SUFFIXES and "\\" not in text


def example_path(name: str) -> Path | None:
    """The file of the shipped example ``name``, or ``None`` if ``name`` is not one."""
    folder = _folder()
    if folder is None or not is_bare_name(name) or name not in example_names():
        return None
    return folder / f"{name}.yaml"


def examples() -> pd.DataFrame:
    """The shipped example scenarios: one row per name with its ``title``, ``description`` and ``path``.

    Read from the files without validating them (a listing should be instant);
    ``sk.load(name)`` validates the one you pick.  The description is the YAML's
    ``description`` on one line: what the archetype compares.  ``path`` is the installed file, so that
    one can be copied and edited (``shutil.copy(sk.examples().loc[name, "path"], "my.yaml")``).
    """
    rows = []
    folder = _folder()
    for name in example_names():
        raw = yaml.safe_load((folder / f"{name}.yaml").read_text(encoding="utf-8")) or {}
        rows.append({"name": name, "title": str(raw.get("name", name)),
                     "description": " ".join(str(raw.get("description", "")).split()),
                     "path": str(folder / f"{name}.yaml")})
    return pd.DataFrame(rows, columns=["name", "title", "description", "path"]).set_index("name")
