"""The ``simkit fit`` and ``simkit new`` subcommands (registered by :mod:`simkit.ui.cli`).

    simkit fit HISTORY -o scenario.yaml [--time-column C] [--count-column C] [--kind-column C]
               [--effort-column C --effort-unit h|min|s] [--priority-column C] [--resolved-column C]
               [--interval 5|15|30|60] [--timezone Area/City] [--report NAME_fit_report.html] [--force]
    simkit new -o my.yaml [--annual-volume N] [--hours 8-18] [--days mon-fri] [--utc-offset H]
               [--staff N] [--loaded-cost X] [--effort-min M] [--vendor-price P] [--currency USD] [--force]

Neither overwrites an existing file without ``--force``; bad input is one line and exit 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simkit.ui.cli_output import emit

__all__ = ["add_commands"]


def fit_report_path(out: Path) -> Path:
    """The fit report's default file: named after the scenario, so that fitting two histories in one folder
    (``-o helpdesk.yaml``, then ``-o calls.yaml``) writes two reports instead of refusing the second."""
    return out.with_name(f"{out.stem}_fit_report.html")


def _cmd_fit(args: argparse.Namespace) -> int:
    from simkit.errors import ScenarioError
    from simkit.fileio import Outputs, check_file_target
    from simkit.fitting import fit
    from simkit.fitting.report import report_html

    out = Path(args.out)
    report = Path(args.report) if args.report else fit_report_path(out)
    for flag, p in (("-o/--out", out), ("--report", report)):  # refuse before the work: nothing half-written
        check_file_target(p, flag)
        if p.exists() and not args.force:
            raise ScenarioError("", "exists already; pass --force to overwrite it", str(p))
    if out.absolute() == report.absolute():
        raise ScenarioError("", "is both the scenario (-o) and the report (--report); give two names", str(out))
    res = fit(args.history, time_column=args.time_column, count_column=args.count_column,
              kind_column=args.kind_column, effort_column=args.effort_column, effort_unit=args.effort_unit,
              priority_column=args.priority_column, resolved_column=args.resolved_column, interval=args.interval,
              timezone=args.timezone, name=args.name, replications=args.replications or 10)
    with Outputs() as files:  # both or neither: a full disk leaves the previous files as they were (exit 1)
        files.add_text(report, report_html(res))
        files.add_text(out, res.yaml)
    emit({"command": "fit", "scenario": str(out), "report": str(report)}, args.format, quiet=args.quiet,
         text=[res.text(), f"wrote {out} and {report}"])
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    from simkit.errors import ScenarioError
    from simkit.fileio import check_file_target
    from simkit.fitting.files import write_new_text
    from simkit.fitting.starter import Starter, parse_days, parse_hours, starter_yaml
    from simkit.scenario.model import loads

    check_file_target(args.out, "-o/--out")
    open_h, close_h = parse_hours(args.hours)
    # the schema's bound on annual_volume, and a year of minutes per item: checked before the staffing arithmetic
    for flag, value, high in (("--annual-volume", args.annual_volume, 1e9), ("--effort-min", args.effort_min, 525_600)):
        if not 0 < value <= high:
            raise ScenarioError(flag, f"must be > 0 and <= {high:,.0f}, got {value!r}")
    if not -12 <= args.utc_offset <= 14:  # the schema's bounds, before the hours are shifted by it (NaN too)
        raise ScenarioError("--utc-offset", f"must be from -12 to 14 hours, got {args.utc_offset!r}")
    s = Starter(annual_volume=args.annual_volume, open_hour=open_h, close_hour=close_h, days=parse_days(args.days),
                utc_offset_h=args.utc_offset, effort_min=args.effort_min, staff=args.staff,
                loaded_cost_per_hour=args.loaded_cost, vendor_price_per_item=args.vendor_price,
                currency=args.currency, name=args.name)
    text = starter_yaml(s)
    try:
        loads(text)
    except ScenarioError as err:
        raise ScenarioError(err.path, err.message, "the values given") from None
    write_new_text(Path(args.out), text, force=args.force)
    emit({"command": "new", "scenario": str(args.out)}, args.format, quiet=args.quiet,
         text=[f"wrote {args.out}: edit it, then `simkit validate {args.out}`"])
    return 0


def add_commands(sub: Any) -> None:
    """Register ``fit`` and ``new`` on the CLI's subparsers."""
    f = sub.add_parser("fit", help="calibrate a scenario to a history of events or interval volumes")
    f.add_argument("history", help="CSV, parquet or .xlsx: one row per item, or per interval with a count")
    f.add_argument("-o", "--out", required=True, help="the scenario YAML to write")
    for role in ("time", "count", "kind", "effort", "priority", "resolved"):
        f.add_argument(f"--{role}-column", dest=f"{role}_column", metavar="NAME",
                       help=f"the {role} column (default: detected by name)")
    f.add_argument("--effort-unit", choices=("h", "min", "s"), default="min", help="unit of the effort column")
    f.add_argument("--interval", type=int, metavar="MIN", help="interval length 5, 15, 30 or 60 (default: inferred)")
    f.add_argument("--timezone", metavar="AREA/CITY", help="IANA time zone of the history (daylight saving followed)")
    f.add_argument("--report", metavar="HTML",
                   help="the fit report (default: NAME_fit_report.html beside -o NAME.yaml)")
    f.add_argument("--replications", "-n", type=int, help="back-test replications (default 10)")
    f.add_argument("--name", help="the scenario's name")
    f.add_argument("--force", action="store_true", help="overwrite existing files")
    f.set_defaults(func=_cmd_fit)

    n = sub.add_parser("new", help="write a commented starter scenario from a few numbers")
    n.add_argument("-o", "--out", required=True, help="the scenario YAML to write")
    n.add_argument("--annual-volume", type=float, default=9000.0, help="items a year (default 9000)")
    n.add_argument("--hours", default="8-18", help="opening hours, local (default 8-18)")
    n.add_argument("--days", default="mon-fri", help="open days (default mon-fri)")
    n.add_argument("--utc-offset", type=float, default=0.0, help="local time's UTC offset in hours (default 0)")
    n.add_argument("--staff", type=int, help="in-house staff (default: sized to about 85%% utilisation)")
    n.add_argument("--loaded-cost", type=float, default=50.0, help="loaded cost per paid hour (default 50)")
    n.add_argument("--effort-min", type=float, default=30.0, help="mean effort per item in minutes (default 30)")
    n.add_argument("--vendor-price", type=float, default=25.0, help="vendor price per item (default 25)")
    n.add_argument("--currency", default="USD", help="3-letter currency code (default USD)")
    n.add_argument("--name", default="My make-or-buy question", help="the scenario's name")
    n.add_argument("--force", action="store_true", help="overwrite an existing file")
    n.set_defaults(func=_cmd_new)
