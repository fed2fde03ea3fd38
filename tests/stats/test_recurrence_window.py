"""“Two calendar months” after a close-out, the same on SQLite and PostgreSQL (clamped to the month's end)."""

from datetime import date

import pytest
from sqlalchemy import Date, literal, select

from inspect_loop.cases import ladder
from inspect_loop.stats import summary
from inspect_loop.stats.sql import add_months
from inspect_loop.units.operations import create_unit
from tests.helpers import at
from tests.stats.conftest import approve, assign, close, found, interview_round, reinspect, report


@pytest.mark.parametrize(("start", "months", "expected"), [
    ("2026-12-31", 2, "2027-02-28"),  # SQLite's own date(x, '+2 months') would say 2027-03-03
    ("2027-12-31", 2, "2028-02-29"),  # leap year
    ("2026-08-31", 2, "2026-10-31"),
    ("2026-08-31", 1, "2026-09-30"),
    ("2026-10-31", 1, "2026-11-30"),
    ("2026-04-15", 2, "2026-06-15"),
    ("2026-01-31", 1, "2026-02-28"),
])
def test_add_months_clamps_to_the_end_of_a_shorter_month(database, start, months, expected):
    result = database.session.scalar(select(add_months(literal(date.fromisoformat(start), Date), months)))
    assert result == date.fromisoformat(expected)


def closed_out_after_interview(county, units, found_on, reinspect_on, round_on, deadline, close_on):
    """Each unit: XF-01 found, re-inspection fails, attends one round, 交办单, reported, closed out on ``close_on``."""
    findings = [found(county, unit, "XF-01", found_on) for unit in units]
    for unit, finding in zip(units, findings, strict=True):
        reinspect(county, unit, [(finding, False)], reinspect_on)
    interview_round(county, round_on, [(finding.case, True) for finding in findings], 10)
    for finding in findings:
        assign(county, finding.case, county.fire, round_on, deadline)
        report(county, finding, round_on)
        approve(county.users.fire, finding, close_on)
        close(county, finding, close_on)


def test_recurrence_window_after_31_august_and_31_december(county, database):
    c = county
    with at("2026-07-01"):
        kiosk = create_unit(c.users.admin, name="兰江便民亭", region=c.east, category="商铺")
    august_in, august_out = c.units.shop, c.units.market
    december_in, december_out = c.units.factory, kiosk
    closed_out_after_interview(c, [august_in, august_out], "2026-08-03", "2026-08-12", "2026-08-20",
                               "2026-08-31", "2026-08-31")
    closed_out_after_interview(c, [december_in, december_out], "2026-12-01", "2026-12-10", "2026-12-17",
                               "2026-12-31", "2026-12-31")
    found(c, august_in, "XF-01", "2026-10-31")  # 31 August + 2 months = 31 October: inside
    found(c, august_out, "XF-01", "2026-11-01")  # a day later: outside
    found(c, december_in, "XF-01", "2027-02-28")  # 31 December + 2 months = 28 February: inside
    found(c, december_out, "XF-01", "2027-03-01")  # outside (SQLite's unclamped arithmetic says 3 March)
    database.session.commit()

    with at("2027-03-10"):
        august = summary(date(2026, 8, 1), date(2026, 8, 31))
        december = summary(date(2026, 12, 1), date(2026, 12, 31))
    assert august["units_interviewed"] == august["units_rectified_on_time"] == 2
    assert august["recurrence"] == {"units_eligible": 2, "units_recurred": 1, "rate": 0.5}
    assert december["recurrence"] == {"units_eligible": 2, "units_recurred": 1, "rate": 0.5}


def test_a_finding_on_the_close_out_day_itself_is_not_a_recurrence(county, database):
    c = county
    closed_out_after_interview(c, [c.units.shop], "2026-08-03", "2026-08-12", "2026-08-20", "2026-08-31",
                               "2026-08-31")
    # Found the evening of the close-out day, in a new case: close < found fails on the same date.
    found(c, c.units.shop, "XF-01", "2026-08-31", hour=18)
    database.session.commit()
    with at("2026-09-10"):
        result = summary(date(2026, 8, 1), date(2026, 8, 31))
    assert result["recurrence"] == {"units_eligible": 1, "units_recurred": 0, "rate": 0.0}


def test_a_finding_of_a_withdrawn_case_is_not_a_recurrence(county, database):
    c = county
    closed_out_after_interview(c, [c.units.shop, c.units.market], "2026-08-03", "2026-08-12", "2026-08-20",
                               "2026-08-31", "2026-08-31")
    found(c, c.units.shop, "XF-01", "2026-09-10")
    recorded_in_error = found(c, c.units.market, "XF-01", "2026-09-10")
    with at("2026-09-11"):
        ladder.withdraw(recorded_in_error.case, c.users.office, "录入错误：检查对象有误")
    database.session.commit()
    with at("2026-09-20"):
        result = summary(date(2026, 8, 1), date(2026, 8, 31))
    assert result["recurrence"] == {"units_eligible": 2, "units_recurred": 1, "rate": 0.5}
