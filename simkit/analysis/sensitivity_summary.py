"""Which assumptions move the answer, and where the choice flips: the tornado and the top two break-evens.

``simkit sensitivity SCENARIO --levers FILE`` prints this summary and the decision
memo shows it.  The metric is the *savings* of one option against another
(the other's total cost minus this one's, per replication, on common random
numbers).  The levers file is the one ``simkit sweep --levers`` reads
(:func:`simkit.experiment.design.load_levers`)::

    levers:                        # decisions you control
      msp_price: {path: vendors.msp.price_per_item, low: 28, high: 42}
    uncertainties:                 # what you do not control
      volume: {path: workload.rate_per_hour, low: 0.68, high: 1.02}

Without a file, :func:`default_levers` takes +-20 % of the prices, the hourly
cost of the teams and the arrival rate the two options use.  The two levers
with the largest swing get a break-even (:func:`simkit.analysis.sensitivity.break_even`):
the value at which the two options cost the same.  A price (a cost-only field)
is re-priced on the same run logs, so its break-even is searched over a quarter
to four times the scenario's value at no extra simulation; any other field is
searched over its lever range, to :data:`RESIMULATED_XTOL` of it.

Given the comparison's runs with their logs (``stored``), the tornado re-prices those logs for every
cost-only lever and takes its base point from them, so only the other levers' ends are simulated
(:func:`tornado_from_runs`).  On common random numbers a cost-only field changes no event, so the numbers
are those of :func:`simkit.analysis.sensitivity.tornado`, at a fraction of the runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simkit.analysis.sensitivity import MAX_DECIMALS, band_decimals, format_in_band  # noqa: F401 - re-exported
from simkit.experiment.design import Lever, current_value, resolve_levers
from simkit.experiment.execution import ExecutorArg
from simkit.experiment.reprice import is_cost_only
from simkit.experiment.results import Results
from simkit.scenario.model import Scenario
from simkit.stats.estimates import mean_ci

__all__ = ["SensitivitySummary", "default_levers", "summarise_sensitivity", "tornado_from_runs", "BRACKET_FACTORS",
           "SPREAD", "band_decimals", "format_in_band"]

SPREAD = 0.2
"""Default lever range: the scenario's value +- 20 %."""
BRACKET_FACTORS = (0.25, 4.0)
"""A cost-only field's break-even is searched from a quarter to four times its value (re-pricing is free)."""
_UNITS = {"price_per_item": "{cur}/item", "loaded_cost_per_hour": "{cur}/h", "price_per_fte_month": "{cur}/FTE-month",
          "fee_per_month": "{cur}/month", "overhead_per_fte_month": "{cur}/FTE-month", "transition_cost": "{cur}"}
"""Units of the money fields a lever names most often, for the recommendation's clauses."""
RESIMULATED_XTOL = 0.05
"""A re-simulated field's break-even is found to 5 % of its lever range: each step costs a simulation, and a memo
states the value to two or three figures."""
def default_levers(scenario: Scenario, option: str, versus: str) -> list[Lever]:
    """+-:data:`SPREAD` of the prices and hourly costs of the pools ``option`` and ``versus`` use, and of volume.

    The volume is ``workload.rate_per_hour``, or ``workload.annual_volume`` in a scenario that states its volume
    in items a year.
    """
    paths: list[str] = []
    for name in (option, versus):
        spec = scenario.options[name]
        if spec.vendor is not None:
            v = scenario.vendors[spec.vendor]
            fields = {"per_item": ["price_per_item"], "per_fte_month": ["price_per_fte_month"],
                      "fixed_plus_per_item": ["price_per_item", "fee_per_month"]}[v.pricing]
            paths += [f"vendors.{spec.vendor}.{f}" for f in fields]
        if spec.team is not None:
            paths.append(f"teams.{spec.team}.loaded_cost_per_hour")
    # the volume as the scenario states it: a base rate, or items a year (then there is no rate field to vary)
    paths.append("workload.annual_volume" if scenario.workload.annual_volume is not None else "workload.rate_per_hour")
    levers = []
    for path in dict.fromkeys(paths):
        base = float(current_value(scenario, path))
        if base > 0:
            levers.append(Lever(path, base * (1 - SPREAD), base * (1 + SPREAD)))
    return levers


@dataclass
class SensitivitySummary:
    """The tornado of ``savings`` of ``option`` against ``versus`` and the break-evens of its top two levers."""

    option: str
    versus: str
    currency: str
    tornado: pd.DataFrame
    break_evens: list = field(default_factory=list)  # simkit.analysis.sensitivity.BreakEven
    directions: list[int] = field(default_factory=list)  # +1: savings rise with the lever, -1: they fall

    def _name(self, path: str) -> tuple[str, str]:
        """A lever's plain name ("the price per item of vendor msp") and its unit (" USD/item").

        The owner is named with its section ("vendor msp", "team engineers"): a reader of the memo meets the
        options by their labels and would not otherwise know what a bare "msp" is.
        """
        if path == "workload.rate_per_hour":
            return "the volume (arrivals per hour)", ""
        if path == "workload.annual_volume":
            return "the volume (items a year)", ""
        parts = path.split(".")
        field_name = parts[-1]
        words = field_name.removesuffix("_h").removesuffix("_share").replace("_", " ").replace("fte", "FTE")
        owner = parts[-2] if len(parts) >= 3 else ""
        section = {"teams": "team", "vendors": "vendor"}.get(parts[0], "") if len(parts) == 3 else ""
        owner = f"{section} {owner}" if owner and section else owner
        unit = _UNITS.get(field_name, "").format(cur=self.currency)
        return (f"the {words} of {owner}" if owner else f"the {words}"), (f" {unit}" if unit else "")

    def conditions(self) -> list[str]:
        """Plain clauses for the recommendation, one per break-even found: "the price ... stays below 41.2 USD/item"
        (to the decimals of its band, :func:`band_decimals`, as the memo's list of break-evens shows it)."""
        out = []
        for be, way in zip(self.break_evens, self.directions, strict=True):
            if np.isfinite(be.value):
                name, unit = self._name(be.path)
                shown = format_in_band(be.value, band_decimals(be.value, be.band_low, be.band_high))
                out.append(f"{name} stays {'below' if way < 0 else 'above'} {shown}{unit}")
        return out

    def robust(self) -> list[str]:
        """The top levers that do not flip the choice anywhere in their searched range, as clauses."""
        out = []
        for be in self.break_evens:
            if not np.isfinite(be.value):
                name, unit = self._name(be.path)
                out.append(f"{name} from {be.bracket[0]:,.4g} to {be.bracket[1]:,.4g}{unit}")
        return out

    def text(self) -> str:
        cur = self.currency
        lines = [f"Tornado: savings of {self.option} against {self.versus} ({cur} over the horizon; "
                 f"{self.tornado.attrs.get('replications', '?')} replications, common random numbers)"]
        for r in self.tornado.itertuples():
            lines.append(f"  {r.path}: {r.low:,.4g} -> {r.high:,.4g}: savings {r.at_low:+,.0f} -> {r.at_high:+,.0f} "
                         f"(swing {r.swing:+,.0f} [{r.swing_ci_low:+,.0f}, {r.swing_ci_high:+,.0f}])")
        lines.append("Break-evens of the top two (where the two options cost the same):")
        lines += [f"  {be.text()}" for be in self.break_evens] or ["  (no levers)"]
        return "\n".join(lines)


def _usable(stored: Results | None, options: Sequence[str], replications: int | None, seed: int | None) -> bool:
    """Whether ``stored`` are runs of both ``options`` with their logs, at the replications and seed asked."""
    if stored is None or not stored.logs or not set(options) <= set(stored.options):
        return False
    reps_ok = replications is None or replications == stored.meta.get("replications")
    seed_ok = seed is None or seed == stored.meta.get("seed")
    return bool(reps_ok and seed_ok)


def tornado_from_runs(scenario: Scenario, levers: Sequence[Lever], option: str, versus: str, stored: Results,
                      executor: ExecutorArg = "auto", level: float = 0.95,
                      simulated: dict[tuple[str, float], Results] | None = None) -> pd.DataFrame:
    """The tornado of the savings of ``option`` against ``versus``, reusing ``stored`` (runs with logs).

    The same frame as :func:`simkit.analysis.sensitivity.tornado` (rows, columns and ``attrs``): the base point
    is ``stored`` itself, a cost-only lever's ends are ``stored`` re-priced, and only the ends of the other
    levers are simulated, with the seed and replications of ``stored`` (common random numbers).
    ``simulated``, when given, receives those runs as ``{(path, value): results}``, for a break-even to start from.
    """
    from simkit.experiment.simulate import simulate

    reps, seed = int(stored.meta["replications"]), int(stored.meta["seed"])
    cost = stored.cost_column

    def savings(res: Results) -> np.ndarray:
        return res.paired_deltas(versus, option, cost)  # versus - option: > 0 when option saves

    base = savings(stored)
    rows = []
    for lv in levers:
        ends = []
        for end in (lv.low, lv.high):
            value = int(round(end)) if lv.integer else float(end)
            if is_cost_only(lv.path):
                res = stored.reprice({lv.path: value})
            else:
                res = simulate(scenario.override({lv.path: value}), reps, seed, executor=executor, progress=False,
                               options=[option, versus])
                if res.meta.get("interrupted"):
                    raise KeyboardInterrupt("the tornado's runs were interrupted")
                if simulated is not None:
                    simulated[(lv.path, float(value))] = res
            ends.append(savings(res))
        lo, hi = ends
        m, _, c_lo, c_hi = mean_ci(hi - lo, level)
        rows.append({"path": lv.path, "label": lv.label, "low": lv.low, "high": lv.high,
                     "base_value": current_value(scenario, lv.path), "at_low": float(lo.mean()),
                     "at_high": float(hi.mean()), "base": float(base.mean()), "swing": m,
                     "swing_ci_low": c_lo, "swing_ci_high": c_hi})
    out = pd.DataFrame(rows)
    order = out["swing"].abs().sort_values(ascending=False, kind="stable").index
    out = out.reindex(order).reset_index(drop=True)
    out.attrs.update({"kpi": "savings", "option": option, "baseline": versus, "replications": int(base.size),
                      "currency": scenario.run.currency})
    return out


def summarise_sensitivity(scenario: Scenario, option: str, versus: str, levers: Sequence[Lever] | None = None,
                          replications: int | None = None, seed: int | None = None, top: int = 2,
                          executor: ExecutorArg = "auto", stored: Results | None = None) -> SensitivitySummary:
    """Tornado of the savings of ``option`` against ``versus``, and the break-evens of its ``top`` levers.

    ``stored``: results of ``scenario`` with run logs (``keep_logs=True``) at these replications and seed: the
    tornado's base point and cost-only levers (:func:`tornado_from_runs`) and a price's break-even are re-priced
    on them instead of simulated again.
    """
    from simkit.analysis.sensitivity import break_even, tornado

    for name in (option, versus):
        if name not in scenario.options:
            raise KeyError(f"unknown option '{name}'; options: {', '.join(scenario.options)}")
    if option == versus:
        raise KeyError(f"the option and the one it is compared with must differ, both are '{option}'")
    levers = resolve_levers(scenario, list(levers) if levers else default_levers(scenario, option, versus))
    if not levers:
        raise ValueError("no levers to vary: every default lever is 0 in this scenario; give a levers file")
    if not _usable(stored, (option, versus), replications, seed):
        stored = None
    simulated: dict[tuple[str, float], Results] = {}
    if stored is not None:
        table = tornado_from_runs(scenario, levers, option, versus, stored, executor, simulated=simulated)
    else:
        table = tornado(scenario, levers, "savings", option=option, baseline=versus, replications=replications,
                        seed=seed, executor=executor, progress=False)
    if table[["at_low", "at_high", "base"]].isna().to_numpy().any():
        raise KeyboardInterrupt("the tornado's sweep was interrupted")  # unfinished points: no partial answer
    by_path = {lv.path: lv for lv in levers}
    # the tornado's simulated ends are the break-even's own bracket ends when both ran at the same seed and count
    same_runs = stored is not None and (
        int(replications if replications is not None else scenario.run.replications) == stored.meta["replications"]
        and int(seed if seed is not None else scenario.run.seed) == stored.meta["seed"])
    evens, ways = [], []
    for r in table.head(top).itertuples():
        lv = by_path[r.path]
        base = float(r.base_value)
        if is_cost_only(r.path) and base > 0:
            bracket = (min(lv.low, base * BRACKET_FACTORS[0]), max(lv.high, base * BRACKET_FACTORS[1]))
        else:
            bracket = (lv.low, lv.high)
        if bracket[0] >= bracket[1]:
            continue
        step = 1e-6 if is_cost_only(r.path) else RESIMULATED_XTOL
        known = {x: res for (path, x), res in simulated.items() if path == r.path} if same_runs else None
        be = break_even(scenario, r.path, bracket, option=option, baseline=versus, replications=replications,
                        seed=seed, xtol=(bracket[1] - bracket[0]) * step, executor=executor, stored=stored,
                        known=known)
        evens.append(be)
        ways.append(1 if r.at_high >= r.at_low else -1)
    return SensitivitySummary(option, versus, scenario.run.currency, table, evens, ways)
