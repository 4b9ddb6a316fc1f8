"""The verdict sentence: the cheapest option, by how much a year, how sure, how it serves, and its caveats."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simkit as sk
from simkit.accounting.registry import columns as kpi_columns
from simkit.analysis.verdict import DAYS_PER_YEAR, money, verdict
from simkit.experiment.results import Results
from simkit.stats.estimates import mean_ci

COST, LEAD = "cost_total_usd", "lead_time_mean_h"


def _results(sc: sk.Scenario, costs: dict[str, np.ndarray], lead: dict[str, np.ndarray]) -> Results:
    """Results whose total cost and mean lead time per option and replication are the given numbers."""
    rows = []
    for option, x in costs.items():
        for r, value in enumerate(x):
            row = {"option": option, "replication": r, **dict.fromkeys(kpi_columns("usd"), 1.0)}
            row[COST], row[LEAD] = float(value), float(lead[option][r])
            rows.append(row)
    ledger = pd.DataFrame(columns=["option", "replication", "month", "category", "amount"])
    return Results(sc, 1, pd.DataFrame(rows), ledger)


def _year(sc: sk.Scenario) -> float:
    return DAYS_PER_YEAR / (sc.run.horizon_days - sc.run.warmup_days)


@pytest.fixture()
def three(helpdesk: sk.Scenario) -> sk.Scenario:
    return helpdesk  # options in_house, vendor, hybrid; a 364-day horizon


def test_a_clear_winner_is_named_with_its_yearly_saving_interval_and_share(three: sk.Scenario) -> None:
    rng = np.random.default_rng(3)
    common = rng.normal(100_000, 5_000, 40)
    costs = {"in_house": common + 30_000 + rng.normal(0, 800, 40), "vendor": common,
             "hybrid": common + 12_000 + rng.normal(0, 800, 40)}
    lead = {"in_house": np.full(40, 9.0), "vendor": np.full(40, 5.0) + rng.normal(0, 0.1, 40),
            "hybrid": np.full(40, 7.0)}
    v = verdict(_results(three, costs, lead))
    f = _year(three)
    m, _, lo, hi = mean_ci((costs["hybrid"] - costs["vendor"]) * f)
    assert v.cheapest == "vendor" and v.annual_saving == pytest.approx(m) and (v.ci_low, v.ci_high) == (lo, hi)
    vendor, hybrid, in_house = (three.options[o].label for o in ("vendor", "hybrid", "in_house"))
    assert v.sentence.startswith(f"{vendor} is cheapest by {money(m, 'USD')} a year (95% CI {money(lo)} to "
                                 f"{money(hi)}; cheaper than {hybrid} in 100% of 40 futures) and answers faster")
    m2, _, lo2, hi2 = mean_ci((costs["in_house"] - costs["vendor"]) * f)
    assert f"{in_house} costs {money(m2, 'USD')} a year more (95% CI {money(lo2)} to {money(hi2)})" in v.sentence
    assert v.notes == ()  # 40 replications, nothing cut at 0, no precision cap


def test_an_unclear_winner_is_said_to_be_unclear_and_service_about_as_fast(three: sk.Scenario) -> None:
    rng = np.random.default_rng(4)
    base = rng.normal(100_000, 5_000, 12)
    costs = {"in_house": base + rng.normal(0, 3_000, 12), "vendor": base + rng.normal(0, 3_000, 12)}
    lead = {"in_house": 5 + rng.normal(0, 1, 12), "vendor": 5 + rng.normal(0, 1, 12)}
    sc = three.model_copy(update={"options": {k: three.options[k] for k in ("in_house", "vendor")}})
    v = verdict(_results(sc, costs, lead))
    assert v.ci_low < 0 < v.ci_high
    assert "is cheapest on average" in v.sentence and "but not clearly" in v.sentence
    assert "includes no difference" in v.sentence and "answers about as fast" in v.sentence
    share = float(np.mean(costs["vendor" if v.cheapest == "in_house" else "in_house"]
                          - costs[v.cheapest] > 0))
    assert f"in {share:.0%} of 12 futures" in v.sentence


def test_a_cheaper_but_slower_option_is_said_to_be_slower(three: sk.Scenario) -> None:
    costs = {"in_house": np.array([110.0, 121, 115, 119, 112, 118, 111, 117, 114, 116]),
             "vendor": np.array([100.0, 111, 104, 108, 103, 106, 101, 109, 102, 107]),
             "hybrid": np.array([130.0, 141, 135, 139, 132, 138, 131, 137, 134, 136])}
    lead = {"in_house": np.full(10, 4.0), "vendor": np.array([6, 7, 6.5, 7.2, 6.1, 6.8, 6.3, 7.1, 6.4, 6.9]),
            "hybrid": np.full(10, 4.0)}
    v = verdict(_results(three, costs, lead))
    assert v.cheapest == "vendor" and "but answers slower" in v.sentence
    assert "mean lead time 6.63 h against 4.00 h" in v.sentence


def test_few_replications_and_all_or_nothing_shares_get_notes(three: sk.Scenario) -> None:
    costs = {"in_house": np.array([120.0, 130, 125]), "vendor": np.array([100.0, 110, 104]),
             "hybrid": np.array([140.0, 150, 145])}
    lead = {o: np.full(3, 2.0) for o in costs}
    v = verdict(_results(three, costs, lead))
    assert v.notes[0].startswith("Only 3 replications")
    bound = 0.05 ** (1 / 3)
    assert any(f"as low as {bound:.0%}" in n for n in v.notes)  # all 3 futures cheaper still allows 37%
    assert "Note: Only 3 replications" in v.text()


def test_a_clipped_interval_and_a_capped_precision_rule_are_noted(small_helpdesk: sk.Scenario) -> None:
    res = sk.simulate_to_precision(small_helpdesk, rel_half_width=1e-6, min_replications=3, max_replications=4,
                                   seed=5, progress=False, executor=None)
    res.kpis.loc[res.kpis["option"] == "vendor", "backlog_end_items"] = [0.0, 0.0, 0.0, 40.0]
    v = verdict(res)
    assert any(n.startswith("The cap of 4 replications stopped") for n in v.notes)
    assert any("backlog at the end" in n and "cut at 0" in n for n in v.notes)
    assert not any("cut at 0" in n for n in verdict(res, columns=[COST]).notes)  # only the columns shown


def test_the_verdict_of_a_real_run_matches_the_paired_comparison(small_helpdesk: sk.Scenario) -> None:
    res = sk.simulate(small_helpdesk, replications=6, seed=11, progress=False, executor=None)
    v = verdict(res)
    means = res.kpis.groupby("option")[COST].mean().sort_values()
    best, runner = means.index[0], means.index[1]
    cmp = res.compare(runner, best).loc[COST]
    assert v.cheapest == best
    assert v.annual_saving == pytest.approx(cmp.delta_mean * _year(small_helpdesk))
    assert v.ci_low == pytest.approx(cmp.ci_low * _year(small_helpdesk))
    assert re.search(r"in \d+% of 6 futures", v.sentence)


def test_a_single_option_gets_its_yearly_cost(helpdesk: sk.Scenario) -> None:
    sc = helpdesk.model_copy(update={"options": {"vendor": helpdesk.options["vendor"]}})
    v = verdict(_results(sc, {"vendor": np.array([100.0, 110, 90, 100] * 3)}, {"vendor": np.full(12, 1.0)}))
    assert "is the only option: it costs USD 100 a year" in v.sentence
    assert np.isnan(v.annual_saving)


def _parse(text: str) -> float:
    m = re.fullmatch(r"USD (-?)([\d.,]+)(k|M|bn)?", text)
    assert m, text
    scale = {"k": 1e3, "M": 1e6, "bn": 1e9, None: 1.0}[m[3]]
    return (-1 if m[1] else 1) * float(m[2].replace(",", "")) * scale


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_money_keeps_three_significant_figures(amount: float) -> None:
    text = money(amount, "USD")
    assert abs(_parse(text) - amount) <= max(0.5, 0.005 * abs(amount)), text
    assert not re.search(r"\.\d*0(k|M|bn)$", text)  # no trailing zero after the point
    if abs(amount) >= 1000:
        assert text[-1] in "kMn"


def test_money_examples() -> None:
    assert [money(x, "USD") for x in (0, 950, 19_543, 20_000, 999_999, 1.25e6, -5_300)] == [
        "USD 0", "USD 950", "USD 19.5k", "USD 20k", "USD 1M", "USD 1.25M", "USD -5.3k"]
    assert money(2_500, signed=True) == "+2.5k"



def test_a_share_interval_cut_at_100_percent_is_noted(small_helpdesk: sk.Scenario) -> None:
    res = sk.simulate(small_helpdesk, replications=4, seed=5, progress=False, executor=None)
    res.kpis.loc[res.kpis["option"] == "vendor", "sla_attainment_share"] = [1.0, 1.0, 1.0, 0.7]
    v = verdict(res)
    assert any("cut at 100%" in n and "sla attainment" in n.lower() for n in v.notes), v.notes
    assert not any("cut at 100%" in n for n in verdict(res, columns=[COST]).notes)  # only the columns shown
    row = res.summary().set_index(["option", "kpi"]).loc[("vendor", "sla_attainment_share")]
    assert row["ci_high"] == 1.0 and row["ci_low"] < 0.925 < row["ci_high"]
