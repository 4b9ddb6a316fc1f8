# %% [markdown]
# # Lesson: hidden costs — the headline saving and the realised one
#
# **Learning goals.** After this lesson you can
#
# 1. tell the *headline* labour arbitrage (one rate against another) from the *realised* saving (every cost);
# 2. read an option's ledger by category and draw the step from one option's total to another's as a waterfall;
# 3. name what a rate card hides — productivity, governance, transition — and the slower lead time that is
#    not in the money at all.
#
# A New York product team has twelve developers at a loaded 80 USD an hour. An offshore vendor offers
# engineers at 7,000 USD a month: about half the price per head. The business case writes itself — or does
# it? The vendor's engineers are 80% as productive in the first years (so fifteen do the work of twelve),
# the client spends 6% of the fees managing the contract, the transition costs 200,000 USD, and every work
# item waits for a question to be answered across a 1.5-hour overlap of working days.

# %%
import ipywidgets as W
import matplotlib.pyplot as plt

import simkit as sk
from simkit.ui.lessons import ask, check_answer, waterfall
from simkit.units import HOURS_PER_MONTH

sc = sk.load("lessons/offshore_headline.yaml")
res = sk.simulate(sc, replications=5, keep_logs=True, progress=False)  # keep the logs to re-price later
team, vendor = sc.teams["developers"], sc.vendors["offshore"]

# %% [markdown]
# ## The headline: one head against one head

# %%
# NBVAL_CHECK_OUTPUT
hours = sc.calendar(team.calendar).working_hours(0.0, sc.run.horizon_days * 24)
months = sc.run.horizon_days * 24 / HOURS_PER_MONTH
head_in = team.loaded_cost_per_hour * hours
head_out = vendor.price_per_fte_month * months
headline = team.staff * (head_in - head_out)
print(f"one developer in-house: {head_in:,.0f} USD a year; one offshore engineer: {head_out:,.0f} USD")
print(f"headline saving for {team.staff} heads: {headline:,.0f} USD a year "
      f"({1 - head_out / head_in:.1%})")

# %% [markdown]
# ## The realised saving: every line of the ledger
# `res.ledger` holds every cash flow of every option and replication by month and category. Averaged over
# the replications:

# %%
# NBVAL_CHECK_OUTPUT
n = res.kpis.groupby("option")["replication"].nunique()
ledger = res.ledger.groupby(["option", "category"])["amount"].sum().unstack("category").fillna(0.0)
ledger = ledger.div(n, axis=0)
total = ledger.sum(axis=1)
realised = total["in_house"] - total["vendor"]
print(ledger.round(0).to_string())
print(f"\nrealised saving: {realised:,.0f} USD ({realised / total['in_house']:.1%}); "
      f"headline: {headline:,.0f} USD ({1 - head_out / head_in:.1%})")

# %% [markdown]
# ## From one total to the other
# Start at the in-house total, take away what the team cost, add what the vendor costs — splitting its fees
# into the twelve heads of the headline and the extra heads that make up for productivity.

# %%
CORE = ("labour", "overhead", "vendor_fees", "governance", "transition")


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
plt.show()

# %% [markdown]
# ## What the money does not show
# The vendor's engineers work while New York sleeps, but each item first waits for its questions to be
# answered in the short overlap, and work is slower at 80% productivity. The same work, measured:

# %%
# NBVAL_CHECK_OUTPUT
print(res.table().loc[["lead_time_mean_h", "lead_time_p90_h", "handoff_delay_mean_h",
                       "sla_attainment_share"]].to_string())

# %% [markdown]
# Five replications leave wide intervals on lead times: development work is lumpy. The cost lines
# are tight because both options are paid by the hour or by the head, not by the item.
#
# ## Try it
# Negotiate: move the vendor's price, the governance share and the transition. The runs are **re-priced**,
# not re-simulated (`res.reprice`): money is a function of what happened, so this is instant.

# %% tags=["nbval-ignore-output"]
style = {"description_width": "190px"}
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
        W.interactive_output(draw, controls)])

# %% [markdown]
# ## Exercises

# %%
ask("hidden.headline")
my_answer = None  # a share between 0 and 1
check_answer("hidden.headline", my_answer)

# %%
ask("hidden.agents")
my_answer = None  # engineers
check_answer("hidden.agents", my_answer)

# %%
ask("hidden.realised")
my_answer = None  # a share between 0 and 1
check_answer("hidden.realised", my_answer, results=res)  # checked against the simulation above

# %% [markdown]
# ### Solutions (try first!)

# %%
# NBVAL_CHECK_OUTPUT
check_answer("hidden.headline", 1 - 7000 * 12 / (80 * 2080))
check_answer("hidden.agents", 12 / 0.8)
check_answer("hidden.realised", realised / total["in_house"], results=res)
