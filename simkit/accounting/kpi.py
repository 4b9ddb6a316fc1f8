"""KPIs: one row of numbers per option and replication, units in the names.

Computed vectorised from a :class:`~simkit.engine.RunLog` and its
:class:`~simkit.accounting.costs.Ledger`, over the items that arrived inside the measured
window (after the warm-up), and the events (hires, leavers, exits) dated inside it.
No KPI is ever NaN or infinite: a statistic over no items is 0 (lead times when
nothing finished) or 1 (SLA attainment when nothing was due), and
``cost_per_item`` divides by at least one item.

What each column means — its label, unit, family, direction and the exact
definition this module implements — is recorded once, in :mod:`simkit.accounting.registry`;
:func:`KPI_FAMILIES`, :func:`kpi_columns` and :func:`KPI_DIRECTION` read it.
The families: cost, timeliness, quality, communication, business impact (the five
a ranking weighs), scalability and volume.

Only the cost columns and ``delay_cost_<cur>`` depend on prices.  :func:`measure_log` computes
every other column from the run log alone — it is given nothing else — once per log
(memoised), and :func:`measure_money` adds the money columns from a ledger; :func:`measure`
is the two in a row, so re-pricing a stored log recomputes only what a price can change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from simkit.accounting import registry as kpis
from simkit.accounting.costs import Ledger, log_memo, month_edges, npv
from simkit.engine.log import ABANDONED, COMPLETED, RunLog
from simkit.scenario.model import Scenario

__all__ = ["measure", "measure_log", "measure_money", "LogKpis", "kpi_columns", "KPI_DIRECTION", "KPI_FAMILIES"]


def KPI_FAMILIES(currency: str = "usd") -> dict[str, list[str]]:  # noqa: N802 - a table
    """KPI columns grouped by family (cost, timeliness, quality, communication, business_impact,
    scalability, volume), read from the registry :mod:`simkit.accounting.registry`."""
    return kpis.families(currency)


def kpi_columns(currency: str = "usd") -> list[str]:
    """The KPI column names in report order."""
    return kpis.columns(currency)


def KPI_DIRECTION(column: str) -> int:  # noqa: N802 - reads as a table lookup
    """+1 when more is better, -1 when less is better, 0 when neither (or not a KPI column)."""
    return kpis.direction(column)


def _stats(x: np.ndarray) -> tuple[float, float, float, float]:
    if x.size == 0:
        return 0.0, 0.0, 0.0, 0.0
    p50, p90, p99 = np.percentile(x, [50, 90, 99])
    return float(x.mean()), float(p50), float(p90), float(p99)


def _util(log: RunLog, role: str) -> float:
    mine = np.array([r == role for r in log.pool_roles], dtype=bool)
    cap = float(log.open_server_h[mine].sum())
    return float(min(log.busy_h[mine].sum() / cap, 1.0)) if cap > 0 else 0.0


def _share(mask: np.ndarray) -> float:
    return float(mask.mean()) if mask.size else 0.0


@dataclass(frozen=True)
class LogKpis:
    """The KPIs of one run log that no price changes, in report order.

    ``timeliness_to_abandoned`` holds the columns from ``lead_time_mean_h`` to
    ``abandoned_share``, ``hires_to_completed`` those from ``hires_count`` to
    ``items_completed`` (the money columns go before, and ``delay_cost`` between,
    them); ``completed`` and ``months`` are what the money columns divide by and
    discount over (``months`` of 730.5 h; a dated scenario counts its real months of ``window_h``).
    """

    timeliness_to_abandoned: Mapping[str, float]  # read-only: a memoised LogKpis is shared
    hires_to_completed: Mapping[str, float]
    completed: int
    months: int
    window_h: tuple[float, float] = (0.0, 0.0)

    def as_dict(self) -> dict[str, float]:
        return {**self.timeliness_to_abandoned, **self.hires_to_completed}


def _tier_waits(log: RunLog, win: np.ndarray) -> dict[str, float]:
    """Mean wait at escalation tiers 2 and 3 over the measured items taken there by the horizon."""
    out = {}
    for j in (1, 2):
        wait = np.zeros(0)
        if log.tiers is not None and j < log.tiers.start_h.shape[0]:
            start, enter = log.tiers.start_h[j][win], log.tiers.enter_h[j][win]
            wait = (start - enter)[~np.isnan(start)]
        out[f"tier{j + 1}_wait_mean_h"] = float(wait.mean()) if wait.size else 0.0
    return out


def _tier_counts(log: RunLog, win: np.ndarray) -> dict[str, float]:
    """Measured items sent on to tiers 2 and 3 by the horizon, and tier 2's share of all measured items."""
    sent = [0.0, 0.0]
    for j in (1, 2):
        if log.tiers is not None and j < log.tiers.enter_h.shape[0]:
            sent[j - 1] = float(np.count_nonzero(~np.isnan(log.tiers.enter_h[j][win])))
    n = int(win.sum())
    return {"escalated_share": sent[0] / n if n else 0.0, "tier2_items": sent[0], "tier3_items": sent[1]}


def _measure_log(log: RunLog) -> LogKpis:
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
    late_open = int(np.count_nonzero(~done & (due < t1)))
    judged = int(done.sum()) + late_open
    routed = log.pool[win]
    handoff = (log.enter_h[win] - arrival)[routed >= 0]
    vendor_idx = [k for k, r in enumerate(log.pool_roles) if r == "vendor"]
    n_done = int(done.sum())
    mean, p50, p90, p99 = _stats(lead)
    open_h = float(log.open_server_h.sum())
    asked = log.clarify_rounds[win] > 0
    clar = log.clarify_h[win][asked]
    reworked = log.reworks[win][done] > 0
    escaped = log.escaped[win][done] != 0
    span = max(t1 - t0, 1e-9)
    events = [e for e in log.events if t0 <= e[0] <= t1]  # as the ledger books one-offs: inside the window
    first = {
        "lead_time_mean_h": mean,
        "lead_time_p50_h": p50,
        "lead_time_p90_h": p90,
        "lead_time_p99_h": p99,
        "wait_mean_h": float(wait.mean()) if wait.size else 0.0,
        "waited_share": float(np.mean(wait > 1e-12)) if wait.size else 0.0,
        "sla_attainment_share": met / judged if judged else 1.0,
        "backlog_end_items": float(np.count_nonzero(~done & (state != ABANDONED))),
        **_tier_waits(log, win),
        "defect_share": _share(reworked | escaped),
        "rework_share": _share(reworked),
        "escaped_defects_items": float(escaped.sum()),
        "handoff_delay_mean_h": float(handoff.mean()) if handoff.size else 0.0,
        "clarify_share": _share(asked),
        "clarify_delay_mean_h": float(clar.mean()) if clar.size else 0.0,
        "availability_share": float(1.0 - min(log.down_h.max(initial=0.0) / span, 1.0)),
        "outages_count": float(log.outages.sum()),
        "outage_hours_h": float(log.down_h.sum()),
        "exits_count": float(sum(1 for _, _, what in events if what.startswith("exit:"))),
        "reviews_count": float(sum(1 for _, _, what in events if what == "review")),
        "remediations_count": float(sum(1 for _, _, what in events if what == "remediation")),
        "terminations_count": float(sum(1 for _, _, what in events if what == "exit:cause")),
        "abandoned_share": _share(state == ABANDONED),
    }
    last = {
        "hires_count": float(sum(1 for _, _, w in events if w in ("hire", "scale_up"))),
        "leavers_count": float(sum(1 for _, _, w in events if w in ("leave", "scale_down", "layoff"))),
        "staff_end_count": float(sum(int(s) + sum(d for _, d in log.staff_log.get(n, []))
                                     for n, s, (_, stop) in zip(log.pool_names, log.servers, log.active_h, strict=True)
                                     if stop >= t1)),
        "vendor_item_share": float(np.isin(routed, vendor_idx).mean()) if routed.size else 0.0,
        "utilisation_share": float(min(log.busy_h.sum() / open_h, 1.0)) if open_h > 0 else 0.0,
        "team_utilisation_share": _util(log, "team"),
        "vendor_utilisation_share": _util(log, "vendor"),
        "items_arrived": float(win.sum()),
        "items_completed": float(n_done),
        **_tier_counts(log, win),
    }
    return LogKpis(MappingProxyType(first), MappingProxyType(last), n_done, len(month_edges(t0, t1)) - 1,
                   (t0, t1))


def measure_log(log: RunLog) -> LogKpis:
    """The KPIs of ``log`` that do not depend on any price (memoised per log).

    They are computed from the log alone (no scenario is passed in, so no field a
    re-pricing changes can reach them), once for each log however often it is priced.
    """
    memo = log_memo(log)
    out = memo.get("kpis")
    if out is None:
        out = memo["kpis"] = _measure_log(log)
    return out


def measure_money(scenario: Scenario, ledger: Ledger, measured: LogKpis) -> dict[str, float]:
    """The whole KPI row: the money columns from ``ledger`` around the :func:`measure_log` ones."""
    c = scenario.currency_suffix
    by_cat = ledger.by_category()
    total = ledger.total()
    clock = scenario.clock()
    months = measured.months if clock is None else len(month_edges(*measured.window_h, clock)) - 1
    return {
        kpis.kpi_name("cost_total", c): total,
        kpis.kpi_name("cost_per_item", c): total / max(measured.completed, 1),
        kpis.kpi_name("npv_cost", c): npv(ledger.monthly(months), scenario.run.discount_rate_annual),
        kpis.kpi_name("switching_cost", c): by_cat["switching"] + by_cat["exit_fee"],
        kpis.kpi_name("fx_cost", c): by_cat["fx"],
        kpis.kpi_name("sla_credits", c): -by_cat["sla_credits"],
        **measured.timeliness_to_abandoned,
        kpis.kpi_name("delay_cost", c): by_cat["delay"],
        **measured.hires_to_completed,
    }


def measure(scenario: Scenario, log: RunLog, ledger: Ledger) -> dict[str, float]:
    """The KPI row of one option in one replication."""
    return measure_money(scenario, ledger, measure_log(log))
