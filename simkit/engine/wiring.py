"""Which pools an option runs, and the state its run is wired from (shared by the steps of the model).

An option's pools, in a fixed order that every per-pool array of the run log follows:

1. tier 1: its in-house team, its vendor, its backup vendor (those it has);
2. its escalation tiers' pools (tiers 2, 3);
3. fallbacks that an exit brings in and that were not already among them.

Exits are drawn here, before the run (``"exit:<vendor>"`` streams): a vendor whose exit falls before the
horizon closes then, and its fallback starts after the switching lead time.  A vendor that may be
terminated for cause at a review keeps its drawn exit for the review process (:mod:`simkit.engine.review`),
which runs both on the same path; its fallback, if new, is *deferred*: closed until a termination opens it.

A fallback behaves like any other pool from its start, and not before:

* a new fallback *vendor* with an exit plan of its own can fail too: its exit is drawn from its start
  (the insolvency hazard runs, and ``terminate_at_month`` counts, from then), and if that falls before
  the horizon it closes and hands the work on to *its* fallback, which joins the option (or takes the
  work at once if it is already in it).  Chains are followed to their end (the scenario refuses loops).
  A fallback that several exits bring in starts at the earliest of their starts, on the plan of the exit
  that starts it.  Two cases are refused when the scenario is loaded
  (:meth:`simkit.scenario.model.Scenario._check_fallbacks`) rather than silently ignored: an exit plan on
  the new fallback of a vendor that may be terminated for cause (its start is known only during the run),
  and a review clause on any new fallback vendor (reviews act on the vendors an option starts with);
* a new fallback *team* is employed from its start: its attrition, hiring and layoffs start then
  (:func:`simkit.engine.staffing.start_hiring`), and it is paid from then (its ``active`` interval).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simkit.calendars.timeline import CapacityTimeline
from simkit.engine.risk import exit_time_h
from simkit.engine.timelines import CLOSED, TIMELINE_MARGIN_H, SwitchableTimeline
from simkit.scenario.model import Scenario
from simkit.scenario.schema import OptionSpec
from simkit.streams import Streams
from simkit.workload.trace import Trace

if TYPE_CHECKING:
    from simkit.engine.arrivals import Background
    from simkit.engine.tiers import Escalation
    from simkit.scenario.mechanisms import ExitSpec

__all__ = ["HOURS_PER_DAY", "Members", "choose_members", "OptionRun"]

HOURS_PER_DAY = 24.0
"""A scenario's durations in days (horizon, warm-up, idle days before a layoff) are whole calendar days."""


@dataclass
class Members:
    """An option's pools and the exits drawn for them.

    Attributes
    ----------
    names, roles
        Each pool's name and ``"team"`` or ``"vendor"``, in the module's order.
    n_tier1, n_primary
        How many pools are tier 1, and tier 1 plus the escalation tiers (the rest are new fallbacks).
    exits
        Vendors that exit before the horizon (not for cause): when.
    for_cause
        Vendors a review may terminate: their drawn exit time (``inf``: none), run by the review process.
    deferred
        Fallbacks brought in only by a termination for cause: their timeline once opened (set by
        :func:`simkit.engine.timelines.pool_capacity`).
    fallback_start
        Per new fallback of a scheduled exit: when it starts (the earliest exit bringing it in plus that exit's
        switching lead time).
    started_by
        Per new fallback of a scheduled exit: the vendor whose exit starts it (whose plan sets its ramp-up).
    """

    names: list[str]
    roles: list[str]
    n_tier1: int
    n_primary: int
    exits: dict[str, float]
    for_cause: dict[str, float]
    deferred: dict[str, CapacityTimeline]
    fallback_start: dict[str, float]
    started_by: dict[str, str] = field(default_factory=dict)

    def index(self, name: str) -> int:
        return self.names.index(name)

    def spec(self, scenario: Scenario, k: int):  # noqa: ANN201 - a TeamSpec or a VendorSpec
        """Pool ``k``'s section of the scenario."""
        name = self.names[k]
        return scenario.teams[name] if self.roles[k] == "team" else scenario.vendors[name]

    def is_new_fallback(self, k: int) -> bool:
        """Whether pool ``k`` is in the option only as an exit's fallback."""
        return k >= self.n_primary

    def exit_to(self, scenario: Scenario, fallback: str) -> ExitSpec:
        """The exit plan that starts ``fallback``: that of the exiting vendor whose exit starts it first."""
        return scenario.vendors[self.started_by[fallback]].exit

    def contract_start_h(self, name: str, t0: float) -> float:
        """When pool ``name``'s contract starts: a scheduled fallback's start, else the window's start ``t0``
        (what an exit plan's hazard and termination month count from)."""
        return self.fallback_start.get(name, t0)


def _role(scenario: Scenario, name: str) -> str:
    return "team" if name in scenario.teams else "vendor"


def choose_members(scenario: Scenario, option: OptionSpec, streams: Streams,
                   window_h: tuple[float, float]) -> Members:
    """The option's pools (see the module's order) with their exits drawn over ``window_h``."""
    t0, horizon = window_h
    members: list[tuple[str, str]] = []
    for name, role in ((option.team, "team"), (option.vendor, "vendor"), (option.backup, "vendor")):
        if name is not None:
            members.append((name, role))
    n_tier1 = len(members)
    members += [(tier.pool, _role(scenario, tier.pool)) for tier in option.escalation or ()]
    n_primary = len(members)
    primary = {m for m, _ in members}
    exits: dict[str, float] = {}
    for_cause: dict[str, float] = {}
    for name, role in members[:n_primary]:
        spec = scenario.vendors[name] if role == "vendor" else None
        if spec is None or spec.exit is None:
            continue
        t_exit = exit_time_h(spec.exit, t0, streams.rng(f"exit:{name}"))
        if spec.review is not None and spec.review.terminate_at_review is not None:
            for_cause[name] = t_exit
        elif t_exit < horizon:
            exits[name] = t_exit
            if spec.exit.fallback not in [m for m, _ in members]:
                members.append((spec.exit.fallback, _role(scenario, spec.exit.fallback)))
    fallback_start: dict[str, float] = {}
    started_by: dict[str, str] = {}
    for name, t_exit in exits.items():
        if scenario.vendors[name].exit.fallback not in primary:
            _start_fallback(scenario, name, t_exit, fallback_start, started_by)
    _chain_exits(scenario, members, n_primary, streams, horizon, (exits, fallback_start, started_by))
    deferred: dict[str, CapacityTimeline] = {}
    for name in for_cause:
        fb = scenario.vendors[name].exit.fallback
        if fb not in [m for m, _ in members]:
            members.append((fb, _role(scenario, fb)))
            deferred[fb] = CLOSED
    return Members([m for m, _ in members], [r for _, r in members], n_tier1, n_primary, exits, for_cause,
                   deferred, fallback_start, started_by)


def _start_fallback(scenario: Scenario, vendor: str, t_exit: float, fallback_start: dict[str, float],
                    started_by: dict[str, str]) -> None:
    """Record when ``vendor``'s exit at ``t_exit`` would start its fallback, if that is the earliest start yet."""
    ex = scenario.vendors[vendor].exit
    start = t_exit + ex.switch_lead_h
    if start < fallback_start.get(ex.fallback, math.inf):
        fallback_start[ex.fallback] = start
        started_by[ex.fallback] = vendor


def _chain_exits(scenario: Scenario, members: list[tuple[str, str]], n_primary: int, streams: Streams,
                 horizon: float, state: tuple[dict[str, float], dict[str, float], dict[str, str]]) -> None:
    """Draw the exits of new fallback vendors with exit plans of their own, from their starts, and bring in
    their fallbacks; ``state`` is ``(exits, fallback_start, started_by)``, extended in place.

    Fallbacks are taken in the order they start (ties: the order they joined): an exit's fallback starts
    no earlier than the exiting vendor did, so every start is final before that fallback's own exit is drawn.
    """
    exits, fallback_start, started_by = state
    primary = {m for m, _ in members[:n_primary]}
    done: set[str] = set()
    while pending := [(fallback_start[m], k, m) for k, (m, _) in enumerate(members) if k >= n_primary
                      and m not in done and fallback_start.get(m, math.inf) < horizon]:
        _, k, name = min(pending)
        done.add(name)
        spec = scenario.vendors[name] if members[k][1] == "vendor" else None
        if spec is None or spec.exit is None:
            continue
        t_exit = exit_time_h(spec.exit, fallback_start[name], streams.rng(f"exit:{name}"))
        if t_exit >= horizon:
            continue
        exits[name] = t_exit
        fb = spec.exit.fallback
        if fb not in [m for m, _ in members]:
            members.append((fb, _role(scenario, fb)))
        if fb not in primary:
            _start_fallback(scenario, name, t_exit, fallback_start, started_by)


@dataclass
class OptionRun:
    """One option's run as it is wired: what the steps of :func:`simkit.engine.model.simulate_option` read
    and fill, in the order they run (members, background load, pools, the run, the log).

    Attributes
    ----------
    window_h
        ``(t0, horizon)``: the measured window, from the end of the warm-up to the horizon.
    env, items
        The event loop and the per-item state of the kernel chosen.
    client_calendar
        The client's working calendar (``workload.calendar``): when a question to the client is answered.
    pools, downs, active
        Per pool (in ``members`` order): the pool, its outage intervals, and ``(from_h, to_h)`` under
        contract or employed.
    people
        Per roster pool: its people on all shifts (its servers are its seats).
    events
        Dated events ``(time_h, pool, what)`` as they happen.
    switchable
        The timelines a termination for cause switches: the vendor's and its deferred fallback's.
    terminations
        ``(vendor, when, its new fallback's start or NaN)`` per termination for cause.
    on_open
        Per deferred fallback with staffing processes: what starts them, given its start (called when a
        termination opens it).
    """

    scenario: Scenario
    option_name: str
    trace: Trace
    streams: Streams
    window_h: tuple[float, float]
    members: Members
    background: Background
    env: Any
    items: Any
    client_calendar: Any
    pools: list = field(default_factory=list)
    downs: list[list[tuple[float, float]]] = field(default_factory=list)
    active: list[tuple[float, float]] = field(default_factory=list)
    people: dict[int, int] = field(default_factory=dict)
    events: list[tuple[float, str, str]] = field(default_factory=list)
    switchable: dict[str, SwitchableTimeline] = field(default_factory=dict)
    terminations: list[tuple[str, float, float]] = field(default_factory=list)
    on_open: dict[str, Callable[[float], None]] = field(default_factory=dict)
    escalation: Escalation | None = None

    @property
    def option(self) -> OptionSpec:
        return self.scenario.options[self.option_name]

    @property
    def t_end(self) -> float:
        """Where the timelines end: past the horizon by :data:`~simkit.engine.timelines.TIMELINE_MARGIN_H`."""
        return self.window_h[1] + TIMELINE_MARGIN_H
