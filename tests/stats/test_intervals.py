"""Honest intervals: no interval of a non-negative KPI below 0, and tail statistics from few replications flagged."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS, mmc_dict, scenario_from
from hypothesis import given, settings
from hypothesis import strategies as st

from simkit.accounting import registry as kpis
from simkit.experiment.results import Results, SweepResults
from simkit.stats.estimates import MIN_TAIL_REPLICATIONS, mean_ci, rank_options, risk_table, summarise, tail_caveat

SCENARIO = scenario_from(mmc_dict(1, 0.5))
COLUMNS = kpis.columns("usd")


def _frame(values: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    """A KPI frame: every KPI 1.0 except the ``{option: {column: [per replication]}}`` given."""
    rows = []
    for option, cols in values.items():
        n = len(next(iter(cols.values())))
        for r in range(n):
            row = {"option": option, "replication": r, **dict.fromkeys(COLUMNS, 1.0)}
            row.update({c: v[r] for c, v in cols.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def _results(frame: pd.DataFrame) -> Results:
    return Results(SCENARIO, 1, frame, pd.DataFrame(columns=["option", "replication", "month", "category", "amount"]))


# --------------------------------------------------------------------------- clipped at 0
def test_a_rare_count_gets_an_interval_from_0_not_below() -> None:
    # one outage in four replications: mean 1.25, t interval 1.25 -/+ 3.18 x 2.5 / 2 = [-2.73, 5.23]
    frame = _frame({"in_house": {"outages_count": [0, 0, 0, 5], "fx_cost_usd": [-9, 0, 0, 1]}})
    s = _results(frame).summary().set_index("kpi")
    m, _, lo, hi = mean_ci(np.array([0, 0, 0, 5.0]))
    assert lo < 0  # the unclipped interval does reach below 0
    assert s.loc["outages_count", "ci_low"] == 0.0 and s.loc["outages_count", "ci_high"] == pytest.approx(hi)
    assert s.loc["fx_cost_usd", "ci_low"] < 0  # an fx gain is negative: that interval is not clipped
    table = _results(frame).table()
    assert table.loc["outages_count", "in_house"] == f"1.25 [0.00, {hi:,.2f}]"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=30), st.floats(1.0, 1e6),
       st.sampled_from([k.name.format(c="usd") for k in kpis.KPIS]))
def test_every_interval_stays_in_the_range_its_kpi_can_take(values: list[float], scale: float, column: str) -> None:
    floor, ceiling = kpis.bounds(column)
    values = [v * (1.0 if ceiling == 1.0 else scale) for v in values]  # a share in [0, 1], anything else larger
    frame = _frame({"a": {column: values}})
    row = summarise(frame, [column]).iloc[0]
    m, sd, lo, hi = mean_ci(np.array(values))
    assert row["mean"] == pytest.approx(m)
    assert row["ci_low"] == pytest.approx(max(lo, 0.0) if kpis.non_negative(column) else lo)
    assert row["ci_high"] == pytest.approx(min(hi, 1.0) if kpis.lookup(column).unit == "share" else hi)
    assert row["ci_low"] <= row["mean"] <= row["ci_high"]
    assert (floor is None or row["ci_low"] >= floor) and (ceiling is None or row["ci_high"] <= ceiling)


def test_a_share_near_1_gets_an_interval_to_1_not_above() -> None:
    # SLA attainment 1, 1, 1, 0.7: mean 0.925, t interval 0.925 -/+ 3.18 x 0.15 / 2 = [0.686, 1.164]
    frame = _frame({"in_house": {"sla_attainment_share": [1.0, 1.0, 1.0, 0.7]}})
    s = _results(frame).summary().set_index("kpi")
    _, _, lo, hi = mean_ci(np.array([1.0, 1.0, 1.0, 0.7]))
    assert hi > 1  # the unclipped interval does reach past 1
    assert s.loc["sla_attainment_share", "ci_high"] == 1.0 and s.loc["sla_attainment_share", "ci_low"] == lo


def test_sweep_summaries_clip_too() -> None:
    points = pd.DataFrame({"teams.team.staff": [1, 2]}, index=pd.Index([0, 1], name="point"))
    frame = _frame({"in_house": {"outages_count": [0, 0, 0, 5]}})
    frame = pd.concat([frame.assign(point=0, **{"teams.team.staff": 1}),
                       frame.assign(point=1, **{"teams.team.staff": 2})], ignore_index=True)
    sw = SweepResults(SCENARIO, 1, points, frame)
    s = sw.summary("outages_count")
    assert (s["ci_low"] == 0.0).all() and (s["mean"] == 1.25).all()
    assert (sw.summary("fx_cost_usd")["ci_low"] == 1.0).all()  # no spread: a point interval


def test_paired_differences_are_not_clipped() -> None:
    frame = pd.concat([_frame({"a": {"outages_count": [0, 0, 0, 5]}}),
                       _frame({"b": {"outages_count": [1, 1, 1, 1]}})], ignore_index=True)
    cmp = _results(frame).compare("b", "a").loc["outages_count"]
    assert cmp["ci_low"] < 0 < cmp["ci_high"]  # a difference may be negative


# --------------------------------------------------------------------------- tail statistics from few runs
def _two_options(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(n)
    return pd.concat([_frame({"a": {"cost_total_usd": list(100 + rng.normal(0, 5, n)),
                                    "sla_attainment_share": list(rng.uniform(0.8, 1.0, n))}}),
                      _frame({"b": {"cost_total_usd": list(95 + rng.normal(0, 5, n)),
                                    "sla_attainment_share": list(rng.uniform(0.8, 1.0, n))}})],
                     ignore_index=True)


@pytest.mark.parametrize("n", [1, 3, MIN_TAIL_REPLICATIONS - 1, MIN_TAIL_REPLICATIONS, 25])
def test_tail_statistics_carry_a_caveat_below_ten_replications(n: int) -> None:
    few = n < MIN_TAIL_REPLICATIONS
    frame = _two_options(n)
    risk = risk_table(frame, ["cost_total_usd"])
    assert risk.attrs["few_replications"] is few and risk.attrs["replications"] == {"a": n, "b": n}
    ranking = rank_options(frame, COLUMNS, cost_column="cost_total_usd")
    assert ranking.attrs["few_replications"] is few and ranking.attrs["replications"] == n
    d = _results(frame).decision(baseline="a")
    assert d.risk["few_replications"].tolist() == [few, few]
    assert d.versus["few_replications"].tolist() == [few]
    text = d.text()
    assert (f"rest on {n} replication" in " ".join(text.split())) is few
    assert (d.caveat is not None) is few
    assert "few_replications" not in text and "True" not in text  # the flag is a sentence, not a column


def test_the_caveat_names_the_statistics_and_the_count() -> None:
    text = tail_caveat(4)
    assert text is not None and "VaR" in text and "CVaR" in text and "P(miss SLA)" in text and "p_best" in text
    assert "4 replications" in text and f"fewer than {MIN_TAIL_REPLICATIONS}" in text
    assert tail_caveat(1).count("replications") == 1  # "1 replication (fewer than 10)"
    assert tail_caveat(MIN_TAIL_REPLICATIONS) is None


def test_unequal_replications_are_judged_by_the_fewest() -> None:
    frame = pd.concat([_two_options(12), _frame({"c": {"cost_total_usd": [90.0] * 4}})], ignore_index=True)
    d = _results(frame).decision(baseline="a")
    assert d.risk["few_replications"].to_dict() == {"a": False, "b": False, "c": True}
    assert d.caveat is not None and "rest on 4 replications" in d.caveat


def test_the_cli_compare_prints_the_caveat() -> None:
    p = subprocess.run([sys.executable, "-m", "simkit.ui.cli", "compare", str(SCENARIOS / "startup_it_helpdesk.yaml"),
                        "-n", "3", "--set", "run.horizon_days=28"], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "Caution: VaR, CVaR, P(miss SLA) and p_best rest on 3 replications" in " ".join(p.stdout.split())
