"""The ranking on absolute scales: scores that keep a gap's size and ignore which other options are ranked,
and the closed-form weight per KPI family at which the top choice flips."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.stats.decision import rank, ranking_flips
from simkit.stats.estimates import rank_options
from simkit.stats.scorecard import group_flip_weights
from simkit.stats.value_scale import COST_SPAN, TIME_SPAN, default_scale, kpi_values

COLUMNS = ["cost_total_usd", "cost_per_item_usd", "lead_time_p90_h", "sla_attainment_share",
           "backlog_end_items", "availability_share"]


def frame(means: dict[str, list[float]], reps: int = 3, spread: float = 0.0) -> pd.DataFrame:
    """KPI rows per option: each column's given mean, plus a symmetric +-spread around it over replications."""
    rows = []
    offsets = np.linspace(-spread, spread, reps) if reps > 1 else [0.0]
    for opt, values in means.items():
        for r, off in enumerate(offsets):
            rows.append({"option": opt, "replication": r,
                         **{c: v * (1 + off) if "share" not in c else v for c, v in zip(COLUMNS, values,
                                                                                       strict=True)}})
    return pd.DataFrame(rows)


option_means = st.tuples(st.floats(1e3, 1e6), st.floats(1, 500), st.floats(0, 200), st.floats(0, 1),
                         st.floats(0, 300), st.floats(0, 1)).map(list)


@settings(max_examples=30, deadline=None)
@given(st.lists(option_means, min_size=3, max_size=5), st.sampled_from([None, 12.0]),
       st.fixed_dictionaries({"cost": st.floats(0, 5), "timeliness": st.floats(0.1, 5),
                              "business_impact": st.floats(0, 5)}))
def test_adding_or_removing_an_option_changes_no_other_score(options: list, sla_h: float | None,
                                                             weights: dict) -> None:
    """Baseline o0 and o1 score the same whether o2.. are ranked with them or not."""
    names = [f"o{i}" for i in range(len(options))]
    full = frame(dict(zip(names, options, strict=True)), spread=0.05)
    two = full[full["option"].isin(names[:2])]
    a = rank_options(full, COLUMNS, weights, "cost_total_usd", baseline="o0", sla_h=sla_h)
    b = rank_options(two, COLUMNS, weights, "cost_total_usd", baseline="o0", sla_h=sla_h)
    for opt in names[:2]:
        assert a.loc[opt, "score"] == pytest.approx(b.loc[opt, "score"], abs=1e-12)
        for fam in b.attrs["criteria"]:
            assert a.loc[opt, fam] == pytest.approx(b.loc[opt, fam], abs=1e-12)
    assert a.attrs["scales"] == b.attrs["scales"]


@pytest.mark.parametrize("gap", [0.02, 0.10, 0.25])
def test_a_cost_gap_is_a_proportional_score_gap_not_the_whole_scale(gap: float) -> None:
    """Two options 10 % apart in cost (and cost per item) score 0.10 apart on cost, not 1.0 (min-max)."""
    base = [100_000.0, 50.0, 20.0, 0.9, 10.0, 0.99]
    dearer = [100_000.0 * (1 + gap), 50.0 * (1 + gap), 20.0, 0.9, 10.0, 0.99]
    ranked = rank_options(frame({"in_house": base, "vendor": dearer}), COLUMNS, {"cost": 1}, "cost_total_usd",
                          baseline="in_house")
    score = ranked["score"]
    assert score["in_house"] - score["vendor"] == pytest.approx(gap / (2 * COST_SPAN))
    assert score["in_house"] == pytest.approx(0.5)  # the baseline sits mid-scale
    third = rank_options(frame({"in_house": base, "vendor": dearer, "cheap": [v * 0.5 for v in base]}), COLUMNS,
                         {"cost": 1}, "cost_total_usd", baseline="in_house")["score"]
    assert third["in_house"] - third["vendor"] == pytest.approx(gap / (2 * COST_SPAN))


def test_default_scales_by_unit() -> None:
    assert default_scale("cost_total_usd", 200.0) == (300.0, 100.0)
    assert default_scale("sla_attainment_share", 0.3) == (0.0, 1.0)
    assert default_scale("abandoned_share", 0.3) == (1.0, 0.0)
    assert default_scale("lead_time_p90_h", 5.0, sla_h=8.0) == (TIME_SPAN * 8.0, 0.0)
    assert default_scale("lead_time_p90_h", 5.0) == (7.5, 2.5)  # no scenario: relative, like money
    assert default_scale("sla_credits_usd", 0.0, money_reference=1000.0) == (500.0, -500.0)
    assert default_scale("outages_count", 0.0) == (0.5, -0.5)  # a count's scale is at least one event wide
    assert default_scale("cost_cvar_usd_95", 400.0) == (600.0, 200.0)  # not in the registry: money
    with pytest.raises(ValueError, match="no better direction"):
        default_scale("items_arrived", 3.0)
    assert float(kpi_values(250.0, 300.0, 100.0)) == pytest.approx(0.25)
    assert float(kpi_values(50.0, 300.0, 100.0)) == 1.0 and float(kpi_values(900.0, 300.0, 100.0)) == 0.0


@pytest.fixture(scope="module")
def helpdesk_results(small_helpdesk: sk.Scenario) -> sk.Results:
    sc = small_helpdesk.override({"criteria": {"kpis": {"cost_total": {"weight": 1, "worst": 90000,
                                                                        "best": 10000}}}})
    return sk.simulate(sc, replications=4, seed=5, executor=None, progress=False)


def test_results_rank_uses_the_criteria_ends_and_the_scenarios_sla(helpdesk_results: sk.Results) -> None:
    res = helpdesk_results
    ranked = res.rank({"cost": 1, "timeliness": 1})
    assert ranked.attrs["scales"][res.cost_column] == (90000.0, 10000.0)  # the user's ends
    sla = max(k.sla_h for k in res.scenario.workload.kinds.values())
    assert ranked.attrs["scales"]["lead_time_p90_h"] == (TIME_SPAN * sla, 0.0)
    assert res.decision(weights={"cost": 1, "timeliness": 1}).ranking["score"].to_dict() == pytest.approx(
        ranked["score"].to_dict())
    pair = res.scenario.option_names[:2]
    sub = sk.simulate(res.scenario, replications=4, seed=5, executor=None, progress=False, options=pair)
    if res.scenario.baseline_option in pair:  # the other options' means do not enter the scales
        assert rank(sub)["score"].to_dict() == pytest.approx(rank(res)["score"][pair].to_dict())


# --------------------------------------------------------------------------- flips per family
def brute_flip(values: np.ndarray, w0: np.ndarray, j: int) -> tuple[float, float]:
    """The edges of the interval of weight ``j`` on which today's winner stays first, found by bisection.

    The winner's region in one weight is an interval (every score is linear in that weight after
    multiplying by the positive total), so bisection on "still the winner" finds its ends.
    """
    def wins(x: float) -> bool:
        w = w0.copy()
        w[j] = x
        s = values @ w
        return bool(s[first] >= s.max() - 1e-12 * max(1.0, abs(s).max()))

    first = int(np.argmax(values @ w0))
    ends = []
    for far in (0.0, w0[j] + 1e7 * max(w0.sum(), 1.0)):
        if wins(far):
            ends.append(np.nan)
            continue
        lo, hi = w0[j], far
        for _ in range(120):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if wins(mid) else (lo, mid)
        ends.append(hi)
    return ends[0], ends[1]


eighths = st.integers(0, 8).map(lambda k: k / 8)  # values and weights on a grid: ties and zeros happen, and
group_problem = st.integers(2, 4).flatmap(lambda n: st.integers(2, 6).flatmap(lambda m: st.tuples(  # flips stay
    st.lists(st.lists(eighths, min_size=m, max_size=m), min_size=n, max_size=n),                   # in range
    st.lists(st.integers(0, 10).map(float), min_size=m, max_size=m),
    st.lists(st.sampled_from(["cost", "timeliness", "risk"]), min_size=m, max_size=m))))


@settings(max_examples=100, deadline=None)
@given(group_problem)
def test_family_flip_weights_agree_with_brute_force(data: tuple) -> None:
    rows, ws, fams = data
    assume(sum(ws) > 0)
    cols = [f"c{j}" for j in range(len(ws))]
    values = pd.DataFrame(rows, index=[f"o{i}" for i in range(len(rows))], columns=cols)
    weights = pd.Series(ws, index=cols)
    groups = {c: f for c, f in zip(cols, fams, strict=True) if f != "risk"}  # "risk" criteria stand alone
    flips = group_flip_weights(values, weights, groups)
    # the same problem by brute force: one column per group, the group's weighted mean, its total weight
    names = list(flips.index)
    members = {g: [c for c in cols if groups.get(c, c) == g] for g in names}
    gv = np.column_stack([
        (values[members[g]] * weights[members[g]]).sum(axis=1) / weights[members[g]].sum()
        if weights[members[g]].sum() > 0 else values[members[g]].mean(axis=1) for g in names])
    gw = np.array([weights[members[g]].sum() for g in names])
    top = np.sort(gv @ gw)[::-1]
    assume(top[0] - top[1] > 1e-6 * max(1.0, gw.sum()))  # a unique winner to flip
    assert flips.attrs["winner"] == values.index[int(np.argmax(gv @ gw))]
    for j, g in enumerate(names):
        down, up = brute_flip(gv, gw, j)
        r = flips.loc[g]
        candidates = [x for x in (down, up) if np.isfinite(x) and x > 1e-9]
        if not candidates:
            assert not r["new_winner"]
            continue
        nearest = min(candidates, key=lambda x: abs(x - gw[j]))
        assert r["new_winner"]
        assert r["flip_weight"] == pytest.approx(nearest, rel=1e-6, abs=1e-6 * max(1.0, gw.sum()))
        # the total ranking score with the whole family moved to the flip weight: the new winner just past it
        scale = r["flip_weight"] / gw[j] if gw[j] > 1e-12 else None
        w = weights.copy()
        past = r["flip_weight"] + np.sign(r["change"]) * 1e-6 * max(1.0, abs(r["change"]))
        if scale is not None:
            w[members[g]] = weights[members[g]] * past / gw[j]
        else:
            w[members[g]] = past / len(members[g])
        assert str(values.mul(w, axis=1).sum(axis=1).idxmax()) == r["new_winner"]


def test_the_decision_reports_the_family_weight_at_which_the_ranking_flips() -> None:
    k = frame({"cheap": [100_000.0, 50.0, 60.0, 0.70, 10.0, 0.99],
               "fast": [130_000.0, 65.0, 10.0, 0.95, 10.0, 0.99]})
    weights = {"cost": 1.0, "timeliness": 1.0}
    ranked = rank_options(k, COLUMNS, weights, "cost_total_usd", baseline="cheap", sla_h=24.0)
    flips = ranking_flips(ranked)
    assert set(flips.index) == {"cost", "timeliness"} and flips.attrs["winner"] == ranked.index[0]
    for fam, r in flips.iterrows():
        assert r["new_winner"] and r["new_winner"] != ranked.index[0]
        eps = 1e-6 * max(1.0, abs(r["change"]))
        for delta, leader in ((-eps, ranked.index[0]), (eps, r["new_winner"])):
            moved = {**weights, fam: r["flip_weight"] + np.sign(r["change"]) * delta}
            assert rank_options(k, COLUMNS, moved, "cost_total_usd", baseline="cheap", sla_h=24.0).index[0] == leader


def test_cli_compare_prints_the_absolute_ranking_and_its_flips(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from simkit.ui import cli

    argv = ["compare", "startup_it_helpdesk", "-n", "3", "--seed", "2", "--set", "run.horizon_days=28"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "absolute scale" in out and "Weight at which the top choice flips" in out
    for family in ("cost", "timeliness", "business impact"):
        assert f"  {family}: " in out
    assert cli.main([*argv, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    decision = data["decision"] if "decision" in data else data["meta"]["decision"]
    flips = {r["family"]: r for r in decision["flips"]}
    assert set(flips) == {r for r in decision["weights"]}
    top = min(decision["ranking"], key=lambda r: r["rank"])["option"]
    assert all(r["new_winner"] != top for r in flips.values())
