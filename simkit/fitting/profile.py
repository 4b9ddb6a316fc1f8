"""The arrival model fitted to hourly counts: level x weekly profile x month x growth, and its extra spread.

The expected count in local hour ``t`` (observed for ``e_t`` hours) is

    mu_t = e_t x level x P[hour of week] x M[calendar month] x exp(beta x years since the start)

with ``P`` either 168 free values or the product of 24 hour and 7 weekday values, ``M`` fitted only
when at least 12 months are present (and, when no calendar month repeats, only when the months differ
from flat: :mod:`.growth`), and all profiles normalised to mean 1 (so that ``level`` is the
schema's ``rate_per_hour``).  The Poisson maximum-likelihood estimate of a multiplicative model is
found by cycling through the factors (each update matches the observed total of its group exactly, as
iterative proportional fitting does) with a Newton step for ``beta``.

*Which weekly profile*: both are fitted on alternate weeks and scored by Poisson deviance on the
weeks left out (two folds); the 168-value profile is used only when it predicts the held-out weeks
better, so thin data get the smoother separable profile.

*Growth*: ``beta`` is fitted jointly with the other factors (its Newton step uses the information left
after the level, profile and months are profiled out).  Its standard error, the Student-t 95% interval
and the rule for when growth is not estimable at all (a year or less with seasonal months) are in
:mod:`.growth`.  The trend is written to the scenario only when its 95% interval excludes zero.

*Over-dispersion*: daily totals are compared with their fitted expectation; the Pearson dispersion
index ``sum (o - e)^2 / e / days`` is about 1 for a Poisson process.  When it is clearly above 1
(over 1.5, chi-square p < 0.001) the day multiplier's coefficient of variation is the method-of-moments
value ``cv^2 = sum((o - e)^2 - e) / sum(e^2)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simkit.extras import require

stats = require("scipy.stats", "simkit fit", "data")  # one line naming the extra when it is missing

from simkit.fitting.growth import (  # noqa: E402
    FLAT_MONTHS_P,
    day_parameters,
    factor_groups,
    growth_se,
    months_repeat,
    pearson_dispersion,
    residual_years,
    t95,
)
from simkit.fitting.read import History  # noqa: E402

__all__ = ["ArrivalFit", "hourly_counts", "fit_arrivals"]

YEAR_H = 8766.0
MIN_DAYS_FOR_MONTHS = 365
MIN_DAYS_FOR_TREND = 56


@dataclass
class ArrivalFit:
    """The fitted arrival model (see the module docstring); profiles have mean 1."""

    level_per_h: float
    how: np.ndarray
    month: np.ndarray | None
    beta_per_year: float
    beta_se: float
    separable: bool
    deviance: dict[str, float]
    dispersion_index: float
    day_noise_cv: float
    closed_days: list[str]
    holidays: list[str]
    start: pd.Timestamp
    end: pd.Timestamp
    observed_hours: float
    total_items: float
    notes: list[str] = field(default_factory=list)
    growth_df: float = math.inf
    growth_unestimable: str = ""
    """Why the history cannot tell growth (empty when it can); growth is then 0 and has no interval."""

    @property
    def growth_estimable(self) -> bool:
        return not self.growth_unestimable and math.isfinite(self.beta_se) and self.beta_se > 0

    @property
    def growth_ci(self) -> tuple[float, float]:
        """The 95% interval of annual growth (Student t on :attr:`growth_df`); NaNs when not estimable."""
        if not self.growth_estimable:
            return math.nan, math.nan
        half = t95(self.growth_df) * self.beta_se
        return math.expm1(self.beta_per_year - half), math.expm1(self.beta_per_year + half)

    @property
    def growth_annual(self) -> float:
        """The trend written to the scenario: 0 unless its 95% interval excludes no growth."""
        lo, hi = self.growth_ci
        return math.expm1(self.beta_per_year) if lo > 0 or hi < 0 else 0.0


def hourly_counts(hist: History) -> pd.DataFrame:
    """Counts ``y`` and observed hours ``e`` per local wall-clock hour over whole days of the history."""
    if hist.shape == "events":
        hours = hist.times.dt.floor("h")
        first, last = hours.min().normalize(), hours.max().normalize() + pd.Timedelta(days=1)
        idx = pd.date_range(first, last, freq="h", inclusive="left")
        y = hours.value_counts().reindex(idx, fill_value=0).to_numpy(dtype=float)
        e = np.ones(len(idx))
    else:
        hours = hist.times.dt.floor("h")
        grouped = pd.DataFrame({"h": hours, "y": hist.counts}).groupby("h")["y"].agg(["sum", "size"])
        first, last = hours.min().normalize(), hours.max().normalize() + pd.Timedelta(days=1)
        idx = pd.date_range(first, last, freq="h", inclusive="left")
        grouped = grouped.reindex(idx, fill_value=0)
        y = grouped["sum"].to_numpy(dtype=float)
        e = grouped["size"].to_numpy(dtype=float) * hist.interval_min / 60.0
    frame = pd.DataFrame({"y": y, "e": e}, index=idx)
    frame["how"] = idx.day_of_week * 24 + idx.hour
    frame["month"] = idx.month - 1
    frame["years"] = (idx - idx[0]).total_seconds() / 3600.0 / YEAR_H
    frame["day"] = idx.normalize()
    return frame


def _group_update(y: np.ndarray, mu: np.ndarray, groups: np.ndarray, size: int) -> np.ndarray:
    obs = np.bincount(groups, weights=y, minlength=size)
    exp = np.bincount(groups, weights=mu, minlength=size)
    return np.divide(obs, exp, out=np.ones(size), where=exp > 0)


def _fit(frame: pd.DataFrame, separable: bool, months: bool, trend: bool, iterations: int = 60,
         tol: float = 1e-7) -> tuple[np.ndarray, np.ndarray, float, float]:
    """``(P[168], M[12], beta, level)`` maximising the Poisson likelihood on ``frame``.

    Stops when every factor's update is within ``tol`` of 1 and the trend's step below ``tol`` a year.
    """
    y, e = frame["y"].to_numpy(dtype=float), frame["e"].to_numpy(dtype=float)
    how, mon = frame["how"].to_numpy(dtype=np.int64), frame["month"].to_numpy(dtype=np.int64)
    yrs = frame["years"].to_numpy(dtype=float)
    groups = factor_groups(frame, separable, months)
    hour, day = how % 24, how // 24
    hod, dow, pw, mm = np.ones(24), np.ones(7), np.ones(168), np.ones(12)
    beta = 0.0
    level = y.sum() / max(e.sum(), 1e-12)

    def mu() -> np.ndarray:  # reads the current factors
        p = hod[hour] * dow[day] if separable else pw[how]
        return e * level * p * mm[mon] * np.exp(beta * yrs)

    for _ in range(iterations):
        updates = []
        if separable:
            updates.append(_group_update(y, mu(), hour, 24))
            hod *= updates[-1]
            updates.append(_group_update(y, mu(), day, 7))
            dow *= updates[-1]
        else:
            updates.append(_group_update(y, mu(), how, 168))
            pw *= updates[-1]
        if months:
            updates.append(_group_update(y, mu(), mon, 12))
            mm *= updates[-1]
        step = 0.0
        if trend:  # a Newton step on the profile likelihood: the other factors are profiled out
            m = mu()
            xt = residual_years(yrs, m, groups, sweeps=4)
            info = float(np.sum(xt * xt * m))
            step = float(np.sum(xt * (y - m))) / info if info > 0 else 0.0
            beta += step
        level *= y.sum() / max(mu().sum(), 1e-300)
        if abs(step) < tol and max(float(np.abs(u - 1.0).max()) for u in updates) < tol:
            break
    p = np.outer(dow, hod).ravel() if separable else pw
    seen = np.bincount(how, weights=e, minlength=168) > 0
    p = np.where(seen, p, np.nan)
    p = np.where(np.isnan(p), np.nanmean(p) if np.isfinite(np.nanmean(p)) else 1.0, p)
    mm = mm if months else np.ones(12)
    scale_p, scale_m = p.mean(), mm[np.bincount(mon, minlength=12) > 0].mean() if months else 1.0
    return p / scale_p, mm / scale_m, beta, level * scale_p * scale_m


def _mu(frame: pd.DataFrame, p: np.ndarray, m: np.ndarray, beta: float, level: float) -> np.ndarray:
    return (frame["e"].to_numpy() * level * p[frame["how"].to_numpy()] * m[frame["month"].to_numpy()]
            * np.exp(beta * frame["years"].to_numpy()))


def _deviance(y: np.ndarray, mu: np.ndarray) -> float:
    mu = np.maximum(mu, 1e-9)
    term = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0) / mu), 0.0) - (y - mu)
    return float(2.0 * term.sum())


def _held_out(frame: pd.DataFrame, months: bool, trend: bool) -> dict[str, float]:
    week = ((frame.index - frame.index[0]).days // 7).to_numpy() % 2
    out = {}
    for name, separable in (("168 hour-of-week values", False), ("separable hour x weekday", True)):
        total = 0.0
        for fold in (0, 1):
            train, test = frame[(week != fold) & (frame["e"] > 0)], frame[(week == fold) & (frame["e"] > 0)]
            p, m, beta, level = _fit(train, separable, months, trend, iterations=25)
            total += _deviance(test["y"].to_numpy(), _mu(test, p, m, beta, level))
        out[name] = total
    return out


def _daily(frame: pd.DataFrame, mu: np.ndarray) -> pd.DataFrame:
    d = pd.DataFrame({"day": frame["day"], "o": frame["y"], "e": mu, "h": frame["e"]}).groupby("day").sum()
    return d[d["h"] >= 23]  # whole days (a daylight-saving day has 23 or 25 hours)


def _dispersion(daily: pd.DataFrame) -> tuple[float, float]:
    d = daily[daily["e"] > 1e-9]
    if len(d) < 14:
        return 1.0, 0.0
    x2 = float((((d["o"] - d["e"]) ** 2) / d["e"]).sum())
    index = x2 / len(d)
    if index <= 1.5 or stats.chi2.sf(x2, len(d)) >= 1e-3:
        return index, 0.0
    cv2 = float((((d["o"] - d["e"]) ** 2) - d["e"]).sum() / (d["e"] ** 2).sum())
    return index, math.sqrt(max(cv2, 0.0))


def _months_or_trend(frame: pd.DataFrame, separable: bool, notes: list[str]) -> tuple[bool, bool, str]:
    """``(months, trend, why growth is not estimable)`` for a history of 365+ days (see :mod:`.growth`)."""
    if months_repeat(frame):
        return True, True, ""
    with_m, without_m = _fit(frame, separable, True, True), _fit(frame, separable, False, True)
    mu_with, mu_without = _mu(frame, *with_m), _mu(frame, *without_m)
    y = frame["y"].to_numpy()
    k = day_parameters(frame, True, True) - day_parameters(frame, False, True)
    phi, df = pearson_dispersion(_daily(frame, mu_with), day_parameters(frame, True, True))
    f_stat = max(_deviance(y, mu_without) - _deviance(y, mu_with), 0.0) / max(k, 1) / phi
    p_flat = float(stats.f.sf(f_stat, max(k, 1), df))
    if p_flat >= FLAT_MONTHS_P:
        notes.append(f"month-of-year multipliers: flat (no calendar month seen in two years, and the months do not "
                     f"differ from flat: F test p = {p_flat:.2f}); growth is fitted from within-year variation")
        return False, True, ""
    why = (f"growth: not estimable, 0 written (no calendar month seen in two years, and the months differ "
           f"(F test p = {p_flat:.2g}), so a trend cannot be told from the season; 13+ months are needed)")
    notes.append(why)
    return True, False, why


def fit_arrivals(hist: History) -> ArrivalFit:
    """Fit the arrival model of the module docstring to a cleaned history."""
    frame = hourly_counts(hist)
    observed = frame[frame["e"] > 0]
    days = observed["day"].nunique()
    months = days >= MIN_DAYS_FOR_MONTHS
    trend = days >= MIN_DAYS_FOR_TREND
    notes, unestimable = [], ""
    if not months:
        notes.append(f"month-of-year multipliers: flat ({days} days observed; at least {MIN_DAYS_FOR_MONTHS} needed); "
                     "growth is fitted from within-period variation, so a seasonal swing would read as growth")
    if not trend:
        unestimable = (f"growth: not estimated, 0 written; only {days} days of data (at least {MIN_DAYS_FOR_TREND}; "
                       "the back-test tolerances hold from 8 weeks on; volume and profile from less are rough)")
        notes.append(unestimable)
    deviance = _held_out(frame, months, trend) if days >= 14 else {}
    separable = not deviance or deviance["separable hour x weekday"] <= deviance["168 hour-of-week values"]
    if months and trend:
        months, trend, unestimable = _months_or_trend(frame, separable, notes)
    p, m, beta, level = _fit(frame, separable, months, trend)
    mu = _mu(frame, p, m, beta, level)
    daily = _daily(frame, mu)
    quiet = (daily["e"] >= 5) & (daily["o"] <= 0.1 * daily["e"])  # holidays: left out of the spread
    index, cv = _dispersion(daily[~quiet])
    se, df = math.inf, math.inf
    if trend:
        xt = residual_years(frame["years"].to_numpy(dtype=float), mu, factor_groups(frame, separable, months))
        se, df = growth_se(frame, mu, xt, daily[~quiet], day_parameters(frame, months, True))
        if abs(beta) < t95(df) * se:  # no clear trend: refit the level without one
            notes.append("growth: the 95% interval includes 0, so the level is fitted without a trend")
            p, m, _, level = _fit(frame, separable, months, False)
    else:
        beta = 0.0
    day_share = p.reshape(7, 24).mean(axis=1)
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    closed = [names[d] for d in range(7) if day_share[d] < 0.01]
    holidays = [d.strftime("%Y-%m-%d") for d in daily.index[quiet]]
    return ArrivalFit(level, p, m if months else None, beta, se, separable, deviance, index, cv, closed, holidays,
                      frame.index[0], frame.index[-1] + pd.Timedelta(hours=1), float(observed["e"].sum()),
                      float(frame["y"].sum()), notes, df, unestimable)
