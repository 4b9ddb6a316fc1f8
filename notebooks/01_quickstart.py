# %% [markdown]
# # Quickstart: in-house, vendor or both?
#
# A 300-person startup gets about 17 IT tickets a working day. It can keep its two support engineers,
# hand the helpdesk to a per-ticket managed-service provider (MSP), or keep one engineer and send the
# overflow to the MSP. simkit runs **the same simulated year of tickets** through all three operating
# models, prices what happened, and compares them with confidence intervals.
#
# This notebook goes: load a scenario → simulate → read the table → compare → plot → change an assumption.

# %%
import pandas as pd

import simkit as sk

pd.set_option("display.width", 200)
sc = sk.load("../scenarios/startup_it_helpdesk.yaml")
print(sc.name)
print("options:", ", ".join(f"{k} ({o.label})" for k, o in sc.options.items()))

# %% [markdown]
# ## Simulate
# Twenty replications: twenty different years of tickets, each one run through every option
# (*common random numbers*), so the differences between options come from the options, not from luck.

# %%
res = sk.simulate(sc, replications=20, seed=2024, progress=False)
res.kpis.shape

# %% [markdown]
# ## The KPI table
# Each cell is the mean over replications with its 95% confidence interval. Units are in the names:
# `_usd` money, `_h` hours, `_share` a fraction, `_items` a count. `res.table()` has every KPI; here are
# the ones this scenario moves (outages, exits, defects and the like are switched off in it).

# %%
# NBVAL_CHECK_OUTPUT
rows = ["cost_total_usd", "cost_per_item_usd", "npv_cost_usd", "lead_time_mean_h", "lead_time_p90_h",
        "sla_attainment_share", "backlog_end_items", "handoff_delay_mean_h", "vendor_item_share",
        "team_utilisation_share", "vendor_utilisation_share", "items_completed"]
print(res.table().loc[rows].to_string())

# %% [markdown]
# ## Paired comparison
# `compare` takes the difference replication by replication (same tickets, different operating model).
# `p_better` is the share of replications in which the option beat the baseline — for cost, the
# probability that it is cheaper.

# %%
# NBVAL_CHECK_OUTPUT
cols = ["baseline_mean", "option_mean", "delta_mean", "ci_low", "ci_high", "p_better"]
rows = ["cost_total_usd", "lead_time_p90_h", "sla_attainment_share"]
for option in ["vendor", "hybrid"]:
    print(option, "vs in_house")
    print(res.compare(option, baseline="in_house").loc[rows, cols].round(3).to_string(), end="\n\n")

# %% [markdown]
# ## Charts

# %%
from simkit.ui import plots

plots.cost_distribution(res);

# %%
plots.monthly_cost(res);

# %%
plots.lead_times(res);

# %% [markdown]
# ## Change an assumption
# Scenarios are immutable: `override` returns a new one. What if the MSP charged $30 a ticket instead of $35?

# %%
# NBVAL_CHECK_OUTPUT
cheaper = sc.override({"vendors.msp.price_per_item": 30})
res30 = sk.simulate(cheaper, replications=20, seed=2024, progress=False)
row = res30.compare("vendor").loc["cost_total_usd"]
print(f"vendor - in_house at $30/ticket: {row.delta_mean:+,.0f} USD "
      f"[{row.ci_low:+,.0f}, {row.ci_high:+,.0f}], P(cheaper) = {row.p_better:.2f}")

# %% [markdown]
# Next: `02_dashboard` for sliders, the lessons for teaching, and `scenarios/README.md` for writing
# your own scenario.
