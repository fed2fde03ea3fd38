"""Recording inspections: new findings open or join the unit's case; verifications drive the ladder."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inspect_loop import clock
from inspect_loop.audit.events import InspectionRecorded, PlanCreated, RectificationReported
from inspect_loop.audit.log import record_event
from inspect_loop.cases import history, ladder, policy
from inspect_loop.cases.models import Case
from inspect_loop.cases.queries import open_case_of
from inspect_loop.db import db, lock
from inspect_loop.errors import Conflict, Forbidden, InvalidInput, TransitionRefused
from inspect_loop.hazards.deadlines import deadline_for
from inspect_loop.hazards.models import HazardType, Severity
from inspect_loop.inspections.models import (
    CloseKind,
    Finding,
    FindingDeadline,
    FindingStatus,
    Inspection,
    InspectionKind,
    InspectionPlan,
    PlanStatus,
    Rectification,
    Verification,
)
from inspect_loop.units.models import CLOSED_UNIT_STATUSES, Unit
from inspect_loop.units.operations import refuse_inspection_of_deregistered
from inspect_loop.users.models import Role, User
from inspect_loop.users.permissions import Action, county_id_of, require, require_in_area


@dataclass(frozen=True)
class NewFinding:
    hazard_type: HazardType
    description: str = ""
    severity: Severity | None = None  # None: the hazard type's severity
    photos: tuple = ()  # Photo rows uploaded beforehand (inspect_loop.web.uploads.store_photo)
    # 即查即改: put right during this visit; the photos of the result are required.
    on_the_spot: bool = False
    rectification_note: str = ""
    rectification_photos: tuple = ()


@dataclass(frozen=True)
class VerificationResult:
    finding: Finding
    rectified: bool


def record_inspection(actor: User, unit: Unit, kind: InspectionKind, *, findings: list[NewFinding] = (),
                      verified: list[VerificationResult] = (), team: list[User] = (), notes: str = "",
                      latitude: float | None = None, longitude: float | None = None,
                      plan: InspectionPlan | None = None, submission_key: str | None = None) -> Inspection:
    """Record one visit. With a ``submission_key`` the call is idempotent: the same key again (by the same
    user, for the same unit) returns the inspection it recorded and changes nothing.

    The unit's lock is held from the start: two teams at one unit, or a visit beside a close-out, see each
    other's change (a second first visit joins the case the first one opened)."""
    require(actor, Action.record_inspection)
    require_in_area(actor, unit)
    lock(unit)
    if submission_key and (earlier := earlier_submission(actor, unit, submission_key)) is not None:
        return earlier
    refuse_inspection_of_deregistered(unit)
    check_on_the_spot(unit, findings)
    case = open_case_of(unit.id)
    today = clock.today()
    policy.check_verification(actor, case, kind, verified, today)
    if plan is not None and (plan.status != PlanStatus.planned or plan.unit_id != unit.id):
        raise InvalidInput("该暗访计划已完成或不属于该单位", "This unannounced inspection plan is done or is for another unit.", field="plan_id")

    moment = clock.now()
    inspection = Inspection(unit=unit, unit_id=unit.id, kind=kind, inspected_at=moment,
                            inspected_on=clock.local_date(moment), notes=notes or "", latitude=latitude,
                            longitude=longitude, recorded_by_id=actor.id, case_id=case.id if case else None,
                            submission_key=submission_key or None)
    inspection.team = list(team)
    try:
        with db.session.begin_nested():
            db.session.add(inspection)
            db.session.flush()
    except IntegrityError:
        # The same key arrived at once for another unit, or from another user (rolling the savepoint back has
        # taken this one out of the session): the key is the other submission's.
        if submission_key and (earlier := earlier_submission(actor, unit, submission_key)) is not None:
            return earlier
        raise

    new_findings, on_the_spot = [], []
    opened = None
    if findings:
        # Findings rectified on the spot open no case; they join one that is open or opened for the others.
        left_open = [item for item in findings if not item.on_the_spot]
        if case is None and left_open:
            start = history.where_to_start(unit, [item.hazard_type for item in left_open], inspection.inspected_on)
            case = opened = ladder.open_case(unit, actor, start)
            inspection.case_id = case.id
        for item in findings:
            finding = _add_finding(inspection, case, item)
            if item.on_the_spot:
                _rectify_on_the_spot(actor, finding, item)
                on_the_spot.append(finding)
            else:
                new_findings.append(finding)

    if verified:
        _apply_verifications(actor, inspection, case, kind, verified)

    if plan is not None:
        plan.status = PlanStatus.done
        plan.inspection_id = inspection.id
    # A subscriber issues the 整改提醒通知书 of the new findings, or what a case opened higher up calls for
    # (letters/notices.py).
    record_event(actor, InspectionRecorded(case_id=case.id if case else None, unit_id=unit.id, kind=kind,
                                           findings=[finding.id for finding in new_findings],
                                           verified={str(item.finding.id): item.rectified for item in verified},
                                           on_the_spot=[finding.id for finding in on_the_spot],
                                           opened_at=opened.stage if opened is not None else None),
                 inspection)
    db.session.flush()
    return inspection


def earlier_submission(actor: User, unit: Unit, submission_key: str) -> Inspection | None:
    """The inspection this user recorded for this unit with ``submission_key``, if any."""
    earlier = db.session.scalar(select(Inspection).where(Inspection.submission_key == submission_key))
    if earlier is not None and (earlier.recorded_by_id, earlier.unit_id) != (actor.id, unit.id):
        raise Conflict("该提交编号已用于另一次检查", "This submission has already been recorded as another inspection.",
                       field="submission_key")
    return earlier


def check_on_the_spot(unit: Unit, findings: list[NewFinding]) -> None:
    """即查即改 needs a photo of the result, and is for general hazards at a place in business: a major one
    (重大隐患) goes through the loop, where it is supervised, and a place shut down or banned that is found
    operating is 非法经营, which opens its case at 三次执法 (``cases/history.py``) whatever was put right."""
    for item in findings:
        if not item.on_the_spot:
            continue
        title = item.hazard_type.title
        if unit.status in CLOSED_UNIT_STATUSES:
            raise Conflict(f"该单位已被关停或取缔，发现的“{title}”不能即查即改，须按非法经营立案",
                           f"This place was shut down or banned: “{title}” cannot be put right on the spot; the "
                           "finding opens a case of illegal operation.", field="on_the_spot")
        if (item.severity or item.hazard_type.severity) == Severity.major:
            raise InvalidInput(f"“{title}”是重大隐患，须立案整改，不能即查即改",
                               f"“{title}” is a major hazard: it must be rectified through the loop, not on the spot.",
                               field="on_the_spot")
        if not item.rectification_photos:
            raise InvalidInput(f"“{title}”即查即改须附整改后的照片", f"Add a photo of “{title}” put right on the spot.",
                               field="rectification_photos")
        if {photo.id for photo in item.photos} & {photo.id for photo in item.rectification_photos}:
            raise InvalidInput("同一张照片不能既是问题照片又是整改照片",
                               "The same photo cannot show both the problem and its rectification.",
                               field="rectification_photos")


def _rectify_on_the_spot(actor: User, finding: Finding, item: NewFinding) -> None:
    """The finding closed during the visit that found it, its photos kept as the rectification's."""
    report = Rectification(finding=finding, note=(item.rectification_note or "").strip() or "即查即改",
                           reported_at=finding.found_at, reported_on=finding.found_on, reported_by_id=actor.id)
    report.photos = list(item.rectification_photos)
    db.session.add(report)
    finding.first_reported_at, finding.first_reported_on = finding.found_at, finding.found_on
    finding.status = FindingStatus.closed
    finding.close_kind = CloseKind.on_the_spot
    finding.closed_at, finding.closed_on = finding.found_at, finding.found_on
    db.session.flush()


def _add_finding(inspection: Inspection, case: Case | None, item: NewFinding) -> Finding:
    hazard = item.hazard_type
    found_on = inspection.inspected_on
    deadline = deadline_for(found_on, hazard.rectify_days, hazard.day_basis)
    finding = Finding(case=case, case_id=case.id if case else None, unit_id=inspection.unit_id, inspection=inspection,
                      hazard_type=hazard, hazard_type_id=hazard.id, description=item.description or "",
                      severity=item.severity or hazard.severity, found_at=inspection.inspected_at,
                      found_on=found_on, deadline=deadline, status=FindingStatus.open)
    finding.deadlines.append(FindingDeadline(deadline=deadline, set_at=inspection.inspected_at))
    finding.photos = list(item.photos)
    db.session.add(finding)
    db.session.flush()
    return finding


def _apply_verifications(actor: User, inspection: Inspection, case: Case, kind: InspectionKind,
                         verified: list[VerificationResult]) -> None:
    moment = inspection.inspected_at
    closes = policy.closes_on_verification(case)
    for item in verified:
        db.session.add(Verification(inspection=inspection, finding=item.finding, rectified=item.rectified))
        if closes and item.rectified:
            item.finding.status = FindingStatus.closed
            item.finding.close_kind = CloseKind.verified
            item.finding.closed_at = moment
            item.finding.closed_on = clock.local_date(moment)
    db.session.flush()
    outcome = policy.verification_outcome(case, kind, verified)
    if outcome == "rectified_at_reminder":
        ladder.close_rectified_at_reminder(case, actor)
    elif outcome is not None:
        unrectified = [item.finding.id for item in verified if not item.rectified]
        move = ladder.fail_reinspection if outcome == "fail_reinspection" else ladder.fail_follow_up
        move(case, actor, inspection_id=inspection.id, unrectified=unrectified)


def report_rectification(actor: User, finding: Finding, note: str, photos=()) -> Rectification:
    """The unit's rectification report, filed by its township office or an inspector on its behalf."""
    require(actor, Action.report_rectification)
    require_in_area(actor, finding.unit)
    lock(finding.unit)  # the case's lock (ladder.lock_case); a finding rectified on the spot may have no case
    if finding.status != FindingStatus.open:
        raise TransitionRefused(f"问题“{finding.hazard_type.title}”已不在整改中",
                                f"“{finding.hazard_type.title}” is no longer being rectified.",
                                current={"finding_id": finding.id, "status": finding.status.value})
    if not (note or "").strip():
        raise InvalidInput("请填写整改情况说明", "Describe the rectification.", field="note")
    moment = clock.now()
    report = Rectification(finding=finding, note=note.strip(), reported_at=moment,
                           reported_on=clock.local_date(moment), reported_by_id=actor.id)
    report.photos = list(photos)
    db.session.add(report)
    if finding.first_reported_at is None:
        finding.first_reported_at = moment
        finding.first_reported_on = report.reported_on
    db.session.flush()
    record_event(actor, RectificationReported(case_id=finding.case_id, unit_id=finding.unit_id,
                                              finding_id=finding.id), report)
    return report


def plan_inspection(actor: User, unit: Unit, planned_on, team: list[User], notes: str = "") -> InspectionPlan:
    require(actor, Action.plan_inspection)
    require_in_area(actor, unit)
    refuse_inspection_of_deregistered(unit)
    if not team:
        raise InvalidInput("暗访计划至少需要一名组员", "An unannounced inspection plan needs at least one team member.", field="team")
    if any(member.role not in (Role.inspector, Role.safety_office) for member in team):
        raise InvalidInput("暗访组员须为督查员或县级平安办人员", "Team members must be inspectors or staff of the County Safety Office.", field="team")
    plan = InspectionPlan(unit=unit, unit_id=unit.id, planned_on=planned_on, created_by_id=actor.id,
                          created_at=clock.now(), notes=notes or "", status=PlanStatus.planned)
    plan.team = list(team)
    db.session.add(plan)
    db.session.flush()
    record_event(actor, PlanCreated(planned_on=planned_on), plan)
    return plan


def visible_plans_query(actor: User):
    """Unannounced targets are secret (四不两直): only their team and the county office of the place see them
    (and the administrator)."""
    query = select(InspectionPlan).order_by(InspectionPlan.planned_on, InspectionPlan.id)
    if actor.role == Role.admin:
        return query
    if actor.role == Role.safety_office:
        return query.where(InspectionPlan.unit.has(Unit.county_id == county_id_of(actor)))
    if actor.role == Role.inspector:
        return query.where(InspectionPlan.team.any(id=actor.id))
    raise Forbidden("暗访计划仅对暗访组和县级平安办可见", "Unannounced inspection plans are visible only to their team and the County Safety Office.")
