"""Wiring one option's model: pools, timelines, risk, routing, arrivals, and the log they fill."""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np

from simkit.calendars.timeline import CapacityTimeline
from simkit.calendars.weekly import Calendar
from simkit.engine import compiled
from simkit.engine.fastpool import CallbackPool
from simkit.engine.log import RunLog, headcount_segments
from simkit.engine.loop import Environment, FastEnvironment
from simkit.engine.pools import Items, ServicePool
from simkit.engine.review import CLOSED, SwitchableTimeline, fallback_timeline, wire_reviews, without_pools
from simkit.engine.risk import degradation_intervals, exit_time_h, fx_path, outage_intervals, wright_factors
from simkit.engine.roster import build_roster, seated_capacity
from simkit.engine.routing import make_router
from simkit.engine.staffing import start_elastic, start_hiring
from simkit.engine.tiers import Escalation
from simkit.scenario.model import Scenario
from simkit.streams import Streams
from simkit.units import HOURS_PER_MONTH
from simkit.workload.trace import Trace, local_parts

__all__ = ["simulate_option"]

_MARGIN_H = 4 * 168.0  # timelines run a little past the horizon so work in progress can be scheduled


def _clip_sum(intervals: list[tuple[float, float]], a: float, b: float) -> float:
    return float(sum(max(0.0, min(e, b) - max(s, a)) for s, e in intervals))


def _clarify_rounds(u: np.ndarray, p: np.ndarray, max_rounds: np.ndarray) -> np.ndarray:
    """Geometric rounds from one uniform each: P(rounds >= k) = p**k, capped."""
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.floor(np.log(np.maximum(u, 1e-300)) / np.log(np.clip(p, 1e-300, 1 - 1e-12)))
    k = np.where(p <= 0, 0, np.where(p >= 1, max_rounds, k))
    return np.minimum(k, max_rounds).astype(np.int64)


def _background(spec, horizon_h: float, rng: np.random.Generator, offset_h: float, clock=None):  # noqa: ANN001
    """Other clients' items on a shared vendor: arrival times and efforts (months read like the workload's)."""
    peak = spec.background_rate_per_hour * (max(spec.background_month_of_year) if spec.background_month_of_year
                                            else 1.0)
    n = int(rng.poisson(peak * horizon_h)) if peak > 0 else 0
    t = np.sort(rng.uniform(0.0, horizon_h, n))
    keep = rng.uniform(0.0, 1.0, n)
    if spec.background_month_of_year is not None and n:
        month = local_parts(t, offset_h, clock)[3]
        t = t[keep * peak < spec.background_rate_per_hour * np.asarray(spec.background_month_of_year)[month]]
    return t, spec.background_effort_h.sample(rng, t.size)


KERNELS = {"compiled": (CallbackPool, FastEnvironment), "fast": (CallbackPool, FastEnvironment),
           "process": (ServicePool, Environment)}


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
    pool_class, env_class = KERNELS[kernel]
    option = scenario.options[option_name]
    horizon = scenario.run.horizon_days * 24.0
    t0 = scenario.run.warmup_days * 24.0
    t_end = horizon + _MARGIN_H
    n = len(trace)
    client_cal = scenario.calendar(scenario.workload.calendar)
    client_offset = scenario.calendars[scenario.workload.calendar].utc_offset_h
    p_kind_all = np.array([k.clarify_share for k in scenario.workload.kinds.values()])

    # -- which pools: the option's team and vendor, plus a fallback an exit may bring in
    members: list[tuple[str, str]] = []
    if option.team is not None:
        members.append((option.team, "team"))
    if option.vendor is not None:
        members.append((option.vendor, "vendor"))
    if option.backup is not None:
        members.append((option.backup, "vendor"))
    n_tier1 = len(members)
    for tier in option.escalation or ():
        members.append((tier.pool, "team" if tier.pool in scenario.teams else "vendor"))
    n_primary = len(members)
    exits: dict[str, float] = {}
    for_cause: dict[str, float] = {}  # vendors a review may terminate: their scheduled exit runs the same path
    for name, role in list(members):
        spec = scenario.vendors[name] if role == "vendor" else None
        if spec is not None and spec.exit is not None:
            t_exit = exit_time_h(spec.exit, t0, streams.rng(f"exit:{name}"))
            if spec.review is not None and spec.review.terminate_at_review is not None:
                for_cause[name] = t_exit
            elif t_exit < horizon:
                exits[name] = t_exit
                fb = spec.exit.fallback
                if fb not in [m for m, _ in members]:
                    members.append((fb, "team" if fb in scenario.teams else "vendor"))

    deferred: dict[str, CapacityTimeline] = {}  # fallbacks whose start a termination for cause sets
    for name in for_cause:
        fb = scenario.vendors[name].exit.fallback
        if fb not in [m for m, _ in members]:
            members.append((fb, "team" if fb in scenario.teams else "vendor"))
            deferred[fb] = CLOSED
    switchable: dict[str, SwitchableTimeline] = {}
    reopen: dict = {}  # a deferred fallback's quality hooks, rebuilt for its start (same stream, same draws)

    # -- background load of shared vendors (indices n.. in the item arrays)
    bg_t, bg_e, bg_p, bg_pool = [], [], [], []
    for k, (name, role) in enumerate(members):
        spec = scenario.vendors.get(name) if role == "vendor" else None
        if spec is not None and spec.shared is not None:
            t, e = _background(spec.shared, horizon, streams.rng(f"background:{name}"), client_offset,
                               scenario.clock())
            prio = {"higher": 10, "equal": 1, "lower": -1}[spec.shared.client_priority]
            bg_t.append(t)
            bg_e.append(e)
            bg_p.append(np.full(t.size, prio, dtype=np.int64))
            bg_pool.append(np.full(t.size, k, dtype=np.int64))
    effort = np.concatenate([trace.effort_h, *bg_e]) if bg_e else trace.effort_h
    priority = np.concatenate([trace.priority.astype(np.int64), *bg_p]) if bg_p else trace.priority
    items = Items(effort, priority) if kernel != "compiled" else compiled.Columns(effort)
    total = effort.size

    env = env_class()
    pools: list[ServicePool] = []
    downs: list[list[tuple[float, float]]] = []
    active: list[tuple[float, float]] = []
    events: list[tuple[float, str, str]] = []
    fallback_start: dict[str, float] = {}
    for name, t_exit in exits.items():
        spec = scenario.vendors[name].exit
        fallback_start[spec.fallback] = t_exit + spec.switch_lead_h

    people: dict[int, int] = {}  # a roster's people on all its shifts (its pool's servers are its seats)
    for k, (name, role) in enumerate(members):
        spec = scenario.teams[name] if role == "team" else scenario.vendors[name]
        roster = build_roster(scenario, spec, name, events) if role == "team" and spec.shifts else None
        cal: Calendar | CapacityTimeline = roster[0] if roster else scenario.calendar(spec.calendar)
        if roster is None and role == "team" and spec.overtime_h_per_day > 0:  # people stay on when there is work
            cal = scenario.calendar(spec.calendar, spec.overtime_h_per_day)
        tl: Calendar | CapacityTimeline = cal
        if role == "team" and spec.absence_share > 0:  # present (1 - absence) of the paid hours: see TeamSpec
            tl = _as_timeline(tl, t_end).stepped([0.0], [spec.available_share])
        down: list[tuple[float, float]] = []
        degraded: list[tuple[float, float]] = []
        start_h, stop_h = t0, horizon
        is_new_fallback = k >= n_primary

        if role == "vendor":
            if spec.outages is not None:
                down = outage_intervals(spec.outages, t_end, streams.rng(f"outage:{name}"))
                tl = _as_timeline(tl, t_end).scaled(down, 0.0)
            if spec.degradation is not None:
                degraded = degradation_intervals(spec.degradation, t_end, streams.rng(f"degradation:{name}"))
                tl = _as_timeline(tl, t_end).scaled(degraded, spec.degradation.productivity_factor)
            if spec.transition is not None and spec.transition.start_productivity < 1 and not is_new_fallback:
                months = math.ceil((t_end - t0) / HOURS_PER_MONTH) + 1
                factors = wright_factors(spec.transition.start_productivity, spec.transition.learning_rate, months)
                tl = _as_timeline(tl, t_end).stepped([t0 + m * HOURS_PER_MONTH for m in range(months)], factors)
            if name in for_cause:
                tl = switchable[name] = SwitchableTimeline(tl, getattr(tl, "always_open", False))
            if name in exits:
                stop_h = exits[name]
                tl = _as_timeline(tl, t_end).closed_after(stop_h)
                ex = spec.exit
                cause = ("termination" if ex.terminate_at_month is not None
                         and abs(stop_h - (t0 + ex.terminate_at_month * HOURS_PER_MONTH)) < 1e-9 else "insolvency")
                events.append((stop_h, name, f"exit:{cause}"))
        if name in deferred:  # closed until a termination opens it
            deferred[name] = _as_timeline(tl, t_end)
            tl = switchable[name] = SwitchableTimeline(CLOSED)
            start_h = horizon
        elif is_new_fallback:
            start_h = min(fallback_start[name], horizon)
            ex = next(scenario.vendors[v].exit for v in exits if scenario.vendors[v].exit.fallback == name)
            tl = fallback_timeline(_as_timeline(tl, t_end), ex, start_h, t0, role)
            events.append((start_h, name, "fallback_start"))
        if roster is not None:
            pool = pool_class(env, k, len(roster[1]), tl, spec.productivity, items, name, roster[1], roster[2])
            people[k] = sum(s.staff for s in spec.shifts)
        else:
            pool = pool_class(env, k, spec.staff if role == "team" else spec.agents, tl, spec.productivity, items,
                              name)
        pool.set_down(down)
        pool.closes_at = stop_h if name in exits else math.inf
        if np.any(p_kind_all > 0):
            pool.answer_time = client_cal.next_open
        if spec.quality is not None:
            factor_d = spec.degradation.defect_factor if role == "vendor" and spec.degradation else 1.0
            draws = _quality_draws(spec.quality, trace, streams.rng(f"quality:{name}"), total)
            pool.quality = _quality_hooks(spec.quality, draws, degraded, factor_d, start_h)
            pool.quality_data = (spec.quality, degraded, factor_d, start_h, draws)  # for the compiled kernel
            if name in deferred:  # its defects fall with experience from the start a termination sets
                reopen[name] = (lambda start, q=spec.quality, d=degraded, f=factor_d, n=name:
                                _quality_hooks(q, _quality_draws(q, trace, streams.rng(f"quality:{n}"), total),
                                               d, f, start))
        if role == "team" and spec.hiring is not None:
            start_hiring(env, pool, spec.hiring, streams.rng(f"attrition:{name}"), events, name)
        if role == "vendor" and spec.elastic is not None:
            start_elastic(env, pool, spec.elastic, spec.agents, events, name)
        pools.append(pool)
        downs.append(down)
        active.append((start_h, stop_h))

    for name in [*exits, *for_cause]:
        k = [m for m, _ in members].index(name)
        pools[k].fallback = pools[[m for m, _ in members].index(scenario.vendors[name].exit.fallback)]

    names = tuple(m for m, _ in members)
    roles = tuple(r for _, r in members)
    terminations: list[tuple[str, float, float]] = []  # (vendor, when, its new fallback's start or nan)
    router = make_router(option, pools[:n_tier1], roles[:n_tier1], trace, scenario.vendors)
    handoff = [scenario.vendors[m].handoff_h if r == "vendor" else 0.0 for m, r in members]
    factor = np.array([(scenario.teams[m] if r == "team" else scenario.vendors[m]).clarify_factor
                       for m, r in members])
    kinds = list(scenario.workload.kinds.values())
    p_kind = np.array([k.clarify_share for k in kinds])[trace.kind] if n else np.zeros(0)
    max_rounds = np.array([k.clarify_max_rounds for k in kinds])[trace.kind] if n else np.zeros(0, int)
    escalation = None
    if option.escalation:  # never on the compiled kernel: its list of mechanisms leaves tiers out
        escalation = Escalation(option, trace, streams, items)
        escalation.attach(pools, list(range(n_tier1, n_primary)), handoff)
    u_clarify = trace.u[:, 0] if n else np.zeros(0)
    any_clarify = bool(np.any(p_kind > 0))
    rounds = {k: _clarify_rounds(u_clarify, np.minimum(1.0, p_kind * factor[k]), max_rounds)
              for k in range(n_primary)} if any_clarify else {}

    if kernel == "compiled":  # the same schedule in arrays: every mechanism of this option is on its list
        background = [(t, int(k[0]) if t.size else 0) for t, k in zip(bg_t, bg_pool, strict=True)]
        cols, route, enter = compiled.run_option(option, pools, roles, n_primary, items, priority, trace,
                                                 scenario.vendors, client_cal, background, rounds, handoff,
                                                 horizon, (scenario.teams, streams, events))
    else:
        route = [-1] * n
        enter = [math.nan] * n
        patience = trace.patience_h.tolist()
        finite = np.isfinite(trace.patience_h).tolist()
        rounds = {k: v.tolist() for k, v in rounds.items()}

        def arrive_plain(item: int) -> None:  # no clarification, patience or hand-off: only route and queue
            p = router(item)
            route[item] = p
            enter[item] = env._now
            puts[p](item)

        def arrive(item: int) -> None:
            t = env._now
            p = router(item)
            route[item] = p
            if any_clarify:
                items.rounds[item] = rounds[p][item]
            if finite[item]:
                items.gives_up_h[item] = t + patience[item]
            delay = handoff[p]
            enter[item] = t + delay
            if delay > 0.0:
                env.call_later(delay, pools[p].put, item)
            else:
                pools[p].put(item)

        def exit_process(pool: ServicePool, t_exit: float):
            yield env.timeout(t_exit)
            pool.close()

        puts = [pool.put for pool in pools]
        plain = not any_clarify and not any(finite) and not any(h > 0.0 for h in handoff[:n_tier1])
        if plain and n_tier1 == 1:  # one pool, nothing on the way: the item goes straight to its queue
            route[:] = [0] * n
            put = puts[0]

            def arrive_one(item: int) -> None:
                enter[item] = env._now
                put(item)

            in_order(env, trace.arrival_h, arrive_one)
        else:
            in_order(env, trace.arrival_h, arrive_plain if plain else arrive)
        first = n
        for t, k in zip(bg_t, bg_pool, strict=True):
            if t.size:
                in_order(env, t, lambda j, f=first, pool=pools[int(k[0])]: pool.put(f + j))
            first += t.size
        for name, t_exit in exits.items():
            env.process(exit_process(pools[names.index(name)], t_exit))
        reviewed = [m for m, r in members[:n_primary] if r == "vendor" and scenario.vendors[m].review is not None]
        if reviewed:
            wire_reviews(scenario, env, reviewed, for_cause, deferred, switchable, names, pools, active, events,
                         terminations, trace, route, items, (t0, horizon), reopen)
        env.run(until=horizon)

        for item in np.flatnonzero(np.isfinite(trace.patience_h)).tolist():  # requesters who gave up unnoticed
            if items.gives_up_h[item] < horizon:
                items.gave_up(item, horizon)
        cols = items.arrays(n)
    served = cols["served_by"]
    pool_col = np.where(served >= 0, served, np.array(route, dtype=np.int8)).astype(np.int8)
    busy, open_server = _capacity(pools, t0, horizon)
    down_h = np.array([_clip_sum(d, t0, horizon) for d in downs])
    for name, t_exit in exits.items():  # the gap between an exit and a new fallback's start
        if names.index(scenario.vendors[name].exit.fallback) < n_primary:
            continue  # the fallback was already working in this option: no gap
        gap_end = min(fallback_start[scenario.vendors[name].exit.fallback], horizon)
        down_h[names.index(name)] += max(0.0, gap_end - max(t_exit, t0))
    for name, t_stop, start in terminations:  # the same gap after a termination for cause
        if start == start:
            down_h[names.index(name)] += max(0.0, min(start, horizon) - max(t_stop, t0))
    outages = np.array([sum(1 for s, _ in d if t0 <= s < horizon) for d in downs])
    clock = scenario.clock()  # dated: one exchange rate per real ledger month
    n_months = (math.ceil((horizon - t0) / HOURS_PER_MONTH - 1e-9) if clock is None
                else len(clock.month_edges(t0, horizon)[0]) - 1)
    fx = {}
    for name, role in members:
        spec = scenario.teams[name] if role == "team" else scenario.vendors[name]
        if spec.fx is not None:
            fx[name] = fx_path(spec.fx, n_months, streams.rng(f"fx:{name}"))
    log = RunLog(option_name, trace, names, roles, pool_col, np.array(enter), cols["start"], cols["end"],
                 cols["status"], cols["asked"], cols["clarify_h"], cols["reworks"], cols["escaped"], (t0, horizon),
                 np.array([people.get(k, p.servers) for k, p in enumerate(pools)]), busy, open_server,
                 np.array(active, dtype=float).reshape(-1, 2), down_h, outages, sorted(events), fx,
                 {p.name: list(p.staff_log) for p in pools if p.staff_log},
                 None if escalation is None else escalation.log(names, list(range(n_tier1, n_primary)),
                                                                np.array(enter), cols["start"]),
                 {p.name: [(a, b) for a, b, cal in zip(p.work_from_h, p.work_to_h, p.work_seat, strict=True)
                           if cal is None] for p in pools if p.on_call is not None})
    opened = {scenario.vendors[v].exit.fallback for v, _, start in terminations if start == start}
    unused = [fb for fb in deferred if fb not in opened]
    return without_pools(log, unused) if unused else log


def _as_timeline(tl: Calendar | CapacityTimeline, end_h: float) -> CapacityTimeline:
    return tl if isinstance(tl, CapacityTimeline) else CapacityTimeline.from_calendar(tl, end_h)


def in_order(env: Environment, times: np.ndarray, handle) -> None:  # noqa: ANN001
    """Call ``handle(i)`` at each of the sorted ``times``: a chain of scheduled calls, one pending at a time."""
    ts = times.tolist()
    n = len(ts)
    if not n:
        return
    i = 0  # the next item
    call_later = env.call_next

    def step(_arg: object) -> None:
        nonlocal i
        t = ts[i]
        while True:
            handle(i)
            i += 1
            if i >= n:
                return
            if ts[i] > t:
                break
        call_later(ts[i] - t, step)

    call_later(ts[0], step)


def _capacity(pools: list[ServicePool], t0: float, t1: float) -> tuple[np.ndarray, np.ndarray]:
    """Per pool: hours of work done inside the window (each piece of work on the pool's timeline,
    so waits for a client's answer or for rework in between are not counted), and capacity on shift."""
    busy = np.zeros(len(pools))
    open_server = np.zeros(len(pools))
    for k, pool in enumerate(pools):
        if pool.seated:
            busy[k], open_server[k] = seated_capacity(pool, t0, t1)
            continue
        tl = pool.timeline
        a = np.maximum(np.frombuffer(pool.work_from_h), t0)
        b = np.minimum(np.frombuffer(pool.work_to_h), t1)
        worked = tl.cumulative_hours_array(b) - tl.cumulative_hours_array(a) if a.size else np.zeros(0)
        cap = sum(count * tl.working_hours(max(s, t0), min(e, t1))
                  for s, e, count in headcount_segments(pool.servers, pool.staff_log, t0, t1) if e > s)
        busy[k] = min(float(np.clip(worked, 0.0, None).sum()), cap)
        open_server[k] = cap
    return busy, open_server


def _quality_draws(q, trace: Trace, rng: np.random.Generator,  # noqa: ANN001
                   total: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per item: the uniforms deciding defect and detection (the trace's own for the option's items, so
    options are compared on the same luck) and the detection delay."""
    n = len(trace)
    u_defect = np.concatenate([trace.u[:, 1], rng.uniform(size=total - n)]) if n else rng.uniform(size=total)
    u_detect = np.concatenate([trace.u[:, 2], rng.uniform(size=total - n)]) if n else rng.uniform(size=total)
    return u_defect, u_detect, np.asarray(q.detection_delay_h.sample(rng, total), dtype=float)


def _quality_hooks(q, draws: tuple[np.ndarray, np.ndarray, np.ndarray],  # noqa: ANN001
                   degraded: list[tuple[float, float]], degraded_factor: float, start_h: float):
    """Closures deciding defects from :func:`_quality_draws`."""
    u_defect, u_detect, delays = draws
    starts = [a for a, _ in degraded]

    def share(t: float) -> float:
        p = q.defect_share
        if q.defect_halving_months:
            months = max(0.0, t - start_h) / HOURS_PER_MONTH
            p = q.defect_share_floor + (p - q.defect_share_floor) * 0.5 ** (months / q.defect_halving_months)
        if degraded:
            i = bisect_right(starts, t) - 1
            if i >= 0 and t < degraded[i][1]:
                p *= degraded_factor
        return min(p, 1.0)

    return (lambda item, t: u_defect[item] < share(t), lambda item: u_detect[item] < q.detection_share,
            lambda item: float(delays[item]), q.rework_effort_share)

