"""The scenario schema: every field a scenario file may hold, with its unit and bounds.

The sections live by concern: the working weeks in :mod:`simkit.scenario.calendar_schema`, the work in
:mod:`simkit.scenario.workload_schema`, the optional mechanisms in :mod:`simkit.scenario.mechanisms`; this
module holds the run, the teams, the vendors, the options and the whole scenario, and every name is importable
from here.  Each field carries its facts from the field registry (:mod:`simkit.scenario.facts`).

The models are frozen pydantic v2 models that reject unknown keys, so a typo
in a YAML file is an error that names the key instead of a silently ignored
setting.  Field names carry their units (``_h`` hours, ``_days``,
``_per_hour``, ``_share`` in [0, 1], money in the scenario currency).
``scenarios/README.md`` documents the same fields for people.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_serializer, model_validator

from simkit.scenario.calendar_schema import CalendarSpec, Day, HolidaysSpec
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
from simkit.scenario.workload_schema import MAX_RATE_PER_HOUR, KindSpec, Multipliers, WorkloadSpec, profile_integral_h

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
    "Day",
    "Multipliers",
    "MAX_RATE_PER_HOUR",
    "profile_integral_h",
]

Name = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)]
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
    label: str = Field("", max_length=200)  # a few words in tables and charts (as a scenario's name)
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
