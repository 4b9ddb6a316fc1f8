"""The candidate screen: placements by hand, properties over every scoring, bad input, the CLI."""

from __future__ import annotations

import pytest
from conftest import SCENARIOS
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.analysis.screening import KEEP_AT, OUTSOURCE_BELOW, FunctionSpec, place, screen
from simkit.ui.cli import main

EXAMPLE = SCENARIOS / "screens" / "mid_size_company.yaml"
CRITERIA = ("strategic_importance", "asset_specificity", "confidentiality", "volume_variability",
            "measurability", "market_maturity")


def fn(**scores: int) -> FunctionSpec:
    base = dict.fromkeys(CRITERIA, 3)
    return FunctionSpec(**{**base, **scores})


def test_placements_by_hand() -> None:
    # keep pressures: strategic (s-1)/4, specificity (k-1)/4, confidentiality (c-1)/4, (5-m)/4, (5-mm)/4
    commodity = place("helpdesk", fn(strategic_importance=1, asset_specificity=1, confidentiality=1,
                                     measurability=5, market_maturity=5))
    assert (commodity.placement, commodity.keep_score) == ("outsource", 0.0)
    middle = place("service", fn())  # every score 3: keep score 0.5
    assert (middle.placement, middle.keep_score) == ("hybrid", 0.5)
    core = place("engine", fn(strategic_importance=5, asset_specificity=1, confidentiality=1, measurability=5,
                              market_maturity=5))
    assert core.placement == "keep" and core.keep_score == pytest.approx(0.2)  # core overrides the score
    assert "core competence" in core.reasons[0]
    sticky = place("rnd", fn(strategic_importance=4, asset_specificity=4, confidentiality=4, measurability=2,
                             market_maturity=2))
    assert (sticky.placement, sticky.keep_score) == ("keep", 0.75)


def test_variable_volume_turns_a_non_core_keep_into_hybrid_when_vendors_exist() -> None:
    scores = {"strategic_importance": 4, "asset_specificity": 4, "confidentiality": 4, "measurability": 3}
    assert place("a", fn(**scores, volume_variability=5, market_maturity=3)).placement == "hybrid"
    assert place("b", fn(**scores, volume_variability=5, market_maturity=1)).placement == "keep"  # nobody to buy from
    assert place("c", fn(**scores, volume_variability=2, market_maturity=3)).placement == "keep"


def test_reasons_name_the_criteria_and_the_sources() -> None:
    p = place("x", fn(strategic_importance=5, asset_specificity=5, market_maturity=1))
    text = " ".join(p.reasons)
    assert "Barney 1991" in text and "Quinn & Hilmer 1994" in text and "Williamson 1985" in text
    assert "market maturity 1/5" in text


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({c: st.integers(1, 5) for c in CRITERIA}), st.sampled_from(CRITERIA[:3]))
def test_more_reason_to_keep_never_moves_a_function_towards_outsourcing(scores: dict, criterion: str) -> None:
    order = {"outsource": 0, "hybrid": 1, "keep": 2}
    before = place("f", FunctionSpec(**scores))
    assert 0.0 <= before.keep_score <= 1.0
    assert before.placement != "outsource" or before.keep_score < KEEP_AT
    assert before.placement != "keep" or before.keep_score >= KEEP_AT or scores["strategic_importance"] == 5
    assert before.placement != "outsource" or before.keep_score <= OUTSOURCE_BELOW
    if scores[criterion] < 5:
        after = place("f", FunctionSpec(**{**scores, criterion: scores[criterion] + 1}))
        assert after.keep_score > before.keep_score
        assert order[after.placement] >= order[before.placement]


def test_example_file_and_its_scenarios() -> None:
    result = screen(EXAMPLE)
    table = result.table().set_index("function")
    assert table.loc["product_engineering", "placement"] == "keep"
    assert table.loc["payroll", "placement"] == "outsource"
    assert result.scenario("payroll").name == sk.load(SCENARIOS / "payroll_bpo.yaml").name
    with pytest.raises(sk.ScenarioError, match="no function 'nope'"):
        result.scenario("nope")
    assert sk.screen is screen


@pytest.mark.parametrize(("text", "message"), [
    ("functions:\n  a: {strategic_importance: 6}\n", "functions.a.strategic_importance: must be <= 5, got 6"),
    ("functions:\n  a: {strategic_importance: 3, asset_specificity: 3, confidentiality: 3, volume_variability: 3,"
     " measurability: 3, market_maturity: 3, colour: red}\n", "functions.a.colour: unknown key 'colour'; allowed:"),
    ("functions:\n  a: {strategic_importance: 3}\n", "functions.a.asset_specificity: is required but missing"),
    ("functions: {}\n", "functions: must not be empty"),
    ("- a\n- b\n", "a screen must be a mapping with 'functions', got list"),
    ("functions: [\n", "not valid YAML"),
    ("functions:\n  a: &x {}\n  b: *x\n", "anchors and aliases"),
    ("functions:\n  'a ': {strategic_importance: 3}\n", "key 'a ' must not have whitespace around it"),
    ("functions:\n  a: {strategic_importance: '3'}\n", "functions.a.strategic_importance: must be a whole number"),
    ("functions:\n  a: {strategic_importance: 010}\n", "010"),
])
def test_bad_screen_files_are_one_line(tmp_path, capsys, text: str, message: str) -> None:
    path = tmp_path / "screen.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(sk.ScenarioError, match=None) as err:
        screen(path)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert main(["screen", str(path)]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_cli_screen_missing_file_folder_and_output(tmp_path, capsys) -> None:
    assert main(["screen", str(tmp_path / "none.yaml")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["screen", str(tmp_path)]) == 2
    assert "is a folder, not a file" in capsys.readouterr().err
    assert main(["screen", str(EXAMPLE), "--out", str(tmp_path / "x.txt")]) == 2
    assert "--out must end in .csv" in capsys.readouterr().err
    out = tmp_path / "placements.csv"
    assert main(["screen", str(EXAMPLE), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "KEEP (2)" in printed and "OUTSOURCE" in printed
    assert out.read_text(encoding="utf-8").startswith("function,placement,keep_score,reasons,scenario")
