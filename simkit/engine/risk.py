"""Risk processes: when a provider is down, slowed, or gone — drawn before the run.

Outages, degradation episodes and exits do not depend on the queue, so they
are drawn up front from their own streams (``"outage:<name>"``,
``"degradation:<name>"``, ``"exit:<name>"``) as alternating renewal processes
and one exit time, and folded into the pool's
:class:`~simkit.calendars.timeline.CapacityTimeline`.  A pool's servers then simply find
no capacity while it is down, less while it is degraded, and none after an exit.

* availability of an up/down renewal process is ``MTBF / (MTBF + MTTR)``;
* with a constant annual hazard ``h`` the exit time is exponential, so
  ``P(no exit by T years) = exp(-h T)``.
"""

from __future__ import annotations

import math

import numpy as np

from simkit.scenario.mechanisms import DegradationSpec, ExitSpec, FxSpec, OutageSpec
from simkit.units import HOURS_PER_MONTH, HOURS_PER_YEAR

__all__ = ["alternating_intervals", "outage_intervals", "degradation_intervals", "exit_time_h", "exit_cause",
           "wright_factors", "fx_path"]

MIN_UP_H = 1e-9
"""The shortest up time between two down intervals: a drawn zero would put a repair's end and the next
failure at one instant, two intervals where there is one."""

SAME_TIME_H = 1e-9
"""Two times this close are one: an exit this near the termination date is the termination."""

MONTHS_PER_YEAR = 12
"""Exchange rates move once a month: an annual drift or volatility is spread over this many steps."""


def alternating_intervals(up: object, down: object, horizon_h: float, rng: np.random.Generator,
                          block: int = 64) -> list[tuple[float, float]]:
    """Down intervals of an up/down renewal process starting up at time 0, up to ``horizon_h``."""
    out: list[tuple[float, float]] = []
    t = 0.0
    while t < horizon_h:
        ups = up.sample(rng, block)  # type: ignore[attr-defined]
        downs = down.sample(rng, block)  # type: ignore[attr-defined]
        for u, d in zip(ups.tolist(), downs.tolist(), strict=True):
            start = t + max(u, MIN_UP_H)
            if start >= horizon_h:
                return out
            end = start + d
            if d > 0:
                out.append((start, end))
            t = end
    return out


def outage_intervals(spec: OutageSpec, horizon_h: float, rng: np.random.Generator) -> list[tuple[float, float]]:
    """When the provider is down (it serves nothing)."""
    return alternating_intervals(spec.time_between_h, spec.repair_h, horizon_h, rng)


def degradation_intervals(spec: DegradationSpec, horizon_h: float,
                          rng: np.random.Generator) -> list[tuple[float, float]]:
    """Episodes of reduced productivity and more defects."""
    return alternating_intervals(spec.time_between_h, spec.duration_h, horizon_h, rng)


def exit_time_h(spec: ExitSpec, window_start_h: float, rng: np.random.Generator) -> float:
    """When the provider leaves: the earlier of an insolvency (exponential at the annual hazard) and
    the client's termination date; ``inf`` if neither happens."""
    t = math.inf
    if spec.hazard_per_year > 0:
        t = window_start_h + rng.exponential(HOURS_PER_YEAR / spec.hazard_per_year)
    else:
        rng.exponential(1.0)  # keep the stream's position independent of the hazard
    if spec.terminate_at_month is not None:
        t = min(t, window_start_h + spec.terminate_at_month * HOURS_PER_MONTH)
    return t


def exit_cause(spec: ExitSpec, t_exit_h: float, window_start_h: float) -> str:
    """Why the provider left at ``t_exit_h`` (from :func:`exit_time_h`): ``"termination"`` when that is the
    client's termination date, else ``"insolvency"``."""
    if spec.terminate_at_month is not None and abs(
            t_exit_h - (window_start_h + spec.terminate_at_month * HOURS_PER_MONTH)) < SAME_TIME_H:
        return "termination"
    return "insolvency"


def wright_factors(start_productivity: float, learning_rate: float, months: int) -> list[float]:
    """Monthly productivity on Wright's learning curve, capped at 1.

    Unit time falls to ``learning_rate`` of itself with each doubling of experience, so
    productivity in month ``m`` (0-based) is ``start * (m + 1) ** -log2(learning_rate)``.
    """
    b = -math.log2(learning_rate) if learning_rate < 1 else 0.0
    return [min(1.0, start_productivity * (m + 1) ** b) for m in range(months)]


def fx_path(spec: FxSpec, months: int, rng: np.random.Generator) -> np.ndarray:
    """Monthly exchange-rate multipliers of a geometric Brownian motion, month 0 = 1.

    ``log m(t+1) - log m(t) ~ N((mu - sigma^2 / 2) / 12, sigma / sqrt(12))``, so
    ``E[m(t)] = exp(mu t / 12)``: no drift means no expected gain or loss.
    """
    mu, sigma = spec.drift_annual, spec.volatility_annual
    steps = rng.normal((mu - sigma * sigma / 2.0) / MONTHS_PER_YEAR, sigma / math.sqrt(MONTHS_PER_YEAR),
                       max(months - 1, 0))
    return np.exp(np.concatenate([[0.0], np.cumsum(steps)]))[:max(months, 0)]
