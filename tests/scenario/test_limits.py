"""Limits checked before simulating: events of every kind, contract prices, run arguments and designs; and the
invariant behind them — any scenario that validates and passes them runs to finite KPIs."""

from __future__ import annotations

import math
import os
import warnings
from typing import Any

import numpy as np
import pytest
from conftest import SCENARIOS
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.engine.risk import outage_intervals
from simkit.experiment.design import Lever, design_points
from simkit.scenario import limits
from simkit.scenario import preflight as checks
from simkit.streams import Streams

DUAL = sk.load(SCENARIOS / "dual_sourcing_vendor_failure.yaml")
CAPTIVE = sk.load(SCENARIOS / "captive_vs_outsourced.yaml")
HELPDESK = sk.load(SCENARIOS / "startup_it_helpdesk.yaml")
CENTURY = {"run.horizon_days": 36525}


def _refused(sc: sk.Scenario, path: str, words: str) -> None:
    """``sc`` is refused by the pre-flight, by simulate and by a single replication, naming ``path``."""
    with pytest.raises(sk.ScenarioError, match=words) as info:
        checks.check_size(sc)
    err = info.value
    assert err.path == path and "at most" in err.message and "\n" not in str(err), str(err)
    with pytest.raises(sk.ScenarioError, match=words):
        sk.simulate(sc, replications=1, executor=None, progress=False)
    with pytest.raises(sk.ScenarioError, match=words):
        sk.run_replication(sc, 0, seed=1)


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"vendors.alpha.outages.time_between_h": 0, "vendors.alpha.outages.repair_h": 0}, "vendors.alpha.outages"),
        ({"vendors.alpha.outages.time_between_h": "exponential(mean=1e-12)",
          "vendors.alpha.outages.repair_h": "deterministic(value=0)"}, "vendors.alpha.outages"),
        ({"vendors.alpha.outages.time_between_h": "exponential(mean=4)", "vendors.alpha.outages.repair_h": 1,
          **CENTURY}, "vendors.alpha.outages"),
        ({"vendors.beta.degradation": {"time_between_h": 0.01, "duration_h": 0.01}}, "vendors.beta.degradation"),
        ({"teams.analysts.staff": 2000, "teams.analysts.hiring": {"attrition_annual": 5}, **CENTURY},
         "teams.analysts.hiring.attrition_annual"),
    ],
)
def test_episodes_of_every_kind_are_bounded(changes: dict, path: str) -> None:
    _refused(DUAL.override(changes), path, "episodes per replication are expected")


@pytest.mark.parametrize("days", [28, 365])
def test_attrition_on_a_huge_team_is_refused(days: float) -> None:
    sc = DUAL.override({"teams.analysts.staff": 100_000, "teams.analysts.hiring": {"attrition_annual": 0.3},
                        "run.horizon_days": days, "workload.rate_per_hour": 0.01})
    _refused(sc, "teams.analysts.hiring.attrition_annual", "leavers x head count")


def test_checks_and_clarification_rounds_are_bounded() -> None:
    elastic = {f"vendors.{v}.elastic": {"max_agents": 3} for v in ("alpha", "beta")}
    many = {"options.dual2": {"vendor": "beta", "backup": "alpha", "backup_share": 0.5},
            **{f"options.o{i}": {"vendor": "alpha"} for i in range(30)}}
    _refused(DUAL.override({**elastic, **many, **CENTURY, "workload.rate_per_hour": 0.001}), "vendors.alpha.elastic",
             "elastic-bench checks")
    kinds = {f"workload.kinds.{k}.clarify_share": 1.0 for k in DUAL.workload.kinds}
    rounds = {f"workload.kinds.{k}.clarify_max_rounds": 20 for k in DUAL.workload.kinds}
    _refused(DUAL.override({**kinds, **rounds, "workload.rate_per_hour": 1.0, **CENTURY}), "workload.kinds",
             "clarification rounds")


def test_a_contract_price_that_would_overflow_is_refused_and_one_that_grows_a_lot_runs() -> None:
    contract = {"term_months": 0.01, "indexation_annual": 1.0, "lock_in_premium": 5.0}
    _refused(DUAL.override({"vendors.alpha.contract": contract}), "vendors.alpha.contract", "renewals")
    grows = DUAL.override({"vendors.alpha.contract": {"term_months": 1, "lock_in_premium": 0.05},
                           "run.horizon_days": 700, "workload.rate_per_hour": 0.2})
    checks.check_size(grows)  # 1.1 ** 23 = 9: allowed, and finite
    res = sk.simulate(grows, replications=1, executor=None, progress=False)
    assert np.isfinite(res.kpis.drop(columns="option").to_numpy(dtype=float)).all()


def test_every_archetype_is_far_inside_every_limit() -> None:
    for f in sorted(SCENARIOS.glob("*.yaml")):
        sc = sk.load(f)
        checks.check_size(sc)
        assert sum(limits.expected_episodes(sc).values()) < limits.MAX_EPISODES_PER_REPLICATION / 100, f.name
        assert sum(limits.expected_checks(sc).values()) < limits.MAX_CHECKS_PER_REPLICATION / 100, f.name


def test_the_episode_estimate_matches_the_drawn_outages() -> None:
    """horizon / (MTBF + MTTR) cycles: 400 draws of a ~146-episode year put the mean within 1%, far inside the
    factor of safety the cap needs; the CI is asserted tighter than that."""
    sc = DUAL.override({"vendors.alpha.outages.time_between_h": "exponential(mean=48)",
                        "vendors.alpha.outages.repair_h": "exponential(mean=12)"})
    horizon = sc.run.horizon_days * 24.0
    spec = sc.vendors["alpha"].outages
    counts = np.array([len(outage_intervals(spec, horizon, Streams(7, r).rng("outage:alpha"))) for r in range(400)])
    per_option = horizon / 60.0
    half = 1.96 * counts.std(ddof=1) / math.sqrt(counts.size)
    assert half < 0.02 * per_option
    assert abs(counts.mean() - per_option) < half + 1.0  # renewal counting: within one episode of the ratio
    options_with_alpha = sum(1 for o in sc.options.values() if "alpha" in (o.vendor, o.backup))
    assert limits.expected_episodes(sc)["vendors.alpha.outages"] == pytest.approx(per_option * options_with_alpha)


# --------------------------------------------------------------------------- run arguments and designs
@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"seed": -1}, "seed must be a whole number from 0"),
        ({"seed": 2**63}, "seed must be"),
        ({"seed": 1.5}, "seed must be"),
        ({"replications": 10**9}, "replications must be a whole number from 1 to 100,000"),
        ({"replications": 0}, "replications must be"),
        ({"replications": math.inf}, "replications must be"),
        ({"replications": True}, "replications must be"),
    ],
)
def test_run_arguments_are_checked_before_anything_runs(kwargs: dict, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        sk.simulate(HELPDESK, executor=None, progress=False, **{"replications": 1, **kwargs})
    with pytest.raises(ValueError, match=expected):
        sk.sweep(HELPDESK, {"vendors.msp.price_per_item": [1, 2]}, executor=None, progress=False,
                 **{"replications": 1, **kwargs})
    if "seed" in kwargs:
        with pytest.raises(ValueError, match=expected):
            sk.run_replication(HELPDESK, 0, **kwargs)


@pytest.mark.parametrize(
    ("levers", "design", "n", "expected"),
    [
        ([Lever("vendors.msp.price_per_item", 1, 2, 1000), Lever("workload.rate_per_hour", 0.1, 2, 1000)],
         "grid", None, "the grid \\(1000 x 1000 values\\) gives 1,000,000 points"),
        ([Lever("vendors.msp.price_per_item", 1, 2)], "lhs", 10**9, "lhs with n = 1,000,000,000"),
        ([Lever("vendors.msp.price_per_item", 1, 2)], "sobol", 2**20, "sobol with n = 1,048,576"),
    ],
)
def test_designs_are_bounded_before_points_are_built(levers: list, design: str, n: Any, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        design_points(HELPDESK, levers, design, n=n)
    with pytest.raises(ValueError, match="n must be a whole number from 1 to 100,000"):
        Lever("vendors.msp.price_per_item", 1, 2, 10**9)


# --------------------------------------------------------------------------- any valid scenario is finite
EXTREME = st.sampled_from([0, 5e-324, 1e-300, 1e-12, 1e-3, 0.999, 1, 7, 1e6, 1e15, 1e16, 1e300, -1e-9, -1])
SMALL = HELPDESK.override({"run.horizon_days": 5, "workload.rate_per_hour": 2.0,
                           "vendors.msp.contract": {"term_months": 1.0, "lock_in_premium": 0.1},
                           "vendors.msp.transition": {"start_productivity": 0.5, "learning_rate": 0.8},
                           "teams.engineers.hiring": {"attrition_annual": 0.2, "hire_when_backlog_per_staff": 3,
                                                      "max_staff": 6},
                           "vendors.msp.outages": {"time_between_h": "exponential(mean=30)", "repair_h": 2}})


def _numeric_fields(node: Any, loc: tuple = ()) -> list[tuple]:
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _numeric_fields(v, (*loc, k))
    elif isinstance(node, int | float) and not isinstance(node, bool) and loc[0] != "run":
        out.append(loc)
    return out


FIELDS = [".".join(loc) for loc in _numeric_fields(SMALL.to_dict())]
DISTS = ["workload.kinds.incident.effort_h", "vendors.msp.outages.time_between_h", "vendors.msp.outages.repair_h"]
DIST_TEXT = st.builds(lambda name, a, b: f"{name}(mean={a!r}, cv={b!r})", st.sampled_from(["lognormal", "gamma"]),
                      EXTREME, EXTREME) | st.builds(lambda w: f"empirical(values=[1, 2], weights=[{w!r}, 1])", EXTREME)


@settings(max_examples=int(os.environ.get("SIMKIT_FUZZ_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.dictionaries(st.sampled_from(FIELDS), EXTREME, min_size=1, max_size=3),
       dists=st.dictionaries(st.sampled_from(DISTS), DIST_TEXT, max_size=2))
def test_extreme_numbers_are_refused_in_one_line_or_run_to_finite_kpis(changes: dict, dists: dict) -> None:
    changes = {k: (int(v) if isinstance(SMALL_VALUES[k], int) and float(v).is_integer() and abs(v) < 1e18 else v)
               for k, v in changes.items()}
    try:
        sc = SMALL.override({**changes, **dists})
        checks.check_size(sc)
    except sk.ScenarioError as err:
        assert "\n" not in str(err) and err.path and len(str(err)) < 400, str(err)
        event("refused in one line")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sk.simulate(sc, replications=1, seed=3, executor=None, progress=False)
    values = res.kpis.drop(columns="option").to_numpy(dtype=float)
    assert np.isfinite(values).all(), res.kpis.T
    event("ran to finite KPIs")


def _value(path: str) -> Any:
    node: Any = SMALL.to_dict()
    for part in path.split("."):
        node = node[part]
    return node


SMALL_VALUES = {p: _value(p) for p in FIELDS}
