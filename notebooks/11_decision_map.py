# %% [markdown]
# # Lesson: which assumption decides it — sensitivity and the decision map
#
# **Learning goals.** After this lesson you can
#
# 1. read a *tornado diagram*: swing each uncertain assumption across its plausible range, one at a time, and
#    rank the assumptions by how much they move the saving;
# 2. find a *break-even* with `sk.break_even` — exact for a price (the same runs re-priced), a band for the
#    volume (every trial re-simulated) — and check it against the closed form of lesson 03;
# 3. read a *decision map*: which option wins over a grid of two levers (price x volume), where the choice
#    flips, and how sure the simulation is near that boundary (P(cheaper)).
#
# Back to the helpdesk of lesson 03: two engineers on a fixed cost, or a provider paid per ticket. The business
# case says the provider saves about 25,000 USD a year. The finance director asks the right question: *how
# sure are you?* Every number in the case is an estimate. The price is still being negotiated (25 to 45 USD a
# ticket), next year's volume is a forecast (give or take a quarter), the engineers' loaded cost depends on
# who is hired (35 to 55 USD an hour), governance could take 0 to 10% of the fees, and the transition quote is
# anywhere up to 20,000 USD. Which of these decides the answer?

# %%
import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np

import simkit as sk
from simkit import analytic
from simkit.scenario.fields import is_cost_only
from simkit.scenario.preview import expected_arrivals
from simkit.ui import plots
from simkit.ui.lessons import ask, check_answer
from simkit.units import HOURS_PER_MONTH

sc = sk.load("lessons/helpdesk_volume.yaml")  # the helpdesk of lesson 03
REPS, SEED = 3, 11  # three years of tickets, the same ones at every point (common random numbers)
PRICE, RATE = "vendors.msp.price_per_item", "workload.rate_per_hour"
print(sc.description)

# %% [markdown]
# ## One assumption at a time: the tornado
# `sk.tornado` moves each assumption from its low to its high end while the others stay at the scenario's
# values, and measures the *saving* — the in-house cost minus the provider's, replication by replication
# (positive: buying saves). Each bar runs from the saving at the low end to the saving at the high end; the
# longest bar is the assumption that matters most. Prices and salaries only change the money, so those points
# re-price the same runs; the volume changes the tickets, so its two ends are simulated.

# %%
levers = [sk.Lever(PRICE, 25, 45, name="price"),
          sk.Lever(RATE, 0.66, 1.10, name="volume"),  # the forecast, give or take a quarter
          sk.Lever("teams.engineers.loaded_cost_per_hour", 35, 55, name="loaded cost"),
          sk.Lever("vendors.msp.governance_share", 0.0, 0.10, name="governance"),
          sk.Lever("vendors.msp.transition_cost", 0, 20_000, name="transition")]
tor = sk.tornado(sc, levers, replications=REPS, seed=SEED, progress=False)

# %%
# NBVAL_CHECK_OUTPUT
print(f"saving at the scenario's values: {tor['base'].iloc[0]:,.0f} USD a year")
cols = ["label", "low", "high", "at_low", "at_high", "swing", "swing_ci_low", "swing_ci_high"]
print(tor[cols].round({"at_low": 0, "at_high": 0, "swing": 0, "swing_ci_low": 0, "swing_ci_high": 0})
      .to_string(index=False))

# %%
plots.tornado(tor);

# %% [markdown]
# Price and volume lead, with the engineers' loaded cost close behind; governance and the transition
# are small — not where to spend the negotiation. Look at the intervals. The loaded cost's swing has no width
# at all: the same runs are re-priced, and the team costs its hours whatever the tickets do. The price's swing
# is nearly exact (it moves the bill of each run by the tickets that run had). The volume's swing is the
# noisiest, because each end is a different set of tickets. And the three longest bars cross zero: within its
# plausible range, each of price, volume and loaded cost can flip the decision on its own — so the next
# question is *where* the saving crosses zero.
#
# ## Where the options tie: break-even
# `sk.break_even` finds the value of one lever at which the paired mean difference is zero (Brent's method),
# and a band where its confidence interval still includes zero.

# %%
be_price = sk.break_even(sc, PRICE, (20, 60), replications=REPS, seed=SEED)
be_volume = sk.break_even(sc, RATE, (0.8, 1.2), replications=REPS, seed=SEED, xtol=0.01)

# %%
# NBVAL_CHECK_OUTPUT
team, msp = sc.teams["engineers"], sc.vendors["msp"]
hours = sc.calendar(team.calendar).working_hours(0.0, sc.run.horizon_days * 24)
months = sc.run.horizon_days * 24 / HOURS_PER_MONTH
F = team.staff * (team.loaded_cost_per_hour * hours + team.overhead_per_fte_month * months)
T, g = msp.transition_cost, msp.governance_share
tickets_per_rate = expected_arrivals(sc) / sc.workload.rate_per_hour  # tickets a year per ticket an hour


def q_star(price, fixed=F, transition=T):
    # the closed-form break-even volume of lesson 03, in tickets a year
    return analytic.break_even_volume(fixed - transition, price * (1 + g), 0.0)


q_now = expected_arrivals(sc)
print(be_price.text())
print(f"  closed form: (F - T) / (Q (1 + g)) = ({F:,.0f} - {T:,.0f}) / ({q_now:,.0f} x {1 + g:.2f}) "
      f"= {(F - T) / (q_now * (1 + g)):.2f} USD a ticket; {len(be_price.evaluations)} trials, 1 simulation")
print(be_volume.text())
band = [x * tickets_per_rate for x in (be_volume.band_low, be_volume.band_high)]
print(f"  = {be_volume.value * tickets_per_rate:,.0f} tickets a year (band {band[0]:,.0f} to {band[1]:,.0f}); "
      f"closed form Q* = {q_star(msp.price_per_item):,.0f}; {len(be_volume.evaluations)} trials, each simulated")

# %% [markdown]
# Both agree with the closed forms. The price break-even is the exact root for these three years of
# tickets: every trial re-prices the same runs, so the difference is a straight line in the price. Its closed
# form uses the *expected* number of tickets; the three simulated years billed about sixty fewer (by chance,
# and a ticket still open at the year's end is not billed), so the closed form sits half a dollar lower. The
# volume break-even needed a new simulation at every trial, and each one draws other tickets: its band is a
# few hundred tickets wide. Near that volume two engineers are also close to all the
# work they can do (the simulation warns when a point is beyond it), so check the service level before trusting
# the cost alone.
#
# ## Two levers at once: the decision map
# The tornado's two longest bars, price and volume, are the two things the buyer does not know together.
# `sk.decision_map` runs both options at every point of a grid and records P(provider cheaper) — the share of
# replications in which it was — and the mean difference. The volume rows are simulated, the price columns
# re-priced.

# %%
dm = sk.decision_map(sc, sk.Lever(PRICE, 20, 50, n=7), sk.Lever(RATE, 0.5, 1.3, n=5),
                     replications=REPS, seed=SEED, progress=False)

# %%
# NBVAL_CHECK_OUTPUT
grid = dm.grid("p_better")
grid.index = [f"{r:.1f}/h = {r * tickets_per_rate:,.0f} tickets" for r in grid.index]
print("P(provider cheaper than the team); columns: price (USD a ticket)")
print(grid.round(2).to_string())
edge = dm.boundary()
edge["tickets"] = edge[RATE] * tickets_per_rate
edge["closed_form_tickets"] = [q_star(p) for p in edge[PRICE]]
print("\nwhere the mean difference crosses zero")
print(edge.round({RATE: 3, "tickets": 0, "closed_form_tickets": 0}).to_string(index=False))

# %%
fig, ax = plt.subplots(figsize=(8, 5), layout="constrained")
plots.decision_map(dm, ax=ax)
price = np.linspace(20, 50, 61)
ax.plot(price, [q_star(p) / tickets_per_rate for p in price], color="gold", lw=2,
        label="closed form Q* = (F - T) / (p (1 + g))")
ax.set(ylim=(0.4, 1.4), xlabel="provider's price (USD a ticket)", ylabel="tickets an hour (workload rate)")
ax.legend(loc="upper right", framealpha=0.9)
plt.show()

# %% [markdown]
# Blue is where the provider was cheaper in every replication, red where the team was. The boundary
# follows the closed-form hyperbola $Q^* = (F - T) / (p (1 + g))$: a dearer provider wins only at a lower
# volume. The map answers the finance director better than any single number: at 30 USD a ticket the provider
# is cheaper up to about 6,300 tickets a year, at 45 USD only up to about 4,200 — so at the forecast of about
# 4,750 tickets, 45 USD is a bad deal and 40 USD is about where the provider stops paying for itself. Along
# the boundary P(cheaper) falls between 0 and 1: three years of tickets cannot tell the options apart there.
# More replications sharpen that zone; they do not move the boundary. And the map is about cost only: in its
# top row the team is past what two engineers can do, and a cheap team that misses its service level is not a
# win.
#
# ## Try it
# Change the team behind the in-house option: its size, its loaded cost and the provider's transition fee.
# Each change redraws the map from two replications on a coarser grid (a few seconds); the gold line is the
# closed form for the same numbers.

# %% tags=["nbval-ignore-output"]
style = {"description_width": "170px"}
controls = {
    "staff": W.IntSlider(value=2, min=1, max=4, description="engineers (people)", continuous_update=False,
                         style=style),
    "loaded_cost": W.FloatSlider(value=45, min=30, max=70, step=5, description="loaded cost (USD/h)",
                                 continuous_update=False, style=style),
    "transition": W.FloatSlider(value=9000, min=0, max=40_000, step=1000, description="transition (USD)",
                                continuous_update=False, style=style),
}


def draw(staff, loaded_cost, transition):
    what_if = sc.override({"teams.engineers.staff": staff, "teams.engineers.loaded_cost_per_hour": loaded_cost,
                           "vendors.msp.transition_cost": transition})
    m = sk.decision_map(what_if, sk.Lever(PRICE, 20, 50, n=4), sk.Lever(RATE, 0.4, 2.0, n=5), replications=2,
                        seed=SEED, progress=False)
    fixed = staff * (loaded_cost * hours + team.overhead_per_fte_month * months)
    fig, ax = plt.subplots(figsize=(8, 4.6), layout="constrained")
    plots.decision_map(m, ax=ax)
    ax.plot(price, [q_star(p, fixed, transition) / tickets_per_rate for p in price], color="gold", lw=2,
            label="closed form")
    ax.set(ylim=(0.2, 2.2), xlabel="provider's price (USD a ticket)", ylabel="tickets an hour")
    ax.legend(loc="upper right", framealpha=0.9)
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])

# %% [markdown]
# ## Exercises

# %%
ask("decision.swing")
my_answer = None  # USD a year
check_answer("decision.swing", my_answer)

# %%
ask("decision.largest")
my_answer = None  # 'price', 'volume' or 'loaded_cost'
check_answer("decision.largest", my_answer)

# %%
ask("decision.boundary")
my_answer = None  # a factor, new / old
check_answer("decision.boundary", my_answer)

# %%
ask("decision.resimulate")
my_answer = None  # 'price' or 'volume'
check_answer("decision.resimulate", my_answer)

# %% [markdown]
# ### Solutions (try first!)

# %%
# NBVAL_CHECK_OUTPUT
check_answer("decision.swing", 4800 * 1.05 * (45 - 25))
swings = {"price": 4800 * 1.05 * (45 - 25), "volume": (6000 - 3600) * 35 * 1.05, "loaded_cost": 2 * 2080 * (55 - 35)}
check_answer("decision.largest", max(swings, key=swings.get))
check_answer("decision.boundary", q_star(35 * 1.1) / q_star(35))
check_answer("decision.resimulate", "price" if not is_cost_only(PRICE) else "volume")
