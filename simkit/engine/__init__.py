"""The discrete-event engine: one operating model, one trace, one :class:`RunLog`.

``model.simulate_option`` runs an option in named steps: ``wiring`` (which pools,
and their drawn exits), ``timelines`` (each pool's capacity and its changes),
``arrivals``, ``hooks`` (quality on finishing an item), the run, and ``assembly``
(the run log).  The pieces it wires: ``pools`` (servers pulling work from a
priority queue on a working calendar), ``routing`` (which pool gets an item),
``roster`` (a team's shifts as seats, on-call call-outs), ``tiers`` (escalation
from one pool to the next), ``staffing`` and ``review``.  The engine records what
happened and never prices it.
"""

from simkit.engine.log import RunLog
from simkit.engine.model import simulate_option

__all__ = ["RunLog", "simulate_option"]
