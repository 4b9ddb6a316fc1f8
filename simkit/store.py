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
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pandas as pd

from .fileio import OutputPathError, check_file_target, check_folder_target, shown, write_file, write_text

__all__ = ["SweepStore", "check_parts_folder", "write_frame", "read_meta", "fingerprint"]

_META_KEY = b"simkit"


def fingerprint(payload: dict[str, Any]) -> str:
    """A SHA-256 of a JSON-able description of a sweep."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def write_frame(frame: pd.DataFrame, path: Path, meta: dict[str, Any] | None = None) -> Path:
    """Write ``frame`` to ``.parquet`` (with ``meta`` in the file's metadata) or ``.csv``, atomically."""
    path = Path(path)
    if path.suffix not in (".parquet", ".csv"):
        raise ValueError(f"cannot write '{path.suffix}' files; use .parquet or .csv")
    if path.suffix == ".csv":
        write_file(path, lambda fh: frame.to_csv(fh, index=False))
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        extra = {_META_KEY: json.dumps(meta or {}, default=str).encode()}
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **extra})
        write_file(path, lambda fh: pq.write_table(table, fh))
    return path


def check_parts_folder(parts: Path) -> Path:
    """Refuse a parts folder name taken by a file or a link (:class:`~simkit.fileio.OutputPathError`)."""
    if parts.is_symlink() or (parts.exists() and not parts.is_dir()):
        raise OutputPathError(f"{shown(parts)} (where a sweep keeps its finished parts) is taken by a file or a "
                              "link; move it away or choose another --out")
    return check_folder_target(parts, f"the parts folder of {shown(parts.with_name(parts.name[1:-6]))}")


def read_meta(path: Path) -> dict[str, Any]:
    """The simkit metadata stored in a parquet file by :func:`write_frame` (``{}`` if none)."""
    import pyarrow.parquet as pq

    raw = (pq.read_schema(path).metadata or {}).get(_META_KEY)
    return json.loads(raw) if raw else {}


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
        check_file_target(self.out, "out")
        check_parts_folder(self.parts)
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
        write_text(manifest, json.dumps({"key": key, "out": self.out.name}))
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
