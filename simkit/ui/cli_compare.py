"""``simkit compare``: every option against the baseline, paired over the same replications, and the decision.

One record per option and KPI (baseline mean, option mean, the paired difference with its CI and the
share of replications in which the option was better) is what every format holds; the table adds the
decision summary: cost against the baseline with VaR and CVaR, cost at risk, P(missing the SLA), the
weighted ranking on absolute scales and the weight per KPI family at which its top choice flips.  A KPI
row that is 0 in every replication of both options is left out unless ``--all-kpis``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from simkit.accounting import registry as kpis
from simkit.fileio import check_file_target, shown
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
from simkit.ui.cli_output import emit, kpi_heading, option_label, unit_of
from simkit.ui.cli_simulate import shown_kpis

__all__ = ["add_parsers", "compare_records"]

OUT_FORMATS = {".csv": "csv", ".json": "json", ".txt": "table"}
"""``compare --out``: the file's suffix decides its format."""


def compare_records(res: Any, option: str, base: str, all_kpis: bool = False) -> pd.DataFrame:
    """One record per KPI of ``option`` against ``base``: both means, the paired difference, its CI, P(better)."""
    sc, cur = res.scenario, res.scenario.run.currency
    pair = res.kpis[res.kpis["option"].isin([option, base])]
    keep = shown_kpis(pair, res.kpi_columns, all_kpis)
    cmp = res.compare(option, base).loc[keep]
    out = pd.DataFrame({
        "option": option, "option_label": option_label(sc, option), "baseline": base,
        "baseline_label": option_label(sc, base), "kpi": keep,
        "label": [kpis.lookup(k).label if kpis.lookup(k) else k for k in keep],
        "unit": [unit_of(k, cur) for k in keep],
    })
    for col in ("baseline_mean", "option_mean", "delta_mean", "ci_low", "ci_high", "p_better"):
        out[col] = cmp[col].to_numpy(dtype=float)
    return out


def _signed(column: str, value: float) -> str:
    kpi = kpis.lookup(column)
    return format(value, "+" + (kpi.fmt if kpi is not None else ",.2f"))


def _p_better_text(r: Any) -> str:
    """P(better) for reading: "-" for a KPI with no better side, "equal" when no replication differs (a share of
    0.00 would read as "always worse")."""
    if r.p_better != r.p_better:  # NaN
        return "-"
    if r.delta_mean == 0 and r.ci_low == 0 and r.ci_high == 0:
        return "equal"
    return f"{r.p_better:.2f}"


def _pair_table(records: pd.DataFrame, currency: str) -> pd.DataFrame:
    rows = {}
    for r in records.itertuples():
        rows[kpi_heading(r.kpi, currency)] = {
            "baseline": kpis.format_value(r.kpi, r.baseline_mean), "option": kpis.format_value(r.kpi, r.option_mean),
            "difference [95% CI]": f"{_signed(r.kpi, r.delta_mean)} [{_signed(r.kpi, r.ci_low)}, "
                                   f"{_signed(r.kpi, r.ci_high)}]",
            "P(better)": _p_better_text(r)}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("")


def _decision_blocks(decision: Any, sc: Any) -> list[Any]:
    """The decision summary as text and tables (option labels, money to the currency unit)."""
    from simkit.stats.scorecard import flip_lines

    cur, pct = decision.currency, f"{round(decision.level * 100):d}"
    blocks: list[Any] = [f"Decision summary ({decision.replications} replications, common random numbers, "
                         f"{pct}% CI; baseline {option_label(sc, decision.baseline)})", ""]
    if decision.caveat:
        blocks += ["  " + decision.caveat, ""]
    for opt, r in decision.versus.iterrows():
        blocks.append(
            f"  {option_label(sc, opt)}: total cost {r['delta_cost_mean']:+,.0f} {cur} ({r['delta_cost_share']:+.1%}) "
            f"[{r['delta_cost_ci_low']:+,.0f}, {r['delta_cost_ci_high']:+,.0f}], P(cheaper) = "
            f"{r['p_cheaper']:.2f}; NPV {r['delta_npv_mean']:+,.0f}; extra cost VaR{pct} "
            f"{r[f'delta_cost_var{pct}']:+,.0f}, CVaR{pct} {r[f'delta_cost_cvar{pct}']:+,.0f}")
    risk = decision.risk.drop(columns="few_replications", errors="ignore")
    names = {}
    for col in risk.columns:
        stat = col.rsplit("_", 1)[-1].replace("cvar", "CVaR").replace("var", "VaR")
        names[col] = ("P(miss SLA)" if col == "p_miss_sla" else
                      f"{'NPV' if col.startswith('npv_cost') else 'cost'} {stat} ({cur})")
    shown_risk = pd.DataFrame({names[c]: [f"{v:.2f}" if c == "p_miss_sla" else f"{v:,.0f}" for v in risk[c]]
                               for c in risk.columns}, index=[option_label(sc, o) for o in risk.index])
    blocks += ["", f"Cost at risk and P(missing the SLA: attainment < {decision.sla_target_share:.0%}):",
               shown_risk.rename_axis("option")]
    weights = ", ".join(f"{k} {v:g}" for k, v in decision.ranking.attrs.get("weights", {}).items())
    ranked = decision.ranking
    shown_rank = pd.DataFrame({c: [str(int(v)) if c == "rank" else f"{v:.2f}" for v in ranked[c]]
                               for c in ranked.columns}, index=[option_label(sc, o) for o in ranked.index])
    blocks += ["", f"Ranking (weights: {weights}; absolute scale, score 1 = best on every criterion):",
               shown_rank.rename_axis("option")]
    flips = decision.flips.rename(index=lambda f: f.replace("_", " "))
    flips["new_winner"] = [option_label(sc, o) if o else "" for o in flips["new_winner"]]
    blocks += ["", "Weight at which the top choice flips (share of all weight, other families held):",
               *flip_lines(flips, indent="  ")]
    return blocks


def _frame_records(frame: pd.DataFrame, name: str) -> list[dict[str, Any]]:
    return frame.drop(columns="few_replications", errors="ignore").rename_axis(name).reset_index() \
        .to_dict(orient="records")


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
            raise UsageError(f"--weights expects family=number pairs (e.g. cost=2,timeliness=1), got {item!r}")
    from simkit.stats.estimates import check_weights

    try:
        check_weights(out)
    except ValueError as err:
        raise UsageError(f"--weights: {err}") from None
    return out


def _cmd_compare(args: argparse.Namespace) -> int:
    from simkit.experiment.simulate import simulate

    sc = scenario_of(args)
    weights = _parse_weights(args.weights)
    if not 0 <= args.sla_target <= 1:
        raise UsageError(f"--sla-target must be a share in [0, 1], got {args.sla_target}")
    out_format = None
    if args.out is not None:
        out_format = OUT_FORMATS.get(Path(args.out).suffix.lower())
        if out_format is None:
            raise UsageError(f"--out must end in {', '.join(OUT_FORMATS)}, got {shown(args.out)}")
        check_file_target(args.out, "--out")
    for name in (args.option, args.baseline):
        if name is not None and name not in sc.option_names:
            raise UsageError(f"--option/--baseline: unknown option {shown(name)}; options: "
                             f"{', '.join(sc.option_names)}")
    if args.equal_service:  # every option right-sized to the same service targets first
        from simkit.ui.cli_equal_service import EqualServiceMissed, right_size_options

        try:
            res, base = right_size_options(args, sc)
        except EqualServiceMissed as err:
            raise UsageError(str(err)) from None
    else:
        res, base = keeping_failures(simulate, sc, replications=args.replications, seed=args.seed,
                                     progress=False if args.quiet else None), None
    if res.meta.get("interrupted") or signal_seen():  # an interrupt swallowed on the way still counts
        return interrupted(f"{res.meta['replications_finished']} of {res.meta['replications_requested']} "
                           "replications had finished; nothing printed")
    base = base or args.baseline or sc.baseline_option
    others = [args.option] if args.option else [o for o in res.options if o != base]
    try:
        decision = res.decision(base, weights, args.sla_target)
    except ValueError as err:
        raise UsageError(str(err)) from None
    cur = sc.run.currency
    frames, blocks = [], []
    for opt in others:
        records = compare_records(res, opt, base, args.all_kpis)
        frames.append(records)
        blocks += [f"{option_label(sc, opt)} - {option_label(sc, base)} (paired over {res.meta['replications']} "
                   f"replications{failed_note(res)}, 95% CI):", _pair_table(records, cur), ""]
    blocks += _decision_blocks(decision, sc)
    data = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    extra = {"command": "compare", "scenario": sc.name, "seed": res.seed, "replications": res.meta["replications"],
             "failed_replications": len(res.failures), "confidence_level": 0.95, "currency": cur, "baseline": base,
             "decision": {"sla_target_share": decision.sla_target_share, "weights": decision.ranking.attrs.get(
                 "weights", {}), "caveat": decision.caveat, "versus": _frame_records(decision.versus, "option"),
                 "risk": _frame_records(decision.risk, "option"),
                 "ranking": _frame_records(decision.ranking, "option"),
                 "flips": _frame_records(decision.flips, "family")}}
    emit(data, args.format, quiet=args.quiet, text=blocks, extra=extra)
    if args.out is not None:
        emit(data, out_format, out=args.out, text=blocks, extra=extra)
        if args.format == "table" and not args.quiet:
            emit([], "table", text=[f"\nwrote {args.out}"])
    return failure_lines(res)


def add_parsers(sub: Any) -> None:
    """Register ``compare`` on the CLI's subparsers."""
    cmp = sub.add_parser("compare", help="paired comparison of options against the baseline", epilog=EXIT_CODES)
    add_scenario_args(cmp)
    cmp.add_argument("--option", help="the option to compare (default: every other option)")
    cmp.add_argument("--baseline", help="the baseline option (default: the scenario's)")
    cmp.add_argument("--weights", help="ranking weights per KPI family, e.g. cost=3,timeliness=1,quality=1")
    cmp.add_argument("--sla-target", type=float, default=0.95, metavar="SHARE",
                     help="SLA attainment below which a replication counts as a miss (default 0.95)")
    cmp.add_argument("--all-kpis", action="store_true", dest="all_kpis",
                     help="print every KPI, also those that are 0 in every replication of both options")
    cmp.add_argument("--out", metavar="FILE", help="also write the tables to FILE: .csv, .json or .txt (a table)")
    from simkit.ui.cli_equal_service import add_arguments as equal_service_arguments

    equal_service_arguments(cmp)  # --equal-service, --confidence, --max-evaluations, --max-staff
    cmp.set_defaults(func=_cmd_compare)
