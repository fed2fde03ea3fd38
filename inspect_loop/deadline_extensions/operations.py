"""延期: request an extension of findings' (or a 交办单's) deadline, decide it, configure who decides.

An approval moves the findings' deadlines through their deadline history (``FindingDeadline``) and its
subscriber issues the 准予延期整改通知书 (``letters/notices.py``). Rules and decisions: ``docs/extensions.md``.
"""

from datetime import date

from sqlalchemy import select

from inspect_loop import clock
from inspect_loop.assignments.models import Assignment
from inspect_loop.audit.events import (
    ExtensionApproved,
    ExtensionDeciderSet,
    ExtensionRefused,
    ExtensionRequested,
)
from inspect_loop.audit.log import record_event
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Case, CaseStatus
from inspect_loop.db import db, lock
from inspect_loop.deadline_extensions.models import ExtensionFinding, ExtensionRequest, ExtensionStatus
from inspect_loop.errors import Conflict, Forbidden, InvalidInput, TransitionRefused
from inspect_loop.inspections.models import Finding, FindingDeadline, Photo
from inspect_loop.labels import en, zh
from inspect_loop.regions.lookup import county_office_of, regulator_for
from inspect_loop.regions.models import Department, ExtensionDecider, Region, RegionLevel
from inspect_loop.users.models import Role, User
from inspect_loop.users.permissions import Action, require, require_in_county, require_in_township

REASON_MAX_LENGTH = 2000


def _text(value: str | None, field: str, label_zh: str, label_en: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidInput(f"请填写{label_zh}", f"{label_en} is required.", field=field)
    if len(text) > REASON_MAX_LENGTH:
        raise InvalidInput(f"{label_zh}不能超过{REASON_MAX_LENGTH}字",
                           f"{label_en} may have at most {REASON_MAX_LENGTH} characters.", field=field)
    return text


def _check_day(day: date, field: str) -> None:
    if not clock.EARLIEST_DAY <= day <= clock.LATEST_DAY:
        raise InvalidInput(f"日期应在{clock.EARLIEST_DAY}至{clock.LATEST_DAY}之间",
                           f"The date must be between {clock.EARLIEST_DAY} and {clock.LATEST_DAY}.", field=field)


def decider_for(case: Case, findings: list[Finding]) -> Department:
    """The office that decides a request, by the county's setting: its safety office, or the regulator of the
    findings' sector (one regulator for all of them; without one, the county office decides)."""
    county = case.unit.county
    if county.extension_decider == ExtensionDecider.regulator:
        regulators = {regulator_for(county.id, finding.hazard_type.sector) for finding in findings}
        if len(regulators) > 1:
            raise InvalidInput("所选问题分属不同的行业主管部门审批，请按部门分别申请",
                               "The chosen problems are decided by different sector regulators; make a request to each separately.",
                               field="finding_ids")
        regulator = regulators.pop()
        if regulator is not None:
            return regulator
    return county_office_of(county.id)


def _check_open_in_stage(request: ExtensionRequest) -> None:
    """A request is decided while its case is open at the stage it was asked in, and its findings open."""
    case = request.case
    if case.status != CaseStatus.open or case.stage != request.stage:
        raise TransitionRefused(
            f"案件已不在申请时的“{zh(request.stage)}”阶段，不能再准予延期",
            f"The case is no longer at the {en(request.stage)} stage the request was made in, so the extension "
            "cannot be granted.",
            current=ladder.current_state(case))
    for finding in request.findings:
        if not finding.is_open:
            raise TransitionRefused(f"问题“{finding.hazard_type.title}”已不在整改中，不能延期",
                                    f"“{finding.hazard_type.title}” is no longer being rectified, so its deadline "
                                    "cannot be extended.",
                                    current={"finding_id": finding.id, "status": finding.status.value})


def request_extension(actor: User, case: Case, *, reason: str, requested_deadline: date,
                      findings: list[Finding] | None = None, assignment: Assignment | None = None,
                      photos: list[Photo] = ()) -> ExtensionRequest:
    """The township office asks, for its unit, for a later deadline of some open findings of the case, or of
    a 交办单 (its open findings)."""
    require(actor, Action.request_extension)
    require_in_township(actor, case.unit.township_id)
    ladder.lock_case(case)
    if case.status != CaseStatus.open:
        raise TransitionRefused("案件已结案，不能申请延期", "The case is closed: no extension can be requested.", current=ladder.current_state(case))
    if assignment is not None:
        if assignment.case_id != case.id:
            raise InvalidInput("该交办单不属于本案件", "The assignment order does not belong to this case.", field="assignment_id")
        findings = [finding for finding in assignment.findings if finding.is_open]
        if not findings:
            raise TransitionRefused("该交办单已没有整改中的问题", "The assignment order has no problem left that is being rectified.")
    if not findings:
        raise InvalidInput("请至少选择一个问题", "Choose at least one problem.", field="finding_ids")
    findings = list(dict.fromkeys(findings))
    for finding in findings:
        if finding.case_id != case.id:
            raise InvalidInput(f"问题“{finding.hazard_type.title}”不属于该案件",
                               f"“{finding.hazard_type.title}” is not a problem of this case.",
                               field="finding_ids")
        if not finding.is_open:
            raise TransitionRefused(f"问题“{finding.hazard_type.title}”已不在整改中，不能申请延期",
                                    f"“{finding.hazard_type.title}” is no longer being rectified, so no extension "
                                    "can be requested.",
                                    current={"finding_id": finding.id, "status": finding.status.value})
    pending = db.session.scalar(
        select(ExtensionRequest).join(ExtensionFinding).where(
            ExtensionFinding.finding_id.in_([finding.id for finding in findings]),
            ExtensionRequest.status == ExtensionStatus.pending).limit(1))
    if pending is not None:
        raise Conflict("所选问题已有待审批的延期申请", "One of the chosen problems already has an extension request waiting for a decision.",
                       current={"extension_id": pending.id, "status": pending.status.value})
    reason = _text(reason, "reason", "延期理由", label_en="The reason for the extension")
    _check_day(requested_deadline, "requested_deadline")
    latest = max(finding.deadline for finding in findings)
    if requested_deadline <= latest:
        raise InvalidInput(f"申请的期限须晚于现整改期限（{latest.isoformat()}）",
                           f"The requested deadline must be later than the current one ({latest.isoformat()}).",
                           field="requested_deadline")
    moment = clock.now()
    request = ExtensionRequest(
        case=case, case_id=case.id, unit_id=case.unit_id, assignment_id=assignment.id if assignment else None,
        stage=case.stage, reason=reason, requested_deadline=requested_deadline, requested_at=moment,
        requested_on=clock.local_date(moment), requested_by_id=actor.id, decider=decider_for(case, findings),
        status=ExtensionStatus.pending)
    request.items = [ExtensionFinding(finding=finding, finding_id=finding.id, previous_deadline=finding.deadline)
                     for finding in findings]
    request.photos = list(photos)
    db.session.add(request)
    db.session.flush()
    record_event(actor, ExtensionRequested(
        case_id=case.id, unit_id=case.unit_id, reason=reason, findings=[finding.id for finding in findings],
        assignment_id=request.assignment_id, requested_deadline=requested_deadline,
        decider=request.decider.code), request)
    return request


def require_decider(actor: User, request: ExtensionRequest) -> None:
    require(actor, Action.decide_extension)
    if actor.role == Role.admin:
        return
    if actor.department_id != request.decider_id:
        raise Forbidden(f"该延期申请由{request.decider.name}审批", f"This request is decided by {request.decider.name}.")


def decide_extension(actor: User, request: ExtensionRequest, *, approved: bool, reason: str | None = None,
                     granted_deadline: date | None = None) -> ExtensionRequest:
    """Approve (the granted date, by default the one asked for) or refuse, with a reason. An approval moves
    every finding's deadline and issues the 准予延期整改通知书; one decision per request, under the unit's lock."""
    require_decider(actor, request)
    ladder.lock_case(request.case)
    if request.status != ExtensionStatus.pending:
        raise Conflict(f"该延期申请已{zh(request.status)}", f"This request has already been decided: {en(request.status)}.",
                       current={"extension_id": request.id, "status": request.status.value})
    moment = clock.now()
    if approved:
        reason = (reason or "").strip()
        if len(reason) > REASON_MAX_LENGTH:
            raise InvalidInput(f"审批意见不能超过{REASON_MAX_LENGTH}字",
                               f"The decision's note may have at most {REASON_MAX_LENGTH} characters.", field="reason")
        _check_open_in_stage(request)
        granted = granted_deadline or request.requested_deadline
        _check_day(granted, "granted_deadline")
        latest = max(finding.deadline for finding in request.findings)
        if granted <= latest or granted < clock.today():
            raise InvalidInput(f"准予的期限须晚于现整改期限（{latest.isoformat()}）且不早于今天",
                               f"The granted deadline must be later than the current one ({latest.isoformat()}) "
                               "and not earlier than today.", field="granted_deadline")
        for item in request.items:
            item.previous_deadline = item.finding.deadline  # the one this approval replaces, printed on the notice
            item.finding.deadline = granted
            item.finding.deadlines.append(FindingDeadline(deadline=granted, set_at=moment, extension_id=request.id))
        if request.assignment_id is not None:  # the 交办单's own deadline, as its recipients' inboxes show it
            db.session.get(Assignment, request.assignment_id).deadline = granted
        request.granted_deadline = granted
        request.status = ExtensionStatus.approved
    else:
        reason = _text(reason, "reason", "不予延期的理由", label_en="The reason for refusing")
        request.status = ExtensionStatus.refused
    request.decision_reason = reason
    request.decided_at = moment
    request.decided_on = clock.local_date(moment)
    request.decided_by_id = actor.id
    db.session.flush()
    findings = [item.finding_id for item in request.items]
    if approved:
        # The subscriber issues the 准予延期整改通知书 in the name of the deciding office (letters/notices.py).
        event = ExtensionApproved(case_id=request.case_id, unit_id=request.unit_id, reason=reason or None,
                                  findings=findings, granted_deadline=request.granted_deadline)
    else:
        event = ExtensionRefused(case_id=request.case_id, unit_id=request.unit_id, reason=reason, findings=findings)
    record_event(actor, event, request)
    return request


def set_extension_decider(actor: User, county: Region, decider: ExtensionDecider) -> Region:
    """The county office (or the administrator) chooses who decides its units' extension requests; requests
    already made keep the office they were made to."""
    require(actor, Action.configure_extensions)
    if county.level != RegionLevel.county:
        raise InvalidInput("延期审批部门按县（市、区）设置，请选择县（市、区）",
                           "Who decides extensions is set for a county: choose a county.", field="region_code")
    require_in_county(actor, county.id)
    lock(county)
    previous = county.extension_decider
    if previous != decider:
        county.extension_decider = decider
        db.session.flush()
        record_event(actor, ExtensionDeciderSet(code=county.code, decider=decider.value, previous=previous.value),
                     county)
    return county
