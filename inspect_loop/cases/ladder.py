"""The ladder 一次提醒 → 二次警示 → 三次执法 as one explicit transition table.

Each transition function checks the table (case open, allowed source stage, actor's role, reason when
required), changes the state, writes an audit ``Event`` and flushes. It never commits: the request or CLI
command that called it commits once, or rolls everything back when any step raises.
"""

from dataclasses import dataclass

from inspect_loop import clock
from inspect_loop.audit.log import record_event
from inspect_loop.cases.models import STAGE_LABELS, Case, CaseStatus, Outcome, Stage
from inspect_loop.db import db
from inspect_loop.errors import Forbidden, InvalidInput, TransitionRefused
from inspect_loop.inspections.models import FindingStatus
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role, User

INSPECTING = frozenset({Role.admin, Role.safety_office, Role.township_office, Role.inspector, Role.regulator})
COUNTY = frozenset({Role.admin, Role.safety_office})


@dataclass(frozen=True)
class Transition:
    name: str
    label: str  # Chinese, for messages and the timeline
    sources: frozenset[Stage]
    target: Stage | None  # None: the transition closes the case
    outcome: Outcome | None
    roles: frozenset[Role]
    needs_reason: bool = False


OPENED = frozenset()  # a case is opened, not entered from a stage
R, W, E = Stage.reminder, Stage.warning, Stage.enforcement

TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    Transition("open", "立案（一次提醒）", OPENED, R, None, INSPECTING),
    Transition("rectified_at_reminder", "复查整改到位，结案", frozenset({R}), None, Outcome.rectified_at_reminder,
               INSPECTING),
    Transition("fail_reinspection", "复查未整改，进入二次警示", frozenset({R}), W, None, INSPECTING),
    Transition("escalate_to_warning", "手动升级为二次警示", frozenset({R}), W, None, COUNTY, needs_reason=True),
    Transition("escalate_to_enforcement", "手动升级为三次执法", frozenset({R, W}), E, None, COUNTY,
               needs_reason=True),
    Transition("fail_follow_up", "回访仍未整改，进入三次执法", frozenset({W}), E, None, INSPECTING),
    Transition("rectified_after_warning", "警示后全部销号，结案", frozenset({W}), None,
               Outcome.rectified_after_warning, frozenset({Role.township_office})),
    Transition("rectified_after_enforcement", "执法后全部销号，结案", frozenset({E}), None,
               Outcome.rectified_after_enforcement, frozenset({Role.township_office})),
    Transition("shut_down", "关停，结案", frozenset({E}), None, Outcome.shut_down, COUNTY),
    Transition("ban", "取缔，结案", frozenset({E}), None, Outcome.banned, COUNTY),
    Transition("withdraw", "撤销案件", frozenset({R, W, E}), None, Outcome.withdrawn, COUNTY, needs_reason=True),
)}

# Outcomes that end a case without rectification: its open findings end with it.
ENDS_UNRECTIFIED = frozenset({Outcome.shut_down, Outcome.banned, Outcome.withdrawn})


def check(case: Case, name: str, actor: User, reason: str | None = None) -> Transition:
    """Raise the domain error that refuses ``name`` for ``case`` now, or return the transition."""
    transition = TRANSITIONS[name]
    if actor.role not in transition.roles:
        raise Forbidden(f"当前角色无权执行“{transition.label}”", f"your role may not perform {name}")
    if case.status != CaseStatus.open:
        raise TransitionRefused(f"案件{case.id}已结案，不能{transition.label}", f"case {case.id} is closed")
    if case.stage not in transition.sources:
        raise TransitionRefused(
            f"案件{case.id}处于“{STAGE_LABELS[case.stage]}”阶段，不能{transition.label}",
            f"case {case.id} is at stage {case.stage}; {name} is not allowed from there")
    if transition.needs_reason and not (reason or "").strip():
        raise InvalidInput("请填写理由", "a reason is required", field="reason")
    return transition


def _apply(case: Case, name: str, actor: User, reason: str | None = None, **data) -> Case:
    transition = check(case, name, actor, reason)
    previous = case.stage
    moment = clock.now()
    if transition.target is not None:
        case.stage = transition.target
        if transition.target == Stage.warning:
            case.warning_at = moment
        elif transition.target == Stage.enforcement:
            case.enforcement_at = moment
    else:
        case.status = CaseStatus.closed
        case.outcome = transition.outcome
        case.closed_at = moment
        case.closed_on = clock.local_date(moment)
        if transition.outcome in ENDS_UNRECTIFIED:
            for finding in case.findings:
                if finding.status == FindingStatus.open:
                    finding.status = FindingStatus.voided
    record_event(actor, f"case.{name}", case, case_id=case.id, unit_id=case.unit_id,
                 reason=(reason or "").strip() or None, from_stage=previous, to_stage=case.stage,
                 outcome=case.outcome, **data)
    db.session.flush()
    if transition.target == Stage.enforcement:
        from inspect_loop.letters.issuing import issue_referral  # letters read cases: import late

        issue_referral(case, actor)
    return case


def open_case(unit: Unit, actor: User) -> Case:
    """Open the unit's case at 一次提醒. The caller has checked that the unit has no open case; the
    partial unique index refuses a second one even under concurrent requests."""
    if actor.role not in TRANSITIONS["open"].roles:
        raise Forbidden("当前角色无权立案", "your role may not open a case")
    moment = clock.now()
    case = Case(unit=unit, unit_id=unit.id, stage=Stage.reminder, status=CaseStatus.open, opened_at=moment,
                opened_on=clock.local_date(moment))
    db.session.add(case)
    db.session.flush()
    record_event(actor, "case.open", case, case_id=case.id, unit_id=unit.id, to_stage=Stage.reminder)
    return case


def close_rectified_at_reminder(case: Case, actor: User) -> Case:
    return _apply(case, "rectified_at_reminder", actor)


def fail_reinspection(case: Case, actor: User, **data) -> Case:
    return _apply(case, "fail_reinspection", actor, **data)


def escalate(case: Case, actor: User, reason: str, to_stage: Stage | None = None) -> Case:
    """Manual escalation by the county office: to the next stage, or straight to enforcement."""
    if to_stage is None:
        to_stage = Stage.warning if case.stage == Stage.reminder else Stage.enforcement
    if to_stage == Stage.warning:
        return _apply(case, "escalate_to_warning", actor, reason)
    if to_stage == Stage.enforcement:
        return _apply(case, "escalate_to_enforcement", actor, reason)
    raise InvalidInput("只能升级到二次警示或三次执法", "escalation goes to warning or enforcement", field="to_stage")


def fail_follow_up(case: Case, actor: User, **data) -> Case:
    return _apply(case, "fail_follow_up", actor, **data)


def close_rectified(case: Case, actor: User) -> Case:
    """Every finding closed out at 二次警示 or 三次执法: the case closes with the matching outcome."""
    name = "rectified_after_warning" if case.stage == Stage.warning else "rectified_after_enforcement"
    return _apply(case, name, actor)


def shut_down(case: Case, actor: User, **data) -> Case:
    return _apply(case, "shut_down", actor, **data)


def ban(case: Case, actor: User, **data) -> Case:
    return _apply(case, "ban", actor, **data)


def withdraw(case: Case, actor: User, reason: str) -> Case:
    return _apply(case, "withdraw", actor, reason)
