"""The field registry: one entry per schema field, the README tables and the JSON Schema generated from it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import SCENARIOS

import simkit as sk
from simkit.scenario import facts, fields
from simkit.scenario.schema import RunSpec, TeamSpec
from simkit.scenario.sections import walk_sections
from simkit.ui.cli import main

README = Path(__file__).resolve().parents[2] / "scenarios" / "README.md"

# The cost-only list as it was written by hand before the registry held it: deriving it must not move a field.
HAND_LIST = {
    "teams.*.loaded_cost_per_hour", "teams.*.overhead_per_fte_month", "teams.*.overtime_premium",
    "teams.*.hiring.recruiting_cost", "teams.*.hiring.severance_per_fte", "teams.*.quality.escaped_defect_cost",
    "vendors.*.pricing", "vendors.*.price_per_item", "vendors.*.price_per_fte_month", "vendors.*.fee_per_month",
    "vendors.*.governance_share", "vendors.*.transition_cost", "vendors.*.quality.escaped_defect_cost",
    "vendors.*.sla.target_share", "vendors.*.sla.credit_share_per_point", "vendors.*.sla.cap_share",
    "vendors.*.exit.switching_cost", "vendors.*.exit.exit_fee", "vendors.*.review.penalty",
    "vendors.*.transition.knowledge_transfer_cost", "vendors.*.transition.parallel_run_months",
    "vendors.*.transition.released_staff", "vendors.*.transition.severance_per_fte",
    "vendors.*.contract.term_months", "vendors.*.contract.indexation_annual", "vendors.*.contract.lock_in_premium",
    "vendors.*.contract.min_items_per_month", "vendors.*.elastic.surge_price_per_agent_hour",
    "workload.kinds.*.late_cost_per_h", "workload.kinds.*.abandon_cost", "asset_specificity",
    "run.discount_rate_annual",
}


def test_every_schema_field_has_one_entry_and_every_entry_a_field() -> None:
    assert fields.registry_drift() == []
    n_fields = sum(len(m.model_fields) for _, m in walk_sections(sk.Scenario))
    assert len(fields.field_facts()) == n_fields


def test_every_field_carries_its_facts_on_the_schema_itself() -> None:
    registry = facts.registry()
    for _, model in walk_sections(sk.Scenario):
        entries = registry[facts.registry_key(model)]
        for name, field in model.model_fields.items():
            carried = facts.facts_of(field)
            assert carried is not None, f"{model.__name__}.{name} carries no facts"
            assert field.description == str(entries[name]["meaning"]).strip()
            assert carried["unit"] == str(entries[name]["unit"])
            assert carried["cost_only"] == bool(entries[name].get("cost_only"))
    staff = TeamSpec.model_fields["staff"]
    assert staff.json_schema_extra["x-unit"] == "people on shift" and staff.json_schema_extra["x-label"] == "staff"
    assert sk.Scenario.model_fields["asset_specificity"].json_schema_extra["x-cost-only"] is True


def test_a_field_without_facts_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TeamSpec.model_fields["staff"], "json_schema_extra", None)
    assert "teams.<name>: staff has no entry in fields.yaml" in fields.registry_drift()


def test_an_entry_naming_no_field_or_section_is_reported() -> None:
    registry = {k: dict(v) for k, v in facts.registry().items()}
    registry["RunSpec"]["no_such_field"] = {"unit": "x", "allowed": "x", "meaning": "x"}
    registry["NoSuchSpec"] = {}
    del registry["TeamSpec"]["staff"]
    drift = fields.registry_drift(registry)
    assert "RunSpec.no_such_field: in fields.yaml, not in the schema" in drift
    assert "NoSuchSpec: a section of fields.yaml that is not in the schema" in drift
    assert "teams.<name>: staff has no entry in fields.yaml" in drift


def test_bounds_the_schema_already_enforces_are_reported() -> None:
    registry = {k: {f: dict(e) for f, e in v.items()} for k, v in facts.registry().items()}
    registry["TeamSpec"]["productivity"]["bounds"] = {"max": 20, "why": "x"}  # the schema stops at 10
    registry["RunSpec"]["seed"]["bounds"] = {"most": 3}
    registry["RunSpec"]["currency"]["cost-only"] = True  # misspelt: would be silently ignored
    drift = fields.registry_drift(registry)
    assert any(d.startswith("RunSpec.currency: 'cost-only' is not a fact the registry knows") for d in drift)
    assert any(d.startswith("TeamSpec.productivity: bounds.max 20 is already enforced") for d in drift)
    assert any(d.startswith("RunSpec.seed: bounds must be") for d in drift)


def test_the_cost_only_list_is_derived_unchanged() -> None:
    assert set(fields.COST_ONLY_PATHS) == HAND_LIST
    assert fields.is_cost_only("vendors.acme.price_per_item") and not fields.is_cost_only("vendors.acme.agents")


def test_the_readme_field_tables_are_the_registry() -> None:
    text = README.read_text(encoding="utf-8")
    assert fields.sync_field_tables(text) == text, "run `make kpi-docs` to regenerate scenarios/README.md"


def test_an_edited_meaning_shows_in_the_readme_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RunSpec.model_fields["seed"], "description", "A new meaning.")
    text = fields.sync_field_tables(README.read_text(encoding="utf-8"))
    assert "| `seed` | - | `12345` | integer 0 to 2^63 - 1 | A new meaning. |" in text


def test_units_and_symbols_come_from_the_registry() -> None:
    assert fields.unit("teams.support.loaded_cost_per_hour", "EUR") == "EUR per person-hour"
    assert fields.symbol("vendors.acme.price_per_item", "EUR") == "EUR/item"
    assert fields.facts("teams.support.staff").section == "TeamSpec"
    assert fields.facts("teams.support.no_such") is None


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_is_valid_under_the_json_schema(path: Path) -> None:
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), fields.json_schema())


def test_the_json_schema_refuses_what_the_loader_refuses() -> None:
    schema = fields.json_schema()
    good = yaml.safe_load((SCENARIOS / "startup_it_helpdesk.yaml").read_text(encoding="utf-8"))
    for bad in ({**good, "unknown_key": 1}, {**good, "run": {"horizon_days": -1}},
                {**good, "teams": {"t": {"staff": 1, "nope": 2}}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)
        with pytest.raises(sk.ScenarioError):
            sk.loads(yaml.safe_dump(bad))


def test_the_json_schema_is_pydantics_own_with_the_facts() -> None:
    schema = fields.json_schema()
    assert {k: v for k, v in schema.items() if k not in ("$schema", "title", "description")} == \
        {k: v for k, v in sk.Scenario.model_json_schema().items() if k not in ("title", "description")}
    prop = schema["$defs"]["TeamSpec"]["properties"]["staff"]
    assert prop["x-unit"] == "people on shift" and prop["maximum"] == 100_000
    assert prop["description"] == TeamSpec.model_fields["staff"].description
    assert "Allowed: integer 0 to 100,000" in prop["markdownDescription"]
    assert schema["properties"]["asset_specificity"]["x-cost-only"] is True
    assert "x-cost-only" not in prop


def test_labels_come_from_the_registry_or_the_name() -> None:
    assert fields.label("teams.support.loaded_cost_per_hour") == "loaded cost"
    assert fields.label("vendors.acme.agents") == "agents"
    assert fields.label("no.such_field") == "such field"


def test_simkit_schema_prints_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["title"] == "simkit scenario" and "TeamSpec" in printed["$defs"]
    out = tmp_path / "scenario.schema.json"
    assert main(["schema", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == printed
    assert main(["schema", "-o", str(tmp_path)]) == 2  # a folder where a file is wanted


def test_the_cost_only_list_is_read_from_the_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    carried = {fields._pattern(p) for p, f in fields.field_facts().items() if f.cost_only}
    assert carried == set(fields.COST_ONLY_PATHS)
    from simkit.experiment import reprice

    assert reprice.COST_ONLY_PATHS is fields.COST_ONLY_PATHS
    extra = {**RunSpec.model_fields["seed"].json_schema_extra, "x-cost-only": True}
    monkeypatch.setattr(RunSpec.model_fields["seed"], "json_schema_extra", extra)
    fields.field_facts.cache_clear()
    try:
        assert fields.facts("run.seed").cost_only  # what the field carries, not a second copy of the YAML
    finally:
        monkeypatch.undo()
        fields.field_facts.cache_clear()
    assert not fields.facts("run.seed").cost_only
