"""The unit ledger's pages: correct a unit (修改单位信息), lift a suspension (复业), deregister (注销).

Each is one form and one operation of ``units/operations.py``; 复业 and 注销 are also offered on the unit page
itself (``templates/units/_ledger_forms.html``), whose refusals come back here with the form filled in."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from inspect_loop import clock
from inspect_loop.db import db
from inspect_loop.errors import DomainError
from inspect_loop.regions.models import Region
from inspect_loop.units.models import Unit, UnitStatus
from inspect_loop.units.operations import (
    DECISION_MAX,
    deregister_unit,
    resume_unit,
    suspended_on,
    update_unit,
)
from inspect_loop.users.permissions import Action, require_in_area
from inspect_loop.web import bp
from inspect_loop.web.arguments import parse_day
from inspect_loop.web.auth import permission_required
from inspect_loop.web.helpers import attach_error, commit_or_refusal, domain_message, form_text
from inspect_loop.web.units import UnitForm, regions_for_units, visible_unit


def editable_unit(unit_id: int) -> Unit:
    """A unit the user may correct: in its area (a township office's township, a county office's county)."""
    unit = visible_unit(unit_id)
    try:
        require_in_area(current_user, unit)
    except DomainError:
        abort(403)
    return unit


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@permission_required(Action.manage_units)
def unit_edit(unit_id: int):
    unit = editable_unit(unit_id)
    form = UnitForm(obj=unit if request.method == "GET" else None)
    if request.method == "GET":
        form.region.data = unit.region_id
    form.region.choices = [(region.id, f"{region.code} {region.name}")
                           for region in regions_for_units(current_user)]
    if form.validate_on_submit():
        try:
            changes = update_unit(current_user, unit, name=form.name.data, uscc=form.uscc.data or "",
                                  address=form.address.data or "", region=db.session.get(Region, form.region.data),
                                  category=form.category.data or "", contact_name=form.contact_name.data or "",
                                  contact_phone=form.contact_phone.data or "")
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error, "name", {"region_code": "region"})
        else:
            db.session.commit()
            flash(_("已修改单位信息") if changes else _("单位信息没有变化"), "success" if changes else "info")
            return redirect(url_for("web.unit", unit_id=unit_id))
    return render_template("units/edit.html", form=form, unit=db.session.get(Unit, unit_id)), \
        400 if request.method == "POST" else 200


def render_ledger_form(unit: Unit, which: str, data, error: str | None = None, status: int = 200):
    return render_template("units/ledger_form.html", unit=unit, which=which, data=data, error=error,
                           today=clock.today(), decision_max=DECISION_MAX,
                           suspended_on=suspended_on(unit) if which == "resume" else None), status


@bp.route("/units/<int:unit_id>/resume", methods=["GET", "POST"])
@permission_required(Action.resume_unit)
def unit_resume(unit_id: int):
    unit = visible_unit(unit_id)
    if request.method == "GET":
        if unit.status != UnitStatus.suspended:
            flash(_("该单位不是停业整顿状态，无需办理复业"), "info")
            return redirect(url_for("web.unit", unit_id=unit_id))
        return render_ledger_form(unit, "resume", MultiDict({"resumed_on": clock.today().isoformat()}))
    error = commit_or_refusal(lambda: resume_unit(
        current_user, unit, decision=form_text("decision", DECISION_MAX + 1),
        resumed_on=parse_day(form_text("resumed_on", 20), "resumed_on", "复业日期")))
    if error:
        return render_ledger_form(db.session.get(Unit, unit_id), "resume", request.form, domain_message(error),
                                  error.http_status)
    flash(_("已办理复业：%(name)s恢复正常经营", name=unit.name), "success")
    return redirect(url_for("web.unit", unit_id=unit_id))


@bp.route("/units/<int:unit_id>/deregister", methods=["GET", "POST"])
@permission_required(Action.deregister_unit)
def unit_deregister(unit_id: int):
    unit = visible_unit(unit_id)
    if request.method == "GET":
        if unit.status == UnitStatus.deregistered:
            flash(_("该单位已注销"), "info")
            return redirect(url_for("web.unit", unit_id=unit_id))
        return render_ledger_form(unit, "deregister", MultiDict({"deregistered_on": clock.today().isoformat()}))
    error = commit_or_refusal(lambda: deregister_unit(
        current_user, unit, reason=form_text("reason", DECISION_MAX + 1),
        deregistered_on=parse_day(form_text("deregistered_on", 20), "deregistered_on", "注销日期")))
    if error:
        return render_ledger_form(db.session.get(Unit, unit_id), "deregister", request.form, domain_message(error),
                                  error.http_status)
    flash(_("已注销单位：%(name)s（保留历史记录）", name=unit.name), "success")
    return redirect(url_for("web.unit", unit_id=unit_id))
