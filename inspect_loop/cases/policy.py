"""The one policy of the loop (SPEC section 3): every question the rest of the system asks about a case.

Which verification applies at which stage, who may verify, what a verification does to the case, may this
case be summoned, assigned or enforced now, which manual moves are open to whom, is it done, and what is due
today. The operations check through it; pages, API routes, templates, the daily sweep, the demo and the
generator ask it and restate nothing. The transition table itself is ``cases/ladder.py``; who may perform
an action is the permission matrix (``users/permissions.py``).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, exists, func, or_, select

from inspect_loop.assignments.models import Assignment, AssignmentFinding, AssignmentReceipt, SignOff
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.db import db
from inspect_loop.errors import Conflict, InvalidInput, TransitionRefused
from inspect_loop.inspections.models import Finding, FindingStatus, InspectionKind, Rectification
from inspect_loop.interviews.models import Summons
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, allowed, require, require_in_county

# 复查 at 一次提醒; 回访 once the unit has been warned.
VERIFICATION_KINDS = {Stage.reminder: InspectionKind.reinspection, Stage.warning: InspectionKind.follow_up,
                      Stage.enforcement: InspectionKind.follow_up}
VERIFYING = frozenset(VERIFICATION_KINDS.values())
# Stages at which a finding closes by the regulator's sign-off and the township's close-out (双交办), and a
# 交办单 may be issued.
ASSIGNED_STAGES = frozenset({Stage.warning, Stage.enforcement})


def verification_kind(stage: Stage) -> InspectionKind:
    return VERIFICATION_KINDS[stage]


# -- verification (复查, 回访) ---------------------------------------------------------------------------------

def require_verifier(actor: User, case: Case) -> None:
    """Verifying is the inspection teams' (anywhere: unannounced visits know no territory), the county office's
    (its own county) and the administrator's; regulators sign off and township offices close out instead."""
    require(actor, Action.verify_rectification)
    require_in_county(actor, case.unit.county_id)


def may_fail_follow_up(case: Case) -> bool:
    """A follow-up can find a warned unit failing only once it has been interviewed: it attended an interview
    and no summons of it is still waiting for its attendance. A unit that stays away is escalated by the
    county office by hand, with that reason."""
    summonses = db.session.execute(select(Summons.attended).where(Summons.case_id == case.id)).scalars().all()
    return True in summonses and None not in summonses


def check_verification(actor: User, case: Case | None, kind: InspectionKind, results, today: date) -> None:
    """Refuse a verification (``results``: items with ``finding`` and ``rectified``) that the loop does not
    allow now; the caller holds the case's lock."""
    if not results:
        return
    if kind not in VERIFYING:
        raise InvalidInput("只有复查和回访可以核验整改情况", "Only a re-inspection or a follow-up visit checks "
                           "rectification.",
                           field="verified")
    if case is None:
        raise TransitionRefused("该单位没有进行中的闭环案件，无可核验的问题", "The unit has no open case, so there is no problem to check.",
                                field="verified")
    require_verifier(actor, case)
    current = ladder.current_state(case)
    expected = verification_kind(case.stage)
    if kind != expected:
        if kind == InspectionKind.reinspection:
            raise TransitionRefused("复查用于一次提醒阶段；警示阶段之后请进行回访",
                                    "A re-inspection checks rectification at the Reminder stage; from the Warning stage on, "
                                    "make a follow-up visit.",
                                    field="verified", current=current)
        raise TransitionRefused("回访用于二次警示之后；提醒阶段请进行复查",
                                "A follow-up visit checks rectification from the Warning stage on; at the Reminder stage, "
                                "make a re-inspection.",
                                field="verified", current=current)
    seen = set()
    for item in results:
        finding = item.finding
        if finding.case_id != case.id or finding.status != FindingStatus.open:
            raise InvalidInput(f"问题“{finding.hazard_type.title}”不是该单位整改中的问题",
                               f"“{finding.hazard_type.title}” is not a problem still being rectified in the unit's "
                               "case.", field="verified",
                               current=current)
        if finding.id in seen:
            raise InvalidInput(f"问题“{finding.hazard_type.title}”重复核验",
                               f"“{finding.hazard_type.title}” is checked twice.", field="verified")
        seen.add(finding.id)
        if not item.rectified and finding.deadline >= today:
            raise TransitionRefused(
                f"问题“{finding.hazard_type.title}”的整改期限为{finding.deadline.isoformat()}，期限届满前不能认定为未整改",
                f"“{finding.hazard_type.title}” is due on {finding.deadline.isoformat()}; it cannot be found "
                "unrectified before then.", field="verified", current=current)
    if (case.stage == Stage.warning and any(not item.rectified for item in results)
            and not may_fail_follow_up(case)):
        raise TransitionRefused("该单位尚未参加警示约谈（或约谈到场情况尚未登记），回访不能认定为未整改；"
                                "无故缺席约谈的，由县级平安办提级处置",
                                "The unit has not attended a warning interview yet (or its attendance is not recorded), "
                                "so a follow-up visit cannot find it unrectified. A unit absent without reason is "
                                "escalated by the County Safety Office.",
                                field="verified", current=current)


def verification_outcome(case: Case, kind: InspectionKind, results) -> str | None:
    """The transition a verification causes (findings seen rectified at 一次提醒 already closed): the case
    climbs when anything is unrectified — from 一次提醒 by re-inspection, from 二次警示 by follow-up —, and
    closes at 一次提醒 when nothing is left open."""
    unrectified = any(not item.rectified for item in results)
    if kind == InspectionKind.reinspection:
        if unrectified:
            return "fail_reinspection"
        return "rectified_at_reminder" if is_done(case) else None
    return "fail_follow_up" if unrectified and case.stage == Stage.warning else None


def closes_on_verification(case: Case) -> bool:
    """At 一次提醒 a re-inspection closes a rectified finding directly; later only sign-off and close-out do."""
    return case.stage == Stage.reminder


# -- summons, 交办单, enforcement, sign-off and close-out ------------------------------------------------------------

def check_summonable(case: Case) -> None:
    current = ladder.current_state(case)
    if case.status != CaseStatus.open or case.stage != Stage.warning:
        raise TransitionRefused(f"“{case.unit.name}”的案件不在二次警示阶段，不能约谈",
                                f"The case of “{case.unit.name}” is not at the Warning stage, so it cannot be "
                                "summoned to an interview.", field="case_ids", current=current)
    pending = db.session.scalar(select(Summons.id).where(Summons.case_id == case.id, Summons.attended.is_(None)))
    if pending is not None:
        raise Conflict(f"“{case.unit.name}”已被通知约谈，尚未登记到场情况",
                       f"“{case.unit.name}” has already been summoned; its attendance is not recorded yet.",
                       field="case_ids", current=current)


def check_assignable(case: Case) -> None:
    if case.status != CaseStatus.open or case.stage not in ASSIGNED_STAGES:
        raise TransitionRefused(f"“{case.unit.name}”的案件不在二次警示或三次执法阶段，不能交办",
                                f"The case of “{case.unit.name}” is not at the Warning or the Enforcement stage, so "
                                "it cannot be assigned.",
                                current=ladder.current_state(case))


def check_not_assigned_at_this_stage(case: Case, findings: list[Finding]) -> None:
    """A finding goes on one 交办单 per stage: the same order twice (a second click, two clerks) would set its
    deadline twice and send two copies. A new stage (三次执法 after 二次警示) may assign it anew."""
    entered = case.enforcement_at if case.stage == Stage.enforcement else case.warning_at
    already = db.session.scalars(
        select(AssignmentFinding.finding_id).join(Assignment, Assignment.id == AssignmentFinding.assignment_id)
        .where(AssignmentFinding.finding_id.in_([finding.id for finding in findings]),
               Assignment.case_id == case.id, Assignment.issued_at >= entered)).all()
    if already:
        titles = {finding.id: finding.hazard_type.title for finding in findings}
        listed = "、".join(f"“{titles[finding_id]}”" for finding_id in sorted(set(already)))
        listed_en = ", ".join(f"“{titles[finding_id]}”" for finding_id in sorted(set(already)))
        raise Conflict(f"问题{listed}在本阶段已经交办，不能重复交办", f"Already assigned at this stage: {listed_en}.", field="finding_ids", current=ladder.current_state(case))


def check_enforceable(case: Case) -> None:
    if case.status != CaseStatus.open or case.stage != Stage.enforcement:
        raise TransitionRefused(f"“{case.unit.name}”的案件不在三次执法阶段，不能登记执法",
                                f"The case of “{case.unit.name}” is not at the Enforcement stage, so no enforcement "
                                "can be recorded.", current=ladder.current_state(case))


def check_open_after_warning(finding: Finding) -> None:
    """Sign-off and close-out apply to an open finding of a case at 二次警示 or later."""
    case_state = ladder.current_state(finding.case) if finding.case is not None else {}  # 即查即改 without a case
    current = {"finding_id": finding.id, "status": finding.status.value, **case_state}
    if finding.status != FindingStatus.open:
        raise TransitionRefused(f"问题“{finding.hazard_type.title}”已不在整改中",
                                f"“{finding.hazard_type.title}” is no longer being rectified.", current=current)
    if finding.case.stage not in ASSIGNED_STAGES:
        raise TransitionRefused("一次提醒阶段的问题由复查直接核销，无需签认和销号",
                                "At the Reminder stage a re-inspection closes the problems; sign-off and close-out "
                                "apply from the Warning stage on.", current=current)


def is_done(case: Case) -> bool:
    """Nothing left to rectify: every finding closed (or ended with the case)."""
    return all(finding.status != FindingStatus.open for finding in case.findings)


# -- what a page offers --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Moves:
    """What ``actor`` may do with a case now (the case page shows exactly these forms)."""

    verify: InspectionKind | None = None
    escalate_to: list[Stage] = field(default_factory=list)
    withdraw: bool = False
    assign: bool = False
    enforce: bool = False


def escalation_targets(case: Case) -> list[Stage]:
    return [stage for stage, transition in ladder.ESCALATIONS.items()
            if case.status == CaseStatus.open and case.stage in transition.sources]


def moves(case: Case, actor: User) -> Moves:
    if case.status != CaseStatus.open:
        return Moves()
    return Moves(
        verify=verification_kind(case.stage) if allowed(actor, Action.verify_rectification) else None,
        escalate_to=escalation_targets(case) if allowed(actor, Action.escalate) else [],
        withdraw=allowed(actor, Action.withdraw),
        assign=case.stage in ASSIGNED_STAGES and allowed(actor, Action.issue_assignment),
        enforce=case.stage == Stage.enforcement and allowed(actor, Action.record_enforcement),
    )


# -- what is due (the daily sweep, the inspectors' task lists, the demo) --------------------------------------------

def latest_open_deadline():
    """SQL: the last deadline among the case's open findings."""
    return (select(func.max(Finding.deadline)).where(Finding.case_id == Case.id, Finding.status == FindingStatus.open)
            .scalar_subquery())


def due_for_reinspection(today: date):
    """SQL condition on ``Case``: at 一次提醒 with every open finding past its deadline — time to re-inspect."""
    return and_(Case.status == CaseStatus.open, Case.stage == Stage.reminder, latest_open_deadline() < today)


def awaiting_summons():
    """SQL condition on ``Case``: at 二次警示 with no summons yet, or whose every summons found the unit absent."""
    summoned = exists().where(Summons.case_id == Case.id, Summons.attended.is_not(False))
    return and_(Case.status == CaseStatus.open, Case.stage == Stage.warning, ~summoned)


def due_for_follow_up(today: date):
    """SQL condition on ``Case``: at 二次警示, interviewed (``may_fail_follow_up``), and every open finding past
    its (交办单's) deadline."""
    attended = exists().where(Summons.case_id == Case.id, Summons.attended.is_(True))
    pending_summons = exists().where(Summons.case_id == Case.id, Summons.attended.is_(None))
    return and_(Case.status == CaseStatus.open, Case.stage == Stage.warning, attended, ~pending_summons,
                latest_open_deadline() < today)


def first_day_due(deadlines: list[date]) -> date:
    """The first day a re-inspection or follow-up of findings with these deadlines is due (the SQL forms
    above, for the generator's plain rows)."""
    return max(deadlines) + timedelta(days=1)


# -- what waits for a recipient of a 交办单 (the inbox's 待办) ---------------------------------------------------
# A finding on a 交办单 moves between its two recipients: the township office (for the unit) reports the
# rectification, the regulator signs it off or refuses it with a reason — a refusal hands it back to be
# reported again —, and once signed off the township office closes it out. 业务指导 is offered, not required:
# nothing waits for it (docs/web.md, "The inbox").

def refused_since_last_report():
    """SQL condition on ``Finding``: the regulator refused its sign-off after the latest rectification report."""
    reported_later = exists().where(Rectification.finding_id == SignOff.finding_id,
                                    Rectification.reported_at > SignOff.decided_at)
    return exists().where(SignOff.finding_id == Finding.id, SignOff.approved.is_(False), ~reported_later)


def awaiting_report():
    """SQL condition on ``Finding``: open, not signed off, and not reported yet or reported before a refusal."""
    return and_(Finding.status == FindingStatus.open, Finding.signed_off_at.is_(None),
                or_(Finding.first_reported_at.is_(None), refused_since_last_report()))


def awaiting_sign_off():
    """SQL condition on ``Finding``: reported rectified, and not yet decided on since the latest report."""
    return and_(Finding.status == FindingStatus.open, Finding.first_reported_at.is_not(None),
                Finding.signed_off_at.is_(None), ~refused_since_last_report())


def awaiting_close_out():
    """SQL condition on ``Finding``: signed off by the regulator, not yet closed out."""
    return and_(Finding.status == FindingStatus.open, Finding.signed_off_at.is_not(None))


def waits_for(department_id: int):
    """SQL condition on ``Assignment``: the 交办单 waits for the department, one of its recipients. For the
    regulator: not yet received while a finding still needs its sign-off, or a finding awaiting its sign-off.
    For the township office: not yet received while a finding is open, or a finding to report (again) or to
    close out."""
    def finding_on_it(*conditions):
        return exists().where(AssignmentFinding.assignment_id == Assignment.id,
                              Finding.id == AssignmentFinding.finding_id, *conditions)

    received = exists().where(AssignmentReceipt.assignment_id == Assignment.id,
                              AssignmentReceipt.department_id == department_id)
    open_unsigned = and_(Finding.status == FindingStatus.open, Finding.signed_off_at.is_(None))
    as_regulator = and_(Assignment.regulator_id == department_id,
                        or_(and_(~received, finding_on_it(open_unsigned)), finding_on_it(awaiting_sign_off())))
    as_territorial = and_(Assignment.territorial_id == department_id,
                          or_(and_(~received, finding_on_it(Finding.status == FindingStatus.open)),
                              finding_on_it(or_(awaiting_report(), awaiting_close_out()))))
    return or_(as_regulator, as_territorial)
