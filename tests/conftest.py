"""Shared fixtures: the default scenario and small scenarios built for theory checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import simkit as sk

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def mmc_dict(c: int, rate_per_hour: float, service_mean_h: float = 1.0, horizon_days: float = 100.0,
             warmup_days: float = 5.0, **extra_options: Any) -> dict[str, Any]:
    """An M/M/c scenario as a dict: Poisson arrivals, exponential effort, c servers around the clock."""
    return {
        "name": f"M/M/{c}",
        "run": {"horizon_days": horizon_days, "warmup_days": warmup_days, "replications": 10, "seed": 1,
                "discount_rate_annual": 0.0},
        "calendars": {"client": {}},
        "workload": {"rate_per_hour": rate_per_hour,
                     "kinds": {"job": {"share": 1.0, "effort_h": f"exponential(mean={service_mean_h})"}}},
        "teams": {"team": {"staff": c, "loaded_cost_per_hour": 10.0}},
        "options": {"in_house": {"team": "team"}, **extra_options},
    }


def scenario_from(data: dict[str, Any]) -> sk.Scenario:
    return sk.Scenario.model_validate(data)


@pytest.fixture(scope="session")
def helpdesk() -> sk.Scenario:
    return sk.load(SCENARIOS / "startup_it_helpdesk.yaml")


@pytest.fixture(scope="session")
def small_helpdesk(helpdesk: sk.Scenario) -> sk.Scenario:
    """The default scenario shortened to 8 weeks, for fast checks."""
    return helpdesk.override({"run.horizon_days": 56})
