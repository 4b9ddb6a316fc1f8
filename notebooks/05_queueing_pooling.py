# %% [markdown]
# # Lesson: queueing and pooling — why a vendor can be cheaper
#
# **Learning goals.** After this lesson you can
#
# 1. compute the probability of waiting and the mean wait of an M/M/c queue with Erlang C, and check them
#    against a simulation;
# 2. use *square-root staffing*: the spare capacity a service level needs grows like $\sqrt{a}$, not like $a$;
# 3. explain why pooling demand — one desk instead of two, or a vendor serving many clients — needs fewer
#    people for the same service.
#
# A desk with $c$ agents gets tickets at rate $\lambda$ per hour, each taking $1/\mu$ hours on average.
# The offered load is $a = \lambda / \mu$ Erlangs (busy agents on average), the utilisation $\rho = a / c$.
# With Poisson arrivals and exponential work (M/M/c) the probability that a ticket waits is Erlang's C
# formula $C(c, a)$, and the mean wait is $W_q = C(c, a) / (c\mu - \lambda)$.
#
# The lesson's scenario has two kinds of tickets, 4 an hour each, one hour of work on average: 8 Erlangs.
# *Two desks* gives each kind its own desk of five agents (two M/M/5 queues at 4 Erlangs); *one desk* serves
# both with ten (one M/M/10 queue at 8 Erlangs). Same people, same work, same utilisation of 80%.

# %%
import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import simkit as sk
from simkit import analytic
from simkit.ui.lessons import ask, check_answer

sc = sk.load("lessons/pooling.yaml")
res = sk.simulate(sc, replications=6, progress=False)

# %% [markdown]
# ## Erlang C against the simulation

# %%
# NBVAL_CHECK_OUTPUT
s = res.summary().set_index(["option", "kpi"])
desks = {"split": (5, 4.0), "pooled": (10, 8.0)}  # agents per desk, Erlangs per desk
rows = []
for option, (c, a) in desks.items():
    for kpi, closed in (("waited_share", analytic.erlang_c(c, a)),
                        ("wait_mean_h", analytic.mmc_wait_mean_h(c, a, 1.0))):
        r = s.loc[(option, kpi)]
        rows.append({"option": option, "kpi": kpi, "Erlang C": closed, "simulated": r["mean"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                     "inside CI": bool(r["ci_low"] <= closed <= r["ci_high"])})
print(pd.DataFrame(rows).round(3).to_string(index=False))

# %%
labels = [sc.options[o].label for o in desks]
sim = [s.loc[(o, "wait_mean_h"), "mean"] * 60 for o in desks]
err = [(s.loc[(o, "wait_mean_h"), "ci_high"] - s.loc[(o, "wait_mean_h"), "mean"]) * 60 for o in desks]
theory = [analytic.mmc_wait_mean_h(c, a, 1.0) * 60 for c, a in desks.values()]
fig, ax = plt.subplots(figsize=(6, 3.2), layout="constrained")
ax.bar(np.arange(2) - 0.2, sim, 0.4, yerr=err, capsize=4, label="simulated (95% CI)")
ax.bar(np.arange(2) + 0.2, theory, 0.4, label="Erlang C")
ax.set_xticks(range(2), labels)
ax.set(ylabel="mean wait (minutes)", title="Same 10 agents, same work, 80% busy")
ax.legend(frameon=False)
plt.show()

# %% [markdown]
# The pooled desk makes tickets wait about a third as long with the same ten people: in two
# separate desks an agent of desk A can sit idle while tickets queue at desk B. That is the economy of
# scale of a vendor that serves many clients from one bench.
#
# ## Square-root staffing
# How many agents keep the probability of waiting at or below 20%? The answer is about $a + \beta\sqrt{a}$:
# the spare capacity grows with the square root of the load, so big desks run hotter for the same service.

# %%
# NBVAL_CHECK_OUTPUT
rows = []
for a in [2, 5, 10, 20, 50, 100]:
    c = analytic.min_servers_for_p_wait(a, 0.2)
    rows.append({"load_erlangs": a, "agents": c, "spare_agents": c - a, "beta": (c - a) / np.sqrt(a),
                 "utilisation_share": a / c})
print(pd.DataFrame(rows).round(3).to_string(index=False))

# %% [markdown]
# ## Pooling many clients
# Now $k$ client teams with 5 Erlangs each, all wanting P(wait) ≤ 0.2: separate desks against one vendor
# bench.

# %%
# NBVAL_CHECK_OUTPUT
rows = []
for k in [1, 2, 4, 8]:
    alone = k * analytic.min_servers_for_p_wait(5.0, 0.2)
    pooled = analytic.min_servers_for_p_wait(5.0 * k, 0.2)
    rows.append({"clients": k, "separate_agents": alone, "pooled_agents": pooled,
                 "saved_agents": alone - pooled})
print(pd.DataFrame(rows).to_string(index=False))

# %% [markdown]
# ## Try it
# Choose the load of one client team, how many teams, and the service target; the bars are closed forms.

# %% tags=["nbval-ignore-output"]
style = {"description_width": "180px"}
controls = {
    "load": W.FloatSlider(value=5, min=1, max=30, step=0.5, description="load per team (Erlangs)",
                          continuous_update=False, style=style),
    "teams": W.IntSlider(value=4, min=1, max=10, description="client teams", continuous_update=False,
                         style=style),
    "target": W.FloatSlider(value=0.2, min=0.05, max=0.5, step=0.05, description="P(wait) target",
                            continuous_update=False, style=style),
}


def draw(load, teams, target):
    alone = teams * analytic.min_servers_for_p_wait(load, target)
    pooled = analytic.min_servers_for_p_wait(load * teams, target)
    fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
    ax.barh(["separate desks", "one pooled desk"], [alone, pooled], color=["#d9822b", "#1b6ca8"])
    ax.axvline(load * teams, color="black", ls=":", label=f"load {load * teams:g} Erlangs")
    for y, v in enumerate([alone, pooled]):
        ax.text(v, y, f" {v} agents, {load * teams / v:.0%} busy", va="center")
    ax.set(xlabel="agents needed", xlim=(0, alone * 1.35))
    ax.legend(frameon=False, loc="lower right")
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])

# %% [markdown]
# ## Exercises

# %%
ask("queueing.p_wait")
my_answer = None  # a share between 0 and 1
check_answer("queueing.p_wait", my_answer)

# %%
ask("queueing.servers")
my_answer = None  # agents
check_answer("queueing.servers", my_answer)

# %%
ask("queueing.pooling")
my_answer = None  # agents
check_answer("queueing.pooling", my_answer)

# %% [markdown]
# ### Solutions (try first!)

# %%
# NBVAL_CHECK_OUTPUT
check_answer("queueing.p_wait", analytic.erlang_c(10, 8.0))
check_answer("queueing.servers", analytic.min_servers_for_p_wait(9.0, 0.2))
check_answer("queueing.pooling", 4 * analytic.min_servers_for_p_wait(5.0, 0.2)
             - analytic.min_servers_for_p_wait(20.0, 0.2))
