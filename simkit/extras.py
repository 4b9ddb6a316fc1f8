"""Optional dependencies: one import helper, one sentence when an extra is missing.

The core install (``pip install simkit-sourcing``) holds what ``load ->
simulate -> table`` needs.  Charts, the dashboard, parquet files, reports,
sensitivity analysis and dask are *extras*, installed by name
(``pip install "simkit-sourcing[charts]"``).  Every import of an optional
package goes through :func:`require`, so a user without the extra reads one
line naming the extra to install, never a ``ModuleNotFoundError`` traceback
from deep inside the library; the CLI prints that line and exits with 2.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["DISTRIBUTION", "EXTRA_OF", "MissingExtraError", "require", "extra_message"]

DISTRIBUTION = "simkit-sourcing"
"""The name to ``pip install`` (the import name and the command stay ``simkit``)."""

EXTRA_OF = {
    "matplotlib": "charts",
    "ipywidgets": "dashboard",
    "pyarrow": "parquet",
    "papermill": "reports",
    "nbconvert": "reports",
    "nbformat": "reports",
    "ipykernel": "reports",
    "SALib": "sensitivity",
    "scipy": "sensitivity",
    "dask": "distributed",
    "distributed": "distributed",
    "holidays": "holidays",
    "numba": "fast",
    "shtab": "completion",
}
"""Top-level module -> the extra of ``pyproject.toml`` that installs it."""


def extra_message(feature: str, extra: str) -> str:
    """``<feature> needs the '<extra>' extra: pip install "simkit-sourcing[<extra>]"``."""
    return f"{feature} needs the '{extra}' extra: pip install \"{DISTRIBUTION}[{extra}]\""


class MissingExtraError(ImportError):
    """An optional package is not installed; the message names the extra that installs it.

    An :class:`ImportError`, so ``except ImportError`` still catches it.
    ``extra`` is the extra's name, ``name`` the missing module.
    """

    def __init__(self, feature: str, extra: str, module: str) -> None:
        super().__init__(extra_message(feature, extra), name=module)
        self.feature, self.extra = feature, extra


def require(module: str, feature: str, extra: str | None = None) -> ModuleType:
    """Import ``module`` (dotted), or raise :class:`MissingExtraError` naming its extra.

    Parameters
    ----------
    module
        The module to import, e.g. ``"matplotlib.pyplot"``; its top-level
        package must be in :data:`EXTRA_OF`.
    feature
        What needs it, as the user called it (``"simkit.ui.plots"``,
        ``"simkit report"``): the sentence starts with it.
    extra
        The extra to name, when the feature's own extra is not the module's usual one
        (``simkit fit`` needs SciPy from its ``data`` extra).

    Only the optional package itself being absent becomes the one-line
    error; a module that exists but fails to import (a broken install, a
    missing system library) raises as it is, so the real cause stays visible.
    """
    top = module.split(".", 1)[0]
    extra = extra or EXTRA_OF[top]
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name is None or err.name.split(".", 1)[0] != top:
            raise
        raise MissingExtraError(feature, extra, top) from None
