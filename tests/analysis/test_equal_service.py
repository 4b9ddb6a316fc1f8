"""Options compared at equal service: every option right-sized to the same targets, in Python and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import mmc_dict, scenario_from

import simkit as sk

TARGET = {"waited_share": 0.33}  # Erlang C with 8 servers' load: 10 servers wait 41%, 11 servers 24%


def twin_queues(horizon_days: float = 8) -> sk.Scenario:
    """A team of 14 and a vendor of 3 agents, both always open with the same productivity: the same M/M/c
    queue, so at equal service they need the same head count whatever they were given."""
    data = mmc_dict(14, 8.0, horizon_days=horizon_days, warmup_days=1,
                    vendor={"vendor": "acme", "label": "Vendor"})
    data["vendors"] = {"acme": {"agents": 3, "price_per_item": 12.0}}
    return scenario_from(data)


def test_identical_queues_get_identical_staffing_and_are_compared_there() -> None:
    eq = sk.compare_at_equal_service(twin_queues(), TARGET, replications=4, seed=5, executor=None)
    assert eq.met == ["in_house", "vendor"] and eq.missed == []
    table = eq.staffing().set_index("option")
    assert table.loc["in_house", "given"] == 14 and table.loc["vendor", "given"] == 3
    assert table.loc["in_house", "right_sized"] == table.loc["vendor", "right_sized"] == 11
    res = eq.results
    assert res.meta["equal_service"]["staffing"] == {"in_house": {"teams.team.staff": 11},
                                                      "vendor": {"vendors.acme.agents": 11}}
    assert res.scenario.teams["team"].staff == 11 and res.scenario.vendors["acme"].agents == 11
    cmp = eq.compare("vendor")
    # the same queue on the same traces: the service KPIs agree replication by replication
    assert cmp.loc["waited_share", "delta_mean"] == pytest.approx(0.0, abs=1e-12)
    assert cmp.loc["items_arrived", "delta_mean"] == 0.0
    # a re-simulation of the merged scenario gives the very rows the search kept
    again = sk.simulate(res.scenario, replications=4, seed=5, executor=None)
    assert again.kpis.equals(res.kpis)


def test_an_option_that_cannot_meet_the_targets_is_left_out_and_the_baseline_moves() -> None:
    eq = sk.compare_at_equal_service(twin_queues(), TARGET, replications=3, seed=5, executor=None,
                                     levers={"in_house": [("teams.team.staff", 1, 10)]})
    assert eq.missed == ["in_house"] and eq.met == ["vendor"]
    assert eq.sizings["in_house"].chosen is None
    assert eq.results.options == ["vendor"] and eq.baseline == "vendor"


def test_bad_option_and_levers_name_the_field() -> None:
    sc = twin_queues(2)
    with pytest.raises(sk.ScenarioError, match=r"options: unknown option 'outsourced'"):
        sk.compare_at_equal_service(sc, TARGET, options=["outsourced"])
    with pytest.raises(sk.ScenarioError, match=r"levers: names option 'hybrid', which is not compared"):
        sk.compare_at_equal_service(sc, TARGET, levers={"hybrid": ["teams.team.staff"]})
    with pytest.raises(sk.ScenarioError, match=r"target.waited: is not a KPI"):
        sk.compare_at_equal_service(sc, {"waited": 0.3})


# --------------------------------------------------------------------------- the command line
def simkit(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simkit.ui.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


@pytest.fixture()
def twin_file(tmp_path: Path) -> Path:
    path = tmp_path / "twin.yaml"
    path.write_text(twin_queues().to_yaml(), encoding="utf-8")
    return path


def test_compare_at_equal_service_prints_the_staffing_and_the_comparison(twin_file: Path) -> None:
    p = simkit("compare", str(twin_file), "-n", "4", "--seed", "5", "--equal-service", "waited_share<=0.33",
               cwd=twin_file.parent)
    assert p.returncode == 0, p.stderr
    assert "right-sized to waited_share <= 0.33" in p.stdout
    assert "in_house: teams.team.staff = 11" in p.stdout and "vendor: vendors.acme.agents = 11" in p.stdout
    assert "Vendor - in_house" in p.stdout and "Decision summary" in p.stdout  # options by their labels
    assert sorted(f.name for f in twin_file.parent.iterdir()) == ["twin.yaml"], "compare writes nothing"


@pytest.mark.parametrize(("args", "message"), [
    (["--equal-service", "waited=0.3"], "error: --equal-service: target.waited: is not a KPI"),
    (["--equal-service", "sla_attainment_share<=0.9"], "higher is better"),
    (["--equal-service", "waited_share=0.3", "--confidence", "1.5"], "--confidence: must be a probability"),
    (["--equal-service", "waited_share=0.3", "--max-evaluations", "0"], "--max-evaluations: must be in 1..1000"),
    (["--equal-service", "waited_share=0.3", "--max-staff", "0"], "--max-staff: must be in 1..100,000"),
    (["--equal-service", "waited_share=0.3", "--option", "nope"], "unknown option 'nope'"),
    (["--equal-service", "waited_share=0.01", "--max-staff", "9"], "only 0 option(s) meet the targets"),
])
def test_bad_equal_service_input_is_one_line_and_exit_2(twin_file: Path, args: list[str], message: str) -> None:
    p = simkit("compare", str(twin_file), "-n", "2", *args, cwd=twin_file.parent)
    assert p.returncode == 2, p.stdout + p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], p.stderr
    assert "Traceback" not in p.stderr


def test_ctrl_c_during_the_search_prints_one_line_and_exit_130(twin_file: Path, monkeypatch: pytest.MonkeyPatch,
                                                               capsys: pytest.CaptureFixture) -> None:
    from simkit.experiment import execution
    from simkit.experiment import replication as experiment  # the seam: simulate calls replication.run_replication
    from simkit.ui import cli

    real, calls = experiment.run_replication, []

    def stopped_on_the_fifth(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - the experiment's test seam
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(experiment, "run_replication", stopped_on_the_fifth)
    monkeypatch.setattr(execution, "AUTO_PARALLEL_S", float("inf"))  # in this process, where the seam is patched
    code = cli.main(["compare", str(twin_file), "-n", "2", "--equal-service", "waited_share<=0.33"])
    out, err = capsys.readouterr()
    assert code == 130 and len(calls) == 5
    assert err.strip().splitlines()[-1].startswith("interrupted (SIGINT): ") and "Traceback" not in err
    assert "Decision summary" not in out and sorted(f.name for f in twin_file.parent.iterdir()) == ["twin.yaml"]


def roster_and_vendor() -> sk.Scenario:
    """An in-house roster (a day and an evening shift, the day shift short) against a vendor of 3 agents, both
    escalating half their items to engineers; the day's work is heavier than the evening's."""
    data = mmc_dict(1, 1.0, horizon_days=6, warmup_days=1, vendor={"vendor": "acme"})
    data["calendars"] = {"client": {}, "day": {"open_hour": 0, "close_hour": 11},
                         "evening": {"open_hour": 11, "close_hour": 18}}
    data["workload"]["hour_of_day"] = [3.0] * 11 + [1.0] * 7 + [0.0] * 6
    data["teams"] = {"team": {"shifts": [{"calendar": "day", "staff": 3}, {"calendar": "evening", "staff": 2}],
                              "loaded_cost_per_hour": 10.0},
                     "l2": {"staff": 1, "loaded_cost_per_hour": 20.0}}
    data["vendors"] = {"acme": {"agents": 3, "price_per_item": 12.0}}
    tier = [{"pool": "l2", "share": 0.5, "effort_h": "exponential(mean=0.5)"}]
    data["options"]["in_house"]["escalation"] = data["options"]["vendor"]["escalation"] = tier
    return scenario_from(data)


@pytest.mark.filterwarnings("ignore::simkit.scenario.preflight.CapacityWarning")
def test_rosters_and_tiers_are_sized_at_equal_service_in_python_and_the_cli(tmp_path: Path) -> None:
    sc = roster_and_vendor()
    eq = sk.compare_at_equal_service(sc, {"lead_time_mean_h": 3}, replications=3, seed=2, executor=None)
    table = eq.staffing()
    assert list(table["lever"]) == ["teams.team.shifts.day.staff", "teams.team.shifts.evening.staff",
                                    "teams.l2.staff", "vendors.acme.agents", "teams.l2.staff"]
    assert list(table["given"]) == [3, 2, 1, 3, 1]
    assert eq.met == ["in_house", "vendor"], table
    day = eq.sizings["in_house"].chosen["teams.team.shifts.day.staff"]
    assert day > 3, "the short day shift grows"
    staffing = eq.results.meta["equal_service"]["staffing"]
    assert staffing["in_house"] == dict(eq.sizings["in_house"].chosen)
    if eq.results.meta["equal_service"]["shared"] == []:  # the engineers came out alike: one merged scenario
        assert eq.results.scenario.teams["team"].shifts[0].staff == day
    path = tmp_path / "roster.yaml"
    path.write_text(sc.to_yaml(), encoding="utf-8")
    p = simkit("compare", str(path), "-n", "3", "--seed", "2", "--equal-service", "lead_time_mean_h<=3",
               cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert f"teams.team.shifts.day.staff = {day}" in p.stdout and "Decision summary" in p.stdout
