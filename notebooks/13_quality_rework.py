# %% [markdown]
# # Lesson: quality and rework — when the cheaper provider costs more
#
# **Learning goals.** After this lesson you can
#
# 1. price quality: the expected cost of escaped defects per item, `d x (1 - s) x C`, for a defect share
#    `d`, a detection share `s` and a cost `C` per escaped defect, and compare it with the price difference;
# 2. tell *detected* defects (rework: slower, and paid by whoever pays for capacity) from *escaped* ones
#    (paid by the client, after the fact), and read both in a simulation's ledger and KPIs;
# 3. see how learning (a defect share that falls with experience) and SLA credits change the picture,
#    and recommend a provider with the numbers that support it.
#
# A health insurer outsources the processing of about 7,000 claims a year. Two vendors bid. *Cheap* asks
# 14 USD a claim, *careful* 18 USD; both add 5% for the insurer's contract management. Cheap is new to
# this work: it gets 12% of claims wrong at first (falling towards 5% as it learns, the gap halving every
# six months) and its own checkers find only half of its errors, a day or two later. Careful gets 3% wrong
# and finds nine in ten within hours. An error that reaches the member costs the insurer 120 USD: a
# complaint, a corrected payment, sometimes an appeal. Cheap promises 97% of claims decided within a day
# and credits 1% of its monthly fees per point below that, up to 10%.

# %%
import ipywidgets as W
import matplotlib.pyplot as plt

import simkit as sk
from simkit.ui.lessons import ask, check_answer

sc = sk.load("lessons/quality_rework.yaml")
cheap, careful = sc.vendors["cheap"], sc.vendors["careful"]


# %% [markdown]
# ## The formula: price plus escaped quality
# Per claim, the insurer pays the price with governance, `p (1 + g)`, plus the escaped defects it absorbs,
# `d (1 - s) C`. Rework of detected defects costs the insurer nothing here — the vendor is paid per claim,
# so it reworks at its own expense — but it delays the claim.

# %%
# NBVAL_CHECK_OUTPUT
def per_claim(v, d):
    # price with governance, plus the expected cost of escaped defects
    escaped = d * (1 - v.quality.detection_share) * v.quality.escaped_defect_cost
    return v.price_per_item * (1 + v.governance_share) + escaped


q = cheap.quality
months = sc.run.horizon_days * 24 / 730.5
# the mean of floor + gap x 0.5^(t / halving) over the year
d_mean = q.defect_share_floor + (q.defect_share - q.defect_share_floor) * (
    q.defect_halving_months / (months * 0.6931471805599453)) * (1 - 0.5 ** (months / q.defect_halving_months))
print(f"cheap, first month (d = {q.defect_share:.3f}): {per_claim(cheap, q.defect_share):6.2f} USD a claim")
print(f"cheap, year average (d = {d_mean:.3f}):   {per_claim(cheap, d_mean):6.2f} USD a claim")
print(f"careful (d = {careful.quality.defect_share:.3f}):              "
      f"{per_claim(careful, careful.quality.defect_share):6.2f} USD a claim")

# %% [markdown]
# ## The simulation: the same claims through both vendors
# Ten replications of the year. Both vendors see the same claims, and the same random numbers decide
# whether a claim is done wrong and whether the error is found (common random numbers), so the difference
# is the vendors' doing. `defect_share` counts claims that were wrong (found or not), `rework_share` those
# found and reworked, `escaped_defects_items` those that reached the member.

# %%
# NBVAL_CHECK_OUTPUT
res = sk.simulate(sc, progress=False)
print(res.table().loc[["cost_total_usd", "cost_per_item_usd", "defect_share", "rework_share",
                       "escaped_defects_items", "sla_attainment_share", "sla_credits_usd",
                       "lead_time_p90_h"]].to_string())

# %%
# NBVAL_CHECK_OUTPUT
n = res.kpis.groupby("option")["replication"].nunique()
ledger = res.ledger.groupby(["option", "category"])["amount"].sum().unstack("category").fillna(0.0).div(n, axis=0)
print(ledger.round(0).to_string())
cols = ["baseline_mean", "option_mean", "delta_mean", "ci_low", "ci_high", "p_better"]
print(res.compare("cheap", baseline="careful").loc[["cost_total_usd"], cols].round(1).to_string())

# %% [markdown]
# The simulated cost per claim lands on the formula's year average: cheap's four dollars of price
# advantage are eaten by about five dollars of escaped errors. Its fees are lower, its `quality` line is
# about fourteen times careful's — and the reworked claims, found a day or two later, miss the one-day promise,
# which is what the SLA credits are for. Credits are paid back *by* the vendor, so they lower its cost;
# note how small they are next to the cost of the errors: a credit capped at a share of the fees cannot
# insure a cost that is a multiple of them.
#
# ## Try it
# Move cheap's detection share (better checking before delivery), its starting defect share and the cost
# of an escaped error. The chart re-simulates four replications of the year.

# %% tags=["nbval-ignore-output"]
style = {"description_width": "200px"}
controls = {
    "detection": W.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.05, description="cheap: detection share",
                               continuous_update=False, style=style),
    "defects": W.FloatSlider(value=0.12, min=0.02, max=0.3, step=0.01, description="cheap: start defect share",
                             continuous_update=False, style=style),
    "escaped": W.IntSlider(value=120, min=0, max=400, step=20, description="cost of an escape (USD)",
                           continuous_update=False, style=style),
}


def draw(detection, defects, escaped):
    what_if = sc.override({"vendors.cheap.quality.detection_share": detection,
                           "vendors.cheap.quality.defect_share": defects,
                           "vendors.cheap.quality.escaped_defect_cost": escaped,
                           "vendors.careful.quality.escaped_defect_cost": escaped})
    r = sk.simulate(what_if, replications=4, progress=False)
    led = r.ledger.groupby(["option", "category"])["amount"].sum().unstack("category").fillna(0.0) / 4
    fig, ax = plt.subplots(figsize=(8, 3.4), layout="constrained")
    led.plot.barh(stacked=True, ax=ax)
    ax.set(xlabel="cost over the year (USD)", title="where the money goes")
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])

# %% [markdown]
# ## Exercises
# The first three are formula work. The last two are checked against **your own simulation**: choose
# cheap's detection share below (any value from 0 to 1), run the cell, and read the numbers off `mine`.
# The checker reads the same numbers from `mine`, so whatever you chose, a correct reading is right.

# %%
ask("quality.escaped_per_item")
my_answer = None  # USD a claim
check_answer("quality.escaped_per_item", my_answer)

# %%
ask("quality.detection_break_even")
my_answer = None  # detection share
check_answer("quality.detection_break_even", my_answer)

# %%
ask("quality.learning")
my_answer = None  # defect share
check_answer("quality.learning", my_answer)

# %%
my_detection_share = 0.7  # your choice: cheap's detection share, 0 to 1
mine = sk.simulate(sc.override({"vendors.cheap.quality.detection_share": my_detection_share}),
                   replications=5, progress=False)

# %%
ask("quality.sim_escaped_cost")
my_answer = None  # USD over the year
check_answer("quality.sim_escaped_cost", my_answer, results=mine)

# %% [markdown]
# **Judgement.** The insurer's procurement team says: "Cheap is 22% cheaper; sign it." Write a
# recommendation of three to five sentences: which vendor, on what condition (a detection share, a
# quality clause, a price), and what the numbers in `mine` say. The numeric part is checked below; your
# instructor grades the text with the rubric in the instructor guide.

# %%
ask("quality.sim_gap")
my_answer = None  # USD: cheap's mean total cost minus careful's, in mine
check_answer("quality.sim_gap", my_answer, results=mine)
my_recommendation = ""  # your three to five sentences

# %% [markdown]
# ### Solutions (try first!)

# %%
# NBVAL_CHECK_OUTPUT
check_answer("quality.escaped_per_item", 0.12 * 0.5 * 120)
check_answer("quality.detection_break_even", 1 - (18 * 1.05 + 0.36 - 14 * 1.05) / (0.12 * 120))
check_answer("quality.learning", 0.05 + 0.07 * 0.5 ** 2)
k = mine.kpis.groupby("option")["cost_total_usd"].mean()
escaped = mine.ledger.query("option == 'cheap' and category == 'quality'")["amount"].sum() / 5
check_answer("quality.sim_escaped_cost", escaped, results=mine)
check_answer("quality.sim_gap", k["cheap"] - k["careful"], results=mine)
