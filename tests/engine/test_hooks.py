"""The quality hook: the defect share it states over time, the draws it decides with, and how a run uses it."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import mmc_dict, scenario_from
from hypothesis import given, settings
from hypothesis import strategies as st

from simkit.engine import compiled, simulate_option
from simkit.engine.hooks import QualityDraws, QualityHook, quality_draws
from simkit.engine.log import COMPLETED
from simkit.experiment.simulate import draw_trace
from simkit.scenario.mechanisms import QualitySpec
from simkit.streams import Streams
from simkit.units import HOURS_PER_MONTH
from simkit.workload.trace import Trace, Uniform

KERNELS = ["process", "fast"] + (["compiled"] if compiled.available() else [])


def _draws(n: int) -> QualityDraws:
    rng = np.random.default_rng(3)
    return QualityDraws(rng.uniform(size=n), rng.uniform(size=n), rng.exponential(5.0, n))


def _spec(**fields: object) -> QualitySpec:
    return QualitySpec.model_validate({"defect_share": 0.4, **fields})


def test_defect_share_halves_its_excess_over_the_floor_every_halving_period() -> None:
    hook = QualityHook(_spec(defect_share_floor=0.1, defect_halving_months=2), _draws(4), [], 1.0, start_h=100.0)
    assert hook.defect_share(50.0) == pytest.approx(0.4)  # before the start: no experience yet
    assert hook.defect_share(100.0) == pytest.approx(0.4)
    assert hook.defect_share(100.0 + 2 * HOURS_PER_MONTH) == pytest.approx(0.1 + 0.3 / 2)
    assert hook.defect_share(100.0 + 6 * HOURS_PER_MONTH) == pytest.approx(0.1 + 0.3 / 8)


def test_degradation_multiplies_the_share_only_inside_an_episode_and_caps_it_at_one() -> None:
    hook = QualityHook(_spec(), _draws(4), [(10.0, 20.0), (50.0, 60.0)], 3.0, start_h=0.0)
    assert [hook.defect_share(t) for t in (5.0, 10.0, 19.9, 20.0, 55.0, 70.0)] == pytest.approx(
        [0.4, 1.0, 1.0, 0.4, 1.0, 0.4])
    mild = QualityHook(_spec(), _draws(4), [(10.0, 20.0)], 1.5, start_h=0.0)
    assert mild.defect_share(15.0) == pytest.approx(0.6)


def test_decisions_read_the_draws_of_the_item_asked_about() -> None:
    draws = QualityDraws(np.array([0.1, 0.5, 0.39]), np.array([0.9, 0.2, 0.7]), np.array([1.0, 2.0, 3.0]))
    hook = QualityHook(_spec(detection_share=0.75), draws, [], 1.0, start_h=0.0)
    assert [hook.defective(i, 0.0) for i in range(3)] == [True, False, True]
    assert [hook.detected(i) for i in range(3)] == [False, True, True]
    assert [hook.detection_delay_h(i) for i in range(3)] == [1.0, 2.0, 3.0]
    assert hook.rework_share == _spec().rework_effort_share


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 0.5), st.floats(0.0, 1.0), st.floats(0.1, 24.0), st.floats(0.0, 5e4), st.floats(0.0, 5e4))
def test_with_experience_the_share_never_rises_and_stays_between_floor_and_start(
        floor: float, start_share: float, halving: float, t1: float, t2: float) -> None:
    spec = _spec(defect_share=max(floor, start_share), defect_share_floor=floor, defect_halving_months=halving)
    hook = QualityHook(spec, _draws(1), [], 1.0, start_h=1000.0)
    early, late = sorted((t1, t2))
    assert floor - 1e-12 <= hook.defect_share(late) <= hook.defect_share(early) <= spec.defect_share + 1e-12


def test_starting_later_keeps_the_draws_and_moves_only_the_experience() -> None:
    hook = QualityHook(_spec(defect_halving_months=1), _draws(5), [(0.0, 1.0)], 2.0, start_h=0.0)
    later = hook.starting_at(3 * HOURS_PER_MONTH)
    assert later.draws is hook.draws and later.degraded is hook.degraded
    assert later.defect_share(3 * HOURS_PER_MONTH) == pytest.approx(0.4)  # no experience at its start
    assert later.defect_share(4 * HOURS_PER_MONTH) == pytest.approx(hook.defect_share(HOURS_PER_MONTH))
    assert later.packed()[3] == 3 * HOURS_PER_MONTH


def test_the_option_items_are_judged_by_the_trace_columns_and_the_rest_by_the_stream() -> None:
    rng = np.random.default_rng(0)
    u = rng.uniform(size=(6, 4))
    trace = Trace(np.arange(6.0), np.zeros(6, np.int16), np.ones(6), u, np.full(6, np.inf), ("a",), (1,), (8.0,))
    draws = quality_draws(_spec(), trace, np.random.default_rng(9), total=10)
    assert np.array_equal(draws.u_defect[:6], u[:, Uniform.DEFECT])
    assert np.array_equal(draws.u_detect[:6], u[:, Uniform.DETECT])
    again = quality_draws(_spec(), trace, np.random.default_rng(9), total=10)
    assert all(np.array_equal(a, b) for a, b in zip(draws, again, strict=True))
    assert draws.u_defect.size == draws.u_detect.size == draws.delay_h.size == 10


@pytest.mark.parametrize("kernel", KERNELS)
def test_a_run_reworks_exactly_the_defective_detected_items_and_lets_the_rest_escape(kernel: str) -> None:
    """Constant shares: an item's fate is fixed by its own two uniforms, on every kernel."""
    data = mmc_dict(4, 2.0, service_mean_h=1.0, horizon_days=20, warmup_days=0)
    data["teams"]["team"]["quality"] = {"defect_share": 0.3, "detection_share": 0.6,
                                        "detection_delay_h": "exponential(mean=2)"}
    sc = scenario_from(data)
    streams = Streams(5, 0)
    trace = draw_trace(sc, streams)
    log = simulate_option(sc, "in_house", trace, streams, kernel=kernel)
    done = log.status == COMPLETED
    assert done.sum() > 500
    defect = trace.u[:, Uniform.DEFECT] < 0.3
    caught = trace.u[:, Uniform.DETECT] < 0.6
    assert np.array_equal(log.reworks[done] == 1, (defect & caught)[done])
    assert np.array_equal(log.escaped[done], (defect & ~caught)[done])
