"""Read-only queries of the county safety office's pages: the workbench's case list and counts, what is due
today (the sweep), interview rounds, and the parts of one case's page.

Rows are scoped with ``api.scope`` so a page shows exactly what the API shows the same user: a county safety
office sees its own county, the administrator every county.
"""

from dataclasses import dataclass
from datetime import date

from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import joinedload, selectinload

from inspect_loop.api import scope
from inspect_loop.assignments.models import Assignment
from inspect_loop.audit.models import Event
from inspect_loop.cases import sweep
from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.cases.queries import overdue_condition, risk_colors_statement
from inspect_loop.db import db
from inspect_loop.deadline_extensions.models import ExtensionRequest
from inspect_loop.enforcement import feedback
from inspect_loop.enforcement.models import EnforcementAction, ReferralFeedback
from inspect_loop.inspections.models import Finding, FindingStatus
from inspect_loop.interviews.models import InterviewRound, Summons
from inspect_loop.letters.models import Document
from inspect_loop.regions.models import Department, DepartmentKind, Region, RegionLevel
from inspect_loop.units import uscc as uscc_rules
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role, User
from inspect_loop.web.arguments import query_id
from inspect_loop.web.helpers import like, search_text

# What the daily sweep (cases/sweep.py) lists, in the order the workbench shows it.
SWEEP_SECTIONS = {
    "reinspections_due": _l("待复查"),
    "awaiting_summons": _l("待约谈"),
    "awaiting_follow_up": _l("待回访"),
    "overdue_findings": _l("逾期未整改问题"),
    "overdue_feedback": _l("执法建议书逾期未反馈"),
}
SWEEP_HINTS = {
    "reinspections_due": _l("一次提醒阶段、问题已全部到期的案件：安排复查"),
    "awaiting_summons": _l("二次警示阶段、尚未约谈或上次缺席的案件：列入下一轮警示约谈"),
    "awaiting_follow_up": _l("已参加约谈、问题已全部到期的案件：安排回访"),
    "overdue_findings": _l("超过整改期限仍未销号的问题"),
    "overdue_feedback": _l("超过反馈期限（签发后15个工作日）仍未反馈办理情况的行业主管部门：督促反馈或代为登记"),
}
SWEEP_PREVIEW = 5
STAGE_FILTERS = (*(stage.value for stage in Stage), "closed")


def unit_matches(text: str):
    """The search box on units: name, address or USCC (``text`` is already LIKE-escaped)."""
    return or_(Unit.name.ilike(like(text), escape="\\"), Unit.address.ilike(like(text), escape="\\"),
               Unit.uscc.ilike(like(uscc_rules.normalise(text)), escape="\\"))


# -- the workbench's case list ------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseFilters:
    text: str  # LIKE-escaped search text
    stage: str  # a stage, "closed", or "" for every open case
    township: int | None
    overdue: bool

    @classmethod
    def from_request(cls) -> "CaseFilters":
        stage = request.args.get("stage", "")
        return cls(text=search_text(), stage=stage if stage in STAGE_FILTERS else "",
                   township=query_id("township"), overdue=request.args.get("overdue") == "1")


def has_overdue_finding(today: date):
    return select(Finding.id).where(Finding.case_id == Case.id, overdue_condition(today)).exists()


def scoped_cases(user: User, text: str = "", township: int | None = None) -> Select:
    statement = select(Case).join(Unit, Unit.id == Case.unit_id).where(scope.case_condition(user))
    if text:
        statement = statement.where(unit_matches(text))
    if township:
        statement = statement.where(Unit.township_id == township)
    return statement


def open_finding_summary(today: date):
    """Per case: open findings, the nearest deadline among them and how many are overdue."""
    return (select(Finding.case_id.label("case_id"), func.count(Finding.id).label("open_count"),
                   func.min(Finding.deadline).label("nearest_deadline"),
                   func.sum(sql_case((Finding.deadline < today, 1), else_=0)).label("overdue_count"))
            .where(Finding.status == FindingStatus.open).group_by(Finding.case_id).subquery())


def with_case_summary(statement: Select, today: date) -> Select:
    """Rows of (case, open findings, nearest deadline, overdue findings)."""
    summary = open_finding_summary(today)
    return (statement.outerjoin(summary, summary.c.case_id == Case.id)
            .add_columns(func.coalesce(summary.c.open_count, 0), summary.c.nearest_deadline,
                         func.coalesce(summary.c.overdue_count, 0))
            .options(joinedload(Case.unit).joinedload(Unit.township)))


RISK_CHUNK = 500  # ids per IN list, well under every database's limit on bound parameters


def risk_colors(unit_ids, today: date) -> dict[int, str]:
    """三色 of these units (the expression correlates to ``Unit`` alone, so it runs as its own query)."""
    unit_ids = list(dict.fromkeys(unit_ids))
    colors = {}
    for start in range(0, len(unit_ids), RISK_CHUNK):
        chunk = unit_ids[start:start + RISK_CHUNK]
        colors.update(db.session.execute(risk_colors_statement(), {"today": today, "unit_ids": chunk}).all())
    return colors


def cases_statement(user: User, filters: CaseFilters, today: date) -> Select:
    statement = scoped_cases(user, filters.text, filters.township)
    if filters.overdue:
        statement = statement.where(has_overdue_finding(today))
    if filters.stage == "closed":
        statement = statement.where(Case.status == CaseStatus.closed).order_by(Case.closed_at.desc(),
                                                                             Case.id.desc())
    else:
        statement = statement.where(Case.status == CaseStatus.open)
        if filters.stage:
            statement = statement.where(Case.stage == Stage(filters.stage))
        statement = statement.order_by(Case.opened_at.desc(), Case.id.desc())
    return with_case_summary(statement, today)


def stage_counts(user: User, filters: CaseFilters, today: date) -> dict[str, int]:
    """Open cases per stage, open cases with an overdue finding, and closed cases: one query, under the
    search and township filters (not the stage filter, so every tile keeps its number)."""
    def counted(condition):
        return func.coalesce(func.sum(sql_case((condition, 1), else_=0)), 0)

    is_open = Case.status == CaseStatus.open
    columns = {stage.value: counted(and_(is_open, Case.stage == stage)) for stage in Stage}
    columns["overdue"] = counted(and_(is_open, has_overdue_finding(today)))
    columns["closed"] = counted(Case.status == CaseStatus.closed)
    statement = scoped_cases(user, filters.text, filters.township).with_only_columns(*columns.values())
    return dict(zip(columns, (int(value) for value in db.session.execute(statement).one()), strict=True))


def townships_in_scope(user: User) -> list[Region]:
    statement = select(Region).where(Region.level == RegionLevel.township).order_by(Region.code)
    if user.role == Role.safety_office:
        statement = statement.where(Region.parent_id == user.department.region_id)
    return list(db.session.scalars(statement))


# -- what is due today --------------------------------------------------------------------------------

def sweep_statement(user: User, section: str, today: date, text: str = "", township: int | None = None) -> Select:
    """One section of the daily sweep, scoped to the user and filtered: rows of (case, open findings, nearest
    deadline, overdue findings), for the overdue findings rows of (finding, unit), for the overdue feedback on
    执法建议书 rows of (feedback, unit)."""
    if section == "overdue_feedback":
        statement = (select(ReferralFeedback, Unit).join(Case, Case.id == ReferralFeedback.case_id)
                     .join(Unit, Unit.id == Case.unit_id)
                     .where(feedback.overdue_condition(today), scope.unit_condition(user))
                     .order_by(ReferralFeedback.due_on, ReferralFeedback.id)
                     .options(joinedload(Unit.township), joinedload(ReferralFeedback.department),
                              joinedload(ReferralFeedback.referral)))
    elif section == "overdue_findings":
        statement = sweep.overdue_findings(today).where(scope.unit_condition(user))
        statement = statement.options(joinedload(Unit.township), joinedload(Finding.hazard_type),
                                      joinedload(Finding.case))
    else:
        statements = {"reinspections_due": lambda: sweep.reinspections_due(today),
                      "awaiting_summons": sweep.awaiting_summons,
                      "awaiting_follow_up": lambda: sweep.awaiting_follow_up(today)}
        statement = statements[section]().with_only_columns(Case).where(scope.case_condition(user))
        statement = with_case_summary(statement, today)
    if text:
        statement = statement.where(unit_matches(text))
    if township:
        statement = statement.where(Unit.township_id == township)
    return statement


def overdue_feedback_ids(case: Case, today: date) -> set[int]:
    """The case's feedback on its 执法建议书 that is overdue (``enforcement.feedback.overdue_condition``)."""
    return set(db.session.scalars(select(ReferralFeedback.id).where(ReferralFeedback.case_id == case.id,
                                                                    feedback.overdue_condition(today))))


def count_of(statement: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0


def sweep_previews(user: User, today: date) -> list[dict]:
    """Each section's total and its first few rows, for the workbench."""
    previews = []
    for key, title in SWEEP_SECTIONS.items():
        statement = sweep_statement(user, key, today)
        rows = db.session.execute(statement.limit(SWEEP_PREVIEW)).unique().all()
        previews.append({"key": key, "title": title, "hint": SWEEP_HINTS[key], "total": count_of(statement),
                         "rows": rows})
    return previews


# -- interview rounds ---------------------------------------------------------------------------------

def rounds_statement(user: User, text: str = "", year: int | None = None) -> Select:
    """Rounds newest first, each with how many units were summoned, attended, were absent, are unrecorded."""
    counts = (select(Summons.round_id.label("round_id"), func.count(Summons.id).label("summoned"),
                     func.sum(sql_case((Summons.attended.is_(True), 1), else_=0)).label("attended"),
                     func.sum(sql_case((Summons.attended.is_(False), 1), else_=0)).label("absent"))
              .group_by(Summons.round_id).subquery())
    statement = (select(InterviewRound, func.coalesce(counts.c.summoned, 0), func.coalesce(counts.c.attended, 0),
                        func.coalesce(counts.c.absent, 0))
                 .join(Department, Department.id == InterviewRound.convened_by_id)
                 .outerjoin(counts, counts.c.round_id == InterviewRound.id)
                 .where(scope.round_condition(user))
                 .options(joinedload(InterviewRound.convened_by), selectinload(InterviewRound.departments)))
    if text:
        summoned_unit = (select(Summons.id).join(Unit, Unit.id == Summons.unit_id)
                         .where(Summons.round_id == InterviewRound.id, Unit.name.ilike(like(text), escape="\\"))
                         .exists())
        statement = statement.where(or_(InterviewRound.venue.ilike(like(text), escape="\\"), summoned_unit))
    if year:
        statement = statement.where(InterviewRound.year == year)
    return statement.order_by(InterviewRound.held_at.desc(), InterviewRound.id.desc())


def round_years(user: User) -> list[int]:
    statement = (select(InterviewRound.year).distinct().join(Department, Department.id == InterviewRound.convened_by_id)
                 .where(scope.round_condition(user)).order_by(InterviewRound.year.desc()))
    return list(db.session.scalars(statement))


def summonses_statement(user: User, interview_round: InterviewRound, text: str = "") -> Select:
    """The round's summonses of cases the user may see, in the order they were summoned."""
    statement = (select(Summons).join(Case, Case.id == Summons.case_id).join(Unit, Unit.id == Summons.unit_id)
                 .where(Summons.round_id == interview_round.id, scope.case_condition(user))
                 .options(joinedload(Summons.unit).joinedload(Unit.township), joinedload(Summons.case)))
    if text:
        statement = statement.where(unit_matches(text))
    return statement.order_by(Summons.id)


def summons_candidates(user: User, today: date, text: str = "", township: int | None = None) -> Select:
    """Warning-stage cases that may be put in a new round (the sweep's 待约谈), each with its case summary
    and how often the unit stayed away from an earlier round."""
    absences = (select(func.count(Summons.id)).where(Summons.case_id == Case.id, Summons.attended.is_(False))
                .correlate(Case).scalar_subquery())
    return sweep_statement(user, "awaiting_summons", today, text, township).add_columns(absences)


def county_offices(user: User) -> list[Department]:
    """Safety offices that may convene a round: the user's own, or for the administrator every county's."""
    if user.role == Role.safety_office:
        return [user.department]
    return list(db.session.scalars(
        select(Department).join(Region, Region.id == Department.region_id)
        .where(Department.kind == DepartmentKind.safety_office, Region.level == RegionLevel.county)
        .order_by(Department.code)))


def county_departments(county_ids: list[int]) -> list[Department]:
    """Departments that may attend a round or act in an enforcement in these counties: the county's
    regulators and safety office, and its township safety offices."""
    statement = (select(Department).join(Region, Region.id == Department.region_id)
                 .where(or_(Region.id.in_(county_ids), and_(Region.parent_id.in_(county_ids),
                                                           Department.kind == DepartmentKind.safety_office)))
                 .order_by(Region.level, Department.kind.desc(), Department.code))
    return list(db.session.scalars(statement))


# -- one case -----------------------------------------------------------------------------------------

def load_findings(case: Case) -> None:
    """The case's findings with their hazard types and deadline histories in three queries, not two a
    finding (the case page shows each)."""
    db.session.scalars(select(Case).where(Case.id == case.id).options(
        selectinload(Case.findings).selectinload(Finding.hazard_type),
        selectinload(Case.findings).selectinload(Finding.deadlines))).one()


def case_regulators(case: Case) -> list[Department]:
    """Regulators of the unit's county: the only ones a 交办单 of this case may go to."""
    return list(db.session.scalars(
        select(Department).where(Department.kind == DepartmentKind.regulator,
                                 Department.region_id == case.unit.county_id)
        .options(selectinload(Department.sector_rows)).order_by(Department.code)))


def case_enforcement_departments(case: Case) -> list[Department]:
    """The county's regulators and safety office and the unit's township office."""
    unit = case.unit
    return list(db.session.scalars(
        select(Department).where(or_(Department.region_id == unit.county_id,
                                     and_(Department.region_id == unit.township_id,
                                          Department.kind == DepartmentKind.safety_office)))
        .order_by(Department.kind.desc(), Department.code)))


def case_documents(case: Case) -> list[Document]:
    return list(db.session.scalars(select(Document).where(Document.case_id == case.id)
                                   .order_by(Document.issued_at, Document.id).options(selectinload(Document.service))))


def case_assignments(case: Case) -> list[Assignment]:
    return list(db.session.scalars(
        select(Assignment).where(Assignment.case_id == case.id).order_by(Assignment.id)
        .options(joinedload(Assignment.regulator), joinedload(Assignment.territorial),
                 selectinload(Assignment.receipts), selectinload(Assignment.findings))))


def case_extensions(case: Case) -> list[ExtensionRequest]:
    return list(db.session.scalars(select(ExtensionRequest).where(ExtensionRequest.case_id == case.id)
                                   .order_by(ExtensionRequest.id).options(joinedload(ExtensionRequest.decider))))


def case_summonses(case: Case) -> list[Summons]:
    return list(db.session.scalars(select(Summons).where(Summons.case_id == case.id).order_by(Summons.id)
                                   .options(joinedload(Summons.round))))


def case_enforcements(case: Case) -> list[EnforcementAction]:
    return list(db.session.scalars(select(EnforcementAction).where(EnforcementAction.case_id == case.id)
                                   .order_by(EnforcementAction.id)
                                   .options(selectinload(EnforcementAction.departments))))


def case_events(case: Case) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.at, Event.id)
                                   .options(joinedload(Event.actor))))
