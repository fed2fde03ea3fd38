"""Rectification deadlines: found date + ``rectify_days``, in calendar days or Chinese working days."""

import logging
from datetime import date, timedelta
from functools import cache

import chinese_calendar

from inspect_loop.hazards.models import DayBasis

log = logging.getLogger(__name__)

# Public holidays on fixed dates (全国年节及纪念日放假办法, as revised from 2025): 元旦, 劳动节 (two days),
# 国庆节 (three days). Used only for a year the installed chinese-calendar does not know yet.
FIXED_DATE_HOLIDAYS = ((1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3))


@cache
def is_workday(day: date) -> bool:
    """A working day in mainland China: weekends and public holidays off, adjusted weekend days (调休上班) on.

    The State Council publishes a year's holiday schedule late in the year before, and chinese-calendar
    learns it in a later release. Until the installed release knows a year, a deadline reaching into it
    must still be computed — refusing would lose the inspection being recorded — so that year counts
    Monday to Friday without the fixed-date holidays; the lunar holidays and adjusted days are then unknown
    and a warning asks for an upgrade. A deadline once stored is not recomputed."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5 and (day.month, day.day) not in FIXED_DATE_HOLIDAYS


@cache
def _warn_unknown_year(year: int) -> None:
    log.warning("chinese-calendar has no holiday schedule for %s: working days that year are Monday to Friday "
                "without the fixed-date holidays until chinesecalendar is upgraded", year)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start``, skipping weekends and public holidays and counting
    the weekend days that are adjusted into working days (调休上班)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_workday(current):
            remaining -= 1
    return current


def deadline_for(found_on: date, rectify_days: int, basis: DayBasis) -> date:
    if basis == DayBasis.working:
        return add_working_days(found_on, rectify_days)
    return found_on + timedelta(days=rectify_days)
