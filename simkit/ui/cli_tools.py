"""``simkit validate | report | screen | drill | game | lessons export``: the commands around the simulation.

Each prints through :func:`simkit.ui.cli_output.emit`, so ``--format table|csv|json`` and ``--quiet`` mean the
same as for ``run``: the records below are what CSV and JSON hold.

* ``validate``: one record per option and pool (servers, offered load, utilisation, P(wait), wait);
* ``report``, ``lessons export``: the file or folder written;
* ``screen``: one record per business function and its placement;
* ``drill``: one record of the drill's numbers (restore times, P(restored), backlog peak, costs);
* ``game``: one record per team, best first.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from simkit.fileio import check_file_target, shown, write_text
from simkit.ui.cli_common import EXIT_CODES, UsageError, add_scenario_args, parse_sets, scenario_of
from simkit.ui.cli_output import emit, option_label

__all__ = ["add_parsers"]


def _pct(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:.0%}"


def _cmd_validate(args: argparse.Namespace) -> int:
    from simkit.scenario.preflight import preflight

    sc = scenario_of(args)
    preflight(sc)  # a valid file may still be too large to simulate, or certain to drown (a warning)
    s = sc.summary()
    blocks: list[Any] = [f"{args.scenario}: valid — '{sc.name}', options: "
                         f"{', '.join(option_label(sc, o) for o in sc.option_names)}",
                         f"annual items: {s.annual_items:,.0f} (first year); over the run: {s.horizon_items:,.0f}"]
    if s.profile_note:
        blocks.append(f"note: {s.profile_note}")
    if len(s.pools):
        pools = pd.DataFrame({
            "pool": list(s.pools["pool"]), "servers": [f"{v:,}" for v in s.pools["servers"]],
            "load (Erl)": [f"{v:.2f}" for v in s.pools["offered_load_erlangs"]],
            "util": [_pct(v) for v in s.pools["utilisation_share"]],
            "P(wait)": [_pct(v) for v in s.pools["p_wait_share"]],
            "wait h": ["inf" if math.isinf(v) else f"{v:.2f}" for v in s.pools["wait_mean_h"]],
        }, index=pd.Index([option_label(sc, o) for o in s.pools["option"]], name="option"))
        blocks.append(pools)
    for r in s.vendor_revenue.itertuples(index=False):
        per_h = "inf" if math.isinf(r.revenue_per_agent_h) else f"{r.revenue_per_agent_h:,.2f}"
        blocks.append(f"{option_label(sc, r.option)}: vendor {r.vendor} earns {per_h} {s.currency} per "
                      "agent-hour on shift")
    blocks += [f"warning: {w}" for w in s.overloaded]  # overload was already warned about by preflight on stderr
    extra = {"command": "validate", "file": str(args.scenario), "valid": True, "scenario": sc.name,
             "options": {o: option_label(sc, o) for o in sc.option_names}, "annual_items": s.annual_items,
             "horizon_items": s.horizon_items, "currency": s.currency, "profile_note": s.profile_note,
             "warnings": list(s.warnings), "vendor_revenue": s.vendor_revenue.to_dict(orient="records")}
    emit(s.pools, args.format, quiet=args.quiet, text=blocks, extra=extra)
    if not args.quiet:
        for line in s.straw_man:
            print(f"warning: {line}", file=sys.stderr)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from simkit.ui.report import ReportError, report

    scenario_of(args)  # one-line errors for the file and every --set before anything runs
    if Path(args.out).suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"-o/--out must end in .html, got {shown(args.out)}")
    check_file_target(args.out, "-o/--out")
    try:
        out = report(args.scenario, args.out, seed=args.seed, replications=args.replications,
                     overrides=parse_sets(args.set or []))
    except ReportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    emit({"command": "report", "wrote": str(out)}, args.format, quiet=args.quiet, text=[f"wrote {out}"])
    return 0


def _cmd_screen(args: argparse.Namespace) -> int:
    from simkit.analysis.screening import screen

    result = screen(args.file)
    table = result.table()
    if args.out is not None:
        if Path(args.out).suffix.lower() != ".csv":
            raise UsageError(f"--out must end in .csv, got {shown(args.out)}")
        write_text(check_file_target(args.out, "--out"), table.to_csv(index=False))
    emit(table, args.format, quiet=args.quiet, text=[result.text()], extra={"command": "screen",
                                                                          "file": str(args.file)})
    return 0


def _cmd_drill(args: argparse.Namespace) -> int:
    from simkit.analysis.exit_drill import drill
    from simkit.ui.drill_report import write_html

    sc = scenario_of(args)
    if args.out is not None:  # checked before the runs, so that a bad path costs nothing
        if Path(args.out).suffix.lower() not in (".html", ".htm"):
            raise UsageError(f"-o/--out must end in .html, got {shown(args.out)}")
        check_file_target(args.out, "-o/--out")
    result = drill(args.scenario if not args.set else sc, args.option, args.at, replications=args.replications,
                   seed=args.seed, sla_target=args.sla_target, tolerance_days=args.tolerance_days)
    if args.set:  # the file's bytes, and the changes made to it (the fingerprint is the changed scenario's)
        result.meta["scenario_file"] = f"{args.scenario} with --set {' '.join(args.set)}"
        result.meta["scenario_sha256"] = hashlib.sha256(Path(args.scenario).read_bytes()).hexdigest()
    blocks = [result.text()]
    if args.out is not None:
        blocks.append(f"wrote {write_html(result, args.out)}")
    extra = {"command": "drill", "scenario": sc.name, "option": args.option, "at_month": args.at,
             "currency": sc.run.currency, "units": "suffix _h: hours; _share: 0 to 1; _items: items; "
             "cost fields: the currency", "wrote": str(args.out) if args.out is not None else None}
    emit(result.summary(), args.format, quiet=args.quiet, text=blocks, extra=extra)
    return 0


def _cmd_game(args: argparse.Namespace) -> int:
    from simkit.game import play

    board = play(args.game, args.submissions)
    blocks: list[Any] = [board.text()]
    extra: dict[str, Any] = {"command": "game", "game": board.game.name, "currency": board.game.base.run.currency,
                             "service_floor": board.game.service_floor,
                             "invalid": [{"file": f, "reason": r} for f, r in board.invalid]}
    if args.replay:
        shocks = board.shocks()
        shocks = shocks.set_index(shocks.columns[0])
        # counts (arrivals, exits) as whole numbers, hours down to a tenth
        shown = shocks.apply(lambda col: col.map("{:,.0f}".format if (col % 1 == 0).all() else "{:,.1f}".format))
        replay = board.replay().pivot(index="month", columns="team", values="rank_so_far")
        blocks += ["", (shown, "row"), "",
                   "rank so far, month by month:", (replay.astype(str), "row")]
        extra.update(shocks=board.shocks().to_dict(orient="records"), replay=board.replay().to_dict(orient="records"))
    emit(board.table(), args.format, quiet=args.quiet, text=blocks, extra=extra)
    return 0


def _cmd_lessons_export(args: argparse.Namespace) -> int:
    from simkit.ui.lessons.export import export  # one line naming the extra when nbformat is missing (simkit.extras)

    try:
        out = export(args.dir, source=args.source, student=args.student)
    except OSError as err:
        raise UsageError(f"{args.dir}: cannot write the export ({err.strerror or err})") from None
    note = " (student build: no solutions, answers checked against checks.json)" if args.student else ""
    emit({"command": "lessons export", "wrote": str(out), "student": bool(args.student)}, args.format,
         quiet=args.quiet, text=[f"wrote {out}{note}"])
    return 0


def add_parsers(sub: Any) -> None:
    """Register ``validate``, ``report``, ``screen`` and ``drill`` on the CLI's subparsers."""
    val = sub.add_parser("validate", help="check a scenario file and exit")
    add_scenario_args(val, runs=False)
    val.set_defaults(func=_cmd_validate)

    rep = sub.add_parser("report", help="execute the report notebook and write static HTML (no code)")
    add_scenario_args(rep)
    rep.add_argument("-o", "--out", default="out/report.html", help="the HTML file (default out/report.html)")
    rep.set_defaults(func=_cmd_report)

    scr = sub.add_parser("screen", help="place business functions on a keep / hybrid / outsource map")
    scr.add_argument("file", help="screen YAML file (functions scored 1-5 on the criteria)")
    scr.add_argument("--out", help="also write the placements to FILE.csv")
    scr.set_defaults(func=_cmd_screen)

    dri = sub.add_parser("drill", help="force a vendor's exit and test the exit plan", epilog=EXIT_CODES)
    add_scenario_args(dri)
    dri.add_argument("--option", required=True, help="the option whose vendor exits")
    dri.add_argument("--at", required=True, type=float, metavar="MONTH", help="when, in months after the warm-up")
    dri.add_argument("--tolerance-days", type=float, default=30.0, dest="tolerance_days",
                     help="service must be back within SLA within this many days (default 30)")
    dri.add_argument("--sla-target", type=float, dest="sla_target", metavar="SHARE",
                     help="weekly SLA attainment that counts as restored (default: the vendor's SLA target, else 0.9)")
    dri.add_argument("-o", "--out", help="write the drill as an HTML section with provenance")
    dri.set_defaults(func=_cmd_drill)


def add_class_parsers(sub: Any) -> None:
    """Register ``game`` and ``lessons export`` (after ``fit`` and ``new``, in the order of the help)."""
    game = sub.add_parser("game", help="play a classroom game: rank the teams' strategies on the same year")
    game.add_argument("game", help="the game file (YAML: base scenario, levers and bounds, service floor)")
    game.add_argument("submissions", help="folder of the teams' strategy files (*.yaml)")
    game.add_argument("--replay", action="store_true", help="also print the shocks and the ranks month by month")
    game.set_defaults(func=_cmd_game)

    lessons = sub.add_parser("lessons", help="export the lesson notebooks for a class")
    lsub = lessons.add_subparsers(dest="lessons_command", required=True)
    exp = lsub.add_parser("export", help="write the notebooks (and with --student, no solutions) to DIR")
    exp.add_argument("dir", help="the folder to write (new, empty, or an earlier export)")
    exp.add_argument("--student", action="store_true",
                     help="leave out the solution cells and the answer key; answers are checked against hashes")
    exp.add_argument("--source", default="notebooks", help="the notebooks folder (default: notebooks)")
    exp.set_defaults(func=_cmd_lessons_export)
