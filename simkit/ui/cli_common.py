"""What every ``simkit`` subcommand shares: reading the scenario and ``--set``, failures, interrupts, exit codes.

Kept apart from :mod:`simkit.ui.cli` (the parser and the dispatch) so that the modules holding the commands
(:mod:`simkit.ui.cli_simulate`, :mod:`simkit.ui.cli_compare`, :mod:`simkit.ui.cli_tools`, and commands added later)
import these helpers without importing the parser that imports them.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import warnings
from typing import Any

from simkit.scenario.model import Scenario, ScenarioError, load
from simkit.scenario.yamlio import parse_yaml, show, show_key

__all__ = ["EXIT_FAILED", "EXIT_IO", "EXIT_CODES", "UsageError", "scenario_of", "parse_sets", "keeping_failures",
           "failure_lines", "failed_note", "interrupted", "signal_seen", "catch_signals", "reset_signal",
           "add_scenario_args"]

EXIT_FAILED = 3
"""Exit code when some replications raised (the finished ones are still printed and written)."""

EXIT_IO = 1
"""Exit code when an output could not be written (e.g. a full disk) or the report could not be built."""

EXIT_CODES = ("exit codes: 0 done; 1 an output could not be written (e.g. a full disk; the previous files are "
              "unchanged) or the report could not be built; 2 bad input or a bad output path (one line naming "
              f"the field or path); {EXIT_FAILED} some replications failed (one line each on stderr; the finished "
              "ones are still printed and written); 130 interrupted by Ctrl+C (SIGINT), 143 by SIGTERM (one line "
              "on stderr saying what was kept)")

_SIGNAL_SEEN: list[int] = []
"""The signal that interrupted this command (SIGINT or SIGTERM), for the exit code 128 + its number."""


class UsageError(Exception):
    """A bad flag value: one line on stderr and exit 2."""


def signal_seen() -> int | None:
    """The signal that interrupted the current command, or ``None``."""
    return _SIGNAL_SEEN[-1] if _SIGNAL_SEEN else None


def reset_signal() -> None:
    """Forget an earlier command's signal (``main`` may be called many times in one process)."""
    _SIGNAL_SEEN.clear()


def _on_signal(signum: int, _frame: object) -> None:
    """SIGINT and SIGTERM both stop the work the way Ctrl+C does (``KeyboardInterrupt``)."""
    _SIGNAL_SEEN.append(signum)
    raise KeyboardInterrupt


def catch_signals() -> dict[int, Any]:
    """Route SIGINT and SIGTERM to :func:`_on_signal`; the previous handlers, to put back."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, _on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}


def interrupted(kept: str) -> int:
    """One line on stderr for Ctrl+C or SIGTERM, and the exit code: 128 + the signal's number."""
    signum = signal_seen() or signal.SIGINT
    print(f"interrupted ({signal.Signals(signum).name}): {kept}", file=sys.stderr)
    return 128 + int(signum)


def keeping_failures(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; failed replications are reported by :func:`failure_lines`, not as a warning."""
    from simkit.experiment.replication import FailedReplicationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FailedReplicationWarning)
        return fn(*args, **kwargs)


def failure_lines(res: Any) -> int:
    """One line per failed replication on stderr; the exit code the run deserves (0 or :data:`EXIT_FAILED`)."""
    for err in res.failures:
        print(f"error: {err}", file=sys.stderr)
    return EXIT_FAILED if res.failures else 0


def failed_note(res: Any) -> str:
    return f" ({len(res.failures)} failed and left out, see stderr)" if res.failures else ""


def parse_sets(items: list[str]) -> dict[str, Any]:
    """``--set`` values read as a scenario file's values are: YAML 1.2 scalars; aliases, deep nesting, huge values
    and text that is not YAML (``[draft``: quote it) refused in one line naming the key."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set expects key=value (e.g. vendors.msp.price_per_item=30), got {show(item)}")
        try:
            value = parse_yaml(raw, "--set") if raw.strip() else ""
        except ScenarioError as err:
            path = ".".join(show_key(part) for part in key.strip().split("."))
            hint = "; quote text that is not YAML" if err.message.startswith("not valid YAML") else ""
            raise ScenarioError(path, err.message + hint, "--set") from None
        out[key.strip()] = value
    return out


def scenario_of(args: argparse.Namespace) -> Scenario:
    """The scenario named on the command line, with its ``--set`` changes applied and validated."""
    sc = load(args.scenario)
    changes = parse_sets(getattr(args, "set", None) or [])
    if changes:
        try:
            sc = sc.override(changes)
        except ScenarioError as err:
            raise ScenarioError(err.path, err.message, f"{args.scenario} (--set)") from None
    return sc


def add_scenario_args(sp: argparse.ArgumentParser, runs: bool = True) -> None:
    """The scenario argument and ``--set``; with ``runs``, ``--replications`` and ``--seed`` too."""
    sp.add_argument("scenario", help="scenario YAML file, or the name of a shipped example "
                    "(e.g. startup_it_helpdesk; python -c 'import simkit; print(simkit.examples())' lists them)")
    sp.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a field by dotted path")
    if runs:
        sp.add_argument("--replications", "-n", type=int, help="replications (default: the scenario's)")
        sp.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
