"""simkit: make-or-buy decisions with evidence.

Run the same simulated workload through every operating model (in-house,
vendor, hybrid), price what happened and compare the options with honest
statistics::

    import simkit as sk
    sk.examples()                         # the example scenarios that ship with simkit
    sc = sk.load("startup_it_helpdesk")   # one of them by name, or any scenario file by its path
    res = sk.simulate(sc, replications=30, seed=42)
    res.table()
    res.compare("vendor", baseline="in_house")
    res.save("kpis.parquet"); frame, meta = sk.read("kpis.parquet")   # any file simkit writes
"""

from typing import TYPE_CHECKING

from simkit._version import __version__

if TYPE_CHECKING:  # the names as type checkers and the API reference see them; loaded on first use below
    from simkit.calendars.weekly import Calendar
    from simkit.errors import ScenarioError
    from simkit.experiment.precision import simulate_to_precision
    from simkit.experiment.reprice import reprice, reprice_sweep
    from simkit.experiment.results import Results, SweepResults
    from simkit.experiment.simulate import run_replication, simulate
    from simkit.experiment.store import read
    from simkit.experiment.sweep import sweep
    from simkit.scenario.catalog import examples
    from simkit.scenario.distributions import Dist, parse_dist
    from simkit.scenario.model import Scenario, load, loads

__all__ = [
    "Calendar", "Dist", "parse_dist", "Results", "Scenario", "ScenarioError",
    "load", "loads", "simulate", "run_replication", "__version__", "explore", "report",
    "simulate_to_precision", "sweep", "Lever", "load_levers", "tornado", "sobol_indices", "break_even",
    "decision_map", "reprice", "reprice_sweep", "SweepResults", "screen", "drill", "examples", "read", "fit",
    "right_size", "compare_at_equal_service", "memo",
]

# Every name is loaded on first use (PEP 562): `import simkit` itself is instant, so the command line can catch
# Ctrl+C before the heavy imports (``simkit.ui.launch``), and a notebook pays for what it uses.
_LAZY = {"Calendar": "calendars.weekly", "ScenarioError": "errors", "Dist": "scenario.distributions",
         "parse_dist": "scenario.distributions", "Scenario": "scenario.model", "load": "scenario.model",
         "loads": "scenario.model", "examples": "scenario.catalog", "simulate": "experiment.simulate",
         "run_replication": "experiment.simulate", "simulate_to_precision": "experiment.precision",
         "reprice": "experiment.reprice", "reprice_sweep": "experiment.reprice", "Results": "experiment.results",
         "SweepResults": "experiment.results", "read": "experiment.store", "sweep": "experiment.sweep"}
_LAZY.update({"explore": "ui.widgets", "report": "ui.report"})  # imports ipywidgets / papermill on first use
_LAZY["fit"] = "fitting"  # calibrating to a history needs scipy.stats
_LAZY.update({"Lever": "experiment.design", "load_levers": "experiment.design", "tornado": "analysis.sensitivity",
              "sobol_indices": "analysis.sensitivity", "break_even": "analysis.sensitivity",
              "decision_map": "analysis.sensitivity"})  # sensitivity needs scipy.optimize and SALib
_LAZY.update({"screen": "analysis.screening", "drill": "analysis.exit_drill"})  # the lifecycle: screen, exit drill

_LAZY.update({"right_size": "analysis.rightsizing", "compare_at_equal_service": "analysis.equal_service"})
_LAZY["memo"] = "ui.memo_build"  # the decision memo draws charts

_MODULES = {"plots": "simkit.ui.plots", "lessons": "simkit.ui.lessons"}  # `from simkit import plots`


def __getattr__(name: str):  # noqa: ANN202 - module-level lazy attribute (PEP 562)
    import importlib

    if name in _MODULES:
        return importlib.import_module(_MODULES[name])
    if name in _LAZY:  # not kept in globals(): an extra removed later (or in a test) is asked for again
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'simkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_MODULES))
