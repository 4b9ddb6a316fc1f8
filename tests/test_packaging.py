"""environment.yml lists the same dependencies as pyproject.toml; the layout is complete."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import ROOT
from packaging.requirements import Requirement

CONDA_TO_PYPI = {"matplotlib-base": "matplotlib", "salib": "salib"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for items in meta["optional-dependencies"].values():
        reqs += [r for r in items if not r.startswith("simkit[")]
    out = {}
    for r in map(Requirement, reqs):
        out[_norm(r.name)] = str(r.specifier)
    return out


def _environment() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if not isinstance(dep, str):
            continue
        m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", dep)
        name, spec = m.group(1), m.group(2).replace(" ", "")
        if name in ("python", "pip"):
            continue
        out[_norm(CONDA_TO_PYPI.get(name, name))] = spec
    return out


def test_environment_yml_matches_pyproject() -> None:
    py, env = _pyproject(), _environment()
    assert set(py) == set(env), (f"only in pyproject: {set(py) - set(env)}; "
                                 f"only in environment.yml: {set(env) - set(py)}")
    for name, spec in py.items():
        assert spec == env[name], f"{name}: pyproject {spec!r} vs environment.yml {env[name]!r}"


def test_python_version_agrees() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert f"python{meta['requires-python']}" in env["dependencies"]


def test_required_layout_exists() -> None:
    for path in ("simkit", "scenarios", "notebooks", "tests", "benchmarks", "environment.yml", "README.md",
                 "pyproject.toml", "Makefile", ".ci/run"):
        assert (ROOT / path).exists(), path
