"""simkit: make-or-buy decisions with evidence.

Run the same simulated workload through every operating model (in-house,
vendor, hybrid), price what happened and compare the options with honest
statistics::

    import simkit as sk
    sc = sk.load("scenarios/startup_it_helpdesk.yaml")
    res = sk.simulate(sc, replications=30, seed=42)
    res.table()
    res.compare("vendor", baseline="in_house")
"""

__version__ = "0.1.0"

from .calendar import Calendar  # noqa: E402
from .distributions import Dist, parse_dist  # noqa: E402
from .experiment import run_replication, simulate  # noqa: E402
from .results import Results  # noqa: E402
from .scenario import Scenario, ScenarioError, load, loads  # noqa: E402

__all__ = [
    "Calendar", "Dist", "parse_dist", "Results", "Scenario", "ScenarioError",
    "load", "loads", "simulate", "run_replication", "__version__",
]
