"""The discrete-event engine: one operating model, one trace, one :class:`RunLog`.

``model.simulate_option`` wires the pieces: ``pools`` (servers pulling work
from a priority queue on a working calendar) and ``routing`` (which pool gets
an item).  The engine records what happened and never prices it.
"""

from simkit.engine.log import RunLog
from simkit.engine.model import simulate_option

__all__ = ["RunLog", "simulate_option"]
