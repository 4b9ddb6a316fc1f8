"""The discrete-event engine: one operating model, one trace, one :class:`RunLog`.

``model.simulate_option`` wires the pieces: ``pools`` (servers pulling work
from a priority queue on a working calendar), ``routing`` (which pool gets
an item), ``roster`` (a team's shifts as seats, on-call call-outs) and ``tiers``
(escalation from one pool to the next).  The engine records what happened and
never prices it.
"""

from simkit.engine.log import RunLog
from simkit.engine.model import simulate_option

__all__ = ["RunLog", "simulate_option"]
