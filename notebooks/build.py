"""Build the notebooks from their cell lists and execute them, storing their outputs.

    python notebooks/build.py            # rebuild and execute every notebook
    python notebooks/build.py 01         # only those whose name starts with 01

The cells of ``NN_name.ipynb`` live in ``notebooks/cells/name.py`` as ``CELLS``: a list of
``(kind, source)`` with kind ``"md"``, ``"code"`` or ``"widget"``. Cells whose first line is
``# NBVAL_CHECK_OUTPUT`` are compared number for number by ``make test`` (nbval, lax mode);
widget cells carry the ``nbval-ignore-output`` tag. Edit the cells there, not in the .ipynb
files, so notebooks stay reviewable as code.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # so that ``cells`` imports when this file runs as a script

NAMES = ("00_your_data", "01_quickstart", "02_dashboard", "03_break_even", "04_hidden_costs", "05_queueing_pooling",
         "06_seasonal_peaks", "07_time_zones", "08_vendor_failure", "09_lock_in", "10_cost_at_risk",
         "11_decision_map", "12_lifecycle", "13_quality_rework", "14_classroom_game",
         "15_offshoring", "16_capstone")


def cells_of(name: str) -> list[tuple[str, str]]:
    """The cell list of notebook ``name`` (``"03_break_even"`` -> ``cells/break_even.py``)."""
    return importlib.import_module(f"cells.{name.split('_', 1)[1]}").CELLS


NOTEBOOKS: dict[str, list[tuple[str, str]]] = {f"{name}.ipynb": cells_of(name) for name in NAMES}


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
