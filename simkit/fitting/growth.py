"""The growth estimate's standard error, and when a history can tell growth from seasonality at all.

*Standard error.*  The trend ``beta`` shares the data with the level, the weekly profile and (when
fitted) the month multipliers, so its information is that of the *residual* of years since the start
after its ``mu``-weighted projection on those factors (:func:`residual_years`):
``I = sum mu x~^2``.  Profiling out the level alone, as a plain Poisson standard error does, overstates
``I`` badly when months are fitted: over a single year the month multipliers absorb almost all of the
trend.  The score ``U = sum x~ (y - mu)`` then has the variance of the model the scenario simulates —
Poisson within a day, times an independent gamma day multiplier of coefficient of variation ``cv``::

    Var U = sum_t x~_t^2 mu_t + cv^2 sum_days (sum_{t in day} x~_t mu_t)^2

with ``cv^2`` the method-of-moments value from daily totals, corrected for the fitted day-level
parameters and not truncated to "clearly over-dispersed".  ``se = sqrt(Var U) / I``; the 95% interval
uses Student's t on ``days - parameters`` degrees of freedom, because ``cv`` is itself estimated.

*Identifiability* (:func:`months_repeat`; the test is in :mod:`.profile`).  Month multipliers are fitted from
365 observed days on.  A trend and month-of-year effects can be told apart only when some calendar
month is seen in two different years (at least :data:`REPEAT_DAYS` days in each).  Without that, the
month multipliers are tested against flat (quasi-likelihood F test, 5%): if they are flat they are
written flat and the trend is fitted from within-year variation; otherwise growth is *not
estimable*, 0 is written and the notes say so.  Below 365 days months are flat by construction, and
the trend is fitted from within-period variation: a seasonal swing in so short a history cannot be
told from growth, which the notes also say.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simkit.stats.tdist import t_quantile

__all__ = ["REPEAT_DAYS", "FLAT_MONTHS_P", "factor_groups", "residual_years", "growth_se", "months_repeat",
           "day_parameters", "pearson_dispersion", "t95"]

REPEAT_DAYS = 14
"""Days a calendar month needs in each of two years before it tells a trend from the season."""
FLAT_MONTHS_P = 0.05
"""Month multipliers are taken as flat when the F test's p-value is at least this."""


def factor_groups(frame: pd.DataFrame, separable: bool, months: bool) -> list[tuple[np.ndarray, int]]:
    """The nuisance factors as ``(group index per hour, number of groups)``: weekly profile, then months."""
    how = frame["how"].to_numpy(dtype=np.int64)
    out = [(how % 24, 24), (how // 24, 7)] if separable else [(how, 168)]
    if months:
        out.append((frame["month"].to_numpy(dtype=np.int64), 12))
    return out


def residual_years(years: np.ndarray, mu: np.ndarray, groups: list[tuple[np.ndarray, int]],
                   sweeps: int = 60, tol: float = 1e-12) -> np.ndarray:
    """Years since the start minus their ``mu``-weighted least-squares fit on the factor indicators.

    Backfitting: each sweep removes the weighted group means of the residual, factor by factor; the
    factors (hour of week and month) are nearly orthogonal, so a few sweeps converge.
    """
    r = np.array(years, dtype=float)
    weights = [np.bincount(g, weights=mu, minlength=size) for g, size in groups]
    for _ in range(sweeps):
        largest = 0.0
        for (g, size), w in zip(groups, weights, strict=True):
            s = np.bincount(g, weights=mu * r, minlength=size)
            shift = np.divide(s, w, out=np.zeros(size), where=w > 0)
            r -= shift[g]
            largest = max(largest, float(np.abs(shift).max()))
        if largest < tol:
            break
    return r


def day_parameters(frame: pd.DataFrame, months: bool, trend: bool) -> int:
    """Parameters that constrain daily totals: seven weekday totals, the months present beyond one, the trend."""
    present = int((np.bincount(frame["month"].to_numpy(), weights=frame["e"].to_numpy(), minlength=12) > 0).sum())
    return 7 + (present - 1 if months else 0) + (1 if trend else 0)


def growth_se(frame: pd.DataFrame, mu: np.ndarray, xt: np.ndarray, daily: pd.DataFrame,
              parameters: int) -> tuple[float, int]:
    """``(se of beta, degrees of freedom)`` under Poisson-within-day times a gamma day multiplier.

    ``daily`` holds the whole days used for the spread (``o`` observed, ``e`` expected); holidays are
    left out of it by the caller, as they are of the dispersion index.
    """
    info = float(np.sum(mu * xt * xt))
    if info <= 0:
        return math.inf, 1
    d = daily[daily["e"] > 1e-9]
    df = max(len(d) - parameters, 1)
    cv2 = 0.0
    if len(d) > parameters:
        resid2 = float(((d["o"] - d["e"]) ** 2).sum()) * len(d) / df
        cv2 = max(resid2 - float(d["e"].sum()), 0.0) / float((d["e"] ** 2).sum())
    per_day = pd.Series(xt * mu).groupby(frame["day"].to_numpy()).sum().to_numpy()
    var_score = info + cv2 * float(np.sum(per_day**2))
    return math.sqrt(var_score) / info, df


def t95(df: float) -> float:
    """The two-sided 95% Student-t quantile (1.96 as ``df`` grows)."""
    return float(t_quantile(max(df, 1.0), 0.975))


def months_repeat(frame: pd.DataFrame) -> bool:
    """Whether some calendar month has at least :data:`REPEAT_DAYS` observed days in each of two years."""
    obs = frame[frame["e"] > 0]
    days = pd.DataFrame({"day": obs["day"].to_numpy()}).drop_duplicates()["day"]
    per = pd.Series(1, index=pd.MultiIndex.from_arrays([days.dt.month, days.dt.year])).groupby(level=[0, 1]).sum()
    years_with = (per >= REPEAT_DAYS).groupby(level=0).sum()
    return bool((years_with >= 2).any())


def pearson_dispersion(daily: pd.DataFrame, parameters: int) -> tuple[float, int]:
    """``(phi, df)``: Pearson chi-square of daily totals over its degrees of freedom, at least 1."""
    d = daily[daily["e"] > 1e-9]
    df = max(len(d) - parameters, 1)
    return max(float((((d["o"] - d["e"]) ** 2) / d["e"]).sum()) / df, 1.0), df
