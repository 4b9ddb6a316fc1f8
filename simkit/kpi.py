"""KPIs: one row of numbers per option and replication, units in the names.

Computed vectorised from a :class:`~simkit.engine.RunLog` and its
:class:`~simkit.costs.Ledger`, over the items that arrived inside the measured
window.  No KPI is ever NaN or infinite: a statistic over no items is 0
(lead times when nothing finished) or 1 (SLA attainment when nothing was due),
and ``cost_per_item`` divides by at least one item.

Families (the DESIGN's five; risk and quality columns arrive with their mechanisms):

* cost: ``cost_total_<cur>``, ``cost_per_item_<cur>``, ``npv_cost_<cur>``
* timeliness: ``lead_time_{mean,p50,p90,p99}_h``, ``wait_mean_h``, ``waited_share``,
  ``sla_attainment_share``, ``backlog_end_items``
* communication: ``handoff_delay_mean_h``, ``vendor_item_share``
* capacity: ``utilisation_share``
* volume: ``items_arrived``, ``items_completed``
"""

from __future__ import annotations

import numpy as np

from .costs import Ledger, month_edges, npv
from .engine.log import COMPLETED, RunLog
from .scenario import Scenario

__all__ = ["measure", "kpi_columns", "KPI_DIRECTION"]


def kpi_columns(currency: str = "usd") -> list[str]:
    """The KPI column names in report order."""
    c = currency.lower()
    return [
        f"cost_total_{c}", f"cost_per_item_{c}", f"npv_cost_{c}",
        "lead_time_mean_h", "lead_time_p50_h", "lead_time_p90_h", "lead_time_p99_h",
        "wait_mean_h", "waited_share", "sla_attainment_share", "backlog_end_items",
        "handoff_delay_mean_h", "vendor_item_share", "utilisation_share",
        "items_arrived", "items_completed",
    ]


def KPI_DIRECTION(column: str) -> int:  # noqa: N802 - reads as a table lookup
    """+1 when more is better, -1 when less is better, 0 when neither."""
    if column.startswith(("sla_attainment", "items_completed")):
        return 1
    if column.startswith(("items_arrived", "vendor_item_share", "utilisation")):
        return 0
    return -1


def _stats(x: np.ndarray) -> tuple[float, float, float, float]:
    if x.size == 0:
        return 0.0, 0.0, 0.0, 0.0
    p50, p90, p99 = np.percentile(x, [50, 90, 99])
    return float(x.mean()), float(p50), float(p90), float(p99)


def measure(scenario: Scenario, log: RunLog, ledger: Ledger) -> dict[str, float]:
    """The KPI row of one option in one replication."""
    c = scenario.currency_suffix
    t0, t1 = log.window_h
    win = log.in_window()
    state = log.state()[win]
    arrival = log.trace.arrival_h[win]
    done = state == COMPLETED
    lead = (log.end_h[win] - arrival)[done]
    started = ~np.isnan(log.start_h[win])
    wait = (log.start_h[win] - log.enter_h[win])[started]
    due = log.trace.due_h[win]
    met = int(np.count_nonzero(lead <= log.trace.sla_h[win][done] + 1e-9))
    overdue_open = int(np.count_nonzero(~done & (due < t1)))
    judged = int(done.sum()) + overdue_open
    routed = log.pool[win]
    handoff = (log.enter_h[win] - arrival)[routed >= 0]
    vendor_idx = [k for k, r in enumerate(log.pool_roles) if r == "vendor"]
    total = ledger.total()
    n_done = int(done.sum())
    mean, p50, p90, p99 = _stats(lead)
    open_h = float(log.open_server_h.sum())
    row = {
        f"cost_total_{c}": total,
        f"cost_per_item_{c}": total / max(n_done, 1),
        f"npv_cost_{c}": npv(ledger.monthly(len(month_edges(t0, t1)) - 1), scenario.run.discount_rate_annual),
        "lead_time_mean_h": mean,
        "lead_time_p50_h": p50,
        "lead_time_p90_h": p90,
        "lead_time_p99_h": p99,
        "wait_mean_h": float(wait.mean()) if wait.size else 0.0,
        "waited_share": float(np.mean(wait > 1e-12)) if wait.size else 0.0,
        "sla_attainment_share": met / judged if judged else 1.0,
        "backlog_end_items": float(np.count_nonzero(~done)),
        "handoff_delay_mean_h": float(handoff.mean()) if handoff.size else 0.0,
        "vendor_item_share": float(np.isin(routed, vendor_idx).mean()) if routed.size else 0.0,
        "utilisation_share": float(min(log.busy_h.sum() / open_h, 1.0)) if open_h > 0 else 0.0,
        "items_arrived": float(win.sum()),
        "items_completed": float(n_done),
    }
    return row
