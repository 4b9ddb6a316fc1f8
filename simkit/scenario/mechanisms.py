"""Schema of the outsourcing mechanisms: failure, exit, lock-in, quality, transition, scale.

Every section here is optional and off by default; a scenario without them
simulates exactly as the plain engine does.  Each is attached to the team or
vendor it concerns (``vendors.acme.outages``, ``teams.support.hiring``, ...).
``scenarios/README.md`` documents the fields for people.
"""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from simkit.errors import show
from simkit.scenario.distributions import Dist, DistField
from simkit.scenario.facts import attach, prepare

__all__ = [
    "MIN_PRODUCTIVITY", "MIN_LEARNING_RATE", "BOUND_REASONS",
    "OutageSpec", "DegradationSpec", "ExitSpec", "QualitySpec", "SlaSpec", "TransitionSpec",
    "ContractSpec", "FxSpec", "SharedSpec", "HiringSpec", "ElasticSpec", "ReviewSpec", "ShiftSpec", "TierSpec",
]

MIN_PRODUCTIVITY = 1e-3
"""Lowest productivity (or productivity factor) a pool may have: below it an hour of work takes over a thousand
hours, times that overflow and KPIs that are no longer numbers follow."""
MIN_LEARNING_RATE = 0.1
"""Lowest Wright learning rate: ten-fold faster per doubling of experience is steeper than any measured curve,
and rates near 0 overflow the curve's power law."""
BOUND_REASONS = {
    "productivity": "below it an hour of work takes over a thousand hours",
    "start_productivity": "below it an hour of work takes over a thousand hours",
    "ramp_start_productivity": "below it an hour of work takes over a thousand hours",
    "productivity_factor": "below it an hour of work takes over a thousand hours",
    "learning_rate": "steeper than any measured learning curve",
}
"""Why a bound is where it is, added to the message that refuses a value beyond it."""

Money = Annotated[float, Field(ge=0, le=1e15, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1)]


def _number_kind(tp: Any) -> tuple[str, bool] | None:
    """``("number" | "whole number", is_list)`` for a numeric field's annotation, else ``None``."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _number_kind(get_args(tp)[0])
    if origin in (Union, UnionType):
        kinds = {_number_kind(a) for a in get_args(tp) if a is not type(None)}
        return kinds.pop() if len(kinds) == 1 else None
    if origin is tuple:
        inner = _number_kind(get_args(tp)[0]) if get_args(tp) else None
        return (inner[0], True) if inner is not None and not inner[1] else None
    if tp is int:
        return ("whole number", False)
    if tp is float:
        return ("number", False)
    return None


def _refuse_lookalike(value: Any, kind: str) -> None:
    """Pydantic's lax mode reads ``true`` as 1 and ``"1_000"`` as 1000; a number must be written as one."""
    if isinstance(value, bool | str | bytes):
        raise ValueError(f"must be a {kind}, got {show(value)}")


def _check_keys(value: Any) -> None:
    """Text is stripped on validation, so ``"engineers "`` would silently replace ``engineers``: refuse it."""
    for key in value:
        if isinstance(key, str) and key != key.strip():
            twin = key.strip()
            also = f" and differs from key {show(twin)} only by it" if twin in value else ""
            write = f"; write {show(twin)}" if twin else ""
            raise ValueError(f"key {show(key)} must not have whitespace around it{also}{write}")


_KINDS: dict[tuple[type, str], tuple[str, bool] | None] = {}
""":func:`_number_kind` of each section's field, worked out once: validation asks it for every field of every
scenario (a sweep validates one per point)."""


def _field_kind(model: type[BaseModel], name: str) -> tuple[str, bool] | None:
    """:func:`_number_kind` of ``model``'s field ``name`` (``None`` for a name that is not a field)."""
    key = (model, name)
    if key not in _KINDS:
        field = model.model_fields.get(name)
        _KINDS[key] = None if field is None else _number_kind(field.annotation)
    return _KINDS[key]


class _Spec(BaseModel):
    """Frozen, no unknown keys, no NaN; numbers must be numbers and keys must not hide whitespace."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, str_strip_whitespace=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Put the field registry's facts on the fields the new section declares, before pydantic builds it."""
        super().__init_subclass__(**kwargs)
        prepare(cls)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Attach the facts to inherited fields the registry describes for this section (:mod:`simkit.scenario.facts`).

        Sections are created before the sections that hold them, so rebuilding this one class (rarely needed:
        :meth:`__init_subclass__` covers declared fields) is enough for every schema built on it to carry them."""
        super().__pydantic_init_subclass__(**kwargs)
        if attach(cls):
            cls.model_rebuild(force=True)

    @field_validator("*", mode="before")
    @classmethod
    def _strict_numbers_and_keys(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, dict):
            _check_keys(value)
            return value
        kind = _field_kind(cls, info.field_name or "")
        if kind is None:
            return value
        if kind[1] and isinstance(value, list | tuple):
            for item in value:
                _refuse_lookalike(item, kind[0])
        elif not kind[1]:
            _refuse_lookalike(value, kind[0])
        return value


class OutageSpec(_Spec):
    """Outages: the provider serves nothing while down (MTBF = mean of time_between_h, MTTR = mean of repair_h)."""

    time_between_h: DistField
    repair_h: DistField
    policy: Literal["wait", "reroute"] = "wait"


class DegradationSpec(_Spec):
    """Episodes of lower productivity and more defects (e.g. an attrition wave at the provider)."""

    time_between_h: DistField
    duration_h: DistField
    productivity_factor: float = Field(0.7, ge=MIN_PRODUCTIVITY, le=1)
    defect_factor: float = Field(2.0, ge=1, le=100)


class ExitSpec(_Spec):
    """The provider goes (insolvency at an annual hazard, or the client terminates) and the work moves."""

    hazard_per_year: float = Field(0.0, ge=0, le=100)
    terminate_at_month: float | None = Field(None, ge=0)
    fallback: str
    switch_lead_h: float = Field(0.0, ge=0, le=87660)
    switching_cost: Money = 0.0
    exit_fee: Money = 0.0
    ramp_start_productivity: float = Field(1.0, ge=MIN_PRODUCTIVITY, le=1)
    ramp_months: float = Field(0.0, ge=0, le=120)
    knowledge_erosion_annual: Share = 0.0


class QualitySpec(_Spec):
    """Defects: a share of completed items is defective; detected ones are reworked, escaped ones cost money."""

    defect_share: Share = 0.0
    defect_share_floor: Share = 0.0
    defect_halving_months: float | None = Field(None, gt=0)
    detection_share: Share = 1.0
    detection_delay_h: DistField = Dist.of("deterministic", value=0)
    rework_effort_share: float = Field(0.5, gt=0, le=5)
    escaped_defect_cost: Money = 0.0


class SlaSpec(_Spec):
    """Service credits: below the target share of items within SLA in a month, a credit on that month's fees."""

    target_share: Share = 0.9
    credit_share_per_point: Share = 0.01
    cap_share: Share = 0.12


class TransitionSpec(_Spec):
    """Moving the work to the provider: ramp-up on a learning curve, parallel running, one-off costs."""

    start_productivity: float = Field(1.0, ge=MIN_PRODUCTIVITY, le=1)
    learning_rate: float = Field(0.8, ge=MIN_LEARNING_RATE, le=1)
    parallel_run_months: float = Field(0.0, ge=0, le=60)
    retained_team: str | None = None
    knowledge_transfer_cost: Money = 0.0
    released_staff: int = Field(0, ge=0, le=100_000)
    severance_per_fte: Money = 0.0


class ContractSpec(_Spec):
    """Contract terms: renewals with indexation and a lock-in premium; minimum volume (take-or-pay)."""

    term_months: float = Field(12.0, gt=0, le=600)
    indexation_annual: float = Field(0.0, ge=-0.5, le=1)
    lock_in_premium: float = Field(0.0, ge=0, le=5)
    min_items_per_month: float = Field(0.0, ge=0)


class FxSpec(_Spec):
    """A price in another currency: the exchange rate follows a geometric Brownian motion (monthly steps)."""

    currency: str = Field(pattern=r"^[A-Z]{3}$")
    volatility_annual: float = Field(0.1, ge=0, le=2)
    drift_annual: float = Field(0.0, ge=-1, le=1)


class SharedSpec(_Spec):
    """The provider's agents also serve other clients: a background load on the same queue."""

    background_rate_per_hour: float = Field(ge=0, le=1e5)
    background_effort_h: DistField
    background_month_of_year: tuple[Annotated[float, Field(ge=0, le=1e3)], ...] | None = None
    client_priority: Literal["higher", "equal", "lower"] = "equal"

    @model_validator(mode="after")
    def _twelve(self) -> SharedSpec:
        if self.background_month_of_year is not None and len(self.background_month_of_year) != 12:
            raise ValueError(f"background_month_of_year needs 12 multipliers, got {len(self.background_month_of_year)}")
        return self


class HiringSpec(_Spec):
    """In-house scaling: attrition with replacement hiring, backlog-triggered hiring, ramp-up of new hires,
    and layoffs (with severance) after a quiet spell (see :mod:`simkit.engine.staffing`)."""

    attrition_annual: float = Field(0.0, ge=0, le=5)
    hiring_lead_h: float = Field(0.0, ge=0, le=8766)
    ramp_months: float = Field(0.0, ge=0, le=60)
    ramp_start_productivity: float = Field(0.5, ge=MIN_PRODUCTIVITY, le=1)
    hire_when_backlog_per_staff: float | None = Field(None, gt=0)
    max_staff: int | None = Field(None, ge=0, le=100_000)
    recruiting_cost: Money = 0.0
    layoff_after_idle_days: float | None = Field(None, gt=0, le=3650)
    min_staff: int = Field(0, ge=0, le=100_000)
    severance_per_fte: Money = 0.0


class ElasticSpec(_Spec):
    """An elastic vendor bench: extra agents on notice when the queue grows, at a surge price."""

    max_agents: int = Field(ge=0, le=100_000)
    scale_when_queue_per_agent: float = Field(2.0, gt=0)
    notice_h: float = Field(24.0, ge=0, le=8766)
    release_after_h: float = Field(168.0, gt=0, le=8766)
    surge_price_per_agent_hour: Money = 0.0


class ReviewSpec(_Spec):
    """Review for cause: when the vendor's monthly SLA attainment stays below a floor, the contract acts.

    At each month end the engine measures the share of the vendor's items due that month that were
    done by their due time.  After ``months_below`` months in a row under ``floor_share`` a review is
    held: the vendor pays ``penalty``, a remediation plan lifts its productivity by
    ``remediation_productivity_factor`` after ``remediation_delay_h``, and at review number
    ``terminate_at_review`` the client terminates for cause instead, moving the work to the exit
    plan's fallback (``vendors.X.exit``) without the exit fee.  The count of bad months starts again
    after each review.
    """

    floor_share: Share = 0.8
    months_below: int = Field(2, ge=1, le=120)
    penalty: Money = 0.0
    remediation_productivity_factor: float = Field(1.0, ge=1, le=5)
    remediation_delay_h: float = Field(720.0, ge=0, le=87660)
    terminate_at_review: int | None = Field(None, ge=1, le=1000)


PoolName = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)]


class ShiftSpec(_Spec):
    """One shift of a team's roster: its own calendar and head count (see :mod:`simkit.engine.roster`).

    Regular shifts add up: at any moment the team has the sum of the head counts of the shifts whose
    calendars are open (staggered starts overlap, a night shift covers the night).  An ``on_call``
    shift stands by on its calendar instead: when work arrives while no regular shift is open, its
    people are called out, start ``response_h`` hours later and work the queue until it is empty;
    each call-out costs ``call_out_fee`` plus the hours worked at the team's loaded hourly cost.
    """

    calendar: PoolName
    staff: int = Field(ge=0, le=100_000)
    on_call: bool = False
    call_out_fee: Money = 0.0
    response_h: float = Field(0.0, ge=0, le=168)

    @model_validator(mode="after")
    def _on_call_fields(self) -> ShiftSpec:
        if not self.on_call and (self.call_out_fee or self.response_h):
            raise ValueError("call_out_fee and response_h apply only to an on_call shift")
        return self


class TierSpec(_Spec):
    """An escalation tier: a share of the items the tier before completed goes on to ``pool``.

    ``share`` applies to every kind, ``share_by_kind`` overrides it for the kinds it names; the
    escalated item brings new work of ``effort_h`` hours (this tier's own effort distribution).
    Whether an item escalates is decided by its own uniform number from the option-independent
    ``"escalation:<tier>"`` stream, so every option escalates the same items on the same luck.
    """

    pool: PoolName
    share: Share = 0.0
    share_by_kind: dict[PoolName, Share] = Field(default_factory=dict)
    effort_h: DistField

    @field_validator("share_by_kind", mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        if isinstance(value, dict):
            for v in value.values():
                _refuse_lookalike(v, "number")
        return value
