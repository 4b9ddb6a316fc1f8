"""What keeps start-up and big runs quick must not change a number: the kernel loaded ahead in a thread, a run
that never loads numba, a sweep's design read row by row, the schema built once with its facts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import mmc_dict, scenario_from
from pandas.testing import assert_frame_equal
from pydantic import ValidationError

import simkit as sk
from simkit.engine import compiled
from simkit.experiment import simulate as simulate_module
from simkit.experiment import sweep as sweep_module
from simkit.experiment.design import Lever, design_points

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def small() -> sk.Scenario:
    data = mmc_dict(1, 0.8, horizon_days=10, warmup_days=0, vendor={"vendor": "acme"})
    data["vendors"] = {"acme": {"agents": 2, "price_per_item": 20.0, "transition_cost": 100.0}}
    return scenario_from(data)


def _fresh(code: str, **env: str) -> str:
    """``code`` run by a new interpreter on this tree; its stdout."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True,
                          timeout=600, cwd=ROOT).stdout


def test_import_simkit_loads_neither_numba_nor_scipy_nor_matplotlib() -> None:
    out = _fresh("import sys, simkit; print(sorted(m for m in ('numba', 'scipy', 'matplotlib') if m in sys.modules))")
    assert out.strip() == "[]"


def test_a_run_on_the_fast_kernel_never_loads_numba() -> None:
    code = ("import sys, simkit as sk\n"
            "sc = sk.load('startup_it_helpdesk').override({'run.horizon_days': 20})\n"
            "sk.simulate(sc, replications=1, seed=3, executor=None, progress=False)\n"
            "print('numba' in sys.modules)")
    assert _fresh(code, SIMKIT_KERNEL="fast").strip() == "False"


def test_kernel_is_loaded_ahead_only_when_an_option_will_run_on_it(small: sk.Scenario,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(compiled.ENV_VAR, "fast")
    assert not compiled.will_run(small, small.option_names)
    assert simulate_module._preload_kernel(small, small.option_names) is None
    monkeypatch.setenv(compiled.ENV_VAR, "auto")
    assert compiled.will_run(small, small.option_names) == compiled.available()


def test_a_failing_load_is_left_for_the_run_to_report(small: sk.Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise ImportError("no numba here")

    monkeypatch.setattr(compiled, "will_run", lambda scenario, options: True)
    monkeypatch.setattr(compiled, "preload", broken)
    thread = simulate_module._preload_kernel(small, small.option_names)
    assert thread is not None
    thread.join()  # no exception escapes the thread


@pytest.mark.skipif(not compiled.available(), reason="numba (the fast extra) is not installed")
def test_a_run_split_by_option_with_the_kernel_loaded_ahead_equals_one_in_this_process(small: sk.Scenario) -> None:
    here = sk.simulate(small, replications=1, seed=11, executor=None, progress=False)
    split = sk.simulate(small, replications=1, seed=11, executor=2, progress=False)  # by option, kernel ahead
    assert_frame_equal(here.kpis, split.kpis)
    assert_frame_equal(here.ledger, split.ledger)


def test_auto_starts_a_pool_up_front_only_for_few_large_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    from simkit.experiment import execution

    monkeypatch.setattr(execution, "cpu_workers", lambda: 2)
    over = execution.AUTO_PARALLEL_S + 0.1
    assert execution.pool_up_front("auto", 3, over) == 3  # three options on two cores: all at once
    assert execution.pool_up_front("auto", 9, over) == 4  # at most two workers per core
    assert execution.pool_up_front("auto", 3, execution.AUTO_PARALLEL_S) == "auto"  # small: time one here first
    assert execution.pool_up_front("auto", 1, over) == "auto"
    assert execution.pool_up_front(None, 3, over) is None  # an executor the caller chose is kept
    assert execution.pool_up_front(2, 3, over) == 2
    monkeypatch.setattr(execution, "cpu_workers", lambda: 1)
    assert execution.pool_up_front("auto", 3, over) == "auto"


def test_a_large_run_split_by_option_goes_to_a_pool_at_once_with_the_same_numbers(
        small: sk.Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run is made to look large (a slow rate guess): ``"auto"`` hands every option to a pool of its own
    size from the start, and the numbers equal a run in this process."""
    here = sk.simulate(small, replications=1, seed=11, executor=None, progress=False)
    seen: list = []
    real = simulate_module.run_tasks
    monkeypatch.setattr(simulate_module, "ITEMS_PER_S_COMPILED", 1.0)
    monkeypatch.setattr(simulate_module, "ITEMS_PER_S_PYTHON", 1.0)
    from simkit.experiment import execution

    monkeypatch.setattr(execution, "cpu_workers", lambda: 2)

    def spy(fn, tasks, executor, *rest):  # noqa: ANN001, ANN202
        seen.append(executor)
        return real(fn, tasks, executor, *rest)

    monkeypatch.setattr(simulate_module, "run_tasks", spy)
    auto = sk.simulate(small, replications=1, seed=11, executor="auto", progress=False)
    assert seen == [len(small.option_names)]
    assert_frame_equal(here.kpis, auto.kpis)
    assert_frame_equal(here.ledger, auto.ledger)


def test_sweep_reads_each_design_row_as_iterrows_does(small: sk.Scenario) -> None:
    """A grid of a whole-number lever and a money lever: the row values (upcast to a common type, as
    ``iterrows`` gives them) and so the engine groups and point scenarios are the same."""
    pts = design_points(small, [Lever("vendors.acme.price_per_item", 10, 30, 3), Lever("teams.team.staff", 1, 3, 3)])
    groups, sims = sweep_module._engine_groups(small, pts)
    seen = {point: changes for priced in groups.values() for point, _, changes in priced}
    for point, values in pts.iterrows():
        expected = {path: (v.item() if hasattr(v, "item") else v) for path, v in values.items()}
        assert seen[int(point)] == expected
        assert [type(v) for v in seen[int(point)].values()] == [type(v) for v in expected.values()]
    assert len(sims) == 3  # staff is the engine's, the price is not


def test_sweep_results_are_the_same_whatever_the_executor(small: sk.Scenario) -> None:
    levers = [Lever("vendors.acme.price_per_item", 10, 30), Lever("workload.rate_per_hour", 0.6, 0.9)]
    serial = sk.sweep(small, levers, replications=2, seed=5, design="sobol", n=4, executor=None, progress=False)
    pooled = sk.sweep(small, levers, replications=2, seed=5, design="sobol", n=4, executor=2, progress=False)
    assert_frame_equal(serial.frame, pooled.frame)
    assert len(serial.frame) == 4 * (len(levers) + 2) * 2 * len(small.option_names)
    assert np.isfinite(serial.frame.select_dtypes("number").to_numpy()).all()


def test_every_schema_section_carries_its_facts_from_creation() -> None:
    """Nothing is left for the after-the-fact attach (which would rebuild the class): the facts went on as the
    class was created, on every field the registry describes."""
    from simkit.scenario import facts
    from simkit.scenario.mechanisms import _Spec
    from simkit.scenario.model import Scenario  # noqa: F401 - every section created

    sections, todo = [], list(_Spec.__subclasses__())
    while todo:
        cls = todo.pop()
        sections.append(cls)
        todo += cls.__subclasses__()
    assert len(sections) > 20
    described = 0
    for cls in sections:
        entries = facts.registry().get(facts.registry_key(cls), {})
        for name, field in cls.model_fields.items():
            if name in entries:
                got = facts.facts_of(field)
                assert got is not None, f"{cls.__name__}.{name} has no facts"
                assert got["unit"] == str(entries[name].get("unit", ""))
                described += 1
        assert facts.attach(cls) is False, f"{cls.__name__} would be rebuilt"
    assert described > 100


def test_no_schema_section_is_rebuilt_at_import() -> None:
    """Building each section once is what the facts going on at creation buys: count the rebuilds."""
    code = ("import pydantic\n"
            "seen = []\n"
            "original = pydantic.BaseModel.model_rebuild.__func__\n"
            "def counting(cls, *a, **k):\n"
            "    seen.append(cls.__name__)\n"
            "    return original(cls, *a, **k)\n"
            "pydantic.BaseModel.model_rebuild = classmethod(counting)\n"
            "import simkit\n"
            "print(len(seen))")
    assert _fresh(code).strip() == "0"


def test_facts_keep_what_the_field_declared() -> None:
    """A field given as ``Field(...)`` keeps its default and constraints once the facts are on it."""
    from simkit.scenario.mechanisms import OutageSpec

    field = OutageSpec.model_fields["policy"]
    assert field.default == "wait"
    with pytest.raises(ValidationError, match="greater_than"):  # RunSpec.horizon_days = Field(gt=0, ...)
        sk.Scenario.model_validate({**_minimal(), "run": {"horizon_days": -1}})


def _minimal() -> dict:
    return {"name": "x", "workload": {"rate_per_hour": 1, "kinds": {"job": {"share": 1, "effort_h": 1}}}}


def test_numbers_written_as_text_are_still_refused() -> None:
    """The per-field number kind is looked up once per section; the refusal it drives stays."""
    for lookalike in ("10", True):
        with pytest.raises(ValidationError, match="must be a number"):
            sk.Scenario.model_validate({**_minimal(), "run": {"horizon_days": lookalike}})
