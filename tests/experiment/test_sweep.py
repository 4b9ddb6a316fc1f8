"""Sweeps: designs, the tidy frame, re-pricing inside sweeps, streaming to parquet and resume."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS, mmc_dict, scenario_from
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

import simkit as sk
from simkit.experiment import store as sk_store
from simkit.experiment import sweep as sweep_module
from simkit.experiment.design import Lever, design_points, levers_from_dict, load_levers, parse_vary
from simkit.experiment.store import read_meta

HELPDESK = str(SCENARIOS / "startup_it_helpdesk.yaml")
sweep_mod = importlib.import_module("simkit.experiment.sweep")  # the module (simkit.sweep is the function)


@pytest.fixture(scope="module")
def small() -> sk.Scenario:
    """A team against a per-item vendor over 10 days, around the clock (~190 items)."""
    data = mmc_dict(1, 0.8, horizon_days=10, warmup_days=0, vendor={"vendor": "acme"})
    data["vendors"] = {"acme": {"agents": 2, "price_per_item": 20.0, "transition_cost": 100.0}}
    return scenario_from(data)


# --------------------------------------------------------------------------- designs
def test_grid_is_every_combination_and_whole_number_fields_stay_whole(small: sk.Scenario) -> None:
    pts = design_points(
        small, [Lever("vendors.acme.price_per_item", 10, 30, 3), Lever("teams.team.staff", 1, 3, 3)]
    )
    assert len(pts) == 9 and pts.index.name == "point"
    assert sorted(set(pts["vendors.acme.price_per_item"])) == [10.0, 20.0, 30.0]
    assert pts["teams.team.staff"].dtype.kind == "i" and sorted(set(pts["teams.team.staff"])) == [1, 2, 3]


def test_latin_hypercube_uses_every_stratum_once_and_is_reproducible(small: sk.Scenario) -> None:
    levers = [Lever("vendors.acme.price_per_item", 10, 30), Lever("workload.rate_per_hour", 0.5, 1.5)]
    pts = design_points(small, levers, "lhs", n=20, seed=4)
    for lv in levers:
        strata = np.floor((pts[lv.path].to_numpy() - lv.low) / (lv.high - lv.low) * 20).astype(int)
        assert sorted(strata) == list(range(20))
    assert_frame_equal(pts, design_points(small, levers, "lhs", n=20, seed=4))
    assert not pts.equals(design_points(small, levers, "lhs", n=20, seed=5))


def test_sobol_design_has_saltelli_size_and_stays_in_range(small: sk.Scenario) -> None:
    levers = [Lever("vendors.acme.price_per_item", 10, 30), Lever("teams.team.staff", 1, 4)]
    pts = design_points(small, levers, "sobol", n=16, seed=1)
    assert len(pts) == 16 * (2 + 2)
    assert pts["vendors.acme.price_per_item"].between(10, 30).all()
    assert set(pts["teams.team.staff"]) <= {1, 2, 3, 4} and len(set(pts["teams.team.staff"])) == 4
    with pytest.raises(ValueError, match="power of two"):
        design_points(small, levers, "sobol", n=12)


def test_one_at_a_time_design_moves_one_lever_from_base(small: sk.Scenario) -> None:
    levers = [Lever("vendors.acme.price_per_item", 10, 30), Lever("teams.team.staff", 1, 3)]
    pts = design_points(small, levers, "oat")
    assert pts.values.tolist() == [[20, 1], [10, 1], [30, 1], [20, 1], [20, 3]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vendors.acme.price_per_item=10:30:5", (10.0, 30.0, 5, None)),
        ("vendors.acme.price_per_item=10:30", (10.0, 30.0, 3, None)),
        ("vendors.acme.price_per_item=12,15,19", (12.0, 19.0, 3, (12.0, 15.0, 19.0))),
    ],
)
def test_vary_strings(text: str, expected: tuple) -> None:
    lv = parse_vary(text)
    assert (lv.low, lv.high, lv.n, lv.values) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("price=10", None),
        ("vendors.acme.price_per_item", "expects path=lo:hi:n"),
        ("vendors.acme.price_per_item=30:10:3", "low <= high"),
        ("x=1:2:3:4", "expects path=lo:hi:n"),
        ("x=a:b", "expects path=lo:hi:n"),
    ],
)
def test_bad_vary_strings_say_what_is_allowed(text: str, message: str | None, small: sk.Scenario) -> None:
    if message is None:  # parses, but names no field of the scenario
        with pytest.raises(sk.ScenarioError, match="price: names no field"):
            design_points(small, [parse_vary(text)])
        return
    with pytest.raises(ValueError, match=message):
        parse_vary(text)


def test_levers_file_and_its_errors(tmp_path: Path) -> None:
    f = tmp_path / "levers.yaml"
    f.write_text(
        "levers:\n  price: {path: vendors.acme.price_per_item, low: 10, high: 30, n: 5}\n"
        "uncertainties:\n  volume: {path: workload.rate_per_hour, values: [0.5, 0.8]}\n"
    )
    price, volume = load_levers(f)
    assert (price.kind, price.label, price.n) == ("lever", "price", 5)
    assert (volume.kind, volume.values) == ("uncertainty", (0.5, 0.8))
    with pytest.raises(sk.ScenarioError, match=r"levers\.price: needs high"):
        levers_from_dict({"levers": {"price": {"path": "a.b", "low": 1}}})
    with pytest.raises(sk.ScenarioError, match=r"levers\.price: unknown key 'hgih'"):
        levers_from_dict({"levers": {"price": {"path": "a.b", "low": 1, "hgih": 2}}})


# --------------------------------------------------------------------------- the sweep
def test_each_point_equals_simulating_the_overridden_scenario(small: sk.Scenario) -> None:
    space = {"vendors.acme.price_per_item": [15.0, 25.0], "vendors.acme.agents": [1, 3]}
    res = sk.sweep(small, space, replications=3, seed=8, executor=None, progress=False)
    assert len(res.frame) == 4 * 2 * 3 and res.meta["engine_groups"] == 2
    assert list(res.frame.columns[:5]) == ["point", *space, "option", "replication"]
    for point, values in res.points.iterrows():
        alone = sk.simulate(small.override(values.to_dict()), 3, seed=8, executor=None, progress=False)
        mine = res.frame[res.frame["point"] == point].drop(columns=["point", *space]).reset_index(drop=True)
        assert_frame_equal(mine, alone.kpis[mine.columns], check_exact=True, check_dtype=False)


def test_a_price_sweep_runs_the_engine_once_per_replication(
    small: sk.Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    real = sweep_mod.simulate_option
    monkeypatch.setattr(sweep_mod, "simulate_option", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    res = sk.sweep(
        small,
        {"vendors.acme.price_per_item": np.linspace(10, 30, 9)},
        replications=4,
        seed=1,
        executor=None,
        progress=False,
    )
    assert len(calls) == 4 * 2  # replications x options, not x 9 points
    cost = res.paired("vendor", "in_house")["delta_mean"].to_numpy()
    assert np.all(np.diff(cost) > 0)  # dearer vendor, dearer option: monotone on common random numbers


def counting(monkeypatch: pytest.MonkeyPatch, stop_at: int | None = None) -> list[str]:
    calls: list[str] = []
    real = sweep_mod.simulate_option

    def fake(scenario, option, *args, **kw):  # noqa: ANN001, ANN002, ANN003
        calls.append(option)
        if stop_at is not None and len(calls) == stop_at:
            raise KeyboardInterrupt
        return real(scenario, option, *args, **kw)

    monkeypatch.setattr(sweep_mod, "simulate_option", fake)
    return calls


def test_resume_after_an_interrupt_recomputes_nothing_finished(
    small: sk.Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    space = {"vendors.acme.agents": [1, 2]}  # an engine field: every point is simulated
    out = tmp_path / "sweep.parquet"
    kw = {"replications": 3, "seed": 2, "executor": None, "progress": False, "batch_size": 1}
    whole = sk.sweep(small, space, **kw)  # 2 points x 3 replications = 6 tasks of 2 engine runs

    counting(monkeypatch, stop_at=8)  # the 4th task is interrupted after its first run
    part = sk.sweep(small, space, out=out, **kw)
    parts = list(tmp_path.glob(".sweep.parquet.parts/*/part-*.parquet"))
    assert part.interrupted and len(parts) == 3 and not out.exists()
    assert part.frame.groupby(["point", "replication"]).ngroups == 3

    calls = counting(monkeypatch)
    resumed = sk.sweep(small, space, out=out, **kw)
    assert len(calls) == 6 and resumed.meta["reused"] == 3 and not resumed.interrupted
    assert_frame_equal(resumed.frame, whole.frame, check_exact=True)
    assert out.exists() and not (tmp_path / ".sweep.parquet.parts").exists()
    assert read_meta(out)["sweep_key"] == resumed.meta["sweep_key"]
    assert_frame_equal(pd.read_parquet(out), whole.frame, check_exact=True)

    calls = counting(monkeypatch)
    assert_frame_equal(sk.sweep(small, space, out=out, **kw).frame, whole.frame, check_exact=True)
    assert calls == []  # everything is in the finished file

    calls = counting(monkeypatch)
    more = sk.sweep(small, space, out=out, **{**kw, "replications": 4})
    assert len(calls) == 2 * 2 and more.frame["replication"].nunique() == 4  # only replication 3 is new


GRID = {"vendors.acme.agents": [1, 2], "vendors.acme.price_per_item": [15.0, 20.0, 25.0]}  # 2 engine groups
ONCE = {"seed": 5, "executor": None, "progress": False}


def test_rerunning_a_finished_sweep_never_shrinks_it(
    small: sk.Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "s.parquet"
    first = sk.sweep(small, GRID, 4, out=out, **ONCE)
    assert len(first.frame) == 6 * 2 * 4

    calls = counting(monkeypatch)  # fewer replications: read from the file, which keeps all of them
    fewer = sk.sweep(small, GRID, 2, out=out, **ONCE)
    assert calls == [] and fewer.meta["computed"] == 0 and fewer.meta["reused"] == 6 * 2
    assert_frame_equal(fewer.frame, first.frame[first.frame["replication"] < 2].reset_index(drop=True),
                       check_exact=True)
    assert_frame_equal(pd.read_parquet(out), first.frame, check_exact=True)

    calls = counting(monkeypatch)  # more: only the two missing replications of each point are simulated
    more = sk.sweep(small, GRID, 6, out=out, **ONCE)
    assert len(calls) == 2 * 2 * 2  # engine groups x new replications x options; every price on the same logs
    assert more.meta["computed"] == 6 * 2 and more.meta["reused"] == 6 * 4
    assert_frame_equal(more.frame[more.frame["replication"] < 4].reset_index(drop=True), first.frame,
                       check_exact=True)
    alone = sk.sweep(small, GRID, 6, **ONCE)  # common random numbers: as if all six were run at once
    assert_frame_equal(more.frame, alone.frame, check_exact=True)
    assert_frame_equal(pd.read_parquet(out), alone.frame, check_exact=True)

    calls = counting(monkeypatch)  # fewer options: the file keeps the other option's rows
    vendor_only = sk.sweep(small, GRID, 6, options=["vendor"], out=out, **ONCE)
    assert calls == [] and set(vendor_only.frame["option"]) == {"vendor"}
    assert_frame_equal(pd.read_parquet(out), alone.frame, check_exact=True)


def test_points_are_found_by_their_values_and_the_file_keeps_the_others(
    small: sk.Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "s.parquet"
    first = sk.sweep(small, GRID, 3, out=out, **ONCE)
    calls = counting(monkeypatch)
    subset = {"vendors.acme.agents": [2], "vendors.acme.price_per_item": [25.0, 15.0]}  # other order, numbers
    part = sk.sweep(small, subset, 3, out=out, **ONCE)
    assert calls == [] and part.meta["reused"] == 2 * 3
    for point, values in part.points.iterrows():
        old = first.points.index[(first.points == values).all(axis=1)][0]
        mine = part.frame[part.frame["point"] == point].drop(columns="point").reset_index(drop=True)
        theirs = first.frame[first.frame["point"] == old].drop(columns="point").reset_index(drop=True)
        assert_frame_equal(mine, theirs, check_exact=True)
    kept = pd.read_parquet(out)
    assert len(kept) == len(first.frame)  # the four points not asked for are still there (numbered after)
    key = ["vendors.acme.agents", "vendors.acme.price_per_item", "option", "replication"]
    assert_frame_equal(kept.drop(columns="point").sort_values(key).reset_index(drop=True),
                       first.frame.drop(columns="point").sort_values(key).reset_index(drop=True), check_exact=True)

    calls = counting(monkeypatch)  # a new price: its group's logs are simulated again, the old points reused
    wider = {"vendors.acme.agents": [1, 2], "vendors.acme.price_per_item": [15.0, 20.0, 25.0, 30.0]}
    grown = sk.sweep(small, wider, 3, out=out, **ONCE)
    assert grown.meta["computed"] == 2 * 3 and grown.meta["reused"] == 6 * 3 and len(calls) == 2 * 3 * 2
    assert_frame_equal(grown.frame, sk.sweep(small, wider, 3, **ONCE).frame, check_exact=True)
    assert len(pd.read_parquet(out)) == 8 * 2 * 3


def test_leftovers_of_other_settings_never_block_and_nothing_finished_is_lost(
    small: sk.Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "s.parquet"
    space = {"vendors.acme.agents": [1, 2]}
    counting(monkeypatch, stop_at=3)  # the first settings are interrupted after one finished task
    broken = sk.sweep(small, space, 2, out=out, batch_size=1, **ONCE)
    assert broken.interrupted and not out.exists()
    leftover = list(tmp_path.glob(".s.parquet.parts/*/part-*.parquet"))
    assert len(leftover) == 1

    calls = counting(monkeypatch)  # corrected settings: they run, without a fresh start
    longer = small.override({"run.horizon_days": 12})
    fixed = sk.sweep(longer, space, 2, out=out, **ONCE)
    assert fixed.meta["reused"] == 0 and len(calls) == 2 * 2 * 2 and not fixed.interrupted
    assert_frame_equal(pd.read_parquet(out), fixed.frame, check_exact=True)
    assert list(tmp_path.glob(".s.parquet.parts/*/part-*.parquet")) == leftover  # kept beside, untouched

    calls = counting(monkeypatch)  # the first settings again: they resume from their parts ...
    with pytest.warns(sk_store.SetAsideWarning, match="finished sweep with other settings moved to .*backup-"):
        resumed = sk.sweep(small, space, 2, out=out, **ONCE)
    assert resumed.meta["reused"] == 1 and len(calls) == 3 * 2
    assert_frame_equal(resumed.frame, sk.sweep(small, space, 2, **ONCE).frame, check_exact=True)
    assert not (tmp_path / ".s.parquet.parts").exists()
    [backup] = tmp_path.glob("s.parquet.backup-*/s.parquet")  # ... and the other finished file is set aside
    assert_frame_equal(pd.read_parquet(backup), fixed.frame, check_exact=True)


PRICES = [10.0, 15.0, 20.0, 25.0, 30.0]


@pytest.fixture(scope="module")
def reference(small: sk.Scenario) -> pd.DataFrame:
    """Every price and four replications at once, indexed by (price, option, replication)."""
    frame = sk.sweep(small, {"vendors.acme.price_per_item": PRICES}, 4, **ONCE).frame
    return frame.drop(columns="point").set_index(["vendors.acme.price_per_item", "option", "replication"])


@settings(max_examples=8, deadline=None)
@given(calls=st.lists(st.tuples(st.sets(st.sampled_from(PRICES), min_size=1), st.integers(1, 4)),
                      min_size=1, max_size=4))
def test_any_sequence_of_reruns_keeps_every_row_and_returns_what_was_asked(
    small: sk.Scenario, reference: pd.DataFrame, calls: list[tuple[set[float], int]]
) -> None:
    import tempfile
    import warnings

    index = ["vendors.acme.price_per_item", "option", "replication"]
    asked: set[tuple] = set()
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing is set aside: every call has the same settings
        out = Path(tmp) / "s.parquet"
        for prices, reps in calls:
            res = sk.sweep(small, {"vendors.acme.price_per_item": sorted(prices)}, reps, out=out, **ONCE)
            got = res.frame.drop(columns="point").set_index(index)
            assert set(got.index) == {(p, o, r) for p in prices for o in small.option_names for r in range(reps)}
            assert_frame_equal(got, reference.loc[got.index], check_exact=True)
            asked |= set(got.index)
            stored = pd.read_parquet(out).drop(columns="point").set_index(index)
            assert set(stored.index) == asked and stored.index.is_unique  # never fewer rows, never twice
            assert_frame_equal(stored, reference.loc[stored.index], check_exact=True)


def test_a_fresh_start_sets_finished_work_aside(small: sk.Scenario, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "s.parquet"
    space = {"vendors.acme.agents": [1, 2]}
    first = sk.sweep(small, space, 2, out=out, **ONCE)
    calls = counting(monkeypatch)
    with pytest.warns(sk_store.SetAsideWarning, match=r"earlier results \(fresh start\) moved to"):
        fresh = sk.sweep(small, space, 2, out=out, resume=False, **ONCE)
    assert fresh.meta["reused"] == 0 and len(calls) == 2 * 2 * 2
    [backup] = tmp_path.glob("s.parquet.backup-*/s.parquet")
    assert_frame_equal(pd.read_parquet(backup), first.frame, check_exact=True)
    assert_frame_equal(pd.read_parquet(out), first.frame, check_exact=True)


def test_a_parts_name_that_is_a_file_is_one_clear_error(small: sk.Scenario, tmp_path: Path) -> None:
    (tmp_path / ".s.parquet.parts").write_text("not a folder")
    with pytest.raises(ValueError, match=r"\.s\.parquet\.parts.*is taken by a file or a link"):
        sk.sweep(small, {"vendors.acme.agents": [1]}, 1, out=tmp_path / "s.parquet", **ONCE)
    assert (tmp_path / ".s.parquet.parts").read_text() == "not a folder"


def test_sweep_results_summaries(small: sk.Scenario) -> None:
    res = sk.sweep(
        small, [Lever("vendors.acme.price_per_item", 10, 30, 3)], 4, seed=3, executor=None, progress=False
    )
    s = res.summary()
    assert set(s.columns) >= {
        "point",
        "option",
        "mean",
        "ci_low",
        "ci_high",
        "n",
        "vendors.acme.price_per_item",
    }
    paired = res.paired("vendor", "in_house")
    assert ((paired["p_better"] >= 0) & (paired["p_better"] <= 1)).all()
    savings = res.values("savings", "vendor")
    assert_frame_equal(-savings, res.values("cost_total_usd", "vendor", "in_house"))
    with pytest.raises(KeyError, match="unknown option 'vendr'"):
        res.values(option="vendr")


# --------------------------------------------------------------------------- command line
def simkit(*args: str) -> subprocess.CompletedProcess:
    """The command with a wide terminal, so that no sentence asserted on is wrapped."""
    return subprocess.run(
        [sys.executable, "-m", "simkit.ui.cli", *args], capture_output=True, text=True, timeout=300,
        env={**os.environ, "COLUMNS": "250"},
    )


def test_cli_sweep_writes_parquet_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "s.parquet"
    args = [
        "sweep",
        HELPDESK,
        "-n",
        "2",
        "--seed",
        "3",
        "--set",
        "run.horizon_days=7",
        "--vary",
        "vendors.msp.price_per_item=20:40:3",
        "--vary",
        "teams.engineers.staff=1,2",
        "--out",
        str(out),
    ]
    p = simkit(*args)
    assert p.returncode == 0, p.stderr
    frame = pd.read_parquet(out)
    assert len(frame) == 6 * 3 * 2 and {"point", "option", "replication", "cost_total_usd"} <= set(
        frame.columns
    )
    assert "P(cheaper)" in p.stdout and "computed 12 point-replications" in p.stdout
    again = simkit(*args)
    assert again.returncode == 0 and "computed 0 point-replications, reused 12" in again.stdout


def test_cli_sweep_with_fewer_replications_keeps_the_file_and_fresh_keeps_a_backup(tmp_path: Path) -> None:
    out = tmp_path / "s.parquet"
    args = ["sweep", HELPDESK, "--seed", "3", "--set", "run.horizon_days=7",
            "--vary", "vendors.msp.price_per_item=20,40", "--out", str(out)]
    assert simkit(*args, "-n", "3").returncode == 0
    before = pd.read_parquet(out)
    fewer = simkit(*args, "-n", "1")
    assert fewer.returncode == 0 and "computed 0 point-replications, reused 2" in fewer.stdout, fewer.stderr
    assert_frame_equal(pd.read_parquet(out), before, check_exact=True)
    fresh = simkit(*args, "-n", "1", "--fresh")
    assert fresh.returncode == 0 and "computed 2 point-replications" in fresh.stdout
    [note] = fresh.stderr.strip().splitlines()
    assert note.startswith("warning: ") and "moved to" in note and "Traceback" not in fresh.stderr
    [backup] = tmp_path.glob("s.parquet.backup-*/s.parquet")
    assert_frame_equal(pd.read_parquet(backup), before, check_exact=True)
    assert pd.read_parquet(out)["replication"].max() == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--vary", "vendors.msp.price=20:40:3"], "vendors.msp.price: names no field"),
        (["--vary", "vendors.msp.price_per_item=20:x:3"], "--vary expects path=lo:hi:n"),
        (["--vary", "vendors.msp.pricing=1:2:2"], "is not a number"),
        (
            ["--design", "sobol", "--points", "6", "--vary", "vendors.msp.price_per_item=20:40"],
            "power of two",
        ),
    ],
)
def test_cli_sweep_bad_input_is_one_line(
    tmp_path: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture
) -> None:
    from simkit.ui.cli import main

    out = tmp_path / "bad.parquet"
    assert main(["sweep", HELPDESK, "-n", "1", "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err and not out.exists() and not list(tmp_path.iterdir())


def test_sweep_stays_a_function_on_the_package_after_its_module_is_imported() -> None:
    import simkit.analysis.sensitivity  # noqa: F401 - imports the simkit.sweep module again

    assert callable(sk.sweep) and sk.sweep is sweep_mod.sweep and sweep_module is sweep_mod
