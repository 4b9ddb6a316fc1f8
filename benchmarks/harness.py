"""Measuring fairly on a shared, noisy machine: alternation, medians, machine facts, atomic output.

Two-core cloud machines are shared: another process can take a core for a few
seconds at any time.  Timing side A for a minute and then side B for a minute
lets such a burst land on one side only.  :func:`alternate` therefore runs the
sides in turn — A, B, C, then B, C, A, ... — so that every side sees the same
weather, and reports the **median** of the repeats, which ignores a burst that
the mean would absorb.  Ratios of medians are what to quote; absolute speeds
drift with the machine.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from statistics import median
from typing import Any

__all__ = ["Row", "Timed", "alternate", "time_once", "machine_info", "write_json_atomic"]


@dataclass
class Timed:
    """Wall-clock seconds of every repeat of one side, and the value its last repeat returned."""

    seconds: list[float] = field(default_factory=list)
    result: Any = None

    @property
    def median_s(self) -> float:
        return median(self.seconds)

    def rate(self, work: float) -> float:
        """``work`` units per second at the median time (e.g. items per second)."""
        return work / self.median_s


def time_once(fn: Callable[[], Any], collect: bool = True) -> tuple[float, Any]:
    """Seconds one call of ``fn`` takes, and its result.

    With ``collect``, garbage left by earlier runs is collected first (untimed),
    so that no side pays for another side's garbage.
    """
    if collect:
        gc.collect()
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def alternate(sides: Mapping[str, Callable[[], Any]], repeats: int, collect: bool = True) -> dict[str, Timed]:
    """Run every side ``repeats`` times in rotating order; time each call.

    Parameters
    ----------
    sides
        Name -> zero-argument callable doing one complete measured run.
    repeats
        How many times each side runs; quote the median.
    collect
        Collect garbage before each call (off for calls of a millisecond, where
        a collection would take longer than the call; then it runs once, before the first call).
    """
    names = list(sides)
    out = {name: Timed() for name in names}
    if not collect:
        gc.collect()
    for r in range(repeats):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            seconds, result = time_once(sides[name], collect)
            out[name].seconds.append(seconds)
            out[name].result = result
    return out


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on: CPU, cores, load, Python and library versions, date."""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "load_average_1_5_15": load,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "numpy": _version("numpy"),
        "simpy": _version("simpy"),
        "ciw": _version("ciw"),
        "pandas": _version("pandas"),
        "simkit": _version("simkit"),
        "date_utc": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def write_json_atomic(path: str | Path, data: Any) -> Path:
    """Write ``data`` as JSON so that ``path`` is either the old file or the complete new one.

    The text goes to a temporary file in the same directory, is flushed to disk,
    and then replaces ``path`` in one rename.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, allow_nan=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes the file private; results are for everyone to read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@dataclass
class Row:
    """One line of the results table: what simkit measured, against what, and the target.

    ``target_on`` says whether the target applies to the ``ratio`` (simkit
    against its reference) or to simkit's own ``value``; ``target_op`` is
    ``">="`` or ``"<="``.
    """

    key: str
    title: str
    unit: str
    value: float
    target: float
    target_op: str = ">="
    target_on: str = "ratio"
    reference: float | None = None
    reference_label: str | None = None
    ratio: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def met(self) -> bool:
        x = self.ratio if self.target_on == "ratio" else self.value
        if x is None:
            return False
        return x >= self.target if self.target_op == ">=" else x <= self.target

    @property
    def target_text(self) -> str:
        unit = "x" if self.target_on == "ratio" else f" {self.unit}"
        return f"{self.target_op} {self.target:g}{unit}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "title": self.title, "unit": self.unit, "value": self.value,
            "reference": self.reference, "reference_label": self.reference_label, "ratio": self.ratio,
            "target": self.target, "target_op": self.target_op, "target_on": self.target_on,
            "target_text": self.target_text, "met": self.met, "details": self.details,
        }
