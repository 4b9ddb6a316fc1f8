"""``simkit compare SCENARIO --equal-service KPI=VALUE``: right-size every option, then compare them.

The flags, and the step that turns a scenario into results at equal service; ``simkit compare`` prints
its usual paired comparison and decision from those results.  The search itself is
:func:`simkit.analysis.equal_service.compare_at_equal_service`; nothing here models anything.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from simkit.scenario.model import Scenario, ScenarioError

if TYPE_CHECKING:  # the search and pandas load only when --equal-service is used, not for every command
    from simkit.experiment.results import Results

__all__ = ["add_arguments", "right_size_options", "EqualServiceMissed"]


class EqualServiceMissed(Exception):
    """Fewer than two options (or a named one) can meet the targets: nothing like-for-like to compare."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``--equal-service`` flags of ``simkit compare``."""
    parser.add_argument("--equal-service", action="append", dest="equal_service", metavar="KPI=VALUE",
                        help="right-size every option (its team's staff or roster shifts, its vendor's agents, its "
                             "escalation tiers' pools) to the least cost that meets "
                             "this target, then compare them there; KPI=VALUE means at least for a KPI where "
                             "more is better, at most where less is ('lead_time_p90_h<=24' also works); repeat "
                             "for several targets")
    parser.add_argument("--confidence", type=float, default=0.95,
                        help="with --equal-service: one-sided confidence that each KPI mean meets its target "
                             "(default 0.95)")
    parser.add_argument("--max-evaluations", type=int, default=60, dest="max_evaluations",
                        help="with --equal-service: the most staffings simulated per option (default 60)")
    parser.add_argument("--max-staff", type=int, dest="max_staff",
                        help="with --equal-service: the upper bound of every head count searched "
                             "(default max(8, 4 x the scenario's); enumerated ones may be narrowed around "
                             "today's to fit --max-evaluations)")


def _flag_error(flag: str, message: str) -> ScenarioError:
    return ScenarioError("", message, flag)


def right_size_options(args: argparse.Namespace, scenario: Scenario) -> tuple[Results, str]:
    """Right-size the baseline and the compared options; print their staffing; the results and the baseline.

    Raises
    ------
    ScenarioError
        For a bad target or flag (one line naming it).
    EqualServiceMissed
        When the named ``--option`` or all but one option miss the targets at every staffing searched.
    """
    from simkit.analysis.equal_service import compare_at_equal_service
    from simkit.analysis.rightsizing import MAX_EVALUATIONS
    from simkit.analysis.service_targets import MAX_LEVER_STAFF, default_levers

    if not 0.5 <= args.confidence < 1:
        raise _flag_error("--confidence", f"must be a probability in [0.5, 1), got {args.confidence}")
    if not 1 <= args.max_evaluations <= MAX_EVALUATIONS:
        raise _flag_error("--max-evaluations", f"must be in 1..{MAX_EVALUATIONS}, got {args.max_evaluations}")
    if args.max_staff is not None and not 1 <= args.max_staff <= MAX_LEVER_STAFF:
        raise _flag_error("--max-staff", f"must be in 1..{MAX_LEVER_STAFF:,}, got {args.max_staff}")
    base = args.baseline or scenario.baseline_option
    for name in (base, args.option):
        if name is not None and name not in scenario.options:
            raise KeyError(f"unknown option '{name}'; options: {', '.join(scenario.option_names)}")
    names = [o for o in scenario.option_names if o in (base, args.option)] if args.option else scenario.option_names
    levers = None
    if args.max_staff is not None:
        levers = {o: [{"path": path, "high": args.max_staff} for path in default_levers(scenario, o)] for o in names}
    try:
        eq = compare_at_equal_service(scenario, list(args.equal_service), names, args.confidence,
                                      args.replications, args.seed, levers, args.max_evaluations)
    except ScenarioError as err:
        if err.path.startswith("target"):
            raise ScenarioError(err.path, err.message, "--equal-service") from None
        raise
    print(f"{scenario.name}: every option right-sized to {', '.join(map(str, eq.targets))} "
          f"(one-sided {args.confidence:.0%} bounds, common random numbers)")
    print(eq.staffing().to_string(index=False))
    for s in eq.sizings.values():
        print(s.text())
    print()
    if args.option and args.option in eq.missed:
        raise EqualServiceMissed(f"--equal-service: option '{args.option}' meets the targets at no staffing "
                                 "searched, so it cannot be compared at equal service (see above)")
    if len(eq.met) < 2:
        raise EqualServiceMissed(f"--equal-service: only {len(eq.met)} option(s) meet the targets "
                                 f"({', '.join(eq.met) or 'none'}); nothing to compare at equal service")
    if eq.missed:
        print(f"left out (no staffing searched meets the targets): {', '.join(eq.missed)}")
    if base not in eq.met:
        print(f"the baseline '{base}' misses the targets; comparing against '{eq.baseline}'", file=sys.stderr)
    return eq.results, eq.baseline
