"""Workflow benchmarks: parallel replications, dashboard recompute, closed-form preview, price sweeps.

These time what a user waits for, on the project's default scenario
(``scenarios/startup_it_helpdesk.yaml``, three options):

* replications on a 2-process pool against a 1-process pool (same batches of work);
* a dashboard's recompute after a slider moves: ``override`` then ``simulate``
  with the replications a dashboard would run, in this process;
* the dashboard itself (``sk.explore``) when a slider moves, a cost-only lever (a price: re-priced) and a
  structural one (a staff level: simulated on its precision rule, re-using the options the change leaves
  alone) in alternation — timed from setting the control's value until the answer (verdict and table) is
  on the page, and until the refresh ends (the visible chart and the downloads);
* a Sobol' sweep of about 1,000 points (:func:`simkit.sweep` with ``design="sobol"``) over the
  levers ``simkit sensitivity`` varies by default (:func:`simkit.analysis.sensitivity_summary.default_levers`);
* the closed-form preview it shows meanwhile (``simkit.scenario.preview.preview``: Erlang C per pool
  and a static cost; where simkit has no such function, Erlang C of the team's load);
* a 1,000-point price sweep answered by re-pricing stored run logs the way a user
  does it (:func:`simkit.experiment.reprice.reprice_sweep` on ``simulate(..., keep_logs=True)``)
  against re-simulating every point, which is timed on a few points and extrapolated.
"""

from __future__ import annotations

import inspect
import itertools
import math
import os
import re
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from statistics import median
from typing import Any

import numpy as np

import simkit as sk
from simkit.experiment.reprice import reprice_sweep
from simkit.experiment.simulate import run_replication
from simkit.ui.controls import value_at

from .cases import DEFAULT_SCENARIO, default_scenario, erlang_preview
from .harness import Row, alternate

try:  # the dashboard's preview: every option's pools by Erlang C, and a static cost
    from simkit.scenario.preview import preview as _dashboard_preview
except ImportError:  # a simkit without it: time Erlang C of the team alone
    _dashboard_preview = None

__all__ = ["WorkflowSizes", "workflow_rows", "reprice", "resimulate"]

# no progress bars in the benchmark's output (for a simkit whose simulate() draws them)
QUIET = {"progress": False} if "progress" in inspect.signature(sk.simulate).parameters else {}
SLIDER = "teams.engineers.staff"
SLIDER_VALUES = (3, 2)
PRICE_SLIDER = "vendors.msp.price_per_item"  # cost-only: the dashboard re-prices its kept runs
DASHBOARD_STAFF = (3, 4, 2)  # three values: two structural moves in a row never return to a state shown before


@dataclass(frozen=True)
class WorkflowSizes:
    """How big the workflow benchmarks are."""

    horizon_days: float | None  # None: the default scenario's own year
    repeats: int
    pool_replications: int
    dashboard_replications: int
    preview_repeats: int
    sweep_points: int
    sweep_replications: int
    resimulated_points: int
    sobol_points: int = 1000  # about: Saltelli's n (a power of two) x (levers + 2)
    sobol_replications: int = 1
    sobol_repeats: int = 3


def _warm(executor: Executor, workers: int, scenario: sk.Scenario) -> None:
    """Start every worker (each sleeps so that the pool has to start the next) and run one task in each."""
    list(executor.map(time.sleep, [0.2] * workers))
    sk.simulate(scenario.override({"run.horizon_days": 7}), replications=workers, seed=0, executor=executor,
                batch_size=1, **QUIET)


def _pools_and_dashboard(sc: sk.Scenario, sizes: WorkflowSizes, seed: int) -> list[Row]:
    reps = sizes.pool_replications
    clicks = iter(range(10**9))

    # the dashboard's run when it opened: every slider move after it has a previous run to start from
    # (logs are the same whichever executor made them)
    last: list[sk.Results] = [sk.simulate(sc, replications=sizes.dashboard_replications, seed=seed, keep_logs=True,
                                          **QUIET)]

    def recompute(**executor: Any) -> sk.Results:
        """What the dashboard runs when the slider moves: the options the change touches are simulated,
        the others re-priced from the previous run's logs (``reuse``)."""
        value = SLIDER_VALUES[next(clicks) % len(SLIDER_VALUES)]
        res = sk.simulate(sc.override({SLIDER: value}), replications=sizes.dashboard_replications, seed=seed,
                          keep_logs=True, reuse=last[-1], **executor, **QUIET)
        last[:] = [res]
        return res

    load_before = os.getloadavg()[0]  # two workers cannot scale while other work holds the cores
    with ProcessPoolExecutor(1) as one, ProcessPoolExecutor(2) as two:
        _warm(one, 1, sc)
        _warm(two, 2, sc)
        pools = alternate({
            "one_worker": lambda: sk.simulate(sc, replications=reps, seed=seed, executor=one, **QUIET),
            "two_workers": lambda: sk.simulate(sc, replications=reps, seed=seed, executor=two, **QUIET),
        }, sizes.repeats)
        dash = alternate({"default": recompute, "in_process": lambda: recompute(executor=None),
                          "two_workers": lambda: recompute(executor=two)}, sizes.repeats)
    serial_s = pools["one_worker"].median_s
    parallel_s = pools["two_workers"].median_s
    identical = pools["one_worker"].result.kpis.equals(pools["two_workers"].result.kpis)
    return [
        Row("replications_2_vs_1", f"{reps} replications, 2 workers vs 1", "s",
            parallel_s, 1.8, reference=serial_s, reference_label="1 worker", ratio=serial_s / parallel_s,
            details={"replications": reps, "seconds_1": pools["one_worker"].seconds,
                     "seconds_2": pools["two_workers"].seconds, "identical_kpis": bool(identical),
                     "load_average_1min_before": round(load_before, 2),
                     "load_average_1min_after": round(os.getloadavg()[0], 2)}),
        Row("dashboard_recompute", f"dashboard recompute, {sizes.dashboard_replications} replications", "s",
            dash["default"].median_s, 0.5, target_op="<=", target_on="value",
            details={"replications": sizes.dashboard_replications, "slider": SLIDER,
                     "call": "simkit.simulate(scenario.override({slider: value}), replications, seed, "
                             "keep_logs=True, reuse=previous)",
                     "seconds": dash["default"].seconds,
                     "in_process_median_s": dash["in_process"].median_s,
                     "warm_two_worker_pool_median_s": dash["two_workers"].median_s}),
    ]


def _preview_row(sc: sk.Scenario, sizes: WorkflowSizes) -> Row:
    """The dashboard's own preview (``simkit.scenario.preview.preview``) when there is one, else Erlang C alone."""
    clicks = iter(range(10**9))
    fn = _dashboard_preview or (lambda s: erlang_preview(s, sc.baseline_option))

    def preview() -> Any:
        return fn(sc.override({SLIDER: SLIDER_VALUES[next(clicks) % 2]}))

    t = alternate({"preview": preview}, sizes.preview_repeats, collect=False)["preview"]
    name = "simkit.scenario.preview.preview" if _dashboard_preview else "benchmarks.cases.erlang_preview"
    return Row("closed_form_preview", "closed-form preview after a slider change", "ms",
               1000.0 * t.median_s, 20.0, target_op="<=", target_on="value",
               details={"repeats": sizes.preview_repeats, "function": name, "max_ms": 1000.0 * max(t.seconds),
                        "erlang_c_of_team": erlang_preview(sc, sc.baseline_option)})


def reprice(stored: sk.Results, path: str, prices: np.ndarray) -> list[dict[str, float]]:
    """KPI rows of every option and stored replication at every price, from the stored logs.

    Ordered as :func:`resimulate` orders them (price, replication, option).
    """
    frame = reprice_sweep(stored, {path: prices}).frame
    frame = frame.sort_values(["point", "replication"], kind="stable")
    return frame.drop(columns=["point", path]).to_dict("records")


def resimulate(sc: sk.Scenario, replications: int, seed: int, path: str,
               prices: np.ndarray) -> list[dict[str, float]]:
    """The same KPI rows, each point simulated again from scratch."""
    rows = []
    for p in prices.tolist():
        s = sc.override({path: p})
        for r in range(replications):
            rows += run_replication(s, r, seed).kpis
    return rows


def _sweep_row(sc: sk.Scenario, sizes: WorkflowSizes, seed: int) -> Row:
    vendor = next(iter(sc.vendors))
    path = f"vendors.{vendor}.price_per_item"
    base = sc.vendors[vendor].price_per_item
    prices = np.linspace(0.5 * base, 1.5 * base, sizes.sweep_points)
    few = prices[:: max(1, sizes.sweep_points // sizes.resimulated_points)][: sizes.resimulated_points]
    reps = sizes.sweep_replications
    stored = sk.simulate(sc, replications=reps, seed=seed, executor=None, keep_logs=True, **QUIET)
    t = alternate({
        "reprice": lambda: reprice_sweep(stored, {path: prices}),
        "resimulate": lambda: resimulate(sc, reps, seed, path, few),
    }, sizes.repeats)
    repriced = reprice(stored, path, few)
    identical = repriced == t["resimulate"].result
    reprice_s = t["reprice"].median_s
    resim_s = t["resimulate"].median_s / few.size * prices.size
    return Row("reprice_sweep", f"{prices.size:,}-point price sweep: re-price logs vs re-simulate", "s",
               reprice_s, 50.0, reference=resim_s, reference_label="re-simulating (extrapolated)",
               ratio=resim_s / reprice_s,
               details={"points": int(prices.size), "replications": reps, "options": sc.option_names,
                        "price_path": path, "resimulated_points": int(few.size),
                        "call": "simkit.reprice_sweep(simulate(..., keep_logs=True), {path: prices})",
                        "reprice_seconds": t["reprice"].seconds,
                        "resimulate_seconds": t["resimulate"].seconds,
                        "reprice_ms_per_point": 1000.0 * reprice_s / prices.size,
                        "resimulate_ms_per_point": 1000.0 * resim_s / prices.size,
                        "identical_kpis": bool(identical)})


def _dashboard_refresh_rows(sc: sk.Scenario, sizes: WorkflowSizes, seed: int) -> list[Row]:
    """The dashboard's own refresh when a slider moves: a price (re-priced) and a staff level (simulated).

    Timed from setting the control's value until the answer — verdict and KPI table — is on the page
    (``Dashboard.answered_at``), and until the refresh ends (the visible chart and the downloads too).  The
    two levers alternate; every move goes to values not shown before, so no kept answer is reused.
    """
    dash = sk.explore(sc, seed=seed)  # opens with its first run, as a user sees it
    price0 = value_at(sc, PRICE_SLIDER)
    prices = (price0 * (0.8 + 0.01 * k) for k in itertools.count())  # never the same price twice
    staffs = itertools.cycle(DASHBOARD_STAFF)
    answer: dict[str, list[float]] = {"cost_only": [], "structural": []}
    how: dict[str, set[str]] = {"cost_only": set(), "structural": set()}

    def move(side: str, path: str, values: Any) -> Any:
        def run() -> Any:
            started = time.perf_counter()
            dash.controls[path].value = next(values)  # the control's observer refreshes the dashboard
            answer[side].append(dash.answered_at - started)
            how[side].add(re.sub(r"<[^>]+>", "", dash.status.value).split(" — ")[-1].split(" in ")[0])
            return dash.results
        return run

    load_before = os.getloadavg()
    try:
        t = alternate({"cost_only": move("cost_only", PRICE_SLIDER, prices),
                       "structural": move("structural", SLIDER, staffs)}, sizes.repeats)
    finally:
        dash.close()
    load_after = os.getloadavg()
    rows = []
    for side, path, words in (("cost_only", PRICE_SLIDER, "cost-only lever (re-priced)"),
                              ("structural", SLIDER, "structural lever (simulated)")):
        rows.append(Row(f"dashboard_{side}", f"dashboard, {words}: answer after a slider move (sk.explore, "
                        f"{dash.replications} replications)", "s", median(answer[side]), 0.3 if side == "cost_only"
                        else 2.0, target_op="<=", target_on="value",
                        details={"scenario": DEFAULT_SCENARIO.name, "slider": path, "answer_seconds": answer[side],
                                 "refresh_median_s": t[side].median_s, "refresh_seconds": t[side].seconds,
                                 "chart_and_downloads_median_s": t[side].median_s - median(answer[side]),
                                 "how": sorted(how[side]), "replications": dash.replications,
                                 "load_average_before": [round(x, 2) for x in load_before],
                                 "load_average_after": [round(x, 2) for x in load_after],
                                 "call": "dash.controls[slider].value = v -> Dashboard.refresh: override, preview, "
                                         "re-price or simulate, verdict, table (the answer), then the visible "
                                         "chart and the downloads"}))
    return rows


def _sobol_row(sc: sk.Scenario, sizes: WorkflowSizes, seed: int) -> Row:
    """A Sobol' sweep of about ``sizes.sobol_points`` points over the sensitivity command's default levers.

    Saltelli's design has ``n x (levers + 2)`` points with ``n`` a power of two: with the default scenario's
    three levers, 640 or 1,280 points, never 1,000. The nearer on a log scale (1,280 for 1,000) is timed, which
    is at least as hard as 1,000 points; ``seconds_per_1000_points`` gives the rate at exactly 1,000.
    """
    from simkit.analysis.sensitivity_summary import default_levers

    option = next(o for o in sc.option_names if o != sc.baseline_option)
    levers = default_levers(sc, option, sc.baseline_option)
    base_n = 2 ** round(math.log2(sizes.sobol_points / (len(levers) + 2)))
    points = base_n * (len(levers) + 2)
    reps = sizes.sobol_replications

    def run() -> Any:
        return sk.sweep(sc, levers, replications=reps, seed=seed, design="sobol", n=base_n, progress=False)

    t = alternate({"sobol": run}, sizes.sobol_repeats)["sobol"]
    return Row("sobol_sweep", f"{points:,}-point Sobol sweep ({len(levers)} levers, {reps} replication"
               f"{'s' if reps != 1 else ''}, {len(sc.option_names)} options)", "s", t.median_s, 60.0,
               target_op="<=", target_on="value",
               details={"points": points, "base_n": base_n, "levers": [lv.path for lv in levers],
                        "replications": reps, "options": sc.option_names, "seconds": t.seconds,
                        "ms_per_point": 1000.0 * t.median_s / points,
                        "seconds_per_1000_points": 1000.0 * t.median_s / points,
                        "load_average_1min": os.getloadavg()[0],
                        "rows": int(len(t.result.frame)),
                        "call": "simkit.sweep(scenario, default_levers(...), design='sobol', n=base_n) on the "
                                "'auto' executor"})


def workflow_rows(sizes: WorkflowSizes, seed: int, only: set[str] | None = None) -> list[Row]:
    """Benchmarks 5-8 and the dashboard's refresh and Sobol' sweep on the default scenario (shortened when
    ``sizes.horizon_days`` is set); ``only``: the named groups (``pools``, ``preview``, ``reprice``,
    ``dashboard``, ``sobol``)."""
    sc = default_scenario()
    if sizes.horizon_days is not None:
        sc = sc.override({"run.horizon_days": sizes.horizon_days})
    groups = {"pools": lambda: _pools_and_dashboard(sc, sizes, seed), "preview": lambda: [_preview_row(sc, sizes)],
              "reprice": lambda: [_sweep_row(sc, sizes, seed)],
              "dashboard": lambda: _dashboard_refresh_rows(sc, sizes, seed),
              "sobol": lambda: [_sobol_row(sc, sizes, seed)]}
    return [row for name, make in groups.items() if only is None or name in only for row in make()]
