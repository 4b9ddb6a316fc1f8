"""The ``simkit memo`` and ``simkit sensitivity`` subcommands (registered by :mod:`simkit.ui.cli`).

    simkit memo SCENARIO -o memo.html [--pdf memo.pdf] [--levers FILE] [--criteria FILE] [-n N] [--seed S]
                [--sensitivity-replications N] [--discount-rate R] [--service-tolerance T] [--set KEY=VALUE]
                [--equal-service KPI=VALUE ... [--confidence C] [--max-evaluations N]]
    simkit sensitivity SCENARIO [--levers FILE] [--option X] [--versus Y] [-n N] [--seed S] [--set KEY=VALUE]

Bad input is one line and exit 2 (a missing Chromium for ``--pdf`` too, found before any simulation);
the memo's files are written all-or-nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["add_parsers"]


def _scenario_and_text(args: argparse.Namespace) -> tuple[Any, str | None]:
    from simkit.scenario.model import ScenarioError
    from simkit.ui.cli_common import parse_sets as _parse_sets
    from simkit.ui.memo_build import scenario_and_text

    sc, text = scenario_and_text(args.scenario)
    changes = _parse_sets(args.set or [])
    if changes:
        try:
            sc = sc.override(changes)
        except ScenarioError as err:
            raise ScenarioError(err.path, err.message, f"{args.scenario} (--set)") from None
    return sc, text


def _usage(message: str) -> Exception:
    from simkit.ui.cli_common import UsageError as _UsageError

    return _UsageError(message)


def _two_options(sc: Any, source: str, what: str) -> None:
    """Stop before simulating when there is nothing to compare (a fitted scenario holds today's team alone)."""
    from simkit.scenario.model import ScenarioError

    if len(sc.options) < 2:
        names = ", ".join(repr(o) for o in sc.options)
        raise ScenarioError("options", f"{what} compares two or more options, this scenario has one ({names}); add "
                            "a vendor and an option for it (`simkit new -o starter.yaml` writes an example of both)",
                            source)


def _not_interrupted() -> None:
    """A signal swallowed by a run on the way (the runs keep their finished part) still stops the memo."""
    from simkit.ui.cli_common import signal_seen

    if signal_seen():  # the CLI's record of SIGINT/SIGTERM
        raise KeyboardInterrupt


def _cmd_memo(args: argparse.Namespace) -> int:
    from simkit.fileio import check_file_target, shown
    from simkit.scenario.model import ScenarioError
    from simkit.ui.memo_build import memo
    from simkit.ui.memo_html import ChromiumMissing

    if Path(args.out).suffix.lower() not in (".html", ".htm"):
        raise _usage(f"-o/--out must end in .html, got {shown(args.out)}")
    if args.pdf is not None and Path(args.pdf).suffix.lower() != ".pdf":
        raise _usage(f"--pdf must end in .pdf, got {shown(args.pdf)}")
    for flag, value, low, high in (("--discount-rate", args.discount_rate, 0.0, 1.0),
                                   ("--service-tolerance", args.service_tolerance, 0.0, 1.0)):
        if value is not None and not low <= value <= high:
            raise _usage(f"{flag} must be from {low:g} to {high:g}, got {value!r}")
    if args.sensitivity_replications is not None and not 1 <= args.sensitivity_replications <= 100_000:
        raise _usage(f"--sensitivity-replications must be from 1 to 100,000, got {args.sensitivity_replications}")
    check_file_target(args.out, "-o/--out")
    if args.pdf is not None:
        check_file_target(args.pdf, "--pdf")
    from simkit.analysis.rightsizing import MAX_EVALUATIONS

    if args.equal_service and not 0.5 <= args.confidence < 1:  # NaN too: no comparison holds for it
        raise _usage(f"--confidence must be a probability in [0.5, 1), got {args.confidence!r}")
    if args.equal_service and not 1 <= args.max_evaluations <= MAX_EVALUATIONS:
        raise _usage(f"--max-evaluations must be from 1 to {MAX_EVALUATIONS:,}, got {args.max_evaluations}")
    sc, text = _scenario_and_text(args)
    _two_options(sc, args.scenario, "a memo")
    try:
        rec = memo(sc, args.out, pdf=args.pdf, levers=args.levers, criteria=args.criteria,
                   replications=args.replications, seed=args.seed, scenario_text=text,
                   sensitivity_replications=args.sensitivity_replications, discount_rate=args.discount_rate,
                   service_tolerance=args.service_tolerance, before_write=_not_interrupted,
                   equal_service=list(args.equal_service) if args.equal_service else None,
                   confidence=args.confidence, max_evaluations=args.max_evaluations)
    except ChromiumMissing as err:
        raise _usage(str(err)) from None
    except ValueError as err:
        raise _usage(str(err)) from None
    except ScenarioError as err:
        if err.path.startswith("target"):
            raise ScenarioError(err.path, err.message, "--equal-service") from None
        raise
    print(rec.recommendation)
    print(f"wrote {args.out}" + (f" and {args.pdf}" if args.pdf else ""))
    return 0


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    from simkit.analysis.sensitivity_summary import summarise_sensitivity
    from simkit.experiment.design import load_levers

    sc, _ = _scenario_and_text(args)
    _two_options(sc, args.scenario, "a sensitivity analysis")
    levers = load_levers(args.levers) if args.levers else None
    versus = args.versus or sc.baseline_option
    option = args.option or next((o for o in sc.options if o != versus), None)
    if option is None:
        raise _usage("a sensitivity needs two options; the scenario has one")
    try:
        summary = summarise_sensitivity(sc, option, versus, levers, replications=args.replications, seed=args.seed)
    except ValueError as err:
        raise _usage(str(err)) from None
    _not_interrupted()
    print(summary.text())
    return 0


def add_parsers(sub: Any, epilog: str) -> None:
    """Register ``memo`` and ``sensitivity`` on the CLI's subparsers."""

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("scenario", help="scenario YAML file, or the name of a shipped example")
        p.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a field by dotted path")
        p.add_argument("--replications", "-n", type=int, help="replications (default: the scenario's)")
        p.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
        p.add_argument("--levers", metavar="FILE", help="levers file (levers:/uncertainties: with path, low, "
                       "high; as for sweep); default: +-20%% of the prices, hourly costs and volume")

    m = sub.add_parser("memo", help="write the decision memo (HTML, optionally PDF) a CFO reads", epilog=epilog)
    common(m)
    m.add_argument("-o", "--out", required=True, help="the memo's HTML file")
    m.add_argument("--pdf", help="also print the memo to this PDF with headless Chromium")
    m.add_argument("--criteria", metavar="FILE", help="a criteria: section in its own YAML file (the scorecard)")
    m.add_argument("--sensitivity-replications", type=int, dest="sensitivity_replications", metavar="N",
                   help="replications of the tornado and break-evens (default: as -n)")
    m.add_argument("--discount-rate", type=float, dest="discount_rate", metavar="RATE",
                   help="annual rate for the NPV of the savings (default: the scenario's run.discount_rate_annual)")
    m.add_argument("--service-tolerance", type=float, dest="service_tolerance", metavar="SHARE",
                   help="largest SLA-attainment gap still called equal service (default 0.02)")
    m.add_argument("--equal-service", action="append", dest="equal_service", metavar="KPI=VALUE",
                   help="right-size every option (team staff, vendor agents) to the least cost that meets this "
                        "target, then write the memo at those staffings ('lead_time_p90_h<=24' also works; repeat "
                        "for several targets)")
    m.add_argument("--confidence", type=float, default=0.95,
                   help="with --equal-service: one-sided confidence that each KPI mean meets its target (default 0.95)")
    m.add_argument("--max-evaluations", type=int, default=60, dest="max_evaluations",
                   help="with --equal-service: the most staffings simulated per option (default 60)")
    m.set_defaults(func=_cmd_memo)
    s = sub.add_parser("sensitivity", help="tornado of the savings and the break-evens of the top two levers",
                       epilog=epilog)
    common(s)
    s.add_argument("--option", help="the option whose savings are studied (default: the first non-baseline)")
    s.add_argument("--versus", help="the option it is compared with (default: the baseline)")
    s.set_defaults(func=_cmd_sensitivity)
