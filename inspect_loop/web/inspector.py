"""Inspection teams on their phones: today's tasks, the inspection form, the re-inspection/follow-up form.

The inspection form lists the hazard catalogue as a checklist grouped by category; photos are uploaded
one by one before the form is sent (``static/js/photos.js``) and arrive here as photo ids per hazard.
"""

from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from inspect_loop import clock
from inspect_loop.api import scope
from inspect_loop.cases.models import Stage
from inspect_loop.cases.queries import open_case_of
from inspect_loop.cases.sweep import awaiting_follow_up, reinspections_due
from inspect_loop.db import db
from inspect_loop.errors import DomainError, InvalidInput
from inspect_loop.hazards.models import HazardType
from inspect_loop.inspections.models import Finding, FindingStatus, InspectionKind, InspectionPlan, PlanStatus
from inspect_loop.inspections.operations import (
    NewFinding,
    VerificationResult,
    record_inspection,
    visible_plans_query,
)
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role, User
from inspect_loop.users.permissions import Action, allowed
from inspect_loop.web import bp
from inspect_loop.web.auth import permission_required
from inspect_loop.web.helpers import domain_message, paginate
from inspect_loop.web.labels import label
from inspect_loop.web.uploads import unattached_photos

# Kinds the plain inspection form records; re-inspection and follow-up have their own form.
FINDING_KINDS = (InspectionKind.unannounced, InspectionKind.special, InspectionKind.department,
                 InspectionKind.grid_patrol, InspectionKind.self_check)
TODAY_TABS = ("plans", "reinspections", "follow_ups")


@bp.route("/today")
@permission_required(Action.record_inspection)
def today():
    tab = request.args.get("tab") if request.args.get("tab") in TODAY_TABS else "plans"
    day = clock.today()
    may_see_plans = current_user.role in (Role.admin, Role.safety_office, Role.inspector)
    if tab == "plans" and not may_see_plans:
        tab = "reinspections"
    if tab == "plans":
        pager = paginate(visible_plans_query(current_user).where(InspectionPlan.status == PlanStatus.planned,
                                                                 InspectionPlan.planned_on <= day))
    else:
        due = reinspections_due(day) if tab == "reinspections" else awaiting_follow_up(day)
        pager = paginate(due.where(scope.unit_condition(current_user)))
    return render_template("inspector/today.html", tab=tab, pager=pager, day=day, may_see_plans=may_see_plans)


def _inspectable_unit(unit_id: int) -> Unit:
    unit = db.get_or_404(Unit, unit_id)
    if not scope.can_see_unit(current_user, unit):
        abort(403)
    return unit


def _catalogue() -> list[tuple[str, list[HazardType]]]:
    hazards = db.session.scalars(select(HazardType).order_by(HazardType.category, HazardType.code))
    return [(category, list(items)) for category, items in groupby(hazards, key=lambda hazard: hazard.category)]


def _team_choices() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True),
                                                      User.role.in_([Role.inspector, Role.safety_office]))
                                   .order_by(User.role, User.username)))


def _int_list(values) -> list[int]:
    numbers = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if part:
                if not part.isdigit():
                    raise InvalidInput("提交的编号无效", "an id is not a number")
                numbers.append(int(part))
    return numbers


def _coordinate(name: str, limit: float) -> float | None:
    value = (request.form.get(name) or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if -limit <= number <= limit else None


def _new_findings(form) -> list[NewFinding]:
    """The checked hazards, each with its description and photos."""
    ids = _int_list(form.getlist("hazard"))
    hazards = {hazard.id: hazard for hazard in db.session.scalars(select(HazardType).where(HazardType.id.in_(ids)))}
    if len(hazards) != len(set(ids)):
        raise InvalidInput("所选隐患类型不存在", "a hazard type does not exist", field="hazard")
    findings = []
    for hazard_id in dict.fromkeys(ids):
        description = (form.get(f"description_{hazard_id}") or "").strip()[:2000]
        photos = unattached_photos(_int_list(form.getlist(f"photos_{hazard_id}")), current_user)
        findings.append(NewFinding(hazards[hazard_id], description=description, photos=tuple(photos)))
    return findings


def _team(form) -> list[User]:
    ids = set(_int_list(form.getlist("team")))
    ids.add(current_user.id)
    return list(db.session.scalars(select(User).where(User.id.in_(ids), User.active.is_(True))))


def _plan(form, unit: Unit) -> InspectionPlan | None:
    plan_id = form.get("plan_id", type=int) if hasattr(form, "get") else None
    if not plan_id:
        return None
    plan = db.session.scalar(visible_plans_query(current_user).where(InspectionPlan.id == plan_id))
    if plan is None or plan.unit_id != unit.id:
        raise InvalidInput("暗访计划不存在或不属于该单位", "the plan does not belong to this unit", field="plan_id")
    return plan


def _form_context(unit: Unit, **extra) -> dict:
    return {"unit": unit, "catalogue": _catalogue(), "team_choices": _team_choices(),
            "kinds": [(kind.value, label(kind)) for kind in FINDING_KINDS], **extra}


def _recorded(inspection, unit: Unit):
    db.session.commit()
    if inspection.findings:
        flash(_("已录入检查，发现 %(n)s 个问题，整改提醒通知书已签发", n=len(inspection.findings)), "success")
    else:
        flash(_("已录入检查"), "success")
    return redirect(url_for("web.unit", unit_id=unit.id))


@bp.route("/units/<int:unit_id>/inspect", methods=["GET", "POST"])
@permission_required(Action.record_inspection)
def inspection_new(unit_id: int):
    unit = _inspectable_unit(unit_id)
    if request.method == "POST":
        kind = request.form.get("kind")
        try:
            if kind not in {k.value for k in FINDING_KINDS}:
                raise InvalidInput("请选择检查类型", "choose the kind of inspection", field="kind")
            inspection = record_inspection(
                current_user, unit, InspectionKind(kind), findings=_new_findings(request.form),
                team=_team(request.form), notes=(request.form.get("notes") or "").strip()[:2000],
                latitude=_coordinate("latitude", 90), longitude=_coordinate("longitude", 180),
                plan=_plan(request.form, unit))
        except DomainError as error:
            db.session.rollback()
            return render_template("inspector/inspect.html", error=domain_message(error), data=request.form,
                                   **_form_context(unit)), 400 if error.http_status == 400 else error.http_status
        return _recorded(inspection, unit)
    plan_id = request.args.get("plan", type=int)
    data = {"kind": InspectionKind.unannounced.value, "plan_id": plan_id or ""}
    return render_template("inspector/inspect.html", error=None, data=data, **_form_context(unit))


def _verifications(form, open_findings: list[Finding]) -> list[VerificationResult]:
    results = []
    for finding in open_findings:
        answer = form.get(f"verify_{finding.id}")
        if answer in ("1", "0"):
            results.append(VerificationResult(finding, rectified=answer == "1"))
    if not results:
        raise InvalidInput("请至少对一个问题选择“已整改”或“未整改”", "verify at least one finding", field="verified")
    return results


@bp.route("/units/<int:unit_id>/verify", methods=["GET", "POST"])
@permission_required(Action.record_inspection)
def verification_new(unit_id: int):
    unit = _inspectable_unit(unit_id)
    case = open_case_of(unit.id)
    if case is None:
        flash(_("该单位没有进行中的闭环案件，无需复查或回访"), "info")
        return redirect(url_for("web.unit", unit_id=unit.id))
    kind = InspectionKind.reinspection if case.stage == Stage.reminder else InspectionKind.follow_up
    open_findings = [finding for finding in case.findings if finding.status == FindingStatus.open]
    context = _form_context(unit, case=case, kind=kind, open_findings=open_findings, today_=clock.today())
    if request.method == "POST":
        try:
            inspection = record_inspection(
                current_user, unit, kind, findings=_new_findings(request.form),
                verified=_verifications(request.form, open_findings), team=_team(request.form),
                notes=(request.form.get("notes") or "").strip()[:2000],
                latitude=_coordinate("latitude", 90), longitude=_coordinate("longitude", 180))
        except DomainError as error:
            db.session.rollback()
            return render_template("inspector/verify.html", error=domain_message(error), data=request.form,
                                   **context), error.http_status
        return _recorded(inspection, unit)
    return render_template("inspector/verify.html", error=None, data={}, **context)


def may_record(user: User) -> bool:
    return allowed(user, Action.record_inspection)
