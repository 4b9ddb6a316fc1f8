"""Scenario files: loading, overrides, round trips, and one clear sentence for every bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import SCENARIOS

import simkit as sk
from simkit.scenario.model import MAX_FILE_BYTES


def test_every_scenario_file_loads() -> None:
    files = sorted(SCENARIOS.glob("*.yaml"))
    assert files, "no scenarios"
    for f in files:
        sc = sk.load(f)
        assert sc.options and sc.name


def test_override_returns_a_new_scenario_and_keeps_the_old(helpdesk: sk.Scenario) -> None:
    new = helpdesk.override({"vendors.msp.price_per_item": 12, "workload.rate_per_hour": 2})
    assert new.vendors["msp"].price_per_item == 12
    assert new.workload.rate_per_hour == 2
    assert helpdesk.vendors["msp"].price_per_item == 35
    assert new.fingerprint() != helpdesk.fingerprint()


def test_yaml_round_trip(helpdesk: sk.Scenario) -> None:
    again = sk.loads(helpdesk.to_yaml())
    assert again == helpdesk
    assert again.fingerprint() == helpdesk.fingerprint()


def test_scenario_is_immutable(helpdesk: sk.Scenario) -> None:
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        helpdesk.run.seed = 3  # type: ignore[misc]


def _bad(helpdesk: sk.Scenario, change: dict) -> str:
    with pytest.raises(sk.ScenarioError) as info:
        helpdesk.override(change)
    return str(info.value)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"vendors.msp.price_per_item": -3}, "vendors.msp.price_per_item: must be >= 0, got -3"),
        ({"workload.rate_per_hour": -1}, "workload.rate_per_hour: must be >= 0, got -1"),
        ({"teams.engineers.staff": "two"}, "teams.engineers.staff: must be a whole number, got 'two'"),
        ({"teams.engineers.staff": 2.5}, "teams.engineers.staff: must be a whole number, got 2.5"),
        ({"workload.kinds.incident.effort_h": "weibull(k=2)"},
         "workload.kinds.incident.effort_h: unknown distribution 'weibull'; allowed: exponential, lognormal"),
        ({"workload.kinds.incident.effort_h": "lognormal(mean=2)"},
         "workload.kinds.incident.effort_h: lognormal takes (mean, cv), got (mean)"),
        ({"vendors.msp.pricee_per_item": 3}, "vendors.msp.pricee_per_item: unknown key 'pricee_per_item' "
                                             "(did you mean 'price_per_item'?)"),
        ({"run.curency": "EUR"}, "run.curency: unknown key 'curency' (did you mean 'currency'?)"),
        ({"run.currency": "euro"}, "run.currency: must be 3 capital letters such as USD, got 'euro'"),
        ({"vendors.msp.pricing": "per_hour"}, "vendors.msp.pricing: must be one of 'per_item', 'per_fte_month'"),
        ({"options.hybrid.vendor": "mps"}, "options.hybrid.vendor: unknown vendor 'mps' (did you mean 'msp'?)"),
        ({"teams.engineers.calendar": "hq"}, "teams.engineers.calendar: unknown calendar 'hq'"),
        ({"run.warmup_days": 400}, "run: warmup_days must be < horizon_days"),
        ({"workload.hour_of_day": [1, 2]}, "workload.hour_of_day: needs 24 multipliers, got 2"),
        ({"run.horizon_days": float("nan")}, "run.horizon_days: must be a finite number, got NaN"),
        ({"run.horizon_days": float("inf")}, "run.horizon_days: must be a finite number"),
        ({"vendors.msp.price_per_fte_month": 100}, "vendors.msp: price_per_fte_month is not used by pricing"),
        ({"nonsense.x": 1}, "nonsense: unknown field 'nonsense'"),
    ],
)
def test_bad_values_name_the_field_and_what_is_allowed(helpdesk: sk.Scenario, change: dict, expected: str) -> None:
    msg = _bad(helpdesk, change)
    assert expected in msg, msg
    assert "\n" not in msg


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"", "is empty"),
        (b"   \n# only a comment\n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "is a binary file"),
        (b"name: caf\xe9\n", "is not UTF-8 text"),
        (b"name: [unclosed\n", "not valid YAML at line"),
        (b"- a\n- list\n", "must be a mapping of sections"),
        (b"a: &x [1]\nb: *x\n", "anchors and aliases"),
        (b"name: a\nname: b\n", "key 'name' appears twice (line 2)"),
        (b"name: x\n", "workload: is required but missing"),
        (b"name: x\nworkload: {rate_per_hour: 1, kinds: {a: {share: 1, effort_h: 1}}}\noptions: {}\n",
         "options: "),
        (b"date,amount\n2024-01-01,3\n", "must be a mapping of sections"),
        (b"name: !!python/object:os.system 'echo hi'\n", "not valid YAML"),
    ],
)
def test_bad_files(text: bytes, expected: str) -> None:
    with pytest.raises(sk.ScenarioError) as info:
        sk.loads(text, source="bad.yaml")
    msg = str(info.value)
    assert msg.startswith("bad.yaml: ")
    assert expected in msg, msg
    assert "\n" not in msg


def test_missing_file_folder_and_size_cap(tmp_path: Path) -> None:
    with pytest.raises(sk.ScenarioError, match="no such file"):
        sk.load(tmp_path / "missing.yaml")
    with pytest.raises(sk.ScenarioError, match="is a folder"):
        sk.load(tmp_path)
    big = tmp_path / "big.yaml"
    big.write_text("name: x\n" + "#" * (MAX_FILE_BYTES + 10))
    with pytest.raises(sk.ScenarioError, match="at most"):
        sk.load(big)


def test_nothing_in_a_scenario_is_evaluated(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = yaml.safe_dump({"name": f"__import__('os').system('touch {marker}')", "workload": {
        "rate_per_hour": 1, "kinds": {"a": {"share": 1, "effort_h":
                                            f"exponential(mean=__import__('os').system('touch {marker}'))"}}},
        "teams": {"t": {"staff": 1}}, "options": {"o": {"team": "t"}}})
    with pytest.raises(sk.ScenarioError, match="effort_h"):
        sk.loads(text)
    assert not marker.exists()
