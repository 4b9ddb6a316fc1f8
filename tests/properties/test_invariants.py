"""Invariants that hold for every scenario: hypothesis draws random scenarios with every mechanism on.

Calendars in random time zones (quarter-hour offsets) with day and night shifts, random item kinds,
distributions and priorities, teams, vendors under every pricing scheme, overflow and by-kind hybrids,
backup vendors, warm-up, and each optional mechanism section the schema knows — each drawn small enough
to simulate in a fraction of a second.  For every option of every drawn scenario:

* each item: arrival <= queue entry <= start <= end <= horizon, and its state agrees with its times;
* conservation: completed + in service + queued + abandoned = arrived, in the log and in the KPIs;
* utilisation within [0, 1]; no more items in service than servers;
* costs non-negative except credits (``sla_credits`` <= 0) and exchange-rate differences (``fx``);
* the ledger's categories sum to the totals, and its cost KPIs equal their categories;
* every KPI finite.

New optional sections: add one entry to :data:`TEAM_SECTIONS`, :data:`VENDOR_SECTIONS` or
:data:`KIND_FIELDS` (name -> strategy); sections the schema does not have are skipped automatically.
"""

from __future__ import annotations

import math
import os
import warnings
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.accounting.costs import CATEGORIES
from simkit.engine.log import ABANDONED, COMPLETED, IN_SERVICE, QUEUED
from simkit.experiment.simulate import price_log, run_replication
from simkit.scenario.mechanisms import ExitSpec  # noqa: F401 - the mechanisms module must import
from simkit.scenario.preflight import CapacityWarning
from simkit.scenario.schema import KindSpec, TeamSpec, VendorSpec

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SIGNED_CATEGORIES = {"fx"}  # exchange-rate differences may be gains
CREDIT_CATEGORIES = {"sla_credits", "review_penalties"}  # paid back to the client: never positive


# --------------------------------------------------------------------------- building blocks
def num(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats in ``[lo, hi]``, without subnormals (5e-324 per year is a rate nobody means)."""
    return st.floats(lo, hi, allow_subnormal=False)


def quarter(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.integers(int(lo * 4), int(hi * 4)).map(lambda q: q / 4)


def dist(mean_lo: float = 0.05, mean_hi: float = 4.0) -> st.SearchStrategy[str]:
    """A distribution string of any family with a mean in a range."""
    m = num(mean_lo, mean_hi).map(lambda x: round(x, 3))
    cv = num(0.0, 2.0).map(lambda x: round(x, 2))
    return st.one_of(
        m.map(lambda a: f"exponential(mean={a})"),
        st.tuples(m, cv).map(lambda p: f"lognormal(mean={p[0]}, cv={p[1]})"),
        st.tuples(m, cv).map(lambda p: f"gamma(mean={p[0]}, cv={p[1]})"),
        st.tuples(m, m, m).map(sorted).map(lambda p: f"triangular(low={p[0]}, mode={p[1]}, high={p[2]})"),
        st.tuples(m, m).map(sorted).map(lambda p: f"uniform(low={p[0]}, high={p[1]})"),
        m.map(lambda a: f"deterministic(value={a})"),
        st.lists(m, min_size=1, max_size=4).map(lambda v: f"empirical(values=[{', '.join(map(str, v))}])"),
        m,
    )


def calendar() -> st.SearchStrategy[dict]:
    """A working week in a time zone: day shifts, night shifts (close < open) or around the clock."""
    return st.fixed_dictionaries({
        "utc_offset_h": quarter(-12, 14),
        "open_hour": quarter(0, 23.75),
        "close_hour": quarter(0, 24),
        "days": st.lists(st.sampled_from(DAYS), min_size=1, max_size=7, unique=True),
    }).filter(lambda c: c["open_hour"] != c["close_hour"] or c["open_hour"] in (0, 24))


def profile(n: int) -> st.SearchStrategy[list[float] | None]:
    return st.none() | st.lists(quarter(0, 3), min_size=n, max_size=n).filter(lambda v: max(v) > 0)


def volume() -> st.SearchStrategy[dict]:
    """The workload's size, as a base rate or as items a year (which the profile then averages to)."""
    return st.one_of(st.fixed_dictionaries({"rate_per_hour": num(0.0, 2.0)}),
                     st.fixed_dictionaries({"annual_volume": num(0.0, 9000.0)}))


def share() -> st.SearchStrategy[float]:
    return num(0.0, 1.0).map(lambda x: round(x, 3))


money = num(0.0, 5000.0).map(lambda x: round(x, 2))


# --------------------------------------------------------------------------- optional sections
def _fallback(ctx: dict) -> st.SearchStrategy[str]:
    return st.sampled_from([p for p in ctx["pools"] if p != ctx["self"]])


def _exit(ctx: dict) -> st.SearchStrategy[dict | None]:
    if len(ctx["pools"]) < 2:
        return st.none()  # nobody to fall back to
    return st.fixed_dictionaries({
        "hazard_per_year": num(0, 40), "fallback": _fallback(ctx),
        "switch_lead_h": num(0, 100), "switching_cost": money, "exit_fee": money,
        "ramp_start_productivity": num(0.2, 1.0), "ramp_months": num(0, 2),
        "knowledge_erosion_annual": share()},
        optional={"terminate_at_month": num(0.01, 1)})  # 0 exactly: see test_degenerate


KIND_FIELDS: dict[str, Any] = {
    "clarify_share": lambda ctx: share(),
    "clarify_max_rounds": lambda ctx: st.integers(1, 4),
    "patience_h": lambda ctx: dist(0.5, 48.0),
    "late_cost_per_h": lambda ctx: money,
    "abandon_cost": lambda ctx: money,
}
QUALITY = st.fixed_dictionaries({
    "defect_share": share(), "detection_share": share(), "detection_delay_h": dist(0.0, 24.0),
    "rework_effort_share": num(0.1, 1.0).map(lambda x: round(x, 2)), "escaped_defect_cost": money,
}, optional={"defect_halving_months": num(0.5, 12)})
FX = st.fixed_dictionaries({"currency": st.sampled_from(["EUR", "INR", "PHP"]),
                            "volatility_annual": num(0, 0.8), "drift_annual": num(-0.2, 0.2)})
TEAM_SECTIONS: dict[str, Any] = {
    "absence_share": lambda ctx: num(0, 0.6),
    "quality": lambda ctx: QUALITY,
    "fx": lambda ctx: FX,
    "hiring": lambda ctx: st.fixed_dictionaries({
        "attrition_annual": num(0, 3), "hiring_lead_h": num(0, 200),
        "ramp_months": num(0, 2), "recruiting_cost": money,
    }, optional={"hire_when_backlog_per_staff": num(0.5, 5), "max_staff": st.integers(0, 8),
                 "layoff_after_idle_days": num(0.5, 10), "severance_per_fte": money}),
    "overtime_h_per_day": lambda ctx: num(0, 3),
    "clarify_factor": lambda ctx: num(0, 3),
    "shifts": lambda ctx: _shifts(ctx),
}


def _shifts(ctx: dict) -> st.SearchStrategy[list[dict]]:
    """A roster: one to three regular shifts on the scenario's calendars, sometimes an on-call shift."""
    regular = st.fixed_dictionaries({"calendar": st.sampled_from(ctx["calendars"]), "staff": st.integers(0, 3)})
    on_call = st.fixed_dictionaries({"calendar": st.sampled_from(ctx["calendars"]), "staff": st.integers(0, 2),
                                     "on_call": st.just(True), "call_out_fee": money,
                                     "response_h": num(0, 4)})
    return st.tuples(st.lists(regular, min_size=1, max_size=3), st.lists(on_call, max_size=1)).map(
        lambda parts: parts[0] + parts[1])


def _tiers(draw: st.DrawFn, option: dict, teams: dict, vendors: dict, kind_names: list[str]) -> list[dict] | None:
    """One or two escalation tiers on pools the option does not use and that a tier may be."""
    used = {option.get(k) for k in ("team", "vendor", "backup")} - {None}
    if any(teams.get(p, {}).get("overtime_h_per_day", 0) > 0 for p in used):
        return None
    fallbacks = {vendors[p]["exit"]["fallback"] for p in used if "exit" in vendors.get(p, {})}
    free = [p for p in teams if p not in used and p not in fallbacks and teams[p].get("overtime_h_per_day", 0) == 0]
    free += [p for p in vendors if p not in used and p not in fallbacks
             and "exit" not in vendors[p] and "review" not in vendors[p]]
    if not free:
        return None
    chosen = draw(st.lists(st.sampled_from(free), min_size=1, max_size=2, unique=True))
    return [{"pool": p, "share": draw(share()), "effort_h": draw(dist(0.05, 3.0)),
             "share_by_kind": draw(st.dictionaries(st.sampled_from(kind_names), share(), max_size=2))}
            for p in chosen]


VENDOR_SECTIONS: dict[str, Any] = {
    "outages": lambda ctx: st.fixed_dictionaries({
        "time_between_h": dist(10, 200), "repair_h": dist(0.5, 24),
        "policy": st.sampled_from(["wait", "reroute"])}),
    "degradation": lambda ctx: st.fixed_dictionaries({
        "time_between_h": dist(10, 200), "duration_h": dist(1, 48),
        "productivity_factor": num(0.2, 1.0), "defect_factor": num(1, 5)}),
    "exit": _exit,
    "quality": lambda ctx: QUALITY,
    "sla": lambda ctx: st.fixed_dictionaries({"target_share": share(), "credit_share_per_point": share(),
                                              "cap_share": share()}),
    "transition": lambda ctx: st.fixed_dictionaries({
        "start_productivity": num(0.2, 1.0), "learning_rate": num(0.5, 1.0),
        "parallel_run_months": num(0, 1), "knowledge_transfer_cost": money,
        "released_staff": st.integers(0, 3), "severance_per_fte": money},
        optional={"retained_team": st.sampled_from(ctx["teams"])} if ctx["teams"] else {}),
    "contract": lambda ctx: st.fixed_dictionaries({
        "term_months": num(0.2, 3), "indexation_annual": num(-0.2, 0.5),
        "lock_in_premium": num(0, 1), "min_items_per_month": num(0, 100)}),
    "fx": lambda ctx: FX,
    "shared": lambda ctx: st.fixed_dictionaries({
        "background_rate_per_hour": num(0, 1.5), "background_effort_h": dist(0.1, 2),
        "client_priority": st.sampled_from(["higher", "equal", "lower"])}),
    "elastic": lambda ctx: st.fixed_dictionaries({
        "max_agents": st.integers(0, 6), "scale_when_queue_per_agent": num(0.5, 4),
        "notice_h": num(0, 48), "release_after_h": num(1, 100),
        "surge_price_per_agent_hour": money}),
    "clarify_factor": lambda ctx: num(0, 3),
    "review": lambda ctx: st.fixed_dictionaries({  # termination for cause is drawn with the exit plan, below
        "floor_share": num(0.5, 1.0), "months_below": st.sampled_from([1, 1, 2]), "penalty": money,
        "remediation_productivity_factor": num(1, 2), "remediation_delay_h": num(0, 300)}),
}


def _optional(draw: st.DrawFn, sections: dict[str, Any], model: type, ctx: dict) -> dict:
    """Each optional section the schema's ``model`` knows, present with probability one half."""
    out = {}
    for name, make in sections.items():
        if name in model.model_fields and draw(st.booleans()):
            value = draw(make(ctx))
            if value is not None:
                out[name] = value
    return out


# --------------------------------------------------------------------------- whole scenarios
@st.composite
def scenarios(draw: st.DrawFn) -> dict:
    """A random, small, valid scenario (as a dict) with a random subset of every mechanism."""
    cal_names = [f"cal{i}" for i in range(draw(st.integers(1, 3)))]
    calendars = {n: draw(calendar()) for n in cal_names}
    kind_names = [f"kind{i}" for i in range(draw(st.integers(1, 3)))]
    kinds = {}
    for k in kind_names:
        kinds[k] = {"share": draw(num(0.05, 1.0)), "effort_h": draw(dist()),
                    "priority": draw(st.integers(0, 9)), "sla_h": draw(num(1, 200))}
        kinds[k] |= _optional(draw, KIND_FIELDS, KindSpec, {})
    team_names = [f"team{i}" for i in range(draw(st.integers(0, 2)))]
    vendor_names = [f"vendor{i}" for i in range(draw(st.integers(0 if team_names else 1, 2)))]
    pools = team_names + vendor_names
    teams = {}
    for t in team_names:
        teams[t] = {"staff": draw(st.integers(0, 5)), "calendar": draw(st.sampled_from(cal_names)),
                    "loaded_cost_per_hour": draw(money), "overhead_per_fte_month": draw(money),
                    "productivity": draw(num(0.5, 2.0))}
        teams[t] |= _optional(draw, TEAM_SECTIONS, TeamSpec, {"self": t, "pools": pools, "teams": team_names,
                                                              "calendars": cal_names})
        if "shifts" in teams[t]:  # a roster brings its own head counts and hours
            for key in ("staff", "calendar", "hiring", "overtime_h_per_day"):
                teams[t].pop(key, None)
    vendors = {}
    for v in vendor_names:
        pricing = draw(st.sampled_from(["per_item", "per_fte_month", "fixed_plus_per_item"]))
        prices = {"per_item": {"price_per_item": draw(money)},
                  "per_fte_month": {"price_per_fte_month": draw(money)},
                  "fixed_plus_per_item": {"fee_per_month": draw(money),
                                          "price_per_item": draw(money)}}[pricing]
        vendors[v] = {"agents": draw(st.integers(0, 6)), "calendar": draw(st.sampled_from(cal_names)),
                      "pricing": pricing, **prices, "productivity": draw(num(0.5, 2.0)),
                      "governance_share": draw(share()), "transition_cost": draw(money),
                      "handoff_h": draw(num(0, 24))}
        ctx = {"self": v, "pools": pools, "teams": team_names}
        vendors[v] |= _optional(draw, VENDOR_SECTIONS, VendorSpec, ctx)
        if "review" in vendors[v] and "exit" in vendors[v]:
            terminate = draw(st.sampled_from([None, 1, 1, 2]))
            if terminate is not None:
                vendors[v]["review"]["terminate_at_review"] = terminate
    options: dict[str, dict] = {}
    for t in team_names:
        options[f"in_{t}"] = {"team": t}
    for v in vendor_names:
        options[f"buy_{v}"] = {"vendor": v}
        others = [w for w in vendor_names if w != v]
        if others and draw(st.booleans()):
            options[f"buy_{v}"] |= {"backup": draw(st.sampled_from(others)), "backup_share": draw(share())}
    if team_names and vendor_names:
        pair = st.fixed_dictionaries({"team": st.sampled_from(team_names),
                                      "vendor": st.sampled_from(vendor_names)})
        options["overflow"] = {**draw(pair), "routing": "overflow", "overflow_queue": draw(st.integers(0, 5))}
        kinds_sent = draw(st.lists(st.sampled_from(kind_names), min_size=1, unique=True))
        options["split"] = {**draw(pair), "routing": "by_kind", "vendor_kinds": kinds_sent}
        if draw(st.booleans()):
            options["sun"] = {**draw(pair), "routing": "time_of_day"}
    dated = {}
    rosters = any("shifts" in t for t in teams.values())  # rosters are weekly: not on a dated run (refused)
    if not rosters and draw(st.booleans()):  # dated: real months, IANA zones, holidays
        start = draw(st.dates(date(2020, 1, 1), date(2035, 12, 31)))
        dated["start_date"] = start.isoformat()
        for c in calendars.values():
            if draw(st.booleans()):
                del c["utc_offset_h"]
                c["timezone"] = draw(st.sampled_from(["Europe/London", "America/New_York", "Australia/Sydney",
                                                      "Asia/Kolkata", "America/St_Johns"]))
            if draw(st.booleans()):
                c["closed_dates"] = [(start + timedelta(days=draw(st.integers(0, 20)))).isoformat()]
            if draw(st.integers(0, 3)) == 0:
                c["holidays"] = {"country": "GB", "subdivision": "ENG"}
    for option in options.values():
        if draw(st.booleans()):
            tiers = _tiers(draw, option, teams, vendors, kind_names)
            if tiers:
                option["escalation"] = tiers
    reviewed = any("review" in v for v in vendors.values())  # a review needs a month end inside the window
    horizon = draw(num(32.0, 65.0) if reviewed else num(2.0, 21.0))
    warmup = draw(num(0.0, horizon - 31.0) if reviewed else num(0.0, horizon / 3))
    return {
        "name": "random",
        "run": {"horizon_days": horizon, "warmup_days": warmup,
                "replications": 1, "seed": draw(st.integers(0, 2**32)),
                "discount_rate_annual": draw(num(0, 0.3)), "currency": "USD", **dated},
        "calendars": calendars,
        "workload": {**draw(volume()), "calendar": draw(st.sampled_from(cal_names)),
                     "hour_of_day": draw(profile(24)), "day_of_week": draw(profile(7)),
                     "hour_of_week": draw(st.none() | profile(168)),
                     "month_of_year": draw(profile(12)), "growth_annual": draw(num(-0.5, 2.0)),
                     "day_noise_cv": draw(st.sampled_from([0.0, 0.0, 0.2, 1.0])), "kinds": kinds},
        "teams": teams, "vendors": vendors, "options": options,
        "asset_specificity": draw(share()),
    }


# --------------------------------------------------------------------------- the invariants
def check_log(log: Any, horizon_h: float, overtime: bool = False) -> None:
    """Per-item times and states of one run log."""
    tr, state = log.trace, log.state()
    arrival, enter, start, end = tr.arrival_h, log.enter_h, log.start_h, log.end_h
    eps = 1e-6
    assert np.all((arrival >= 0) & (arrival < horizon_h + eps))
    for later, earlier, what in ((enter, arrival, "entry before arrival"),
                                 (start, arrival, "start before arrival"), (end, start, "end before start")):
        both = ~np.isnan(later) & ~np.isnan(earlier)
        bad = np.flatnonzero(later[both] < earlier[both] - eps)
        assert bad.size == 0, f"{log.option}: {what} for {bad.size} items"
    assert np.all(np.isnan(end) | (end <= horizon_h + eps)), f"{log.option}: completion after the horizon"
    done = state == COMPLETED
    assert np.all(~np.isnan(end[done]) & ~np.isnan(start[done])), f"{log.option}: completed without times"
    assert np.all(np.isnan(end[~done])), f"{log.option}: an end time on an unfinished item"
    assert np.all(~np.isnan(start[state == IN_SERVICE])), f"{log.option}: in service but never started"
    counts = np.bincount(state, minlength=4)
    assert counts[[COMPLETED, IN_SERVICE, QUEUED, ABANDONED]].sum() == len(tr)
    assert set(np.unique(state)) <= {COMPLETED, IN_SERVICE, QUEUED, ABANDONED}
    # utilisation of every pool inside the window: busy hours within the hours on shift
    assert np.all(log.busy_h >= -eps) and np.all(log.open_server_h >= -eps)
    over = log.busy_h > log.open_server_h * (1 + 1e-9) + eps
    assert not over.any() or overtime, (f"{log.option}: busy {log.busy_h} > on shift {log.open_server_h} "
                                        f"in {np.array(log.pool_names)[over]}")
    # no more items in service than servers (counting every hire and extra agent)
    added = sum(1 for _, _, what in log.events if what in ("hire", "scale_up"))
    assert counts[IN_SERVICE] <= log.servers.sum() + added, (counts[IN_SERVICE], log.servers, added)
    if log.tiers is not None:  # an item reaches a tier only after the tier before finished it
        tiers = log.tiers
        for j in range(1, tiers.enter_h.shape[0]):
            sent = ~np.isnan(tiers.enter_h[j])
            assert np.all(~np.isnan(tiers.end_h[j - 1][sent])), f"{log.option}: tier {j + 1} before tier {j} ended"
            assert np.all(tiers.enter_h[j][sent] >= tiers.end_h[j - 1][sent] - eps)
            taken = ~np.isnan(tiers.start_h[j])
            assert np.all(sent[taken]) and np.all(tiers.start_h[j][taken] >= tiers.enter_h[j][taken] - eps)
            assert np.all(~sent[done] | ~np.isnan(tiers.end_h[j][done]) | (j + 1 < tiers.enter_h.shape[0]))
        last = np.where(done, end, np.nan)
        finished_at = np.nanmax(np.where(np.isnan(tiers.end_h), -np.inf, tiers.end_h), axis=0)
        assert np.all(np.isnan(last) | (np.abs(finished_at - last) < eps)), f"{log.option}: end is not the last tier's"


def check_row(row: dict, ledger: pd.DataFrame, cost_col: str) -> None:
    """KPIs of one option and replication against its ledger."""
    values = {k: v for k, v in row.items() if k not in ("option", "replication")}
    bad = {k: v for k, v in values.items() if not math.isfinite(float(v))}
    assert not bad, f"{row['option']}: non-finite KPIs {bad}"
    for k, v in values.items():
        if k.endswith("_share"):
            assert -1e-9 <= v <= 1 + 1e-9, f"{row['option']}: {k} = {v} outside [0, 1]"
        if k.endswith(("_count", "_items", "_h")):
            assert v >= -1e-9, f"{row['option']}: {k} = {v} < 0"
    arrived, done = row["items_arrived"], row["items_completed"]
    if "reviews_count" in row:  # every remediation and termination for cause follows a review
        assert row["remediations_count"] <= row["reviews_count"] and row["terminations_count"] <= row["reviews_count"]
    abandoned = row.get("abandoned_share", 0.0) * arrived
    assert done + row["backlog_end_items"] + abandoned == pytest.approx(arrived, abs=1e-6), row
    by_cat = ledger.groupby("category")["amount"].sum()
    assert set(by_cat.index) <= set(CATEGORIES)
    assert by_cat.sum() == pytest.approx(row[cost_col], rel=1e-9, abs=1e-6)
    for kpi, cats, sign in ((f"sla_credits_{cost_col[11:]}", ["sla_credits"], -1),
                            (f"fx_cost_{cost_col[11:]}", ["fx"], 1),
                            (f"switching_cost_{cost_col[11:]}", ["switching", "exit_fee"], 1),
                            (f"delay_cost_{cost_col[11:]}", ["delay"], 1)):
        if kpi in row:
            booked = sign * by_cat.reindex(cats).fillna(0).sum()
            assert row[kpi] == pytest.approx(booked, rel=1e-9, abs=1e-6), kpi
    for cat, amounts in ledger.groupby("category")["amount"]:
        if cat in CREDIT_CATEGORIES:
            assert (amounts <= 1e-9).all(), f"{row['option']}: positive {cat}"
        elif cat not in SIGNED_CATEGORIES:
            assert (amounts >= -1e-9).all(), f"{row['option']}: negative {cat}: {amounts.min()}"


SETTINGS = settings(max_examples=int(os.environ.get("SIMKIT_FUZZ_EXAMPLES", "40")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@SETTINGS
@given(data=scenarios())
def test_invariants_hold_for_random_scenarios(data: dict) -> None:
    try:
        sc = sk.Scenario.model_validate(data)
    except (sk.ScenarioError, ValueError) as err:  # a combination the schema refuses: say which, draw again
        note(str(err))
        assume(False)
    note(sc.to_yaml())
    horizon_h = sc.run.horizon_days * 24.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CapacityWarning)
        rep = run_replication(sc, 0, seed=sc.run.seed, keep_logs=True)
    cost_col = f"cost_total_{sc.currency_suffix}"
    assert [row["option"] for row in rep.kpis] == sc.option_names
    for row in rep.kpis:
        log = rep.logs[row["option"]]
        overtime = any(getattr(sc.teams[p], "overtime_h_per_day", 0) > 0
                       for p in log.pool_names if p in sc.teams)
        check_log(log, horizon_h, overtime)
        check_row(row, rep.ledger[rep.ledger["option"] == row["option"]], cost_col)
        # the KPIs are a pure function of the log: pricing it again gives the same row
        again, _ = price_log(sc, log, 0)
        assert again == row


def test_the_generator_reaches_every_mechanism() -> None:
    """Every optional section of the schema (a field that defaults to ``None``) has a strategy here,
    so a mechanism added to the schema is not silently left out of the invariants."""
    for model, sections in ((TeamSpec, TEAM_SECTIONS), (VendorSpec, VENDOR_SECTIONS),
                            (KindSpec, KIND_FIELDS)):
        optional = {name for name, f in model.model_fields.items()
                    if not f.is_required() and f.default is None}
        missing = optional - set(sections)
        assert not missing, f"{model.__name__}: add strategies for {sorted(missing)} to this file"
