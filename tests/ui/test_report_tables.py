"""The report's tables read like the CLI and the memo: registry labels and units, registry formats, all-zero KPIs
left out and named, scenario text escaped.  Built from one small run, without executing the report notebook."""

from __future__ import annotations

import dataclasses
import html
import re
from html.parser import HTMLParser

import numpy as np
import pytest
from conftest import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markup import PAYLOADS, live_markup

import simkit as sk
from simkit.accounting import registry
from simkit.ui import report_tables as rt

SCENARIO = SCENARIOS / "startup_it_helpdesk.yaml"
SHORT = {"run.horizon_days": 56}
UNIT_WORDS = {"currency": "{cur}", "currency per item": "{cur}/item", "share": "%"}
"""How a registry unit reads in a heading (the other units read as they are)."""


class _Rows(HTMLParser):
    """The rows of the first table of a page: ``[[header cell, cell, ...], ...]``, text unescaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def rows_of(page: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(page[:page.index("</table>")])
    return parser.rows


def heading(kpi: registry.Kpi, cur: str) -> str:
    """The expected row name, built from the registry record (not from the function under test)."""
    return f"{kpi.label} ({UNIT_WORDS.get(kpi.unit, kpi.unit).format(cur=cur.upper())})"


@pytest.fixture(scope="module")
def res() -> sk.Results:
    return sk.simulate(sk.load(SCENARIO).override(SHORT), replications=3, seed=5, progress=False)


def all_zero(res: sk.Results) -> list[str]:
    return [c for c in res.kpi_columns if np.all(res.kpis[c].to_numpy(float) == 0.0)]


def test_every_row_is_named_by_the_registry_label_and_unit(res: sk.Results) -> None:
    cur = res.scenario.run.currency
    rows = rows_of(rt.kpi_table_html(res))
    header, body = rows[0], rows[1:]
    assert header[1:] == [res.scenario.options[o].label or o for o in res.options]
    zero = set(all_zero(res))
    expected = [heading(k, cur) for k in registry.KPIS if k.column(cur) not in zero]
    assert [r[0] for r in body] == expected and len(expected) >= 10
    page = rt.kpi_table_html(res)
    for column in res.kpi_columns:  # no column name anywhere, shown or left out
        assert column not in page


NUMBER = r"-?\d{1,3}(?:,\d{3})*"


@pytest.mark.parametrize("unit, decimals", [("currency", 0), ("currency per item", 0), ("items", None),
                                            ("people", None), ("share", 1), ("h", 1), ("count", None)])
def test_numbers_follow_the_registry_format(res: sk.Results, unit: str, decimals: int | None) -> None:
    """Money without cents, whole items and people, shares in percent with one decimal; each cell is the mean
    and its interval from ``summary``, read back from the text."""
    cur = res.scenario.run.currency
    s = res.summary().set_index(["kpi", "option"])
    table = rt.kpi_table(res)
    checked = 0
    for kpi in registry.KPIS:
        column = kpi.column(cur)
        if kpi.unit != unit or column in all_zero(res):
            continue
        places = decimals if decimals is not None else int(kpi.fmt.rstrip("f")[-1])
        if unit in ("items", "people") and kpi.fmt == ",.0f":
            assert places == 0  # a count of items or people is a whole number
        one = NUMBER + (rf"\.\d{{{places}}}" if places else "")
        scale = 100.0 if unit == "share" else 1.0
        for option in res.options:
            cell = table.loc[heading(kpi, cur), res.scenario.options[option].label or option]
            match = re.fullmatch(rf"({one})(?: \[({one}), ({one})\])?", cell)
            assert match, f"{column} / {option}: {cell!r}"
            row = s.loc[(column, option)]
            for text, value in zip(match.groups(), (row["mean"], row["ci_low"], row["ci_high"]), strict=True):
                if text is not None:
                    assert float(text.replace(",", "")) == pytest.approx(scale * value, abs=0.5 * 10.0 ** -places)
            checked += 1
    assert checked or unit == "count"  # the helpdesk has money, items, people, shares and hours to check
    if unit == "currency":
        assert "." not in "".join(table.loc[heading(registry.lookup(res.cost_column), cur)])


def test_all_zero_kpis_are_left_out_and_named_in_one_note(res: sk.Results) -> None:
    cur = res.scenario.run.currency
    zero = all_zero(res)
    assert len(zero) >= 3  # outages, exits, fx ...: mechanisms this scenario does not use
    assert rt.left_out(res) == zero
    page = rt.kpi_table_html(res)
    notes = re.findall(r'<p class="simkit-kpis-left-out">(.*?)</p>', page, re.S)
    assert len(notes) == 1 and "\n" not in notes[0]
    note = html.unescape(notes[0])
    shown = {r[0] for r in rows_of(page)[1:]}
    for column in zero:
        assert heading(registry.lookup(column), cur) in note
        assert heading(registry.lookup(column), cur) not in shown


def test_a_kpi_zero_for_one_option_only_is_kept(res: sk.Results) -> None:
    cur = res.scenario.run.currency
    by_option = res.kpis.groupby("option")[res.kpi_columns].apply(lambda g: (g == 0).all())
    partly = [c for c in res.kpi_columns if by_option[c].any() and not by_option[c].all()]
    assert "vendor_item_share" in partly  # 0 in house, not with the vendor
    shown = {r[0] for r in rows_of(rt.kpi_table_html(res))[1:]}
    for column in partly:
        assert heading(registry.lookup(column), cur) in shown
        assert heading(registry.lookup(column), cur) not in rt.left_out_note(res)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_left_out_means_zero_in_every_option_and_replication(res: sk.Results, data: st.DataObject) -> None:
    """Zero a random set of KPIs everywhere and others for random options only: exactly the first are left out."""
    kpis = res.kpis.copy()
    columns = res.kpi_columns
    everywhere = data.draw(st.sets(st.sampled_from(columns), max_size=8))
    some = data.draw(st.dictionaries(st.sampled_from(columns), st.sampled_from(res.options), max_size=8))
    for column in everywhere:
        kpis[column] = 0.0
    for column, option in some.items():
        if column not in everywhere:  # a KPI of some options only: give the others a value
            kpis[column] = np.where(kpis["option"] == option, 0.0, 1.0)
    changed = dataclasses.replace(res, kpis=kpis)
    zero = [c for c in columns if (kpis[c] == 0).all()]
    assert set(everywhere) <= set(zero)
    assert rt.left_out(changed) == zero
    assert rt.shown_kpis(changed) == [c for c in columns if c not in zero]
    cur = res.scenario.run.currency
    names = [r[0] for r in rows_of(rt.kpi_table_html(changed))[1:]]
    assert names == [heading(registry.lookup(c), cur) for c in columns if c not in zero]
    note = rt.left_out_note(changed)
    assert (note == "") == (not zero)
    for column in zero:
        assert heading(registry.lookup(column), cur) in note


def test_compare_table_reads_like_simkit_compare(res: sk.Results) -> None:
    cur = res.scenario.run.currency
    base = res.scenario.baseline_option
    option = next(o for o in res.options if o != base)
    rows = rows_of(rt.compare_table_html(res, option, base))
    assert rows[0][1:] == ["baseline", "option", "difference [95% CI]", "P(better)"]
    wanted = {registry.kpi_name(stem, cur) for stem in rt.COMPARED_STEMS}
    expected = [c for c in res.kpi_columns if c in wanted and c not in all_zero(res)]
    assert [r[0] for r in rows[1:]] == [heading(registry.lookup(c), cur) for c in expected]
    cmp = res.compare(option, base)
    for column, row in zip(expected, rows[1:], strict=True):
        kpi = registry.lookup(column)
        if kpi.is_money:
            assert "." not in "".join(row[1:4]), row
        delta = re.match(r"([+-][\d,.]+) \[", row[3])
        assert delta, row
        scale, places = (100.0, 1) if kpi.unit == "share" else (1.0, int(kpi.fmt.rstrip("f")[-1]))
        assert float(delta.group(1).replace(",", "")) == pytest.approx(scale * cmp.loc[column, "delta_mean"],
                                                                       abs=0.5 * 10.0 ** -places)


def test_ledger_table_has_no_cents_and_names_the_currency(res: sk.Results) -> None:
    rows = rows_of(rt.ledger_table_html(res))
    assert all(h.endswith(f"({res.scenario.run.currency.upper()})") for h in rows[0][1:])
    assert rows[0][-1].startswith("total")
    cells = [c for r in rows[1:] for c in r[1:]]
    assert cells and all(re.fullmatch(NUMBER, c) for c in cells)


def test_scenario_text_in_the_tables_is_escaped(res: sk.Results) -> None:
    sc = res.scenario
    labels = {f"options.{o}.label": f"{o} {PAYLOADS[i % len(PAYLOADS)]}" for i, o in enumerate(sc.option_names)}
    hostile = dataclasses.replace(res, scenario=sc.override(labels))
    base = sc.baseline_option
    pages = [rt.kpi_table_html(hostile), rt.ledger_table_html(hostile),
             *[rt.compare_table_html(hostile, o, base) for o in res.options if o != base]]
    for page in pages:
        assert live_markup(page) == []
    shown = html.unescape(pages[0])
    for option in sc.option_names:
        assert hostile.scenario.options[option].label in shown
