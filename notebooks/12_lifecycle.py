# %% [markdown]
# # How-to: the sourcing lifecycle end to end
#
# Sourcing practice describes outsourcing as six steps. This notebook walks one archetype — a startup's
# IT helpdesk — through all of them with simkit:
#
# | step | what you decide | simkit |
# | --- | --- | --- |
# | 1. identify needs | which functions are candidates at all | `sk.screen` / `simkit screen` |
# | 2. select a vendor | which provider and operating model | the options of a scenario, `sk.simulate`, `res.decision()` |
# | 3. negotiate the contract | price, credits, review, exit plan | `vendors.X.pricing`, `.sla`, `.review`, `.exit` |
# | 4. transition | ramp-up, parallel running, knowledge transfer | `vendors.X.transition` |
# | 5. manage and communicate | governance, hand-offs, time zones | `governance_share`, `handoff_h`, `clarify_share` |
# | 6. review and optimise | act on performance; exit if needed | `vendors.X.review`, `sk.drill` / `simkit drill` |
#
# **You will** (1) screen a company's functions onto a keep / hybrid / outsource map, (2) simulate the
# candidate, (3) write a review clause into the contract and see it act when the vendor under-delivers, and
# (4) run an exit drill — the test of the exit plan that regulators ask for (the EU's DORA, Article 28(8)).

# %%
import matplotlib.pyplot as plt
from IPython.display import HTML

import simkit as sk
from simkit.ui.drill_report import dip_png, html_section

# %% [markdown]
# ## Step 1 — identify needs: the candidate screen
# Each function is scored 1-5 on strategic importance, asset specificity, confidentiality, volume variability,
# measurability of output and market maturity. Core competences stay (resource-based view; Quinn & Hilmer),
# specific assets and hard-to-measure output favour keeping (transaction-cost economics), variable volume
# and a deep vendor market favour buying. The reasons come with the placement.

# %%
# NBVAL_CHECK_OUTPUT
scr = sk.screen("../scenarios/screens/mid_size_company.yaml")
print(scr.table()[["function", "placement", "keep_score", "scenario"]].to_string(index=False))

# %% [markdown]
# ## Step 2 — select: simulate the candidate
# The helpdesk lands in *outsource*; its `scenario:` points to the archetype. Half a year, ten replications,
# every option on the same workload.

# %%
# NBVAL_CHECK_OUTPUT
sc = scr.scenario("it_helpdesk").override({"run.horizon_days": 182})
res = sk.simulate(sc, replications=10, seed=1, progress=False)
print(res.table().loc[["cost_total_usd", "sla_attainment_share", "lead_time_p90_h"]].to_string())

# %% [markdown]
# ## Step 3 — negotiate: a review clause and an exit plan
# The contract gets a clause that acts on the vendor's *measured* monthly SLA attainment: two months in a row
# below 90% trigger a review (a 2,000 USD penalty and a remediation plan that lifts productivity by 25% after a
# month); at the second review the client terminates for cause and the work returns to the engineers under
# the exit plan (two weeks to switch, a month of ramp-up; switching cost, no exit fee). To see it act, the
# vendor staffs the desk with one agent instead of three.

# %%
# NBVAL_CHECK_OUTPUT
contract = sc.override({
    "vendors.msp.review": {"floor_share": 0.9, "months_below": 2, "penalty": 2000,
                           "remediation_productivity_factor": 1.25, "remediation_delay_h": 730,
                           "terminate_at_review": 2},
    "vendors.msp.exit": {"fallback": "engineers", "switch_lead_h": 336, "switching_cost": 15000,
                         "ramp_start_productivity": 0.6, "ramp_months": 1},
})
understaffed = contract.override({"vendors.msp.agents": 1})
rev = sk.simulate(understaffed, replications=10, seed=1, options=["vendor"], progress=False)
print(rev.table().loc[["cost_total_usd", "sla_attainment_share", "reviews_count", "remediations_count",
                       "terminations_count"]].to_string())
by_category = rev.ledger.groupby("category")["amount"].sum() / 10
print(by_category.reindex(["vendor_fees", "review_penalties", "switching"], fill_value=0).round(0).to_string())

# %% [markdown]
# ## Steps 4-5 — transition and manage
# Transition (ramp-up, parallel running) and management (governance, hand-offs) are fields of the same
# vendor; lessons 04, 07 and 09 show them at work.
#
# ## Step 6 — review and optimise: the exit drill
# An exit plan is only evidence once it has been tested. The drill forces the vendor out at month 3 in every
# replication and compares each with the same workload without the exit. The in-house team meets about 80% of
# its SLAs even in normal times, so "restored" means back at 80%, within a tolerance of 30 days.

# %%
# NBVAL_CHECK_OUTPUT
drill = sk.drill(contract, "vendor", at_month=3, replications=10, sla_target=0.8, tolerance_days=30)
print(drill.text())

# %% [markdown]
# **The plan fails its test.** Two weeks without anyone on the desk pile up a backlog of a couple of
# hundred tickets that two engineers, still ramping up, work off only slowly: weekly SLA attainment collapses
# and is not back at 80% within the horizon. That is what a drill is for — the plan needs a shorter switch
# (a retained engineer, a warm standby provider) or a longer notice period before the vendor leaves.

# %%
import io

img = plt.imread(io.BytesIO(dip_png(drill)))
plt.figure(figsize=(7.5, 3.2))
plt.imshow(img)
plt.axis("off")
plt.show()

# %% [markdown]
# The same drill as an HTML section with its provenance (the scenario's fingerprint, seed, replications,
# simkit version and date) — `simkit drill SCENARIO --option vendor --at 3 -o exit_drill.html` writes it as a
# page to attach to the exit plan:

# %%
HTML(html_section(drill))

# %% [markdown]
# ## Your turn
# - Shorten the exit plan's `switch_lead_h` to 72 hours: how much sooner is service restored, and what does the
#   backlog peak do?
# - Make the review clause stricter (`months_below: 1`): does the vendor get terminated earlier, and is the
#   contract cheaper or dearer for it?
# - Screen your own functions: copy `scenarios/screens/mid_size_company.yaml` and change the scores.
