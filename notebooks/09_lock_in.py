# %% [markdown]
# # Lesson: lock-in, renewal and insourcing back
#
# **Learning goals.** After this lesson you can
#
# 1. project a provider's price through its renewals: indexation plus a lock-in premium that grows with
#    *asset specificity* (how much of the work only this provider knows) — `(1 + i)^(T/12) (1 + 2 s L)` per
#    renewal;
# 2. price the way back: switching money, a hiring gap, a team that restarts slowly and has forgotten part of
#    the system (knowledge erosion);
# 3. see that insourcing back can pay over a long horizon and still hurt for months — the cost is in lead time
#    as much as in money.
#
# Five years of development work, about six requests a day. The in-house team of three costs the same every
# month. The provider starts about 15% cheaper, but every yearly renewal adds 4% indexation and an 8% lock-in
# premium (at asset specificity 0.5: the provider knows it is hard to replace). The third option outsources, then
# terminates after two years and brings the work back to a rebuilt team: two weeks of gap, a 60,000 USD
# switching bill, and a team that starts at 60% productivity, less 10% for each year the organisation was away
# from the work.

# %%
import ipywidgets as W
import matplotlib.pyplot as plt

import simkit as sk
from simkit.ui import plots
from simkit.ui.lessons import ask, check_answer

sc = sk.load("lessons/lock_in.yaml")
contract = sc.vendors["stay"].contract
ex = sc.vendors["leave"].exit
step = (1 + contract.indexation_annual) ** (contract.term_months / 12) * (
    1 + contract.lock_in_premium * 2 * sc.asset_specificity)
print(f"price multiplier per renewal: {step:.4f}; after four renewals: {step ** 4:.3f}")
print(f"rebuilt team's first-month productivity: "
      f"{ex.ramp_start_productivity * (1 - ex.knowledge_erosion_annual * ex.terminate_at_month / 12):.2f}")

# %% [markdown]
# ## Five years, simulated
# Four replications (the same requests through all three options). `npv_cost_usd` discounts at 8% a year.

# %%
# NBVAL_CHECK_OUTPUT
res = sk.simulate(sc, progress=False)
print(res.table().loc[["cost_total_usd", "npv_cost_usd", "switching_cost_usd", "lead_time_mean_h",
                       "lead_time_p90_h", "sla_attainment_share"]].to_string())

# %%
plots.monthly_cost(res);

# %% [markdown]
# The monthly cost tells the story. The provider's line steps up at every renewal and crosses the
# team's flat line in the second year: from then on staying is paying for lock-in. The insourcing option
# follows the provider for two years, spikes in month 24 (the switching bill and the overlap), then runs at the
# team's cost. Over five years it is the cheapest — but look at its lead time: for months after the switch the
# rebuilt team is slower than the work arrives, and a backlog builds. That is the part of the exit cost the
# contract never shows.
#
# ## Asset specificity cuts both ways
# The more specific the work, the bigger the provider's premium at renewal *and* the bigger the switching bill
# (`switching_cost` is booked x 2 x asset specificity). `sk.sweep` re-prices the same runs at each point
# (asset specificity changes the money only, so nothing is re-simulated).

# %%
# NBVAL_CHECK_OUTPUT
sw = sk.sweep(sc, {"asset_specificity": [0.0, 0.5, 1.0]}, progress=False)
cost = sw.summary(kpi="cost_total_usd").pivot(index="asset_specificity", columns="option", values="mean")
print((cost / 1e6).round(3).to_string())

# %% [markdown]
# At zero specificity the provider charges no premium and leaving costs nothing, so staying and coming
# back cost about the same. As the work becomes specific, the renewals compound faster than the one-off
# switching bill grows, and bringing the work back becomes the cheaper path — if the organisation can live with
# the months of slow service.
#
# ## Try it
# Change the lock-in premium, the asset specificity and when the contract is terminated. Each change
# re-simulates two replications of the five years.

# %% tags=["nbval-ignore-output"]
style = {"description_width": "170px"}
controls = {
    "premium": W.FloatSlider(value=0.08, min=0.0, max=0.2, step=0.02, description="lock-in premium",
                             continuous_update=False, style=style),
    "specificity": W.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.1, description="asset specificity",
                                 continuous_update=False, style=style),
    "month": W.IntSlider(value=24, min=6, max=54, step=6, description="bring back at month",
                         continuous_update=False, style=style),
}


def draw(premium, specificity, month):
    what_if = sc.override({"vendors.stay.contract.lock_in_premium": premium,
                           "vendors.leave.contract.lock_in_premium": premium,
                           "asset_specificity": specificity, "vendors.leave.exit.terminate_at_month": month})
    r = sk.simulate(what_if, replications=2, progress=False)
    s = r.summary().set_index(["option", "kpi"])["mean"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.6), layout="constrained")
    plots.monthly_cost(r, ax=ax1)
    labels = [what_if.options[o].label for o in r.options]
    ax2.barh(labels, [s[o, "cost_total_usd"] / 1e6 for o in r.options], color=["#1b6ca8", "#d9822b", "#3a9d5d"])
    for y, o in enumerate(r.options):
        ax2.text(s[o, "cost_total_usd"] / 1e6, y, f"  lead time {s[o, 'lead_time_mean_h']:.0f} h", va="center")
    ax2.set(xlabel="cost over five years (million USD)", xlim=(0, s.loc[:, "cost_total_usd"].max() / 1e6 * 1.5))
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])

# %% [markdown]
# ## Exercises

# %%
ask("lock_in.price")
my_answer = None  # USD a request
check_answer("lock_in.price", my_answer)

# %%
ask("lock_in.specificity")
my_answer = None  # USD a request
check_answer("lock_in.specificity", my_answer)

# %%
ask("lock_in.erosion")
my_answer = None  # share
check_answer("lock_in.erosion", my_answer)

# %% [markdown]
# ### Solutions (try first!)

# %%
# NBVAL_CHECK_OUTPUT
check_answer("lock_in.price", 300 * (1.04 * (1 + 0.08 * 2 * 0.5)) ** 2)
check_answer("lock_in.specificity", 300 * (1.04 * (1 + 0.08 * 2 * 1.0)) ** 2)
check_answer("lock_in.erosion", 0.6 * (1 - 0.10 * 3))
