"""KPIs: the registry is the one list, the docs are generated from it, and every definition is what the code computes.

The hand-made run log below is small enough to work every KPI out on paper; the expected
numbers in the comments are those sums, taken from the registry's definition sentences.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, mmc_dict, scenario_from
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.accounting import registry as kpis
from simkit.accounting.costs import CATEGORIES, Ledger
from simkit.accounting.kpi import KPI_DIRECTION, KPI_FAMILIES, kpi_columns, measure, measure_log
from simkit.engine.log import ABANDONED, COMPLETED, IN_SERVICE, QUEUED, RunLog, TierLog
from simkit.experiment.simulate import run_replication
from simkit.stats.estimates import kpi_family
from simkit.units import HOURS_PER_MONTH
from simkit.workload.trace import Trace

NAN = math.nan


# --------------------------------------------------------------------------- the registry
def test_registry_is_the_column_list_and_order_of_a_measured_row(small_helpdesk: sk.Scenario) -> None:
    row = run_replication(small_helpdesk, 0, seed=1).kpis[0]
    measured = [k for k in row if k not in ("option", "replication")]
    assert measured == kpis.columns("usd") == kpi_columns("usd")
    assert [c for cols in KPI_FAMILIES("usd").values() for c in cols] == measured
    assert all(kpis.lookup(c) is not None for c in measured)


def test_kpi_name_builds_every_money_column_and_refuses_unknown_stems() -> None:
    assert kpis.kpi_name("cost_total", "EUR") == "cost_total_eur"
    assert kpis.kpi_name("lead_time_p90_h", "EUR") == "lead_time_p90_h"
    with pytest.raises(KeyError, match="cost_totl"):
        kpis.kpi_name("cost_totl", "usd")
    money = [k for k in kpis.KPIS if k.is_money]
    assert {k.stem for k in money} == {"cost_total", "cost_per_item", "npv_cost", "switching_cost", "fx_cost",
                                       "sla_credits", "delay_cost"}
    for k in money:
        assert kpis.lookup(kpis.kpi_name(k.stem, "gbp")) is k


def test_lookup_knows_kpis_in_any_currency_and_nothing_else() -> None:
    assert kpis.lookup("cost_total_inr").label == "Total cost"
    for not_a_kpi in ("cost_total", "cost_total_usd_mean", "cost_cvar_usd_95", "point", "lead_time_p90",
                      "replication", "lead_time_p90_h_usd"):
        assert kpis.lookup(not_a_kpi) is None, not_a_kpi
        assert kpis.direction(not_a_kpi) == 0 and not kpis.non_negative(not_a_kpi)


def test_directions_come_from_the_registry_not_from_name_prefixes() -> None:
    # the three utilisations measure the same thing on different pools: neither more nor less is better
    for col in ("utilisation_share", "team_utilisation_share", "vendor_utilisation_share"):
        assert KPI_DIRECTION(col) == 0
    assert KPI_DIRECTION("sla_attainment_share") == KPI_DIRECTION("items_completed") == 1
    assert KPI_DIRECTION("availability_share") == 1
    assert KPI_DIRECTION("sla_credits_usd") == KPI_DIRECTION("cost_total_eur") == -1
    assert KPI_DIRECTION("items_arrived") == KPI_DIRECTION("vendor_item_share") == 0


def test_ranking_families_come_from_the_registry() -> None:
    assert kpi_family("escaped_defects_items") == "quality"
    assert kpi_family("clarify_delay_mean_h") == "communication"
    assert kpi_family("delay_cost_gbp") == "business_impact"
    assert kpi_family("sla_credits_usd") == "cost"
    assert kpi_family("hires_count") is None  # scalability is reported, not weighed
    assert kpi_family("cost_total_usd_mean") is None


def test_dashboard_rows_keep_their_order() -> None:
    assert kpis.dashboard_columns("eur") == [
        "cost_total_eur", "cost_per_item_eur", "lead_time_mean_h", "lead_time_p90_h", "sla_attainment_share",
        "utilisation_share", "vendor_item_share", "backlog_end_items"]


def test_format_value_uses_the_kpi_number_format() -> None:
    assert kpis.format_value("cost_total_usd", 1234567.4) == "1,234,567"
    assert kpis.format_value("sla_attainment_share", 0.91234) == "0.912"
    assert kpis.format_value("not_a_kpi", 2.5) == "2.50"


def test_no_literal_money_column_names_outside_the_registry() -> None:
    """Money columns are built by ``kpi_name``: a hand-written ``f"cost_total_{...}"`` would drift."""
    offenders = []
    for path in (ROOT / "simkit").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for k in kpis.KPIS:
            if k.is_money and f'f"{k.stem}_{{' in text:
                offenders.append(f"{path.name}: {k.stem}")
    assert not offenders


# --------------------------------------------------------------------------- docs from the registry
def test_the_kpi_table_in_scenarios_readme_is_generated_from_the_registry() -> None:
    assert kpis.sync_docs(ROOT / "scenarios" / "README.md", check=True), "run: make kpi-docs"


def test_sync_docs_finds_and_repairs_drift(tmp_path: Path) -> None:
    doc = tmp_path / "README.md"
    text = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
    drifted = text.replace("| `clarify_share` | Items that asked a question |", "| `clarify_share` | Waited |")
    assert drifted != text
    doc.write_text(drifted, encoding="utf-8")
    assert not kpis.sync_docs(doc, check=True)
    assert doc.read_text(encoding="utf-8") == drifted  # a check writes nothing
    assert not kpis.sync_docs(doc)
    assert doc.read_text(encoding="utf-8") == text
    assert kpis.sync_docs(doc, check=True)


def test_every_kpi_has_one_row_in_the_docs_table() -> None:
    table = kpis.markdown_table().splitlines()[2:]
    assert len(table) == len(kpis.KPIS)
    for line, k in zip(table, kpis.KPIS, strict=True):
        assert line.startswith(f"| `{k.name.replace('{c}', '<cur>')}` | {k.label} |")
        assert k.definition in line


# --------------------------------------------------------------------------- words equal code
def _hand_made_log() -> RunLog:
    """Eight items, two pools (a team and a vendor), measured window 10 h to 110 h.

    item  arrives kind pool  enters starts ends  state        asked waited  rework escaped
    0       5     a    team    5      6      8   completed      1     3.0     0     0      before the window
    1      20     a    vendor 21     22     29   completed      1     0.0     1     0      answered at once
    2      30     a    team   30     30     31   completed      0     0       0     1
    3      40     b    vendor 41     45     90   completed      2     6.0     0     0
    4      50     a    team   50      -      -   abandoned      0     0       0     0
    5      60     b    vendor 61      -      -   queued         0     0       0     0
    6      85     a    team   85    104      -   in service     1     2.0     0     0
    7     105     a    team  105      -      -   queued         0     0       0     0
    Kind a has an SLA of 10 h, kind b of 100 h.
    """
    arrival = np.array([5, 20, 30, 40, 50, 60, 85, 105], dtype=float)
    trace = Trace(arrival_h=arrival, kind=np.array([0, 0, 0, 1, 0, 1, 0, 0]), effort_h=np.ones(8),
                  u=np.zeros((8, 4)), patience_h=np.full(8, np.inf), kind_names=("a", "b"),
                  priority_by_kind=(1, 1), sla_h_by_kind=(10.0, 100.0))
    return RunLog(
        option="hand_made", trace=trace, pool_names=("team", "acme"), pool_roles=("team", "vendor"),
        pool=np.array([0, 1, 0, 1, 0, 1, 0, 0], dtype=np.int8),
        enter_h=np.array([5, 21, 30, 41, 50, 61, 85, 105], dtype=float),
        start_h=np.array([6, 22, 30, 45, NAN, NAN, 104, NAN]),
        end_h=np.array([8, 29, 31, 90, NAN, NAN, NAN, NAN]),
        status=np.array([COMPLETED, COMPLETED, COMPLETED, COMPLETED, ABANDONED, QUEUED, IN_SERVICE, QUEUED],
                        dtype=np.int8),
        clarify_rounds=np.array([1, 1, 0, 2, 0, 0, 1, 0], dtype=np.int16),
        clarify_h=np.array([3.0, 0.0, 0.0, 6.0, 0.0, 0.0, 2.0, 0.0]),
        reworks=np.array([0, 1, 0, 0, 0, 0, 0, 0], dtype=np.int8),
        escaped=np.array([0, 0, 1, 0, 0, 0, 0, 0], dtype=bool),
        window_h=(10.0, 110.0), servers=np.array([2, 3]), busy_h=np.array([30.0, 45.0]),
        open_server_h=np.array([200.0, 150.0]), active_h=np.array([[10.0, 110.0], [10.0, 95.0]]),
        down_h=np.array([0.0, 15.0]), outages=np.array([0, 2]),
        events=[(5.0, "team", "hire"), (50.0, "team", "leave"), (60.0, "team", "hire"),
                (70.0, "acme", "scale_up"), (80.0, "acme", "scale_down"), (95.0, "acme", "exit:insolvency")],
        staff_log={"team": [(5.0, +1), (50.0, -1), (60.0, +1)], "acme": [(70.0, +1), (80.0, -1)]},
        tiers=TierLog(  # tier 2: item 0 (before the window), item 1 (waited 1.5 h), item 3 (not taken yet)
            pool_names=("acme",), enter_h=np.array([[NAN] * 8, [9, 25, NAN, 50, NAN, NAN, NAN, NAN]]),
            start_h=np.array([[NAN] * 8, [9.5, 26.5, NAN, NAN, NAN, NAN, NAN, NAN]]),
            end_h=np.full((2, 8), NAN), done_by=np.full((2, 8), -1, dtype=np.int8)),
    )


HAND = {  # worked out from the registry's definitions; items 1-7 arrived in the window
    "lead_time_mean_h": 20.0,  # completed: 1, 2, 3 with lead times 9, 1, 50
    "lead_time_p50_h": 9.0,
    "lead_time_p90_h": 41.8,  # sorted 1, 9, 50: position 0.9 x 2 = 1.8 -> 9 + 0.8 x 41
    "lead_time_p99_h": 49.18,  # position 1.98 -> 9 + 0.98 x 41
    "wait_mean_h": 6.0,  # taken: 1, 2, 3, 6 waited 1, 0, 4, 19
    "waited_share": 0.75,  # 3 of those 4 did not start at once
    "sla_attainment_share": 0.6,  # 3 met; due and not done: 4 (abandoned, due 60), 6 (due 95) -> 3 / 5
    "backlog_end_items": 3.0,  # 5, 6, 7
    "tier2_wait_mean_h": 1.5,  # item 1 only: item 0 arrived before the window, item 3 is not taken
    "tier3_wait_mean_h": 0.0,  # no third tier
    "defect_share": 2 / 3,  # 1 reworked, 2 escaped, of 3 completed
    "rework_share": 1 / 3,
    "escaped_defects_items": 1.0,
    "handoff_delay_mean_h": 3 / 7,  # 1 h each for 1, 3, 5 (the vendor's items), over all 7
    "clarify_share": 3 / 7,  # 1 (answered at once), 3 and 6 asked
    "clarify_delay_mean_h": 8 / 3,  # (0 + 6 + 2) / 3
    "availability_share": 0.85,  # 1 - 15 / 100
    "outages_count": 2.0,
    "outage_hours_h": 15.0,
    "exits_count": 1.0,
    "reviews_count": 0.0,  # no review clause in this log
    "remediations_count": 0.0,
    "terminations_count": 0.0,
    "abandoned_share": 1 / 7,
    "hires_count": 2.0,  # the hire at 60 and the agent at 70; the warm-up hire at 5 is outside the window
    "leavers_count": 2.0,  # the leaver at 50 and the agent released at 80
    "staff_end_count": 3.0,  # the team: 2 + 1 - 1 + 1; the vendor exited before the horizon
    "vendor_item_share": 3 / 7,  # 1, 3, 5
    "utilisation_share": 75 / 350,
    "team_utilisation_share": 0.15,
    "vendor_utilisation_share": 0.3,
    "items_arrived": 7.0,
    "items_completed": 3.0,
    "escalated_share": 2 / 7,  # items 1 and 3
    "tier2_items": 2.0,
    "tier3_items": 0.0,
}


def test_every_log_kpi_matches_its_definition_on_a_hand_made_log() -> None:
    got = measure_log(_hand_made_log()).as_dict()
    money = {k.column("usd") for k in kpis.KPIS if k.is_money}
    assert set(got) == set(kpis.columns("usd")) - money == set(HAND)
    for name, want in HAND.items():
        assert got[name] == pytest.approx(want, rel=1e-12, abs=1e-12), name


def test_clarify_share_counts_instant_answers_and_the_delay_averages_over_the_same_items() -> None:
    got = measure_log(_hand_made_log()).as_dict()
    waited_only = 2 / 7  # what "items that waited for an answer" would give: item 1's answer came at once
    assert got["clarify_share"] != pytest.approx(waited_only)
    assert got["clarify_delay_mean_h"] == pytest.approx(8 / 3)  # not 8 / 2


def test_every_money_kpi_matches_its_definition() -> None:
    data = mmc_dict(1, 0.5)
    data["run"].update({"discount_rate_annual": 0.10, "currency": "EUR"})
    sc = scenario_from(data)
    cat = {c: i for i, c in enumerate(CATEGORIES)}
    entries = [(0, "labour", 1000.0), (1, "labour", 1000.0), (1, "switching", 300.0), (2, "exit_fee", 50.0),
               (0, "fx", -40.0), (2, "sla_credits", -70.0), (1, "delay", 25.0)]
    ledger = Ledger(np.array([m for m, _, _ in entries]), np.array([cat[c] for _, c, _ in entries]),
                    np.array([a for _, _, a in entries]))
    log = dataclasses.replace(_hand_made_log(), window_h=(10.0, 10.0 + 3 * HOURS_PER_MONTH))  # three months
    row = measure(sc, log, ledger)
    total = 2000 + 300 + 50 - 40 - 70 + 25
    months = [1000 - 40, 1000 + 300 + 25, 50 - 70]
    monthly = 1.10 ** (1 / 12) - 1  # 10 % a year, compounded monthly; each month discounted from its end
    npv_want = sum(a / (1 + monthly) ** (m + 1) for m, a in enumerate(months))
    assert row["cost_total_eur"] == pytest.approx(total)
    assert row["cost_per_item_eur"] == pytest.approx(total / 3)  # three items completed
    assert row["npv_cost_eur"] == pytest.approx(npv_want)
    assert row["switching_cost_eur"] == pytest.approx(350.0)
    assert row["fx_cost_eur"] == pytest.approx(-40.0)
    assert row["sla_credits_eur"] == pytest.approx(70.0)
    assert row["delay_cost_eur"] == pytest.approx(25.0)
    assert list(row) == kpis.columns("eur")


# --------------------------------------------------------------------------- words equal code, in the engine
def test_clarify_share_in_the_engine_counts_questions_answered_at_once() -> None:
    """A team around the clock asks every item one question; the client answers 9-17 only.

    A third of the questions fall inside the client's hours and are answered at once. The KPI counts
    every item that asked (about all the items taken), not only the two thirds that waited, and the
    mean delay is over all of them: (24 - 8)^2 / 48 = 5.33 h per question.
    """
    data = mmc_dict(10, 1.0, horizon_days=60, warmup_days=0)
    data["calendars"] = {"client": {"open_hour": 9, "close_hour": 17}, "provider": {}}
    data["teams"]["team"]["calendar"] = "provider"
    data["workload"]["kinds"]["job"].update({"clarify_share": 1.0, "clarify_max_rounds": 1})
    res = sk.simulate(scenario_from(data), replications=1, seed=4, keep_logs=True, progress=False)
    log, row = res.logs[("in_house", 0)], res.kpis.iloc[0]
    win = log.in_window()
    asked = log.clarify_rounds[win] > 0
    instant = asked & (log.clarify_h[win] == 0)
    n = int(asked.sum())
    assert n > 1000
    half = 3 * math.sqrt(1 / 3 * 2 / 3 / n)  # 3 standard errors of a share near 1/3: about 0.04
    assert abs(instant.sum() / n - 1 / 3) < half  # questions asked while the client is at work
    assert row["clarify_share"] == pytest.approx(asked.mean(), rel=1e-12)
    assert row["clarify_share"] > 0.97  # nearly every item was taken and asked; those that waited: ~2/3
    assert row["clarify_delay_mean_h"] == pytest.approx(log.clarify_h[win][asked].mean(), rel=1e-12)
    assert row["clarify_delay_mean_h"] == pytest.approx((24 - 8) ** 2 / 48, rel=0.08)  # 8 % << the 50 % a
    # waited-only mean would add (it divides by 2/3 of the items)


def _busy_by_hand(log: RunLog, productivity: float) -> float:
    """Server hours on items inside the window, item by item: each holds a server effort / productivity hours."""
    t0, t1 = log.window_h
    total = 0.0
    for start, effort in zip(log.start_h, log.trace.effort_h, strict=True):
        if start == start:  # taken
            total += max(0.0, min(start + effort / productivity, t1) - max(start, t0))
    return total


@pytest.mark.parametrize("productivity", [0.5, 1.0, 1.6])
def test_utilisation_is_busy_time_not_effort_when_productivity_is_not_1(productivity: float) -> None:
    """Two people around the clock, 0.5 items an hour of 1 effort hour: busy 0.5 / (2 x productivity)."""
    data = mmc_dict(2, 0.5, horizon_days=120, warmup_days=5)
    data["teams"]["team"]["productivity"] = productivity
    res = sk.simulate(scenario_from(data), replications=6, seed=8, keep_logs=True, progress=False)
    shares = res.kpis["utilisation_share"].to_numpy()
    for r, share in enumerate(shares):
        log = res.logs[("in_house", r)]
        t0, t1 = log.window_h
        assert share == pytest.approx(_busy_by_hand(log, productivity) / (2 * (t1 - t0)), rel=1e-9)
        assert res.kpis["team_utilisation_share"].iloc[r] == share
    busy = 0.5 * 1.0 / (2 * productivity)
    effort_over_capacity = 0.5 * 1.0 / 2
    _, _, lo, hi = sk.stats.estimates.mean_ci(shares)
    assert lo <= busy <= hi
    if productivity != 1.0:
        assert not lo <= effort_over_capacity <= hi
        assert hi - lo < abs(busy - effort_over_capacity)  # tight enough to tell the two apart


def test_hires_count_only_the_measured_period_as_the_recruiting_cost_does() -> None:
    data = mmc_dict(6, 2.0, horizon_days=240, warmup_days=90)
    data["teams"]["team"]["hiring"] = {"attrition_annual": 3.0, "hiring_lead_h": 240, "recruiting_cost": 1000}
    res = sk.simulate(scenario_from(data), replications=3, seed=12, keep_logs=True, progress=False)
    recruiting = res.ledger[res.ledger["category"] == "recruiting"].groupby("replication")["amount"].sum()
    warmup_hires = 0
    for r in range(3):
        log, row = res.logs[("in_house", r)], res.kpis.iloc[r]
        t0 = log.window_h[0]
        hires = [t for t, _, what in log.events if what == "hire"]
        leaves = [t for t, _, what in log.events if what == "leave"]
        warmup_hires += sum(t < t0 for t in hires)
        assert row["hires_count"] == sum(t >= t0 for t in hires)
        assert row["leavers_count"] == sum(t >= t0 for t in leaves)
        assert recruiting.get(r, 0.0) == pytest.approx(1000 * row["hires_count"])
    assert warmup_hires > 0  # the case that tells the measured period from the whole run


# --------------------------------------------------------------------------- words equal code, any log
def _percentile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between order statistics, written out."""
    pos = q / 100 * (len(sorted_values) - 1)
    lower = int(pos)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (pos - lower) * (sorted_values[upper] - sorted_values[lower])


def _by_the_definitions(log: RunLog) -> dict[str, float]:
    """Every log KPI, item by item, read off the registry's definition sentences."""
    t0, t1 = log.window_h
    sla = log.trace.sla_h
    measured = [i for i in range(len(log.trace)) if log.trace.arrival_h[i] >= t0]
    arrival = log.trace.arrival_h
    completed = [i for i in measured if log.status[i] == COMPLETED]
    taken = [i for i in measured if not math.isnan(log.start_h[i])]
    asked = [i for i in measured if log.clarify_rounds[i] > 0]
    leads = sorted(log.end_h[i] - arrival[i] for i in completed)
    waits = [log.start_h[i] - log.enter_h[i] for i in taken]
    met = sum(1 for i in completed if log.end_h[i] - arrival[i] <= sla[i])
    late = sum(1 for i in measured if log.status[i] != COMPLETED and arrival[i] + sla[i] < t1)
    events = [what for t, _, what in log.events if t0 <= t <= t1]

    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else 0.0

    def share(count: int, of: int) -> float:
        return count / of if of else 0.0

    def util(roles: tuple[str, ...]) -> float:
        mine = [k for k, r in enumerate(log.pool_roles) if r in roles]
        cap = sum(log.open_server_h[k] for k in mine)
        return min(sum(log.busy_h[k] for k in mine) / cap, 1.0) if cap > 0 else 0.0

    def tier_rows(j: int) -> tuple[list[float], list[float]]:
        if log.tiers is None or j >= log.tiers.enter_h.shape[0]:
            return [], []
        sent = [i for i in measured if not math.isnan(log.tiers.enter_h[j][i])]
        waits = [log.tiers.start_h[j][i] - log.tiers.enter_h[j][i] for i in sent
                 if not math.isnan(log.tiers.start_h[j][i])]
        return sent, waits

    staff_end = 0
    for k, name in enumerate(log.pool_names):
        if log.active_h[k][1] >= t1:
            staff_end += int(log.servers[k]) + sum(d for _, d in log.staff_log.get(name, []))
    return {
        "lead_time_mean_h": mean(leads),
        "lead_time_p50_h": _percentile(leads, 50) if leads else 0.0,
        "lead_time_p90_h": _percentile(leads, 90) if leads else 0.0,
        "lead_time_p99_h": _percentile(leads, 99) if leads else 0.0,
        "wait_mean_h": mean(waits),
        "waited_share": share(sum(1 for w in waits if w > 0), len(waits)),
        "sla_attainment_share": met / (len(completed) + late) if len(completed) + late else 1.0,
        "backlog_end_items": float(sum(1 for i in measured if log.status[i] not in (COMPLETED, ABANDONED))),
        "tier2_wait_mean_h": mean(tier_rows(1)[1]),
        "tier3_wait_mean_h": mean(tier_rows(2)[1]),
        "defect_share": share(sum(1 for i in completed if log.reworks[i] or log.escaped[i]), len(completed)),
        "rework_share": share(sum(1 for i in completed if log.reworks[i]), len(completed)),
        "escaped_defects_items": float(sum(1 for i in completed if log.escaped[i])),
        "handoff_delay_mean_h": mean([log.enter_h[i] - arrival[i] for i in measured]),
        "clarify_share": share(len(asked), len(measured)),
        "clarify_delay_mean_h": mean([log.clarify_h[i] for i in asked]),
        "availability_share": 1.0 - min(max(log.down_h, default=0.0) / (t1 - t0), 1.0),
        "outages_count": float(sum(log.outages)),
        "outage_hours_h": float(sum(log.down_h)),
        "exits_count": float(sum(1 for w in events if w.startswith("exit:"))),
        "reviews_count": float(sum(1 for w in events if w == "review")),
        "remediations_count": float(sum(1 for w in events if w == "remediation")),
        "terminations_count": float(sum(1 for w in events if w == "exit:cause")),
        "abandoned_share": share(sum(1 for i in measured if log.status[i] == ABANDONED), len(measured)),
        "hires_count": float(sum(1 for w in events if w in ("hire", "scale_up"))),
        "leavers_count": float(sum(1 for w in events if w in ("leave", "layoff", "scale_down"))),
        "staff_end_count": float(staff_end),
        "vendor_item_share": share(sum(1 for i in measured if log.pool_roles[log.pool[i]] == "vendor"),
                                   len(measured)),
        "utilisation_share": util(("team", "vendor")),
        "team_utilisation_share": util(("team",)),
        "vendor_utilisation_share": util(("vendor",)),
        "items_arrived": float(len(measured)),
        "items_completed": float(len(completed)),
        "escalated_share": share(len(tier_rows(1)[0]), len(measured)),
        "tier2_items": float(len(tier_rows(1)[0])),
        "tier3_items": float(len(tier_rows(2)[0])),
    }


_HALF_HOURS = st.integers(0, 40).map(lambda k: k / 2)


@st.composite
def _logs(draw: st.DrawFn) -> RunLog:
    """Random but consistent run logs: a team and a vendor (hand-off 1 h), window 10 h to 110 h."""
    n = draw(st.integers(0, 25))
    arrival = np.sort(np.array(draw(st.lists(st.integers(0, 219), min_size=n, max_size=n)), dtype=float) / 2)
    pool = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)), dtype=np.int8)
    status = np.array(draw(st.lists(st.sampled_from([COMPLETED, IN_SERVICE, QUEUED, ABANDONED]),
                                    min_size=n, max_size=n)), dtype=np.int8)
    enter = arrival + pool  # the vendor's hand-off is 1 h
    start, end = np.full(n, NAN), np.full(n, NAN)
    asked, waited = np.zeros(n, dtype=np.int16), np.zeros(n)
    reworks, escaped = np.zeros(n, dtype=np.int8), np.zeros(n, dtype=bool)
    for i in range(n):
        if status[i] == ABANDONED or (status[i] == QUEUED and draw(st.booleans())):
            continue  # never taken
        start[i] = enter[i] + draw(_HALF_HOURS)
        asked[i] = draw(st.integers(0, 2))
        waited[i] = sum(draw(_HALF_HOURS) for _ in range(asked[i]))
        if status[i] == COMPLETED:
            end[i] = start[i] + waited[i] + 0.5 + draw(_HALF_HOURS)
            reworks[i] = draw(st.integers(0, 1))
            escaped[i] = not reworks[i] and draw(st.booleans())
    trace = Trace(arrival_h=arrival, kind=np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)),
                                                   dtype=np.int64).reshape(n),
                  effort_h=np.ones(n), u=np.zeros((n, 4)), patience_h=np.full(n, np.inf), kind_names=("a", "b"),
                  priority_by_kind=(1, 1), sla_h_by_kind=(draw(st.sampled_from([2.0, 8.0, 1e9])), 24.0))
    times = st.integers(0, 110)
    events = [(float(draw(times)), draw(st.sampled_from(["team", "acme"])),
               draw(st.sampled_from(["hire", "leave", "layoff", "scale_up", "scale_down", "exit:insolvency",
                                     "fallback_start"]))) for _ in range(draw(st.integers(0, 8)))]
    vendor_stop = draw(st.sampled_from([110.0, 80.0]))
    levels = draw(st.integers(1, 3))  # escalation tiers (1: none)
    t_enter, t_start = np.full((levels, n), NAN), np.full((levels, n), NAN)
    for j in range(1, levels):
        for i in range(n):
            if draw(st.booleans()):
                t_enter[j, i] = arrival[i] + draw(_HALF_HOURS)
                if draw(st.booleans()):
                    t_start[j, i] = t_enter[j, i] + draw(_HALF_HOURS)
    tiers = None if levels == 1 else TierLog(pool_names=("acme",) * (levels - 1), enter_h=t_enter, start_h=t_start,
                                            end_h=np.full((levels, n), NAN),
                                            done_by=np.full((levels, n), -1, dtype=np.int8))
    return RunLog(
        option="drawn", trace=trace, pool_names=("team", "acme"), pool_roles=("team", "vendor"), pool=pool,
        enter_h=enter, start_h=start, end_h=end, status=status, clarify_rounds=asked, clarify_h=waited,
        reworks=reworks, escaped=escaped, window_h=(10.0, 110.0), servers=np.array([2, 3]),
        busy_h=np.array([draw(st.integers(0, 200)), draw(st.integers(0, 300))], dtype=float),
        open_server_h=np.array([200.0, draw(st.sampled_from([0.0, 150.0, 300.0]))]),
        active_h=np.array([[10.0, 110.0], [10.0, vendor_stop]]),
        down_h=np.array([0.0, float(draw(st.integers(0, 100)))]), outages=np.array([0, draw(st.integers(0, 3))]),
        events=sorted(events),
        staff_log={"team": [(t, +1 if w == "hire" else -1) for t, p, w in sorted(events)
                            if p == "team" and w in ("hire", "leave", "layoff")]},
        tiers=tiers,
    )


@settings(max_examples=150, deadline=None)
@given(_logs())
def test_every_log_kpi_matches_its_definition_on_any_log(log: RunLog) -> None:
    got = measure_log(log).as_dict()
    want = _by_the_definitions(log)
    assert set(got) == set(want)
    for name, value in want.items():
        assert got[name] == pytest.approx(value, rel=1e-9, abs=1e-9), name
