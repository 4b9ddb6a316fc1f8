# %% [markdown]
# # Lesson: seasonal peaks — fixed capacity against an elastic bench
#
# **Learning goals.** After this lesson you can
#
# 1. read a `month_of_year` profile and compute each month's offered load;
# 2. see how a yearly average hides a peak: the annual SLA against the SLA month by month;
# 3. compare a fixed in-house team sized for the average with a larger vendor bench paid per ticket, and a
#    hybrid that keeps a smaller team and sends the overflow out — and see whose cost follows demand.
#
# A round-the-clock service desk gets 1.6 tickets an hour times a monthly multiplier; the holiday season
# nearly doubles December. Three in-house agents handle the average comfortably. A provider keeps a bench
# of five (a little slower, paid per ticket), and the hybrid keeps two agents and sends a ticket to the
# provider whenever both are busy and one is already waiting.

# %%
import ipywidgets as W
import matplotlib.pyplot as plt
import pandas as pd

import simkit as sk
from simkit.ui import plots
from simkit.ui.lessons import ask, check_answer, monthly_sla

sc = sk.load("lessons/seasonal_peak.yaml")
effort_h = sc.workload.kinds["ticket"].effort_h.mean

# %% [markdown]
# ## The load, month by month

# %%
# NBVAL_CHECK_OUTPUT
staff = sc.teams["agents"].staff
load = pd.DataFrame({"multiplier": sc.workload.month_of_year}, index=pd.RangeIndex(1, 13, name="month"))
load["load_erlangs"] = sc.workload.rate_per_hour * load.multiplier * effort_h
load["in_house_utilisation"] = load.load_erlangs / staff
print(load.round(3).T.to_string())
print(f"yearly average load: {load.load_erlangs.mean():.2f} Erlangs for {staff} agents")

# %% [markdown]
# ## A year, simulated

# %%
res = sk.simulate(sc, keep_logs=True, progress=False)  # the logs split the SLA by month
monthly = monthly_sla(res)

# %%
# NBVAL_CHECK_OUTPUT
print(res.table().loc[["cost_total_usd", "sla_attainment_share", "lead_time_p90_h", "backlog_end_items",
                       "vendor_item_share"]].to_string())

# %%
# NBVAL_CHECK_OUTPUT
print("SLA attainment by month of arrival")
print(monthly.round(3).T.to_string())

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
for option in res.options:
    ax1.plot(monthly.index, monthly[option], "o-", ms=3, label=sc.options[option].label)
ax1.set(xlabel="month", ylabel="share within SLA", title="SLA attainment by month", ylim=(0, 1.02))
ax1.legend(frameon=False, loc="lower left")
plots.monthly_cost(res, ax=ax2)
plt.show()

# %% [markdown]
# Over the year the in-house team looks acceptable, but month by month it collapses in December:
# at 1.9 times the base rate the load exceeds three agents, the queue grows every day, and the backlog is still
# there at year end. The provider's bench absorbs the peak, and its cost follows demand (right panel): it is
# *elastic*, the team's is fixed. The hybrid keeps the cheap capacity for the base load and rents the peak.
#
# ## Try it
# Change December's multiplier, the in-house team and the provider's bench. Each change re-simulates two
# replications of the year (a couple of seconds).

# %% tags=["nbval-ignore-output"]
style = {"description_width": "170px"}
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
        W.interactive_output(draw, controls)])

# %% [markdown]
# ## Exercises

# %%
ask("seasonal.peak_load")
my_answer = None  # Erlangs
check_answer("seasonal.peak_load", my_answer)

# %%
ask("seasonal.worst_month")
my_answer = None  # a month, 1 to 12
check_answer("seasonal.worst_month", my_answer, results=res)  # checked against the simulation above

# %% [markdown]
# ### Solutions (try first!)

# %%
# NBVAL_CHECK_OUTPUT
check_answer("seasonal.peak_load", sc.workload.rate_per_hour * sc.workload.month_of_year[11] * effort_h)
check_answer("seasonal.worst_month", int(monthly["in_house"].idxmin()), results=res)
