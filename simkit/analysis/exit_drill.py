"""Exit drill: force the exit of an option's vendor at a chosen month and measure what the exit plan delivers.

Regulators and boards ask whether an exit plan *works* (the EU's DORA, Article 28(8), requires tested
exit strategies for ICT services that support critical functions).  ``sk.drill(sc, "vendor", at_month=6)``
(or ``simkit drill SCENARIO --option O --at MONTH``) runs, replication by replication on common random
numbers, the option twice: with the vendor terminated at ``at_month`` (its exit plan ``vendors.V.exit``:
fallback, switching lead time, ramp-up, switching cost and exit fee; insolvency and review clauses are
switched off so that the drill shows the plan alone) and without any exit.  It reports:

* **time to restore** — from the exit to the start of the first week (weeks counted from the exit) in
  which the option's SLA attainment is back at the target and stays there the week after (two weeks in
  a row, so one lucky week does not count); ``inf`` when that does not happen before the horizon;
* **P(restored within the tolerance)**, with a 95% Wilson interval over the replications;
* **the service dip** — SLA attainment by week around the exit (items due that week done by their due
  time, abandoned ones left out; a week with nothing due counts as met), mean and 10-90% band;
* **backlog peak** — the most items waiting or in service at any hour after the exit, against the same
  replication without the exit;
* **cost** — one-off (switching cost and exit fee) and running (the paired monthly cost difference
  after the exit month, one-offs left out), and the paired extra total cost.

An option whose vendor has no exit plan but has a ``backup`` vendor is drilled with the plan "move
the work to the backup at once" (no lead time, no switching cost); otherwise the vendor needs ``exit``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simkit._version import __version__
from simkit.accounting.costs import CATEGORIES, account
from simkit.calendars.dates import month_index
from simkit.engine import simulate_option
from simkit.engine.log import ABANDONED
from simkit.errors import ScenarioError
from simkit.experiment.simulate import draw_trace
from simkit.scenario.model import Scenario, load
from simkit.streams import Streams
from simkit.units import HOURS_PER_MONTH

__all__ = ["drill", "DrillResult", "weekly_attainment", "backlog_path", "time_to_restore", "wilson"]

WEEK_H = 168.0
WEEKS_BEFORE = 4


def weekly_attainment(log, edges: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """SLA attainment of the items due in each ``[edges[i], edges[i+1])`` (1 when nothing was due)."""
    due = log.trace.due_h
    judged = log.status != ABANDONED
    met = judged & (log.end_h <= due + 1e-9)
    bins = np.searchsorted(edges, due, side="right") - 1
    inside = (bins >= 0) & (bins < edges.size - 1)
    n = np.bincount(bins[inside & judged], minlength=edges.size - 1).astype(float)
    ok = np.bincount(bins[inside & met], minlength=edges.size - 1).astype(float)
    return np.divide(ok, n, out=np.ones_like(n), where=n > 0)


def time_to_restore(attain_after: np.ndarray, target: float) -> float:
    """Hours from the exit to the first week that meets ``target`` with the next week (``inf``: never).
    ``attain_after[w]`` is week ``w`` after the exit; the last full week needs no follower."""
    good = attain_after >= target - 1e-12
    for w in range(good.size):
        if good[w] and (w + 1 >= good.size or good[w + 1]):
            return w * WEEK_H
    return math.inf


def backlog_path(log, times: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """Items arrived and not yet completed or abandoned at each of ``times``."""
    arrived = np.searchsorted(np.sort(log.trace.arrival_h), times, side="right")
    ends = np.sort(log.end_h[~np.isnan(log.end_h)])
    gone = log.status == ABANDONED
    left = np.sort(np.minimum(log.trace.arrival_h[gone] + log.trace.patience_h[gone], log.window_h[1]))
    return arrived - np.searchsorted(ends, times, side="right") - np.searchsorted(left, times, side="right")


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``k / n`` (honest near 0 and 1, unlike the normal one)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    return lo, 1.0 if k == n else min(1.0, centre + half)


@dataclass(frozen=True)
class DrillResult:
    """What an exit drill measured; :meth:`text` and :func:`simkit.ui.drill_report.html_section` present it.

    ``runs`` has one row per replication, ``weekly`` the attainment by week relative to the exit (week 0
    starts at the exit) with its mean and 10-90% band, drilled and without exit; ``meta`` the provenance.
    """

    runs: pd.DataFrame
    weekly: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, float]:
        """The numbers a board asks for, over the replications."""
        r, m = self.runs, self.meta
        k = int(r["restored_within_tolerance"].sum())
        lo, hi = wilson(k, len(r))
        restore = r["restore_h"].to_numpy()
        return {
            "replications": float(len(r)),
            "restore_median_h": float(np.median(restore)),
            "restore_p90_h": float(np.percentile(restore, 90)) if np.isfinite(restore).all()
            else float(np.sort(restore)[int(math.ceil(0.9 * len(restore))) - 1]),
            "p_restored_within_tolerance": k / len(r),
            "p_restored_ci_low": lo,
            "p_restored_ci_high": hi,
            "tolerance_h": float(m["tolerance_h"]),
            "dip_min_attainment_share": float(self.weekly["drill_mean"].min()),
            "backlog_peak_items": float(r["backlog_peak_items"].mean()),
            "backlog_peak_no_exit_items": float(r["backlog_peak_no_exit_items"].mean()),
            "one_off_cost": float(r["one_off_cost"].mean()),
            "running_cost_per_month": float(r["running_cost_per_month"].mean()),
            "extra_cost_total": float(r["extra_cost_total"].mean()),
        }

    def text(self) -> str:
        """A plain-text summary (numbers in the scenario's currency and hours)."""
        s, m = self.summary(), self.meta
        cur = m["currency"]

        def hours(h: float) -> str:
            return "not before the horizon" if not math.isfinite(h) else f"{h:,.0f} h ({h / 24:,.1f} days)"

        return "\n".join([
            f"exit drill: {m['option']} — vendor {m['vendor']} exits at month {m['at_month']:g}, "
            f"work moves to {m['fallback']} ({int(s['replications'])} replications, seed {m['seed']})",
            f"time to restore (SLA >= {m['sla_target']:.0%} two weeks running): median {hours(s['restore_median_h'])},"
            f" P90 {hours(s['restore_p90_h'])}",
            f"P(restored within {hours(s['tolerance_h'])}) = {s['p_restored_within_tolerance']:.2f} "
            f"(95% CI {s['p_restored_ci_low']:.2f}-{s['p_restored_ci_high']:.2f})",
            f"service dip: weekly SLA attainment falls to {s['dip_min_attainment_share']:.1%} (mean over replications)",
            f"backlog peak after the exit: {s['backlog_peak_items']:,.0f} items "
            f"(without the exit: {s['backlog_peak_no_exit_items']:,.0f})",
            f"cost of the exit: one-off {s['one_off_cost']:,.0f} {cur}, running {s['running_cost_per_month']:+,.0f} "
            f"{cur}/month, total extra {s['extra_cost_total']:+,.0f} {cur} over the horizon",
        ])


def _plan(sc: Scenario, option: str, at_month: float) -> tuple[Scenario, Scenario, str, str]:
    """The drilled scenario and the no-exit one, the vendor and its fallback (one-line errors otherwise)."""
    if option not in sc.options:
        raise ScenarioError("--option", f"unknown option {option!r}; defined: {', '.join(sc.option_names)}")
    opt = sc.options[option]
    if opt.vendor is None:
        raise ScenarioError("--option", f"option {option!r} has no vendor to exit (it is in-house)")
    months = (sc.run.horizon_days - sc.run.warmup_days) * 24.0 / HOURS_PER_MONTH
    if not (isinstance(at_month, int | float) and math.isfinite(at_month) and 0 <= at_month < months):
        raise ScenarioError("--at", f"must be a month in [0, {months:.2f}) of the measured window, got {at_month!r}")
    v = opt.vendor
    ex = sc.vendors[v].exit
    if ex is not None:
        plan = {**ex.model_dump(), "hazard_per_year": 0.0, "terminate_at_month": float(at_month)}
    elif opt.backup is not None:
        plan = {"fallback": opt.backup, "terminate_at_month": float(at_month)}
    else:
        raise ScenarioError(f"vendors.{v}.exit", f"the vendor {v!r} of option {option!r} has no exit plan to drill "
                                                 f"(add vendors.{v}.exit with a fallback, or a backup vendor)")
    keep = {"baseline": None, "options": {option: opt.model_dump()}}
    base = {f"vendors.{v}.exit": None, f"vendors.{v}.review": None, **keep}
    drilled = sc.override({**base, f"vendors.{v}.exit": plan})
    return drilled, sc.override(base), v, plan["fallback"]


def _file_hash(path: str | Path | None) -> str:
    if path is None:
        return ""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def drill(scenario: Scenario | str | Path, option: str, at_month: float, replications: int | None = None,
          seed: int | None = None, sla_target: float | None = None, tolerance_days: float = 30.0) -> DrillResult:
    """Force the exit of ``option``'s vendor at ``at_month`` (months after the warm-up) and measure it.

    Parameters
    ----------
    scenario
        A :class:`Scenario` or a scenario file (whose SHA-256 then goes into the provenance).
    option
        The option whose (primary) vendor exits.
    at_month
        When, in months of the measured window (730.5 h each).
    replications, seed
        Default: the scenario's.
    sla_target
        The weekly SLA attainment that counts as service restored (default: the vendor's SLA target,
        else 0.9).
    tolerance_days
        The time within which service must be restored (the plan's stated recovery objective).
    """
    path = None if isinstance(scenario, Scenario) else scenario
    sc = scenario if isinstance(scenario, Scenario) else load(scenario)
    n = int(replications if replications is not None else sc.run.replications)
    if n < 1:
        raise ScenarioError("--replications", f"must be >= 1, got {n}")
    if not (isinstance(tolerance_days, int | float) and math.isfinite(tolerance_days) and tolerance_days >= 0):
        raise ScenarioError("--tolerance-days", f"must be a number of days >= 0, got {tolerance_days!r}")
    drilled, plain, vendor, fallback = _plan(sc, option, at_month)
    sla = sc.vendors[vendor].sla
    target = float(sla_target if sla_target is not None else (sla.target_share if sla is not None else 0.9))
    if not 0 < target <= 1:
        raise ScenarioError("--sla-target", f"must be in (0, 1], got {target!r}")
    seed = int(seed if seed is not None else sc.run.seed)
    t0, t1 = sc.run.warmup_days * 24.0, sc.run.horizon_days * 24.0
    t_exit = t0 + at_month * HOURS_PER_MONTH
    weeks_after = int((t1 - t_exit) // WEEK_H)
    before = min(WEEKS_BEFORE, int((t_exit - t0) // WEEK_H))
    edges = t_exit + WEEK_H * np.arange(-before, weeks_after + 1)
    hours = np.arange(math.ceil(t_exit), math.floor(t1) + 1, 1.0)
    one_off = [CATEGORIES.index(c) for c in ("switching", "exit_fee")]
    # the running cost is compared month by month on the ledger's own months (real months when dated)
    (exit_month,), n_months = month_index(np.array([t_exit]), t0, t1, sc.clock())
    if sc.clock() is None:
        exit_month = int(at_month)  # the month as given, free of rounding in t_exit
    rows, weekly_d, weekly_p = [], [], []
    for r in range(n):
        st = Streams(seed, r)
        trace = draw_trace(sc, st)
        logs = [simulate_option(s, option, trace, st) for s in (drilled, plain)]
        ledgers = [account(s, log) for s, log in zip((drilled, plain), logs, strict=True)]
        wd, wp = (weekly_attainment(log, edges) for log in logs)
        weekly_d.append(wd)
        weekly_p.append(wp)
        restore = time_to_restore(wd[before:], target) if weeks_after else math.inf
        led = ledgers[0]
        once = np.isin(led.category, one_off)
        monthly_d = np.bincount(led.month[~once], weights=led.amount[~once], minlength=n_months)[:n_months]
        diff = monthly_d - ledgers[1].monthly(n_months)
        after = diff[exit_month + 1:]
        rows.append({
            "replication": r, "restore_h": restore, "restored_within_tolerance": restore <= tolerance_days * 24.0,
            "backlog_peak_items": float(backlog_path(logs[0], hours).max(initial=0)),
            "backlog_peak_no_exit_items": float(backlog_path(logs[1], hours).max(initial=0)),
            "one_off_cost": float(led.amount[once].sum()),
            "running_cost_per_month": float(after.mean()) if after.size else 0.0,
            "extra_cost_total": led.total() - ledgers[1].total(),
        })
    wd, wp = np.array(weekly_d), np.array(weekly_p)
    weekly = pd.DataFrame({"week": np.arange(-before, weeks_after), "drill_mean": wd.mean(axis=0),
                           "drill_p10": np.percentile(wd, 10, axis=0), "drill_p90": np.percentile(wd, 90, axis=0),
                           "no_exit_mean": wp.mean(axis=0)})
    meta = {"scenario": sc.name, "scenario_file": str(path) if path is not None else "",
            "scenario_sha256": _file_hash(path), "fingerprint": sc.fingerprint(), "option": option,
            "vendor": vendor, "fallback": fallback, "at_month": float(at_month), "exit_h": t_exit, "seed": seed,
            "replications": n, "sla_target": target, "tolerance_h": tolerance_days * 24.0,
            "currency": sc.run.currency, "simkit_version": __version__,
            "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    return DrillResult(pd.DataFrame(rows), weekly, meta)
