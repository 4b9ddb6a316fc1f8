"""The classroom game: strategies on one shared year, ranked by cost at a service floor."""

from __future__ import annotations

import os
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.errors import ScenarioError
from simkit.game import Leaderboard, load_game, play
from simkit.ui.cli import main

WORLD = Path(__file__).resolve().parents[2] / "notebooks" / "game" / "world.yaml"

GAME = f"""name: Test year
scenario: {WORLD}
seed: 11
replications: 1
service_floor: 0.97
teams: [analysts]
vendors: [alpha, beta]
routing: [overflow]
levers:
  teams.analysts.staff: [0, 5]
  vendors.alpha.agents: [1, 4]
  vendors.beta.agents: [1, 4]
  strategy.backup_share: [0, 0.5]
contracts:
  alpha:
    standard: {{}}
    sla_backed: {{vendors.alpha.price_per_item: 21.0}}
"""

TEAMS = {
    "a_inhouse.yaml": "team: Herons\nstrategy: {team: analysts}\nset: {teams.analysts.staff: 3}\n",
    "b_vendor.yaml": "team: Foxes\nstrategy: {vendor: alpha}\nset: {vendors.alpha.agents: 2}\n",
    "c_bad.yaml": "team: Lynxes\nstrategy: {team: analysts}\nset: {teams.analysts.staff: 9}\n",
}


@pytest.fixture(scope="module")
def game_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("game")
    (root / "game.yaml").write_text(GAME)
    sub = root / "submissions"
    sub.mkdir()
    for name, text in TEAMS.items():
        (sub / name).write_text(text)
    return root


@pytest.fixture(scope="module")
def board(game_dir: Path) -> Leaderboard:
    return play(game_dir / "game.yaml", game_dir / "submissions")


def test_three_teams_one_invalid_gives_a_deterministic_leaderboard(game_dir: Path, board: Leaderboard) -> None:
    again = play(game_dir / "game.yaml", game_dir / "submissions")
    pd.testing.assert_frame_equal(board.table(), again.table())
    pd.testing.assert_frame_equal(board.replay(), again.replay())
    assert board.invalid == [("c_bad.yaml", "set.teams.analysts.staff: must be between 0 and 5, got 9")]
    table = board.table()
    assert list(table.team) == sorted(table.team, key=lambda t: (
        not bool(table.set_index("team").loc[t, "meets_floor"]),
        table.set_index("team").loc[t, "cost_usd"] if table.set_index("team").loc[t, "meets_floor"]
        else -table.set_index("team").loc[t, "sla_attainment_share"]))
    assert list(table["rank"]) == [1, 2]


def test_each_team_scores_what_a_standalone_simulation_of_its_strategy_gives(board: Leaderboard) -> None:
    """By hand: simulate each strategy alone with the game's seed and apply the rule."""
    base = sk.load(WORLD)
    own = {
        "Herons": base.override({"teams.analysts.staff": 3, "options": {"x": {"team": "analysts"}}, "baseline": "x"}),
        "Foxes": base.override({"vendors.alpha.agents": 2, "options": {"x": {"vendor": "alpha"}}, "baseline": "x"}),
    }
    scores = {}
    for team, sc in own.items():
        k = sk.simulate(sc, replications=1, seed=11, executor=None, progress=False).kpis.iloc[0]
        scores[team] = (k["cost_total_usd"], k["sla_attainment_share"])
    table = board.table().set_index("team")
    for team, (cost, sla) in scores.items():
        assert table.loc[team, "cost_usd"] == cost
        assert table.loc[team, "sla_attainment_share"] == sla
        assert table.loc[team, "meets_floor"] == (sla >= 0.97)
    above = sorted((t for t in scores if scores[t][1] >= 0.97), key=lambda t: scores[t][0])
    below = sorted((t for t in scores if scores[t][1] < 0.97), key=lambda t: -scores[t][1])
    assert list(board.table().team) == above + below


def test_every_team_faces_the_same_workload_and_the_same_outages(board: Leaderboard) -> None:
    shocks = board.shocks()
    for res in board.results.values():
        assert res.kpis["items_arrived"].iloc[0] == shocks["arrivals"].sum()
    foxes = board.results["Foxes"].kpis.iloc[0]  # alpha alone: its hours down are the shared alpha outages
    assert foxes["outage_hours_h"] == pytest.approx(shocks["alpha_down_h"].sum(), rel=1e-9)
    assert shocks["alpha_down_h"].sum() > 0  # the example year has outages to reveal


def test_the_replay_adds_up_to_the_leaderboard(board: Leaderboard) -> None:
    replay = board.replay()
    last = replay[replay.month == replay.month.max()].set_index("team")
    table = board.table().set_index("team")
    for team in table.index:
        assert last.loc[team, "cumulative_cost_usd"] == pytest.approx(table.loc[team, "cost_usd"], rel=1e-9)
    assert list(last.sort_values("rank_so_far").index) == list(board.table().team)


BAD = {
    "unknown_key.yaml": ("team: A\nstrategy: {vendor: alpha}\nsett: {}\n",
                         "sett: unknown key 'sett' (did you mean 'set'?)"),
    "vendor.yaml": ("team: B\nstrategy: {vendor: gamma}\n", "strategy.vendor: must be one of the game's alpha, beta"),
    "lever.yaml": ("team: C\nstrategy: {vendor: alpha}\nset: {vendors.alpha.price_per_item: 1}\n", "is not a lever"),
    "list.yaml": ("- just\n- a list\n", "must be a YAML mapping"),
    "binary.yaml": ("team: D\x00\n", "binary"),
    "contract.yaml": ("team: E\nstrategy: {vendor: alpha}\ncontracts: {alpha: gold}\n", "must be one of standard"),
    "shape.yaml": ("team: F\nstrategy: {team: analysts, vendor: alpha}\n", "strategy: an option with a team"),
    "nan.yaml": ("team: G\nstrategy: {vendor: alpha}\nset: {vendors.alpha.agents: .nan}\n", "finite number"),
    "newline.yaml": ('team: "H\\nI"\nstrategy: {vendor: alpha}\n', "printable"),
    "yaml.yaml": ("team: [unclosed\n", "not valid YAML"),
    "z_duplicate.yaml": ("team: Foxes\nstrategy: {vendor: beta}\n", "already taken by b_vendor.yaml"),
}


def test_invalid_submissions_are_listed_with_one_line_and_never_stop_the_game(game_dir: Path,
                                                                              tmp_path: Path) -> None:
    sub = tmp_path / "subs"
    sub.mkdir()
    (sub / "b_vendor.yaml").write_text(TEAMS["b_vendor.yaml"])
    for name, (text, _) in BAD.items():
        (sub / name).write_text(text)
    (sub / "folder.yaml").mkdir()  # not a regular file
    (sub / "two\nlines.yaml").write_text("team: [")  # a file name that would break the one-line listing
    if hasattr(os, "mkfifo"):
        os.mkfifo(sub / "pipe.yaml")  # must be refused, never opened (opening would hang)
    board = play(game_dir / "game.yaml", sub)
    reasons = dict(board.invalid)
    assert list(board.table().team) == ["Foxes"]
    for name, (_, words) in BAD.items():
        assert words in reasons[name], (name, reasons[name])
    assert reasons["folder.yaml"].endswith("is a folder, not a file")
    assert all("\n" not in f + r for f, r in board.invalid)
    assert "'two\\nlines.yaml'" in reasons


def _fake(cost: float, sla: float) -> SimpleNamespace:
    return SimpleNamespace(kpis=pd.DataFrame({"replication": [0], "cost_total_usd": [cost],
                                              "sla_attainment_share": [sla], "lead_time_p90_h": [1.0],
                                              "outage_hours_h": [0.0]}), cost_column="cost_total_usd")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 1e6), st.sampled_from([0.9, 0.95, 0.96, 0.97, 0.99, 1.0])),
                min_size=1, max_size=12))
def test_ranking_rule_floor_first_then_cost_then_service(teams: list[tuple[float, float]]) -> None:
    game = SimpleNamespace(service_floor=0.96)
    results = {f"t{i:02d}": _fake(c, s) for i, (c, s) in enumerate(teams)}
    board = Leaderboard(game, results, {t: f"{t}.yaml" for t in results}, [], pd.DataFrame(), pd.DataFrame())
    table = board.table()
    floor = table["meets_floor"].to_numpy()
    assert not np.any(~floor[:-1] & floor[1:])  # no team below the floor ranks above one at it
    above, below = table[floor], table[~floor]
    assert above["cost_usd"].is_monotonic_increasing
    assert below["sla_attainment_share"].is_monotonic_decreasing
    assert list(table["rank"]) == list(range(1, len(table) + 1))


def test_a_wrong_game_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "g.yaml").write_text(GAME.replace("vendors.beta.agents: [1, 4]", "vendors.beta.agentz: [1, 4]"))
    with pytest.raises(ScenarioError,
                       match=r"levers\.vendors\.beta\.agentz: unknown key 'agentz' \(did you mean 'agents'\?\)"):
        load_game(tmp_path / "g.yaml")
    (tmp_path / "h.yaml").write_text(GAME.replace("service_floor: 0.97", "service_floor: 97"))
    with pytest.raises(ScenarioError, match=r"service_floor: must be an SLA attainment share in \[0, 1\], got 97"):
        load_game(tmp_path / "h.yaml")


@pytest.mark.parametrize("lever", ["workload.rate_per_hour", "vendors.alpha.outages.repair_h", "run.seed"])
def test_the_shared_year_cannot_be_a_lever(tmp_path: Path, lever: str) -> None:
    (tmp_path / "g.yaml").write_text(GAME.replace("  vendors.beta.agents: [1, 4]", f"  {lever}: [0, 1]"))
    with pytest.raises(ScenarioError, match=rf"levers\.{re.escape(lever)}: is part of the year every team shares"):
        load_game(tmp_path / "g.yaml")


def test_cli_game(game_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["game", str(game_dir / "game.yaml"), str(game_dir / "submissions"), "--replay"]) == 0
    out = capsys.readouterr().out
    assert "invalid: c_bad.yaml: set.teams.analysts.staff: must be between 0 and 5, got 9" in out
    assert "alpha_down_h" in out
    first_month = re.search(r"^1 +(\S+) +(\S+)", out, re.M)  # the shocks table's first row
    assert first_month and "." not in first_month.group(1) and "." in first_month.group(2)  # items whole, hours .1
    assert main(["game", str(game_dir / "game.yaml"), str(game_dir / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "no such folder" in err
