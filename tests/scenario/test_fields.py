"""The field registry: one entry per schema field, the README tables and the JSON Schema generated from it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import SCENARIOS

import simkit as sk
from simkit.scenario import fields
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


def test_a_field_without_an_entry_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = {k: dict(v) for k, v in fields._registry().items()}
    del registry["TeamSpec"]["staff"]
    registry["RunSpec"]["no_such_field"] = {"unit": "x", "allowed": "x", "meaning": "x"}
    monkeypatch.setattr(fields, "_registry", lambda: registry)
    drift = fields.registry_drift()
    assert any("staff has no entry" in d for d in drift) and any("no_such_field" in d for d in drift)


def test_the_cost_only_list_is_derived_unchanged() -> None:
    assert set(fields.COST_ONLY_PATHS) == HAND_LIST
    assert fields.is_cost_only("vendors.acme.price_per_item") and not fields.is_cost_only("vendors.acme.agents")


def test_the_readme_field_tables_are_the_registry() -> None:
    text = README.read_text(encoding="utf-8")
    assert fields.sync_field_tables(text) == text, "run `make kpi-docs` to regenerate scenarios/README.md"


def test_an_edited_meaning_shows_in_the_readme_table(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = {k: {f: dict(e) for f, e in v.items()} for k, v in fields._registry().items()}
    registry["RunSpec"]["seed"]["meaning"] = "A new meaning."
    monkeypatch.setattr(fields, "_registry", lambda: registry)
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


def test_the_json_schema_describes_fields_with_unit() -> None:
    prop = fields.json_schema()["$defs"]["TeamSpec"]["properties"]["staff"]
    assert prop["x-unit"] == "people on shift" and "allowed: integer" in prop["description"]


def test_simkit_schema_prints_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["title"] == "simkit scenario" and "TeamSpec" in printed["$defs"]
    out = tmp_path / "scenario.schema.json"
    assert main(["schema", "-o", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8")) == printed
    assert main(["schema", "-o", str(tmp_path)]) == 2  # a folder where a file is wanted
