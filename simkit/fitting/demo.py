"""Example histories drawn from a known ground truth, so that ``fit`` can be checked against it.

``examples/make_histories.py`` writes them to ``examples/data/``:

* :func:`helpdesk_tickets` — an IT helpdesk's ticket export (one row per ticket; 39 weeks from Monday
  2025-01-06, naive local timestamps): a separable weekday x hour profile with Sundays closed and three
  public holidays, 16,000 tickets a year growing 30% a year, three categories with lognormal and gamma
  efforts in minutes, priorities and resolution times, plus messy rows (duplicates, missing and
  unparsable timestamps, negative, absurd and unparsable efforts, dates in the future);
* :func:`contact_centre_intervals` — a contact centre's 15-minute interval volumes (420 days from
  2024-01-01 in America/New_York, stamps with their UTC offset, so daylight saving shows as two
  offsets): a 168-hour profile that is *not* separable (Saturdays peak in the morning), month-of-year
  seasonality, 150,000 contacts a year, day-to-day over-dispersion (gamma, cv 0.12), two missing
  days, a few missing and repeated intervals;
* :func:`northwind_tickets` — the capstone client's contact history (``notebooks/capstone/``): one row per
  call, e-mail or return case over 2025 (naive New York wall-clock times), 57,000 contacts a year with a
  separable hour x weekday profile and a Q4 peak (November x1.5, December x1.9 of an average month),
  lognormal handle times in minutes, priorities P1-P3 mostly but not only by contact type, and a few
  messy rows (duplicates, spreadsheet errors in the time column, negative and absurd handle times).

:data:`HELPDESK_TRUTH`, :data:`CONTACT_TRUTH` and :data:`NORTHWIND_TRUTH` hold the values the files were
drawn from. :func:`small_history` draws many small histories of a chosen shape, for checking that the fitted
intervals cover the truth as often as they claim.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

__all__ = ["HELPDESK_TRUTH", "CONTACT_TRUTH", "NORTHWIND_TRUTH", "helpdesk_tickets", "contact_centre_intervals",
           "northwind_tickets", "small_history"]

_HOD = [0.0] * 7 + [0.6, 1.6, 2.2, 2.0, 1.8, 1.2, 1.8, 2.0, 1.7, 1.3, 0.8, 0.5] + [0.0] * 5
_DOW = [1.2, 1.1, 1.0, 1.0, 0.9, 0.25, 0.0]

HELPDESK_TRUTH = {
    "start": "2025-01-06", "days": 273, "annual_volume_at_start": 16_000.0, "growth_annual": 0.30,
    "hour_of_day": [v / np.mean(_HOD) for v in _HOD], "day_of_week": [v / np.mean(_DOW) for v in _DOW],
    "holidays": ["2025-04-18", "2025-05-01", "2025-05-29"],
    "kinds": {  # label: (share, family, mean minutes, cv, priority probabilities P1..P4)
        "Incident": (0.55, "lognormal", 40.0, 0.9, (0.15, 0.55, 0.25, 0.05)),
        "Service request": (0.35, "gamma", 20.0, 0.6, (0.0, 0.1, 0.6, 0.3)),
        "Change": (0.10, "lognormal", 150.0, 0.7, (0.05, 0.15, 0.6, 0.2)),
    },
    "messy": {"duplicate rows": 40, "unparsable time": 15, "missing time": 10, "negative effort": 12,
              "absurd effort": 5, "unparsable effort": 8, "future": 5},
}


def _weekly_contact_profile() -> np.ndarray:
    hour = np.arange(24)
    weekday = 0.08 + np.exp(-0.5 * ((hour - 10.5) / 1.8) ** 2) + 0.8 * np.exp(-0.5 * ((hour - 14.5) / 2.0) ** 2)
    weekday = np.where((hour >= 7) & (hour < 21), weekday, 0.08)
    saturday = 0.08 + 1.1 * np.exp(-0.5 * ((hour - 10.0) / 1.5) ** 2)
    sunday = 0.06 + 0.4 * np.exp(-0.5 * ((hour - 13.0) / 2.5) ** 2)
    week = np.concatenate([weekday * f for f in (1.15, 1.05, 1.0, 1.0, 0.95)] + [saturday, sunday])
    return week / week.mean()


CONTACT_TRUTH = {
    "start": "2024-01-01", "days": 420, "timezone": "America/New_York", "annual_volume": 150_000.0,
    "growth_annual": 0.0, "day_noise_cv": 0.12, "interval_min": 15,
    "hour_of_week": _weekly_contact_profile().tolist(),
    "month_of_year": [1.15, 1.05, 1.0, 0.95, 0.9, 0.85, 0.85, 0.9, 1.0, 1.05, 1.1, 1.2],
    "missing_days": ["2024-08-14", "2024-08-15"], "missing_intervals": 30, "repeated_intervals": 5,
}


def _effort_min(rng: np.random.Generator, family: str, mean: float, cv: float, n: int) -> np.ndarray:
    if family == "lognormal":
        s2 = np.log1p(cv * cv)
        return rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2), n)
    shape = 1.0 / (cv * cv)
    return rng.gamma(shape, mean / shape, n)


def helpdesk_tickets(seed: int = 1) -> pd.DataFrame:
    """The helpdesk ticket export (see the module docstring), messy rows included."""
    t = HELPDESK_TRUTH
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(t["start"])
    hours = pd.date_range(start, periods=t["days"] * 24, freq="h")
    years = np.arange(len(hours)) / 8766.0
    rate = (t["annual_volume_at_start"] / 8766.0 * np.asarray(t["hour_of_day"])[hours.hour]
            * np.asarray(t["day_of_week"])[hours.day_of_week] * (1 + t["growth_annual"]) ** years)
    rate[hours.normalize().isin(pd.to_datetime(t["holidays"]))] = 0.0
    counts = rng.poisson(rate)
    created = hours.repeat(counts) + pd.to_timedelta(rng.uniform(0, 3600, counts.sum()), unit="s")
    created = created.sort_values().floor("s")
    n = len(created)
    labels = list(t["kinds"])
    kind = rng.choice(len(labels), size=n, p=[t["kinds"][k][0] for k in labels])
    effort = np.empty(n)
    prio = np.empty(n, dtype=object)
    for i, lab in enumerate(labels):
        rows = np.flatnonzero(kind == i)
        _, fam, mean, cv, p = t["kinds"][lab]
        effort[rows] = _effort_min(rng, fam, mean, cv, rows.size)
        prio[rows] = rng.choice(["P1", "P2", "P3", "P4"], size=rows.size, p=p)
    resolved = created + pd.to_timedelta(effort * 60 + rng.exponential(8 * 3600, n), unit="s")
    df = pd.DataFrame({"ticket_id": [f"T{i:06d}" for i in range(n)],
                       "created_at": created.strftime("%Y-%m-%d %H:%M:%S"),
                       "category": np.array(labels, dtype=object)[kind], "priority": prio,
                       "effort_min": np.round(effort, 1).astype(object),
                       "resolved_at": resolved.floor("s").strftime("%Y-%m-%d %H:%M:%S")})
    return _make_messy(df, rng, t["messy"])


def _make_messy(df: pd.DataFrame, rng: np.random.Generator, messy: dict[str, int], effort: str = "effort_min",
                ident: str = "ticket_id", bad_time: str = "not a date") -> pd.DataFrame:
    n = len(df)
    pick = iter(rng.permutation(n))

    def rows(k: int) -> list[int]:
        return [int(next(pick)) for _ in range(k)]

    df.loc[rows(messy["unparsable time"]), "created_at"] = bad_time
    df.loc[rows(messy["missing time"]), "created_at"] = ""
    df.loc[rows(messy["negative effort"]), effort] = -5.0
    df.loc[rows(messy["absurd effort"]), effort] = 99999.0
    df.loc[rows(messy["unparsable effort"]), effort] = "n/a"
    future = df.loc[rows(messy["future"])].copy()
    future["created_at"] = "2031-03-03 10:00:00"
    future[ident] = [f"F{i:06d}" for i in range(len(future))]
    dups = df.loc[rows(messy["duplicate rows"])]
    return pd.concat([df, dups, future]).sort_values("created_at", kind="stable").reset_index(drop=True)


def contact_centre_intervals(seed: int = 2024) -> pd.DataFrame:
    """The contact centre's 15-minute interval volumes (see the module docstring)."""
    t = CONTACT_TRUTH
    rng = np.random.default_rng(seed)
    zone = ZoneInfo(t["timezone"])
    first = pd.Timestamp(t["start"]).tz_localize(zone).tz_convert("UTC")
    last = (pd.Timestamp(t["start"]) + pd.Timedelta(days=t["days"])).tz_localize(zone).tz_convert("UTC")
    utc = pd.date_range(first, last, freq=f"{t['interval_min']}min", inclusive="left")
    local = utc.tz_convert(zone)
    level = t["annual_volume"] / 8766.0
    day_index = (local.normalize().tz_localize(None) - pd.Timestamp(t["start"])).days.to_numpy()
    noise = rng.gamma(1 / t["day_noise_cv"] ** 2, t["day_noise_cv"] ** 2, t["days"] + 1)
    rate = (level * np.asarray(t["hour_of_week"])[local.day_of_week * 24 + local.hour]
            * np.asarray(t["month_of_year"])[local.month - 1] * noise[day_index])
    counts = rng.poisson(rate * t["interval_min"] / 60.0)
    df = pd.DataFrame({"interval_start": local.strftime("%Y-%m-%dT%H:%M:%S%z").str.replace(
        r"(\d\d)(\d\d)$", r"\1:\2", regex=True), "offered_calls": counts})
    keep = ~local.normalize().tz_localize(None).isin(pd.to_datetime(t["missing_days"]))
    df = df[keep]
    df = df.drop(index=rng.choice(df.index, t["missing_intervals"], replace=False))
    repeats = df.loc[rng.choice(df.index, t["repeated_intervals"], replace=False)]
    return pd.concat([df, repeats]).sort_index(kind="stable").reset_index(drop=True)


def _mean_one(values: list[float]) -> list[float]:
    return [v / float(np.mean(values)) for v in values]


# Contacts follow shoppers' waking hours; the few at night are e-mails and call-back requests.
_NW_HOD = [0.05] * 7 + [0.3, 1.2, 2.0, 2.3, 2.3, 2.0, 2.1, 2.1, 1.9, 1.8, 1.6, 1.4, 1.2, 0.5, 0.3, 0.15, 0.1]
NORTHWIND_TRUTH = {
    "start": "2025-01-01", "days": 365, "timezone": "America/New_York", "annual_volume": 57_000.0,
    "growth_annual": 0.0,
    "hour_of_day": _mean_one(_NW_HOD),
    "day_of_week": _mean_one([1.2, 1.05, 1.0, 1.0, 0.95, 0.9, 0.9]),  # Monday carries the weekend's orders
    "month_of_year": _mean_one([1.15, 0.85, 0.9, 0.9, 0.9, 0.9, 0.95, 0.95, 0.9, 1.0, 1.5, 1.9]),
    "kinds": {  # label: (share, mean handle minutes, cv, priority probabilities P1..P3); efforts lognormal
        "Call": (0.60, 7.2, 0.8, (0.92, 0.08, 0.0)),
        "Email": (0.30, 12.0, 0.6, (0.03, 0.90, 0.07)),
        "Return": (0.10, 36.0, 1.0, (0.0, 0.15, 0.85)),
    },
    "messy": {"duplicate rows": 23, "unparsable time": 4, "missing time": 0, "negative effort": 7,
              "absurd effort": 2, "unparsable effort": 0, "future": 0},
}


def northwind_tickets(seed: int = 16) -> pd.DataFrame:
    """The capstone's contact history (see the module docstring), messy rows included.

    The hourly rate is the product of the hour, weekday and month multipliers, scaled so that the
    expected number of contacts over the 365 days is ``annual_volume`` x 365 x 24 / 8,766.
    """
    t = NORTHWIND_TRUTH
    rng = np.random.default_rng(seed)
    hours = pd.date_range(pd.Timestamp(t["start"]), periods=t["days"] * 24, freq="h")
    shape = (np.asarray(t["hour_of_day"])[hours.hour] * np.asarray(t["day_of_week"])[hours.day_of_week]
             * np.asarray(t["month_of_year"])[hours.month - 1])
    rate = shape * (t["annual_volume"] * len(hours) / 8766.0 / shape.sum())
    counts = rng.poisson(rate)
    created = hours.repeat(counts) + pd.to_timedelta(rng.uniform(0, 3600, counts.sum()), unit="s")
    created = created.sort_values().floor("s")
    n = len(created)
    labels = list(t["kinds"])
    kind = rng.choice(len(labels), size=n, p=[t["kinds"][k][0] for k in labels])
    handle = np.empty(n)
    prio = np.empty(n, dtype=object)
    for i, lab in enumerate(labels):
        rows = np.flatnonzero(kind == i)
        _, mean, cv, p = t["kinds"][lab]
        handle[rows] = _effort_min(rng, "lognormal", mean, cv, rows.size)
        prio[rows] = rng.choice(["P1", "P2", "P3"], size=rows.size, p=p)
    df = pd.DataFrame({"contact_id": [f"C{i:06d}" for i in range(n)],
                       "created_at": created.strftime("%Y-%m-%d %H:%M:%S"),
                       "contact_type": np.array(labels, dtype=object)[kind], "priority": prio,
                       "handle_min": np.round(np.maximum(handle, 0.1), 1).astype(object)})
    return _make_messy(df, rng, t["messy"], effort="handle_min", ident="contact_id", bad_time="#VALUE!")


def small_history(days: int, annual_volume: float, growth_annual: float = 0.0, *, events: bool = True,
                  month_of_year: list[float] | None = None, day_noise_cv: float = 0.0, start: str = "2024-01-01",
                  seed: int = 0) -> pd.DataFrame:
    """A small history from a known truth: the helpdesk's weekly profile, optional months, growth and day noise.

    ``events`` gives one row per item (``created_at``, naive local time); otherwise hourly interval volumes
    (``interval_start``, ``count``).  The rate at ``t`` years from ``start`` is
    ``annual_volume / 8766 x profile x month x (1 + growth_annual)^t x day multiplier`` (gamma, mean 1,
    cv ``day_noise_cv``), the same model :mod:`simkit.fitting.profile` fits.
    """
    rng = np.random.default_rng(seed)
    hours = pd.date_range(pd.Timestamp(start), periods=days * 24, freq="h")
    years = np.arange(len(hours)) / 8766.0
    month = np.ones(12) if month_of_year is None else np.asarray(month_of_year, dtype=float)
    noise = (rng.gamma(1 / day_noise_cv**2, day_noise_cv**2, days) if day_noise_cv > 0 else np.ones(days))
    rate = (annual_volume / 8766.0 * np.asarray(HELPDESK_TRUTH["hour_of_day"])[hours.hour]
            * np.asarray(HELPDESK_TRUTH["day_of_week"])[hours.day_of_week] * month[hours.month - 1]
            * (1.0 + growth_annual) ** years * noise[np.arange(len(hours)) // 24])
    counts = rng.poisson(rate)
    if not events:
        return pd.DataFrame({"interval_start": hours.strftime("%Y-%m-%d %H:%M"), "count": counts})
    created = hours.repeat(counts) + pd.to_timedelta(rng.integers(0, 3600, counts.sum()), unit="s")
    return pd.DataFrame({"created_at": created.sort_values().strftime("%Y-%m-%d %H:%M:%S")})
