"""The decision memo in a real browser (Debian Chromium driven by Playwright) and printed to PDF by it.

Skipped only when Chromium is missing on a developer machine; under CI (``CI`` set) a missing browser
is a failure, as in ``tests/browser/test_browser.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS

import simkit as sk
from simkit.ui.memo_html import pdf_page_count

try:
    from playwright import sync_api
except ImportError:  # pragma: no cover - the test extra installs it
    sync_api = None
if not CHROMIUM.exists() or sync_api is None:
    missing = f"Chromium at {CHROMIUM}" if sync_api is not None else "the playwright package"
    if os.environ.get("CI"):
        pytest.fail(f"the memo browser tests need {missing} in CI", pytrace=False)
    pytest.skip(f"the memo browser tests need {missing}", allow_module_level=True)

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
CRITERIA = """\
criteria:
  kpis:
    cost_total: {weight: 3, worst: 260000, best: 150000}
    sla_attainment_share: {weight: 2, worst: 0.7, best: 0.98}
  factors:
    control:
      weight: 1
      scores:
        in_house: {score: 5, evidence: "own engineers, own priorities"}
        vendor: {score: 2, evidence: "contract SLAs only"}
        hybrid: {score: 4, evidence: "one engineer keeps the knowledge"}
    access_to_expertise:
      weight: 1
      scores:
        in_house: {score: 2, evidence: "two generalists"}
        vendor: {score: 5, evidence: "a bench of specialists"}
        hybrid: {score: 4, evidence: "specialists on overflow"}
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, object]:
    tmp = tmp_path_factory.mktemp("memo")
    (tmp / "criteria.yaml").write_text(CRITERIA, encoding="utf-8")
    rec = sk.memo("startup_it_helpdesk", tmp / "memo.html", pdf=tmp / "memo.pdf", criteria=tmp / "criteria.yaml",
                  replications=5, seed=7, executor=None)
    return tmp / "memo.html", tmp / "memo.pdf", rec


def test_the_memo_opens_in_a_browser_with_its_parts(built: tuple) -> None:
    page_path, _, rec = built
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(page_path.as_uri())
            recommendation = page.inner_text("#recommendation")
            assert recommendation == rec.recommendation
            assert recommendation.startswith(("Buy from", "Keep", "Move to", "Combine"))
            assert "a year than" in recommendation and "95% CI" in recommendation
            payback = page.inner_text("#payback")
            assert "Payback:" in payback and ("month" in payback or "no payback" in payback)
            tornado = page.locator("img.tornado")
            assert tornado.count() == 1
            assert tornado.evaluate("img => img.complete && img.naturalWidth > 0")  # the inline SVG decoded
            assert len(tornado.get_attribute("alt")) > 20
            rows = page.locator("#assumptions-table tbody tr")
            assert rows.count() == len(rec.assumptions) > 20
            statuses = set(page.locator("#assumptions-table tbody tr td:nth-child(3)").all_inner_texts())
            assert statuses == {"sourced", "assumption"}
            assert page.locator("#scorecard table tbody tr").count() == 4 + 1  # criteria and the score row
            assert page.locator("#break-evens li").count() == 2
            if not rec.equal_service:
                assert "differ in service" in page.inner_text("#service-warning")
            assert page.locator("script").count() == 0
        finally:
            browser.close()


def test_the_pdf_has_pages(built: tuple) -> None:
    _, pdf, _ = built
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert 1 <= pdf_page_count(data) <= 4


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml")))
def test_the_memo_builds_for_every_archetype(name: str, tmp_path: Path) -> None:
    rec = sk.memo(name, tmp_path / "memo.html", replications=3, seed=11, executor=None)
    page = (tmp_path / "memo.html").read_text(encoding="utf-8")
    assert rec.recommendation and rec.recommendation in page.replace("&#x27;", "'").replace("&quot;", '"') \
        .replace("&amp;", "&")
    assert 'class="tornado"' in page and 'class="cash-flow-chart"' in page
    assert len(rec.assumptions) > 0
