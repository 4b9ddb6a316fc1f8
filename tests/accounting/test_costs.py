"""The ledger against hand calculations and the NPV closed form; the one FX rule on a simulated run."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import mmc_dict, scenario_from
from usage_cases import priced_scenario, table

from simkit import analytic
from simkit.accounting.costs import FX_CATEGORIES, account, log_usage, npv, price_usage
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


# What a pool with ``fx`` pays in its own currency (the rule of simkit.accounting.book, written out here).
IN_CURRENCY = ("labour", "overhead", "overtime", "call_outs", "parallel_run", "vendor_fees", "surge", "commitment",
               "governance", "sla_credits")


def test_the_fx_rule_names_every_amount_paid_in_another_currency() -> None:
    assert set(FX_CATEGORIES) == set(IN_CURRENCY)


@pytest.fixture(scope="module")
def fx_run():  # noqa: ANN201
    """A team and a vendor each paid in a wandering currency; the vendor with every contract mechanism busy."""
    sc = priced_scenario(agents=1, fx={"currency": "INR", "volatility_annual": 0.4})
    sc = sc.override({"teams.team.fx": {"currency": "INR", "volatility_annual": 0.4}, "workload.rate_per_hour": 1.2,
                      "calendars.office": {"open_hour": 9, "close_hour": 17}, "teams.team.calendar": "office",
                      "teams.team.staff": 4, "workload.kinds.job.sla_h": 4.0, "workload.kinds.rush.sla_h": 2.0,
                      "vendors.acme.contract.min_items_per_month": 1200.0, "run.horizon_days": 120})
    return sc, run_replication(sc, 0, seed=3, keep_logs=True)


@pytest.mark.parametrize(("option", "moving"), [("in_house", ("labour", "overhead", "overtime")),
                                                ("vendor", ("vendor_fees", "surge", "commitment", "governance",
                                                            "sla_credits", "parallel_run"))])
def test_each_category_at_rate_1_plus_the_fx_line_is_the_total_at_the_path_rate(fx_run, option: str,
                                                                                 moving: tuple[str, ...]) -> None:  # noqa: ANN001
    sc, rep = fx_run
    use = log_usage(sc, rep.logs[option])
    n = len(use.edges) - 1
    (pu,) = use.pools
    assert pu.fx is not None and np.ptp(pu.fx) > 0.05  # the rate did move
    at_path = table(price_usage(sc, use), n)
    at_one = table(price_usage(sc, replace(use, pools=(replace(pu, fx=None),), fx={})), n)
    assert all(at_one[c].any() for c in moving)  # every amount in the currency is exercised
    for category in at_path:
        if category != "fx":
            np.testing.assert_array_equal(at_path[category], at_one[category], err_msg=category)
    assert not at_one["fx"].any()
    # the total at the path rate, worked out amount by amount: in the payee's currency x the month's rate
    # (the vendor's retained team, "team", is paid at its own rate, not at the vendor's)
    team_fx = use.fx["team"]
    assert np.ptp(team_fx) > 0.05
    paid_abroad = sum(at_one[c] for c in IN_CURRENCY if c != "parallel_run") * pu.fx + at_one["parallel_run"] * team_fx
    paid_at_home = sum(at_one[c] for c in at_one if c not in IN_CURRENCY)
    at_rate_1_plus_fx = sum(at_one[c] for c in at_one if c != "fx") + at_path["fx"]
    np.testing.assert_allclose(at_rate_1_plus_fx, paid_abroad + paid_at_home, rtol=1e-12)
    np.testing.assert_allclose(sum(at_path.values()), paid_abroad + paid_at_home, rtol=1e-12)
    assert account(sc, rep.logs[option]).total() == pytest.approx(float(np.sum(paid_abroad + paid_at_home)), rel=1e-12)
