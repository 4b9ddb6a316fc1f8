# %% [markdown]
# # Lesson: time zones and communication — the question that waits overnight
#
# **Learning goals.** After this lesson you can
#
# 1. explain why a question asked outside the client's office hours waits, and compute the mean wait with
#    the closed form `(24 - o)^2 / 48` for an `o`-hour daily overlap;
# 2. check that closed form against a simulated sweep of the overlap;
# 3. weigh a round-the-clock offshore provider (faster, because it never sleeps) against the hours its
#    questions spend waiting for the client — and see when asking more questions tips the balance.
#
# A product team sends about six change requests a day. Four in ten need a question answered by the business,
# whose people answer only in office hours, 09:00–17:00 UTC, seven days a week. The in-house developers sit
# next to them on the same hours: a question is answered at once. An offshore provider works around the clock,
# a little slower, and, further from the business, asks half as many questions again; a question raised at
# night waits until 09:00.

# %%
import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np

import simkit as sk
from simkit import analytic
from simkit.ui.lessons import ask, check_answer

sc = sk.load("lessons/time_zones.yaml")
kind = sc.workload.kinds["change"]
vendor = sc.vendors["offshore"]
client = sc.calendars["client"]
overlap_h = client.close_hour - client.open_hour
print(f"overlap: {overlap_h:g} h a day; questions: {kind.clarify_share:.0%} of requests in-house, "
      f"{min(1.0, kind.clarify_share * vendor.clarify_factor):.0%} at the provider")

# %% [markdown]
# ## A quarter, simulated
# Three replications of a quarter. `clarify_share` is the share of requests that needed an answer,
# `clarify_delay_mean_h` the hours each of them waited for it.

# %%
# NBVAL_CHECK_OUTPUT
res = sk.simulate(sc, progress=False)
print(res.table().loc[["cost_total_usd", "lead_time_mean_h", "lead_time_p90_h", "sla_attainment_share",
                       "clarify_share", "clarify_delay_mean_h"]].to_string())
print(f"closed form for an {overlap_h:g}-hour overlap: {analytic.overlap_wait_mean_h(overlap_h):.2f} h")

# %% [markdown]
# The provider's questions wait about five hours each, as the closed form says, and yet its requests
# finish *sooner*: it works 24 hours a day while the in-house team works eight, so a request that arrives in
# the evening is started at once rather than the next morning. Waiting for answers is a real cost, but it has to
# be weighed against everything else the operating model changes.
#
# ## Sweep the overlap
# Moving the client's opening hour earlier (closing stays at 17:00) widens the overlap. `sk.sweep` runs the
# provider at each point with the same random numbers.

# %%
# NBVAL_CHECK_OUTPUT
sw = sk.sweep(sc, {"calendars.client.open_hour": [1, 5, 9, 13, 15]}, replications=4, options=["vendor"],
              progress=False)
table = sw.summary(kpi="clarify_delay_mean_h")
table["overlap_h"] = client.close_hour - table["calendars.client.open_hour"]
table["closed_form_h"] = [analytic.overlap_wait_mean_h(o) for o in table["overlap_h"]]
print(table[["overlap_h", "mean", "ci_low", "ci_high", "closed_form_h"]].round(2).to_string(index=False))

# %%
o = np.linspace(0, 24, 97)
fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
ax.plot(o, [analytic.overlap_wait_mean_h(x) for x in o], label="closed form (24 - o)^2 / 48")
ax.errorbar(table["overlap_h"], table["mean"], yerr=[table["mean"] - table["ci_low"], table["ci_high"] - table["mean"]],
            fmt="o", capsize=3, label="simulated (95% CI)")
ax.set(xlabel="daily overlap (h)", ylabel="mean wait per question (h)", title="Waiting for an answer")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# The simulation follows the parabola. The curve is steep at small overlaps: the first hours of
# overlap remove the most waiting, which is why "a two-hour overlap with the offshore team" is such a common
# contract clause. Where the simulation sits above the curve (a short overlap), the closed form's assumption —
# questions raised uniformly over the day — no longer quite holds: every answer arrives at opening time, the
# answered requests all come back at once and keep the provider busy through the short overlap, so the new
# requests are picked up, and their questions raised, after the client has gone home.
#
# ## Try it
# Change the overlap, how often requests need a question and how much more often the provider asks. Each change
# re-simulates two replications of the quarter.

# %% tags=["nbval-ignore-output"]
style = {"description_width": "190px"}
controls = {
    "overlap": W.IntSlider(value=8, min=1, max=16, description="overlap (h a day)", continuous_update=False,
                           style=style),
    "share": W.FloatSlider(value=0.4, min=0.0, max=1.0, step=0.05, description="requests with a question",
                           continuous_update=False, style=style),
    "factor": W.FloatSlider(value=1.5, min=1.0, max=3.0, step=0.25, description="provider asks x as often",
                            continuous_update=False, style=style),
}


def draw(overlap, share, factor):
    what_if = sc.override({"calendars.client.open_hour": client.close_hour - overlap,
                           "workload.kinds.change.clarify_share": share,
                           "vendors.offshore.clarify_factor": factor})
    r = sk.simulate(what_if, replications=2, progress=False)
    s = r.summary().set_index(["option", "kpi"])["mean"]
    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    names = [what_if.options[opt].label for opt in r.options]
    lead = [s[opt, "lead_time_mean_h"] for opt in r.options]
    ax.barh(names, lead, color=["#1b6ca8", "#d9822b"])
    for y, opt in enumerate(r.options):
        ax.text(lead[y], y, f"  {lead[y]:.1f} h (answers: {s[opt, 'clarify_delay_mean_h']:.1f} h each)",
                va="center", fontsize=9)
    ax.set(xlabel="mean lead time (h)", xlim=(0, max(lead) * 1.6),
           title=f"closed form: {analytic.overlap_wait_mean_h(overlap):.1f} h per question")
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])

# %% [markdown]
# ## Exercises

# %%
ask("time_zones.wait")
my_answer = None  # hours
check_answer("time_zones.wait", my_answer)

# %%
ask("time_zones.per_item")
my_answer = None  # hours
check_answer("time_zones.per_item", my_answer)

# %%
ask("time_zones.overlap_needed")
my_answer = None  # hours of overlap
check_answer("time_zones.overlap_needed", my_answer)

# %% [markdown]
# ### Solutions (try first!)

# %%
# NBVAL_CHECK_OUTPUT
check_answer("time_zones.wait", (24 - 3) ** 2 / 48)
check_answer("time_zones.per_item", 0.4 * 1.5 * (24 - 8) ** 2 / 48)
check_answer("time_zones.overlap_needed", 24 - (2 * 48) ** 0.5)
