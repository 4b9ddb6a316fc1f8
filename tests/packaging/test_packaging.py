"""environment.yml lists the same dependencies as pyproject.toml; the layout is complete."""

from __future__ import annotations

import re
import tomllib

import yaml
from conftest import ROOT
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

CONDA_TO_PYPI = {"matplotlib-base": "matplotlib", "salib": "salib"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for items in meta["optional-dependencies"].values():
        reqs += [r for r in items if Requirement(r).name != meta["name"]]  # extras naming other extras
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
        assert SpecifierSet(spec) == SpecifierSet(env[name]), \
            f"{name}: pyproject {spec!r} vs environment.yml {env[name]!r}"


def test_python_version_agrees() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert f"python{meta['requires-python']}" in env["dependencies"]


def test_required_layout_exists() -> None:
    for path in ("simkit", "scenarios", "notebooks", "tests", "benchmarks", "environment.yml", "README.md",
                 "pyproject.toml", "Makefile", ".ci/run"):
        assert (ROOT / path).exists(), path


def test_every_package_is_listed_and_ships() -> None:
    """The package list is explicit (scenarios/ ships as simkit._examples): a new subpackage must be added."""
    tool = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "simkit").rglob("__init__.py")}
    found |= {"simkit.ui.templates"}  # data only
    listed = set(tool["packages"])
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert tool["package-dir"]["simkit._examples"] == "scenarios"
    assert any((ROOT / "scenarios").glob("*.yaml"))


def test_distribution_metadata() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["name"] == "simkit-sourcing"  # "simkit" on the index is an unrelated package
    assert meta["license"] == "MIT" and "MIT License" in (ROOT / "LICENSE").read_text()
    assert meta["classifiers"] and meta["keywords"]
    extras = meta["optional-dependencies"]
    for name, items in extras.items():  # an extra that names others names existing ones
        for r in map(Requirement, items):
            if r.name == meta["name"]:
                assert r.extras <= set(extras) - {name}, (name, r.extras)
    core = {_norm(Requirement(r).name) for r in meta["dependencies"]}
    assert core == {"simpy", "numpy", "pandas", "pyyaml", "pydantic", "tqdm"}  # load -> simulate -> table


def test_simpy_is_capped_at_the_tested_major() -> None:
    import simpy

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    [spec] = [Requirement(r).specifier for r in meta["dependencies"] if Requirement(r).name == "simpy"]
    assert spec.contains(simpy.__version__)
    assert not spec.contains(f"{int(simpy.__version__.split('.')[0]) + 1}.0")
