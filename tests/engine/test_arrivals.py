"""Arrivals: the chain that feeds them to the loop, clarification rounds, other clients' priority, and the
trace columns a run reads for per-item decisions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import mmc_dict, scenario_from
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from simkit.engine import compiled, simulate_option
from simkit.engine.arrivals import BACKGROUND_PRIORITY, _geometric_rounds, in_order
from simkit.engine.loop import Environment, FastEnvironment
from simkit.experiment.simulate import draw_trace
from simkit.scenario.schema import KindSpec
from simkit.streams import Streams
from simkit.workload.trace import Uniform

KERNELS = ["process", "fast"] + (["compiled"] if compiled.available() else [])


@pytest.mark.parametrize("env_class", [Environment, FastEnvironment])
def test_in_order_calls_each_item_at_its_time_and_ties_in_index_order(env_class: type) -> None:
    env = env_class()
    seen: list[tuple[float, int]] = []
    in_order(env, np.array([0.0, 1.0, 1.0, 2.5, 7.0]), lambda i: seen.append((env.now, i)))
    env.run(until=5.0)
    assert seen == [(0.0, 0), (1.0, 1), (1.0, 2), (2.5, 3)]  # 7.0 is past the end


@settings(max_examples=300, deadline=None)
@given(st.floats(1e-12, 1.0, exclude_max=True), st.floats(0.0, 1.0), st.integers(0, 12))
def test_rounds_are_geometric_from_one_uniform(u: float, p: float, cap: int) -> None:
    """Rounds >= k exactly when u <= p**k (so P(rounds >= k) = p**k), capped; all or none at the edges."""
    if 0.0 < p < 1.0:
        ratio = math.log(u) / math.log(p)
        assume(abs(ratio - round(ratio)) > 1e-9)  # not on a boundary, where rounding decides
    want = cap if p >= 1.0 else 0 if p <= 0.0 else min(cap, sum(1 for k in range(1, cap + 1) if u <= p ** k))
    got = _geometric_rounds(np.array([u]), np.array([p]), np.array([cap]))
    assert got.dtype == np.int64 and int(got[0]) == want


def test_other_clients_rank_below_above_or_with_the_default_kind() -> None:
    bounds = KindSpec.model_fields["priority"].metadata
    lowest = max(m.ge for m in bounds if hasattr(m, "ge"))
    highest = min(m.le for m in bounds if hasattr(m, "le"))
    assert BACKGROUND_PRIORITY["higher"] > highest  # lower numbers are served first
    assert BACKGROUND_PRIORITY["lower"] < lowest
    assert BACKGROUND_PRIORITY["equal"] == KindSpec.model_fields["priority"].default


@pytest.mark.parametrize("kernel", KERNELS)
def test_items_that_ask_are_those_whose_clarify_uniform_is_below_the_share(kernel: str) -> None:
    data = mmc_dict(3, 1.5, horizon_days=20, warmup_days=0)
    data["workload"]["kinds"]["job"]["clarify_share"] = 0.25
    sc = scenario_from(data)
    streams = Streams(2, 0)
    trace = draw_trace(sc, streams)
    log = simulate_option(sc, "in_house", trace, streams, kernel=kernel)
    taken = ~np.isnan(log.start_h)  # the first question goes out when a server first takes the item
    assert taken.sum() > 400
    assert np.array_equal((log.clarify_rounds > 0)[taken], (trace.u[:, Uniform.CLARIFY] < 0.25)[taken])


@pytest.mark.parametrize("kernel", KERNELS)
def test_the_backup_gets_exactly_the_items_whose_split_uniform_is_below_its_share(kernel: str) -> None:
    data = mmc_dict(1, 1.0, horizon_days=15, warmup_days=0,
                    dual={"vendor": "acme", "backup": "beta", "backup_share": 0.35})
    data["vendors"] = {"acme": {"agents": 3, "price_per_item": 10}, "beta": {"agents": 3, "price_per_item": 12}}
    sc = scenario_from(data)
    streams = Streams(4, 0)
    trace = draw_trace(sc, streams)
    log = simulate_option(sc, "dual", trace, streams, kernel=kernel)
    assert log.pool_names == ("acme", "beta")
    assert len(trace) > 200
    assert np.array_equal(log.pool == 1, trace.u[:, Uniform.BACKUP_SPLIT] < 0.35)
