"""Hand-built usages for the pricing tests: quantities chosen by the test, so each price is checked by hand."""

from __future__ import annotations

from typing import Any

import numpy as np

from simkit.accounting.book import CATEGORIES
from simkit.accounting.costs import Ledger
from simkit.accounting.usage import PoolUsage, Usage
from simkit.units import HOURS_PER_MONTH


def pool(name: str, role: str, n_months: int, fx: np.ndarray | None = None, start_month: int = 0,
         **quantities: Any) -> PoolUsage:
    """A pool active over the whole window of ``n_months`` full 730.5-h months."""
    arrays = {k: (np.asarray(v, dtype=float) if v is not None else None) for k, v in quantities.items()}
    return PoolUsage(name=name, role=role, active_h=(0.0, n_months * HOURS_PER_MONTH), frac=np.ones(n_months),
                     fx=None if fx is None else np.asarray(fx, dtype=float), start_month=start_month, **arrays)


def usage(n_months: int, *pools: PoolUsage, events: tuple = (), late: tuple = ((), (), ()),
          lost: tuple = ((), ()), fx: dict[str, np.ndarray] | None = None) -> Usage:
    """A usage of ``pools`` over ``n_months`` months; ``late`` = (months, kinds, hours), ``lost`` = (months, kinds);
    ``fx`` the exchange-rate paths of teams that are not pools (a retained team's), the pools' own added."""
    edges = np.arange(n_months + 1) * HOURS_PER_MONTH
    paths = {**{p.name: p.fx for p in pools if p.fx is not None},
             **{name: np.asarray(path, dtype=float) for name, path in (fx or {}).items()}}
    return Usage((), (0.0, float(edges[-1])), edges, np.full(n_months, HOURS_PER_MONTH), tuple(pools), tuple(events),
                 np.asarray(late[0], dtype=int), np.asarray(late[1], dtype=int), np.asarray(late[2], dtype=float),
                 np.asarray(lost[0], dtype=int), np.asarray(lost[1], dtype=int), paths)


def table(ledger: Ledger, n_months: int) -> dict[str, np.ndarray]:
    """The ledger as one array of monthly amounts per category (zeros where nothing was booked)."""
    out = {c: np.zeros(n_months) for c in CATEGORIES}
    for m, c, a in zip(ledger.month, ledger.category, ledger.amount, strict=True):
        out[CATEGORIES[c]][m] += a
    return out


def priced_scenario(**vendor_changes: Any):  # noqa: ANN201 - a Scenario
    """A team, a roster with an on-call shift and a vendor with every priced mechanism, at round prices."""
    from conftest import mmc_dict, scenario_from

    data = mmc_dict(2, 0.5, vendor={"vendor": "acme"})
    data["calendars"]["night"] = {"open_hour": 0, "close_hour": 8}
    data["workload"]["kinds"] = {"job": {"share": 0.5, "effort_h": "exponential(mean=1)", "late_cost_per_h": 7.0,
                                         "abandon_cost": 50.0},
                                 "rush": {"share": 0.5, "effort_h": "exponential(mean=1)", "late_cost_per_h": 20.0,
                                          "abandon_cost": 0.0}}
    data["teams"]["team"].update(loaded_cost_per_hour=40.0, overhead_per_fte_month=600.0, overtime_h_per_day=2.0,
                                 overtime_premium=0.5, quality={"escaped_defect_cost": 300.0},
                                 hiring={"recruiting_cost": 3000.0, "severance_per_fte": 9000.0})
    data["teams"]["roster"] = {"loaded_cost_per_hour": 30.0, "shifts": [
        {"calendar": "client", "staff": 2}, {"calendar": "night", "staff": 1, "on_call": True,
                                             "call_out_fee": 150.0}]}
    vendor = {"agents": 3, "pricing": "per_item", "price_per_item": 20.0, "governance_share": 0.1,
              "transition_cost": 5000.0, "quality": {"escaped_defect_cost": 500.0},
              "contract": {"term_months": 2, "indexation_annual": 0.12, "lock_in_premium": 0.05,
                           "min_items_per_month": 100.0},
              "sla": {"target_share": 0.95, "credit_share_per_point": 0.02, "cap_share": 0.1},
              "elastic": {"max_agents": 6, "surge_price_per_agent_hour": 35.0},
              "review": {"penalty": 2500.0},
              "exit": {"fallback": "team", "switching_cost": 40000.0, "exit_fee": 15000.0},
              "transition": {"knowledge_transfer_cost": 8000.0, "retained_team": "team", "parallel_run_months": 1.5,
                             "released_staff": 2, "severance_per_fte": 7000.0}}
    vendor.update(vendor_changes)
    data["vendors"] = {"acme": vendor}
    data["options"]["roster"] = {"team": "roster"}
    data["asset_specificity"] = 0.75
    return scenario_from(data)
