"""The result charts: the cost-at-risk chart's markers are the risk measures, and the cost box plot is horizontal."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest
from matplotlib import MatplotlibDeprecationWarning
from matplotlib.figure import Figure

import simkit as sk
from simkit import plots

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def res(small_helpdesk: sk.Scenario) -> sk.Results:
    return sk.simulate(small_helpdesk, replications=6, seed=5, progress=False)


def _markers(ax: object, marker: str, n_options: int) -> dict[int, float]:
    """x of the points drawn with ``marker``, by option index (the first option is the top row)."""
    found = {}
    for line in ax.lines:
        if line.get_marker() == marker and len(line.get_xdata()) == 1:
            found[n_options - 1 - round(float(line.get_ydata()[0]))] = float(line.get_xdata()[0])
    return found


def test_cost_at_risk_marks_the_quantiles_and_the_cvar(res: sk.Results) -> None:
    fig = Figure()
    ax = fig.subplots()
    assert plots.cost_at_risk(res, ax=ax) is fig
    costs = {o: res.kpis.loc[res.kpis["option"] == o, res.cost_column].to_numpy() for o in res.options}
    n = len(res.options)
    median, p90, p95, cvar = (_markers(ax, m, n) for m in ("o", "s", "^", "D"))
    for i, o in enumerate(res.options):
        x = costs[o]
        assert median[i] == pytest.approx(np.quantile(x, 0.5, method="inverted_cdf"))
        assert p90[i] == pytest.approx(np.quantile(x, 0.9, method="inverted_cdf"))
        assert p95[i] == pytest.approx(res.risk(0.95).loc[o, f"{res.cost_column}_var95"])
        # six runs: the worst 5% is the single worst run, so VaR and CVaR are both its cost
        assert cvar[i] == pytest.approx(x.max()) and p95[i] == pytest.approx(x.max())
        assert median[i] <= p90[i] <= p95[i] <= cvar[i]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [res.scenario.options[o].label for o in reversed(res.options)]
    assert "6 replications" in ax.get_title() and "worst run" in ax.get_title()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:4] == ["median (P50)", "P90", "P95 = VaR 95%", "CVaR 95%: mean of the worst 5%"]
    baseline = res.kpis.loc[res.kpis["option"] == res.scenario.baseline_option, res.cost_column].mean()
    dotted = [line for line in ax.lines if line.get_linestyle() == ":"]
    assert len(dotted) == 1 and dotted[0].get_xdata()[0] == pytest.approx(baseline)


def test_cost_at_risk_levels_and_a_long_tail(small_helpdesk: sk.Scenario) -> None:
    res = sk.simulate(small_helpdesk.override({"run.horizon_days": 21}), replications=40, seed=2,
                      options=["vendor", "in_house"], progress=False)
    fig = plots.cost_at_risk(res, levels=(0.8, 0.5, 0.9))
    ax = fig.axes[0]
    assert "worst run" not in ax.get_title()  # 40 runs x 10% = 4 in the tail
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:4] == ["median (P50)", "P80", "P90 = VaR 90%", "CVaR 90%: mean of the worst 10%"]
    cvar = _markers(ax, "D", 2)
    want = res.risk(0.9)[f"{res.cost_column}_cvar90"]
    assert cvar == pytest.approx({i: want[o] for i, o in enumerate(res.options)})
    x = res.kpis.loc[res.kpis["option"] == "vendor", res.cost_column].to_numpy()
    worst = np.sort(x)[-4:].mean()  # 40 x 10%: CVaR is the mean of the four worst runs
    assert cvar[res.options.index("vendor")] == pytest.approx(worst)


def test_cost_distribution_is_horizontal_without_deprecated_arguments(res: sk.Results) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", MatplotlibDeprecationWarning)
        fig = plots.cost_distribution(res)
    ax = fig.axes[0]
    segments = [line for line in ax.lines if len(line.get_xdata()) == 2]
    spread = 0.0
    for i, o in enumerate(res.options):  # option i is the box at y = i + 1, along the x axis
        mine = [line for line in segments if np.mean(line.get_ydata()) == pytest.approx(i + 1)]
        whiskers = [line for line in mine if line.get_ydata()[0] == line.get_ydata()[1]]
        across = [line.get_xdata()[0] for line in mine if line.get_xdata()[0] == line.get_xdata()[1]]
        assert len(whiskers) == 2  # horizontal whiskers...
        median = np.median(res.kpis.loc[res.kpis["option"] == o, res.cost_column])
        assert any(x == pytest.approx(median) for x in across)  # ...and a vertical median line
        spread += sum(abs(np.diff(w.get_xdata())[0]) for w in whiskers)
    assert spread > 0  # the whiskers run along the cost axis
    assert [t.get_text() for t in ax.get_yticklabels()] == [res.scenario.options[o].label for o in res.options]
