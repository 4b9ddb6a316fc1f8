"""The reference problem, M/M/c FIFO, and the yardstick every implementation is checked against.

An M/M/c queue has Poisson arrivals at rate ``lambda``, exponential service
with mean ``1 / mu`` and ``c`` servers.  Erlang C gives the probability that an
arrival waits, ``C(c, a)`` with offered load ``a = lambda / mu``, and the mean
wait ``Wq = C(c, a) / (c mu - lambda)``.

One long run yields strongly autocorrelated waits (a long queue now means a
long queue a minute later), so the naive standard error is far too small.
:func:`wait_stats` uses *batch means*: cut the measured waits, in arrival
order, into ``batches`` consecutive blocks; the block means are nearly
independent, and their spread gives an honest confidence interval.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats

from simkit import analytic

__all__ = ["MMCProblem", "WaitStats", "wait_stats", "WAITED_EPS_H"]

WAITED_EPS_H = 1e-9  # a wait shorter than this is rounding error of the clock, not a wait


@dataclass(frozen=True)
class MMCProblem:
    """An M/M/c FIFO queue run for a number of items after a warm-up.

    Parameters
    ----------
    servers
        ``c``.
    arrival_rate_per_h
        ``lambda``.
    service_mean_h
        ``1 / mu``.
    warmup_items, measured_items
        Expected items before and after the end of the warm-up.
    """

    servers: int = 20
    arrival_rate_per_h: float = 18.0
    service_mean_h: float = 1.0
    warmup_items: int = 10_000
    measured_items: int = 200_000

    @property
    def utilisation(self) -> float:
        return self.arrival_rate_per_h * self.service_mean_h / self.servers

    @property
    def warmup_h(self) -> float:
        return self.warmup_items / self.arrival_rate_per_h

    @property
    def horizon_h(self) -> float:
        return (self.warmup_items + self.measured_items) / self.arrival_rate_per_h

    @property
    def erlang_c_wait_mean_h(self) -> float:
        return analytic.mmc_wait_mean_h(self.servers, self.arrival_rate_per_h, self.service_mean_h)

    @property
    def erlang_c_p_wait(self) -> float:
        return analytic.erlang_c(self.servers, self.arrival_rate_per_h * self.service_mean_h)


@dataclass(frozen=True)
class WaitStats:
    """Measured waits of one run, with a batch-means 95% confidence interval of the mean."""

    items: int
    wait_mean_h: float
    ci_low_h: float
    ci_high_h: float
    waited_share: float
    erlang_c_wait_mean_h: float
    erlang_c_p_wait: float

    @property
    def agrees(self) -> bool:
        """Whether Erlang C's mean wait lies inside the 95% interval."""
        return self.ci_low_h <= self.erlang_c_wait_mean_h <= self.ci_high_h

    @property
    def z_score(self) -> float:
        """Distance of the estimate from Erlang C in standard errors (signed)."""
        se = (self.ci_high_h - self.ci_low_h) / (2.0 * 1.96)
        return (self.wait_mean_h - self.erlang_c_wait_mean_h) / se if se > 0 else float("inf")

    def to_dict(self) -> dict[str, float | int | bool]:
        return {**asdict(self), "agrees": self.agrees, "z_score": self.z_score}


def wait_stats(waits_h: np.ndarray, problem: MMCProblem, batches: int = 20) -> WaitStats:
    """Mean wait with a batch-means 95% interval (Student t on ``batches - 1`` degrees of freedom).

    Parameters
    ----------
    waits_h
        Waits in queue of the measured items, in arrival order.
    problem
        The queue, for its Erlang C values.
    batches
        Number of consecutive blocks; each should span many relaxation times of the queue.
    """
    w = np.asarray(waits_h, dtype=float)
    if w.size < 2 * batches:
        raise ValueError(f"need at least {2 * batches} waits for {batches} batches, got {w.size}")
    size = w.size // batches
    means = w[: size * batches].reshape(batches, size).mean(axis=1)
    half = float(stats.t.ppf(0.975, batches - 1) * means.std(ddof=1) / np.sqrt(batches))
    mean = float(w.mean())
    return WaitStats(int(w.size), mean, mean - half, mean + half, float(np.mean(w > WAITED_EPS_H)),
                     problem.erlang_c_wait_mean_h, problem.erlang_c_p_wait)
