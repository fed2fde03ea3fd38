"""交办单 inbox of the recipients (双交办): the sector regulator (业务指导, 签认) and the territorial township
office (整改报告, 验收销号). Each department sees only the 交办单 copies addressed to it.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from inspect_loop import clock
from inspect_loop.api.scope import assignment_condition
from inspect_loop.api.serialize import assignment_status_expression
from inspect_loop.assignments.models import Assignment, CloseOut, SignOff
from inspect_loop.assignments.operations import add_guidance, close_out, receive_assignment, sign_off
from inspect_loop.audit.models import Event
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.errors import InvalidInput
from inspect_loop.inspections.models import Rectification
from inspect_loop.inspections.operations import report_rectification
from inspect_loop.letters.models import Document, DocumentStatus
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role
from inspect_loop.web import bp
from inspect_loop.web.auth import roles_required
from inspect_loop.web.helpers import paginate
from inspect_loop.web.office import commit_or_message, form_ids, form_text, pdf_download
from inspect_loop.web.uploads import unattached_photos

recipients_only = roles_required(Role.regulator, Role.township_office)
INBOX_STATUSES = {"pending": "待签收", "received": "办理中", "completed": "已办结"}


def inbox_statement():
    return (select(Assignment).join(Case, Case.id == Assignment.case_id).join(Unit, Unit.id == Case.unit_id)
            .where(assignment_condition(current_user)))


def my_status():
    return assignment_status_expression(current_user.department_id)


@bp.get("/inbox")
@recipients_only
def inbox():
    chosen = request.args.get("status", "")
    chosen = chosen if chosen in INBOX_STATUSES else ""
    status = my_status()
    statement = inbox_statement()
    if chosen:
        statement = statement.where(status == chosen)
    pager = paginate(statement.order_by(Assignment.issued_at.desc(), Assignment.id.desc())
                     .options(joinedload(Assignment.case).joinedload(Case.unit), selectinload(Assignment.findings)))
    ids = [assignment.id for assignment in pager.items]
    statuses = dict(db.session.execute(select(Assignment.id, status).where(Assignment.id.in_(ids))).all()) \
        if ids else {}
    return render_template("inbox/list.html", pager=pager, chosen=chosen, counts=status_counts(), statuses=statuses,
                           status_labels=INBOX_STATUSES, documents=current_documents(ids), today=clock.today())


def status_counts() -> dict[str, int]:
    status = my_status().label("status")
    mine = inbox_statement().add_columns(status).subquery()
    rows = db.session.execute(select(mine.c.status, func.count()).group_by(mine.c.status)).all()
    return {key: dict(rows).get(key, 0) for key in INBOX_STATUSES}


def current_documents(assignment_ids: list[int]) -> dict[int, Document]:
    """The newest valid 交办单 document of each assignment."""
    if not assignment_ids:
        return {}
    documents = db.session.scalars(select(Document).where(
        Document.assignment_id.in_(assignment_ids), Document.status == DocumentStatus.valid).order_by(Document.id))
    return {document.assignment_id: document for document in documents}


def get_assignment(assignment_id: int) -> Assignment:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        abort(404)
    if current_user.department_id not in (assignment.regulator_id, assignment.territorial_id):
        abort(403)
    return assignment


def assignment_page_data(assignment: Assignment) -> dict:
    finding_ids = [finding.id for finding in assignment.findings]
    rectifications, sign_offs, close_outs = {}, {}, {}
    for report in db.session.scalars(select(Rectification).where(Rectification.finding_id.in_(finding_ids))
                                     .order_by(Rectification.id).options(selectinload(Rectification.photos))):
        rectifications.setdefault(report.finding_id, []).append(report)
    for decision in db.session.scalars(select(SignOff).where(SignOff.finding_id.in_(finding_ids)).order_by(SignOff.id)):
        sign_offs.setdefault(decision.finding_id, []).append(decision)
    for record in db.session.scalars(select(CloseOut).where(CloseOut.finding_id.in_(finding_ids))):
        close_outs[record.finding_id] = record
    guidance = list(db.session.scalars(
        select(Event).where(Event.action == "assignment.guidance", Event.subject_type == "assignment",
                            Event.subject_id == assignment.id).order_by(Event.id).options(joinedload(Event.actor))))
    received = {receipt.department_id: receipt for receipt in assignment.receipts}
    is_regulator = current_user.department_id == assignment.regulator_id
    return {
        "assignment": assignment, "case": assignment.case, "unit": assignment.case.unit,
        "document": current_documents([assignment.id]).get(assignment.id),
        "rectifications": rectifications, "sign_offs": sign_offs, "close_outs": close_outs,
        "guidance": guidance, "received": received, "my_receipt": received.get(current_user.department_id),
        "is_regulator": is_regulator, "is_territorial": current_user.department_id == assignment.territorial_id,
        "today": clock.today(),
    }


def render_assignment(assignment: Assignment, message: str | None = None, failed: str = "", status: int = 200):
    return render_template("inbox/assignment.html", message=message, failed=failed, form=request.form,
                           **assignment_page_data(assignment)), status


@bp.get("/inbox/<int:assignment_id>")
@recipients_only
def inbox_assignment(assignment_id: int):
    return render_assignment(get_assignment(assignment_id))


def assignment_action(assignment_id: int, failed: str, operation, done: str, anchor: str | None = None):
    assignment = get_assignment(assignment_id)
    message = commit_or_message(lambda: operation(assignment))
    if message:
        return render_assignment(assignment, message, failed, 400)
    flash(done, "success")
    return redirect(url_for("web.inbox_assignment", assignment_id=assignment_id, _anchor=anchor))


def finding_of(assignment: Assignment, finding_id: int):
    finding = next((finding for finding in assignment.findings if finding.id == finding_id), None)
    if finding is None:
        abort(404)
    return finding


@bp.post("/inbox/<int:assignment_id>/receipt")
@recipients_only
def inbox_receipt(assignment_id: int):
    return assignment_action(assignment_id, "receipt", lambda assignment: receive_assignment(current_user, assignment),
                             _("已签收交办单"))


@bp.post("/inbox/<int:assignment_id>/guidance")
@roles_required(Role.regulator)
def inbox_guidance(assignment_id: int):
    return assignment_action(
        assignment_id, "guidance", lambda assignment: add_guidance(current_user, assignment, form_text("note", 4000)),
        _("业务指导意见已记录"), "guidance")


@bp.post("/inbox/<int:assignment_id>/findings/<int:finding_id>/sign-off")
@roles_required(Role.regulator)
def inbox_sign_off(assignment_id: int, finding_id: int):
    def decide(assignment: Assignment):
        decision = form_text("decision")
        if decision not in ("approve", "refuse"):
            raise InvalidInput("请选择签认或不予签认", "decision must be approve or refuse", field="approved")
        sign_off(current_user, finding_of(assignment, finding_id), approved=decision == "approve",
                 note=form_text("note", 2000))

    done = _("已签认整改") if request.form.get("decision") == "approve" else _("已记录不予签认及理由")
    return assignment_action(assignment_id, f"sign-off-{finding_id}", decide, done, f"finding-{finding_id}")


@bp.post("/inbox/<int:assignment_id>/findings/<int:finding_id>/rectification")
@roles_required(Role.township_office)
def inbox_rectification(assignment_id: int, finding_id: int):
    def report(assignment: Assignment):
        photos = unattached_photos(form_ids("photo_ids"), current_user)
        report_rectification(current_user, finding_of(assignment, finding_id), form_text("note", 2000), photos)

    return assignment_action(assignment_id, f"rectification-{finding_id}", report, _("整改情况已报告"),
                             f"finding-{finding_id}")


@bp.post("/inbox/<int:assignment_id>/findings/<int:finding_id>/close")
@roles_required(Role.township_office)
def inbox_close_out(assignment_id: int, finding_id: int):
    return assignment_action(
        assignment_id, f"close-{finding_id}",
        lambda assignment: close_out(current_user, finding_of(assignment, finding_id), note=form_text("note", 2000)),
        _("已验收销号"), f"finding-{finding_id}")


@bp.get("/inbox/<int:assignment_id>/document.pdf")
@recipients_only
def inbox_document_pdf(assignment_id: int):
    document = current_documents([get_assignment(assignment_id).id]).get(assignment_id)
    if document is None:
        abort(404)
    return pdf_download(document.pdf, f"assignment-{assignment_id}-v{document.version}.pdf")

