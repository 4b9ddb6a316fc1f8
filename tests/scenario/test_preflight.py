"""Pre-flight reads the field registry: the bounds it sets where the schema does not, checked in one line each."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SCENARIOS
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.errors import show
from simkit.scenario import fields
from simkit.scenario import preflight as checks
from simkit.scenario.schema import RunSpec
from simkit.ui.cli import main

# One scenario in which every field that has registry bounds is present.
EVERY_BOUNDED = sk.loads("""
name: bounded
run: {horizon_days: 60, replications: 2}
workload:
  rate_per_hour: 1
  kinds: {ticket: {share: 1, effort_h: {dist: exponential, mean: 0.5}, sla_h: 8}}
teams:
  crew:
    staff: 2
    hiring: {hire_when_backlog_per_staff: 5, max_staff: 4}
    quality: {defect_share: 0.1, defect_halving_months: 6}
vendors:
  bench:
    agents: 1
    price_per_item: 10
    elastic: {max_agents: 3, scale_when_queue_per_agent: 2}
    exit: {fallback: crew, terminate_at_month: 1}
options:
  in_house: {team: crew}
  vendor: {vendor: bench}
""")
BOUNDED = {
    "workload.kinds.ticket.sla_h": "workload.kinds.<name>.sla_h",
    "teams.crew.hiring.hire_when_backlog_per_staff": "teams.<name>.hiring.hire_when_backlog_per_staff",
    "teams.crew.quality.defect_halving_months": "teams.<name>.quality.defect_halving_months",
    "vendors.bench.elastic.scale_when_queue_per_agent": "vendors.<name>.elastic.scale_when_queue_per_agent",
    "vendors.bench.exit.terminate_at_month": "vendors.<name>.exit.terminate_at_month",
}


def test_the_registry_bounds_are_the_ones_checked_here() -> None:
    """Every section that carries bounded fields is covered by EVERY_BOUNDED (one path per class and field)."""
    bounded = {(f.section, f.name) for f in fields.field_facts().values() if f.bounds}
    covered = {(fields.facts(p).section, fields.facts(p).name) for p in BOUNDED}
    assert bounded == covered and len(bounded) >= 5


def test_the_bounds_follow_from_the_limits_they_cite() -> None:
    """A run lasts at most the schema's longest horizon; a replication holds at most the item cap."""
    longest_days = next(m.le for m in RunSpec.model_fields["horizon_days"].metadata if getattr(m, "le", None))
    assert fields.facts("workload.kinds.x.sla_h").bounds["max"] == longest_days * 24
    for path in ("vendors.x.exit.terminate_at_month", "teams.x.quality.defect_halving_months"):
        assert fields.facts(path).bounds["max"] == pytest.approx(longest_days / (365.25 / 12), abs=1)
    for path in ("teams.x.hiring.hire_when_backlog_per_staff", "vendors.x.elastic.scale_when_queue_per_agent"):
        assert fields.facts(path).bounds["max"] == checks.MAX_ITEMS_PER_REPLICATION


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_scenario_is_within_the_bounds(path: Path) -> None:
    checks.check_bounds(sk.load(path))


@pytest.mark.parametrize("path", sorted(BOUNDED))
def test_a_value_beyond_the_bound_is_refused_in_one_line(path: str) -> None:
    f = fields.facts(path)
    high = f.bounds["max"]
    checks.check_size(EVERY_BOUNDED.override({path: high}))  # the bound itself is allowed
    beyond = EVERY_BOUNDED.override({path: high * 1.5})  # valid under the schema
    with pytest.raises(sk.ScenarioError) as info:
        checks.check_size(beyond)
    err = info.value
    assert err.path == path and "\n" not in str(err)
    assert err.message.startswith(f"must be at most {high:,g} {f.unit}, got ")
    assert f.bounds["why"] in err.message and err.message.split(", got ")[1].startswith(show(high * 1.5))
    with pytest.raises(sk.ScenarioError, match="must be at most"):
        sk.simulate(beyond, replications=1, executor=None, progress=False)


@settings(max_examples=40, deadline=None)
@given(sla_h=st.floats(min_value=1e-6, max_value=1e15, allow_nan=False))
def test_the_sla_bound_splits_values_exactly(sla_h: float) -> None:
    sc = EVERY_BOUNDED.override({"workload.kinds.ticket.sla_h": sla_h})
    if sla_h <= 876_600:
        checks.check_bounds(sc)
    else:
        with pytest.raises(sk.ScenarioError, match=r"^workload\.kinds\.ticket\.sla_h: must be at most 876,600"):
            checks.check_bounds(sc)


def test_the_cli_refuses_a_value_beyond_the_bound_with_exit_2(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "beyond.yaml"
    path.write_text(EVERY_BOUNDED.override({"vendors.bench.exit.terminate_at_month": 5000}).to_yaml(),
                    encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "vendors.bench.exit.terminate_at_month: must be at most 1,200 months" in err[0]
