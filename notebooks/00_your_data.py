# %% [markdown]
# # Your data: from a ticket history to a calibrated scenario
#
# A scenario written by hand is a guess. `simkit fit` reads the history your ticketing, case-management or
# workforce-management system exports and writes a scenario calibrated to it — volume, the shape of the week,
# seasonality, growth, day-to-day spread, kinds, efforts — together with the evidence that it reproduces the
# history (a **back-test**).
#
# This notebook goes: fit an example history → read what was found and what was wrong with the data → compare
# simulated with observed → add a vendor and run. The example, `examples/data/helpdesk_tickets.csv`, was drawn
# from a known truth by `examples/make_histories.py`, messy rows included; use your own file the same way
# (or `simkit fit HISTORY -o scenario.yaml` from a shell).

# %%
import matplotlib.pyplot as plt
import pandas as pd

import simkit as sk

pd.set_option("display.width", 200)
res = sk.fit("../examples/data/helpdesk_tickets.csv", effort_column="effort_min", effort_unit="min")

# %% [markdown]
# ## What was read, what was wrong, what was found
# Columns are detected by name (and the choice printed); every unusable row is counted by reason — a row with a
# bad *effort* still counts as an arrival. The back-test simulates the fitted workload over the history's weeks
# and compares.

# %%
# NBVAL_CHECK_OUTPUT
print(res.text())

# %% [markdown]
# ## Observed against simulated
# Volume in each of the 168 hours of the week (local time), and the daily totals with the simulated spread.
# The weekly profile was chosen by a held-out test on alternate weeks; the file says which, and why.

# %%
bt = res.backtest
fig, axes = plt.subplots(2, 1, figsize=(10, 6))
bt.hour_of_week.plot(ax=axes[0], title="Items per week by hour of week")
daily = bt.daily[bt.daily["hours"] >= 23]
axes[1].plot(daily.index, daily["observed"], lw=0.8, label="observed")
axes[1].plot(daily.index, daily["sim_mean"], lw=1.0, label="simulated mean")
axes[1].fill_between(daily.index, daily["sim_mean"] - daily["sim_sd"], daily["sim_mean"] + daily["sim_sd"],
                     alpha=0.3, label="simulated ±1 sd")
axes[1].set_title("Daily totals")
axes[1].legend()
fig.tight_layout()

# %%
# NBVAL_CHECK_OUTPUT
print(bt.effort.round(3).to_string(index=False))

# %% [markdown]
# ## The scenario written
# Every fitted value carries a comment with its evidence; `EDIT` marks what the data cannot know (costs,
# contractual SLAs). The starter in-house team is sized to about 85% utilisation; the load summary is what
# `simkit validate` prints.

# %%
print(res.yaml[:1400])

# %%
# NBVAL_CHECK_OUTPUT
print(res.scenario.summary())

# %% [markdown]
# ## Ask the question
# Add a per-ticket vendor to the fitted scenario and compare it with today's team on the same simulated tickets
# (a quarter, five replications: a quick look, not a decision).

# %%
# NBVAL_CHECK_OUTPUT
sc = res.scenario.override({
    "run.horizon_days": 91,
    "teams.in_house.loaded_cost_per_hour": 45,
    "vendors.msp": {"agents": 6, "calendar": "team_hours", "pricing": "per_item", "price_per_item": 24},
    "options.outsource": {"vendor": "msp", "label": "Per-ticket MSP"},
})
out = sk.simulate(sc, replications=5, seed=7, progress=False)
print(out.table().loc[["cost_total_usd", "lead_time_p90_h", "sla_attainment_share"]].to_string())
