"""Streaming sweep results to parquet, and resuming an interrupted sweep.

A long sweep should survive Ctrl+C, a closed laptop or a killed job.  While a
sweep for ``out.parquet`` runs, every finished task is written at once to its
own small file in the folder ``.out.parquet.parts/`` next to it (each written to
a temporary name and renamed, so no file is ever half-written), beside a
``manifest.json`` holding the sweep's *fingerprint*: the scenario, the points,
the seed, the options and the simkit version.  When the sweep completes, the
parts are gathered into ``out.parquet`` (again via a temporary file) and the
folder is removed.

Running the same sweep again reads the finished rows — from the parts of an
interrupted run, or from a finished ``out.parquet`` — and computes only the
(point, replication) pairs that are missing.  The fingerprint leaves out the
number of replications, so asking for more replications later computes only
the new ones.  A stale folder from a *different* sweep is refused rather than
mixed in.

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
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

__all__ = ["SweepStore", "Stored", "write_frame", "read", "read_meta", "fingerprint"]

_META_KEY = b"simkit"
_ATTRS_KEY = b"PANDAS_ATTRS"  # where pandas keeps DataFrame.attrs in a parquet file
SIDECAR = ".meta.json"
"""A CSV's provenance is in ``FILE.csv`` + this suffix."""


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR)


def _parquet(feature: str = "a .parquet file"):  # noqa: ANN202 - the pyarrow.parquet module
    from .extras import require

    require("pyarrow", feature)
    import pyarrow as pa
    import pyarrow.parquet as pq

    return pa, pq


def fingerprint(payload: dict[str, Any]) -> str:
    """A SHA-256 of a JSON-able description of a sweep."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def write_frame(frame: pd.DataFrame, path: Path, meta: dict[str, Any] | None = None) -> Path:
    """Write ``frame`` to ``.parquet`` or ``.csv``, atomically, with ``meta`` stored by the file convention.

    ``meta`` (JSON-able; see :func:`simkit.results.stored_meta`) gains ``written``, the UTC time of
    writing, unless it has one.  ``meta=None`` stores nothing (the parts of a running sweep).
    """
    path = Path(path)
    if path.suffix not in (".parquet", ".csv"):
        raise ValueError(f"cannot write '{path.suffix}' files; use .parquet or .csv")
    if meta is not None:
        meta = {**meta, "written": meta.get("written") or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    text = json.dumps(meta, default=str) if meta is not None else None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if path.suffix == ".csv":
            frame.to_csv(tmp, index=False)
        else:
            pa, pq = _parquet()
            table = pa.Table.from_pandas(frame, preserve_index=False)
            extra = {_META_KEY: text.encode(), _ATTRS_KEY: text.encode()} if text is not None else {}
            table = table.replace_schema_metadata({**(table.schema.metadata or {}), **extra})
            pq.write_table(table, tmp)
        if path.suffix == ".csv" and text is not None:  # the sidecar first: a CSV is never without it
            side = _sidecar(path)
            side_tmp = side.with_name(f".{side.name}.{os.getpid()}.tmp")
            try:
                side_tmp.write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
                side_tmp.replace(side)
            finally:
                side_tmp.unlink(missing_ok=True)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


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
    from .scenario import ScenarioError

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
    """Finished rows of one sweep on disk: stream parts in, read them back, gather them at the end.

    Parameters
    ----------
    out
        The final ``.parquet`` file.
    key
        The sweep's fingerprint (:func:`fingerprint`).
    resume
        Reuse finished rows of the same sweep (default).  ``False`` discards any
        earlier parts or file for ``out`` first.
    """

    def __init__(self, out: str | Path, key: str, resume: bool = True) -> None:
        self.out = Path(out)
        if self.out.suffix != ".parquet":
            raise ValueError(f"a sweep streams to a .parquet file, got {str(out)!r}")
        self.key = key
        self.parts = self.out.with_name(f".{self.out.name}.parts")
        self._count = 0
        if not resume:
            shutil.rmtree(self.parts, ignore_errors=True)
        manifest = self.parts / "manifest.json"
        if self.parts.exists():
            stored = None
            if manifest.exists():
                stored = json.loads(manifest.read_text(encoding="utf-8")).get("key")
            if stored != key and (manifest.exists() or any(self.parts.glob("part-*.parquet"))):
                raise ValueError(f"{self.parts} holds an unfinished sweep with different settings; rerun "
                                 "those settings to resume it, or start afresh (resume=False, CLI --fresh)")
        self.parts.mkdir(parents=True, exist_ok=True)
        tmp = self.parts / ".manifest.json.tmp"
        tmp.write_text(json.dumps({"key": key, "out": self.out.name}), encoding="utf-8")
        tmp.replace(manifest)
        self._resume = resume

    def finished(self) -> pd.DataFrame:
        """Every row already computed for this sweep (from parts and from a finished file)."""
        frames = []
        if self._resume and self.out.exists():
            try:
                if read_meta(self.out).get("sweep_key") == self.key:
                    frames.append(pd.read_parquet(self.out))
            except (OSError, ValueError):  # pyarrow's errors derive from these
                pass  # an unreadable file is simply recomputed
        for part in sorted(self.parts.glob("part-*.parquet")):
            frames.append(pd.read_parquet(part))
        if not frames:
            return pd.DataFrame()
        rows = pd.concat(frames, ignore_index=True)
        return rows.drop_duplicates(["point", "option", "replication"], keep="first", ignore_index=True)

    def add(self, rows: pd.DataFrame) -> None:
        """Write one finished task's rows as a new part (atomically)."""
        self._count += 1
        name = f"part-{time.time_ns():020d}-{os.getpid()}-{self._count:06d}.parquet"
        write_frame(rows, self.parts / name)

    def finish(self, frame: pd.DataFrame, meta: dict[str, Any]) -> Path:
        """Write the whole sweep to ``out`` and remove the parts."""
        write_frame(frame, self.out, {**meta, "sweep_key": self.key})
        shutil.rmtree(self.parts, ignore_errors=True)
        return self.out
