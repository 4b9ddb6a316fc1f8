"""The dashboard as a strategist uses it, without a browser: pick and upload scenarios, read the verdict,
pin variants, download files, replicate by the precision rule on one kept executor, run a tornado."""

from __future__ import annotations

import base64
import csv
import html
import io
import re
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from markup import PAYLOADS, live_markup

import simkit as sk
from simkit.accounting.registry import dashboard_columns, non_negative
from simkit.analysis.verdict import verdict
from simkit.ui import dashboard_runs, widgets
from simkit.ui.dashboard_views import CSV_COLUMNS, kpi_rows
from simkit.ui.pinboard import MAX_PINS
from simkit.ui.widgets import CAP, PRECISION, Dashboard, explore

STAFF = "teams.engineers.staff"
PRICE = "vendors.msp.price_per_item"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture()
def dash(small_helpdesk: sk.Scenario) -> Dashboard:
    return explore(small_helpdesk, levers=[STAFF, PRICE], replications=3, seed=7, executor=None, folder=None)


def _links(page: str) -> dict[str, bytes]:
    """``{download file name: bytes}`` of every data-URI download anchor in ``page``."""
    found = re.findall(r'<a class="simkit-download" download="([^"]+)" href="data:([^;]+);base64,([^"]+)"', page)
    return {html.unescape(name): base64.b64decode(data) for name, _mime, data in found}


# ---------------------------------------------------------------- picking and uploading
def test_the_picker_lists_the_examples_and_the_folders_yaml_files(small_helpdesk: sk.Scenario,
                                                                   tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(small_helpdesk.to_yaml())
    (tmp_path / "notes.txt").write_text("not a scenario")
    d = explore(small_helpdesk, levers=[STAFF], replications=2, folder=tmp_path, executor=None, run=False)
    values = [v for _, v in d.picker.options]
    assert values[0] == ("current", small_helpdesk.name) and d.picker.value == values[0]
    assert ("example", "marketing_content_agency") in values and ("file", str(tmp_path / "mine.yaml")) in values
    assert not any(v[1].endswith("notes.txt") for v in values)
    assert len(values) == 1 + len(sk.examples()) + 1


def test_picking_another_archetype_changes_title_levers_and_numbers(dash: Dashboard) -> None:
    table0 = dash.table.copy()
    dash.picker.value = ("example", "marketing_content_agency")
    agency = sk.load("marketing_content_agency")
    assert dash.base == agency and dash.scenario == agency and dash.error is None
    assert html.escape(agency.name) in dash.head.value
    assert STAFF not in dash.controls and any(p.startswith("vendors.") for p in dash.controls)
    assert list(dash.table.columns) == [o.label or n for n, o in agency.options.items()]
    assert not dash.table.equals(table0)
    assert dash.results.scenario == agency and dash.picker.value == ("current", agency.name)
    dash.reset_button.click()  # reset goes back to the picked scenario, not the first one
    assert dash.scenario == agency


def test_a_broken_file_in_the_picker_is_one_line_and_keeps_the_scenario(small_helpdesk: sk.Scenario,
                                                                        tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("name: x\nworkload: {rate_per_hour: -1}\n")
    d = explore(small_helpdesk, levers=[STAFF], replications=2, folder=tmp_path, executor=None)
    before = d.results
    d.picker.value = ("file", str(tmp_path / "broken.yaml"))
    assert d.base == small_helpdesk and d.results is before
    assert "broken.yaml" in d.error and "\n" not in d.error
    assert d.picker.value[0] == "current"


def test_uploading_a_valid_file_opens_it(dash: Dashboard, small_helpdesk: sk.Scenario) -> None:
    other = small_helpdesk.override({"name": "Uploaded <b>desk</b>", PRICE: 50.0})
    dash.upload.value = ({"name": "up.yaml", "type": "", "size": 1, "last_modified": NOW,
                          "content": memoryview(other.to_yaml().encode("utf-8"))},)
    assert dash.base == other and dash.error is None
    assert "Uploaded &lt;b&gt;desk&lt;/b&gt;" in dash.head.value
    assert dash.upload.value == ()  # ready for the next file, even the same one


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("bad.yaml", b"name: x\nworkload: {rate_per_hour: -1}\n", "bad.yaml"),
    ("bad.yaml", b"\xff\xfe\x00 not text", "bad.yaml"),
    ("notes.txt", b"name: x\n", "not a .yaml or .yml file"),
    ("big.yaml", b"#" * 1_000_001, "at most 1,000,000"),
])
def test_uploading_an_invalid_file_shows_one_line_and_keeps_the_scenario(dash: Dashboard, name: str,
                                                                         content: bytes, expected: str) -> None:
    base, results = dash.base, dash.results
    dash.upload.value = ({"name": name, "type": "", "size": len(content), "last_modified": NOW,
                          "content": memoryview(content)},)
    assert dash.base is base and dash.results is results
    assert expected in dash.error and "\n" not in dash.error
    assert "Not loaded, the current scenario stays" in dash.status.value


# ---------------------------------------------------------------- verdict and table
def test_the_verdict_is_at_the_top_and_follows_each_run(dash: Dashboard) -> None:
    assert dash.widget.children[2] is dash.verdict_html
    first = dash.verdict_html.value
    assert html.escape(verdict(dash.results, columns=dashboard_columns()).sentence) in first
    assert "Only 3 replications" in first  # the note on thin evidence
    dash.controls[PRICE].value = 60.0
    assert dash.verdict_html.value != first
    assert html.escape(dash.verdict.sentence) in dash.verdict_html.value


def test_no_interval_of_a_non_negative_kpi_goes_below_zero(dash: Dashboard) -> None:
    rows = kpi_rows(dash.results, dash.results.kpi_columns)
    kept = rows[[non_negative(k) for k in rows["kpi"]]]
    assert (kept["ci_low"] >= 0).all()
    assert not re.search(r"\[-\d", "".join(dash.table.iloc[:-2].to_numpy().ravel()))


# ---------------------------------------------------------------- precision rule and executor
def test_the_precision_rule_chooses_replications_within_the_cap(small_helpdesk: sk.Scenario) -> None:
    d = explore(small_helpdesk, levers=[STAFF], seed=3, executor=None, folder=None, precision=5.0,
                max_replications=12)
    rule = d.results.meta["precision"]
    assert 10 <= d.replications <= 12 and rule["max_replications"] == 12
    assert rule["target_rel_half_width"] == pytest.approx(0.05)
    direct = sk.simulate_to_precision(small_helpdesk, rel_half_width=0.05, min_replications=10,
                                      max_replications=12, seed=3, progress=False, executor=None)
    pd.testing.assert_frame_equal(d.results.kpis, direct.kpis)
    d.controls[CAP].value = 10
    assert d.replications == 10 and "replications" in d.status.value
    d.controls[PRECISION].value = 10.0
    assert d.results.meta["precision"]["target_rel_half_width"] == pytest.approx(0.10)


class _Counting(Executor):
    """An executor that counts the tasks it is handed (and runs them on threads)."""

    def __init__(self) -> None:
        self.inner, self.tasks = ThreadPoolExecutor(2), 0

    def submit(self, fn, /, *args, **kwargs) -> Future:  # noqa: ANN001
        self.tasks += 1
        return self.inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def test_a_given_executor_runs_every_refresh(small_helpdesk: sk.Scenario) -> None:
    ex = _Counting()
    d = explore(small_helpdesk, levers=[STAFF], replications=3, seed=7, executor=ex, folder=None)
    first = ex.tasks
    d.controls[STAFF].value = 3
    assert first > 0 and ex.tasks > first and d.executor() is ex
    d.close()  # the caller's executor stays open
    assert not ex.inner._shutdown
    ex.shutdown()
    serial = sk.simulate(small_helpdesk.override({STAFF: 3}), replications=3, seed=7, executor=None)
    pd.testing.assert_frame_equal(d.results.kpis, serial.kpis)


def test_the_own_pool_is_made_once_after_a_slow_run(small_helpdesk: sk.Scenario,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[_Counting] = []

    def pool(workers: int) -> _Counting:
        made.append(_Counting())
        return made[-1]

    monkeypatch.setattr(dashboard_runs, "worker_pool", pool)
    monkeypatch.setattr(dashboard_runs, "cpu_workers", lambda: 2)
    monkeypatch.setattr(dashboard_runs, "POOL_AFTER_S", 0.0)  # every run counts as slow
    d = explore(small_helpdesk, levers=[STAFF], replications=2, seed=7, folder=None)
    assert len(made) == 1 and made[0].tasks == 0  # the first run was here; the pool is for the next
    for staff in (3, 4, 1):
        d.controls[STAFF].value = staff
    assert len(made) == 1 and made[0].tasks >= 3  # one pool for every later run, none per refresh
    d.close()
    assert made[0].inner._shutdown and d.executor() is None


# ---------------------------------------------------------------- pins
def test_two_pins_side_by_side_with_the_levers_they_moved(dash: Dashboard) -> None:
    dash.pin_current("as written")
    dash.controls[STAFF].value = 3
    dash.pin_name.value = "three engineers"
    dash.pin_button.click()
    table = dash.pinboard.table()
    assert list(table.columns) == ["as written", "three engineers"]
    assert table.loc[("", "Levers moved"), "as written"] == "as in the file"
    assert table.loc[("", "Levers moved"), "three engineers"] == "engineers: staff = 3"
    label = dash.scenario.options["in_house"].label
    cell0, cell1 = table.loc[(label, "Total cost (USD)")]
    assert cell0 != cell1
    now = kpi_rows(dash.results, dashboard_columns()).set_index(["option", "kpi"])
    assert cell1.startswith(f"{now.loc[('in_house', 'cost_total_usd'), 'mean']:,.0f}")
    assert "three engineers" in dash.pins_html.value and dash.pins_chart.outputs
    assert "image/png" in dash.pins_chart.outputs[0]["data"]


def test_at_most_four_pins_and_clear(dash: Dashboard) -> None:
    for i in range(MAX_PINS + 1):
        dash.controls[PRICE].value = 20.0 + i
        dash.pin_current(f"v{i}")
    assert dash.pinboard.names() == [f"v{i}" for i in range(1, MAX_PINS + 1)]
    assert "'v0' was unpinned" in html.unescape(dash.status.value)
    dash.clear_pins_button.click()
    assert dash.pinboard.pins == [] and dash.pins_html.value == "" and dash.pins_chart.outputs == ()


# ---------------------------------------------------------------- downloads
def test_the_downloads_are_browser_links_holding_the_files(dash: Dashboard) -> None:
    dash.controls[PRICE].value = 31.0
    files = _links(dash.downloads.value)
    slug = "startup_it_helpdesk"
    # the chart on the selected tab is drawn with the answer; the others when their tab opens or on request,
    # and the report, which needs every chart, once it is prepared
    assert set(files) == {f"{slug}.yaml", f"{slug}_kpis.csv", f"{slug}_{dash.visible_chart()}.png"}
    assert sk.loads(files[f"{slug}.yaml"]) == dash.scenario
    rows = list(csv.DictReader(io.StringIO(files[f"{slug}_kpis.csv"].decode("utf-8"))))
    assert list(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(dash.results.options) * len(dash.results.kpi_columns)
    summary = dash.results.summary().set_index(["option", "kpi"])
    for r in rows:
        assert float(r["mean"]) == pytest.approx(summary.loc[(r["option"], r["kpi"]), "mean"], rel=1e-12)
    vendor = next(r for r in rows if r["option"] == "vendor" and r["kpi"] == "cost_total_usd")
    assert vendor["label"] == "Total cost (USD)" and vendor["replications"] == "3"
    assert files[f"{slug}_cost_distribution.png"] == dash.chart_png["cost_distribution"]
    dash.report_button.click()
    files = _links(dash.downloads.value)
    assert files[f"{slug}_report.html"].count(b"data:image/png;base64,") == len(widgets.CHARTS)
    report = files[f"{slug}_report.html"].decode("utf-8")
    assert html.escape(dash.verdict.sentence) in report and "vendors.msp.price_per_item" in report
    assert "data:text/html" not in dash.downloads.value  # a page is saved, never opened in the dashboard
    dash.svg_button.click()
    files = _links(dash.downloads.value)
    svg = files[f"{slug}_lead_times.svg"]
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    assert {f"{slug}_{c}.{ext}" for c in widgets.CHARTS for ext in ("png", "svg")} <= set(files)
    assert files[f"{slug}_report.html"].count(b"data:image/png;base64,") == len(widgets.CHARTS)


def test_hostile_text_stays_text_in_verdict_pins_downloads_and_report(small_helpdesk: sk.Scenario) -> None:
    sc = small_helpdesk.override({"name": "x " + PAYLOADS[0], "description": "\n".join(PAYLOADS),
                                  **{f"options.{o}.label": f"{PAYLOADS[1]} {i}"
                                     for i, o in enumerate(small_helpdesk.option_names)}})
    d = explore(sc, levers=[STAFF], replications=2, seed=1, executor=None, folder=None)
    d.pin_current(PAYLOADS[2])
    d.report_button.click()
    report = next(v for k, v in _links(d.downloads.value).items() if k.endswith("_report.html"))
    for page in (d.verdict_html.value, d.pins_html.value, d.downloads.value, d.head.value, report.decode()):
        assert live_markup(page) == [], page[:300]
    assert PAYLOADS[1] in html.unescape(d.verdict_html.value)


# ---------------------------------------------------------------- tornado
def test_the_tornado_ranks_the_levers_by_their_swing(dash: Dashboard) -> None:
    pytest.importorskip("scipy")
    dash.tornado_button.click()
    table = dash.tornado_table
    assert set(table["path"]) == {STAFF, PRICE}
    staff = table.set_index("path").loc[STAFF]
    assert (staff["low"], staff["high"]) == (1, 3)  # 80% and 120% of 2 engineers, to whole people
    assert table["swing"].abs().is_monotonic_decreasing
    assert "image/png" in dash.tornado_out.outputs[0]["data"]
    assert table.attrs["option"] == dash.verdict.cheapest or dash.verdict.cheapest == "in_house"
