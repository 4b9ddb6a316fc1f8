"""From your own history to a calibrated scenario: ``simkit fit`` and :func:`fit`.

    res = sk.fit("tickets.csv", effort_column="effort_min", effort_unit="min", timezone="Europe/Berlin")
    print(res.backtest.table())
    res.write("my.yaml", report="fit_report.html")
    sc = res.scenario

The steps are modules of their own: :mod:`.read` and :mod:`.clean` (tables, columns, times, messy
rows counted), :mod:`.profile` (volume, weekly profile, months, growth, over-dispersion, closed days) with
:mod:`.growth` (the growth interval and when growth is estimable),
:mod:`.effort` (kinds, effort distributions, priorities, SLA hours), :mod:`.backtest` (simulate the
fitted workload and compare), :mod:`.write` (the commented YAML) and :mod:`.report` (HTML).
"""

from typing import Any

__all__ = ["fit", "FitResult"]


def __getattr__(name: str) -> Any:  # PEP 562: SciPy and matplotlib load only when a fit is made
    if name in __all__:
        from simkit.fitting import core

        return getattr(core, name)
    raise AttributeError(f"module 'simkit.fitting' has no attribute {name!r}")
