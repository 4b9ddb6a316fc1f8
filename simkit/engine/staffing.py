"""Staffing dynamics: people leave and are replaced, teams hire into a backlog, vendors flex.

* **Attrition**: each person leaves at the annual rate (from the ``"attrition:<team>"``
  stream): the time to the next leaver is exponential at rate x head count, drawn afresh
  whenever the head count changes (exact, as the exponential is memoryless), and the
  leaver is anyone on the team, new hires included; the position is refilled after the
  hiring lead time, and the new hire ramps up from ``ramp_start_productivity`` to full
  productivity over ``ramp_months`` (time to productivity).
* **Layoffs**: after ``layoff_after_idle_days`` of quiet daily checks, one person is let go
  (last in, first out) down to ``min_staff``, with severance.  A check is quiet when at most
  half the hiring trigger waits per person (with no hiring trigger: at most one item per
  person), so work that queued overnight or over a weekend does not count as busy.
* **Backlog hiring**: once a day, when more than ``hire_when_backlog_per_staff`` items
  wait per person, one hire is requested (up to ``max_staff``), arriving after the lead time.
* **Elastic vendor**: every hour, when more than ``scale_when_queue_per_agent`` items wait
  per agent, one extra agent is requested on ``notice_h`` notice (up to ``max_agents``);
  an extra agent is released after ``release_after_h`` of quiet checks: at most half the
  trigger waiting per agent (a hysteresis band, so the bench does not flap).  Only checks
  while the vendor is open count: nobody decides at night, and the night's queue is no
  reason to keep anyone.  Extra agent-hours are billed at the surge price.

Every join and leave is logged, so the ledger pays for the real headcount.
"""

from __future__ import annotations

import numpy as np
import simpy

from simkit.engine.pools import ServicePool
from simkit.engine.wiring import HOURS_PER_DAY
from simkit.scenario.mechanisms import ElasticSpec, HiringSpec
from simkit.units import HOURS_PER_MONTH, HOURS_PER_YEAR

__all__ = ["start_hiring", "start_elastic"]

HIRING_CHECK_H = HOURS_PER_DAY
"""Backlog hiring and layoffs are decided once a day (a manager's daily look at the queue)."""

ELASTIC_CHECK_H = 1.0
"""An elastic vendor looks at the queue every hour (a bench is called on within the day)."""

QUIET_SHARE_OF_TRIGGER = 0.5
"""A check is quiet when at most this share of the hiring (or scale-up) trigger waits per person: a
hysteresis band between adding and letting go, so the head count does not flap around one threshold."""

QUIET_ITEMS_PER_STAFF = 1.0
"""Without a hiring trigger, a layoff check is quiet when at most this many items wait per person."""

NO_STAFF_CAP = 10**9
"""The head count backlog hiring may reach when ``max_staff`` is not set: no cap in practice."""

MIN_LEAVE_RATE_PER_H = 1e-12
"""A team's total leave rate below this (per hour) is no attrition: the first leaver would come after the
horizon of any run, and drawing the clock would only cost time."""


def start_hiring(env: simpy.Environment, pool: ServicePool, spec: HiringSpec, rng: np.random.Generator,
                 events: list[tuple[float, str, str]], name: str, start_h: float | None = None) -> None:
    """Attach attrition, replacement, backlog hiring and layoffs to an in-house pool.

    ``start_h`` is when the team is employed, for a team that starts later than the run (an exit's
    fallback): people who are not on the payroll yet cannot resign, be hired for a backlog or be laid
    off, so every staffing process starts then, its clocks drawn from then (``None``: now).
    """
    ramp_h = spec.ramp_months * HOURS_PER_MONTH
    pending = [0]

    def hire_later() -> None:
        pending[0] += 1

        def join(_ev: simpy.Event) -> None:
            pending[0] -= 1
            if not pool.closed:
                pool.add_server(spec.ramp_start_productivity, ramp_h)
                events.append((env.now, name, "hire"))

        env.timeout(spec.hiring_lead_h).callbacks.append(join)

    rate_per_h = spec.attrition_annual / HOURS_PER_YEAR
    clock = [0]  # which drawn leave is live: a redraw makes every earlier one stale

    def next_leaver() -> None:
        """Restart the clock to the next leaver at rate x the head count now.

        Called whenever the head count changes (a leave, a join, a layoff).  Each person leaves
        after an exponential time, so the time to the first of ``n`` leaves is exponential at
        ``n`` x the rate, and, the exponential being memoryless, drawing it afresh at every change
        is exact: the team always loses people at the rate times the people it has now.
        """
        clock[0] += 1
        n = pool.headcount
        if n == 0 or pool.closed:
            return  # nobody to lose; the next join restarts the clock
        drawn = clock[0]
        env.timeout(float(rng.exponential(1.0 / (rate_per_h * n)))).callbacks.append(
            lambda _ev: leave(drawn))

    def leave(drawn: int) -> None:
        if drawn != clock[0] or pool.closed:
            return  # the head count changed since this time was drawn
        leaver = pool.members[int(rng.integers(pool.headcount))]
        pool.remove_server(leaver)  # restarts the clock
        events.append((env.now, name, "leave"))
        hire_later()

    def backlog():
        limit = spec.max_staff if spec.max_staff is not None else NO_STAFF_CAP
        while True:
            yield env.timeout(HIRING_CHECK_H)
            staff = pool.headcount + pending[0]
            if pool.waiting > spec.hire_when_backlog_per_staff * max(pool.headcount, 1) and staff < limit:
                hire_later()

    quiet_per_staff = (QUIET_SHARE_OF_TRIGGER * spec.hire_when_backlog_per_staff
                       if spec.hire_when_backlog_per_staff is not None else QUIET_ITEMS_PER_STAFF)

    def layoffs():
        quiet_since = env.now
        idle_h = spec.layoff_after_idle_days * HOURS_PER_DAY
        while True:
            yield env.timeout(HIRING_CHECK_H)
            if pool.waiting > quiet_per_staff * max(pool.headcount, 1):
                quiet_since = env.now
            elif env.now - quiet_since >= idle_h and pool.headcount > spec.min_staff:
                pool.remove_server(pool.members[-1])  # last in, first out
                events.append((env.now, name, "layoff"))
                quiet_since = env.now

    def begin(_ev: object = None) -> None:
        if spec.attrition_annual * max(pool.headcount, 1) / HOURS_PER_YEAR > MIN_LEAVE_RATE_PER_H:
            pool.on_headcount_change = next_leaver
            next_leaver()
        if spec.hire_when_backlog_per_staff is not None:
            env.process(backlog())
        if spec.layoff_after_idle_days is not None:
            env.process(layoffs())

    if start_h is None or start_h <= env.now:
        begin()
    else:
        env.timeout(start_h - env.now).callbacks.append(begin)


def start_elastic(env: simpy.Environment, pool: ServicePool, spec: ElasticSpec, base_agents: int,
                  events: list[tuple[float, str, str]], name: str) -> None:
    """Let a vendor pool add agents on notice when its queue grows, and release them when it is quiet."""
    pending = [0]
    extra: list = []
    quiet_since = [0.0]

    def join(_ev: simpy.Event) -> None:
        pending[0] -= 1
        if not pool.closed:
            extra.append(pool.add_server())
            events.append((env.now, name, "scale_up"))

    def watch():
        while True:
            yield env.timeout(ELASTIC_CHECK_H)
            if pool.closed:
                return
            if not pool.timeline.is_open(env.now):
                continue
            trigger = spec.scale_when_queue_per_agent * max(pool.headcount, 1)
            if pool.waiting > QUIET_SHARE_OF_TRIGGER * trigger:
                quiet_since[0] = env.now
            agents = pool.headcount + pending[0]
            if pool.waiting > trigger and agents < spec.max_agents:
                pending[0] += 1
                env.timeout(spec.notice_h).callbacks.append(join)
            elif extra and env.now - quiet_since[0] >= spec.release_after_h:
                pool.remove_server(extra.pop())
                events.append((env.now, name, "scale_down"))
                quiet_since[0] = env.now

    if spec.max_agents > base_agents:
        env.process(watch())
