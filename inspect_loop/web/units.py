"""Units: the search (name, USCC, address) and the unit page (risk colour, case, findings, timeline,
documents); registering a unit; downloading an issued document."""

from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from inspect_loop import clock
from inspect_loop.api import scope
from inspect_loop.audit.models import Event
from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.cases.queries import open_case_of, risk_color_expression
from inspect_loop.db import db
from inspect_loop.errors import DomainError
from inspect_loop.inspections.models import Finding, FindingStatus
from inspect_loop.letters.models import Document, DocumentCheck
from inspect_loop.regions.models import Region, RegionLevel
from inspect_loop.units import uscc as uscc_rules
from inspect_loop.units.models import Unit, UnitStatus
from inspect_loop.units.operations import create_unit
from inspect_loop.users.models import Role
from inspect_loop.users.permissions import Action, allowed
from inspect_loop.web import bp
from inspect_loop.web.auth import permission_required
from inspect_loop.web.helpers import attach_error, like, paginate, search_text
from inspect_loop.web.labels import options

RISK_COLORS = ("red", "yellow", "green")


def townships_for(user) -> list[Region]:
    """Townships the user's lists may be filtered by (a township office has only its own)."""
    statement = select(Region).where(Region.level == RegionLevel.township).order_by(Region.code)
    if user.role == Role.township_office:
        statement = statement.where(Region.id == user.department.region_id)
    elif user.role in (Role.safety_office, Role.regulator):
        statement = statement.where(Region.parent_id == user.department.region_id)
    return list(db.session.scalars(statement))


def units_statement(user):
    """Units the user may see, with their risk colour and open case, filtered by the query string."""
    risk = risk_color_expression().label("risk")
    open_case = (select(Case.id).where(Case.unit_id == Unit.id, Case.status == CaseStatus.open)
                 .correlate(Unit).scalar_subquery())
    stage = (select(Case.stage).where(Case.unit_id == Unit.id, Case.status == CaseStatus.open)
             .correlate(Unit).scalar_subquery().label("stage"))
    statement = select(Unit, risk, stage).where(scope.unit_condition(user))
    text = search_text()
    if text:
        statement = statement.where(or_(Unit.name.ilike(like(text), escape="\\"),
                                        Unit.address.ilike(like(text), escape="\\"),
                                        Unit.uscc.ilike(like(uscc_rules.normalise(text)), escape="\\")))
    township = request.args.get("township", type=int)
    if township:
        statement = statement.where(Unit.township_id == township)
    if request.args.get("risk") in RISK_COLORS:
        statement = statement.where(risk_color_expression() == request.args["risk"])
    if request.args.get("status") in set(UnitStatus):
        statement = statement.where(Unit.status == request.args["status"])
    if request.args.get("stage") in set(Stage):
        statement = statement.where(open_case.is_not(None), stage == request.args["stage"])
    return statement.order_by(Unit.name, Unit.id)


@bp.route("/units")
@permission_required(Action.view_cases)
def units():
    pager = paginate(units_statement(current_user))
    return render_template("units/list.html", pager=pager,
                           township_options=[(region.id, region.name) for region in townships_for(current_user)],
                           status_options=options(UnitStatus), stage_options=options(Stage),
                           may_create=allowed(current_user, Action.manage_units),
                           may_inspect=allowed(current_user, Action.record_inspection))


def visible_unit(unit_id: int) -> Unit:
    unit = db.get_or_404(Unit, unit_id)
    if not scope.can_see_unit(current_user, unit):
        abort(403)
    return unit


def documents_with_checks(unit: Unit):
    """The unit's documents with how often each was verified: one GROUP BY, not a query per document."""
    checks = (select(DocumentCheck.document_id, func.count(DocumentCheck.id).label("checks"))
              .group_by(DocumentCheck.document_id).subquery())
    return db.session.execute(
        select(Document, func.coalesce(checks.c.checks, 0))
        .outerjoin(checks, checks.c.document_id == Document.id)
        .where(Document.unit_id == unit.id)
        .order_by(Document.issued_at.desc(), Document.id.desc())).all()


@bp.route("/units/<int:unit_id>")
@permission_required(Action.view_cases)
def unit(unit_id: int):
    unit = visible_unit(unit_id)
    risk = db.session.scalar(select(risk_color_expression()).where(Unit.id == unit.id))
    case = open_case_of(unit.id)
    findings = paginate(select(Finding).where(Finding.unit_id == unit.id)
                        .order_by((Finding.status == FindingStatus.open).desc(), Finding.found_at.desc(),
                                  Finding.id.desc()), arg="findings_page")
    events = paginate(select(Event).where(Event.unit_id == unit.id).order_by(Event.at.desc(), Event.id.desc()),
                      arg="events_page")
    return render_template("units/detail.html", unit=unit, risk=risk, case=case, findings=findings,
                           events=events, documents=documents_with_checks(unit), today=clock.today(),
                           may_inspect=allowed(current_user, Action.record_inspection) and
                           scope.can_see_unit(current_user, unit))


class UnitForm(FlaskForm):
    name = StringField(_l("单位名称"), validators=[DataRequired(), Length(max=200)])
    uscc = StringField(_l("统一社会信用代码"), validators=[Optional(), Length(max=18)])
    address = StringField(_l("地址"), validators=[Length(max=300)])
    region = SelectField(_l("所在区划"), coerce=int, validators=[DataRequired()])
    category = StringField(_l("类别（如商铺、市场、餐饮、工厂）"), validators=[Length(max=40)])
    contact_name = StringField(_l("联系人"), validators=[Optional(), Length(max=50)])
    contact_phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=30)])


def regions_for_units(user) -> list[Region]:
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
    form.region.choices = [(region.id, f"{region.code} {region.name}") for region in regions_for_units(current_user)]
    if form.validate_on_submit():
        try:
            unit = create_unit(current_user, name=form.name.data, region=db.session.get(Region, form.region.data),
                               address=form.address.data, category=form.category.data,
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
    document = db.get_or_404(Document, document_id)
    try:
        scope.require_document(current_user, document)
    except DomainError:
        abort(403)
    response = send_file(BytesIO(document.pdf), mimetype="application/pdf", as_attachment=True,
                         download_name=f"{document.number}-v{document.version}.pdf")
    response.headers["X-Document-SHA256"] = document.sha256
    response.headers["Cache-Control"] = "private, no-store"
    return response
