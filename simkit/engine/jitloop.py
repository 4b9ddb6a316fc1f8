"""The compiled kernel's event loop: the callback kernel's schedule, in arrays, compiled with numba.

Every function here repeats, operation for operation, a piece of the Python engine so that
the floating-point results are the same bits: :func:`cal_advance` is
:meth:`simkit.calendars.weekly.Calendar.advance`, :func:`tl_advance` is
:meth:`simkit.calendars.timeline.CapacityTimeline.advance`, :func:`_step` is
:meth:`simkit.engine.fastpool.CallbackPool._step`, and so on.  The event heap keeps
SimPy's order (time, then the order of scheduling); every call the callback kernel makes is
``NORMAL`` priority, so ``(time, id)`` is the whole key.  Servers of a pool are
interchangeable here (no ramp-up, nobody leaves: those mechanisms are not on the
compiled kernel's list), so a pool keeps a count of idle servers, not the servers.

Without numba the functions stay plain Python (slow, identical): :mod:`simkit.engine.compiled`
then uses the callback kernel instead, unless told otherwise.

Everything compiled lives in this one module on purpose: numba's disk cache checks only the
source file of the function it loads, so a caller cached in one file would keep a stale copy of a
callee edited in another.
"""

from __future__ import annotations

import math

import numpy as np

from simkit.extras import MissingExtraError, require

try:  # the ``fast`` extra
    numba = require("numba", "the compiled kernel")
except MissingExtraError:  # the callback kernel runs instead (see simkit.engine.compiled)
    numba = None

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
CHAIN, STEP, DONE, PUT = 0, 1, 2, 3  # event kinds
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


@_jit
def _step(p, now, it, pl, tl, ev, st, wk):  # noqa: ANN001, ANN202
    """A server of pool ``p`` is free at ``now``: take the most urgent item, or go idle."""
    status, start, work, served_by, rounds, asked, clarify_h, gives_up = it[0], it[1], it[3], it[4], it[5], \
        it[6], it[7], it[10]
    prio, qtime = it[12], it[13]
    q, qn, idle, productivity = pl[0], pl[1], pl[2], pl[3]
    always = tl[0][p] == ALWAYS
    client = tl[0].size - 1
    while True:
        if qn[p] == 0:
            idle[p] += 1
            return
        if not always and not is_open(tl, p, now):
            nxt = next_open(tl, p, now)
            if math.isinf(nxt):
                idle[p] += 1
                return
            ev_push(ev, st, now + (nxt - now), STEP, p, -1, 0.0)
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
        w = work[item] / productivity[p]
        end = now + w if always else advance(tl, p, now, w)
        j = st[2]
        wk[j, 0], wk[j, 1], wk[j, 2] = p, now, end
        st[2] += 1
        ev_push(ev, st, now + (end - now), DONE, p, item, end)
        return


@_jit
def _put(p, item, now, it, pl, tl, ev, st, wk):  # noqa: ANN001, ANN202
    """``ServicePool.put`` and ``CallbackPool._wake``: queue the item; an idle server starts now, or after
    the other work due at this instant has landed."""
    it[0][item] = QUEUED
    it[13][item] = now
    q_push(pl[0], pl[1], p, item, it[12], it[13])
    idle = pl[2]
    if idle[p] > 0:
        idle[p] -= 1
        if st[0] > 0 and ev[0, 0] <= now:
            ev_push(ev, st, now + 0.0, STEP, p, -1, 0.0)
        else:
            _step(p, now, it, pl, tl, ev, st, wk)


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


@_jit
def run_loop(until, n, it, pl, tl, qp, qd, dn, rt, ch, ev, st, wk):  # noqa: ANN001, ANN201
    """Run the schedule up to ``until`` hours: the callback kernel's ``FastEnvironment.run``.

    ``it`` holds the per-item columns, ``pl`` the pools' queues and idle counts, ``tl`` the timelines
    (one per pool, then the client's calendar), ``qp``/``qd`` quality, ``dn`` outages, ``rt`` routing,
    ``ch`` the arrival chains, ``ev`` the event heap, ``st`` counters, ``wk`` the pieces of work done.
    """
    status, start, end_h, work, effort = it[0], it[1], it[2], it[3], it[11]
    reworks, escaped, gives_up, route, enter, patience, rounds = it[8], it[9], it[10], it[14], it[15], it[16], \
        it[5]
    rounds_tab, qpar, u_defect, u_detect, delay_h = it[17], qp[0], qp[1], qp[2], qp[3]
    handoff, quality = pl[4], pl[5]
    ch_t, ch_off, ch_pool, ch_first, ch_next = ch[0], ch[1], ch[2], ch[3], ch[4]
    for c in range(ch_pool.size):
        if ch_off[c + 1] > ch_off[c]:
            ev_push(ev, st, 0.0 + ch_t[ch_off[c]], CHAIN, c, -1, 0.0)
    while st[0] > 0 and ev[0, 0] < until:
        row = ev_pop(ev, st)
        now, kind, p, item, value = ev[row, 0], int(ev[row, 2]), int(ev[row, 3]), int(ev[row, 4]), ev[row, 5]
        if kind == CHAIN:  # model.in_order: every arrival due now, then the next one
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
                        _put(q, i, now, it, pl, tl, ev, st, wk)
                else:  # another client's item on a shared vendor
                    _put(ch_pool[c], ch_first[c] + i, now, it, pl, tl, ev, st, wk)
                i += 1
                if lo + i >= hi:
                    break
                if ch_t[lo + i] > t:
                    ev_push(ev, st, now + (ch_t[lo + i] - t), CHAIN, c, -1, 0.0)
                    break
            ch_next[c] = i
        elif kind == STEP:
            _step(p, now, it, pl, tl, ev, st, wk)
        elif kind == PUT:
            _put(p, item, now, it, pl, tl, ev, st, wk)
        else:  # DONE: ServicePool._finish, then the server's next step
            done = True
            if quality[p] and reworks[item] == 0 and u_defect[p, item] < _share(qp, qd, p, value):
                if u_detect[p, item] < qpar[p, 4]:
                    reworks[item] = 1
                    work[item] = effort[item] * qpar[p, 5]
                    status[item] = QUEUED
                    ev_push(ev, st, now + delay_h[p, item], PUT, p, item, 0.0)
                    done = False
                else:
                    escaped[item] = True
            if done:
                end_h[item] = value
                status[item] = COMPLETED
            _step(p, now, it, pl, tl, ev, st, wk)
    for i in range(n):  # requesters who gave up unnoticed
        if gives_up[i] < until and start[i] != start[i]:
            status[i] = ABANDONED
    return np.int64(0)
