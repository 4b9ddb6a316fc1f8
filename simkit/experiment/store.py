"""Streaming sweep results to parquet, resuming, and never losing finished work.

A long sweep should survive Ctrl+C, a closed laptop or a killed job.  While a
sweep for ``out.parquet`` runs, every finished task is written at once to its
own small file in ``.out.parquet.parts/<key>/`` next to it (each written to a
temporary name and renamed, so no file is ever half-written), beside a
``manifest.json`` holding the sweep's *key*: a fingerprint of the base scenario,
the seed, the varied paths and the simkit version — everything that decides a
row's numbers besides the row's own point, option and replication.  Each stored
row carries its parameter values, so a point is identified by its values, not
by its position in a design.  When the sweep completes, the rows are gathered
into ``out.parquet`` (via a temporary file) and the key's folder is removed.

Rules (all settings with the same key are *compatible*):

* Running a compatible sweep again reads the finished rows — from parts of an
  interrupted run and from a finished ``out.parquet`` — and computes only the
  (point, replication) pairs that are missing: more replications or new points
  extend the result, fewer are read from it.
* Re-running never shrinks a finished file: ``out.parquet`` keeps every finished
  row of its key (points, options and replications beyond this call's request
  included); the returned result holds what was asked for.
* Each part stores its key too: a part that is unreadable (truncated) or of another key (copied in from
  another scenario, seed or set of levers) is refused in one line naming it, never merged.
* Leftover parts of *incompatible* settings never block: they stay beside, in
  their own key's folder, and resume when those settings run again.
* A finished ``out.parquet`` about to be replaced by rows of another key (or an
  unreadable one), and everything set aside by ``resume=False`` (CLI
  ``--fresh``), is moved to a dated folder ``out.parquet.backup-<UTC time>/``
  with a one-line :class:`SetAsideWarning`; nothing finished is deleted.

A (point, replication) that raised has no rows, so it is never stored as done:
the finished file lists it in its metadata (``read_meta(out)["failures"]``:
point, parameter values, replication, seed and error) and the next run of the
same sweep computes exactly those pairs again.

One file convention for everything simkit writes (``run --out``, ``sweep
--out``, the tables beside the charts): the provenance — seed, simkit version,
scenario name and SHA-256, replications, failures, when it was written — is
stored one way.  A parquet file holds it as JSON under the schema-metadata key
``simkit`` and the same JSON as the frame's pandas ``attrs`` (so
``pd.read_parquet(f).attrs`` shows it too); a CSV file has a sidecar
``FILE.csv.meta.json``.  :func:`read` returns ``(frame, meta)`` for any of them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
import warnings
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from simkit.fileio import OutputPathError, Outputs, check_file_target, check_folder_target, shown, write_text

__all__ = ["SweepStore", "Stored", "SetAsideWarning", "check_parts_folder", "stage_frame", "write_frame", "read",
           "read_meta", "fingerprint"]

_META_KEY = b"simkit"
_ATTRS_KEY = b"PANDAS_ATTRS"  # where pandas keeps DataFrame.attrs in a parquet file
SIDECAR = ".meta.json"
"""A CSV's provenance is in ``FILE.csv`` + this suffix."""


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR)


def _parquet(feature: str = "a .parquet file"):  # noqa: ANN202 - the pyarrow.parquet module
    from simkit.extras import require

    require("pyarrow", feature)
    import pyarrow as pa
    import pyarrow.parquet as pq

    return pa, pq


def fingerprint(payload: dict[str, Any]) -> str:
    """A SHA-256 of a JSON-able description of a sweep."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def stage_frame(out: Outputs, frame: pd.DataFrame, path: str | Path, meta: dict[str, Any] | None = None) -> Path:
    """Add ``frame`` as ``.parquet`` or ``.csv``, with ``meta`` stored by the file convention, to the set ``out``.

    Nothing is written until ``out`` is committed (:class:`simkit.fileio.Outputs`: temp files with
    unpredictable names beside their targets, then renamed all together, or none).  ``meta``
    (JSON-able; see :func:`simkit.experiment.results.stored_meta`) gains ``written``, the UTC time of writing,
    unless it has one; ``meta=None`` stores nothing.  A CSV's sidecar
    is added before the CSV, so a CSV is never without it.
    """
    path = Path(path)
    if path.suffix not in (".parquet", ".csv"):
        raise ValueError(f"cannot write '{path.suffix}' files; use .parquet or .csv")
    if meta is not None:
        meta = {**meta, "written": meta.get("written") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    if path.suffix == ".csv":
        if meta is not None:
            out.add_text(_sidecar(path), json.dumps(meta, indent=2, default=str) + "\n")
        out.add(path, lambda fh: frame.to_csv(fh, index=False))
        return path
    pa, pq = _parquet()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if meta is not None:
        text = json.dumps(meta, default=str).encode()
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), _META_KEY: text, _ATTRS_KEY: text})
    out.add(path, lambda fh: pq.write_table(table, fh))
    return path


def write_frame(frame: pd.DataFrame, path: str | Path, meta: dict[str, Any] | None = None) -> Path:
    """Write ``frame`` (and a CSV's sidecar) safely, all or nothing: :func:`stage_frame` committed at once."""
    with Outputs() as out:
        stage_frame(out, frame, path, meta)
    return Path(path)


def check_parts_folder(parts: Path) -> Path:
    """Refuse a parts folder name taken by a file or a link (:class:`~simkit.fileio.OutputPathError`)."""
    if parts.is_symlink() or (parts.exists() and not parts.is_dir()):
        raise OutputPathError(f"{shown(parts)} (where a sweep keeps its finished parts) is taken by a file or a "
                              "link; move it away or choose another --out")
    return check_folder_target(parts, f"the parts folder of {shown(parts.with_name(parts.name[1:-6]))}")


def read_meta(path: str | Path) -> dict[str, Any]:
    """The provenance stored with a file simkit wrote (``{}`` if none).

    Parquet: the ``simkit`` schema-metadata key (or, for files written before that key was
    used for every file, the pandas ``attrs``).  CSV: the sidecar ``FILE.csv.meta.json``.
    """
    path = Path(path)
    if path.suffix == ".csv":
        side = _sidecar(path)
        return json.loads(side.read_text(encoding="utf-8")) if side.exists() else {}
    _, pq = _parquet()
    stored = pq.read_schema(path).metadata or {}
    raw = stored.get(_META_KEY) or stored.get(_ATTRS_KEY)
    return json.loads(raw) if raw else {}


class SetAsideWarning(UserWarning):
    """Earlier results were moved to a backup folder instead of being overwritten or reused."""


def _backup_dir(out: Path) -> Path:
    """A new dated folder beside ``out`` for results set aside now."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for n in range(1000):
        folder = out.with_name(f"{out.name}.backup-{stamp}" + (f"-{n}" if n else ""))
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
    raise OSError(f"cannot create a backup folder beside {out}")


class Stored(NamedTuple):
    """A file simkit wrote: its ``frame`` and its ``meta`` (provenance); unpacks as ``frame, meta``."""

    frame: pd.DataFrame
    meta: dict[str, Any]


def read(path: str | Path) -> Stored:
    """Read any ``.parquet`` or ``.csv`` file simkit wrote, with its provenance.

    Returns ``(frame, meta)``; ``frame.attrs`` holds ``meta`` as well.  ``meta`` has
    ``simkit_version``, ``seed``, ``scenario``, ``scenario_sha256``, ``replications``,
    ``failures`` and ``written`` (a sweep adds ``design``, ``points``, ``options`` and
    ``sweep_key``).

    Raises
    ------
    ScenarioError
        The path does not exist, is not a regular file, or is not ``.csv`` / ``.parquet``.
    """
    from simkit.errors import ScenarioError

    path = Path(path)
    if path.suffix not in (".parquet", ".csv"):
        raise ScenarioError("path", f"must be a .csv or .parquet file simkit wrote, got {str(path)[:200]!r}",
                            "read")
    if not path.is_file():
        raise ScenarioError("path", f"no such file: {str(path)[:200]!r}", "read")
    meta = read_meta(path)
    if path.suffix == ".csv":
        frame = pd.read_csv(path)
    else:
        _parquet()
        frame = pd.read_parquet(path)
    frame.attrs = dict(meta)
    return Stored(frame, meta)


class SweepStore:
    """Finished rows of sweeps for one output file on disk: stream parts in, read them back, gather them.

    Parameters
    ----------
    out
        The final ``.parquet`` file.
    key
        The sweep's key (:func:`fingerprint` of what decides its numbers besides point, option
        and replication).
    resume
        Reuse finished rows of the same key (default).  ``False`` sets aside any earlier parts of
        this key and the finished file into a dated backup folder first (nothing is deleted).
    """

    def __init__(self, out: str | Path, key: str, resume: bool = True) -> None:
        self.out = Path(out)
        if self.out.suffix != ".parquet":
            raise ValueError(f"a sweep streams to a .parquet file, got {str(out)!r}")
        if self.out.exists() and not self.out.is_file():
            raise ValueError(f"{self.out} exists and is not a regular file; choose another --out")
        self.key = key
        self.root = self.out.with_name(f".{self.out.name}.parts")
        check_file_target(self.out, "out")
        check_parts_folder(self.root)
        self.parts = self.root / key[:16]
        self._count = 0
        self._backup: Path | None = None
        self._resume = resume
        legacy = [f for f in (self.root.iterdir() if self.root.exists() else []) if f.is_file()]
        if legacy:  # parts of an older layout: not this sweep's, and kept
            self._set_aside(legacy, "unfinished parts of another sweep")
        if not resume:
            self._set_aside([f for f in (self.parts, self.out) if f.exists()], "earlier results (fresh start)")
        self.parts.mkdir(parents=True, exist_ok=True)
        write_text(self.parts / "manifest.json", json.dumps({"key": key, "out": self.out.name}))

    def _set_aside(self, paths: list[Path], what: str) -> None:
        """Move ``paths`` into this run's dated backup folder, with a one-line note."""
        if not paths:
            return
        if self._backup is None:
            self._backup = _backup_dir(self.out)
        for path in paths:
            path.replace(self._backup / path.name)
        warnings.warn(f"{self.out}: {what} moved to {self._backup}", SetAsideWarning, stacklevel=3)

    def _stored_key(self) -> str | None:
        """The key of the finished file (``None`` if absent or unreadable)."""
        try:
            return read_meta(self.out).get("sweep_key")
        except (OSError, ValueError, TypeError, AttributeError):  # pyarrow's errors derive from the first two
            return None

    def finished(self) -> pd.DataFrame:
        """Every row already computed with this key (from the finished file and from parts), as stored:
        with each row's parameter values, possibly for points, options and replications not asked for now."""
        frames = []
        if self._resume and self.out.is_file() and self._stored_key() == self.key:
            try:
                frames.append(pd.read_parquet(self.out))
            except (OSError, ValueError):  # pyarrow's errors derive from these
                pass  # an unreadable file is simply recomputed (and set aside before it is replaced)
        for part in sorted(self.parts.glob("part-*.parquet")):
            if not part.is_file():  # a pipe would block the read for ever (and hold back Ctrl+C), a folder fail
                raise ValueError(f"{shown(part.name)} in {shown(self.parts)}: not a regular file, so not a part "
                                 "this sweep wrote; move it away to resume without it, or start afresh (CLI --fresh)")
            try:
                key = read_meta(part).get("sweep_key")
                frame = pd.read_parquet(part)
                frame.attrs = {}  # the part's own provenance, not the rows'
            except (OSError, ValueError, TypeError, AttributeError) as err:  # pyarrow's errors derive from these
                raise ValueError(f"{shown(part.name)} in {shown(self.parts)}: a corrupt part of an unfinished sweep "
                                 f"({type(err).__name__}); move it away to resume without it, or start afresh "
                                 "(CLI --fresh)") from None
            if key != self.key:  # copied in from another sweep (other scenario, seed or levers): never merged
                theirs = f"its key {str(key)[:16]}" if isinstance(key, str) else "it holds no key"
                raise ValueError(f"{shown(part.name)} in {shown(self.parts)}: a part of another sweep ({theirs}, "
                                 f"this sweep's is {self.key[:16]}); move it away to resume without it, or start "
                                 "afresh (CLI --fresh)")
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def add(self, rows: pd.DataFrame) -> None:
        """Write one finished task's rows (with their parameter values) as a new part (atomically)."""
        self._count += 1
        name = f"part-{time.time_ns():020d}-{os.getpid()}-{self._count:06d}.parquet"
        write_frame(rows, self.parts / name, {"sweep_key": self.key})  # checked when read back

    def finish(self, frame: pd.DataFrame, meta: dict[str, Any]) -> Path:
        """Write every finished row of this key to ``out`` and remove this key's parts.

        A finished file of another key, or an unreadable one, is set aside first, never overwritten.
        """
        if self.out.is_file():
            stored = self._stored_key()
            if stored != self.key:
                self._set_aside([self.out], "a finished sweep with other settings" if stored else
                                "an earlier file that is not a readable sweep")
        write_frame(frame, self.out, {**meta, "sweep_key": self.key})
        shutil.rmtree(self.parts, ignore_errors=True)
        try:
            self.root.rmdir()  # only when no other settings' parts are kept there
        except OSError:
            pass
        return self.out
