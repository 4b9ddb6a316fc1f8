"""Everything the decision memo says, as numbers and sentences: assembled here, rendered elsewhere.

:func:`memo_record` turns a scenario and its results into a :class:`MemoRecord`;
:mod:`simkit.ui.memo_html` only lays it out.  What the memo states, and how:

* **The recommendation**: the scorecard's top option when the scenario has
  ``criteria:``, else the option with the lowest mean total cost.  It is compared
  with the baseline (or, when it *is* the baseline, with the cheapest other
  option).  "USD Y cheaper a year" is the paired mean difference in total cost on
  common random numbers, scaled to 365 days, with its 95 % CI.
* **Equal service**: the two options' mean SLA attainment (a service KPI with a
  direction) must lie within ``service_tolerance`` of each other; when they do
  not, the memo says so in the recommendation ("the options differ in service:
  SLA attainment 0.81 vs 0.97").  A comparison made at equal service
  (:func:`simkit.analysis.equal_service.compare_at_equal_service`: every option staffed at the least cost
  that meets the same targets) is passed in as ``equal_service``: the recommendation then says the
  options are compared at equal service, which staffing each needs, and which option cannot reach
  the targets at any staffing searched (left out of the comparison).
* **Conditions**: the break-evens of the top two levers of the tornado
  (:mod:`simkit.analysis.sensitivity_summary`).
* **Cash flow by year**, **payback** (the first month-end at which the cumulative
  mean saving is >= 0, counting every one-off) and the **NPV** of the monthly
  savings at ``run.discount_rate_annual`` (default 0.08) or ``discount_rate``.
* **Cost at risk**: per option the mean, the 90th percentile (P90) and the CVaR 90
  (the mean of the worst 10 % of replications) of total cost.  A figure that carries no information is
  explained in a plain sentence instead of being shown as if it did (``risk_notes``): an option whose cost
  does not vary across replications (standard deviation at most :data:`NO_SPREAD` of its mean; typically an
  own team, whose wages and overhead are fixed in the model) has P90 = CVaR = mean, and from fewer than
  :data:`~simkit.stats.estimates.MIN_TAIL_REPLICATIONS` replications the worst 10 % is less than one
  replication.  A saving that is the same in every replication has no confidence interval to show either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simkit import __version__
from simkit.accounting import registry as registry
from simkit.accounting.costs import npv
from simkit.scenario.assumptions import assumptions_table, header_sources
from simkit.scenario.fields import unit, with_unit
from simkit.stats.estimates import MIN_TAIL_REPLICATIONS, few_replications, mean_ci, var_cvar

if TYPE_CHECKING:
    from simkit.analysis.equal_service import EqualService
    from simkit.analysis.sensitivity_summary import SensitivitySummary
    from simkit.experiment.design import Lever
    from simkit.experiment.results import Results
    from simkit.scenario.model import Scenario
    from simkit.stats.scorecard import Scorecard

__all__ = ["MemoRecord", "memo_record", "SERVICE_KPI", "SERVICE_TOLERANCE", "RISK_LEVEL", "service_table",
           "staffing_clause", "assumptions_with_units", "risk_notes", "no_spread", "NO_SPREAD"]

SERVICE_KPI = "sla_attainment_share"
"""The service KPI the equal-service check compares."""
SERVICE_TOLERANCE = 0.02
"""Two options are at equal service when their mean SLA attainment differs by at most this much."""
RISK_LEVEL = 0.90
"""Cost at risk: P90 and the CVaR at 90 % (mean of the worst 10 % of replications)."""
SERVICE_FAMILIES = ("timeliness", "quality", "communication", "business_impact")
NO_SPREAD = 1e-9
"""A cost has no spread when its standard deviation over the replications is at most this share of its mean:
then its P90 and CVaR are its mean again, and the memo says why instead of showing them as risk."""
FIXED_LINES = frozenset({"labour", "overhead"})
"""Cost lines an own team pays whatever the workload does (wages for its paid hours, overhead per head)."""


@dataclass
class MemoRecord:
    """The decision memo's content (see the module notes); every frame is ready to show as is."""

    title: str
    question: str
    currency: str
    options: dict[str, str]  # option -> plain label
    recommended: str
    versus: str
    headline: str
    recommendation: str
    equal_service: bool
    service_note: str
    saving_per_year: tuple[float, float, float]  # mean, CI low, CI high
    p_cheaper: float
    cash_flow: pd.DataFrame
    payback_months: float | None
    npv_saving: float
    discount_rate: float
    monthly_saving: np.ndarray
    risk: pd.DataFrame
    service: pd.DataFrame
    sensitivity: SensitivitySummary | None
    scorecard: Scorecard | None
    assumptions: pd.DataFrame
    sources_note: str
    provenance: dict[str, Any] = field(default_factory=dict)
    risk_notes: list[str] = field(default_factory=list)  # plain sentences on risk figures that say nothing
    saving_varies: bool = True  # False: the saving is the same in every replication (no CI to show)

    def label(self, option: str) -> str:
        return self.options.get(option, option)


def _verb(scenario: Scenario, option: str) -> str:
    """How the recommendation starts: keep the status quo, buy, move the work to an own team, or combine."""
    spec = scenario.options[option]
    if option == scenario.baseline_option:
        return "Keep"
    if spec.team is None:
        return "Buy from"
    return "Move to" if spec.vendor is None else "Combine:"


def service_table(results: Results) -> pd.DataFrame:
    """Service and risk KPIs (rows: plain label with unit) by option: the means, formatted; all-zero rows left out."""
    means = results.kpis.groupby("option", sort=False).mean(numeric_only=True)
    rows = {}
    for col in results.kpi_columns:
        kpi = registry.lookup(col)
        if kpi is None or kpi.family not in SERVICE_FAMILIES or kpi.direction == 0 or col not in means:
            continue
        values = means[col]
        if np.allclose(values.to_numpy(float), 0.0):
            continue
        rows[f"{kpi.label} ({kpi.unit})"] = {o: registry.format_value(col, float(v)) for o, v in values.items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(results.options))


def assumptions_with_units(scenario: Scenario, text: str | None = None) -> pd.DataFrame:
    """The scenario's parameters (:func:`~simkit.scenario.assumptions.assumptions_table`), each ``value`` with its
    unit in the form a reader expects ("0 days", "8% a year", "USD 45 per person-hour") and the ``unit`` itself,
    both from the field registry (:func:`simkit.scenario.fields.with_unit`), so the memo cannot drift from it."""
    table = assumptions_table(scenario, text)
    cur = scenario.run.currency
    table["value"] = [with_unit(p, raw, cur) for p, raw in zip(table["path"], table["raw"], strict=True)]
    table.insert(2, "unit", [unit(p, cur) for p in table["path"]])
    return table.drop(columns="raw")


def no_spread(values: np.ndarray) -> bool:
    """Whether replicated ``values`` are all the same (to :data:`NO_SPREAD` of their mean); one value is no
    evidence either way (``False``)."""
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return False
    return bool(values.std(ddof=1) <= NO_SPREAD * abs(float(values.mean())))


def _risk(results: Results) -> pd.DataFrame:
    """Per option: mean, P90 and CVaR 90 of total cost, its standard deviation, replications and ``fixed``
    (no spread: P90 and CVaR are the mean again)."""
    cost = results.cost_column
    rows = {}
    for opt, x in results.kpis.groupby("option", sort=False)[cost]:
        values = x.to_numpy(float)
        _, cvar = var_cvar(values, RISK_LEVEL)
        rows[opt] = {"mean": float(values.mean()), "p90": float(np.quantile(values, RISK_LEVEL)), "cvar90": cvar,
                     "std": float(values.std(ddof=1)) if values.size > 1 else float("nan"),
                     "replications": int(values.size), "fixed": no_spread(values)}
    return pd.DataFrame.from_dict(rows, orient="index")


def _cost_lines(results: Results, option: str) -> list[str]:
    """The ledger categories an option books money on (largest first)."""
    led = results.ledger
    sums = led.loc[led["option"] == option].groupby("category")["amount"].sum()
    return [str(c) for c in sums[sums.abs() > 0].sort_values(ascending=False).index]


def risk_notes(results: Results, risk: pd.DataFrame, labels: dict[str, str]) -> list[str]:
    """Plain sentences for the risk figures that carry no information (see the module notes): an option whose
    cost is the same in every replication, and tail figures from fewer than 10 replications."""
    cur = results.scenario.run.currency
    fixed = [o for o in risk.index if bool(risk.loc[o, "fixed"])]
    notes = []
    for opt in fixed:
        lines = _cost_lines(results, opt)
        why = ("its wages and overhead are fixed in the model (paid whatever the workload does)"
               if lines and set(lines) <= FIXED_LINES else
               f"none of its cost lines ({', '.join(c.replace('_', ' ') for c in lines) or 'none'}) depends on "
               "anything the simulation draws")
        where = ("the risk comes from the other options' variable costs" if len(fixed) < len(risk)
                 else "no option's cost varies, so the uncertainty lies in the assumptions, not in the simulation")
        n = int(risk.loc[opt, "replications"])
        notes.append(f"{labels.get(opt, opt)} costs {cur} {risk.loc[opt, 'mean']:,.0f} in every one of the {n} "
                     f"replications because {why}: its P{round(RISK_LEVEL * 100)} and CVaR equal its mean and say "
                     f"nothing about risk; {where}.")
    varying = [o for o in risk.index if o not in fixed]
    n = int(risk.loc[varying, "replications"].min()) if varying else MIN_TAIL_REPLICATIONS
    if few_replications(n):
        notes.append(f"From {n} replication{'s' if n != 1 else ''} the worst {100 - round(RISK_LEVEL * 100)}% is "
                     "less than one replication: the CVaR is the single worst replication and the P90 lies between "
                     f"the two worst; run at least {MIN_TAIL_REPLICATIONS} before reading them as tail risk.")
    return notes


def _cash_flow(results: Results, option: str, versus: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Mean cost by year of both options, the saving and its running total; and the mean monthly saving."""
    led = results.ledger
    monthly = led.groupby(["option", "replication", "month"])["amount"].sum().unstack("month", fill_value=0.0)
    months = monthly.columns
    mean = {o: monthly.loc[o].mean(axis=0).reindex(months, fill_value=0.0).to_numpy(float) for o in (option, versus)}
    saving = mean[versus] - mean[option]
    years = np.asarray(months) // 12
    frame = pd.DataFrame({"year": years + 1, versus: mean[versus], option: mean[option], "saving": saving})
    by_year = frame.groupby("year").sum()
    by_year["cumulative_saving"] = by_year["saving"].cumsum()
    return by_year, saving


def _payback(saving: np.ndarray) -> float | None:
    """Month-ends until the running total of the saving is >= 0 for good (0: never below), ``None``: not within
    the horizon.  ``saving[m]`` is the saving of month ``m + 1``."""
    running = np.cumsum(saving)
    if running.size == 0:
        return None
    if running[0] >= 0 and np.all(running >= 0):
        return 0.0
    below = np.flatnonzero(running < 0)
    last = int(below[-1])
    return float(last + 2) if last + 1 < running.size else None


def _choose(results: Results, card: Scorecard | None) -> tuple[str, str]:
    sc = results.scenario
    means = results.kpis.groupby("option", sort=False)[results.cost_column].mean()
    best = card.winner if card is not None else str(means.idxmin())
    if best != sc.baseline_option:
        return best, sc.baseline_option
    others = means.drop(best)
    return best, str(others.idxmin()) if len(others) else best


def _head_count(path: str, n: int) -> str:
    """``teams.desk.staff``, 9 -> "9 staff in team desk"; ``vendors.msp.agents``, 1 -> "1 agent at vendor msp"."""
    parts = path.split(".")
    if len(parts) == 3 and parts[0] in ("teams", "vendors"):
        word = parts[2][:-1] if n == 1 and parts[2].endswith("s") else parts[2]
        return f"{n:,d} {word} {'in team' if parts[0] == 'teams' else 'at vendor'} {parts[1]}"
    return f"{path} = {n:,d}"


def staffing_clause(eq: EqualService, labels: dict[str, str]) -> str:
    """What an equal-service comparison did, as one clause for the recommendation.

    "each option staffed at the least cost that meets sla_attainment_share >= 0.85 (one-sided 95%): In-house
    needs 9 staff in team desk (7 today); MSP needs 4 agents at vendor msp (as today); Offshore cannot reach it at
    any staffing searched (up to 32 agents at vendor offshore) and is left out".
    """
    conf = next(iter(eq.sizings.values())).confidence if eq.sizings else 0.95
    parts = []
    for option, s in eq.sizings.items():
        name = labels.get(option, option)
        if s.met and s.chosen is not None:
            counts = []
            for lever in s.levers:
                n, given = int(s.chosen[lever.path]), int(eq.given[option][lever.path])
                counts.append(f"{_head_count(lever.path, n)} ({'as today' if n == given else f'{given:,d} today'})")
            parts.append(f"{name} needs {' and '.join(counts) or 'no change'}")
        else:
            upto = " and ".join(_head_count(lv.path, lv.high) for lv in s.levers)
            parts.append(f"{name} cannot reach it at any staffing searched (up to {upto}) and is left out")
    targets = " and ".join(str(t) for t in eq.targets)
    return f"each option staffed at the least cost that meets {targets} (one-sided {conf:.0%}): " + "; ".join(parts)


def _sized_pair(sc: Scenario, eq: EqualService | None, option: str, versus: str) -> Scenario:
    """``sc`` with the right-sized staffing of the two options compared (as it is when they size a shared pool
    differently, or without an equal-service comparison): the scenario the sensitivity varies."""
    if eq is None:
        return sc
    changes: dict[str, int] = {}
    for name in (option, versus):
        for path, n in (eq.sizings[name].chosen or {}).items():
            if changes.setdefault(path, int(n)) != int(n):
                return sc
    return sc.override(changes) if changes else sc


def _fmt_money(cur: str, x: float) -> str:
    return f"{cur} {x:,.0f}"


def _sentence(sc: Scenario, rec: str, versus: str, saving: tuple[float, float, float], p: float,
              equal: bool, service_note: str, conditions: list[str], robust: list[str], card: Scorecard | None,
              labels: dict[str, str], sized: bool = False, varies: bool = True) -> tuple[str, str]:
    cur = sc.run.currency
    m, lo, hi = saving
    head = f"{_verb(sc, rec)} {labels[rec]}"
    word = "cheaper" if m >= 0 else "dearer"
    spread = (f"95% CI {_fmt_money(cur, lo)} to {_fmt_money(cur, hi)} saved a year" if varies
              else "the same in every replication, so no confidence interval")
    body = f"{_fmt_money(cur, abs(m))} {word} a year than {labels[versus]} ({spread}; P(cheaper) = {p:.2f})"
    body += (f" at equal service ({service_note})" if sized else " at equal service") if equal else ""
    if conditions:
        body += ", as long as " + " and ".join(conditions)
    text = f"{head}: {body}."
    if robust:
        text += f" The choice holds for {' and '.join(robust)}."
    if card is not None:
        text += f" It leads the strategic scorecard ({card.score[rec]:.2f} of 1)."
    if varies and lo <= 0 <= hi:
        text += " The cost difference is within the noise of the simulation at 95%."
    if not equal:
        text += f" Caution: {service_note}."
    return head, text


def memo_record(scenario: Scenario, results: Results, *, sensitivity: SensitivitySummary | None = None,
                levers: Sequence[Lever] | None = None, scenario_text: str | None = None,
                discount_rate: float | None = None, service_tolerance: float = SERVICE_TOLERANCE,
                equal_service_note: str = "", sensitivity_replications: int | None = None,
                with_sensitivity: bool = True, executor: Any = "auto",
                equal_service: EqualService | None = None) -> MemoRecord:
    """Assemble the memo of ``results`` (of ``scenario``; see the module notes).

    Parameters
    ----------
    results
        The comparison to report: a plain run, or one made at equal service.
    sensitivity
        A ready :class:`~simkit.analysis.sensitivity_summary.SensitivitySummary`; otherwise it is computed from
        ``levers`` (default :func:`~simkit.analysis.sensitivity_summary.default_levers`) unless ``with_sensitivity``
        is false.
    scenario_text
        The scenario file's YAML, whose comments mark parameters sourced or assumed.
    discount_rate
        Annual rate for the NPV of the savings (default: the scenario's ``run.discount_rate_annual``).
    equal_service
        The equal-service comparison ``results`` come from: the options are then at equal service by
        construction, and the recommendation names the staffing each needs (:func:`staffing_clause`).
    """
    from simkit.stats.scorecard import check_criteria_kpis, scorecard

    sc = scenario
    if not 0 <= service_tolerance <= 1:
        raise ValueError(f"the service tolerance must be a share in [0, 1], got {service_tolerance}")
    rate = sc.run.discount_rate_annual if discount_rate is None else float(discount_rate)
    if not (np.isfinite(rate) and 0 <= rate <= 1):
        raise ValueError(f"the discount rate must be in [0, 1], got {rate}")
    labels = {o: sc.option_label(o) for o in sc.options}
    if sc.criteria is not None:
        check_criteria_kpis(sc)
    card = scorecard(results) if sc.criteria is not None else None
    rec, versus = _choose(results, card)
    if rec == versus:
        raise ValueError("a memo needs at least two options to compare")
    years = (sc.run.horizon_days - sc.run.warmup_days) / 365.0
    deltas = results.paired_deltas(versus, rec, results.cost_column)  # versus - rec: > 0 when rec is cheaper
    m, _, lo, hi = mean_ci(deltas, 0.95)
    saving = (m / years, lo / years, hi / years)
    p = float(np.mean(deltas > 0))
    scale = float(results.kpis[results.cost_column].abs().mean())  # "no spread" relative to the costs compared
    varies = not (deltas.size > 1 and float(np.std(deltas, ddof=1)) <= NO_SPREAD * scale)
    means = results.kpis.groupby("option", sort=False).mean(numeric_only=True)
    s_rec, s_vs = float(means.loc[rec, SERVICE_KPI]), float(means.loc[versus, SERVICE_KPI])
    equal = abs(s_rec - s_vs) <= service_tolerance or equal_service is not None
    if equal_service is not None and not equal_service_note:
        equal_service_note = staffing_clause(equal_service, labels)
    service_note = equal_service_note or (
        f"SLA attainment {s_rec:.2f} ({labels[rec]}) vs {s_vs:.2f} ({labels[versus]}), within {service_tolerance:.2f}"
        if equal else f"the options differ in service: SLA attainment {s_rec:.2f} vs {s_vs:.2f}")
    if sensitivity is None and with_sensitivity:
        from simkit.analysis.sensitivity_summary import summarise_sensitivity

        stored = results if results.logs and sensitivity_replications in (
            None, results.meta.get("replications")) else None
        sensitivity = summarise_sensitivity(_sized_pair(sc, equal_service, rec, versus), rec, versus, levers,
                                            replications=sensitivity_replications,
                                            seed=int(results.meta.get("seed", sc.run.seed)), executor=executor,
                                            stored=stored)
    conditions = sensitivity.conditions() if sensitivity is not None else []
    robust = sensitivity.robust() if sensitivity is not None else []
    head, text = _sentence(sc, rec, versus, saving, p, equal, service_note, conditions, robust, card, labels,
                           sized=equal_service is not None, varies=varies)
    cash, monthly = _cash_flow(results, rec, versus)
    text_hash = hashlib.sha256(scenario_text.encode("utf-8")).hexdigest() if scenario_text else ""
    prov = {"simkit_version": __version__, "seed": results.meta.get("seed"),
            "replications": results.meta.get("replications"), "scenario_sha256": sc.fingerprint(),
            "scenario_file_sha256": text_hash, "failures": len(results.failures),
            "written": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    if sensitivity is not None:
        prov["sensitivity_replications"] = sensitivity.tornado.attrs.get("replications")
    risk = _risk(results)
    return MemoRecord(
        title=sc.name, question=sc.description.strip(), currency=sc.run.currency, options=labels, recommended=rec,
        versus=versus, headline=head, recommendation=text, equal_service=equal, service_note=service_note,
        saving_per_year=saving, p_cheaper=p, cash_flow=cash, payback_months=_payback(monthly),
        npv_saving=npv(monthly, rate), discount_rate=rate, monthly_saving=monthly, risk=risk,
        service=service_table(results), sensitivity=sensitivity, scorecard=card,
        assumptions=assumptions_with_units(sc, scenario_text), sources_note=header_sources(scenario_text or ""),
        provenance=prov, risk_notes=risk_notes(results, risk, labels), saving_varies=varies)
