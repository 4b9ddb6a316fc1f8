"""Rosters on dated runs: shifts in their own time zones, through daylight saving, holidays and closed dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from conftest import mmc_dict, scenario_from
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.accounting import costs
from simkit.calendars.dates import DatedCalendar
from simkit.calendars.weekly import DAY_NAMES, Calendar
from simkit.engine import simulate_option
from simkit.engine.roster import build_roster, seat_calendars
from simkit.experiment.simulate import draw_trace
from simkit.streams import Streams

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]
LONDON = "Europe/London"


def _roster(start: str | None, calendars: dict[str, Any], shifts: list[dict], horizon_days: float = 14.0,
            rate_per_hour: float = 1.2) -> sk.Scenario:
    d = mmc_dict(1, rate_per_hour, horizon_days=horizon_days, warmup_days=0)
    if start is not None:
        d["run"]["start_date"] = start
    d["calendars"] = calendars
    d["teams"]["roster"] = {"shifts": shifts, "loaded_cost_per_hour": 40.0, "overhead_per_fte_month": 100.0}
    d["options"]["rostered"] = {"team": "roster"}
    return scenario_from(d)


def _seats(sc: sk.Scenario) -> list:
    return build_roster(sc, sc.teams["roster"], "roster", [])[1]


def _head(seats: list, t: float) -> int:
    return sum(s.is_open(t) for s in seats)


# --------------------------------------------------------------------------- daylight saving
def _day_and_night(start: str = "2027-03-22") -> sk.Scenario:
    """London, 2 people 06:00-22:00 and 1 person 22:00-06:00 every day; clocks go forward Sunday 28 March 2027."""
    return _roster(start, {"client": {"timezone": LONDON},
                           "day": {"timezone": LONDON, "open_hour": 6, "close_hour": 22},
                           "night": {"timezone": LONDON, "open_hour": 22, "close_hour": 6}},
                   [{"calendar": "day", "staff": 2}, {"calendar": "night", "staff": 1}])


def test_a_night_shift_across_the_spring_forward_change_has_one_hour_less() -> None:
    sc = _day_and_night()
    seats = _seats(sc)
    assert len(seats) == 2 and all(isinstance(s, DatedCalendar) for s in seats)
    # Saturday 27 March 22:00 GMT (hour 142) to Sunday 06:00 BST (05:00 UTC, hour 149): 7 hours
    assert (142.0, 149.0) in sc.calendar("night").intervals
    assert _head(seats, 148.9) == 1 and _head(seats, 149.1) == 2  # Sunday's day shift opens at 06:00 BST
    # someone is always on shift: the lowest seat never closes, so work in hand carries over every hand-over
    assert seats[0].intervals == ((0.0, seats[0].end_h),)
    assert seats[1].intervals == sc.calendar("day").intervals
    week1, week2 = 7 * 24 - 1, 14 * 24 - 1  # local Monday midnights: the first week is 167 h long
    person_h = [sum(s.working_hours(a, b) for s in seats) for a, b in ((0, week1), (week1, week2))]
    assert person_h == [7 * (2 * 16 + 8) - 1, 7 * (2 * 16 + 8)]


def test_undated_rosters_keep_their_weekly_seats() -> None:
    """Without a start date the seats are the weekly calendars of :func:`seat_calendars`, object for object."""
    cals = {"client": {}, "day": {"open_hour": 6, "close_hour": 22}, "night": {"open_hour": 22, "close_hour": 6}}
    sc = _roster(None, cals, [{"calendar": "day", "staff": 2}, {"calendar": "night", "staff": 1}])
    seats = _seats(sc)
    assert all(type(s) is Calendar for s in seats)
    assert seats == seat_calendars([sc.calendar("day"), sc.calendar("night")], [2, 1])


def test_a_dated_roster_without_time_zones_runs_like_the_undated_one() -> None:
    """Starting on a Monday at UTC, nothing is dated but the numbering: the run is the undated run, item by item."""
    cals = {"client": {}, "early": {"open_hour": 6, "close_hour": 14, "days": WEEKDAYS},
            "late": {"open_hour": 12, "close_hour": 20, "days": WEEKDAYS}, "weekend": {"days": ["sat", "sun"]}}
    shifts = [{"calendar": "early", "staff": 2}, {"calendar": "late", "staff": 1},
              {"calendar": "weekend", "staff": 1, "on_call": True, "call_out_fee": 50, "response_h": 1}]
    undated = _roster(None, cals, shifts, horizon_days=21, rate_per_hour=0.8)
    dated = _roster("2027-01-04", cals, shifts, horizon_days=21, rate_per_hour=0.8)
    for rep in range(2):
        logs = []
        for sc in (undated, dated):
            st_ = Streams(7, rep)
            logs.append(simulate_option(sc, "rostered", draw_trace(sc, st_), st_))
        a, b = logs
        np.testing.assert_array_equal(a.trace.arrival_h, b.trace.arrival_h)
        np.testing.assert_array_equal(a.status, b.status)
        for col in ("start_h", "end_h", "busy_h", "open_server_h"):
            np.testing.assert_allclose(getattr(a, col), getattr(b, col), rtol=1e-12, atol=1e-9, err_msg=col)
        calls = [[t for t, _, what in log.events if what == "call_out"] for log in (a, b)]
        assert calls[0] and calls[0] == pytest.approx(calls[1])


# --------------------------------------------------------------------------- holidays
def _christmas_roster(horizon_days: float = 14.0) -> sk.Scenario:
    """England, from Monday 20 December 2027: early, late and night shifts, all closed on public holidays
    (Christmas Day and Boxing Day fall on the weekend, so Monday 27 and Tuesday 28 December are off too)."""
    hol = {"country": "GB", "subdivision": "ENG"}
    cals = {"client": {"timezone": LONDON},
            "early": {"timezone": LONDON, "open_hour": 7, "close_hour": 15, "holidays": hol},
            "late": {"timezone": LONDON, "open_hour": 13, "close_hour": 21, "holidays": hol},
            "night": {"timezone": LONDON, "open_hour": 21, "close_hour": 7, "holidays": hol,
                      "closed_dates": ["2027-12-30"]}}
    return _roster("2027-12-20", cals, [{"calendar": "early", "staff": 2}, {"calendar": "late", "staff": 2},
                                        {"calendar": "night", "staff": 1}], horizon_days=horizon_days,
                   rate_per_hour=0.6)


DEC25, DEC29 = 5 * 24, 9 * 24  # London is on GMT: simulation hours are UTC hours from 20 December 00:00


def test_a_holiday_closes_every_shift_and_a_closed_date_its_own() -> None:
    sc = _christmas_roster()
    seats = _seats(sc)
    assert len(seats) == 4  # early and late overlap 13:00-15:00
    assert _head(seats, DEC25 + 3) == 1  # Friday 24th's night shift runs to 07:00 on Christmas Day
    still = [t for t in np.arange(DEC25 + 7.25, DEC29 + 7, 0.5) if _head(seats, t) > 0]
    assert still == [] and _head(seats, DEC29 + 7.5) == 2
    assert sum(s.working_hours(DEC25 + 7, DEC29 + 7) for s in seats) == 0.0
    assert _head(seats, DEC29 + 14) == 4 and _head(seats, DEC29 + 22) == 1
    dec30 = DEC29 + 24  # Thursday: the day shifts work, the night shift does not start
    assert _head(seats, dec30 + 20) == 2 and _head(seats, dec30 + 22) == 0 and _head(seats, dec30 + 31) == 2


def test_no_work_starts_on_the_holidays_and_each_shift_is_paid_for_its_dated_hours() -> None:
    sc = _christmas_roster(21.0)
    seats = _seats(sc)
    t_end = 21 * 24.0
    hours = {n: sc.calendar(n).working_hours(0, t_end) for n in ("early", "late", "night")}
    for rep in range(2):
        st_ = Streams(11, rep)
        log = simulate_option(sc, "rostered", draw_trace(sc, st_), st_)
        started = log.start_h[np.isfinite(log.start_h)]
        assert started.size > 100
        assert all(_head(seats, t) > 0 for t in started)
        assert not np.any((started >= DEC25 + 7) & (started < DEC29 + 7))
        by_cat = costs.account(sc, log).by_category()
        assert by_cat["labour"] == pytest.approx(40.0 * (2 * hours["early"] + 2 * hours["late"] + hours["night"]))
        assert log.open_server_h[0] == pytest.approx(sum(s.working_hours(0, t_end) for s in seats))


# --------------------------------------------------------------------------- against a direct count
ZONES = ["UTC", LONDON, "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/St_Johns",
         "Australia/Lord_Howe", "Asia/Manila", "America/Sao_Paulo", "Europe/Berlin"]
HORIZON_DAYS = 21


def _direct_head_count(shifts: list[dict], epoch: datetime, t_h: float) -> int:
    """People on shift at ``t_h``: each shift read on its own wall clock, belonging to the local date it starts on."""
    head = 0
    for s in shifts:
        local = (epoch + timedelta(hours=t_h)).astimezone(ZoneInfo(s["timezone"]))
        h = local.hour + local.minute / 60.0 + local.second / 3600.0
        today, yesterday = local.date(), local.date() - timedelta(days=1)

        def works(d: date, s: dict = s) -> bool:
            return DAY_NAMES[d.weekday()] in s["days"] and d.isoformat() not in s["closed_dates"]

        o, c = s["open_hour"], s["close_hour"]
        if c > o:
            head += s["staff"] * (works(today) and o <= h < c)
        else:  # a night shift: from its start day's evening into the next morning
            head += s["staff"] * ((works(today) and h >= o) or (works(yesterday) and h < c))
    return head


_shift = st.fixed_dictionaries({
    "timezone": st.sampled_from(ZONES), "open_hour": st.integers(0, 23), "length": st.integers(1, 23),
    "days": st.sets(st.sampled_from(DAY_NAMES), min_size=1), "staff": st.integers(1, 3),
    "closed": st.lists(st.integers(0, HORIZON_DAYS), max_size=2)})


@settings(max_examples=20, deadline=None)
@given(client=st.sampled_from(ZONES), start=st.dates(date(2012, 1, 1), date(2045, 12, 31)),
       drawn=st.lists(_shift, min_size=1, max_size=3))
def test_head_count_by_quarter_hour_matches_a_direct_zoneinfo_count(client: str, start: date,
                                                                   drawn: list[dict]) -> None:
    """Every zone here changes its clock on a quarter hour (from 2012), so reading the count in the middle of
    every quarter hour of three weeks checks every edge; closed dates are local dates of each shift's own zone."""
    calendars: dict[str, Any] = {"client": {"timezone": client}}
    shifts, direct = [], []
    for i, s in enumerate(drawn):
        closed = sorted({(start + timedelta(days=k)).isoformat() for k in s["closed"]})
        days = sorted(s["days"], key=DAY_NAMES.index)
        close_h = (s["open_hour"] + s["length"]) % 24
        calendars[f"s{i}"] = {"timezone": s["timezone"], "open_hour": s["open_hour"], "close_hour": close_h,
                              "days": days, "closed_dates": closed}
        shifts.append({"calendar": f"s{i}", "staff": s["staff"]})
        direct.append({"timezone": s["timezone"], "open_hour": s["open_hour"], "close_hour": close_h,
                       "days": set(days), "closed_dates": set(closed), "staff": s["staff"]})
    sc = _roster(start.isoformat(), calendars, shifts, horizon_days=HORIZON_DAYS)
    seats = _seats(sc)
    epoch = datetime(start.year, start.month, start.day, tzinfo=ZoneInfo(client)).astimezone(UTC)
    times = (np.arange(HORIZON_DAYS * 24 * 4) + 0.5) / 4.0
    got = np.array([_head(seats, t) for t in times])
    want = np.array([_direct_head_count(direct, epoch, t) for t in times])
    bad = np.flatnonzero(got != want)
    assert bad.size == 0, f"hour {times[bad[0]]}: {got[bad[0]]} seats open, {want[bad[0]]} people on shift"
    person_h = sum(s["staff"] * sc.calendar(s["calendar"]).working_hours(0, HORIZON_DAYS * 24) for s in shifts)
    assert sum(seat.working_hours(0, HORIZON_DAYS * 24) for seat in seats) == pytest.approx(person_h)
