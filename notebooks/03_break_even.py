# %% [markdown]
# # Lesson: make or buy — the break-even volume
#
# **Learning goals.** After this lesson you can
#
# 1. state the break-even volume $Q^* = F / (p - v)$ and say what $F$, $p$ and $v$ stand for;
# 2. find the break-even in a simulated volume sweep and compare it with the closed form;
# 3. explain why the formula is not the whole answer: a fixed team's cost is flat only while it keeps up.
#
# *Making* means paying for capacity: two support engineers cost their salaries whether 2,000 or 6,000
# tickets arrive. *Buying* means paying per unit: a managed-service provider's bill grows with every ticket.
# So below some volume buying is cheaper, and above it making is. The classic formula puts the crossing at
#
# $$Q^* = \frac{F}{p - v}$$
#
# with $F$ the extra fixed cost of making (the team, minus the provider's one-off transition), $p$ the all-in
# price per ticket (with the client's governance effort) and $v$ the in-house cost per extra ticket — zero
# here, because the engineers are paid for every open hour anyway.

# %%
import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import simkit as sk
from simkit import analytic
from simkit.ui.lessons import ask, check_answer
from simkit.units import HOURS_PER_MONTH

sc = sk.load("lessons/helpdesk_volume.yaml")
print(sc.description)

# %% [markdown]
# ## The closed form, from the scenario's numbers

# %%
# NBVAL_CHECK_OUTPUT
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
      f"= {q_star:,.0f} tickets a year")

# %% [markdown]
# ## The same question, simulated
# Sweep the arrival rate; at each volume run both options on the same tickets (three replications, a year
# each). The simulation bills only the tickets the provider finished and measures what the formula cannot:
# whether the team kept up.

# %%
rows = []
for rate in [0.5, 0.7, 0.88, 1.05, 1.2]:
    res = sk.simulate(sc.override({"workload.rate_per_hour": rate}), replications=3, seed=3, progress=False)
    s = res.summary().set_index(["option", "kpi"])["mean"]
    rows.append({"rate_per_hour": rate, "tickets": s["in_house", "items_arrived"],
                 "in_house_usd": s["in_house", "cost_total_usd"], "vendor_usd": s["vendor", "cost_total_usd"],
                 "in_house_sla": s["in_house", "sla_attainment_share"],
                 "vendor_sla": s["vendor", "sla_attainment_share"]})
sweep = pd.DataFrame(rows)

# %%
# NBVAL_CHECK_OUTPUT
print(sweep.round({"tickets": 0, "in_house_usd": 0, "vendor_usd": 0, "in_house_sla": 3, "vendor_sla": 3})
      .to_string(index=False))
q_sim = np.interp(0.0, sweep.vendor_usd - sweep.in_house_usd, sweep.tickets)
print(f"simulated break-even: {q_sim:,.0f} tickets a year; closed form: {q_star:,.0f}")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
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
plt.show()

# %% [markdown]
# The formula and the simulation agree on the crossing. The right panel shows what the formula
# leaves out: the team's cost is flat because its capacity is fixed, so as the volume grows its SLA falls,
# and beyond about 6,000 tickets (2 engineers x 2,080 h at 0.7 h a ticket) they are offered more work than
# they can do (the simulation warns about it). Above $Q^*$ making is cheaper *only if you also hire*,
# which moves $F$. A make-or-buy decision compares options that deliver the same service, not just two
# cost lines.

# %% [markdown]
# ## Try it
# Move the provider's price, the engineers' loaded cost and the team size; the lines and the break-even are
# closed forms, so they move at once. The dotted line is today's volume.

# %% tags=["nbval-ignore-output"]
style = {"description_width": "170px"}
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
        W.interactive_output(draw, controls)])

# %% [markdown]
# ## Exercises
# Replace each `None` with your answer and run the cell. `check_answer` tells you whether you are within
# tolerance and gives a hint if not.

# %%
ask("break_even.volume")
my_answer = None  # tickets a year
check_answer("break_even.volume", my_answer)

# %%
ask("break_even.price")
my_answer = None  # USD a ticket
check_answer("break_even.price", my_answer)

# %%
ask("break_even.scale")
my_answer = None  # 'in_house' or 'vendor'
check_answer("break_even.scale", my_answer)

# %% [markdown]
# ### Solutions (try first!)

# %%
# NBVAL_CHECK_OUTPUT
F_q, T = 2 * (45 * 2080 + 800 * 12), 9_000  # the numbers given in the questions
check_answer("break_even.volume", analytic.break_even_volume(F_q - T, 30 * 1.05, 0.0))
check_answer("break_even.price", (F_q - T) / (4_800 * 1.05))
per_ticket = sweep.in_house_usd / sweep.tickets
check_answer("break_even.scale", "in_house" if per_ticket.iloc[-1] < per_ticket.iloc[0] else "vendor")
