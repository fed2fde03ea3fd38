"""双交办: issue a 交办单 to a regulator and the territorial office; receipts; sign-off; close-out."""

from datetime import date, timedelta

from sqlalchemy import select

from inspect_loop import clock
from inspect_loop.assignments.models import (
    Assignment,
    AssignmentReceipt,
    CloseOut,
    RecipientRole,
    SignOff,
)
from inspect_loop.audit.events import (
    AssignmentIssued,
    AssignmentReceived,
    ClosedOut,
    GuidanceGiven,
    SignedOff,
    SignOffRefused,
)
from inspect_loop.audit.log import record_event
from inspect_loop.cases import ladder, policy
from inspect_loop.cases.models import Case, CaseStatus
from inspect_loop.db import db, lock
from inspect_loop.errors import Conflict, DomainError, Forbidden, InvalidInput, TransitionRefused
from inspect_loop.inspections.models import CloseKind, Finding, FindingDeadline, FindingStatus
from inspect_loop.regions.lookup import safety_office_of
from inspect_loop.regions.models import Department, DepartmentKind
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, require, require_in_county, require_regulator_of

# Where the office gives no deadline, a 交办单 allows this many calendar days (docs/decisions.md).
DEFAULT_ASSIGNMENT_DAYS = 15


def issue_assignment(actor: User, case: Case, regulator: Department, *, territorial: Department | None = None,
                     findings: list[Finding] | None = None, deadline: date | None = None) -> Assignment:
    require(actor, Action.issue_assignment)
    require_in_county(actor, case.unit.county_id)
    ladder.lock_case(case)
    policy.check_assignable(case)
    unit = case.unit
    if regulator.kind != DepartmentKind.regulator or regulator.region_id != unit.county_id:
        raise InvalidInput("交办对象须为本县（市、区）的行业主管部门", "Choose a sector regulator of the unit's county.", field="regulator_code")
    if territorial is None:
        territorial = safety_office_of(unit.township_id)
        if territorial is None:
            raise InvalidInput("该单位所在乡镇（街道）尚未设置平安办", "The unit's township has no Safety Office yet.",
                               field="territorial_code")
    elif territorial.kind != DepartmentKind.safety_office or territorial.region_id != unit.township_id:
        raise InvalidInput("属地须为该单位所在乡镇（街道）平安办", "The local office must be the Safety Office of the "
                           "unit's township.", field="territorial_code")

    sectors = set(regulator.sectors)
    if findings is None:
        findings = [finding for finding in case.findings
                    if finding.is_open and finding.hazard_type.sector in sectors]
        if not findings:
            raise InvalidInput("该案件没有属于该部门行业的未销号问题", "This case has no open problem in the "
                               "regulator's sectors.", field="regulator_code")
    else:
        if not findings:
            raise InvalidInput("请至少选择一个问题", "Choose at least one problem.", field="finding_ids")
        for finding in findings:
            if finding.case_id != case.id or not finding.is_open:
                raise InvalidInput(f"问题“{finding.hazard_type.title}”不是该案件未销号的问题",
                                   f"The problem “{finding.hazard_type.title}” is not an open problem of this case.", field="finding_ids")
            if finding.hazard_type.sector not in sectors:
                raise InvalidInput(f"问题“{finding.hazard_type.title}”不属于该部门负责的行业",
                                   f"The problem “{finding.hazard_type.title}” is outside the regulator's sectors.", field="finding_ids")
    policy.check_not_assigned_at_this_stage(case, findings)

    today = clock.today()
    deadline = deadline or today + timedelta(days=DEFAULT_ASSIGNMENT_DAYS)
    if deadline < today:
        raise InvalidInput("整改期限不能早于今天", "The deadline cannot be earlier than today.", field="deadline")

    moment = clock.now()
    assignment = Assignment(case=case, case_id=case.id, regulator=regulator, regulator_id=regulator.id,
                            territorial=territorial, territorial_id=territorial.id, deadline=deadline,
                            issued_at=moment, issued_on=clock.local_date(moment), issued_by_id=actor.id)
    assignment.findings = list(dict.fromkeys(findings))
    db.session.add(assignment)
    db.session.flush()
    for finding in assignment.findings:
        finding.deadline = deadline_under_assignment(finding, deadline, today)
        finding.deadlines.append(FindingDeadline(deadline=finding.deadline, set_at=moment,
                                                 assignment_id=assignment.id))
    # A subscriber issues the 交办单 itself, one PDF with both copies (letters/notices.py).
    record_event(actor, AssignmentIssued(case_id=case.id, unit_id=case.unit_id, regulator=regulator.code,
                                         territorial=territorial.code, deadline=deadline,
                                         findings=[finding.id for finding in assignment.findings]), assignment)
    return assignment


def deadline_under_assignment(finding: Finding, assignment_deadline: date, today: date) -> date:
    """The deadline a finding takes under a 交办单: never later than the one it has — a 交办单 does not lengthen
    a deadline (only an approved extension, 延期, does) — except that a deadline already passed, which the
    unit has missed, gives way to the 交办单's. A deadline in force that an approved extension granted stands:
    the unit holds a 准予延期整改通知书 saying so, which a 交办单 does not silently take back (docs/extensions.md)."""
    if finding.deadline < today:
        return assignment_deadline
    if granted_by_extension(finding):
        return finding.deadline
    return min(finding.deadline, assignment_deadline)


def granted_by_extension(finding: Finding) -> bool:
    """Whether the finding's deadline in force is the one an approved extension set."""
    latest = max(finding.deadlines, key=lambda row: (row.set_at, row.id or 0), default=None)
    return latest is not None and latest.extension_id is not None and latest.deadline == finding.deadline


def receive_assignment(actor: User, assignment: Assignment) -> AssignmentReceipt:
    require(actor, Action.receive_assignment)
    department = actor.department
    if department is None or department.id not in (assignment.regulator_id, assignment.territorial_id):
        raise Forbidden("只有交办单的接收部门可以签收", "Only a department the assignment order is sent to may acknowledge it.")
    lock(assignment)
    existing = db.session.scalar(select(AssignmentReceipt).where(
        AssignmentReceipt.assignment_id == assignment.id, AssignmentReceipt.department_id == department.id))
    if existing is not None:
        raise Conflict("本部门已签收该交办单", "Your department has already acknowledged this assignment order.",
                       current={"assignment_id": assignment.id, "received_at": existing.received_at.isoformat()})
    role = RecipientRole.regulator if department.id == assignment.regulator_id else RecipientRole.territorial
    receipt = AssignmentReceipt(assignment=assignment, department_id=department.id, role=role,
                                received_at=clock.now(), received_by_id=actor.id)
    db.session.add(receipt)
    db.session.flush()
    record_event(actor, AssignmentReceived(case_id=assignment.case_id, unit_id=assignment.case.unit_id,
                                           assignment_id=assignment.id, role=role), receipt)
    return receipt


GUIDANCE_MAX_LENGTH = 2000


def add_guidance(actor: User, assignment: Assignment, note: str):
    """业务指导: the regulator's technical guidance on a 交办单, kept in the audit log of the case."""
    require(actor, Action.receive_assignment)
    if actor.department_id != assignment.regulator_id:
        raise Forbidden("只有交办单的行业主管部门可以提供业务指导",
                        "Only the sector regulator of the assignment order may give guidance.")
    note = (note or "").strip()
    if not note:
        raise InvalidInput("请填写业务指导意见", "Write the guidance.", field="note")
    if len(note) > GUIDANCE_MAX_LENGTH:
        raise InvalidInput(f"业务指导意见不能超过{GUIDANCE_MAX_LENGTH}字",
                           f"The guidance may have at most {GUIDANCE_MAX_LENGTH} characters.", field="note")
    if assignment.case.status != CaseStatus.open:
        raise TransitionRefused("案件已结案，不能再提供业务指导", "The case is closed: guidance can no longer be given.")
    event = record_event(actor, GuidanceGiven(case_id=assignment.case_id, unit_id=assignment.case.unit_id,
                                              note=note), assignment)
    db.session.flush()
    return event


def sign_off(actor: User, finding: Finding, *, approved: bool, note: str | None = None) -> SignOff:
    require(actor, Action.sign_off)
    require_regulator_of(actor, finding.hazard_type.sector, finding.unit.county_id)
    lock(finding.unit)  # the case's lock (ladder.lock_case); a finding rectified on the spot may have no case
    policy.check_open_after_warning(finding)
    if finding.first_reported_at is None:
        raise TransitionRefused(f"问题“{finding.hazard_type.title}”尚未报告整改情况，不能签认",
                                f"No rectification of “{finding.hazard_type.title}” has been reported yet, so it cannot be signed off.")
    if db.session.scalar(select(Finding.id).where(Finding.id == finding.id, policy.refused_since_last_report())):
        raise TransitionRefused(
            f"问题“{finding.hazard_type.title}”的签认已被退回，须属地乡镇（街道）平安办重新报告整改情况后再签认",
            f"The sign-off of “{finding.hazard_type.title}” was refused: the township's Safety Office must report its "
            "rectification again before it is decided on.")
    if finding.signed_off_at is not None:
        raise Conflict(f"问题“{finding.hazard_type.title}”已签认",
                       f"“{finding.hazard_type.title}” is already signed off.",
                       current={"finding_id": finding.id, "signed_off_at": finding.signed_off_at.isoformat()})
    if not approved and not (note or "").strip():
        raise InvalidInput("不予签认时请填写理由", "Give the reason for refusing to sign off.", field="note")
    moment = clock.now()
    decision = SignOff(finding_id=finding.id, department_id=actor.department_id, approved=approved,
                       note=(note or "").strip(), decided_at=moment, decided_by_id=actor.id)
    db.session.add(decision)
    if approved:
        finding.signed_off_at = moment
    db.session.flush()
    schema = SignedOff if approved else SignOffRefused
    record_event(actor, schema(case_id=finding.case_id, unit_id=finding.unit_id,
                               reason=None if approved else decision.note, finding_id=finding.id), decision)
    return decision


def close_out(actor: User, finding: Finding, *, note: str | None = None) -> CloseOut:
    """验收销号 by the unit's township office; the last close-out of a case closes the case."""
    require(actor, Action.close_out)
    territorial = safety_office_of(finding.unit.township_id)
    if territorial is None or actor.department_id != territorial.id:
        raise Forbidden("只有属地乡镇（街道）平安办可以验收销号", "Only the Safety Office of the unit's township may close out a problem.")
    lock(finding.unit)  # the case's lock (ladder.lock_case); a finding rectified on the spot may have no case
    policy.check_open_after_warning(finding)
    if finding.signed_off_at is None:
        raise TransitionRefused(f"问题“{finding.hazard_type.title}”尚未经行业主管部门签认，不能销号",
                                f"The sector regulator has not signed off “{finding.hazard_type.title}” yet, so it cannot be closed out.")
    moment = clock.now()
    record = CloseOut(finding_id=finding.id, department_id=territorial.id, note=(note or "").strip(),
                      closed_at=moment, closed_by_id=actor.id)
    db.session.add(record)
    finding.status = FindingStatus.closed
    finding.close_kind = CloseKind.closed_out
    finding.closed_at = moment
    finding.closed_on = clock.local_date(moment)
    db.session.flush()
    record_event(actor, ClosedOut(case_id=finding.case_id, unit_id=finding.unit_id, finding_id=finding.id), record)
    case = finding.case
    if policy.is_done(case):
        ladder.close_rectified(case, actor)
    return record


# -- several findings of one 交办单 at once --------------------------------------------------------------------

BATCH_MAX = 200


def findings_of(assignment: Assignment, finding_ids: list[int]) -> list[Finding]:
    """The 交办单's findings named by ``finding_ids``, in the 交办单's order, each once."""
    if not finding_ids:
        raise InvalidInput("请至少选择一个问题", "Choose at least one problem.", field="finding_ids")
    if len(finding_ids) > BATCH_MAX:
        raise InvalidInput(f"一次最多选择{BATCH_MAX}个问题", f"Choose at most {BATCH_MAX} problems at a time.",
                           field="finding_ids")
    on_order = {finding.id: finding for finding in assignment.findings}
    for finding_id in finding_ids:
        if finding_id not in on_order:
            raise InvalidInput(f"所选问题（编号{finding_id}）不在该交办单上",
                               f"The problem numbered {finding_id} is not on this assignment order.",
                               field="finding_ids")
    wanted = set(finding_ids)
    return [finding for finding_id, finding in on_order.items() if finding_id in wanted]


def each_or_none(findings: list[Finding], step) -> list:
    """``step(finding)`` for every finding, each checked and audited on its own. The first refusal refuses the
    whole batch — the caller rolls back what the steps before it changed — with the step's message (which
    names the finding's hazard) and the finding's number, since two findings may share a hazard."""
    done = []
    for number, finding in [(finding.id, finding) for finding in findings]:  # read before a step expires them
        try:
            done.append(step(finding))
        except DomainError as refusal:
            raise type(refusal)(f"问题编号{number}：{refusal.message_zh}",
                                f"Problem number {number}: {refusal.message_en}", field="finding_ids",
                                code=refusal.code, current=refusal.current) from refusal
    return done


def sign_off_findings(actor: User, assignment: Assignment, finding_ids: list[int],
                      note: str | None = None) -> list[SignOff]:
    """签认 several reported findings of one 交办单 in one action: all of them or none (``each_or_none``)."""
    require(actor, Action.sign_off)
    if actor.department_id != assignment.regulator_id:
        raise Forbidden("只有交办单的行业主管部门可以签认", "Only the sector regulator named on the assignment order may sign off its problems.")
    findings = findings_of(assignment, finding_ids)
    return each_or_none(findings, lambda finding: sign_off(actor, finding, approved=True, note=note))


def close_out_findings(actor: User, assignment: Assignment, finding_ids: list[int],
                       note: str | None = None) -> list[CloseOut]:
    """验收销号 of several signed-off findings of one 交办单 in one action: all of them or none."""
    require(actor, Action.close_out)
    if actor.department_id != assignment.territorial_id:
        raise Forbidden("只有交办单的属地平安办可以验收销号", "Only the township Safety Office named on the "
                        "assignment order may close out its problems.")
    findings = findings_of(assignment, finding_ids)
    return each_or_none(findings, lambda finding: close_out(actor, finding, note=note))
