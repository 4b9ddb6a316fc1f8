"""Build the notebooks from the cell lists below and execute them, storing their outputs.

    python notebooks/build.py            # rebuild and execute every notebook
    python notebooks/build.py 01         # only those whose name starts with 01

Cells whose first line is ``# NBVAL_CHECK_OUTPUT`` are compared number for number by
``make test`` (nbval, lax mode); widget cells carry the ``nbval-ignore-output`` tag.
Edit the cells here, not in the .ipynb files, so notebooks stay reviewable as code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

QUICKSTART = [
    ("md", """# Quickstart: in-house, vendor or both?

A 300-person startup gets about 17 IT tickets a working day. It can keep its two support engineers,
hand the helpdesk to a per-ticket managed-service provider (MSP), or keep one engineer and send the
overflow to the MSP. simkit runs **the same simulated year of tickets** through all three operating
models, prices what happened, and compares them with confidence intervals.

This notebook goes: load a scenario → simulate → read the table → compare → plot → change an assumption."""),
    ("code", """import simkit as sk
import pandas as pd

pd.set_option("display.width", 200)
sc = sk.load("../scenarios/startup_it_helpdesk.yaml")
print(sc.name)
print("options:", ", ".join(f"{k} ({o.label})" for k, o in sc.options.items()))"""),
    ("md", """## Simulate
Twenty replications: twenty different years of tickets, each one run through every option
(*common random numbers*), so the differences between options come from the options, not from luck."""),
    ("code", """res = sk.simulate(sc, replications=20, seed=2024, progress=False)
res.kpis.shape"""),
    ("md", """## The KPI table
Each cell is the mean over replications with its 95% confidence interval. Units are in the names:
`_usd` money, `_h` hours, `_share` a fraction, `_items` a count. `res.table()` has every KPI; here are
the ones this scenario moves (outages, exits, defects and the like are switched off in it)."""),
    ("code", """# NBVAL_CHECK_OUTPUT
rows = ["cost_total_usd", "cost_per_item_usd", "npv_cost_usd", "lead_time_mean_h", "lead_time_p90_h",
        "sla_attainment_share", "backlog_end_items", "handoff_delay_mean_h", "vendor_item_share",
        "team_utilisation_share", "vendor_utilisation_share", "items_completed"]
print(res.table().loc[rows].to_string())"""),
    ("md", """## Paired comparison
`compare` takes the difference replication by replication (same tickets, different operating model).
`p_better` is the share of replications in which the option beat the baseline — for cost, the
probability that it is cheaper."""),
    ("code", """# NBVAL_CHECK_OUTPUT
cols = ["baseline_mean", "option_mean", "delta_mean", "ci_low", "ci_high", "p_better"]
rows = ["cost_total_usd", "lead_time_p90_h", "sla_attainment_share"]
for option in ["vendor", "hybrid"]:
    print(option, "vs in_house")
    print(res.compare(option, baseline="in_house").loc[rows, cols].round(3).to_string(), end="\\n\\n")"""),
    ("md", "## Charts"),
    ("code", """from simkit import plots

plots.cost_distribution(res);"""),
    ("code", """plots.monthly_cost(res);"""),
    ("code", """plots.lead_times(res);"""),
    ("md", """## Change an assumption
Scenarios are immutable: `override` returns a new one. What if the MSP charged $30 a ticket instead of $35?"""),
    ("code", """# NBVAL_CHECK_OUTPUT
cheaper = sc.override({"vendors.msp.price_per_item": 30})
res30 = sk.simulate(cheaper, replications=20, seed=2024, progress=False)
row = res30.compare("vendor").loc["cost_total_usd"]
print(f"vendor - in_house at $30/ticket: {row.delta_mean:+,.0f} USD "
      f"[{row.ci_low:+,.0f}, {row.ci_high:+,.0f}], P(cheaper) = {row.p_better:.2f}")"""),
    ("md", """Next: `02_dashboard` for sliders, the lessons for teaching, and `scenarios/README.md` for writing
your own scenario."""),
]

DASHBOARD = [
    ("md", """# Dashboard: move a lever, watch the decision

Every slider below is a field of the scenario file: the arrival rate, each team's staff and loaded cost,
each vendor's agents and price, the hybrid's overflow threshold, and how many replications to run.
Sliders act when you **release** them. The dashboard then shows

1. at once, an **instant preview** from closed forms (Erlang C waits at the average load, a static cost) —
   approximate, because it averages away peaks and overnight backlogs;
2. a few seconds later, the **simulated KPIs**: mean and 95% confidence interval per option, the paired
   cost difference against the baseline and the probability of being cheaper, and three charts.

*Save as scenario YAML* writes the scenario you have dialled in (open it with `sk.load`); *Reset* goes back.
Serve this notebook as an app with `make app` (Voila)."""),
    ("code", """import simkit as sk

sc = sk.load("../scenarios/startup_it_helpdesk.yaml")"""),
    ("widget", """dash = sk.explore(sc, replications=5, seed=2024)
dash"""),
    ("md", """## The same levers from code
The dashboard is a thin layer over the public API: a lever is a dotted path, the dialled-in scenario is
`sc.override(dash.changes())`, and the table comes from `sk.simulate`. The preview's closed forms are in
`simkit.preview`:"""),
    ("code", """# NBVAL_CHECK_OUTPUT
from simkit.preview import preview

pv = preview(sc)
print(pv.costs.round(0).to_string())
print()
print(pv.pools[["option", "pool", "servers", "utilisation_share", "p_wait_share", "wait_mean_h"]]
      .round(3).to_string(index=False))"""),
    ("md", """The preview agrees with the simulation on cost (it prices the expected volume) but
underestimates the in-house wait: tickets raised in the evening wait for the next morning, which an
M/M/c queue at the average load cannot see. That gap is why simkit simulates."""),
]

BREAK_EVEN = [
    ("md", r"""# Lesson: make or buy — the break-even volume

**Learning goals.** After this lesson you can

1. state the break-even volume $Q^* = F / (p - v)$ and say what $F$, $p$ and $v$ stand for;
2. find the break-even in a simulated volume sweep and compare it with the closed form;
3. explain why the formula is not the whole answer: a fixed team's cost is flat only while it keeps up.

*Making* means paying for capacity: two support engineers cost their salaries whether 2,000 or 6,000
tickets arrive. *Buying* means paying per unit: a managed-service provider's bill grows with every ticket.
So below some volume buying is cheaper, and above it making is. The classic formula puts the crossing at

$$Q^* = \frac{F}{p - v}$$

with $F$ the extra fixed cost of making (the team, minus the provider's one-off transition), $p$ the all-in
price per ticket (with the client's governance effort) and $v$ the in-house cost per extra ticket — zero
here, because the engineers are paid for every open hour anyway."""),
    ("code", r"""import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import simkit as sk
from simkit import analytic
from simkit.lessons import ask, check_answer
from simkit.workload import HOURS_PER_MONTH

sc = sk.load("lessons/helpdesk_volume.yaml")
print(sc.description)"""),
    ("md", "## The closed form, from the scenario's numbers"),
    ("code", r"""# NBVAL_CHECK_OUTPUT
team, msp = sc.teams["engineers"], sc.vendors["msp"]
hours = sc.calendar(team.calendar).working_hours(0.0, sc.run.horizon_days * 24)
months = sc.run.horizon_days * 24 / HOURS_PER_MONTH
F = team.staff * (team.loaded_cost_per_hour * hours + team.overhead_per_fte_month * months)
p = msp.price_per_item * (1 + msp.governance_share)
q_star = analytic.break_even_volume(F - msp.transition_cost, p, 0.0)
print(f"make: {team.staff} engineers x ({team.loaded_cost_per_hour:.0f} USD/h x {hours:,.0f} h "
      f"+ {team.overhead_per_fte_month:.0f} USD/month x {months:.2f}) = {F:,.0f} USD a year")
print(f"buy:  {msp.transition_cost:,.0f} USD transition + {p:.2f} USD per ticket (price + governance)")
print(f"break-even Q* = ({F:,.0f} - {msp.transition_cost:,.0f}) / {p:.2f} "
      f"= {q_star:,.0f} tickets a year")"""),
    ("md", r"""## The same question, simulated
Sweep the arrival rate; at each volume run both options on the same tickets (three replications, a year
each). The simulation bills only the tickets the provider finished and measures what the formula cannot:
whether the team kept up."""),
    ("code", r"""rows = []
for rate in [0.5, 0.7, 0.88, 1.05, 1.2]:
    res = sk.simulate(sc.override({"workload.rate_per_hour": rate}), replications=3, seed=3, progress=False)
    s = res.summary().set_index(["option", "kpi"])["mean"]
    rows.append({"rate_per_hour": rate, "tickets": s["in_house", "items_arrived"],
                 "in_house_usd": s["in_house", "cost_total_usd"], "vendor_usd": s["vendor", "cost_total_usd"],
                 "in_house_sla": s["in_house", "sla_attainment_share"],
                 "vendor_sla": s["vendor", "sla_attainment_share"]})
sweep = pd.DataFrame(rows)"""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
print(sweep.round({"tickets": 0, "in_house_usd": 0, "vendor_usd": 0, "in_house_sla": 3, "vendor_sla": 3})
      .to_string(index=False))
q_sim = np.interp(0.0, sweep.vendor_usd - sweep.in_house_usd, sweep.tickets)
print(f"simulated break-even: {q_sim:,.0f} tickets a year; closed form: {q_star:,.0f}")"""),
    ("code", r"""fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
ax1.plot(sweep.tickets, sweep.in_house_usd, "o-", label="make: in-house team")
ax1.plot(sweep.tickets, sweep.vendor_usd, "o-", label="buy: provider per ticket")
ax1.axvline(q_star, color="grey", ls="--", label=f"closed form Q* = {q_star:,.0f}")
ax1.set(xlabel="tickets a year", ylabel="total cost (USD)", title="Cost against volume")
ax1.yaxis.set_major_formatter(lambda y, _: f"{y:,.0f}")
ax1.legend(frameon=False)
ax2.plot(sweep.tickets, sweep.in_house_sla, "o-", label="in-house")
ax2.plot(sweep.tickets, sweep.vendor_sla, "o-", label="provider")
ax2.set(xlabel="tickets a year", ylabel="share of tickets within SLA", title="Service against volume",
        ylim=(0, 1))
ax2.legend(frameon=False)
plt.show()"""),
    ("md", r"""The formula and the simulation agree on the crossing. The right panel shows what the formula
leaves out: the team's cost is flat because its capacity is fixed, so as the volume grows its SLA falls,
and beyond about 6,000 tickets (2 engineers x 2,080 h at 0.7 h a ticket) they are offered more work than
they can do (the simulation warns about it). Above $Q^*$ making is cheaper *only if you also hire*,
which moves $F$. A make-or-buy decision compares options that deliver the same service, not just two
cost lines."""),
    ("md", r"""## Try it
Move the provider's price, the engineers' loaded cost and the team size; the lines and the break-even are
closed forms, so they move at once. The dotted line is today's volume."""),
    ("widget", r"""style = {"description_width": "170px"}
controls = {
    "price": W.FloatSlider(value=35, min=10, max=70, step=1, description="price (USD/ticket)",
                           continuous_update=False, style=style),
    "loaded_cost": W.FloatSlider(value=45, min=20, max=100, step=5, description="loaded cost (USD/h)",
                                 continuous_update=False, style=style),
    "staff": W.IntSlider(value=2, min=1, max=5, description="engineers (people)", continuous_update=False,
                         style=style),
}


def draw(price, loaded_cost, staff):
    fixed = staff * (loaded_cost * hours + team.overhead_per_fte_month * months)
    all_in = price * (1 + msp.governance_share)
    q = np.linspace(0, 12_000, 121)
    fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    ax.plot(q, np.full_like(q, fixed), label=f"make: {staff} engineers")
    ax.plot(q, msp.transition_cost + all_in * q, label=f"buy: {price:.0f} USD a ticket")
    qs = analytic.break_even_volume(fixed - msp.transition_cost, all_in, 0.0)
    if 0 < qs <= q[-1]:
        ax.axvline(qs, color="grey", ls="--", label=f"Q* = {qs:,.0f} tickets")
    ax.axvline(sweep.tickets[2], color="black", ls=":", label="today")
    ax.set(xlabel="tickets a year", ylabel="cost (USD a year)")
    ax.yaxis.set_major_formatter(lambda y, _: f"{y:,.0f}")
    ax.legend(frameon=False, loc="upper left")
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])"""),
    ("md", r"""## Exercises
Replace each `None` with your answer and run the cell. `check_answer` tells you whether you are within
tolerance and gives a hint if not."""),
    ("code", r"""ask("break_even.volume")
my_answer = None  # tickets a year
check_answer("break_even.volume", my_answer)"""),
    ("code", r"""ask("break_even.price")
my_answer = None  # USD a ticket
check_answer("break_even.price", my_answer)"""),
    ("code", r"""ask("break_even.scale")
my_answer = None  # 'in_house' or 'vendor'
check_answer("break_even.scale", my_answer)"""),
    ("md", "### Solutions (try first!)"),
    ("code", r"""# NBVAL_CHECK_OUTPUT
F_q, T = 2 * (45 * 2080 + 800 * 12), 9_000  # the numbers given in the questions
check_answer("break_even.volume", analytic.break_even_volume(F_q - T, 30 * 1.05, 0.0))
check_answer("break_even.price", (F_q - T) / (4_800 * 1.05))
per_ticket = sweep.in_house_usd / sweep.tickets
check_answer("break_even.scale", "in_house" if per_ticket.iloc[-1] < per_ticket.iloc[0] else "vendor")"""),
]

HIDDEN_COSTS = [
    ("md", r"""# Lesson: hidden costs — the headline saving and the realised one

**Learning goals.** After this lesson you can

1. tell the *headline* labour arbitrage (one rate against another) from the *realised* saving (every cost);
2. read an option's ledger by category and draw the step from one option's total to another's as a waterfall;
3. name what a rate card hides — productivity, governance, transition — and the slower lead time that is
   not in the money at all.

A New York product team has twelve developers at a loaded 80 USD an hour. An offshore vendor offers
engineers at 7,000 USD a month: about half the price per head. The business case writes itself — or does
it? The vendor's engineers are 80% as productive in the first years (so fifteen do the work of twelve),
the client spends 6% of the fees managing the contract, the transition costs 200,000 USD, and every work
item waits for a question to be answered across a 1.5-hour overlap of working days."""),
    ("code", r"""import ipywidgets as W
import matplotlib.pyplot as plt

import simkit as sk
from simkit.lessons import ask, check_answer, waterfall
from simkit.workload import HOURS_PER_MONTH

sc = sk.load("lessons/offshore_headline.yaml")
res = sk.simulate(sc, replications=5, keep_logs=True, progress=False)  # keep the logs to re-price later
team, vendor = sc.teams["developers"], sc.vendors["offshore"]"""),
    ("md", "## The headline: one head against one head"),
    ("code", r"""# NBVAL_CHECK_OUTPUT
hours = sc.calendar(team.calendar).working_hours(0.0, sc.run.horizon_days * 24)
months = sc.run.horizon_days * 24 / HOURS_PER_MONTH
head_in = team.loaded_cost_per_hour * hours
head_out = vendor.price_per_fte_month * months
headline = team.staff * (head_in - head_out)
print(f"one developer in-house: {head_in:,.0f} USD a year; one offshore engineer: {head_out:,.0f} USD")
print(f"headline saving for {team.staff} heads: {headline:,.0f} USD a year "
      f"({1 - head_out / head_in:.1%})")"""),
    ("md", r"""## The realised saving: every line of the ledger
`res.ledger` holds every cash flow of every option and replication by month and category. Averaged over
the replications:"""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
n = res.kpis.groupby("option")["replication"].nunique()
ledger = res.ledger.groupby(["option", "category"])["amount"].sum().unstack("category").fillna(0.0)
ledger = ledger.div(n, axis=0)
total = ledger.sum(axis=1)
realised = total["in_house"] - total["vendor"]
print(ledger.round(0).to_string())
print(f"\nrealised saving: {realised:,.0f} USD ({realised / total['in_house']:.1%}); "
      f"headline: {headline:,.0f} USD ({1 - head_out / head_in:.1%})")"""),
    ("md", r"""## From one total to the other
Start at the in-house total, take away what the team cost, add what the vendor costs — splitting its fees
into the twelve heads of the headline and the extra heads that make up for productivity."""),
    ("code", r"""CORE = ("labour", "overhead", "vendor_fees", "governance", "transition")


def steps_between(ledger):
    fees_headline = team.staff * head_out
    steps = [("in-house labour", -ledger.loc["in_house", "labour"]),
             ("in-house overhead", -ledger.loc["in_house", "overhead"]),
             (f"fees: {team.staff} heads", fees_headline),
             (f"fees: +{vendor.agents - team.staff} heads (productivity)",
              ledger.loc["vendor", "vendor_fees"] - fees_headline),
             ("governance", ledger.loc["vendor", "governance"]),
             ("transition", ledger.loc["vendor", "transition"])]
    others = [c for c in ledger.columns if c not in CORE]  # any other cost the scenario switches on
    return steps + [(c, ledger.loc["vendor", c] - ledger.loc["in_house", c]) for c in others]


fig, ax = plt.subplots(figsize=(9, 4.2), layout="constrained")
waterfall(("in-house total", total["in_house"]), steps_between(ledger), "vendor total", ax=ax)
ax.set_title("Year one: from the in-house cost to the vendor's")
plt.show()"""),
    ("md", r"""## What the money does not show
The vendor's engineers work while New York sleeps, but each item first waits for its questions to be
answered in the short overlap, and work is slower at 80% productivity. The same work, measured:"""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
print(res.table().loc[["lead_time_mean_h", "lead_time_p90_h", "handoff_delay_mean_h",
                       "sla_attainment_share"]].to_string())"""),
    ("md", r"""Five replications leave wide intervals on lead times: development work is lumpy. The cost lines
are tight because both options are paid by the hour or by the head, not by the item.

## Try it
Negotiate: move the vendor's price, the governance share and the transition. The runs are **re-priced**,
not re-simulated (`res.reprice`): money is a function of what happened, so this is instant."""),
    ("widget", r"""style = {"description_width": "190px"}
controls = {
    "price": W.FloatSlider(value=7000, min=3000, max=12000, step=250,
                           description="price (USD/engineer-month)", continuous_update=False, style=style),
    "governance": W.FloatSlider(value=0.06, min=0.0, max=0.15, step=0.01, description="governance (share)",
                                continuous_update=False, style=style),
    "transition": W.FloatSlider(value=200_000, min=0, max=500_000, step=10_000,
                                description="transition (USD)", continuous_update=False, style=style),
}


def draw(price, governance, transition):
    priced = res.reprice({"vendors.offshore.price_per_fte_month": price,
                          "vendors.offshore.governance_share": governance,
                          "vendors.offshore.transition_cost": transition})
    led = priced.ledger.groupby(["option", "category"])["amount"].sum().unstack("category").fillna(0.0)
    led = led.div(n, axis=0)
    tot = led.sum(axis=1)
    fig, ax = plt.subplots(figsize=(9, 4.2), layout="constrained")
    waterfall(("in-house total", tot["in_house"]), steps_between(led), "vendor total", ax=ax)
    ax.set_title(f"realised saving {1 - tot['vendor'] / tot['in_house']:.1%} "
                 f"(headline {1 - price * months / head_in:.1%})")
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])"""),
    ("md", "## Exercises"),
    ("code", r"""ask("hidden.headline")
my_answer = None  # a share between 0 and 1
check_answer("hidden.headline", my_answer)"""),
    ("code", r"""ask("hidden.agents")
my_answer = None  # engineers
check_answer("hidden.agents", my_answer)"""),
    ("code", r"""ask("hidden.realised")
my_answer = None  # a share between 0 and 1
check_answer("hidden.realised", my_answer)"""),
    ("md", "### Solutions (try first!)"),
    ("code", r"""# NBVAL_CHECK_OUTPUT
check_answer("hidden.headline", 1 - 7000 * 12 / (80 * 2080))
check_answer("hidden.agents", 12 / 0.8)
check_answer("hidden.realised", realised / total["in_house"])"""),
]

QUEUEING = [
    ("md", r"""# Lesson: queueing and pooling — why a vendor can be cheaper

**Learning goals.** After this lesson you can

1. compute the probability of waiting and the mean wait of an M/M/c queue with Erlang C, and check them
   against a simulation;
2. use *square-root staffing*: the spare capacity a service level needs grows like $\sqrt{a}$, not like $a$;
3. explain why pooling demand — one desk instead of two, or a vendor serving many clients — needs fewer
   people for the same service.

A desk with $c$ agents gets tickets at rate $\lambda$ per hour, each taking $1/\mu$ hours on average.
The offered load is $a = \lambda / \mu$ Erlangs (busy agents on average), the utilisation $\rho = a / c$.
With Poisson arrivals and exponential work (M/M/c) the probability that a ticket waits is Erlang's C
formula $C(c, a)$, and the mean wait is $W_q = C(c, a) / (c\mu - \lambda)$.

The lesson's scenario has two kinds of tickets, 4 an hour each, one hour of work on average: 8 Erlangs.
*Two desks* gives each kind its own desk of five agents (two M/M/5 queues at 4 Erlangs); *one desk* serves
both with ten (one M/M/10 queue at 8 Erlangs). Same people, same work, same utilisation of 80%."""),
    ("code", r"""import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import simkit as sk
from simkit import analytic
from simkit.lessons import ask, check_answer

sc = sk.load("lessons/pooling.yaml")
res = sk.simulate(sc, replications=6, progress=False)"""),
    ("md", "## Erlang C against the simulation"),
    ("code", r"""# NBVAL_CHECK_OUTPUT
s = res.summary().set_index(["option", "kpi"])
desks = {"split": (5, 4.0), "pooled": (10, 8.0)}  # agents per desk, Erlangs per desk
rows = []
for option, (c, a) in desks.items():
    for kpi, closed in (("waited_share", analytic.erlang_c(c, a)),
                        ("wait_mean_h", analytic.mmc_wait_mean_h(c, a, 1.0))):
        r = s.loc[(option, kpi)]
        rows.append({"option": option, "kpi": kpi, "Erlang C": closed, "simulated": r["mean"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                     "inside CI": bool(r["ci_low"] <= closed <= r["ci_high"])})
print(pd.DataFrame(rows).round(3).to_string(index=False))"""),
    ("code", r"""labels = [sc.options[o].label for o in desks]
sim = [s.loc[(o, "wait_mean_h"), "mean"] * 60 for o in desks]
err = [(s.loc[(o, "wait_mean_h"), "ci_high"] - s.loc[(o, "wait_mean_h"), "mean"]) * 60 for o in desks]
theory = [analytic.mmc_wait_mean_h(c, a, 1.0) * 60 for c, a in desks.values()]
fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
ax.bar(np.arange(2) - 0.2, sim, 0.4, yerr=err, capsize=4, label="simulated (95% CI)")
ax.bar(np.arange(2) + 0.2, theory, 0.4, label="Erlang C")
ax.set_xticks(range(2), labels)
ax.set(ylabel="mean wait (minutes)", title="Same 10 agents, same work, 80% busy")
ax.legend(frameon=False)
plt.show()"""),
    ("md", r"""The pooled desk makes tickets wait about a third as long with the same ten people: in two
separate desks an agent of desk A can sit idle while tickets queue at desk B. That is the economy of
scale of a vendor that serves many clients from one bench.

## Square-root staffing
How many agents keep the probability of waiting at or below 20%? The answer is about $a + \beta\sqrt{a}$:
the spare capacity grows with the square root of the load, so big desks run hotter for the same service."""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
rows = []
for a in [2, 5, 10, 20, 50, 100]:
    c = analytic.min_servers_for_p_wait(a, 0.2)
    rows.append({"load_erlangs": a, "agents": c, "spare_agents": c - a, "beta": (c - a) / np.sqrt(a),
                 "utilisation_share": a / c})
print(pd.DataFrame(rows).round(3).to_string(index=False))"""),
    ("md", r"""## Pooling many clients
Now $k$ client teams with 5 Erlangs each, all wanting P(wait) ≤ 0.2: separate desks against one vendor
bench."""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
rows = []
for k in [1, 2, 4, 8]:
    alone = k * analytic.min_servers_for_p_wait(5.0, 0.2)
    pooled = analytic.min_servers_for_p_wait(5.0 * k, 0.2)
    rows.append({"clients": k, "separate_agents": alone, "pooled_agents": pooled,
                 "saved_agents": alone - pooled})
print(pd.DataFrame(rows).to_string(index=False))"""),
    ("md", r"""## Try it
Choose the load of one client team, how many teams, and the service target; the bars are closed forms."""),
    ("widget", r"""style = {"description_width": "180px"}
controls = {
    "load": W.FloatSlider(value=5, min=1, max=30, step=0.5, description="load per team (Erlangs)",
                          continuous_update=False, style=style),
    "teams": W.IntSlider(value=4, min=1, max=10, description="client teams", continuous_update=False,
                         style=style),
    "target": W.FloatSlider(value=0.2, min=0.05, max=0.5, step=0.05, description="P(wait) target",
                            continuous_update=False, style=style),
}


def draw(load, teams, target):
    alone = teams * analytic.min_servers_for_p_wait(load, target)
    pooled = analytic.min_servers_for_p_wait(load * teams, target)
    fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
    ax.barh(["separate desks", "one pooled desk"], [alone, pooled], color=["#d9822b", "#1b6ca8"])
    ax.axvline(load * teams, color="black", ls=":", label=f"load {load * teams:g} Erlangs")
    for y, v in enumerate([alone, pooled]):
        ax.text(v, y, f" {v} agents, {load * teams / v:.0%} busy", va="center")
    ax.set(xlabel="agents needed", xlim=(0, alone * 1.35))
    ax.legend(frameon=False, loc="lower right")
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])"""),
    ("md", "## Exercises"),
    ("code", r"""ask("queueing.p_wait")
my_answer = None  # a share between 0 and 1
check_answer("queueing.p_wait", my_answer)"""),
    ("code", r"""ask("queueing.servers")
my_answer = None  # agents
check_answer("queueing.servers", my_answer)"""),
    ("code", r"""ask("queueing.pooling")
my_answer = None  # agents
check_answer("queueing.pooling", my_answer)"""),
    ("md", "### Solutions (try first!)"),
    ("code", r"""# NBVAL_CHECK_OUTPUT
check_answer("queueing.p_wait", analytic.erlang_c(10, 8.0))
check_answer("queueing.servers", analytic.min_servers_for_p_wait(9.0, 0.2))
check_answer("queueing.pooling", 4 * analytic.min_servers_for_p_wait(5.0, 0.2)
             - analytic.min_servers_for_p_wait(20.0, 0.2))"""),
]

SEASONAL = [
    ("md", r"""# Lesson: seasonal peaks — fixed capacity against an elastic bench

**Learning goals.** After this lesson you can

1. read a `month_of_year` profile and compute each month's offered load;
2. see how a yearly average hides a peak: the annual SLA against the SLA month by month;
3. compare a fixed in-house team sized for the average with a larger vendor bench paid per ticket, and a
   hybrid that keeps a smaller team and sends the overflow out — and see whose cost follows demand.

A round-the-clock service desk gets 1.6 tickets an hour times a monthly multiplier; the holiday season
nearly doubles December. Three in-house agents handle the average comfortably. A provider keeps a bench
of five (a little slower, paid per ticket), and the hybrid keeps two agents and sends a ticket to the
provider whenever both are busy and one is already waiting."""),
    ("code", r"""import ipywidgets as W
import matplotlib.pyplot as plt
import pandas as pd

import simkit as sk
from simkit import plots
from simkit.lessons import ask, check_answer, monthly_sla

sc = sk.load("lessons/seasonal_peak.yaml")
effort_h = sc.workload.kinds["ticket"].effort_h.mean"""),
    ("md", "## The load, month by month"),
    ("code", r"""# NBVAL_CHECK_OUTPUT
staff = sc.teams["agents"].staff
load = pd.DataFrame({"multiplier": sc.workload.month_of_year}, index=pd.RangeIndex(1, 13, name="month"))
load["load_erlangs"] = sc.workload.rate_per_hour * load.multiplier * effort_h
load["in_house_utilisation"] = load.load_erlangs / staff
print(load.round(3).T.to_string())
print(f"yearly average load: {load.load_erlangs.mean():.2f} Erlangs for {staff} agents")"""),
    ("md", "## A year, simulated"),
    ("code", r"""res = sk.simulate(sc, keep_logs=True, progress=False)  # the logs split the SLA by month
monthly = monthly_sla(res)"""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
print(res.table().loc[["cost_total_usd", "sla_attainment_share", "lead_time_p90_h", "backlog_end_items",
                       "vendor_item_share"]].to_string())"""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
print("SLA attainment by month of arrival")
print(monthly.round(3).T.to_string())"""),
    ("code", r"""fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
for option in res.options:
    ax1.plot(monthly.index, monthly[option], "o-", ms=3, label=sc.options[option].label)
ax1.set(xlabel="month", ylabel="share within SLA", title="SLA attainment by month", ylim=(0, 1.02))
ax1.legend(frameon=False, loc="lower left")
plots.monthly_cost(res, ax=ax2)
plt.show()"""),
    ("md", r"""Over the year the in-house team looks acceptable, but month by month it collapses in December:
at 1.9 times the base rate the load exceeds three agents, the queue grows every day, and the backlog is still
there at year end. The provider's bench absorbs the peak, and its cost follows demand (right panel): it is
*elastic*, the team's is fixed. The hybrid keeps the cheap capacity for the base load and rents the peak.

## Try it
Change December's multiplier, the in-house team and the provider's bench. Each change re-simulates two
replications of the year (a couple of seconds)."""),
    ("widget", r"""style = {"description_width": "170px"}
controls = {
    "december": W.FloatSlider(value=1.9, min=1.0, max=2.5, step=0.1, description="December multiplier",
                              continuous_update=False, style=style),
    "staff": W.IntSlider(value=3, min=2, max=6, description="in-house agents", continuous_update=False,
                         style=style),
    "bench": W.IntSlider(value=5, min=3, max=10, description="provider bench (agents)",
                         continuous_update=False, style=style),
}


def draw(december, staff, bench):
    profile = list(sc.workload.month_of_year[:11]) + [december]
    what_if = sc.override({"workload.month_of_year": profile, "teams.agents.staff": staff,
                           "vendors.bench.agents": bench})
    r = sk.simulate(what_if, replications=2, keep_logs=True, progress=False)
    m = monthly_sla(r)
    cost = r.summary().set_index(["option", "kpi"]).loc[(slice(None), "cost_total_usd"), "mean"]
    fig, ax = plt.subplots(figsize=(9, 3.6), layout="constrained")
    for option in r.options:
        ax.plot(m.index, m[option], "o-", ms=3,
                label=f"{what_if.options[option].label}: {cost[option, 'cost_total_usd']:,.0f} USD")
    ax.set(xlabel="month", ylabel="share within SLA", ylim=(0, 1.02),
           title="SLA by month; yearly cost in the legend")
    ax.legend(frameon=False, loc="lower left")
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])"""),
    ("md", "## Exercises"),
    ("code", r"""ask("seasonal.peak_load")
my_answer = None  # Erlangs
check_answer("seasonal.peak_load", my_answer)"""),
    ("code", r"""ask("seasonal.worst_month")
my_answer = None  # a month, 1 to 12
check_answer("seasonal.worst_month", my_answer)"""),
    ("md", "### Solutions (try first!)"),
    ("code", r"""# NBVAL_CHECK_OUTPUT
check_answer("seasonal.peak_load", sc.workload.rate_per_hour * sc.workload.month_of_year[11] * effort_h)
check_answer("seasonal.worst_month", int(monthly["in_house"].idxmin()))"""),
]

TIME_ZONES = [
    ("md", r"""# Lesson: time zones and communication — the question that waits overnight

**Learning goals.** After this lesson you can

1. explain why a question asked outside the client's office hours waits, and compute the mean wait with
   the closed form `(24 - o)^2 / 48` for an `o`-hour daily overlap;
2. check that closed form against a simulated sweep of the overlap;
3. weigh a round-the-clock offshore provider (faster, because it never sleeps) against the hours its
   questions spend waiting for the client — and see when asking more questions tips the balance.

A product team sends about six change requests a day. Four in ten need a question answered by the business,
whose people answer only in office hours, 09:00–17:00 UTC, seven days a week. The in-house developers sit
next to them on the same hours: a question is answered at once. An offshore provider works around the clock,
a little slower, and, further from the business, asks half as many questions again; a question raised at
night waits until 09:00."""),
    ("code", r"""import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np

import simkit as sk
from simkit import analytic
from simkit.lessons import QUESTIONS, Question, ask, check_answer

sc = sk.load("lessons/time_zones.yaml")
kind = sc.workload.kinds["change"]
vendor = sc.vendors["offshore"]
client = sc.calendars["client"]
overlap_h = client.close_hour - client.open_hour
print(f"overlap: {overlap_h:g} h a day; questions: {kind.clarify_share:.0%} of requests in-house, "
      f"{min(1.0, kind.clarify_share * vendor.clarify_factor):.0%} at the provider")"""),
    ("code", r"""# This lesson's exercises (each answer computed from the numbers in its text)
QUESTIONS.update({
    "time_zones.wait": Question(
        "The provider works around the clock and raises questions at any hour; the client answers only in "
        "a 3-hour daily overlap. How long does a question wait for its answer on average?",
        lambda: analytic.overlap_wait_mean_h(3.0), rel_tol=0.01, unit="hours",
        hint="A question raised in the overlap is answered at once; one raised outside waits on average "
             "half the closed hours: (24 - o) / 24 x (24 - o) / 2.",
        why="(24 - 3)^2 / 48 = 9.19 h: most questions are raised while the client sleeps."),
    "time_zones.per_item": Question(
        "40% of requests need one question, the provider asks 1.5 times as often, and the overlap is 8 "
        "hours. How many hours of waiting for answers does that add to an average request?",
        lambda: min(1.0, 0.4 * 1.5) * analytic.overlap_wait_mean_h(8.0), rel_tol=0.02, unit="hours",
        hint="Share of requests that ask x mean wait per question.",
        why="0.6 x (24 - 8)^2 / 48 = 0.6 x 5.33 = 3.2 h per request."),
    "time_zones.overlap_needed": Question(
        "How many hours of daily overlap keep the mean wait for an answer at 2 hours?",
        lambda: 24.0 - (2.0 * 48.0) ** 0.5, rel_tol=0.02, unit="hours",
        hint="Solve (24 - o)^2 / 48 = 2 for o.",
        why="24 - sqrt(96) = 14.2 h: a short overlap is cheap to add, but the last hours of waiting are "
            "the most expensive to remove."),
})"""),
    ("md", r"""## A quarter, simulated
Three replications of a quarter. `clarify_share` is the share of requests that needed an answer,
`clarify_delay_mean_h` the hours each of them waited for it."""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
res = sk.simulate(sc, progress=False)
print(res.table().loc[["cost_total_usd", "lead_time_mean_h", "lead_time_p90_h", "sla_attainment_share",
                       "clarify_share", "clarify_delay_mean_h"]].to_string())
print(f"closed form for an {overlap_h:g}-hour overlap: {analytic.overlap_wait_mean_h(overlap_h):.2f} h")"""),
    ("md", r"""The provider's questions wait about five hours each, as the closed form says, and yet its requests
finish *sooner*: it works 24 hours a day while the in-house team works eight, so a request that arrives in
the evening is started at once rather than the next morning. Waiting for answers is a real cost, but it has to
be weighed against everything else the operating model changes.

## Sweep the overlap
Moving the client's opening hour earlier (closing stays at 17:00) widens the overlap. `sk.sweep` runs the
provider at each point with the same random numbers."""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
sw = sk.sweep(sc, {"calendars.client.open_hour": [1, 5, 9, 13, 15]}, replications=4, options=["vendor"],
              progress=False)
table = sw.summary(kpi="clarify_delay_mean_h")
table["overlap_h"] = client.close_hour - table["calendars.client.open_hour"]
table["closed_form_h"] = [analytic.overlap_wait_mean_h(o) for o in table["overlap_h"]]
print(table[["overlap_h", "mean", "ci_low", "ci_high", "closed_form_h"]].round(2).to_string(index=False))"""),
    ("code", r"""o = np.linspace(0, 24, 97)
fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
ax.plot(o, [analytic.overlap_wait_mean_h(x) for x in o], label="closed form (24 - o)^2 / 48")
ax.errorbar(table["overlap_h"], table["mean"], yerr=[table["mean"] - table["ci_low"], table["ci_high"] - table["mean"]],
            fmt="o", capsize=3, label="simulated (95% CI)")
ax.set(xlabel="daily overlap (h)", ylabel="mean wait per question (h)", title="Waiting for an answer")
ax.legend(frameon=False)
plt.show()"""),
    ("md", r"""The simulation follows the parabola. The curve is steep at small overlaps: the first hours of
overlap remove the most waiting, which is why "a two-hour overlap with the offshore team" is such a common
contract clause. Where the simulation sits above the curve (a short overlap), the closed form's assumption —
questions raised uniformly over the day — no longer quite holds: every answer arrives at opening time, the
answered requests all come back at once and keep the provider busy through the short overlap, so the new
requests are picked up, and their questions raised, after the client has gone home.

## Try it
Change the overlap, how often requests need a question and how much more often the provider asks. Each change
re-simulates two replications of the quarter."""),
    ("widget", r"""style = {"description_width": "190px"}
controls = {
    "overlap": W.IntSlider(value=8, min=1, max=16, description="overlap (h a day)", continuous_update=False,
                           style=style),
    "share": W.FloatSlider(value=0.4, min=0.0, max=1.0, step=0.05, description="requests with a question",
                           continuous_update=False, style=style),
    "factor": W.FloatSlider(value=1.5, min=1.0, max=3.0, step=0.25, description="provider asks x as often",
                            continuous_update=False, style=style),
}


def draw(overlap, share, factor):
    what_if = sc.override({"calendars.client.open_hour": client.close_hour - overlap,
                           "workload.kinds.change.clarify_share": share,
                           "vendors.offshore.clarify_factor": factor})
    r = sk.simulate(what_if, replications=2, progress=False)
    s = r.summary().set_index(["option", "kpi"])["mean"]
    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    names = [what_if.options[opt].label for opt in r.options]
    lead = [s[opt, "lead_time_mean_h"] for opt in r.options]
    ax.barh(names, lead, color=["#1b6ca8", "#d9822b"])
    for y, opt in enumerate(r.options):
        ax.text(lead[y], y, f"  {lead[y]:.1f} h (answers: {s[opt, 'clarify_delay_mean_h']:.1f} h each)",
                va="center", fontsize=9)
    ax.set(xlabel="mean lead time (h)", xlim=(0, max(lead) * 1.6),
           title=f"closed form: {analytic.overlap_wait_mean_h(overlap):.1f} h per question")
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])"""),
    ("md", "## Exercises"),
    ("code", r"""ask("time_zones.wait")
my_answer = None  # hours
check_answer("time_zones.wait", my_answer)"""),
    ("code", r"""ask("time_zones.per_item")
my_answer = None  # hours
check_answer("time_zones.per_item", my_answer)"""),
    ("code", r"""ask("time_zones.overlap_needed")
my_answer = None  # hours of overlap
check_answer("time_zones.overlap_needed", my_answer)"""),
    ("md", "### Solutions (try first!)"),
    ("code", r"""# NBVAL_CHECK_OUTPUT
check_answer("time_zones.wait", (24 - 3) ** 2 / 48)
check_answer("time_zones.per_item", 0.4 * 1.5 * (24 - 8) ** 2 / 48)
check_answer("time_zones.overlap_needed", 24 - (2 * 48) ** 0.5)"""),
]

VENDOR_FAILURE = [
    ("md", r"""# Lesson: vendor failure, dual sourcing and exit

**Learning goals.** After this lesson you can

1. compute a provider's availability from its mean time between failures and to repair,
   `MTBF / (MTBF + MTTR)`, and the chance it survives a contract at a constant hazard, `exp(-h T)`;
2. explain why two providers are down together far less often than one is down (`p^2` if independent),
   and how a common cause erodes that;
3. read the price of insurance in a simulation: a second provider costs a little more on average and
   removes the long tail of lead times that outages create.

A service desk runs around the clock, about a ticket an hour. Provider *alpha* is cheap (40 USD a ticket)
but goes down every 500 hours on average for 36 hours, and has a 30% a year chance of going out of business;
then the work moves to provider *beta* after two weeks of contracting and onboarding (30,000 USD). The
*dual* option gives beta 30% of the tickets from day one, at 46 USD, and each provider takes the other's
tickets while it is down (`policy: reroute`)."""),
    ("code", r"""import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np

import simkit as sk
from simkit import analytic, plots
from simkit.lessons import QUESTIONS, Question, ask, check_answer

sc = sk.load("lessons/vendor_failure.yaml")
alpha = sc.vendors["alpha"]
mtbf_h, mttr_h = alpha.outages.time_between_h.mean, alpha.outages.repair_h.mean
years = sc.run.horizon_days / 365.25"""),
    ("code", r"""# This lesson's exercises (each answer computed from the numbers in its text)
QUESTIONS.update({
    "failure.availability": Question(
        "A provider fails on average every 500 hours and takes 36 hours to recover. What share of the "
        "time is it up?", lambda: analytic.availability(500.0, 36.0), abs_tol=0.002, unit="share",
        hint="Availability = MTBF / (MTBF + MTTR).", why="500 / 536 = 0.933: down about 7% of the time."),
    "failure.both_down": Question(
        "Two providers, each up 93.3% of the time, fail independently. What share of the time are both "
        "down together?", lambda: analytic.dual_sourcing_p_both_down(1 - 0.933), abs_tol=0.0005,
        unit="share", hint="Independent events: multiply the probabilities.",
        why="0.067^2 = 0.0045: fifteen times rarer than one provider being down."),
    "failure.common_cause": Question(
        "Same two providers, but 20% of the outages have a common cause (the same data centre, the same "
        "cloud region). About what share of the time are both down?",
        lambda: analytic.dual_sourcing_p_both_down(1 - 0.933, 0.2), abs_tol=0.001, unit="share",
        hint="beta p + ((1 - beta) p)^2 with beta = 0.2 and p = 0.067.",
        why="0.2 x 0.067 + (0.8 x 0.067)^2 = 0.016: a small common cause undoes most of the hedge."),
    "failure.survival": Question(
        "A provider goes out of business at a constant hazard of 0.3 a year. What is the probability it "
        "is still there at the end of a three-year contract?", lambda: analytic.survival(0.3, 3.0),
        abs_tol=0.005, unit="probability", hint="exp(-hazard x years).",
        why="exp(-0.9) = 0.41: more likely than not, the exit plan will be used."),
})"""),
    ("md", r"""## Half a year, simulated
Twenty replications of six months. `availability_share` is the share of time the option's worst-hit
provider was serving; `outages_count` counts outages of every provider in the option (two providers, more
outages — and yet a shorter tail); `exits_count` is 1 in a replication where alpha went out of business."""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
res = sk.simulate(sc, replications=20, progress=False)
print(res.table().loc[["cost_total_usd", "switching_cost_usd", "lead_time_mean_h", "lead_time_p99_h",
                       "sla_attainment_share", "availability_share", "outages_count", "exits_count"]].to_string())"""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
up = analytic.availability(mtbf_h, mttr_h)
long_run = sc.override({"run.horizon_days": 728, "vendors.alpha.exit.hazard_per_year": 0})
avail = sk.simulate(long_run, replications=20, options=["single"], progress=False).table().loc["availability_share"]
print(f"alpha's availability: closed form {up:.3f}, simulated over two years without exit {avail['single']}")
print(f"P(both providers down), independent: {analytic.dual_sourcing_p_both_down(1 - up):.4f}")
p_exit = 1 - analytic.survival(alpha.exit.hazard_per_year, years)
exits = res.kpis.loc[res.kpis.option == "single", "exits_count"]
print(f"P(alpha exits within {years:.2f} years): closed form {p_exit:.3f}, "
      f"simulated {exits.mean():.2f} ({int(exits.sum())} of {exits.size} replications)")"""),
    ("md", r"""Over two years (and with the exit switched off, since the two weeks of switching are downtime too)
the simulated availability matches the closed form. Over half a year it reads a little lower: a run this short
holds only eight or nine outages, and the noise and the edges of the window weigh more. The exit is a *rare
event*: with a 14% chance per run, twenty replications show it a handful of times, and the estimate is
rough — rare risks need many replications (or the closed form) to price well.

Now the comparison that matters, replication by replication (same tickets, same outages of alpha):"""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
cols = ["baseline_mean", "option_mean", "delta_mean", "ci_low", "ci_high", "p_better"]
print(res.compare("dual", baseline="single").loc[["cost_total_usd", "lead_time_p99_h",
                                                  "sla_attainment_share"], cols].round(3).to_string())"""),
    ("code", r"""fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
plots.cost_distribution(res, ax=ax1)
plots.lead_times(res, ax=ax2)
plt.show()"""),
    ("md", r"""Dual sourcing is an insurance policy: it costs a few percent more (beta's higher price on 30% of
the tickets), and in exchange the worst hours — tickets stuck for days while the only provider is down —
disappear, because the other provider takes them. Whether the premium is worth it depends on what a late
ticket costs the business: add `late_cost_per_h` to the ticket kind and the ledger prices it.

## Try it
Change the repair time, beta's share and alpha's yearly hazard of going out of business. Each change
re-simulates four replications of the half year for the two outsourced options."""),
    ("widget", r"""style = {"description_width": "190px"}
controls = {
    "mttr": W.IntSlider(value=36, min=4, max=120, step=4, description="mean repair time (h)",
                        continuous_update=False, style=style),
    "share": W.FloatSlider(value=0.3, min=0.05, max=0.5, step=0.05, description="beta's share",
                           continuous_update=False, style=style),
    "hazard": W.FloatSlider(value=0.3, min=0.0, max=2.0, step=0.1, description="alpha's exit hazard (/year)",
                            continuous_update=False, style=style),
}


def draw(mttr, share, hazard):
    what_if = sc.override({"vendors.alpha.outages.repair_h": f"exponential(mean={mttr})",
                           "vendors.beta.outages.repair_h": f"exponential(mean={mttr})",
                           "options.dual.backup_share": share, "vendors.alpha.exit.hazard_per_year": hazard})
    r = sk.simulate(what_if, replications=4, options=["single", "dual"], progress=False)
    s = r.summary().set_index(["option", "kpi"])["mean"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.2), layout="constrained")
    labels = [what_if.options[o].label for o in r.options]
    ax1.bar(labels, [s[o, "cost_total_usd"] for o in r.options], color=["#1b6ca8", "#d9822b"])
    ax1.set(ylabel="cost over the half year (USD)", title="cost")
    ax2.bar(labels, [s[o, "lead_time_p99_h"] for o in r.options], color=["#1b6ca8", "#d9822b"])
    a = analytic.availability(mtbf_h, mttr)
    ax2.set(ylabel="99th percentile lead time (h)",
            title=f"availability {a:.3f}; both down {analytic.dual_sourcing_p_both_down(1 - a):.4f}")
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])"""),
    ("md", "## Exercises"),
    ("code", r"""ask("failure.availability")
my_answer = None  # share of the time up
check_answer("failure.availability", my_answer)"""),
    ("code", r"""ask("failure.both_down")
my_answer = None  # share of the time
check_answer("failure.both_down", my_answer)"""),
    ("code", r"""ask("failure.common_cause")
my_answer = None  # share of the time
check_answer("failure.common_cause", my_answer)"""),
    ("code", r"""ask("failure.survival")
my_answer = None  # probability
check_answer("failure.survival", my_answer)"""),
    ("md", "### Solutions (try first!)"),
    ("code", r"""# NBVAL_CHECK_OUTPUT
check_answer("failure.availability", 500 / (500 + 36))
check_answer("failure.both_down", (1 - 0.933) ** 2)
check_answer("failure.common_cause", 0.2 * (1 - 0.933) + (0.8 * (1 - 0.933)) ** 2)
check_answer("failure.survival", np.exp(-0.3 * 3))"""),
]

LOCK_IN = [
    ("md", r"""# Lesson: lock-in, renewal and insourcing back

**Learning goals.** After this lesson you can

1. project a provider's price through its renewals: indexation plus a lock-in premium that grows with
   *asset specificity* (how much of the work only this provider knows) — `(1 + i)^(T/12) (1 + 2 s L)` per
   renewal;
2. price the way back: switching money, a hiring gap, a team that restarts slowly and has forgotten part of
   the system (knowledge erosion);
3. see that insourcing back can pay over a long horizon and still hurt for months — the cost is in lead time
   as much as in money.

Five years of development work, about six requests a day. The in-house team of three costs the same every
month. The provider starts about 15% cheaper, but every yearly renewal adds 4% indexation and an 8% lock-in
premium (at asset specificity 0.5: the provider knows it is hard to replace). The third option outsources, then
terminates after two years and brings the work back to a rebuilt team: two weeks of gap, a 60,000 USD
switching bill, and a team that starts at 60% productivity, less 10% for each year the organisation was away
from the work."""),
    ("code", r"""import ipywidgets as W
import matplotlib.pyplot as plt

import simkit as sk
from simkit import plots
from simkit.lessons import QUESTIONS, Question, ask, check_answer

sc = sk.load("lessons/lock_in.yaml")
contract = sc.vendors["stay"].contract
ex = sc.vendors["leave"].exit
step = (1 + contract.indexation_annual) ** (contract.term_months / 12) * (
    1 + contract.lock_in_premium * 2 * sc.asset_specificity)
print(f"price multiplier per renewal: {step:.4f}; after four renewals: {step ** 4:.3f}")
print(f"rebuilt team's first-month productivity: "
      f"{ex.ramp_start_productivity * (1 - ex.knowledge_erosion_annual * ex.terminate_at_month / 12):.2f}")"""),
    ("code", r"""# This lesson's exercises (each answer computed from the numbers in its text)
QUESTIONS.update({
    "lock_in.price": Question(
        "A provider charges 300 USD a request. Each yearly renewal adds 4% indexation and a lock-in premium "
        "of 8% x 2 x asset specificity, with asset specificity 0.5. What is the price after two renewals?",
        lambda: 300.0 * (1.04 * 1.08) ** 2, rel_tol=0.005, unit="USD a request",
        hint="Each renewal multiplies the price by (1 + indexation) x (1 + premium x 2 x specificity).",
        why="300 x (1.04 x 1.08)^2 = 378.5 USD: 26% more in two years."),
    "lock_in.specificity": Question(
        "Same contract, but the work is highly specific (asset specificity 1.0). What is the price after two "
        "renewals?", lambda: 300.0 * (1.04 * 1.16) ** 2, rel_tol=0.005, unit="USD a request",
        hint="The premium doubles: 8% x 2 x 1.0 = 16% a renewal.",
        why="300 x (1.04 x 1.16)^2 = 436.6 USD: specificity is what the provider charges for."),
    "lock_in.erosion": Question(
        "A rebuilt team starts at 60% productivity, less 10% for each year the work was away. What is its "
        "productivity in its first month after three years of outsourcing (0 to 1)?",
        lambda: 0.6 * (1 - 0.10 * 3), abs_tol=0.005, unit="share",
        hint="ramp start x (1 - erosion x years away).",
        why="0.6 x 0.7 = 0.42: below what the work needs, so a backlog builds while the team relearns."),
})"""),
    ("md", r"""## Five years, simulated
Four replications (the same requests through all three options). `npv_cost_usd` discounts at 8% a year."""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
res = sk.simulate(sc, progress=False)
print(res.table().loc[["cost_total_usd", "npv_cost_usd", "switching_cost_usd", "lead_time_mean_h",
                       "lead_time_p90_h", "sla_attainment_share"]].to_string())"""),
    ("code", r"""plots.monthly_cost(res);"""),
    ("md", r"""The monthly cost tells the story. The provider's line steps up at every renewal and crosses the
team's flat line in the second year: from then on staying is paying for lock-in. The insourcing option
follows the provider for two years, spikes in month 24 (the switching bill and the overlap), then runs at the
team's cost. Over five years it is the cheapest — but look at its lead time: for months after the switch the
rebuilt team is slower than the work arrives, and a backlog builds. That is the part of the exit cost the
contract never shows.

## Asset specificity cuts both ways
The more specific the work, the bigger the provider's premium at renewal *and* the bigger the switching bill
(`switching_cost` is booked x 2 x asset specificity). `sk.sweep` re-prices the same runs at each point
(asset specificity changes the money only, so nothing is re-simulated)."""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
sw = sk.sweep(sc, {"asset_specificity": [0.0, 0.5, 1.0]}, progress=False)
cost = sw.summary(kpi="cost_total_usd").pivot(index="asset_specificity", columns="option", values="mean")
print((cost / 1e6).round(3).to_string())"""),
    ("md", r"""At zero specificity the provider charges no premium and leaving costs nothing, so staying and coming
back cost about the same. As the work becomes specific, the renewals compound faster than the one-off
switching bill grows, and bringing the work back becomes the cheaper path — if the organisation can live with
the months of slow service.

## Try it
Change the lock-in premium, the asset specificity and when the contract is terminated. Each change
re-simulates two replications of the five years."""),
    ("widget", r"""style = {"description_width": "170px"}
controls = {
    "premium": W.FloatSlider(value=0.08, min=0.0, max=0.2, step=0.02, description="lock-in premium",
                             continuous_update=False, style=style),
    "specificity": W.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.1, description="asset specificity",
                                 continuous_update=False, style=style),
    "month": W.IntSlider(value=24, min=6, max=54, step=6, description="bring back at month",
                         continuous_update=False, style=style),
}


def draw(premium, specificity, month):
    what_if = sc.override({"vendors.stay.contract.lock_in_premium": premium,
                           "vendors.leave.contract.lock_in_premium": premium,
                           "asset_specificity": specificity, "vendors.leave.exit.terminate_at_month": month})
    r = sk.simulate(what_if, replications=2, progress=False)
    s = r.summary().set_index(["option", "kpi"])["mean"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.6), layout="constrained")
    plots.monthly_cost(r, ax=ax1)
    labels = [what_if.options[o].label for o in r.options]
    ax2.barh(labels, [s[o, "cost_total_usd"] / 1e6 for o in r.options], color=["#1b6ca8", "#d9822b", "#3a9d5d"])
    for y, o in enumerate(r.options):
        ax2.text(s[o, "cost_total_usd"] / 1e6, y, f"  lead time {s[o, 'lead_time_mean_h']:.0f} h", va="center")
    ax2.set(xlabel="cost over five years (million USD)", xlim=(0, s.loc[:, "cost_total_usd"].max() / 1e6 * 1.5))
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])"""),
    ("md", "## Exercises"),
    ("code", r"""ask("lock_in.price")
my_answer = None  # USD a request
check_answer("lock_in.price", my_answer)"""),
    ("code", r"""ask("lock_in.specificity")
my_answer = None  # USD a request
check_answer("lock_in.specificity", my_answer)"""),
    ("code", r"""ask("lock_in.erosion")
my_answer = None  # share
check_answer("lock_in.erosion", my_answer)"""),
    ("md", "### Solutions (try first!)"),
    ("code", r"""# NBVAL_CHECK_OUTPUT
check_answer("lock_in.price", 300 * (1.04 * (1 + 0.08 * 2 * 0.5)) ** 2)
check_answer("lock_in.specificity", 300 * (1.04 * (1 + 0.08 * 2 * 1.0)) ** 2)
check_answer("lock_in.erosion", 0.6 * (1 - 0.10 * 3))"""),
]

COST_AT_RISK = [
    ("md", r"""# Lesson: Monte Carlo NPV and cost at risk

**Learning goals.** After this lesson you can

1. read a cost as a *distribution* over simulated futures rather than one number, and its net present value;
2. compute and interpret value at risk (VaR, the cost exceeded in only 5% of futures) and conditional value at
   risk (CVaR, the mean cost of those worst 5%);
3. see that an option can be cheaper on average and still riskier — and read the fan of its monthly cost.

A small product team for three years: two in-house developers paid in dollars, or two offshore engineers
billed per person-month in rupees. At today's exchange rate the offshore team costs about a quarter less. But
the rate wanders (20% a year, a geometric Brownian motion with monthly steps), and every invoice is paid at
that month's rate. Forty replications are forty possible paths of the rate."""),
    ("code", r"""import ipywidgets as W
import matplotlib.pyplot as plt
from scipy.stats import norm

import simkit as sk
from simkit import plots
from simkit.lessons import QUESTIONS, Question, ask, check_answer

sc = sk.load("lessons/cost_at_risk.yaml")
print(f"exchange-rate volatility: {sc.vendors['offshore'].fx.volatility_annual:.0%} a year; "
      f"discount rate {sc.run.discount_rate_annual:.0%}")"""),
    ("code", r"""# This lesson's exercises (each answer computed from the numbers in its text)
QUESTIONS.update({
    "risk.var": Question(
        "A three-year cost is roughly normal with mean 1.0 million USD and standard deviation 0.2 million. "
        "What is its 95% value at risk (the cost exceeded with 5% probability), in million USD?",
        lambda: 1.0 + 0.2 * norm.ppf(0.95), rel_tol=0.01, unit="million USD",
        hint="mean + z x sd, with z the 95% quantile of the standard normal (1.645).",
        why="1.0 + 1.645 x 0.2 = 1.33 million USD."),
    "risk.cvar": Question(
        "Same distribution: what is the 95% CVaR, the mean cost in the worst 5% of futures, in million USD?",
        lambda: 1.0 + 0.2 * norm.pdf(norm.ppf(0.95)) / 0.05, rel_tol=0.01, unit="million USD",
        hint="For a normal: mean + sd x phi(z) / 0.05, with phi the standard normal density.",
        why="1.0 + 0.2 x 2.063 = 1.41 million USD: the tail is worse than its threshold."),
})"""),
    ("md", r"""## Forty futures, simulated"""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
res = sk.simulate(sc, progress=False)
print(res.table().loc[["cost_total_usd", "npv_cost_usd", "fx_cost_usd"]].to_string())
print()
print((res.risk() / 1e6).round(3).T.to_string())"""),
    ("code", r"""# NBVAL_CHECK_OUTPUT
row = res.compare("offshore").loc["cost_total_usd"]
print(f"offshore - in_house: {row.delta_mean:+,.0f} USD [{row.ci_low:+,.0f}, {row.ci_high:+,.0f}], "
      f"P(cheaper) = {row.p_better:.2f}")"""),
    ("code", r"""fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
plots.cost_distribution(res, ax=ax1)
plots.cumulative_cost(res, band=0.9, ax=ax2)
plt.show()"""),
    ("md", r"""On average the offshore team saves over a quarter of a million dollars, and it is cheaper in nine
futures out of ten. But its 95% VaR is *above* the in-house cost: in the worst twentieth of exchange-rate
paths it costs more than keeping the team, and the CVaR says by how much on average. The in-house cost has no
spread at all here (fixed wages in the home currency), so its VaR is its mean. The fan (right) widens month
by month as the rate wanders further from today's. A risk-averse buyer might hedge the currency, cap it in the
contract, or accept the in-house premium as insurance.

## Try it
Change the volatility and the offshore price. Each change re-simulates twenty futures."""),
    ("widget", r"""style = {"description_width": "170px"}
controls = {
    "vol": W.FloatSlider(value=0.2, min=0.0, max=0.5, step=0.05, description="FX volatility (/year)",
                         continuous_update=False, style=style),
    "price": W.IntSlider(value=13000, min=9000, max=17000, step=500, description="offshore USD/person-month",
                         continuous_update=False, style=style),
}


def draw(vol, price):
    what_if = sc.override({"vendors.offshore.fx.volatility_annual": vol,
                           "vendors.offshore.price_per_fte_month": price})
    r = sk.simulate(what_if, replications=20, progress=False)
    risk = r.risk() / 1e6
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.6), layout="constrained")
    plots.cumulative_cost(r, band=0.9, ax=ax2)
    x = range(len(risk))
    for k, (col, name) in enumerate([("cost_total_usd_mean", "mean"), ("cost_total_usd_var95", "VaR 95%"),
                                     ("cost_total_usd_cvar95", "CVaR 95%")]):
        ax1.bar([i + 0.27 * (k - 1) for i in x], risk[col], width=0.27, label=name)
    ax1.set_xticks(list(x), [what_if.options[o].label for o in risk.index])
    ax1.set(ylabel="three-year cost (million USD)")
    ax1.legend(frameon=False)
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])"""),
    ("md", "## Exercises"),
    ("code", r"""ask("risk.var")
my_answer = None  # million USD
check_answer("risk.var", my_answer)"""),
    ("code", r"""ask("risk.cvar")
my_answer = None  # million USD
check_answer("risk.cvar", my_answer)"""),
    ("md", "### Solutions (try first!)"),
    ("code", r"""# NBVAL_CHECK_OUTPUT
check_answer("risk.var", 1.0 + 1.645 * 0.2)
check_answer("risk.cvar", 1.0 + 0.2 * 2.063)"""),
]

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_dashboard.ipynb": DASHBOARD,
    "03_break_even.ipynb": BREAK_EVEN,
    "04_hidden_costs.ipynb": HIDDEN_COSTS,
    "05_queueing_pooling.ipynb": QUEUEING,
    "06_seasonal_peaks.ipynb": SEASONAL,
    "07_time_zones.ipynb": TIME_ZONES,
    "08_vendor_failure.ipynb": VENDOR_FAILURE,
    "09_lock_in.ipynb": LOCK_IN,
    "10_cost_at_risk.ipynb": COST_AT_RISK,
}


def make(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, src in cells:
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(src))
        else:
            cell = nbformat.v4.new_code_cell(src)
            if kind == "widget":
                cell.metadata["tags"] = ["nbval-ignore-output"]
            nb.cells.append(cell)
    return nb


def build(prefix: str = "") -> None:
    for name, cells in NOTEBOOKS.items():
        if not name.startswith(prefix):
            continue
        nb = make(cells)
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        for i, cell in enumerate(nb.cells):  # stable ids keep diffs small
            cell["id"] = f"c{i:02d}"
        nbformat.write(nb, HERE / name)
        print("wrote", name)


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else "")
