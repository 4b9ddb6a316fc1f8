"""Installing like a package: optional extras, shipped examples, one file convention, SimPy internals."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import simpy
from conftest import ROOT, SCENARIOS

import simkit as sk
from simkit.experiment import store
from simkit.experiment.design import parse_vary
from simkit.extras import EXTRA_OF, MissingExtraError, require
from simkit.ui.cli import main

OPTIONAL = sorted(EXTRA_OF)


def _block(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``import <module>`` fail as if it were not installed (and forget simkit modules that imported it)."""
    for name in list(sys.modules):
        if name.split(".")[0] in modules:
            monkeypatch.delitem(sys.modules, name)
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)
    for name in ("simkit.ui.plots", "simkit.ui.widgets", "simkit.ui.report", "simkit.analysis.sensitivity",
                 "simkit.ui.lessons",
                 "simkit.ui.lessons.views"):
        if name in sys.modules:
            monkeypatch.delitem(sys.modules, name)


# --------------------------------------------------------------------------- a missing extra: one line
def test_require_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _block(monkeypatch, "papermill")
    with pytest.raises(MissingExtraError) as err:
        require("papermill", "simkit report")
    assert str(err.value) == 'simkit report needs the \'reports\' extra: pip install "simkit-sourcing[reports]"'
    assert isinstance(err.value, ImportError) and err.value.extra == "reports" and err.value.name == "papermill"


@pytest.mark.parametrize(("module", "extra"), [("simkit.ui.plots", "charts"), ("simkit.ui.widgets", "dashboard"),
                                               ("simkit.analysis.sensitivity", "sensitivity"),
                                               ("simkit.ui.lessons", "charts")])
def test_importing_a_feature_without_its_extra(monkeypatch: pytest.MonkeyPatch, module: str, extra: str) -> None:
    _block(monkeypatch, {"charts": "matplotlib", "dashboard": "ipywidgets", "sensitivity": "scipy"}[extra])
    with pytest.raises(MissingExtraError, match=rf"needs the '{extra}' extra: pip install "
                                                rf"\"simkit-sourcing\[{extra}\]\"$"):
        importlib.import_module(module)


def test_lazy_api_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _block(monkeypatch, "ipywidgets")
    with pytest.raises(ImportError, match=r"simkit.explore needs the 'dashboard' extra"):
        sk.explore  # noqa: B018 - the lazy attribute imports simkit.ui.widgets


def test_a_broken_optional_package_is_not_disguised(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Installed but failing on a dependency of its own: the real error, not 'install the extra'."""
    (tmp_path / "SALib").mkdir()
    (tmp_path / "SALib" / "__init__.py").write_text("import no_such_dependency_of_salib\n")
    _block(monkeypatch)
    for name in [n for n in sys.modules if n.split(".")[0] == "SALib"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError) as err:
        require("SALib", "Sobol indices")
    assert not isinstance(err.value, MissingExtraError) and err.value.name == "no_such_dependency_of_salib"


@pytest.mark.parametrize(("argv", "module", "line"), [
    (["report", "startup_it_helpdesk", "-o", "{tmp}/r.html"], "papermill",
     "simkit report needs the 'reports' extra"),
    (["run", "startup_it_helpdesk", "-n", "1", "--charts", "{tmp}/charts"], "matplotlib",
     "simkit run --charts needs the 'charts' extra"),
    (["run", "startup_it_helpdesk", "-n", "1", "--out", "{tmp}/k.parquet"], "pyarrow",
     "simkit run --out FILE.parquet needs the 'parquet' extra"),
    (["sweep", "startup_it_helpdesk", "--vary", "vendors.msp.price_per_item=20:30:2", "--design", "sobol",
      "-n", "1", "--out", "{tmp}/s.parquet"], "SALib", "simkit sweep --design sobol needs the 'sensitivity' extra"),
])
def test_cli_missing_extra_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture,
                                                  tmp_path: Path, argv: list[str], module: str, line: str) -> None:
    _block(monkeypatch, module)
    code = main([a.replace("{tmp}", str(tmp_path)) for a in argv])
    err = capsys.readouterr().err
    extra = re.search(r"'(\w+)' extra", line).group(1)
    assert code == 2
    assert err == f'error: {line}: pip install "simkit-sourcing[{extra}]"\n'
    assert not list(tmp_path.iterdir())  # nothing ran, nothing written


def test_every_optional_import_goes_through_require() -> None:
    pattern = re.compile(rf"^\s*(?:import|from)\s+({'|'.join(OPTIONAL)})\b", re.M)
    for path in (ROOT / "simkit").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for top in set(pattern.findall(text)):
            assert f'require("{top}' in text, f"{path.relative_to(ROOT)} imports {top} without require()"


def test_core_runs_without_any_extra(tmp_path: Path) -> None:
    """load -> simulate -> table -> CSV with every optional package made unimportable."""
    code = (f"import sys\nfor m in {OPTIONAL!r}: sys.modules[m] = None\n"
            "import simkit as sk\n"
            "sc = sk.load('startup_it_helpdesk').override({'run.horizon_days': 14})\n"
            "res = sk.simulate(sc, replications=3, seed=5, executor=None, progress=False)\n"
            "print(res.table().shape[0] > 5)\n"
            f"frame, meta = sk.read(res.save({str(tmp_path / 'k.csv')!r}))\n"
            "print(meta['seed'], len(frame))\n"
            "loaded = [m for m in sys.modules if m.split('.')[0] in " f"{OPTIONAL!r}" " and sys.modules[m]]\n"
            "print(loaded)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == ["True", f"5 {3 * 3}", "[]"]


# --------------------------------------------------------------------------- shipped examples
def test_examples_list_every_archetype() -> None:
    table = sk.examples()
    assert list(table.index) == sorted(p.stem for p in SCENARIOS.glob("*.yaml"))
    assert table.loc["startup_it_helpdesk", "title"] == "Startup IT helpdesk"
    assert (table["description"].str.len() > 20).all() and not table["description"].str.contains("\n").any()
    shipped = Path(table.loc["startup_it_helpdesk", "path"])  # the file to copy and edit
    assert shipped.read_bytes() == (SCENARIOS / "startup_it_helpdesk.yaml").read_bytes()


def test_load_by_name_is_the_file() -> None:
    by_name = sk.load("startup_it_helpdesk")
    assert by_name.fingerprint() == sk.load(SCENARIOS / "startup_it_helpdesk.yaml").fingerprint()


def test_a_file_wins_over_an_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (SCENARIOS / "startup_it_helpdesk.yaml").read_text(encoding="utf-8")
    (tmp_path / "startup_it_helpdesk").write_text(text.replace("name: Startup IT helpdesk", "name: Mine"))
    monkeypatch.chdir(tmp_path)
    assert sk.load("startup_it_helpdesk").name == "Mine"


@pytest.mark.parametrize(("given", "expected"), [
    ("startup_it_helpdsk", "startup_it_helpdsk: no such file or example; examples: captive_vs_outsourced, "),
    ("startup_it_helpdsk.yaml", "startup_it_helpdsk.yaml: no such file"),
    ("somewhere/startup_it_helpdesk", "somewhere/startup_it_helpdesk: no such file"),
])
def test_unknown_name_lists_the_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str,
                                         expected: str) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(sk.ScenarioError) as err:
        sk.load(given)
    assert str(err.value).startswith(expected)
    assert ("vendor_exit_insourcing" in str(err.value)) == ("examples:" in expected)  # the whole list, or none


def test_cli_runs_an_example_by_name(capsys: pytest.CaptureFixture, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["run", "startup_it_helpdesk", "-n", "2", "--set", "run.horizon_days=14"]) == 0
    assert "Startup IT helpdesk: 2 replications" in capsys.readouterr().out
    assert main(["validate", "no_such_example"]) == 2
    assert "no such file or example; examples: " in capsys.readouterr().err


# --------------------------------------------------------------------------- one file convention
PROVENANCE = {"simkit_version", "seed", "scenario", "scenario_sha256", "replications", "failures", "written"}


@pytest.fixture(scope="module")
def results(small_helpdesk: sk.Scenario) -> sk.Results:
    return sk.simulate(small_helpdesk.override({"run.horizon_days": 14}), replications=3, seed=11,
                       executor=None, progress=False)


def _check(path: Path, frame: pd.DataFrame, scenario: sk.Scenario, seed: int) -> dict:
    got, meta = sk.read(path)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), frame.reset_index(drop=True), check_dtype=False,
                                  check_exact=False, rtol=1e-12)
    assert PROVENANCE <= set(meta), PROVENANCE - set(meta)
    assert meta["seed"] == str(seed) and meta["simkit_version"] == sk.__version__
    assert meta["scenario_sha256"] == scenario.fingerprint() and meta["scenario"] == scenario.name
    assert got.attrs == meta and store.read_meta(path) == meta
    return meta


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_run_files_round_trip(results: sk.Results, tmp_path: Path, suffix: str) -> None:
    path = results.save(tmp_path / f"kpis{suffix}")
    meta = _check(path, results.kpis, results.scenario, 11)
    assert meta["replications"] == "3" and meta["failures"] == []
    if suffix == ".parquet":  # the same provenance under the simkit key and as pandas attrs
        assert pd.read_parquet(path).attrs == meta
    else:
        assert (tmp_path / "kpis.csv.meta.json").is_file()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_sweep_files_round_trip(small_helpdesk: sk.Scenario, tmp_path: Path, suffix: str) -> None:
    sc = small_helpdesk.override({"run.horizon_days": 14})
    out = tmp_path / "sweep.parquet"
    res = sk.sweep(sc, [parse_vary("vendors.msp.price_per_item=20:30:2")], 2, 5, executor=None, progress=False,
                   out=out)
    path = out if suffix == ".parquet" else res.save(tmp_path / "sweep.csv")
    meta = _check(path, res.frame, sc, 5)
    assert meta["replications"] == "2" and meta["design"] == "grid" and meta["points"] == "2"
    if suffix == ".parquet":
        assert meta["sweep_key"] and pd.read_parquet(path).attrs == meta


def test_cli_tables_beside_the_charts_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    pytest.importorskip("matplotlib")
    charts = tmp_path / "charts"
    assert main(["run", str(SCENARIOS / "startup_it_helpdesk.yaml"), "-n", "2", "--seed", "9",
                 "--set", "run.horizon_days=14", "--out", str(tmp_path / "k.csv"), "--charts", str(charts)]) == 0
    capsys.readouterr()
    metas = [sk.read(p).meta for p in (tmp_path / "k.csv", charts / "summary.csv", charts / "ledger.csv")]
    for meta in metas:
        assert PROVENANCE <= set(meta) and meta["seed"] == "9"
    assert {m["scenario_sha256"] for m in metas} == {metas[0]["scenario_sha256"]}
    assert not list(tmp_path.rglob(".*tmp*"))


@pytest.mark.parametrize("name", ["missing.csv", "kpis.txt", "folder.parquet"])
def test_read_refuses_what_is_not_a_simkit_file(tmp_path: Path, name: str) -> None:
    (tmp_path / "folder.parquet").mkdir()
    (tmp_path / "kpis.txt").write_text("x\n")
    with pytest.raises(sk.ScenarioError, match=r"^read: path: "):
        sk.read(tmp_path / name)


# --------------------------------------------------------------------------- SimPy internals the loop uses
SIMKIT_OWN = {"slot", "pop", "fire", "ok", "value"}  # loop.py's own: the arrival slot, and _Call's fields


def _engine_private_names() -> set[str]:
    """Private attributes the engine reads on SimPy objects: ``env._x`` anywhere, ``self._x`` in loop.py."""
    names = set()
    for path in (ROOT / "simkit" / "engine").glob("*.py"):
        names |= set(re.findall(r"\benv\._([a-z]\w*)", path.read_text(encoding="utf-8")))
    names |= set(re.findall(r"\bself\._([a-z]\w*)", (ROOT / "simkit" / "engine" / "loop.py").read_text()))
    return names - SIMKIT_OWN


def test_every_simpy_internal_the_engine_uses_exists() -> None:
    """The fast loop reads SimPy's private heap; a SimPy that renamed any of this must fail here."""
    from simkit.engine import loop

    env = simpy.Environment()
    used = _engine_private_names()
    assert {"queue", "now", "eid"} <= used  # the grep still sees what the loop is known to use
    for name in used:
        assert hasattr(env, f"_{name}"), f"simpy.Environment has no _{name} (used by simkit/engine)"
    assert isinstance(env._queue, list) and isinstance(env._now, int | float)
    assert isinstance(next(env._eid), int)  # an itertools.count
    assert loop.NORMAL == simpy.events.NORMAL and simpy.core.EmptySchedule
    ev = env.event()
    ev.succeed(1)
    assert ev._ok is True and ev._value == 1 and isinstance(ev.callbacks, list)
    bad = env.event()
    bad.fail(ValueError("x"))
    bad.defused = True
    assert hasattr(bad, "_defused")  # what loop._process checks
    # SimPy's own step() processes an entry shaped as call_later pushes it: (time, priority, id, event)
    seen = []
    base = loop.Environment()
    base.call_later(2.5, seen.append, "a")
    base.run(until=3)
    assert seen == ["a"] and base.now == 3


def test_every_public_name_comes_from_this_package() -> None:
    """Each name in ``simkit.__all__`` resolves (lazy ones included) to code inside this package's folder."""
    import importlib
    import sys as _sys
    from pathlib import Path as _Path

    root = _Path(sk.__file__).resolve().parent
    from simkit.extras import MissingExtraError

    for name in sk.__all__:
        try:
            obj = getattr(sk, name)
        except MissingExtraError:  # a lazy name whose extra is not installed here (the lowest-versions run)
            continue
        module = getattr(obj, "__module__", None)
        if module is None:  # a plain value such as __version__
            continue
        source = _Path(importlib.import_module(module).__file__).resolve()
        assert root in source.parents, f"sk.{name} comes from {source}, outside {root}"
        assert module in _sys.modules
