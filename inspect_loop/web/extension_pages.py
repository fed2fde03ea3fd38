"""延期 pages: the township office's request form (from the unit page or a 交办单), the list of requests — the
deciding office's pending ones first, with an Excel export — one request with its decision form, and the county
office's choice of who decides (``deadline_extensions``, ``docs/extensions.md``)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_loop import clock
from inspect_loop.api import scope
from inspect_loop.api.extensions import EXTENSION_LOADING, extension_notice
from inspect_loop.assignments.models import Assignment
from inspect_loop.caching.pages import cached_page
from inspect_loop.cases.models import Case, CaseStatus
from inspect_loop.db import db
from inspect_loop.deadline_extensions.models import ExtensionRequest, ExtensionStatus
from inspect_loop.deadline_extensions.operations import (
    decide_extension,
    request_extension,
    set_extension_decider,
)
from inspect_loop.errors import InvalidInput
from inspect_loop.labels import zh
from inspect_loop.regions.models import ExtensionDecider
from inspect_loop.stats.excel import Column
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role
from inspect_loop.users.permissions import Action, allowed
from inspect_loop.web import bp
from inspect_loop.web.arguments import parse_day, query_id
from inspect_loop.web.auth import permission_required, roles_required
from inspect_loop.web.exports import wants_xlsx, xlsx_list
from inspect_loop.web.helpers import (
    commit_or_refusal,
    configurable_counties,
    domain_message,
    form_ids,
    form_text,
    kept_photo_ids,
    paginate,
    posted_county,
)
from inspect_loop.web.uploads import posted_photos

REASON_MAX = 2000
# Who reads the list of requests: those who ask, those who decide.
READERS = (Role.admin, Role.safety_office, Role.regulator, Role.township_office)
EXPORT_COLUMNS = [
    Column("id", _l("申请编号")), Column("unit", _l("单位")), Column("township", _l("乡镇（街道）")),
    Column("findings", _l("问题")), Column("previous", _l("原整改期限")), Column("requested", _l("申请延至")),
    Column("reason", _l("延期理由")), Column("requested_on", _l("申请日期")), Column("decider", _l("审批部门")),
    Column("status", _l("状态")), Column("granted", _l("准予延至")), Column("decision_reason", _l("审批意见")),
]


def visible_request(extension_id: int) -> ExtensionRequest:
    extension = db.get_or_404(ExtensionRequest, extension_id)
    if not (current_user.department_id is not None and extension.decider_id == current_user.department_id) \
            and not scope.can_see_case(current_user, extension.case):
        abort(403)
    return extension


def requests_statement(status: str | None):
    statement = (select(ExtensionRequest).join(Case, Case.id == ExtensionRequest.case_id)
                 .join(Unit, Unit.id == Case.unit_id).where(scope.extension_condition(current_user)))
    if status:
        statement = statement.where(ExtensionRequest.status == status)
    return statement.order_by(ExtensionRequest.requested_at.desc(), ExtensionRequest.id.desc())


def export_row(extension: ExtensionRequest) -> dict:
    return {"id": extension.id, "unit": extension.unit.name, "township": extension.unit.township.name,
            "findings": "；".join(item.finding.hazard_type.title for item in extension.items),
            "previous": "、".join(sorted({item.previous_deadline.isoformat() for item in extension.items})),
            "requested": extension.requested_deadline.isoformat(), "reason": extension.reason,
            "requested_on": extension.requested_on.isoformat(), "decider": extension.decider.name,
            "status": _(zh(extension.status)),
            "granted": extension.granted_deadline.isoformat() if extension.granted_deadline else "",
            "decision_reason": extension.decision_reason or ""}


@bp.get("/extensions")
@roles_required(*READERS)
@cached_page
def extensions():
    status = request.args.get("status")
    if status is None:  # the deciding offices open their pending requests; the township offices all of theirs
        status = "" if current_user.role == Role.township_office else ExtensionStatus.pending.value
    if status and status not in ExtensionStatus.__members__:
        status = ""
    statement = requests_statement(status or None)
    if wants_xlsx():
        rows = db.session.scalars(statement.options(*EXTENSION_LOADING, selectinload(ExtensionRequest.unit)
                                                    .selectinload(Unit.township)))
        return xlsx_list(_("延期申请"), EXPORT_COLUMNS, [export_row(row) for row in rows], "extensions",
                         filters=[(_("状态"), _(zh(ExtensionStatus(status))) if status else _("全部"))])
    pager = paginate(statement.options(*EXTENSION_LOADING))
    tabs = [("", _("全部"), url_for("web.extensions", status=""))] + [
        (member.value, _(zh(member)), url_for("web.extensions", status=member.value)) for member in ExtensionStatus]
    return render_template("extensions/list.html", pager=pager, status=status, tabs=tabs,
                           may_configure=allowed(current_user, Action.configure_extensions))


def open_case_for_request(case_id: int | None) -> Case:
    case = db.session.get(Case, case_id) if case_id else None
    if case is None:
        abort(404)
    if not scope.can_see_case(current_user, case):
        abort(403)
    return case


def render_form(case: Case, message: str | None = None, status: int = 200):
    findings = [finding for finding in case.findings if finding.is_open]
    assignments = list(db.session.scalars(select(Assignment).where(Assignment.case_id == case.id)
                                          .order_by(Assignment.id)))
    return render_template("extensions/new.html", case=case, findings=findings, assignments=assignments,
                           message=message, data=request.form, kept_photos=kept_photo_ids(request.form),
                           chosen=set(form_ids("finding_ids")) if request.method == "POST"
                           else {query_id("finding_id")}, reason_max=REASON_MAX, today=clock.today(),
                           preset_assignment=query_id("assignment_id")), status


@bp.route("/extensions/new", methods=["GET", "POST"])
@permission_required(Action.request_extension)
def extension_new():
    case = open_case_for_request(query_id("case_id"))
    if case.status != CaseStatus.open:
        flash(_("案件已结案，不能申请延期"), "error")
        return redirect(url_for("web.unit", unit_id=case.unit_id))
    if request.method == "GET":
        return render_form(case)
    made = {}

    def ask():
        by_id = {finding.id: finding for finding in case.findings}
        assignment = None
        if (assignment_id := form_text("assignment_id")).isdigit():
            assignment = db.session.get(Assignment, int(assignment_id))
            if assignment is None or assignment.case_id != case.id:
                raise InvalidInput("该交办单不属于本案件", "The assignment order does not belong to this case.", field="assignment_id")
        chosen = form_ids("finding_ids")
        if assignment is None and any(finding_id not in by_id for finding_id in chosen):
            raise InvalidInput("所选问题不属于该案件", "A chosen problem does not belong to this case.", field="finding_ids")
        until = parse_day(form_text("requested_deadline"), "requested_deadline", "申请延至")
        if until is None:
            raise InvalidInput("请填写申请延至的日期", "Give the date the deadline should be extended to.", field="requested_deadline")
        made["request"] = request_extension(
            current_user, case, reason=form_text("reason", REASON_MAX + 1), requested_deadline=until,
            findings=None if assignment else [by_id[finding_id] for finding_id in chosen], assignment=assignment,
            photos=posted_photos("photos", "photo_files", current_user))

    refusal = commit_or_refusal(ask)
    if refusal:
        return render_form(db.session.get(Case, case.id), domain_message(refusal), refusal.http_status)
    flash(_("延期申请已提交，等待%(office)s审批", office=made["request"].decider.name), "success")
    return redirect(url_for("web.extension_detail", extension_id=made["request"].id))


def render_detail(extension: ExtensionRequest, message: str | None = None, status: int = 200):
    deciding = (extension.status == ExtensionStatus.pending and allowed(current_user, Action.decide_extension)
                and (current_user.role == Role.admin or current_user.department_id == extension.decider_id))
    return render_template("extensions/detail.html", extension=extension, notice=extension_notice(extension),
                           deciding=deciding, message=message, data=request.form, reason_max=REASON_MAX), status


@bp.get("/extensions/<int:extension_id>")
@roles_required(*READERS)
@cached_page
def extension_detail(extension_id: int):
    return render_detail(visible_request(extension_id))


@bp.post("/extensions/<int:extension_id>/decision")
@permission_required(Action.decide_extension)
def extension_decision(extension_id: int):
    extension = visible_request(extension_id)
    decision = request.form.get("decision")

    def decide():
        if decision not in ("approve", "refuse"):
            raise InvalidInput("请选择“准予延期”或“不予延期”", "Choose whether to grant or refuse the extension.", field="decision")
        decide_extension(current_user, extension, approved=decision == "approve",
                         reason=form_text("reason", REASON_MAX + 1),
                         granted_deadline=parse_day(form_text("granted_deadline"), "granted_deadline", "准予延至"))

    refusal = commit_or_refusal(decide)
    if refusal:
        return render_detail(db.session.get(ExtensionRequest, extension_id), domain_message(refusal),
                             refusal.http_status)
    flash(_("已准予延期，准予延期整改通知书已签发") if decision == "approve" else _("已不予延期"), "success")
    return redirect(url_for("web.extension_detail", extension_id=extension_id))


@bp.route("/extensions/decider", methods=["GET", "POST"])
@permission_required(Action.configure_extensions)
def extension_decider():
    counties = configurable_counties()
    message, status = None, 200
    if request.method == "POST":
        county = posted_county(counties)
        chosen = form_text("decider")

        def configure():
            if county is None:
                raise InvalidInput("请选择县（市、区）", "Choose a county.", field="county")
            if chosen not in ExtensionDecider.__members__:
                raise InvalidInput("请选择审批部门", "Choose who decides the extension requests.", field="decider")
            set_extension_decider(current_user, county, ExtensionDecider(chosen))

        refusal = commit_or_refusal(configure)
        if refusal is None:
            flash(_("延期审批部门已设置"), "success")
            return redirect(url_for("web.extension_decider"))
        message, status = domain_message(refusal), refusal.http_status
    return render_template("extensions/decider.html", counties=counties, deciders=list(ExtensionDecider),
                           message=message), status
