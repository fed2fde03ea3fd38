"""Read-side helpers for cases: risk colour, overdue."""

from sqlalchemy import and_, exists, func, select
from sqlalchemy import case as sql_case

from inspect_loop import clock
from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.db import db
from inspect_loop.hazards.models import Severity
from inspect_loop.inspections.models import Finding, FindingStatus
from inspect_loop.units.models import Unit


def overdue_condition(today=None):
    """SQL condition: a finding is overdue when today is past its deadline and it is not closed."""
    today = today or clock.today()
    return and_(Finding.status == FindingStatus.open, Finding.deadline < today)


def open_finding_summary(today, by=Finding.case_id):
    """Open findings grouped ``by`` a column of Finding (the case, or the unit), as a subquery: the key (named
    like the column), ``open_count``, ``overdue_count``, ``nearest_deadline`` and ``latest_deadline``. Lists
    join it to show "未销号3（逾期1）· 12-04 逾期1天" per row in the same query."""
    return (select(by.label(by.key), func.count(Finding.id).label("open_count"),
                   func.sum(sql_case((Finding.deadline < today, 1), else_=0)).label("overdue_count"),
                   func.min(Finding.deadline).label("nearest_deadline"),
                   func.max(Finding.deadline).label("latest_deadline"))
            .where(Finding.status == FindingStatus.open).group_by(by).subquery())


def risk_color_expression(today=None):
    """三色 of a unit as one SQL expression over ``Unit``, usable in lists and single look-ups alike."""
    today = today or clock.today()
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
        else_="green",
    )


def risk_color(unit: Unit) -> str:
    return db.session.scalar(select(risk_color_expression()).where(Unit.id == unit.id))


def open_case_of(unit_id: int) -> Case | None:
    return db.session.scalar(select(Case).where(Case.unit_id == unit_id, Case.status == CaseStatus.open))
