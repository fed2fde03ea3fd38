"""Breakdowns beside the summary: trend by month, by hazard category and sector, 三色 per township, overdue list."""

from datetime import date

from sqlalchemy import and_, case, distinct, func, select

from inspect_loop import clock
from inspect_loop.cases.models import STAGE_LABELS, Case
from inspect_loop.cases.queries import overdue_condition, risk_color_expression
from inspect_loop.db import db
from inspect_loop.enforcement.models import EnforcementAction
from inspect_loop.hazards.models import HazardType, Severity
from inspect_loop.inspections.models import Finding, FindingStatus
from inspect_loop.interviews.models import InterviewRound, Summons
from inspect_loop.regions.models import Department, DepartmentKind, DepartmentSector, Region, RegionLevel
from inspect_loop.stats.queries import (
    Period,
    period_of,
    ratio,
    rectified_on_time,
    rounds_held,
    statistical_region,
    summonses_in,
    unit_in_region,
)
from inspect_loop.stats.sql import year_month
from inspect_loop.units.models import Unit, UnitStatus

RISK_COLORS = ("red", "yellow", "green")
# Units that no longer operate have no colour worth counting.
CLOSED_UNIT_STATUSES = (UnitStatus.shut_down, UnitStatus.banned)


def months_between(date_from: date, date_to: date) -> list[str]:
    months, year, month = [], date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _by_month(statement, month_column) -> dict[str, tuple]:
    bucket = year_month(month_column).label("month")
    rows = db.session.execute(statement.add_columns(bucket).group_by(bucket)).all()
    return {row.month: tuple(row)[:-1] for row in rows}


def monthly_trend(date_from: date, date_to: date, region_code: str | None = None) -> list[dict]:
    """Per month of the period: findings found and closed, on-time rate, cases opened, rounds, enforcement."""
    period = period_of(date_from, date_to, region_code)
    found = _by_month(select(func.count(Finding.id)).where(
        period.covers(Finding.found_on), period.in_region(Finding.unit_id)), Finding.found_on)
    closed = _by_month(select(func.count(Finding.id), func.coalesce(func.sum(case((rectified_on_time(), 1),
                                                                                    else_=0)), 0))
                       .where(Finding.status == FindingStatus.closed, period.covers(Finding.closed_on),
                              period.in_region(Finding.unit_id)), Finding.closed_on)
    opened = _by_month(select(func.count(Case.id)).where(period.covers(Case.opened_on),
                                                         period.in_region(Case.unit_id)), Case.opened_on)
    rounds = _by_month(select(func.count(InterviewRound.id), func.coalesce(func.sum(InterviewRound.participants), 0))
                       .where(rounds_held(period)), InterviewRound.held_on)
    interviewed = _by_month(summonses_in(period).add_columns(
        func.count(distinct(Summons.unit_id))).where(Summons.attended.is_(True)), InterviewRound.held_on)
    enforced = _by_month(select(func.count(EnforcementAction.id)).where(
        period.covers(EnforcementAction.decided_on), period.in_region(EnforcementAction.unit_id)),
        EnforcementAction.decided_on)
    trend = []
    for month in months_between(period.date_from, period.date_to):
        closed_count, on_time = (int(value) for value in closed.get(month, (0, 0)))
        round_count, person_times = (int(value) for value in rounds.get(month, (0, 0)))
        trend.append({
            "month": month,
            "findings_found": int(found.get(month, (0,))[0]),
            "findings_closed": closed_count,
            "findings_rectified_on_time": on_time,
            "on_time_rate": ratio(on_time, closed_count),
            "cases_opened": int(opened.get(month, (0,))[0]),
            "interview_rounds": round_count,
            "education_person_times": person_times,
            "units_interviewed": int(interviewed.get(month, (0,))[0]),
            "enforcement_actions": int(enforced.get(month, (0,))[0]),
        })
    return trend


def _cohort_by(group_column, period: Period):
    """Findings found in the period, grouped: how many, major, closed, on time, still open, overdue now."""
    count_if = lambda condition: func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # noqa: E731
    return (select(group_column.label("key"), func.count(Finding.id).label("found"),
                   count_if(Finding.severity == Severity.major).label("major"),
                   count_if(Finding.status == FindingStatus.closed).label("closed"),
                   count_if(rectified_on_time()).label("on_time"),
                   count_if(Finding.status == FindingStatus.open).label("open"),
                   count_if(overdue_condition()).label("overdue"))
            .join(HazardType, HazardType.id == Finding.hazard_type_id)
            .where(period.covers(Finding.found_on), period.in_region(Finding.unit_id))
            .group_by(group_column))


def _largest_first(statement) -> list:
    """Most findings first, then by name in code-point order (the databases' collations of Chinese differ)."""
    return sorted(db.session.execute(statement), key=lambda row: (-row.found, row.key))


def _cohort_row(row) -> dict:
    return {"found": int(row.found), "major": int(row.major), "closed": int(row.closed),
            "rectified_on_time": int(row.on_time), "on_time_rate": ratio(int(row.on_time), int(row.closed)),
            "open": int(row.open), "overdue": int(row.overdue)}


def by_category(date_from: date, date_to: date, region_code: str | None = None) -> list[dict]:
    """Findings found in the period by hazard category (消防安全, 食品安全 …)."""
    period = period_of(date_from, date_to, region_code)
    return [{"category": row.key, **_cohort_row(row)} for row in _largest_first(_cohort_by(HazardType.category, period))]


def by_sector(date_from: date, date_to: date, region_code: str | None = None) -> list[dict]:
    """Findings found in the period by sector, with the regulator(s) answering for each sector."""
    period = period_of(date_from, date_to, region_code)
    regulators = select(DepartmentSector.sector, Department.name).join(Department).where(
        Department.kind == DepartmentKind.regulator).order_by(Department.code)
    if period.region is not None:
        county_id = (period.region.id if period.region.level == RegionLevel.county else period.region.parent_id)
        regulators = regulators.where(Department.region_id == county_id)
    names: dict[str, list[str]] = {}
    for sector, name in db.session.execute(regulators):
        names.setdefault(sector, []).append(name)
    return [{"sector": row.key, "regulators": names.get(row.key, []), **_cohort_row(row)}
            for row in _largest_first(_cohort_by(HazardType.sector, period))]


def townships_of(region: Region | None):
    """Townships in scope: those of a county, the township itself, or every township."""
    query = select(Region).where(Region.level == RegionLevel.township).order_by(Region.code)
    if region is None:
        return query
    if region.level == RegionLevel.county:
        return query.where(Region.parent_id == region.id)
    return query.where(Region.id == region.id)


def risk_counts_by_township() -> dict[int, dict[str, int]]:
    """township id → {colour: operating units}, grouped in SQL over ``risk_color_expression()``."""
    # The colour is computed in a subquery and grouped outside it: PostgreSQL would not match two renderings
    # of the same CASE with separately bound parameters in SELECT and GROUP BY.
    colored = (select(Unit.township_id.label("township_id"), risk_color_expression().label("color"))
               .where(Unit.status.not_in(CLOSED_UNIT_STATUSES)).subquery("colored"))
    counts: dict[int, dict[str, int]] = {}
    for township_id, color, count in db.session.execute(
            select(colored.c.township_id, colored.c.color, func.count())
            .group_by(colored.c.township_id, colored.c.color)):
        counts.setdefault(township_id, {})[color] = int(count)
    return counts


def risk_by_township(region_code: str | None = None) -> list[dict]:
    """Today's 三色 of operating units, counted per township (shut-down and banned units left out)."""
    region = statistical_region(region_code)
    counts = risk_counts_by_township()
    rows = []
    for township in db.session.scalars(townships_of(region)):
        colors = counts.get(township.id, {})
        rows.append({"township_code": township.code, "township_name": township.name,
                     **{color: colors.get(color, 0) for color in RISK_COLORS},
                     "units": sum(colors.values())})
    return rows


def overdue_list(region_code: str | None = None, limit: int = 50) -> list[dict]:
    """Findings past their deadline and not closed, longest overdue first."""
    region = statistical_region(region_code)
    township = Region.__table__.alias("township")
    today = clock.today()
    rows = db.session.execute(
        select(Finding.id, Finding.case_id, Finding.deadline, Finding.found_on, Finding.severity, Case.stage,
               Unit.id.label("unit_id"), Unit.name.label("unit_name"), township.c.name.label("township_name"),
               HazardType.code.label("hazard_code"), HazardType.title.label("hazard_title"),
               HazardType.sector.label("sector"))
        .join(Case, Case.id == Finding.case_id).join(Unit, Unit.id == Finding.unit_id)
        .join(township, township.c.id == Unit.township_id).join(HazardType, HazardType.id == Finding.hazard_type_id)
        .where(and_(overdue_condition(today), unit_in_region(Finding.unit_id, region)))
        .order_by(Finding.deadline, Finding.id).limit(limit))
    return [{"finding_id": row.id, "case_id": row.case_id, "unit_id": row.unit_id, "unit_name": row.unit_name,
             "township_name": row.township_name, "hazard_code": row.hazard_code, "hazard_title": row.hazard_title,
             "sector": row.sector, "severity": row.severity.value, "stage": row.stage.value,
             "stage_label": STAGE_LABELS[row.stage],
             "found_on": row.found_on.isoformat(), "deadline": row.deadline.isoformat(),
             "days_overdue": (today - row.deadline).days} for row in rows]
