"""The dashboard in a real browser: Debian Chromium driven by Playwright, against JupyterLab and Voila.

Each test serves a temporary copy of ``notebooks/02_dashboard.ipynb`` (with the scenarios beside it)
from a server bound to 127.0.0.1 with a token, in isolated Jupyter/IPython/matplotlib folders, started
in its own process group and stopped by that group.  Both move the first slider (the arrival rate) one
step with the keyboard and assert that the simulated KPI table and a chart image both changed.  In Voila
the strategist's path is driven too: download the KPIs CSV and check its rows, prepare and download the
report and count its four charts, pin two variants and see both columns, upload an invalid file (its
one-line error shows, the scenario stays) and a valid one, and pick a second archetype from the list and
see the title and the KPIs change.

Skipped only when Chromium is missing on a developer machine; under CI (``CI`` set) a missing browser
is a failure.  Regenerate the README screenshot with ``python tests/browser/test_browser.py docs/dashboard.png``.
"""

from __future__ import annotations

import contextlib
import csv
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from simkit.accounting.kpi import kpi_columns
from simkit.ui.dashboard_charts import CHARTS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/lib/chromium/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
NOTEBOOK = "notebooks/02_dashboard.ipynb"
KPI = ".simkit-kpi table"
TITLE = ".simkit-dash h2"
TOTAL = "Total cost (USD)"
SLIDER = ".widget-slider .noUi-handle"
CHART = ".widget-output img"

try:
    from playwright import sync_api
except ImportError:  # pragma: no cover - the test extra installs it
    sync_api = None
if not CHROMIUM.exists() or sync_api is None:
    missing = f"Chromium at {CHROMIUM}" if sync_api is not None else "the playwright package"
    if os.environ.get("CI"):
        pytest.fail(f"the browser tests need {missing} in CI (.ci/run installs chromium with apt)",
                    pytrace=False)
    pytest.skip(f"the browser tests need {missing}", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _workspace(tmp: Path) -> tuple[Path, dict[str, str]]:
    """A copy of the dashboard notebook and the scenarios, and an environment with private Jupyter folders."""
    work = tmp / "work"
    (work / "notebooks").mkdir(parents=True)
    shutil.copy(ROOT / NOTEBOOK, work / NOTEBOOK)
    shutil.copytree(ROOT / "scenarios", work / "scenarios")
    env = dict(os.environ)
    private = ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR")
    for var in private:
        (tmp / var.lower()).mkdir()
        env[var] = str(tmp / var.lower())
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    return work, env


@contextlib.contextmanager
def _server(cmd: list[str], cwd: Path, env: dict[str, str], port: int, log: Path) -> Iterator[None]:
    """Run ``cmd`` in its own process group until the port accepts connections; stop the group afterwards."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{cmd[2]} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[2]} did not listen on port {port}:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)


@contextlib.contextmanager
def _browser(tmp: Path, width: int = 1500, height: int = 1000) -> Iterator[object]:
    """A fresh headless Chromium page (new profile folder in ``tmp``)."""
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height})
        try:
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


def _state(page: object) -> tuple[str, str]:
    """The KPI table's text and the first chart's image source."""
    return page.text_content(KPI) or "", page.get_attribute(CHART, "src") or ""


def _move_and_check(page: object) -> None:
    # attached, not visible: JupyterLab's windowed notebook may skip painting cells out of view
    page.wait_for_selector(KPI, state="attached", timeout=300_000)
    page.wait_for_selector(CHART, state="attached", timeout=30_000)
    page.locator(KPI).scroll_into_view_if_needed()
    table0, chart0 = _state(page)
    assert TOTAL in table0 and "Cheaper than" in table0
    handle = page.locator(SLIDER).first
    before = handle.get_attribute("aria-valuenow")
    handle.focus()
    handle.press("ArrowRight")
    page.wait_for_function(
        """([kpi, chart, table0, chart0]) => {
            const t = document.querySelector(kpi), c = document.querySelector(chart);
            return t && c && t.textContent !== table0 && c.getAttribute('src') !== chart0;
        }""", arg=[KPI, CHART, table0, chart0], timeout=180_000)
    assert handle.get_attribute("aria-valuenow") != before
    table1, chart1 = _state(page)
    assert table1 != table0 and chart1 != chart0
    assert TOTAL in table1


def _voila(tmp: Path, port: int, token: str) -> tuple[list[str], str]:
    cmd = [sys.executable, "-m", "voila", NOTEBOOK, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
           f"--token={token}", "--Voila.port_retries=0"]
    return cmd, f"http://127.0.0.1:{port}/?token={token}"


def _wait_changed(page: object, selector: str, before: str, timeout: int = 180_000) -> str:
    page.wait_for_function("([s, b]) => { const e = document.querySelector(s); return e && e.textContent !== b; }",
                           arg=[selector, before], timeout=timeout)
    return page.text_content(selector) or ""


def _download_csv(page: object, tmp: Path) -> list[dict[str, str]]:
    with page.expect_download(timeout=30_000) as info:
        page.locator("a.simkit-download[download$='_kpis.csv']").click()
    target = tmp / "downloaded.csv"
    info.value.save_as(target)
    return list(csv.DictReader(target.open(encoding="utf-8")))


def _download_report(page: object, tmp: Path) -> str:
    """Prepare the report (it needs every chart; a refresh draws only the visible one) and download it."""
    report = "a.simkit-download[download$='_report.html']"
    assert page.locator(report).count() == 0  # not offered before it can carry every chart
    page.get_by_role("button", name="Prepare the report").click()
    page.wait_for_selector(report, state="attached", timeout=180_000)
    with page.expect_download(timeout=30_000) as info:
        page.locator(report).click()
    target = tmp / "report.html"
    info.value.save_as(target)
    return target.read_text(encoding="utf-8")


def _pin(page: object, name: str) -> None:
    page.get_by_placeholder("name of this variant").fill(name)
    page.get_by_role("button", name="Pin this run").click()


def _upload(page: object, path: Path) -> None:
    with page.expect_file_chooser(timeout=30_000) as chooser:
        page.locator(".widget-upload").click()
    chooser.value.set_files(str(path))


def test_dashboard_in_voila(tmp_path: Path) -> None:
    work, env = _workspace(tmp_path)
    port, token = _free_port(), secrets.token_hex(16)
    cmd, url = _voila(tmp_path, port, token)
    with _server(cmd, work, env, port, tmp_path / "voila.log"), _browser(tmp_path) as page:
        try:
            page.goto(url, timeout=300_000, wait_until="commit")  # Voila runs the notebook before the page
            page.wait_for_selector(KPI, state="attached", timeout=300_000)
            rows = _download_csv(page, tmp_path)  # the CSV of the run shown: 3 options x every KPI
            assert len(rows) == 3 * len(kpi_columns())
            assert {r["option"] for r in rows} == {"in_house", "vendor", "hybrid"}
            assert next(r for r in rows if r["kpi"] == "cost_total_usd")["label"] == TOTAL
            report = _download_report(page, tmp_path)
            assert report.count('<img src="data:image/png;base64,') == len(CHARTS) and TOTAL in report
            _pin(page, "as written")
            page.wait_for_selector(".simkit-pins", state="attached", timeout=90_000)
            _move_and_check(page)
            _pin(page, "more arrivals")
            page.wait_for_function("() => document.querySelectorAll('.simkit-pins thead th').length === 4",
                                   timeout=90_000)
            heads = page.locator(".simkit-pins thead th").all_text_contents()
            assert heads[2:] == ["as written", "more arrivals"]
            title0, table0 = page.text_content(TITLE), page.text_content(KPI)
            bad = tmp_path / "bad.yaml"
            bad.write_text("name: Broken\nworkload: {rate_per_hour: -1}\n")
            _upload(page, bad)
            page.get_by_text("Not loaded, the current scenario stays").wait_for(timeout=90_000)
            assert page.text_content(TITLE) == title0 and page.text_content(KPI) == table0
            good = tmp_path / "mine.yaml"
            good.write_text((ROOT / "scenarios" / "startup_it_helpdesk.yaml").read_text()
                            .replace("name: Startup IT helpdesk", "name: My uploaded helpdesk", 1))
            _upload(page, good)
            page.wait_for_function("(s) => document.querySelector(s).textContent.includes('My uploaded helpdesk')",
                                   arg=TITLE, timeout=180_000)
            table1 = page.text_content(KPI)
            page.locator(".widget-dropdown select").first.select_option(label="Marketing content production "
                                                                              "(example)")
            page.wait_for_function("(s) => document.querySelector(s).textContent.includes('Marketing content')",
                                   arg=TITLE, timeout=180_000)
            table2 = _wait_changed(page, KPI, table1)
            assert TOTAL in table2 and table2 != table1
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
            print("screenshot of the failure:", tmp_path / "failure.png")
            raise


def test_dashboard_in_jupyterlab(tmp_path: Path) -> None:
    work, env = _workspace(tmp_path)
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={work}", "--LabApp.news_url=None", "--LabApp.check_for_updates_class="
           "jupyterlab.NeverCheckForUpdate"]
    url = f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK}?token={token}"
    with _server(cmd, work, env, port, tmp_path / "lab.log"), _browser(tmp_path) as page:
        try:
            page.goto(url, timeout=60_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
            page.get_by_text("| Idle").wait_for(timeout=60_000)  # the status bar: kernel connected and idle
            for attempt in range(3):  # a "Run all" sent while the kernel session still settles is dropped
                page.get_by_role("menuitem", name="Run", exact=True).click()
                page.locator("li[data-command='runmenu:run-all']").click()
                try:
                    page.wait_for_selector(".jp-InputPrompt:has-text('[1]')", state="attached",
                                           timeout=10_000)
                    break
                except sync_api.TimeoutError:
                    if attempt == 2:
                        raise
            _move_and_check(page)
        except Exception:
            page.screenshot(path=str(tmp_path / "failure.png"))
            print("screenshot of the failure:", tmp_path / "failure.png")
            raise


def screenshot(target: Path) -> None:
    """Serve the dashboard with Voila and save a full-page screenshot to ``target`` (PNG)."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        work, env = _workspace(tmp)
        port, token = _free_port(), secrets.token_hex(16)
        cmd, url = _voila(tmp, port, token)
        with _server(cmd, work, env, port, tmp / "voila.log"), _browser(tmp, 1600, 2400) as page:
            page.goto(url, timeout=300_000, wait_until="commit")
            page.wait_for_selector(CHART, timeout=300_000)
            page.wait_for_function("() => document.querySelectorAll('.widget-output img').length >= 4 && "
                                   "document.querySelector('a.simkit-download')", timeout=300_000)
            page.wait_for_timeout(3000)  # let the last images paint
            page.locator(".simkit-dash").first.screenshot(path=str(target))
    print("wrote", target)


if __name__ == "__main__":
    screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/dashboard.png"))
