"""Options compared at equal service: right-size every option to the same targets, then compare.

A cost comparison between a team that misses its SLA and a vendor that meets it rewards the cheaper,
worse service.  :func:`compare_at_equal_service` first staffs every option at the least cost that meets
the same targets with the same confidence (:func:`simkit.analysis.rightsizing.right_size`), then compares the
options at those staffings on common random numbers: every option's candidates ran with one seed and one
replication count, so replication ``r`` of every option saw the same trace and the paired differences of
:meth:`simkit.Results.compare` apply as usual.

An option that no staffing within its bounds brings to the targets (a team whose calendar is closed when
the work's deadlines fall, say) is reported as such and left out of the comparison: its cost at a service
it cannot give is not a like-for-like number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simkit.analysis.rightsizing import RightSizing, right_size
from simkit.analysis.service_targets import Target, parse_targets
from simkit.analysis.staff_levers import head_count, staffed
from simkit.experiment.execution import ExecutorArg
from simkit.experiment.results import Results
from simkit.experiment.simulate import assemble
from simkit.scenario.model import Scenario, ScenarioError
from simkit.scenario.yamlio import show

__all__ = ["EqualService", "compare_at_equal_service"]


@dataclass(frozen=True, eq=False)
class EqualService:
    """Every option right-sized to the same targets, and their results at those staffings.

    Attributes
    ----------
    targets
        The targets every option was sized to.
    sizings
        ``{option: RightSizing}`` in the scenario's option order.
    given
        ``{option: {lever path: head count}}`` as the scenario had them.
    results
        The options that met the targets, each at its chosen staffing (``None`` when none did).
        ``results.meta["equal_service"]`` holds the targets and the staffing of each option.
        Its ``scenario`` carries every chosen staffing when no two options share a pool sized
        differently; otherwise it is the scenario as given (``meta["equal_service"]["shared"]``
        names the pools) and its KPI rows still come from each option's own staffing.
    """

    targets: tuple[Target, ...]
    sizings: Mapping[str, RightSizing]
    given: Mapping[str, Mapping[str, int]]
    results: Results | None = field(repr=False)

    @property
    def met(self) -> list[str]:
        """The options compared: those whose chosen staffing meets every target."""
        return [o for o, s in self.sizings.items() if s.met]

    @property
    def missed(self) -> list[str]:
        return [o for o, s in self.sizings.items() if not s.met]

    def staffing(self) -> pd.DataFrame:
        """One row per option and lever: the head count as given and as right-sized, and whether it met."""
        rows = [{"option": option, "lever": lever.path, "given": self.given[option][lever.path],
                 "right_sized": None if s.chosen is None else s.chosen[lever.path], "met": s.met,
                 "evaluations": s.n_evaluations} for option, s in self.sizings.items() for lever in s.levers]
        return pd.DataFrame(rows)

    def compare(self, option: str, baseline: str | None = None, level: float = 0.95) -> pd.DataFrame:
        """Paired differences at equal service (see :meth:`simkit.Results.compare`)."""
        if self.results is None:
            raise KeyError("no option met the targets, so there is nothing to compare")
        return self.results.compare(option, baseline or self.baseline, level)

    @property
    def baseline(self) -> str | None:
        """The scenario's baseline if it met the targets, else the first option that did (``results`` say so too)."""
        return None if self.results is None else self.results.scenario.baseline_option


def _as_given(scenario: Scenario, paths: Sequence[str]) -> dict[str, int]:
    data = scenario.to_dict()
    return {path: head_count(data, path) for path in paths}


def compare_at_equal_service(scenario: Scenario, target: Mapping[str, Any] | str | Sequence[str],
                             options: Sequence[str] | None = None, confidence: float = 0.95,
                             replications: int | None = None, seed: int | None = None,
                             levers: Mapping[str, Sequence[Any]] | None = None, max_evaluations: int = 60,
                             executor: ExecutorArg = "auto") -> EqualService:
    """Right-size every option in ``options`` (default: all) to ``target`` and compare them there.

    ``levers`` maps an option to its levers (default: the head counts of its team or roster shifts, its vendor
    and its escalation tiers' pools, see :func:`simkit.analysis.rightsizing.right_size`); the other arguments
    are passed on unchanged, the same for every option, so every option is judged on the same traces at the
    same confidence.
    """
    targets = parse_targets(target, scenario.currency_suffix)  # one error before any option runs
    names = list(options) if options is not None else scenario.option_names
    for name in names:
        if not isinstance(name, str) or name not in scenario.options:
            raise ScenarioError("options", f"unknown option {show(name)}; options: {', '.join(scenario.option_names)}")
    for name in (levers or {}):
        if name not in names:
            raise ScenarioError("levers", f"names option {show(name)}, which is not compared; options: "
                                          f"{', '.join(names)}")
    sizings = {name: right_size(scenario, name, {t.kpi: t.bound for t in targets}, (levers or {}).get(name),
                                confidence, replications, seed, max_evaluations, executor) for name in names}
    given = {name: _as_given(scenario, [lv.path for lv in s.levers]) for name, s in sizings.items()}
    met = [name for name, s in sizings.items() if s.met]
    if not met:
        return EqualService(targets, sizings, given, None)
    return EqualService(targets, sizings, given, _results(scenario, {n: sizings[n] for n in met}, targets, given))


def _results(scenario: Scenario, sizings: Mapping[str, RightSizing], targets: tuple[Target, ...],
             given: Mapping[str, Mapping[str, int]]) -> Results:
    """The met options' chosen-staffing replications as one :class:`Results` (same seed, same traces)."""
    changes: dict[str, int] = {}
    shared = set()
    for s in sizings.values():
        for path, v in (s.chosen or {}).items():
            if changes.setdefault(path, v) != v:
                shared.add(path)
    new_base = {} if scenario.baseline_option in sizings else {"baseline": next(iter(sizings))}  # it missed
    merged = staffed(scenario, {} if shared else changes).override(new_base)
    first = next(iter(sizings.values()))
    pieces = []
    for r in sorted(set.intersection(*(set(s.results.kpis["replication"]) for s in sizings.values()))):
        rows = [row for s in sizings.values() for row in s.results.kpis[s.results.kpis["replication"] == r]
                .to_dict("records")]
        ledger = pd.concat([s.results.ledger[s.results.ledger["replication"] == r] for s in sizings.values()],
                           ignore_index=True)
        pieces.append((r, rows, ledger, {}))
    meta = {"equal_service": {"targets": [str(t) for t in targets], "confidence": first.confidence,
                              "staffing": {o: dict(s.chosen or {}) for o, s in sizings.items()},
                              "given": {o: dict(given[o]) for o in given},
                              "shared": sorted(shared)}}
    return assemble(merged, first.seed, pieces, meta=meta)
