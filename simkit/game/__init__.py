"""A classroom game: teams submit sourcing strategies, every team faces the same simulated year.

    lb = simkit.game.play("notebooks/game/game.yaml", "notebooks/game/submissions")
    lb.table()      # ranked: cheapest first among the teams at or above the service floor, then the rest
    lb.invalid      # (file, one-line reason) for every refused submission
    lb.replay()     # month by month: each team's cost, cumulative cost, SLA attainment and rank so far
    lb.shocks()     # what the shared year held: arrivals, each vendor's hours down, exits

:mod:`simkit.game.rules` reads and checks the game file and the submissions; :mod:`simkit.game.play`
simulates them on common random numbers and ranks them.
"""

from __future__ import annotations

from simkit.game.play import Leaderboard, play
from simkit.game.rules import Game, load_game, read_submission

__all__ = ["Game", "Leaderboard", "load_game", "play", "read_submission"]
