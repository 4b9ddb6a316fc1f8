"""The ``simkit`` command: the same engine as the Python API, from a shell.

    simkit run SCENARIO [--replications N] [--seed S] [--set key=value ...] [--out FILE] [--charts DIR]
    simkit compare SCENARIO [--option NAME] [--baseline NAME] [--weights cost=2,timeliness=1] [--sla-target S]
    simkit sweep SCENARIO --vary key=lo:hi:n [--vary ...] [--design grid|lhs|sobol] -n N --out FILE.parquet
    simkit validate SCENARIO
    simkit report SCENARIO -o out/report.html [--seed S] [--replications N] [--set key=value ...]
    simkit screen FILE [--out FILE.csv]
    simkit drill SCENARIO --option O --at MONTH [--tolerance-days D] [--sla-target S] [-o FILE.html]
    simkit fit HISTORY -o scenario.yaml [--timezone Area/City] [--effort-column C] ...  (see simkit.ui.cli_fit)
    simkit new -o my.yaml [--annual-volume N] [--hours 8-18] [--staff N] [--vendor-price P] ...
    simkit game GAME.yaml SUBMISSIONS_DIR [--replay]
    simkit lessons export DIR [--student] [--source notebooks]
    simkit completion bash|zsh

Every command takes ``--format table|csv|json`` (a table fitted to ``$COLUMNS``, or the records at full
precision with their units, see :mod:`simkit.ui.cli_output`) and ``--quiet`` (nothing but errors).

Bad input ends with one line on stderr naming the field, the value and what is
allowed, and exit code 2; nothing is written unless the run succeeded.

Exit codes: 0 done; 1 an output could not be written (a full disk: the previous
files are unchanged) or the report could not be built; 2 bad input or a bad
output path (checked before simulating); 3 some replications (or sweep
point-replications) raised — one line per failure on stderr naming its
replication, seed (and point) and error, while the finished ones are printed
and written as usual (when every replication raised, nothing is written); 130
interrupted by Ctrl+C (SIGINT), 143 by SIGTERM — one line on stderr saying what
was kept: ``run``, ``compare`` and ``report`` write nothing, a ``sweep`` keeps
its finished points for the next run.  Every output file is written through
:mod:`simkit.fileio`: all or nothing, previous files intact on any failure.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import warnings

from simkit import __version__
from simkit.extras import MissingExtraError, extra_message, require
from simkit.fileio import OutputPathError, WrittenThenInterrupted
from simkit.scenario.limits import MAX_DESIGN_POINTS, MAX_REPLICATIONS, MAX_SEED
from simkit.scenario.model import ScenarioError
from simkit.scenario.yamlio import one_line
from simkit.ui.cli_common import EXIT_CODES, EXIT_FAILED, EXIT_IO, UsageError, catch_signals, interrupted, reset_signal
from simkit.ui.cli_output import add_output_flags

__all__ = ["main", "build_parser", "EXIT_FAILED", "EXIT_IO", "EXIT_CODES"]


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line (``error: ...``) and exit 2, like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        text = one_line(message)
        text = text if len(text) <= 300 else text[:297] + "..."
        print(f"error: {self.prog}: {text} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


_BOUNDS = {"replications": (1, MAX_REPLICATIONS), "seed": (0, MAX_SEED), "points": (1, MAX_DESIGN_POINTS),
           "workers": (1, 1024)}
"""Numeric arguments and their bounds, checked before anything is read, allocated or run."""


def _check_args(args: argparse.Namespace) -> str | None:
    for name, (low, high) in _BOUNDS.items():
        value = getattr(args, name, None)
        if value is not None and not low <= value <= high:
            return f"--{name} must be >= {low} and <= {high:,}, got {value:,}"
    return None


def _with_output_flags(sub: argparse._SubParsersAction) -> None:
    """``--format`` and ``--quiet`` on every command (a command with subcommands: on each of those)."""
    for name, sp in sub.choices.items():
        nested = [a for a in sp._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            _with_output_flags(nested[0])
        elif name != "completion":  # the completion script is the output: no format to choose
            add_output_flags(sp)


def build_parser() -> argparse.ArgumentParser:
    """The ``simkit`` parser: every subcommand, registered by the module that holds it."""
    from simkit.ui import cli_compare, cli_completion, cli_memo, cli_schema, cli_simulate, cli_tools
    from simkit.ui.cli_fit import add_commands

    p = _Parser(prog="simkit", description="Make-or-buy decisions with evidence.", epilog=EXIT_CODES)
    p.add_argument("--version", action="version", version=f"simkit {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    cli_simulate.add_run_parser(sub)
    cli_compare.add_parsers(sub)  # compare
    cli_simulate.add_sweep_parser(sub)
    cli_tools.add_parsers(sub)  # validate, report, screen, drill
    cli_schema.add_parser(sub)  # schema
    cli_memo.add_parsers(sub, EXIT_CODES)  # memo, sensitivity
    add_commands(sub)  # simkit fit, simkit new
    cli_tools.add_class_parsers(sub)  # game, lessons export
    cli_completion.add_parser(sub, build_parser)
    _with_output_flags(sub)
    return p


_parser = build_parser


def _needed_extras(args: argparse.Namespace) -> None:
    """Before any work: every optional package this command will import, or one line naming its extra."""
    feature = f"simkit {args.command}"
    out = str(getattr(args, "out", None) or "")
    if args.command == "sweep" or (args.command == "run" and out.endswith(".parquet")):
        require("pyarrow", f"{feature} --out FILE.parquet")
    if args.command == "sweep" and args.design == "sobol":
        require("SALib", f"{feature} --design sobol")
    if args.command == "run" and args.charts:
        require("matplotlib", f"{feature} --charts")
    if args.command == "report":
        for module in ("papermill", "nbconvert", "nbformat", "ipykernel", "matplotlib"):
            require(module, feature)
    if args.command == "fit":
        require("scipy.stats", feature, "data")
        require("matplotlib", feature, "data")
    if args.command == "lessons":
        require("nbformat", "simkit lessons export")
    if args.command in ("memo", "sensitivity"):
        require("scipy.optimize", feature, "sensitivity")
        require("matplotlib", feature)


def _quiet(args: argparse.Namespace) -> contextlib.AbstractContextManager:
    """With ``--quiet``: standard output to nowhere and warnings off, so that only errors reach the terminal."""
    if not getattr(args, "quiet", False):
        return contextlib.nullcontext()
    stack = contextlib.ExitStack()
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    stack.enter_context(contextlib.redirect_stdout(stack.enter_context(open(os.devnull, "w", encoding="utf-8"))))
    return stack


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (see :data:`EXIT_CODES`: 0 ok, 1 I/O, 2 bad input, 3 failed, 130/143)."""
    from simkit.experiment.replication import ReplicationError

    args = build_parser().parse_args(argv)
    reset_signal()
    problem = _check_args(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    shown_as = warnings.formatwarning
    warnings.formatwarning = lambda message, category, *_: f"warning: {message}\n"  # one line, no source
    handlers = catch_signals()
    try:
        _needed_extras(args)
        with _quiet(args):
            return int(args.func(args))
    except MissingExtraError as err:  # an optional package the command needs is not installed
        message = str(err) if err.feature.startswith("simkit ") else extra_message(f"simkit {args.command}",
                                                                                   err.extra)
        print(f"error: {message}", file=sys.stderr)
        return 2
    except ScenarioError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except ReplicationError as err:  # every replication raised: nothing to keep
        print(f"error: {err}", file=sys.stderr)
        return EXIT_FAILED
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyError as err:
        print(f"error: {one_line(str(err.args[0]))}", file=sys.stderr)
        return 2
    except OutputPathError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except WrittenThenInterrupted as stop:
        return interrupted(f"the outputs were all written just before: {', '.join(map(str, stop.targets))}")
    except KeyboardInterrupt:
        return interrupted("nothing written, previous files unchanged")
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:  # a full disk or a failing device while writing: the previous files are intact
        print(f"error: {err}", file=sys.stderr)
        return EXIT_IO
    finally:
        warnings.formatwarning = shown_as
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


if __name__ == "__main__":
    sys.exit(main())
