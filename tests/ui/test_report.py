"""`simkit report` and `sk.report`: static HTML with figures and provenance; same seed, same numbers."""

from __future__ import annotations

import hashlib
import html
import re
from importlib import metadata
from pathlib import Path

import pytest
from conftest import SCENARIOS
from markup import PAYLOADS, live_markup

import simkit as sk
from simkit.accounting import registry
from simkit.ui import report_tables as rt
from simkit.ui.cli import main
from simkit.ui.report import ReportError

SCENARIO = SCENARIOS / "startup_it_helpdesk.yaml"
SHORT = {"run.horizon_days": 56}
STAMP = "2030-01-02T03:04:05+00:00"


def _table(page: str, css: str) -> str:
    match = re.search(rf'<table[^>]*class="[^"]*{css}[^"]*".*?</table>', page, re.S)
    assert match, f"no table of class {css}"
    return match.group(0)


@pytest.fixture(scope="module")
def api_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("api") / "nested" / "report.html"
    assert sk.report(SCENARIO, out, seed=5, replications=3, overrides=SHORT, generated_at=STAMP) == out
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def cli_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("cli") / "report.html"
    code = main(["report", str(SCENARIO), "-o", str(out), "--seed", "5", "--replications", "3",
                 "--set", "run.horizon_days=56"])
    assert code == 0
    return out.read_text(encoding="utf-8")


def test_static_html_with_figures_and_no_code(api_report: str) -> None:
    assert api_report.lstrip().startswith("<!DOCTYPE html>")
    images = re.findall(r'<img[^>]+src="data:image/png;base64,', api_report)
    assert len(images) >= 3  # cost distribution, lead times, monthly cost
    assert "<script" not in api_report  # no widgets, nothing to fetch: complete offline
    assert "sk.simulate" not in api_report and "import simkit" not in api_report  # no code cells
    assert "Startup IT helpdesk" in api_report and "Decision" in api_report


def test_figures_carry_alt_text(api_report: str) -> None:
    tags = re.findall(r'<img[^>]+src="data:image/png;base64,[^>]*>', api_report)
    alts = [html.unescape(m) for tag in tags for m in re.findall(r'alt="([^"]*)"', tag)]
    assert len(alts) == len(tags) >= 3
    assert all(len(alt) > 60 for alt in alts)
    assert any(alt.startswith("Bar chart of lead-time") and "SLA lines" in alt for alt in alts)


def test_provenance_is_recorded(api_report: str) -> None:
    sc = sk.load(SCENARIO).override(SHORT)
    text = html.unescape(api_report)
    assert hashlib.sha256(SCENARIO.read_bytes()).hexdigest() in text
    assert sc.fingerprint() in text
    assert f"run.horizon_days={56!r}" in text
    assert re.search(r"<th>seed</th><td><code>5</code>", text)
    assert re.search(r"<th>replications</th><td><code>3</code>", text)
    assert re.search(rf"<th>simkit</th><td><code>{re.escape(sk.__version__)}</code>", text)
    for dist in ("numpy", "pandas", "simpy"):
        assert re.search(rf"<th>{dist}</th><td><code>{re.escape(metadata.version(dist))}</code>", text)
    assert STAMP in text


def _tight(markup: str) -> str:
    """``markup`` without the white space between tags (the export indents the notebook's output)."""
    return re.sub(r">\s+<", "><", markup.strip())


def test_the_tables_are_report_tables_of_the_public_api(api_report: str) -> None:
    """The page shows exactly the tables :mod:`simkit.ui.report_tables` builds from ``sk.simulate`` (same seed):
    registry labels and units, no column names, the all-zero KPIs named in the note below the KPI table."""
    res = sk.simulate(sk.load(SCENARIO).override(SHORT), replications=3, seed=5, progress=False)
    kpis = rt.kpi_table_html(res)
    assert _tight(_table(api_report, "simkit-kpis")) == _tight(_table(kpis, "simkit-kpis"))
    note = re.search(r'<p class="simkit-kpis-left-out">.*?</p>', kpis).group(0)
    assert _tight(note) in _tight(api_report) and rt.left_out(res)
    assert _tight(_table(api_report, "simkit-ledger")) == _tight(_table(rt.ledger_table_html(res), "simkit-ledger"))
    base = res.scenario.baseline_option
    compared = [_tight(_table(rt.compare_table_html(res, o, base), "simkit-compare"))
                for o in res.options if o != base]
    pattern = r'<table[^>]*class="[^"]*simkit-compare[^"]*".*?</table>'
    assert [_tight(t) for t in re.findall(pattern, api_report, re.S)] == compared
    shown = html.unescape(_table(api_report, "simkit-kpis"))
    assert registry.plain_label(res.cost_column, res.scenario.run.currency) in shown
    for column in res.kpi_columns:
        assert column not in shown


def test_two_runs_agree(api_report: str, cli_report: str) -> None:
    for css in ("simkit-kpis", "simkit-compare", "simkit-ledger"):
        assert _table(api_report, css) == _table(cli_report, css)
    # everything but the time stamp is byte for byte the same
    stamp = re.compile(r"<th>generated at \(UTC\)</th><td><code>[^<]*</code>")
    assert stamp.sub("", api_report) == stamp.sub("", cli_report)


def test_another_seed_gives_other_numbers(api_report: str, tmp_path: Path) -> None:
    sc = sk.load(SCENARIO).override(SHORT)  # a Scenario object is saved as YAML and hashed as such
    out = sk.report(sc, tmp_path / "r.html", seed=6, replications=3, generated_at=STAMP)
    page = out.read_text(encoding="utf-8")
    assert _table(page, "simkit-kpis") != _table(api_report, "simkit-kpis")
    assert "(a Scenario object, saved as YAML)" in page
    assert hashlib.sha256(sc.to_yaml().encode()).hexdigest() in page


@pytest.mark.parametrize("args, message", [
    (["missing.yaml"], "missing.yaml: no such file"),
    ([str(SCENARIO), "--set", "vendors.msp.price_per_item=-3"], "price_per_item: must be >= 0, got -3"),
    ([str(SCENARIO), "--set", "vendors.msp.pricee=3"], "unknown key 'pricee'"),
    ([str(SCENARIO), "--replications", "0"], "--replications must be >= 1"),
])
def test_bad_input_is_one_line_and_writes_nothing(args: list[str], message: str, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "out" / "report.html"
    assert main(["report", *args, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_the_output_must_be_html(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["report", str(SCENARIO), "-o", str(tmp_path / "report.pdf")]) == 2
    assert "must end in .html" in capsys.readouterr().err
    with pytest.raises(ValueError, match="must end in .html"):
        sk.report(SCENARIO, tmp_path / "report.txt")
    assert list(tmp_path.iterdir()) == []


def test_a_failing_notebook_leaves_the_old_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import papermill

    def fail(*_args: object, **_kwargs: object) -> None:
        raise papermill.PapermillExecutionError(3, 3, "1 / 0", "ZeroDivisionError", "division by zero", [])

    monkeypatch.setattr(papermill, "execute_notebook", fail)
    out = tmp_path / "report.html"
    out.write_text("previous report")
    with pytest.raises(ReportError, match="ZeroDivisionError: division by zero"):
        sk.report(SCENARIO, out, replications=2)
    assert out.read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


# ---------------------------------------------------------------- scenario text is data, never markup
def hostile_scenario() -> sk.Scenario:
    sc = sk.load(SCENARIO).override(SHORT)
    changes = {"name": "Helpdesk " + PAYLOADS[0], "description": "\n\n".join(PAYLOADS)}
    for i, option in enumerate(sc.option_names):
        changes[f"options.{option}.label"] = f"{option} {PAYLOADS[(i + 1) % len(PAYLOADS)]}"
    return sc.override(changes)


def test_live_markup_checker_sees_the_payloads() -> None:
    for payload in PAYLOADS:
        if not payload.startswith("["):  # a Markdown link is only live once rendered as Markdown
            assert live_markup(f"<p>{payload}</p>"), payload
    assert not live_markup("<p>" + html.escape("".join(PAYLOADS)) + "</p>")


def test_a_hostile_scenario_renders_as_text(tmp_path: Path) -> None:
    sc = hostile_scenario()
    out = sk.report(sc, tmp_path / "report.html", seed=5, replications=2, generated_at=STAMP)
    page = out.read_text(encoding="utf-8")
    assert live_markup(page) == []
    shown = html.unescape(page)
    assert sc.name in shown  # shown, as text: nothing dropped
    for option in sc.option_names:
        assert sc.options[option].label in shown
    for payload in PAYLOADS:
        assert payload in shown
