"""Pre-flight checks: is a valid scenario also a *sensible* one to simulate?

Validation (:mod:`simkit.scenario.model`) says whether every field is allowed.  A
scenario can pass it and still be absurd to run — ``rate_per_hour: 1e5`` over
a hundred years is 88 billion items, which would exhaust memory long before it
finished — or be certain to drown: more work offered than the staff can do.
These checks look at the scenario with back-of-the-envelope arithmetic (no
random numbers, microseconds) before anything is simulated.

Bounds
    Some values pass validation yet cannot mean what was intended: an SLA target no item of any run could
    miss, a hiring rule that could never fire.  The field registry says where such a line is and why
    (``bounds`` in ``simkit/scenario/fields.yaml``, carried by the schema's fields), and :func:`check_bounds`
    refuses a value beyond it in one line naming the field, its unit, the value and the reason.

Expected arrivals
    The workload is a Poisson process with rate
    ``rate_per_hour x hour_of_day[h] x day_of_week[d] x month_of_year[m] x (1 + g) ** (t / year)``.
    Over whole weeks every (hour, weekday) pair occurs equally often, so the
    mean of the profile is the product of the means of its multipliers, and
    the growth factor integrates in closed form::

        E[items] = rate x mean(hour) x mean(day) x year x ((1 + g) ** (H / year) - 1) / ln(1 + g)

    (``x H`` when ``g = 0``); month multipliers are integrated month by month
    against the growth factor (:func:`simkit.scenario.schema.profile_integral_h`).  The generator samples by
*thinning*: it first
    draws ``peak rate x H`` candidate points and keeps each with probability
    ``rate(t) / peak``, so a very spiky profile costs memory in proportion to
    its peak, not its mean.  :func:`check_size` caps both numbers.

Offered load
    A pool of ``c`` servers with productivity ``p``, open a share ``s`` of the
    week, does at most ``c x p x s`` effort hours per hour.  The work offered
    to it is ``arrivals per hour x mean effort``.  Their ratio is the pool's
    utilisation ``rho``; with ``rho >= 1`` no queue discipline can keep up and
    the backlog grows for the whole run.  :func:`offered_load` computes
    ``rho`` per option (an overflow hybrid is judged on its team and vendor
    together; a ``by_kind`` hybrid on each pool's share of the kinds), and
    :func:`warn_overload` turns ``rho >= 1`` into a :class:`CapacityWarning`.

Failures
    When a replication raises, it becomes a :class:`ReplicationError` that
    names the replication, its seed and the scenario (with its SHA-256) — for
    a sweep also the point and its parameter values — and carries the scenario
    itself, so that exactly that replication can be re-run alone —
    ``err.rerun()`` — under a debugger.  The run goes on: the other
    replications are kept, the failures are listed in ``Results.failures`` and
    ``Results.meta["failures"]``, and one :class:`FailedReplicationWarning`
    says so.  Only when every replication fails is the first error raised.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from simkit.errors import ScenarioError, show
from simkit.scenario.facts import facts_of
from simkit.scenario.limits import MAX_MAGNITUDE, check_events, check_magnitudes  # noqa: F401
from simkit.units import HOURS_PER_YEAR

if TYPE_CHECKING:
    from simkit.scenario.model import Scenario

__all__ = [
    "MAX_ITEMS_PER_REPLICATION", "MAX_CANDIDATES_PER_REPLICATION", "MAX_MAGNITUDE", "CapacityWarning",
    "expected_items", "candidate_draws", "check_magnitudes", "check_bounds", "check_size", "offered_load",
    "warn_overload", "preflight",
]

MAX_ITEMS_PER_REPLICATION = 2_000_000
"""At most this many expected work items per replication.

A replication's peak memory is at most about 1.2 KB per item (measured through three options: 1.04 GB peak
resident for 682,000 items, 1.75 GB for 1.93 million, 0.17 GB of it the interpreter and libraries), and each
item takes about 20 microseconds per option: just under the cap a replication needs about 2 GB and a few
minutes, so that two worker processes fit in memory."""

MAX_CANDIDATES_PER_REPLICATION = 30_000_000
"""At most this many thinning candidates per replication.

Drawing a trace holds about 80 bytes per candidate at its peak (measured: 4.7 GB for 60 million candidates),
so the cap keeps it near 2.4 GB."""


class CapacityWarning(UserWarning):
    """An option is offered more work than its capacity: its backlog will grow for the whole run."""


def _mean(values: Iterable[float] | None) -> float:
    if values is None:
        return 1.0
    v = list(values)
    return sum(v) / len(v)


def _peak(values: Iterable[float] | None) -> float:
    return 1.0 if values is None else max(values)


def _horizon_h(scenario: Scenario) -> float:
    return scenario.run.horizon_days * 24.0


def _background(scenario: Scenario) -> Iterable[tuple[str, Any]]:
    """Vendors whose agents also serve other clients (a background load of their own items)."""
    for name, vendor in scenario.vendors.items():
        shared = getattr(vendor, "shared", None)
        if shared is not None:
            yield name, shared


def expected_items(scenario: Scenario) -> float:
    """Expected number of work items one replication generates (the client's, plus any background load)."""
    w = scenario.workload
    horizon_h = _horizon_h(scenario)
    total = w.rate_per_hour * w.items_per_rate(horizon_h)
    for _, shared in _background(scenario):
        months = getattr(shared, "background_month_of_year", None)
        total += shared.background_rate_per_hour * _mean(months) * horizon_h
    return total


def candidate_draws(scenario: Scenario) -> float:
    """Points the thinning sampler draws for the client's workload: peak rate x horizon."""
    w = scenario.workload
    horizon_h = _horizon_h(scenario)
    peak = w.rate_per_hour * _peak(w.hour_of_day) * _peak(w.day_of_week) * _peak(w.month_of_year)
    peak *= _peak(getattr(w, "hour_of_week", None))
    if w.growth_annual > 0:
        try:
            peak *= math.pow(1.0 + w.growth_annual, horizon_h / HOURS_PER_YEAR)
        except OverflowError:
            return math.inf
    return peak * horizon_h


def _count(x: float) -> str:
    return f"{x:,.0f}" if x < 1e15 else f"{x:.2g}"


def _bounded(model: BaseModel, path: str = "") -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """``(field path, value, facts)`` of every number in ``model`` whose field's facts carry ``bounds``."""
    for name, field in type(model).model_fields.items():
        value, here = getattr(model, name), f"{path}.{name}" if path else name
        facts = facts_of(field)
        if facts and facts["bounds"] and isinstance(value, int | float) and not isinstance(value, bool):
            yield here, value, facts
        if isinstance(value, BaseModel):
            yield from _bounded(value, here)
        elif isinstance(value, dict | tuple):
            keyed = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in keyed:
                if isinstance(item, BaseModel):
                    yield from _bounded(item, f"{here}.{key}")


def check_bounds(scenario: Scenario) -> None:
    """Refuse a value beyond the bounds the field registry sets where the schema does not.

    Such a value is valid but cannot mean what was intended (an SLA target no item of any run could miss, a
    hiring rule that could never fire); the registry (``bounds`` in ``fields.yaml``) says where the line is
    and why, and the message names the field, its unit, the value and the reason.

    Raises
    ------
    ScenarioError
        For the first such field, in schema order.
    """
    for path, value, facts in _bounded(scenario):
        bounds, unit = facts["bounds"], facts["unit"]
        low, high = bounds.get("min"), bounds.get("max")
        why = f" ({bounds['why']})" if bounds.get("why") else ""
        if low is not None and value < low:
            raise ScenarioError(path, f"must be at least {low:,g} {unit}, got {show(value)}{why}")
        if high is not None and value > high:
            raise ScenarioError(path, f"must be at most {high:,g} {unit}, got {show(value)}{why}")


def _unit(model: Any, field: str) -> str:
    """The unit the field registry gives ``field`` of the section ``model`` ("" when it gives none)."""
    facts = facts_of(type(model).model_fields[field])
    return facts["unit"] if facts else ""


def check_size(scenario: Scenario) -> None:
    """Refuse a scenario whose replications would be too large to simulate.

    Raises
    ------
    ScenarioError
        When a number is beyond :data:`MAX_MAGNITUDE` (:func:`check_magnitudes`) or beyond the
        bounds the field registry sets (:func:`check_bounds`), one replication is expected to hold more than
        :data:`MAX_ITEMS_PER_REPLICATION` items, its arrival profile needs
        more than :data:`MAX_CANDIDATES_PER_REPLICATION` thinning candidates,
        or it expects too many events of another kind (:func:`simkit.scenario.limits.check_events`:
        outage and staffing episodes, checks, clarification rounds, a price
        compounded by renewals).
    """
    check_magnitudes(scenario)
    check_bounds(scenario)
    days = f"{scenario.run.horizon_days:g} {_unit(scenario.run, 'horizon_days')}"
    n = expected_items(scenario)
    if not n <= MAX_ITEMS_PER_REPLICATION:
        raise ScenarioError(
            "workload.rate_per_hour",
            f"about {_count(n)} items per replication are expected (rate x profile x growth over "
            f"{days}, plus any vendor background load); at most {MAX_ITEMS_PER_REPLICATION:,} "
            "can be simulated: lower the rate or shorten run.horizon_days")
    draws = candidate_draws(scenario)
    if not draws <= MAX_CANDIDATES_PER_REPLICATION:
        raise ScenarioError(
            "workload",
            f"the arrival profile's peak rate x {days} needs about {_count(draws)} candidate arrivals "
            f"per replication; at most {MAX_CANDIDATES_PER_REPLICATION:,} are allowed: flatten the peak "
            "multipliers (hour_of_day, day_of_week, month_of_year), lower growth_annual or shorten "
            "run.horizon_days")
    check_events(scenario, n)  # outages, staffing, checks, clarification rounds, renewals


def _capacity_per_h(scenario: Scenario, servers: float, calendar: str, productivity: float) -> float:
    """Effort hours a pool can do per elapsed hour, on average over the week."""
    open_share = scenario.calendar(calendar).open_hours_per_week / 168.0
    return servers * productivity * open_share


def _team_capacity(scenario: Scenario, name: str) -> float:
    t = scenario.teams[name]
    if t.shifts:  # a roster: each regular shift's people while its calendar is open
        return sum(_capacity_per_h(scenario, s.staff, s.calendar, t.productivity) for s in t.shifts if not s.on_call)
    staff: float = t.staff
    hiring = getattr(t, "hiring", None)
    if hiring is not None and hiring.hire_when_backlog_per_staff is not None:  # it hires when work piles up
        staff = max(staff, math.inf if hiring.max_staff is None else hiring.max_staff)
    return _capacity_per_h(scenario, staff, t.calendar, t.productivity * t.available_share)


def _vendor_capacity(scenario: Scenario, name: str) -> float:
    """A vendor's capacity for the client: its largest bench, less outages, less its other clients' work."""
    v = scenario.vendors[name]
    elastic = getattr(v, "elastic", None)
    agents = max(v.agents, elastic.max_agents) if elastic is not None else v.agents
    cap = _capacity_per_h(scenario, agents, v.calendar, v.productivity)
    outages = getattr(v, "outages", None)
    if outages is not None:  # long-run availability MTBF / (MTBF + MTTR)
        up, down = outages.time_between_h.mean, outages.repair_h.mean
        cap *= up / (up + down) if up + down > 0 else 1.0
    shared = getattr(v, "shared", None)
    if shared is not None:
        months = getattr(shared, "background_month_of_year", None)
        cap -= shared.background_rate_per_hour * _mean(months) * shared.background_effort_h.mean
    return max(cap, 0.0)


def offered_load(scenario: Scenario) -> dict[str, dict[str, float]]:
    """Utilisation ``rho`` (offered work / capacity) per option and pool, averaged over the horizon.

    Capacity counts what a pool can grow to (a team that hires on backlog, an
    elastic vendor bench), a vendor's long-run availability under outages, and
    what a shared vendor's other clients take; a backup vendor takes its share.

    Returns
    -------
    dict
        ``{option: {pool name: rho}}``; an overflow hybrid has one entry
        ``"<team>+<vendor>"`` for its pools together.  ``inf`` when work is
        offered to a pool without capacity; ``0`` when nothing arrives.
    """
    w = scenario.workload
    horizon_h = _horizon_h(scenario)
    rate = w.rate_per_hour * w.items_per_rate(horizon_h) / horizon_h
    total_share = sum(k.share for k in w.kinds.values())
    work = {name: rate * k.share / total_share * k.effort_h.mean for name, k in w.kinds.items()}
    total = sum(work.values())

    def rho(offered: float, capacity: float) -> float:
        if offered <= 0.0:
            return 0.0
        return offered / capacity if capacity > 0.0 else math.inf

    out: dict[str, dict[str, float]] = {}
    for opt_name, opt in scenario.options.items():
        backup, b = getattr(opt, "backup", None), getattr(opt, "backup_share", 0.0)
        to_vendor = total if opt.team is None else sum(work[k] for k in opt.vendor_kinds)
        if opt.vendor is None:
            out[opt_name] = {opt.team: rho(total, _team_capacity(scenario, opt.team))}
        elif opt.team is not None and opt.routing != "by_kind":  # overflow: the pools share everything
            pools = [opt.team, opt.vendor, *([backup] if backup else [])]
            cap = _team_capacity(scenario, opt.team) + sum(_vendor_capacity(scenario, v) for v in pools[1:])
            out[opt_name] = {"+".join(pools): rho(total, cap)}
        else:
            share = b if backup else 0.0
            out[opt_name] = {opt.vendor: rho(to_vendor * (1 - share), _vendor_capacity(scenario, opt.vendor))}
            if backup:
                out[opt_name][backup] = rho(to_vendor * share, _vendor_capacity(scenario, backup))
            if opt.team is not None:
                out[opt_name][opt.team] = rho(total - to_vendor, _team_capacity(scenario, opt.team))
        reach = {name: 1.0 for name in w.kinds}  # share of each kind's items that reach the tier
        for tier in getattr(opt, "escalation", None) or ():
            reach = {name: r * tier.share_by_kind.get(name, tier.share) for name, r in reach.items()}
            offered = sum(rate * k.share / total_share * reach[name] for name, k in w.kinds.items())
            offered *= tier.effort_h.mean
            cap = (_team_capacity if tier.pool in scenario.teams else _vendor_capacity)(scenario, tier.pool)
            out[opt_name][tier.pool] = rho(offered, cap)
    return out


def warn_overload(scenario: Scenario) -> list[str]:
    """Warn (:class:`CapacityWarning`) about every option offered at least as much work as it can do.

    Returns the messages, one per overloaded pool.
    """
    messages = []
    for option, pools in offered_load(scenario).items():
        for pool, rho in pools.items():
            if rho < 1.0:
                continue
            if math.isinf(rho):
                why = "has no capacity (no staff or agents, or a calendar that is never open)"
            else:
                why = f"is offered {rho:.2f} times the work it can do on average"
            messages.append(f"option '{option}': {pool} {why}; its backlog will grow for the whole run")
    for msg in messages:
        warnings.warn(msg, CapacityWarning, stacklevel=3)
    return messages


def preflight(scenario: Scenario) -> None:
    """Everything to check before simulating: refuse absurd sizes, warn about overload."""
    check_size(scenario)
    warn_overload(scenario)


