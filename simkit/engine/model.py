"""Wiring one option's model: pools, routing, arrivals, and the log they fill."""

from __future__ import annotations

import numpy as np
import simpy

from ..scenario import Scenario
from ..streams import Streams
from ..workload import Trace
from .log import RunLog
from .pools import ServicePool
from .routing import make_router

__all__ = ["simulate_option"]


def simulate_option(scenario: Scenario, option_name: str, trace: Trace, streams: Streams | None = None) -> RunLog:
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
        The replication's random streams (for stochastic mechanisms of the option).

    Returns
    -------
    RunLog
        Item times, routes, and per-pool busy and on-shift hours inside the window.
    """
    option = scenario.options[option_name]
    horizon = scenario.run.horizon_days * 24.0
    t0 = scenario.run.warmup_days * 24.0
    n = len(trace)
    env = simpy.Environment()
    start = np.full(n, np.nan)
    end = np.full(n, np.nan)
    enter = np.full(n, np.nan)
    route = np.full(n, -1, dtype=np.int8)

    names, roles, pools, handoff = [], [], [], []
    if option.team is not None:
        team = scenario.teams[option.team]
        names.append(option.team)
        roles.append("team")
        pools.append(ServicePool(env, team.staff, scenario.calendar(team.calendar), team.productivity,
                                 trace.effort_h, trace.priority, start, end))
        handoff.append(0.0)
    if option.vendor is not None:
        vendor = scenario.vendors[option.vendor]
        names.append(option.vendor)
        roles.append("vendor")
        pools.append(ServicePool(env, vendor.agents, scenario.calendar(vendor.calendar), vendor.productivity,
                                 trace.effort_h, trace.priority, start, end))
        handoff.append(vendor.handoff_h)
    roles_t = tuple(roles)
    router = make_router(option, pools, roles_t, trace.kind, trace.kind_names)

    def arrivals():
        now = 0.0
        for item, t in enumerate(trace.arrival_h.tolist()):
            if t > now:
                yield env.timeout(t - now)
                now = t
            p = router(item)
            route[item] = p
            delay = handoff[p]
            if delay > 0.0:
                enter[item] = t + delay
                env.timeout(delay).callbacks.append(lambda _ev, i=item, pool=pools[p]: pool.put(i))
            else:
                enter[item] = t
                pools[p].put(item)

    env.process(arrivals())
    env.run(until=horizon)

    busy = np.zeros(len(pools))
    open_server = np.zeros(len(pools))
    for k, pool in enumerate(pools):
        cal = pool.calendar
        mine = (route == k) & ~np.isnan(start)
        a = np.maximum(start[mine], t0)
        b = np.minimum(np.where(np.isnan(end[mine]), horizon, end[mine]), horizon)
        worked = cal.cumulative_hours_array(b) - cal.cumulative_hours_array(a)
        busy[k] = float(np.clip(worked, 0.0, None).sum())
        open_server[k] = pool.servers * cal.working_hours(t0, horizon)
    return RunLog(option_name, trace, tuple(names), roles_t, route, enter, start, end, (t0, horizon),
                  np.array([p.servers for p in pools]), busy, open_server)
