"""Rosters (shifts, on-call), escalation tiers and time-of-day routing: closed forms and invariants."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import yaml
from conftest import mmc_dict, scenario_from
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit import analytic
from simkit.accounting import costs
from simkit.calendars.weekly import Calendar
from simkit.engine import simulate_option
from simkit.engine.roster import seat_calendars
from simkit.experiment.simulate import draw_trace, run_replication
from simkit.stats.estimates import mean_ci
from simkit.streams import Streams

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"]


def _logs(sc: sk.Scenario, option: str, reps: int = 2) -> list:
    out = []
    for rep in range(reps):
        st_ = Streams(5, rep)
        out.append(simulate_option(sc, option, draw_trace(sc, st_), st_))
    return out


# --------------------------------------------------------------------------- escalation tiers
def tandem(c1: int, lam: float, s1: float, p: float, c2: int, s2: float, horizon_days: float) -> sk.Scenario:
    """M/M/c1 -> share p -> M/M/c2: a team at tier 1, a vendor at tier 2, both around the clock."""
    data = mmc_dict(c1, lam, service_mean_h=s1, horizon_days=horizon_days, warmup_days=10,
                    tiers={"team": "team", "escalation": [
                        {"pool": "l2", "share": p, "effort_h": f"exponential(mean={s2})"}]})
    data["vendors"] = {"l2": {"agents": c2, "price_per_item": 30.0}}
    return scenario_from(data)


def test_tandem_tiers_match_jackson_network_erlang_c() -> None:
    """Departures of an M/M/c queue are Poisson (Burke) and escalation thins them independently, so tier 2 is
    M/M/c2 at rate p x lambda: each tier's mean wait is Erlang C's, and the mean lead time is
    W1 + S1 + p (W2 + S2).  Twenty replications of 150 days keep each CI within 15% of the value; four
    quantities are checked, so each interval is a 99% one (a family-wise miss rate of about 4%)."""
    c1, lam, s1, p, c2, s2 = 3, 4.0, 0.5, 0.4, 2, 1.0
    sc = tandem(c1, lam, s1, p, c2, s2, 150)
    kp = sk.simulate(sc, replications=20, seed=3).kpis
    kp = kp[kp["option"] == "tiers"]
    w1, w2 = analytic.mmc_wait_mean_h(c1, lam, s1), analytic.mmc_wait_mean_h(c2, p * lam, s2)
    lead = w1 + s1 + p * (w2 + s2)
    for col, want in (("wait_mean_h", w1), ("tier2_wait_mean_h", w2), ("lead_time_mean_h", lead),
                      ("escalated_share", p)):
        _, _, lo, hi = mean_ci(kp[col].to_numpy(), level=0.99)
        assert hi - lo < 0.15 * want, f"{col}: CI [{lo:.4f}, {hi:.4f}] too wide to test {want:.4f}"
        assert lo <= want <= hi, f"{col}: theory {want:.4f} outside CI [{lo:.4f}, {hi:.4f}]"
    assert (kp["tier3_items"] == 0).all()


def test_tier2_arrivals_are_poisson() -> None:
    """The gaps between escalations are exponential (coefficient of variation 1) at rate p x lambda."""
    sc = tandem(3, 4.0, 0.5, 0.4, 2, 1.0, 200)
    log = _logs(sc, "tiers", 1)[0]
    enter = np.sort(log.tiers.enter_h[1][np.isfinite(log.tiers.enter_h[1])])
    gaps = np.diff(enter[enter > 240.0])
    assert 1.0 / gaps.mean() == pytest.approx(1.6, rel=0.05)
    assert gaps.std() / gaps.mean() == pytest.approx(1.0, abs=0.05)


def test_a_vendor_is_paid_for_every_item_it_finishes_at_its_tier() -> None:
    """Vendor L1 + team L2: the vendor's per-item fees count escalated items too, and tier costs add up."""
    data = mmc_dict(2, 1.0, horizon_days=30, warmup_days=0,
                    tiers={"vendor": "l1", "escalation": [
                        {"pool": "team", "share": 0.2, "share_by_kind": {"job": 0.5},
                         "effort_h": "exponential(mean=1)"}]})
    data["vendors"] = {"l1": {"agents": 3, "price_per_item": 7.0, "governance_share": 0.0}}
    sc = scenario_from(data)
    rep = run_replication(sc, 0, seed=4, keep_logs=True)
    log = rep.logs["tiers"]
    finished_by_vendor = int(np.count_nonzero(log.tiers.done_by[0] == log.pool_index("l1")))
    escalated = int(np.count_nonzero(np.isfinite(log.tiers.enter_h[1])))
    assert escalated / len(log.trace) == pytest.approx(0.5, abs=0.05)  # share_by_kind wins over share
    ledger = rep.ledger[rep.ledger["option"] == "tiers"]
    fees = ledger.loc[ledger["category"] == "vendor_fees", "amount"].sum()
    assert fees == pytest.approx(7.0 * finished_by_vendor)
    assert finished_by_vendor > int(np.count_nonzero(log.pool == log.pool_index("l1")))  # not only the last tier
    split = costs.tier_costs(sc, log)
    assert split["tier1"] == pytest.approx(fees)
    assert split["tier1"] + split["tier2"] == pytest.approx(ledger["amount"].sum())


def test_escalation_draws_are_common_to_options_with_the_same_tiers() -> None:
    data = mmc_dict(2, 1.0, horizon_days=20, warmup_days=0,
                    a={"team": "team", "escalation": [{"pool": "l2", "share": 0.3, "effort_h": "exponential(mean=2)"}]},
                    b={"vendor": "l1", "escalation": [{"pool": "l2", "share": 0.3, "effort_h": "exponential(mean=2)"}]})
    data["teams"]["l2"] = {"staff": 1}
    data["vendors"] = {"l1": {"agents": 2, "price_per_item": 1.0}}
    sc = scenario_from(data)
    st_ = Streams(2, 0)
    trace = draw_trace(sc, st_)
    a, b = (simulate_option(sc, o, trace, st_) for o in ("a", "b"))
    done_a, done_b = np.isfinite(a.tiers.end_h[0]), np.isfinite(b.tiers.end_h[0])
    both = done_a & done_b
    np.testing.assert_array_equal(np.isfinite(a.tiers.enter_h[1])[both], np.isfinite(b.tiers.enter_h[1])[both])


# --------------------------------------------------------------------------- rosters
def _shift_calendars() -> st.SearchStrategy[tuple[list[Calendar], list[int]]]:
    one = st.tuples(st.integers(0, 23), st.integers(1, 24), st.lists(st.sampled_from(WEEKDAYS + ["sat", "sun"]),
                                                                     min_size=1, unique=True), st.integers(0, 4))
    return st.lists(one, min_size=1, max_size=4).map(lambda shifts: (
        [Calendar.weekly(0.0, a, (a + n) % 24, days) for a, n, days, _ in shifts], [k for *_, k in shifts]))


@settings(max_examples=60, deadline=None)
@given(_shift_calendars(), st.lists(st.floats(0, 168, exclude_max=True), min_size=1, max_size=20))
def test_seats_add_up_to_the_shifts_head_counts(shifts: tuple[list[Calendar], list[int]], times: list[float]) -> None:
    cals, staff = shifts
    seats = seat_calendars(cals, staff)
    for t in times:  # at any moment, the open seats are the people on shift
        assert sum(s.is_open(t) for s in seats) == sum(n for c, n in zip(cals, staff, strict=True) if c.is_open(t))
    want = sum(n * c.open_hours_per_week for c, n in zip(cals, staff, strict=True))
    assert sum(s.open_hours_per_week for s in seats) == pytest.approx(want)


def _roster_team(shifts: list[dict], **extra: object) -> dict:
    data = mmc_dict(1, 1.2, horizon_days=28, warmup_days=0, **extra)
    data["calendars"] = {"client": {}, "day": {"open_hour": 0, "close_hour": 12},
                         "night": {"open_hour": 12, "close_hour": 24},
                         "office": {"open_hour": 9, "close_hour": 17, "days": WEEKDAYS},
                         "weekend": {"days": ["sat", "sun"]}}
    data["teams"]["roster"] = {"shifts": shifts, "loaded_cost_per_hour": 40.0, "overhead_per_fte_month": 100.0}
    data["options"]["rostered"] = {"team": "roster"}
    return data


def test_day_and_night_shifts_of_c_are_a_team_of_c_around_the_clock() -> None:
    """The hand-over at noon and midnight keeps work going: the log equals the plain team's, item by item."""
    sc = scenario_from(_roster_team([{"calendar": "day", "staff": 2}, {"calendar": "night", "staff": 2}]))
    sc = sc.override({"teams.team.staff": 2})
    for a, b in zip(_logs(sc, "in_house"), _logs(sc, "rostered"), strict=True):
        for col in ("enter_h", "start_h", "end_h", "status"):
            np.testing.assert_array_equal(getattr(a, col), getattr(b, col), err_msg=col)
        for col in ("busy_h", "open_server_h"):  # summed piece by piece: equal up to rounding
            np.testing.assert_allclose(getattr(a, col), getattr(b, col), rtol=1e-12, err_msg=col)


def test_a_one_shift_roster_is_the_plain_team_and_costs_the_same() -> None:
    data = _roster_team([{"calendar": "office", "staff": 3}])
    data["teams"]["team"] |= {"staff": 3, "calendar": "office", "loaded_cost_per_hour": 40.0,
                              "overhead_per_fte_month": 100.0}
    sc = scenario_from(data)
    for a, b in zip(_logs(sc, "in_house"), _logs(sc, "rostered"), strict=True):
        for col in ("start_h", "end_h", "status"):
            np.testing.assert_array_equal(getattr(a, col), getattr(b, col), err_msg=col)
        for col in ("busy_h", "open_server_h"):
            np.testing.assert_allclose(getattr(a, col), getattr(b, col), rtol=1e-12, err_msg=col)
        assert costs.account(sc, a).by_category() == pytest.approx(costs.account(sc, b).by_category())


def test_each_shift_is_paid_for_its_open_hours() -> None:
    """Labour = sum over regular shifts of head count x loaded hourly cost x the shift's open hours."""
    sc = scenario_from(_roster_team([{"calendar": "office", "staff": 2}, {"calendar": "weekend", "staff": 1}]))
    log = _logs(sc, "rostered", 1)[0]
    by_cat = costs.account(sc, log).by_category()
    hours = 2 * sc.calendar("office").working_hours(0, 28 * 24) + sc.calendar("weekend").working_hours(0, 28 * 24)
    assert by_cat["labour"] == pytest.approx(40.0 * hours)
    months = 28 * 24 / costs.HOURS_PER_MONTH
    assert by_cat["overhead"] == pytest.approx(100.0 * 3 * months)
    assert log.open_server_h[0] == pytest.approx(hours)
    assert log.servers[0] == 3  # the roster's people (staff_end_count counts them), not its 2 seats


def test_on_call_staff_are_called_out_by_work_outside_office_hours() -> None:
    fee, response = 150.0, 1.5
    sc = scenario_from(_roster_team([{"calendar": "office", "staff": 2},
                                     {"calendar": "weekend", "staff": 1, "on_call": True, "call_out_fee": fee,
                                      "response_h": response}]))
    office, weekend = sc.calendar("office"), sc.calendar("weekend")
    for log in _logs(sc, "rostered"):
        calls = [t for t, pool, what in log.events if what == "call_out"]
        assert calls and all(pool == "roster" for _, pool, what in log.events if what == "call_out")
        assert all(weekend.is_open(t) and not office.is_open(t) for t in calls)
        pieces = log.on_call_work["roster"]
        assert pieces and all(any(c + response <= a + 1e-9 for c in calls) for a, _ in pieces)
        assert all(weekend.is_open(a) for a, _ in pieces)  # work is taken only inside the on-call window
        on_call_h = sum(min(b, log.window_h[1]) - a for a, b in pieces)  # hours worked by the horizon
        by_cat = costs.account(sc, log).by_category()
        assert by_cat["call_outs"] == pytest.approx(fee * len(calls) + 40.0 * on_call_h)
        # each call-out's people start on the work that called them, exactly response_h later
        starts = {a for a, _ in pieces}
        assert all(any(abs(a - (c + response)) < 1e-9 for a in starts) for c in calls if c + response < 28 * 24)


def test_without_on_call_weekend_work_waits_for_monday() -> None:
    sc = scenario_from(_roster_team([{"calendar": "office", "staff": 2}]))
    office = sc.calendar("office")
    for log in _logs(sc, "rostered"):
        started = np.isfinite(log.start_h)
        assert all(office.is_open(t) for t in log.start_h[started])
        assert not any(what == "call_out" for _, _, what in log.events)


# --------------------------------------------------------------------------- time-of-day routing
def _sun(vendor_hours: tuple[int, int]) -> sk.Scenario:
    data = mmc_dict(2, 1.0, horizon_days=21, warmup_days=0, sun={"team": "team", "vendor": "asia",
                                                                  "routing": "time_of_day"})
    data["calendars"] = {"client": {}, "europe": {"open_hour": 8, "close_hour": 16},
                         "asia": {"open_hour": vendor_hours[0], "close_hour": vendor_hours[1]}}
    data["teams"]["team"]["calendar"] = "europe"
    data["vendors"] = {"asia": {"agents": 2, "price_per_item": 5.0, "calendar": "asia"}}
    return scenario_from(data)


@pytest.mark.parametrize("vendor_hours", [(0, 8), (4, 12), (20, 4)])
def test_follow_the_sun_sends_each_item_to_an_open_pool(vendor_hours: tuple[int, int]) -> None:
    sc = _sun(vendor_hours)
    team_cal, vendor_cal = sc.calendar("europe"), sc.calendar("asia")
    for log in _logs(sc, "sun"):
        for t, p in zip(log.trace.arrival_h, log.pool, strict=True):
            t_open, v_open = team_cal.is_open(t), vendor_cal.is_open(t)
            if t_open != v_open:  # exactly one open: that one
                assert p == (0 if t_open else 1)
            elif not t_open:  # neither: the first to open (a tie goes to the team)
                assert p == (1 if vendor_cal.next_open(t) < team_cal.next_open(t) else 0)


# --------------------------------------------------------------------------- schema
BAD = [
    ({"teams": {"team": {"staff": 2, "shifts": [{"calendar": "client", "staff": 1}]}}},
     "teams.team", "remove staff"),
    ({"teams": {"team": {"shifts": [{"calendar": "nowhere", "staff": 1}]}}},
     "teams.team.shifts.0.calendar", "unknown calendar"),
    ({"teams": {"team": {"shifts": [{"calendar": "client", "staff": 1, "call_out_fee": 5}]}}},
     "teams.team.shifts.0", "on_call"),
    ({"teams": {"team": {"shifts": [{"calendar": "client", "staff": 1, "on_call": True}]}}},
     "teams.team", "regular"),
    ({"options": {"t": {"team": "team", "escalation": [{"pool": "team", "share": 0.1, "effort_h": 1}]}}},
     "options.t.escalation.0.pool", "already serves"),
    ({"options": {"t": {"team": "team", "escalation": [{"pool": "nobody", "share": 0.1, "effort_h": 1}]}}},
     "options.t.escalation.0.pool", "unknown team or vendor"),
    ({"options": {"t": {"team": "team", "escalation": [{"pool": "v", "share_by_kind": {"jbo": 0.1},
                                                         "effort_h": 1}]}}},
     "options.t.escalation.0.share_by_kind", "did you mean 'job'"),
    ({"options": {"t": {"team": "team", "escalation": [{"pool": "v", "share_by_kind": {"job": "0.5"},
                                                         "effort_h": 1}]}}},
     "options.t.escalation.0.share_by_kind", "must be a number"),
    ({"options": {"t": {"team": "team", "escalation": [{"pool": "v", "share": 1.5, "effort_h": 1}]}}},
     "options.t.escalation.0.share", "1.5"),
    ({"options": {"t": {"team": "team", "routing": "time_of_day"}}}, "options.t", "routing applies only"),
]


@pytest.mark.parametrize(("change", "path", "words"), BAD)
def test_bad_rosters_and_tiers_get_one_line_naming_the_field(change: dict, path: str, words: str) -> None:
    data = mmc_dict(1, 0.5)
    data["vendors"] = {"v": {"agents": 1, "price_per_item": 1.0}}
    for section, value in change.items():
        for key, spec in value.items():
            data[section][key] = copy.deepcopy(spec)
    with pytest.raises(sk.ScenarioError) as err:
        sk.loads(yaml.safe_dump(data))
    msg = str(err.value)
    assert "\n" not in msg and path in msg and words in msg, msg


def test_new_sections_round_trip_and_leave_old_dumps_alone() -> None:
    sc = scenario_from(_roster_team([{"calendar": "office", "staff": 2},
                                     {"calendar": "weekend", "staff": 1, "on_call": True, "call_out_fee": 10}],
                                    tiers={"team": "team", "escalation": [
                                        {"pool": "roster", "share": 0.2, "effort_h": "exponential(mean=1)"}]}))
    again = sk.loads(sc.to_yaml())
    assert again == sc and again.fingerprint() == sc.fingerprint()
    plain = scenario_from(mmc_dict(2, 1.0))
    dumped = plain.to_dict()
    assert "shifts" not in dumped["teams"]["team"] and "escalation" not in dumped["options"]["in_house"]


def test_a_tier_pool_is_part_of_the_options_engine_inputs() -> None:
    """Reusing logs after a change: a tier's pool changes what its option simulates, not the others."""
    from simkit.experiment.reuse import engine_keys

    sc = tandem(3, 4.0, 0.5, 0.4, 2, 1.0, 20)
    before = engine_keys(sc, sc.option_names)
    after = engine_keys(sc.override({"vendors.l2.agents": 3}), sc.option_names)
    assert before["tiers"] != after["tiers"] and before["in_house"] == after["in_house"]
    priced = engine_keys(sc.override({"vendors.l2.price_per_item": 99.0}), sc.option_names)
    assert priced == before  # a price is no engine input
