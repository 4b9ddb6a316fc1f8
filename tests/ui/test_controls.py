"""Which control a scenario path gets: slider, dropdown (a schema ``Literal``) or on/off toggle."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

import pytest
from conftest import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.scenario.mechanisms import OutageSpec, SharedSpec
from simkit.scenario.schema import OptionSpec, VendorSpec
from simkit.ui.controls import (
    SWITCHED_SECTIONS,
    control_for,
    controls_from,
    default_controls,
    field_kind,
    kind_of,
    schema_bounds,
)


@pytest.fixture(scope="module")
def dual() -> sk.Scenario:
    return sk.load(SCENARIOS / "dual_sourcing_vendor_failure.yaml")


def _literal(annotation: object) -> tuple[object, ...]:
    """The values of a ``Literal`` annotation, also inside ``Literal[...] | None``."""
    args = get_args(annotation)
    return args if all(isinstance(a, str) for a in args) else get_args(args[0])


@pytest.mark.parametrize(("path", "annotation"), [
    ("vendors.alpha.pricing", VendorSpec.model_fields["pricing"].annotation),
    ("vendors.alpha.outages.policy", OutageSpec.model_fields["policy"].annotation),
    ("vendors.alpha.shared.client_priority", SharedSpec.model_fields["client_priority"].annotation),
    ("options.dual.routing", OptionSpec.model_fields["routing"].annotation),
])
def test_choices_are_read_from_the_schema(dual: sk.Scenario, path: str, annotation: object) -> None:
    kind, options = field_kind(dual, path)
    assert kind == "choice"
    assert options == _literal(annotation) and len(options) >= 2


def test_a_value_added_to_the_literal_shows_up(dual: sk.Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    field = VendorSpec.model_fields["pricing"]
    wider = Literal["per_item", "per_fte_month", "fixed_plus_per_item", "per_outcome"]
    monkeypatch.setattr(field, "annotation", wider)
    control = control_for(dual, "vendors.alpha.pricing")
    assert control.kind == "choice" and control.options == get_args(wider)
    assert control.value("per_outcome", "per_item") == "per_outcome"


def test_kinds_of_annotations() -> None:
    assert kind_of(bool) == ("switch", (True, False))
    assert kind_of(bool | None) == ("switch", (True, False))
    assert kind_of(OutageSpec | None) == ("section", (True, False))
    assert kind_of(OutageSpec) == ("number", ())  # a section every scenario has is not switched off
    assert kind_of(Literal["a", "b"] | None) == ("choice", ("a", "b"))
    assert kind_of(float) == ("number", ())


def test_a_section_toggle_is_the_scenarios_own_section_or_none(dual: sk.Scenario) -> None:
    control = control_for(dual, "vendors.alpha.outages", "alpha: outages")
    assert control.kind == "section" and control.is_toggle and control.label == "alpha: outages (on/off)"
    own = dual.to_dict()["vendors"]["alpha"]["outages"]
    assert control.shown(own) is True and control.shown(None) is False
    assert control.value(True, own) == own and control.value(False, own) is None
    assert dual.override({"vendors.alpha.outages": None}).vendors["alpha"].outages is None
    assert dual.override({"vendors.alpha.outages": own}) == dual


def test_the_default_set_adds_a_few_toggles_and_dropdowns(dual: sk.Scenario, helpdesk: sk.Scenario) -> None:
    switches = {c.path: c for c in default_controls(dual) if c.kind != "number"}
    assert {p: c.kind for p, c in switches.items()} == {
        "vendors.alpha.outages": "section", "vendors.alpha.outages.policy": "choice",
        "vendors.beta.outages": "section", "vendors.beta.outages.policy": "choice"}
    assert switches["vendors.alpha.outages.policy"].label == "alpha: outage policy (wait / reroute)"
    assert all(c.kind == "number" for c in default_controls(helpdesk))  # nothing to switch: sliders only
    exit_sc = sk.load(SCENARIOS / "vendor_exit_insourcing.yaml")
    assert "vendors.outsourcer.exit" in {c.path for c in default_controls(exit_sc)}


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.glob("*.yaml")))
def test_every_default_toggle_switches_off_to_a_valid_scenario(name: str) -> None:
    sc = sk.load(SCENARIOS / name)
    for control in default_controls(sc):
        assert control.low <= control.high
        if control.kind == "section":
            assert control.path.split(".")[-1] in SWITCHED_SECTIONS[control.path.split(".")[0]]
            sc.override({control.path: None})  # raises if switching it off were not allowed


def test_bad_switches_say_what_is_allowed(dual: sk.Scenario) -> None:
    with pytest.raises(sk.ScenarioError, match=r"vendors\.alpha\.exit: is not defined in this scenario"):
        control_for(dual, "vendors.alpha.exit")
    with pytest.raises(sk.ScenarioError, match=r"options\.single\.routing: is None in this scenario, and a "
                                               r"dropdown needs one of overflow, by_kind"):
        control_for(dual, "options.single.routing")
    with pytest.raises(sk.ScenarioError, match=r"vendors\.alpha\.pricing: is a choice, so it takes no low"):
        control_for(dual, "vendors.alpha.pricing", low=0, high=1)
    with pytest.raises(sk.ScenarioError, match=r"^run: a lever needs a number"):
        control_for(dual, "run")
    with pytest.raises(sk.ScenarioError, match=r"vendors\.gamma\.outages"):
        control_for(dual, "vendors.gamma.outages")


def test_a_levers_file_path_to_a_choice_or_section_becomes_a_dropdown_or_toggle(dual: sk.Scenario,
                                                                                 tmp_path: Path) -> None:
    levers = tmp_path / "levers.yaml"
    levers.write_text("levers:\n  agents: {path: vendors.alpha.agents, low: 1, high: 5}\n"
                      "  policy: {path: vendors.alpha.outages.policy}\n"
                      "uncertainties:\n  failures: {path: vendors.alpha.outages}\n"
                      "  volume: {path: workload.rate_per_hour, low: 1, high: 2}\n")
    controls = controls_from(dual, levers)
    assert [(c.path, c.kind) for c in controls] == [
        ("vendors.alpha.agents", "number"), ("vendors.alpha.outages.policy", "choice"),
        ("vendors.alpha.outages", "section"), ("workload.rate_per_hour", "number")]
    assert (controls[0].low, controls[0].high) == (1, 5)
    assert controls[1].label.startswith("policy (") and controls[2].label == "failures (on/off)"
    only = tmp_path / "only.yaml"
    only.write_text("levers:\n  routing: {path: vendors.beta.pricing}\n")
    assert [c.kind for c in controls_from(dual, only)] == ["choice"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("levers:\n  policy: {path: vendors.alpha.outages.policy, low: 0, high: 1}\n")
    with pytest.raises(sk.ScenarioError, match=r"levers\.policy: .*'high' is not allowed; give only its path"):
        controls_from(dual, bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("levers: {}\n")
    with pytest.raises(sk.ScenarioError, match="declares no levers"):
        controls_from(dual, empty)


def test_words_and_units_are_the_facts_on_the_schema_fields(dual: sk.Scenario) -> None:
    from simkit.ui.controls import words_for

    assert words_for("teams.inhouse.loaded_cost_per_hour") == "inhouse: loaded cost"
    assert words_for("workload.kinds.ticket.sla_h") == "ticket: SLA target"
    assert words_for("workload.rate_per_hour") == "arrivals" and words_for("run.horizon_days") == "horizon"
    assert words_for("vendors.alpha.outages.policy") == "alpha: outage policy"
    team = next(iter(dual.teams))
    control = control_for(dual, f"teams.{team}.loaded_cost_per_hour")
    assert control.label.startswith(f"{team}: loaded cost ({dual.run.currency}/h, 0–")


def test_an_edited_label_on_the_field_reaches_the_control(dual: sk.Scenario,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from simkit.scenario import fields
    from simkit.scenario.schema import TeamSpec

    extra = {**TeamSpec.model_fields["loaded_cost_per_hour"].json_schema_extra, "x-label": "hourly cost",
             "x-symbol": "{cur} an hour"}
    monkeypatch.setattr(TeamSpec.model_fields["loaded_cost_per_hour"], "json_schema_extra", extra)
    fields.field_facts.cache_clear()
    try:
        team = next(iter(dual.teams))
        labels = {c.path: c.label for c in default_controls(dual)}
        assert labels[f"teams.{team}.loaded_cost_per_hour"].startswith(f"{team}: hourly cost ({dual.run.currency} "
                                                                        "an hour, 0–")
    finally:
        monkeypatch.undo()
        fields.field_facts.cache_clear()


_SHIPPED = {p.name: sk.load(p) for p in sorted(SCENARIOS.glob("*.yaml"))}
_SLIDERS = [(name, c) for name, sc in _SHIPPED.items() for c in default_controls(sc) if c.kind == "number"]


def _allowed(sc: sk.Scenario, path: str, value: float) -> bool:
    low, high, low_open, high_open = schema_bounds(sc, path)
    return (value > low if low_open else value >= low) and (value < high if high_open else value <= high)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_SLIDERS), st.floats(0.0, 1.0))
def test_every_slider_position_is_allowed_by_the_schema(pick: tuple[str, object], where: float) -> None:
    name, control = pick
    sc = _SHIPPED[name]
    assert control.low <= control.high
    steps = round((control.high - control.low) / control.step)
    value = control.low + round(where * steps) * control.step
    value = int(value) if control.integer else min(float(value), control.high)
    for v in (control.low, control.high, value):
        assert _allowed(sc, control.path, v), (control.path, v, schema_bounds(sc, control.path))
    sc.override({control.path: control.high})  # the ends are valid scenarios, not only valid fields
    sc.override({control.path: control.low})


def test_a_share_below_one_stops_a_step_short_of_one(helpdesk: sk.Scenario) -> None:
    sc = helpdesk.override({"teams.engineers.absence_share": 0.1})
    absence = control_for(sc, "teams.engineers.absence_share")
    assert schema_bounds(sc, "teams.engineers.absence_share") == (0.0, 1.0, False, True)
    assert absence.low == 0.0 and absence.high == pytest.approx(0.99) and "0–0.99" in absence.label
    sc.override({"teams.engineers.absence_share": absence.high})
    with pytest.raises(sk.ScenarioError):
        sc.override({"teams.engineers.absence_share": 1.0})
    governance = control_for(sc, "vendors.msp.governance_share")  # <= 1: the end itself is allowed
    assert (governance.low, governance.high) == (0.0, 1.0)
    # a range asked for beyond the schema is pulled inside it
    wide = control_for(sc, "teams.engineers.absence_share", low=-0.5, high=2.0)
    assert wide.low == 0.0 and wide.high < 1.0
    staff = control_for(sc, "teams.engineers.staff", low=-3, high=5)
    assert staff.low == 0 and staff.high == 5 and staff.integer


def test_schema_bounds_are_the_fields_own_and_infinite_elsewhere(helpdesk: sk.Scenario) -> None:
    assert schema_bounds(helpdesk, "workload.growth_annual")[1] == 10.0  # le=10 in the schema
    low, high, _, _ = schema_bounds(helpdesk, "teams.engineers.loaded_cost_per_hour")
    assert low == 0.0 and high >= 1e12  # only a guard against absurd sizes above
    assert schema_bounds(helpdesk, "teams.engineers") == (-float("inf"), float("inf"), False, False)  # a name
    assert schema_bounds(helpdesk, "vendors.msp") == (-float("inf"), float("inf"), False, False)
