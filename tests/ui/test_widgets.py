"""The dashboard's controller without a browser, and the closed-form preview it shows first."""

from __future__ import annotations

import html
import math
import subprocess
import sys
from pathlib import Path
from typing import get_args

import ipywidgets as W
import pandas as pd
import pytest
from conftest import ROOT, mmc_dict, scenario_from
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markup import HOSTILE_TEXT, PAYLOADS, live_markup

import simkit as sk
from simkit import analytic, plots
from simkit.accounting.registry import dashboard_columns
from simkit.analysis.verdict import verdict
from simkit.scenario.mechanisms import OutageSpec
from simkit.scenario.preview import expected_arrivals, mmck, preview
from simkit.ui.controls import control_for, default_controls
from simkit.ui.dashboard_views import kpi_frame
from simkit.ui.widgets import CAP, CHARTS, PRECISION, REPLICATIONS, Dashboard, explore

STAFF = "teams.engineers.staff"
PRICE = "vendors.msp.price_per_item"
TOTAL, P90 = "Total cost (USD)", "Lead time, 90th percentile (h)"


@pytest.fixture()
def dash(small_helpdesk: sk.Scenario) -> Dashboard:
    return explore(small_helpdesk, replications=3, seed=7)


def test_default_controls_cover_the_scenario(helpdesk: sk.Scenario) -> None:
    levers = {lv.path: lv for lv in default_controls(helpdesk)}
    assert set(levers) == {
        "workload.rate_per_hour", "teams.engineers.staff", "teams.engineers.loaded_cost_per_hour",
        "teams.engineer.staff", "teams.engineer.loaded_cost_per_hour", "vendors.msp.agents", PRICE,
        "options.hybrid.overflow_queue", "workload.growth_annual", "workload.kinds.incident.sla_h",
        "workload.kinds.request.sla_h", "workload.kinds.project.sla_h", "vendors.msp.governance_share",
        "vendors.msp.transition_cost", "run.horizon_days"}
    assert "SLA target (h, 0.5–" in levers["workload.kinds.incident.sla_h"].label  # > 0 in the schema
    assert levers["workload.growth_annual"].low < 0 < levers["workload.growth_annual"].high
    assert levers["vendors.msp.governance_share"].high == 1.0
    horizon = levers["run.horizon_days"]
    assert horizon.step == 1.0 and horizon.low <= helpdesk.run.horizon_days <= horizon.high
    assert "(items/h, 0–2.55)" in levers["workload.rate_per_hour"].label
    assert "USD/item" in levers[PRICE].label
    assert "USD/h" in levers["teams.engineers.loaded_cost_per_hour"].label
    assert levers[STAFF].integer and not levers[PRICE].integer
    assert levers[STAFF].low == 0 and levers[STAFF].high >= 4
    offshore = sk.load(ROOT / "scenarios" / "offshore_software_dev.yaml")
    paths = {lv.path for lv in default_controls(offshore)}
    assert "vendors.offshore.price_per_fte_month" in paths and "vendors.offshore.price_per_item" not in paths


def test_sliders_update_on_release_and_span_their_value(dash: Dashboard) -> None:
    for path, control in dash.controls.items():
        assert control.continuous_update is False, path
        assert control.min <= control.value <= control.max, path
    assert dash.controls[REPLICATIONS].value == 3


def test_moving_a_lever_overrides_the_scenario_and_changes_the_table(dash: Dashboard,
                                                                     small_helpdesk: sk.Scenario) -> None:
    table0, preview0, charts0 = dash.table.copy(), dash.preview_html.value, dict(dash.chart_png)
    label = small_helpdesk.options["in_house"].label
    dash.controls[STAFF].value = 3
    assert dash.changes() == {STAFF: 3}
    assert dash.scenario.teams["engineers"].staff == 3
    assert small_helpdesk.teams["engineers"].staff == 2  # the original is untouched
    assert dash.table.loc[TOTAL, label] != table0.loc[TOTAL, label]
    assert dash.preview_html.value != preview0
    assert all(dash.chart_png[k] != charts0[k] for k in charts0)
    # the table is the public API's numbers, not the dashboard's own
    direct = sk.simulate(small_helpdesk.override({STAFF: 3}), replications=3, seed=7)
    pd.testing.assert_frame_equal(dash.table, kpi_frame(direct, dashboard_columns()))
    s = direct.summary().set_index(["option", "kpi"]).loc[("in_house", "cost_total_usd")]
    assert dash.table.loc[TOTAL, label].startswith(f"{s['mean']:,.0f}")
    # only the option with that team was simulated again; the others came from the last runs' logs
    assert dash._runs[1].meta["reused_options"] == ["vendor", "hybrid"]
    pd.testing.assert_frame_equal(dash._runs[1].kpis, sk.simulate(small_helpdesk.override({STAFF: 3}),
                                  replications=3, seed=7, progress=False).kpis, check_exact=True)


def test_a_price_lever_reprices_the_same_runs(dash: Dashboard, small_helpdesk: sk.Scenario) -> None:
    dash.controls[PRICE].value = 30.0
    assert "re-priced without re-simulating" in dash.status.value
    direct = sk.simulate(small_helpdesk.override({PRICE: 30.0}), replications=3, seed=7)
    vendor = small_helpdesk.options["vendor"].label
    pd.testing.assert_frame_equal(dash.table, kpi_frame(direct, dashboard_columns()))
    dash.controls[STAFF].value = 3  # an engine lever: simulate again, keeping the new price
    assert "simulated" in dash.status.value and "re-priced" not in dash.status.value
    both = sk.simulate(small_helpdesk.override({PRICE: 30.0, STAFF: 3}), replications=3, seed=7)
    assert dash.table.loc[TOTAL, vendor] == kpi_frame(both, dashboard_columns()).loc[TOTAL, vendor]


def test_the_table_has_cis_and_the_paired_decision(dash: Dashboard) -> None:
    vendor = dash.scenario.options["vendor"].label
    base = dash.scenario.options["in_house"].label
    assert "[" in dash.table.loc[TOTAL, vendor]
    share = dash.table.loc[f"Cheaper than {base} (share of futures)", vendor]
    assert share.endswith(" of 3")
    p = float(share.split("%")[0]) / 100
    assert 0.0 <= p <= 1.0
    cmp = dash.results.compare("vendor", "in_house").loc["cost_total_usd"]
    assert p == pytest.approx(round(cmp.p_better, 2))
    assert dash.table.loc[f"Total cost against {base} (USD)", vendor].startswith(f"{cmp.delta_mean:+,.0f}")
    for png in dash.chart_png.values():
        assert png.startswith(b"\x89PNG")
    assert "image/png" in dash.charts[dash.visible_chart()].outputs[0]["data"]


def test_the_charts_include_the_cost_at_risk(dash: Dashboard) -> None:
    assert list(dash.charts) == ["cost_distribution", "cost_at_risk", "monthly_cost", "lead_times"]
    assert CHARTS["cost_at_risk"] is plots.cost_at_risk
    dash.chart_tabs.selected_index = 1
    before = dash.chart_png["cost_at_risk"]
    dash.controls[PRICE].value = 50.0  # re-priced: the provider's cost, and so its risk, moves
    assert "re-priced" in dash.status.value
    assert dash.chart_png["cost_at_risk"] != before
    assert "image/png" in dash.charts["cost_at_risk"].outputs[0]["data"]


def test_replications_lever_changes_the_run_not_the_scenario(dash: Dashboard) -> None:
    dash.controls[REPLICATIONS].value = 4
    assert dash.results.meta["replications"] == 4
    assert dash.changes() == {}


def test_reset_restores_every_lever_and_the_numbers(dash: Dashboard, small_helpdesk: sk.Scenario) -> None:
    table0 = dash.table.copy()
    dash.controls[STAFF].value = 4
    dash.controls[PRICE].value = 20.0
    assert dash.changes() == {STAFF: 4, PRICE: 20.0}
    dash.reset_button.click()
    assert dash.changes() == {}
    assert dash.scenario == small_helpdesk
    assert dash.table.equals(table0)


def test_save_writes_yaml_that_loads_back_equal(dash: Dashboard, tmp_path) -> None:  # noqa: ANN001
    dash.controls[PRICE].value = 27.5
    target = tmp_path / "sub" / "edited.yaml"
    assert dash.save(target) == target
    assert sk.load(target) == dash.scenario
    assert sk.load(target).vendors["msp"].price_per_item == 27.5
    assert [p.name for p in target.parent.iterdir()] == ["edited.yaml"]  # no temp file left


def test_a_failed_save_leaves_the_old_file_whole(dash: Dashboard, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    target = tmp_path / "kept.yaml"
    target.write_text("old content\n")

    def boom(self) -> str:  # noqa: ANN001
        raise OSError("disk full")

    monkeypatch.setattr(sk.Scenario, "to_yaml", boom)
    with pytest.raises(OSError, match="disk full"):
        dash.save(target)
    assert target.read_text() == "old content\n"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.yaml"]


def test_an_invalid_combination_shows_one_sentence_and_keeps_the_last_result(
        small_helpdesk: sk.Scenario) -> None:
    dash = Dashboard(small_helpdesk, levers=["run.warmup_days", STAFF], replications=2, seed=1)
    before = dash.results
    dash.controls["run.warmup_days"].value = 60.0
    assert dash.error is not None and "warmup_days must be < horizon_days" in dash.error
    assert "Not a valid scenario" in dash.status.value
    assert dash.results is before


def test_sweep_levers_and_levers_files_become_sliders(small_helpdesk: sk.Scenario, tmp_path) -> None:  # noqa: ANN001
    from simkit.experiment.design import Lever

    dash = explore(small_helpdesk, levers=[Lever("vendors.msp.price_per_item", 20, 50), STAFF], run=False)
    price = dash.controls[PRICE]
    assert (price.min, price.max, price.value) == (20, 50, 35)
    assert "(USD/item, 20–50)" in price.description
    assert dash.controls[STAFF].max == 6 and isinstance(dash.controls[STAFF].value, int)
    levers = tmp_path / "levers.yaml"
    levers.write_text("levers:\n  staff: {path: teams.engineers.staff, low: 1, high: 5}\n"
                      "uncertainties:\n  volume: {path: workload.rate_per_hour, low: 0.5, high: 1.5}\n")
    dash = explore(small_helpdesk, levers=levers, run=False)
    assert set(dash.controls) == {STAFF, "workload.rate_per_hour", PRECISION, CAP}
    assert (dash.controls[STAFF].min, dash.controls[STAFF].max) == (1, 5)
    rate = dash.controls["workload.rate_per_hour"]
    assert (rate.min, rate.max) == (0.5, 1.5)


def test_levers_must_name_numbers(helpdesk: sk.Scenario) -> None:
    with pytest.raises(sk.ScenarioError, match="teams.nobody.staff"):
        control_for(helpdesk, "teams.nobody.staff")
    with pytest.raises(sk.ScenarioError, match="needs a number"):
        control_for(helpdesk, "options.in_house.team")


def test_the_chart_images_carry_alt_text(dash: Dashboard) -> None:
    dash.draw_all_charts()
    for name, out in dash.charts.items():
        alt = dash.chart_alt[name]
        assert len(alt) > 60 and alt.endswith("."), name
        data = out.outputs[0]["data"]
        assert f'alt="{html.escape(alt, quote=True)}"' in data["text/html"]
        assert data["text/html"].startswith('<img src="data:image/png;base64,') and data["text/plain"] == alt
        png = dash.chart_png[name]
        assert png[png.index(b"pHYs") + 4:][:4] >= (5905).to_bytes(4, "big")  # at least 150 dots per inch


def test_explore_accepts_a_path_and_can_wait_for_the_first_move() -> None:
    dash = explore(ROOT / "scenarios" / "startup_it_helpdesk.yaml", run=False)
    assert dash.results is None and "Instant" not in dash.status.value
    assert "static cost" in dash.preview_html.value
    assert "image/" not in repr(dash.charts["cost_distribution"].outputs)


def test_import_simkit_stays_light() -> None:
    code = ("import sys, simkit; "
            "print('ipywidgets' in sys.modules, 'papermill' in sys.modules, callable(simkit.explore))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True"]


# ------------------------------------------------------------------ the preview's closed forms
def test_mmck_limits() -> None:
    # K = c is Erlang's loss system; a large K is the M/M/c queue
    assert mmck(3, 3, 2.0, 1.0)[0] == pytest.approx(analytic.erlang_b(3, 2.0))
    full, p_wait, wait = mmck(3, 400, 2.0, 1.0)
    assert full < 1e-12
    assert p_wait == pytest.approx(analytic.erlang_c(3, 2.0))
    assert wait == pytest.approx(analytic.mmc_wait_mean_h(3, 2.0, 1.0))


def test_preview_of_an_mmc_scenario_is_erlang_c() -> None:
    sc = scenario_from(mmc_dict(4, 3.0, 1.0, horizon_days=20, warmup_days=0))
    pv = preview(sc)
    row = pv.pools.iloc[0]
    assert row.arrivals_items == pytest.approx(3.0 * 20 * 24)
    assert row.utilisation_share == pytest.approx(0.75)
    assert row.p_wait_share == pytest.approx(analytic.erlang_c(4, 3.0))
    assert row.wait_mean_h == pytest.approx(analytic.mmc_wait_mean_h(4, 3.0, 1.0))
    assert pv.costs.loc["in_house", "labour"] == pytest.approx(4 * 10.0 * 20 * 24)
    overloaded = preview(sc.override({"teams.team.staff": 3}))
    assert math.isinf(overloaded.pools.iloc[0].wait_mean_h)


def test_preview_matches_the_simulation_where_it_should(small_helpdesk: sk.Scenario) -> None:
    pv = preview(small_helpdesk)
    res = sk.simulate(small_helpdesk, replications=10, seed=3)
    s = res.summary().set_index(["option", "kpi"])
    # a fixed team's cost does not depend on the workload: the static cost is exact
    assert pv.costs.loc["in_house", "total"] == pytest.approx(s.loc[("in_house", "cost_total_usd"), "mean"])
    # the expected volume lies inside the simulated volume's CI
    arrived = s.loc[("in_house", "items_arrived")]
    assert arrived.ci_low <= expected_arrivals(small_helpdesk) <= arrived.ci_high
    # a per-item vendor's static cost is within 5% (items still open at the horizon are not billed)
    simulated = s.loc[("vendor", "cost_total_usd"), "mean"]
    assert pv.costs.loc["vendor", "total"] == pytest.approx(simulated, rel=0.05)


# ------------------------------------------------------------------ dropdowns and toggles
OUTAGES = "vendors.alpha.outages"
POLICY = "vendors.alpha.outages.policy"


@pytest.fixture(scope="module")
def short_dual() -> sk.Scenario:
    """Dual sourcing against vendor failure over 90 days: alpha's outages (about one in 61 days) matter."""
    return sk.load(ROOT / "scenarios" / "dual_sourcing_vendor_failure.yaml").override({"run.horizon_days": 90})


@pytest.fixture()
def dual_dash(short_dual: sk.Scenario) -> Dashboard:
    return explore(short_dual, replications=2, seed=11)


def test_choices_and_sections_get_dropdowns_and_toggles(dual_dash: Dashboard) -> None:
    import ipywidgets as W

    policy, outages = dual_dash.controls[POLICY], dual_dash.controls[OUTAGES]
    assert isinstance(policy, W.Dropdown) and isinstance(outages, W.ToggleButtons)
    assert policy.options == get_args(OutageSpec.model_fields["policy"].annotation)
    assert policy.value == "reroute" and outages.value is True
    assert policy.description == dual_dash.levers[POLICY].label == "alpha: outage policy (wait / reroute)"
    assert outages.description == "alpha: outages (on/off)"
    slider = dual_dash.controls["vendors.alpha.agents"]
    assert policy.style.description_width == outages.style.description_width == slider.style.description_width
    panel = dual_dash._lever_box.children  # the left column: headings and controls
    headings = [w.value for w in panel if isinstance(w, W.HTML)]
    assert headings == ["<h3>Workload</h3>", "<h3>In-house teams</h3>", "<h3>Vendors</h3>", "<h3>Horizon</h3>",
                        "<h3>Risks and scaling</h3>", "<h3>Simulation</h3>"]
    assert panel[panel.index(outages) - 1].value == "<h3>Risks and scaling</h3>"


def test_switching_a_section_off_changes_the_scenario_and_the_numbers(dual_dash: Dashboard,
                                                                      short_dual: sk.Scenario,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    label = short_dual.options["single"].label
    before = dual_dash.table.loc[[TOTAL, P90], label].copy()
    refreshes = []
    original = Dashboard.refresh
    monkeypatch.setattr(Dashboard, "refresh", lambda self, *a, **k: (refreshes.append(1), original(self, *a, **k)))
    dual_dash.controls[OUTAGES].value = False
    assert len(refreshes) == 1  # one change, one refresh
    assert dual_dash.changes() == {OUTAGES: None}
    assert dual_dash.scenario.vendors["alpha"].outages is None
    assert short_dual.vendors["alpha"].outages is not None  # the original is untouched
    after = dual_dash.table.loc[[TOTAL, P90], label]
    assert (after != before).all()
    direct = sk.simulate(short_dual.override({OUTAGES: None}), replications=2, seed=11)
    assert dual_dash.table.loc[TOTAL, label] == kpi_frame(direct, dashboard_columns()).loc[TOTAL, label]
    assert dual_dash._runs[1].meta["reused_options"] == ["in_house"]  # the team's option is untouched
    # the policy inside a section that is off is greyed out and not a change
    assert dual_dash.controls[POLICY].disabled
    dual_dash.controls[POLICY].value = "wait"
    assert dual_dash.changes() == {OUTAGES: None} and dual_dash.error is None
    dual_dash.controls[OUTAGES].value = True
    assert not dual_dash.controls[POLICY].disabled
    assert dual_dash.changes() == {POLICY: "wait"}
    assert dual_dash.scenario.vendors["alpha"].outages.policy == "wait"


def test_reset_and_save_cover_dropdowns_and_toggles(dual_dash: Dashboard, short_dual: sk.Scenario,
                                                    tmp_path) -> None:  # noqa: ANN001
    table0 = dual_dash.table.copy()
    dual_dash.controls["vendors.beta.outages.policy"].value = "wait"
    dual_dash.controls[OUTAGES].value = False
    assert dual_dash.changes() == {"vendors.beta.outages.policy": "wait", OUTAGES: None}
    target = tmp_path / "edited.yaml"
    dual_dash.save(target)
    loaded = sk.load(target)
    assert loaded == dual_dash.scenario
    assert loaded.vendors["alpha"].outages is None and loaded.vendors["beta"].outages.policy == "wait"
    dual_dash.reset_button.click()
    assert dual_dash.changes() == {}
    assert dual_dash.controls[OUTAGES].value is True and dual_dash.controls[POLICY].value == "reroute"
    assert dual_dash.scenario == short_dual
    assert dual_dash.table.equals(table0)


def test_an_invalid_choice_shows_one_sentence_and_keeps_the_last_result(small_helpdesk: sk.Scenario) -> None:
    dash = Dashboard(small_helpdesk, levers=["options.hybrid.routing", "vendors.msp.pricing", STAFF],
                     replications=2, seed=1)
    assert dash.controls["options.hybrid.routing"].options == ("overflow", "by_kind", "time_of_day")
    before, table = dash.results, dash.table
    dash.controls["options.hybrid.routing"].value = "by_kind"
    assert dash.error == "options.hybrid: routing by_kind needs vendor_kinds: the item kinds sent to the vendor"
    assert "Not a valid scenario" in dash.status.value
    assert dash.results is before and dash.table is table
    dash.controls["options.hybrid.routing"].value = "overflow"
    dash.controls["vendors.msp.pricing"].value = "per_fte_month"  # the per-item price is then not used
    assert "price_per_item is not used by pricing 'per_fte_month'" in dash.error
    assert dash.results is before


# ---------------------------------------------------------------- scenario text is data, never markup
def _rendered(widget: W.Widget) -> tuple[list[str], list[W.Widget]]:
    """The HTML of every HTML widget under ``widget``, and every widget whose description allows HTML."""
    pages, html_labels = [], []
    stack = [widget]
    while stack:
        w = stack.pop()
        if isinstance(w, W.HTML | W.HTMLMath):
            pages.append(w.value)
        if getattr(w, "description_allow_html", False):
            html_labels.append(w)
        stack.extend(getattr(w, "children", ()))
    return pages, html_labels


def _hostile(sc: sk.Scenario, name: str, description: str, label: str) -> sk.Scenario:
    return sc.override({"name": name, "description": description,
                        **{f"options.{o}.label": f"{label} {i}" for i, o in enumerate(sc.option_names)}})


def test_a_hostile_scenario_is_text_in_the_dashboard(small_helpdesk: sk.Scenario) -> None:
    sc = _hostile(small_helpdesk, "x " + PAYLOADS[0], "\n".join(PAYLOADS), PAYLOADS[1])
    dash = explore(sc, replications=2, seed=1)
    pages, html_labels = _rendered(dash.widget)
    assert html_labels == []
    assert dash.kpi_html.value in pages and "<table" in dash.kpi_html.value
    for page in pages:
        assert live_markup(page) == [], page[:300]
    shown = html.unescape("".join(pages))
    assert sc.name in shown and sc.description.strip() in shown and f"{PAYLOADS[1]} 0" in shown


@settings(max_examples=20, deadline=None)
@given(name=HOSTILE_TEXT.filter(lambda s: s.strip()), description=HOSTILE_TEXT, label=HOSTILE_TEXT)
def test_any_hostile_text_stays_text_in_the_dashboard(small_helpdesk: sk.Scenario, name: str,
                                                      description: str, label: str) -> None:
    try:
        sc = _hostile(small_helpdesk, name[:200], description, label)
    except sk.ScenarioError:
        return  # refused as input: nothing to render
    dash = explore(sc, levers=[STAFF, PRICE], replications=2, run=False)
    dash.status.value = "<i>not simulated</i>"
    pages, html_labels = _rendered(dash.widget)
    assert html_labels == []
    for page in pages:
        assert live_markup(page) == [], page[:300]


# ---------------------------------------------------------------- Save: any text loads back equal
TEXT_WITH_BREAKS = st.lists(st.sampled_from(["a", "é", " ", "\t", "\n", "\r", "\x85", "\u2028", "\u2029", "'",
                                              '"', "#", ": ", "- ", "{", "}", "[", "&", "*", "!", "%", "\\", "@",
                                              "`", "|", ">", "~", "null", "true", "0x1", "\x07", "\ufeff", "😀"]),
                            max_size=12).map("".join) | st.text(max_size=12)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=TEXT_WITH_BREAKS.filter(lambda s: s.strip()), description=TEXT_WITH_BREAKS, label=TEXT_WITH_BREAKS)
def test_save_loads_back_equal_whatever_the_text(small_helpdesk: sk.Scenario, tmp_path: Path, name: str,
                                                 description: str, label: str) -> None:
    try:
        sc = small_helpdesk.override({"name": name, "description": description,
                                      "options.vendor.label": label})
    except sk.ScenarioError:
        return  # text the schema refuses never reaches Save
    assert sk.loads(sc.to_yaml()) == sc
    dash = explore(sc, levers=[PRICE], replications=2, run=False)  # no simulation: Save is under test
    target = dash.save(tmp_path / "saved.yaml")
    back = sk.load(target)
    assert back == dash.scenario and back.name == sc.name and back.description == sc.description
    assert back.options["vendor"].label == sc.options["vendor"].label


@pytest.fixture()
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every replication the engine runs in this process, as ``(scenario name, replication)``.

    Runs compared with the dashboard's use ``executor=None``: the spy is a local function, which a worker
    process (``"auto"`` starts one when a busy machine makes the runs look long) could not be sent."""
    from simkit.experiment import replication

    calls: list[tuple[str, int]] = []
    real = replication.run_replication

    def spy(scenario: sk.Scenario, r: int, *args: object, **kwargs: object) -> object:
        calls.append((scenario.name, r))
        return real(scenario, r, *args, **kwargs)

    monkeypatch.setattr(replication, "run_replication", spy)
    return calls


@pytest.mark.parametrize(("path", "value"), [(PRICE, 41.5), ("teams.engineers.loaded_cost_per_hour", 60.0),
                                             ("vendors.msp.governance_share", 0.12)])
def test_a_cost_only_lever_never_calls_the_engine_and_equals_a_fresh_run(
        small_helpdesk: sk.Scenario, engine_calls: list, path: str, value: float) -> None:
    dash = explore(small_helpdesk, replications=4, seed=11, executor=None)
    assert len(engine_calls) == 4  # the opening run, in this process
    engine_calls.clear()
    dash.controls[path].value = value
    assert engine_calls == [] and "re-priced without re-simulating" in dash.status.value
    fresh = sk.simulate(small_helpdesk.override({path: value}), replications=4, seed=11, progress=False, executor=None)
    pd.testing.assert_frame_equal(dash.results.kpis, fresh.kpis, check_exact=True)
    pd.testing.assert_frame_equal(dash.table, kpi_frame(fresh, dashboard_columns()))
    assert dash.verdict == verdict(fresh, columns=dashboard_columns())


def test_a_structural_lever_simulates_again(small_helpdesk: sk.Scenario, engine_calls: list) -> None:
    dash = explore(small_helpdesk, replications=4, seed=11, executor=None)
    engine_calls.clear()
    dash.controls[STAFF].value = 3
    assert len(engine_calls) == 4 and "simulated" in dash.status.value
    fresh = sk.simulate(small_helpdesk.override({STAFF: 3}), replications=4, seed=11, progress=False, executor=None)
    pd.testing.assert_frame_equal(dash.results.kpis, fresh.kpis, check_exact=True)
    engine_calls.clear()
    dash.controls[STAFF].value = 2  # back to values shown before: the kept answer, no engine, no comparison
    assert engine_calls == [] and "kept from the last time" in dash.status.value
    first = sk.simulate(small_helpdesk, replications=4, seed=11, progress=False, executor=None)
    pd.testing.assert_frame_equal(dash.results.kpis, first.kpis, check_exact=True)
    engine_calls.clear()  # the fresh run just above
    dash.controls[PRICE].value = 44.0  # re-prices the runs behind the kept answer, not the last simulation
    assert engine_calls == [] and "re-priced without re-simulating" in dash.status.value
    fresh = sk.simulate(small_helpdesk.override({PRICE: 44.0}), replications=4, seed=11, progress=False, executor=None)
    pd.testing.assert_frame_equal(dash.results.kpis, fresh.kpis, check_exact=True)


def test_only_the_visible_chart_is_drawn_and_figures_are_kept(dash: Dashboard) -> None:
    assert list(dash.chart_png) == ["cost_distribution"]
    fig = dash._figures["cost_distribution"]
    assert [bool(o.outputs) for o in dash.charts.values()] == [True, False, False, False]
    dash.controls[PRICE].value = 47.0
    assert list(dash.chart_png) == ["cost_distribution"] and dash._figures["cost_distribution"] is fig
    dash.chart_tabs.selected_index = 3  # opening a tab draws its chart for the current run, once
    assert set(dash.chart_png) == {"cost_distribution", "lead_times"} and dash.charts["lead_times"].outputs
    png = dash.chart_png["lead_times"]
    dash.chart_tabs.selected_index = 0
    dash.chart_tabs.selected_index = 3
    assert dash.chart_png["lead_times"] is png
    dash.controls[PRICE].value = 30.0  # new numbers: the other tabs' charts are dropped, not left stale
    assert list(dash.chart_png) == ["lead_times"] and not dash.charts["cost_distribution"].outputs
    dash.draw_all_charts()
    assert set(dash.chart_png) == set(CHARTS) and all(o.outputs for o in dash.charts.values())


def test_a_structural_lever_waits_for_the_levers_to_rest_inside_a_kernel(small_helpdesk: sk.Scenario,
                                                                          engine_calls: list) -> None:
    import asyncio

    dash = explore(small_helpdesk, replications=3, seed=11, executor=None)
    engine_calls.clear()
    preview0 = dash.preview_html.value

    async def drag() -> None:
        dash.debounce_s = 0.05
        for staff in (3, 4, 5):  # one drag over three values: one run, at the last value
            dash.controls[STAFF].value = staff
            assert dash.preview_html.value != preview0 and engine_calls == []
        await asyncio.sleep(0.5)

    asyncio.run(drag())
    assert len(engine_calls) == 3 and dash.scenario.teams["engineers"].staff == 5
    assert dash.results.scenario.teams["engineers"].staff == 5
