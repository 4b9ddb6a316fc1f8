"""The ``simkit`` command's first step: catch Ctrl+C and SIGTERM before anything heavy is imported.

Importing the command line (pydantic's schema, pandas, numpy) takes a second or more.  A signal in that window
used to end in Python's ``KeyboardInterrupt`` traceback (or a misleading message from a half-imported numpy).
Here the signals are caught first: one line on stderr and the exit code 128 + the signal's number, as the
command line gives once it runs — nothing has been written yet, so nothing is lost.  Then
:func:`simkit.ui.cli.main` installs its own handlers, which keep what a run has finished.

This module imports only the standard library, and ``simkit/__init__.py`` loads its names on first use, so the
window before the handlers are in place is the interpreter's own start.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

__all__ = ["main"]


def _stop_starting(signum: int, _frame: Any) -> None:
    """A signal while the command is still starting: say so in one line and exit 128 + the signal's number."""
    print(f"interrupted ({signal.Signals(signum).name}): stopped while starting, nothing written", file=sys.stderr)
    sys.stderr.flush()
    # A hard exit, not SystemExit: the signal lands inside some library's import, and an import that catches
    # everything (to re-raise its own message, or to carry on without an optional part) would swallow or
    # reword it. Nothing has been written and no worker started yet, so there is nothing to clean up.
    os._exit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """The ``simkit`` command (see :func:`simkit.ui.cli.main`), with signals caught from its first line."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop_starting)
    from simkit.ui.cli import main as run  # the heavy imports, now interruptible in one line

    code = run(argv)
    # Finished: the outputs are written and the exit code says how it went. A signal from now on changes nothing,
    # so it is ignored: Python's shutdown resets handlers written in Python to the default, and a Ctrl+C in that
    # window would otherwise kill the process by the signal after a successful run.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    return code
