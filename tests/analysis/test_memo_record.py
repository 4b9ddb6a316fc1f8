"""The decision memo's content: what it states is what the numbers are, and scenario text stays data."""

from __future__ import annotations

import dataclasses
import html
import re
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import SCENARIOS
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.analysis.memo_record import _payback, assumptions_with_units, memo_record, no_spread, risk_notes
from simkit.analysis.sensitivity import BreakEven
from simkit.analysis.sensitivity_summary import MAX_DECIMALS, SensitivitySummary, band_decimals, format_in_band
from simkit.scenario import fields
from simkit.scenario.assumptions import assumptions_table, header_sources, parameters, yaml_comments
from simkit.scenario.criteria import FACTORS
from simkit.scenario.fields import with_unit
from simkit.ui import cli
from simkit.ui.memo_build import scenario_and_text
from simkit.ui.memo_html import memo_html, pdf_page_count

REPS, SEED = 4, 9


@pytest.fixture(scope="module")
def run(small_helpdesk: sk.Scenario) -> sk.Results:
    return sk.simulate(small_helpdesk, replications=REPS, seed=SEED, executor=None, progress=False)


@pytest.fixture(scope="module")
def record(run: sk.Results):  # noqa: ANN201
    return memo_record(run.scenario, run, with_sensitivity=False)


# --------------------------------------------------------------------------- numbers
def test_the_saving_is_the_paired_cost_difference_a_year(run: sk.Results, record) -> None:  # noqa: ANN001
    sc = run.scenario
    cost = run.kpis.pivot(index="replication", columns="option", values=run.cost_column)
    rec, vs = record.recommended, record.versus
    assert rec == cost.mean().idxmin()  # no criteria: the cheapest, against the baseline or the next cheapest
    assert vs == (sc.baseline_option if rec != sc.baseline_option else cost.mean().drop(rec).idxmin())
    years = (sc.run.horizon_days - sc.run.warmup_days) / 365.0
    assert record.saving_per_year[0] == pytest.approx((cost[vs] - cost[rec]).mean() / years)
    assert record.saving_per_year[1] < record.saving_per_year[0] < record.saving_per_year[2]
    assert record.p_cheaper == pytest.approx(float(np.mean(cost[vs] > cost[rec])))


def test_cash_flow_npv_and_risk_match_the_ledger_and_the_kpis(run: sk.Results, record) -> None:  # noqa: ANN001
    means = run.kpis.groupby("option").mean(numeric_only=True)
    rec, vs = record.recommended, record.versus
    cf = record.cash_flow
    assert cf[rec].sum() == pytest.approx(means.loc[rec, run.cost_column])  # the ledger adds up to the total
    assert cf["saving"].sum() == pytest.approx(means.loc[vs, run.cost_column] - means.loc[rec, run.cost_column])
    assert cf["cumulative_saving"].iloc[-1] == pytest.approx(cf["saving"].sum())
    npv_col = run.cost_column.replace("cost_total", "npv_cost")  # the same discounting as the NPV KPI
    assert record.npv_saving == pytest.approx(means.loc[vs, npv_col] - means.loc[rec, npv_col], rel=1e-9)
    x = run.kpis.loc[run.kpis["option"] == vs, run.cost_column].to_numpy()
    assert record.risk.loc[vs, "p90"] == pytest.approx(np.quantile(x, 0.9))
    assert record.risk.loc[vs, "cvar90"] >= record.risk.loc[vs, "p90"] >= record.risk.loc[vs, "mean"] - 1e-9


# --------------------------------------------------------------------------- risk figures that say nothing
def test_a_fixed_cost_is_explained_not_shown_as_risk(run: sk.Results, record) -> None:  # noqa: ANN001
    cost = run.kpis.groupby("option")[run.cost_column]
    assert cost.std().loc["in_house"] == 0 and cost.std().loc["vendor"] > 0  # the premise: salaries are fixed
    assert record.risk["fixed"].to_dict() == {"in_house": True, "vendor": False, "hybrid": False}
    label = record.label("in_house")
    fixed = [n for n in record.risk_notes if n.startswith(label)]
    assert len(fixed) == 1
    assert f"in every one of the {REPS} replications because its wages and overhead are fixed" in fixed[0]
    assert "the other options' variable costs" in fixed[0]
    assert not [n for n in record.risk_notes if n.startswith(record.label("vendor"))]  # spread: no excuse
    page = memo_html(record)
    risk = page.split('id="risk"', 1)[1].split("</section>", 1)[0]
    rows = dict(re.findall(r"<tr><td>([^<]*)</td>(.*?)</tr>", risk))
    assert rows[html.escape(label)].count("same as the mean") == 2
    assert "same as the mean" not in rows[html.escape(record.label("vendor"))]
    assert html.escape(fixed[0]) in risk


def test_tail_figures_from_few_replications_are_explained(run: sk.Results, record) -> None:  # noqa: ANN001
    assert any(n.startswith(f"From {REPS} replications the worst 10%") for n in record.risk_notes)
    many = record.risk.assign(replications=12)
    assert not any(n.startswith("From") for n in risk_notes(run, many, record.options))
    varied = many.assign(fixed=False)
    assert risk_notes(run, varied, record.options) == []  # spread and enough replications: nothing to explain


@settings(max_examples=200, deadline=None)
@given(level=st.floats(-1e9, 1e9, allow_nan=False), n=st.integers(2, 40), rel=st.floats(1e-7, 10.0))
def test_no_spread_is_relative_to_the_mean(level: float, n: int, rel: float) -> None:
    same = np.full(n, level)
    assert no_spread(same)
    varied = same.copy()
    varied[0] += rel * max(abs(level), 1.0)
    assert not no_spread(varied)
    assert not no_spread(np.array([level]))  # one replication: no evidence of a fixed cost


@pytest.mark.filterwarnings("ignore:option .lean.")  # one engineer falls behind: the cost is fixed all the same
def test_a_saving_without_spread_shows_no_interval(small_helpdesk: sk.Scenario) -> None:
    spec = small_helpdesk.model_dump(mode="json", exclude_unset=True)
    spec["options"] = {"in_house": {"team": "engineers", "label": "Two engineers"},
                       "lean": {"team": "engineer", "label": "One engineer"}}
    spec["baseline"] = "in_house"
    sc = sk.Scenario.model_validate(spec)
    res = sk.simulate(sc, replications=3, seed=SEED, executor=None, progress=False)
    rec = memo_record(sc, res, with_sensitivity=False)
    assert rec.risk["fixed"].all() and not rec.saving_varies
    assert "the same in every replication, so no confidence interval" in rec.recommendation
    assert "95% CI" not in rec.recommendation and "within the noise" not in rec.recommendation
    assert sum("no option's cost varies" in n for n in rec.risk_notes) == 2
    page = memo_html(rec)
    key = page.split('id="key-figures"', 1)[1].split("</div></div>", 1)[0]
    assert "the same in every replication" in key and "95% CI" not in key


@pytest.mark.parametrize(("saving", "months"), [
    ([5, 5, 5], 0.0), ([-10, 4, 4, 4], 4.0), ([-10, 11], 2.0), ([-10, 4, 4], None), ([-1, 2, -5, 10], 4.0), ([], None),
])
def test_payback_is_the_month_the_running_saving_stays_above_zero(saving: list, months: float | None) -> None:
    assert _payback(np.asarray(saving, float)) == months


def test_unequal_service_is_said_in_the_recommendation(run: sk.Results) -> None:
    means = run.kpis.groupby("option")["sla_attainment_share"].mean()
    rec = memo_record(run.scenario, run, with_sensitivity=False)
    gap = abs(means[rec.recommended] - means[rec.versus])
    assert gap > 0.02  # the shipped helpdesk: the provider's longer hours
    assert not rec.equal_service
    assert f"the options differ in service: SLA attainment {means[rec.recommended]:.2f} vs " \
           f"{means[rec.versus]:.2f}" in rec.recommendation
    assert "at equal service" not in rec.recommendation
    same = memo_record(run.scenario, run, with_sensitivity=False, service_tolerance=1.0,
                       equal_service_note="staffing right-sized to SLA attainment >= 0.9")
    assert same.equal_service and "at equal service" in same.recommendation
    assert same.service_note == "staffing right-sized to SLA attainment >= 0.9"


def test_the_scorecard_winner_is_recommended(run: sk.Results) -> None:
    sc = run.scenario.override({"criteria": {"factors": {"control": {"weight": 1, "scores": {
        "in_house": {"score": 5}, "vendor": {"score": 1}, "hybrid": {"score": 2}}}}}})
    rec = memo_record(sc, _with(sc), with_sensitivity=False)
    assert rec.recommended == "in_house" and rec.scorecard is not None
    assert rec.versus == run.kpis.groupby("option")[run.cost_column].mean().drop("in_house").idxmin()
    assert "leads the strategic scorecard" in rec.recommendation
    assert "dearer a year" in rec.recommendation or "cheaper a year" in rec.recommendation


def test_the_memo_shows_where_a_kpi_family_flips_the_scorecard(run: sk.Results) -> None:
    sc = run.scenario.override({"criteria": {
        "kpis": {"cost_total": {"weight": 2, "worst": 80000, "best": 20000},
                 "cost_per_item": {"weight": 1, "worst": 200, "best": 20}},
        "factors": {"control": {"weight": 1, "scores": {"in_house": {"score": 5}, "vendor": {"score": 1},
                                                       "hybrid": {"score": 3}}}}}})
    rec = memo_record(sc, _with(sc), with_sensitivity=False)
    fam = rec.scorecard.family_flips
    assert fam.attrs["members"]["cost"] == [run.cost_column, run.cost_column.replace("total", "per_item")]
    page = memo_html(rec)
    assert 'id="family-flips"' in page and "Per KPI family (its criteria moved together): cost 75% now" in page


def _with(sc: sk.Scenario) -> sk.Results:
    """The same replications under a scenario that differs only in its criteria (no engine input changed)."""
    return sk.simulate(sc, replications=REPS, seed=SEED, executor=None, progress=False)


# --------------------------------------------------------------------------- assumptions
YAML = """\
# Title
# Sources: the reference "economics.md"
#   ([Sn] are its numbers).
run:
  horizon_days: 364           # one year
vendors:
  msp:
    # ~20% lower efficiency [S24]
    productivity: 0.8
    price_per_item: 35.0      # assumption: blended desk [S26]
    handoff_h: 0.25           # "#quoted" then a note
    governance_share: 0.05
"""


def test_yaml_comments_and_sources_mark_every_parameter(small_helpdesk: sk.Scenario) -> None:
    comments = yaml_comments(YAML)
    assert comments["vendors.msp.productivity"] == "~20% lower efficiency [S24]"
    assert comments["run.horizon_days"] == "one year"
    assert comments["vendors.msp.handoff_h"] == '"#quoted" then a note'
    assert header_sources(YAML) == 'the reference "economics.md" ([Sn] are its numbers).'
    sc = small_helpdesk.override({"sources": {"vendors.msp.governance_share": "Gartner survey 2024, p. 12",
                                              "teams.engineers.staff": "assumption: today's team"}})
    table = assumptions_table(sc, YAML).set_index("path")
    assert table.loc["vendors.msp.productivity", "status"] == "sourced"
    assert table.loc["vendors.msp.price_per_item", "status"] == "assumption"  # said so, though it cites
    assert table.loc["vendors.msp.governance_share", ["status", "note"]].tolist() == ["sourced",
                                                                                       "Gartner survey 2024, p. 12"]
    assert table.loc["teams.engineers.staff", ["status", "note"]].tolist() == ["assumption", "today's team"]
    assert "workload.rate_per_hour" not in table.index  # the text does not write it (only fields it writes count)
    full = assumptions_table(small_helpdesk).set_index("path")  # no text: the fields the scenario was built with
    assert full.loc["workload.kinds.incident.effort_h", "value"].startswith("lognormal(")
    assert (full["status"] == "assumption").all()  # no comments, no sources
    assert not any(p.endswith((".label", "run.seed", "run.replications")) for p in table.index)
    assert set(table["status"]) <= {"sourced", "assumption"}


@pytest.mark.parametrize(("path", "value", "shown"), [
    ("run.warmup_days", 0, "0 days"),
    ("run.horizon_days", 1096, "1,096 days"),
    ("run.discount_rate_annual", 0.08, "8% a year"),
    ("workload.growth_annual", 0.035, "3.5% a year"),
    ("teams.desk.loaded_cost_per_hour", 45, "EUR 45 per person-hour"),
    ("vendors.msp.transition_cost", 90000, "EUR 90,000 one-off"),
    ("vendors.msp.governance_share", 0.05, "5% of vendor fees"),
    ("calendars.office.open_hour", 8.5, "08:30 local time"),
    ("vendors.msp.handoff_h", 1, "1 elapsed hour"),
    ("teams.desk.staff", 1, "1 person on shift"),
    ("teams.desk.clarify_factor", 0.5, "0.5\u00d7"),
    ("vendors.msp.transition.learning_rate", 0.85, "0.85 (ratio)"),
    ("workload.day_of_week", [1.5, 1, 0], "1.5, 1, 0 (multipliers)"),
    ("vendors.msp.quality.detection_delay_h", "lognormal(mean=24, cv=1)",
     "lognormal(mean=24, cv=1), in elapsed hours"),
])
def test_an_assumption_reads_with_its_unit(path: str, value: object, shown: str) -> None:
    assert with_unit(path, value, "EUR") == shown


def _bare_number(text: str) -> bool:
    return re.fullmatch(r"-?[\d,.]+(e[+-]?\d+)?", text) is not None


@pytest.mark.parametrize("name", sorted(p.stem for p in SCENARIOS.glob("*.yaml")))
def test_every_assumption_of_the_examples_carries_its_registry_unit(name: str) -> None:
    sc, text = scenario_and_text(SCENARIOS / f"{name}.yaml")
    table = assumptions_with_units(sc, text)
    raw = parameters(sc, yaml.safe_load(text))
    cur = sc.run.currency
    assert len(table) > 0
    for row in table.itertuples():
        registered = fields.facts(row.path)
        assert registered is not None and registered.unit not in ("", "-"), row.path  # the registry knows it
        assert row.unit == fields.unit(row.path, cur)
        assert not _bare_number(row.value), (row.path, row.value)
        unit = registered.unit
        if unit.startswith("currency"):
            assert row.value.startswith(f"{cur} "), (row.path, row.value)
        elif unit.startswith("share"):
            number = float(row.value.split("%")[0].replace(",", ""))
            assert number / 100 == pytest.approx(raw[row.path], rel=1e-5), (row.path, row.value)
            assert ("% a year" if unit == "share per year" else "%" + unit[len("share"):]) in row.value
        elif "distribution" in unit:
            assert row.value.endswith(unit.replace("(distribution)", "").replace("distribution,", "").strip())
        elif unit not in ("local hour of day",) and not unit.startswith("multiplier"):
            assert unit.split(" ")[-1].rstrip("s") in row.value, (row.path, row.value)


def test_the_unit_shown_follows_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    real = fields.facts

    def renamed(path: str):  # noqa: ANN202
        f = real(path)
        return dataclasses.replace(f, unit="weeks") if path == "run.warmup_days" else f

    assert with_unit("run.warmup_days", 2, "USD") == "2 days"
    monkeypatch.setattr(fields, "facts", renamed)
    assert with_unit("run.warmup_days", 2, "USD") == "2 weeks"  # read from the registry, not written in the code


def test_the_memo_shows_every_assumption_with_its_unit(run: sk.Results, record) -> None:  # noqa: ANN001
    page = memo_html(record)
    table = page.split('id="assumptions-table"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<tr><td>[^<]*</td><td class=\"text\">([^<]*)</td>", table)
    assert len(cells) == len(record.assumptions) > 5
    assert [html.unescape(c) for c in cells] == record.assumptions["value"].tolist()
    assert not [c for c in cells if _bare_number(c)]


def test_a_source_for_no_field_is_refused(small_helpdesk: sk.Scenario) -> None:
    with pytest.raises(sk.ScenarioError, match=r"^sources\.vendors\.msp\.prize: names no field"):
        small_helpdesk.override({"sources": {"vendors.msp.prize": "x"}})
    with pytest.raises(sk.ScenarioError, match=r"^sources\.vendors\.msp: names no field"):
        small_helpdesk.override({"sources": {"vendors.msp": "a section is no value"}})


# --------------------------------------------------------------------------- break-evens: one precision
def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


@settings(max_examples=300, deadline=None)
@given(value=st.floats(-1e6, 1e7, allow_nan=False), width=st.floats(1e-4, 1e6),
       where=st.floats(0, 1))
def test_a_break_even_and_its_band_share_decimals_set_by_the_width(value: float, width: float, where: float) -> None:
    low = value - where * width
    high = low + width
    assume(high > low)
    d = band_decimals(value, low, high)
    shown = [format_in_band(x, d) for x in (value, low, high)]
    assert {_decimals(t) for t in shown} == {d}  # the value and both ends: the same decimals
    step = 10.0 ** -d
    assert d == MAX_DECIMALS or step <= (high - low) / 10 * (1 + 1e-9)  # fine enough to show the band
    assert d == 0 or step > (high - low) / 100 * (1 - 1e-9)  # and no finer than the band is known
    for x, t in zip((value, low, high), shown, strict=True):
        assert abs(float(t.replace(",", "")) - x) <= step / 2 * (1 + 1e-9) + 1e-9 * abs(x)


@pytest.mark.parametrize(("value", "low", "high", "shown"), [
    (38.7123, 37.91, 39.2567, ("38.7", "37.9", "39.3")),  # 1.35 wide: one decimal for all three
    (1234.5, 1100.0, 1400.0, ("1,234", "1,100", "1,400")),  # 300 wide: whole numbers (1,234.5 rounds to even)
    (0.0523, 0.051, 0.0541, ("0.0523", "0.0510", "0.0541")),
])
def test_band_decimals_examples(value: float, low: float, high: float, shown: tuple[str, ...]) -> None:
    d = band_decimals(value, low, high)
    assert tuple(format_in_band(x, d) for x in (value, low, high)) == shown
    assert band_decimals(38.7123) == 2 and band_decimals(float("nan")) == 0  # no band: four figures


def test_a_break_evens_text_uses_the_memos_precision() -> None:
    """``simkit sensitivity`` prints :meth:`BreakEven.text`: the value and its band to the same decimals."""
    be = BreakEven(path="vendors.msp.price_per_item", option="vendor", baseline="in_house", kpi="cost_total_usd",
                   value=38.7123, band_low=37.91, band_high=39.2567, bracket=(10.0, 80.0), evaluations=pd.DataFrame())
    assert "price_per_item = 38.7 (95% band [37.9, 39.3])" in be.text()


def test_the_memo_shows_a_break_even_its_band_and_today_to_the_same_decimals(
        record, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    import simkit.ui.memo_html as memo_page

    price, rate = "vendors.msp.price_per_item", "workload.rate_per_hour"
    tornado = pd.DataFrame({"path": [price, rate], "base_value": [35.0, 0.85]})
    tornado.attrs["replications"] = 4
    evens = [BreakEven(price, "vendor", "in_house", "cost", 38.7123, 37.91, 39.2567, (8.75, 140.0), pd.DataFrame()),
             BreakEven(rate, "vendor", "in_house", "cost", 1.23456, 1.2, 1.2712, (0.68, 1.02), pd.DataFrame())]
    summary = SensitivitySummary("vendor", "in_house", "USD", tornado, evens, [-1, 1])
    monkeypatch.setattr(memo_page, "tornado_chart", lambda rec: (b"<svg/>", "tornado"))
    section = memo_page._sensitivity_section(dataclasses.replace(record, sensitivity=summary))
    items = re.findall(r"<li>(.*?)</li>", section)
    assert len(items) == 2
    assert "<b>38.7</b> (95% band 37.9 to 39.3); today 35.0" in items[0]
    assert "<b>1.235</b> (95% band 1.200 to 1.271); today 0.850" in items[1]
    assert summary.conditions() == ["the price per item of vendor msp stays below 38.7 USD/item",
                                    "the volume (arrivals per hour) stays above 1.235"]


# --------------------------------------------------------------------------- HTML: text is data
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_every_piece_of_scenario_text_is_escaped(small_helpdesk: sk.Scenario) -> None:
    sc = small_helpdesk.override({
        "name": f"Desk {HOSTILE}", "description": HOSTILE, "options.vendor.label": f"MSP {HOSTILE}",
        "sources": {"vendors.msp.price_per_item": f"quote {HOSTILE}"},
        "criteria": {"factors": {"control": {"weight": 1, "label": HOSTILE, "scores": {
            o: {"score": 3, "evidence": HOSTILE} for o in small_helpdesk.options}}}}})
    res = sk.simulate(sc, replications=2, seed=1, executor=None, progress=False)
    page = memo_html(memo_record(sc, res, with_sensitivity=False, scenario_text=f"# Sources: {HOSTILE}\n"))
    assert "<script" not in page and "onerror=alert" not in page.replace("onerror=alert(1)&gt;", "")
    assert re.search(r"<img(?![^>]*src=\"data:)[^>]*>", page) is None  # only the memo's own inline images
    assert page.count("&lt;script&gt;") >= 5


def test_factor_labels_cover_the_seven_factors() -> None:
    assert len(FACTORS) == 7 and "confidentiality_security" in FACTORS


# --------------------------------------------------------------------------- command line
def test_cli_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, monkeypatch) -> None:  # noqa: ANN001
    out = tmp_path / "memo.html"
    out.write_text("previous")
    for argv, words in (
        (["memo", "startup_it_helpdesk", "-o", str(tmp_path / "memo.txt")], "-o/--out must end in .html"),
        (["memo", "startup_it_helpdesk", "-o", str(out), "--pdf", str(tmp_path / "m.doc")], "--pdf must end in .pdf"),
        (["memo", "startup_it_helpdesk", "-o", str(out), "--discount-rate", "2"], "--discount-rate must be from 0"),
        (["memo", "startup_it_helpdesk", "-o", str(tmp_path)], "-o/--out must end in .html"),
        (["memo", "startup_it_helpdesk", "-o", str(out), "--criteria", str(tmp_path / "none.yaml")], "no such file"),
    ):
        assert cli.main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and words in err, err
    monkeypatch.setattr("simkit.ui.memo_html.CHROMIUM_PATHS", ())
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("SIMKIT_CHROMIUM", raising=False)
    assert cli.main(["memo", "startup_it_helpdesk", "-o", str(out), "--pdf", str(tmp_path / "m.pdf"), "-n", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the PDF needs Chromium" in err
    assert out.read_text() == "previous" and not (tmp_path / "m.pdf").exists()


def test_pdf_page_count_reads_the_page_tree() -> None:
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >> endobj\n" \
          b"3 0 obj << /Type /Page /Parent 1 0 R >> endobj\n"
    assert pdf_page_count(pdf) == 2
    assert pdf_page_count(b"not a pdf") == 0
    assert sys.version_info >= (3, 11)


def test_cli_sensitivity_prints_the_tornado_and_break_evens(small_helpdesk: sk.Scenario, tmp_path, capsys) -> None:  # noqa: ANN001
    scenario = tmp_path / "desk.yaml"
    scenario.write_text(small_helpdesk.to_yaml(), encoding="utf-8")
    levers = tmp_path / "levers.yaml"
    levers.write_text("levers:\n  price: {path: vendors.msp.price_per_item, low: 25, high: 45}\n"
                      "uncertainties:\n  pay: {path: teams.engineers.loaded_cost_per_hour, low: 40, high: 50}\n")
    argv = ["sensitivity", str(scenario), "--levers", str(levers), "--option", "vendor", "-n", "2", "--seed", "3"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "Tornado: savings of vendor against in_house" in out
    assert out.count("vendors.msp.price_per_item") >= 2 and "Break-evens of the top two" in out
    levers.write_text("levers:\n  price: {path: vendors.msp.price_per_item, low: 25, hihg: 45}\n")
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "levers.price: unknown key 'hihg' (did you mean 'high'?)" in err
    assert cli.main(["sensitivity", str(scenario), "--option", "vendr", "-n", "2"]) == 2
    assert "unknown option 'vendr'" in capsys.readouterr().err


def test_a_price_break_even_on_stored_logs_equals_a_fresh_one(small_helpdesk: sk.Scenario) -> None:
    from simkit.analysis.sensitivity import break_even

    stored = sk.simulate(small_helpdesk, replications=3, seed=4, executor=None, progress=False, keep_logs=True)
    kw = {"option": "vendor", "baseline": "in_house", "replications": 3, "seed": 4, "executor": None}
    fresh = break_even(small_helpdesk, "vendors.msp.price_per_item", (5.0, 140.0), **kw)
    again = break_even(small_helpdesk, "vendors.msp.price_per_item", (5.0, 140.0), stored=stored, **kw)
    assert np.isfinite(fresh.value)
    assert (again.value, again.band_low, again.band_high) == (fresh.value, fresh.band_low, fresh.band_high)


def test_conditions_read_as_plain_clauses() -> None:
    from simkit.analysis.sensitivity import BreakEven
    from simkit.analysis.sensitivity_summary import SensitivitySummary

    def be(path: str, value: float) -> BreakEven:
        return BreakEven(path, "vendor", "in_house", "cost_total_usd", value, value - 1, value + 1, (1.0, 9.0), None)

    s = SensitivitySummary("vendor", "in_house", "USD", None, [be("vendors.msp.price_per_item", 39.5),
                                                               be("workload.rate_per_hour", float("nan"))], [-1, 1])
    assert s.conditions() == ["the price per item of vendor msp stays below 39.5 USD/item"]
    team = SensitivitySummary("vendor", "in_house", "USD", None, [be("teams.engineers.loaded_cost_per_hour", 40.2)],
                              [1])
    assert team.conditions() == ["the loaded cost per hour of team engineers stays above 40.2 USD/h"]
    assert s.robust() == ["the volume (arrivals per hour) from 1 to 9"]


@pytest.mark.parametrize(("signum", "code"), [(2, 130), (15, 143)])
def test_an_interrupted_memo_writes_nothing(tmp_path, signum: int, code: int) -> None:  # noqa: ANN001
    import signal

    from ui.test_cli import HELPDESK, _start, _wait_until_working

    out = tmp_path / "memo.html"
    out.write_text("previous memo")
    proc, err = _start(tmp_path, "memo", HELPDESK, "-n", "400", "--seed", "1", "-o", str(out))
    _wait_until_working(proc, err)
    proc.send_signal(signum)
    assert proc.wait(timeout=180) == code
    text = err.read_text()
    last = text.strip().splitlines()[-1]
    assert last.startswith(f"interrupted ({signal.Signals(signum).name}): ") and "Traceback" not in text
    assert "nothing written, previous files unchanged" in last
    assert out.read_text() == "previous memo"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memo.html", "stderr.txt", "stdout.txt"]


# --------------------------------------------------------------------------- reuse and equal service
def test_the_tornado_on_stored_runs_equals_a_fresh_one_and_simulates_only_the_volume(
        small_helpdesk: sk.Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    from simkit.analysis.sensitivity import tornado
    from simkit.analysis.sensitivity_summary import default_levers, tornado_from_runs
    from simkit.experiment import simulate as experiment
    from simkit.experiment.design import resolve_levers
    from simkit.experiment.reprice import is_cost_only

    sc = small_helpdesk
    levers = resolve_levers(sc, default_levers(sc, "vendor", "in_house"))
    resimulated = [lv for lv in levers if not is_cost_only(lv.path)]
    assert resimulated and len(resimulated) < len(levers)  # prices and hourly costs, and the volume
    fresh = tornado(sc, levers, "savings", option="vendor", baseline="in_house", replications=3, seed=4,
                    executor=None, progress=False)
    stored = sk.simulate(sc, replications=3, seed=4, executor=None, progress=False, keep_logs=True)
    calls = []
    real = experiment.simulate
    monkeypatch.setattr(experiment, "simulate", lambda *a, **k: calls.append(a) or real(*a, **k))
    again = tornado_from_runs(sc, levers, "vendor", "in_house", stored, executor=None)
    assert len(calls) == 2 * len(resimulated)  # each re-simulated lever's two ends; nothing else
    pd.testing.assert_frame_equal(again, fresh, rtol=1e-12)
    assert again.attrs == fresh.attrs


def test_a_memo_at_equal_service_says_so_with_each_options_staffing(small_helpdesk: sk.Scenario) -> None:
    target = {"sla_attainment_share": 0.8}
    rec = sk.memo(small_helpdesk, None, equal_service=target, replications=3, seed=4, executor=None)
    eq = sk.compare_at_equal_service(small_helpdesk, target, replications=3, seed=4, executor=None)
    assert len(eq.met) >= 2 and rec.equal_service
    text = " ".join(rec.recommendation.split())
    assert "at equal service (each option staffed at the least cost that meets sla_attainment_share >= 0.8" in text
    for option, sizing in eq.sizings.items():
        label = small_helpdesk.option_label(option)
        assert label in text
        for path, n in (sizing.chosen or {}).items():
            pool = path.split(".")[1]
            assert re.search(rf"{n} \w+ (in team|at vendor) {pool} \(", text), (path, n)
    # the saving is the one at the right-sized staffing, not at the scenario's
    deltas = eq.results.paired_deltas(rec.versus, rec.recommended, eq.results.cost_column)
    years = (small_helpdesk.run.horizon_days - small_helpdesk.run.warmup_days) / 365.0
    assert rec.saving_per_year[0] == pytest.approx(deltas.mean() / years)


def test_an_option_that_cannot_reach_the_target_is_named_and_left_out(small_helpdesk: sk.Scenario) -> None:
    # the in-house team works office hours: no head count brings its attainment to 0.9, the vendor's does
    kw = {"replications": 2, "seed": 4, "max_evaluations": 12, "executor": None}
    rec = sk.memo(small_helpdesk, None, equal_service={"sla_attainment_share": 0.9}, **kw)
    text = " ".join(rec.recommendation.split())
    eq = sk.compare_at_equal_service(small_helpdesk, {"sla_attainment_share": 0.9}, **kw)
    assert "in_house" in eq.missed and len(eq.met) >= 2
    assert rec.versus in eq.met and rec.recommended in eq.met
    for option in eq.missed:
        assert f"{small_helpdesk.option_label(option)} cannot reach it at any staffing searched (up to 8 staff in " \
               "team engineers) and is left out" in text
    for option in eq.met:
        assert f"{small_helpdesk.option_label(option)} needs " in text
    with pytest.raises(ValueError, match=r"only 1 option\(s\) meet .*nothing to compare at equal service"):
        sk.memo(small_helpdesk, None, equal_service={"sla_attainment_share": 0.95}, **kw)


def test_cli_memo_equal_service(tmp_path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "memo.html"
    assert cli.main(["memo", "startup_it_helpdesk", "--set", "run.horizon_days=56", "-n", "3", "--seed", "4",
                     "--equal-service", "sla_attainment_share=0.8", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "at equal service (each option staffed at the least cost" in " ".join(said.split())
    assert "at equal service" in out.read_text()
    assert cli.main(["memo", "startup_it_helpdesk", "--equal-service", "sla_atainment_share=0.8",
                     "-o", str(tmp_path / "other.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--equal-service" in err and "sla_atainment_share" in err
    assert not (tmp_path / "other.html").exists()


def test_a_volume_break_even_from_the_tornados_ends_equals_a_fresh_one(
        small_helpdesk: sk.Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    from simkit.analysis.sensitivity import break_even
    from simkit.analysis.sensitivity_summary import RESIMULATED_XTOL

    path, bracket = "workload.rate_per_hour", (0.6, 1.4)
    kw = {"option": "vendor", "baseline": "in_house", "replications": 3, "seed": 4, "executor": None,
          "xtol": (bracket[1] - bracket[0]) * RESIMULATED_XTOL}
    fresh = break_even(small_helpdesk, path, bracket, **kw)
    ends = {x: sk.simulate(small_helpdesk.override({path: x}), 3, 4, executor=None, progress=False,
                           options=["vendor", "in_house"]) for x in bracket}
    calls = []
    real = sk.simulate
    from simkit.analysis import sensitivity

    monkeypatch.setattr(sensitivity, "simulate", lambda *a, **k: calls.append(a) or real(*a, **k))
    again = break_even(small_helpdesk, path, bracket, known=ends, **kw)
    assert len(fresh.evaluations) > 2  # a search inside the bracket, not only its ends
    assert len(calls) == len(fresh.evaluations) - 2  # the two ends were not simulated again
    pd.testing.assert_frame_equal(again.evaluations, fresh.evaluations, check_exact=True)
    assert (again.value, again.band_low, again.band_high, again.note) == (
        fresh.value, fresh.band_low, fresh.band_high, fresh.note)


def test_the_summary_on_stored_runs_equals_a_fresh_one_break_evens_included(
        small_helpdesk: sk.Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    """On stored runs the volume's break-even starts from the tornado's two ends: same frames, two runs fewer."""
    import pandas as pd

    from simkit.analysis import sensitivity
    from simkit.analysis.sensitivity_summary import summarise_sensitivity

    stored = sk.simulate(small_helpdesk, replications=3, seed=4, executor=None, progress=False, keep_logs=True)
    levers = [sk.Lever("workload.rate_per_hour", 0.6, 1.4), sk.Lever("vendors.msp.price_per_item", 20.0, 40.0)]
    kw = {"replications": 3, "seed": 4, "executor": None}
    fresh = summarise_sensitivity(small_helpdesk, "vendor", "in_house", levers, **kw)
    calls = []
    real = sk.simulate
    monkeypatch.setattr(sensitivity, "simulate", lambda *a, **k: calls.append(a) or real(*a, **k))
    reused = summarise_sensitivity(small_helpdesk, "vendor", "in_house", levers, stored=stored, **kw)
    volume = next(be for be in fresh.break_evens if be.path == "workload.rate_per_hour")
    assert len(calls) == len(volume.evaluations) - 2  # the price re-priced, the volume's ends taken from the tornado
    pd.testing.assert_frame_equal(reused.tornado, fresh.tornado, rtol=1e-12)
    assert [be.path for be in reused.break_evens] == [be.path for be in fresh.break_evens]
    for a, b in zip(reused.break_evens, fresh.break_evens, strict=True):
        pd.testing.assert_frame_equal(a.evaluations, b.evaluations, rtol=1e-12)
        assert (a.value, a.band_low, a.band_high) == pytest.approx((b.value, b.band_low, b.band_high), rel=1e-12,
                                                                   nan_ok=True)


def test_a_scenario_stating_items_a_year_varies_its_annual_volume(small_helpdesk: sk.Scenario) -> None:
    from simkit.analysis.sensitivity import BreakEven
    from simkit.analysis.sensitivity_summary import SPREAD, SensitivitySummary, default_levers

    data = small_helpdesk.to_dict()
    data["workload"].pop("rate_per_hour")
    data["workload"]["annual_volume"] = 9000.0
    sc = sk.Scenario.model_validate(data)
    volume = default_levers(sc, "vendor", "in_house")[-1]
    assert (volume.path, volume.low, volume.high) == ("workload.annual_volume", 9000.0 * (1 - SPREAD),
                                                      9000.0 * (1 + SPREAD))
    assert "workload.rate_per_hour" not in [lv.path for lv in default_levers(sc, "vendor", "in_house")]
    be = BreakEven(volume.path, "vendor", "in_house", "cost_total_usd", 8000.0, 7000.0, 9000.0, (7200.0, 10800.0),
                   None)
    assert SensitivitySummary("vendor", "in_house", "USD", None, [be], [1]).conditions() == [
        "the volume (items a year) stays above 8,000"]
