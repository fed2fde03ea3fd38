"""The SPEC section 5 figures (``summary``), each an aggregate query over local dates.

An item counts in the period when its own local date (``held_on``, ``decided_on``, ``closed_on`` …) lies in
``[date_from, date_to]``, both inclusive. ``region`` narrows every figure to units whose township or county
it is. Statuses that a figure reads "now" (closed out, closed now) are read as they stand when the query
runs. Definitions and the ambiguities resolved are in ``docs/statistics.md``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import (
    Date,
    DateTime,
    Integer,
    and_,
    bindparam,
    case,
    distinct,
    exists,
    func,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from inspect_loop import clock
from inspect_loop.cases.models import Case, Outcome
from inspect_loop.cases.queries import overdue_condition
from inspect_loop.db import db
from inspect_loop.deadline_extensions.models import ExtensionRequest, ExtensionStatus
from inspect_loop.enforcement.models import ActionKind, EnforcementAction
from inspect_loop.errors import InvalidInput
from inspect_loop.exposures.models import Exposure, ExposureItem, ExposureItemFinding, ExposureStatus
from inspect_loop.inspections.models import CloseKind, Finding, FindingDeadline, FindingStatus, Inspection
from inspect_loop.interviews.models import InterviewRound, Summons, TrainingSession
from inspect_loop.letters.models import SERVED_KINDS, Document, DocumentKind, DocumentService, DocumentStatus
from inspect_loop.regions.lookup import region_by_code
from inspect_loop.regions.models import Region, RegionLevel
from inspect_loop.stats.sql import add_months, local_day
from inspect_loop.units.models import Unit

RECURRENCE_MONTHS = 2
# The served notices in the order the figures list them (``service_figures``).
STATISTICAL_LEVELS = (RegionLevel.county, RegionLevel.township)


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date
    region: Region | None = None

    def covers(self, column):
        return column.between(self.date_from, self.date_to)

    def covers_moment(self, column):
        """A naive-UTC timestamp column whose local date lies in the period."""
        return and_(column >= clock.local_midnight_utc(self.date_from),
                    column < clock.local_midnight_utc(self.date_to + timedelta(days=1)))

    def in_region(self, unit_id_column):
        return unit_in_region(unit_id_column, self.region)

    @property
    def level(self) -> RegionLevel | None:
        return self.region.level if self.region is not None else None

    @property
    def today(self) -> date:
        return clock.today()

    def parameters(self) -> dict:
        """The values of ``BoundPeriod``'s parameters that stand for this period."""
        return {"date_from": self.date_from, "date_to": self.date_to,
                "moment_from": clock.local_midnight_utc(self.date_from),
                "moment_to": clock.local_midnight_utc(self.date_to + timedelta(days=1)),
                "region_id": self.region.id if self.region is not None else None, "today": clock.today()}

    def describe(self) -> dict:
        region = self.region
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(),
                "region": {"code": region.code, "name": region.name, "level": region.level.value} if region else None}


class BoundPeriod:
    """Every period of regions of one level (or of no region) at once: ``Period``'s conditions with bound
    parameters in place of its dates, region and today, whose values ``Period.parameters()`` gives."""

    def __init__(self, level: RegionLevel | None):
        self.level = level
        self.date_from, self.date_to = bindparam("date_from", type_=Date), bindparam("date_to", type_=Date)
        self.today = bindparam("today", type_=Date)

    def covers(self, column):
        return column.between(self.date_from, self.date_to)

    def covers_moment(self, column):
        return and_(column >= bindparam("moment_from", type_=DateTime), column < bindparam("moment_to", type_=DateTime))

    def in_region(self, unit_id_column):
        if self.level is None:
            return true()
        column = Unit.county_id if self.level == RegionLevel.county else Unit.township_id
        return unit_id_column.in_(select(Unit.id).where(column == bindparam("region_id", type_=Integer)))


def built_once(build: Callable[[BoundPeriod], tuple]) -> Callable[[Period], tuple]:
    """``build(period)``'s statements, built on the first call for the period's region level from a
    ``BoundPeriod`` and reused for every period of that level: run them with ``period.parameters()``.
    Building the dashboard's statements cost more than running them."""
    @cache
    def for_level(level: RegionLevel | None) -> tuple:
        return build(BoundPeriod(level))

    return lambda period: for_level(period.level)


def unit_in_region(unit_id_column, region: Region | None):
    """SQL condition: the unit behind ``unit_id_column`` lies in the county or township (true without one)."""
    if region is None:
        return true()
    column = Unit.county_id if region.level == RegionLevel.county else Unit.township_id
    return unit_id_column.in_(select(Unit.id).where(column == region.id))


def statistical_region(code: str | None) -> Region | None:
    """The county or township named by ``code``; unknown codes are NotFound, other levels invalid."""
    if not code:
        return None
    region = region_by_code(code, field="region")
    if region.level not in STATISTICAL_LEVELS:
        raise InvalidInput("统计区域须为县（市、区）或乡镇（街道）代码",
                           "Give the code of a county or a township.", field="region")
    return region


def period_of(date_from: date, date_to: date, region_code: str | None = None) -> Period:
    if date_from > date_to:
        raise InvalidInput("开始日期不能晚于结束日期", "The start date cannot be later than the end date.", field="from")
    return Period(date_from, date_to, statistical_region(region_code))


# -- building blocks shared with the breakdowns and the ranking ------------------------------------------

def deadline_in_force(day):
    """SQL: a finding's deadline in force on the local ``day`` (a date expression) — the last one of its deadline
    history set on or before that day (the first deadline, a 交办单's, an approved extension's); a finding
    without history rows has only the one it holds. Deadlines are days: one set later on the same day counts."""
    latest = (select(FindingDeadline.deadline)
              .where(FindingDeadline.finding_id == Finding.id, local_day(FindingDeadline.set_at) <= day)
              .order_by(FindingDeadline.set_at.desc(), FindingDeadline.id.desc()).limit(1).scalar_subquery())
    return func.coalesce(latest, Finding.deadline)


def rectified_on_time():
    """SQL condition on ``Finding``: closed, and first reported (else verified / closed) by the deadline in
    force on that day — SPEC section 7: an extension approved by then moves it, a 交办单 or an extension
    after does not."""
    rectified_on = func.coalesce(Finding.first_reported_on, Finding.closed_on)
    return and_(Finding.status == FindingStatus.closed, rectified_on <= deadline_in_force(rectified_on))


def is_warning_stage_finding():
    """SQL condition on ``Finding`` joined to its ``Case``: a warning-stage finding (SPEC section 3).

    A finding closed at the reminder stage was closed by a re-inspection (``close_kind = verified``); a finding
    rectified on the spot (即查即改) joined its case already closed, never to be warned about; every other finding
    of a case that reached the warning stage was open when it did, or was added afterwards.
    """
    return and_(Case.warning_at.is_not(None),
                or_(Finding.close_kind.is_(None), Finding.close_kind.not_in((CloseKind.verified, CloseKind.on_the_spot))))


def within_recurrence_window(found_on, close_date):
    """SQL: a finding found on ``found_on`` recurs after a close-out on ``close_date`` — after it and no later than
    two calendar months after it (``close < found <= close + 2 months``). The recurrence figure and the rule
    that opens a recurring case at 二次警示 (``recurrence_bases``) both ask this."""
    return and_(found_on > close_date, found_on <= add_months(close_date, RECURRENCE_MONTHS))


def recurrence_bases(unit_id: int, hazard_type_ids: list[int], found_on: date):
    """The earlier cases of a unit that a finding of one of ``hazard_type_ids`` found on ``found_on`` recurs
    after, as the recurrence figure counts one (SPEC section 5): the unit attended the case's interview, every
    warning-stage finding of the case was closed out, one of them was of the same hazard type, and the new
    finding falls in the window after the last close-out. Rows of (case id, close-out date, interview date),
    the latest close-out first. Per case rather than per period: a unit the figure counts as recurred had its
    recurring case opened from one of these rows (``cases/history.py``)."""
    attended = select(Summons.case_id).where(Summons.attended.is_(True), Summons.unit_id == unit_id)
    warning_findings = (
        select(Finding.case_id, Finding.hazard_type_id, Finding.closed_on,
               case((Finding.close_kind == CloseKind.closed_out, 1), else_=0).label("closed_out"))
        .join(Case, Case.id == Finding.case_id)
        .where(Finding.unit_id == unit_id, Finding.case_id.in_(attended), is_warning_stage_finding())
        .cte("warning_findings"))
    per_case = (select(warning_findings.c.case_id, func.count().label("findings"),
                       func.sum(warning_findings.c.closed_out).label("closed_out"),
                       func.max(warning_findings.c.closed_on).label("close_date"))
                .group_by(warning_findings.c.case_id).cte("per_case"))
    same_hazard = exists().where(warning_findings.c.case_id == per_case.c.case_id,
                                 warning_findings.c.hazard_type_id.in_(hazard_type_ids))
    interviewed_on = (select(func.max(InterviewRound.held_on)).join(Summons, Summons.round_id == InterviewRound.id)
                      .where(Summons.case_id == per_case.c.case_id, Summons.attended.is_(True)).scalar_subquery())
    return (select(per_case.c.case_id, per_case.c.close_date, interviewed_on.label("interviewed_on"))
            .where(per_case.c.closed_out == per_case.c.findings, same_hazard,
                   within_recurrence_window(literal(found_on, Date()), per_case.c.close_date))
            .order_by(per_case.c.close_date.desc(), per_case.c.case_id.desc()))


def rounds_held(period: Period):
    """Rounds held in the period; with a region, those that summoned at least one of its units."""
    summoned_here = exists().where(Summons.round_id == InterviewRound.id, period.in_region(Summons.unit_id))
    return and_(period.covers(InterviewRound.held_on), summoned_here if period.level is not None else true())


def training_held(period: BoundPeriod):
    """Education sessions (voluntary, live streams) held in the period; with a county, the county's; with a
    township, those at its own station."""
    if period.level is None:
        region = true()
    else:
        column = TrainingSession.county_id if period.level == RegionLevel.county else TrainingSession.township_id
        region = column == bindparam("region_id", type_=Integer)
    return and_(period.covers(TrainingSession.held_on), region)


def summonses_in(period: Period):
    """``Summons`` joined to its round, for rounds held in the period, units in the region."""
    return (select().select_from(Summons).join(InterviewRound, InterviewRound.id == Summons.round_id)
            .where(period.covers(InterviewRound.held_on), period.in_region(Summons.unit_id)))


def ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _scalar(statement, period: Period) -> int:
    return int(db.session.scalar(statement, period.parameters()) or 0)


# -- the figures ----------------------------------------------------------------------------------------

@built_once
def _interview_statements(period: BoundPeriod) -> tuple:
    # The sessions' person-times ride along with the rounds' statement: one round trip for both.
    trained = (select(func.coalesce(func.sum(TrainingSession.person_times), 0)).where(training_held(period))
               .scalar_subquery())
    return (select(func.count(InterviewRound.id), func.coalesce(func.sum(InterviewRound.participants), 0), trained)
            .where(rounds_held(period)),
            summonses_in(period).add_columns(
                func.count(distinct(case((Summons.attended.is_(True), Summons.unit_id)))),
                func.count(distinct(case((Summons.attended.is_(False), Summons.unit_id))))))


def interview_figures(period: Period) -> dict:
    rounds_statement, units_statement = _interview_statements(period)
    rounds, person_times, trained = db.session.execute(rounds_statement, period.parameters()).one()
    attended, absent = db.session.execute(units_statement, period.parameters()).one()
    # 教育人次 (SPEC section 7): the rounds' participants plus the sessions' person-times.
    return {"interview_rounds": int(rounds), "education_person_times": int(person_times) + int(trained or 0),
            "units_interviewed": int(attended), "units_absent": int(absent)}


@built_once
def _outcome_statements(period: BoundPeriod) -> tuple:
    attended_cases = summonses_in(period).add_columns(Summons.case_id).where(Summons.attended.is_(True))
    warning_findings = (
        select(Finding.unit_id, Finding.hazard_type_id, Finding.closed_on,
               case((Finding.close_kind == CloseKind.closed_out, 1), else_=0).label("closed_out"),
               case((and_(Finding.close_kind == CloseKind.closed_out, rectified_on_time()), 1),
                    else_=0).label("on_time"))
        .join(Case, Case.id == Finding.case_id)
        .where(Finding.case_id.in_(attended_cases), is_warning_stage_finding())
        .cte("warning_findings"))
    per_unit = (select(warning_findings.c.unit_id,
                       func.count().label("findings"),
                       func.sum(warning_findings.c.closed_out).label("closed_out"),
                       func.sum(warning_findings.c.on_time).label("on_time"),
                       func.max(warning_findings.c.closed_on).label("close_date"))
                .group_by(warning_findings.c.unit_id).cte("per_unit"))

    eligible = per_unit.c.closed_out == per_unit.c.findings
    # The units with a later finding of one of their warning-stage hazard types inside the window, found as
    # one join from each (unit, hazard type) pair through the finding index on (unit, hazard type, found on):
    # an EXISTS per unit would read the warning findings again for every unit.
    pairs = select(warning_findings.c.unit_id, warning_findings.c.hazard_type_id).distinct().subquery("pairs")
    later, later_case = aliased(Finding), aliased(Case)
    recurred_units = (
        select(pairs.c.unit_id)
        .join(per_unit, per_unit.c.unit_id == pairs.c.unit_id)
        .join(later, and_(later.unit_id == pairs.c.unit_id, later.hazard_type_id == pairs.c.hazard_type_id,
                          within_recurrence_window(later.found_on, per_unit.c.close_date)))
        .join(later_case, later_case.id == later.case_id)
        # A case withdrawn (e.g. recorded in error) is no evidence of a recurrence.
        .where(later_case.outcome.is_distinct_from(Outcome.withdrawn)))
    recurred = per_unit.c.unit_id.in_(recurred_units)
    return (select(
        func.coalesce(func.sum(case((per_unit.c.on_time == per_unit.c.findings, 1), else_=0)), 0),
        func.coalesce(func.sum(case((eligible, 1), else_=0)), 0),
        func.coalesce(func.sum(case((and_(eligible, recurred), 1), else_=0)), 0),
    ).select_from(per_unit),)


def outcome_figures(period: Period) -> dict:
    """按时整改到位 and recurrence, over the warning-stage findings of the cases whose unit attended."""
    statement, = _outcome_statements(period)
    on_time_units, eligible_units, recurred_units = db.session.execute(statement, period.parameters()).one()
    return {"units_rectified_on_time": int(on_time_units),
            "recurrence": {"units_eligible": int(eligible_units), "units_recurred": int(recurred_units),
                           "rate": ratio(int(recurred_units), int(eligible_units))}}


@built_once
def _enforcement_statements(period: BoundPeriod) -> tuple:
    return (select(EnforcementAction.action, func.count(EnforcementAction.id),
                   func.count(distinct(EnforcementAction.unit_id)))
            .where(period.covers(EnforcementAction.decided_on), period.in_region(EnforcementAction.unit_id))
            .group_by(EnforcementAction.action),)


def enforcement_figures(period: Period) -> dict:
    statement, = _enforcement_statements(period)
    rows = db.session.execute(statement, period.parameters()).all()
    actions = {ActionKind(action): (int(count), int(units)) for action, count, units in rows}
    count = lambda kind: actions.get(kind, (0, 0))[0]  # noqa: E731
    units = lambda kind: actions.get(kind, (0, 0))[1]  # noqa: E731
    return {"joint_enforcements": count(ActionKind.joint_enforcement), "fines": count(ActionKind.fine),
            "suspensions": count(ActionKind.suspend), "shutdowns": units(ActionKind.shutdown),
            "bans": units(ActionKind.ban)}


@built_once
def _on_time_statements(period: BoundPeriod) -> tuple:
    return (select(func.count(Finding.id), func.coalesce(func.sum(case((rectified_on_time(), 1), else_=0)), 0))
            .where(Finding.status == FindingStatus.closed, period.covers(Finding.closed_on),
                   period.in_region(Finding.unit_id)),)


def on_time_figures(period: Period) -> dict:
    statement, = _on_time_statements(period)
    closed, on_time = db.session.execute(statement, period.parameters()).one()
    return {"findings_closed": int(closed), "findings_rectified_on_time": int(on_time),
            "on_time_rate": ratio(int(on_time), int(closed))}


@built_once
def _exposure_statements(period: BoundPeriod) -> tuple:
    published = and_(Exposure.status == ExposureStatus.published, period.covers(Exposure.published_on))
    listed_here = exists().where(ExposureItem.exposure_id == Exposure.id, period.in_region(ExposureItem.unit_id))
    items = (select().select_from(ExposureItem).join(Exposure, Exposure.id == ExposureItem.exposure_id)
             .where(published, period.in_region(ExposureItem.unit_id)))
    listed = (items.join(ExposureItemFinding, ExposureItemFinding.item_id == ExposureItem.id)
              .join(Finding, Finding.id == ExposureItemFinding.finding_id))
    return (select(func.count(Exposure.id)).where(published, listed_here if period.level is not None else true()),
            items.add_columns(func.count(distinct(ExposureItem.unit_id))),
            listed.add_columns(func.count(distinct(Finding.id)),
                               func.count(distinct(case((Finding.status == FindingStatus.closed, Finding.id))))))


def exposure_figures(period: Period) -> dict:
    actions_statement, places_statement, problems_statement = _exposure_statements(period)
    actions = _scalar(actions_statement, period)
    places = _scalar(places_statement, period)
    problems, problems_closed = db.session.execute(problems_statement, period.parameters()).one()
    return {"actions": actions, "places": places, "problems": int(problems), "problems_closed": int(problems_closed)}


@built_once
def _service_statements(period: BoundPeriod) -> tuple:
    """送达率 per kind of served notice: of the notices first issued in the period and not revoked, how many
    have their service recorded (as of now). A notice is its number: a re-issued one counts once, by the date
    of its first version, and is served when its current version is (the new paper must be served again)."""
    first = (select(Document.issuer_id, Document.kind, Document.year, Document.serial,
                    func.min(Document.issued_on).label("first_on"))
             .where(Document.kind.in_(SERVED_KINDS))
             .group_by(Document.issuer_id, Document.kind, Document.year, Document.serial).subquery("first_issue"))
    return (
        select(Document.kind, func.count(Document.id), func.count(DocumentService.id))
        .join(first, and_(first.c.issuer_id == Document.issuer_id, first.c.kind == Document.kind,
                          first.c.year == Document.year, first.c.serial == Document.serial))
        .outerjoin(DocumentService, DocumentService.document_id == Document.id)
        # The current version of each number: neither superseded nor revoked.
        .where(Document.status == DocumentStatus.valid, period.covers(first.c.first_on),
               period.in_region(Document.unit_id))
        .group_by(Document.kind),)


def service_figures(period: Period) -> dict:
    statement, = _service_statements(period)
    rows = db.session.execute(statement, period.parameters()).all()
    counted = {DocumentKind(kind): (int(issued), int(served)) for kind, issued, served in rows}
    figures = {}
    for kind in SERVED_KINDS:
        issued, served = counted.get(kind, (0, 0))
        figures[kind.value] = {"issued": issued, "served": served, "rate": ratio(served, issued)}
    return figures


@built_once
def _extension_statements(period: BoundPeriod) -> tuple:
    asked, decided = period.covers(ExtensionRequest.requested_on), period.covers(ExtensionRequest.decided_on)
    return (select(
        func.count().filter(asked),
        func.count().filter(decided, ExtensionRequest.status == ExtensionStatus.approved),
        func.count().filter(decided, ExtensionRequest.status == ExtensionStatus.refused),
    ).where(or_(asked, decided), period.in_region(ExtensionRequest.unit_id)),)


def extension_figures(period: Period) -> dict:
    """延期 requests asked (by the day asked) and decided (by the day decided) in the period: one query, each
    figure a filtered count."""
    statement, = _extension_statements(period)
    requested, approved, refused = db.session.execute(statement, period.parameters()).one()
    return {"requested": int(requested), "approved": int(approved), "refused": int(refused)}


@built_once
def _activity_statements(period: BoundPeriod) -> tuple:
    # Each WHERE is the union of its figures' conditions, so the database reads only rows some figure counts.
    found_here, overdue_now = period.covers(Finding.found_on), overdue_condition(period.today)
    on_the_spot = and_(found_here, Finding.close_kind == CloseKind.on_the_spot)
    case_conditions = (period.covers(Case.opened_on), period.covers(Case.closed_on),
                       period.covers_moment(Case.warning_at), period.covers_moment(Case.enforcement_at))
    return (select(func.count(Inspection.id)).where(period.covers(Inspection.inspected_on),
                                                    period.in_region(Inspection.unit_id)),
            select(func.count().filter(found_here), func.count().filter(on_the_spot), func.count().filter(overdue_now))
            .where(or_(found_here, overdue_now), period.in_region(Finding.unit_id)),
            select(*(func.count().filter(condition) for condition in case_conditions))
            .where(or_(*case_conditions), period.in_region(Case.unit_id)))


def activity_figures(period: Period) -> dict:
    """Counts beyond SPEC section 5 that the dashboard shows beside it: one query per table, each figure a
    filtered count (a query per figure cost more to build than to run)."""
    inspections_statement, findings_statement, cases_statement = _activity_statements(period)
    inspections = _scalar(inspections_statement, period)
    found, on_the_spot, overdue = db.session.execute(findings_statement, period.parameters()).one()
    opened, closed, to_warning, to_enforcement = db.session.execute(cases_statement, period.parameters()).one()
    return {"inspections": inspections, "findings_found": int(found), "on_the_spot_rectified": int(on_the_spot),
            "cases_opened": int(opened),
            "cases_closed": int(closed), "cases_to_warning": int(to_warning),
            "cases_to_enforcement": int(to_enforcement), "overdue_now": int(overdue)}


def summary(date_from: date, date_to: date, region_code: str | None = None) -> dict:
    """Every SPEC section 5 figure for the period (and region) as one JSON-ready object."""
    period = period_of(date_from, date_to, region_code)
    interviews = interview_figures(period)
    outcomes = outcome_figures(period)
    on_time = on_time_figures(period)
    figures = {
        **interviews,
        "units_rectified_on_time": outcomes["units_rectified_on_time"],
        **enforcement_figures(period),
        "recurrence": outcomes["recurrence"],
        "on_time_rate": on_time["on_time_rate"],
        "exposures": exposure_figures(period),
        "extensions": extension_figures(period),
        **activity_figures(period),
        "service": service_figures(period),
        "findings_closed": on_time["findings_closed"],
        "findings_rectified_on_time": on_time["findings_rectified_on_time"],
        "period": period.describe(),
    }
    return figures
