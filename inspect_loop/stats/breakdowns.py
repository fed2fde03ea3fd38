"""Breakdowns beside the summary: trend by month, by hazard category and sector, 三色 per township, overdue list."""

from datetime import date
from functools import cache

from sqlalchemy import Date, and_, bindparam, case, distinct, func, select, union

from inspect_loop import clock
from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.cases.queries import overdue_condition
from inspect_loop.db import db
from inspect_loop.enforcement.models import EnforcementAction
from inspect_loop.hazards.models import HazardType, Severity
from inspect_loop.inspections.models import CloseKind, Finding, FindingStatus
from inspect_loop.interviews.models import InterviewRound, Summons, TrainingSession
from inspect_loop.labels import zh
from inspect_loop.regions.models import Department, DepartmentKind, DepartmentSector, Region, RegionLevel
from inspect_loop.stats.queries import (
    BoundPeriod,
    Period,
    built_once,
    period_of,
    ratio,
    rectified_on_time,
    rounds_held,
    statistical_region,
    summonses_in,
    training_held,
    unit_in_region,
)
from inspect_loop.stats.sql import year_month
from inspect_loop.units.models import CLOSED_UNIT_STATUSES, Unit

# The three colours of places in operation; the closed places (关停、取缔、注销) are counted apart, in grey.
RISK_COLORS = ("red", "yellow", "green")


def months_between(date_from: date, date_to: date) -> list[str]:
    months, year, month = [], date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _by_month(statement, month_column):
    bucket = year_month(month_column).label("month")
    return statement.add_columns(bucket).group_by(bucket)


@built_once
def _trend_statements(period: BoundPeriod) -> tuple:
    """Per month: found; closed and on time; cases opened; rounds and person-times; units interviewed;
    enforcement actions; education sessions' person-times."""
    return (
        _by_month(select(func.count(Finding.id), func.count(Finding.id).filter(Finding.close_kind == CloseKind.on_the_spot))
                  .where(period.covers(Finding.found_on), period.in_region(Finding.unit_id)), Finding.found_on),
        _by_month(select(func.count(Finding.id), func.coalesce(func.sum(case((rectified_on_time(), 1), else_=0)), 0))
                  .where(Finding.status == FindingStatus.closed, period.covers(Finding.closed_on),
                         period.in_region(Finding.unit_id)), Finding.closed_on),
        _by_month(select(func.count(Case.id)).where(period.covers(Case.opened_on), period.in_region(Case.unit_id)),
                  Case.opened_on),
        _by_month(select(func.count(InterviewRound.id), func.coalesce(func.sum(InterviewRound.participants), 0))
                  .where(rounds_held(period)), InterviewRound.held_on),
        _by_month(summonses_in(period).add_columns(func.count(distinct(Summons.unit_id)))
                  .where(Summons.attended.is_(True)), InterviewRound.held_on),
        _by_month(select(func.count(EnforcementAction.id)).where(
            period.covers(EnforcementAction.decided_on), period.in_region(EnforcementAction.unit_id)),
            EnforcementAction.decided_on),
        _by_month(select(func.coalesce(func.sum(TrainingSession.person_times), 0)).where(training_held(period)),
                  TrainingSession.held_on),
    )


def monthly_trend(date_from: date, date_to: date, region_code: str | None = None) -> list[dict]:
    """Per month of the period: findings found and closed, on-time rate, cases opened, rounds, enforcement."""
    period = period_of(date_from, date_to, region_code)
    found, closed, opened, rounds, interviewed, enforced, trained = (
        {row.month: tuple(row)[:-1] for row in db.session.execute(statement, period.parameters())}
        for statement in _trend_statements(period))
    trend = []
    for month in months_between(period.date_from, period.date_to):
        closed_count, on_time = (int(value) for value in closed.get(month, (0, 0)))
        round_count, person_times = (int(value) for value in rounds.get(month, (0, 0)))
        found_count, on_the_spot = (int(value) for value in found.get(month, (0, 0)))
        trend.append({
            "month": month,
            "findings_found": found_count,
            "on_the_spot_rectified": on_the_spot,
            "findings_closed": closed_count,
            "findings_rectified_on_time": on_time,
            "on_time_rate": ratio(on_time, closed_count),
            "cases_opened": int(opened.get(month, (0,))[0]),
            "interview_rounds": round_count,
            "education_person_times": person_times + int(trained.get(month, (0,))[0]),
            "units_interviewed": int(interviewed.get(month, (0,))[0]),
            "enforcement_actions": int(enforced.get(month, (0,))[0]),
        })
    return trend


COHORT_COUNTS = ("found", "major", "on_the_spot", "closed", "on_time", "open", "overdue")


@built_once
def _cohort_statements(period: BoundPeriod) -> tuple:
    count_if = lambda condition: func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # noqa: E731
    return (select(Finding.hazard_type_id, func.count(Finding.id), count_if(Finding.severity == Severity.major),
                   count_if(Finding.close_kind == CloseKind.on_the_spot), count_if(Finding.status == FindingStatus.closed), count_if(rectified_on_time()),
                   count_if(Finding.status == FindingStatus.open), count_if(overdue_condition(period.today)))
            .where(period.covers(Finding.found_on), period.in_region(Finding.unit_id))
            .group_by(Finding.hazard_type_id),)


def _cohort_by_hazard_type(period: Period) -> list[tuple[HazardType, dict[str, int]]]:
    """Findings found in the period, per hazard type: how many, major, closed, on time, still open, overdue now.

    One GROUP BY over the findings' own ``hazard_type_id``. Rolling the few dozen hazard types up into
    categories or sectors (``_rolled_up``) is left to Python, so that the dashboard's two tables cost one
    query (``cohorts``).
    """
    statement, = _cohort_statements(period)
    rows = db.session.execute(statement, period.parameters()).all()
    counts = {row[0]: dict(zip(COHORT_COUNTS, (int(value) for value in row[1:]), strict=True)) for row in rows}
    hazards = db.session.scalars(select(HazardType).where(HazardType.id.in_(counts))) if counts else []
    return [(hazard, counts[hazard.id]) for hazard in hazards]


def _rolled_up(per_hazard_type: list[tuple[HazardType, dict[str, int]]], attribute: str) -> list[tuple[str, dict]]:
    """The per-hazard-type counts summed per category or sector; most findings first, then by name in
    code-point order (the databases' collations of Chinese differ)."""
    totals: dict[str, dict[str, int]] = {}
    for hazard, counts in per_hazard_type:
        total = totals.setdefault(getattr(hazard, attribute), dict.fromkeys(COHORT_COUNTS, 0))
        for key, value in counts.items():
            total[key] += value
    return sorted(totals.items(), key=lambda item: (-item[1]["found"], item[0]))


def _cohort_row(counts: dict[str, int]) -> dict:
    return {"found": counts["found"], "major": counts["major"], "on_the_spot": counts["on_the_spot"],
            "closed": counts["closed"],
            "rectified_on_time": counts["on_time"], "on_time_rate": ratio(counts["on_time"], counts["closed"]),
            "open": counts["open"], "overdue": counts["overdue"]}


def _regulator_names(period: Period) -> dict[str, list[str]]:
    """sector → the names of the regulators answering for it (in the region's county)."""
    regulators = select(DepartmentSector.sector, Department.name).join(Department).where(
        Department.kind == DepartmentKind.regulator).order_by(Department.code)
    if period.region is not None:
        county_id = (period.region.id if period.region.level == RegionLevel.county else period.region.parent_id)
        regulators = regulators.where(Department.region_id == county_id)
    names: dict[str, list[str]] = {}
    for sector, name in db.session.execute(regulators):
        names.setdefault(sector, []).append(name)
    return names


def _category_rows(per_hazard_type) -> list[dict]:
    return [{"category": category, **_cohort_row(counts)} for category, counts in _rolled_up(per_hazard_type,
                                                                                             "category")]


def _sector_rows(per_hazard_type, period: Period) -> list[dict]:
    names = _regulator_names(period)
    return [{"sector": sector, "regulators": names.get(sector, []), **_cohort_row(counts)}
            for sector, counts in _rolled_up(per_hazard_type, "sector")]


def by_category(date_from: date, date_to: date, region_code: str | None = None) -> list[dict]:
    """Findings found in the period by hazard category (消防安全, 食品安全 …)."""
    return _category_rows(_cohort_by_hazard_type(period_of(date_from, date_to, region_code)))


def by_sector(date_from: date, date_to: date, region_code: str | None = None) -> list[dict]:
    """Findings found in the period by sector, with the regulator(s) answering for each sector."""
    period = period_of(date_from, date_to, region_code)
    return _sector_rows(_cohort_by_hazard_type(period), period)


def cohorts(date_from: date, date_to: date, region_code: str | None = None) -> tuple[list[dict], list[dict]]:
    """``(by_category(…), by_sector(…))`` from one query."""
    period = period_of(date_from, date_to, region_code)
    per_hazard_type = _cohort_by_hazard_type(period)
    return _category_rows(per_hazard_type), _sector_rows(per_hazard_type, period)


def townships_of(region: Region | None):
    """Townships in scope: those of a county, the township itself, or every township."""
    query = select(Region).where(Region.level == RegionLevel.township).order_by(Region.code)
    if region is None:
        return query
    if region.level == RegionLevel.county:
        return query.where(Region.parent_id == region.id)
    return query.where(Region.id == region.id)


def risk_units(today: date):
    """(red, yellow): two non-correlated subqueries of unit ids, the 三色 rule of SPEC section 3 as sets.

    ``cases.queries.risk_color_expression`` says the same per unit, with a correlated EXISTS for every unit;
    counting a county's 40,000 units reads better the other way round, from the few open cases and
    findings to their units (``tests/stats/test_breakdowns.py`` checks that both agree).
    """
    open_case_at = lambda stage: select(Case.unit_id).where(  # noqa: E731
        Case.status == CaseStatus.open, Case.stage == stage)
    overdue_at = lambda stage: (select(Finding.unit_id).join(Case, Case.id == Finding.case_id)  # noqa: E731
                                .where(overdue_condition(today), Case.status == CaseStatus.open, Case.stage == stage))
    open_major = select(Finding.unit_id).where(Finding.status == FindingStatus.open, Finding.severity == Severity.major)
    red = union(open_case_at(Stage.enforcement), open_major, overdue_at(Stage.warning))
    yellow = union(open_case_at(Stage.warning), overdue_at(Stage.reminder))
    return red, yellow


@cache
def _risk_counts_statement():
    """Built once, with today as a bound parameter: the dashboard and the ranking count it on every request."""
    red, yellow = risk_units(bindparam("today", type_=Date))
    is_red = Unit.id.in_(red)
    is_yellow = and_(~is_red, Unit.id.in_(yellow))
    count_if = lambda condition: func.coalesce(func.sum(case((condition, 1), else_=0)), 0)  # noqa: E731
    return (select(Unit.township_id, func.count(Unit.id), count_if(is_red), count_if(is_yellow),
                   count_if(and_(~is_red, ~Unit.id.in_(yellow), Unit.status.in_(CLOSED_UNIT_STATUSES))))
            .group_by(Unit.township_id))


def risk_counts_by_township() -> dict[int, dict[str, int]]:
    """township id → {state: units}, the 三色 of ``cases.queries.risk_color_expression`` counted: each unit is
    looked up in the two sets of ``risk_units``; a closed place (关停、取缔、注销) neither red nor yellow is
    ``closed``, the rest green."""
    counts: dict[int, dict[str, int]] = {}
    for township_id, units, red_units, yellow_units, closed_units in db.session.execute(
            _risk_counts_statement(), {"today": clock.today()}):
        counts[township_id] = {"red": int(red_units), "yellow": int(yellow_units), "closed": int(closed_units),
                               "green": int(units) - int(red_units) - int(yellow_units) - int(closed_units)}
    return counts


def places_in_operation(counts: dict[str, int]) -> int:
    """The units a township's 三色 weighs: those with a colour (red, yellow, green), not the closed places."""
    return sum(counts.get(color, 0) for color in RISK_COLORS)


def risk_by_township(region_code: str | None = None) -> list[dict]:
    """Today's 三色 per township: the colours of the places in operation, and the closed places apart."""
    region = statistical_region(region_code)
    counts = risk_counts_by_township()
    rows = []
    for township in db.session.scalars(townships_of(region)):
        colors = counts.get(township.id, {})
        rows.append({"township_code": township.code, "township_name": township.name,
                     **{color: colors.get(color, 0) for color in RISK_COLORS},
                     "units": places_in_operation(colors), "closed": colors.get("closed", 0)})
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
             "stage_label": zh(row.stage),
             "found_on": row.found_on.isoformat(), "deadline": row.deadline.isoformat(),
             "days_overdue": (today - row.deadline).days} for row in rows]
