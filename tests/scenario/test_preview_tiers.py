"""The instant preview of escalation tiers: each tier's pool gets the escalated share of the items at its own effort."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import mmc_dict, scenario_from

import simkit as sk
from simkit import analytic
from simkit.experiment.simulate import run_replication
from simkit.scenario.preview import escalated_items, expected_arrivals, preview
from simkit.stats.estimates import mean_ci

LAM, S1, C1 = 4.0, 0.5, 3  # tier 1: an M/M/3 team at utilisation 2/3


def _three_tiers(horizon_days: float = 60.0, warmup_days: float = 5.0) -> sk.Scenario:
    """Two kinds; tier 2 (a vendor) takes 30% of jobs and 70% of bugs, tier 3 (a team) a quarter of those."""
    data = mmc_dict(C1, LAM, service_mean_h=S1, horizon_days=horizon_days, warmup_days=warmup_days,
                    tiers={"team": "team", "escalation": [
                        {"pool": "l2", "share": 0.3, "share_by_kind": {"bug": 0.7},
                         "effort_h": "exponential(mean=1)"},
                        {"pool": "l3", "share": 0.25, "effort_h": "exponential(mean=2)"}]})
    data["workload"]["kinds"] = {"job": {"share": 0.6, "effort_h": f"exponential(mean={S1})"},
                                 "bug": {"share": 0.4, "effort_h": f"exponential(mean={S1})"}}
    data["vendors"] = {"l2": {"agents": 3, "price_per_item": 30.0, "governance_share": 0.1}}
    data["teams"]["l3"] = {"staff": 2, "loaded_cost_per_hour": 50.0, "overhead_per_fte_month": 200.0}
    return scenario_from(data)


def test_tier_pools_get_the_escalated_share_at_their_own_effort() -> None:
    sc = _three_tiers()
    pv = preview(sc)
    rows = pv.pools[pv.pools["option"] == "tiers"].set_index("pool")
    total = expected_arrivals(sc)
    reach2, reach3 = 0.6 * 0.3 + 0.4 * 0.7, (0.6 * 0.3 + 0.4 * 0.7) * 0.25
    assert escalated_items(sc, "tiers", total) == pytest.approx([total * reach2, total * reach3])
    assert rows["tier"].tolist() == [1, 2, 3] and rows["role"].tolist() == ["team", "vendor", "team"]
    assert rows.loc["l2", "arrivals_items"] == pytest.approx(total * reach2)
    assert rows.loc["l2", "utilisation_share"] == pytest.approx(reach2 * LAM * 1.0 / 3)
    assert rows.loc["l3", "utilisation_share"] == pytest.approx(reach3 * LAM * 2.0 / 2)
    assert rows.loc["l2", "wait_mean_h"] == pytest.approx(analytic.mmc_wait_mean_h(3, reach2 * LAM, 1.0))
    # the tiers' pools are paid too: the vendor per escalated item, the team for its hours
    window_h, months = (60 - 5) * 24.0, (60 - 5) * 24.0 / sk.units.HOURS_PER_MONTH
    fees = 30.0 * total * reach2
    cost = pv.costs.loc["tiers"]
    assert cost["vendor_fees"] == pytest.approx(fees) and cost["governance"] == pytest.approx(0.1 * fees)
    assert cost["labour"] == pytest.approx(C1 * 10.0 * window_h + 2 * 50.0 * window_h)
    assert cost["overhead"] == pytest.approx(2 * 200.0 * months)
    plain = pv.pools[pv.pools["option"] == "in_house"]
    assert plain["tier"].tolist() == [1] and pv.costs.loc["in_house", "labour"] == pytest.approx(C1 * 10.0 * window_h)


def test_the_load_summary_queues_a_tier_at_its_own_effort() -> None:
    """An overloaded tier 3 is flagged: 0.115 x 4 items an hour of 2 h each on one person is 0.92 Erlang; on
    a person at half speed it is 1.84, more than the pool can do."""
    sc = _three_tiers().override({"teams.l3.staff": 1, "teams.l3.productivity": 0.5})
    s = sc.summary()
    row = s.pools[(s.pools["option"] == "tiers") & (s.pools["pool"] == "l3")].iloc[0]
    assert row.offered_load_erlangs == pytest.approx(0.115 * LAM * 2.0 / 0.5)
    assert any("l3 is overloaded" in w for w in s.warnings)


def test_the_preview_of_each_tier_matches_a_simulated_tandem() -> None:
    """Utilisation and arrivals per tier, simulated (twelve replications of 60 days after 5 of warm-up), against
    the preview.  Utilisation is exact in expectation for a stable queue whatever the efforts, so the preview must
    lie inside each 99% CI.  Each CI is asserted narrower than 0.06, well below the errors this would catch: tier 2
    given every item (1.33 instead of 0.61) or the first tier's effort (0.15), ``share`` read for every kind (0.40),
    or tier 3 given its own share of all items instead of the product (1.0 instead of 0.46)."""
    sc = _three_tiers()
    pv = preview(sc).pools.set_index(["option", "pool"])
    util: dict[str, list[float]] = {p: [] for p in ("team", "l2", "l3")}
    items: dict[str, list[float]] = {"l2": [], "l3": []}
    for rep in range(12):
        log = run_replication(sc, rep, seed=21, keep_logs=True).logs["tiers"]
        for pool in util:
            k = log.pool_index(pool)
            util[pool].append(log.busy_h[k] / log.open_server_h[k])
        t0, t1 = log.window_h
        for j, pool in ((1, "l2"), (2, "l3")):
            enter = log.tiers.enter_h[j]
            items[pool].append(float(np.count_nonzero((enter >= t0) & (enter < t1))))
    for pool, values in util.items():
        want = pv.loc[("tiers", pool), "utilisation_share"]
        _, _, lo, hi = mean_ci(np.array(values), level=0.99)
        assert hi - lo < 0.06, f"{pool}: utilisation CI [{lo:.4f}, {hi:.4f}] too wide"
        assert lo <= want <= hi, f"{pool}: preview utilisation {want:.4f} outside CI [{lo:.4f}, {hi:.4f}]"
    for pool, counts in items.items():
        want = pv.loc[("tiers", pool), "arrivals_items"]
        _, _, lo, hi = mean_ci(np.array(counts), level=0.99)
        assert hi - lo < 0.1 * want, f"{pool}: arrivals CI [{lo:.0f}, {hi:.0f}] too wide"
        assert lo <= want <= hi, f"{pool}: preview arrivals {want:.0f} outside CI [{lo:.0f}, {hi:.0f}]"


def test_a_vendor_tier_bills_its_own_items_and_not_the_first_tiers_revenue() -> None:
    """Vendor L1 (USD 5 an item) in front of vendor L2 (USD 30 an escalated item): the option pays both, and
    the load summary's revenue per agent-hour of the L1 vendor counts its own fees only."""
    data = mmc_dict(C1, LAM, service_mean_h=S1, horizon_days=30, warmup_days=0,
                    tiers={"vendor": "l1", "escalation": [{"pool": "l2", "share": 0.4,
                                                           "effort_h": "exponential(mean=1)"}]})
    data["vendors"] = {"l1": {"agents": 3, "price_per_item": 5.0, "governance_share": 0.0},
                       "l2": {"agents": 2, "price_per_item": 30.0, "governance_share": 0.0}}
    sc = scenario_from(data)
    pv = preview(sc)
    total = expected_arrivals(sc)
    rows = pv.pools[pv.pools["option"] == "tiers"].set_index("pool")
    assert rows["vendor_fees"].to_dict() == pytest.approx({"l1": 5.0 * total, "l2": 30.0 * 0.4 * total})
    assert pv.costs.loc["tiers", "vendor_fees"] == pytest.approx(rows["vendor_fees"].sum())
    rev = sc.summary().vendor_revenue.set_index("option").loc["tiers"]
    assert rev["fees"] == pytest.approx(5.0 * total)
    assert rev["revenue_per_agent_h"] == pytest.approx(5.0 * total / (3 * 30 * 24.0))
