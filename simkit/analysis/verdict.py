"""The decision in one sentence: which option is cheapest, by how much a year, how sure, and how it serves.

A table of intervals answers a statistician; a strategist asks "which one, by how much, and can I trust
it?".  :func:`verdict` answers in plain text, from the same numbers as the table::

    Managed service provider is cheapest by USD 20k a year (95% CI 19k to 21k; cheaper than the in-house
    team in 100% of 20 futures) and answers faster (mean lead time 5.1 h against 9.3 h); the hybrid
    costs USD 8k a year more (95% CI 6k to 10k).

How the words are chosen, so that they never claim more than the numbers carry:

* *cheapest* is the option with the lowest mean total cost; the amount is the mean of the paired
  differences against the runner-up (common random numbers: the same futures for both), scaled from
  the measured period to a year of 365.25 days, with its Student-t interval scaled the same way;
* when that interval includes 0 the sentence says "cheapest on average, but not clearly";
* *answers faster* / *slower* only when the paired interval of the mean lead time excludes 0, else
  "about as fast";
* a *future* is one replication: "cheaper in 100% of 20 futures" counts replications.

:attr:`Verdict.notes` says when the evidence is thin: fewer than
:data:`simkit.stats.estimates.MIN_TAIL_REPLICATIONS` replications, a share of 0% or 100% (which, from ``n``
futures, still allows a true probability as far off as ``0.05 ** (1/n)``), an interval of a quantity that
cannot be negative that had to be cut at 0, and a precision rule stopped by its cap.

Plain text in, plain text out: the dashboard, the command line and a memo print the same words (HTML
callers escape them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simkit.accounting.registry import bounds, kpi_name, lookup
from simkit.experiment.results import Results
from simkit.stats.estimates import MIN_TAIL_REPLICATIONS, mean_ci

__all__ = ["Verdict", "verdict", "money", "DAYS_PER_YEAR", "WELL_SAMPLED"]

DAYS_PER_YEAR = 365.25
#: Below this many replications a share of 0% or 100% gets a note on how little it rules out.
WELL_SAMPLED = 30


@dataclass(frozen=True)
class Verdict:
    """The decision sentence and the notes on how far to trust it.

    Attributes
    ----------
    sentence
        One sentence (see the module docstring), plain text.
    notes
        Plain sentences on weak evidence; empty when there is nothing to warn about.
    cheapest
        The option with the lowest mean total cost.
    annual_saving, ci_low, ci_high
        The cheapest option's mean saving a year against the runner-up, and its interval (``nan`` with
        a single option).
    """

    sentence: str
    notes: tuple[str, ...]
    cheapest: str
    annual_saving: float
    ci_low: float
    ci_high: float

    def text(self) -> str:
        """The sentence followed by the notes, one per line."""
        return "\n".join((self.sentence, *(f"Note: {n}" for n in self.notes)))


def money(amount: float, currency: str = "", signed: bool = False) -> str:
    """A rounded amount for a sentence: ``USD 950``, ``USD 20k``, ``USD 1.25M`` (three significant figures).

    ``signed`` writes a ``+`` before a positive amount; a negative amount always has ``-``.
    """
    if not math.isfinite(amount):
        return f"{currency} {amount}".strip()
    sign = "-" if amount < 0 else ("+" if signed and amount > 0 else "")
    x = float(f"{abs(amount):.3g}")  # three significant figures first, so 999,999 is 1.00M, not 1000k
    for scale, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if x >= scale:
            shown = f"{x / scale:.{max(0, 2 - int(math.floor(math.log10(x / scale))))}f}"
            text = (shown.rstrip("0").rstrip(".") if "." in shown else shown) + suffix
            break
    else:
        text = f"{x:,.0f}"
    return f"{currency} {sign}{text}".strip() if currency else f"{sign}{text}"


def _label(results: Results, option: str) -> str:
    return results.scenario.option_label(option)


def _year_factor(results: Results) -> float:
    run = results.scenario.run
    return DAYS_PER_YEAR / (run.horizon_days - run.warmup_days)


def _share_note(share: float, n: int, who: str, other: str) -> str | None:
    """How little ``share`` in {0, 1} of ``n`` futures rules out (the one-sided 95% bound on the probability)."""
    if n >= WELL_SAMPLED or share not in (0.0, 1.0):
        return None
    bound = 0.05 ** (1.0 / n)
    if share == 1.0:
        return (f"{who} was cheaper than {other} in all {n} futures; that still allows a true chance of being "
                f"cheaper as low as {bound:.0%} (95% lower bound); run more replications to narrow it.")
    return (f"{who} was dearer than {other} in all {n} futures; that still allows a chance of it being cheaper "
            f"of up to {1 - bound:.0%} (95% upper bound); run more replications to narrow it.")


def _clipped(results: Results, level: float, columns: Sequence[str] | None, end: int = 0) -> list[str]:
    """Labels of the KPIs (of ``columns``) whose interval was cut at the end of their range for some option:
    ``end`` 0, at 0 (cannot be negative); 1, at 1 (a share)."""
    out = []
    for col in columns if columns is not None else results.kpi_columns:
        kpi, limit = lookup(col), bounds(col)[end]
        if kpi is None or limit is None:
            continue
        for _, x in results.kpis.groupby("option", sort=False)[col]:
            m, _, lo, hi = mean_ci(x.to_numpy(float), level)
            if (end == 0 and m > 0 and lo < 0) or (end == 1 and m < 1 and hi > 1):
                out.append(kpi.label.lower())
                break
    return out


def _service(results: Results, best: str, other: str, level: float) -> str:
    """``and answers faster (...)`` / ``but answers slower`` / ``and answers about as fast``."""
    col = kpi_name("lead_time_mean_h")
    d = results.paired_deltas(best, other, col)
    m, _, lo, hi = mean_ci(d, level)
    a = float(results.kpis.loc[results.kpis["option"] == best, col].mean())
    b = float(results.kpis.loc[results.kpis["option"] == other, col].mean())
    how = "and answers faster" if hi < 0 else "but answers slower" if lo > 0 else "and answers about as fast"
    return f"{how} (mean lead time {_hours(a)} h against {_hours(b)} h)"


def _hours(x: float) -> str:
    """Two significant figures below 10 h (0.74 h), one decimal above (12.3 h)."""
    return f"{x:,.1f}" if abs(x) >= 10 else f"{x:.2f}"


def verdict(results: Results, level: float = 0.95, columns: Sequence[str] | None = None) -> Verdict:
    """The decision sentence and its caveats for ``results`` (see the module docstring).

    Parameters
    ----------
    results
        Simulated options on common random numbers (:func:`simkit.simulate`).
    level
        Confidence level of the intervals quoted.
    columns
        The KPI columns a reader is shown (default: all); only their intervals are checked for a cut at 0.
    """
    cur = results.scenario.run.currency
    cost = results.cost_column
    means = results.kpis.groupby("option", sort=False)[cost].mean().reindex(results.options)
    order = means.sort_values(kind="stable").index.tolist()
    best, f = order[0], _year_factor(results)
    n = int(results.kpis.loc[results.kpis["option"] == best, "replication"].nunique())
    pct = f"{level:.0%}"
    notes: list[str] = []
    if len(order) == 1:
        m, _, lo, hi = mean_ci(results.kpis[cost].to_numpy(float) * f, level, floor=0.0)
        sentence = (f"{_label(results, best)} is the only option: it costs {money(m, cur)} a year "
                    f"({pct} CI {money(lo)} to {money(hi)}).")
        saving = lo_s = hi_s = float("nan")
    else:
        runner = order[1]
        d = results.paired_deltas(runner, best) * f  # > 0: best is cheaper in that future
        saving, _, lo_s, hi_s = mean_ci(d, level)
        share = float(np.mean(d > 0))
        who, other = _label(results, best), _label(results, runner)
        odds = f"cheaper than {other} in {share:.0%} of {d.size} futures"
        if lo_s > 0:
            head = (f"{who} is cheapest by {money(saving, cur)} a year ({pct} CI {money(lo_s)} to "
                    f"{money(hi_s)}; {odds})")
        else:
            head = (f"{who} is cheapest on average, by {money(saving, cur)} a year, but not clearly ({pct} CI "
                    f"{money(lo_s)} to {money(hi_s)} includes no difference; {odds})")
        parts = [f"{head} {_service(results, best, runner, level)}"]
        for other_opt in order[2:]:
            e = results.paired_deltas(other_opt, best) * f
            m, _, lo, hi = mean_ci(e, level)
            parts.append(f"{_label(results, other_opt)} costs {money(m, cur)} a year more ({pct} CI "
                         f"{money(lo)} to {money(hi)})")
        sentence = "; ".join(parts) + "."
        note = _share_note(share, d.size, who, other)
        if note:
            notes.append(note)
    if n < MIN_TAIL_REPLICATIONS:
        notes.insert(0, f"Only {n} replication{'s' if n != 1 else ''} (futures): intervals from so few are wide "
                        f"and a share of futures is a count out of {n}; use at least {MIN_TAIL_REPLICATIONS} "
                        f"before relying on them.")
    clipped = _clipped(results, level, columns)
    if clipped:
        shown = ", ".join(clipped[:3]) + (f" and {len(clipped) - 3} more" if len(clipped) > 3 else "")
        notes.append(f"The intervals of {shown} were cut at 0 (they cannot be negative): the spread over "
                     f"{n} replications is large against the mean, so treat them as rough.")
    full = _clipped(results, level, columns, end=1)
    if full:
        shown = ", ".join(full[:3]) + (f" and {len(full) - 3} more" if len(full) > 3 else "")
        notes.append(f"The intervals of {shown} were cut at 100% (a share cannot exceed it): the spread over "
                     f"{n} replications is large against the distance to 100%, so treat them as rough.")
    precision = results.meta.get("precision")
    if isinstance(precision, dict) and not precision.get("reached", True):
        notes.append(f"The cap of {precision.get('max_replications')} replications stopped before the interval "
                     f"of total cost reached ±{precision.get('target_rel_half_width', 0):.1%} of its mean "
                     f"(it is ±{precision.get('achieved_rel_half_width', float('nan')):.1%}).")
    return Verdict(sentence, tuple(notes), best, saving, lo_s, hi_s)
