"""Build the notebooks from the cell lists below and execute them, storing their outputs.

    python notebooks/build.py            # rebuild and execute every notebook
    python notebooks/build.py 01         # only those whose name starts with 01

Cells whose first line is ``# NBVAL_CHECK_OUTPUT`` are compared number for number by
``make test`` (nbval, lax mode); widget cells carry the ``nbval-ignore-output`` tag.
Edit the cells here, not in the .ipynb files, so notebooks stay reviewable as code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

QUICKSTART = [
    ("md", """# Quickstart: in-house, vendor or both?

A 300-person startup gets about 17 IT tickets a working day. It can keep its two support engineers,
hand the helpdesk to a per-ticket managed-service provider (MSP), or keep one engineer and send the
overflow to the MSP. simkit runs **the same simulated year of tickets** through all three operating
models, prices what happened, and compares them with confidence intervals.

This notebook goes: load a scenario → simulate → read the table → compare → plot → change an assumption."""),
    ("code", """import simkit as sk
import pandas as pd

pd.set_option("display.width", 200)
sc = sk.load("../scenarios/startup_it_helpdesk.yaml")
print(sc.name)
print("options:", ", ".join(f"{k} ({o.label})" for k, o in sc.options.items()))"""),
    ("md", """## Simulate
Twenty replications: twenty different years of tickets, each one run through every option
(*common random numbers*), so the differences between options come from the options, not from luck."""),
    ("code", """res = sk.simulate(sc, replications=20, seed=2024)
res.kpis.shape"""),
    ("md", """## The KPI table
Each cell is the mean over replications with its 95% confidence interval. Units are in the names:
`_usd` money, `_h` hours, `_share` a fraction, `_items` a count."""),
    ("code", """# NBVAL_CHECK_OUTPUT
print(res.table().to_string())"""),
    ("md", """## Paired comparison
`compare` takes the difference replication by replication (same tickets, different operating model).
`p_better` is the share of replications in which the option beat the baseline — for cost, the
probability that it is cheaper."""),
    ("code", """# NBVAL_CHECK_OUTPUT
cols = ["baseline_mean", "option_mean", "delta_mean", "ci_low", "ci_high", "p_better"]
rows = ["cost_total_usd", "lead_time_p90_h", "sla_attainment_share"]
for option in ["vendor", "hybrid"]:
    print(option, "vs in_house")
    print(res.compare(option, baseline="in_house").loc[rows, cols].round(3).to_string(), end="\\n\\n")"""),
    ("md", "## Charts"),
    ("code", """from simkit import plots

plots.cost_distribution(res);"""),
    ("code", """plots.monthly_cost(res);"""),
    ("code", """plots.lead_times(res);"""),
    ("md", """## Change an assumption
Scenarios are immutable: `override` returns a new one. What if the MSP charged $30 a ticket instead of $35?"""),
    ("code", """# NBVAL_CHECK_OUTPUT
cheaper = sc.override({"vendors.msp.price_per_item": 30})
res30 = sk.simulate(cheaper, replications=20, seed=2024)
row = res30.compare("vendor").loc["cost_total_usd"]
print(f"vendor - in_house at $30/ticket: {row.delta_mean:+,.0f} USD "
      f"[{row.ci_low:+,.0f}, {row.ci_high:+,.0f}], P(cheaper) = {row.p_better:.2f}")"""),
    ("md", """Next: `02_dashboard` for sliders, the lessons for teaching, and `scenarios/README.md` for writing
your own scenario."""),
]

DASHBOARD = [
    ("md", """# Dashboard: move a lever, watch the decision

Every slider below is a field of the scenario file: the arrival rate, each team's staff and loaded cost,
each vendor's agents and price, the hybrid's overflow threshold, and how many replications to run.
Sliders act when you **release** them. The dashboard then shows

1. at once, an **instant preview** from closed forms (Erlang C waits at the average load, a static cost) —
   approximate, because it averages away peaks and overnight backlogs;
2. a few seconds later, the **simulated KPIs**: mean and 95% confidence interval per option, the paired
   cost difference against the baseline and the probability of being cheaper, and three charts.

*Save as scenario YAML* writes the scenario you have dialled in (open it with `sk.load`); *Reset* goes back.
Serve this notebook as an app with `make app` (Voila)."""),
    ("code", """import simkit as sk

sc = sk.load("../scenarios/startup_it_helpdesk.yaml")"""),
    ("widget", """dash = sk.explore(sc, replications=5, seed=2024)
dash"""),
    ("md", """## The same levers from code
The dashboard is a thin layer over the public API: a lever is a dotted path, the dialled-in scenario is
`sc.override(dash.changes())`, and the table comes from `sk.simulate`. The preview's closed forms are in
`simkit.preview`:"""),
    ("code", """# NBVAL_CHECK_OUTPUT
from simkit.preview import preview

pv = preview(sc)
print(pv.costs.round(0).to_string())
print()
print(pv.pools[["option", "pool", "servers", "utilisation_share", "p_wait_share", "wait_mean_h"]]
      .round(3).to_string(index=False))"""),
    ("md", """The preview agrees with the simulation on cost (it prices the expected volume) but underestimates the
in-house wait: tickets raised in the evening wait for the next morning, which an M/M/c queue at the
average load cannot see. That gap is why simkit simulates."""),
]

NOTEBOOKS: dict[str, list[tuple[str, str]]] = {
    "01_quickstart.ipynb": QUICKSTART,
    "02_dashboard.ipynb": DASHBOARD,
}


def make(cells: list[tuple[str, str]]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, src in cells:
        if kind == "md":
            nb.cells.append(nbformat.v4.new_markdown_cell(src))
        else:
            cell = nbformat.v4.new_code_cell(src)
            if kind == "widget":
                cell.metadata["tags"] = ["nbval-ignore-output"]
            nb.cells.append(cell)
    return nb


def build(prefix: str = "") -> None:
    for name, cells in NOTEBOOKS.items():
        if not name.startswith(prefix):
            continue
        nb = make(cells)
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        for i, cell in enumerate(nb.cells):  # stable ids keep diffs small
            cell["id"] = f"c{i:02d}"
        nbformat.write(nb, HERE / name)
        print("wrote", name)


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else "")
