"""县级平安办: the workbench of cases by stage, what is due today, interview rounds, and each case's page with
its 交办单, escalation, withdrawal, enforcement and documents.

Every page is for the county safety office and the admin; a safety-office user sees its own county only.
Forms are plain HTML posts (CSRF checked by ``CSRFProtect``); each POST calls one domain operation.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case as sql_case
from sqlalchemy import exists, func, select
from sqlalchemy.orm import selectinload

from inspect_loop import clock
from inspect_loop.assignments.models import Assignment
from inspect_loop.assignments.operations import issue_assignment
from inspect_loop.audit.models import Event
from inspect_loop.cases import ladder, sweep
from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.cases.queries import overdue_condition, risk_color
from inspect_loop.db import db
from inspect_loop.enforcement.models import ActionKind, EnforcementAction
from inspect_loop.enforcement.operations import record_enforcement
from inspect_loop.errors import DomainError, InvalidInput, NotFound
from inspect_loop.inspections.models import Finding, FindingStatus
from inspect_loop.interviews.models import InterviewRound, Summons
from inspect_loop.interviews.operations import convene_round, record_attendance, set_participants
from inspect_loop.letters import batch, issuing
from inspect_loop.letters.models import Document
from inspect_loop.regions.models import Department, DepartmentKind, Region, RegionLevel
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role
from inspect_loop.users.permissions import Action
from inspect_loop.web import bp
from inspect_loop.web.auth import permission_required, roles_required
from inspect_loop.web.helpers import domain_message, paginate
from inspect_loop.web.labels import event_label, label

OFFICE_ROLES = (Role.admin, Role.safety_office)
office_required = roles_required(*OFFICE_ROLES)

DEFAULT_VENUE = "平安警示教育站"
SWEEP_SECTIONS = {
    "reinspections_due": "待复查",
    "awaiting_summons": "待约谈",
    "awaiting_follow_up": "待回访",
    "overdue_findings": "逾期未整改问题",
}
SWEEP_PREVIEW = 5


# -- reading the form --------------------------------------------------------------------------------------

def form_text(name: str, max_length: int = 500) -> str:
    return (request.form.get(name) or "").strip()[:max_length]


def form_ids(name: str) -> list[int]:
    values = request.form.getlist(name)
    if any(not value.isdigit() for value in values):
        raise InvalidInput("所选项目无效", f"{name} must be ids", field=name)
    return [int(value) for value in values]


def parse_date(text: str, field: str, label: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{label}应为有效日期（年-月-日）", f"{field} must be a date YYYY-MM-DD",
                           field=field) from None


def parse_local_datetime(text: str, field: str, label: str) -> datetime:
    """A ``datetime-local`` input: naive wall-clock time in Asia/Shanghai."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"请填写有效的{label}", f"{field} must be a date and time", field=field) from None
    return moment.replace(tzinfo=clock.LOCAL_TZ) if moment.tzinfo is None else moment


def parse_count(text: str, field: str, label: str) -> int:
    if not text:
        return 0
    if not text.isdigit() or int(text) > 100000:
        raise InvalidInput(f"{label}应为0至100000的整数", f"{field} must be a whole number", field=field)
    return int(text)


def parse_amount(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("金额应为数字（元）", "amount must be a number", field="amount") from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2 or amount >= Decimal("1e10"):
        raise InvalidInput("金额应为不超过两位小数的数字（元）", "amount must be a number with at most two decimals",
                           field="amount")
    return amount


# -- scope ---------------------------------------------------------------------------------------------

def county_id_of_user() -> int | None:
    """The county a safety-office user works for; None for the admin, who sees every county."""
    department = current_user.department
    if current_user.role == Role.safety_office and department is not None:
        return department.region_id
    return None


def in_scope(statement, unit_county_column):
    county_id = county_id_of_user()
    return statement if county_id is None else statement.where(unit_county_column == county_id)


def require_county(county_id: int) -> None:
    """Another county's records answer 403, as in the API."""
    own = county_id_of_user()
    if own is not None and own != county_id:
        abort(403)


def get_case(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    require_county(case.unit.county_id)
    return case


def get_round(round_id: int) -> InterviewRound:
    interview_round = db.session.get(InterviewRound, round_id)
    if interview_round is None:
        abort(404)
    require_county(interview_round.convened_by.region_id)
    return interview_round


def townships_in_scope() -> list[Region]:
    statement = select(Region).where(Region.level == RegionLevel.township).order_by(Region.code)
    county_id = county_id_of_user()
    if county_id is not None:
        statement = statement.where(Region.parent_id == county_id)
    return list(db.session.scalars(statement))


def departments_in_scope(*kinds: DepartmentKind) -> list[Department]:
    statement = (select(Department).join(Region, Region.id == Department.region_id)
                 .where(Department.kind.in_(kinds)).order_by(Region.level, Department.kind.desc(), Department.code))
    county_id = county_id_of_user()
    if county_id is not None:
        statement = statement.where((Region.id == county_id) | (Region.parent_id == county_id))
    return list(db.session.scalars(statement))


def county_offices() -> list[Department]:
    """Safety offices that can convene a round: the user's own, or for the admin every county office."""
    department = current_user.department
    if department is not None and department.kind == DepartmentKind.safety_office:
        return [department]
    return [office for office in departments_in_scope(DepartmentKind.safety_office)
            if office.region.level == RegionLevel.county]


def commit_or_message(operation) -> str | None:
    """Run one domain operation and commit; on a refusal roll back and return the message to show."""
    try:
        operation()
    except DomainError as error:
        db.session.rollback()
        return domain_message(error)
    db.session.commit()
    return None


# -- the workbench -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseFilters:
    stage: str
    township: str
    overdue: bool

    @classmethod
    def from_request(cls) -> "CaseFilters":
        stage = request.args.get("stage", "")
        township = request.args.get("township", "")
        return cls(stage=stage if stage in (*Stage, "closed") else "",
                   township=township if township.isdigit() else "",
                   overdue=request.args.get("overdue") == "1")


def has_overdue_finding(today: date):
    return exists().where(Finding.case_id == Case.id, overdue_condition(today))


def filtered_cases(filters: CaseFilters, today: date):
    statement = in_scope(select(Case).join(Unit, Unit.id == Case.unit_id), Unit.county_id)
    if filters.township:
        statement = statement.where(Unit.township_id == int(filters.township))
    if filters.overdue:
        statement = statement.where(has_overdue_finding(today))
    if filters.stage == "closed":
        return statement.where(Case.status == CaseStatus.closed).order_by(Case.closed_at.desc(), Case.id.desc())
    statement = statement.where(Case.status == CaseStatus.open)
    if filters.stage:
        statement = statement.where(Case.stage == Stage(filters.stage))
    return statement.order_by(Case.opened_at.desc(), Case.id.desc())


def stage_counts(filters: CaseFilters, today: date) -> dict[str, int]:
    """Open cases per stage, overdue ones and closed ones, under the township filter."""
    base = in_scope(select().select_from(Case).join(Unit, Unit.id == Case.unit_id), Unit.county_id)
    if filters.township:
        base = base.where(Unit.township_id == int(filters.township))
    counts = {stage.value: 0 for stage in Stage}
    for stage, count in db.session.execute(base.add_columns(Case.stage, func.count(Case.id))
                                           .where(Case.status == CaseStatus.open).group_by(Case.stage)):
        counts[stage.value] = count
    counts["overdue"] = db.session.scalar(base.add_columns(func.count(Case.id)).where(
        Case.status == CaseStatus.open, has_overdue_finding(today))) or 0
    counts["closed"] = db.session.scalar(base.add_columns(func.count(Case.id)).where(
        Case.status == CaseStatus.closed)) or 0
    return counts


def finding_summaries(case_ids: list[int], today: date) -> dict[int, dict]:
    """Per case: open findings, the nearest deadline among them, overdue ones."""
    if not case_ids:
        return {}
    overdue = func.sum(sql_case((overdue_condition(today), 1), else_=0))
    rows = db.session.execute(
        select(Finding.case_id, func.count(Finding.id), func.min(Finding.deadline), overdue)
        .where(Finding.case_id.in_(case_ids), Finding.status == FindingStatus.open).group_by(Finding.case_id))
    return {case_id: {"open": count, "deadline": deadline, "overdue": int(late or 0)}
            for case_id, count, deadline, late in rows}


@bp.get("/office")
@office_required
def office_home():
    today = clock.today()
    filters = CaseFilters.from_request()
    pager = paginate(filtered_cases(filters, today).options(selectinload(Case.unit).selectinload(Unit.township)))
    return render_template(
        "office/home.html", pager=pager, filters=filters, counts=stage_counts(filters, today),
        summaries=finding_summaries([case.id for case in pager.items], today),
        townships=townships_in_scope(), sections=sweep_previews(today), today=today)


# -- what is due today ---------------------------------------------------------------------------------

def sweep_statement(section: str, today: date):
    """The sweep's own queries, narrowed to the user's county."""
    statements = {
        "reinspections_due": lambda: sweep.reinspections_due(today),
        "awaiting_summons": sweep.awaiting_summons,
        "awaiting_follow_up": lambda: sweep.awaiting_follow_up(today),
        "overdue_findings": lambda: sweep.overdue_findings(today),
    }
    return in_scope(statements[section](), Unit.county_id)


def sweep_previews(today: date) -> list[dict]:
    previews = []
    for key, title in SWEEP_SECTIONS.items():
        statement = sweep_statement(key, today)
        total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
        previews.append({"key": key, "title": title, "total": total,
                         "items": list(db.session.scalars(statement.limit(SWEEP_PREVIEW)))})
    return previews


@bp.get("/office/today/<section>")
@office_required
def office_due(section: str):
    if section not in SWEEP_SECTIONS:
        abort(404)
    today = clock.today()
    pager = paginate(sweep_statement(section, today))
    return render_template("office/due.html", section=section, title=SWEEP_SECTIONS[section], pager=pager,
                           today=today)


# -- interview rounds -----------------------------------------------------------------------------------

@bp.get("/office/rounds")
@office_required
def office_rounds():
    statement = select(InterviewRound).join(Department, Department.id == InterviewRound.convened_by_id)
    statement = in_scope(statement, Department.region_id).order_by(InterviewRound.held_at.desc(),
                                                                    InterviewRound.id.desc())
    pager = paginate(statement.options(selectinload(InterviewRound.summonses)))
    return render_template("office/rounds.html", pager=pager)


def awaiting_summons_cases() -> list[Case]:
    statement = in_scope(sweep.awaiting_summons(), Unit.county_id)
    return list(db.session.scalars(statement.options(selectinload(Case.findings))))


def render_new_round(message: str | None = None, status: int = 200):
    candidates = awaiting_summons_cases()
    default_time = datetime.combine(clock.today() + timedelta(days=3), datetime.min.time()).replace(hour=14, minute=30)
    return render_template(
        "office/round_new.html", candidates=candidates, offices=county_offices(),
        departments=departments_in_scope(DepartmentKind.regulator, DepartmentKind.safety_office),
        form=request.form, message=message, default_time=default_time.strftime("%Y-%m-%dT%H:%M"),
        default_venue=DEFAULT_VENUE), status


@bp.route("/office/rounds/new", methods=["GET", "POST"])
@permission_required(Action.convene_round)
def office_round_new():
    if request.method == "GET":
        return render_new_round()
    created = {}

    def convene():
        held_at = parse_local_datetime(form_text("held_at"), "held_at", "约谈时间")
        offices = {office.id: office for office in county_offices()}
        office_id = form_text("convened_by")
        if office_id.isdigit():
            convened_by = offices.get(int(office_id))
        else:
            convened_by = next(iter(offices.values())) if len(offices) == 1 else None
        if convened_by is None:
            raise InvalidInput("请选择召集单位", "convened_by is required", field="convened_by")
        allowed_departments = {department.id: department for department in
                               departments_in_scope(DepartmentKind.regulator, DepartmentKind.safety_office)}
        departments = [allowed_departments[i] for i in form_ids("departments") if i in allowed_departments]
        candidates = {case.id: case for case in awaiting_summons_cases()}
        chosen = form_ids("case_ids")
        if any(case_id not in candidates for case_id in chosen):
            raise InvalidInput("所选案件已不在待约谈名单中，请刷新后重新选择", "a chosen case is no longer awaiting "
                               "a summons", field="case_ids")
        created["round"] = convene_round(
            current_user, held_at=held_at, venue=form_text("venue", 200), convened_by=convened_by,
            departments=departments, cases=[candidates[case_id] for case_id in chosen],
            participants=parse_count(form_text("participants"), "participants", "参加人次"))

    message = commit_or_message(convene)
    if message:
        return render_new_round(message, 400)
    interview_round = created["round"]
    flash(_("已组织第%(number)s轮警示约谈，约谈通知书已签发", number=interview_round.number), "success")
    return redirect(url_for("web.office_round", round_id=interview_round.id))


def render_round(interview_round: InterviewRound, message: str | None = None, failed: str = "", status: int = 200):
    return render_template("office/round.html", round=interview_round,
                           documents=batch.summons_documents(interview_round), message=message, failed=failed,
                           form=request.form), status


@bp.get("/office/rounds/<int:round_id>")
@office_required
def office_round(round_id: int):
    return render_round(get_round(round_id))


@bp.post("/office/rounds/<int:round_id>/attendance")
@permission_required(Action.record_attendance)
def office_round_attendance(round_id: int):
    interview_round = get_round(round_id)
    case_id = form_text("case_id")
    case = next((summons.case for summons in interview_round.summonses if str(summons.case_id) == case_id), None)
    if case is None:
        abort(404)
    choice = form_text("attended")

    def record():
        if choice not in ("yes", "no"):
            raise InvalidInput("请选择是否到场", "attended is required", field="attended")
        record_attendance(current_user, interview_round, case, attended=choice == "yes",
                          attendee_name=form_text("attendee_name", 50),
                          attendee_title=form_text("attendee_title", 50), note=form_text("note", 1000))

    message = commit_or_message(record)
    if message:
        return render_round(interview_round, message, f"attendance-{case.id}", 400)
    flash(_("已登记%(unit)s的到场情况", unit=case.unit.name), "success")
    return redirect(url_for("web.office_round", round_id=round_id, _anchor=f"summons-{case.id}"))


@bp.post("/office/rounds/<int:round_id>/participants")
@permission_required(Action.record_attendance)
def office_round_participants(round_id: int):
    interview_round = get_round(round_id)
    message = commit_or_message(lambda: set_participants(
        current_user, interview_round, parse_count(form_text("participants"), "participants", "参加人次")))
    if message:
        return render_round(interview_round, message, "participants", 400)
    flash(_("参加人次已更新"), "success")
    return redirect(url_for("web.office_round", round_id=round_id))


def pdf_download(content: bytes, filename: str):
    return send_file(BytesIO(content), mimetype="application/pdf", download_name=filename, as_attachment=False)


@bp.get("/office/rounds/<int:round_id>/summonses.pdf")
@office_required
def office_round_summonses_pdf(round_id: int):
    interview_round = get_round(round_id)
    documents = list(batch.summons_documents(interview_round).values())
    if not documents:
        abort(404)
    return pdf_download(batch.merged_pdf(documents),
                        f"summonses-{interview_round.year}-{interview_round.number}.pdf")


@bp.get("/office/reminders.pdf")
@office_required
def office_reminders_pdf():
    """Every valid 整改提醒通知书 issued on one day, for printing and delivery in one go."""
    try:
        day = parse_date((request.args.get("day") or "").strip(), "day", "日期") or clock.today()
    except InvalidInput as error:
        flash(domain_message(error), "error")
        return redirect(url_for("web.office_home"))
    documents = batch.reminders_of_day(day, county_id_of_user())
    if not documents:
        flash(_("%(day)s没有签发有效的整改提醒通知书", day=day.isoformat()), "info")
        return redirect(url_for("web.office_home"))
    return pdf_download(batch.merged_pdf(documents), f"reminders-{day.isoformat()}.pdf")


@bp.get("/office/documents/<int:document_id>.pdf")
@office_required
def office_document_pdf(document_id: int):
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    require_county(document.unit.county_id)
    return pdf_download(document.pdf, f"document-{document.id}-v{document.version}.pdf")


# -- one case ------------------------------------------------------------------------------------------

def case_timeline(case: Case) -> list[dict]:
    events = db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.at, Event.id)
                                .options(selectinload(Event.actor)))
    lines = []
    for event in events:
        detail = event.data.get("number") or event.data.get("note") or ""
        if event.action == "enforcement.recorded" and event.data.get("kind") in ActionKind.__members__:
            detail = label(ActionKind(event.data["kind"]))
        lines.append({"at": event.at, "label": event_label(event.action),
                      "actor": event.actor.label if event.actor else "", "reason": event.reason or "",
                      "detail": detail})
    return lines


def case_page_data(case: Case) -> dict:
    today = clock.today()
    open_findings = [finding for finding in case.findings if finding.is_open]
    return {
        "case": case,
        "risk": risk_color(case.unit),
        "open_findings": open_findings,
        "overdue_ids": {finding.id for finding in open_findings if finding.deadline < today},
        "documents": list(db.session.scalars(select(Document).where(Document.case_id == case.id)
                                             .order_by(Document.issued_at, Document.id))),
        "assignments": list(db.session.scalars(select(Assignment).where(Assignment.case_id == case.id)
                                               .order_by(Assignment.id))),
        "summonses": list(db.session.scalars(select(Summons).where(Summons.case_id == case.id)
                                             .order_by(Summons.id))),
        "enforcements": list(db.session.scalars(select(EnforcementAction).where(EnforcementAction.case_id == case.id)
                                                .order_by(EnforcementAction.id))),
        "timeline": case_timeline(case),
        "regulators": departments_in_scope(DepartmentKind.regulator),
        "enforcement_departments": departments_in_scope(DepartmentKind.regulator, DepartmentKind.safety_office),
        "action_kinds": list(ActionKind), "can_assign": case.is_open and case.stage != Stage.reminder,
        "default_deadline": today + timedelta(days=15), "today": today,
    }


def render_case(case: Case, message: str | None = None, failed: str = "", status: int = 200):
    return render_template("office/case.html", message=message, failed=failed, form=request.form,
                           **case_page_data(case)), status


@bp.get("/office/cases/<int:case_id>")
@office_required
def office_case(case_id: int):
    return render_case(get_case(case_id))


def case_action(case_id: int, failed: str, operation, done: str):
    """POST handler shape of the case page: one operation, commit, back to the case; or the page with the
    refusal next to the form that caused it."""
    case = get_case(case_id)
    message = commit_or_message(lambda: operation(case))
    if message:
        return render_case(case, message, failed, 400)
    flash(done, "success")
    return redirect(url_for("web.office_case", case_id=case_id))


@bp.post("/office/cases/<int:case_id>/assignments")
@permission_required(Action.issue_assignment)
def office_case_assign(case_id: int):
    def issue(case: Case):
        regulators = {department.id: department for department in departments_in_scope(DepartmentKind.regulator)}
        regulator_id = form_text("regulator")
        regulator = regulators.get(int(regulator_id)) if regulator_id.isdigit() else None
        if regulator is None:
            raise InvalidInput("请选择行业主管部门", "regulator is required", field="regulator_code")
        findings_by_id = {finding.id: finding for finding in case.findings}
        chosen = form_ids("finding_ids")
        if any(finding_id not in findings_by_id for finding_id in chosen):
            raise NotFound("所选问题不属于该案件", "a chosen finding is not in this case", field="finding_ids")
        deadline = parse_date(form_text("deadline"), "deadline", "整改期限")
        issue_assignment(current_user, case, regulator,
                         findings=[findings_by_id[finding_id] for finding_id in chosen] or None, deadline=deadline)

    return case_action(case_id, "assign", issue, _("交办单已签发，已送达行业主管部门和属地平安办"))


@bp.post("/office/cases/<int:case_id>/escalate")
@permission_required(Action.escalate)
def office_case_escalate(case_id: int):
    def escalate(case: Case):
        to_stage = form_text("to_stage")
        if to_stage and to_stage not in (Stage.warning, Stage.enforcement):
            raise InvalidInput("只能升级到二次警示或三次执法", "to_stage must be warning or enforcement",
                               field="to_stage")
        ladder.escalate(case, current_user, form_text("reason", 1000), Stage(to_stage) if to_stage else None)

    return case_action(case_id, "escalate", escalate, _("案件已升级"))


@bp.post("/office/cases/<int:case_id>/withdraw")
@permission_required(Action.withdraw)
def office_case_withdraw(case_id: int):
    return case_action(case_id, "withdraw", lambda case: ladder.withdraw(case, current_user, form_text("reason", 1000)),
                       _("案件已撤销"))


@bp.post("/office/cases/<int:case_id>/enforcement")
@permission_required(Action.record_enforcement)
def office_case_enforcement(case_id: int):
    def record(case: Case):
        action = form_text("action")
        if action not in ActionKind.__members__:
            raise InvalidInput("请选择执法措施", "action is required", field="action")
        allowed_departments = {department.id: department for department in
                               departments_in_scope(DepartmentKind.regulator, DepartmentKind.safety_office)}
        departments = [allowed_departments[i] for i in form_ids("departments") if i in allowed_departments]
        record_enforcement(current_user, case, ActionKind(action), departments=departments,
                           decision_no=form_text("decision_no", 60), amount=parse_amount(form_text("amount")),
                           note=form_text("note", 2000))

    return case_action(case_id, "enforcement", record, _("执法情况已登记"))


def document_action(document_id: int, operation, done: str):
    document = db.session.get(Document, document_id)
    if document is None or document.case_id is None:
        abort(404)
    case = get_case(document.case_id)
    message = commit_or_message(lambda: operation(document, form_text("reason", 1000)))
    if message:
        return render_case(case, message, f"document-{document.id}", 400)
    flash(done, "success")
    return redirect(url_for("web.office_case", case_id=case.id, _anchor="documents"))


@bp.post("/office/documents/<int:document_id>/revoke")
@permission_required(Action.revoke_document)
def office_document_revoke(document_id: int):
    return document_action(document_id, lambda document, reason: issuing.revoke(document, current_user, reason),
                           _("文书已作废"))


@bp.post("/office/documents/<int:document_id>/reissue")
@permission_required(Action.revoke_document)
def office_document_reissue(document_id: int):
    return document_action(document_id, lambda document, reason: issuing.reissue(document, current_user, reason),
                           _("已重新签发新版本，原版本标记为已取代"))
