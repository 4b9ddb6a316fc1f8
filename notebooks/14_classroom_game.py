# %% [markdown]
# # The classroom game: one year, many strategies, one leaderboard
#
# Each team sources a payments company's know-your-customer checks for a year: about 13,000 checks, each to
# be decided within 4 hours, around the clock. A team writes its strategy as a small YAML file — keep
# analysts in-house, hand the work to vendor *alpha* (cheap, 20 USD a check) or *beta* (22 USD), split it,
# let a vendor take the overflow — and drops it into `game/submissions/`. The rules, the levers and their
# bounds are in `game/game.yaml`; the shared world is `game/world.yaml`.
#
# **Every team plays the same year.** The same checks arrive at the same minutes, and alpha and beta go
# down at the same hours for everybody (common random numbers: simkit draws each vendor's outages from a
# stream named after the vendor, and the game's levers never touch the workload or the outages). So the
# ranking measures strategies, not luck.
#
# **The rule.** The leaderboard ranks by total cost (fees, wages, governance, transition, the cost of late
# checks, SLA credits) among the teams whose SLA attainment reaches the floor; teams below the floor come
# after them, best service first. A submission that breaks a rule is listed with a one-line reason and
# does not stop the game.
#
# From a terminal: `simkit game notebooks/game/game.yaml notebooks/game/submissions --replay`.

# %%
import matplotlib.pyplot as plt
from IPython.display import HTML, display

import simkit.game as game

rules = game.load_game("game/game.yaml")
print(rules.describe())

# %% [markdown]
# ## A submission
# A strategy names what it uses (`strategy`: the fields of a scenario's option), the levers it sets within
# the game's bounds (`set`) and, for each vendor it uses, one of the contract packages on offer
# (`contracts`). The Otters split the checks between the two vendors and buy alpha's SLA-backed contract:

# %%
print(open("game/submissions/otters.yaml").read())

# %% [markdown]
# ## The leaderboard

# %%
# NBVAL_CHECK_OUTPUT
board = game.play(rules, "game/submissions")
print(board.text())

# %%
# team names come from the students' files: rendered as escaped text, never as markup
display(HTML(board.table().to_html(index=False, escape=True, float_format=lambda x: f"{x:,.3f}")))
display(HTML(board.invalid_table().to_html(index=False, escape=True)))

# %% [markdown]
# ## The replay: what the year held, month by month
# Now reveal the shocks. The arrivals rise in the autumn campaign; each bar of downtime is an outage that
# every team using that vendor lived through at the same hours.

# %%
# NBVAL_CHECK_OUTPUT
shocks = board.shocks()
print(shocks.round(1).to_string(index=False))

# %%
replay = board.replay()
fig, (ax1, ax2, ax3) = plt.subplots(3, 1, figsize=(10, 8.5), sharex=True, layout="constrained")
ax1.bar(shocks.month - 0.2, shocks.alpha_down_h, width=0.4, label="alpha down (h)", color="#c0392b")
ax1.bar(shocks.month + 0.2, shocks.beta_down_h, width=0.4, label="beta down (h)", color="#8e44ad")
ax1b = ax1.twinx()
ax1b.plot(shocks.month, shocks.arrivals, color="grey", marker=".", label="checks arriving")
ax1.set(ylabel="hours down", title="The shared year")
ax1b.set_ylabel("checks arriving")
ax1.legend(loc="upper left")
for team, rows in replay.groupby("team"):
    ax2.plot(rows.month, rows.sla_attainment_share, marker="o", label=team)
    ax3.plot(rows.month, rows.cumulative_cost_usd, marker="o", label=team)
ax2.axhline(rules.service_floor, color="black", linestyle="--", linewidth=1, label="floor")
ax2.set(ylabel="SLA attainment in the month")
ax3.set(ylabel="cumulative cost (USD)", xlabel="month")
ax3.yaxis.set_major_formatter(lambda y, _: f"{y:,.0f}")
ax2.legend(ncol=5, fontsize=8)
plt.show()

# %%
# NBVAL_CHECK_OUTPUT
print(replay.pivot(index="month", columns="team", values="rank_so_far").to_string())

# %% [markdown]
# ## Debrief
# * **Who led when?** Read the rank-so-far table against the shocks: a team whose only vendor was down
#   for a day falls below the floor that month, and a year's ranking can turn on one outage.
# * **Was the winner lucky?** Change `seed` in `game.yaml` and play again (a rematch on a different year),
#   or set `replications: 20` to rank on the average of twenty years: the strategies that win on average
#   are the robust ones.
# * **What did the floor cost?** Compare the cheapest team below the floor with the cheapest above it:
#   the difference is what that much reliability cost this year.
#
# To run it with a class: copy `game/` to a shared folder, hand out `game.yaml` and one sample
# submission, collect one file per team into `submissions/`, run the cells above (or `simkit game`).
