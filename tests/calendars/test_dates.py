"""Dated calendars: start date, IANA time zones with DST, holidays, closed dates, real months, absence."""

from __future__ import annotations

import copy
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import yaml
from conftest import mmc_dict, scenario_from
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit import analytic
from simkit.accounting import costs
from simkit.calendars.dates import DatedCalendar
from simkit.calendars.weekly import DAY_NAMES
from simkit.experiment.simulate import draw_trace, run_replication
from simkit.streams import Streams
from simkit.workload.trace import local_parts

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def _dated(start: str, calendars: dict[str, Any], horizon_days: float = 365.0, **run: Any) -> sk.Scenario:
    d = mmc_dict(2, 0.5, horizon_days=horizon_days, warmup_days=0)
    d["run"].update(start_date=start, **run)
    d["calendars"] = calendars
    return scenario_from(d)


def _intervals(cal: DatedCalendar, a: float, b: float) -> list[tuple[float, float]]:
    return [(s, e) for s, e in cal.intervals if s < b and e > a]


# --------------------------------------------------------------------------- a DST week
def test_london_spring_forward_keeps_eight_local_hours_and_moves_the_utc_hours() -> None:
    """DST starts Sunday 28 March 2027 01:00 UTC: 09:00-17:00 local is 09-17 UTC before, 08-16 UTC after."""
    sc = _dated("2027-03-22", {"client": {"timezone": "Europe/London", "open_hour": 9, "close_hour": 17}},
                horizon_days=14)
    cal = sc.calendar("client")
    days = _intervals(cal, 0, 14 * 24)
    assert len(days) == 14 and all(e - s == 8.0 for s, e in days)
    assert days[:6] == [(24.0 * d + 9, 24.0 * d + 17) for d in range(6)]  # Mon 22 - Sat 27 March, GMT
    assert days[6:] == [(24.0 * d + 8, 24.0 * d + 16) for d in range(6, 14)]  # from Sunday 28 March, BST
    assert cal.working_hours(0, 14 * 24) == 14 * 8


def test_shifts_that_open_in_the_gap_or_close_in_the_repeat_follow_the_wall_clock() -> None:
    """London 2027: 01:00 GMT jumps to 02:00 BST on 28 March; 02:00 BST falls back to 01:00 GMT on 31 October."""
    utc = {"timezone": "UTC"}
    spring = _dated("2027-03-28", {"client": utc, "x": {"timezone": "Europe/London", "open_hour": 1.5,
                                                         "close_hour": 5, "days": ["sun"]}}, horizon_days=2)
    assert _intervals(spring.calendar("x"), 0, 48) == [(1.0, 4.0)]  # opens when the clock jumps past 01:30
    autumn = _dated("2027-10-30", {"client": utc, "x": {"timezone": "Europe/London", "open_hour": 0,
                                                         "close_hour": 1.5, "days": ["sun"]}}, horizon_days=3)
    # 00:00-01:30 BST is 23:00-00:30 UTC; the clock then reads 01:00-01:30 again, now GMT
    assert _intervals(autumn.calendar("x"), 0, 72) == [(23.0, 24.5), (25.0, 25.5)]


def test_a_new_york_vendor_seen_from_london_across_both_changes() -> None:
    """US clocks change on 14 March 2027, UK ones on 28 March: for two weeks the gap is 4 h, not 5."""
    sc = _dated("2027-03-08", {"client": {"timezone": "Europe/London"},
                               "ny": {"timezone": "America/New_York", "open_hour": 9, "close_hour": 17,
                                      "days": WEEKDAYS}}, horizon_days=28)
    ny = sc.calendar("ny")
    weekdays = _intervals(ny, 0, 28 * 24)
    starts_utc = [s - 24.0 * (s // 24) for s, _ in weekdays]  # hour 0 is London midnight = 00:00 UTC (GMT)
    assert starts_utc == [14.0] * 5 + [13.0] * 15  # 09:00 EST, then 09:00 EDT
    london = _dated("2027-03-08", {"client": {"timezone": "Europe/London", "open_hour": 9, "close_hour": 17,
                                              "days": WEEKDAYS}}, horizon_days=28).calendar("client")
    both = [sum(max(0.0, min(e1, e2) - max(s1, s2)) for s1, e1 in _intervals(london, 168 * w, 168 * (w + 1))
                for s2, e2 in _intervals(ny, 168 * w, 168 * (w + 1))) for w in range(4)]
    assert both == [15.0, 20.0, 20.0, 15.0]  # 3 h a day, 4 h while only New York has moved, 3 h again
    assert all(e - s == 8.0 for s, e in weekdays)
    assert sc.clock().hours_at(datetime(2027, 4, 5), "Europe/London", 0.0) == 28 * 24 - 1  # 28 local days


def test_the_workload_profile_follows_the_clients_local_clock() -> None:
    """Arrivals only in the 09:00 local hour land at 09 UTC before the change and 08 UTC after it."""
    hour = [0.0] * 24
    hour[9] = 1.0
    d = mmc_dict(2, 12.0, horizon_days=14, warmup_days=0)
    d["run"]["start_date"] = "2027-03-22"
    d["calendars"] = {"client": {"timezone": "Europe/London"}}
    d["workload"]["hour_of_day"] = hour
    sc = scenario_from(d)
    t = draw_trace(sc, Streams(1, 0)).arrival_h
    assert t.size > 100
    before, after = t[t < 6 * 24], t[t >= 6 * 24]
    assert np.all(np.floor(before % 24) == 9) and np.all(np.floor(after % 24) == 8)
    assert before.size > 30 and after.size > 30
    hour_local, day_no, weekday, month = local_parts(t, 0.0, sc.clock())
    assert np.all(hour_local == 9) and np.all(month == np.where(day_no < 10, 2, 3))  # March, then April
    assert np.all(weekday == (day_no + 0) % 7)  # 22 March 2027 is a Monday


def test_a_start_date_sets_the_weekday_of_hour_zero() -> None:
    """1 January 2027 is a Friday: a Monday-Friday office is closed on hours 24-72 (Sat, Sun)."""
    sc = _dated("2027-01-01", {"client": {"open_hour": 9, "close_hour": 17, "days": WEEKDAYS}}, horizon_days=7)
    cal = sc.calendar("client")
    assert _intervals(cal, 0, 7 * 24) == [(9.0, 17.0), (81.0, 89.0), (105.0, 113.0), (129.0, 137.0),
                                          (153.0, 161.0)]


# --------------------------------------------------------------------------- holidays and closed dates
def _uk_office(**extra: Any) -> dict[str, Any]:
    return {"client": {"timezone": "Europe/London", "open_hour": 9, "close_hour": 17, "days": WEEKDAYS, **extra}}


def test_uk_christmas_closes_the_office() -> None:
    """December 2027 has 23 weekdays; Christmas and Boxing Day fall on a weekend, so 27 and 28 Dec are off."""
    plain = _dated("2027-01-01", _uk_office()).calendar("client")
    sc = _dated("2027-01-01", _uk_office(holidays={"country": "GB", "subdivision": "ENG"}))
    cal = sc.calendar("client")
    dec, jan = sc.clock().month_starts_h(9000)[11:13]
    assert plain.working_hours(dec, jan) == 23 * 8
    assert cal.working_hours(dec, jan) == 21 * 8
    dec27 = sc.clock().hours_at(datetime(2027, 12, 27, 12), "Europe/London", 0.0)
    assert not cal.is_open(dec27) and not cal.is_open(dec27 + 24) and cal.is_open(dec27 + 48)
    assert cal.working_hours(0, 8760) == (261 - 8) * 8  # 2027: 261 weekdays, 8 of them holidays in England


def test_explicit_closed_dates_and_night_shifts_belong_to_their_start_day() -> None:
    cal = _dated("2027-01-01", _uk_office(closed_dates=["2027-12-24", date(2027, 12, 31)])).calendar("client")
    sc = _dated("2027-01-01", _uk_office())
    dec, jan = sc.clock().month_starts_h(9000)[11:13]
    assert cal.working_hours(dec, jan) == (23 - 2) * 8
    night = _dated("2027-01-04", {"client": {"open_hour": 22, "close_hour": 6, "closed_dates": ["2027-01-05"]}},
                   horizon_days=3).calendar("client")
    assert _intervals(night, 0, 80) == [(0.0, 6.0), (22.0, 30.0), (70.0, 78.0)]
    # Monday's shift 22:00-06:00 runs into the closed Tuesday; Tuesday's shift is not worked; Wednesday's is
    assert night.is_open(23) and night.is_open(24 + 5) and not night.is_open(24 + 23) and night.is_open(48 + 23)
    assert night.working_hours(0, 72) == 6 + 8 + 2  # the end of Sunday's shift, Monday's, Wednesday's start


# --------------------------------------------------------------------------- one-line errors
@pytest.mark.parametrize(("mutate", "path", "words"), [
    (lambda d: d["calendars"]["client"].update(timezone="Europe/London"), "calendars.client.timezone",
     "needs run.start_date"),
    (lambda d: d["calendars"]["client"].update(closed_dates=["2027-12-25"]), "calendars.client.closed_dates",
     "needs run.start_date"),
    (lambda d: d["calendars"]["client"].update(holidays={"country": "GB"}), "calendars.client.holidays",
     "needs run.start_date"),
    (lambda d: d["calendars"]["client"].update(timezone="Europe/London", utc_offset_h=1), "calendars.client",
     "either utc_offset_h or timezone, not both"),
    (lambda d: d["calendars"]["client"].update(timezone="Mars/Olympus"), "calendars.client.timezone",
     "IANA time zone"),
    (lambda d: d["calendars"]["client"].update(timezone="../../etc/passwd"), "calendars.client.timezone",
     "IANA time zone"),
    (lambda d: d["calendars"]["client"].update(holidays={"country": "XX"}), "calendars.client.holidays",
     "country 'XX'"),
    (lambda d: d["calendars"]["client"].update(holidays={"country": "GB", "subdivision": "LON"}),
     "calendars.client.holidays", "ENG, NIR, SCT, WLS"),
    (lambda d: d["run"].update(start_date="2027-02-30"), "run.start_date", "2027-02-30"),
    (lambda d: d["run"].update(start_date="1066-10-14"), "run.start_date", "between 1900"),
    (lambda d: d["teams"]["team"].update(absence_share=1.0), "teams.team.absence_share", "< 1"),
    (lambda d: d["teams"]["team"].update(absence_share=-0.1), "teams.team.absence_share", ">= 0"),
])
def test_bad_dated_input_is_one_line_naming_the_field(mutate, path: str, words: str) -> None:  # noqa: ANN001
    d = mmc_dict(2, 1.0)
    if words != "needs run.start_date":
        d["run"]["start_date"] = "2027-01-01"
    mutate(d)
    with pytest.raises(sk.ScenarioError) as err:
        sk.loads(yaml.safe_dump(d))
    msg = str(err.value)
    assert msg.count("\n") == 0 and path in msg and words in msg, msg


def test_undated_scenarios_dump_as_before() -> None:
    d = mmc_dict(2, 1.0)
    data = scenario_from(d).to_dict()
    assert "start_date" not in data["run"] and "absence_share" not in data["teams"]["team"]
    assert set(data["calendars"]["client"]) == {"utc_offset_h", "open_hour", "close_hour", "days"}
    dated = _dated("2027-01-01", _uk_office(holidays={"country": "GB"}, closed_dates=["2027-06-01"]))
    again = sk.loads(dated.to_yaml())
    assert again == dated and again.fingerprint() == dated.fingerprint()
    assert again.to_dict()["calendars"]["client"]["closed_dates"] == ["2027-06-01"]


# --------------------------------------------------------------------------- real months in the ledger
REAL_2027 = [744, 672, 744, 720, 744, 720, 744, 744, 720, 744, 720, 744]


def test_a_year_from_1_january_has_real_months_and_books_salaries_per_month() -> None:
    d = mmc_dict(3, 1.0, horizon_days=365, warmup_days=0)
    d["run"]["start_date"] = "2027-01-01"
    d["teams"]["team"].update(loaded_cost_per_hour=10.0, overhead_per_fte_month=500.0)
    sc = scenario_from(d)
    edges = costs.month_edges(0.0, 8760.0, sc.clock())
    assert np.diff(edges).tolist() == REAL_2027
    log = run_replication(sc, 0, seed=3, keep_logs=True).logs["in_house"]
    ledger = costs.account(sc, log)
    labour = np.bincount(ledger.month[ledger.category == 0], weights=ledger.amount[ledger.category == 0])
    overhead = np.bincount(ledger.month[ledger.category == 1], weights=ledger.amount[ledger.category == 1])
    np.testing.assert_allclose(labour, 3 * 10.0 * np.array(REAL_2027))  # every hour of each real month
    np.testing.assert_allclose(overhead, [3 * 500.0] * 12)  # a whole FTE-month whatever its length
    london = _dated("2027-01-01", {"client": {"timezone": "Europe/London"}})
    lengths = np.diff(costs.month_edges(0.0, 8760.0, london.clock()))
    assert lengths[2] == 743 and lengths[9] == 745 and lengths.sum() == 8760


def test_partial_months_are_charged_pro_rata_of_their_own_length() -> None:
    d = mmc_dict(2, 0.5, horizon_days=59, warmup_days=10)  # 11 Jan - 1 Mar 2027: 21 of Jan's 31 days, all Feb
    d["run"].update(start_date="2027-01-01", discount_rate_annual=0.05)
    d["teams"]["team"].update(overhead_per_fte_month=310.0)
    d["vendors"] = {"acme": {"agents": 1, "pricing": "per_fte_month", "price_per_fte_month": 280.0}}
    d["options"]["buy"] = {"vendor": "acme"}
    sc = scenario_from(d)
    res = sk.simulate(sc, replications=1, seed=2, progress=False)
    led = res.ledger.groupby(["option", "category", "month"]).amount.sum()
    assert led["in_house", "overhead", 0] == pytest.approx(2 * 310.0 * 21 / 31)
    assert led["in_house", "overhead", 1] == pytest.approx(2 * 310.0)
    assert led["buy", "vendor_fees", 0] == pytest.approx(280.0 * 21 / 31)
    assert led["buy", "vendor_fees", 1] == pytest.approx(280.0)
    assert costs.fte_months(240.0, 59 * 24.0, sc.clock()) == pytest.approx(1 + 21 / 31)


def test_npv_discounts_every_real_month() -> None:
    """A year from 15 January spans 13 ledger months; with no discounting the NPV is the total."""
    d = mmc_dict(2, 0.5, horizon_days=365, warmup_days=0)
    d["run"].update(start_date="2027-01-15", discount_rate_annual=0.0)
    sc = scenario_from(d)
    assert len(costs.month_edges(0.0, 8760.0, sc.clock())) - 1 == 13
    k = sk.simulate(sc, replications=1, seed=1, progress=False).kpis.iloc[0]
    assert k["npv_cost_usd"] == pytest.approx(k["cost_total_usd"])


# --------------------------------------------------------------------------- absence
def test_absence_raises_utilisation_by_one_over_one_minus_a() -> None:
    """M/M/10, lambda 5/h, 1 h effort, 20% absence: rho = 5 / (10 x 0.8) = 0.625, and the M/M/c wait
    with service rate 0.8 (the work rate each server keeps)."""
    a, c, lam = 0.2, 10, 5.0
    d = mmc_dict(c, lam, horizon_days=300, warmup_days=10)
    d["teams"]["team"]["absence_share"] = a
    sc = scenario_from(d)
    assert sc.summary().pools["utilisation_share"].iloc[0] == pytest.approx(lam / (c * (1 - a)))
    s = sk.simulate(sc, replications=12, seed=4, progress=False).summary().set_index("kpi")
    lo, hi = s.loc["utilisation_share", ["ci_low", "ci_high"]]
    assert hi - lo < 0.01  # tight enough to tell 0.625 from the 0.5 without absence
    assert lo <= lam / (c * (1 - a)) <= hi
    wq = analytic.mmc_wait_mean_h(c, lam, 1.0 / (1 - a))
    lo, hi = s.loc["wait_mean_h", ["ci_low", "ci_high"]]
    assert lo <= wq <= hi and hi - lo < 0.3 * wq


def test_absence_keeps_the_trace_and_the_paid_hours() -> None:
    d = mmc_dict(3, 1.0, horizon_days=60, warmup_days=0)
    base = scenario_from(d)
    away = base.override({"teams.team.absence_share": 0.25})
    k0 = sk.simulate(base, replications=2, seed=9, progress=False).kpis
    k1 = sk.simulate(away, replications=2, seed=9, progress=False).kpis
    assert k0["items_arrived"].tolist() == k1["items_arrived"].tolist()  # common random numbers
    assert k0["cost_total_usd"].tolist() == k1["cost_total_usd"].tolist()  # people on leave are paid
    assert (k1["lead_time_mean_h"] > k0["lead_time_mean_h"]).all()


# --------------------------------------------------------------------------- against a direct count
ZONES = ["UTC", "Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "America/St_Johns",
         "Australia/Lord_Howe", "Asia/Tokyo", "America/Sao_Paulo", "Africa/Casablanca"]


def _direct_open_hours(zone: str, client: str, start: date, open_h: int, close_h: int, days: set[str],
                       horizon_h: float) -> float:
    """Quarter-hours of the year, each read on the calendar's wall clock: open when it reads a shift's hours.

    Every zone in :data:`ZONES` changes its clock on a quarter hour from 2012 on (Newfoundland changed at
    00:01 until 2011, which a quarter-hour grid cannot see), so the count is exact.
    """
    epoch = datetime(start.year, start.month, start.day, tzinfo=ZoneInfo(client)).astimezone(UTC)
    tz = ZoneInfo(zone)
    night = close_h <= open_h
    count = 0
    for k in range(int(horizon_h * 4)):
        local = (epoch + timedelta(minutes=15 * k)).astimezone(tz)
        h = local.hour + local.minute / 60.0
        today = DAY_NAMES[local.weekday()] in days
        yesterday = DAY_NAMES[(local.weekday() - 1) % 7] in days
        if night:
            count += (today and h >= open_h) or (yesterday and h < close_h)
        else:
            count += today and open_h <= h < close_h
    return count / 4.0


@settings(max_examples=12, deadline=None)
@given(zone=st.sampled_from(ZONES), client=st.sampled_from(ZONES),
       start=st.dates(date(2012, 1, 1), date(2045, 12, 31)), open_h=st.integers(0, 23),
       length=st.integers(1, 23), days=st.sets(st.sampled_from(DAY_NAMES), min_size=1))
def test_open_hours_in_a_year_match_a_direct_zoneinfo_count(zone: str, client: str, start: date, open_h: int,
                                                           length: int, days: set[str]) -> None:
    close_h = (open_h + length) % 24
    cal = _dated(start.isoformat(), {"client": {"timezone": client},
                                     "team": {"timezone": zone, "open_hour": open_h, "close_hour": close_h,
                                              "days": sorted(days, key=DAY_NAMES.index)}}).calendar("team")
    assert cal.working_hours(0.0, 8760.0) == pytest.approx(
        _direct_open_hours(zone, client, start, open_h, close_h, days, 8760.0), abs=1e-6)


def test_round_the_clock_stays_on_the_fast_path() -> None:
    sc = _dated("2027-01-01", {"client": {"timezone": "Europe/London"}})
    assert sc.calendar("client").always_open
    assert copy.copy(sc.clock()) == sc.clock()


# --------------------------------------------------------------------------- the command line and the extra
def test_validate_refuses_a_time_zone_without_a_start_date(tmp_path) -> None:  # noqa: ANN001
    import subprocess

    d = mmc_dict(2, 1.0)
    d["calendars"]["client"]["timezone"] = "Europe/London"
    path = tmp_path / "tz.yaml"
    path.write_text(yaml.safe_dump(d))
    out = subprocess.run([sys.executable, "-m", "simkit.ui.cli", "validate", str(path)], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
    assert "calendars.client.timezone" in out.stderr and "run.start_date" in out.stderr
    d["run"]["start_date"] = "2027-01-01"
    path.write_text(yaml.safe_dump(d))
    ok = subprocess.run([sys.executable, "-m", "simkit.ui.cli", "validate", str(path)], capture_output=True,
                        text=True, timeout=300)
    assert ok.returncode == 0, ok.stderr


def test_holidays_without_the_extra_name_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from simkit.extras import MissingExtraError

    monkeypatch.setitem(sys.modules, "holidays", None)
    with pytest.raises(MissingExtraError, match=r"needs the 'holidays' extra: pip install "
                                                r"\"simkit-sourcing\[holidays\]\"") as err:
        _dated("2027-01-01", _uk_office(holidays={"country": "GB"}))
    assert err.value.extra == "holidays"


# --------------------------------------------------------------------------- months for summaries
@settings(max_examples=40, deadline=None)
@given(start=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
       warmup_days=st.integers(0, 40), days=st.integers(20, 400), zone=st.sampled_from(
           [None, "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]))
def test_month_index_puts_every_hour_in_the_ledgers_own_month(start: date, warmup_days: int, days: int,
                                                               zone: str | None) -> None:
    from simkit.calendars.dates import month_index
    cal = {"client": {"timezone": zone} if zone else {}}
    sc = _dated(start.isoformat(), cal, horizon_days=warmup_days + days, warmup_days=warmup_days)
    t0, t1 = warmup_days * 24.0, (warmup_days + days) * 24.0
    edges = costs.month_edges(t0, t1, sc.clock())
    times = np.linspace(t0, t1, 977, endpoint=False)
    index, n = month_index(times, t0, t1, sc.clock())
    assert n == len(edges) - 1
    assert ((edges[index] <= times) & (times < edges[index + 1])).all()
    undated, n_undated = month_index(times, t0, t1)
    assert n_undated == len(costs.month_edges(t0, t1)) - 1
    np.testing.assert_array_equal(undated, np.floor((times - t0) / 730.5).astype(int))


@pytest.mark.parametrize(("start", "days", "months"), [("2027-01-01", 31, 1), ("2027-02-01", 90, 4),
                                                       ("2027-01-01", 365, 12)])
def test_sla_by_month_has_a_row_for_each_month_of_a_dated_ledger(start: str, days: int, months: int) -> None:
    from simkit.ui.lessons.views import monthly_sla
    d = mmc_dict(3, 1.0, horizon_days=days, warmup_days=0)
    d["run"]["start_date"] = start
    sc = scenario_from(d)
    res = sk.simulate(sc, replications=1, seed=5, executor=None, keep_logs=True)
    frame = monthly_sla(res)
    assert len(frame) == res.ledger["month"].nunique() == months  # 730.5-h months would give 2, 3, 12
    assert frame.index.tolist() == list(range(1, months + 1)) and frame.to_numpy().min() >= 0
