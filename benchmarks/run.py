"""Run every benchmark, print the table, write ``benchmarks/results/latest.json``.

Usage::

    python -m benchmarks.run            # full sizes (several minutes); what `make bench` runs
    python -m benchmarks.run --quick    # tiny sizes (seconds): checks that everything runs
    python -m benchmarks.run --out FILE.json --markdown
    python -m benchmarks.run --only engine,dashboard   # some groups: writes results/only-engine-dashboard.json

Each comparison runs both sides in this one process, alternating, and
reports the median of the repeats (see :mod:`benchmarks.harness`).  The JSON
holds the machine facts, the sizes, every row of the table with its raw
timings, and the ``agreement`` record: every M/M/c implementation's mean wait
against Erlang C.  ``--quick`` writes ``results/quick.json`` unless ``--out`` says
otherwise, so a smoke run never overwrites the full results; ``--only`` likewise writes its own file.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .engine_bench import EngineSizes, compile_rows, engine_rows, enterprise_rows
from .harness import Row, machine_info, write_json_atomic
from .memo_bench import memo_rows
from .reference.mmc import MMCProblem
from .workflow_bench import WorkflowSizes, workflow_rows

__all__ = ["main", "cli", "sizes_for", "format_table", "markdown_table", "machine_line", "BENCHMARK_KEYS"]

RESULTS = Path(__file__).resolve().parent / "results"
BENCHMARK_KEYS = ("simulate_vs_simpy", "simulate_vs_ciw", "engine_vs_simpy", "engine_vs_ciw", "fast_engine_vs_simpy",
                  "rich_vs_simpy", "compile_cold", "compile_warm", "log_memory", "replications_2_vs_1",
                  "dashboard_recompute", "dashboard_cost_only", "dashboard_structural", "closed_form_preview",
                  "reprice_sweep", "sobol_sweep", "enterprise_year", "enterprise_year_new_process", "memo_default",
                  "memo_enterprise_service_desk")
GROUPS = ("engine", "compile", "enterprise", "pools", "preview", "reprice", "dashboard", "sobol", "memo")
SEED = 20240607


def sizes_for(quick: bool) -> tuple[EngineSizes, WorkflowSizes]:
    """The full sizes of issue 7, or tiny ones that run in seconds."""
    if quick:
        return (EngineSizes(MMCProblem(warmup_items=2_000, measured_items=20_000), rich_items=10_000,
                            repeats=1, enterprise_days=3.0, enterprise_repeats=1),
                WorkflowSizes(horizon_days=28.0, repeats=1, pool_replications=4, dashboard_replications=8,
                              preview_repeats=20, sweep_points=20, sweep_replications=2,
                              resimulated_points=1, sobol_points=24, sobol_repeats=1))
    return (EngineSizes(MMCProblem(), rich_items=200_000, repeats=5, enterprise_days=None,
                        enterprise_repeats=3),
            WorkflowSizes(horizon_days=None, repeats=5, pool_replications=16, dashboard_replications=8,
                          preview_repeats=200, sweep_points=1000, sweep_replications=5, resimulated_points=2))


def _fmt(x: float | None, unit: str = "") -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if unit == "items/s":
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}" if abs(x) < 10 else f"{x:.1f}"


def _cells(row: dict[str, Any]) -> list[str]:
    unit = row["unit"]
    ref = "-" if row["reference"] is None else f"{_fmt(row['reference'], unit)} {unit}"
    return [row["title"], f"{_fmt(row['value'], unit)} {unit}", ref,
            "-" if row["ratio"] is None else f"{row['ratio']:.2f}x", row["target_text"],
            "yes" if row["met"] else "NO"]


HEADER = ["benchmark", "simkit", "reference", "ratio", "target", "met?"]


def format_table(results: dict[str, Any]) -> str:
    """The results as an aligned plain-text table."""
    lines = [HEADER] + [_cells(r) for r in results["benchmarks"]]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    out = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def markdown_table(results: dict[str, Any]) -> str:
    """The results as a Markdown table (for the README)."""
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(_cells(r)) + " |" for r in results["benchmarks"]]
    return "\n".join(lines)


def machine_line(results: dict[str, Any]) -> str:
    """One line saying what the table was measured on, and how busy the machine was."""
    m = results["machine"]
    load = m.get("load_average_1_5_15") or ["?"]
    end = m.get("load_average_end") or ["?"]
    return (f"{m['date_utc'][:10]}, {m['cpu_model']}, {m['cores']} cores, load {load[0]} -> {end[0]}, "
            f"Python {m['python']}, numpy {m['numpy']}, SimPy {m['simpy']}, Ciw {m['ciw']}"
            + (" (quick sizes)" if results.get("quick") else ""))


def _agreement_text(agreement: dict[str, Any]) -> str:
    out = [f"M/M/c agreement (Erlang C Wq = {agreement['erlang_c_wait_mean_h']:.4f} h, "
           f"P(wait) = {agreement['erlang_c_p_wait']:.4f}):"]
    for name, s in agreement["implementations"].items():
        diff = s["max_abs_diff_vs_simkit_h"]
        same = "-" if diff is None else f"{diff:.1e}"
        out.append(f"  {name:<15} Wq = {s['wait_mean_h']:.4f} h"
                   f"  95% CI [{s['ci_low_h']:.4f}, {s['ci_high_h']:.4f}]"
                   f"  P(wait) = {s['waited_share']:.4f}  inside CI: {'yes' if s['agrees'] else 'NO'}"
                   f"  max |wait - simkit's| = {same} h")
    return "\n".join(out)


def main(quick: bool = False, out: str | Path | None = None, show: bool = True,
         markdown: bool = False, only: Sequence[str] | None = None, repeats: int | None = None) -> dict[str, Any]:
    """Run the suite; write the JSON results atomically to ``out``; return them.

    Parameters
    ----------
    quick
        Tiny sizes: checks that every benchmark runs, not how fast it is.
    out
        Where to write the JSON (default ``results/latest.json``, or ``results/quick.json`` with ``quick``).
    show
        Print progress and the table.
    markdown
        Also print the table as Markdown.
    only
        Run these groups of :data:`GROUPS` alone (the default: all).
    repeats
        Repeats of every timed side instead of the sizes' own (fewer on a busy machine; quote how many).
    """
    engine_sizes, workflow_sizes = sizes_for(quick)
    if repeats is not None:
        engine_sizes = dataclasses.replace(engine_sizes, repeats=repeats, enterprise_repeats=repeats)
        workflow_sizes = dataclasses.replace(workflow_sizes, repeats=repeats, sobol_repeats=repeats)
    say = print if show else (lambda *a, **k: None)
    chosen = set(only or GROUPS)
    machine = machine_info()  # the load average now and, below, at the end: was the machine quiet?
    rows: list[Row] = []
    agreement: dict[str, Any] | None = None
    if "engine" in chosen:
        say("engine: simkit vs idiomatic SimPy, Ciw and heapq on M/M/c; rich scenario ...", flush=True)
        engine, agreement = engine_rows(engine_sizes, SEED)
        rows += engine
    if "compile" in chosen:
        say("compiled kernel: first call in a new process ...", flush=True)
        rows += compile_rows(quick)
    if "enterprise" in chosen:
        say("large enterprise year and run-log memory ...", flush=True)
        rows += enterprise_rows(engine_sizes, SEED)
    workflow = chosen & {"pools", "preview", "reprice", "dashboard", "sobol"}
    if workflow:
        say(f"workflows ({', '.join(sorted(workflow))}) ...", flush=True)
        rows += workflow_rows(workflow_sizes, SEED, workflow)
    if "memo" in chosen:
        say("decision memos ...", flush=True)
        rows += memo_rows(workflow_sizes.sobol_repeats, quick)
    order = {k: i for i, k in enumerate(BENCHMARK_KEYS)}
    rows.sort(key=lambda r: order.get(r.key, len(order)))
    results = {
        "schema": 1,
        "quick": quick,
        "machine": {**machine, "load_average_end": machine_info()["load_average_1_5_15"]},
        "sizes": {"engine": dataclasses.asdict(engine_sizes), "workflow": dataclasses.asdict(workflow_sizes)},
        "seed": SEED,
        "benchmarks": [r.to_dict() for r in rows],
        "agreement": {"mmc": agreement} if agreement is not None else {},
        "groups": sorted(chosen),
    }
    name = "quick" if quick else "latest" if only is None else "only-" + "-".join(g for g in GROUPS if g in chosen)
    target = Path(out) if out is not None else RESULTS / f"{name}.json"
    write_json_atomic(target, results)
    say("\n" + machine_line(results) + "\n" + format_table(results) + "\n")
    if agreement is not None:
        say(_agreement_text(agreement))
    if markdown:
        say("\n" + markdown_table(results))
    say(f"\nwrote {target}")
    return results


def cli(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m benchmarks.run [--quick] [--out FILE] [--markdown]``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check that everything runs")
    parser.add_argument("--out", type=Path, default=None, help="JSON file to write")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    parser.add_argument("--only", default=None, help=f"comma-separated groups of {', '.join(GROUPS)}")
    parser.add_argument("--repeats", type=int, default=None, help="repeats of every timed side (default: the sizes')")
    args = parser.parse_args(argv)
    only = None if args.only is None else [g.strip() for g in args.only.split(",") if g.strip()]
    if only is not None and (not only or set(only) - set(GROUPS)):
        print(f"error: --only: {args.only[:60]!r}; allowed: comma-separated names from {', '.join(GROUPS)}",
              file=sys.stderr)
        return 2
    if args.out is not None and args.out.is_dir():
        print(f"error: --out: {args.out} is a directory; give a file name such as {args.out / 'latest.json'}",
              file=sys.stderr)
        return 2
    if args.repeats is not None and not 1 <= args.repeats <= 100:
        print(f"error: --repeats: must be from 1 to 100, got {args.repeats}", file=sys.stderr)
        return 2
    main(quick=args.quick, out=args.out, markdown=args.markdown, only=only, repeats=args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(cli())
