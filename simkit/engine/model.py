"""Wiring one option's model: pools, timelines, risk, routing, arrivals, and the log they fill.

:func:`simulate_option` runs in named steps, each in a module of its own:

1. which pools, and their drawn exits (:mod:`~simkit.engine.wiring`);
2. other clients' load on shared vendors (:mod:`~simkit.engine.arrivals`);
3. per pool, its capacity timeline and every change to it (:mod:`~simkit.engine.timelines`), then the
   pool itself with its hooks (:mod:`~simkit.engine.hooks`) and staffing processes (:func:`_add_pool`);
4. the run: arrivals, exits and reviews on the event loop (:func:`_run_events`), or the same schedule in
   arrays on the compiled loop (:func:`_run_compiled`);
5. the run log (:mod:`~simkit.engine.assembly`).

Every kernel gets the same pools, timelines and draws from steps 1 to 3, so their logs are identical.
"""

from __future__ import annotations

import math

import numpy as np

from simkit.engine import compiled
from simkit.engine.arrivals import background_load, clarify_rounds, start_arrivals, start_background
from simkit.engine.assembly import assemble_log
from simkit.engine.fastpool import CallbackPool
from simkit.engine.hooks import QualityHook, quality_draws
from simkit.engine.log import RunLog
from simkit.engine.loop import Environment, FastEnvironment
from simkit.engine.pools import Items, ServicePool
from simkit.engine.review import wire_reviews
from simkit.engine.routing import make_router
from simkit.engine.staffing import start_elastic, start_hiring
from simkit.engine.tiers import Escalation
from simkit.engine.timelines import pool_capacity
from simkit.engine.wiring import HOURS_PER_DAY, OptionRun, choose_members
from simkit.scenario.model import Scenario
from simkit.streams import Streams
from simkit.workload.trace import Trace

__all__ = ["simulate_option", "KERNELS"]

KERNELS = {"compiled": (CallbackPool, FastEnvironment), "fast": (CallbackPool, FastEnvironment),
           "process": (ServicePool, Environment)}
"""Per kernel: its pool class and event loop (the compiled kernel wires callback pools, then runs their
schedule on its own loop)."""


def simulate_option(scenario: Scenario, option_name: str, trace: Trace, streams: Streams | None = None,
                    kernel: str | None = None) -> RunLog:
    """Run ``trace`` through option ``option_name`` until the horizon.

    Parameters
    ----------
    scenario
        The validated scenario.
    option_name
        Which of ``scenario.options`` to run.
    trace
        The replication's workload, shared by every option.
    streams
        The replication's random streams, for the option's risk processes (outages,
        degradation, exits, detection delays, other clients' load).
    kernel
        ``"auto"``, ``"compiled"``, ``"fast"`` (also ``"callback"``) or ``"process"`` (one SimPy
        process per server, the reference formulation); all give identical logs.  ``None``: the
        ``SIMKIT_KERNEL`` environment variable, else the scenario's ``run.kernel`` (see
        :mod:`simkit.engine.compiled`).

    Returns
    -------
    RunLog
        Item times, routes and states, per-pool capacity, and dated events.
    """
    streams = streams or Streams(scenario.run.seed, 0)
    kernel = compiled.choose(scenario, option_name, kernel)
    run = _wire(scenario, option_name, trace, streams, kernel)
    members = run.members
    handoff = [scenario.vendors[m].handoff_h if r == "vendor" else 0.0
               for m, r in zip(members.names, members.roles, strict=True)]
    clarify_factor = np.array([members.spec(scenario, k).clarify_factor for k in range(len(members.names))])
    rounds = clarify_rounds(scenario, trace, clarify_factor, members.n_primary)
    if kernel == "compiled":
        cols, route, enter = _run_compiled(run, handoff, rounds)
    else:
        cols, route, enter = _run_events(run, handoff, rounds)
    return assemble_log(run, cols, route, enter)


def _wire(scenario: Scenario, option_name: str, trace: Trace, streams: Streams, kernel: str) -> OptionRun:
    """Steps 1 to 3: the option's pools on their timelines, with their hooks, on a fresh event loop."""
    pool_class, env_class = KERNELS[kernel]
    window_h = (scenario.run.warmup_days * HOURS_PER_DAY, scenario.run.horizon_days * HOURS_PER_DAY)
    members = choose_members(scenario, scenario.options[option_name], streams, window_h)
    background = background_load(scenario, members, streams, window_h[1])
    effort = background.all_effort_h(trace)
    items = Items(effort, background.all_priority(trace)) if kernel != "compiled" else compiled.Columns(effort)
    run = OptionRun(scenario, option_name, trace, streams, window_h, members, background, env_class(), items,
                    scenario.calendar(scenario.workload.calendar))
    for k in range(len(members.names)):
        _add_pool(run, k, pool_class)
    for name in [*members.exits, *members.for_cause]:  # where a closing vendor's work goes
        fallback = scenario.vendors[name].exit.fallback
        run.pools[members.index(name)].fallback = run.pools[members.index(fallback)]
    return run


def _add_pool(run: OptionRun, k: int, pool_class: type[ServicePool]) -> None:
    """Pool ``k`` on its timeline, with its hooks (the client's answers, quality) and staffing processes."""
    scenario, members, trace = run.scenario, run.members, run.trace
    name, role = members.names[k], members.roles[k]
    spec = members.spec(scenario, k)
    cap = pool_capacity(run, k)
    if cap.seats is not None:
        pool = pool_class(run.env, k, len(cap.seats), cap.timeline, spec.productivity, run.items, name, cap.seats,
                          cap.on_call)
        run.people[k] = sum(s.staff for s in spec.shifts)
    else:
        pool = pool_class(run.env, k, spec.staff if role == "team" else spec.agents, cap.timeline, spec.productivity,
                          run.items, name)
    pool.set_down(cap.down)
    pool.closes_at = cap.stop_h if name in members.exits else math.inf
    if any(kind.clarify_share > 0 for kind in scenario.workload.kinds.values()):  # questions wait for office hours
        pool.answer_time = run.client_calendar.next_open
    if spec.quality is not None:
        factor = spec.degradation.defect_factor if role == "vendor" and spec.degradation else 1.0
        draws = quality_draws(spec.quality, trace, run.streams.rng(f"quality:{name}"), run.items.effort.size)
        pool.quality = QualityHook(spec.quality, draws, cap.degraded, factor, cap.start_h)
        pool.quality_data = pool.quality.packed()  # for the compiled kernel
    if role == "team" and spec.hiring is not None:
        _start_staffing(run, k, pool, cap.start_h)
    if role == "vendor" and spec.elastic is not None:
        start_elastic(run.env, pool, spec.elastic, spec.agents, run.events, name)
    run.pools.append(pool)
    run.downs.append(cap.down)
    run.active.append((cap.start_h, cap.stop_h))


def _start_staffing(run: OptionRun, k: int, pool: ServicePool, start_h: float) -> None:
    """A team's attrition and hiring, from when it is employed: a team of the option from the start of the run
    (warm-up included), an exit's new fallback from its start (none if that is at the horizon), a fallback
    deferred for a termination for cause from the moment the termination opens it (``run.on_open``)."""
    name, members = run.members.names[k], run.members
    spec = members.spec(run.scenario, k).hiring

    def begin(at_h: float | None) -> None:
        start_hiring(run.env, pool, spec, run.streams.rng(f"attrition:{name}"), run.events, name, at_h)

    if name in members.deferred:
        run.on_open[name] = begin
    elif not members.is_new_fallback(k):
        begin(None)
    elif start_h < run.window_h[1]:
        begin(start_h)


def _run_events(run: OptionRun, handoff: list[float], rounds: dict[int, np.ndarray]) -> tuple:
    """Step 4 on the event loop: arrivals, other clients' load, scheduled exits and reviews, to the horizon.

    Returns the option's item columns (``Items.arrays``), each item's route and its queue-entry time.
    """
    scenario, members, pools, env, items, trace = run.scenario, run.members, run.pools, run.env, run.items, run.trace
    t0, horizon = run.window_h
    n = len(trace)
    if run.option.escalation:  # never on the compiled kernel: its list of mechanisms leaves tiers out
        run.escalation = Escalation(run.option, trace, run.streams, items)
        run.escalation.attach(pools, list(range(members.n_tier1, members.n_primary)), handoff)
    for pool in pools:  # every hook is set: each pool picks its path for the whole run
        pool.ready()
    router = make_router(run.option, pools[:members.n_tier1], tuple(members.roles[:members.n_tier1]), trace,
                         scenario.vendors)
    route, enter = start_arrivals(env, trace, router, pools, items, handoff, rounds, members.n_tier1)
    start_background(env, run.background, pools, n)
    for name, t_exit in members.exits.items():
        env.process(_close_at(env, pools[members.index(name)], t_exit))
    reviewed = [m for m, r in zip(members.names[:members.n_primary], members.roles[:members.n_primary], strict=True)
                if r == "vendor" and scenario.vendors[m].review is not None]
    if reviewed:
        wire_reviews(scenario, env, reviewed, members.for_cause, members.deferred, run.switchable,
                     tuple(members.names), pools, run.active, run.events, run.terminations, trace, route, items,
                     (t0, horizon), run.on_open)
    env.run(until=horizon)
    for item in np.flatnonzero(np.isfinite(trace.patience_h)).tolist():  # requesters who gave up unnoticed
        if items.gives_up_h[item] < horizon:
            items.gave_up(item, horizon)
    return items.arrays(n), route, enter


def _close_at(env: Environment, pool: ServicePool, t_exit: float):  # noqa: ANN202 - a SimPy process
    """A scheduled exit: the pool closes for good at ``t_exit`` and hands its queue to its fallback."""
    yield env.timeout(t_exit)
    pool.close()


def _run_compiled(run: OptionRun, handoff: list[float], rounds: dict[int, np.ndarray]) -> tuple:
    """Step 4 on the compiled loop: the same schedule in arrays (every mechanism of the option is on its list)."""
    scenario, members = run.scenario, run.members
    background = [(t, k if t.size else 0) for t, k in zip(run.background.arrival_h, run.background.pool,
                                                            strict=True)]
    return compiled.run_option(run.option, run.pools, tuple(members.roles), members.n_primary, run.items,
                               run.background.all_priority(run.trace), run.trace, scenario.vendors,
                               run.client_calendar, background, rounds, handoff,
                               run.window_h[1], (scenario.teams, run.streams, run.events))
