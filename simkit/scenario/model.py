"""Scenarios: load a YAML file, validate it, change it with dotted overrides.

A :class:`Scenario` is immutable.  ``sc.override({"vendors.acme.price_per_item": 9})``
returns a *new* validated scenario and leaves ``sc`` untouched, which is what
sweeps and dashboards build on.

Every problem with a scenario becomes one :class:`ScenarioError` whose message
is a single sentence: the field path, the offending value and what is allowed,
e.g. ``vendors.acme.price_per_item: must be >= 0, got -3``, with "did you mean"
for a misspelt key (:mod:`simkit.scenario.messages` words them).  Files and text
are read by :mod:`simkit.scenario.yamlio`: regular files only, at most
:data:`MAX_FILE_BYTES`, UTF-8, with the safe loader under YAML 1.2 core-schema
rules (``8:00`` is text, not 480), so nothing in a file is ever evaluated;
anchors, aliases, merge keys, nesting deeper than :data:`MAX_DEPTH`, more than
:data:`MAX_VALUES` values, duplicate keys and keys with whitespace around them
are refused.  Numeric fields refuse booleans and
text (``staff: true`` is not 1).
Whether a *valid* scenario is sensible to simulate (its size, its load) is
checked later, by :mod:`simkit.scenario.preflight`.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import deque
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError, model_validator

from simkit.calendars.dates import Clock, DatedCalendar, compile_calendar
from simkit.calendars.weekly import Calendar
from simkit.errors import ScenarioError, show, show_key
from simkit.errors import pick_name as _pick
from simkit.scenario.messages import DIST_NUMBERS, from_validation_error
from simkit.scenario.messages import describe as _describe  # noqa: F401 - imported from here by the screen
from simkit.scenario.schema import ScenarioSpec
from simkit.scenario.yamlio import MAX_DEPTH, MAX_FILE_BYTES, MAX_VALUES, dump_yaml, parse_yaml, read_file

__all__ = ["Scenario", "ScenarioError", "load", "loads", "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_VALUES"]

# --------------------------------------------------------------------------- scenario


class Scenario(ScenarioSpec):
    """A validated, immutable scenario. Build one with :func:`load` or :func:`loads`."""

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        checks: list[tuple[str, str, Mapping[str, Any], str]] = [
            ("workload.calendar", self.workload.calendar, self.calendars, "calendar"),
        ]
        pools = {**self.teams, **self.vendors}
        checks += [(f"{'teams' if n in self.teams else 'vendors'}.{n}.calendar", p.calendar, self.calendars,
                    "calendar") for n, p in pools.items() if getattr(p, "shifts", None) is None]
        checks += [(f"teams.{n}.shifts.{i}.calendar", s.calendar, self.calendars, "calendar")
                   for n, t in self.teams.items() for i, s in enumerate(t.shifts or ())]
        for n, v in self.vendors.items():
            if v.exit is not None:
                checks.append((f"vendors.{n}.exit.fallback", v.exit.fallback, pools, "team or vendor"))
                if v.exit.fallback == n:
                    raise ScenarioError(f"vendors.{n}.exit.fallback", "a vendor cannot fall back to itself")
            if v.review is not None and v.review.terminate_at_review is not None and v.exit is None:
                raise ScenarioError(f"vendors.{n}.review.terminate_at_review",
                                    f"termination for cause needs an exit plan (vendors.{n}.exit with a fallback),"
                                    f" got {v.review.terminate_at_review} without one")
            if v.transition is not None and v.transition.retained_team is not None:
                retained = v.transition.retained_team
                checks.append((f"vendors.{n}.transition.retained_team", retained, self.teams, "team"))
        for n in self.vendors:  # an exit hands the work on; a chain of fallbacks must end somewhere
            chain = [n]
            while (ex := self.vendors[chain[-1]].exit) is not None and ex.fallback in self.vendors:
                if ex.fallback in chain:
                    loop = " -> ".join([*chain[chain.index(ex.fallback):], ex.fallback])
                    raise ScenarioError(f"vendors.{chain[-1]}.exit.fallback",
                                        f"fallbacks must not form a loop, got {loop}")
                chain.append(ex.fallback)
        if set(self.teams) & set(self.vendors):
            both = ", ".join(sorted(set(self.teams) & set(self.vendors)))
            raise ScenarioError("vendors", f"names must differ from team names; both have: {both}")
        for n, o in self.options.items():
            if o.team is not None:
                checks.append((f"options.{n}.team", o.team, self.teams, "team"))
            if o.vendor is not None:
                checks.append((f"options.{n}.vendor", o.vendor, self.vendors, "vendor"))
            if o.backup is not None:
                checks.append((f"options.{n}.backup", o.backup, self.vendors, "vendor"))
            checks += [(f"options.{n}.vendor_kinds", k, self.workload.kinds, "item kind")
                       for k in o.vendor_kinds]
            for i, tier in enumerate(o.escalation or ()):
                checks.append((f"options.{n}.escalation.{i}.pool", tier.pool, pools, "team or vendor"))
                checks += [(f"options.{n}.escalation.{i}.share_by_kind", k, self.workload.kinds, "item kind")
                           for k in tier.share_by_kind]
            self._check_tiers(n, o)
            self._check_fallbacks(n, o)
        if self.baseline is not None:
            checks.append(("baseline", self.baseline, self.options, "option"))
        if self.run.start_date is None:
            for n, c in self.calendars.items():
                dated = (("timezone", c.timezone), ("holidays", c.holidays), ("closed_dates", c.closed_dates))
                for key, given in dated:
                    if given:
                        raise ScenarioError(f"calendars.{n}.{key}", "needs run.start_date (an ISO date such as "
                                            "2027-01-01): time zones, holidays and closed dates are dated")
        for path, name, known, what in checks:
            problem = _pick(name, known, what)
            if problem:
                raise ScenarioError(path, problem)
        from simkit.scenario.assumptions import check_sources
        from simkit.scenario.criteria import check_criteria_options

        check_criteria_options(self)
        check_sources(self)
        return self

    def _check_tiers(self, name: str, option: Any) -> None:
        """Escalation tiers name pools of their own, which hand work on only by escalating."""
        seen = [p for p in (option.team, option.vendor, option.backup) if p is not None]
        for i, tier in enumerate(option.escalation or ()):
            path = f"options.{name}.escalation.{i}.pool"
            if tier.pool in seen:
                raise ScenarioError(path, f"{show(tier.pool)} already serves this option (as tier 1 or an earlier "
                                          "tier); each tier needs a pool of its own")
            seen.append(tier.pool)
            v = self.vendors.get(tier.pool)
            if v is not None and (v.exit is not None or v.review is not None):
                raise ScenarioError(path, f"vendor {show(tier.pool)} has an exit or review clause, which an "
                                          "escalation tier does not support yet")
        for v in (option.vendor, option.backup):
            ex = self.vendors[v].exit if v in self.vendors else None
            if option.escalation and ex is not None and ex.fallback in seen[1:] and ex.fallback not in (
                    option.team, option.vendor, option.backup):
                raise ScenarioError(f"vendors.{v}.exit.fallback", f"{show(ex.fallback)} is an escalation tier of "
                                    f"option {show(name)}; a tier cannot also be the fallback of tier 1")
        for p in seen if option.escalation else ():
            t = self.teams.get(p)
            if t is not None and t.overtime_h_per_day > 0:
                raise ScenarioError(f"teams.{p}.overtime_h_per_day",
                                    "overtime is not supported for a team in an option with escalation tiers")

    def _check_fallbacks(self, name: str, option: Any) -> None:
        """A vendor that joins the option only as an exit's fallback runs its own exit plan from its start
        (:mod:`simkit.engine.wiring`); what the engine cannot run for it is refused, never ignored."""
        tiers = {tier.pool for tier in option.escalation or ()}
        primary = tiers | {p for p in (option.team, option.vendor, option.backup) if p is not None}
        todo, seen = [v for v in (option.vendor, option.backup) if v is not None], set()
        while todo:
            v = todo.pop(0)
            ex = self.vendors[v].exit if v in self.vendors else None
            if ex is not None and v in seen and ex.fallback in tiers:
                raise ScenarioError(f"vendors.{v}.exit.fallback", f"{show(ex.fallback)} is an escalation tier of "
                                    f"option {show(name)}; a tier cannot also be the fallback of a fallback")
            if ex is None or ex.fallback in primary or ex.fallback not in self.vendors:
                continue
            fb, spec = ex.fallback, self.vendors[ex.fallback]
            joins = f"{show(fb)} joins option {show(name)} only as the fallback of vendor {show(v)}"
            if spec.review is not None:
                raise ScenarioError(f"vendors.{fb}.review", f"{joins}, and a review clause acts only on the vendors "
                                    "an option starts with; remove it or make the fallback a vendor without one")
            review = self.vendors[v].review
            if spec.exit is not None and review is not None and review.terminate_at_review is not None:
                raise ScenarioError(f"vendors.{fb}.exit", f"{joins}, which may be terminated for cause; the exit of "
                                    "such a fallback is not supported; remove it or name a fallback without one")
            if fb not in seen:
                seen.add(fb)
                todo.append(fb)

    # -- convenience ---------------------------------------------------------
    @property
    def option_names(self) -> list[str]:
        return list(self.options)

    @property
    def baseline_option(self) -> str:
        return self.baseline or next(iter(self.options))

    def option_label(self, option: str) -> str:
        """The words people read for an option: its ``label``, or its key when it has none."""
        return self.options[option].label or option

    @property
    def currency_suffix(self) -> str:
        return self.run.currency.lower()

    def calendar(self, name: str, extra_h: float = 0.0) -> Calendar | DatedCalendar:
        """The calendar called ``name``, each working day lengthened by ``extra_h`` hours (overtime).

        Undated scenarios get the weekly :class:`~simkit.calendars.weekly.Calendar`; with ``run.start_date``
        it is compiled into dated open intervals (:func:`simkit.calendars.dates.compile_calendar`), which offer
        the same methods.
        """
        clock = self.clock()
        if clock is None:
            return self.calendars[name].build(extra_h)
        return compile_calendar(self.calendars[name], clock, self.run.horizon_days * 24.0, float(extra_h))

    def clock(self) -> Clock | None:
        """The dated clock (hour 0 = ``run.start_date`` 00:00 client time), or ``None`` when undated."""
        if self.run.start_date is None:
            return None
        client = self.calendars[self.workload.calendar]
        return Clock(self.run.start_date, client.timezone, client.utc_offset_h)

    def team_hours(self, name: str, t0_h: float, t1_h: float) -> tuple[int, float]:
        """A team's people and their mean hours on shift in ``[t0_h, t1_h)``: ``(staff, hours)`` with
        ``staff x hours`` its person-hours (a roster's regular shifts summed; on-call staff are left out)."""
        team = self.teams[name]
        if not team.shifts:
            return team.staff, self.calendar(team.calendar).working_hours(t0_h, t1_h)
        regular = [s for s in team.shifts if not s.on_call]
        staff = sum(s.staff for s in regular)
        person_h = sum(s.staff * self.calendar(s.calendar).working_hours(t0_h, t1_h) for s in regular)
        return staff, (person_h / staff if staff else 0.0)

    def summary(self) -> Any:
        """The load summary before running: annual items, offered load, utilisation, Erlang C, warnings.

        Returns a :class:`simkit.scenario.summary.LoadSummary`; ``print()`` it for the text.
        """
        from simkit.scenario.summary import load_summary

        return load_summary(self)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_yaml(self) -> str:
        """The scenario as YAML text that :func:`loads` reads back to an equal scenario."""
        return dump_yaml(self.to_dict())

    def fingerprint(self) -> str:
        """A SHA-256 of the scenario's canonical content (independent of formatting and comments)."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()

    def override(self, changes: Mapping[str, Any]) -> Scenario:
        """A new scenario with ``{"dotted.path": value}`` changes applied and validated.

        Raises
        ------
        ScenarioError
            When a path names no field, or the new value is not allowed.
        """
        data = copy.deepcopy(self.to_dict())
        for dotted, value in changes.items():
            parts = str(dotted).split(".")
            node: Any = data
            for i, part in enumerate(parts[:-1]):
                if not isinstance(node, dict) or part not in node or not isinstance(node[part], dict):
                    here = ".".join(show_key(p) for p in parts[: i + 1])
                    known = list(node) if isinstance(node, dict) else []
                    problem = _pick(part, dict.fromkeys(known), "field") or "is not a section"
                    raise ScenarioError(here, problem)
                node = node[part]
            node[parts[-1]] = value
        return _validate(data, None)


def _walk(data: Any) -> Any:
    """Every ``(path, value)`` of nested mappings and lists, breadth first (no recursion)."""
    queue: deque[tuple[tuple[Any, ...], Any]] = deque([((), data)])
    while queue:
        loc, value = queue.popleft()
        yield loc, value
        if isinstance(value, dict):
            queue.extend(((*loc, k), v) for k, v in value.items())
        elif isinstance(value, list | tuple):
            queue.extend(((*loc, i), v) for i, v in enumerate(value))


def _check_depth(data: Any, source: str | None) -> None:
    for loc, _ in _walk(data):
        if len(loc) > MAX_DEPTH:
            path = ".".join(str(p) for p in loc[:3])
            raise ScenarioError(path, f"is nested more than {MAX_DEPTH} levels deep; a scenario needs far "
                                      "fewer", source)


def _unreadable(data: Any, err: Exception, source: str | None) -> ScenarioError:
    """Name the value a validator could not even read (a wrong type inside a distribution, a huge integer)."""
    from simkit.scenario.distributions import parse_dist

    for loc, value in _walk(data):
        is_dist = isinstance(value, dict) and "dist" in value
        huge = isinstance(value, int) and not isinstance(value, bool) and abs(value) > 1e300
        if is_dist or huge:
            try:
                parse_dist(value)
            except (TypeError, OverflowError):
                path = ".".join(str(p) for p in loc)
                if huge:
                    return ScenarioError(path, f"must be a number below 1e300, got {show(value)}", source)
                return ScenarioError(path, f"{DIST_NUMBERS}, got {show(value)}", source)
            except ValueError:
                pass
    return ScenarioError("", f"a value has the wrong type ({err})", source)


def _validate(data: Any, source: str | None) -> Scenario:
    if data is None:
        raise ScenarioError("", "is empty; a scenario needs at least name, workload and options", source)
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ScenarioError("", "a scenario must be a mapping of sections (name, run, workload, options, "
                                f"...), got {kind}", source)
    _check_depth(data, source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc, source) from None
    except ScenarioError as err:
        raise ScenarioError(err.path, err.message, source) from None
    except RecursionError:
        raise ScenarioError("", "the scenario is nested too deeply", source) from None
    except (TypeError, OverflowError) as err:
        raise _unreadable(data, err, source) from None


def loads(text: str | bytes, source: str | None = None) -> Scenario:
    """Validate scenario text (YAML, read under the rules of :mod:`simkit.scenario.yamlio`) and return a
    :class:`Scenario`."""
    data = parse_yaml(text, source)
    if data is None:
        raise ScenarioError("", "is empty; a scenario needs at least name, workload and options", source)
    return _validate(data, source)


def load(path: str | Path) -> Scenario:
    """Read and validate a scenario file, or a shipped example by name (``sk.load("startup_it_helpdesk")``).

    A bare name (no folder, no ``.yaml``) that is not an existing file is looked up among the
    examples that ship with simkit (:func:`simkit.examples`); a file always wins.

    Raises
    ------
    ScenarioError
        For a missing, unreadable, non-regular, oversized, non-YAML or invalid file, naming the field at fault.
    """
    source = str(path)
    if not Path(path).exists() and not Path(path).is_symlink():  # a bare name may be a shipped example
        from simkit.scenario.catalog import example_names, example_path, is_bare_name

        shipped = example_path(source)
        if shipped is None and is_bare_name(source):
            raise ScenarioError("", f"no such file or example; examples: {', '.join(example_names())}", source)
        if shipped is not None:
            return loads(read_file(shipped), source)
        stem = Path(path).stem
        if Path(path).suffix.lower() in (".yaml", ".yml") and example_path(stem) is not None:
            # "scenarios/startup_it_helpdesk.yaml" copied from the docs, run outside a checkout
            raise ScenarioError("", f"no such file; a shipped example has that name: load it as '{stem}'", source)
    return loads(read_file(path), source)
