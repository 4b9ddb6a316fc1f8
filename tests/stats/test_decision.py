"""Decisions: VaR/CVaR, P(missing the SLA), ranking, tornado, Sobol indices, break-even, decision map."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import re  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from conftest import SCENARIOS, scenario_from  # noqa: E402

import simkit as sk  # noqa: E402
from simkit.experiment.design import Lever  # noqa: E402
from simkit.stats.estimates import p_miss_sla, rank_options, var_cvar  # noqa: E402
from simkit.ui import plots  # noqa: E402
from simkit.units import HOURS_PER_MONTH  # noqa: E402

DAYS, FEE, V, P = 10, 8766.0, 4.0, 10.0
F_TOTAL = FEE * DAYS * 24 / HOURS_PER_MONTH  # the fixed cost booked over the horizon


def make_or_buy(rate_per_hour: float = 2.0) -> sk.Scenario:
    """Make: a fixed cost F plus v per item; buy: p per item.  Ample capacity, deterministic effort.

    Both options serve the same trace with the same capacity, so they complete the
    same items Q in every replication: make - buy = F - (p - v) Q, and the tie is at
    Q* = F / (p - v).
    """
    job = {"share": 1.0, "effort_h": "deterministic(value=0.05)", "sla_h": 1.0}
    return scenario_from(
        {
            "name": "make or buy",
            "run": {
                "horizon_days": DAYS,
                "warmup_days": 0,
                "replications": 6,
                "seed": 3,
                "discount_rate_annual": 0.0,
            },
            "calendars": {
                "client": {},
                "office": {"open_hour": 9, "close_hour": 17, "days": ["mon", "tue", "wed", "thu", "fri"]},
            },
            "workload": {"rate_per_hour": rate_per_hour, "kinds": {"job": job}},
            "vendors": {
                "plant": {
                    "agents": 20,
                    "pricing": "fixed_plus_per_item",
                    "fee_per_month": FEE,
                    "price_per_item": V,
                    "governance_share": 0.0,
                },
                "supplier": {
                    "agents": 20,
                    "pricing": "per_item",
                    "price_per_item": P,
                    "governance_share": 0.05,
                },
            },
            "teams": {
                "desk": {"staff": 1, "loaded_cost_per_hour": 42.0, "calendar": "office"}
            },  # office hours
            "options": {"make": {"vendor": "plant"}, "buy": {"vendor": "supplier"}, "desk": {"team": "desk"}},
            "baseline": "make",
        }
    )


@pytest.fixture(scope="module")
def mob() -> sk.Scenario:
    return make_or_buy()


# --------------------------------------------------------------------------- risk measures
def test_var_and_cvar_closed_forms() -> None:
    assert var_cvar(np.arange(1, 101), 0.95) == (95.0, 98.0)  # CVaR: mean of 96..100
    x = np.random.default_rng(1).normal(100.0, 10.0, 400_000)
    var, cvar = var_cvar(x, 0.95)
    assert var == pytest.approx(100 + 10 * 1.6449, abs=0.1)
    assert cvar == pytest.approx(100 + 10 * 2.0627, abs=0.1)  # mu + sigma phi(z) / (1 - alpha)
    low_var, low_cvar = var_cvar(x, 0.95, worse="low")
    assert low_var == pytest.approx(100 - 10 * 1.6449, abs=0.1) and low_cvar < low_var


def test_p_miss_sla_counts_replications_below_target() -> None:
    k = pd.DataFrame(
        {
            "option": ["a"] * 4 + ["b"] * 4,
            "replication": list(range(4)) * 2,
            "sla_attainment_share": [0.99, 0.94, 0.96, 0.90, 0.97, 0.98, 0.99, 0.95],
        }
    )
    p = p_miss_sla(k, 0.95)
    assert p["a"] == 0.5 and p["b"] == 0.0
    with pytest.raises(ValueError, match="share in"):
        p_miss_sla(k, 95)


def _kpis(cost: dict[str, list[float]], lead: dict[str, list[float]]) -> pd.DataFrame:
    rows = []
    for o in cost:
        for r, (c, t) in enumerate(zip(cost[o], lead[o], strict=True)):
            rows.append(
                {
                    "option": o,
                    "replication": r,
                    "cost_total_usd": c,
                    "lead_time_mean_h": t,
                    "items_arrived": 100.0,
                }
            )
    return pd.DataFrame(rows)


def test_ranking_follows_the_weights_and_a_dominated_option_is_last() -> None:
    k = _kpis(
        {"cheap": [100, 101, 99], "fast": [150, 149, 151], "bad": [160, 161, 159]},
        {"cheap": [9, 10, 11], "fast": [2, 3, 2], "bad": [12, 11, 12]},
    )
    cols = ["cost_total_usd", "lead_time_mean_h", "items_arrived"]
    cost_first = rank_options(k, cols, {"cost": 3, "timeliness": 1}, baseline="cheap", sla_h=10.0)
    time_first = rank_options(k, cols, {"cost": 1, "timeliness": 3}, baseline="cheap", sla_h=10.0)
    assert list(cost_first.index) == ["cheap", "fast", "bad"] and list(time_first.index) == [
        "fast",
        "cheap",
        "bad",
    ]
    # absolute scales: cost 0.5 at the baseline's mean, 0 at +50%; lead time 1 at 0 h, 0 at 2 x 10 h
    assert cost_first.loc["cheap", "score"] == pytest.approx(0.75 * 0.5 + 0.25 * (1 - 10 / 20))
    assert cost_first.loc["fast", "score"] == pytest.approx(0.75 * 0.0 + 0.25 * (1 - 7 / 3 / 20))
    assert time_first.loc["bad", "score"] == pytest.approx(0.25 * 0.0 + 0.75 * (1 - 35 / 3 / 20))
    assert cost_first.attrs["scales"]["lead_time_mean_h"] == (20.0, 0.0)
    assert cost_first.loc["bad", "p_best"] == 0 and cost_first["p_best"].sum() == pytest.approx(1.0)
    assert set(cost_first.attrs["criteria"]) == {"cost", "timeliness"}  # items_arrived has no direction
    with pytest.raises(ValueError, match="unknown KPI family 'speed'"):
        rank_options(k, cols, {"speed": 1})


def test_decision_summary_is_consistent_with_the_paired_comparison(mob: sk.Scenario) -> None:
    res = sk.simulate(mob, 6, seed=2, executor=None, progress=False)
    d = res.decision(weights={"cost": 2, "timeliness": 1}, sla_target_share=0.99)
    assert d.baseline == "make" and set(d.versus.index) == {"buy", "desk"}
    cmp = res.compare("buy", "make").loc["cost_total_usd"]
    assert d.versus.loc["buy", "delta_cost_mean"] == pytest.approx(cmp["delta_mean"])
    assert d.versus.loc["buy", "p_cheaper"] == pytest.approx(cmp["p_better"])
    risk = d.risk
    assert (risk["cost_total_usd_cvar95"] >= risk["cost_total_usd_var95"] - 1e-9).all()
    assert (risk["cost_total_usd_var95"] >= risk["cost_total_usd_mean"] - 1e-9).all()
    assert risk.loc["desk", "p_miss_sla"] > risk.loc["buy", "p_miss_sla"]  # one person, 1-hour SLA
    text = d.text()
    for needle in ("P(cheaper)", "VaR95", "CVaR95", "P(miss SLA)", "Ranking"):
        assert needle in text


# --------------------------------------------------------------------------- sensitivity
def test_tornado_ranks_the_dominant_lever_first_with_closed_form_swings(mob: sk.Scenario) -> None:
    levers = [
        Lever("vendors.supplier.transition_cost", 0, 300),
        Lever("vendors.supplier.price_per_item", 8, 12),
        Lever("vendors.supplier.governance_share", 0.0, 0.1),
        Lever("vendors.plant.agents", 15, 25),
    ]
    t = sk.tornado(
        mob,
        levers,
        kpi="savings",
        option="buy",
        baseline="make",
        replications=4,
        seed=5,
        executor=None,
        progress=False,
    )
    base = sk.simulate(mob, 4, seed=5, executor=None, progress=False, options=["buy"])
    q = base.kpis["cost_total_usd"].mean() / (P * 1.05)  # mean items the supplier billed
    expected = {
        "vendors.supplier.price_per_item": -4 * q * 1.05,
        "vendors.supplier.governance_share": -0.1 * P * q,
        "vendors.supplier.transition_cost": -300.0,
        "vendors.plant.agents": 0.0,
    }
    assert list(t["path"]) == sorted(expected, key=lambda k: -abs(expected[k]))
    for _, row in t.iterrows():
        assert row["swing"] == pytest.approx(expected[row["path"]], rel=1e-9, abs=1e-6)
    assert t.iloc[0]["swing_ci_low"] <= t.iloc[0]["swing"] <= t.iloc[0]["swing_ci_high"]


def test_sobol_indices_match_the_additive_closed_form(mob: sk.Scenario) -> None:
    levers = [
        Lever("vendors.supplier.price_per_item", 8, 12),
        Lever("vendors.supplier.transition_cost", 0, 1000),
    ]
    si = sk.sobol_indices(
        mob,
        levers,
        kpi="cost_total_usd",
        option="buy",
        n=64,
        replications=2,
        seed=1,
        executor=None,
        progress=False,
    )
    base = sk.simulate(mob, 2, seed=1, executor=None, progress=False, options=["buy"])
    slope = base.kpis["cost_total_usd"].mean() / P  # cost = price x slope + transition
    var_p, var_t = slope**2 * 4**2 / 12, 1000**2 / 12
    expected = {levers[0].path: var_p / (var_p + var_t), levers[1].path: var_t / (var_p + var_t)}
    for path, s1 in expected.items():
        assert si.loc[path, "S1_ci_low"] <= s1 <= si.loc[path, "S1_ci_high"]
        assert si.loc[path, "ST_ci_low"] <= s1 <= si.loc[path, "ST_ci_high"]  # no interactions: ST = S1
    assert si.loc[levers[0].path, "S1"] > si.loc[levers[1].path, "S1"]


def test_break_even_price_matches_q_star(mob: sk.Scenario) -> None:
    be = sk.break_even(
        mob,
        "vendors.plant.price_per_item",
        (0.0, 9.9),
        option="make",
        baseline="buy",
        replications=6,
        seed=4,
        executor=None,
    )
    buy = sk.simulate(mob, 6, seed=4, executor=None, progress=False, options=["buy"])
    q = buy.kpis["cost_total_usd"].mean() / (P * 1.05)
    assert q == pytest.approx(F_TOTAL / (P * 1.05 - be.value), rel=1e-9)  # Q* = F / (p - v*)
    assert be.band_low <= be.value <= be.band_high


def test_break_even_volume_matches_q_star_inside_its_band(mob: sk.Scenario) -> None:
    hours = DAYS * 24
    q_star = F_TOTAL / (P * 1.05 - V)
    be = sk.break_even(
        mob,
        "workload.rate_per_hour",
        (0.5, 4.0),
        option="buy",
        baseline="make",
        replications=8,
        seed=4,
        executor=None,
        xtol=1e-3,
    )
    assert be.band_low <= q_star / hours <= be.band_high, be.text()
    assert be.value * hours == pytest.approx(q_star, rel=0.05)
    assert be.band_high - be.band_low < 0.5 * (q_star / hours)
    assert "tie on cost_total_usd" in be.text()


def test_break_even_outside_the_bracket_says_so(mob: sk.Scenario) -> None:
    be = sk.break_even(
        mob,
        "vendors.plant.price_per_item",
        (0.0, 1.0),
        option="make",
        baseline="buy",
        replications=2,
        seed=4,
        executor=None,
    )
    assert np.isnan(be.value) and "widen the bracket" in be.text()


def test_decision_map_boundary_is_the_closed_form_line(mob: sk.Scenario) -> None:
    x = Lever("vendors.supplier.price_per_item", 6, 14, 5)
    y = Lever("vendors.plant.fee_per_month", 2000, 14000, 7)
    dm = sk.decision_map(
        mob, x, y, option="make", baseline="buy", replications=3, seed=6, executor=None, progress=False
    )
    assert len(dm.frame) == 35 and dm.frame["p_better"].between(0, 1).all()
    buy = sk.simulate(mob, 3, seed=6, executor=None, progress=False, options=["buy"])
    q = buy.kpis["cost_total_usd"].mean() / (P * 1.05)
    months = DAYS * 24 / HOURS_PER_MONTH
    edge = dm.boundary()
    assert len(edge) >= 3
    for _, row in edge.iterrows():  # make = buy where fee x months + v Q = p (1 + g) Q
        p = row[x.path]
        assert row[y.path] == pytest.approx((p * 1.05 - V) * q / months, rel=1e-9)
    grid = dm.grid()
    assert grid.iloc[0, -1] == 1.0 and grid.iloc[-1, 0] == 0.0  # cheap plant + dear supplier: make


# --------------------------------------------------------------------------- CLI and plots
def test_cli_compare_prints_the_decision_summary(capsys: pytest.CaptureFixture) -> None:
    from simkit.ui.cli import main

    helpdesk = str(SCENARIOS / "startup_it_helpdesk.yaml")
    assert (
        main(
            [
                "compare",
                helpdesk,
                "-n",
                "3",
                "--set",
                "run.horizon_days=7",
                "--weights",
                "cost=3,timeliness=1",
                "--sla-target",
                "0.9",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    for needle in (
        "Decision summary",
        "P(cheaper)",
        "CVaR95",
        "P(miss SLA)",
        "Ranking (weights: cost 3, timeliness 1",
    ):
        assert needle in out
    assert main(["compare", helpdesk, "-n", "3", "--weights", "cots=3"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "unknown KPI family 'cots'" in captured.err


def test_plots_draw_what_the_numbers_say(mob: sk.Scenario) -> None:
    res = sk.simulate(mob, 5, seed=1, executor=None, progress=False)
    fig = plots.paired_difference(res, "buy", "make")
    assert sum(p.get_height() for p in fig.axes[0].patches) >= 5  # every replication is in the histogram
    plt.close(fig)
    fig = plots.cumulative_cost(res)
    assert len(fig.axes[0].lines) == 3
    plt.close(fig)
    t = sk.tornado(
        mob,
        [Lever("vendors.supplier.price_per_item", 8, 12), Lever("vendors.supplier.transition_cost", 0, 100)],
        option="buy",
        replications=2,
        seed=1,
        executor=None,
        progress=False,
    )
    fig = plots.tornado(t)
    assert len(fig.axes[0].patches) == 4  # low and high bar per lever
    plt.close(fig)
    dm = sk.decision_map(
        mob,
        Lever("vendors.supplier.price_per_item", 6, 14, 3),
        Lever("vendors.plant.fee_per_month", 2000, 14000, 3),
        option="make",
        baseline="buy",
        replications=2,
        seed=1,
        executor=None,
        progress=False,
    )
    fig = plots.decision_map(dm)
    assert len(fig.axes) == 2  # the map and its colour bar
    plt.close(fig)


def test_decision_text_names_options_by_their_labels_and_keys_where_none() -> None:
    spec = make_or_buy().model_dump(mode="json", exclude_unset=True)
    spec["options"]["buy"]["label"] = "Buy from Supplier <Ltd>"
    spec["options"]["make"]["label"] = "Make at the plant"
    res = sk.simulate(sk.Scenario.model_validate(spec), 3, seed=2, executor=None, progress=False)
    d = res.decision()
    text = d.text()
    assert "baseline Make at the plant)" in text
    assert "  Buy from Supplier <Ltd>: total cost" in text
    assert "  desk: total cost" in text  # no label: its key
    lines = text.splitlines()
    # no line names an option by a key that has a label: not the versus lines, the risk table, the ranking
    for key in ("buy", "make"):
        assert not [ln for ln in lines if re.match(rf"\s*{key}\b", ln)], key
    risk_at = next(i for i, ln in enumerate(lines) if "Cost at risk" in ln)
    assert any(ln.strip().startswith("Buy from Supplier <Ltd>") for ln in lines[risk_at:])
    assert d.versus.index.tolist() == ["buy", "desk"]  # the frames keep the keys
