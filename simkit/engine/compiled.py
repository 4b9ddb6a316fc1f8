"""The compiled kernel: which options it may run, and the arrays it runs on.

Three kernels give identical run logs, item by item (``tests/engine/test_kernels.py``):

* ``process`` — one SimPy process per server on SimPy's own loop: the reference formulation;
* ``fast`` — the callback kernel on :class:`~simkit.engine.loop.FastEnvironment` (every mechanism);
* ``compiled`` — the callback kernel's schedule in arrays, compiled with numba
  (:mod:`simkit.engine.jitloop`), for options whose mechanisms are all on its list.

``auto`` (the default) takes ``compiled`` when numba is installed (the ``fast`` extra) and the
option's mechanisms are on :data:`SUPPORTED`, else ``fast``.  The list is explicit — field by
field, for each part of the scenario an option reads — so a mechanism added later runs on the
general kernel until it is added here (and to the compiled loop, and to the tests).

A team's hiring and attrition run on the compiled kernel too: its draws (who leaves, and when) come
from the same ``"attrition:<team>"`` stream, in the same order, through numba's copies of numpy's
exponential and bounded-integer algorithms, so the logs stay identical.

The choice comes from ``simulate_option(kernel=...)``, else the ``SIMKIT_KERNEL`` environment
variable, else the scenario's ``run.kernel``.  Forcing ``compiled`` on an option it cannot run,
or where numba is missing, is an error, never a quiet substitute.
"""

from __future__ import annotations

import importlib.util
import math
import os

import numpy as np
from pydantic import BaseModel

from simkit.calendars.timeline import CapacityTimeline
from simkit.calendars.weekly import Calendar
from simkit.engine.log import QUEUED
from simkit.extras import extra_message, require
from simkit.scenario.yamlio import ScenarioError
from simkit.units import HOURS_PER_MONTH, HOURS_PER_YEAR
from simkit.workload.trace import Uniform

__all__ = ["SUPPORTED", "KERNEL_NAMES", "ENV_VAR", "available", "unsupported", "choose", "will_run", "preload",
           "run_option"]

ENV_VAR = "SIMKIT_KERNEL"
KERNEL_NAMES = ("auto", "compiled", "fast", "process")
_ALIASES = {"callback": "fast"}  # the fast kernel's earlier name

#: Per spec class, the fields the compiled kernel runs with any value.  Any other field must keep its
#: default; a class not listed must be absent.  Pricing-only fields are here because the engine never reads them.
SUPPORTED: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    "ScenarioSpec": "name description run calendars workload teams vendors options baseline asset_specificity",
    "RunSpec": "horizon_days warmup_days replications seed discount_rate_annual currency kernel",
    "CalendarSpec": "utc_offset_h open_hour close_hour days",
    "WorkloadSpec": "rate_per_hour annual_volume calendar hour_of_day day_of_week hour_of_week month_of_year "
                    "growth_annual day_noise_cv kinds",
    "KindSpec": "share effort_h priority sla_h clarify_share clarify_max_rounds patience_h late_cost_per_h "
                "abandon_cost",
    "OptionSpec": "team vendor routing overflow_queue vendor_kinds backup backup_share label",
    "TeamSpec": "staff calendar loaded_cost_per_hour overhead_per_fte_month productivity clarify_factor quality fx "
                "overtime_h_per_day overtime_premium hiring",
    "HiringSpec": "attrition_annual hiring_lead_h ramp_months ramp_start_productivity hire_when_backlog_per_staff "
                  "max_staff recruiting_cost layoff_after_idle_days min_staff severance_per_fte",
    "VendorSpec": "agents calendar pricing price_per_item price_per_fte_month fee_per_month productivity "
                  "governance_share transition_cost handoff_h clarify_factor outages degradation quality sla "
                  "transition contract fx shared",
    "QualitySpec": "defect_share defect_share_floor defect_halving_months detection_share detection_delay_h "
                   "rework_effort_share escaped_defect_cost",
    "OutageSpec": "time_between_h repair_h policy",
    "DegradationSpec": "time_between_h duration_h productivity_factor defect_factor",
    "TransitionSpec": "start_productivity learning_rate parallel_run_months retained_team knowledge_transfer_cost "
                      "released_staff severance_per_fte",
    "SlaSpec": "target_share credit_share_per_point cap_share",
    "ContractSpec": "term_months indexation_annual lock_in_premium min_items_per_month",
    "FxSpec": "currency volatility_annual drift_annual",
    "SharedSpec": "background_rate_per_hour background_effort_h background_month_of_year client_priority",
}.items()}


#: The values of ``options.X.routing`` the compiled kernel decides (``_routing``); any other falls back.
ROUTINGS = frozenset({None, "overflow", "by_kind"})


class Columns:
    """What the compiled kernel needs of :class:`~simkit.engine.pools.Items`: the efforts (its own columns are
    numpy arrays made in :func:`run_option`, not the lists the Python kernels step through)."""

    def __init__(self, effort_h: np.ndarray) -> None:
        self.effort = effort_h


def available() -> bool:
    """Whether numba is installed (``pip install 'simkit-sourcing[fast]'``).

    Asked without importing it: numba (and the compiled loop, :mod:`simkit.engine.jitloop`) is imported
    the first time an option runs on the compiled kernel, so ``import simkit`` stays quick.
    """
    return HAVE_NUMBA


HAVE_NUMBA = importlib.util.find_spec("numba") is not None


def _check(path: str, spec: BaseModel, nested: bool = True) -> str | None:
    """The first field of ``spec`` (path ``path``) off the list, or ``None``."""
    names = [c.__name__ for c in type(spec).__mro__ if c.__name__ in SUPPORTED]
    if not names:
        return path
    allowed = SUPPORTED[names[0]]
    for name, info in type(spec).model_fields.items():
        value = getattr(spec, name)
        if name not in allowed:
            if value != info.get_default(call_default_factory=True):
                return f"{path}.{name}" if path else name
        elif nested and isinstance(value, BaseModel):
            found = _check(f"{path}.{name}", value)
            if found:
                return found
    return None


def unsupported(scenario, option_name: str) -> str | None:  # noqa: ANN001
    """The field path of the first mechanism of ``option_name`` the compiled kernel does not run, or ``None``."""
    option = scenario.options[option_name]
    parts: list[tuple[str, BaseModel]] = [("run", scenario.run), ("workload", scenario.workload),
                                          (f"options.{option_name}", option)]
    parts += [(f"workload.kinds.{k}", v) for k, v in scenario.workload.kinds.items()]
    parts += [(f"calendars.{k}", v) for k, v in scenario.calendars.items()]
    if option.team is not None:
        parts.append((f"teams.{option.team}", scenario.teams[option.team]))
    for name in (option.vendor, option.backup):
        if name is not None:
            parts.append((f"vendors.{name}", scenario.vendors[name]))
    found = _check("", scenario, nested=False)
    for path, spec in parts:
        found = found or _check(path, spec)
    if found is None and option.routing not in ROUTINGS:  # a field on the list, with a value off it
        found = f"options.{option_name}.routing"
    return found


def requested(kernel: str | None, scenario) -> tuple[str, str]:  # noqa: ANN001
    """The kernel asked for and where it was asked (for messages): argument, environment, then scenario."""
    if kernel is not None:
        name = _ALIASES.get(kernel, kernel)
        if name not in KERNEL_NAMES:
            raise ValueError(f"kernel must be one of {', '.join(KERNEL_NAMES)}, got {kernel!r}")
        return name, "kernel"
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        name = _ALIASES.get(env.lower(), env.lower())
        if name not in KERNEL_NAMES:
            raise ScenarioError(ENV_VAR, f"{env[:40]!r} is not a kernel; allowed: {', '.join(KERNEL_NAMES)}")
        return name, ENV_VAR
    return getattr(scenario.run, "kernel", "auto"), "run.kernel"


def choose(scenario, option_name: str, kernel: str | None = None) -> str:  # noqa: ANN001
    """``"compiled"``, ``"fast"`` or ``"process"`` for this option (see the module's description)."""
    name, source = requested(kernel, scenario)
    if name in ("fast", "process"):
        return name
    reason = unsupported(scenario, option_name)
    if name == "auto":
        return "compiled" if reason is None and available() else "fast"
    if not available():
        raise ScenarioError(source, extra_message("'compiled'", "fast") + " ('auto' runs without it)")
    if reason is not None:
        raise ScenarioError(source, f"'compiled' cannot run option {option_name[:60]!r}: {reason} is not among "
                                    "its mechanisms; use 'auto' or 'fast'")
    return name


def will_run(scenario, options) -> bool:  # noqa: ANN001
    """Whether any of ``options`` would run on the compiled kernel (a choice that raises counts as no: the
    run itself reports it)."""
    for name in options:
        try:
            if choose(scenario, name) == "compiled":
                return True
        except (ScenarioError, ValueError):
            continue
    return False


def preload() -> None:
    """Import numba and the compiled loop and ready numba's CPU target, without running anything.

    This is most of what the first compiled run of a process waits for (numba's import, its target's
    registries, among them numba's BLAS check that imports ``scipy.linalg``); a caller runs it in a thread
    while it does other work (drawing the trace), so that the first option finds it done. Loading only:
    no random state is touched, so results stay bit-identical.
    """
    from simkit.engine import jitloop  # noqa: F401 - imported for its compiled functions' dispatchers

    require("numba.core.registry", "the compiled kernel").cpu_target.target_context.refresh()


# -- packing -------------------------------------------------------------------------------------
def _timelines(timelines: list) -> tuple:  # noqa: ANN001
    """Each timeline's kind and columns, concatenated (see ``jitloop``)."""
    from simkit.engine import jitloop
    kinds, off, cols, scalars = [], [0], [[], [], [], []], []
    for tl in timelines:
        if type(tl) is Calendar:
            kinds.append(jitloop.ALWAYS if tl.always_open else jitloop.CALENDAR)
            parts = (tl._starts, tl._ends, tl._cum_start, tl._cum_end)
            scalars.append(tl._per_week)
        elif type(tl) is CapacityTimeline:
            kinds.append(jitloop.TIMELINE)
            parts = (tl._b, tl._r, tl._c, [0.0] * len(tl._b))
            scalars.append(tl.end_h)
        else:
            raise TypeError(f"the compiled kernel has no timeline of type {type(tl).__name__}")
        for col, part in zip(cols, parts, strict=True):
            col.extend(part)
        off.append(off[-1] + len(parts[0]))
    f = np.asarray
    return (f(kinds, np.int64), f(off, np.int64), *(f(c, float) for c in cols), f(scalars, float))


def _intervals(per_pool: list[list[tuple[float, float]]]) -> tuple:
    off = np.cumsum([0] + [len(x) for x in per_pool]).astype(np.int64)
    flat = [iv for x in per_pool for iv in x]
    return off, np.array([a for a, _ in flat], float), np.array([b for _, b in flat], float)


def _routing(option, pools: list, roles: tuple[str, ...], trace, vendors) -> tuple:  # noqa: ANN001
    """``routing.make_router``'s decisions as numbers: mode, pools, the backup split and the rerouting pools."""
    n = len(trace)
    team = roles.index("team") if "team" in roles else -1
    vendor = roles.index("vendor") if "vendor" in roles else -1
    backup = vendor + 1 if option.backup is not None else -1
    table = np.zeros(n, np.int64)
    if team < 0 or vendor < 0:
        mode = 0
    elif option.routing == "by_kind":
        mode = 1
        names = trace.kind_names
        to_vendor = np.isin(np.arange(len(names)), [names.index(k) for k in option.vendor_kinds])
        table = np.where(to_vendor, vendor, team)[trace.kind].astype(np.int64)
    else:
        mode = 2
    split = np.zeros(n, np.uint8)
    if backup >= 0 and option.backup_share > 0 and n:
        split = (trace.u[:, Uniform.BACKUP_SPLIT] < option.backup_share).astype(np.uint8)
    reroute = np.zeros(len(pools), np.uint8)
    for k in (vendor, backup):
        out = vendors[pools[k].name].outages if k >= 0 else None
        if out is not None and out.policy == "reroute":
            reroute[k] = 1
    params = np.array([mode, max(team, vendor), team, vendor, backup, option.overflow_queue], np.int64)
    return params, table, split, reroute


#: Server numbers kept free for hires beyond the starting staff; the loop asks for more when they run out.
SPARE_SERVERS = 64
_CHANGE = {1: "hire", -1: "leave", -2: "layoff"}


def _staffing(option, pools: list, roles: tuple[str, ...], staffing, horizon_h: float) -> tuple:  # noqa: ANN001
    """The hiring pool's index, its flags for ``st`` (attrition, backlog hiring, layoffs), the parameters
    (``jitloop``'s ``hp``, computed as :func:`simkit.engine.staffing.start_hiring` computes them), its
    attrition stream and the heap rows its events can need per server number."""
    spec = staffing[0][option.team].hiring if option.team is not None and staffing is not None else None
    if spec is None:
        return -1, (0, 0, 0), np.zeros(10), np.random.Generator(np.random.PCG64(0)), 0
    h = roles.index("team")
    backlog = spec.hire_when_backlog_per_staff
    quiet = 0.5 * backlog if backlog is not None else 1.0
    hp = np.array([spec.attrition_annual / HOURS_PER_YEAR, spec.hiring_lead_h, spec.ramp_start_productivity,
                   spec.ramp_months * HOURS_PER_MONTH, backlog or 0.0,
                   spec.max_staff if spec.max_staff is not None else 10**9, quiet,
                   (spec.layoff_after_idle_days or 0.0) * 24.0, spec.min_staff, 0.0])
    flags = (int(spec.attrition_annual * max(pools[h].servers, 1) / HOURS_PER_YEAR > 1e-12), int(backlog is not None),
             int(spec.layoff_after_idle_days is not None))
    return h, flags, hp, staffing[1].rng(f"attrition:{pools[h].name}"), int(horizon_h / 24.0) + 8


def _servers(servers: np.ndarray, hirer: int, cap: int, hp: np.ndarray) -> tuple:
    """``jitloop``'s ``sv``: each pool's idle servers (numbered in order, parked in order, as the pool makes
    them), the item and end time in each server's hands, joins and ramps, leavers, the hiring pool's members
    and its staff changes."""
    first = np.concatenate([[0], np.cumsum(servers)]).astype(np.int64)
    stack = np.zeros((servers.size, cap), np.int64)
    for k in range(servers.size):
        stack[k, :servers[k]] = np.arange(first[k], first[k + 1])
    members = np.zeros(cap, np.int64)
    if hirer >= 0:
        members[:servers[hirer]] = stack[hirer, :servers[hirer]]
    return (stack, np.full(cap, -1, np.int64), np.zeros(cap), np.zeros(cap), np.zeros(cap), np.zeros(cap, np.uint8),
            members, np.zeros((2 * cap + 1, 2)), hp)


def _grow(sv: tuple, ev: np.ndarray, rows_per_server: int) -> tuple[tuple, np.ndarray]:
    """Twice the server numbers (and the heap rows they may need), keeping everything so far."""
    cap = sv[1].size

    def wider(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        b = np.zeros(shape, a.dtype)
        b[tuple(slice(0, m) for m in a.shape)] = a
        return b

    grown = (wider(sv[0], (sv[0].shape[0], 2 * cap)), *(wider(a, (2 * cap,)) for a in sv[1:7]),
             wider(sv[7], (4 * cap + 1, 2)), sv[8])
    return grown, wider(ev, (ev.shape[0] + rows_per_server * cap, ev.shape[1]))


def _staff_log(sv: tuple, st: np.ndarray, pool, events: list) -> None:  # noqa: ANN001
    """The hiring pool's staff log and dated events, from the loop's staff changes."""
    from simkit.engine import jitloop
    changes = sv[7][:st[jitloop.CHANGES]]
    pool.staff_log = [(float(t), 1 if c > 0 else -1) for t, c in changes.tolist()]
    events.extend((float(t), pool.name, _CHANGE[int(c)]) for t, c in changes.tolist())


def run_option(option, pools: list, roles: tuple[str, ...], n_primary: int, items, priority: np.ndarray,  # noqa: ANN001
               trace, vendors, client_cal: Calendar, background: list[tuple[np.ndarray, int]],  # noqa: ANN001
               rounds: dict[int, np.ndarray], handoff: list[float], horizon_h: float,
               staffing: tuple | None = None) -> tuple:
    """Run the option's schedule to ``horizon_h`` on the compiled loop.

    Fills each pool's ``work_from_h``/``work_to_h`` (and a hiring team's ``staff_log``) and returns the
    first ``len(trace)`` items' columns (as ``Items.arrays``), the route and the queue-entry times.
    ``staffing`` is ``(scenario.teams, streams, events)``: a team's hiring draws from the replication's
    ``"attrition:<team>"`` stream and dates its hires, leaves and layoffs in ``events``.
    """
    from simkit.engine import jitloop  # imports numba: only when an option runs here

    n, total, n_pools = len(trace), items.effort.size, len(pools)
    effort = np.ascontiguousarray(items.effort, dtype=float)
    nan = np.full(total, math.nan)
    any_clarify = bool(rounds)
    rounds_tab = (np.array([rounds[k] for k in range(n_primary)], np.int64).reshape(n_primary, n) if any_clarify
                  else np.zeros((1, 0), np.int64))
    it = (np.full(total, QUEUED, np.int8), nan, nan.copy(), effort.copy(), np.full(total, -1, np.int8),
          np.zeros(total, np.int64), np.zeros(total, np.int16), np.zeros(total), np.zeros(total, np.int8),
          np.zeros(total, np.bool_), np.full(total, math.inf), effort, np.ascontiguousarray(priority, np.int64),
          np.zeros(total), np.full(n, -1, np.int64), np.full(n, math.nan),
          np.ascontiguousarray(trace.patience_h, float), rounds_tab)
    servers = np.array([p.servers for p in pools], np.int64)
    quality = np.array([p.quality is not None for p in pools], np.uint8)
    pl = (np.zeros((n_pools, max(total, 1)), np.int64), np.zeros(n_pools, np.int64), servers.copy(),
          np.array([p.productivity for p in pools], float), np.asarray(handoff, float), quality)
    tl = _timelines([p.timeline for p in pools] + [client_cal])
    qparams = np.zeros((n_pools, 7))
    u = [np.zeros((n_pools, total)) for _ in range(3)]
    degraded: list[list[tuple[float, float]]] = []
    for k, pool in enumerate(pools):
        data = getattr(pool, "quality_data", None)
        if pool.quality is None or data is None:
            degraded.append([])
            continue
        q, deg, factor, start_h, (u_defect, u_detect, delays) = data
        qparams[k] = (q.defect_share, q.defect_share_floor, q.defect_halving_months or 0.0, start_h,
                      q.detection_share, q.rework_effort_share, factor)
        u[0][k], u[1][k], u[2][k] = u_defect, u_detect, delays
        degraded.append(list(deg))
    qp = (qparams, *u)
    qd = _intervals(degraded)
    dn = _intervals([list(p.down) for p in pools])
    rt = _routing(option, pools[:n_primary], roles[:n_primary], trace, vendors)
    chains = [(np.ascontiguousarray(trace.arrival_h, float), -1, 0)]
    first = n
    for t, k in background:
        chains.append((np.ascontiguousarray(t, float), k, first))
        first += t.size
    ch = (np.concatenate([c[0] for c in chains]), np.cumsum([0] + [c[0].size for c in chains]).astype(np.int64),
          np.array([c[1] for c in chains], np.int64), np.array([c[2] for c in chains], np.int64),
          np.zeros(len(chains), np.int64))
    delayed = any(h > 0.0 for h in handoff) or pools[0].answer_time is not None or bool(quality.any())
    hirer, flags, hp, rng, checks = _staffing(option, pools, roles, staffing, horizon_h)
    cap = int(servers.sum()) + (SPARE_SERVERS if hirer >= 0 else 0)
    sv = _servers(servers, hirer, cap, hp)
    rows_per_server = 4 if hirer >= 0 else 0  # its step or end, a leave drawn at its join and at its leave, a join
    ev = np.zeros((int(servers.sum()) + len(chains) + 1 + (total if delayed else 0) + rows_per_server * cap
                   + (checks if hirer >= 0 else 0), 6))
    st = np.array([0, 0, 0, int(pools[0].answer_time is not None), int(any_clarify), int(servers.sum()),
                   servers[hirer] if hirer >= 0 else 0, 0, 0, hirer, flags[0], 0, 0, flags[1], flags[2]], np.int64)
    wk = np.zeros((total * (2 if quality.any() else 1) + 1, 3))
    while jitloop.run_loop(float(horizon_h), n, it, pl, tl, qp, qd, dn, rt, ch, ev, st, wk, sv, rng) == jitloop.GROW:
        sv, ev = _grow(sv, ev, rows_per_server)
    if hirer >= 0:
        _staff_log(sv, st, pools[hirer], staffing[2])
    work = wk[:st[2]]
    for k, pool in enumerate(pools):
        mine = work[work[:, 0] == k]
        pool.work_from_h, pool.work_to_h = mine[:, 1].copy(), mine[:, 2].copy()
    cols = {"status": it[0][:n], "start": it[1][:n], "end": it[2][:n], "served_by": it[4][:n],
            "clarify_h": it[7][:n], "asked": it[6][:n], "reworks": it[8][:n], "escaped": it[9][:n]}
    return cols, it[14], it[15]
