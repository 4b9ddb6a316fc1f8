# %% [markdown]
# # Lesson: Monte Carlo NPV and cost at risk
#
# **Learning goals.** After this lesson you can
#
# 1. read a cost as a *distribution* over simulated futures rather than one number, and its net present value;
# 2. compute and interpret value at risk (VaR, the cost exceeded in only 5% of futures) and conditional value at
#    risk (CVaR, the mean cost of those worst 5%);
# 3. see that an option can be cheaper on average and still riskier — and read the fan of its monthly cost.
#
# A small product team for three years: two in-house developers paid in dollars, or two offshore engineers
# billed per person-month in rupees. At today's exchange rate the offshore team costs about a quarter less. But
# the rate wanders (20% a year, a geometric Brownian motion with monthly steps), and every invoice is paid at
# that month's rate. Forty replications are forty possible paths of the rate.

# %%
import ipywidgets as W
import matplotlib.pyplot as plt

import simkit as sk
from simkit.ui import plots
from simkit.ui.lessons import ask, check_answer

sc = sk.load("lessons/cost_at_risk.yaml")
print(f"exchange-rate volatility: {sc.vendors['offshore'].fx.volatility_annual:.0%} a year; "
      f"discount rate {sc.run.discount_rate_annual:.0%}")

# %% [markdown]
# ## Forty futures, simulated

# %%
# NBVAL_CHECK_OUTPUT
res = sk.simulate(sc, progress=False)
print(res.table().loc[["cost_total_usd", "npv_cost_usd", "fx_cost_usd"]].to_string())
print()
print((res.risk() / 1e6).round(3).T.to_string())

# %%
# NBVAL_CHECK_OUTPUT
row = res.compare("offshore").loc["cost_total_usd"]
print(f"offshore - in_house: {row.delta_mean:+,.0f} USD [{row.ci_low:+,.0f}, {row.ci_high:+,.0f}], "
      f"P(cheaper) = {row.p_better:.2f}")

# %%
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
plots.cost_distribution(res, ax=ax1)
plots.cumulative_cost(res, band=0.9, ax=ax2)
plt.show()

# %% [markdown]
# On average the offshore team saves over a quarter of a million dollars, and it is cheaper in nine
# futures out of ten. But its 95% VaR is *above* the in-house cost: in the worst twentieth of exchange-rate
# paths it costs more than keeping the team, and the CVaR says by how much on average. The in-house cost has no
# spread at all here (fixed wages in the home currency), so its VaR is its mean. The fan (right) widens month
# by month as the rate wanders further from today's. A risk-averse buyer might hedge the currency, cap it in the
# contract, or accept the in-house premium as insurance.
#
# ## Try it
# Change the volatility and the offshore price. Each change re-simulates twenty futures.

# %% tags=["nbval-ignore-output"]
style = {"description_width": "170px"}
controls = {
    "vol": W.FloatSlider(value=0.2, min=0.0, max=0.5, step=0.05, description="FX volatility (/year)",
                         continuous_update=False, style=style),
    "price": W.IntSlider(value=13000, min=9000, max=17000, step=500, description="offshore USD/person-month",
                         continuous_update=False, style=style),
}


def draw(vol, price):
    what_if = sc.override({"vendors.offshore.fx.volatility_annual": vol,
                           "vendors.offshore.price_per_fte_month": price})
    r = sk.simulate(what_if, replications=20, progress=False)
    risk = r.risk() / 1e6
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.6), layout="constrained")
    plots.cumulative_cost(r, band=0.9, ax=ax2)
    x = range(len(risk))
    for k, (col, name) in enumerate([("cost_total_usd_mean", "mean"), ("cost_total_usd_var95", "VaR 95%"),
                                     ("cost_total_usd_cvar95", "CVaR 95%")]):
        ax1.bar([i + 0.27 * (k - 1) for i in x], risk[col], width=0.27, label=name)
    ax1.set_xticks(list(x), [what_if.options[o].label for o in risk.index])
    ax1.set(ylabel="three-year cost (million USD)")
    ax1.legend(frameon=False)
    plt.show()


W.VBox([W.HBox(list(controls.values()), layout=W.Layout(flex_flow="row wrap")),
        W.interactive_output(draw, controls)])

# %% [markdown]
# ## Exercises

# %%
ask("risk.var")
my_answer = None  # million USD
check_answer("risk.var", my_answer)

# %%
ask("risk.cvar")
my_answer = None  # million USD
check_answer("risk.cvar", my_answer)

# %% [markdown]
# ### Solutions (try first!)

# %%
# NBVAL_CHECK_OUTPUT
check_answer("risk.var", 1.0 + 1.645 * 0.2)
check_answer("risk.cvar", 1.0 + 0.2 * 2.063)
