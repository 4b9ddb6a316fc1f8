"""The ``simkit`` command catches Ctrl+C and SIGTERM from its first line: a signal while it is still importing
is one line and exit 128 + the signal's number, never a traceback, and nothing is written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELPDESK = str(ROOT / "scenarios" / "startup_it_helpdesk.yaml")
# After the interpreter's own start (its site imports: ~0.05 s), through the command line's heavy imports
# (pydantic's schema, pandas: about a second), into the run itself.
DELAYS_S = (0.15, 0.3, 0.5, 0.8, 1.2, 2.0)


def _interrupt(tmp_path: Path, delay_s: float, signum: int) -> tuple[int, str, Path]:
    out = tmp_path / f"k{delay_s}.csv"
    out.write_bytes(b"previous result\n")
    proc = subprocess.Popen([sys.executable, "-m", "simkit", "run", HELPDESK, "-n", "400", "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            env={**os.environ, "PYTHONPATH": str(ROOT), "SIMKIT_PROGRESS": "0"})
    time.sleep(delay_s)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=300)
    return proc.returncode, err, out


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_at_any_moment_of_the_start_is_one_line(tmp_path: Path, signum: int) -> None:
    name = signal.Signals(signum).name
    starting = 0
    for delay in DELAYS_S:
        code, err, out = _interrupt(tmp_path, delay, signum)
        lines = err.strip().splitlines()
        assert code == 128 + signum, (delay, code, err)
        assert "Traceback" not in err and len(lines) == 1 and lines[0].startswith(f"interrupted ({name}): "), err
        assert out.read_bytes() == b"previous result\n"
        starting += "while starting" in lines[0]
    assert starting >= 1  # the earliest signals came while the command was still importing
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"k{d}.csv" for d in DELAYS_S)  # no temp file


def test_the_launcher_imports_nothing_heavy_before_its_handlers() -> None:
    code = ("import sys, simkit, simkit.ui.launch; "
            "print(sorted(m for m in ('pandas', 'pydantic', 'numpy', 'simkit.ui.cli') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120).stdout
    assert out.strip() == "[]"


def test_the_package_loads_its_names_on_first_use() -> None:
    code = ("import sys, simkit as sk; before = 'pandas' in sys.modules; sc = sk.load('startup_it_helpdesk'); "
            "from simkit import simulate, Results; "
            "print(before, sk.Scenario is type(sc), callable(simulate), 'memo' in dir(sk), sk.__version__ != '')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120).stdout
    assert out.split() == ["False", "True", "True", "True", "True"]
