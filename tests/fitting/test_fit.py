"""``simkit fit``: recovering a known truth from the example histories, the back-test, and messy input.

The example files are drawn by :mod:`simkit.fitting.demo` from :data:`HELPDESK_TRUTH` and
:data:`CONTACT_TRUTH`.  Each file is one draw, so each recovered value is checked against the truth
with its 99% interval (about 2.6 standard errors), computed from the size of the data.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import simkit as sk
from simkit.fitting import fit
from simkit.fitting.demo import CONTACT_TRUTH, HELPDESK_TRUTH, helpdesk_tickets
from simkit.fitting.read import read_history

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"
HELPDESK, CONTACT = DATA / "helpdesk_tickets.csv", DATA / "contact_centre_intervals.csv"
Z99 = 2.576
NOW = pd.Timestamp("2026-01-01")


@pytest.fixture(scope="module")
def helpdesk() -> sk.fitting.FitResult:
    return fit(HELPDESK, effort_column="effort_min", effort_unit="min", now=NOW)


@pytest.fixture(scope="module")
def contact() -> sk.fitting.FitResult:
    return fit(CONTACT, timezone="America/New_York", replications=8)


def _mape(fitted: np.ndarray, truth: np.ndarray) -> float:
    has = truth > 0
    return float(np.mean(np.abs(fitted[has] - truth[has]) / truth[has]))


def test_example_files_are_reproducible_and_small() -> None:
    for p in (HELPDESK, CONTACT):
        assert p.stat().st_size < 2_000_000
    regenerated = helpdesk_tickets().to_csv(index=False)
    assert regenerated == HELPDESK.read_text()


def test_helpdesk_messy_rows_are_counted_exactly(helpdesk) -> None:
    m, issues = HELPDESK_TRUTH["messy"], helpdesk.history.issues
    assert issues["duplicate rows"] == m["duplicate rows"]
    assert issues["unparsable time"] == m["unparsable time"]
    assert issues["missing time"] == m["missing time"]
    assert issues["time in the future"] == m["future"]
    assert issues["negative effort (arrival kept)"] == m["negative effort"]
    assert issues["effort over 168 h (arrival kept)"] == m["absurd effort"]
    assert issues["unparsable effort (arrival kept)"] == m["unparsable effort"]
    assert "duplicate rows: 40" in helpdesk.text()


def test_helpdesk_profile_closed_days_and_holidays(helpdesk) -> None:
    a = helpdesk.arrivals
    assert a.separable  # the truth is separable and the data thin: the held-out test says so
    truth = np.outer(HELPDESK_TRUTH["day_of_week"], HELPDESK_TRUTH["hour_of_day"]).ravel()
    assert _mape(a.how, truth / truth.mean()) < 0.10
    assert a.closed_days == ["sun"]
    assert a.holidays == HELPDESK_TRUTH["holidays"]
    assert a.month is None and any("flat" in n for n in a.notes)


def test_helpdesk_growth_and_volume_within_their_intervals(helpdesk) -> None:
    a = helpdesk.arrivals
    truth_beta = math.log1p(HELPDESK_TRUTH["growth_annual"])
    assert abs(a.beta_per_year - truth_beta) < Z99 * a.beta_se
    assert a.beta_se < 0.06 and a.growth_annual > 0  # a clear trend, written to the scenario
    span = (a.end - a.start).total_seconds() / 3600 / 8766
    g = HELPDESK_TRUTH["growth_annual"]
    true_next_year = HELPDESK_TRUTH["annual_volume_at_start"] * (1 + g) ** span * g / math.log1p(g)
    holidays = 3 / 250  # three closed weekdays a year the scenario cannot hold yet
    rel_se = a.beta_se * (span + 0.5)  # the level and growth extrapolated from the middle of the data
    assert abs(math.log(helpdesk.annual_volume / true_next_year)) < Z99 * rel_se + holidays


def test_helpdesk_kinds_and_efforts(helpdesk) -> None:
    n = sum(k.count for k in helpdesk.kinds)
    labels = {k.labels[0]: k for k in helpdesk.kinds}
    assert set(labels) == set(HELPDESK_TRUTH["kinds"])
    for label, (share, family, mean_min, cv, _) in HELPDESK_TRUTH["kinds"].items():
        k = labels[label]
        assert abs(k.share - share) < Z99 * math.sqrt(share * (1 - share) / n)
        assert k.effort.family == family
        se_mean = cv * mean_min / 60 / math.sqrt(k.effort.n)
        assert abs(k.effort.mean_h - mean_min / 60) < Z99 * se_mean
        assert abs(k.effort.cv - cv) < 0.1 * cv
    assert labels["Incident"].priority_label == "P2" and labels["Incident"].priority == 1
    assert all(k.sla_h is not None and 8 < k.sla_h < 40 for k in helpdesk.kinds)


def test_contact_centre_recovers_profile_months_and_spread(contact) -> None:
    a, t = contact.arrivals, CONTACT_TRUTH
    assert not a.separable  # Saturdays peak in the morning: the 168-value profile predicts better
    assert _mape(a.how, np.asarray(t["hour_of_week"])) < 0.05
    days = contact.backtest.daily
    whole = days[days["hours"] >= 23]
    per_month = pd.Series(1, index=whole.index).groupby(whole.index.month).sum().to_numpy()
    month_se = np.sqrt(t["day_noise_cv"] ** 2 / per_month + 1 / (whole["observed"].mean() * per_month))
    assert np.all(np.abs(a.month / np.asarray(t["month_of_year"]) - 1) < Z99 * month_se + 0.01)
    assert abs(a.day_noise_cv - t["day_noise_cv"]) < 0.03
    rel_se = math.sqrt(1 / a.total_items + t["day_noise_cv"] ** 2 / len(whole))
    assert abs(contact.annual_volume / t["annual_volume"] - 1) < Z99 * rel_se
    lo, hi = a.growth_ci
    assert lo < 0 < hi and a.growth_annual == 0.0


def test_contact_centre_gaps_repeats_and_dst(contact) -> None:
    issues, t = contact.history.issues, CONTACT_TRUTH
    assert issues["repeated interval (first kept)"] == t["repeated_intervals"]
    assert issues["missing intervals (gaps, not counted as zero)"] == 96 * 2 + t["missing_intervals"]
    assert "mixed UTC offsets (rows not at the most common)" not in issues  # a zone was given
    assert contact.history.utc_offset_h == -5.0 and contact.history.interval_min == 15


@pytest.mark.parametrize("which", ["helpdesk", "contact"])
def test_backtest_tolerances_hold(which: str, request: pytest.FixtureRequest) -> None:
    s = request.getfixturevalue(which).backtest.summary
    assert s["how_mape"] <= 0.10
    assert abs(s["weekly_error"]) <= 0.03
    assert abs(s["daily_sd_sim"] / s["daily_sd_obs"] - 1) < 0.15  # day-to-day spread like the history


def test_written_scenario_is_commented_valid_and_runs(contact, tmp_path: Path) -> None:
    text = contact.yaml
    assert "# fitted:" in text and "held-out Poisson deviance" in text and "EDIT" in text
    p = tmp_path / "cc.yaml"
    contact.write(p, report=tmp_path / "fit_report.html")
    sc = sk.load(p)
    assert sc.workload.annual_volume == pytest.approx(contact.annual_volume, abs=1)
    # a history in a DST zone gives dated calendars on that zone's clock, starting after the history
    assert {c.timezone for c in sc.calendars.values()} == {"America/New_York"}
    assert sc.run.start_date is not None and sc.run.start_date.day == 1
    assert sc.run.start_date > contact.arrivals.end.date()
    assert sc.workload.day_noise_cv == pytest.approx(CONTACT_TRUTH["day_noise_cv"], abs=0.03)
    res = sk.simulate(sc.override({"run.horizon_days": 14}), replications=1, seed=1, progress=False)
    assert res.summary().set_index(["option", "kpi"])["mean"]["in_house", "items_arrived"] > 0
    rho = sc.summary().pools["utilisation_share"].iloc[0]
    assert 0.6 < rho <= 0.85 + 1e-9
    html = (tmp_path / "fit_report.html").read_text()
    assert html.count("<img") >= 3 and "Back-test" in html
    with pytest.raises(sk.ScenarioError, match="exists already"):
        contact.write(p)


def test_excel_and_parquet_read_like_csv(tmp_path: Path) -> None:
    df = pd.read_csv(CONTACT, dtype=str).iloc[: 96 * 70]
    df["offered_calls"] = df["offered_calls"].astype(int)
    (tmp_path / "a.csv").write_text(df.to_csv(index=False))
    df.to_parquet(tmp_path / "a.parquet")
    df.to_excel(tmp_path / "a.xlsx", index=False)
    vols = [fit(tmp_path / f"a.{ext}", timezone="America/New_York", replications=2).annual_volume
            for ext in ("csv", "parquet", "xlsx")]
    assert vols[0] == pytest.approx(vols[1]) == pytest.approx(vols[2])


def test_dst_naive_times_and_mixed_offsets() -> None:
    stamps = ["2024-03-09T23:30:00-05:00", "2024-03-10T03:30:00-04:00", "2024-11-03T01:30:00-04:00",
              "2024-11-03T01:30:00-05:00"]
    from simkit.fitting.read import parse_times

    issues: dict[str, int] = {}
    local, offset, utc = parse_times(pd.Series(stamps), __import__("zoneinfo").ZoneInfo("America/New_York"),
                                     issues, [])
    assert [t.strftime("%H:%M") for t in local] == ["23:30", "03:30", "01:30", "01:30"]  # wall clock
    assert utc.iloc[3] - utc.iloc[2] == pd.Timedelta(hours=1)  # the repeated hour stays two instants
    issues = {}
    parse_times(pd.Series(stamps), None, issues, notes := [])
    assert issues["mixed UTC offsets (rows not at the most common)"] == 2 and "--timezone" in notes[0]


@pytest.mark.parametrize(("content", "kwargs", "message"), [
    ("", {}, "is empty"),
    ("a,b\n1,2\n", {}, "no time column found"),
    ("time_a,time_b\n2024-01-01,2024-01-01\n", {}, "several columns could be the time"),
    ("created_at\nnope\nnever\n", {}, "no usable rows in column 'created_at'"),
    ("created_at\n2024-01-01 10:00\n", {"timezone": "Mars/Olympus"}, "not an IANA time zone"),
    ("created_at\n2024-01-01 10:00\n", {"time_column": "when"}, "is not a column"),
    ("start,count\n2024-01-01 10:00,3\n2024-01-01 10:07,2\n", {}, "mostly 7 minutes apart"),
])
def test_unusable_histories_end_with_one_line(tmp_path: Path, content: str, kwargs: dict, message: str) -> None:
    p = tmp_path / "h.csv"
    p.write_text(content)
    with pytest.raises(sk.ScenarioError, match=message) as err:
        fit(p, **kwargs)
    assert "\n" not in str(err.value) and str(p) in str(err.value)


def test_unreadable_paths(tmp_path: Path) -> None:
    for path, message in ((tmp_path / "none.csv", "no such file"), (tmp_path, "not a regular file"),
                          (tmp_path / "x.json", "allowed: .csv")):
        if path.suffix == ".json":
            path.write_text("{}")
        with pytest.raises(sk.ScenarioError, match=message):
            fit(path)


@settings(max_examples=25, deadline=None)
@given(dups=st.integers(0, 20), bad=st.integers(0, 20), missing=st.integers(0, 20), negative=st.integers(0, 20),
       future=st.integers(0, 5), seed=st.integers(0, 2**16))
def test_messy_rows_are_counted_whatever_the_mix(dups: int, bad: int, missing: int, negative: int, future: int,
                                                 seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 300
    times = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.sort(rng.uniform(0, 60 * 86400, n)).round(), unit="s")
    df = pd.DataFrame({"id": np.arange(n).astype(str), "created_at": times.strftime("%Y-%m-%d %H:%M:%S"),
                       "effort_min": rng.uniform(1, 50, n).round(2).astype(str)})
    rows = iter(rng.permutation(n))
    for k, col, value in ((bad, "created_at", "31/31/2024 99:99"), (missing, "created_at", ""),
                          (negative, "effort_min", "-3")):
        for _ in range(k):
            df.loc[next(rows), col] = value
    extra = df.loc[[next(rows) for _ in range(dups)]]
    late = df.loc[[next(rows) for _ in range(future)]].assign(created_at="2030-01-01 00:00:00", id="late")
    late["id"] = [f"late{i}" for i in range(len(late))]
    hist = read_history(pd.concat([df, extra, late]), effort_column="effort_min", now=pd.Timestamp("2025-01-01"))
    got = {k: v for k, v in hist.issues.items() if v}
    want = {"duplicate rows": dups, "unparsable time": bad, "missing time": missing,
            "negative effort (arrival kept)": negative, "time in the future": future}
    assert got == {k: v for k, v in want.items() if v}
    assert len(hist.times) == n - bad - missing
