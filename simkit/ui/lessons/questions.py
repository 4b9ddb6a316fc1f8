"""The lessons' exercises: each question's text, its answer (or how to compute it) and its tolerance.

Every question is self-contained: the numbers it needs are in its text, and its answer is computed from
them with :mod:`simkit.analytic` where a closed form exists.  Questions are keyed ``"<lesson>.<name>"``
and grouped by lesson (03 to 11); :mod:`simkit.ui.lessons.exercises` asks and checks them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

from simkit import analytic

__all__ = ["Answer", "Question", "QUESTIONS"]

Answer = float | str


@dataclass(frozen=True)
class Question:
    """One exercise: its text, its answer (or how to compute it), and the tolerance allowed."""

    text: str
    answer: Answer | Callable[[], Answer]
    rel_tol: float = 0.02
    abs_tol: float = 0.0
    unit: str = ""
    hint: str = ""
    why: str = ""

    def expected(self) -> Answer:
        """The expected answer (computed now if it is given as a function)."""
        return self.answer() if callable(self.answer) else self.answer


def _team_cost_usd(staff: int, per_hour: float, hours: float, overhead_month: float, months: float) -> float:
    return staff * (per_hour * hours + overhead_month * months)


_F_HELPDESK = _team_cost_usd(2, 45.0, 2080.0, 800.0, 12.0)  # 206,400 USD a year
_STD_NORMAL = NormalDist()
_Z95 = _STD_NORMAL.inv_cdf(0.95)  # 1.645
# lesson 11: how far each uncertainty swings the provider's saving (closed forms of the question's numbers)
_SWINGS_USD = {"price": 4800 * (45 - 25) * 1.05, "volume": (6000 - 3600) * 35 * 1.05,
               "loaded_cost": 2 * 2080 * (55 - 35.0)}

QUESTIONS: dict[str, Question] = {
    # ---------------------------------------------------------------- 03 break-even
    "break_even.volume": Question(
        "Two engineers cost 2 x (45 USD/h x 2,080 h + 800 USD/month x 12) = 206,400 USD a year whatever "
        "the volume. A provider charges 30 USD a ticket plus 5% governance, after a one-off 9,000 USD "
        "transition. Above how many tickets a year is keeping the team cheaper?",
        lambda: analytic.break_even_volume(_F_HELPDESK - 9000.0, 30.0 * 1.05, 0.0),
        rel_tol=0.01, unit="tickets a year",
        hint="Q* = F / (p - v): F is the difference in fixed costs (team minus transition), p the "
             "all-in price per ticket (with governance), v the team's extra cost per ticket (zero).",
        why="(206,400 - 9,000) / (30 x 1.05) = 6,267 tickets: below it, buying is cheaper."),
    "break_even.price": Question(
        "Same team (206,400 USD a year) and transition (9,000 USD), and 4,800 tickets a year. At what "
        "price per ticket, before the 5% governance, do both options cost the same?",
        lambda: (_F_HELPDESK - 9000.0) / (4800 * 1.05), rel_tol=0.01, unit="USD a ticket",
        hint="Solve F - T = Q x p x (1 + g) for p.",
        why="(206,400 - 9,000) / (4,800 x 1.05) = 39.17 USD: the provider's 35 USD leaves a margin."),
    "break_even.scale": Question(
        "As the volume grows, whose cost per ticket falls: 'in_house' or 'vendor'?",
        "in_house", hint="Divide each option's total cost by the volume: which part is fixed?",
        why="The team's cost is fixed, so its cost per ticket falls as 1/Q; the provider's stays at p."),
    # ---------------------------------------------------------------- 04 hidden costs
    "hidden.headline": Question(
        "The spreadsheet compares an in-house developer at 80 USD/h (2,080 h a year) with an offshore "
        "engineer at 7,000 USD a month. What saving per head does it promise, as a share of the in-house "
        "cost (0 to 1)?",
        lambda: 1.0 - 7000.0 * 12 / (80.0 * 2080.0), abs_tol=0.005, unit="share",
        hint="Compare the yearly costs of one head: 80 x 2,080 against 7,000 x 12.",
        why="1 - 84,000 / 166,400 = 0.495: the famous 'half price'."),
    "hidden.agents": Question(
        "The vendor's engineers are 80% as productive in the first years. How many does it take to "
        "match 12 in-house developers?", 15.0, abs_tol=0.0, unit="engineers",
        hint="Capacity = heads x productivity.", why="12 / 0.8 = 15 engineers, not 12."),
    # ---------------------------------------------------------------- 05 queueing and pooling
    "queueing.p_wait": Question(
        "An IT desk gets 8 tickets an hour, each takes 1 hour on average, and 10 people answer around "
        "the clock. What share of tickets has to wait (Erlang C)?",
        lambda: analytic.erlang_c(10, 8.0), abs_tol=0.005, unit="share",
        hint="The offered load is a = lambda x mean service time; use analytic.erlang_c(c, a).",
        why="C(10, 8) = 0.409: even at 80% utilisation, four tickets in ten wait."),
    "queueing.servers": Question(
        "How many agents keep the probability of waiting at or below 0.2 at a load of 9 Erlangs?",
        lambda: float(analytic.min_servers_for_p_wait(9.0, 0.2)), abs_tol=0.0, unit="agents",
        hint="Add agents one at a time until erlang_c(c, 9) <= 0.2 (analytic.min_servers_for_p_wait).",
        why="13 agents: 4 above the load, about 1.3 x sqrt(9) (square-root staffing)."),
    "queueing.pooling": Question(
        "Four client teams each have a load of 5 Erlangs and each wants P(wait) <= 0.2. How many agents "
        "fewer does one pooled vendor desk need than the four separate teams together?",
        lambda: float(4 * analytic.min_servers_for_p_wait(5.0, 0.2)
                      - analytic.min_servers_for_p_wait(20.0, 0.2)),
        abs_tol=0.0, unit="agents",
        hint="Compare 4 x min_servers(5) with min_servers(4 x 5).",
        why="4 x 8 = 32 separately against 26 pooled: the spare agents grow with sqrt(a), so pooling "
            "halves them (12 to 6)."),
    # ---------------------------------------------------------------- 06 seasonal peaks
    "seasonal.peak_load": Question(
        "Tickets arrive at 1.6 an hour times the month's multiplier, each takes 1 hour of work. In "
        "December the multiplier is 1.9. What is December's offered load in Erlangs?",
        lambda: 1.6 * 1.9 * 1.0, rel_tol=0.01, unit="Erlangs",
        hint="a = rate x multiplier x mean effort.",
        why="1.6 x 1.9 = 3.04 Erlangs: more than three agents can serve, so December's queue grows."),
    # ---------------------------------------------------------------- 07 time zones
    "time_zones.wait": Question(
        "The provider works around the clock and raises questions at any hour; the client answers only in "
        "a 3-hour daily overlap. How long does a question wait for its answer on average?",
        lambda: analytic.overlap_wait_mean_h(3.0), rel_tol=0.01, unit="hours",
        hint="A question raised in the overlap is answered at once; one raised outside waits on average "
             "half the closed hours: (24 - o) / 24 x (24 - o) / 2.",
        why="(24 - 3)^2 / 48 = 9.19 h: most questions are raised while the client sleeps."),
    "time_zones.per_item": Question(
        "40% of requests need one question, the provider asks 1.5 times as often, and the overlap is 8 "
        "hours. How many hours of waiting for answers does that add to an average request?",
        lambda: min(1.0, 0.4 * 1.5) * analytic.overlap_wait_mean_h(8.0), rel_tol=0.02, unit="hours",
        hint="Share of requests that ask x mean wait per question.",
        why="0.6 x (24 - 8)^2 / 48 = 0.6 x 5.33 = 3.2 h per request."),
    "time_zones.overlap_needed": Question(
        "How many hours of daily overlap keep the mean wait for an answer at 2 hours?",
        lambda: 24.0 - (2.0 * 48.0) ** 0.5, rel_tol=0.02, unit="hours",
        hint="Solve (24 - o)^2 / 48 = 2 for o.",
        why="24 - sqrt(96) = 14.2 h: a short overlap is cheap to add, but the last hours of waiting are "
            "the most expensive to remove."),
    # ---------------------------------------------------------------- 08 vendor failure
    "failure.availability": Question(
        "A provider fails on average every 500 hours and takes 36 hours to recover. What share of the "
        "time is it up?", lambda: analytic.availability(500.0, 36.0), abs_tol=0.002, unit="share",
        hint="Availability = MTBF / (MTBF + MTTR).", why="500 / 536 = 0.933: down about 7% of the time."),
    "failure.both_down": Question(
        "Two providers, each up 93.3% of the time, fail independently. What share of the time are both "
        "down together?", lambda: analytic.dual_sourcing_p_both_down(1 - 0.933), abs_tol=0.0005,
        unit="share", hint="Independent events: multiply the probabilities.",
        why="0.067^2 = 0.0045: fifteen times rarer than one provider being down."),
    "failure.common_cause": Question(
        "Same two providers, but 20% of the outages have a common cause (the same data centre, the same "
        "cloud region). About what share of the time are both down?",
        lambda: analytic.dual_sourcing_p_both_down(1 - 0.933, 0.2), abs_tol=0.001, unit="share",
        hint="beta p + ((1 - beta) p)^2 with beta = 0.2 and p = 0.067.",
        why="0.2 x 0.067 + (0.8 x 0.067)^2 = 0.016: a small common cause undoes most of the hedge."),
    "failure.survival": Question(
        "A provider goes out of business at a constant hazard of 0.3 a year. What is the probability it "
        "is still there at the end of a three-year contract?", lambda: analytic.survival(0.3, 3.0),
        abs_tol=0.005, unit="probability", hint="exp(-hazard x years).",
        why="exp(-0.9) = 0.41: more likely than not, the exit plan will be used."),
    # ---------------------------------------------------------------- 09 lock-in
    "lock_in.price": Question(
        "A provider charges 300 USD a request. Each yearly renewal adds 4% indexation and a lock-in premium "
        "of 8% x 2 x asset specificity, with asset specificity 0.5. What is the price after two renewals?",
        lambda: 300.0 * (1.04 * 1.08) ** 2, rel_tol=0.005, unit="USD a request",
        hint="Each renewal multiplies the price by (1 + indexation) x (1 + premium x 2 x specificity).",
        why="300 x (1.04 x 1.08)^2 = 378.5 USD: 26% more in two years."),
    "lock_in.specificity": Question(
        "Same contract, but the work is highly specific (asset specificity 1.0). What is the price after two "
        "renewals?", lambda: 300.0 * (1.04 * 1.16) ** 2, rel_tol=0.005, unit="USD a request",
        hint="The premium doubles: 8% x 2 x 1.0 = 16% a renewal.",
        why="300 x (1.04 x 1.16)^2 = 436.6 USD: specificity is what the provider charges for."),
    "lock_in.erosion": Question(
        "A rebuilt team starts at 60% productivity, less 10% for each year the work was away. What is its "
        "productivity in its first month after three years of outsourcing (0 to 1)?",
        lambda: 0.6 * (1 - 0.10 * 3), abs_tol=0.005, unit="share",
        hint="ramp start x (1 - erosion x years away).",
        why="0.6 x 0.7 = 0.42: below what the work needs, so a backlog builds while the team relearns."),
    # ---------------------------------------------------------------- 10 cost at risk
    "risk.var": Question(
        "A three-year cost is roughly normal with mean 1.0 million USD and standard deviation 0.2 million. "
        "What is its 95% value at risk (the cost exceeded with 5% probability), in million USD?",
        lambda: 1.0 + 0.2 * _Z95, rel_tol=0.01, unit="million USD",
        hint="mean + z x sd, with z the 95% quantile of the standard normal (1.645).",
        why="1.0 + 1.645 x 0.2 = 1.33 million USD."),
    "risk.cvar": Question(
        "Same distribution: what is the 95% CVaR, the mean cost in the worst 5% of futures, in million USD?",
        lambda: 1.0 + 0.2 * _STD_NORMAL.pdf(_Z95) / 0.05, rel_tol=0.01, unit="million USD",
        hint="For a normal: mean + sd x phi(z) / 0.05, with phi the standard normal density.",
        why="1.0 + 0.2 x 2.063 = 1.41 million USD: the tail is worse than its threshold."),
    # ---------------------------------------------------------------- 11 sensitivity and the decision map
    "decision.swing": Question(
        "Against the team, the provider saves S = F - T - Q x p x (1 + g), with F = 206,400 USD a year, "
        "T = 9,000 USD of transition, Q = 4,800 tickets a year and g = 5% governance. By how much does the "
        "saving fall when the negotiated price p ends at 45 instead of 25 USD a ticket?",
        lambda: 4800 * (45.0 - 25.0) * 1.05, rel_tol=0.01, unit="USD a year",
        hint="S is a straight line in p: its swing is Q x (1 + g) x (45 - 25).",
        why="4,800 x 1.05 x 20 = 100,800 USD: the longest bar of the lesson's tornado."),
    "decision.largest": Question(
        "Same saving. Which uncertainty moves it most: 'price' (25 to 45 USD a ticket at 4,800 tickets), "
        "'volume' (3,600 to 6,000 tickets at 35 USD) or 'loaded_cost' (2 engineers x 2,080 h at 35 to "
        "55 USD/h)?",
        lambda: max(_SWINGS_USD, key=_SWINGS_USD.__getitem__),
        hint="Work out each swing: Q x (1 + g) x the price range; the volume range x p x (1 + g); hours x the "
             "cost range.",
        why="price 100,800 > volume 88,200 > loaded cost 83,200 USD: the same order, so none can be ignored, "
            "and the price is the one that can be negotiated."),
    "decision.boundary": Question(
        "On the decision map the choice flips at the break-even volume Q* = (F - T) / (p x (1 + g)). If the "
        "provider's price rises by 10%, by what factor is Q* multiplied (new / old)?",
        lambda: 1.0 / 1.1, abs_tol=0.005, unit="factor",
        hint="Q* is proportional to 1 / p.",
        why="1 / 1.1 = 0.909: the boundary is a hyperbola, and a 10% dearer provider stays cheaper only up to "
            "a 9% lower volume."),
    "decision.resimulate": Question(
        "Which break-even needs the engine to run again at every trial value: the 'price' one or the "
        "'volume' one?",
        "volume",
        hint="Which of the two changes what happens (which tickets arrive, who serves them, when) rather than "
             "only what it costs?",
        why="More volume means other tickets, so every trial is a new simulation with its own noise and the "
            "break-even is a band; a price only re-prices the same run logs, so its break-even is exact."),
    # ---------------------------------------------------------------- 13 quality and rework
    "quality.escaped_per_item": Question(
        "A vendor gets 12% of claims wrong and its own checks find half of its errors; each error that "
        "escapes costs the client 120 USD. What does escaped quality add to the cost of an average claim?",
        lambda: 0.12 * (1 - 0.5) * 120.0, rel_tol=0.01, unit="USD a claim",
        hint="defect share x (1 - detection share) x cost of an escaped defect.",
        why="0.12 x 0.5 x 120 = 7.20 USD: half again on top of a 14 USD price."),
    "quality.detection_break_even": Question(
        "The cheap vendor bills 14 USD a claim, the careful one 18 USD, both plus 5% governance. The careful "
        "one's escaped errors add 0.36 USD a claim. The cheap one gets 12% wrong and an escape costs 120 USD. "
        "From what detection share (0 to 1) is the cheap vendor cheaper per claim?",
        lambda: 1 - (18.0 * 1.05 + 0.36 - 14.0 * 1.05) / (0.12 * 120.0), abs_tol=0.01, unit="share",
        hint="Solve 14 x 1.05 + 0.12 x (1 - s) x 120 = 18 x 1.05 + 0.36 for s.",
        why="1 - (19.26 - 14.70) / 14.4 = 0.683: the cheap vendor must find two errors in three before it "
            "ships them to be cheaper."),
    "quality.learning": Question(
        "The cheap vendor starts at 12% defects; the gap to its long-run 5% halves every 6 months. What is its "
        "defect share after one year (0 to 1)?",
        lambda: 0.05 + (0.12 - 0.05) * 0.5 ** (12 / 6), abs_tol=0.001, unit="share",
        hint="floor + (start - floor) x 0.5^(months / halving months).",
        why="0.05 + 0.07 x 0.25 = 0.0675: learning halves the gap twice, but the floor stays above the careful "
            "vendor's 3%."),
    # ---------------------------------------------------------------- 15 outsourcing vs offshoring
    "offshore.margin": Question(
        "An outsourcer in Pune bills 3,800 USD per FTE-month for staff it pays about 10 USD an hour for 190 hours "
        "a month. What share of the price is left for the vendor's overheads and margin (0 to 1)?",
        lambda: 1 - 10.0 * 190 / 3800.0, abs_tol=0.01, unit="share",
        hint="1 - (wage x hours) / price.",
        why="1 - 1,900 / 3,800 = 0.5: half the price is the vendor's bench, management, premises and profit — "
            "what a captive centre tries to keep."),
    "offshore.head_ratio": Question(
        "A captive head costs 11 USD/h x 2,080 h plus 1,500 USD a month of overhead; an outsourced head 3,800 USD "
        "a month plus 5% governance. What is the captive's yearly cost per head as a share of the outsourced one?",
        lambda: (11.0 * 2080 + 1500.0 * 12) / (3800.0 * 12 * 1.05), abs_tol=0.005, unit="share",
        hint="(11 x 2,080 + 1,500 x 12) / (3,800 x 12 x 1.05).",
        why="40,880 / 47,880 = 0.854: the captive saves about 15% a head before attrition, FX and its set-up."),
    "offshore.leavers": Question(
        "The captive's 9 staff leave at 18.7% a year and each leaver is replaced. How many leavers do you expect "
        "over two years?",
        lambda: 0.187 * 9 * 2, rel_tol=0.02, unit="people",
        hint="attrition rate x staff x years.",
        why="0.187 x 9 x 2 = 3.4 leavers: each leaves a vacancy for the hiring lead time and a slow new hire."),
}
