"""The notices the loop issues, as subscribers of its domain events (``audit/events.py``): the domain records
what happened and knows nothing of letters; the letters are issued here, in the same transaction.

| event | notice |
| --- | --- |
| an inspection records new findings | 整改提醒通知书 listing them (none when it opened its case at 二次警示; the 执法建议书 when at 三次执法) |
| a round is convened | a 警示约谈通知书 per summons, rendered side by side |
| a 交办单 is issued | the 交办单 (both copies in one PDF) |
| a case enters 三次执法 (failed follow-up or escalation) | 执法建议书 |
| an extension (延期) is approved | 准予延期整改通知书, in the deciding office's name |
"""

from inspect_loop.assignments.models import Assignment
from inspect_loop.audit.events import (
    AssignmentIssued,
    CaseMoved,
    ExtensionApproved,
    InspectionRecorded,
    RoundConvened,
)
from inspect_loop.audit.log import subscribe
from inspect_loop.cases.models import Case, Stage
from inspect_loop.db import db
from inspect_loop.deadline_extensions.models import ExtensionRequest
from inspect_loop.inspections.models import Inspection
from inspect_loop.interviews.models import InterviewRound
from inspect_loop.letters import issuing
from inspect_loop.users.models import User


@subscribe(InspectionRecorded)
def remind(event: InspectionRecorded, actor: User, inspection: Inspection) -> None:
    """A case opened at 二次警示 (a recurrence) issues no 整改提醒通知书: the unit is not reminded a first time, it
    awaits its summons (警示约谈通知书) and the 交办单 that sets its deadlines. A case opened at 三次执法 (a shut-down
    or banned unit operating) issues its 执法建议书 at once, with the findings (docs/decisions.md, Where a new
    case starts)."""
    if event.opened_at == Stage.warning:
        return
    if event.opened_at == Stage.enforcement:
        issuing.issue_referral(db.session.get(Case, inspection.case_id), actor)
        return
    if event.findings:
        new = set(event.findings)
        issuing.issue_reminder(inspection, [finding for finding in inspection.findings if finding.id in new], actor)


@subscribe(RoundConvened)
def summon(event: RoundConvened, actor: User, interview_round: InterviewRound) -> None:
    issuing.issue_summonses(interview_round.summonses, actor)


@subscribe(AssignmentIssued)
def assign(event: AssignmentIssued, actor: User, assignment: Assignment) -> None:
    issuing.issue_assignment(assignment, actor)


@subscribe(CaseMoved)
def refer(event: CaseMoved, actor: User, case: Case) -> None:
    if event.enters == Stage.enforcement:
        issuing.issue_referral(case, actor)


@subscribe(ExtensionApproved)
def extend(event: ExtensionApproved, actor: User, request: ExtensionRequest) -> None:
    issuing.issue_extension(request, actor)
