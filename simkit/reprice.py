"""Re-pricing: new prices on stored run logs, without running the engine again.

The engine records *what happened* (who served which item, when, on which
shift); :func:`simkit.costs.account` turns that into money.  A parameter the
engine never reads changes only the money, so the same logs priced again give
exactly what a new simulation would — in milliseconds instead of seconds.
Price sweeps, cost sensitivities and price break-evens all use this.

Cost-only fields (:data:`COST_ONLY_PATHS`, ``*`` is any team or vendor name):

* ``teams.*.loaded_cost_per_hour``, ``teams.*.overhead_per_fte_month``
* ``vendors.*.price_per_item``, ``vendors.*.price_per_fte_month``, ``vendors.*.fee_per_month``,
  ``vendors.*.governance_share``, ``vendors.*.transition_cost``
* ``run.discount_rate_annual``

Anything else (staff, agents, productivity, calendars, workload, risk
mechanisms) can change what happens and needs a simulation.  Tests re-simulate
every path above and assert the re-priced frames are identical.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .experiment import assemble, price_log

if TYPE_CHECKING:
    from .results import Results

__all__ = ["COST_ONLY_PATHS", "is_cost_only", "split_changes", "reprice"]

COST_ONLY_PATHS = (
    "teams.*.loaded_cost_per_hour",
    "teams.*.overhead_per_fte_month",
    "vendors.*.price_per_item",
    "vendors.*.price_per_fte_month",
    "vendors.*.fee_per_month",
    "vendors.*.governance_share",
    "vendors.*.transition_cost",
    "run.discount_rate_annual",
)


def is_cost_only(path: str) -> bool:
    """Whether the dotted ``path`` only changes prices (the engine never reads it)."""
    parts = str(path).split(".")
    for pattern in COST_ONLY_PATHS:
        want = pattern.split(".")
        if len(want) == len(parts) and all(w in ("*", p) for w, p in zip(want, parts, strict=True)):
            return True
    return False


def split_changes(changes: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(engine_changes, cost_changes)``: what needs a simulation and what only a re-pricing."""
    engine = {k: v for k, v in changes.items() if not is_cost_only(k)}
    cost = {k: v for k, v in changes.items() if is_cost_only(k)}
    return engine, cost


def reprice(res: Results, changes: Mapping[str, Any]) -> Results:
    """``res`` priced again with ``changes`` applied to cost-only fields.

    Parameters
    ----------
    res
        Results from ``simulate(..., keep_logs=True)``.
    changes
        ``{"vendors.msp.price_per_item": 30, ...}``; every path must be cost-only.

    Returns
    -------
    Results
        Identical to ``simulate(res.scenario.override(changes), ...)`` with the same
        replications and seed, and carrying the same logs (so it can be re-priced again).
    """
    engine, _ = split_changes(changes)
    if engine:
        allowed = ", ".join(COST_ONLY_PATHS)
        raise ValueError(f"{next(iter(engine))}: cannot be re-priced, it changes what the engine does; "
                         f"re-simulate instead (re-pricing takes {allowed})")
    if res.logs is None:
        raise ValueError("these results kept no run logs; simulate with keep_logs=True to re-price them")
    scenario = res.scenario.override(dict(changes))
    by_rep: dict[int, tuple[list, list, dict]] = {}
    for (option, rep), log in res.logs.items():
        row, ledger = price_log(scenario, log, rep)
        kpis, ledgers, logs = by_rep.setdefault(rep, ([], [], {}))
        kpis.append(row)
        ledgers.append((scenario.option_names.index(option), ledger))
        logs[option] = log
    import pandas as pd

    pieces = []
    for rep, (kpis, ledgers, logs) in by_rep.items():
        frames = [frame for _, frame in sorted(ledgers, key=lambda item: item[0])]
        pieces.append((rep, kpis, pd.concat(frames, ignore_index=True), logs))
    meta = {"repriced_from": res.scenario.fingerprint(), "repriced_changes": dict(changes)}
    return assemble(scenario, res.seed, pieces, keep_logs=True, meta=meta)
