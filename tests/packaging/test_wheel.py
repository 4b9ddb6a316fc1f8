"""The package as a user installs it: a wheel with only the core dependencies, in a fresh venv, outside the checkout.

Slow (a build, a venv and a core install: ~20-60 s with uv's cache, longer on a cold one); it runs in CI with
every other test.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import ROOT, SCENARIOS
from packaging.version import Version

import simkit as sk
from simkit.extras import EXTRA_OF

pytestmark = pytest.mark.slow

SHIPPED = ("pyproject.toml", "README.md", "LICENSE", "simkit", "scenarios")


def _clean_env() -> dict[str, str]:
    """The environment without anything that points Python at this checkout or this venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=timeout)


def _uv() -> str | None:
    return shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")


@pytest.fixture(scope="module")
def core_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel and the core dependencies only; returns its bin folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # a copy: building must not leave build/ or egg-info in the checkout
    src.mkdir()
    for name in SHIPPED:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, src / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                          if (ROOT / name).is_dir() else {}))
    try:  # the backend already here when it is new enough (no download); else pip fetches it
        offline = Version(importlib.metadata.version("setuptools")) >= Version("77")
    except importlib.metadata.PackageNotFoundError:
        offline = False
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(src)]
    p = _run(build + (["--no-build-isolation"] if offline else []), tmp)
    assert p.returncode == 0, p.stderr[-3000:]
    [wheel] = (tmp / "dist").glob("simkit_sourcing-*.whl")
    env_dir = tmp / "venv"
    if _uv():
        p = _run([_uv(), "venv", "-q", "-p", sys.executable, str(env_dir)], tmp)
        assert p.returncode == 0, p.stderr
        p = _run([_uv(), "pip", "install", "-q", "--python", str(env_dir / "bin" / "python"), str(wheel)], tmp)
    else:
        venv.create(env_dir, with_pip=True)
        p = _run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], tmp)
    assert p.returncode == 0, p.stderr[-3000:]
    return env_dir / "bin"


def test_only_the_core_is_installed(core_install: Path, tmp_path: Path) -> None:
    code = ("import importlib.util, importlib.metadata as m\n"
            f"print([x for x in {sorted(EXTRA_OF)!r} if importlib.util.find_spec(x)])\n"
            "print(m.version('simkit-sourcing'))\n"
            "import simkit\nprint(simkit.__file__)\n")
    p = _run([str(core_install / "python"), "-c", code], tmp_path)
    assert p.returncode == 0, p.stderr
    missing_extras, version, where = p.stdout.splitlines()
    assert missing_extras == "[]" and version == sk.__version__
    assert str(core_install.parent) in where and str(ROOT) not in where  # the wheel, not the checkout


def test_version(core_install: Path, tmp_path: Path) -> None:
    p = _run([str(core_install / "simkit"), "--version"], tmp_path)
    assert p.returncode == 0 and p.stdout.strip() == f"simkit {sk.__version__}", p.stderr


def test_run_a_shipped_example(core_install: Path, tmp_path: Path) -> None:
    p = _run([str(core_install / "simkit"), "run", "startup_it_helpdesk", "-n", "2"], tmp_path)
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].startswith(f"Startup IT helpdesk: 2 replications, seed 2024, 364 days, simkit {sk.__version__}")
    assert any(line.startswith("Total cost (USD)") for line in lines)  # KPIs by plain label and unit
    p = _run([str(core_install / "simkit"), "run", "startup_it_helpdesk", "-n", "2", "--format", "json"], tmp_path)
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert (data["seed"], data["replications"], data["simkit_version"]) == (2024, 2, sk.__version__)
    assert {r["option"] for r in data["rows"]} == {"in_house", "vendor", "hybrid"}
    assert {"cost_total_usd", "lead_time_mean_h", "sla_attainment_share"} <= {r["kpi"] for r in data["rows"]}
    assert any(c["option"] == "vendor" and c["baseline"] == "in_house" for c in data["cost_versus_baseline"])
    assert not list(tmp_path.iterdir())  # nothing written without --out


def test_examples_ship_with_the_wheel(core_install: Path, tmp_path: Path) -> None:
    code = "import simkit as sk\nprint(' '.join(sk.examples().index))\n"
    p = _run([str(core_install / "python"), "-c", code], tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == sorted(f.stem for f in SCENARIOS.glob("*.yaml"))


@pytest.mark.parametrize(("args", "extra"), [
    (["report", "startup_it_helpdesk", "-o", "r.html"], "reports"),
    (["run", "startup_it_helpdesk", "-n", "1", "--charts", "charts"], "charts"),
])
def test_a_missing_extra_is_one_line(core_install: Path, tmp_path: Path, args: list[str], extra: str) -> None:
    p = _run([str(core_install / "simkit"), *args], tmp_path)
    assert p.returncode == 2
    assert p.stderr.endswith(f"needs the '{extra}' extra: pip install \"simkit-sourcing[{extra}]\"\n")
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert not list(tmp_path.iterdir())
