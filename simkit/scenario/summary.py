"""The load summary: what a scenario asks of every option, before anything is simulated.

A scenario written by hand is easy to get wrong by a factor nobody notices: a
rate of 1.03 items/h with hour and weekday multipliers that average 0.71 is
6,400 items a year, not 9,000.  :func:`load_summary` states the numbers a
reader would check on the back of an envelope:

* **annual items** — the expected first-year volume (:attr:`WorkloadSpec.implied_annual_volume`),
  and, when the multipliers of a hand-written ``rate_per_hour`` do not average 1,
  what ``rate_per_hour x 8766 h`` would have suggested instead;
* per option and pool, the **offered load** ``a = items / open hours x mean effort / productivity``
  (in Erlangs: busy agents needed on average while the pool is open), the **utilisation**
  ``a / servers`` on open hours, and the **Erlang C** preview (probability of waiting and mean
  wait of an M/M/c queue with that load, from :mod:`simkit.scenario.preview`);
* per vendor, the **implied revenue per agent-hour**: its expected fees over the agents' open
  hours — a price far from market rates for the skill means the price or the bench is wrong;
* **warnings**: a baseline below 50% utilisation is a straw man (every alternative looks cheap
  against idle staff); any pool at or above 100% cannot keep up and its backlog grows all run.

All of it is arithmetic on the scenario (no random numbers).  The simulation
is still the answer: these figures average away peaks and priorities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from simkit import analytic
from simkit.scenario.preflight import expected_items
from simkit.scenario.preview import preview
from simkit.units import HOURS_PER_YEAR

if TYPE_CHECKING:
    from simkit.scenario.model import Scenario

__all__ = ["LoadSummary", "load_summary", "STRAW_MAN_UTILISATION"]

STRAW_MAN_UTILISATION = 0.5
"""A baseline pool below this utilisation makes any alternative look cheap."""


@dataclass(frozen=True)
class LoadSummary:
    """The load summary of one scenario; ``str()`` gives the printed text.

    Attributes
    ----------
    annual_items
        Expected items in the first year.
    horizon_items
        Expected items over the whole run (warm-up included).
    profile_note
        What a hand-written rate would suggest when its multipliers do not average 1 ('' otherwise).
    pools
        One row per option and pool: ``option, pool, role, servers, items, open_h, offered_load_erlangs,
        utilisation_share, p_wait_share, wait_mean_h`` over the measured window.
    vendor_revenue
        One row per option with a vendor: ``option, vendor, fees, agent_open_h, revenue_per_agent_h``.
    overloaded, straw_man
        Warnings, one sentence each: pools at or above 100% utilisation; baseline pools below 50%.
    """

    name: str
    currency: str
    annual_items: float
    horizon_items: float
    profile_note: str
    pools: pd.DataFrame
    vendor_revenue: pd.DataFrame
    overloaded: list[str] = field(default_factory=list)
    straw_man: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """Every warning: overloaded pools, then a straw-man baseline."""
        return [*self.overloaded, *self.straw_man]

    def __str__(self) -> str:
        return format_summary(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # noqa: ANN001 - IPython's protocol
        printer.text(str(self))


def _mean_effort_h(scenario: Scenario, kinds: list[str]) -> float:
    specs = [scenario.workload.kinds[k] for k in kinds]
    total = sum(s.share for s in specs)
    return sum(s.share / total * s.effort_h.mean for s in specs) if specs else 0.0


def _pool_kinds(scenario: Scenario, option: str, role: str) -> list[str]:
    opt = scenario.options[option]
    kinds = list(scenario.workload.kinds)
    if opt.routing != "by_kind":
        return kinds
    to_vendor = [k for k in kinds if k in opt.vendor_kinds]
    return to_vendor if role == "vendor" else [k for k in kinds if k not in opt.vendor_kinds]


def _pool_rows(scenario: Scenario, pools: pd.DataFrame) -> pd.DataFrame:
    t0, t1 = scenario.run.warmup_days * 24.0, scenario.run.horizon_days * 24.0
    rows = []
    for r in pools.itertuples(index=False):
        spec = scenario.teams[r.pool] if r.role == "team" else scenario.vendors[r.pool]
        open_h = (scenario.team_hours(r.pool, t0, t1)[1] if r.role == "team"
                  else scenario.calendar(spec.calendar).working_hours(t0, t1))
        present = spec.available_share if r.role == "team" else 1.0  # absence slows a team's work rate
        kinds_h = _mean_effort_h(scenario, _pool_kinds(scenario, r.option, r.role)) / (spec.productivity * present)
        service_h = r.service_mean_h if r.tier > 1 else kinds_h  # an escalation tier works at its own effort
        load = r.arrivals_items / open_h * service_h if open_h > 0 else (math.inf if r.arrivals_items else 0.0)
        util = load / r.servers if r.servers else (math.inf if load > 0 else 0.0)
        p_wait = analytic.erlang_c(int(r.servers), load) if 0 < load < r.servers else (1.0 if load else 0.0)
        rows.append({"option": r.option, "pool": r.pool, "role": r.role, "servers": int(r.servers),
                     "items": float(r.arrivals_items), "open_h": open_h, "offered_load_erlangs": load,
                     "utilisation_share": util, "p_wait_share": p_wait, "wait_mean_h": float(r.wait_mean_h)})
    return pd.DataFrame(rows)


def _vendor_rows(scenario: Scenario, pools: pd.DataFrame) -> pd.DataFrame:
    t0, t1 = scenario.run.warmup_days * 24.0, scenario.run.horizon_days * 24.0
    rows = []
    for name, opt in scenario.options.items():
        if opt.vendor is None:
            continue
        v = scenario.vendors[opt.vendor]
        agent_h = v.agents * scenario.calendar(v.calendar).working_hours(t0, t1)
        mine = pools[(pools["option"] == name) & (pools["pool"] == opt.vendor) & (pools["tier"] == 1)]
        fees = float(mine["vendor_fees"].sum())  # the first-tier vendor's own, not an escalation tier's
        rows.append({"option": name, "vendor": opt.vendor, "fees": fees, "agent_open_h": agent_h,
                     "revenue_per_agent_h": fees / agent_h if agent_h > 0 else math.inf})
    return pd.DataFrame(rows, columns=["option", "vendor", "fees", "agent_open_h", "revenue_per_agent_h"])


def _profile_note(scenario: Scenario) -> str:
    w = scenario.workload
    if w.annual_volume is not None or abs(w.profile_mean - 1.0) < 1e-9:
        return ""
    naive = w.rate_per_hour * HOURS_PER_YEAR
    return (f"the hour/day/month multipliers average {w.profile_mean:.3g}, not 1: rate_per_hour "
            f"{w.rate_per_hour:g} x 8,766 h would be {naive:,.0f} items a year, but this profile gives "
            f"{w.implied_annual_volume:,.0f}; write workload.annual_volume to state the volume directly")


def _warnings(scenario: Scenario, pools: pd.DataFrame) -> tuple[list[str], list[str]]:
    overloaded, straw_man = [], []
    base = scenario.baseline_option
    for r in pools.itertuples(index=False):
        if r.utilisation_share >= 1.0:
            overloaded.append(f"option '{r.option}': {r.pool} is overloaded ({_pct(r.utilisation_share)} of its "
                              "open hours); its backlog grows for the whole run")
        elif r.option == base and r.items > 0 and r.utilisation_share < STRAW_MAN_UTILISATION:
            straw_man.append(f"baseline '{base}': {r.pool} is busy only {r.utilisation_share:.0%} of its open "
                             "hours; against idle staff every alternative looks cheap (a straw man): size it "
                             "to the load")
    return overloaded, straw_man


def load_summary(scenario: Scenario) -> LoadSummary:
    """The load summary of ``scenario`` (see the module docstring)."""
    pv = preview(scenario)
    first_year = scenario.workload.implied_annual_volume
    pools = _pool_rows(scenario, pv.pools)
    return LoadSummary(scenario.name, scenario.run.currency, first_year, expected_items(scenario),
                       _profile_note(scenario), pools, _vendor_rows(scenario, pv.pools),
                       *_warnings(scenario, pools))


def _pct(x: float) -> str:
    return "inf" if math.isinf(x) else f"{x:.0%}"


def format_summary(s: LoadSummary) -> str:
    """The summary as a few aligned lines of text."""
    lines = [f"annual items: {s.annual_items:,.0f} (first year); over the run: {s.horizon_items:,.0f}"]
    if s.profile_note:
        lines.append(f"note: {s.profile_note}")
    lines.append(f"{'option':<18} {'pool':<16} {'servers':>7} {'load (Erl)':>10} {'util':>6} {'P(wait)':>8} "
                 f"{'wait h':>8}")
    for r in s.pools.itertuples(index=False):
        wait = "inf" if math.isinf(r.wait_mean_h) else f"{r.wait_mean_h:.2f}"
        lines.append(f"{r.option[:18]:<18} {r.pool[:16]:<16} {r.servers:>7} {r.offered_load_erlangs:>10.2f} "
                     f"{_pct(r.utilisation_share):>6} {_pct(r.p_wait_share):>8} {wait:>8}")
    for r in s.vendor_revenue.itertuples(index=False):
        per_h = "inf" if math.isinf(r.revenue_per_agent_h) else f"{r.revenue_per_agent_h:,.2f}"
        lines.append(f"{r.option}: vendor '{r.vendor}' earns {per_h} {s.currency} per agent-hour on shift")
    lines += [f"warning: {w}" for w in s.warnings]
    return "\n".join(lines)
