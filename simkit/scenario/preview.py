"""The instant preview: what closed forms say about a scenario before anything is simulated.

A dashboard has to answer in milliseconds while the simulation takes seconds,
so it first shows the *spreadsheet view* of every option:

* **Queueing** — each pool (an in-house team or a vendor bench) is treated as
  an M/M/c queue (:mod:`simkit.analytic`) whose arrival rate is the pool's
  share of the expected arrivals spread evenly over the pool's open hours.
  Erlang C then gives the probability of waiting and the mean wait.  An
  overflow hybrid's team is an M/M/c/K queue with room for ``overflow_queue``
  waiting items; what does not fit goes to the vendor.  An escalation tier's pool
  (``options.X.escalation``) gets the items that reach it — the arrivals times
  each kind's escalation share at every tier up to it — at that tier's own
  mean effort; it is queued like any other pool.
* **Money** — a static total cost over the measured window: paid open hours
  x loaded cost, overhead per FTE-month, vendor fees for the expected volume,
  governance as a share of the fees, and the one-off transition.

Both are **approximations**: they average away peaks (hour of day, Mondays,
December), overnight backlogs, priorities and non-exponential effort, and they
price the expected rather than the realised volume.  The simulation is the
answer; the preview is how far off the spreadsheet would be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simkit import analytic
from simkit.calendars.dates import fte_months
from simkit.scenario.profile import rate_at

if TYPE_CHECKING:
    from simkit.scenario.model import Scenario

__all__ = ["Preview", "preview", "expected_arrivals", "escalated_items", "mmck"]


@dataclass(frozen=True)
class Preview:
    """Closed-form preview of every option.

    Attributes
    ----------
    pools
        One row per option and pool: ``option, pool, role, tier, servers, arrivals_items,
        service_mean_h, utilisation_share, p_wait_share, wait_mean_h, vendor_fees`` (``inf`` when the
        pool cannot keep up); ``tier`` is 1 for the option's own team and vendor, 2 and 3 for its
        escalation tiers; ``vendor_fees`` is what a vendor pool bills over the window (0 for a team).
    costs
        One row per option: ``labour, overhead, vendor_fees, governance, transition, total``
        (every pool of the option, its escalation tiers' included)
        in the scenario's currency, over the measured window.
    horizon_days
        Length of the measured window (days).
    """

    pools: pd.DataFrame
    costs: pd.DataFrame
    horizon_days: float


def expected_arrivals(scenario: Scenario) -> float:
    """Expected number of items arriving in the measured window (the integral of the rate profile)."""
    t0, t1 = scenario.run.warmup_days * 24.0, scenario.run.horizon_days * 24.0
    n_hours = int(math.ceil(t1 - t0))
    mid = t0 + 0.5 + np.arange(n_hours, dtype=float)
    width = np.minimum(mid + 0.5, t1) - (mid - 0.5)
    offset = scenario.calendars[scenario.workload.calendar].utc_offset_h
    return float(np.sum(rate_at(scenario.workload, mid, offset, scenario.clock()) * width))


def mmck(c: int, k: int, arrival_rate_per_h: float, service_mean_h: float) -> tuple[float, float, float]:
    """M/M/c/K with room for ``k >= c`` items: ``(P(full), P(wait | admitted), mean wait of admitted)``.

    States ``n = 0..K`` have ``p_n`` proportional to ``a^n / n!`` up to ``c`` and
    ``a^c / c! (a / c)^(n - c)`` above; an arrival that finds ``K`` items is turned away.
    """
    a = arrival_rate_per_h * service_mean_h
    if c <= 0:
        return 1.0, 0.0, 0.0
    weights = np.empty(k + 1)
    weights[0] = 1.0
    for n in range(1, k + 1):
        weights[n] = weights[n - 1] * a / min(n, c)
    p = weights / weights.sum()
    full = float(p[k])
    admitted = 1.0 - full
    p_wait = float(p[c:k].sum()) / admitted if admitted > 0 else 1.0
    queue_mean = float(np.dot(np.arange(k + 1 - c), p[c:]))
    wait = queue_mean / (arrival_rate_per_h * admitted) if arrival_rate_per_h * admitted > 0 else 0.0
    return full, p_wait, wait


def _mean_effort(scenario: Scenario, kinds: list[str]) -> float:
    specs = [scenario.workload.kinds[k] for k in kinds]
    shares = np.array([s.share for s in specs])
    return float(np.dot(shares / shares.sum(), [s.effort_h.mean for s in specs])) if specs else 0.0


def _pool_row(option: str, pool: str, role: str, servers: int, items: float, open_h: float,
              service_mean_h: float, tier: int = 1) -> dict:
    lam = items / open_h if open_h > 0 else math.inf
    load = lam * service_mean_h
    if items <= 0:
        util, p_wait, wait = 0.0, 0.0, 0.0
    elif servers <= 0 or load >= servers:
        util, p_wait, wait = 1.0, 1.0, math.inf
    else:
        util = load / servers
        p_wait = analytic.erlang_c(servers, load)
        wait = analytic.mmc_wait_mean_h(servers, lam, service_mean_h)
    return {"option": option, "pool": pool, "role": role, "tier": tier, "servers": servers, "arrivals_items": items,
            "service_mean_h": service_mean_h, "utilisation_share": util, "p_wait_share": p_wait, "wait_mean_h": wait,
            "vendor_fees": 0.0}


def escalated_items(scenario: Scenario, option: str, total_items: float) -> list[float]:
    """Expected items reaching each escalation tier of ``option`` (tier 2 first) out of ``total_items``.

    Each item escalates at each tier on its own uniform draw with its kind's share
    (``share_by_kind`` over ``share``), so a kind reaches tier ``j`` with the product of its shares
    up to ``j``; the kinds are mixed in their workload shares.  Items the first tier never finishes
    (still open at the horizon, abandoned) are counted as if they escalated: an upper bound.
    """
    kinds = scenario.workload.kinds
    weight = np.array([k.share for k in kinds.values()])
    reach = weight / weight.sum() if weight.sum() > 0 else weight
    out = []
    for tier in scenario.options[option].escalation or ():
        reach = reach * np.array([tier.share_by_kind.get(k, tier.share) for k in kinds])
        out.append(float(total_items * reach.sum()))
    return out


def _tier_rows(scenario: Scenario, name: str, total_items: float, t0: float, t1: float, months: float,
               cost: dict[str, float]) -> list[dict]:
    """The pools of ``name``'s escalation tiers at their arrivals and effort; their costs are added to ``cost``."""
    rows = []
    tiers = scenario.options[name].escalation or ()
    for j, (tier, items) in enumerate(zip(tiers, escalated_items(scenario, name, total_items), strict=True), start=2):
        if tier.pool in scenario.teams:
            team = scenario.teams[tier.pool]
            staff, open_h = scenario.team_hours(tier.pool, t0, t1)
            service_h = tier.effort_h.mean / (team.productivity * team.available_share)
            rows.append(_pool_row(name, tier.pool, "team", staff, items, open_h, service_h, j))
            cost["labour"] += staff * team.loaded_cost_per_hour * open_h
            cost["overhead"] += staff * team.overhead_per_fte_month * months
        else:
            v = scenario.vendors[tier.pool]
            open_h = scenario.calendar(v.calendar).working_hours(t0, t1)
            fees = v.price_per_item * items + v.fee_per_month * months + v.agents * v.price_per_fte_month * months
            rows.append(_pool_row(name, tier.pool, "vendor", v.agents, items, open_h,
                                  tier.effort_h.mean / v.productivity, j) | {"vendor_fees": fees})
            cost["vendor_fees"] += fees
            cost["governance"] += v.governance_share * fees
            cost["transition"] += v.transition_cost
    return rows


def preview(scenario: Scenario) -> Preview:
    """The closed-form preview of every option of ``scenario`` (see the module docstring)."""
    t0, t1 = scenario.run.warmup_days * 24.0, scenario.run.horizon_days * 24.0
    months = fte_months(t0, t1, scenario.clock())
    total_items = expected_arrivals(scenario)
    all_kinds = list(scenario.workload.kinds)
    shares = {k: s.share for k, s in scenario.workload.kinds.items()}
    pool_rows, cost_rows = [], []
    for name, opt in scenario.options.items():
        cost = dict.fromkeys(("labour", "overhead", "vendor_fees", "governance", "transition"), 0.0)
        team_kinds, vendor_kinds = all_kinds, all_kinds
        vendor_items = total_items if opt.team is None else 0.0
        team_items = total_items if opt.vendor is None else 0.0
        if opt.routing == "by_kind":
            vendor_kinds = [k for k in all_kinds if k in opt.vendor_kinds]
            team_kinds = [k for k in all_kinds if k not in opt.vendor_kinds]
            vendor_share = sum(shares[k] for k in vendor_kinds) / sum(shares.values())
            vendor_items, team_items = total_items * vendor_share, total_items * (1.0 - vendor_share)
        if opt.routing == "time_of_day":  # roughly: in proportion to each pool's open hours
            team_open = scenario.team_hours(opt.team, t0, t1)[1]
            vendor_open = scenario.calendar(scenario.vendors[opt.vendor].calendar).working_hours(t0, t1)
            team_share = team_open / (team_open + vendor_open) if team_open + vendor_open > 0 else 0.5
            vendor_items, team_items = total_items * (1.0 - team_share), total_items * team_share
        if opt.team is not None:
            team = scenario.teams[opt.team]
            staff, open_h = scenario.team_hours(opt.team, t0, t1)  # a roster: its people and mean hours
            service_h = _mean_effort(scenario, team_kinds) / (team.productivity * team.available_share)
            if opt.routing == "overflow":
                lam = total_items / open_h if open_h > 0 else math.inf
                full, p_wait, wait = mmck(staff, staff + opt.overflow_queue, lam, service_h)
                vendor_items, team_items = total_items * full, total_items * (1.0 - full)
                util = min(1.0, lam * (1.0 - full) * service_h / staff) if staff else 0.0
                pool_rows.append({"option": name, "pool": opt.team, "role": "team", "tier": 1, "servers": staff,
                                  "arrivals_items": team_items, "service_mean_h": service_h,
                                  "utilisation_share": util, "p_wait_share": p_wait, "wait_mean_h": wait,
                                  "vendor_fees": 0.0})
            else:
                pool_rows.append(_pool_row(name, opt.team, "team", staff, team_items, open_h, service_h))
            cost["labour"] = staff * team.loaded_cost_per_hour * open_h
            cost["overhead"] = staff * team.overhead_per_fte_month * months
        if opt.vendor is not None:
            v = scenario.vendors[opt.vendor]
            open_h = scenario.calendar(v.calendar).working_hours(t0, t1)
            service_h = _mean_effort(scenario, vendor_kinds) / v.productivity
            fees = (v.price_per_item * vendor_items + v.fee_per_month * months
                    + v.agents * v.price_per_fte_month * months)
            pool_rows.append(_pool_row(name, opt.vendor, "vendor", v.agents, vendor_items, open_h, service_h)
                             | {"vendor_fees": fees})
            cost["vendor_fees"] = fees
            cost["governance"] = v.governance_share * fees
            cost["transition"] = v.transition_cost
        pool_rows += _tier_rows(scenario, name, total_items, t0, t1, months, cost)
        cost_rows.append({"option": name, **cost, "total": sum(cost.values())})
    return Preview(pd.DataFrame(pool_rows), pd.DataFrame(cost_rows).set_index("option"), (t1 - t0) / 24.0)
