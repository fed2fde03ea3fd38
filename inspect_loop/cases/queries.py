"""Read-side helpers for cases: risk colour, overdue."""

from functools import cache

from sqlalchemy import Date, and_, bindparam, exists, func, select
from sqlalchemy import case as sql_case

from inspect_loop import clock
from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.db import db
from inspect_loop.hazards.models import Severity
from inspect_loop.inspections.models import Finding, FindingStatus
from inspect_loop.units.models import CLOSED_UNIT_STATUSES, Unit

# The states of 三色: the three colours, and the closed places' own grey (已关停/取缔/注销), never green.
RISK_STATES = ("red", "yellow", "green", "closed")


def overdue_condition(today=None):
    """SQL condition: a finding is overdue when today is past its deadline and it is not closed."""
    today = clock.today() if today is None else today  # a bound parameter has no truth value
    return and_(Finding.status == FindingStatus.open, Finding.deadline < today)


def open_finding_columns(today, owner_column, owner):
    """Open findings of one case or unit (``Finding.case_id == Case.id``, ``Finding.unit_id == Unit.id``) as
    correlated scalar subqueries: how many, how many overdue, the nearest and the latest deadline — for the
    phone row's "未销号3（逾期1）· 12-04 逾期1天". Each is an index lookup per row of the page (the rows are
    paginated first); a grouped subquery over every open finding would read the whole index for 20 rows."""
    def of(column, *conditions):
        return (select(column).where(owner_column == owner.id, Finding.status == FindingStatus.open, *conditions)
                .correlate(owner).scalar_subquery())

    return (of(func.count(Finding.id)), of(func.count(Finding.id), Finding.deadline < today),
            of(func.min(Finding.deadline)), of(func.max(Finding.deadline)))


def risk_color_expression(today=None):
    """三色 of a unit as one SQL expression over ``Unit``, usable in lists and single look-ups alike.

    A place shut down, banned or deregistered is ``closed`` (grey), never green; an open case still makes it
    red or yellow first (a banned place found operating again is a live risk)."""
    today = clock.today() if today is None else today  # a bound parameter has no truth value
    open_case_at = lambda stage: exists().where(  # noqa: E731
        Case.unit_id == Unit.id, Case.status == CaseStatus.open, Case.stage == stage)
    overdue_at = lambda stage: exists().where(  # noqa: E731
        Finding.unit_id == Unit.id, overdue_condition(today), Finding.case_id == Case.id,
        Case.stage == stage, Case.status == CaseStatus.open)
    open_major = exists().where(Finding.unit_id == Unit.id, Finding.status == FindingStatus.open,
                                Finding.severity == Severity.major)
    return sql_case(
        (open_case_at(Stage.enforcement) | open_major | overdue_at(Stage.warning), "red"),
        (open_case_at(Stage.warning) | overdue_at(Stage.reminder), "yellow"),
        (Unit.status.in_(CLOSED_UNIT_STATUSES), "closed"),
        else_="green",
    )


@cache
def risk_colors_statement():
    """(unit id, 三色) of the units ``unit_ids`` on ``today`` (both bound), built once: the expression's five
    subqueries cost more to build than to run for a page of units."""
    return (select(Unit.id, risk_color_expression(bindparam("today", type_=Date)))
            .where(Unit.id.in_(bindparam("unit_ids", expanding=True))))


def risk_color(unit: Unit) -> str:
    return db.session.execute(risk_colors_statement(), {"today": clock.today(), "unit_ids": [unit.id]}).one()[1]


def open_case_of(unit_id: int) -> Case | None:
    return db.session.scalar(select(Case).where(Case.unit_id == unit_id, Case.status == CaseStatus.open))
