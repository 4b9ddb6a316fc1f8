# %% [markdown]
# # Dashboard: pick a scenario, move a lever, read the verdict
#
# **Pick** one of the shipped archetypes (or a YAML file in this folder) from the *scenario* list, or
# **upload** your own file; a file that is not a valid scenario shows its one-line error and the current
# scenario stays. Every slider is a field of the scenario, labelled in words with its unit: arrivals and their
# growth, each kind's SLA target, each team's staff and cost, each vendor's agents, price, governance share and
# transition cost, the hybrid's overflow threshold, the horizon, and on/off switches for the risks the scenario
# defines. Sliders act when you **release** them. The dashboard then shows
#
# 1. at the top, the **verdict**: which option is cheapest, by how much a year (with its 95% interval and the
#    share of simulated futures in which it was cheaper), and whether it answers faster — with a note whenever
#    too few replications make an interval or a share weak;
# 2. the **simulated KPIs** in words with units (mean and 95% interval; an interval of a quantity that cannot
#    be negative never goes below 0), the paired cost difference against the baseline, and four charts;
# 3. at once, an **instant preview** from closed forms (Erlang C at the average load, a static cost).
#
# Replications follow a **precision rule**: as many as it takes for every option's total cost to be known
# within the chosen ± share of its mean (at least 10, at most the cap). **Pin this run** keeps the current
# numbers as a named variant — up to four side by side, each listing the levers it moved. **Tornado** shows
# which lever moves the saving most. The **downloads** (scenario YAML, KPIs CSV, charts, a report page) go
# to your browser; **Prepare the report** first draws the charts not drawn yet. Serve this notebook as an app
# with `make app` (Voila).

# %%
import simkit as sk

sc = sk.load("../scenarios/startup_it_helpdesk.yaml")

# %% tags=["nbval-ignore-output"]
dash = sk.explore(sc, seed=2024)
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
