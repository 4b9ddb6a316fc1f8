"""Writing a new file safely: never over an existing one unless asked, never half-written."""

from __future__ import annotations

from pathlib import Path

from simkit.errors import ScenarioError
from simkit.fileio import write_text

__all__ = ["write_new_text"]


def write_new_text(path: Path, text: str, force: bool = False) -> Path:
    """Write ``text`` to ``path`` safely (:func:`simkit.fileio.write_text`).

    Refuses (:class:`ScenarioError`) a folder, a non-regular file (a device, a pipe), and an existing
    file unless ``force``; a failure while writing (a full disk) is an :class:`simkit.fileio.OutputWriteError`
    (an ``OSError``), and on any failure the previous file is left as it was.
    """
    where = str(path)
    if path.exists() or path.is_symlink():
        if path.is_dir():
            raise ScenarioError("", "is a folder; give a file name to write", where)
        if not path.is_file():
            raise ScenarioError("", "is not a regular file (a device or pipe); give a file name to write", where)
        if not force:
            raise ScenarioError("", "exists already; pass --force to overwrite it", where)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:  # a file where a folder is wanted, a folder no file can be made in: a bad path
        raise ScenarioError("", f"cannot be written ({err.strerror or err})", where) from None
    write_text(path, text)  # a temp file beside it, then renamed; a full disk: OutputWriteError, the old file kept
    return path
