"""Rectification deadlines: found date + ``rectify_days``, in calendar days or Chinese working days."""

from datetime import date, timedelta

import chinese_calendar

from inspect_loop.hazards.models import DayBasis


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start``, skipping weekends and public holidays and counting
    the weekend days that are adjusted into working days (调休上班)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if chinese_calendar.is_workday(current):
            remaining -= 1
    return current


def deadline_for(found_on: date, rectify_days: int, basis: DayBasis) -> date:
    if basis == DayBasis.working:
        return add_working_days(found_on, rectify_days)
    return found_on + timedelta(days=rectify_days)
