"""The fit itself (:func:`fit`, :class:`FitResult`); :mod:`simkit.fitting` exposes them lazily."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simkit.extras import require

require("scipy.stats", "simkit fit", "data")  # fitting efforts and trends; one line naming the extra if missing
require("matplotlib", "simkit fit", "data")  # the back-test charts of fit_report.html

from simkit.errors import ScenarioError  # noqa: E402
from simkit.fitting.backtest import BackTest, backtest  # noqa: E402
from simkit.fitting.effort import KindFit, fit_kinds  # noqa: E402
from simkit.fitting.profile import ArrivalFit, fit_arrivals, hourly_counts  # noqa: E402
from simkit.fitting.read import History, read_history  # noqa: E402
from simkit.fitting.write import scenario_yaml  # noqa: E402
from simkit.scenario.model import Scenario, loads  # noqa: E402
from simkit.scenario.schema import WorkloadSpec  # noqa: E402

__all__ = ["fit", "FitResult", "MIN_HISTORY_H"]

MIN_HISTORY_H = 24.0
"""The shortest history fitted, in hours from the first arrival (interval) to the last: a rate and a profile
of the working day need at least one whole day; from less (one row, rows all at one time) any volume written
would be made up.  The back-test's tolerances hold from 8 weeks on."""


@dataclass
class FitResult:
    """What :func:`fit` found: the cleaned history, the fits, the back-test and the scenario text."""

    history: History
    arrivals: ArrivalFit
    kinds: list[KindFit]
    backtest: BackTest
    annual_volume: float
    yaml: str
    scenario: Scenario

    @property
    def notes(self) -> list[str]:
        return [*self.history.notes, *self.arrivals.notes]

    def text(self) -> str:
        """The printed summary: column choices, data issues, fitted volume and the back-test table."""
        lines = [f"{self.history.source}: {self.history.rows_read:,} rows read ({self.history.shape})"]
        lines += [f"  {n}" for n in self.notes]
        issues = {k: v for k, v in self.history.issues.items() if v}
        lines.append("data issues: " + ("; ".join(f"{k}: {v:,}" for k, v in issues.items()) or "none"))
        a = self.arrivals
        growth = f"{a.growth_annual:+.1%}/year" if a.growth_estimable else "0 written, not estimable"
        lines.append(f"annual volume: {self.annual_volume:,.0f} items (growth {growth}, "
                     f"{'separable' if a.separable else '168-value'} weekly profile, day noise cv "
                     f"{a.day_noise_cv:.2f})")
        lines.append(f"back-test ({self.backtest.replications} replications):")
        lines += [f"  {line}" for line in self.backtest.table().splitlines()]
        return "\n".join(lines)

    def write(self, path: str | Path, report: str | Path | None = None, force: bool = False) -> Path:
        """Write the scenario YAML (and the HTML report); refuses to overwrite unless ``force``."""
        from simkit.fitting.files import write_new_text

        out = write_new_text(Path(path), self.yaml, force)
        if report is not None:
            from simkit.fitting.report import report_html

            write_new_text(Path(report), report_html(self), force=True)
        return out


def fit(source: str | Path | pd.DataFrame, *, time_column: str | None = None, count_column: str | None = None,
        kind_column: str | None = None, effort_column: str | None = None, effort_unit: str = "min",
        priority_column: str | None = None, resolved_column: str | None = None, interval: int | None = None,
        timezone: str | None = None, name: str | None = None, replications: int = 10,
        now: pd.Timestamp | None = None) -> FitResult:
    """Fit a scenario to a history of events or interval volumes (see the module docstring).

    Raises
    ------
    ScenarioError
        One line naming the file, column or option at fault when the history cannot be used.
    """
    hist = read_history(source, time_column=time_column, count_column=count_column, kind_column=kind_column,
                        effort_column=effort_column, effort_unit=effort_unit, priority_column=priority_column,
                        resolved_column=resolved_column, interval_min=interval, timezone=timezone, now=now)
    _long_enough(hist)
    frame = hourly_counts(hist)
    if frame["y"].sum() <= 0:
        raise ScenarioError("", "has no arrivals (every count is zero)", hist.source)
    arrivals = fit_arrivals(hist)
    kinds = fit_kinds(hist) if hist.shape == "events" else [_contact_kind()]
    bt = backtest(hist, frame, arrivals, kinds, replications=replications)
    years_span = (arrivals.end - arrivals.start).total_seconds() / 3600.0 / 8766.0
    level_end = arrivals.level_per_h * (1.0 + arrivals.growth_annual) ** years_span
    annual = WorkloadSpec.model_validate({
        "rate_per_hour": float(level_end), "hour_of_week": arrivals.how.tolist(),
        "growth_annual": arrivals.growth_annual,
        "month_of_year": None if arrivals.month is None else arrivals.month.tolist(),
        "kinds": {"k": {"share": 1, "effort_h": 1}}}).implied_annual_volume
    title = name or f"Fitted from {Path(hist.source).name}"
    text = scenario_yaml(hist, arrivals, kinds, annual, title)
    return FitResult(hist, arrivals, kinds, bt, annual, text, loads(text, "fitted scenario"))


def _contact_kind() -> KindFit:
    return KindFit("contact", ("all",), 0, 1.0, None, 1, "", None)


def _long_enough(hist: History) -> None:
    """Refuse a history that spans less than :data:`MIN_HISTORY_H` (one line naming the column and the span)."""
    times = hist.times.dropna()
    step_h = hist.interval_min / 60.0 if hist.shape == "intervals" else 0.0
    span_h = (times.max() - times.min()).total_seconds() / 3600.0 + step_h if len(times) else 0.0
    if span_h >= MIN_HISTORY_H:
        return
    dropped = ", ".join(f"{k}: {v}" for k, v in hist.issues.items() if v)
    raise ScenarioError("", f"has {len(times)} usable row(s) at {times.nunique()} distinct time(s) in column "
                            f"'{hist.columns['time'][:40]}'{f' ({dropped})' if dropped else ''}, spanning "
                            f"{span_h:.3g} h; a fit needs at least {MIN_HISTORY_H:g} h of history (8 weeks for "
                            "the back-test's tolerances)", hist.source)
