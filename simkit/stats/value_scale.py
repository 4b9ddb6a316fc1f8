"""Absolute value functions for ranking: every KPI on a scale that does not depend on which options are compared.

A ranking that rescales each KPI from the worst option (0) to the best (1) turns a 10 % cost gap into a
score gap of 1.0, and its scores change when a third option is added or removed.  Here every KPI is valued
linearly from ``worst`` (0) to ``best`` (1), clipped outside, on ends fixed before looking at the options:

* **the user's ends** where the scenario's ``criteria:`` section gives a ``worst`` and ``best`` for the KPI;
* otherwise a **default scale** by the KPI's unit (:func:`default_scale`):

  - *money and counts* (``currency``, ``currency per item``, ``items``, ``count``): relative to the
    baseline option's mean of the same KPI, ``m``: ``worst = m + COST_SPAN * s`` and ``best = m - COST_SPAN * s``
    with ``s = |m|`` (for money when ``m`` is 0: the baseline's mean total cost; for counts: at least 1).
    With :data:`COST_SPAN` = 0.5 the baseline scores 0.5, an option 50 % cheaper 1 and 50 % dearer 0, so a
    cost gap of ``g`` (a share of the baseline's cost) is a value gap of ``g / (2 * COST_SPAN) = g``;
  - *shares* (0 to 1): the share itself where more is better, one minus it where less is;
  - *hours*: 0 h is best, :data:`TIME_SPAN` times the longest SLA target of the scenario's item kinds is worst
    (without a scenario: relative to the baseline, as for money).

The baseline is an option's reference, not a member of the comparison: adding or removing any other option
changes no option's values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simkit.accounting import registry as registry

if TYPE_CHECKING:
    from simkit.scenario.model import Scenario

__all__ = ["COST_SPAN", "TIME_SPAN", "default_scale", "value_scales", "kpi_values", "criteria_scales",
           "longest_sla_h"]

COST_SPAN = 0.5
"""Money and counts: the baseline's mean +- this share of it spans the scale (value 0.5 at the baseline)."""
TIME_SPAN = 2.0
"""Hours: from 0 h (value 1) to this multiple of the scenario's longest SLA target (value 0)."""


def default_scale(column: str, baseline_mean: float, sla_h: float | None = None,
                  money_reference: float | None = None) -> tuple[float, float]:
    """The default ``(worst, best)`` of ``column`` (see the module notes).

    Parameters
    ----------
    column
        A KPI column with a direction, or a cost CVaR column (``cost_cvar_usd_95``: money, less is better).
    baseline_mean
        The baseline option's mean of ``column``.
    sla_h
        The scenario's longest SLA target in hours (``None``: times are scaled like money).
    money_reference
        The baseline's mean total cost: the size of a money scale whose own baseline mean is 0.
    """
    kpi = registry.lookup(column)
    unit = kpi.unit if kpi is not None else "currency"
    direction = kpi.direction if kpi is not None else -1
    if direction == 0:
        raise ValueError(f"'{column}' has no better direction, so it has no value scale")
    if unit == "share":
        return (0.0, 1.0) if direction > 0 else (1.0, 0.0)
    if unit == "h" and sla_h is not None and sla_h > 0:
        return (TIME_SPAN * sla_h, 0.0) if direction < 0 else (0.0, TIME_SPAN * sla_h)
    m = float(baseline_mean)
    size = abs(m)
    if unit in ("items", "count", "people"):
        size = max(size, 1.0)
    elif size <= 1e-12:
        size = abs(float(money_reference or 0.0)) or 1.0
    half = COST_SPAN * size
    return (m + half, m - half) if direction < 0 else (m - half, m + half)


def kpi_values(x: pd.Series | pd.DataFrame | np.ndarray | float, worst: float, best: float):
    """Linear value of ``x`` on ``worst`` (0) to ``best`` (1), clipped to [0, 1]."""
    return np.clip((x - worst) / (best - worst), 0.0, 1.0)


def value_scales(baseline_means: pd.Series, columns: list[str], sla_h: float | None = None,
                 given: Mapping[str, tuple[float, float]] | None = None,
                 cost_column: str | None = None) -> dict[str, tuple[float, float]]:
    """``{column: (worst, best)}``: the user's ends where ``given`` has them, else :func:`default_scale`."""
    given = dict(given or {})
    ref = float(baseline_means.get(cost_column, 0.0)) if cost_column else None
    return {col: tuple(given[col]) if col in given else
            default_scale(col, float(baseline_means.get(col, 0.0)), sla_h, ref) for col in columns}


def criteria_scales(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """The ``(worst, best)`` the scenario's ``criteria.kpis`` set, by KPI column (empty without criteria)."""
    from simkit.stats.scorecard import kpi_column

    spec = scenario.criteria
    if spec is None:
        return {}
    out = {}
    for key, v in spec.kpis.items():
        col = kpi_column(key, scenario.currency_suffix)
        if col is not None:
            out[col] = (float(v.worst), float(v.best))
    return out


def longest_sla_h(scenario: Scenario) -> float:
    """The longest SLA target (hours) of the scenario's item kinds: the scale of every time KPI."""
    return max(float(k.sla_h) for k in scenario.workload.kinds.values())
