"""The documentation site: its generated reference pages agree with the code, and it builds offline."""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT

import simkit as sk
from simkit.accounting.kpi import kpi_columns


def _generator():  # noqa: ANN202 - the module tools/docs_reference.py
    spec = importlib.util.spec_from_file_location("docs_reference", ROOT / "tools" / "docs_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _config() -> dict:
    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("tag:", lambda *_: None)
    return yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506


def _nav_pages(nav: list) -> list[str]:
    pages = []
    for entry in nav:
        value = next(iter(entry.values())) if isinstance(entry, dict) else entry
        pages += _nav_pages(value) if isinstance(value, list) else [value]
    return pages


def test_the_field_reference_lists_every_schema_field() -> None:
    page = _generator().fields_page()
    for name in ("horizon_days", "price_per_item", "time_between_h", "patience_h", "asset_specificity"):
        assert re.search(rf"^\| `{name}` \|", page, re.M), name
    rows = re.findall(r"^\| `(\w+)` \| `[^|]+` \| [^|]+ \| ([^|]*) \| ([^|]*) \| ([^|]*) \|$", page, re.M)
    assert len(rows) > 100
    assert all(meaning.strip() for *_, meaning in rows)  # every field joined with its README row
    run = page.split("## `run`", 1)[1].split("\n## ", 1)[0]
    assert f"| `{sk.Scenario.model_fields['run'].default.horizon_days!r}` |" in run  # defaults come from the code


def test_the_kpi_reference_follows_the_kpi_module() -> None:
    page = _generator().kpis_page()
    listed = re.findall(r"^\| `([^`]+)` \|", page, re.M)
    assert listed == kpi_columns("<cur>")
    assert re.search(r"^\| `sla_attainment_share` \| timeliness \| share \| higher \|", page, re.M)
    assert re.search(r"^\| `team_utilisation_share` \| volume \| share \| neither \|", page, re.M)


def test_drift_between_the_field_registry_and_the_schema_stops_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    from simkit.scenario import fields

    gen = _generator()
    registry = {k: dict(v) for k, v in fields._registry().items()}
    registry["RunSpec"]["horizon_dayz"] = registry["RunSpec"].pop("horizon_days")
    monkeypatch.setattr(fields, "_registry", lambda: registry)
    with pytest.raises(gen.ReferenceDrift, match=r"run: horizon_days has no entry.*horizon_dayz: in fields.yaml"):
        gen.fields_page()


def test_the_site_needs_no_network_and_every_page_exists() -> None:
    config = _config()
    assert config["strict"] is True
    assert config["theme"]["font"] is False  # no web fonts fetched at build or view time
    names = [p if isinstance(p, str) else next(iter(p)) for p in config["plugins"]]
    assert set(names) <= {"search", "mkdocstrings"}  # no social cards or other fetching plugins
    for page in _nav_pages(config["nav"]):
        generated = page in ("reference/fields.md", "reference/kpis.md")
        assert generated or (ROOT / "docs" / page).is_file(), page
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "docs/reference/fields.md" in ignored and "docs/reference/kpis.md" in ignored


@pytest.mark.skipif(shutil.which("mkdocs") is None and not (Path(sys.executable).parent / "mkdocs").exists(),
                    reason="the docs extra is not installed")
def test_the_site_builds_with_warnings_as_errors(tmp_path: Path) -> None:
    mkdocs = shutil.which("mkdocs") or str(Path(sys.executable).parent / "mkdocs")
    p = subprocess.run([mkdocs, "build", "--strict", "--quiet", "--site-dir", str(tmp_path / "site")], cwd=ROOT,
                       capture_output=True, text=True, timeout=600, env={"NO_MKDOCS_2_WARNING": "1",
                                                                         "PATH": "/usr/bin:/bin",
                                                                         "PYTHONPATH": str(ROOT)})
    assert p.returncode == 0, p.stderr[-3000:]
    api = (tmp_path / "site" / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    assert "Paired differences" in api and "simulate_to_precision" in api  # docstrings were rendered
    assert "fonts.googleapis" not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- the documented examples
#: The pages whose code a newcomer copies: the README, the tutorial and the how-to guides.
EXAMPLE_PAGES = ["README.md", "scenarios/README.md", "docs/tutorial.md",
                 *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs" / "how-to").glob("*.md"))]
#: Commands whose first argument is a scenario (a file or a shipped example's name).
_SCENARIO_COMMANDS = ("run", "compare", "sweep", "report", "validate", "drill", "memo", "sensitivity")


def _blocks(page: str, language: str) -> list[str]:
    text = (ROOT / page).read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.S | re.M)


def _scenarios_named(page: str) -> list[str]:
    """Scenario arguments written literally in a page's code: ``sk.load("x")``, ``simkit run x ...``."""
    named = []
    for block in _blocks(page, "python"):
        for node in ast.walk(ast.parse(block)):
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in
                    ("load", "explore", "memo", "report") and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                named.append(node.args[0].value)
    for block in _blocks(page, "bash"):
        for line in block.splitlines():
            words = line.split()
            if len(words) > 2 and words[0] == "simkit" and words[1] in _SCENARIO_COMMANDS and words[2].islower():
                named.append(words[2])
    return named


@pytest.mark.parametrize("page", EXAMPLE_PAGES)
def test_every_python_example_parses(page: str) -> None:
    for block in _blocks(page, "python"):
        ast.parse(block)  # a SyntaxError names the page's broken block


@pytest.mark.parametrize("page", EXAMPLE_PAGES)
def test_every_scenario_an_example_names_loads_outside_a_checkout(page: str, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader who installed the package runs the examples in a folder of their own: "scenarios/x.yaml" is
    missing there, the shipped example's name is not."""
    monkeypatch.chdir(tmp_path)
    written = {"my_case.yaml"}  # written by the page itself before it is used (docs/how-to/scenario.md)
    for name in _scenarios_named(page):
        if name not in written:
            sk.load(name)


def _run_page(page: str, cwd: Path) -> subprocess.CompletedProcess:
    """Every python block of ``page`` in order, in one namespace (as cells of one notebook), in ``cwd``."""
    blocks = _blocks(page, "python")
    script = "\n".join(["import matplotlib", "matplotlib.use('Agg')", *blocks,
                        "print('option_names', sc.option_names)"])
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=900,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "SIMKIT_PROGRESS": "0",
                               "HOME": str(cwd), "MPLCONFIGDIR": str(cwd)})


@pytest.mark.slow
@pytest.mark.parametrize("page", ["docs/tutorial.md", "README.md"])
def test_the_tutorial_and_the_readme_run_as_written_in_an_empty_folder(page: str, tmp_path: Path) -> None:
    p = _run_page(page, tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    # what the tutorial's first block says it shows
    assert "option_names ['in_house', 'vendor', 'hybrid']" in p.stdout
    if page == "README.md":  # frame, meta = sk.read(res.save("out/kpis.parquet"))
        frame, meta = sk.read(tmp_path / "out" / "kpis.parquet")
        # (values other than lists and mappings are stored as text, as the README's "Files" says)
        assert (meta["seed"], meta["replications"], len(frame)) == ("42", "30", 3 * 30)
