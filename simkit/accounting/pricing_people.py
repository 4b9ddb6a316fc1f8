"""Pricing a team's people: ``labour``, ``overhead``, ``overtime``, ``call_outs``, ``recruiting``, layoff ``severance``.

A team is paid for every hour it is on shift, idle or not (``labour`` = staffed hours x loaded
hourly cost), plus overhead per FTE-month, plus the hours worked after closing at the overtime
premium; a roster's on-call shift is paid per call-out (its fee) and for the hours worked on
call-outs.  Hiring and layoffs are dated events: each hire costs the team's recruiting cost, each
layoff its severance.  Wages, overhead, overtime and call-outs of a team with ``fx`` follow the
exchange rate; recruiting and severance are paid in the scenario's currency (:mod:`simkit.accounting.book`).
"""

from __future__ import annotations

from simkit.accounting.book import Book
from simkit.accounting.usage import PoolUsage, Usage
from simkit.scenario.model import Scenario

__all__ = ["price_team", "price_hire", "price_layoff", "price_call_out"]


def price_team(book: Book, scenario: Scenario, pu: PoolUsage) -> None:
    """Book what team ``pu`` cost each month: its wages, overhead, overtime and the hours worked on call-outs."""
    team = scenario.teams[pu.name]
    book.add("labour", team.loaded_cost_per_hour * pu.staff_h, pu.fx)
    if pu.overtime_h is not None:
        book.add("overtime", team.loaded_cost_per_hour * (1 + team.overtime_premium) * pu.overtime_h, pu.fx)
    book.add("overhead", team.overhead_per_fte_month * pu.staff_months, pu.fx)
    if pu.on_call_h is not None:
        book.add("call_outs", team.loaded_cost_per_hour * pu.on_call_h, pu.fx)


def price_hire(book: Book, scenario: Scenario, use: Usage, month: int, team: str) -> None:
    """A hire: the team's recruiting cost."""
    book.one_off("recruiting", month, scenario.teams[team].hiring.recruiting_cost)


def price_layoff(book: Book, scenario: Scenario, use: Usage, month: int, team: str) -> None:
    """A layoff: the team's severance per FTE."""
    book.one_off("severance", month, scenario.teams[team].hiring.severance_per_fte)


def price_call_out(book: Book, scenario: Scenario, use: Usage, month: int, team: str) -> None:
    """A call-out of the team's on-call shift: its fee, at the team's exchange rate when it has one."""
    fee = next(s.call_out_fee for s in scenario.teams[team].shifts if s.on_call)
    book.one_off("call_outs", month, fee, use.fx_of(team))
