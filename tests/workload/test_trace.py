"""The trace's per-item uniforms: one named column per decision."""

from __future__ import annotations

import numpy as np

from simkit.scenario.schema import WorkloadSpec
from simkit.workload.trace import Uniform, generate


def test_every_uniform_column_has_a_name_and_every_name_a_column() -> None:
    spec = WorkloadSpec.model_validate({"rate_per_hour": 2.0,
                                        "kinds": {"t": {"share": 1, "effort_h": "exponential(mean=1)"}}})
    trace = generate(spec, 500.0, np.random.default_rng(1))
    assert trace.u.shape == (len(trace), len(Uniform)) and len(trace) > 500
    assert sorted(int(c) for c in Uniform) == list(range(trace.u.shape[1]))
    assert {c.name for c in Uniform} == {"CLARIFY", "DEFECT", "DETECT", "BACKUP_SPLIT"}
    for c in Uniform:  # each column its own draws, uniform on [0, 1)
        col = trace.u[:, c]
        assert 0.0 <= col.min() and col.max() < 1.0 and abs(col.mean() - 0.5) < 0.05
    assert not np.array_equal(trace.u[:, Uniform.DEFECT], trace.u[:, Uniform.DETECT])
