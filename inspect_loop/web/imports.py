"""Importing units and the hazard catalogue from .xlsx or .csv (``inspect_loop.imports``): the page with the
columns and the template download, the upload, and the per-row error report when any row is bad (then
nothing is imported).

Units may be imported by the administrator and by a county safety office (into its own county); the hazard
catalogue only by the administrator, who alone maintains the catalogue.
"""

from io import BytesIO

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from inspect_loop.db import db
from inspect_loop.errors import DomainError
from inspect_loop.imports.kinds import HAZARDS, UNITS, ImportKind
from inspect_loop.imports.reading import WEB_MAX_ROWS, read_table
from inspect_loop.imports.running import run_import
from inspect_loop.imports.templates import template_workbook
from inspect_loop.users.models import Role
from inspect_loop.users.permissions import Action
from inspect_loop.web import bp
from inspect_loop.web.auth import permission_required, roles_required
from inspect_loop.web.exports import XLSX_MIMETYPE
from inspect_loop.web.helpers import domain_message

# The report lists this many problems on the page; a file with more is usually the wrong file.
SHOWN_ERRORS = 500

may_import_units = roles_required(Role.admin, Role.safety_office)


class ImportForm(FlaskForm):
    # The file's type is judged by ``read_table`` from its content, which also explains an old .xls.
    file = FileField(_l("选择文件（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择要导入的文件"))])


def import_page(kind: ImportKind, done_endpoint: str, template_endpoint: str):
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            report = run_import(kind, current_user, read_table(upload.filename, upload.read(), WEB_MAX_ROWS))
        except DomainError as error:
            db.session.rollback()
            form.file.errors.append(domain_message(error))
        else:
            if report.ok:
                db.session.commit()
                flash(_("已导入 %(count)s 条%(what)s：新建 %(created)s 条，更新 %(updated)s 条，无变化 %(unchanged)s 条",
                        count=report.imported, what=_(kind.title), created=report.created, updated=report.updated,
                        unchanged=report.unchanged), "success")
                return redirect(url_for(done_endpoint))
            db.session.rollback()
    status = 400 if form.errors or report is not None else 200
    return render_template("admin/import.html", kind=kind, form=form, report=report, shown=SHOWN_ERRORS,
                           max_rows=WEB_MAX_ROWS, template_endpoint=template_endpoint), status


def template_download(kind: ImportKind):
    return send_file(BytesIO(template_workbook(kind, current_user)), mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=f"{kind.name}-import-template.xlsx")


@bp.route("/imports/units", methods=["GET", "POST"])
@may_import_units
def import_units():
    return import_page(UNITS, "web.units", "web.import_units_template")


@bp.get("/imports/units/template.xlsx")
@may_import_units
def import_units_template():
    return template_download(UNITS)


@bp.route("/imports/hazards", methods=["GET", "POST"])
@permission_required(Action.manage_catalogue)
def import_hazards():
    return import_page(HAZARDS, "web.admin_hazards", "web.import_hazards_template")


@bp.get("/imports/hazards/template.xlsx")
@permission_required(Action.manage_catalogue)
def import_hazards_template():
    return template_download(HAZARDS)
