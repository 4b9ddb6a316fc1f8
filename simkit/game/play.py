"""Play a game: simulate every valid strategy on the same year(s), rank the teams, replay the months.

Every team's scenario is the game's base scenario with its own option, levers and contract terms; all are
simulated with the game's seed and replication numbers.  Random streams are keyed by the component's name
(:mod:`simkit.streams`), and the levers never touch the workload or a vendor's outage and exit settings, so
every team meets the same arrivals, the same outages of each vendor it uses and the same exits (common
random numbers by construction; ``tests/game/test_game.py`` checks it).  Identical strategies are simulated once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from simkit.calendars.dates import Clock, month_edges, month_index
from simkit.engine.log import COMPLETED
from simkit.engine.risk import exit_time_h, outage_intervals
from simkit.engine.timelines import TIMELINE_MARGIN_H
from simkit.errors import ScenarioError
from simkit.experiment.results import Results
from simkit.experiment.simulate import simulate
from simkit.game.rules import Game, load_game, read_submission
from simkit.scenario.model import Scenario
from simkit.streams import Streams

__all__ = ["Leaderboard", "play", "SUBMISSION_SUFFIXES"]

SUBMISSION_SUFFIXES = (".yaml", ".yml")
MAX_SUBMISSIONS = 500


@dataclass(frozen=True)
class Leaderboard:
    """The outcome of a game.

    Attributes
    ----------
    game
        The rules played.
    results
        Team name -> its :class:`~simkit.experiment.results.Results` (one option, ``"strategy"``).
    files
        Team name -> the submission file it came from.
    invalid
        ``(file, one-line reason)`` for every submission that was refused.
    """

    game: Game
    results: dict[str, Results]
    files: dict[str, str]
    invalid: list[tuple[str, str]]
    monthly: pd.DataFrame
    world: pd.DataFrame

    def table(self) -> pd.DataFrame:
        """One row per valid team, best first.

        Teams at or above the service floor come first, cheapest first; teams below it follow, ranked by
        service (highest SLA attainment first), because missing the floor is failing the brief whatever the
        cost.  Ties are broken by team name, so the order never depends on the order of the files.
        """
        rows = []
        for team, res in self.results.items():
            k = res.kpis
            rows.append({"team": team, "cost_usd": float(k[res.cost_column].mean()),
                         "sla_attainment_share": float(k["sla_attainment_share"].mean()),
                         "lead_time_p90_h": float(k["lead_time_p90_h"].mean()),
                         "outage_hours_h": float(k["outage_hours_h"].mean()),
                         "file": self.files[team]})
        cols = ["rank", "team", "meets_floor", "cost_usd", "sla_attainment_share", "lead_time_p90_h",
                "outage_hours_h", "file"]
        if not rows:
            return pd.DataFrame(columns=cols)
        frame = pd.DataFrame(rows)
        frame["meets_floor"] = frame["sla_attainment_share"] >= self.game.service_floor - 1e-12
        frame["_key"] = np.where(frame["meets_floor"], frame["cost_usd"], -frame["sla_attainment_share"])
        frame = frame.sort_values(["meets_floor", "_key", "team"], ascending=[False, True, True], kind="stable")
        frame["rank"] = np.arange(1, len(frame) + 1)
        return frame[cols].reset_index(drop=True)

    def invalid_table(self) -> pd.DataFrame:
        """The refused submissions and why, one line each."""
        return pd.DataFrame(self.invalid, columns=["file", "reason"])

    def replay(self) -> pd.DataFrame:
        """Month by month (1, 2, ...): each team's cost, cumulative cost, SLA attainment and rank so far.

        The rank so far follows the final rule on the months played: cumulative cost among the teams
        whose SLA attainment up to that month meets the floor, then the others.
        """
        return self.monthly.copy()

    def shocks(self) -> pd.DataFrame:
        """What the shared year held, month by month: arrivals, each vendor's hours down, exits.

        The same for every team (common random numbers); averaged over replications when there are several.
        """
        return self.world.copy()

    def text(self) -> str:
        """The leaderboard and the refused files as plain text."""
        t = self.table()
        lines = [f"{self.game.name} — service floor: SLA attainment >= {self.game.service_floor:g}"]
        for row in t.itertuples():
            mark = "" if row.meets_floor else "  below the floor"
            lines.append(f"{row.rank:>3}. {row.team[:40]:<40} {row.cost_usd:>14,.0f} {self.game.base.run.currency}"
                         f"  SLA {row.sla_attainment_share:.3f}{mark}")
        for file, reason in self.invalid:
            lines.append(f"  invalid: {file}: {reason}")
        return "\n".join(lines)


def _submission_files(folder: Path) -> list[Path]:
    if not folder.exists():
        raise ScenarioError("", "no such folder", str(folder))
    if not folder.is_dir():
        raise ScenarioError("", "is not a folder of submissions", str(folder))
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in SUBMISSION_SUFFIXES
                   and not p.name.startswith("."))
    if len(files) > MAX_SUBMISSIONS:
        raise ScenarioError("", f"holds {len(files)} submissions; at most {MAX_SUBMISSIONS} are played", str(folder))
    return files


def _strip(reason: ScenarioError, file: str) -> str:
    text = str(reason)
    return text[len(file) + 2:] if text.startswith(f"{file}: ") else text


def play(game_file: str | Path | Game, folder: str | Path) -> Leaderboard:
    """Play every ``*.yaml`` submission in ``folder`` under the rules of ``game_file``.

    A submission that breaks a rule (or is not a readable YAML mapping, or repeats a team name already
    taken by a file earlier in name order) is listed in :attr:`Leaderboard.invalid` with its one-line
    reason; the others are played.

    Raises
    ------
    ScenarioError
        When the game file or the folder itself is wrong (one line).
    """
    game = game_file if isinstance(game_file, Game) else load_game(game_file)
    results: dict[str, Results] = {}
    files: dict[str, str] = {}
    invalid: list[tuple[str, str]] = []
    plays: dict[str, Scenario] = {}
    for path in _submission_files(Path(folder)):
        name = path.name if path.name.isprintable() else repr(path.name)  # a listing stays one line per file
        try:
            team, scenario = read_submission(game, path)
        except ScenarioError as err:
            invalid.append((name, _strip(err, path.name)))
            continue
        if team in plays:
            invalid.append((name, f"team: the name {team!r} is already taken by {files[team]}"))
            continue
        plays[team], files[team] = scenario, name
    done: dict[str, Results] = {}
    for team, scenario in plays.items():
        key = scenario.fingerprint()
        if key not in done:  # several teams may submit the same strategy: simulate it once
            done[key] = simulate(scenario, replications=game.replications, seed=game.seed, executor=None,
                                 progress=False, keep_logs=True)
        results[team] = done[key]
    monthly = _monthly(game, results)
    for res in done.values():  # the logs have served the replay; keep the leaderboard light
        res.logs = None
    return Leaderboard(game, results, files, invalid, monthly, _world(game))


def _monthly(game: Game, results: dict[str, Results]) -> pd.DataFrame:
    cols = ["month", "team", "cost_usd", "cumulative_cost_usd", "sla_attainment_share", "rank_so_far"]
    rows = []
    for team, res in results.items():
        n_reps = res.kpis["replication"].nunique()
        cost = res.ledger.groupby("month")["amount"].sum() / n_reps
        met, judged = _sla_counts(list(res.logs.values()), res.scenario.clock())
        for m in range(met.size):
            rows.append({"month": m + 1, "team": team, "cost_usd": float(cost.get(m, 0.0)),
                         "sla_attainment_share": met[m] / judged[m] if judged[m] else 1.0,
                         "_sla_so_far": met[: m + 1].sum() / judged[: m + 1].sum() if judged[: m + 1].sum() else 1.0})
    if not rows:
        return pd.DataFrame(columns=cols)
    frame = pd.DataFrame(rows).sort_values(["team", "month"])
    frame["cumulative_cost_usd"] = frame.groupby("team")["cost_usd"].cumsum()
    ok = frame["_sla_so_far"] >= game.service_floor - 1e-12
    frame["_key"] = np.where(ok, frame["cumulative_cost_usd"], -frame["_sla_so_far"])
    frame["_ok"] = ok
    frame = frame.sort_values(["month", "_ok", "_key", "team"], ascending=[True, False, True, True], kind="stable")
    frame["rank_so_far"] = frame.groupby("month").cumcount() + 1
    return frame[cols].reset_index(drop=True)


def _sla_counts(logs: list, clock: Clock | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per month of arrival: items that met their SLA, and items judged (the ``sla_attainment_share`` rule).

    An item is judged when it is completed, or still open after its due time at the horizon.
    """
    met = judged = np.zeros(0)
    for log in logs:
        t0, t1 = log.window_h
        win = log.in_window()
        arrival = log.trace.arrival_h[win]
        month, n = month_index(arrival, t0, t1, clock)
        month = np.minimum(month, n - 1)
        done = log.state()[win] == COMPLETED
        ok = done & (log.end_h[win] - arrival <= log.trace.sla_h[win] + 1e-9)
        late_open = ~done & (log.trace.due_h[win] < t1)
        if met.size == 0:
            met, judged = np.zeros(n), np.zeros(n)
        met = met + np.bincount(month[ok], minlength=n)[:n]
        judged = judged + np.bincount(month[done | late_open], minlength=n)[:n]
    return met, judged


def _world(game: Game) -> pd.DataFrame:
    """The shared shocks, drawn from the same named streams the engine uses."""
    from simkit.experiment.simulate import draw_trace

    sc = game.base
    t0, horizon = sc.run.warmup_days * 24.0, sc.run.horizon_days * 24.0
    clock = sc.clock()
    edges = month_edges(t0, horizon, clock)
    n = len(edges) - 1
    frame = pd.DataFrame({"month": np.arange(1, n + 1)})
    arrivals = np.zeros(n)
    down = {v: np.zeros(n) for v in game.vendors}
    exits = {v: np.zeros(n) for v in game.vendors}
    for rep in range(game.replications):
        streams = Streams(game.seed, rep)
        trace = draw_trace(sc, streams)
        month, _ = month_index(trace.arrival_h[trace.arrival_h >= t0], t0, horizon, clock)
        arrivals += np.bincount(month[month < n], minlength=n)[:n]
        for v in game.vendors:
            spec = sc.vendors[v]
            if spec.outages is not None:
                for a, b in outage_intervals(spec.outages, horizon + TIMELINE_MARGIN_H, streams.rng(f"outage:{v}")):
                    # hours of [a, b) inside each month of the window
                    down[v] += np.maximum(0.0, np.minimum(b, edges[1:]) - np.maximum(a, edges[:-1]))
            if spec.exit is not None:
                t = exit_time_h(spec.exit, t0, streams.rng(f"exit:{v}"))
                if t < horizon:
                    exits[v][month_index(np.array([t]), t0, horizon, clock)[0][0]] += 1
    frame["arrivals"] = arrivals / game.replications
    for v in game.vendors:
        frame[f"{v}_down_h"] = down[v] / game.replications
        if sc.vendors[v].exit is not None:
            frame[f"{v}_exits"] = exits[v] / game.replications
    return frame
