# %% [markdown]
# # Capstone: Northwind Outfitters — who answers the customers?
#
# Read the client's brief first: [`capstone/brief.md`](capstone/brief.md). The data is `capstone/northwind.yaml`;
# the memo you will write follows [`capstone/memo_template.md`](capstone/memo_template.md). This notebook is a
# starting point that runs top to bottom: it loads the case, runs a first look at the three options with a
# fixed seed, and leaves a section for each task. Replace the first look with your own analysis (at least 20
# replications for the numbers in your memo), and keep every number reproducible.

# %%
import matplotlib.pyplot as plt

import simkit as sk
from simkit.ui import plots
from simkit.ui.lessons import monthly_sla

sc = sk.load("capstone/northwind.yaml")
print(sc.name, "—", ", ".join(f"{o}: {sc.options[o].label}" for o in sc.option_names))

# %% [markdown]
# ## Task 1 — a first look at the baseline
# Six replications to see the shape of the answer (the memo needs more).

# %%
# NBVAL_CHECK_OUTPUT
res = sk.simulate(sc, replications=6, seed=2024, keep_logs=True, progress=False)
print(res.table().loc[["cost_total_usd", "sla_attainment_share", "lead_time_p90_h", "backlog_end_items",
                       "escaped_defects_items", "vendor_item_share"]].to_string())

# %%
# NBVAL_CHECK_OUTPUT
print("SLA attainment by month of arrival")
print(monthly_sla(res).T.round(3).to_string())

# %% [markdown]
# ## Task 2 — hidden costs
# The ledger by category, averaged over the replications.

# %%
# NBVAL_CHECK_OUTPUT
n = res.kpis.groupby("option")["replication"].nunique()
ledger = res.ledger.groupby(["option", "category"])["amount"].sum().unstack("category").fillna(0.0).div(n, axis=0)
print(ledger.round(0).to_string())

# %% [markdown]
# ## Task 3 — risk and robustness
# A starting point: the paired differences against in-house. Add a tornado (`sk.tornado`) or break-evens
# (`sk.break_even`) over the assumptions you think matter (see lesson 11).

# %%
# NBVAL_CHECK_OUTPUT
cols = ["delta_mean", "ci_low", "ci_high", "p_better"]
for option in ("vendor", "hybrid"):
    print(option, "vs in_house")
    print(res.compare(option, baseline="in_house").loc[["cost_total_usd", "sla_attainment_share"], cols]
          .round(3).to_string())

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
plots.cost_distribution(res, ax=ax1)
monthly_sla(res).plot(ax=ax2, marker="o")
ax2.set(xlabel="month", ylabel="SLA attainment", title="service month by month")
plt.show()

# %% [markdown]
# ## Task 4 — your recommendation
# Write the memo in `capstone/memo_template.md`'s structure. Your instructor grades it with the rubric in
# `docs/teaching/capstone.md`: the numbers (with CIs and the seed), the hidden costs, the sensitivity, the
# recommendation and its conditions, and the clarity of the memo.
