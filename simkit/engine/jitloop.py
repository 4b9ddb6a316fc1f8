"""The compiled kernel's event loop: the callback kernel's schedule, in arrays, compiled with numba.

Every function here repeats, operation for operation, a piece of the Python engine so that
the floating-point results are the same bits: :func:`cal_advance` is
:meth:`simkit.calendars.weekly.Calendar.advance`, :func:`tl_advance` is
:meth:`simkit.calendars.timeline.CapacityTimeline.advance`, :func:`_step` is
:meth:`simkit.engine.fastpool.CallbackPool._step`, and so on.  The event heap keeps
SimPy's order (time, then the order of scheduling); every call the callback kernel makes is
``NORMAL`` priority, so ``(time, id)`` is the whole key.  Servers have numbers, as the callback
kernel's :class:`~simkit.engine.pools.Server` objects have identities: a new hire ramps up and a
leaver is one particular person, so a pool keeps its idle servers in the same last-in-first-out
list, and a team with hiring (:mod:`simkit.engine.staffing`) keeps its members in joining order and
draws who leaves from the same ``numpy`` generator, through numba's bit-identical copies of its
exponential and bounded-integer draws.

Without numba the functions stay plain Python (slow, identical): :mod:`simkit.engine.compiled`
then uses the callback kernel instead, unless told otherwise.

Everything compiled lives in this one module on purpose, which is why it is longer than the
project's other modules: numba's disk cache checks only the source file of the function it loads,
so a caller cached in one file would keep a stale copy of a callee edited in another.  Each function
is kept as short as numba allows instead (tuples of arrays in, no allocation: the code is compiled
without numba's reference-counting runtime).
"""

from __future__ import annotations

import math

import numpy as np

from simkit.extras import MissingExtraError, require

try:  # the ``fast`` extra
    numba = require("numba", "the compiled kernel")
    from numba.np.random.random_methods import buffered_bounded_lemire_uint32 as _lemire32
except MissingExtraError:  # the callback kernel runs instead (see simkit.engine.compiled)
    numba = None

    def _lemire32(bitgen, rng):  # noqa: ANN001, ANN202
        raise RuntimeError("the compiled kernel's plain-Python form does not draw")

__all__ = ["HAVE_NUMBA", "run_loop"]

HAVE_NUMBA = numba is not None


def _jit(fn=None, inline: bool = False):  # noqa: ANN001, ANN202
    """Compile ``fn`` with an on-disk cache (next to the module, else numba's per-user cache directory);
    without numba, or with nowhere to write a cache, keep it plain / compile it per process.

    ``inline``: the function takes tuples of arrays and runs once or more per event; inlined into its
    caller, it does not pay a reference count per array per call.
    """
    if fn is None:
        return lambda f: _jit(f, inline)
    if numba is None:
        return fn
    options = {"_nrt": False, **({"inline": "always"} if inline else {})}
    try:
        return numba.njit(cache=True, **options)(fn)
    except RuntimeError:  # no writable cache location: compile once per process instead
        return numba.njit(**options)(fn)


WEEK_H = 168.0
HOURS_PER_MONTH = 8766.0 / 12.0  # simkit.workload.trace.HOURS_PER_MONTH (checked by the tests)
COMPLETED, IN_SERVICE, QUEUED, ABANDONED = 0, 1, 2, 3
CHAIN, STEP, DONE, PUT, LEAVE, JOIN, HIRE_CHECK, LAYOFF_CHECK = 0, 1, 2, 3, 4, 5, 6, 7  # event kinds
HIRING_CHECK_H = 24.0  # simkit.engine.staffing.HIRING_CHECK_H (checked by the tests)
GROW = 1  # run_loop's answer when a hire needs a server number beyond the arrays: grow them, call again
# st: heap size, next id, work pieces, answers?, clarify?, server numbers used, members, pending hires,
# leave clock, hiring pool, attrition?, started?, staff changes, backlog hiring?, layoffs?
SERVERS, MEMBERS, PENDING, CLOCK, HIRER, ATTRITION, STARTED, CHANGES, BACKLOG, LAYOFFS = range(5, 15)
# hp: rate per hour, lead h, ramp start, ramp h, backlog trigger, max staff, quiet trigger, layoff after h,
# min staff, quiet since (state)
ALWAYS, CALENDAR, TIMELINE = 0, 1, 2  # timeline kinds


# -- bisection on a slice [lo, hi) of a packed array, returning an index into the slice -------
@_jit
def _bisect_right(a, lo, hi, x):  # noqa: ANN001, ANN202
    start = lo
    while lo < hi:
        mid = (lo + hi) // 2
        if x < a[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo - start


@_jit
def _bisect_left(a, lo, hi, x):  # noqa: ANN001, ANN202
    start = lo
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo - start


# -- timelines: k is the timeline's index; TA..TD its packed columns, TS its scalar -----------
# Calendar: TA starts, TB ends, TC cumulative at each start, TD cumulative at each end, TS hours per week.
# CapacityTimeline: TA breaks, TB rates, TC cumulative work, TS end_h.
@_jit(inline=True)
def is_open(tl, k, t):  # noqa: ANN001, ANN201
    kind, off, ta, tb = tl[0], tl[1], tl[2], tl[3]
    lo, hi = off[k], off[k + 1]
    if kind[k] == ALWAYS:
        return True
    if kind[k] == CALENDAR:
        r = t % WEEK_H
        i = _bisect_right(ta, lo, hi, r) - 1
        return i >= 0 and r < tb[lo + i]
    i = _bisect_right(ta, lo, hi, t) - 1
    rate = tb[lo + i] if 0 <= i < hi - lo else 0.0
    return rate > 0.0


@_jit(inline=True)
def next_open(tl, k, t):  # noqa: ANN001, ANN201
    kind, off, ta, tb = tl[0], tl[1], tl[2], tl[3]
    lo, hi = off[k], off[k + 1]
    if kind[k] == TIMELINE:
        i = max(_bisect_right(ta, lo, hi, t) - 1, 0)
        while i < hi - lo - 1:
            if tb[lo + i] > 0.0:
                b = ta[lo + i]
                return b if b > t else t
            i += 1
        return math.inf
    if hi == lo:
        return math.inf
    w = math.floor(t / WEEK_H)
    r = t - w * WEEK_H
    i = _bisect_right(ta, lo, hi, r) - 1
    if i >= 0 and r < tb[lo + i]:
        return t
    if i + 1 < hi - lo:
        return w * WEEK_H + ta[lo + i + 1]
    return (w + 1) * WEEK_H + ta[lo]


@_jit
def cal_advance(ta, tb, tc, td, lo, hi, per_week, t, work_h):  # noqa: ANN001, ANN201
    if work_h <= 0.0:
        return t
    if per_week <= 0.0:
        return math.inf
    w = math.floor(t / WEEK_H)
    r = t - w * WEEK_H
    i = _bisect_right(ta, lo, hi, r) - 1
    if i < 0:
        within = 0.0
    else:
        close = tb[lo + i]
        if r < close and r + work_h <= close:
            return t + work_h
        a, b = r - ta[lo + i], close - ta[lo + i]
        within = tc[lo + i] + (b if b < a else a)
    target = w * per_week + within + work_h
    w = math.floor(target / per_week)
    rem = target - w * per_week
    if rem <= 1e-12:
        w -= 1
        rem += per_week
    i = _bisect_left(td, lo, hi, rem - 1e-12)
    i = min(i, hi - lo - 1)
    x = w * WEEK_H + ta[lo + i] + (rem - tc[lo + i])
    return x if x > t else t


@_jit
def tl_advance(ta, tb, tc, lo, hi, end_h, t, work_h):  # noqa: ANN001, ANN201
    if work_h <= 0.0:
        return t
    n = hi - lo
    i = _bisect_right(ta, lo, hi, t) - 1
    if 0 <= i < n - 1:
        rate = tb[lo + i]
        if rate > 0.0 and t < end_h:
            end = t + work_h / rate
            if end <= ta[lo + i + 1]:
                return end
    if t >= end_h:
        cum = tc[hi - 1]
    else:
        j = max(i, 0)
        cum = tc[lo + j] + (t - ta[lo + j]) * tb[lo + j]
    target = cum + work_h
    if target > tc[hi - 1] + 1e-12:
        return math.inf
    i = max(_bisect_left(tc, lo, hi, target - 1e-12) - 1, 0)
    while tb[lo + i] <= 0.0:
        i += 1
        if i >= n - 1:
            return math.inf
    x = ta[lo + i] + (target - tc[lo + i]) / tb[lo + i]
    return x if x > t else t


@_jit(inline=True)
def advance(tl, k, t, work_h):  # noqa: ANN001, ANN201
    kind, off = tl[0], tl[1]
    if kind[k] == CALENDAR:
        return cal_advance(tl[2], tl[3], tl[4], tl[5], off[k], off[k + 1], tl[6][k], t, work_h)
    return tl_advance(tl[2], tl[3], tl[4], off[k], off[k + 1], tl[6][k], t, work_h)


# -- the event heap: rows (time, id, kind, pool, item, value), ordered by (time, id) -----------
@_jit
def _ev_less(ev, a, b):  # noqa: ANN001, ANN202
    return ev[a, 0] < ev[b, 0] or (ev[a, 0] == ev[b, 0] and ev[a, 1] < ev[b, 1])


@_jit
def _ev_swap(ev, a, b):  # noqa: ANN001, ANN202
    for c in range(6):
        ev[a, c], ev[b, c] = ev[b, c], ev[a, c]


@_jit
def ev_push(ev, st, t, kind, pool, item, value):  # noqa: ANN001, ANN201
    """Schedule an event at ``t``; ``st[0]`` is the heap's size, ``st[1]`` the next id."""
    j = st[0]
    ev[j, 0], ev[j, 1], ev[j, 2], ev[j, 3], ev[j, 4], ev[j, 5] = t, st[1], kind, pool, item, value
    st[0] += 1
    st[1] += 1
    while j > 0:
        parent = (j - 1) // 2
        if _ev_less(ev, j, parent):
            _ev_swap(ev, j, parent)
            j = parent
        else:
            break


@_jit
def ev_pop(ev, st):  # noqa: ANN001, ANN201
    """Remove the first event; its row is left at index ``st[0]`` (the old last slot)."""
    last = st[0] - 1
    _ev_swap(ev, 0, last)
    st[0] = last
    j = 0
    while True:
        left = 2 * j + 1
        if left >= last:
            break
        c = left
        if left + 1 < last and _ev_less(ev, left + 1, left):
            c = left + 1
        if _ev_less(ev, c, j):
            _ev_swap(ev, c, j)
            j = c
        else:
            break
    return last


# -- a pool's queue: item numbers, ordered by (priority, time queued, item) --------------------
@_jit
def _q_less(prio, qtime, a, b):  # noqa: ANN001, ANN202
    if prio[a] != prio[b]:
        return prio[a] < prio[b]
    if qtime[a] != qtime[b]:
        return qtime[a] < qtime[b]
    return a < b


@_jit
def q_push(q, qn, p, item, prio, qtime):  # noqa: ANN001, ANN201
    j = qn[p]
    q[p, j] = item
    qn[p] += 1
    while j > 0:
        parent = (j - 1) // 2
        if _q_less(prio, qtime, q[p, j], q[p, parent]):
            q[p, j], q[p, parent] = q[p, parent], q[p, j]
            j = parent
        else:
            break


@_jit
def q_pop(q, qn, p, prio, qtime):  # noqa: ANN001, ANN201
    top = q[p, 0]
    last = qn[p] - 1
    q[p, 0] = q[p, last]
    qn[p] = last
    j = 0
    while True:
        left = 2 * j + 1
        if left >= last:
            break
        c = left
        if left + 1 < last and _q_less(prio, qtime, q[p, left + 1], q[p, left]):
            c = left + 1
        if _q_less(prio, qtime, q[p, c], q[p, j]):
            q[p, c], q[p, j] = q[p, j], q[p, c]
            j = c
        else:
            break
    return top


# -- the model --------------------------------------------------------------------------------
@_jit(inline=True)
def _share(qp, qd, p, t):  # noqa: ANN001, ANN202
    """The defect share at ``t`` (``_quality_hooks``' ``share``): learning, then degradation."""
    par = qp[0]
    share, floor, halving, start_h, factor = par[p, 0], par[p, 1], par[p, 2], par[p, 3], par[p, 6]
    if halving != 0.0:
        months = max(0.0, t - start_h) / HOURS_PER_MONTH
        share = floor + (share - floor) * 0.5 ** (months / halving)
    off, starts, ends = qd[0], qd[1], qd[2]
    lo, hi = off[p], off[p + 1]
    if hi > lo:
        i = _bisect_right(starts, lo, hi, t) - 1
        if i >= 0 and t < ends[lo + i]:
            share *= factor
    return share if share < 1.0 else 1.0


@_jit(inline=True)
def _factor(sv, s, now):  # noqa: ANN001, ANN202
    """``Server.factor``: a new hire's productivity relative to a trained one (linear ramp)."""
    ramp_h, start = sv[4][s], sv[8][2]
    if ramp_h <= 0.0:
        return 1.0
    return start + (1.0 - start) * min(1.0, (now - sv[3][s]) / ramp_h)


@_jit
def _step(p, s, now, it, pl, tl, ev, st, wk, sv):  # noqa: ANN001, ANN202
    """Server ``s`` of pool ``p`` is free at ``now``: take the most urgent item, go idle, or (a leaver) go."""
    status, start, work, served_by, rounds, asked, clarify_h, gives_up = it[0], it[1], it[3], it[4], it[5], \
        it[6], it[7], it[10]
    prio, qtime = it[12], it[13]
    q, qn, idle, productivity, stack = pl[0], pl[1], pl[2], pl[3], sv[0]
    always = tl[0][p] == ALWAYS
    client = tl[0].size - 1
    while True:
        if sv[5][s]:
            return
        if qn[p] == 0:
            stack[p, idle[p]] = s
            idle[p] += 1
            return
        if not always and not is_open(tl, p, now):
            nxt = next_open(tl, p, now)
            if math.isinf(nxt):
                stack[p, idle[p]] = s
                idle[p] += 1
                return
            ev_push(ev, st, now + (nxt - now), STEP, p, s, 0.0)
            return
        item = q_pop(q, qn, p, prio, qtime)
        if now >= gives_up[item]:  # Items.gave_up
            if start[item] != start[item]:
                status[item] = ABANDONED
                continue
            if status[item] == ABANDONED:
                continue
        if start[item] != start[item]:
            start[item] = now
        if st[3] != 0 and rounds[item] > 0:  # a question to the client; the item waits for the answer
            rounds[item] -= 1
            asked[item] += 1
            answer = next_open(tl, client, now)
            clarify_h[item] += answer - now
            ev_push(ev, st, now + (answer - now), PUT, p, item, 0.0)
            continue
        status[item] = IN_SERVICE
        served_by[item] = p
        w = work[item] / productivity[p] if sv[4][s] == 0.0 else work[item] / (productivity[p] * _factor(sv, s, now))
        end = now + w if always else advance(tl, p, now, w)
        j = st[2]
        wk[j, 0], wk[j, 1], wk[j, 2] = p, now, end
        st[2] += 1
        sv[1][s], sv[2][s] = item, end
        ev_push(ev, st, now + (end - now), DONE, p, s, end)
        return


@_jit
def _put(p, item, now, it, pl, tl, ev, st, wk, sv):  # noqa: ANN001, ANN202
    """``ServicePool.put`` and ``CallbackPool._wake``: queue the item; the idle server parked last starts now,
    or after the other work due at this instant has landed."""
    it[0][item] = QUEUED
    it[13][item] = now
    q_push(pl[0], pl[1], p, item, it[12], it[13])
    idle = pl[2]
    if idle[p] > 0:
        idle[p] -= 1
        s = sv[0][p, idle[p]]
        if st[0] > 0 and ev[0, 0] <= now:
            ev_push(ev, st, now + 0.0, STEP, p, s, 0.0)
        else:
            _step(p, s, now, it, pl, tl, ev, st, wk, sv)


@_jit(inline=True)
def _is_down(dn, p, t):  # noqa: ANN001, ANN202
    off, starts, ends = dn[0], dn[1], dn[2]
    lo, hi = off[p], off[p + 1]
    i = _bisect_right(starts, lo, hi, t) - 1
    return i >= 0 and t < ends[lo + i]


@_jit(inline=True)
def _route(item, now, rt, pl, tl, dn):  # noqa: ANN001, ANN202
    """``routing.make_router``: the base choice, the backup split, then rerouting around outages."""
    mode, only, team, vendor, backup, threshold = rt[0][0], rt[0][1], rt[0][2], rt[0][3], rt[0][4], rt[0][5]
    if mode == 0:
        p = only
    elif mode == 1:
        p = rt[1][item]
    else:
        if pl[2][team] > 0 and is_open(tl, team, now):
            p = team
        elif not is_open(tl, team, now) and is_open(tl, vendor, now):
            p = vendor
        else:
            p = team if pl[1][team] < threshold else vendor
    if backup >= 0 and p == vendor and rt[2][item]:
        p = backup
    if rt[3][p] and _is_down(dn, p, now):
        for alt in (backup, vendor, team):
            if alt >= 0 and alt != p and not _is_down(dn, alt, now):
                return alt
    return p


# -- staffing (simkit.engine.staffing.start_hiring) on the hiring pool: sv[6] its members in joining order,
# sv[7] its staff changes (time, +1 join / -1 leave / -2 layoff), sv[8] the parameters (hp above) -----------
@_jit
def _next_leaver(p, now, ev, st, sv, rng):  # noqa: ANN001, ANN202
    """``next_leaver``: the time to the next leave, drawn afresh at the rate times the head count now."""
    st[CLOCK] += 1
    n = st[MEMBERS]
    if n == 0:
        return
    ev_push(ev, st, now + rng.exponential(1.0 / (sv[8][0] * n)), LEAVE, p, -1, float(st[CLOCK]))


@_jit
def _changed(sv, st, now, code):  # noqa: ANN001, ANN202
    j = st[CHANGES]
    sv[7][j, 0], sv[7][j, 1] = now, code
    st[CHANGES] += 1


@_jit
def _remove(p, s, now, pl, ev, st, sv, rng, code):  # noqa: ANN001, ANN202
    """``ServicePool.remove_server``: ``s`` leaves now (an item in its hands is finished first)."""
    members, stack, idle = sv[6], sv[0], pl[2]
    sv[5][s] = 1
    n = st[MEMBERS]
    i = 0
    while members[i] != s:
        i += 1
    for j in range(i, n - 1):  # list.remove: the rest keep their order
        members[j] = members[j + 1]
    st[MEMBERS] = n - 1
    _changed(sv, st, now, code)
    for i in range(idle[p]):
        if stack[p, i] == s:
            for j in range(i, idle[p] - 1):
                stack[p, j] = stack[p, j + 1]
            idle[p] -= 1
            break
    if st[ATTRITION]:
        _next_leaver(p, now, ev, st, sv, rng)


@_jit
def _hire_later(p, now, ev, st, sv):  # noqa: ANN001, ANN202
    st[PENDING] += 1
    ev_push(ev, st, now + sv[8][1], JOIN, p, -1, 0.0)


@_jit
def _join(p, now, it, pl, tl, ev, st, wk, sv, rng):  # noqa: ANN001, ANN202
    """``hire_later``'s ``join`` and ``ServicePool.add_server``: a new server ramps up from now."""
    st[PENDING] -= 1
    s = st[SERVERS]
    st[SERVERS] += 1
    sv[3][s], sv[4][s], sv[5][s] = now, sv[8][3], 0
    sv[6][st[MEMBERS]] = s
    st[MEMBERS] += 1
    _changed(sv, st, now, 1)
    _step(p, s, now, it, pl, tl, ev, st, wk, sv)
    if st[ATTRITION]:
        _next_leaver(p, now, ev, st, sv, rng)


@_jit
def _staffing(kind, p, now, value, pl, ev, st, sv, rng):  # noqa: ANN001, ANN202
    """A leave (unless the head count changed since it was drawn), or a daily backlog or layoff check."""
    hp, members, n, waiting = sv[8], sv[6], st[MEMBERS], pl[1][p]
    if kind == LEAVE:
        if int(value) == st[CLOCK]:
            j = np.int64(0)
            if n > 1:  # Generator.integers(n): Lemire's method on 32 bits; nothing drawn for one member
                j = np.int64(_lemire32(rng.bit_generator, n - 1))
            _remove(p, members[j], now, pl, ev, st, sv, rng, -1)
            _hire_later(p, now, ev, st, sv)
    elif kind == HIRE_CHECK:
        if waiting > hp[4] * max(n, 1) and n + st[PENDING] < hp[5]:
            _hire_later(p, now, ev, st, sv)
        ev_push(ev, st, now + HIRING_CHECK_H, HIRE_CHECK, p, -1, 0.0)
    else:
        if waiting > hp[6] * max(n, 1):
            hp[9] = now
        elif now - hp[9] >= hp[7] and n > hp[8]:
            _remove(p, members[n - 1], now, pl, ev, st, sv, rng, -2)  # last in, first out
            hp[9] = now
        ev_push(ev, st, now + HIRING_CHECK_H, LAYOFF_CHECK, p, -1, 0.0)


@_jit
def _start(ch, ev, st, sv, rng):  # noqa: ANN001, ANN202
    """What the model schedules before the run, in its order: the first leave, the arrival chains, then the
    daily checks (their processes start at time 0, ahead of everything else due then)."""
    st[STARTED] = 1
    h = st[HIRER]
    if st[ATTRITION]:
        _next_leaver(h, 0.0, ev, st, sv, rng)
    ch_t, ch_off, ch_pool = ch[0], ch[1], ch[2]
    for c in range(ch_pool.size):
        if ch_off[c + 1] > ch_off[c]:
            ev_push(ev, st, 0.0 + ch_t[ch_off[c]], CHAIN, c, -1, 0.0)
    if st[BACKLOG]:
        ev_push(ev, st, 0.0 + HIRING_CHECK_H, HIRE_CHECK, h, -1, 0.0)
    if st[LAYOFFS]:
        ev_push(ev, st, 0.0 + HIRING_CHECK_H, LAYOFF_CHECK, h, -1, 0.0)


@_jit
def _done(p, s, now, it, pl, tl, qp, qd, ev, st, wk, sv):  # noqa: ANN001, ANN202
    """``ServicePool._finish`` (a defect found goes back as rework), then the server's next step."""
    status, end_h, work, reworks, escaped, effort = it[0], it[2], it[3], it[8], it[9], it[11]
    qpar, u_defect, u_detect, delay_h = qp[0], qp[1], qp[2], qp[3]
    item, end = sv[1][s], sv[2][s]
    done = True
    if pl[5][p] and reworks[item] == 0 and u_defect[p, item] < _share(qp, qd, p, end):
        if u_detect[p, item] < qpar[p, 4]:
            reworks[item] = 1
            work[item] = effort[item] * qpar[p, 5]
            status[item] = QUEUED
            ev_push(ev, st, now + delay_h[p, item], PUT, p, item, 0.0)
            done = False
        else:
            escaped[item] = True
    if done:
        end_h[item] = end
        status[item] = COMPLETED
    _step(p, s, now, it, pl, tl, ev, st, wk, sv)


@_jit
def run_loop(until, n, it, pl, tl, qp, qd, dn, rt, ch, ev, st, wk, sv, rng):  # noqa: ANN001, ANN201
    """Run the schedule up to ``until`` hours: the callback kernel's ``FastEnvironment.run``.

    ``it`` holds the per-item columns, ``pl`` the pools' queues and idle counts, ``tl`` the timelines
    (one per pool, then the client's calendar), ``qp``/``qd`` quality, ``dn`` outages, ``rt`` routing,
    ``ch`` the arrival chains, ``ev`` the event heap, ``st`` counters, ``wk`` the pieces of work done,
    ``sv`` the servers (idle stacks, items in hand, ramps, leavers, the hiring pool's members and staff
    changes), ``rng`` the hiring pool's attrition stream.  Returns 0 when done, or :data:`GROW` before a
    hire that needs more server numbers than ``sv`` has: the caller grows the arrays and calls again.
    """
    start, gives_up, route, enter, patience, rounds = it[1], it[10], it[14], it[15], it[16], it[5]
    rounds_tab, handoff = it[17], pl[4]
    ch_t, ch_off, ch_pool, ch_first, ch_next = ch[0], ch[1], ch[2], ch[3], ch[4]
    if st[STARTED] == 0:
        _start(ch, ev, st, sv, rng)
    while st[0] > 0 and ev[0, 0] < until:
        if ev[0, 2] == JOIN and st[SERVERS] >= sv[1].size:
            return np.int64(GROW)
        row = ev_pop(ev, st)
        now, kind, p, item, value = ev[row, 0], int(ev[row, 2]), int(ev[row, 3]), int(ev[row, 4]), ev[row, 5]
        if kind == CHAIN:  # arrivals.in_order: every arrival due now, then the next one
            c = p
            i, lo, hi = ch_next[c], ch_off[c], ch_off[c + 1]
            t = ch_t[lo + i]
            while True:
                if ch_pool[c] < 0:  # the option's own item: route, then queue (after any hand-off)
                    q = _route(i, now, rt, pl, tl, dn)
                    route[i] = q
                    if st[4] != 0:
                        rounds[i] = rounds_tab[q, i]
                    if patience[i] < math.inf:
                        gives_up[i] = now + patience[i]
                    delay = handoff[q]
                    enter[i] = now + delay
                    if delay > 0.0:
                        ev_push(ev, st, now + delay, PUT, q, i, 0.0)
                    else:
                        _put(q, i, now, it, pl, tl, ev, st, wk, sv)
                else:  # another client's item on a shared vendor
                    _put(ch_pool[c], ch_first[c] + i, now, it, pl, tl, ev, st, wk, sv)
                i += 1
                if lo + i >= hi:
                    break
                if ch_t[lo + i] > t:
                    ev_push(ev, st, now + (ch_t[lo + i] - t), CHAIN, c, -1, 0.0)
                    break
            ch_next[c] = i
        elif kind == STEP:  # the item column holds the server
            _step(p, item, now, it, pl, tl, ev, st, wk, sv)
        elif kind == PUT:
            _put(p, item, now, it, pl, tl, ev, st, wk, sv)
        elif kind == DONE:
            _done(p, item, now, it, pl, tl, qp, qd, ev, st, wk, sv)
        elif kind == JOIN:
            _join(p, now, it, pl, tl, ev, st, wk, sv, rng)
        else:
            _staffing(kind, p, now, value, pl, ev, st, sv, rng)
    for i in range(n):  # requesters who gave up unnoticed
        if gives_up[i] < until and start[i] != start[i]:
            status = it[0]
            status[i] = ABANDONED
    return np.int64(0)
