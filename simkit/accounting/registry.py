"""The KPI registry: one record per KPI column, read by everything that names, orders, ranks or documents KPIs.

Each :class:`Kpi` holds the column name (``{c}`` stands for the lower-case currency code in the
money columns), a plain label, the unit, the family, the direction of improvement, a number
format, whether the value can never be negative, and the definition: one sentence saying exactly
what :mod:`simkit.accounting.kpi` computes, over which items.  The KPI table of ``scenarios/README.md`` is
generated from these records (:func:`sync_docs`; ``make kpi-docs`` rewrites it), so the
words a reader sees and the numbers the code computes come from the same place.

Why one registry: the KPI list used to live in half a dozen hand-kept tables (families, ranking
prefixes, directions by string prefix, the dashboard's rows, the docs).  Tables kept by hand drift;
a direction decided by a name's prefix gave ``team_utilisation_share`` a direction that
``utilisation_share`` did not have.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Kpi", "KPIS", "FAMILIES", "RANKED_FAMILIES", "kpi_name", "lookup", "direction", "families",
           "columns", "non_negative", "dashboard_columns", "format_value", "plain_label", "format_plain",
           "markdown_table", "sync_docs", "DOCS_START", "DOCS_END"]

FAMILIES = ("cost", "timeliness", "quality", "communication", "business_impact", "scalability", "volume")
RANKED_FAMILIES = ("cost", "quality", "timeliness", "communication", "business_impact")  # weighed in rankings
DOCS_START, DOCS_END = "<!-- kpi-table:start -->", "<!-- kpi-table:end -->"


@dataclass(frozen=True)
class Kpi:
    """One KPI column.

    Attributes
    ----------
    name
        Column name; ``{c}`` is replaced by the scenario currency in lower case (``cost_total_usd``).
    label
        Plain words for a table or an axis ("Lead time, 90th percentile").
    unit
        ``"currency"``, ``"currency per item"``, ``"h"`` (elapsed hours), ``"share"`` (0 to 1),
        ``"items"``, ``"count"`` or ``"people"``.
    family
        One of :data:`FAMILIES`; the first five are the ranking families.
    direction
        +1 when more is better, -1 when less is better, 0 when neither (not a ranking criterion).
    fmt
        Format spec of one value (``format(value, fmt)``).
    non_negative
        The value is never below 0, so a confidence interval of its mean is clipped at 0.
    definition
        What the code computes, over which items (Markdown; the docs table shows it verbatim).
    dashboard_row
        Position in the dashboard's short KPI table (``None``: not shown there).
    """

    name: str
    label: str
    unit: str
    family: str
    direction: int
    fmt: str
    non_negative: bool
    definition: str
    dashboard_row: int | None = None

    @property
    def is_money(self) -> bool:
        return "{c}" in self.name

    @property
    def stem(self) -> str:
        """The name without the currency part (``cost_total`` for ``cost_total_{c}``)."""
        return self.name.replace("_{c}", "")

    def column(self, currency: str = "usd") -> str:
        return self.name.format(c=currency.lower())


_MONEY, _H, _SHARE, _COUNT = ",.0f", ",.1f", ".3f", ",.0f"
# Money to the currency unit; counts of items and people as whole numbers.  Counts of rare events (outages,
# exits, reviews) keep decimals: their mean over replications is below 1 and works as a frequency.

KPIS: tuple[Kpi, ...] = (
    # -- cost
    Kpi("cost_total_{c}", "Total cost", "currency", "cost", -1, _MONEY, True,
        "Sum of every cost category booked in the measured period (from the end of the warm-up to the "
        "horizon); fx gains and service credits received count negative.", 1),
    Kpi("cost_per_item_{c}", "Cost per completed item", "currency per item", "cost", -1, _MONEY, True,
        "`cost_total_<cur>` divided by `items_completed` (by 1 when no item was completed).", 2),
    Kpi("npv_cost_{c}", "Net present cost", "currency", "cost", -1, _MONEY, True,
        "Present value of the measured period's monthly costs, each month's sum discounted from the end of "
        "its month at `run.discount_rate_annual`."),
    Kpi("switching_cost_{c}", "Switching cost", "currency", "cost", -1, _MONEY, True,
        "The `switching` and `exit_fee` cost categories."),
    Kpi("fx_cost_{c}", "Exchange-rate cost", "currency", "cost", -1, _MONEY, False,
        "The `fx` cost category: what the month's exchange rate added to every amount paid in another "
        "currency (wages, overhead, overtime, call-outs, fees, surge, take-or-pay, governance, service credits), "
        "each booked in its own category at the plan rate; negative: a gain."),
    Kpi("sla_credits_{c}", "Service credits received", "currency", "cost", -1, _MONEY, True,
        "Service credits received from vendors, as a positive amount (the `sla_credits` category, at the plan "
        "exchange rate, already subtracted in `cost_total_<cur>`); lower is better because credits are paid for "
        "missed service."),
    # -- timeliness
    Kpi("lead_time_mean_h", "Lead time, mean", "h", "timeliness", -1, _H, True,
        "Mean time from arrival to final completion (rework included) over the measured items completed by "
        "the horizon; 0 when none was.", 3),
    Kpi("lead_time_p50_h", "Lead time, median", "h", "timeliness", -1, _H, True,
        "Median of the same lead times (linear interpolation between order statistics)."),
    Kpi("lead_time_p90_h", "Lead time, 90th percentile", "h", "timeliness", -1, _H, True,
        "90th percentile of the same lead times (linear interpolation between order statistics).", 4),
    Kpi("lead_time_p99_h", "Lead time, 99th percentile", "h", "timeliness", -1, _H, True,
        "99th percentile of the same lead times (linear interpolation between order statistics)."),
    Kpi("wait_mean_h", "Wait for service, mean", "h", "timeliness", -1, _H, True,
        "Mean time from joining the first queue (after any hand-off) to the first time a server took the item "
        "(to work on it or to ask a clarification question), over the measured items taken by the horizon."),
    Kpi("waited_share", "Items that waited", "share", "timeliness", -1, _SHARE, True,
        "Share of the items counted by `wait_mean_h` that were not taken the moment they joined the queue "
        "(a closed calendar counts as waiting)."),
    Kpi("sla_attainment_share", "SLA attainment", "share", "timeliness", +1, _SHARE, True,
        "Measured items completed within their kind's `sla_h`, divided by the items completed plus the items "
        "not completed (abandoned ones included) whose deadline, arrival + `sla_h`, passed before the "
        "horizon; 1 when that is 0.", 5),
    Kpi("backlog_end_items", "Backlog at the end", "items", "timeliness", -1, _COUNT, True,
        "Measured items neither completed nor abandoned at the horizon: in hand-off, queued, waiting for an "
        "answer or a rework, or in service.", 8),
    Kpi("tier2_wait_mean_h", "Tier 2 wait, mean", "h", "timeliness", -1, _H, True,
        "Mean time from joining the escalation tier 2 queue (after any hand-off) to the first time a tier 2 "
        "server took the item, over the measured items taken at tier 2 by the horizon; 0 when none was (and "
        "for an option without escalation tiers)."),
    Kpi("tier3_wait_mean_h", "Tier 3 wait, mean", "h", "timeliness", -1, _H, True,
        "`tier2_wait_mean_h` for escalation tier 3."),
    # -- quality
    Kpi("defect_share", "Defective items", "share", "quality", -1, _SHARE, True,
        "Share of the completed measured items that were defective: reworked after a detected defect or "
        "shipped with an undetected one; 0 when none was completed."),
    Kpi("rework_share", "Reworked items", "share", "quality", -1, _SHARE, True,
        "Share of the completed measured items that were reworked after a detected defect."),
    Kpi("escaped_defects_items", "Escaped defects", "items", "quality", -1, _COUNT, True,
        "Completed measured items shipped with an undetected defect."),
    # -- communication
    Kpi("handoff_delay_mean_h", "Hand-off delay, mean", "h", "communication", -1, _H, True,
        "Mean time from arrival to joining the first queue over all measured items: the vendor's `handoff_h` "
        "for items routed to a vendor, 0 for items routed to a team."),
    Kpi("clarify_share", "Items that asked a question", "share", "communication", -1, _SHARE, True,
        "Share of the measured items that asked the client at least one clarification question by the "
        "horizon, whether the answer came at once (asked while the client was at work) or after a wait; "
        "in the long run it is the kind's `clarify_share` x the pool's `clarify_factor`."),
    Kpi("clarify_delay_mean_h", "Clarification wait, mean", "h", "communication", -1, _H, True,
        "Total hours waiting for answers per item counted by `clarify_share` (an instant answer adds 0), "
        "averaged over those items; 0 when none asked."),
    # -- business impact
    Kpi("availability_share", "Availability", "share", "business_impact", +1, _SHARE, True,
        "1 - (the most hours any one pool of the option was without service in the measured period, by "
        "outages or between an exit and the fallback's start) / the measured period's hours."),
    Kpi("outages_count", "Outages", "count", "business_impact", -1, ",.1f", True,
        "Outages that started in the measured period, summed over the option's pools."),
    Kpi("outage_hours_h", "Hours without service", "h", "business_impact", -1, _H, True,
        "Hours without service in the measured period (outages, and the gap between an exit and the "
        "fallback's start), summed over the option's pools."),
    Kpi("exits_count", "Vendor exits", "count", "business_impact", -1, ",.2f", True,
        "Vendor exits (insolvency, termination, or termination for cause under a review clause) in the measured "
        "period."),
    Kpi("reviews_count", "Performance reviews", "count", "business_impact", -1, ",.2f", True,
        "Reviews for cause in the measured period: month ends at which a vendor's monthly SLA attainment had "
        "stayed below its review clause's floor for the stated number of months (`vendors.X.review`)."),
    Kpi("remediations_count", "Remediation plans", "count", "business_impact", -1, ",.2f", True,
        "Remediation plans that took effect in the measured period (after a review, once the plan's delay "
        "has passed)."),
    Kpi("terminations_count", "Terminations for cause", "count", "business_impact", -1, ",.2f", True,
        "Contracts terminated for cause in the measured period (the review clause's last step: the work moves "
        "to the exit plan's fallback without an exit fee)."),
    Kpi("abandoned_share", "Abandoned items", "share", "business_impact", -1, _SHARE, True,
        "Share of the measured items whose requester gave up before any server took them (`patience_h`)."),
    Kpi("delay_cost_{c}", "Delay cost", "currency", "business_impact", -1, _MONEY, True,
        "The `delay` cost category: hours beyond the SLA x the kind's cost per late hour."),
    # -- scalability
    Kpi("hires_count", "Hires", "people", "scalability", -1, _COUNT, True,
        "People who joined a team in the measured period (replacements and backlog hires), plus extra vendor "
        "agents who joined (`elastic`): the hires the `recruiting` category pays for, and the agents."),
    Kpi("leavers_count", "Leavers", "people", "scalability", -1, _COUNT, True,
        "People who left a team in the measured period (attrition and layoffs), plus extra vendor agents "
        "released."),
    Kpi("staff_end_count", "Headcount at the end", "people", "scalability", -1, _COUNT, True,
        "People of teams and agents of vendors at the horizon, in the option's pools still active then "
        "(a vendor that exited counts 0)."),
    # -- volume
    Kpi("vendor_item_share", "Items handled by a vendor", "share", "volume", 0, _SHARE, True,
        "Share of the measured items last worked on by a vendor, or, not worked on yet, routed to one.", 7),
    Kpi("utilisation_share", "Utilisation", "share", "volume", 0, _SHARE, True,
        "Server hours spent on items / server hours available, over all the option's pools in the measured "
        "period (a shared vendor's other clients' work included), at most 1. Time, not effort: an item of "
        "e effort hours keeps a server e / `productivity` hours (longer while a hire ramps up), so a slower "
        "pool is busier. Available hours are people or agents x open hours, outages excluded; an hour at a "
        "reduced rate (degradation, a learning curve) counts at that rate on both sides.", 6),
    Kpi("team_utilisation_share", "Team utilisation", "share", "volume", 0, _SHARE, True,
        "`utilisation_share` over the option's teams only (0 without a team)."),
    Kpi("vendor_utilisation_share", "Vendor utilisation", "share", "volume", 0, _SHARE, True,
        "`utilisation_share` over the option's vendors only (0 without a vendor)."),
    Kpi("items_arrived", "Items arrived", "items", "volume", 0, _COUNT, True,
        "Measured items: those that arrived after the warm-up (the same for every option in a replication)."),
    Kpi("items_completed", "Items completed", "items", "volume", +1, _COUNT, True,
        "Measured items completed by the horizon."),
    Kpi("escalated_share", "Items escalated", "share", "volume", 0, _SHARE, True,
        "Share of the measured items that tier 1 finished and sent on to escalation tier 2 by the horizon "
        "(0 for an option without escalation tiers)."),
    Kpi("tier2_items", "Items escalated to tier 2", "items", "volume", 0, ",.1f", True,
        "Measured items sent on to escalation tier 2 by the horizon."),
    Kpi("tier3_items", "Items escalated to tier 3", "items", "volume", 0, ",.1f", True,
        "Measured items sent on to escalation tier 3 by the horizon."),
)

_BY_NAME = {k.name: k for k in KPIS}
_BY_STEM = {k.stem: k for k in KPIS}
_MONEY_COLUMN = re.compile(r"^(?P<stem>[a-z_]+)_(?P<cur>[a-z]{3})$")


def _check_registry() -> None:
    """The registry's own rules, checked at import: a broken record fails loudly, not in a table later."""
    problems = []
    if len({k.name for k in KPIS}) != len(KPIS) or len({k.stem for k in KPIS}) != len(KPIS):
        problems.append("duplicate KPI names")
    rows = sorted(k.dashboard_row for k in KPIS if k.dashboard_row is not None)
    if rows != list(range(1, len(rows) + 1)):
        problems.append(f"dashboard rows must be 1..n, got {rows}")
    for k in KPIS:
        if k.family not in FAMILIES or k.direction not in (-1, 0, 1):
            problems.append(f"{k.name}: family {k.family!r}, direction {k.direction!r}")
        if k.is_money != k.unit.startswith("currency"):
            problems.append(f"{k.name}: a money column needs a currency unit and '{{c}}' in its name")
        format(1.5, k.fmt)
    if problems:
        raise RuntimeError("KPI registry: " + "; ".join(problems))


_check_registry()


def lookup(column: str) -> Kpi | None:
    """The record of a KPI column (any currency), or ``None`` when ``column`` is not a KPI."""
    kpi = _BY_NAME.get(column)
    if kpi is not None and not kpi.is_money:
        return kpi
    m = _MONEY_COLUMN.match(column)
    if m is not None:
        kpi = _BY_STEM.get(m["stem"])
        if kpi is not None and kpi.is_money:
            return kpi
    return None


def kpi_name(stem: str, currency: str = "usd") -> str:
    """The column name of the KPI ``stem`` in ``currency``: ``kpi_name("cost_total", "EUR") == "cost_total_eur"``.

    Raises ``KeyError`` for a stem the registry does not hold, so a typo cannot build a column nobody fills.
    """
    kpi = _BY_STEM.get(stem)
    if kpi is None:
        raise KeyError(f"unknown KPI '{stem}'; KPIs: {', '.join(_BY_STEM)}")
    return kpi.column(currency)


def direction(column: str) -> int:
    """+1 when more is better, -1 when less is better, 0 when neither or when ``column`` is not a KPI."""
    kpi = lookup(column)
    return kpi.direction if kpi is not None else 0


def non_negative(column: str) -> bool:
    """Whether ``column`` can never be negative (``False`` for a column that is not a KPI)."""
    kpi = lookup(column)
    return kpi is not None and kpi.non_negative


def bounds(column: str) -> tuple[float | None, float | None]:
    """The least and the greatest value ``column`` can take: ``(0, None)`` for a count, a cost or hours, ``(0, 1)``
    for a share, ``(None, None)`` for a signed KPI or a column that is not a KPI.

    Every share KPI is a fraction of a whole (items, hours) in each replication, so its mean lies in [0, 1]; an
    interval reaching past either end only says the sample is small and skewed.
    """
    kpi = lookup(column)
    if kpi is None:
        return None, None
    return (0.0 if kpi.non_negative else None), (1.0 if kpi.unit == "share" else None)


def families(currency: str = "usd") -> dict[str, list[str]]:
    """KPI columns grouped by family, in report order."""
    out: dict[str, list[str]] = {f: [] for f in FAMILIES}
    for k in KPIS:
        out[k.family].append(k.column(currency))
    return out


def columns(currency: str = "usd") -> list[str]:
    """Every KPI column in report order (the order of a :func:`simkit.accounting.kpi.measure` row)."""
    return [k.column(currency) for k in KPIS]


def dashboard_columns(currency: str = "usd") -> list[str]:
    """The columns of the dashboard's short KPI table, in its row order."""
    shown = sorted((k for k in KPIS if k.dashboard_row is not None), key=lambda k: k.dashboard_row)
    return [k.column(currency) for k in shown]


def format_value(column: str, value: float) -> str:
    """``value`` in the KPI's number format (``{:,.2f}`` for a column that is not a KPI)."""
    kpi = lookup(column)
    return format(value, kpi.fmt if kpi is not None else ",.2f")


def plain_label(column: str, currency: str = "USD") -> str:
    """The KPI's words with its unit, for a reader who does not know the column names.

    ``"Total cost (USD)"``, ``"Cost per completed item (USD/item)"``, ``"SLA attainment (%)"`` (a share is
    shown as a percentage, see :func:`format_plain`), ``"Lead time, mean (h)"``; a column that is not a KPI
    keeps its name.
    """
    kpi = lookup(column)
    if kpi is None:
        return column
    unit = {"currency": currency.upper(), "currency per item": f"{currency.upper()}/item",
            "share": "%"}.get(kpi.unit, kpi.unit)
    return f"{kpi.label} ({unit})"


def format_plain(column: str, value: float) -> str:
    """``value`` as :func:`plain_label` announces it: a share as a percentage with one decimal, the rest in the
    KPI's own format."""
    kpi = lookup(column)
    if kpi is not None and kpi.unit == "share":
        return f"{100.0 * value:.1f}"
    return format_value(column, value)


# --------------------------------------------------------------------------- docs
_BETTER = {1: "higher", -1: "lower", 0: "neither"}


def markdown_table() -> str:
    """The KPI table of the docs, generated from the registry (``<cur>`` stands for the currency)."""
    lines = ["| column | label | family | unit | better | definition |", "| --- | --- | --- | --- | --- | --- |"]
    for k in KPIS:
        name = k.name.replace("{c}", "<cur>")
        lines.append(f"| `{name}` | {k.label} | {k.family.replace('_', ' ')} | {k.unit} | {_BETTER[k.direction]} "
                     f"| {k.definition} |")
    return "\n".join(lines)


def _block(text: str) -> tuple[int, int]:
    start, end = text.find(DOCS_START), text.find(DOCS_END)
    if start < 0 or end < start:
        raise ValueError(f"no '{DOCS_START}' ... '{DOCS_END}' block")
    return start + len(DOCS_START), end


def sync_docs(path: str | Path, check: bool = False) -> bool:
    """Make the KPI table between the markers of ``path`` equal :func:`markdown_table`.

    Returns whether the file was already up to date; with ``check=True`` nothing is written.
    """
    p = Path(path)
    text = p.read_text(encoding="utf-8")
    a, b = _block(text)
    wanted = "\n" + markdown_table() + "\n"
    if text[a:b] == wanted:
        return True
    if not check:
        from simkit.fileio import write_text

        write_text(p, text[:a] + wanted + text[b:])
    return False

