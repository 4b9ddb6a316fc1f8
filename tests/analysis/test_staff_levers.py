"""Staffing levers: the three forms of a head count, the defaults of rosters and escalation tiers, and junk paths."""

from __future__ import annotations

import pytest
from conftest import mmc_dict, scenario_from
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.analysis.staff_levers import (
    StaffLever,
    default_levers,
    head_count,
    option_pools,
    parse_levers,
    staffed,
)


def tiered_roster() -> sk.Scenario:
    """A roster first line (day, evening and an on-call weekend shift) escalating to engineers and then to a
    vendor; a second team the option never uses."""
    data = mmc_dict(1, 1.0, horizon_days=3, warmup_days=0)
    data["calendars"] = {"client": {}, "day": {"open_hour": 0, "close_hour": 11},
                         "evening": {"open_hour": 11, "close_hour": 18}, "weekend": {"days": ["sat", "sun"]}}
    data["teams"] = {
        "desk": {"shifts": [{"calendar": "day", "staff": 4}, {"calendar": "evening", "staff": 2},
                            {"calendar": "weekend", "staff": 1, "on_call": True, "response_h": 1}]},
        "l2": {"staff": 3}, "other": {"staff": 5}}
    data["vendors"] = {"acme": {"agents": 2, "price_per_item": 20.0}}
    data["options"] = {"in_house": {"team": "desk", "escalation": [
        {"pool": "l2", "share": 0.3, "effort_h": "exponential(mean=1)"},
        {"pool": "acme", "share": 0.2, "effort_h": "exponential(mean=2)"}]}}
    return scenario_from(data)


SC = tiered_roster()
DATA = SC.to_dict()
POOLS = option_pools(SC, "in_house")
VALID = {"teams.desk.shifts.day.staff": 4, "teams.desk.shifts.evening.staff": 2,
         "teams.desk.shifts.weekend.staff": 1, "teams.l2.staff": 3, "vendors.acme.agents": 2}


def test_defaults_are_every_regular_shift_and_every_tier_pool() -> None:
    assert POOLS == ["teams.desk", "teams.l2", "vendors.acme"]
    assert default_levers(SC, "in_house") == ["teams.desk.shifts.day.staff", "teams.desk.shifts.evening.staff",
                                              "teams.l2.staff", "vendors.acme.agents"]
    assert {p: head_count(DATA, p) for p in VALID} == VALID


def test_a_shift_is_named_by_position_or_calendar_and_applied_to_its_roster() -> None:
    by_position = parse_levers([("teams.desk.shifts.1.staff", 1, 5)], DATA, POOLS)
    assert by_position == (StaffLever("teams.desk.shifts.evening.staff", 1, 5),)
    with pytest.raises(sk.ScenarioError, match=r"levers.teams.desk.shifts.evening.staff: is given twice"):
        parse_levers(["teams.desk.shifts.1.staff", "teams.desk.shifts.evening.staff"], DATA, POOLS)
    sc = staffed(SC, {"teams.desk.shifts.evening.staff": 5, "teams.desk.shifts.0.staff": 7, "teams.l2.staff": 1})
    assert [s.staff for s in sc.teams["desk"].shifts] == [7, 5, 1] and sc.teams["l2"].staff == 1
    assert [s.staff for s in SC.teams["desk"].shifts] == [4, 2, 1], "the scenario given is left as it was"


def test_two_shifts_on_one_calendar_are_named_by_position() -> None:
    data = SC.to_dict()
    data["teams"]["desk"]["shifts"].insert(1, {"calendar": "day", "staff": 1})
    sc = scenario_from(data)
    assert default_levers(sc, "in_house")[:3] == ["teams.desk.shifts.0.staff", "teams.desk.shifts.1.staff",
                                                  "teams.desk.shifts.evening.staff"]
    with pytest.raises(sk.ScenarioError, match=r"shifts 0, 1 of teams.desk share the calendar day: name the shift "
                                               r"by its position"):
        parse_levers(["teams.desk.shifts.day.staff"], sc.to_dict(), POOLS)


@pytest.mark.parametrize(("path", "message"), [
    ("teams.desk.staff", "levers.teams.desk.staff: names no head count: teams.desk is a roster, its head counts "
                         "are its shifts': teams.desk.shifts.day.staff,"),
    ("teams.desk.shifts.3.staff", "levers.teams.desk.shifts.3.staff: names no shift of teams.desk; its shifts: "
                                  "0 (day), 1 (evening), 2 (weekend)"),
    ("teams.desk.shifts.night.staff", "names no shift of teams.desk"),
    ("teams.desk.shifts.0.response_h", "levers.teams.desk.shifts.0.response_h: names no head count"),
    ("teams.l2.shifts.0.staff", "levers.teams.l2.shifts.0.staff: names no head count; the team's is "
                                "teams.l2.staff"),
    ("teams.other.staff", "levers.teams.other.staff: belongs to teams.other, which the option does not use; "
                          "its pools: teams.desk, teams.l2, vendors.acme"),
    ("run.seed", "levers.run.seed: names no head count; a lever is teams.<team>.staff"),
])
def test_a_path_that_names_no_head_count_is_one_line(path: str, message: str) -> None:
    with pytest.raises(sk.ScenarioError) as err:
        parse_levers([path], DATA, POOLS)
    assert message in str(err.value) and "\n" not in str(err.value)


_PARTS = st.one_of(st.sampled_from(["teams", "vendors", "desk", "l2", "other", "acme", "shifts", "staff", "agents",
                                    "0", "1", "2", "3", "day", "evening", "weekend", "run", "calendar", "options"]),
                   st.from_regex(r"[A-Za-z0-9_]{1,6}", fullmatch=True), st.text(max_size=6))


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(_PARTS, min_size=0, max_size=6))
def test_any_path_is_a_head_count_or_one_line_naming_it(parts: list[str]) -> None:
    path = ".".join(parts)
    try:
        (lever,) = parse_levers([path], DATA, POOLS)
    except sk.ScenarioError as err:
        text = str(err)
        assert "\n" not in text and "Traceback" not in text
        assert err.path == "levers" or err.path.startswith("levers."), text
        if err.path != "levers":  # a dotted path: the error names it (or the part of it that went wrong)
            named = err.path.removeprefix("levers.")
            assert path.startswith(named) or named.startswith("'"), text
            assert len(text) < 600
    else:
        assert lever.path in VALID and lever.low == 1 and lever.high >= VALID[lever.path]
