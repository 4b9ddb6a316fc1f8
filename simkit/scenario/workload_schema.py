"""The schema of the work: item kinds and the arrival stream (base rate or annual volume, profiles, growth).

Part of the scenario schema (:mod:`simkit.scenario.schema` re-exports every name): ``workload`` and
``workload.kinds.<name>``, with :func:`profile_integral_h`, the expected items per unit of base rate that both the
annual volume and the pre-flight size checks rest on.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import Field, field_validator, model_serializer, model_validator

from simkit.scenario.distributions import DistField
from simkit.scenario.mechanisms import Money, PoolName, _Spec

__all__ = ["KindSpec", "WorkloadSpec", "Multipliers", "MAX_RATE_PER_HOUR", "profile_integral_h"]

Name = PoolName

class KindSpec(_Spec):
    """One kind of work item: how common, how much effort, how urgent."""

    share: float = Field(gt=0, le=1e6)
    effort_h: DistField
    priority: int = Field(1, ge=0, le=9)
    sla_h: float = Field(24.0, gt=0)
    clarify_share: float = Field(0.0, ge=0, le=1)
    clarify_max_rounds: int = Field(3, ge=1, le=20)
    patience_h: DistField | None = None
    late_cost_per_h: Money = 0.0
    abandon_cost: Money = 0.0


Multipliers = Annotated[tuple[Annotated[float, Field(ge=0, le=1e3)], ...], Field()]


_HOURS_PER_YEAR = 8766.0  # 365.25 days, as simkit.units.HOURS_PER_YEAR
MAX_RATE_PER_HOUR = 1e5


def _mean_of(values: tuple[float, ...] | None) -> float:
    return 1.0 if values is None else sum(values) / len(values)


def _growth_integral_h(log_g: float, a_h: float, b_h: float) -> float:
    """``integral_a^b (1 + g) ** (t / year) dt`` with ``log_g = ln(1 + g)``."""
    x = log_g * (b_h - a_h) / _HOURS_PER_YEAR
    try:
        start = math.exp(log_g * a_h / _HOURS_PER_YEAR)
        return (b_h - a_h) * start * (math.expm1(x) / x if x != 0.0 else 1.0)
    except OverflowError:
        return math.inf


def profile_integral_h(hour_of_day: tuple[float, ...] | None, day_of_week: tuple[float, ...] | None,
                       month_of_year: tuple[float, ...] | None, growth_annual: float, horizon_h: float,
                       hour_of_week: tuple[float, ...] | None = None) -> float:
    """``integral_0^H profile(t) x (1 + g) ** (t / year) dt`` in hours: expected items per unit of base rate.

    Months are twelfths of a 365.25-day year, so the month multipliers and the growth factor integrate
    exactly month by month (a December peak in a growing workload weighs more than a January one).  Hour
    and weekday multipliers enter through their means, exact over whole weeks; within a week growth
    changes the rate by at most ``(1 + g) ** (1 / 52)`` (0.4% at 25% a year), so the remaining error is
    far below what one simulated year can resolve.
    """
    flat = _mean_of(hour_of_day) * _mean_of(day_of_week) * _mean_of(hour_of_week)
    log_g = math.log1p(growth_annual)
    if month_of_year is None:
        return flat * _growth_integral_h(log_g, 0.0, horizon_h)
    month_h = _HOURS_PER_YEAR / 12.0
    total, k = 0.0, 0
    whole_years = int(horizon_h // _HOURS_PER_YEAR)
    if whole_years > 0:  # one year's months, scaled by the geometric sum over the years
        one = sum(m * _growth_integral_h(log_g, i * month_h, (i + 1) * month_h) for i, m in enumerate(month_of_year))
        ratio = math.exp(log_g) if log_g else 1.0
        try:
            years = whole_years if ratio == 1.0 else (ratio ** whole_years - 1.0) / (ratio - 1.0)
        except OverflowError:
            return math.inf
        total, k = one * years, 12 * whole_years
    while k * month_h < horizon_h:
        total += month_of_year[k % 12] * _growth_integral_h(log_g, k * month_h, min((k + 1) * month_h, horizon_h))
        k += 1
    return flat * total


class WorkloadSpec(_Spec):
    """The stream of work: a base arrival rate shaped by time of day, week and year.

    The volume is given either as ``rate_per_hour`` (the base rate the multipliers scale) or as
    ``annual_volume`` (items in the first year), from which the base rate is derived so that the
    expected first-year count equals what was written whatever the multipliers average:
    ``rate_per_hour = annual_volume / integral over the first 8766 h of the profile x growth``
    (:func:`profile_integral_h`, the same integral :func:`simkit.scenario.preflight.expected_items` uses).
    ``hour_of_week`` (168 multipliers, Monday 00-01 first) shapes a week whose hours differ by day
    (a Saturday morning peak); it multiplies with the other profiles, which are usually left out then.
    """

    rate_per_hour: float | None = Field(None, ge=0, le=MAX_RATE_PER_HOUR)
    annual_volume: float | None = Field(None, ge=0, le=1e9)
    calendar: Name = "client"
    hour_of_day: Multipliers | None = None
    day_of_week: Multipliers | None = None
    hour_of_week: Multipliers | None = None
    month_of_year: Multipliers | None = None
    growth_annual: float = Field(0.0, gt=-1, le=10)
    day_noise_cv: float = Field(0.0, ge=0, le=3)
    kinds: dict[Name, KindSpec] = Field(min_length=1)

    @property
    def profile_mean(self) -> float:
        """Mean of the hour x weekday x month multipliers over a year (1 for a flat profile)."""
        return (_mean_of(self.hour_of_day) * _mean_of(self.day_of_week) * _mean_of(self.hour_of_week)
                * _mean_of(self.month_of_year))

    def items_per_rate(self, horizon_h: float) -> float:
        """Expected items on ``[0, horizon_h)`` per item/h of base rate (see :func:`profile_integral_h`)."""
        return profile_integral_h(self.hour_of_day, self.day_of_week, self.month_of_year, self.growth_annual,
                                  horizon_h, self.hour_of_week)

    @property
    def implied_annual_volume(self) -> float:
        """Expected items in the first year that the base rate and profile produce."""
        return float(self.rate_per_hour or 0.0) * self.items_per_rate(_HOURS_PER_YEAR)

    @model_validator(mode="after")
    def _volume(self) -> WorkloadSpec:
        if self.rate_per_hour is None and self.annual_volume is None:
            raise ValueError("needs rate_per_hour (items per hour) or annual_volume (items a year)")
        if self.rate_per_hour is not None and self.annual_volume is not None:
            raise ValueError("give either rate_per_hour or annual_volume, not both")
        if self.annual_volume is not None:
            rate = self.annual_volume / self.items_per_rate(_HOURS_PER_YEAR)
            if rate > MAX_RATE_PER_HOUR:
                raise ValueError(f"annual_volume {self.annual_volume:g} with this profile needs a base rate of "
                                 f"{rate:,.0f} items/h; at most {MAX_RATE_PER_HOUR:,.0f} is allowed")
            object.__setattr__(self, "rate_per_hour", rate)  # derived once; the model stays frozen
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler):  # noqa: ANN001, ANN202 - pydantic signature
        data = handler(self)
        if self.annual_volume is not None:  # the rate is derived: dumping it would freeze it against overrides
            data.pop("rate_per_hour", None)
        else:  # absent: the dump (and every fingerprint) stays what it was before the field existed
            data.pop("annual_volume", None)
        if self.hour_of_week is None:
            data.pop("hour_of_week", None)
        if self.day_noise_cv == 0.0:  # off: as above
            data.pop("day_noise_cv", None)
        return data

    @field_validator("hour_of_day", "day_of_week", "hour_of_week", "month_of_year")
    @classmethod
    def _lengths(cls, v, info):  # noqa: ANN001 - pydantic signature
        want = {"hour_of_day": 24, "day_of_week": 7, "hour_of_week": 168, "month_of_year": 12}[info.field_name]
        if v is not None:
            if len(v) != want:
                raise ValueError(f"needs {want} multipliers, got {len(v)}")
            if max(v) <= 0:
                raise ValueError("multipliers must not all be zero")
        return v
