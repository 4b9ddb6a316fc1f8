"""The ``simkit`` command: the same engine as the Python API, from a shell.

    simkit run SCENARIO [--replications N] [--seed S] [--set key=value ...] [--out FILE] [--charts DIR]
    simkit compare SCENARIO [--option NAME] [--baseline NAME] [--weights cost=2,timeliness=1] [--sla-target S]
    simkit sweep SCENARIO --vary key=lo:hi:n [--vary ...] [--design grid|lhs|sobol] -n N --out FILE.parquet
    simkit validate SCENARIO
    simkit report SCENARIO -o out/report.html [--seed S] [--replications N] [--set key=value ...]
    simkit game GAME.yaml SUBMISSIONS_DIR [--replay]
    simkit lessons export DIR [--student] [--source notebooks]

Bad input ends with one line on stderr naming the field, the value and what is
allowed, and exit code 2; nothing is written unless the run succeeded.

Exit codes: 0 done; 1 the report could not be built; 2 bad input; 3 some
replications (or sweep point-replications) raised — one line per failure on
stderr naming its replication, seed (and point) and error, while the finished
ones are printed and written as usual (when every replication raised, nothing
is written); 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import yaml

from . import __version__
from .scenario import Scenario, ScenarioError, load

__all__ = ["main", "EXIT_FAILED"]

EXIT_FAILED = 3
"""Exit code when some replications raised (the finished ones are still printed and written)."""

EXIT_CODES = ("exit codes: 0 done; 1 the report could not be built; 2 bad input (one line naming the field); "
              f"{EXIT_FAILED} some replications failed (one line each on stderr; the finished ones are still "
              "printed and written); 130 interrupted")


class _UsageError(Exception):
    pass


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
    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise _UsageError(f"--set expects key=value (e.g. vendors.msp.price_per_item=30), got {item!r}")
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
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


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


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
        raise _UsageError(f"--out must end in .csv or .parquet, got {args.out!r}")
    res = _keeping_failures(simulate, sc, replications=args.replications, seed=args.seed)
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
    if args.out:
        res.save(args.out)
        print(f"\nwrote {args.out}")
    if args.charts:
        _write_charts(res, Path(args.charts), body)
    return _failure_lines(res)


def _write_charts(res, folder: Path, table_text: str) -> None:  # noqa: ANN001
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import plots

    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write_text(folder / "table.txt", table_text + "\n")
    _atomic_write_text(folder / "meta.json", json.dumps(res.meta, indent=2, default=str) + "\n")  # seed, ver.
    res.summary().to_csv(folder / ".summary.csv.tmp", index=False)
    (folder / ".summary.csv.tmp").replace(folder / "summary.csv")
    res.ledger.to_csv(folder / ".ledger.csv.tmp", index=False)
    (folder / ".ledger.csv.tmp").replace(folder / "ledger.csv")
    for name, draw in (("cost_distribution", plots.cost_distribution), ("monthly_cost", plots.monthly_cost),
                       ("lead_times", plots.lead_times)):
        fig = draw(res)
        tmp = folder / f".{name}.tmp.png"
        fig.savefig(tmp, dpi=110)
        plt.close(fig)
        tmp.replace(folder / f"{name}.png")
    print(f"wrote {folder}/: table.txt, meta.json, summary.csv, ledger.csv, cost_distribution.png, "
          "monthly_cost.png, lead_times.png")


def _cmd_compare(args: argparse.Namespace) -> int:
    import pandas as pd

    from .experiment import simulate

    sc = _scenario(args)
    weights = _parse_weights(args.weights)
    if not 0 <= args.sla_target <= 1:
        raise _UsageError(f"--sla-target must be a share in [0, 1], got {args.sla_target}")
    res = _keeping_failures(simulate, sc, replications=args.replications, seed=args.seed)
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
        raise _UsageError(f"--out must end in .parquet, got {args.out!r}")
    try:
        levers = [parse_vary(v) for v in args.vary or []]
        levers += load_levers(args.levers) if args.levers else []
        if not levers:
            raise _UsageError("sweep needs at least one --vary key=lo:hi:n or a --levers file")
        if args.workers is not None and args.workers < 1:
            raise _UsageError(f"--workers must be >= 1, got {args.workers}")
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
        print(f"interrupted: {finished} of {len(res.points)} points finished and saved; run the same command "
              "again to resume", file=sys.stderr)
        return 130
    table = res.summary().pivot(index="point", columns="option", values="mean")[res.options]
    if option != base:
        cmp = res.paired(option, base)
        table[f"{option}-{base}"] = cmp["delta_mean"]
        table["P(cheaper)"] = cmp["p_better"]
    table = res.points.join(table)
    shown = {"display.width": 200, "display.max_columns": 30, "display.float_format": "{:,.2f}".format}
    with pd.option_context(*[x for kv in shown.items() for x in kv]):
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
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import ReportError, report

    _scenario(args)  # one-line errors for the file and every --set before anything runs
    if Path(args.out).suffix.lower() not in (".html", ".htm"):
        raise _UsageError(f"-o/--out must end in .html, got {args.out!r}")
    try:
        out = report(args.scenario, args.out, seed=args.seed, replications=args.replications,
                     overrides=_parse_sets(args.set or []))
    except ReportError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
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
    try:
        from .lessons.export import export
    except ImportError:
        raise _UsageError("lessons export needs nbformat: pip install 'simkit[notebooks]'") from None

    try:
        out = export(args.dir, source=args.source, student=args.student)
    except OSError as err:
        raise _UsageError(f"{args.dir}: cannot write the export ({err.strerror or err})") from None
    print(f"wrote {out}" + (" (student build: no solutions, answers checked against checks.json)"
                            if args.student else ""))
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="simkit", description="Make-or-buy decisions with evidence.",
                                epilog=EXIT_CODES)
    p.add_argument("--version", action="version", version=f"simkit {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser, runs: bool = True) -> None:
        sp.add_argument("scenario", help="scenario YAML file")
        sp.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a field by dotted path")
        if runs:
            sp.add_argument("--replications", "-n", type=int, help="replications (default: the scenario's)")
            sp.add_argument("--seed", type=int, help="root seed (default: the scenario's)")

    run = sub.add_parser("run", help="simulate every option and print the KPI table", epilog=EXIT_CODES)
    common(run)
    run.add_argument("--all-kpis", action="store_true", dest="all_kpis",
                     help="print every KPI, also those that are 0 for every option")
    run.add_argument("--out", help="write the KPIs (one row per option and replication) to .csv or .parquet")
    run.add_argument("--charts", metavar="DIR", help="write the table, summary, ledger and PNG charts to DIR")
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
                     help="discard earlier results for --out instead of resuming")
    swp.add_argument("--quiet", action="store_true", help="no progress bar")
    swp.set_defaults(func=_cmd_sweep)

    val = sub.add_parser("validate", help="check a scenario file and exit")
    common(val, runs=False)
    val.set_defaults(func=_cmd_validate)

    rep = sub.add_parser("report", help="execute the report notebook and write static HTML (no code)")
    common(rep)
    rep.add_argument("-o", "--out", default="out/report.html", help="the HTML file (default out/report.html)")
    rep.set_defaults(func=_cmd_report)

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


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (see :data:`EXIT_CODES`: 0 ok, 2 bad input, 3 failed replications)."""
    from .checks import ReplicationError

    args = _parser().parse_args(argv)
    for name in ("replications",):
        value = getattr(args, name, None)
        if value is not None and value < 1:
            print(f"error: --{name} must be >= 1, got {value}", file=sys.stderr)
            return 2
    shown_as = warnings.formatwarning
    warnings.formatwarning = lambda message, category, *_: f"warning: {message}\n"  # one line, no source
    try:
        return int(args.func(args))
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
        print(f"error: {err.args[0]}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        warnings.formatwarning = shown_as


if __name__ == "__main__":
    sys.exit(main())
