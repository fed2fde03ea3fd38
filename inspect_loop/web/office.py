"""县级平安办: the workbench (cases by stage, what is due today, overdue items), the sweep lists, the day's
reminders as one PDF, and each case's page with its 交办单, escalation, withdrawal, enforcement and documents.

Every page is for the county safety office and the administrator; a safety-office user sees its own county
only (``api.scope``). Forms are plain HTML posts (CSRF checked by ``CSRFProtect``); each POST calls one domain
operation, commits once and redirects, or shows the page again with the Chinese refusal and changes nothing.
The interview rounds are in ``office_rounds.py``, the read-only queries in ``office_queries.py``.
"""

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from inspect_loop import clock
from inspect_loop.api import scope
from inspect_loop.assignments.operations import DEFAULT_ASSIGNMENT_DAYS, issue_assignment
from inspect_loop.caching.pages import cached_page
from inspect_loop.cases import ladder, policy
from inspect_loop.cases.history import start_sentence_parts
from inspect_loop.cases.models import Case, Stage
from inspect_loop.cases.queries import risk_color
from inspect_loop.config import is_loopback_url
from inspect_loop.db import db
from inspect_loop.enforcement import feedback
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.enforcement.operations import record_enforcement
from inspect_loop.errors import InvalidInput
from inspect_loop.letters import batch, issuing
from inspect_loop.letters.models import Document
from inspect_loop.regions.models import Region
from inspect_loop.stats.excel import Column
from inspect_loop.users.models import Role
from inspect_loop.users.permissions import Action, allowed
from inspect_loop.watch_list.queries import listed_count
from inspect_loop.web import bp
from inspect_loop.web import office_queries as queries
from inspect_loop.web.arguments import parse_day, query_day, query_id, query_text
from inspect_loop.web.auth import permission_required, roles_required
from inspect_loop.web.exports import MAX_EXPORT_ROWS, wants_xlsx, xlsx_list
from inspect_loop.web.helpers import (
    commit_or_refusal,
    domain_message,
    form_ids,
    form_text,
    paginate,
    search_text,
)
from inspect_loop.web.labels import RISK_WORDS, event_detail, event_label, label
from inspect_loop.web.office_forms import parse_amount, pdf_download
from inspect_loop.web.service_pages import unserved_preview

OFFICE_ROLES = (Role.admin, Role.safety_office)
office_required = roles_required(*OFFICE_ROLES)

CASE_COLUMNS = [
    Column("id", _l("案件编号")), Column("unit", _l("单位")), Column("uscc", _l("统一社会信用代码")),
    Column("township", _l("乡镇（街道）")), Column("address", _l("地址")), Column("stage", _l("阶段")),
    Column("status", _l("状态")), Column("outcome", _l("结案结果")), Column("opened_on", _l("立案日期")),
    Column("closed_on", _l("结案日期")), Column("open_findings", _l("未销号问题")),
    Column("overdue_findings", _l("逾期问题")), Column("nearest_deadline", _l("最近整改期限")), Column("risk", _l("风险")),
]
FINDING_COLUMNS = [
    Column("id", _l("问题编号")), Column("case_id", _l("案件编号")), Column("unit", _l("单位")),
    Column("township", _l("乡镇（街道）")), Column("hazard", _l("隐患")), Column("category", _l("类别")),
    Column("severity", _l("等级")), Column("stage", _l("案件阶段")), Column("found_on", _l("发现日期")),
    Column("deadline", _l("整改期限")), Column("days_overdue", _l("逾期天数")),
]
FEEDBACK_COLUMNS = [
    Column("referral_number", _l("执法建议书文号")), Column("case_id", _l("案件编号")), Column("unit", _l("单位")),
    Column("township", _l("乡镇（街道）")), Column("department", _l("行业主管部门")),
    Column("issued_on", _l("签发日期")), Column("due_on", _l("反馈期限")), Column("days_overdue", _l("逾期天数")),
]


def township_options() -> list[tuple[int, str]]:
    return [(township.id, township.name) for township in queries.townships_in_scope(current_user)]


def township_name(township_id: int | None) -> str:
    region = db.session.get(Region, township_id) if township_id else None
    return region.name if region else ""


def case_row(row, risks: dict[int, str]) -> dict:
    case, open_count, nearest_deadline, overdue_count = row[:4]
    unit = case.unit
    return {"id": case.id, "unit": unit.name, "uscc": unit.uscc or "", "township": unit.township.name,
            "address": unit.address, "stage": label(case.stage), "status": label(case.status),
            "outcome": label(case.outcome), "opened_on": case.opened_on, "closed_on": case.closed_on,
            "open_findings": open_count, "overdue_findings": overdue_count, "nearest_deadline": nearest_deadline,
            "risk": str(RISK_WORDS.get(risks.get(unit.id), ""))}


def finding_row(finding, unit, today) -> dict:
    hazard = finding.hazard_type
    return {"id": finding.id, "case_id": finding.case_id, "unit": unit.name, "township": unit.township.name, "hazard": hazard.title, "category": hazard.category,
            "severity": label(finding.severity), "stage": label(finding.case.stage), "found_on": finding.found_on,
            "deadline": finding.deadline, "days_overdue": (today - finding.deadline).days}


def feedback_row(row, unit, today) -> dict:
    return {"referral_number": row.referral.number, "case_id": row.case_id, "unit": unit.name,
            "township": unit.township.name, "department": row.department.name, "issued_on": row.referral.issued_on,
            "due_on": row.due_on, "days_overdue": (today - row.due_on).days}


def case_export_rows(statement, today) -> list[dict]:
    rows = db.session.execute(statement.limit(MAX_EXPORT_ROWS)).unique().all()
    risks = queries.risk_colors([row[0].unit_id for row in rows], today)
    return [case_row(row, risks) for row in rows]


def finding_export_rows(statement, today) -> list[dict]:
    rows = db.session.execute(statement.limit(MAX_EXPORT_ROWS)).unique().all()
    return [finding_row(finding, unit, today) for finding, unit in rows]


def page_of_cases(statement, today):
    """One page of case rows and the risk colour of their units."""
    pager = paginate(statement)
    return pager, queries.risk_colors([row[0].unit_id for row in pager.items], today)


# -- the workbench -------------------------------------------------------------------------------------

@bp.get("/office")
@office_required
@cached_page
def office_home():
    today = clock.today()
    filters = queries.CaseFilters.from_request()
    statement = queries.cases_statement(current_user, filters, today)
    if wants_xlsx():
        stage = {"closed": _("已结案"), "": _("全部进行中")}.get(filters.stage) or label(Stage(filters.stage))
        notes = [(_("阶段"), stage), (_("乡镇（街道）"), township_name(filters.township) or _("全部")),
                 (_("搜索"), query_text("q")), (_("仅有逾期问题"), _("是") if filters.overdue else _("否"))]
        return xlsx_list(_("闭环案件"), CASE_COLUMNS, case_export_rows(statement, today), "cases", notes)
    pager, risks = page_of_cases(statement, today)
    return render_template(
        "office/home.html", pager=pager, risks=risks, filters=filters, today=today,
        counts=queries.stage_counts(current_user, filters, today), sections=queries.sweep_previews(current_user, today),
        township_options=township_options(), stage_labels={stage.value: label(stage) for stage in Stage},
        may_import_units=allowed(current_user, Action.manage_units), unserved=unserved_preview(current_user, today),
        watch_list_count=listed_count(scope.unit_condition(current_user)),
        loopback_base_url=is_loopback_url(current_app.config["BASE_URL"]))


@bp.get("/office/today/<section>")
@office_required
@cached_page
def office_due(section: str):
    if section not in queries.SWEEP_SECTIONS:
        abort(404)
    today = clock.today()
    township = query_id("township")
    statement = queries.sweep_statement(current_user, section, today, search_text(), township)
    rows_of = section if section in ("overdue_findings", "overdue_feedback") else "cases"
    if wants_xlsx():
        title = str(queries.SWEEP_SECTIONS[section])
        notes = [(_("日期"), today.isoformat()), (_("乡镇（街道）"), township_name(township) or _("全部")),
                 (_("搜索"), query_text("q"))]
        if rows_of == "overdue_feedback":
            rows = [feedback_row(row, unit, today)
                    for row, unit in db.session.execute(statement.limit(MAX_EXPORT_ROWS)).unique().all()]
            return xlsx_list(title, FEEDBACK_COLUMNS, rows, section, notes)
        if rows_of == "overdue_findings":
            return xlsx_list(title, FINDING_COLUMNS, finding_export_rows(statement, today), section, notes)
        return xlsx_list(title, CASE_COLUMNS, case_export_rows(statement, today), section, notes)
    pager, risks = (paginate(statement), {}) if rows_of != "cases" else page_of_cases(statement, today)
    return render_template("office/due.html", section=section, title=queries.SWEEP_SECTIONS[section],
                           hint=queries.SWEEP_HINTS[section], pager=pager, risks=risks, today=today,
                           township_options=township_options(), rows_of=rows_of)


@bp.get("/office/reminders.pdf")
@office_required
def office_reminders_pdf():
    """Every valid 整改提醒通知书 issued on one day, for printing and delivery in one go."""
    try:
        day = query_day("day", "日期") or clock.today()
    except InvalidInput as error:
        flash(domain_message(error), "error")
        return redirect(url_for("web.office_home"))
    county_id = current_user.department.region_id if current_user.role == Role.safety_office else None
    documents = batch.reminders_of_day(day, county_id)
    if not documents:
        flash(_("%(day)s没有签发有效的整改提醒通知书", day=day.isoformat()), "info")
        return redirect(url_for("web.office_home"))
    return pdf_download(batch.merged_pdf(documents), f"reminders-{day.isoformat()}.pdf")


# -- one case ------------------------------------------------------------------------------------------

def get_case(case_id: int) -> Case:
    """The case, or 404; another county's case answers 403, as in the API."""
    case = db.get_or_404(Case, case_id)
    if not scope.can_see_case(current_user, case):
        abort(403)
    return case


def timeline(case: Case) -> list[dict]:
    lines = []
    for event in queries.case_events(case):
        # The same wording as the unit page's timeline; notes (reports, close-outs) besides.
        lines.append({"at": event.at, "label": event_label(event.action),
                      "actor": event.actor.label if event.actor else "", "reason": event.reason or "",
                      "detail": event_detail(event) or event.data.get("note") or ""})
    return lines


def render_case(case: Case, message: str | None = None, failed: str = "", status: int = 200):
    today = clock.today()
    queries.load_findings(case)
    open_findings = [finding for finding in case.findings if finding.is_open]
    regulators = queries.case_regulators(case)
    open_sectors = {finding.hazard_type.sector for finding in open_findings}
    return render_template(
        "office/case.html", case=case, risk=risk_color(case.unit), message=message, failed=failed,
        form=request.form, today=today, open_findings=open_findings,
        documents=queries.case_documents(case), assignments=queries.case_assignments(case),
        summonses=queries.case_summonses(case), enforcements=queries.case_enforcements(case),
        timeline=timeline(case), regulators=regulators,
        extensions=queries.case_extensions(case),
        regulators_with_work={regulator.id for regulator in regulators if open_sectors & set(regulator.sectors)},
        enforcement_departments=queries.case_enforcement_departments(case), action_kinds=list(ActionKind),
        moves=policy.moves(case, current_user), default_deadline=today + timedelta(days=DEFAULT_ASSIGNMENT_DAYS),
        referral_feedback=feedback.feedback_of(case),
        overdue_feedback_ids=queries.overdue_feedback_ids(case, today), start=start_sentence_parts(case)), status


@bp.get("/office/cases/<int:case_id>")
@office_required
@cached_page
def office_case(case_id: int):
    return render_case(get_case(case_id))


def case_action(case_id: int, failed: str, operation, done: str):
    """A POST of the case page: one operation, commit, back to the case; or the page again with the
    refusal next to the form that caused it (the refusal's status: 400 bad input, 403, 409 a step the loop does
    not allow now) and nothing changed."""
    case = get_case(case_id)
    refusal = commit_or_refusal(lambda: operation(case))
    if refusal:
        return render_case(db.session.get(Case, case_id), domain_message(refusal), failed, refusal.http_status)
    flash(done, "success")
    return redirect(url_for("web.office_case", case_id=case_id))


def chosen_department(options, field: str, message_zh: str, message_en: str):
    by_id = {department.id: department for department in options}
    value = form_text(field)
    department = by_id.get(int(value)) if value.isdigit() else None
    if department is None:
        raise InvalidInput(message_zh, message_en, field=field)
    return department


@bp.post("/office/cases/<int:case_id>/assignments")
@permission_required(Action.issue_assignment)
def office_case_assign(case_id: int):
    def issue(case: Case):
        regulator = chosen_department(queries.case_regulators(case), "regulator", "请选择行业主管部门",
                                      "Choose a sector regulator.")
        findings_by_id = {finding.id: finding for finding in case.findings}
        chosen = form_ids("finding_ids")
        if any(finding_id not in findings_by_id for finding_id in chosen):
            raise InvalidInput("所选问题不属于该案件", "A chosen problem does not belong to this case.", field="finding_ids")
        issue_assignment(current_user, case, regulator,
                         findings=[findings_by_id[finding_id] for finding_id in chosen] or None,
                         deadline=parse_day(form_text("deadline"), "deadline", "整改期限"))

    return case_action(case_id, "assign", issue, _("交办单已签发，已送达行业主管部门和属地平安办"))


@bp.post("/office/cases/<int:case_id>/escalate")
@permission_required(Action.escalate)
def office_case_escalate(case_id: int):
    def escalate(case: Case):
        to_stage = form_text("to_stage")
        if to_stage not in ladder.ESCALATIONS:
            raise InvalidInput("请选择升级到二次警示或三次执法", "Choose to escalate to the Warning or the Enforcement stage.",
                               field="to_stage")
        ladder.escalate(case, current_user, form_text("reason", 1000), Stage(to_stage))

    return case_action(case_id, "escalate", escalate, _("案件已升级"))


@bp.post("/office/cases/<int:case_id>/withdraw")
@permission_required(Action.withdraw)
def office_case_withdraw(case_id: int):
    return case_action(case_id, "withdraw",
                       lambda case: ladder.withdraw(case, current_user, form_text("reason", 1000)), _("案件已撤销"))


@bp.post("/office/cases/<int:case_id>/enforcement")
@permission_required(Action.record_enforcement)
def office_case_enforcement(case_id: int):
    def record(case: Case):
        action = form_text("action")
        if action not in ActionKind.__members__:
            raise InvalidInput("请选择执法措施", "Choose the enforcement measure.", field="action")
        allowed_departments = {department.id: department
                               for department in queries.case_enforcement_departments(case)}
        chosen = form_ids("departments")
        if any(department_id not in allowed_departments for department_id in chosen):
            raise InvalidInput("所选执法部门不属于该县（市、区）", "A chosen enforcing department is not of this county.",
                               field="departments")
        record_enforcement(current_user, case, ActionKind(action),
                           departments=[allowed_departments[department_id] for department_id in chosen],
                           decision_no=form_text("decision_no", 60), amount=parse_amount(form_text("amount", 20)),
                           note=form_text("note", 2000))

    return case_action(case_id, "enforcement", record, _("执法情况已登记"))


@bp.post("/office/cases/<int:case_id>/referral-feedback")
@office_required
@permission_required(Action.record_referral_feedback)
def office_case_referral_feedback(case_id: int):
    """The county office records a regulator's feedback on the 执法建议书 on its behalf (a reply on paper)."""
    def record(case: Case):
        pending = [row.department for row in feedback.feedback_of(case) if not row.is_recorded]
        department = chosen_department(pending, "department", "请选择给出反馈的行业主管部门",
                                       "Choose the sector regulator whose feedback this is.")
        feedback.record_feedback(current_user, case, department, action_taken=form_text("action_taken", 2000),
                                 done_on=parse_day(form_text("done_on"), "done_on", "办理日期"),
                                 reply_number=form_text("reply_number", 60))

    return case_action(case_id, "referral-feedback", record, _("办理反馈已登记"))


def document_action(document_id: int, operation, done: str):
    document = db.get_or_404(Document, document_id)
    if document.case_id is None:
        abort(404)
    case = get_case(document.case_id)
    refusal = commit_or_refusal(lambda: operation(document, form_text("reason", 1000)))
    if refusal:
        return render_case(db.session.get(Case, case.id), domain_message(refusal), f"document-{document_id}",
                           refusal.http_status)
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
                           _("已重新签发新版本，原版本标记为已被新版本替代"))


from inspect_loop.web import office_rounds  # noqa: E402,F401  (its pages register on bp; it uses the helpers above)
