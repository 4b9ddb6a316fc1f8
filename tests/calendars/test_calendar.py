"""Working calendars: the cumulative-hours function and its inverse."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simkit.calendars.timeline import CapacityTimeline
from simkit.calendars.weekly import WEEK_H, Calendar, overlap

calendars = st.builds(
    Calendar.weekly,
    utc_offset_h=st.sampled_from([-8, -5, 0, 1, 5.5, 8, 13]),
    open_hour=st.integers(0, 23),
    close_hour=st.integers(0, 24),
    days=st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1,
                  max_size=7, unique=True),
)


def test_office_hours() -> None:
    cal = Calendar.weekly(0, 9, 17, ["mon", "tue", "wed", "thu", "fri"])
    assert cal.open_hours_per_week == 40
    assert cal.is_open(9) and not cal.is_open(8.99) and not cal.is_open(17)
    assert cal.next_open(17) == 24 + 9
    assert cal.next_open(4 * 24 + 18) == WEEK_H + 9  # Friday evening -> Monday morning
    assert cal.advance(16, 2) == 24 + 10  # one hour today, one tomorrow
    assert cal.working_hours(0, WEEK_H) == 40


def test_time_zones_and_night_shifts() -> None:
    ny = Calendar.weekly(-5, 9, 17, ["mon"])  # 14:00-22:00 UTC on Monday
    assert ny.intervals == ((14.0, 22.0),)
    night = Calendar.weekly(0, 22, 6, ["sun"])  # Sunday 22:00 to Monday 06:00 wraps the week
    assert night.intervals == ((0.0, 6.0), (166.0, 168.0))
    india = Calendar.weekly(5.5, 9, 18, ["mon"])
    both = overlap(ny, india)
    assert both.open_hours_per_week == 0  # no overlap between New York and Bangalore office hours
    london = Calendar.weekly(0, 9, 17, ["mon"])
    assert overlap(ny, london).open_hours_per_week == 3


@settings(max_examples=200, deadline=None)
@given(cal=calendars, t=st.floats(0, 5000), h=st.floats(0, 300))
def test_advance_inverts_cumulative_hours(cal: Calendar, t: float, h: float) -> None:
    end = cal.advance(t, h)
    assert end >= t
    assert cal.working_hours(t, end) == pytest.approx(h, abs=1e-7)
    if h > 0:  # the earliest such time: a moment earlier, less work was done
        assert cal.working_hours(t, end - 1e-6) < h


@settings(max_examples=200, deadline=None)
@given(cal=calendars, t=st.floats(0, 5000))
def test_next_open_is_open_and_nothing_earlier_is(cal: Calendar, t: float) -> None:
    nxt = cal.next_open(t)
    assert nxt >= t
    assert cal.is_open(nxt)
    if nxt > t:
        assert not cal.is_open(t)
        assert cal.working_hours(t, nxt) == pytest.approx(0.0, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(cal=calendars, ts=st.lists(st.floats(0, 5000), min_size=1, max_size=20))
def test_vectorised_cumulative_hours_matches_scalar(cal: Calendar, ts: list[float]) -> None:
    vec = cal.cumulative_hours_array(np.array(ts))
    np.testing.assert_allclose(vec, [cal.cumulative_hours(t) for t in ts], atol=1e-9)


timelines = st.builds(
    lambda cal, downs, factor: CapacityTimeline.from_calendar(cal, 3000.0).scaled(downs, factor),
    calendars,
    st.lists(st.tuples(st.floats(0, 2900), st.floats(0.5, 200)).map(lambda p: (p[0], p[0] + p[1])), max_size=4)
    .map(lambda ds: sorted(ds)),
    st.sampled_from([0.0, 0.5, 1.5]),
)


@settings(max_examples=200, deadline=None)
@given(tl=timelines, t=st.floats(0, 2500), h=st.floats(0, 100))
def test_timeline_advance_inverts_cumulative_hours(tl: CapacityTimeline, t: float, h: float) -> None:
    """The same for a capacity timeline (calendar, outages or slow-downs): work pauses and resumes."""
    end = tl.advance(t, h)
    assert end >= t
    if end == float("inf"):  # not enough capacity before the timeline ends
        assert tl.working_hours(t, tl.end_h) < h + 1e-9
        return
    assert tl.working_hours(t, end) == pytest.approx(h, abs=1e-7)
    if h > 0:
        assert tl.working_hours(t, end - 1e-6) < h
