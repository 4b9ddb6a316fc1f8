"""The load summary before running: annual items, offered load, utilisation, Erlang C, warnings."""

from __future__ import annotations

import pytest

import simkit as sk
from simkit import analytic
from simkit.units import HOURS_PER_YEAR


def _scenario(workload: str, teams: str = "{desk: {staff: 3}}", extra: str = "") -> sk.Scenario:
    return sk.loads(f"name: s\nrun: {{horizon_days: 364}}\nworkload: {workload}\nteams: {teams}\n{extra}"
                    "options: {in_house: {team: desk}" + (", buy: {vendor: acme}}" if "vendors" in extra else "}"))


def test_the_hand_written_profile_that_does_not_average_one() -> None:
    """A rate of 9,000 / 8,766 h with multipliers averaging 0.71 is not 9,000 items a year."""
    hour = [0.0] * 8 + [1.7] * 10 + [0.0] * 6  # mean 0.7083
    day = [1.0] * 5 + [1.0, 1.0]
    sc = _scenario(f"{{rate_per_hour: 1.03, hour_of_day: {hour}, day_of_week: {day}, "
                   "kinds: {t: {share: 1, effort_h: 1}}}")
    s = sc.summary()
    want = 1.03 * HOURS_PER_YEAR * sum(hour) / 24
    assert s.annual_items == pytest.approx(want)
    assert "average 0.708, not 1" in s.profile_note and f"{want:,.0f}" in s.profile_note
    assert "9,029" in s.profile_note  # what 1.03 x 8,766 h would have suggested
    fixed = sc.override({"workload.rate_per_hour": None, "workload.annual_volume": 9000})
    assert fixed.summary().annual_items == pytest.approx(9000) and fixed.summary().profile_note == ""


def test_offered_load_utilisation_and_erlang_c_by_hand() -> None:
    sc = _scenario("{rate_per_hour: 2.0, kinds: {t: {share: 1, effort_h: 'exponential(mean=1.2)'}}}",
                   extra="vendors: {acme: {agents: 4, price_per_item: 10}}\n")
    s = sc.summary()
    team = s.pools.set_index("option").loc["in_house"]
    assert team["offered_load_erlangs"] == pytest.approx(2.0 * 1.2)
    assert team["utilisation_share"] == pytest.approx(2.4 / 3)
    assert team["p_wait_share"] == pytest.approx(analytic.erlang_c(3, 2.4))
    rev = s.vendor_revenue.set_index("option").loc["buy"]
    assert rev["revenue_per_agent_h"] == pytest.approx(10 * 2.0 / 4)  # items/h x price over 4 agents always on
    assert s.warnings == []
    assert "annual items: 17,532" in str(s)


def test_straw_man_and_overload_warnings() -> None:
    idle = _scenario("{annual_volume: 1000, kinds: {t: {share: 1, effort_h: 1}}}", "{desk: {staff: 5}}")
    assert idle.summary().straw_man and "straw man" in idle.summary().straw_man[0]
    busy = _scenario("{rate_per_hour: 5, kinds: {t: {share: 1, effort_h: 1}}}", "{desk: {staff: 4}}")
    assert busy.summary().overloaded and "125%" in busy.summary().overloaded[0]
    assert not busy.summary().straw_man
