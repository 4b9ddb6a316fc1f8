"""The schema of working weeks: opening hours at a UTC offset or in an IANA time zone, holidays, closed dates.

Part of the scenario schema (:mod:`simkit.scenario.schema` re-exports every name): ``calendars.<name>`` and
``calendars.<name>.holidays``.
"""

from __future__ import annotations

import functools
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import Field, field_validator, model_serializer, model_validator

from simkit.calendars.weekly import DAY_NAMES, Calendar
from simkit.scenario.mechanisms import _Spec

__all__ = ["Day", "HolidaysSpec", "CalendarSpec"]

Day = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

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
