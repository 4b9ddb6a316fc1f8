"""The strategic scorecard: strict criteria, an absolute scale, and the closed-form weight at which the winner flips."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.stats.scorecard import check_criteria_kpis, flip_weights, load_criteria, scorecard

OPTIONS = ("in_house", "vendor", "hybrid")


def factor(scores: dict[str, int], weight: float = 1.0) -> dict:
    return {"weight": weight, "scores": {o: {"score": s, "evidence": f"why {o}"} for o, s in scores.items()}}


CRITERIA = {
    "kpis": {"cost_total": {"weight": 3, "worst": 60000, "best": 20000},
             "sla_attainment_share": {"weight": 1, "worst": 0.5, "best": 1.0}},
    "factors": {"control": factor({"in_house": 5, "vendor": 2, "hybrid": 4}),
                "access_to_expertise": factor({"in_house": 2, "vendor": 5, "hybrid": 3}, 0.5)},
}


@pytest.fixture(scope="module")
def results(small_helpdesk: sk.Scenario) -> sk.Results:
    sc = small_helpdesk.override({"criteria": CRITERIA})
    return sk.simulate(sc, replications=4, seed=5, executor=None, progress=False)


def winner(values: pd.DataFrame, weights: pd.Series) -> str:
    return str(values.mul(weights, axis=1).sum(axis=1).idxmax())


# --------------------------------------------------------------------------- schema
@pytest.mark.parametrize(("criteria", "where", "what"), [
    ({"factors": {"control": factor({"in_house": 5, "vendr": 2, "hybrid": 4})}},
     "criteria.factors.control.scores.vendr", "unknown option 'vendr' (did you mean 'vendor'?)"),
    ({"factors": {"control": factor({"in_house": 5, "vendor": 2})}},
     "criteria.factors.control.scores", "missing: hybrid"),
    ({"factors": {"control": factor({"in_house": 6, "vendor": 2, "hybrid": 4})}},
     "criteria.factors.control.scores.in_house.score", "must be <= 5, got 6"),
    ({"factors": {"control": factor({"in_house": "5", "vendor": 2, "hybrid": 4})}},
     "criteria.factors.control.scores.in_house.score", "must be a whole number, got '5'"),
    ({"kpis": {"cost_totl": {"weight": 1, "worst": 9, "best": 1}}},
     "criteria.kpis.cost_totl", "unknown KPI with a direction 'cost_totl' (did you mean 'cost_total'?)"),
    ({"kpis": {"cost_total": {"weight": 1, "worst": 1, "best": 9}}},
     "criteria.kpis.cost_total", "lower is better for this KPI, so best must be lower than worst"),
    ({"kpis": {"utilisation_share": {"weight": 1, "worst": 0, "best": 1}}},
     "criteria.kpis.utilisation_share", "has no better direction"),
    ({"kpis": {"cost_total": {"weight": 1, "worst": 5, "best": 5}}},
     "criteria.kpis.cost_total", "worst and best must differ"),
    ({"kpis": {"cost_total": {"weight": 0, "worst": 9, "best": 1}}}, "criteria", "needs a weight > 0"),
    ({"kpis": {"cost_total": {"weight": 1, "worst": 9, "best": 1, "bset": 2}}},
     "criteria.kpis.cost_total.bset", "unknown key 'bset'"),
    ({}, "criteria", "needs at least one entry"),
])
def test_bad_criteria_get_one_line_naming_the_field(small_helpdesk: sk.Scenario, criteria: dict, where: str,
                                                      what: str) -> None:
    with pytest.raises(sk.ScenarioError) as err:  # the KPIs are checked by the scorecard, the rest on loading
        check_criteria_kpis(small_helpdesk.override({"criteria": criteria}))
    text = str(err.value)
    assert "\n" not in text
    assert text.startswith(f"{where}:"), text
    assert what in text


def test_a_criteria_file_is_read_beside_the_scenario(small_helpdesk: sk.Scenario, tmp_path) -> None:  # noqa: ANN001
    good = tmp_path / "criteria.yaml"
    good.write_text("criteria:\n  kpis:\n    cost_total: {weight: 1, worst: 90000, best: 10000}\n")
    assert load_criteria(str(good), small_helpdesk).criteria.kpis["cost_total"].best == 10000
    bad = tmp_path / "bad.yaml"
    bad.write_text("criteria:\n  kpis:\n    cost_total: {weight: -1, worst: 9, best: 1}\n")
    with pytest.raises(sk.ScenarioError, match=r"^.*bad\.yaml: criteria\.kpis\.cost_total\.weight: must be >= 0"):
        load_criteria(str(bad), small_helpdesk)
    other = tmp_path / "other.yaml"
    other.write_text("kpis: {}\n")
    with pytest.raises(sk.ScenarioError, match="holds one section, criteria:"):
        load_criteria(str(other), small_helpdesk)


# --------------------------------------------------------------------------- the absolute scale
def test_values_follow_the_users_scale_not_the_options_spread(results: sk.Results) -> None:
    card = scorecard(results)
    means = results.kpis.groupby("option").mean(numeric_only=True)
    cost = results.cost_column
    for opt in OPTIONS:  # linear between worst (0) and best (1), clipped
        expected = np.clip((means.loc[opt, cost] - 60000) / (20000 - 60000), 0, 1)
        assert card.values.loc[opt, cost] == pytest.approx(expected)
        assert card.raw.loc[opt, cost] == pytest.approx(means.loc[opt, cost])
    assert card.values.loc["in_house", "control"] == 1.0 and card.values.loc["vendor", "control"] == 0.25
    spread = card.values[cost].max() - card.values[cost].min()
    real_gap = (means[cost].max() - means[cost].min()) / 40000
    assert spread == pytest.approx(real_gap)  # a gap keeps its size on the scale (min-max would make it 1)
    assert spread < 1
    weights = card.criteria["weight"]
    assert card.score.to_dict() == pytest.approx((card.values * weights).sum(axis=1).div(weights.sum()).to_dict())
    assert card.winner == card.score.idxmax()
    assert card.evidence.loc["vendor", "control"] == "why vendor"
    assert "leads from" in card.text() or "no weight flips it" in card.text()


def test_the_reported_flip_weight_flips_the_winner(results: sk.Results) -> None:
    card = scorecard(results)
    w = card.criteria["weight"].astype(float)
    for k, r in card.flips.iterrows():
        if not r["new_winner"]:
            continue
        step = 1e-6 * max(1.0, abs(r["change"]))
        before, after = w.copy(), w.copy()
        before[k] = r["flip_weight"] - np.sign(r["change"]) * step
        after[k] = r["flip_weight"] + np.sign(r["change"]) * step
        assert winner(card.values, before) == card.winner
        assert winner(card.values, after) == r["new_winner"]
        assert r["flip_share"] == pytest.approx(r["flip_weight"] / (w.sum() + r["change"]))


values_matrix = st.integers(2, 4).flatmap(lambda n: st.integers(1, 5).flatmap(lambda m: st.tuples(
    st.lists(st.lists(st.floats(0, 1), min_size=m, max_size=m), min_size=n, max_size=n),
    st.lists(st.floats(0.01, 10), min_size=m, max_size=m))))


@settings(max_examples=120, deadline=None)
@given(values_matrix)
def test_flip_weights_agree_with_brute_force(data: tuple) -> None:
    rows, ws = data
    values = pd.DataFrame(rows, index=[f"o{i}" for i in range(len(rows))], columns=[f"c{j}" for j in range(len(ws))])
    weights = pd.Series(ws, index=values.columns)
    v, w0 = values.to_numpy(), weights.to_numpy()
    top = np.sort(v @ w0)[::-1]
    if len(top) > 1 and top[0] - top[1] < 1e-9:
        return  # a tie at the start: no unique winner to flip
    flips = flip_weights(values, weights)
    first = values.index.get_loc(flips.attrs["winner"])
    assert first == int(np.argmax(v @ w0))

    def scores(j: int, x: float) -> np.ndarray:
        w = w0.copy()
        w[j] = x
        return v @ w

    for j, (_, r) in enumerate(flips.iterrows()):
        if not r["new_winner"]:  # no non-negative weight changes the winner
            for x in np.linspace(0, w0[j] * 3 + 10, 61):
                s = scores(j, x)
                assert s[first] >= s.max() - 1e-9
            continue
        assert r["flip_weight"] > 0
        for frac in (0.0, 0.25, 0.5, 0.9):  # between today's weight and the flip the winner holds
            s = scores(j, w0[j] + frac * r["change"])
            assert s[first] >= s.max() - 1e-9
        s = scores(j, r["flip_weight"] + np.sign(r["change"]) * 1e-6 * max(1.0, abs(r["change"])))
        assert s[values.index.get_loc(r["new_winner"])] >= s[first] - 1e-9  # just past it the new winner leads


def test_family_flips_move_a_familys_criteria_together(results: sk.Results) -> None:
    from simkit.stats.scorecard import group_flip_weights

    card = scorecard(results)  # one KPI per family: the family flips are the criterion flips
    members = card.family_flips.attrs["members"]
    assert members["cost"] == [results.cost_column] and members["timeliness"] == ["sla_attainment_share"]
    numbers = ["weight", "weight_share", "flip_weight", "flip_share", "change"]
    for family, (criterion,) in members.items():
        got, want = card.family_flips.loc[family], card.flips.loc[criterion]
        assert got["new_winner"] == want["new_winner"]
        assert got[numbers].to_numpy(float) == pytest.approx(want[numbers].to_numpy(float), nan_ok=True)
    values = pd.DataFrame({"cost_a": [0.9, 0.2], "cost_b": [0.7, 0.3], "control": [0.0, 1.0]}, index=["x", "y"])
    weights = pd.Series({"cost_a": 1.0, "cost_b": 3.0, "control": 1.5})
    flips = group_flip_weights(values, weights, {"cost_a": "cost", "cost_b": "cost"})
    # the cost family is worth x (0.9 + 2.1) / 4 = 0.75, y (0.2 + 0.9) / 4 = 0.275 at weight 4: x 3.0, y 2.6
    assert flips.attrs["winner"] == "x" and set(flips.index) == {"cost", "control"}
    assert flips.attrs["members"]["cost"] == ["cost_a", "cost_b"]
    assert flips.loc["cost", "new_winner"] == "y" and flips.loc["control", "new_winner"] == "y"
    assert flips.loc["cost", "flip_weight"] == pytest.approx(1.5 / 0.475)  # 0.75 W = 0.275 W + 1.5
    assert flips.loc["control", "flip_weight"] == pytest.approx(1.9)  # 3.0 = 1.1 + w
    for eps, leader in ((-1e-6, "x"), (1e-6, "y")):  # both cost weights scaled together, just either side
        w = weights.copy()
        w[["cost_a", "cost_b"]] *= flips.loc["cost", "flip_weight"] / 4.0 * (1 - eps)
        assert winner(values, w) == leader
        w = weights.copy()
        w["control"] = 1.9 * (1 + eps)
        assert winner(values, w) == leader
