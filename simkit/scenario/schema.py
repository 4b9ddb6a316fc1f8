"""The scenario schema: every field a scenario file may hold, with its unit and bounds.

The models are frozen pydantic v2 models that reject unknown keys, so a typo
in a YAML file is an error that names the key instead of a silently ignored
setting.  Field names carry their units (``_h`` hours, ``_days``,
``_per_hour``, ``_share`` in [0, 1], money in the scenario currency).
``scenarios/README.md`` documents the same fields for people.
"""

from __future__ import annotations

import functools
import math
from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import Field, field_validator, model_serializer, model_validator

from simkit.calendars.weekly import DAY_NAMES, Calendar
from simkit.scenario.criteria import CriteriaSpec
from simkit.scenario.distributions import DistField
from simkit.scenario.mechanisms import (
    MIN_PRODUCTIVITY,
    ContractSpec,
    DegradationSpec,
    ElasticSpec,
    ExitSpec,
    FxSpec,
    HiringSpec,
    OutageSpec,
    QualitySpec,
    ReviewSpec,
    SharedSpec,
    ShiftSpec,
    SlaSpec,
    TierSpec,
    TransitionSpec,
    _Spec,
)

__all__ = [
    "DistField",
    "RunSpec",
    "CalendarSpec",
    "HolidaysSpec",
    "KindSpec",
    "WorkloadSpec",
    "TeamSpec",
    "VendorSpec",
    "OptionSpec",
    "ScenarioSpec",
]

Name = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)]
Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Money = Annotated[float, Field(ge=0, le=1e15, allow_inf_nan=False)]


class RunSpec(_Spec):
    """How long, how often and how money is counted."""

    horizon_days: float = Field(365.0, gt=0, le=36525)
    warmup_days: float = Field(0.0, ge=0)
    replications: int = Field(20, ge=1, le=100_000)
    seed: int = Field(12345, ge=0, le=2**63 - 1)
    discount_rate_annual: float = Field(0.08, ge=0, le=1)
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    kernel: Literal["auto", "compiled", "fast", "process"] = "auto"  # same numbers on each; see engine.compiled
    start_date: date | None = None

    @model_serializer(mode="wrap")
    def _dump(self, handler):  # noqa: ANN001, ANN202 - pydantic signature
        data = handler(self)
        if self.start_date is None:  # undated: the dump (and every fingerprint) stays what it was
            data.pop("start_date", None)
        if self.kernel == "auto":  # every kernel gives the same numbers: the default stays out of the dump
            data.pop("kernel", None)
        return data

    @field_validator("start_date")
    @classmethod
    def _sensible_year(cls, v: date | None) -> date | None:
        if v is not None and not 1900 <= v.year <= 2200:
            raise ValueError(f"must be a date between 1900-01-01 and 2200-12-31, got {v.isoformat()}")
        return v

    @model_validator(mode="after")
    def _warmup_inside(self) -> RunSpec:
        if self.warmup_days >= self.horizon_days:
            raise ValueError(
                f"warmup_days must be < horizon_days ({self.horizon_days}), got {self.warmup_days}"
            )
        return self


class HolidaysSpec(_Spec):
    """Public holidays of a country (or one of its subdivisions), from the ``holidays`` package."""

    country: str = Field(pattern=r"^[A-Z]{2,3}$")
    subdivision: str | None = Field(None, min_length=1, max_length=10)

    @model_validator(mode="after")
    def _known(self) -> HolidaysSpec:
        from simkit.extras import require

        hol = require("holidays", "calendars.<name>.holidays", "holidays")
        known = hol.list_supported_countries()
        if self.country not in known:
            raise ValueError(f"country '{self.country}' is not one the holidays package knows "
                             "(ISO 3166 codes such as GB, US, DE, FR, IN)")
        subs = known[self.country]
        if self.subdivision is not None and self.subdivision not in subs:
            listed = ", ".join(subs[:40]) + (" ..." if len(subs) > 40 else "") if subs else "none"
            raise ValueError(f"subdivision {self.subdivision[:20]!r} is not one of {self.country}'s: {listed}")
        return self


@functools.lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())  # a walk of the zone files: once


def _zone(name: str) -> str:
    """``name`` if it is an IANA time zone this machine knows, else a one-line error."""
    bad = f"must be an IANA time zone such as Europe/London or America/New_York, got {name[:60]!r}"
    if name != name.strip() or name.startswith(("/", ".")) or ".." in name or len(name) > 60:
        raise ValueError(bad)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(bad) from None
    if name not in _zones() and name != "UTC":
        raise ValueError(bad)
    return name


class CalendarSpec(_Spec):
    """A working week: local opening hours on some days, at a UTC offset or in an IANA time zone.

    ``timezone``, ``holidays`` and ``closed_dates`` need ``run.start_date``: with them the calendar is
    compiled into dated open intervals (:func:`simkit.calendars.dates.compile_calendar`).
    """

    utc_offset_h: float = Field(0.0, ge=-12, le=14)
    timezone: str | None = None
    open_hour: float = Field(0.0, ge=0, le=24)
    close_hour: float = Field(24.0, ge=0, le=24)
    days: tuple[Day, ...] = Field(DAY_NAMES, min_length=1)
    holidays: HolidaysSpec | None = None
    closed_dates: tuple[date, ...] = Field((), max_length=10_000)

    @field_validator("timezone")
    @classmethod
    def _iana(cls, v: str | None) -> str | None:
        return None if v is None else _zone(v)

    @model_serializer(mode="wrap")
    def _dump(self, handler):  # noqa: ANN001, ANN202 - pydantic signature
        data = handler(self)
        for key in ("timezone", "holidays"):  # absent: the dump and fingerprints stay as they were
            if data.get(key) is None:
                data.pop(key, None)
        if not self.closed_dates:
            data.pop("closed_dates", None)
        if self.timezone is not None:  # the zone sets the offset; writing both would be refused on reading
            data.pop("utc_offset_h", None)
        return data

    @property
    def dated(self) -> bool:
        """Whether the calendar needs a start date (a time zone, holidays or closed dates)."""
        return self.timezone is not None or self.holidays is not None or bool(self.closed_dates)

    @field_validator("days")
    @classmethod
    def _unique_days(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(v)) != len(v):
            raise ValueError("days must not repeat a day")
        return v

    @model_validator(mode="after")
    def _not_empty(self) -> CalendarSpec:
        if self.timezone is not None and "utc_offset_h" in self.model_fields_set:
            raise ValueError(f"give either utc_offset_h or timezone, not both (got utc_offset_h {self.utc_offset_h:g} "
                             f"and timezone {self.timezone!r})")
        if self.open_hour == self.close_hour and not (self.open_hour == 0 or self.open_hour == 24):
            raise ValueError(f"open_hour and close_hour are both {self.open_hour}: the calendar is never open")
        return self

    def build(self, extra_h: float = 0.0) -> Calendar:
        """The calendar, with each working day extended by ``extra_h`` hours (overtime)."""
        close = self.close_hour
        if extra_h > 0:  # a day of 24 hours or more is written as close == open
            length = min(((close - self.open_hour) % 24.0 or 24.0) + extra_h, 24.0)
            close = (self.open_hour + length) % 24.0
        return Calendar.weekly(self.utc_offset_h, self.open_hour, close, self.days)


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


class TeamSpec(_Spec):
    """An in-house team: people on shift while its calendar is open, paid for every open hour.

    ``absence_share`` (vacation, sickness, training) is the share of paid open hours nobody is there.
    Whole people cannot be split and a random absence process would draw numbers, so the team's work
    rate is scaled instead: each of the ``staff`` works at ``1 - absence_share`` of full speed while the
    calendar is open.  Capacity and utilisation (up by ``1 / (1 - absence_share)``) are exact, wages
    are unchanged (leave is paid) and no option's random numbers move; against ``staff x (1 - a)``
    whole people, queue waits are somewhat shorter and each service ``1 / (1 - a)`` longer.

    Either ``staff`` people on one ``calendar``, or a roster of ``shifts`` (each with its calendar and
    head count, see :class:`~simkit.scenario.mechanisms.ShiftSpec`); each regular shift's people are paid
    for every open hour of their shift.
    """

    staff: int = Field(0, ge=0, le=100_000)
    calendar: Name = "client"
    loaded_cost_per_hour: Money = 50.0
    overhead_per_fte_month: Money = 0.0
    productivity: float = Field(1.0, ge=MIN_PRODUCTIVITY, le=10)
    clarify_factor: float = Field(1.0, ge=0, le=100)
    quality: QualitySpec | None = None
    fx: FxSpec | None = None
    hiring: HiringSpec | None = None
    overtime_h_per_day: float = Field(0.0, ge=0, le=12)
    overtime_premium: float = Field(0.5, ge=0, le=5)
    absence_share: float = Field(0.0, ge=0, lt=1)

    @property
    def available_share(self) -> float:
        """Share of paid open hours the team is present: ``1 - absence_share``."""
        return 1.0 - self.absence_share
    shifts: tuple[ShiftSpec, ...] | None = Field(None, min_length=1, max_length=24)

    @model_validator(mode="after")
    def _roster(self) -> TeamSpec:
        if self.shifts is None:
            if "staff" not in self.model_fields_set:
                raise ValueError("needs staff (people on its calendar) or shifts (a roster)")
            return self
        given = sorted({"staff", "calendar"} & self.model_fields_set)
        if given:
            raise ValueError(f"a team with shifts takes its head count and hours from them; remove {', '.join(given)}")
        if self.hiring is not None or self.overtime_h_per_day > 0:
            raise ValueError("a team with shifts supports neither hiring nor overtime_h_per_day yet")
        if sum(1 for s in self.shifts if s.on_call) > 1:
            raise ValueError("a roster may have at most one on_call shift")
        if all(s.on_call for s in self.shifts):
            raise ValueError("a roster needs at least one regular (not on_call) shift")
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler):  # noqa: ANN001, ANN202 - pydantic signature
        data = handler(self)
        if self.absence_share == 0.0:  # absent: the dump and fingerprints stay as they were
            data.pop("absence_share", None)
        if self.shifts is None:  # absent: the dump (and every fingerprint) stays what it was before
            data.pop("shifts", None)
        else:  # the head count and hours come from the shifts
            data.pop("staff", None)
            data.pop("calendar", None)
        return data


class VendorSpec(_Spec):
    """A provider: agents on its own calendar, a price scheme and the client's cost of managing it."""

    agents: int = Field(ge=0, le=100_000)
    calendar: Name = "client"
    pricing: Literal["per_item", "per_fte_month", "fixed_plus_per_item"] = "per_item"
    price_per_item: Money = 0.0
    price_per_fte_month: Money = 0.0
    fee_per_month: Money = 0.0
    productivity: float = Field(1.0, ge=MIN_PRODUCTIVITY, le=10)
    governance_share: float = Field(0.05, ge=0, le=1)
    transition_cost: Money = 0.0
    handoff_h: float = Field(0.0, ge=0, le=8760)
    clarify_factor: float = Field(1.0, ge=0, le=100)
    outages: OutageSpec | None = None
    degradation: DegradationSpec | None = None
    exit: ExitSpec | None = None
    quality: QualitySpec | None = None
    sla: SlaSpec | None = None
    transition: TransitionSpec | None = None
    contract: ContractSpec | None = None
    fx: FxSpec | None = None
    shared: SharedSpec | None = None
    elastic: ElasticSpec | None = None
    review: ReviewSpec | None = None

    @model_validator(mode="after")
    def _priced(self) -> VendorSpec:
        need = {
            "per_item": ("price_per_item",),
            "per_fte_month": ("price_per_fte_month",),
            "fixed_plus_per_item": ("fee_per_month", "price_per_item"),
        }[self.pricing]
        unused = {"price_per_item", "price_per_fte_month", "fee_per_month"} - set(need)
        for k in unused:
            if getattr(self, k) != 0:
                raise ValueError(f"{k} is not used by pricing '{self.pricing}' (which uses {', '.join(need)})")
        return self


class OptionSpec(_Spec):
    """One operating model to compare: a team, a vendor, or both with a routing rule."""

    team: Name | None = None
    vendor: Name | None = None
    routing: Literal["overflow", "by_kind", "time_of_day"] | None = None
    overflow_queue: int = Field(0, ge=0, le=10**9)
    vendor_kinds: tuple[Name, ...] = ()
    backup: Name | None = None
    backup_share: float = Field(0.0, ge=0, le=1)
    label: str = ""
    escalation: tuple[TierSpec, ...] | None = Field(None, min_length=1, max_length=2)

    @model_serializer(mode="wrap")
    def _dump(self, handler):  # noqa: ANN001, ANN202 - pydantic signature
        data = handler(self)
        if self.escalation is None:  # absent: the dump (and every fingerprint) stays what it was before
            data.pop("escalation", None)
        return data

    @model_validator(mode="after")
    def _shape(self) -> OptionSpec:
        if self.team is None and self.vendor is None:
            raise ValueError("an option needs a team, a vendor, or both")
        both = self.team is not None and self.vendor is not None
        if both and self.routing is None:
            raise ValueError("an option with a team and a vendor needs routing: overflow, by_kind or time_of_day")
        if not both and self.routing is not None:
            raise ValueError("routing applies only to an option with both a team and a vendor")
        if self.routing == "by_kind" and not self.vendor_kinds:
            raise ValueError("routing by_kind needs vendor_kinds: the item kinds sent to the vendor")
        if self.backup is not None and self.vendor is None:
            raise ValueError("a backup vendor needs a primary vendor")
        if self.backup is not None and self.backup == self.vendor:
            raise ValueError("the backup vendor must differ from the primary vendor")
        if self.backup_share > 0 and self.backup is None:
            raise ValueError("backup_share needs a backup vendor")
        return self


class ScenarioSpec(_Spec):
    """A whole scenario: the question, the workload and the options that answer it."""

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    run: RunSpec = RunSpec()
    calendars: dict[Name, CalendarSpec] = Field(default_factory=lambda: {"client": CalendarSpec()})
    workload: WorkloadSpec
    teams: dict[Name, TeamSpec] = Field(default_factory=dict)
    vendors: dict[Name, VendorSpec] = Field(default_factory=dict)
    options: dict[Name, OptionSpec] = Field(min_length=1)
    baseline: Name | None = None
    asset_specificity: float = Field(0.5, ge=0, le=1)
    criteria: CriteriaSpec | None = None
    sources: dict[str, Annotated[str, Field(min_length=1, max_length=500)]] = Field(default_factory=dict)
