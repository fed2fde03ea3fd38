"""Units: the search (name, USCC, address) with its Excel export, the unit page (risk colour with its word,
cases, findings with photos, documents with download and verification counts, the timeline of every event),
registering a unit, and the one download route of issued documents.

Row scoping reuses ``inspect_loop.api.scope`` so the pages and the API show the same rows: a regulator sees
every unit of its county but, on a unit's page, only the cases (and their findings, documents and events)
that concern its sectors.
"""

from io import BytesIO

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from inspect_loop import clock
from inspect_loop.api import scope
from inspect_loop.api.serialize import watch_list_out
from inspect_loop.audit.models import Event
from inspect_loop.caching.pages import cached_page
from inspect_loop.cases import policy
from inspect_loop.cases.history import start_sentence_parts
from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.cases.queries import RISK_STATES, open_finding_columns, risk_color, risk_color_expression
from inspect_loop.db import db
from inspect_loop.errors import DomainError
from inspect_loop.inspections.models import Finding, FindingStatus, Rectification
from inspect_loop.interviews.models import InterviewRound, Summons
from inspect_loop.letters.models import Document, DocumentCheck, DocumentStatus
from inspect_loop.letters.service import may_serve
from inspect_loop.regions.models import Region, RegionLevel
from inspect_loop.units import uscc as uscc_rules
from inspect_loop.units.models import Unit, UnitStatus
from inspect_loop.units.operations import create_unit
from inspect_loop.users.models import Role, User
from inspect_loop.users.permissions import Action, allowed
from inspect_loop.watch_list.queries import current_entries
from inspect_loop.web import bp
from inspect_loop.web.arguments import query_id, query_text
from inspect_loop.web.auth import permission_required
from inspect_loop.web.exports import MAX_EXPORT_ROWS, xlsx_list
from inspect_loop.web.helpers import attach_error, like, paginate, search_text
from inspect_loop.web.labels import RISK_WORDS, event_detail, label, options

RISK_COLORS = RISK_STATES  # the list's filter: the three colours and the closed places' grey
# The county office's case page, when the office pages are installed.
OFFICE_CASE_ENDPOINT = "web.office_case"


def townships_for(user: User) -> list[Region]:
    """Townships the user's lists may be filtered by (a township office has only its own)."""
    statement = select(Region).where(Region.level == RegionLevel.township).order_by(Region.code)
    if user.role == Role.township_office:
        statement = statement.where(Region.id == user.department.region_id)
    elif user.role in (Role.safety_office, Role.regulator):
        statement = statement.where(Region.parent_id == user.department.region_id)
    return list(db.session.scalars(statement))


def units_statement(user: User, today):
    """Units the user may see as rows (unit, risk colour, stage of the open case, open findings, overdue ones,
    nearest deadline), filtered by the query string: ``q`` (name, address or USCC), ``township``, ``risk``,
    ``status``, ``stage``. The counts are correlated subqueries of the same query, so a page of units is one
    query whatever its size."""
    risk = risk_color_expression(today).label("risk")
    stage = (select(Case.stage).where(Case.unit_id == Unit.id, Case.status == CaseStatus.open)
             .correlate(Unit).scalar_subquery().label("stage"))
    open_count, overdue_count, nearest, _latest = open_finding_columns(today, Finding.unit_id, Unit)
    statement = select(Unit, risk, stage, open_count, overdue_count, nearest).where(scope.unit_condition(user))
    text = search_text()
    if text:
        statement = statement.where(or_(Unit.name.ilike(like(text), escape="\\"),
                                        Unit.address.ilike(like(text), escape="\\"),
                                        Unit.uscc.ilike(like(uscc_rules.normalise(text)), escape="\\")))
    township = query_id("township")
    if township:
        statement = statement.where(Unit.township_id == township)
    if request.args.get("risk") in RISK_COLORS:
        statement = statement.where(risk_color_expression(today) == request.args["risk"])
    if request.args.get("status") in set(UnitStatus):
        statement = statement.where(Unit.status == request.args["status"])
    if request.args.get("stage") in set(Stage):
        statement = statement.where(stage == request.args["stage"])
    return statement.order_by(Unit.name, Unit.id)


def unit_filter_options(user: User) -> dict:
    return {"township_options": [(region.id, region.name) for region in townships_for(user)],
            "risk_options": [(color, RISK_WORDS[color]) for color in RISK_COLORS],
            "status_options": options(UnitStatus), "stage_options": options(Stage)}


@bp.route("/units")
@permission_required(Action.view_cases)
@cached_page
def units():
    today = clock.today()
    pager = paginate(units_statement(current_user, today).options(selectinload(Unit.township)))
    return render_template("units/list.html", pager=pager, today=today, **unit_filter_options(current_user),
                           may_create=allowed(current_user, Action.manage_units),
                           may_inspect=allowed(current_user, Action.record_inspection))


def applied_filters(user: User) -> list[tuple[str, str]]:
    """The list's filters in words, for the notes sheet of an export."""
    chosen = unit_filter_options(user)
    names = {"township": (_("乡镇（街道）"), chosen["township_options"]),
             "risk": (_("风险"), chosen["risk_options"]),
             "status": (_("经营状态"), chosen["status_options"]),
             "stage": (_("闭环阶段"), chosen["stage_options"])}
    filters = [(_("搜索"), query_text("q"))] if query_text("q") else []
    for key, (name, pairs) in names.items():
        value = request.args.get(key, "")
        text = next((str(text) for option, text in pairs if str(option) == value), None)
        if text:
            filters.append((name, text))
    return filters


@bp.route("/units.xlsx")
@permission_required(Action.view_cases)
def export_units():
    rows = db.session.execute(units_statement(current_user, clock.today()).options(selectinload(Unit.township))
                              .limit(MAX_EXPORT_ROWS)).all()
    columns = [("name", _("单位名称")), ("uscc", _("统一社会信用代码")), ("township", _("乡镇（街道）")),
               ("address", _("地址")), ("category", _("类别")), ("risk", _("风险")), ("stage", _("闭环阶段")),
               ("status", _("经营状态"))]
    data = [{"name": unit.name, "uscc": unit.uscc or "", "township": unit.township.name,
             "address": unit.address, "category": unit.category, "risk": str(RISK_WORDS[risk]),
             "stage": label(Stage(stage)) if stage else _("无进行中案件"), "status": label(unit.status)}
            for unit, risk, stage, *_summary in rows]
    return xlsx_list(_("单位清单"), columns, data, "units", filters=applied_filters(current_user))


def visible_unit(unit_id: int) -> Unit:
    unit = db.get_or_404(Unit, unit_id)
    if not scope.can_see_unit(current_user, unit):
        abort(403)
    return unit


def in_visible_case(user: User, case_column):
    """Rows of a case the user may see, or of no case (a regulator's view of a unit is limited to the cases
    with a finding of its sectors; for everyone else this is every case of a unit they may see)."""
    visible = select(Case.id).join(Unit, Unit.id == Case.unit_id).where(scope.case_condition(user))
    return or_(case_column.is_(None), case_column.in_(visible))


def unit_findings(unit: Unit, user: User):
    """The unit's findings: open ones first, newest first; photos of the finding and of its reports."""
    return (select(Finding).where(Finding.unit_id == unit.id, in_visible_case(user, Finding.case_id))
            .order_by((Finding.status == FindingStatus.open).desc(), Finding.found_at.desc(),
                      Finding.id.desc())
            .options(selectinload(Finding.hazard_type), selectinload(Finding.photos),
                     selectinload(Finding.rectifications).selectinload(Rectification.photos)))


def unit_documents(unit: Unit, user: User) -> list:
    """(document, verification count) of the unit: one GROUP BY, not a query per document."""
    checks = (select(DocumentCheck.document_id, func.count(DocumentCheck.id).label("checks"))
              .group_by(DocumentCheck.document_id).subquery())
    return db.session.execute(
        select(Document, func.coalesce(checks.c.checks, 0))
        .outerjoin(checks, checks.c.document_id == Document.id)
        .where(Document.unit_id == unit.id, in_visible_case(user, Document.case_id))
        .order_by(Document.issued_at.desc(), Document.id.desc()).options(selectinload(Document.service))).all()


def unit_events(unit: Unit, user: User):
    return (select(Event).where(Event.unit_id == unit.id, in_visible_case(user, Event.case_id))
            .order_by(Event.at.desc(), Event.id.desc()).options(selectinload(Event.actor)))


def unit_cases(unit: Unit, user: User) -> list[Case]:
    return list(db.session.scalars(select(Case).where(Case.unit_id == unit.id, in_visible_case(user, Case.id))
                                   .order_by(Case.opened_at.desc(), Case.id.desc())))


def to_serve(documents: list) -> list[Document]:
    """The unit's valid notices not yet served that the user may serve: on the inspector's phone, right after
    the inspection that issued the reminder, the 现场送达 button at the top of the page."""
    return [document for document, _checks in documents
            if document.needs_service and document.status == DocumentStatus.valid
            and document.service is None and may_serve(current_user, document)]


def case_link(case: Case | None) -> str | None:
    """The office's case page, for the roles that may open it."""
    if (case is None or current_user.role not in (Role.admin, Role.safety_office)
            or OFFICE_CASE_ENDPOINT not in current_app.view_functions):
        return None
    return url_for(OFFICE_CASE_ENDPOINT, case_id=case.id)


@bp.route("/units/<int:unit_id>")
@permission_required(Action.view_cases)
@cached_page
def unit(unit_id: int):
    unit = visible_unit(unit_id)
    risk = risk_color(unit)
    cases = unit_cases(unit, current_user)
    case = next((item for item in cases if item.status == CaseStatus.open), None)
    documents = unit_documents(unit, current_user)
    entries = current_entries(unit.id)
    return render_template("units/detail.html", unit=unit, risk=risk, case=case, cases=cases,
                           interviews=interview_outcomes(unit, [item.id for item in cases]),
                           case_links={item.id: case_link(item) for item in cases},
                           findings=paginate(unit_findings(unit, current_user), arg="findings_page"),
                           events=paginate(unit_events(unit, current_user), per_page=30, arg="events_page"),
                           documents=documents, to_serve=to_serve(documents), event_detail=event_detail,
                           today=clock.today(), moves=policy.moves(case, current_user) if case else None,
                           may_inspect=allowed(current_user, Action.record_inspection), ledger=ledger_moves(unit),
                           may_request_extension=case is not None and allowed(current_user, Action.request_extension),
                           watch=watch_list_out(unit, entries), watch_entries=entries,
                           may_decide_exit=allowed(current_user, Action.decide_watch_list_exit),
                           start=start_sentence_parts(case) if case else None)


def ledger_moves(unit: Unit) -> dict[str, bool]:
    """Which of the ledger's forms the unit page offers the user: 修改 (its area), 复业 (a suspended unit of the
    county office's county), 注销 (a unit not yet deregistered, idem)."""
    in_county = scope.can_see_unit(current_user, unit) and current_user.role != Role.township_office
    in_area = (current_user.role != Role.township_office
               or (current_user.department is not None and current_user.department.region_id == unit.township_id))
    return {"edit": allowed(current_user, Action.manage_units) and in_area and unit.status != UnitStatus.deregistered,
            "resume": allowed(current_user, Action.resume_unit) and in_county and unit.status == UnitStatus.suspended,
            "deregister": (allowed(current_user, Action.deregister_unit) and in_county
                           and unit.status != UnitStatus.deregistered)}


def interview_outcomes(unit: Unit, case_ids: list[int]) -> list[Summons]:
    """The unit's interviews (of the cases the reader sees) with minutes or a signed pledge, the latest first."""
    if not case_ids:
        return []
    return list(db.session.scalars(
        select(Summons).join(InterviewRound, InterviewRound.id == Summons.round_id)
        .where(Summons.unit_id == unit.id, Summons.case_id.in_(case_ids),
               or_(Summons.minutes.is_not(None), Summons.commitment_pages.any()))
        .order_by(InterviewRound.held_at.desc())
        .options(selectinload(Summons.round), selectinload(Summons.commitment_pages))))


class UnitForm(FlaskForm):
    name = StringField(_l("单位名称"), validators=[DataRequired(), Length(max=200)])
    uscc = StringField(_l("统一社会信用代码"), validators=[Optional(), Length(max=18)])
    address = StringField(_l("地址"), validators=[Length(max=300)])
    region = SelectField(_l("所在区划"), coerce=int, validators=[DataRequired()])
    category = StringField(_l("类别（如商铺、市场、餐饮、工厂）"), validators=[Length(max=40)])
    contact_name = StringField(_l("联系人"), validators=[Optional(), Length(max=50)])
    contact_phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=30)])


def regions_for_units(user: User) -> list[Region]:
    """Townships and the villages and grids below them that the user may register units in."""
    townships = townships_for(user)
    ids = [township.id for township in townships]
    below = list(db.session.scalars(select(Region).where(Region.parent_id.in_(ids)).order_by(Region.code)))
    grids = list(db.session.scalars(select(Region).where(Region.parent_id.in_([r.id for r in below]))
                                    .order_by(Region.code)))
    return sorted([*townships, *below, *grids], key=lambda region: region.code)


@bp.route("/units/new", methods=["GET", "POST"])
@permission_required(Action.manage_units)
def unit_new():
    form = UnitForm()
    form.region.choices = [(region.id, f"{region.code} {region.name}")
                           for region in regions_for_units(current_user)]
    if form.validate_on_submit():
        try:
            unit = create_unit(current_user, name=form.name.data,
                               region=db.session.get(Region, form.region.data), address=form.address.data, category=form.category.data,
                               uscc=form.uscc.data or None, contact_name=form.contact_name.data or None,
                               contact_phone=form.contact_phone.data or None)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error, "name", {"region_code": "region"})
        else:
            db.session.commit()
            flash(_("已登记单位：%(name)s", name=unit.name), "success")
            return redirect(url_for("web.unit", unit_id=unit.id))
    return render_template("units/new.html", form=form)


@bp.route("/documents/<int:document_id>.pdf")
@permission_required(Action.view_cases)
def document_pdf(document_id: int):
    """The one download route of an issued document, for every page and role that may see its case."""
    document = db.get_or_404(Document, document_id)
    try:
        scope.require_document(current_user, document)
    except DomainError:
        abort(403)
    response = send_file(BytesIO(document.pdf), mimetype="application/pdf", as_attachment=True,
                         download_name=f"{document.number}-v{document.version}.pdf")
    response.headers["X-Document-SHA256"] = document.sha256
    return response
