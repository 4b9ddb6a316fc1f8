"""Build the notebooks from their sources and execute them, storing their outputs.

    python notebooks/build.py            # rebuild and execute every notebook
    python notebooks/build.py 01         # only those whose name starts with 01

The source of ``NN_name.ipynb`` is ``NN_name.py`` beside it, in jupytext's percent format: ``# %%`` opens a
code cell, ``# %% [markdown]`` a markdown cell (its lines commented), ``# %% tags=["nbval-ignore-output"]`` a
widget cell whose output nbval does not compare. The sources are plain Python: ruff lints them, an editor
highlights them, and JupyterLab with jupytext opens them as notebooks. Cells whose first line is
``# NBVAL_CHECK_OUTPUT`` are compared number for number by ``make test`` (nbval, lax mode). Edit the sources,
not the .ipynb files (they hold the outputs); ``tests/notebooks/test_notebooks.py`` fails when a pair differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent

NAMES = ("00_your_data", "01_quickstart", "02_dashboard", "03_break_even", "04_hidden_costs", "05_queueing_pooling",
         "06_seasonal_peaks", "07_time_zones", "08_vendor_failure", "09_lock_in", "10_cost_at_risk",
         "11_decision_map", "12_lifecycle", "13_quality_rework", "14_classroom_game",
         "15_offshoring", "16_capstone")

#: notebook file name -> its source file
NOTEBOOKS: dict[str, Path] = {f"{name}.ipynb": HERE / f"{name}.py" for name in NAMES}


def make(source: Path) -> nbformat.NotebookNode:
    """The unexecuted notebook of a percent-format source: its cells and tags, a Python 3 kernel."""
    text = jupytext.read(source, fmt="py:percent")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for cell in text.cells:
        if cell.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(cell.source)
        else:
            new = nbformat.v4.new_code_cell(cell.source)
            if cell.metadata.get("tags"):
                new.metadata["tags"] = list(cell.metadata["tags"])
        nb.cells.append(new)
    return nb


def build(prefix: str = "") -> None:
    for name, source in NOTEBOOKS.items():
        if not name.startswith(prefix):
            continue
        nb = make(source)
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
        for i, cell in enumerate(nb.cells):  # stable ids keep diffs small
            cell["id"] = f"c{i:02d}"
        nbformat.write(nb, HERE / name)
        print("wrote", name)


if __name__ == "__main__":
    build(sys.argv[1] if len(sys.argv) > 1 else "")
