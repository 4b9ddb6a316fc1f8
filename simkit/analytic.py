"""Closed forms: instant previews and the yardsticks the simulation is tested against.

* Erlang B / Erlang C for the M/M/c queue (stable recursion), mean wait,
  waiting-time tail and service level;
* Little's law ``L = lambda * W``;
* square-root staffing ``c = a + beta * sqrt(a)`` and the Halfin-Whitt limit;
* availability ``MTBF / (MTBF + MTTR)`` and survival ``exp(-h T)``;
* attrition with replacement after a hiring lead time: expected leavers and
  vacant position-hours (``rate x staff x years`` leavers without a lead time);
* present values: monthly annuity, growing annuity;
* make-or-buy break-even volume ``Q* = F / (p - v)``;
* Erlang A (M/M/c+M, impatient customers) by its birth-death chain;
* dual sourcing: P(both down) with a common-cause share;
* the mean wait for the next overlap of working hours, ``(24 - o)^2 / 48``.
"""

from __future__ import annotations

import math

__all__ = [
    "erlang_b", "erlang_c", "mmc_wait_mean_h", "mmc_wait_tail", "mmc_service_level",
    "littles_law_l", "sqrt_staffing", "halfin_whitt_p_wait", "min_servers_for_p_wait",
    "availability", "survival", "attrition_leavers", "attrition_vacancy_h", "annuity_pv", "growing_annuity_pv",
    "break_even_volume",
    "overlap_wait_mean_h", "erlang_a", "dual_sourcing_p_both_down",
]


def erlang_b(c: int, a: float) -> float:
    """Blocking probability of M/M/c/c with offered load ``a`` (Erlang B recursion)."""
    if c < 0 or a < 0:
        raise ValueError("c and a must be >= 0")
    b = 1.0
    for n in range(1, c + 1):
        b = a * b / (n + a * b)
    return b


def erlang_c(c: int, a: float) -> float:
    """Probability that an arrival waits in M/M/c with offered load ``a = lambda / mu < c``."""
    if a >= c:
        return 1.0
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


def mmc_wait_mean_h(c: int, arrival_rate_per_h: float, service_mean_h: float) -> float:
    """Mean wait in queue of M/M/c: ``C(c, a) / (c mu - lambda)``; ``inf`` when unstable."""
    mu = 1.0 / service_mean_h
    a = arrival_rate_per_h / mu
    if a >= c:
        return math.inf
    return erlang_c(c, a) / (c * mu - arrival_rate_per_h)


def mmc_wait_tail(c: int, arrival_rate_per_h: float, service_mean_h: float, t_h: float) -> float:
    """``P(Wq > t) = C(c, a) exp(-(c mu - lambda) t)``."""
    mu = 1.0 / service_mean_h
    a = arrival_rate_per_h / mu
    if a >= c:
        return 1.0
    return erlang_c(c, a) * math.exp(-(c * mu - arrival_rate_per_h) * t_h)


def mmc_service_level(c: int, arrival_rate_per_h: float, service_mean_h: float, t_h: float) -> float:
    """Share of arrivals that wait at most ``t_h`` hours."""
    return 1.0 - mmc_wait_tail(c, arrival_rate_per_h, service_mean_h, t_h)


def littles_law_l(arrival_rate_per_h: float, time_in_system_h: float) -> float:
    """Mean number in the system, ``L = lambda W``."""
    return arrival_rate_per_h * time_in_system_h


def sqrt_staffing(a: float, beta: float) -> int:
    """Square-root staffing: the smallest whole ``c >= a + beta sqrt(a)``."""
    return math.ceil(a + beta * math.sqrt(a) - 1e-12)


def halfin_whitt_p_wait(beta: float) -> float:
    """The QED limit of P(wait) for staffing ``a + beta sqrt(a)``: ``1 / (1 + beta Phi(beta) / phi(beta))``."""
    cdf = 0.5 * (1.0 + math.erf(beta / math.sqrt(2.0)))
    pdf = math.exp(-beta * beta / 2.0) / math.sqrt(2.0 * math.pi)
    return 1.0 / (1.0 + beta * cdf / pdf)


def min_servers_for_p_wait(a: float, p_wait_max: float) -> int:
    """The fewest servers that keep the Erlang C probability of waiting at or below ``p_wait_max``."""
    c = max(1, math.floor(a) + 1)
    while erlang_c(c, a) > p_wait_max:
        c += 1
    return c


def availability(mtbf_h: float, mttr_h: float) -> float:
    """Long-run share of time up: ``MTBF / (MTBF + MTTR)``."""
    return mtbf_h / (mtbf_h + mttr_h)


def survival(hazard_per_year: float, years: float) -> float:
    """Probability of no failure by ``years`` at a constant annual hazard: ``exp(-h T)``."""
    return math.exp(-hazard_per_year * years)


def _attrition_cycles(rate_annual: float, years: float, lead_h: float):  # noqa: ANN202
    """Per position: ``(k, a_k)`` for every leave ``k`` that can happen by the horizon.

    A position alternates exponential spells of employment (rate ``rate_annual``) with vacancies
    of ``lead_h`` hours, so the ``k``-th leave falls at ``G_k + (k - 1) L`` with ``G_k`` Erlang
    (``k`` phases); ``a_k = T - (k - 1) L`` is the time ``G_k`` has to fall within.

    The terms ``P(G_k <= a_k) = P(Poisson(x_k) >= k)``, ``x_k = lam a_k``, shrink with ``k`` (more phases in
    less time), and once ``k > x_k`` Chernoff's bound ``exp(-x) (e x / k)^k`` caps every later one; the
    cycles stop when that bound is below ``exp(-60)`` times the first term, as the rest cannot move a
    double (a leave-rich decade would otherwise cost ~1,000 terms of ~1,000 sums each).
    """
    from simkit.units import HOURS_PER_YEAR

    horizon_h = years * HOURS_PER_YEAR
    lam = rate_annual / HOURS_PER_YEAR
    first = -math.expm1(-lam * horizon_h)  # P(G_1 <= T): the largest term
    floor = math.log(first) - 60.0 if first > 0 else -math.inf
    k = 1
    while horizon_h - (k - 1) * lead_h > 0:
        a = horizon_h - (k - 1) * lead_h
        x = lam * a
        if k > x > 0 and -x + k * (1.0 + math.log(x) - math.log(k)) < floor:
            return
        yield k, a
        k += 1
        if k > 10 * rate_annual * years + 1000:  # the terms left are below double precision
            return


def _erlang_cdf(k: int, x: float) -> float:
    """``P(Poisson(x) >= k)``: the Erlang(``k``) distribution function at ``x`` in units of the rate (the
    regularised lower incomplete gamma function for a whole ``k``), as ``1 - sum_{j<k} e^-x x^j / j!`` with
    the terms in log space so that no term overflows."""
    if x <= 0.0:
        return 0.0
    below = math.fsum(math.exp(-x + j * math.log(x) - math.lgamma(j + 1.0)) for j in range(k))
    return min(1.0, max(0.0, 1.0 - below))


def attrition_leavers(staff: int, rate_annual: float, years: float, lead_h: float = 0.0) -> float:
    """Expected leavers over ``years`` when each person leaves at ``rate_annual`` and is replaced
    after ``lead_h`` hours (a vacancy loses nobody).

    Positions are independent alternating renewal processes, so with ``lam`` per hour
    ``E[N] = staff * sum_k P(G_k <= T - (k - 1) L) = staff * sum_k P(Poisson(lam (T - (k - 1) L)) >= k)``.
    Without a lead time this is ``rate x staff x years``; with one it is lower.
    """
    from simkit.units import HOURS_PER_YEAR

    if lead_h <= 0.0:
        return staff * rate_annual * years
    lam = rate_annual / HOURS_PER_YEAR
    return staff * sum(_erlang_cdf(k, lam * a) for k, a in _attrition_cycles(rate_annual, years, lead_h))


def attrition_vacancy_h(staff: int, rate_annual: float, years: float, lead_h: float) -> float:
    """Expected position-hours vacant (unpaid) over ``years`` in the setting of :func:`attrition_leavers`.

    The ``k``-th vacancy lasts ``min(L, T - S_k)`` (cut at the horizon), and
    ``E[min(L, (T - S)^+)] = int_0^L P(S <= T - u) du``; with ``F_k`` the Erlang distribution
    function, ``int_0^s F_k = s F_k(s) - (k / lam) F_{k+1}(s)``.
    """
    from simkit.units import HOURS_PER_YEAR

    if lead_h <= 0.0 or rate_annual <= 0.0:
        return 0.0
    lam = rate_annual / HOURS_PER_YEAR

    def integral(k: int, s: float) -> float:  # int_0^s F_k(x) dx
        return 0.0 if s <= 0 else s * _erlang_cdf(k, lam * s) - k / lam * _erlang_cdf(k + 1, lam * s)

    return staff * sum(integral(k, a) - integral(k, a - lead_h)
                       for k, a in _attrition_cycles(rate_annual, years, lead_h))


def annuity_pv(amount_per_month: float, months: int, discount_rate_annual: float) -> float:
    """PV of ``amount_per_month`` paid at the end of each of ``months`` months."""
    r = (1.0 + discount_rate_annual) ** (1.0 / 12.0) - 1.0
    if r == 0:
        return amount_per_month * months
    return amount_per_month * (1.0 - (1.0 + r) ** -months) / r


def growing_annuity_pv(first_payment: float, periods: int, rate: float, growth: float) -> float:
    """PV of ``periods`` end-of-period payments starting at ``first_payment`` and growing by ``growth``."""
    if abs(rate - growth) < 1e-15:
        return first_payment * periods / (1.0 + rate)
    return first_payment / (rate - growth) * (1.0 - ((1.0 + growth) / (1.0 + rate)) ** periods)


def break_even_volume(fixed_cost: float, vendor_price_per_item: float, own_variable_cost_per_item: float) -> float:
    """Volume above which making is cheaper than buying: ``Q* = F / (p - v)``; ``inf`` if ``p <= v``."""
    margin = vendor_price_per_item - own_variable_cost_per_item
    return math.inf if margin <= 0 else fixed_cost / margin


def overlap_wait_mean_h(overlap_h: float) -> float:
    """Mean wait for an answer to a question raised uniformly over the day, answered only during
    an ``overlap_h``-hour daily overlap: ``(24 - o)^2 / 48``."""
    if not 0 <= overlap_h <= 24:
        raise ValueError("overlap_h must be within [0, 24]")
    return (24.0 - overlap_h) ** 2 / 48.0


def erlang_a(c: int, arrival_rate_per_h: float, service_mean_h: float, patience_mean_h: float) -> dict[str, float]:
    """M/M/c+M (Erlang A): Poisson arrivals, exponential service and exponential patience.

    Solved exactly from the birth-death chain on the number in system (birth ``lambda``,
    death ``min(n, c) mu + max(n - c, 0) theta``), truncated where the terms vanish.

    Returns
    -------
    dict
        ``p_wait`` (an arrival finds all servers busy), ``p_abandon`` (``theta E[Q] / lambda``)
        and ``wait_mean_h`` (mean time in queue over all arrivals, ``E[Q] / lambda``).
    """
    lam, mu, theta = arrival_rate_per_h, 1.0 / service_mean_h, 1.0 / patience_mean_h
    probs = [1.0]
    n = 0
    while True:
        n += 1
        probs.append(probs[-1] * lam / (min(n, c) * mu + max(n - c, 0) * theta))
        if (n > c and probs[-1] < 1e-18 * sum(probs)) or n > c + 1_000_000:
            break
    total = sum(probs)
    p = [x / total for x in probs]
    eq = sum((k - c) * pk for k, pk in enumerate(p) if k > c)
    return {"p_wait": sum(p[c:]), "p_abandon": theta * eq / lam, "wait_mean_h": eq / lam}


def dual_sourcing_p_both_down(p_down: float, common_cause_share: float = 0.0) -> float:
    """Probability that two sources with equal unavailability ``p`` are down together:
    ``p^2`` if independent, about ``beta p + ((1 - beta) p)^2`` with a common-cause share ``beta``."""
    b = common_cause_share
    return b * p_down + ((1.0 - b) * p_down) ** 2
