"""``simkit completion bash|zsh``: print the shell's completion script for every subcommand and flag.

The script is generated from the same parser that reads the command line (by shtab, the ``completion``
extra), so it cannot fall behind a new flag; file arguments complete file names.  Install it once::

    simkit completion bash > ~/.local/share/bash-completion/completions/simkit
    simkit completion zsh > ~/.zfunc/_simkit    # with fpath+=(~/.zfunc) before compinit in ~/.zshrc
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_parser", "SHELLS"]

SHELLS = ("bash", "zsh")

_PATH_ARGS = {"scenario", "file", "game", "submissions", "dir", "history", "out", "charts", "levers", "report",
              "source"}
"""Arguments whose value is a file or folder: completed with the shell's file names."""

_FILES = {"bash": "_shtab_compgen_files", "zsh": "_files"}  # shtab.FILE, without importing shtab to build the parser


def _mark_paths(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _mark_paths(sub)
        elif action.dest in _PATH_ARGS:
            action.complete = _FILES  # type: ignore[attr-defined] - read by shtab


def _cmd_completion(args: argparse.Namespace) -> int:
    from simkit.extras import require

    shtab = require("shtab", f"simkit completion {args.shell}")
    parser = args.build_parser()  # the whole command line, handed over by simkit.ui.cli (no import back)
    _mark_paths(parser)
    sys.stdout.write(shtab.complete(parser, shell=args.shell))
    return 0


def add_parser(sub: Any, build_parser: Any) -> None:
    """Register ``completion`` on the CLI's subparsers; ``build_parser`` makes the parser it completes."""
    p = sub.add_parser("completion", help="print the shell completion script (bash or zsh); see the README")
    p.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    p.set_defaults(func=_cmd_completion, build_parser=build_parser)
