"""Limits on the size of a run, checked before anything is allocated or simulated.

:mod:`simkit.scenario.preflight` caps the work items of a replication.  The engine also
steps through events that are not items, and a valid scenario can ask for
absurdly many of them: outages every few minutes for a century, attrition on
100,000 staff, a design of a million points.  Nothing here draws a random
number; each estimate is the expected count from the scenario's means, so a
refusal comes in microseconds, as one line naming the field and the cap.

Episodes
    An up/down renewal process (outages, degradation) starting up at 0 has
    ``horizon / (E[up] + E[down])`` cycles in expectation (``E[up]`` at least
    the engine's floor of 1e-9 h, so zero means are counted, not divided by).
    Attrition loses ``rate x staff x years`` people (with the largest head
    count the team can grow to), and each leaver is followed by a hire.  A
    head-count change costs time in proportion to the team's size, so
    ``leavers x staff`` is capped as well.
Checks
    Hiring rules look at the backlog once a day (attrition when nobody is
    left, backlog hiring, layoffs: three clocks), an elastic vendor once an
    hour: ``horizon / period`` each.
Clarification rounds
    Each item of a kind asks ``sum_k min(1, p x factor) ** k`` rounds for
    ``k = 1..max_rounds`` in expectation (``p`` its clarify_share, ``factor``
    the largest clarify_factor of a pool).
Renewals
    The price after ``r`` renewals is ``((1 + index) ** (term / 12) x (1 +
    2 a premium)) ** r`` with ``r = horizon / term``: it must stay below
    :data:`MAX_PRICE_FACTOR`, or totals become ``inf`` and KPIs ``NaN``.

Every option simulates its own pools, so the counts are summed over options.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from simkit.errors import ScenarioError
from simkit.units import HOURS_PER_MONTH, HOURS_PER_YEAR

if TYPE_CHECKING:
    from simkit.scenario.model import Scenario

__all__ = ["MAX_EPISODES_PER_REPLICATION", "MAX_LEAVER_STAFF_PER_REPLICATION",
           "MAX_CHECKS_PER_REPLICATION", "MAX_CLARIFY_ROUNDS_PER_REPLICATION",
           "MAX_PRICE_FACTOR", "MAX_REPLICATIONS", "MAX_SEED", "MAX_DESIGN_POINTS", "expected_episodes",
           "expected_checks", "expected_clarify_rounds", "check_events", "check_price_growth", "check_priced",
           "check_run_args",
           "check_design_size"]

MAX_EPISODES_PER_REPLICATION = 250_000
"""Most outage and degradation episodes, leavers and hires one replication may expect over all options.

Each costs the engine about 150-200 microseconds (measured: 117,000 outage episodes took 20 s), so the cap
keeps a replication's risk processes under about a minute."""

MAX_CHECKS_PER_REPLICATION = 5_000_000
"""Most periodic checks (daily hiring rules, hourly elastic-bench checks) over all options of a replication.

A check costs about 10 microseconds (measured: 175,000 elastic checks took 1.3 s): under a minute."""

MAX_LEAVER_STAFF_PER_REPLICATION = 200_000_000
"""Most leavers x head count one replication may expect over all options.

A head-count change costs the engine time in proportion to the team's size (measured: 4,900 leavers from a team of
20,000 took 28 s, 0.28 microseconds per leaver and person), so this keeps attrition under about a minute; attrition
on 100,000 staff is refused even over a few weeks."""

MAX_CLARIFY_ROUNDS_PER_REPLICATION = 20_000_000
"""Most clarification rounds one replication may expect over all options.

A round is a wait and one more queue entry, lighter than an item; ten times the item cap keeps the rounds
within the same order of time as the items."""

MAX_PRICE_FACTOR = 1e6
"""Most a contract price may grow by renewals over the horizon (indexation and lock-in premium compounded)."""

MAX_REPLICATIONS = 100_000
"""Most replications one call may run (the bound of ``run.replications``)."""

MAX_SEED = 2**63 - 1
"""Largest root seed (seeds are whole numbers from 0 to this, the bound of ``run.seed``)."""

MAX_DESIGN_POINTS = 100_000
"""Most points a sweep design may have (a grid's ``n ** levers``, lhs ``n``, sobol ``n x (levers + 2)``);
each point is a whole set of replications, so even this many takes days."""

_UP_FLOOR_H = 1e-9  # the engine's shortest up time (simkit.engine.risk.alternating_intervals)
_HIRING_CLOCKS, _HIRING_CHECK_H, _ELASTIC_CHECK_H = 3, 24.0, 1.0


def _count(x: float) -> str:
    return f"{x:,.0f}" if x < 1e15 else f"{x:.2g}"


def _pools(scenario: Scenario, option: Any) -> list[tuple[str, str]]:
    """``(kind, name)`` of every pool an option may simulate: its team, vendor, backup, escalation tiers and exit
    fallbacks."""
    out: list[tuple[str, str]] = []
    names = [n for n in (option.team, option.vendor, option.backup) if n is not None]
    names += [tier.pool for tier in getattr(option, "escalation", None) or ()]
    while names:
        name = names.pop(0)
        kind = "teams" if name in scenario.teams else "vendors"
        if (kind, name) in out:
            continue
        out.append((kind, name))
        ex = getattr(scenario.vendors.get(name), "exit", None)
        if ex is not None:
            names.append(ex.fallback)
    return out


def _cycles(up: Any, down: Any, horizon_h: float) -> float:
    return horizon_h / (max(up.mean, _UP_FLOOR_H) + down.mean)


def _pool_episodes(scenario: Scenario, kind: str, name: str, horizon_h: float
                   ) -> Iterable[tuple[str, float, float]]:
    """``(field path, expected episodes, episodes x head count)`` of one pool's risk and staffing processes."""
    spec = getattr(scenario, kind)[name]
    if kind == "vendors":
        if spec.outages is not None:
            yield (f"vendors.{name}.outages", _cycles(spec.outages.time_between_h, spec.outages.repair_h, horizon_h),
                   0.0)
        if spec.degradation is not None:
            deg = spec.degradation
            yield f"vendors.{name}.degradation", _cycles(deg.time_between_h, deg.duration_h, horizon_h), 0.0
        return
    hiring = spec.hiring
    if hiring is not None and hiring.attrition_annual > 0:
        staff = max(spec.staff, hiring.max_staff or 0)
        if hiring.hire_when_backlog_per_staff is not None and hiring.max_staff is None:
            staff += horizon_h / _HIRING_CHECK_H  # at most one backlog hire a day
        leavers = hiring.attrition_annual * staff * horizon_h / HOURS_PER_YEAR
        yield f"teams.{name}.hiring.attrition_annual", 2.0 * leavers, leavers * staff  # each leaver is replaced


def expected_episodes(scenario: Scenario, weighted: bool = False) -> dict[str, float]:
    """Expected risk and staffing episodes per replication, by field path, summed over the options
    (``weighted``: leavers x head count, the measure of attrition's cost)."""
    horizon_h = scenario.run.horizon_days * 24.0
    out: dict[str, float] = {}
    for option in scenario.options.values():
        for kind, name in _pools(scenario, option):
            for path, n, staffed in _pool_episodes(scenario, kind, name, horizon_h):
                if not weighted or staffed > 0:
                    out[path] = out.get(path, 0.0) + (staffed if weighted else n)
    return out


def expected_checks(scenario: Scenario) -> dict[str, float]:
    """Periodic checks per replication (daily hiring rules, hourly elastic checks), by field path."""
    horizon_h = scenario.run.horizon_days * 24.0
    out: dict[str, float] = {}
    for option in scenario.options.values():
        for kind, name in _pools(scenario, option):
            spec = getattr(scenario, kind)[name]
            if kind == "teams" and spec.hiring is not None:
                path, n = f"teams.{name}.hiring", _HIRING_CLOCKS * horizon_h / _HIRING_CHECK_H
            elif kind == "vendors" and spec.elastic is not None:
                path, n = f"vendors.{name}.elastic", horizon_h / _ELASTIC_CHECK_H
            else:
                continue
            out[path] = out.get(path, 0.0) + n
    return out


def expected_clarify_rounds(scenario: Scenario, items: float) -> float:
    """Expected clarification rounds of ``items`` client items, per option, summed over the options."""
    kinds = scenario.workload.kinds
    total_share = sum(k.share for k in kinds.values())
    pools = {**scenario.teams, **scenario.vendors}
    factor = max((p.clarify_factor for p in pools.values()), default=1.0)
    per_item = 0.0
    for k in kinds.values():
        p = min(1.0, k.clarify_share * factor)
        rounds = float(k.clarify_max_rounds) if p >= 1.0 else p * (1.0 - p**k.clarify_max_rounds) / (1.0 - p)
        per_item += k.share / total_share * rounds
    return items * per_item * len(scenario.options)


def check_price_growth(scenario: Scenario) -> None:
    """Refuse a contract whose renewals compound the price beyond :data:`MAX_PRICE_FACTOR` over the horizon."""
    horizon_h = scenario.run.horizon_days * 24.0
    for name, vendor in scenario.vendors.items():
        c = vendor.contract
        if c is None:
            continue
        renewals = math.floor(horizon_h / (c.term_months * HOURS_PER_MONTH))
        per_renewal = (c.term_months / 12.0 * math.log1p(c.indexation_annual)
                       + math.log1p(c.lock_in_premium * 2.0 * scenario.asset_specificity))
        growth = renewals * per_renewal
        if growth > math.log(MAX_PRICE_FACTOR):
            shown = f"1e{growth / math.log(10):.0f}" if growth < 700 else "beyond 1e300"
            raise ScenarioError(f"vendors.{name}.contract", f"{renewals:,} renewals (every {c.term_months:g} "
                                f"months over {scenario.run.horizon_days:g} days) raise the price about {shown}-fold; "
                                f"at most {MAX_PRICE_FACTOR:.0e}-fold is allowed: lengthen term_months or lower "
                                "indexation_annual or lock_in_premium")


def _refuse_above(counts: dict[str, float], cap: float, message: Callable[[float], str]) -> None:
    """Refuse when the counts add up to more than ``cap``, naming the field that contributes most."""
    total = sum(counts.values())
    if not total <= cap:
        raise ScenarioError(max(counts, key=lambda p: counts[p]), message(total))


def check_events(scenario: Scenario, items: float) -> None:
    """Refuse a scenario whose replications would step through too many engine events of any kind.

    Raises
    ------
    ScenarioError
        Naming the field whose events are the most numerous and the cap it breaks.
    """
    days = scenario.run.horizon_days
    _refuse_above(expected_episodes(scenario), MAX_EPISODES_PER_REPLICATION, lambda total: (
        f"about {_count(total)} outage, degradation and staffing episodes per replication are expected over "
        f"{days:g} days and every option; at most {MAX_EPISODES_PER_REPLICATION:,} can be simulated: lengthen "
        "time_between_h and repair_h or duration_h, lower attrition_annual, or shorten run.horizon_days"))
    _refuse_above(expected_episodes(scenario, weighted=True), MAX_LEAVER_STAFF_PER_REPLICATION, lambda total: (
        f"about {_count(total)} leavers x head count per replication are expected over {days:g} days and every "
        f"option (each leaver costs time in proportion to the team); at most {MAX_LEAVER_STAFF_PER_REPLICATION:,} "
        "can be simulated: lower attrition_annual or staff, or shorten run.horizon_days"))
    _refuse_above(expected_checks(scenario), MAX_CHECKS_PER_REPLICATION, lambda total: (
        f"about {_count(total)} hiring and elastic-bench checks per replication are expected over {days:g} days "
        f"and every option; at most {MAX_CHECKS_PER_REPLICATION:,} can be simulated: shorten run.horizon_days"))
    rounds = expected_clarify_rounds(scenario, items)
    if not rounds <= MAX_CLARIFY_ROUNDS_PER_REPLICATION:
        raise ScenarioError("workload.kinds", f"about {_count(rounds)} clarification rounds per replication are "
                                              f"expected over every option; at most "
                                              f"{MAX_CLARIFY_ROUNDS_PER_REPLICATION:,} can be simulated: lower "
                                              "clarify_share or clarify_max_rounds, or the rate")
    check_price_growth(scenario)


def check_priced(scenario: Scenario) -> None:
    """The checks that prices alone can fail: magnitudes and the growth of a contract price."""
    check_magnitudes(scenario)
    check_price_growth(scenario)


def check_run_args(replications: Any = None, seed: Any = None) -> None:
    """Refuse a number of replications or a root seed outside their bounds (a :class:`ValueError`, one line)."""
    for name, value, low, high in (("replications", replications, 1, MAX_REPLICATIONS),
                                   ("seed", seed, 0, MAX_SEED)):
        if value is None:
            continue
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        if isinstance(value, bool) or not whole:
            raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}, got {value!r}")
        if not low <= value <= high:
            raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}, got {int(value):,}")


def check_design_size(points: float, what: str) -> None:
    """Refuse a design of more than :data:`MAX_DESIGN_POINTS` points before any of them is built."""
    if not points <= MAX_DESIGN_POINTS:
        raise ValueError(f"{what} gives {_count(points)} points; a design may have at most "
                         f"{MAX_DESIGN_POINTS:,}")


MAX_MAGNITUDE = 1e15
"""Largest size of any number in a scenario (money in any currency stays well below it)."""


def check_magnitudes(scenario: Scenario) -> None:
    """Refuse any number in the scenario larger than :data:`MAX_MAGNITUDE` in size.

    Totals multiply a handful of inputs (staff x hourly cost x hours, items x
    price x indexation ...).  With every input below 1e15 such products stay far
    below the largest float (1.8e308), so no total can overflow to ``inf`` and
    no KPI can become ``NaN``.
    """
    stack: list[tuple[str, Any]] = [("", scenario.model_dump())]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack += [(f"{path}.{k}" if path else str(k), v) for k, v in value.items()]
        elif isinstance(value, list | tuple):
            stack += [(f"{path}.{i}", v) for i, v in enumerate(value)]
        elif isinstance(value, float) and abs(value) > MAX_MAGNITUDE:
            raise ScenarioError(path, f"must be at most {MAX_MAGNITUDE:.0e} in size, got {value:g} "
                                      "(totals of numbers that large overflow)")

