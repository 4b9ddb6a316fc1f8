"""The dashboard's downloads and report are complete for the answer on the page, and never carry older charts.

A refresh draws only the chart on the selected tab; the report needs all four.  These tests check every file the
page offers against files made afresh from the answer shown: each chart image byte for byte against the same
chart drawn on a new figure from the current results (the PNG writer is deterministic), and against the chart
drawn from the previous results, so that a stale image cannot pass.
"""

from __future__ import annotations

import asyncio
import base64
import html
import re
from collections.abc import Callable

import pytest
from markup import PAYLOADS, live_markup

import simkit as sk
from simkit.experiment.results import Results
from simkit.ui import dashboard_charts
from simkit.ui.chartstyle import png_bytes, style
from simkit.ui.dashboard_charts import CHARTS, DASHBOARD_DPI
from simkit.ui.dashboard_views import kpis_csv
from simkit.ui.widgets import Dashboard, explore

pytest.importorskip("ipywidgets")
from matplotlib.figure import Figure  # noqa: E402

STAFF = "teams.engineers.staff"
PRICE = "vendors.msp.price_per_item"
SLUG = "startup_it_helpdesk"
DRAW = dict(CHARTS)  # the chart functions themselves, before any spy replaces them


@pytest.fixture()
def dash(small_helpdesk: sk.Scenario) -> Dashboard:
    return explore(small_helpdesk, levers=[STAFF, PRICE], replications=3, seed=7, executor=None, folder=None)


@pytest.fixture()
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Results]]:
    """Every chart the dashboard draws, as ``(chart name, the results it was drawn from)``."""
    calls: list[tuple[str, Results]] = []

    def spy(name: str) -> Callable:
        def draw(results: Results, **kw: object) -> object:
            calls.append((name, results))
            return DRAW[name](results, **kw)
        return draw

    for name in CHARTS:
        monkeypatch.setitem(dashboard_charts.CHARTS, name, spy(name))
    return calls


_FRESH: dict[tuple[int, str], tuple[Results, bytes]] = {}


def fresh_png(results: Results, name: str) -> bytes:
    """Chart ``name`` of ``results`` drawn on a new figure, as the dashboard renders it (kept per results)."""
    key = (id(results), name)
    if key not in _FRESH or _FRESH[key][0] is not results:
        fig = Figure(figsize=(6.0, 3.6), layout="constrained")
        with style():
            DRAW[name](results, ax=fig.subplots())
        _FRESH[key] = (results, png_bytes(fig, dpi=DASHBOARD_DPI))
    return _FRESH[key][1]


def links(page: str) -> dict[str, bytes]:
    """``{download file name: bytes}`` of every data-URI download anchor in ``page``."""
    found = re.findall(r'<a class="simkit-download" download="([^"]+)" href="data:([^;]+);base64,([^"]+)"', page)
    return {html.unescape(name): base64.b64decode(data) for name, _mime, data in found}


def report_images(report: bytes) -> list[bytes]:
    """The PNG images of a report page, in page order."""
    return [base64.b64decode(b) for b in re.findall(rb'<img src="data:image/png;base64,([^"]+)"', report)]


def assert_files_are_of_the_answer(dash: Dashboard) -> dict[str, bytes]:
    """Every file offered is made from the answer on the page; the report, when offered, has all four charts."""
    files, res = links(dash.downloads.value), dash.results
    assert set(files) == set(dash.downloads_files)
    assert sk.loads(files[f"{SLUG}.yaml"]) == res.scenario  # the scenario that made these numbers
    assert files[f"{SLUG}_kpis.csv"] == kpis_csv(res)
    for name in CHARTS:
        if f"{SLUG}_{name}.png" in files:
            assert files[f"{SLUG}_{name}.png"] == fresh_png(res, name), name
    report = files.get(f"{SLUG}_report.html")
    button_shown = dash.report_button.layout.display != "none"
    assert (report is None) == button_shown  # no report: the button that prepares it is on the page, and only then
    if report is not None:
        assert report_images(report) == [fresh_png(res, name) for name in CHARTS]
        assert html.escape(dash.verdict.sentence).encode() in report
        assert dash.table.to_html(escape=True, border=0).encode() in report
    else:
        assert "Prepare the report" in dash.downloads.value
    return files


def test_after_a_move_the_report_is_prepared_with_every_chart_of_the_current_answer(
        dash: Dashboard, drawn: list[tuple[str, Results]]) -> None:
    dash.report_button.click()  # every chart drawn for the first answer: images that must not survive a move
    old = dash.results
    assert_files_are_of_the_answer(dash)
    drawn.clear()
    dash.controls[STAFF].value = 3
    assert dash.results is not old and drawn == [("cost_distribution", dash.results)]  # the answer draws one chart
    files = assert_files_are_of_the_answer(dash)
    assert set(files) == {f"{SLUG}.yaml", f"{SLUG}_kpis.csv", f"{SLUG}_cost_distribution.png"}
    assert "cost at risk, monthly cost, lead times" in dash.downloads.value  # what the report still needs, said
    dash.report_button.click()
    assert drawn[1:] == [(name, dash.results) for name in list(CHARTS)[1:]]  # only the missing ones, once each
    files = assert_files_are_of_the_answer(dash)
    images = report_images(files[f"{SLUG}_report.html"])
    assert all(png != fresh_png(old, name) for png, name in zip(images, CHARTS, strict=True))  # none is stale
    assert b"teams.engineers.staff</code> = 3" in files[f"{SLUG}_report.html"]
    assert {f"{SLUG}_{name}.png" for name in CHARTS} <= set(files)
    drawn.clear()
    dash.report_button.click()  # prepared already: nothing is drawn again
    assert drawn == []


def test_a_price_move_and_a_move_back_never_ship_an_older_chart(dash: Dashboard,
                                                               drawn: list[tuple[str, Results]]) -> None:
    """A walk through re-pricing, simulating, kept answers, tab changes and reports: every step's files match."""
    steps: list[tuple[str, object]] = [("prepare", None), (PRICE, 31.0), ("tab", 2), (STAFF, 3), ("prepare", None),
                                       ("tab", 3), (STAFF, 2), ("tab", 1), ("prepare", None), (PRICE, 20.0),
                                       ("svg", None), (PRICE, 31.0)]
    for what, value in steps:
        before = len(drawn)
        if what == "prepare":
            dash.report_button.click()
        elif what == "svg":
            dash.svg_button.click()
        elif what == "tab":
            dash.chart_tabs.selected_index = value
        else:
            dash.controls[what].value = value
        assert all(res is dash.results for _name, res in drawn[before:]), what  # nothing drawn for older numbers
        if what in (STAFF, PRICE):
            assert [n for n, _ in drawn[before:]] in ([], [dash.visible_chart()])  # a refresh: the visible chart
        files = assert_files_are_of_the_answer(dash)
        if what in ("prepare", "svg"):
            assert f"{SLUG}_report.html" in files
    svg = links(dash.downloads.value)
    assert not any(name.endswith(".svg") for name in svg)  # SVGs of an older answer went with it


def test_a_file_asked_for_while_the_levers_rest_is_made_for_the_new_answer(dash: Dashboard) -> None:
    """Inside a kernel a structural lever waits before simulating: files asked for meanwhile never mix the two."""
    first = dash.results

    async def move_then_ask() -> None:
        dash.debounce_s = 30.0  # the refresh stays pending for the whole check
        dash.controls[STAFF].value = 3
        assert dash.results is first and dash.scenario.teams["engineers"].staff == 3
        dash.chart_tabs.selected_index = 3  # draws the shown (older) answer's chart: its files stay that answer's
        files = assert_files_are_of_the_answer(dash)
        assert sk.loads(files[f"{SLUG}.yaml"]).teams["engineers"].staff == 2
        dash.report_button.click()  # answers the levers first, then prepares the report for that answer
        assert dash._pending is None and dash.results is not first

    asyncio.run(move_then_ask())
    assert dash.results.scenario.teams["engineers"].staff == 3
    files = assert_files_are_of_the_answer(dash)
    assert f"{SLUG}_report.html" in files and sk.loads(files[f"{SLUG}.yaml"]).teams["engineers"].staff == 3


def test_hostile_text_stays_text_in_the_prepared_report_and_the_note(small_helpdesk: sk.Scenario) -> None:
    sc = small_helpdesk.override({"name": "x " + PAYLOADS[0], "description": "\n".join(PAYLOADS),
                                  **{f"options.{o}.label": f"{PAYLOADS[1]} {i}"
                                     for i, o in enumerate(small_helpdesk.option_names)}})
    d = explore(sc, levers=[STAFF], replications=2, seed=1, executor=None, folder=None)
    assert live_markup(d.downloads.value) == []  # before: the links and the note
    d.report_button.click()
    report = next(v for k, v in links(d.downloads.value).items() if k.endswith("_report.html"))
    assert len(report_images(report)) == len(CHARTS)
    for page in (d.downloads.value, report.decode()):
        assert live_markup(page) == [], page[:300]
