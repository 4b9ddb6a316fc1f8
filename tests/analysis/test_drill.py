"""Exit drill: the time to restore against its fluid closed form, the measures, the report and the CLI.

Closed form (no ramp-up): items arrive at rate lambda; the vendor exits at t_x and the fallback (service
rate mu) starts L hours later.  FIFO, the item arriving u hours after the exit finishes at
t_x + L + lambda u / mu, so its lead time is L - u (1 - lambda / mu): late while
u < u* = (L - SLA) / (1 - rho), rho = lambda / mu.  The last late item is due at t_x + u* + SLA; with
weeks counted from the exit, service is restored at the start of the first whole week after that
(when the week holding it misses the target).  L = 298 h, SLA = 8 h, rho = 0.5: due at 588 h, in week 3
(504-672 h, half of it late), so the time to restore is 672 h.
"""

from __future__ import annotations

import hashlib
import math
import re

import numpy as np
import pytest
from conftest import SCENARIOS

import simkit as sk
from simkit.analysis.exit_drill import _plan, drill, time_to_restore, weekly_attainment, wilson
from simkit.engine import simulate_option
from simkit.streams import Streams
from simkit.ui.cli import main
from simkit.ui.drill_report import html_section, write_html
from simkit.units import HOURS_PER_MONTH
from simkit.workload.trace import Trace

L_H, SLA_H, AT_MONTH = 298.0, 8.0, 2
LAST_LATE_DUE = (L_H - SLA_H) / (1 - 0.5) + SLA_H  # 588 h after the exit


def scenario(name: str = "drill by hand", ramp: dict | None = None) -> sk.Scenario:
    return sk.Scenario.model_validate({
        "name": name,
        "run": {"horizon_days": 180, "warmup_days": 0, "replications": 6, "seed": 5},
        "workload": {"rate_per_hour": 1.0, "kinds": {"job": {"share": 1, "effort_h": 1.0, "sla_h": SLA_H}}},
        "teams": {"rebuilt": {"staff": 2, "loaded_cost_per_hour": 40.0}},
        "vendors": {"acme": {"agents": 3, "price_per_item": 30.0,
                             "exit": {"fallback": "rebuilt", "switch_lead_h": L_H, "switching_cost": 10000.0,
                                      "exit_fee": 2500.0, "hazard_per_year": 5.0, **(ramp or {})}}},
        "options": {"in_house": {"team": "rebuilt"}, "vendor": {"vendor": "acme"}},
    })


def hourly_trace(horizon_h: float = 180 * 24.0) -> Trace:
    arrivals = np.arange(0.5, horizon_h, 1.0)
    n = arrivals.size
    return Trace(arrivals, np.zeros(n, np.int16), np.ones(n), np.full((n, 4), 0.5), np.full(n, np.inf),
                 ("job",), (1,), (SLA_H,))


def test_deterministic_last_late_item_matches_the_fluid_closed_form() -> None:
    drilled, _, vendor, fallback = _plan(scenario(), "vendor", AT_MONTH)
    assert (vendor, fallback) == ("acme", "rebuilt")
    assert drilled.vendors["acme"].exit.hazard_per_year == 0  # the drill shows the plan alone
    log = simulate_option(drilled, "vendor", hourly_trace(), Streams(1, 0))
    t_x = AT_MONTH * HOURS_PER_MONTH
    late = (log.end_h > log.trace.due_h + 1e-9) | np.isnan(log.end_h)
    assert not late[log.trace.arrival_h < t_x - 1].any()  # the vendor kept the SLA before the exit
    last_due = log.trace.due_h[late & (log.trace.arrival_h < t_x + 2000)].max() - t_x
    assert abs(last_due - LAST_LATE_DUE) <= 2.0  # discrete: two servers finish in pairs, one hour each
    edges = t_x + 168.0 * np.arange(0, 10)
    restore = time_to_restore(weekly_attainment(log, edges), 0.9)
    assert restore == 168.0 * math.ceil(LAST_LATE_DUE / 168.0) == 672.0


def test_drill_restores_where_the_closed_form_says_in_every_replication() -> None:
    res = drill(scenario(), "vendor", AT_MONTH, replications=6, tolerance_days=28)
    assert (res.runs["restore_h"] == 672.0).all(), res.runs["restore_h"].tolist()
    s = res.summary()
    assert s["p_restored_within_tolerance"] == 1.0 and s["p_restored_ci_low"] > 0.5
    assert (res.runs["one_off_cost"] == 12500.0).all()  # switching (k = 0.5: as written) + exit fee
    # the gap holds ~298 items (Poisson, mean lambda L): the backlog peak is that, give or take
    assert 298 - 4 * math.sqrt(298) < s["backlog_peak_items"] < 298 + 4 * math.sqrt(298) + 5
    assert s["backlog_peak_no_exit_items"] < 30
    weeks = res.weekly.set_index("week")
    assert weeks.loc[0:2, "drill_mean"].max() < 0.1 and weeks.loc[4:, "drill_mean"].min() > 0.95
    assert (weeks.loc[-4:-1, "drill_mean"] == weeks.loc[-4:-1, "no_exit_mean"]).all()  # same luck before


def test_a_slow_ramp_delays_the_restore_past_the_tolerance() -> None:
    slow = scenario(ramp={"ramp_start_productivity": 0.4, "ramp_months": 1})
    res = drill(slow, "vendor", AT_MONTH, replications=4, tolerance_days=28)
    # during the ramp month the team serves 0.8 items an hour: no week can meet the SLA until it ends
    assert (res.runs["restore_h"] > L_H + HOURS_PER_MONTH).all()
    assert res.summary()["p_restored_within_tolerance"] == 0.0


def test_same_seed_same_numbers() -> None:
    a = drill(scenario(), "vendor", AT_MONTH, replications=3, seed=9)
    b = drill(scenario(), "vendor", AT_MONTH, replications=3, seed=9)
    assert a.runs.equals(b.runs) and a.weekly.equals(b.weekly)


@pytest.mark.parametrize(("k", "n"), [(0, 10), (10, 10), (3, 7), (50, 100)])
def test_wilson_interval_contains_the_share_and_stays_in_0_1(k: int, n: int) -> None:
    lo, hi = wilson(k, n)
    assert 0 <= lo <= k / n <= hi <= 1
    assert hi - lo < 1


@pytest.mark.parametrize(("file", "option", "at"), [("vendor_exit_insourcing.yaml", "vendor", 6),
                                                    ("dual_sourcing_vendor_failure.yaml", "dual", 3)])
def test_report_builds_for_the_exit_and_dual_sourcing_archetypes(tmp_path, file: str, option: str,
                                                                 at: float) -> None:
    path = SCENARIOS / file
    res = drill(path, option, at, replications=2)
    out = write_html(res, tmp_path / "drill.html")
    page = out.read_text(encoding="utf-8")
    assert hashlib.sha256(path.read_bytes()).hexdigest() in page
    assert sk.load(path).fingerprint() in page
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]{200,}" alt="Weekly SLA attainment', page)
    for word in ("Time to restore", "Backlog peak", "One-off cost", "Running cost", "Provenance", "Seed",
                 sk.__version__):
        assert word in page
    assert not list(tmp_path.glob(".*.tmp"))


def test_scenario_text_is_escaped() -> None:
    res = drill(scenario(name="<script>alert('x')</script> & co"), "vendor", AT_MONTH, replications=1)
    section = html_section(res)
    assert "<script>" not in section and "&lt;script&gt;" in section and "&amp; co" in section


def test_cli_drill_prints_and_writes(tmp_path, capsys) -> None:
    out = tmp_path / "evidence" / "drill.html"
    code = main(["drill", str(SCENARIOS / "vendor_exit_insourcing.yaml"), "--option", "vendor", "--at", "6",
                 "-n", "2", "--tolerance-days", "60", "-o", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "time to restore" in text and "P(restored within 1,440 h" in text and out.is_file()


@pytest.mark.parametrize(("args", "message"), [
    (["--option", "nope", "--at", "3"], "--option: unknown option 'nope'"),
    (["--option", "in_house", "--at", "3"], "has no vendor to exit"),
    (["--option", "single", "--at", "3"], "vendors.alpha.exit: the vendor 'alpha' of option 'single' has no exit plan"),
    (["--option", "dual", "--at", "-1"], "--at: must be a month in [0, "),
    (["--option", "dual", "--at", "nan"], "--at: must be a month"),
    (["--option", "dual", "--at", "3", "-o", "x.txt"], "-o/--out must end in .html"),
    (["--option", "dual", "--at", "3", "--sla-target", "1.5"], "--sla-target: must be in (0, 1]"),
    (["--option", "dual", "--at", "3", "--tolerance-days", "-2"], "--tolerance-days"),
])
def test_cli_drill_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args: list[str], message: str) -> None:
    code = main(["drill", str(SCENARIOS / "dual_sourcing_vendor_failure.yaml"), "-n", "1", *args])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and message in err, err
    assert not list(tmp_path.iterdir())


def test_cli_drill_refuses_a_folder_as_output_and_keeps_the_previous_file(tmp_path, capsys) -> None:
    folder = tmp_path / "report.html"
    folder.mkdir()
    code = main(["drill", str(SCENARIOS / "dual_sourcing_vendor_failure.yaml"), "--option", "dual", "--at", "3",
                 "-n", "1", "-o", str(folder)])
    assert code == 2 and "is a folder" in capsys.readouterr().err
    assert folder.is_dir() and not list(folder.iterdir())


def test_cli_drill_with_set_keeps_the_file_hash_and_names_the_changes(tmp_path, capsys) -> None:
    path = SCENARIOS / "dual_sourcing_vendor_failure.yaml"
    out = tmp_path / "drill.html"
    code = main(["drill", str(path), "--option", "dual", "--at", "2", "-n", "1", "--set", "run.horizon_days=120",
                 "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    assert hashlib.sha256(path.read_bytes()).hexdigest() in page and "--set run.horizon_days=120" in page
    assert sk.load(path).override({"run.horizon_days": 120}).fingerprint() in page
