"""``simkit run`` and ``simkit sweep``: simulate, print the KPIs, write the files asked for.

The KPI records (one per option and KPI, with label and unit from :mod:`simkit.accounting.registry`) are what every
format prints; a KPI that is 0 in every replication of every option (a mechanism the scenario does not
use) is left out unless ``--all-kpis``.
"""

from __future__ import annotations

import argparse
import functools
import json
from pathlib import Path
from typing import Any

import pandas as pd

from simkit import __version__
from simkit.fileio import Outputs, check_file_target, check_folder_target, shown
from simkit.ui.cli_common import (
    EXIT_CODES,
    UsageError,
    add_scenario_args,
    failed_note,
    failure_lines,
    interrupted,
    keeping_failures,
    scenario_of,
    signal_seen,
)
from simkit.ui.cli_output import emit, kpi_cell, kpi_heading, option_label, unit_of

__all__ = ["add_run_parser", "add_sweep_parser", "kpi_records", "shown_kpis", "versus_records", "chart_list"]

SWEEP_ROWS_SHOWN = 40
"""Points a sweep prints as a table; every point is in ``--out`` and in the CSV and JSON formats."""


def shown_kpis(kpis: pd.DataFrame, columns: list[str], all_kpis: bool = False) -> list[str]:
    """The KPI columns to print: all with ``all_kpis``, else those not 0 in every row of ``kpis``.

    A KPI of a mechanism the scenario does not use (outages, exits, fx ...) is exactly 0 everywhere; its row
    says nothing.  ``NaN`` is not 0: a KPI with a missing value is shown.
    """
    if all_kpis:
        return list(columns)
    return [c for c in columns if not (kpis[c] == 0).all()]


def kpi_records(res: Any, all_kpis: bool = False, level: float = 0.95) -> pd.DataFrame:
    """One record per option and KPI: ``option, option_label, kpi, label, unit, mean, ci_low, ci_high, std, n``."""
    sc, cur = res.scenario, res.scenario.run.currency
    keep = shown_kpis(res.kpis, res.kpi_columns, all_kpis)
    s = res.summary(level)
    s = s[s["kpi"].isin(keep)].copy()
    s["kpi"] = pd.Categorical(s["kpi"], keep, ordered=True)
    s["option"] = pd.Categorical(s["option"], res.options, ordered=True)
    s = s.sort_values(["option", "kpi"]).astype({"kpi": str, "option": str})
    from simkit.accounting.registry import lookup

    s.insert(1, "option_label", [option_label(sc, o) for o in s["option"]])
    s.insert(3, "label", [lookup(k).label if lookup(k) else k for k in s["kpi"]])
    s.insert(4, "unit", [unit_of(k, cur) for k in s["kpi"]])
    return s[["option", "option_label", "kpi", "label", "unit", "mean", "ci_low", "ci_high", "std", "n"]] \
        .reset_index(drop=True)


def _kpi_table(records: pd.DataFrame, res: Any) -> pd.DataFrame:
    """KPIs as rows (label and unit), options as columns (their labels), ``mean [CI]`` in the KPI's format."""
    cur = res.scenario.run.currency
    cells = {}
    for opt, group in records.groupby("option", sort=False):
        cells[option_label(res.scenario, opt)] = [kpi_cell(r.kpi, r.mean, r.ci_low, r.ci_high)
                                                  for r in group.itertuples()]
    kpis_shown = list(dict.fromkeys(records["kpi"]))
    return pd.DataFrame(cells, index=pd.Index([kpi_heading(k, cur) for k in kpis_shown], name=""))


def versus_records(res: Any) -> list[dict[str, Any]]:
    """Total cost of every option against the baseline, paired: delta, share, CI and P(cheaper)."""
    base, cur = res.scenario.baseline_option, res.scenario.run.currency
    rows = []
    for opt in res.options:
        if opt == base or base not in res.options:
            continue
        r = res.compare(opt, base).loc[res.cost_column]
        rows.append({"option": opt, "baseline": base, "kpi": res.cost_column, "unit": cur,
                     "delta_mean": float(r["delta_mean"]), "delta_share": float(r["delta_share"]),
                     "ci_low": float(r["ci_low"]), "ci_high": float(r["ci_high"]), "p_cheaper": float(r["p_better"])})
    return rows


def _versus_lines(res: Any, rows: list[dict[str, Any]]) -> list[str]:
    sc = res.scenario
    return [f"{option_label(sc, r['option'])} vs {option_label(sc, r['baseline'])}: total cost "
            f"{r['delta_mean']:+,.0f} {r['unit']} ({r['delta_share']:+.1%}), 95% CI [{r['ci_low']:+,.0f}, "
            f"{r['ci_high']:+,.0f}], P(cheaper) = {r['p_cheaper']:.2f}" for r in rows]


def _cmd_run(args: argparse.Namespace) -> int:
    from simkit.experiment.simulate import simulate

    sc = scenario_of(args)
    if args.out and Path(args.out).suffix not in (".csv", ".parquet"):
        raise UsageError(f"--out must end in .csv or .parquet, got {shown(args.out)}")
    if args.out:  # a bad place to write is found before the simulation, not after it
        check_file_target(args.out, "--out")
    if args.charts:
        check_folder_target(args.charts, "--charts")
    res = keeping_failures(simulate, sc, replications=args.replications, seed=args.seed,
                           progress=False if args.quiet else None)
    if res.meta.get("interrupted") or signal_seen():  # an interrupt swallowed on the way still counts
        return interrupted(f"{res.meta['replications_finished']} of {res.meta['replications_requested']} "
                           "replications had finished; nothing printed or written, previous files unchanged")
    records = kpi_records(res, args.all_kpis)
    versus = versus_records(res)
    header = (f"{sc.name}: {res.meta['replications']} replications{failed_note(res)}, seed {res.seed}, "
              f"{sc.run.horizon_days:g} days, simkit {__version__}; mean [95% CI]")
    blocks = [header, "", _kpi_table(records, res), "", *_versus_lines(res, versus)]
    extra = {"command": "run", "scenario": sc.name, "seed": res.seed, "replications": res.meta["replications"],
             "failed_replications": len(res.failures), "horizon_days": sc.run.horizon_days, "confidence_level": 0.95,
             "currency": sc.run.currency, "simkit_version": __version__, "cost_versus_baseline": versus}
    emit(records, args.format, quiet=args.quiet, text=blocks, extra=extra)
    if args.out or args.charts:
        with Outputs() as outputs:  # every file or none: the charts' meta.json is put in place last
            if args.charts:
                body = emit(records, "table", quiet=True, text=blocks).rstrip("\n")
                _stage_charts(outputs, res, Path(args.charts), body)
            if args.out:
                res.stage(outputs, args.out)
            if args.charts:
                outputs.add_text(Path(args.charts) / "meta.json", json.dumps(res.meta, indent=2, default=str) + "\n")
        if args.format == "table" and not args.quiet:
            notes = [f"\nwrote {args.out}"] if args.out else []
            if args.charts:
                notes.append(f"wrote {args.charts}/: table.txt, meta.json, summary.csv, ledger.csv, "
                             f"{', '.join(name for name, _ in chart_list(res))} (.svg and .png)")
            emit([], "table", text=notes)
    return failure_lines(res)


def _stage_charts(outputs: Outputs, res: Any, folder: Path, table_text: str) -> None:
    """Render the table, summary, ledger and charts into ``outputs`` (``meta.json`` is the caller's, last)."""
    from simkit.extras import require

    matplotlib = require("matplotlib", "simkit run --charts")  # one line naming the 'charts' extra when missing
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from simkit.experiment.results import stored_meta
    from simkit.experiment.store import stage_frame

    outputs.add_text(folder / "table.txt", table_text + "\n")
    stage_frame(outputs, res.summary(), folder / "summary.csv", stored_meta(res.meta))  # + .meta.json sidecars
    stage_frame(outputs, res.ledger, folder / "ledger.csv", stored_meta(res.meta))
    from simkit.ui.chartstyle import png_bytes, svg_bytes

    for name, draw in chart_list(res):
        fig = draw(res)
        try:  # SVG for slides, PNG >= 150 dpi; a failure names the file
            outputs.add(folder / f"{name}.svg", lambda fh, fig=fig: fh.write(svg_bytes(fig)))
            outputs.add(folder / f"{name}.png", lambda fh, fig=fig: fh.write(png_bytes(fig)))
        finally:
            plt.close(fig)


def chart_list(res: Any) -> list[tuple[str, Any]]:
    """The charts ``run --charts`` writes: name and drawing function."""
    from simkit import plots

    base = res.scenario.baseline_option
    charts = [("cost_distribution", plots.cost_distribution), ("cost_at_risk", plots.cost_at_risk),
              ("monthly_cost", plots.monthly_cost), ("lead_times", plots.lead_times)]
    charts += [(f"paired_difference_{o}", functools.partial(plots.paired_difference, option=o))
               for o in res.options if o != base and base in res.options]
    return charts


def _sweep_table(res: Any, option: str, base: str) -> pd.DataFrame:
    """One row per point: the levers' values, mean total cost per option, and ``option`` against ``base``."""
    table = res.summary().pivot(index="point", columns="option", values="mean")[res.options]
    if option != base:
        cmp = res.paired(option, base)
        table[f"{option}-{base}"] = cmp["delta_mean"]
        table["p_cheaper"] = cmp["p_better"]
    return res.points.join(table).reset_index()


def _cmd_sweep(args: argparse.Namespace) -> int:
    from simkit.experiment.design import load_levers, parse_vary
    from simkit.experiment.sweep import sweep

    sc = scenario_of(args)
    if Path(args.out).suffix != ".parquet":
        raise UsageError(f"--out must end in .parquet, got {shown(args.out)}")
    check_file_target(args.out, "--out")
    try:
        levers = [parse_vary(v) for v in args.vary or []]
        levers += load_levers(args.levers) if args.levers else []
        if not levers:
            raise UsageError("sweep needs at least one --vary key=lo:hi:n or a --levers file")
        res = keeping_failures(sweep, sc, levers, args.replications, args.seed, design=args.design,
                               n=args.points, executor=args.workers or "auto", out=args.out,
                               resume=not args.fresh, progress=False if args.quiet else None)
    except ValueError as err:
        raise UsageError(str(err)) from None
    base = args.baseline or sc.baseline_option
    option = args.option or next((o for o in sc.option_names if o != base), base)
    done = res.frame.groupby("point")["replication"].nunique()
    header = (f"{sc.name}: {res.design} sweep of {', '.join(res.paths)}: {len(res.points)} points x "
              f"{len(res.meta['options'])} options x {res.meta['replications']} replications; computed "
              f"{res.meta['computed']} point-replications, reused {res.meta['reused']}{failed_note(res)}")
    code = failure_lines(res)
    if res.interrupted:
        if args.format == "table":
            emit([], "table", quiet=args.quiet, text=[header])
        finished = int((done >= res.meta["replications"]).sum())
        return interrupted(f"{finished} of {len(res.points)} points finished and saved; run the same command "
                           "again to resume")
    table = _sweep_table(res, option, base)
    cur = sc.run.currency
    shown_table = table.head(SWEEP_ROWS_SHOWN).copy()
    money = [*res.options, f"{option}-{base}"]
    display = shown_table.astype(object)
    for col in shown_table.columns:
        if col in money:
            display[col] = [f"{v:,.0f}" for v in shown_table[col]]
        elif col == "p_cheaper":
            display[col] = [f"{v:.2f}" for v in shown_table[col]]
        else:
            display[col] = [f"{v:,.6g}" if isinstance(v, float) else str(v) for v in shown_table[col]]
    names = {o: option_label(sc, o) for o in res.options}
    names.update({f"{option}-{base}": f"{names.get(option, option)} - {names.get(base, base)}",
                  "p_cheaper": "P(cheaper)"})
    display = display.rename(columns=names).set_index("point")
    blocks: list[Any] = [header, f"mean total cost ({cur}) per point and option:", (display, "row")]
    if len(table) > SWEEP_ROWS_SHOWN:
        blocks.append(f"... {len(table) - SWEEP_ROWS_SHOWN} more points in {args.out}")
    blocks.append(f"\nwrote {args.out} ({len(res.frame)} rows: point x option x replication)")
    extra = {"command": "sweep", "scenario": sc.name, "design": res.design, "levers": list(res.paths),
             "replications": res.meta["replications"], "computed": res.meta["computed"],
             "reused": res.meta["reused"], "kpi": res.cost_column, "unit": cur, "statistic": "mean",
             "options": {o: option_label(sc, o) for o in res.options}, "baseline": base, "out": str(args.out)}
    emit(table, args.format, quiet=args.quiet, text=blocks, extra=extra)
    if code and not args.quiet:
        import sys

        print(f"run the same command again to retry only the {len(res.failures)} failed point-replications",
              file=sys.stderr)
    return code


def add_run_parser(sub: Any) -> None:
    """Register ``run`` on the CLI's subparsers."""
    run = sub.add_parser("run", help="simulate every option and print the KPI table", epilog=EXIT_CODES)
    add_scenario_args(run)
    run.add_argument("--all-kpis", action="store_true", dest="all_kpis",
                     help="print every KPI, also those that are 0 for every option")
    run.add_argument("--out", help="write the KPIs (one row per option and replication) to .csv or .parquet")
    run.add_argument("--charts", metavar="DIR", help="write the table, summary, ledger and charts (SVG and PNG) to DIR")
    run.set_defaults(func=_cmd_run)


def add_sweep_parser(sub: Any) -> None:
    """Register ``sweep`` on the CLI's subparsers."""
    swp = sub.add_parser("sweep", help="run every option over a grid, Latin hypercube or Sobol design",
                         epilog=EXIT_CODES)
    add_scenario_args(swp)
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
    swp.set_defaults(func=_cmd_sweep)
