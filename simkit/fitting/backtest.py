"""Back-test: simulate the fitted workload over the history's period and compare it with the history.

The fitted :class:`~simkit.scenario.schema.WorkloadSpec` is run through :func:`simkit.workload.trace.generate` —
the same generator every scenario uses — for several replications, placed so that the simulated
weekday, hour and month line up with the history's first day.  Compared are:

* **hour of week** — mean items per week in each of the 168 local hours: the mean absolute percentage
  error over *hours with volume* (observed at least one item a week on average) and the
  volume-weighted error ``sum |obs - sim| / sum obs`` over all hours;
* **weekly volume** — mean items per week, observed against simulated;
* **daily totals** — mean and standard deviation across whole days (over-dispersion shows here; the
  simulated figure is the mean over replications of each run's standard deviation across days);
* **months** — mean items per day in each calendar month present;
* **effort** — the 10th, 50th and 90th percentiles per kind, observed against the fitted distribution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simkit.fitting.effort import KindFit
from simkit.fitting.profile import ArrivalFit
from simkit.fitting.read import History
from simkit.scenario.distributions import parse_dist
from simkit.scenario.schema import WorkloadSpec
from simkit.units import HOURS_PER_YEAR
from simkit.workload.trace import generate

__all__ = ["BackTest", "backtest", "MIN_WEEKLY_ITEMS"]

MIN_WEEKLY_ITEMS = 1.0
"""An hour of the week 'has volume' when it holds at least this many items a week on average."""


@dataclass(frozen=True)
class BackTest:
    """Observed against simulated; ``summary`` holds the headline errors (shares, not percent)."""

    hour_of_week: pd.DataFrame
    daily: pd.DataFrame
    months: pd.DataFrame
    effort: pd.DataFrame
    summary: dict[str, float]
    replications: int

    def table(self) -> str:
        s = self.summary
        rows = [
            ("hour-of-week MAPE (hours with volume)", f"{s['how_mape']:.1%}"),
            ("hour-of-week volume-weighted error", f"{s['how_wape']:.1%}"),
            ("weekly volume: observed / simulated", f"{s['weekly_obs']:,.1f} / {s['weekly_sim']:,.1f} "
                                                    f"({s['weekly_error']:+.1%})"),
            ("daily total mean: observed / simulated", f"{s['daily_mean_obs']:,.1f} / {s['daily_mean_sim']:,.1f}"),
            ("daily total sd: observed / simulated", f"{s['daily_sd_obs']:,.1f} / {s['daily_sd_sim']:,.1f}"),
        ]
        if not self.effort.empty:
            worst = float(self.effort["rel_error"].abs().max())
            rows.append(("effort quantiles (p10/p50/p90): worst error", f"{worst:.1%}"))
        width = max(len(r[0]) for r in rows)
        return "\n".join(f"{a:<{width}}  {b}" for a, b in rows)


def backtest_spec(arr: ArrivalFit, kinds: list[KindFit], skip_h: float) -> WorkloadSpec:
    """The fitted workload at the history's starting level, placed ``skip_h`` hours into a January-first year."""
    g = arr.growth_annual
    level = arr.level_per_h * (1.0 + g) ** (-skip_h / HOURS_PER_YEAR)
    kind_map = {k.name: {"share": k.share, "effort_h": k.effort.dist if k.effort else "exponential(mean=0.25)"}
                for k in kinds}
    return WorkloadSpec.model_validate({
        "rate_per_hour": level, "hour_of_week": arr.how.tolist(),
        "month_of_year": None if arr.month is None else arr.month.tolist(), "growth_annual": g,
        "day_noise_cv": arr.day_noise_cv, "kinds": kind_map})


def _skip_h(start: pd.Timestamp) -> float:
    """Hours into the simulated year at which the history's first day falls, on the same weekday."""
    weekday_h = start.day_of_week * 24.0
    doy_h = (start - pd.Timestamp(year=start.year, month=1, day=1)).total_seconds() / 3600.0
    return weekday_h + 168.0 * max(0, round((doy_h - weekday_h) / 168.0))


def backtest(hist: History, frame: pd.DataFrame, arr: ArrivalFit, kinds: list[KindFit],
             replications: int = 20, seed: int = 20240601) -> BackTest:
    """Simulate ``replications`` runs of the fitted workload over the history and compare (module docstring)."""
    skip = _skip_h(arr.start)
    spec = backtest_spec(arr, kinds, skip)
    horizon = skip + len(frame)
    edges = skip + np.arange(len(frame) + 1, dtype=float)
    sim = np.zeros(len(frame))
    daily_sim = []
    observed = frame["e"].to_numpy() > 0
    e = frame["e"].to_numpy()
    for rng in (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(replications)):
        counts, _ = np.histogram(generate(spec, horizon, rng).arrival_h, bins=edges)
        counts = counts * np.where(observed, np.minimum(e, 1.0), 0.0)
        sim += counts
        daily_sim.append(pd.Series(counts, index=frame["day"]).groupby(level=0).sum())
    sim /= replications
    how = _how_table(frame, sim)
    daily = _daily_table(frame, daily_sim)
    months = _month_table(frame, sim)
    effort = _effort_table(hist, kinds)
    full = daily[daily["hours"] >= 23]
    weeks = frame.loc[observed, "e"].sum() / 168.0
    weekly_obs, weekly_sim = frame["y"].sum() / weeks, sim.sum() / weeks
    with_volume = how[how["observed"] >= MIN_WEEKLY_ITEMS]
    summary = {
        "how_mape": float((with_volume["simulated"] - with_volume["observed"]).abs().div(with_volume["observed"])
                          .mean()) if len(with_volume) else float("nan"),
        "how_wape": float((how["simulated"] - how["observed"]).abs().sum() / max(how["observed"].sum(), 1e-12)),
        "weekly_obs": float(weekly_obs), "weekly_sim": float(weekly_sim),
        "weekly_error": float(weekly_sim / weekly_obs - 1.0) if weekly_obs else float("nan"),
        "daily_mean_obs": float(full["observed"].mean()), "daily_mean_sim": float(full["sim_mean"].mean()),
        "daily_sd_obs": float(full["observed"].std()),
        "daily_sd_sim": float(np.mean([r[full.index].std() for r in daily_sim])),
    }
    return BackTest(how, daily, months, effort, summary, replications)


def _how_table(frame: pd.DataFrame, sim: np.ndarray) -> pd.DataFrame:
    weeks = np.bincount(frame["how"], weights=np.minimum(frame["e"], 1.0), minlength=168)
    weeks = np.where(weeks > 0, weeks, np.nan)
    obs = np.bincount(frame["how"], weights=frame["y"], minlength=168) / weeks
    simulated = np.bincount(frame["how"], weights=sim, minlength=168) / weeks
    return pd.DataFrame({"observed": obs, "simulated": simulated}).rename_axis("hour_of_week").fillna(0.0)


def _daily_table(frame: pd.DataFrame, daily_sim: list[pd.Series]) -> pd.DataFrame:
    obs = frame.groupby("day").agg(observed=("y", "sum"), hours=("e", "sum"))
    runs = pd.concat(daily_sim, axis=1)
    obs["sim_mean"], obs["sim_sd"] = runs.mean(axis=1), runs.std(axis=1, ddof=1)
    return obs


def _month_table(frame: pd.DataFrame, sim: np.ndarray) -> pd.DataFrame:
    by = pd.DataFrame({"month": frame.index.to_period("M"), "obs": frame["y"], "sim": sim,
                       "days": frame["e"] / 24.0}).groupby("month").sum()
    return pd.DataFrame({"observed_per_day": by["obs"] / by["days"], "simulated_per_day": by["sim"] / by["days"]})


def _effort_table(hist: History, kinds: list[KindFit]) -> pd.DataFrame:
    if hist.effort_h is None:
        return pd.DataFrame(columns=["kind", "quantile", "observed_h", "simulated_h", "rel_error"])
    rows, rng = [], np.random.default_rng(7)
    labels = (hist.kind if hist.kind is not None else np.full(len(hist.times), "work", dtype=object)).astype(str)
    for k in kinds:
        x = hist.effort_h[np.isin(labels, k.labels)]
        x = x[np.isfinite(x)]
        if k.effort is None or x.size < 30:
            continue
        draws = parse_dist(k.effort.dist).sample(rng, 100_000)
        for q in (0.1, 0.5, 0.9):
            o, s = float(np.quantile(x, q)), float(np.quantile(draws, q))
            rows.append({"kind": k.name, "quantile": q, "observed_h": o, "simulated_h": s, "rel_error": s / o - 1})
    return pd.DataFrame(rows, columns=["kind", "quantile", "observed_h", "simulated_h", "rel_error"])
