"""The ledger against hand calculations and the NPV closed form."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import mmc_dict, scenario_from

from simkit import analytic
from simkit.accounting.costs import account, npv
from simkit.experiment.simulate import run_replication
from simkit.units import HOURS_PER_MONTH


def test_in_house_labour_is_paid_for_every_open_hour() -> None:
    data = mmc_dict(3, 1.0, horizon_days=7 * 12, warmup_days=0)
    data["calendars"] = {"client": {"open_hour": 9, "close_hour": 17, "days": ["mon", "tue", "wed", "thu", "fri"]}}
    data["teams"]["team"].update(loaded_cost_per_hour=40.0, overhead_per_fte_month=500.0)
    sc = scenario_from(data)
    rep = run_replication(sc, 0, seed=1, keep_logs=True)
    by = account(sc, rep.logs["in_house"]).by_category()
    assert by["labour"] == pytest.approx(3 * 40.0 * 40 * 12)  # 3 staff x $40 x 40 h/week x 12 weeks
    assert by["overhead"] == pytest.approx(3 * 500.0 * 12 * 168 / HOURS_PER_MONTH)


@pytest.mark.parametrize("pricing", ["per_item", "per_fte_month", "fixed_plus_per_item"])
def test_vendor_fees_governance_and_transition(pricing: str) -> None:
    prices = {"per_item": {"price_per_item": 20.0}, "per_fte_month": {"price_per_fte_month": 3000.0},
              "fixed_plus_per_item": {"fee_per_month": 1000.0, "price_per_item": 5.0}}[pricing]
    data = mmc_dict(2, 1.0, horizon_days=HOURS_PER_MONTH * 6 / 24, warmup_days=0,
                    vendor={"vendor": "acme"})
    data["vendors"] = {"acme": {"agents": 3, "pricing": pricing, "governance_share": 0.1,
                                "transition_cost": 5000.0, **prices}}
    sc = scenario_from(data)
    rep = run_replication(sc, 0, seed=2, keep_logs=True)
    log = rep.logs["vendor"]
    done = int(np.count_nonzero(~np.isnan(log.end_h)))
    expected_fees = {"per_item": 20.0 * done, "per_fte_month": 3 * 3000.0 * 6,
                     "fixed_plus_per_item": 1000.0 * 6 + 5.0 * done}[pricing]
    by = account(sc, log).by_category()
    assert by["vendor_fees"] == pytest.approx(expected_fees)
    assert by["governance"] == pytest.approx(0.1 * expected_fees)
    assert by["transition"] == 5000.0
    assert by["labour"] == 0.0


def test_npv_matches_the_annuity_closed_form() -> None:
    flows = np.full(36, 1000.0)
    assert npv(flows, 0.08) == pytest.approx(analytic.annuity_pv(1000.0, 36, 0.08), rel=1e-12)
    assert npv(flows, 0.0) == 36_000.0


def test_npv_kpi_of_a_constant_cost_option() -> None:
    data = mmc_dict(2, 0.5, horizon_days=HOURS_PER_MONTH * 24 / 24, warmup_days=0)
    data["run"]["discount_rate_annual"] = 0.1
    data["teams"]["team"]["loaded_cost_per_hour"] = 10.0
    sc = scenario_from(data)
    row = run_replication(sc, 0, seed=1).kpis[0]
    monthly = 2 * 10.0 * HOURS_PER_MONTH
    assert row["cost_total_usd"] == pytest.approx(monthly * 24)
    assert row["npv_cost_usd"] == pytest.approx(analytic.annuity_pv(monthly, 24, 0.1), rel=1e-9)
