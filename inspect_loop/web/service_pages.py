"""送达 on the pages: the form that records how a notice was served — on the inspector's phone right when the
reminder is handed over, or at the office for a posted or left notice — the record once made, the county
office's correction, and the workbench's list of notices not served (with its Excel export).
"""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from inspect_loop import clock
from inspect_loop.api import scope
from inspect_loop.caching.pages import cached_page
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.errors import DomainError, InvalidInput
from inspect_loop.letters.models import Document, ServiceMethod
from inspect_loop.letters.service import (
    NAME_MAX,
    PLACE_MAX,
    TEXT_MAX,
    ServiceDetails,
    correct_service,
    may_serve,
    record_service,
    unserved_condition,
)
from inspect_loop.stats.excel import Column
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role
from inspect_loop.users.permissions import Action, allowed
from inspect_loop.web import bp
from inspect_loop.web.arguments import parse_day, query_id
from inspect_loop.web.auth import permission_required, roles_required
from inspect_loop.web.exports import MAX_EXPORT_ROWS, wants_xlsx, xlsx_list
from inspect_loop.web.helpers import domain_message, form_text, kept_photo_ids, paginate, search_text
from inspect_loop.web.labels import label
from inspect_loop.web.office_queries import count_of, townships_in_scope, unit_matches
from inspect_loop.web.uploads import posted_photos

# A notice not served this many days after its issue is listed on the workbench: a reminder is handed over
# on site the day it is issued and a summons reaches the unit days before its interview; three days leave
# room for a notice sent by post (EMS within the county: one or two days) before the office is reminded.
UNSERVED_AFTER_DAYS = 3
OFFICE_ROLES = (Role.admin, Role.safety_office)
UNSERVED_COLUMNS = [
    Column("number", _l("文号")), Column("kind", _l("文书")), Column("unit", _l("单位")),
    Column("township", _l("乡镇（街道）")), Column("address", _l("地址")), Column("issued_on", _l("签发日期")),
    Column("days", _l("已签发天数")), Column("case_id", _l("案件编号")),
]


# -- one notice's service ------------------------------------------------------------------------------

def visible_document(document_id: int) -> Document:
    document = db.get_or_404(Document, document_id)
    if not scope.can_see_document(current_user, document):
        abort(403)
    if not document.needs_service:
        abort(404)
    return document


def back_url(document: Document) -> str:
    """Where the form returns: the office's case page for the county office, the unit page for the others
    (the inspector came from it, right after recording the inspection)."""
    if current_user.role in OFFICE_ROLES and document.case_id is not None:
        return url_for("web.office_case", case_id=document.case_id, _anchor="documents")
    return url_for("web.unit", unit_id=document.unit_id, _anchor="documents")


def posted_details() -> ServiceDetails:
    method = form_text("method", 40)
    if method not in ServiceMethod.__members__:
        raise InvalidInput("请选择送达方式", "Choose how the notice was served.", field="method")
    served_on = parse_day(form_text("served_on", 20), "served_on", "送达日期")
    if served_on is None:
        raise InvalidInput("请填写送达日期", "Give the day of service.", field="served_on")
    return ServiceDetails(method=ServiceMethod(method), served_on=served_on,
                          place=form_text("place", PLACE_MAX + 1), receiver=form_text("receiver", NAME_MAX + 1),
                          witness=form_text("witness", NAME_MAX + 1),
                          left_reason=form_text("left_reason", TEXT_MAX + 1), note=form_text("note", TEXT_MAX + 1))


def form_defaults(document: Document) -> dict:
    """A new record starts as on-site service today at the unit's address, to its contact person."""
    unit = document.unit
    return {"method": ServiceMethod.direct.value, "served_on": clock.today().isoformat(), "place": unit.address,
            "receiver": unit.contact_name or ""}


def record_defaults(document: Document) -> dict:
    service = document.service
    return {"method": service.method.value, "served_on": service.served_on.isoformat(), "place": service.place,
            "receiver": service.receiver or "", "witness": service.witness or "",
            "left_reason": service.left_reason or "", "note": service.note or ""}


def render_service(document: Document, error: str | None = None, data=None, status: int = 200):
    served = document.service is not None
    may_correct = served and allowed(current_user, Action.correct_service)
    if data is None:
        data = record_defaults(document) if served else form_defaults(document)
    return render_template(
        "documents/service.html", document=document, service=document.service, error=error, data=data,
        kept_photos=kept_photo_ids(data) if hasattr(data, "getlist") else {},
        may_record=not served and may_serve(current_user, document), may_correct=may_correct,
        methods=[(method.value, label(method)) for method in ServiceMethod], back=back_url(document),
        today=clock.today()), status


@bp.route("/documents/<int:document_id>/service", methods=["GET", "POST"])
@permission_required(Action.view_cases)
def document_service(document_id: int):
    document = visible_document(document_id)
    if request.method == "GET":
        return render_service(document)
    if not allowed(current_user, Action.serve_document):
        abort(403)
    try:
        record_service(current_user, document, posted_details(),
                       photos=posted_photos("photos_receipt", "photo_files_receipt", current_user))
    except DomainError as error:
        db.session.rollback()
        return render_service(db.session.get(Document, document_id), domain_message(error), request.form,
                              error.http_status)
    db.session.commit()
    flash(_("已登记送达：%(kind)s %(number)s", kind=label(document.kind), number=document.number), "success")
    return redirect(back_url(document))


@bp.post("/documents/<int:document_id>/service/correction")
@permission_required(Action.correct_service)
def document_service_correction(document_id: int):
    document = visible_document(document_id)
    try:
        correct_service(current_user, document, posted_details(), form_text("reason", TEXT_MAX + 1))
    except DomainError as error:
        db.session.rollback()
        return render_service(db.session.get(Document, document_id), domain_message(error), request.form,
                              error.http_status)
    db.session.commit()
    flash(_("送达记录已更正"), "success")
    return redirect(url_for("web.document_service", document_id=document_id))


# -- the workbench's list of notices not served ----------------------------------------------------------

def unserved_statement(user, today, text: str = "", township: int | None = None):
    """Valid notices that must be served, issued ``UNSERVED_AFTER_DAYS`` or more days ago and not served,
    oldest first, in the reader's area."""
    statement = (select(Document).join(Unit, Unit.id == Document.unit_id)
                 .outerjoin(Case, Case.id == Document.case_id)
                 .where(scope.document_condition(user), unserved_condition(),
                        Document.issued_on <= today - timedelta(days=UNSERVED_AFTER_DAYS))
                 .order_by(Document.issued_on, Document.id)
                 .options(joinedload(Document.unit).joinedload(Unit.township)))
    if text:
        statement = statement.where(unit_matches(text))
    if township:
        statement = statement.where(Unit.township_id == township)
    return statement


def unserved_row(document: Document, today) -> dict:
    unit = document.unit
    return {"number": document.number, "kind": label(document.kind), "unit": unit.name,
            "township": unit.township.name, "address": unit.address, "issued_on": document.issued_on,
            "days": (today - document.issued_on).days, "case_id": document.case_id}


@bp.get("/office/unserved")
@roles_required(*OFFICE_ROLES)
@cached_page
def office_unserved():
    today = clock.today()
    township = query_id("township")
    statement = unserved_statement(current_user, today, search_text(), township)
    if wants_xlsx():
        rows = [unserved_row(document, today) for document in db.session.scalars(statement.limit(MAX_EXPORT_ROWS))]
        region = next((region.name for region in townships_in_scope(current_user) if region.id == township), "")
        notes = [(_("日期"), today.isoformat()), (_("乡镇（街道）"), region or _("全部")),
                 (_("口径"), _("签发满%(n)s天仍未登记送达的有效通知书", n=UNSERVED_AFTER_DAYS))]
        return xlsx_list(_("未送达文书"), UNSERVED_COLUMNS, rows, "unserved", notes)
    return render_template(
        "office/unserved.html", pager=paginate(statement), today=today, days=UNSERVED_AFTER_DAYS,
        township_options=[(region.id, region.name) for region in townships_in_scope(current_user)])


def unserved_preview(user, today, limit: int = 5) -> dict:
    """The workbench's card: how many notices are unserved, and the oldest few."""
    statement = unserved_statement(user, today)
    total = count_of(statement)
    return {"total": total, "documents": list(db.session.scalars(statement.limit(limit))), "days": UNSERVED_AFTER_DAYS}
