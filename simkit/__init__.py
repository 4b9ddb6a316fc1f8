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

__version__ = "0.1.0"

from .calendar import Calendar  # noqa: E402
from .catalog import examples  # noqa: E402
from .distributions import Dist, parse_dist  # noqa: E402
from .experiment import run_replication, simulate, simulate_to_precision  # noqa: E402
from .memo_build import memo  # noqa: E402 - after .experiment: the function, not the module, is simkit.memo
from .reprice import reprice, reprice_sweep  # noqa: E402
from .results import Results, SweepResults  # noqa: E402
from .scenario import Scenario, ScenarioError, load, loads  # noqa: E402
from .store import read  # noqa: E402
from .sweep import sweep  # noqa: E402 - after .reprice: the function, not the module, is simkit.sweep

__all__ = [
    "Calendar", "Dist", "parse_dist", "Results", "Scenario", "ScenarioError",
    "load", "loads", "simulate", "run_replication", "__version__", "explore", "report",
    "simulate_to_precision", "sweep", "Lever", "load_levers", "tornado", "sobol_indices", "break_even",
    "decision_map", "reprice", "reprice_sweep", "SweepResults", "screen", "drill", "examples", "read", "fit",
    "memo",
]

_LAZY = {"explore": "widgets", "report": "report"}  # imports ipywidgets / papermill on first use
_LAZY["fit"] = "fitting"  # calibrating to a history needs scipy.stats
_LAZY.update({"Lever": "design", "load_levers": "design", "tornado": "sensitivity",
              "sobol_indices": "sensitivity", "break_even": "sensitivity",
              "decision_map": "sensitivity"})  # sensitivity needs scipy.optimize and SALib
_LAZY.update({"screen": "screening", "drill": "exit_drill"})  # the sourcing lifecycle: step 1 and the exit drill


def __getattr__(name: str):  # noqa: ANN202 - module-level lazy attribute (PEP 562)
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'simkit' has no attribute {name!r}")
