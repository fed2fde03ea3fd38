"""系统管理: the catalogue only the administrator maintains — regions (county → township → village → grid),
departments (safety offices and sector regulators, with what their notices print of them: full name, address,
contact, enforcement powers) and hazard types (《平安建设指导手册》, with their legal basis): each a searchable,
filterable list with an .xlsx export, a form to add one and a page to correct one. Codes, a region's level and
parent and a department's kind and seat stay as created, and nothing is deleted: cases, documents and
statistics refer to them (the rules of a correction: docs/office-and-admin.md, Administration).
"""

import re

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from inspect_loop.caching.pages import cached_page
from inspect_loop.db import db
from inspect_loop.errors import DomainError
from inspect_loop.hazards.models import DayBasis, HazardType, Severity
from inspect_loop.regions.models import Department, DepartmentKind, Region, RegionLevel
from inspect_loop.regions.operations import (
    create_department,
    create_hazard_type,
    create_region,
    update_department,
    update_hazard_type,
    update_region,
)
from inspect_loop.stats.excel import Column
from inspect_loop.users.permissions import Action
from inspect_loop.web import admin_queries as queries
from inspect_loop.web import bp
from inspect_loop.web.admin import REQUIRED, UNCHOSEN, chosen_id
from inspect_loop.web.arguments import query_text
from inspect_loop.web.auth import permission_required
from inspect_loop.web.exports import MAX_EXPORT_ROWS, wants_xlsx, xlsx_list
from inspect_loop.web.helpers import attach_error, paginate, search_text
from inspect_loop.web.labels import label, options

catalogue_required = permission_required(Action.manage_catalogue)

# A new department's powers: by its kind (regulators hold them, safety offices not), or as the admin says.
POWERS_BY_KIND = ""
POWERS = {"yes": True, "no": False}

SECTOR_SEPARATORS = re.compile(r"[,，、;；\s]+")

REGION_COLUMNS = [Column("code", _l("代码")), Column("name", _l("名称")), Column("level", _l("层级")),
                  Column("parent_code", _l("上级代码")), Column("parent", _l("上级名称"))]
DEPARTMENT_COLUMNS = [Column("code", _l("代码")), Column("name", _l("名称")), Column("full_name", _l("发文机关全称")),
                      Column("kind", _l("类别")), Column("region", _l("所在区划")), Column("sectors", _l("负责行业")),
                      Column("doc_prefix", _l("文号前缀")), Column("address", _l("地址")),
                      Column("contact_person", _l("联系人")), Column("contact_phone", _l("联系电话")),
                      Column("enforcement_powers", _l("执法职权"))]
HAZARD_COLUMNS = [Column("code", _l("代码")), Column("category", _l("类别")), Column("title", _l("隐患名称")),
                  Column("sector", _l("行业")), Column("severity", _l("等级")), Column("rectify_days", _l("整改天数")),
                  Column("day_basis", _l("计日方式")), Column("legal_basis", _l("法律依据"))]


def export_or_page(statement, title: str, columns, to_row, filename: str, notes, template: str, **context):
    """The list as .xlsx (every row of the filtered list) or as the paginated page."""
    if wants_xlsx():
        rows = [to_row(item) for item in db.session.scalars(statement.limit(MAX_EXPORT_ROWS))]
        return xlsx_list(title, columns, rows, filename, [*notes, (_("搜索"), query_text("q"))])
    return render_template(template, pager=paginate(statement), **context)


def save(form, change, default_field: str, aliases: dict[str, str], done: str, endpoint: str):
    """Create or correct one record from a valid form and go back to its list, or show the refusal on the
    form (the rollback leaves the record as it was)."""
    try:
        record = change()
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error, default_field, aliases)
        return None
    db.session.commit()
    flash(done.format(name=getattr(record, "name", None) or getattr(record, "title", "")), "success")
    return redirect(url_for(endpoint, q=record.code))


# -- regions ------------------------------------------------------------------------------------------

class RegionEditForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(REQUIRED), Length(max=100)])


class RegionForm(RegionEditForm):
    code = StringField(_l("区划代码"), validators=[DataRequired(REQUIRED), Length(max=20)])
    level = SelectField(_l("层级"), default=UNCHOSEN, validators=[DataRequired(_l("请选择层级"))])
    parent_code = StringField(_l("上级区划代码"), validators=[Optional(), Length(max=20)])


@bp.get("/admin/regions")
@catalogue_required
@cached_page
def admin_regions():
    level = queries.choice("level", set(RegionLevel))
    statement = queries.regions_statement(search_text(), level)
    notes = [(_("层级"), label(RegionLevel(level)) if level else _("全部"))]
    return export_or_page(
        statement, _("行政区划"), REGION_COLUMNS,
        lambda region: {"code": region.code, "name": region.name, "level": label(region.level),
                        "parent_code": region.parent.code if region.parent else "",
                        "parent": region.parent.name if region.parent else ""},
        "regions", notes, "admin/regions.html", level_options=options(RegionLevel))


@bp.route("/admin/regions/new", methods=["GET", "POST"])
@catalogue_required
def admin_region_new():
    form = RegionForm()
    form.level.choices = [(UNCHOSEN, _("请选择层级")), *options(RegionLevel)]
    if form.validate_on_submit():
        done = save(form, lambda: create_region(current_user, code=form.code.data, name=form.name.data,
                                                level=RegionLevel(form.level.data),
                                                parent_code=(form.parent_code.data or "").strip() or None),
                    "code", {}, _("已新增区划：{name}"), "web.admin_regions")
        if done:
            return done
    return render_template("admin/region_new.html", form=form), 400 if form.errors else 200


@bp.route("/admin/regions/<int:region_id>", methods=["GET", "POST"])
@catalogue_required
def admin_region(region_id: int):
    region = db.get_or_404(Region, region_id)
    form = RegionEditForm(data={"name": region.name})
    if form.validate_on_submit():
        done = save(form, lambda: update_region(current_user, region, name=form.name.data), "name", {},
                    _("已保存区划：{name}"), "web.admin_regions")
        if done:
            return done
    return render_template("admin/region_edit.html", form=form, region=region), 400 if form.errors else 200


# -- departments --------------------------------------------------------------------------------------

class DepartmentEditForm(FlaskForm):
    name = StringField(_l("名称"), validators=[DataRequired(REQUIRED), Length(max=100)])
    full_name = StringField(_l("发文机关全称"), validators=[Optional(), Length(max=100)])
    sectors = StringField(_l("负责行业（行业主管部门填写，多个用顿号分隔）"), validators=[Optional(), Length(max=300)])
    doc_prefix = StringField(_l("文号前缀（如“兰平安”）"), validators=[Optional(), Length(max=20)])
    address = StringField(_l("地址"), validators=[Optional(), Length(max=200)])
    contact_person = StringField(_l("联系人"), validators=[Optional(), Length(max=50)])
    contact_phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=30)])
    # No validator: the choices are the whole check, and a form without the field keeps what the record has
    # (a new department: its kind decides).
    enforcement_powers = SelectField(_l("执法职权"), default=POWERS_BY_KIND)

    def sector_list(self) -> list[str]:
        return SECTOR_SEPARATORS.split(self.sectors.data or "")

    def fill_choices(self) -> None:
        self.enforcement_powers.choices = [("yes", _("有：可责令停止使用等，文书可下达责令")),
                                           ("no", _("无：文书只提醒、建议"))]

    def issuer_fields(self) -> dict:
        """What the department's notices print of it, as the operations take it."""
        return {"full_name": self.full_name.data or "", "address": self.address.data or "",
                "contact_person": self.contact_person.data or "", "contact_phone": self.contact_phone.data or "",
                "enforcement_powers": POWERS.get(self.enforcement_powers.data)}


class DepartmentForm(DepartmentEditForm):
    code = StringField(_l("部门代码"), validators=[DataRequired(REQUIRED), Length(max=40)])
    kind = SelectField(_l("类别"), default=UNCHOSEN, validators=[DataRequired(_l("请选择类别"))])
    region = SelectField(_l("所在区划"), coerce=chosen_id, validators=[DataRequired(_l("请选择所在区划"))])

    def fill_choices(self) -> None:
        super().fill_choices()
        self.enforcement_powers.choices.insert(0, (POWERS_BY_KIND, _("按类别：行业主管部门有，平安办无")))


@bp.get("/admin/departments")
@catalogue_required
@cached_page
def admin_departments():
    kind = queries.choice("kind", set(DepartmentKind))
    statement = queries.departments_statement(search_text(), kind)
    notes = [(_("类别"), label(DepartmentKind(kind)) if kind else _("全部"))]
    return export_or_page(
        statement, _("部门"), DEPARTMENT_COLUMNS,
        lambda department: {"code": department.code, "name": department.name, "full_name": department.full_name,
                            "kind": label(department.kind), "region": department.region.name,
                            "sectors": department.sectors, "doc_prefix": department.doc_prefix,
                            "address": department.address, "contact_person": department.contact_person,
                            "contact_phone": department.contact_phone,
                            "enforcement_powers": _("有") if department.enforcement_powers else _("无")},
        "departments", notes, "admin/departments.html", kind_options=options(DepartmentKind))


@bp.route("/admin/departments/new", methods=["GET", "POST"])
@catalogue_required
def admin_department_new():
    form = DepartmentForm()
    form.fill_choices()
    form.kind.choices = [(UNCHOSEN, _("请选择类别")), *options(DepartmentKind)]
    form.region.choices = [(UNCHOSEN, _("请选择所在区划")),
                           *[(region.id, f"{region.code} {region.name}") for region in queries.counties_and_townships()]]
    if form.validate_on_submit():
        done = save(form, lambda: create_department(
            current_user, code=form.code.data, name=form.name.data, kind=DepartmentKind(form.kind.data),
            region=db.session.get(Region, form.region.data),
            sectors=form.sector_list(), doc_prefix=form.doc_prefix.data or "", **form.issuer_fields()),
            "code", {"region_code": "region"}, _("已新增部门：{name}"), "web.admin_departments")
        if done:
            return done
    return render_template("admin/department_new.html", form=form), 400 if form.errors else 200


@bp.route("/admin/departments/<int:department_id>", methods=["GET", "POST"])
@catalogue_required
def admin_department(department_id: int):
    department = db.get_or_404(Department, department_id)
    form = DepartmentEditForm(data={
        "name": department.name, "full_name": department.full_name, "sectors": _("、").join(department.sectors),
        "doc_prefix": department.doc_prefix, "address": department.address,
        "contact_person": department.contact_person, "contact_phone": department.contact_phone,
        "enforcement_powers": "yes" if department.enforcement_powers else "no"})
    form.fill_choices()
    if form.validate_on_submit():
        done = save(form, lambda: update_department(
            current_user, department, name=form.name.data, sectors=form.sector_list(),
            doc_prefix=form.doc_prefix.data or "", **form.issuer_fields()), "name", {}, _("已保存部门：{name}"),
            "web.admin_departments")
        if done:
            return done
    return render_template("admin/department_edit.html", form=form, department=department), \
        400 if form.errors else 200


# -- hazard catalogue ---------------------------------------------------------------------------------

class HazardEditForm(FlaskForm):
    category = StringField(_l("类别（如消防安全）"), validators=[DataRequired(REQUIRED), Length(max=40)])
    title = StringField(_l("隐患名称"), validators=[DataRequired(REQUIRED), Length(max=200)])
    sector = StringField(_l("行业（由该行业的主管部门签认）"), validators=[DataRequired(REQUIRED), Length(max=40)])
    # A new hazard type starts as 一般 and 自然日 (the shorter, stricter count; the import's default too).
    severity = SelectField(_l("等级"), default=Severity.general.value, validators=[DataRequired(REQUIRED)])
    rectify_days = IntegerField(_l("整改天数"), validators=[
        InputRequired(REQUIRED), NumberRange(0, 365, _l("应为0至365的整数"))])
    day_basis = SelectField(_l("计日方式"), default=DayBasis.calendar.value, validators=[DataRequired(REQUIRED)])
    legal_basis = StringField(_l("法律依据"), validators=[Optional(), Length(max=500)])

    def fill_choices(self) -> None:
        self.severity.choices = options(Severity)
        self.day_basis.choices = options(DayBasis)


class HazardForm(HazardEditForm):
    code = StringField(_l("代码"), validators=[DataRequired(REQUIRED), Length(max=40)])


def hazard_row(hazard) -> dict:
    return {"code": hazard.code, "category": hazard.category, "title": hazard.title, "sector": hazard.sector,
            "severity": label(hazard.severity), "rectify_days": hazard.rectify_days,
            "day_basis": label(hazard.day_basis), "legal_basis": hazard.legal_basis}


@bp.get("/admin/hazards")
@catalogue_required
@cached_page
def admin_hazards():
    filters = queries.HazardFilters.from_request()
    notes = [(_("类别"), filters.category or _("全部")), (_("行业"), filters.sector or _("全部")),
             (_("等级"), label(Severity(filters.severity)) if filters.severity else _("全部"))]
    return export_or_page(
        queries.hazards_statement(filters), _("隐患目录"), HAZARD_COLUMNS, hazard_row, "hazard-types", notes,
        "admin/hazards.html", category_options=[(category, category) for category in queries.hazard_categories()],
        sector_options=[(sector, sector) for sector in queries.known_sectors()], severity_options=options(Severity))


@bp.route("/admin/hazards/new", methods=["GET", "POST"])
@catalogue_required
def admin_hazard_new():
    form = HazardForm()
    form.fill_choices()
    if form.validate_on_submit():
        done = save(form, lambda: create_hazard_type(
            current_user, code=form.code.data, category=form.category.data, title=form.title.data,
            sector=form.sector.data, severity=Severity(form.severity.data), rectify_days=form.rectify_days.data,
            day_basis=DayBasis(form.day_basis.data), legal_basis=form.legal_basis.data or ""), "code", {},
            _("已新增隐患类型：{name}"), "web.admin_hazards")
        if done:
            return done
    return render_template("admin/hazard_new.html", form=form, sectors=queries.known_sectors()), \
        400 if form.errors else 200


@bp.route("/admin/hazards/<int:hazard_id>", methods=["GET", "POST"])
@catalogue_required
def admin_hazard(hazard_id: int):
    hazard = db.get_or_404(HazardType, hazard_id)
    form = HazardEditForm(data={"category": hazard.category, "title": hazard.title, "sector": hazard.sector,
                                "severity": hazard.severity.value, "rectify_days": hazard.rectify_days,
                                "day_basis": hazard.day_basis.value, "legal_basis": hazard.legal_basis})
    form.fill_choices()
    if form.validate_on_submit():
        done = save(form, lambda: update_hazard_type(
            current_user, hazard, category=form.category.data, title=form.title.data, sector=form.sector.data,
            severity=Severity(form.severity.data), rectify_days=form.rectify_days.data,
            day_basis=DayBasis(form.day_basis.data), legal_basis=form.legal_basis.data or ""), "title", {},
            _("已保存隐患类型：{name}"), "web.admin_hazards")
        if done:
            return done
    return render_template("admin/hazard_edit.html", form=form, hazard=hazard, sectors=queries.known_sectors(),
                           open_findings=queries.open_finding_count(hazard.id)), 400 if form.errors else 200
