# %% [markdown]
# # Capstone: Northwind Outfitters — who answers the customers?
#
# Read the client's brief first: [`capstone/brief.md`](capstone/brief.md). The client sent what clients have:
# a year of its contact log, `capstone/northwind_tickets.csv` (one row per call, e-mail or return case, with
# its type, priority and handle time in minutes). The team, the outsourcer's quote and the pilot's quality
# are in the brief, because no log holds them. The memo you will write follows
# [`capstone/memo_template.md`](capstone/memo_template.md).
#
# The engagement in five steps, as this notebook runs them:
#
# 1. **Fit** the history: `sk.fit` here, or `simkit fit capstone/northwind_tickets.csv -o northwind.yaml
#    --timezone America/New_York` on the command line (it writes `northwind_fit_report.html` beside the scenario).
# 2. **Read the fit report**: what was cleaned, whether the back-test passes, what the fit cannot know.
# 3. **Add the options** from the brief (in-house, the BPO, the hybrid) on top of the fitted workload.
# 4. **Simulate** them on common random numbers, at least 20 replications with a fixed seed.
# 5. **Decide** and write the memo.

# %%
import matplotlib.pyplot as plt
import pandas as pd

import simkit as sk
from simkit import plots
from simkit.ui.lessons import ask, check_answer, monthly_sla

# %% [markdown]
# ## Step 1 — fit the history
# The timestamps are New York wall-clock times without a zone, so the fit is told the zone: the scenario's
# calendars then use New York's standard offset (UTC-5).

# %%
# NBVAL_CHECK_OUTPUT
fitted = sk.fit("capstone/northwind_tickets.csv", timezone="America/New_York")
print(fitted.text())

# %% [markdown]
# ## Step 2 — read the fit report
# **What was cleaned.** Rows with an unusable time (unparsable, duplicated) are left out of everything;
# rows with an unusable handle time still count as arrivals, only their effort is left out of the effort
# fit. What matters is the share: a few dozen rows in 57,000 change nothing, a few thousand would mean
# asking the client how the log is kept before fitting anything.

# %%
# NBVAL_CHECK_OUTPUT
issues = pd.Series({k: v for k, v in fitted.history.issues.items() if v}, name="rows")
print(issues.to_frame().assign(share=issues / fitted.history.rows_read).to_string(
    formatters={"share": "{:.3%}".format}))

# %% [markdown]
# **Does the back-test pass?** The fitted workload is simulated over the history's own dates and
# compared with it. The tolerances below are the ones `simkit fit` is tested against on histories drawn
# from a known truth: hour-of-week error within 10%, weekly volume within 3%, the day-to-day spread within
# 15%, and the effort quantiles within 5%. A fit that misses them describes some other contact centre.

# %%
# NBVAL_CHECK_OUTPUT
s = fitted.backtest.summary
worst_effort = float(fitted.backtest.effort["rel_error"].abs().max())
checks = pd.DataFrame({
    "measured": [s["how_mape"], abs(s["weekly_error"]), abs(s["daily_sd_sim"] / s["daily_sd_obs"] - 1), worst_effort],
    "tolerance": [0.10, 0.03, 0.15, 0.05]},
    index=["hour-of-week MAPE", "weekly volume error", "daily spread error", "effort quantile error"])
checks["passes"] = checks["measured"] <= checks["tolerance"]
print(checks.to_string(formatters={"measured": "{:.1%}".format, "tolerance": "{:.0%}".format}))

# %% [markdown]
# **What the fit says, and what it cannot know.** The months below are the fitted multipliers
# against an average month; compare them with the brief's "November 50% busier, December 90%". Two lines
# of the fitted scenario need judgement rather than arithmetic:
#
# * `growth_annual`: the trend is estimated from a single year whose busiest months are its last two. Ask
#   the client whether volume grows before you keep it; the fitted `annual_volume` is the trend's level at
#   the end of the history projected a year on, not the contacts the log holds.
# * there is no `sla_h`: the log has no resolution times, and a promise is a contract term anyway (the brief
#   gives them). The team the fit writes is a starter sized at 85% utilisation, not Northwind's team.

# %%
# NBVAL_CHECK_OUTPUT
a = fitted.arrivals
print(f"contacts in the history: {a.total_items:,.0f} over {a.observed_hours / 24:,.0f} days")
print(f"fitted annual_volume: {fitted.annual_volume:,.0f} (growth {a.growth_annual:+.1%} a year, "
      f"95% CI [{a.growth_ci[0]:+.1%}, {a.growth_ci[1]:+.1%}])")
months = pd.Series(a.month, index=range(1, 13), name="x average month")
print(months.round(2).to_frame().T.to_string())

# %% [markdown]
# ### Exercises on the fit
# Checked against **your** fit `fitted` (refit with other options and the check follows you).

# %%
ask("capstone.fit_december")
my_answer = None  # December's multiplier
check_answer("capstone.fit_december", my_answer, results=fitted)

# %%
ask("capstone.fit_growth")
my_answer = None  # a share a year
check_answer("capstone.fit_growth", my_answer, results=fitted)
my_growth_decision = ""  # keep the fitted growth or set it to 0? one or two sentences why

# %% [markdown]
# ## Step 3 — add the options
# The fitted scenario has the workload; the brief has the rest. Either write the fitted scenario out
# (`fitted.write("capstone/my_northwind.yaml")`), edit it (the promises as `sla_h`, the team, the BPO with its
# quality, the three options) and load it, or apply your changes by dotted path with
# `fitted.scenario.override({...})`. Name the options `in_house`, `vendor` and `hybrid`: the exercises below
# read them by these names. Run `sc.summary()` to see each option's load before simulating.

# %%
# Your scenario: the fitted workload plus the brief's options, e.g.
# sc = sk.load("capstone/my_northwind.yaml")
# print(sc.summary())

# %% [markdown]
# ### Solution: the instructor's options
# `capstone/northwind_solution.yaml` holds the brief's facts as changes by dotted path, applied on top of
# the fit (it also sets the growth to 0 and the volume to the year's count: see the file's comments).

# %%
# NBVAL_CHECK_OUTPUT
from simkit.scenario.yamlio import load_yaml_file

sc = fitted.scenario.override(load_yaml_file("capstone/northwind_solution.yaml"))
print(sc.name, "—", ", ".join(f"{o}: {sc.options[o].label}" for o in sc.option_names))
print(sc.summary())

# %% [markdown]
# ## Step 4 — simulate: the baseline (task 1)
# The scenario's own replications and seed (20 and 1111 in the reference solution), with the run logs kept
# for the monthly view. The three options see the same contacts (common random numbers).

# %%
# NBVAL_CHECK_OUTPUT
res = sk.simulate(sc, keep_logs=True, progress=False)
print(f"{res.kpis.replication.nunique()} replications, seed {sc.run.seed}")
print(res.table().loc[["cost_total_usd", "sla_attainment_share", "lead_time_p90_h", "backlog_end_items",
                       "escaped_defects_items", "vendor_item_share"]].to_string())

# %%
# NBVAL_CHECK_OUTPUT
print("SLA attainment by month of arrival (calendar months: the fitted scenario starts on a date)")
print(monthly_sla(res).T.round(3).to_string())

# %% [markdown]
# ## Hidden costs (task 2)
# The ledger by category, averaged over the replications.

# %%
# NBVAL_CHECK_OUTPUT
n = res.kpis.groupby("option")["replication"].nunique()
ledger = res.ledger.groupby(["option", "category"])["amount"].sum().unstack("category").fillna(0.0).div(n, axis=0)
print(ledger.round(0).to_string())

# %% [markdown]
# ## Risk and robustness (task 3)
# The paired differences against in-house, then a break-even: the BPO's price at which buying everything
# costs the same as the team (a cost-only parameter, so it is re-priced on the same run logs). Add a tornado
# (`sk.tornado`) over the assumptions you think matter (see lesson 11).

# %%
# NBVAL_CHECK_OUTPUT
cols = ["delta_mean", "ci_low", "ci_high", "p_better"]
for option in ("vendor", "hybrid"):
    print(option, "vs in_house")
    print(res.compare(option, baseline="in_house").loc[["cost_total_usd", "sla_attainment_share"], cols]
          .round(3).to_string())
print(sk.break_even(sc, "vendors.bpo.price_per_item", (4.0, 14.0), option="vendor", baseline="in_house").text())

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
plots.cost_distribution(res, ax=ax1)
monthly_sla(res).plot(ax=ax2, marker="o")
ax2.set(xlabel="month", ylabel="SLA attainment", title="service month by month")
plt.show()

# %% [markdown]
# ### Exercises on the simulation
# Checked against **your** simulation `res` (the options named `in_house`, `vendor`, `hybrid`).

# %%
ask("capstone.sim_december_sla")
my_answer = None  # share
check_answer("capstone.sim_december_sla", my_answer, results=res)

# %%
ask("capstone.sim_quality_cost")
my_answer = None  # USD a year
check_answer("capstone.sim_quality_cost", my_answer, results=res)

# %% [markdown]
# **Judgement.** Dana Reyes asks: "Should we keep the team, hand it all to the BPO, or do the
# hybrid?" Write the recommendation of your memo in three sentences: the option, its cost against today
# with the interval, its service for the year and for December, and the condition it depends on. The
# numeric part is checked below; your instructor grades the text with the rubric in
# `docs/teaching/capstone.md`.

# %%
ask("capstone.sim_hybrid_gap")
my_answer = None  # USD: the hybrid's mean total cost minus in-house's, in res
check_answer("capstone.sim_hybrid_gap", my_answer, results=res)
my_recommendation = ""  # your three sentences

# %% [markdown]
# ### Solutions (try first!)

# %%
# NBVAL_CHECK_OUTPUT
check_answer("capstone.fit_december", fitted.arrivals.month[11], results=fitted)
check_answer("capstone.fit_growth", fitted.arrivals.growth_annual, results=fitted)
check_answer("capstone.sim_december_sla", monthly_sla(res).loc[12, "in_house"], results=res)
quality = res.ledger.query("option == 'vendor' and category == 'quality'")["amount"].sum() / n["vendor"]
check_answer("capstone.sim_quality_cost", quality, results=res)
k = res.kpis.groupby("option")["cost_total_usd"].mean()
check_answer("capstone.sim_hybrid_gap", k["hybrid"] - k["in_house"], results=res)

# %% [markdown]
# ## Step 5 — your recommendation (task 4)
# Write the memo in `capstone/memo_template.md`'s structure. Your instructor grades it with the rubric in
# `docs/teaching/capstone.md`: the reading of the fit, the numbers (with CIs and the seed), the hidden costs,
# the sensitivity, the recommendation and its conditions, and the clarity of the memo.
