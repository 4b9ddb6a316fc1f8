"""The ``simkit`` command: the same engine as the Python API, from a shell.

    simkit run SCENARIO [--replications N] [--seed S] [--set key=value ...] [--out FILE] [--charts DIR]
    simkit compare SCENARIO [--option NAME] [--baseline NAME] [--weights cost=2,timeliness=1] [--sla-target S]
    simkit sweep SCENARIO --vary key=lo:hi:n [--vary ...] [--design grid|lhs|sobol] -n N --out FILE.parquet
    simkit validate SCENARIO
    simkit report SCENARIO -o out/report.html [--seed S] [--replications N] [--set key=value ...]
    simkit screen FILE [--out FILE.csv]
    simkit drill SCENARIO --option O --at MONTH [--tolerance-days D] [--sla-target S] [-o FILE.html]
    simkit fit HISTORY -o scenario.yaml [--timezone Area/City] [--effort-column C] ...  (see simkit.fitting.command)
    simkit new -o my.yaml [--annual-volume N] [--hours 8-18] [--staff N] [--vendor-price P] ...
    simkit game GAME.yaml SUBMISSIONS_DIR [--replay]
    simkit lessons export DIR [--student] [--source notebooks]

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
import functools
import json
import os
import signal
import sys
import threading
import warnings
from pathlib import Path
from typing import Any

from . import __version__
from .extras import MissingExtraError, extra_message, require
from .fileio import (
    OutputPathError,
    Outputs,
    WrittenThenInterrupted,
    check_file_target,
    check_folder_target,
    shown,
    write_text,
)
from .limits import MAX_DESIGN_POINTS, MAX_REPLICATIONS, MAX_SEED
from .scenario import Scenario, ScenarioError, load
from .yamlio import one_line, parse_yaml, show, show_key

__all__ = ["main", "EXIT_FAILED"]

EXIT_FAILED = 3
"""Exit code when some replications raised (the finished ones are still printed and written)."""

EXIT_CODES = ("exit codes: 0 done; 1 an output could not be written (e.g. a full disk; the previous files are "
              "unchanged) or the report could not be built; 2 bad input or a bad output path (one line naming "
              f"the field or path); {EXIT_FAILED} some replications failed (one line each on stderr; the finished "
              "ones are still printed and written); 130 interrupted by Ctrl+C (SIGINT), 143 by SIGTERM (one line "
              "on stderr saying what was kept)")


EXIT_IO = 1
"""Exit code when an output could not be written (e.g. a full disk) or the report could not be built."""

_SIGNAL_SEEN: int | None = None
"""The signal that interrupted this command (SIGINT or SIGTERM), for the exit code 128 + its number."""


class _UsageError(Exception):
    pass


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


def _on_signal(signum: int, _frame: object) -> None:
    """SIGINT and SIGTERM both stop the work the way Ctrl+C does (``KeyboardInterrupt``)."""
    global _SIGNAL_SEEN
    _SIGNAL_SEEN = signum
    raise KeyboardInterrupt


def _catch_signals() -> dict[int, Any]:
    """Route SIGINT and SIGTERM to :func:`_on_signal`; the previous handlers, to put back."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, _on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}


def _keeping_failures(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; failed replications are reported by :func:`_failure_lines`, not as a warning."""
    from .checks import FailedReplicationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FailedReplicationWarning)
        return fn(*args, **kwargs)


def _failure_lines(res: Any) -> int:
    """One line per failed replication on stderr; the exit code the run deserves (0 or :data:`EXIT_FAILED`)."""
    for err in res.failures:
        print(f"error: {err}", file=sys.stderr)
    return EXIT_FAILED if res.failures else 0


def _failed_note(res: Any) -> str:
    return f" ({len(res.failures)} failed and left out, see stderr)" if res.failures else ""


def _parse_sets(items: list[str]) -> dict[str, Any]:
    """``--set`` values read as a scenario file's values are: YAML 1.2 scalars; aliases, deep nesting, huge values
    and text that is not YAML (``[draft``: quote it) refused in one line naming the key."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise _UsageError(f"--set expects key=value (e.g. vendors.msp.price_per_item=30), got {show(item)}")
        try:
            value = parse_yaml(raw, "--set") if raw.strip() else ""
        except ScenarioError as err:
            path = ".".join(show_key(part) for part in key.strip().split("."))
            hint = "; quote text that is not YAML" if err.message.startswith("not valid YAML") else ""
            raise ScenarioError(path, err.message + hint, "--set") from None
        out[key.strip()] = value
    return out


def _scenario(args: argparse.Namespace) -> Scenario:
    sc = load(args.scenario)
    changes = _parse_sets(getattr(args, "set", None) or [])
    if changes:
        try:
            sc = sc.override(changes)
        except ScenarioError as err:
            raise ScenarioError(err.path, err.message, f"{args.scenario} (--set)") from None
    return sc


def _decision_lines(res) -> list[str]:  # noqa: ANN001
    base = res.scenario.baseline_option
    cur = res.scenario.run.currency
    lines = []
    for opt in res.options:
        if opt == base:
            continue
        row = res.compare(opt, base).loc[res.cost_column]
        lines.append(
            f"{opt} vs {base}: total cost {row['delta_mean']:+,.0f} {cur} ({row['delta_share']:+.1%}), "
            f"95% CI [{row['ci_low']:+,.0f}, {row['ci_high']:+,.0f}], P(cheaper) = {row['p_better']:.2f}"
        )
    return lines


def _cmd_run(args: argparse.Namespace) -> int:
    import pandas as pd

    from .experiment import simulate

    sc = _scenario(args)
    if args.out and Path(args.out).suffix not in (".csv", ".parquet"):
        raise _UsageError(f"--out must end in .csv or .parquet, got {shown(args.out)}")
    if args.out:  # a bad place to write is found before the simulation, not after it
        check_file_target(args.out, "--out")
    if args.charts:
        check_folder_target(args.charts, "--charts")
    res = _keeping_failures(simulate, sc, replications=args.replications, seed=args.seed)
    if res.meta.get("interrupted") or _SIGNAL_SEEN:  # an interrupt swallowed on the way still counts
        return _interrupted(f"{res.meta['replications_finished']} of {res.meta['replications_requested']} "
                            "replications had finished; nothing printed or written, previous files unchanged")
    table = res.table()
    if not getattr(args, "all_kpis", False):  # KPIs of mechanisms the scenario does not use are 0 everywhere
        moving = res.kpis[res.kpi_columns].abs().max() > 0
        table = table.loc[[k for k in table.index if moving.get(k, True)]]
    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_colwidth", 60):
        text = table.to_string()
    header = (f"{sc.name}: {res.meta['replications']} replications{_failed_note(res)}, seed {res.seed}, "
              f"{sc.run.horizon_days:g} days, simkit {__version__}; mean [95% CI]")
    body = "\n".join([header, "", text, "", *_decision_lines(res)])
    print(body)
    if args.out or args.charts:
        with Outputs() as outputs:  # every file or none: the charts' meta.json is put in place last
            if args.charts:
                _stage_charts(outputs, res, Path(args.charts), body)
            if args.out:
                res.stage(outputs, args.out)
            if args.charts:
                outputs.add_text(Path(args.charts) / "meta.json", json.dumps(res.meta, indent=2, default=str) + "\n")
        if args.out:
            print(f"\nwrote {args.out}")
        if args.charts:
            print(f"wrote {args.charts}/: table.txt, meta.json, summary.csv, ledger.csv, "
                  f"{', '.join(name for name, _ in chart_list(res))} (.svg and .png)")
    return _failure_lines(res)


def _stage_charts(outputs: Outputs, res, folder: Path, table_text: str) -> None:  # noqa: ANN001
    """Render the table, summary, ledger and charts into ``outputs`` (``meta.json`` is the caller's, last)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .results import stored_meta
    from .store import stage_frame

    outputs.add_text(folder / "table.txt", table_text + "\n")
    stage_frame(outputs, res.summary(), folder / "summary.csv", stored_meta(res.meta))  # + .meta.json sidecars
    stage_frame(outputs, res.ledger, folder / "ledger.csv", stored_meta(res.meta))
    from .chartstyle import png_bytes, svg_bytes

    for name, draw in chart_list(res):
        fig = draw(res)
        try:  # SVG for slides, PNG >= 150 dpi; a failure names the file
            outputs.add(folder / f"{name}.svg", lambda fh, fig=fig: fh.write(svg_bytes(fig)))
            outputs.add(folder / f"{name}.png", lambda fh, fig=fig: fh.write(png_bytes(fig)))
        finally:
            plt.close(fig)


def chart_list(res) -> list[tuple[str, Any]]:  # noqa: ANN001
    """The charts ``run --charts`` writes: name and drawing function."""
    from . import plots

    base = res.scenario.baseline_option
    charts = [("cost_distribution", plots.cost_distribution), ("cost_at_risk", plots.cost_at_risk),
              ("monthly_cost", plots.monthly_cost), ("lead_times", plots.lead_times)]
    charts += [(f"paired_difference_{o}", functools.partial(plots.paired_difference, option=o))
               for o in res.options if o != base and base in res.options]
    return charts


def _interrupted(kept: str) -> int:
    """One line on stderr for Ctrl+C or SIGTERM, and the exit code: 128 + the signal's number."""
    signum = _SIGNAL_SEEN or signal.SIGINT
    print(f"interrupted ({signal.Signals(signum).name}): {kept}", file=sys.stderr)
    return 128 + int(signum)


def _cmd_compare(args: argparse.Namespace) -> int:
    import pandas as pd

    from .experiment import simulate

    sc = _scenario(args)
    weights = _parse_weights(args.weights)
    if not 0 <= args.sla_target <= 1:
        raise _UsageError(f"--sla-target must be a share in [0, 1], got {args.sla_target}")
    res = _keeping_failures(simulate, sc, replications=args.replications, seed=args.seed)
    if res.meta.get("interrupted") or _SIGNAL_SEEN:  # an interrupt swallowed on the way still counts
        return _interrupted(f"{res.meta['replications_finished']} of {res.meta['replications_requested']} "
                            "replications had finished; nothing printed")
    base = args.baseline or sc.baseline_option
    others = [args.option] if args.option else [o for o in res.options if o != base]
    for opt in others:
        cols = ["baseline_mean", "option_mean", "delta_mean", "ci_low", "ci_high", "p_better"]
        cmp = res.compare(opt, base)[cols]
        print(f"{opt} - {base} (paired over {res.meta['replications']} replications{_failed_note(res)}, "
              "95% CI):")
        with pd.option_context("display.width", 200, "display.float_format", "{:,.3f}".format):
            print(cmp.to_string())
        print()
    print("\n".join(_decision_lines(res)))
    try:
        decision = res.decision(base, weights, args.sla_target)
    except ValueError as err:
        raise _UsageError(str(err)) from None
    print("\n" + decision.text())
    return _failure_lines(res)


def _parse_weights(text: str | None) -> dict[str, float] | None:
    if not text:
        return None
    out = {}
    for item in text.split(","):
        key, sep, raw = item.partition("=")
        try:
            out[key.strip()] = float(raw)
        except ValueError:
            sep = ""
        if not sep or not key.strip():
            raise _UsageError(f"--weights expects family=number pairs (e.g. cost=2,timeliness=1), "
                              f"got {item!r}")
    from .analysis import check_weights

    try:
        check_weights(out)
    except ValueError as err:
        raise _UsageError(f"--weights: {err}") from None
    return out


def _cmd_sweep(args: argparse.Namespace) -> int:
    import pandas as pd

    from .design import load_levers, parse_vary
    from .sweep import sweep

    sc = _scenario(args)
    if Path(args.out).suffix != ".parquet":
        raise _UsageError(f"--out must end in .parquet, got {shown(args.out)}")
    check_file_target(args.out, "--out")
    try:
        levers = [parse_vary(v) for v in args.vary or []]
        levers += load_levers(args.levers) if args.levers else []
        if not levers:
            raise _UsageError("sweep needs at least one --vary key=lo:hi:n or a --levers file")
        res = _keeping_failures(sweep, sc, levers, args.replications, args.seed, design=args.design,
                                n=args.points, executor=args.workers or "auto", out=args.out,
                                resume=not args.fresh, progress=False if args.quiet else None)
    except ValueError as err:
        raise _UsageError(str(err)) from None
    base = args.baseline or sc.baseline_option
    option = args.option or next((o for o in sc.option_names if o != base), base)
    done = res.frame.groupby("point")["replication"].nunique()
    print(f"{sc.name}: {res.design} sweep of {', '.join(res.paths)}: {len(res.points)} points x "
          f"{len(res.meta['options'])} options x {res.meta['replications']} replications; computed "
          f"{res.meta['computed']} point-replications, reused {res.meta['reused']}{_failed_note(res)}")
    code = _failure_lines(res)
    if res.interrupted:
        finished = int((done >= res.meta["replications"]).sum())
        return _interrupted(f"{finished} of {len(res.points)} points finished and saved; run the same command "
                            "again to resume")
    table = res.summary().pivot(index="point", columns="option", values="mean")[res.options]
    if option != base:
        cmp = res.paired(option, base)
        table[f"{option}-{base}"] = cmp["delta_mean"]
        table["P(cheaper)"] = cmp["p_better"]
    table = res.points.join(table)
    display = {"display.width": 200, "display.max_columns": 30, "display.float_format": "{:,.2f}".format}
    with pd.option_context(*[x for kv in display.items() for x in kv]):
        print(table.head(40).to_string())
    if len(table) > 40:
        print(f"... {len(table) - 40} more points in {args.out}")
    print(f"\nwrote {args.out} ({len(res.frame)} rows: point x option x replication)")
    if code:
        print(f"run the same command again to retry only the {len(res.failures)} failed point-replications",
              file=sys.stderr)
    return code


def _cmd_validate(args: argparse.Namespace) -> int:
    from .checks import preflight

    sc = _scenario(args)
    preflight(sc)  # a valid file may still be too large to simulate, or certain to drown (a warning)
    print(f"{args.scenario}: valid — '{sc.name}', options: {', '.join(sc.option_names)}")
    summary = sc.summary()
    print(summary)
    for line in summary.straw_man:  # overload was already warned about by preflight
        print(f"warning: {line}", file=sys.stderr)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import ReportError, report

    _scenario(args)  # one-line errors for the file and every --set before anything runs
    if Path(args.out).suffix.lower() not in (".html", ".htm"):
        raise _UsageError(f"-o/--out must end in .html, got {shown(args.out)}")
    check_file_target(args.out, "-o/--out")
    try:
        out = report(args.scenario, args.out, seed=args.seed, replications=args.replications,
                     overrides=_parse_sets(args.set or []))
    except ReportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0


def _cmd_screen(args: argparse.Namespace) -> int:
    from .screening import screen

    result = screen(args.file)
    if args.out is not None:
        if Path(args.out).suffix.lower() != ".csv":
            raise _UsageError(f"--out must end in .csv, got {shown(args.out)}")
        write_text(check_file_target(args.out, "--out"), result.table().to_csv(index=False))
    print(result.text())
    return 0


def _cmd_drill(args: argparse.Namespace) -> int:
    from .drill_report import write_html
    from .exit_drill import drill

    sc = _scenario(args)
    if args.out is not None:  # checked before the runs, so that a bad path costs nothing
        if Path(args.out).suffix.lower() not in (".html", ".htm"):
            raise _UsageError(f"-o/--out must end in .html, got {args.out!r}")
        check_file_target(args.out, "-o/--out")
    result = drill(args.scenario if not args.set else sc, args.option, args.at, replications=args.replications,
                   seed=args.seed, sla_target=args.sla_target, tolerance_days=args.tolerance_days)
    if args.set:  # the file's bytes, and the changes made to it (the fingerprint is the changed scenario's)
        import hashlib

        result.meta["scenario_file"] = f"{args.scenario} with --set {' '.join(args.set)}"
        result.meta["scenario_sha256"] = hashlib.sha256(Path(args.scenario).read_bytes()).hexdigest()
    print(result.text())
    if args.out is not None:
        print(f"wrote {write_html(result, args.out)}")
    return 0


def _cmd_game(args: argparse.Namespace) -> int:
    from .game import play

    board = play(args.game, args.submissions)
    print(board.text())
    if args.replay:
        print()
        print(board.shocks().round(1).to_string(index=False))
        print()
        print(board.replay().pivot(index="month", columns="team", values="rank_so_far").to_string())
    return 0


def _cmd_lessons_export(args: argparse.Namespace) -> int:
    from .lessons.export import export  # one line naming the extra when nbformat is missing (simkit.extras)

    try:
        out = export(args.dir, source=args.source, student=args.student)
    except OSError as err:
        raise _UsageError(f"{args.dir}: cannot write the export ({err.strerror or err})") from None
    print(f"wrote {out}" + (" (student build: no solutions, answers checked against checks.json)"
                            if args.student else ""))
    return 0


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="simkit", description="Make-or-buy decisions with evidence.", epilog=EXIT_CODES)
    p.add_argument("--version", action="version", version=f"simkit {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser, runs: bool = True) -> None:
        sp.add_argument("scenario", help="scenario YAML file, or the name of a shipped example "
                        "(e.g. startup_it_helpdesk; python -c 'import simkit; print(simkit.examples())' lists them)")
        sp.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a field by dotted path")
        if runs:
            sp.add_argument("--replications", "-n", type=int, help="replications (default: the scenario's)")
            sp.add_argument("--seed", type=int, help="root seed (default: the scenario's)")

    run = sub.add_parser("run", help="simulate every option and print the KPI table", epilog=EXIT_CODES)
    common(run)
    run.add_argument("--all-kpis", action="store_true", dest="all_kpis",
                     help="print every KPI, also those that are 0 for every option")
    run.add_argument("--out", help="write the KPIs (one row per option and replication) to .csv or .parquet")
    run.add_argument("--charts", metavar="DIR", help="write the table, summary, ledger and charts (SVG and PNG) to DIR")
    run.set_defaults(func=_cmd_run)

    cmp = sub.add_parser("compare", help="paired comparison of options against the baseline", epilog=EXIT_CODES)
    common(cmp)
    cmp.add_argument("--option", help="the option to compare (default: every other option)")
    cmp.add_argument("--baseline", help="the baseline option (default: the scenario's)")
    cmp.add_argument("--weights", help="ranking weights per KPI family, e.g. cost=3,timeliness=1,quality=1")
    cmp.add_argument("--sla-target", type=float, default=0.95, metavar="SHARE",
                     help="SLA attainment below which a replication counts as a miss (default 0.95)")
    cmp.set_defaults(func=_cmd_compare)

    swp = sub.add_parser("sweep", help="run every option over a grid, Latin hypercube or Sobol design",
                         epilog=EXIT_CODES)
    common(swp)
    swp.add_argument("--vary", action="append", metavar="KEY=LO:HI:N",
                     help="a parameter range (or KEY=V1,V2,...)")
    swp.add_argument("--levers", metavar="FILE", help="YAML file with levers: and uncertainties: sections")
    swp.add_argument("--design", choices=("grid", "lhs", "sobol"), default="grid")
    swp.add_argument("--points", type=int, help="points for lhs; base sample size (power of 2) for sobol")
    swp.add_argument("--out", required=True, help="results (point x option x replication) to FILE.parquet")
    swp.add_argument("--option", help="the option to compare in the printed table")
    swp.add_argument("--baseline", help="the baseline option (default: the scenario's)")
    swp.add_argument("--workers", type=int, help="processes (1: serial; default: a pool sized to the cores "
                     "when the work is long)")
    swp.add_argument("--fresh", action="store_true",
                     help="start afresh: earlier results for --out are moved to a dated backup folder beside it")
    swp.add_argument("--quiet", action="store_true", help="no progress bar")
    swp.set_defaults(func=_cmd_sweep)

    val = sub.add_parser("validate", help="check a scenario file and exit")
    common(val, runs=False)
    val.set_defaults(func=_cmd_validate)

    rep = sub.add_parser("report", help="execute the report notebook and write static HTML (no code)")
    common(rep)
    rep.add_argument("-o", "--out", default="out/report.html", help="the HTML file (default out/report.html)")
    rep.set_defaults(func=_cmd_report)

    scr = sub.add_parser("screen", help="place business functions on a keep / hybrid / outsource map")
    scr.add_argument("file", help="screen YAML file (functions scored 1-5 on the criteria)")
    scr.add_argument("--out", help="also write the placements to FILE.csv")
    scr.set_defaults(func=_cmd_screen)

    dri = sub.add_parser("drill", help="force a vendor's exit and test the exit plan", epilog=EXIT_CODES)
    common(dri)
    dri.add_argument("--option", required=True, help="the option whose vendor exits")
    dri.add_argument("--at", required=True, type=float, metavar="MONTH", help="when, in months after the warm-up")
    dri.add_argument("--tolerance-days", type=float, default=30.0, dest="tolerance_days",
                     help="service must be back within SLA within this many days (default 30)")
    dri.add_argument("--sla-target", type=float, dest="sla_target", metavar="SHARE",
                     help="weekly SLA attainment that counts as restored (default: the vendor's SLA target, else 0.9)")
    dri.add_argument("-o", "--out", help="write the drill as an HTML section with provenance")
    dri.set_defaults(func=_cmd_drill)

    from .fitting.command import add_commands

    add_commands(sub)  # simkit fit, simkit new
    from .cli_memo import add_parsers

    add_parsers(sub, EXIT_CODES)  # simkit memo, simkit sensitivity

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
    return p


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


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (see :data:`EXIT_CODES`: 0 ok, 1 I/O, 2 bad input, 3 failed, 130/143)."""
    from .checks import ReplicationError

    args = _parser().parse_args(argv)
    global _SIGNAL_SEEN
    _SIGNAL_SEEN = None
    problem = _check_args(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    shown_as = warnings.formatwarning
    warnings.formatwarning = lambda message, category, *_: f"warning: {message}\n"  # one line, no source
    handlers = _catch_signals()
    try:
        _needed_extras(args)
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
    except _UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyError as err:
        print(f"error: {one_line(str(err.args[0]))}", file=sys.stderr)
        return 2
    except OutputPathError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except WrittenThenInterrupted as stop:
        return _interrupted(f"the outputs were all written just before: {', '.join(map(str, stop.targets))}")
    except KeyboardInterrupt:
        return _interrupted("nothing written, previous files unchanged")
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
