"""Inspection teams on their phones: today's tasks, the inspection form, the re-inspection/follow-up form.

The inspection form lists the hazard catalogue as a checklist grouped by category. Photos are downscaled in
the browser and uploaded one by one before the form is sent (``static/js/photos.js``), arriving here as photo
ids per hazard; without JavaScript the files come with the form itself and are stored here.
"""

import uuid
from itertools import groupby

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import MultiDict

from inspect_loop import clock
from inspect_loop.api import scope
from inspect_loop.caching.pages import cached_page
from inspect_loop.cases import policy
from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.cases.queries import open_case_of, open_finding_columns
from inspect_loop.cases.sweep import awaiting_follow_up, reinspections_due
from inspect_loop.db import db
from inspect_loop.errors import DomainError, InvalidInput
from inspect_loop.hazards.models import HazardType
from inspect_loop.inspections.models import (
    CloseKind,
    Finding,
    FindingStatus,
    Inspection,
    InspectionKind,
    InspectionPlan,
    PlanStatus,
    Rectification,
)
from inspect_loop.inspections.operations import (
    NewFinding,
    VerificationResult,
    earlier_submission,
    record_inspection,
    visible_plans_query,
)
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role, User
from inspect_loop.users.permissions import Action, allowed
from inspect_loop.web import bp
from inspect_loop.web.arguments import query_id
from inspect_loop.web.auth import permission_required
from inspect_loop.web.exports import MAX_EXPORT_ROWS, wants_xlsx, xlsx_list
from inspect_loop.web.formatting import iso_date
from inspect_loop.web.helpers import (
    domain_message,
    form_ids,
    form_text,
    kept_photo_ids,
    like,
    paginate,
    search_text,
)
from inspect_loop.web.labels import label
from inspect_loop.web.units import townships_for, visible_unit
from inspect_loop.web.uploads import posted_photos

# Kinds the plain inspection form records; re-inspection and follow-up have their own form.
FINDING_KINDS = (InspectionKind.unannounced, InspectionKind.special, InspectionKind.department,
                 InspectionKind.grid_patrol, InspectionKind.self_check)
# What each role usually records; the form starts with it selected.
DEFAULT_KIND = {Role.township_office: InspectionKind.grid_patrol, Role.regulator: InspectionKind.department}
# Who may see unannounced plans (四不两直) and who can be on an inspection team.
PLAN_READERS = (Role.admin, Role.safety_office, Role.inspector)
TEAM_ROLES = (Role.inspector, Role.safety_office)
NOTES_MAX = 2000
TAB_TITLES = {"plans": _l("暗访计划"), "reinspections": _l("待复查"), "follow_ups": _l("待回访")}


# -- today's tasks -------------------------------------------------------------------------------------

def today_tabs(user: User) -> list[str]:
    return [tab for tab in TAB_TITLES if tab != "plans" or user.role in PLAN_READERS]


def filtered(statement, user: User):
    """Tasks of units the user may see, narrowed by ``q`` (unit name or address) and ``township``."""
    statement = statement.where(scope.unit_condition(user))
    text = search_text()
    if text:
        statement = statement.where(or_(Unit.name.ilike(like(text), escape="\\"),
                                        Unit.address.ilike(like(text), escape="\\")))
    township = query_id("township")
    if township:
        statement = statement.where(Unit.township_id == township)
    return statement


def plans_statement(user: User, day):
    """Planned visits due by ``day`` and not yet made, of the user's team (or all, for the county office)."""
    statement = (visible_plans_query(user).join(Unit, Unit.id == InspectionPlan.unit_id)
                 .where(InspectionPlan.status == PlanStatus.planned, InspectionPlan.planned_on <= day))
    return filtered(statement, user)


def task_statement(tab: str, user: User, day):
    """Rows of plans, or of (case, unit, open findings, overdue ones, nearest deadline, latest deadline) for the
    re-inspections and follow-ups: the counts are columns of the same query, one query per page."""
    if tab == "plans":
        return plans_statement(user, day).options(
            selectinload(InspectionPlan.unit).selectinload(Unit.township), selectinload(InspectionPlan.team))
    due = reinspections_due(day) if tab == "reinspections" else awaiting_follow_up(day)
    return (filtered(due, user).add_columns(*open_finding_columns(day, Finding.case_id, Case))
            .options(selectinload(Unit.township)))


def export_tasks(tab: str, day):
    rows = db.session.execute(task_statement(tab, current_user, day).limit(MAX_EXPORT_ROWS)).all()
    if tab == "plans":
        columns = [("planned_on", _("计划日期")), ("unit", _("单位")), ("township", _("乡镇（街道）")),
                   ("address", _("地址")), ("team", _("组员")), ("notes", _("备注"))]
        data = [{"planned_on": plan.planned_on.isoformat(), "unit": plan.unit.name,
                 "township": plan.unit.township.name, "address": plan.unit.address,
                 "team": _("、").join(member.label for member in plan.team), "notes": plan.notes}
                for (plan,) in rows]
    else:
        columns = [("unit", _("单位")), ("township", _("乡镇（街道）")), ("address", _("地址")),
                   ("stage", _("闭环阶段")), ("deadline", _("整改期限")), ("case", _("案件编号"))]
        data = [{"unit": unit.name, "township": unit.township.name, "address": unit.address,
                 "stage": label(case.stage), "deadline": iso_date(latest), "case": case.id}
                for case, unit, *_counts, latest in rows]
    return xlsx_list(str(TAB_TITLES[tab]), columns, data, f"today-{tab}",
                     filters=[(_("日期"), day.isoformat())])


@bp.route("/today")
@permission_required(Action.record_inspection)
@cached_page
def today():
    tabs = today_tabs(current_user)
    tab = request.args.get("tab") if request.args.get("tab") in tabs else tabs[0]
    day = clock.today()
    if wants_xlsx():
        return export_tasks(tab, day)
    pager = paginate(task_statement(tab, current_user, day))
    return render_template(
        "inspector/today.html", tab=tab, pager=pager, day=day,
        may_verify=allowed(current_user, Action.verify_rectification),
        tabs=[(name, TAB_TITLES[name], url_for("web.today", tab=name)) for name in tabs],
        township_options=[(region.id, region.name) for region in townships_for(current_user)])


# -- the inspection form -------------------------------------------------------------------------------

def catalogue() -> list[tuple[str, list[HazardType]]]:
    hazards = db.session.scalars(select(HazardType).order_by(HazardType.category, HazardType.code))
    return [(category, list(items))
            for category, items in groupby(hazards, key=lambda hazard: hazard.category)]


def team_choices(user: User) -> list[User]:
    """Colleagues who can be named on the team (only inspection teams and the county office go in teams)."""
    if user.role not in (*TEAM_ROLES, Role.admin):
        return []
    return list(db.session.scalars(select(User).where(User.active.is_(True), User.role.in_(TEAM_ROLES),
                                                      User.id != user.id)
                                   .order_by(User.role, User.username)))


def posted_team(user: User) -> list[User]:
    """The recording user and the colleagues ticked on the form."""
    chosen = set(form_ids("team"))
    recorder = db.session.get(User, user.id)
    return [recorder, *(member for member in team_choices(user) if member.id in chosen)]


def posted_coordinate(name: str, limit: float) -> float | None:
    """A GPS coordinate from the phone, or None when it gave none (an unusable value is dropped, not refused:
    the position helps but is not required)."""
    try:
        number = float(form_text(name, 30))
    except ValueError:
        return None
    return number if -limit <= number <= limit else None


def posted_findings(user: User, required: bool) -> list[NewFinding]:
    """The checked hazards, each with its description and photos. With ``required`` an empty checklist must
    be confirmed with "no problem found", so that a slip of the thumb does not record a clean visit."""
    ids = form_ids("hazard")
    hazards = {hazard.id: hazard
               for hazard in db.session.scalars(select(HazardType).where(HazardType.id.in_(ids)))}
    if len(hazards) != len(ids):
        raise InvalidInput("所选隐患类型不存在", "A chosen hazard type does not exist.", field="hazard")
    nothing_found = request.form.get("no_findings") == "1"
    if required and not ids and not nothing_found:
        raise InvalidInput("请勾选发现的问题；没有发现问题时请勾选“本次检查未发现问题”",
                           "Tick the problems found, or tick “No problem found in this inspection”.", field="hazard")
    if ids and nothing_found:
        raise InvalidInput("已勾选问题，又勾选了“本次检查未发现问题”，请核对",
                           "Problems are ticked and so is “No problem found in this inspection”: check which is right.", field="hazard")
    findings, used = [], set()
    for hazard_id in ids:
        photos = posted_photos(f"photos_{hazard_id}", f"photo_files_{hazard_id}", user)
        # 即查即改: the photos of the result, kept apart from those of the problem.
        on_the_spot = request.form.get(f"on_the_spot_{hazard_id}") == "1"
        spot_photos = (posted_photos(f"photos_spot_{hazard_id}", f"photo_files_spot_{hazard_id}", user)
                       if on_the_spot else [])
        taken = [photo.id for photo in (*photos, *spot_photos)]
        if used & set(taken) or len(taken) != len(set(taken)):
            raise InvalidInput("同一张照片不能用于两处", "The same photo cannot be used twice.", field="photos")
        used |= set(taken)
        description = form_text(f"description_{hazard_id}", NOTES_MAX)
        findings.append(NewFinding(hazards[hazard_id], description=description, photos=tuple(photos),
                                   on_the_spot=on_the_spot, rectification_photos=tuple(spot_photos),
                                   rectification_note=form_text(f"spot_note_{hazard_id}", NOTES_MAX)))
    return findings


def posted_plan(user: User, unit: Unit) -> InspectionPlan | None:
    plan_id = request.form.get("plan_id", type=int)
    return visible_plan(user, unit, plan_id) if plan_id else None


def visible_plan(user: User, unit: Unit, plan_id: int | None) -> InspectionPlan | None:
    """The user's open plan for this unit; a plan the user may not see is treated as not existing."""
    if not plan_id or user.role not in PLAN_READERS:
        return None
    plan = db.session.scalar(visible_plans_query(user).where(InspectionPlan.id == plan_id))
    if plan is None or plan.unit_id != unit.id or plan.status != PlanStatus.planned:
        raise InvalidInput("暗访计划不存在、已完成或不属于该单位", "The unannounced inspection plan does not exist, is done or is for another unit.", field="plan_id")
    return plan


def form_context(unit: Unit, data: MultiDict, **extra) -> dict:
    # A form shown again after a refusal keeps its submission key: nothing was recorded under it yet.
    return {"unit": unit, "data": data, "submission_key": data.get("submission_key") or uuid.uuid4().hex,
            "kept_photos": kept_photo_ids(data), "catalogue": catalogue(),
            "team_choices": team_choices(current_user), "notes_max": NOTES_MAX,
            "kinds": [(kind.value, label(kind)) for kind in FINDING_KINDS], **extra}


def posted_submission_key() -> str | None:
    return form_text("submission_key", 64) or None


def already_recorded(unit: Unit):
    """The same form sent again (a second tap, or the browser re-sending it after a lost answer): say so and
    show the unit, instead of recording the visit twice. None for a new submission."""
    key = posted_submission_key()
    if key is None or earlier_submission(current_user, unit, key) is None:
        return None
    flash(_("该检查已录入，本次重复提交未再记录"), "info")
    return redirect(url_for("web.unit", unit_id=unit.id))


def recorded(inspection: Inspection, unit: Unit, stage_before: Stage | None):
    """Commit and say what happened: the findings and notice, and where the case now stands."""
    db.session.commit()
    parts = [_("已录入%(kind)s", kind=label(inspection.kind))]
    on_the_spot = sum(1 for finding in inspection.findings if finding.close_kind == CloseKind.on_the_spot)
    if len(inspection.findings) > on_the_spot:
        parts.append(_("发现 %(n)s 个问题，整改提醒通知书已签发", n=len(inspection.findings) - on_the_spot))
    if on_the_spot:
        parts.append(_("%(n)s 个问题即查即改，已当场销号", n=on_the_spot))
    elif not inspection.verifications:
        parts.append(_("未发现问题"))
    if inspection.verifications:
        failed = sum(1 for item in inspection.verifications if not item.rectified)
        parts.append(_("核验 %(n)s 个问题，其中 %(failed)s 个未整改", n=len(inspection.verifications), failed=failed))
    case = db.session.get(Case, inspection.case_id) if inspection.case_id else None
    if case is not None and case.status == CaseStatus.closed:
        parts.append(_("案件已结案（%(outcome)s）", outcome=label(case.outcome)))
    elif case is not None and stage_before is not None and case.stage != stage_before:
        parts.append(_("案件进入%(stage)s阶段", stage=label(case.stage)))
    flash(_("；").join(str(part) for part in parts), "success")
    return redirect(url_for("web.unit", unit_id=unit.id))


@bp.route("/units/<int:unit_id>/inspect", methods=["GET", "POST"])
@permission_required(Action.record_inspection)
def inspection_new(unit_id: int):
    unit = visible_unit(unit_id)
    if request.method == "POST":
        if (answer := already_recorded(unit)) is not None:
            return answer
        stage_before = case.stage if (case := open_case_of(unit.id)) else None
        try:
            kind = request.form.get("kind")
            if kind not in set(FINDING_KINDS):
                raise InvalidInput("请选择检查类型", "Choose the kind of inspection.", field="kind")
            inspection = record_inspection(
                current_user, unit, InspectionKind(kind),
                findings=posted_findings(current_user, required=True), team=posted_team(current_user), notes=form_text("notes", NOTES_MAX),
                latitude=posted_coordinate("latitude", 90), longitude=posted_coordinate("longitude", 180),
                plan=posted_plan(current_user, unit), submission_key=posted_submission_key())
        except DomainError as error:
            db.session.rollback()
            return render_template("inspector/inspect.html", error=domain_message(error), plan=None,
                                   **form_context(unit, request.form)), error.http_status
        return recorded(inspection, unit, stage_before)
    try:
        plan = visible_plan(current_user, unit, query_id("plan"))
    except InvalidInput:
        abort(404)
    kind = plan.kind if plan else DEFAULT_KIND.get(current_user.role, InspectionKind.unannounced)
    data = MultiDict({"kind": kind.value, "plan_id": plan.id if plan else ""})
    return render_template("inspector/inspect.html", error=None, plan=plan, **form_context(unit, data))


# -- re-inspection and follow-up -----------------------------------------------------------------------

def posted_verifications(open_findings: list[Finding]) -> list[VerificationResult]:
    results = []
    for finding in open_findings:
        answer = request.form.get(f"verify_{finding.id}")
        if answer in ("1", "0"):
            results.append(VerificationResult(finding, rectified=answer == "1"))
    if not results:
        raise InvalidInput("请至少对一个问题选择“已整改”或“未整改”", "Mark at least one problem as rectified or not rectified.", field="verified")
    return results


def open_findings_of(case: Case) -> list[Finding]:
    return list(db.session.scalars(
        select(Finding).where(Finding.case_id == case.id, Finding.status == FindingStatus.open)
        .order_by(Finding.id)
        .options(selectinload(Finding.hazard_type), selectinload(Finding.photos),
                 selectinload(Finding.rectifications).selectinload(Rectification.photos))))


@bp.route("/units/<int:unit_id>/verify", methods=["GET", "POST"])
@permission_required(Action.verify_rectification)
def verification_new(unit_id: int):
    unit = visible_unit(unit_id)
    if request.method == "POST" and (answer := already_recorded(unit)) is not None:
        return answer
    case = open_case_of(unit.id)
    if case is None:
        flash(_("该单位没有进行中的闭环案件，无需复查或回访"), "info")
        return redirect(url_for("web.unit", unit_id=unit.id))
    kind = policy.verification_kind(case.stage)
    open_findings = open_findings_of(case)
    context = {"case": case, "kind": kind, "open_findings": open_findings, "today": clock.today()}
    if request.method == "POST":
        stage_before = case.stage
        try:
            inspection = record_inspection(
                current_user, unit, kind, findings=posted_findings(current_user, required=False),
                verified=posted_verifications(open_findings), team=posted_team(current_user),
                notes=form_text("notes", NOTES_MAX), latitude=posted_coordinate("latitude", 90),
                longitude=posted_coordinate("longitude", 180), submission_key=posted_submission_key())
        except DomainError as error:
            db.session.rollback()
            return render_template("inspector/verify.html", error=domain_message(error),
                                   **form_context(unit, request.form, **context)), error.http_status
        return recorded(inspection, unit, stage_before)
    return render_template("inspector/verify.html", error=None, **form_context(unit, MultiDict(), **context))
