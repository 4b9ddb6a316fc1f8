"""The benchmark suite runs end to end on tiny sizes, and its yardsticks are right.

Speed is not asserted (a shared CI machine is too noisy for that); what is
asserted is that every benchmark ran and wrote its row, that the results file
is valid JSON written atomically, and that the references the engine is
measured against compute the right thing: fed one trace, simkit, idiomatic
SimPy, Ciw and the heapq loop give the same wait to every item, and that wait
agrees with Erlang C.
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest
from conftest import ROOT

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.cases import erlang_preview, mmc_scenario  # noqa: E402
from benchmarks.harness import write_json_atomic  # noqa: E402
from benchmarks.reference import heapq_mmc  # noqa: E402
from benchmarks.reference.mmc import MMCProblem, wait_stats  # noqa: E402
from benchmarks.run import BENCHMARK_KEYS, cli, main  # noqa: E402
from simkit import analytic  # noqa: E402
from simkit.experiment.simulate import draw_trace  # noqa: E402
from simkit.streams import Streams  # noqa: E402


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict, list[str]]:
    folder = tmp_path_factory.mktemp("bench")
    out = folder / "quick.json"
    returned = main(quick=True, out=out, show=False)
    return returned, json.loads(out.read_text()), sorted(p.name for p in folder.iterdir())


def test_quick_run_writes_every_benchmark(quick: tuple[dict, dict, list[str]]) -> None:
    returned, data, files = quick
    assert files == ["quick.json"], "a temporary file was left behind"
    assert data == json.loads(json.dumps(returned))
    assert data["quick"] is True
    assert [row["key"] for row in data["benchmarks"]] == list(BENCHMARK_KEYS)
    for row in data["benchmarks"]:
        assert math.isfinite(row["value"]) and row["value"] > 0, row["key"]
        assert isinstance(row["met"], bool) and row["target_op"] in (">=", "<=")
        if row["target_on"] == "ratio":
            assert row["reference"] > 0 and row["ratio"] == pytest.approx(_ratio(row)), row["key"]
    for key in ("cpu_model", "cores", "python", "numpy", "simpy", "ciw", "date_utc"):
        assert data["machine"][key], key


def _ratio(row: dict) -> float:
    faster_is_more = row["unit"].endswith("/s")
    return row["value"] / row["reference"] if faster_is_more else row["reference"] / row["value"]


def test_every_implementation_agrees_with_erlang_c_item_by_item(quick: tuple[dict, dict, list[str]]) -> None:
    mmc = quick[1]["agreement"]["mmc"]
    impls = mmc["implementations"]
    assert set(impls) == {"simkit", "simpy", "simpy_callbacks", "ciw", "heapq"}
    for name, s in impls.items():
        # the same trace gives the same wait to every item, whatever the formulation
        assert s["max_abs_diff_vs_simkit_h"] < 1e-9, name
        assert s["items"] == impls["simkit"]["items"] > 10_000
        # and the waits are M/M/c waits: within 3 standard errors of Erlang C (a fixed seed)
        erlang = mmc["erlang_c_wait_mean_h"]
        assert abs(s["z_score"]) < 3.0, f"{name}: Wq {s['wait_mean_h']:.4f} vs Erlang C {erlang:.4f}"
        assert s["waited_share"] == pytest.approx(mmc["erlang_c_p_wait"], abs=0.03), name


def test_repricing_reproduces_resimulation_and_workers_do_not_change_results(quick) -> None:
    rows = {row["key"]: row for row in quick[1]["benchmarks"]}
    assert rows["reprice_sweep"]["details"]["identical_kpis"] is True
    assert rows["replications_2_vs_1"]["details"]["identical_kpis"] is True
    assert rows["log_memory"]["details"]["items"] > 1000


def test_erlang_check_catches_a_wrong_queue() -> None:
    """The yardstick can fail: 19 servers where Erlang C assumes 20 is outside the interval."""
    problem = MMCProblem(warmup_items=2_000, measured_items=20_000)
    trace = draw_trace(mmc_scenario(problem), Streams(1, 0))
    args = (problem.warmup_h, problem.horizon_h)
    right = wait_stats(heapq_mmc.run(trace.arrival_h, trace.effort_h, 20, *args), problem)
    wrong = wait_stats(heapq_mmc.run(trace.arrival_h, trace.effort_h, 19, *args), problem)
    assert right.agrees and abs(right.waited_share - problem.erlang_c_p_wait) < 0.03
    assert not wrong.agrees and wrong.waited_share - problem.erlang_c_p_wait > 0.1


def test_preview_is_erlang_c_on_an_mmc_scenario() -> None:
    problem = MMCProblem()
    p = erlang_preview(mmc_scenario(problem))
    assert p["utilisation_share"] == pytest.approx(0.9)
    assert p["p_wait_share"] == pytest.approx(analytic.erlang_c(20, 18.0))
    assert p["wait_mean_h"] == pytest.approx(analytic.mmc_wait_mean_h(20, 18.0, 1.0))


def test_results_are_written_atomically(tmp_path) -> None:
    path = tmp_path / "r.json"
    write_json_atomic(path, {"a": 1})
    with pytest.raises(ValueError):
        write_json_atomic(path, {"a": np.nan})  # not valid JSON: the old file must survive intact
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_cli_refuses_a_directory_as_output(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(["--quick", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a directory" in err
