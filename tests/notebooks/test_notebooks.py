"""The stored notebooks are the ones the cell lists build: same cells, tags and order, each with outputs.

Executing them is nbval's job (``make test`` runs ``pytest notebooks --nbval-lax``); this test only
catches a cell list edited without rebuilding its notebook, or a notebook edited by hand.
"""

from __future__ import annotations

import importlib.util

import nbformat
import pytest
from conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
_spec = importlib.util.spec_from_file_location("simkit_notebook_build", NOTEBOOKS / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)  # notebooks/build.py: the cell lists and how a notebook is made from them


def test_every_notebook_has_a_cell_list_and_back() -> None:
    stored = {p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")}
    assert stored == set(build.NOTEBOOKS)
    assert list(build.NOTEBOOKS) == sorted(build.NOTEBOOKS)


@pytest.mark.parametrize("name", sorted(build.NOTEBOOKS))
def test_the_stored_notebook_matches_its_cells(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    want = build.make(build.NOTEBOOKS[name])
    assert [(c.cell_type, c.source) for c in nb.cells] == [(c.cell_type, c.source) for c in want.cells]
    for got, cell in zip(nb.cells, want.cells, strict=True):
        assert got.metadata.get("tags", []) == cell.metadata.get("tags", [])
        if got.cell_type == "code":
            assert got.outputs or not got.source.startswith("# NBVAL_CHECK_OUTPUT"), "not executed"
            assert not any(o.output_type == "error" for o in got.outputs), got.source[:60]
