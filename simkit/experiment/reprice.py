"""Re-pricing: new prices on stored run logs, without running the engine again.

The engine records *what happened* (who served which item, when, on which
shift); :func:`simkit.accounting.costs.account` turns that into money.  A parameter the
engine never reads changes only the money, so the same logs priced again give
exactly what a new simulation would — in milliseconds instead of seconds.
Price sweeps, cost sensitivities and price break-evens all use this.

Cost-only fields (:data:`COST_ONLY_PATHS`, read from the facts the schema's fields carry: ``cost_only`` in
``simkit/scenario/fields.yaml``; ``*`` is any team, vendor or item kind name):

* ``teams.*.loaded_cost_per_hour``, ``teams.*.overhead_per_fte_month``, ``teams.*.overtime_premium``,
  ``teams.*.hiring.recruiting_cost``, ``teams.*.hiring.severance_per_fte``, ``teams.*.quality.escaped_defect_cost``
* ``vendors.*.pricing``, ``vendors.*.price_per_item``, ``vendors.*.price_per_fte_month``, ``vendors.*.fee_per_month``,
  ``vendors.*.governance_share``, ``vendors.*.transition_cost``, ``vendors.*.quality.escaped_defect_cost``
* SLA credits: ``vendors.*.sla.target_share``, ``.credit_share_per_point``, ``.cap_share``
* exit: ``vendors.*.exit.switching_cost``, ``vendors.*.exit.exit_fee``
* review for cause: ``vendors.*.review.penalty``
* transition: ``vendors.*.transition.knowledge_transfer_cost``, ``.parallel_run_months``, ``.released_staff``,
  ``.severance_per_fte`` (the retained team's parallel running is paid, not simulated)
* contract: ``vendors.*.contract.term_months``, ``.indexation_annual``, ``.lock_in_premium``,
  ``.min_items_per_month`` (renewal prices and take-or-pay)
* ``vendors.*.elastic.surge_price_per_agent_hour``
* ``workload.kinds.*.late_cost_per_h``, ``workload.kinds.*.abandon_cost``
* ``asset_specificity``, ``run.discount_rate_annual``

Anything else (staff, agents, productivity, calendars, workload, overtime hours,
hiring and scaling rules, risk processes) can change what happens and needs a
simulation.  Tests re-simulate every path above, on a scenario where its
mechanism is on, and assert the re-priced frames are identical.

Re-pricing is fast because what a log *used* (:func:`simkit.accounting.costs.log_usage`) and
its price-independent KPIs (:func:`simkit.accounting.kpi.measure_log`) are computed once
per log; each new price costs only the multiplications.  :func:`reprice_sweep`
prices many points at once and returns what :func:`simkit.experiment.sweep` would.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from simkit.experiment.simulate import assemble, price_log
from simkit.scenario.fields import COST_ONLY_PATHS, is_cost_only, split_changes  # noqa: F401 - re-exported

if TYPE_CHECKING:
    import pandas as pd

    from simkit.experiment.results import Results, SweepResults

__all__ = ["COST_ONLY_PATHS", "is_cost_only", "split_changes", "reprice", "reprice_sweep"]

def _check(res: Results, paths: Iterable[str]) -> None:
    engine = [p for p in paths if not is_cost_only(p)]
    if engine:
        allowed = ", ".join(COST_ONLY_PATHS)
        raise ValueError(f"{engine[0]}: cannot be re-priced, it changes what the engine does; "
                         f"re-simulate instead (re-pricing takes {allowed})")
    if res.logs is None:
        raise ValueError("these results kept no run logs; simulate with keep_logs=True to re-price them")


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
    _check(res, changes)
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


def reprice_sweep(res: Results, space: Mapping[str, Sequence[Any]] | pd.DataFrame) -> SweepResults:
    """Every option and stored replication of ``res`` priced at every point of ``space``.

    The fast way to sweep prices: one re-pricing per point and log, without
    building a :class:`~simkit.experiment.results.Results` per point.

    Parameters
    ----------
    res
        Results from ``simulate(..., keep_logs=True)``.
    space
        ``{"vendors.msp.price_per_item": [25, 30, 35], ...}`` (a grid of those values,
        as :func:`simkit.experiment.sweep` makes it) or a DataFrame with one row per point and one
        column per path.  Every path must be cost-only.

    Returns
    -------
    SweepResults
        Its ``frame`` (point, the parameter columns, option, replication, every KPI)
        is identical to ``simkit.experiment.sweep(res.scenario, space, replications, seed).frame``
        run with the replications and seed of ``res``.
    """
    import pandas as pd

    from simkit.experiment.design import Lever, design_points
    from simkit.experiment.results import SweepResults

    if isinstance(space, pd.DataFrame):
        points, design = space.reset_index(drop=True), "custom"
        points.index.name = "point"
    else:
        levers = [Lever.of_values(str(k), list(np.ravel(v))) for k, v in space.items()]
        _check(res, [lv.path for lv in levers])
        points, design = design_points(res.scenario, levers, "grid"), "grid"
    _check(res, [str(c) for c in points.columns])
    order = {name: i for i, name in enumerate(res.scenario.option_names)}
    logs = sorted(res.logs.items(), key=lambda item: (order[item[0][0]], item[0][1]))
    options = list(dict.fromkeys(option for (option, _), _ in logs))
    rows = []
    for point, values in zip(points.index.tolist(), points.to_dict("records"), strict=True):
        changes = {path: (v.item() if hasattr(v, "item") else v) for path, v in values.items()}
        scenario = res.scenario.override(changes)
        for (_, rep), log in logs:
            row, _ = price_log(scenario, log, rep, with_ledger=False)
            rows.append({"point": point, **row})
    if rows:
        frame = pd.DataFrame(rows).astype({"point": "int64", "replication": "int64", "option": "str"})
        params = points.loc[frame["point"].to_numpy()].reset_index(drop=True)
        frame = pd.concat([frame[["point"]], params, frame.drop(columns="point")], axis=1)
    else:
        frame = pd.DataFrame(columns=["point", *points.columns, "option", "replication"])
    reps = sorted({rep for (_, rep) in res.logs})
    meta = {"replications": len(reps), "options": options, "levers": list(points.columns),
            "repriced_from": res.scenario.fingerprint()}
    return SweepResults(res.scenario, res.seed, points, frame, design, meta)
