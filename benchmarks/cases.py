"""The scenarios the benchmarks run, and the closed-form preview a dashboard shows before simulating.

* :func:`mmc_scenario` — the reference M/M/c problem as a one-option simkit scenario
  (Poisson arrivals, exponential effort, ``c`` staff around the clock, nothing else on);
* :func:`rich_scenario` — ``scenarios/rich.yaml``: priorities, shifts, time zones, hand-off, overflow;
* :func:`large_enterprise` — ``scenarios/large_enterprise.yaml``: ~1M tickets a year, three options;
* :func:`default_scenario` — the project's default scenario, ``scenarios/startup_it_helpdesk.yaml``;
* :func:`erlang_preview` — Erlang C for a team option's load, the instant answer a slider gets.
"""

from __future__ import annotations

import math
from pathlib import Path

import simkit as sk
from simkit import analytic
from simkit.units import HOURS_PER_YEAR

from .reference.mmc import MMCProblem

__all__ = ["mmc_scenario", "rich_scenario", "large_enterprise", "default_scenario", "erlang_preview",
           "mean_rate_per_h", "horizon_days_for", "mechanisms_on"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DEFAULT_SCENARIO = ROOT / "scenarios" / "startup_it_helpdesk.yaml"


def mmc_scenario(problem: MMCProblem, seed: int = 1) -> sk.Scenario:
    """The M/M/c problem as a scenario with one in-house option called ``in_house``."""
    return sk.Scenario.model_validate({
        "name": f"M/M/{problem.servers} benchmark",
        "run": {"horizon_days": problem.horizon_h / 24.0, "warmup_days": problem.warmup_h / 24.0,
                "replications": 1, "seed": seed, "discount_rate_annual": 0.0},
        "calendars": {"client": {}},
        "workload": {"rate_per_hour": problem.arrival_rate_per_h,
                     "kinds": {"job": {"share": 1.0,
                                       "effort_h": f"exponential(mean={problem.service_mean_h})"}}},
        "teams": {"team": {"staff": problem.servers, "loaded_cost_per_hour": 10.0}},
        "options": {"in_house": {"team": "team"}},
    })


def mean_rate_per_h(scenario: sk.Scenario) -> float:
    """Long-run mean arrival rate, in closed form.

    Every (hour, weekday) pair occurs equally often, so the week's mean of the
    product of the hour and day multipliers is the product of their means; the
    month multipliers are averaged likewise (months treated as equal), and
    growth ``(1 + g)^(t / year)`` is averaged over the horizon.
    """
    w = scenario.workload
    rate = w.rate_per_hour
    for m in (w.hour_of_day, w.day_of_week, w.month_of_year):
        if m is not None:
            rate *= sum(m) / len(m)
    years = scenario.run.horizon_days * 24.0 / HOURS_PER_YEAR
    if w.growth_annual and years > 0:
        g = math.log1p(w.growth_annual)
        rate *= math.expm1(g * years) / (g * years)
    return rate


def horizon_days_for(scenario: sk.Scenario, items: int) -> float:
    """The horizon (days, warm-up included) at which ``scenario`` draws about ``items`` items."""
    return items / (mean_rate_per_h(scenario) * 24.0)


def rich_scenario(items: int) -> sk.Scenario:
    """``scenarios/rich.yaml`` with its horizon set to draw about ``items`` items."""
    sc = sk.load(HERE / "scenarios" / "rich.yaml")
    days = horizon_days_for(sc, items)
    return sc.override({"run.horizon_days": days, "run.warmup_days": min(sc.run.warmup_days, days / 10)})


def mechanisms_on(scenario: sk.Scenario, option: str) -> list[str]:
    """What the engine has to do for ``option`` beyond a FIFO queue with round-the-clock servers."""
    o = scenario.options[option]
    kinds = scenario.workload.kinds.values()
    pools = [scenario.teams[o.team]] if o.team else []
    pools += [scenario.vendors[v] for v in (o.vendor, getattr(o, "backup", None)) if v]
    on = []
    if len({k.priority for k in kinds}) > 1:
        on.append("priorities")
    w = scenario.workload
    if any(m is not None for m in (w.hour_of_day, w.day_of_week, w.month_of_year)) or w.growth_annual:
        on.append("arrival profile")
    if any(not scenario.calendar(p.calendar).always_open for p in pools):
        on.append("shifts")
    if o.routing:
        on.append(f"{o.routing} routing")
    if any(getattr(k, "clarify_share", 0) for k in kinds):
        on.append("clarification")
    if any(getattr(k, "patience_h", None) is not None for k in kinds):
        on.append("abandonment")
    for attr in ("handoff_h", "quality", "outages", "degradation", "transition", "exit", "shared", "sla", "hiring",
                 "elastic"):
        if any(getattr(p, attr, None) for p in pools):
            on.append("rework" if attr == "quality" else attr.removesuffix("_h"))
    return on


def large_enterprise(horizon_days: float | None = None) -> sk.Scenario:
    """``scenarios/large_enterprise.yaml`` (one year, ~1M items), optionally shortened."""
    sc = sk.load(HERE / "scenarios" / "large_enterprise.yaml")
    return sc if horizon_days is None else sc.override({"run.horizon_days": horizon_days})


def default_scenario() -> sk.Scenario:
    return sk.load(DEFAULT_SCENARIO)


def erlang_preview(scenario: sk.Scenario, option: str | None = None) -> dict[str, float]:
    """Erlang C for a team option: what a dashboard can show the instant a slider moves.

    The team's pool is read as an M/M/c queue that receives the whole workload
    while it is open: arrivals at ``mean rate x 168 / open hours per week``,
    service time ``mean effort / productivity``, ``c = staff``.  Exact for the
    M/M/c scenarios; a first-order guide for shaped workloads (it ignores the
    queue carried over closed hours and the effort's variability).

    Returns
    -------
    dict
        ``utilisation_share``, ``p_wait_share`` and ``wait_mean_h`` (``inf`` when overloaded).
    """
    name = option or next(n for n, o in scenario.options.items() if o.team is not None)
    team = scenario.teams[scenario.options[name].team]
    open_share = scenario.calendar(team.calendar).open_hours_per_week / 168.0
    kinds = scenario.workload.kinds.values()
    shares = sum(k.share for k in kinds)
    effort_h = sum(k.share * k.effort_h.mean for k in kinds) / shares
    service_h = effort_h / team.productivity
    lam = mean_rate_per_h(scenario) / open_share if open_share > 0 else math.inf
    c = team.staff
    load = lam * service_h
    if c == 0 or load >= c:
        return {"utilisation_share": 1.0, "p_wait_share": 1.0, "wait_mean_h": math.inf}
    return {"utilisation_share": load / c, "p_wait_share": analytic.erlang_c(c, load),
            "wait_mean_h": analytic.mmc_wait_mean_h(c, lam, service_h)}
