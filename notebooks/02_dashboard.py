# %% [markdown]
# # Dashboard: move a lever, watch the decision
#
# Every slider below is a field of the scenario file: the arrival rate, each team's staff and loaded cost,
# each vendor's agents and price, the hybrid's overflow threshold, and how many replications to run.
# Sliders act when you **release** them. The dashboard then shows
#
# 1. at once, an **instant preview** from closed forms (Erlang C waits at the average load, a static cost) —
#    approximate, because it averages away peaks and overnight backlogs;
# 2. a few seconds later, the **simulated KPIs**: mean and 95% confidence interval per option, the paired
#    cost difference against the baseline and the probability of being cheaper, and four charts: the cost
#    distribution, the cost at risk (median, P90, P95 and CVaR of total cost: what a bad run costs), the
#    monthly cost and the lead times.
#
# *Save as scenario YAML* writes the scenario you have dialled in (open it with `sk.load`); *Reset* goes back.
# Serve this notebook as an app with `make app` (Voila).

# %%
import simkit as sk

sc = sk.load("../scenarios/startup_it_helpdesk.yaml")

# %% tags=["nbval-ignore-output"]
dash = sk.explore(sc, replications=5, seed=2024)
dash

# %% [markdown]
# ## The same levers from code
# The dashboard is a thin layer over the public API: a lever is a dotted path, the dialled-in scenario is
# `sc.override(dash.changes())`, and the table comes from `sk.simulate`. The preview's closed forms are in
# `simkit.scenario.preview`:

# %%
# NBVAL_CHECK_OUTPUT
from simkit.scenario.preview import preview

pv = preview(sc)
print(pv.costs.round(0).to_string())
print()
print(pv.pools[["option", "pool", "servers", "utilisation_share", "p_wait_share", "wait_mean_h"]]
      .round(3).to_string(index=False))

# %% [markdown]
# The preview agrees with the simulation on cost (it prices the expected volume) but
# underestimates the in-house wait: tickets raised in the evening wait for the next morning, which an
# M/M/c queue at the average load cannot see. That gap is why simkit simulates.
