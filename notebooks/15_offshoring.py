# %% [markdown]
# # Lesson: outsourcing vs offshoring — location and ownership are two choices
#
# **Learning goals.** After this lesson you can
#
# 1. separate *where* the work is done (onshore, offshore, nearshore) from *who* does it (your own staff or a
#    vendor's), and name what each choice brings: wage arbitrage, margin, FX, attrition, time zones;
# 2. compute the per-head cost of a captive centre against an outsourcer, the vendor's margin, and the expected
#    number of leavers, and find them in a simulation;
# 3. read the risk each option carries (the captive's currency and attrition against the vendor's fixed price)
#    and recommend an option for a stated risk appetite.
#
# A New York insurer's finance operations — about 10,000 invoice exceptions, supplier queries and reconciliations
# a year — are done by eight people in New York. Three alternatives: its own **captive** centre in Pune (nine
# staff: wages in rupees, 18.7% attrition a year, eight weeks to fill a vacancy, four months for a new hire to
# reach full speed); an **outsourcer** in Pune on the same hours (3,800 USD per FTE-month in dollars, indexed 6%
# a year, 90,000 USD transition); and a **nearshore** outsourcer in Mexico City (5,200 USD per FTE-month, fees
# partly in pesos, seven hours of overlap with New York instead of two). Pune is offshore whichever owner runs
# it; captive or outsourced is the ownership choice.

# %%
import ipywidgets as W
import matplotlib.pyplot as plt

import simkit as sk
from simkit.ui import plots
from simkit.ui.lessons import ask, check_answer

sc = sk.load("lessons/offshoring.yaml")
onshore, captive = sc.teams["onshore"], sc.teams["captive"]
pune, mexico = sc.vendors["outsourcer"], sc.vendors["nearshore"]

# %% [markdown]
# ## One head, four ways (a year, before risk)

# %%
# NBVAL_CHECK_OUTPUT
per_head = {
    "onshore (own, New York)": onshore.loaded_cost_per_hour * 2080 + onshore.overhead_per_fte_month * 12,
    "captive (own, Pune)": captive.loaded_cost_per_hour * 2080 + captive.overhead_per_fte_month * 12,
    "outsourced (vendor, Pune)": pune.price_per_fte_month * 12 * (1 + pune.governance_share),
    "nearshore (vendor, Mexico City)": mexico.price_per_fte_month * 12 * (1 + mexico.governance_share),
}
for name, usd in per_head.items():
    print(f"{name:34s} {usd:9,.0f} USD a head a year")
print(f"vendor margin on a Pune head paid ~10 USD/h for 190 h: {1 - 10 * 190 / pune.price_per_fte_month:.0%}")
print(f"expected leavers at the captive over two years: {captive.hiring.attrition_annual * captive.staff * 2:.1f}")

# %% [markdown]
# ## Two years, simulated
# Six replications of two years, every option on the same work. The captive's dollar cost follows the rupee
# (a random path per replication) and its own attrition; the Pune outsourcer's price is fixed in dollars
# (indexed once a year), so its cost is the same in every replication.

# %%
# NBVAL_CHECK_OUTPUT
res = sk.simulate(sc, progress=False)
print(res.table().loc[["cost_total_usd", "fx_cost_usd", "lead_time_mean_h", "sla_attainment_share",
                       "clarify_delay_mean_h", "leavers_count"]].to_string())

# %%
# NBVAL_CHECK_OUTPUT
print((res.risk()[["cost_total_usd_mean", "cost_total_usd_var95", "cost_total_usd_cvar95"]] / 1e6).round(3)
      .to_string())

# %% [markdown]
# **Location** drives most of the money: the Pune options cost 48% (captive) and 58% (outsourced) of
# New York, Mexico City 78%. **Ownership**
# decides who keeps the vendor's margin and who carries the risks: the captive is cheaper on average, but its
# cost moves with the rupee and its leavers; the outsourcer's price includes its bench and its attrition.
# **Time zones** show in the lead time: Pune works while New York sleeps, so a question waits for the two-hour
# overlap (clarification delay ~4 h) and an item takes ~22 h against ~4 h onshore; Mexico City shares most of
# New York's day. Six replications are few for the tail: treat VaR and CVaR here as rough.

# %%
fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
plots.cost_distribution(res, ax=ax)
plt.show()

# %% [markdown]
# ## Try it
# Move the captive's attrition, the rupee's volatility and the Pune outsourcer's price. Each change
# re-simulates three replications of the two offshore options in Pune.

# %% tags=["nbval-ignore-output"]
style = {"description_width": "220px"}
controls = {
    "attrition": W.FloatSlider(value=0.187, min=0.0, max=0.6, step=0.05, description="captive attrition (/year)",
                               continuous_update=False, style=style),
    "vol": W.FloatSlider(value=0.07, min=0.0, max=0.3, step=0.01, description="rupee volatility (/year)",
                         continuous_update=False, style=style),
    "price": W.IntSlider(value=3800, min=2800, max=5000, step=100, description="outsourcer USD/FTE-month",
                         continuous_update=False, style=style),
}


def draw(attrition, vol, price):
    what_if = sc.override({"teams.captive.hiring.attrition_annual": attrition,
                           "teams.captive.fx.volatility_annual": vol,
                           "vendors.outsourcer.price_per_fte_month": price})
    r = sk.simulate(what_if, replications=3, options=["captive", "outsourced"], progress=False)
    s = r.kpis.groupby("option")[["cost_total_usd", "lead_time_mean_h"]].mean()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.2), layout="constrained")
    ax1.bar(s.index, s.cost_total_usd, color=["#1b6ca8", "#d9822b"])
    ax1.set(ylabel="cost over two years (USD)", title="cost")
    ax2.bar(s.index, s.lead_time_mean_h, color=["#1b6ca8", "#d9822b"])
    ax2.set(ylabel="mean lead time (h)", title="lead time")
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])

# %% [markdown]
# ## Exercises
# Three formula questions, then a judgement question checked against **your own simulation**: choose the
# captive's attrition and the Pune outsourcer's price below, run the cell, and read the numbers off `mine`.

# %%
ask("offshore.margin")
my_answer = None  # share of the price
check_answer("offshore.margin", my_answer)

# %%
ask("offshore.head_ratio")
my_answer = None  # share
check_answer("offshore.head_ratio", my_answer)

# %%
ask("offshore.leavers")
my_answer = None  # people
check_answer("offshore.leavers", my_answer)

# %%
my_attrition = 0.3   # your choice: the captive's yearly attrition, 0 to 0.6
my_price = 3600      # your choice: the Pune outsourcer's USD per FTE-month after negotiation
mine = sk.simulate(sc.override({"teams.captive.hiring.attrition_annual": my_attrition,
                                "vendors.outsourcer.price_per_fte_month": my_price}),
                   replications=3, options=["captive", "outsourced"], progress=False)

# %% [markdown]
# **Judgement.** The CFO asks: "captive or outsourced, in Pune?" Write three to five sentences: your
# recommendation, the numbers from `mine` that support it, the risk the insurer keeps or hands over, and what
# would change your mind. The numeric part is checked below; your instructor grades the text with the rubric
# in the instructor guide.

# %%
ask("offshore.sim_captive_gap")
my_answer = None  # USD: outsourced minus captive, mean total cost in mine
check_answer("offshore.sim_captive_gap", my_answer, results=mine)
my_recommendation = ""  # your three to five sentences

# %% [markdown]
# ### Solutions (try first!)

# %%
# NBVAL_CHECK_OUTPUT
check_answer("offshore.margin", 1 - 10 * 190 / 3800)
check_answer("offshore.head_ratio", (11 * 2080 + 1500 * 12) / (3800 * 12 * 1.05))
check_answer("offshore.leavers", 0.187 * 9 * 2)
k = mine.kpis.groupby("option")["cost_total_usd"].mean()
check_answer("offshore.sim_captive_gap", k["outsourced"] - k["captive"], results=mine)
