"""交办单 inbox of the recipients (双交办): the sector regulator (业务指导, 签认 or refusal with a reason) and the
territorial township office (整改报告 with photos, 验收销号). Each department sees only the 交办单 copies
addressed to it; the status of each is computed from that department's side (``api.serialize``), as in the
API's ``GET /assignments``.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import joinedload, selectinload

from inspect_loop import clock
from inspect_loop.api.scope import assignment_condition
from inspect_loop.api.serialize import assignment_status_expression
from inspect_loop.assignments.models import Assignment, AssignmentFinding, CloseOut, SignOff
from inspect_loop.assignments.operations import (
    add_guidance,
    close_out,
    close_out_findings,
    receive_assignment,
    sign_off,
    sign_off_findings,
)
from inspect_loop.audit.models import Event
from inspect_loop.caching.pages import cached_page
from inspect_loop.cases import policy
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.errors import InvalidInput
from inspect_loop.inspections.models import Finding, FindingStatus, Rectification
from inspect_loop.inspections.operations import report_rectification
from inspect_loop.letters.models import Document, DocumentStatus
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role, User
from inspect_loop.web import bp
from inspect_loop.web.arguments import query_text
from inspect_loop.web.auth import roles_required
from inspect_loop.web.exports import MAX_EXPORT_ROWS, wants_xlsx, xlsx_list
from inspect_loop.web.helpers import (
    commit_or_refusal,
    domain_message,
    form_ids,
    form_text,
    kept_photo_ids,
    like,
    paginate,
    search_text,
)
from inspect_loop.web.uploads import posted_photos

recipients_only = roles_required(Role.regulator, Role.township_office)
INBOX_STATUSES = {"pending": _l("待签收"), "received": _l("办理中"), "completed": _l("已办结")}
STATUS_TONES = {"pending": "warn", "received": "neutral", "completed": "good"}
# The tabs besides the statuses: 待办 (the default: no ``status``) and 全部 (``status=all``).
WAITING, EVERYTHING = "", "all"
TAB_LABELS = {WAITING: _l("待办"), EVERYTHING: _l("全部"), **INBOX_STATUSES}
NOTE_MAX = 2000


# -- the list ------------------------------------------------------------------------------------------

def my_status():
    """pending / received / completed of a 交办单 from the reader's department's side."""
    return assignment_status_expression(current_user.department_id)


def chosen_tab() -> str:
    chosen = request.args.get("status", WAITING)
    return chosen if chosen in INBOX_STATUSES or chosen == EVERYTHING else WAITING


def open_findings_summary():
    """Per 交办单 with open findings: how many, how many overdue, and the nearest deadline (one GROUP BY)."""
    return (select(AssignmentFinding.assignment_id,
                   func.count().label("open_count"),
                   func.count(sql_case((Finding.deadline < clock.today(), 1))).label("overdue_count"),
                   func.min(Finding.deadline).label("nearest"))
            .join(Finding, Finding.id == AssignmentFinding.finding_id)
            .where(Finding.status == FindingStatus.open)
            .group_by(AssignmentFinding.assignment_id).subquery())


def inbox_statement(user: User):
    """(assignment, status, open_count, overdue_count, nearest) rows of the user's inbox, the most urgent first,
    filtered by the tab (``status``: 待办 by default), ``q`` (unit name or address) and ``overdue`` (deadline
    passed and not completed). Urgency: what is still to do from the reader's side before what is done, then
    the nearest open deadline (the most overdue first), then the newest."""
    status = my_status()
    summary = open_findings_summary()
    statement = (select(Assignment, status.label("status"), func.coalesce(summary.c.open_count, 0),
                        func.coalesce(summary.c.overdue_count, 0), summary.c.nearest)
                 .join(Case, Case.id == Assignment.case_id).join(Unit, Unit.id == Case.unit_id)
                 .outerjoin(summary, summary.c.assignment_id == Assignment.id)
                 .where(assignment_condition(user)))
    text = search_text()
    if text:
        statement = statement.where(or_(Unit.name.ilike(like(text), escape="\\"),
                                        Unit.address.ilike(like(text), escape="\\")))
    chosen = chosen_tab()
    if chosen == WAITING:
        statement = statement.where(policy.waits_for(user.department_id))
    elif chosen != EVERYTHING:
        statement = statement.where(status == chosen)
    if request.args.get("overdue") == "1":
        statement = statement.where(and_(Assignment.deadline < clock.today(), status != "completed"))
    return (statement.order_by(status == "completed", summary.c.nearest.is_(None), summary.c.nearest,
                               Assignment.issued_at.desc(), Assignment.id.desc())
            .options(joinedload(Assignment.case).joinedload(Case.unit),
                     selectinload(Assignment.findings).selectinload(Finding.hazard_type)))


def tab_counts(user: User) -> dict[str, int]:
    """How many of the inbox's 交办单 wait for the reader, and how many are in each status (one GROUP BY)."""
    status = my_status().label("status")
    mine = (select(Assignment.id, status).join(Case, Case.id == Assignment.case_id)
            .join(Unit, Unit.id == Case.unit_id).where(assignment_condition(user)).subquery())
    counts = dict(db.session.execute(select(mine.c.status, func.count()).group_by(mine.c.status)).all())
    waiting = db.session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.id.in_(select(mine.c.id)), policy.waits_for(user.department_id)))
    return {WAITING: waiting, EVERYTHING: sum(counts.values()),
            **{key: counts.get(key, 0) for key in INBOX_STATUSES}}


def current_documents(assignment_ids: list[int]) -> dict[int, Document]:
    """The newest valid 交办单 document of each assignment."""
    if not assignment_ids:
        return {}
    documents = db.session.scalars(
        select(Document).where(Document.assignment_id.in_(assignment_ids), Document.status == DocumentStatus.valid)
        .order_by(Document.id))
    return {document.assignment_id: document for document in documents}


def export_inbox():
    rows = db.session.execute(inbox_statement(current_user).limit(MAX_EXPORT_ROWS)).unique().all()
    documents = current_documents([row[0].id for row in rows])
    today = clock.today()
    columns = [("number", _("交办单文号")), ("unit", _("单位")), ("address", _("地址")), ("findings", _("问题")),
               ("issued_on", _("签发日期")), ("deadline", _("整改期限")), ("overdue", _("是否逾期")),
               ("status", _("办理状态"))]
    data = [{"number": documents[assignment.id].number if assignment.id in documents else "",
             "unit": assignment.case.unit.name, "address": assignment.case.unit.address,
             "findings": _("；").join(finding.hazard_type.title for finding in assignment.findings),
             "issued_on": assignment.issued_on.isoformat(), "deadline": assignment.deadline.isoformat(),
             "overdue": _("是") if assignment.deadline < today and status != "completed" else _("否"),
             "status": str(INBOX_STATUSES[status])} for assignment, status, *_summary in rows]
    filters = [(_("部门"), current_user.department.name)]
    filters.append((_("办理状态"), str(TAB_LABELS[chosen_tab()])))
    if searched := query_text("q"):
        filters.append((_("搜索"), searched))
    if request.args.get("overdue") == "1":
        filters.append((_("只看逾期"), _("是")))
    return xlsx_list(_("交办单"), columns, data, "assignments", filters=filters)


@bp.get("/inbox")
@recipients_only
@cached_page
def inbox():
    if wants_xlsx():
        return export_inbox()
    pager = paginate(inbox_statement(current_user))
    counts = tab_counts(current_user)
    tabs = [(key, text, counts[key], url_for("web.inbox", status=key or None)) for key, text in TAB_LABELS.items()]
    documents = current_documents([row[0].id for row in pager.items])
    return render_template("inbox/list.html", pager=pager, chosen=chosen_tab(), tabs=tabs, documents=documents,
                           status_labels=INBOX_STATUSES, status_tones=STATUS_TONES, today=clock.today())


# -- one 交办单 ----------------------------------------------------------------------------------------

def get_assignment(assignment_id: int) -> Assignment:
    assignment = db.get_or_404(Assignment, assignment_id)
    if current_user.department_id not in (assignment.regulator_id, assignment.territorial_id):
        abort(403)
    return assignment


def signer(decision: SignOff) -> str:
    """The regulator and the person who decided (once, when the account is named after the department)."""
    person = decision.decided_by.label
    return person if person == decision.department.name else f"{decision.department.name} {person}"


def finding_histories(finding_ids: list[int]) -> dict[int, list[dict]]:
    """Per finding, in time order: rectification reports (with photos), sign-off decisions, the close-out."""
    entries: dict[int, list[dict]] = {finding_id: [] for finding_id in finding_ids}
    for report in db.session.scalars(select(Rectification).where(Rectification.finding_id.in_(finding_ids))
                                     .options(selectinload(Rectification.photos),
                                              joinedload(Rectification.reported_by))):
        entries[report.finding_id].append({"at": report.reported_at, "title": _("报告整改"),
                                           "note": report.note, "by": report.reported_by.label,
                                           "photos": report.photos, "tone": ""})
    decisions = (select(SignOff).where(SignOff.finding_id.in_(finding_ids))
                 .options(joinedload(SignOff.department), joinedload(SignOff.decided_by)))
    for decision in db.session.scalars(decisions):
        entries[decision.finding_id].append({
            "at": decision.decided_at, "title": _("签认通过") if decision.approved else _("不予签认"),
            "note": decision.note, "by": signer(decision), "photos": [],
            "tone": "good" if decision.approved else "bad"})
    for record in db.session.scalars(select(CloseOut).where(CloseOut.finding_id.in_(finding_ids))):
        by = db.session.get(User, record.closed_by_id)
        entries[record.finding_id].append({"at": record.closed_at, "title": _("验收销号"), "note": record.note,
                                           "by": by.label if by else "", "photos": [], "tone": "good"})
    return {finding_id: sorted(items, key=lambda item: item["at"]) for finding_id, items in entries.items()}


def guidance_notes(assignment: Assignment) -> list[Event]:
    return list(db.session.scalars(
        select(Event).where(Event.action == "assignment.guidance", Event.subject_type == "assignment",
                            Event.subject_id == assignment.id)
        .order_by(Event.id).options(joinedload(Event.actor))))


def assignment_page_data(assignment: Assignment) -> dict:
    findings = list(db.session.scalars(
        select(Finding).where(Finding.id.in_([finding.id for finding in assignment.findings]))
        .order_by(Finding.id)
        .options(selectinload(Finding.hazard_type), selectinload(Finding.photos),
                 selectinload(Finding.deadlines))))
    received = {receipt.department_id: receipt for receipt in assignment.receipts}
    is_regulator = current_user.department_id == assignment.regulator_id
    is_territorial = current_user.department_id == assignment.territorial_id
    # What the batch form offers: the findings waiting for the reader's step, as the policy says.
    waiting = (policy.awaiting_sign_off() if is_regulator else policy.awaiting_close_out() if is_territorial
               else None)
    eligible = set() if waiting is None else set(db.session.scalars(select(Finding.id).where(
        Finding.id.in_([finding.id for finding in findings]), waiting)))
    batch = [finding for finding in findings if finding.id in eligible]
    return {
        "assignment": assignment, "case": assignment.case, "unit": assignment.case.unit, "findings": findings,
        "status": db.session.scalar(select(my_status()).where(Assignment.id == assignment.id)),
        "document": current_documents([assignment.id]).get(assignment.id),
        "histories": finding_histories([finding.id for finding in findings]),
        "guidance": guidance_notes(assignment),
        "received": received, "my_receipt": received.get(current_user.department_id),
        "is_regulator": is_regulator, "is_territorial": is_territorial, "batch": batch,
        "status_labels": INBOX_STATUSES, "status_tones": STATUS_TONES, "today": clock.today(),
        "note_max": NOTE_MAX, "open_status": FindingStatus.open,
    }


def render_assignment(assignment: Assignment, message: str | None = None, failed: str = "",
                      status: int = 200):
    """The 交办单 page; after a refusal ``failed`` names the refused form, shown again with its input."""
    data = request.form if failed else {}
    return render_template("inbox/assignment.html", message=message, failed=failed, data=data,
                           kept_photos=kept_photo_ids(request.form) if failed else {},
                           **assignment_page_data(assignment)), status


@bp.get("/inbox/<int:assignment_id>")
@recipients_only
@cached_page
def inbox_assignment(assignment_id: int):
    return render_assignment(get_assignment(assignment_id))


def assignment_action(assignment_id: int, failed: str, operation, done: str, anchor: str | None = None):
    """One POST of the 交办单 page: the operation, one commit, then back to the page (or the refusal)."""
    assignment = get_assignment(assignment_id)
    error = commit_or_refusal(lambda: operation(assignment))
    if error:
        return render_assignment(assignment, domain_message(error), failed, error.http_status)
    flash(done, "success")
    return redirect(url_for("web.inbox_assignment", assignment_id=assignment_id, _anchor=anchor))


def finding_of(assignment: Assignment, finding_id: int) -> Finding:
    finding = next((finding for finding in assignment.findings if finding.id == finding_id), None)
    if finding is None:
        abort(404)
    return finding


@bp.post("/inbox/<int:assignment_id>/receipt")
@recipients_only
def inbox_receipt(assignment_id: int):
    return assignment_action(assignment_id, "receipt",
                             lambda assignment: receive_assignment(current_user, assignment), _("已签收交办单"))


@bp.post("/inbox/<int:assignment_id>/guidance")
@roles_required(Role.regulator)
def inbox_guidance(assignment_id: int):
    return assignment_action(
        assignment_id, "guidance",
        lambda assignment: add_guidance(current_user, assignment, form_text("note", NOTE_MAX + 1)),
        _("业务指导意见已记录"), "guidance")


@bp.post("/inbox/<int:assignment_id>/findings/<int:finding_id>/sign-off")
@roles_required(Role.regulator)
def inbox_sign_off(assignment_id: int, finding_id: int):
    decision = request.form.get("decision")

    def decide(assignment: Assignment):
        if decision not in ("approve", "refuse"):
            raise InvalidInput("请选择“签认通过”或“不予签认”", "Choose whether to sign off the rectification or refuse.", field="decision")
        sign_off(current_user, finding_of(assignment, finding_id), approved=decision == "approve",
                 note=form_text("note", NOTE_MAX))

    done = _("已签认整改") if decision == "approve" else _("已记录不予签认及理由")
    return assignment_action(assignment_id, f"sign-off-{finding_id}", decide, done, f"finding-{finding_id}")


@bp.post("/inbox/<int:assignment_id>/findings/<int:finding_id>/rectification")
@roles_required(Role.township_office)
def inbox_rectification(assignment_id: int, finding_id: int):
    def report(assignment: Assignment):
        finding = finding_of(assignment, finding_id)
        report_rectification(current_user, finding, form_text("note", NOTE_MAX),
                             posted_photos("photos", "photo_files", current_user))

    return assignment_action(assignment_id, f"rectification-{finding_id}", report, _("整改情况已报告"),
                             f"finding-{finding_id}")


@bp.post("/inbox/<int:assignment_id>/findings/<int:finding_id>/close")
@roles_required(Role.township_office)
def inbox_close_out(assignment_id: int, finding_id: int):
    return assignment_action(
        assignment_id, f"close-{finding_id}",
        lambda assignment: close_out(current_user, finding_of(assignment, finding_id),
                                     note=form_text("note", NOTE_MAX)),
        _("已验收销号"), f"finding-{finding_id}")


# -- several findings in one action: all of them or none (assignments/operations.py::each_or_none) ----------

@bp.post("/inbox/<int:assignment_id>/sign-offs")
@roles_required(Role.regulator)
def inbox_sign_offs(assignment_id: int):
    return assignment_action(
        assignment_id, "sign-offs",
        lambda assignment: sign_off_findings(current_user, assignment, form_ids("finding_ids"),
                                             note=form_text("note", NOTE_MAX)),
        _("所选问题已签认"), "findings")


@bp.post("/inbox/<int:assignment_id>/close-outs")
@roles_required(Role.township_office)
def inbox_close_outs(assignment_id: int):
    return assignment_action(
        assignment_id, "close-outs",
        lambda assignment: close_out_findings(current_user, assignment, form_ids("finding_ids"),
                                              note=form_text("note", NOTE_MAX)),
        _("所选问题已验收销号"), "findings")
