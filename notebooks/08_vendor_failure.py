# %% [markdown]
# # Lesson: vendor failure, dual sourcing and exit
#
# **Learning goals.** After this lesson you can
#
# 1. compute a provider's availability from its mean time between failures and to repair,
#    `MTBF / (MTBF + MTTR)`, and the chance it survives a contract at a constant hazard, `exp(-h T)`;
# 2. explain why two providers are down together far less often than one is down (`p^2` if independent),
#    and how a common cause erodes that;
# 3. read the price of insurance in a simulation: a second provider costs a little more on average and
#    removes the long tail of lead times that outages create.
#
# A service desk runs around the clock, about a ticket an hour. Provider *alpha* is cheap (40 USD a ticket)
# but goes down every 500 hours on average for 36 hours, and has a 30% a year chance of going out of business;
# then the work moves to provider *beta* after two weeks of contracting and onboarding (30,000 USD). The
# *dual* option gives beta 30% of the tickets from day one, at 46 USD, and each provider takes the other's
# tickets while it is down (`policy: reroute`).

# %%
import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np

import simkit as sk
from simkit import analytic
from simkit.ui import plots
from simkit.ui.lessons import ask, check_answer

sc = sk.load("lessons/vendor_failure.yaml")
alpha = sc.vendors["alpha"]
mtbf_h, mttr_h = alpha.outages.time_between_h.mean, alpha.outages.repair_h.mean
years = sc.run.horizon_days / 365.25

# %% [markdown]
# ## Half a year, simulated
# Twenty replications of six months. `availability_share` is the share of time the option's worst-hit
# provider was serving; `outages_count` counts outages of every provider in the option (two providers, more
# outages — and yet a shorter tail); `exits_count` is 1 in a replication where alpha went out of business.

# %%
# NBVAL_CHECK_OUTPUT
res = sk.simulate(sc, replications=20, progress=False)
print(res.table().loc[["cost_total_usd", "switching_cost_usd", "lead_time_mean_h", "lead_time_p99_h",
                       "sla_attainment_share", "availability_share", "outages_count", "exits_count"]].to_string())

# %%
# NBVAL_CHECK_OUTPUT
up = analytic.availability(mtbf_h, mttr_h)
long_run = sc.override({"run.horizon_days": 728, "vendors.alpha.exit.hazard_per_year": 0})
avail = sk.simulate(long_run, replications=20, options=["single"], progress=False).table().loc["availability_share"]
print(f"alpha's availability: closed form {up:.3f}, simulated over two years without exit {avail['single']}")
print(f"P(both providers down), independent: {analytic.dual_sourcing_p_both_down(1 - up):.4f}")
p_exit = 1 - analytic.survival(alpha.exit.hazard_per_year, years)
exits = res.kpis.loc[res.kpis.option == "single", "exits_count"]
print(f"P(alpha exits within {years:.2f} years): closed form {p_exit:.3f}, "
      f"simulated {exits.mean():.2f} ({int(exits.sum())} of {exits.size} replications)")

# %% [markdown]
# Over two years (and with the exit switched off, since the two weeks of switching are downtime too)
# the simulated availability matches the closed form. Over half a year it reads a little lower: a run this short
# holds only eight or nine outages, and the noise and the edges of the window weigh more. The exit is a *rare
# event*: with a 14% chance per run, twenty replications show it a handful of times, and the estimate is
# rough — rare risks need many replications (or the closed form) to price well.
#
# Now the comparison that matters, replication by replication (same tickets, same outages of alpha):

# %%
# NBVAL_CHECK_OUTPUT
cols = ["baseline_mean", "option_mean", "delta_mean", "ci_low", "ci_high", "p_better"]
print(res.compare("dual", baseline="single").loc[["cost_total_usd", "lead_time_p99_h",
                                                  "sla_attainment_share"], cols].round(3).to_string())

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
plots.cost_distribution(res, ax=ax1)
plots.lead_times(res, ax=ax2)
plt.show()

# %% [markdown]
# Dual sourcing is an insurance policy: it costs a few percent more (beta's higher price on 30% of
# the tickets), and in exchange the worst hours — tickets stuck for days while the only provider is down —
# disappear, because the other provider takes them. Whether the premium is worth it depends on what a late
# ticket costs the business: add `late_cost_per_h` to the ticket kind and the ledger prices it.
#
# ## Try it
# Change the repair time, beta's share and alpha's yearly hazard of going out of business. Each change
# re-simulates four replications of the half year for the two outsourced options.

# %% tags=["nbval-ignore-output"]
style = {"description_width": "190px"}
controls = {
    "mttr": W.IntSlider(value=36, min=4, max=120, step=4, description="mean repair time (h)",
                        continuous_update=False, style=style),
    "share": W.FloatSlider(value=0.3, min=0.05, max=0.5, step=0.05, description="beta's share",
                           continuous_update=False, style=style),
    "hazard": W.FloatSlider(value=0.3, min=0.0, max=2.0, step=0.1, description="alpha's exit hazard (/year)",
                            continuous_update=False, style=style),
}


def draw(mttr, share, hazard):
    what_if = sc.override({"vendors.alpha.outages.repair_h": f"exponential(mean={mttr})",
                           "vendors.beta.outages.repair_h": f"exponential(mean={mttr})",
                           "options.dual.backup_share": share, "vendors.alpha.exit.hazard_per_year": hazard})
    r = sk.simulate(what_if, replications=4, options=["single", "dual"], progress=False)
    s = r.summary().set_index(["option", "kpi"])["mean"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.2), layout="constrained")
    labels = [what_if.options[o].label for o in r.options]
    ax1.bar(labels, [s[o, "cost_total_usd"] for o in r.options], color=["#1b6ca8", "#d9822b"])
    ax1.set(ylabel="cost over the half year (USD)", title="cost")
    ax2.bar(labels, [s[o, "lead_time_p99_h"] for o in r.options], color=["#1b6ca8", "#d9822b"])
    a = analytic.availability(mtbf_h, mttr)
    ax2.set(ylabel="99th percentile lead time (h)",
            title=f"availability {a:.3f}; both down {analytic.dual_sourcing_p_both_down(1 - a):.4f}")
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])

# %% [markdown]
# ## Exercises

# %%
ask("failure.availability")
my_answer = None  # share of the time up
check_answer("failure.availability", my_answer)

# %%
ask("failure.both_down")
my_answer = None  # share of the time
check_answer("failure.both_down", my_answer)

# %%
ask("failure.common_cause")
my_answer = None  # share of the time
check_answer("failure.common_cause", my_answer)

# %%
ask("failure.survival")
my_answer = None  # probability
check_answer("failure.survival", my_answer)

# %% [markdown]
# ### Solutions (try first!)

# %%
# NBVAL_CHECK_OUTPUT
check_answer("failure.availability", 500 / (500 + 36))
check_answer("failure.both_down", (1 - 0.933) ** 2)
check_answer("failure.common_cause", 0.2 * (1 - 0.933) + (0.8 * (1 - 0.933)) ** 2)
check_answer("failure.survival", np.exp(-0.3 * 3))
