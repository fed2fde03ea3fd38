"""The ladder 一次提醒 → 二次警示 → 三次执法 as one explicit transition table.

Each transition names the ``Action`` of the permission matrix that performs it. ``next_state`` is the pure
step of the table — the case columns a transition sets from a stage and status — shared by the transition
functions below and by the bulk generator. Each transition function checks the table (case open, allowed
source stage, actor's action, reason when required), changes the state, writes an audit event and flushes.
It never commits: the request or CLI command that called it commits once, or rolls everything back when any
step raises. The notices a transition causes are issued by the subscribers of its event (letters/notices.py).

The functions here assume the caller holds the case's lock (``lock_case``): the operations that verify,
close out or enforce take it first; ``escalate`` and ``withdraw`` take it themselves.
"""

from dataclasses import dataclass
from datetime import datetime

from inspect_loop import clock
from inspect_loop.audit.events import CaseOpened, case_schema
from inspect_loop.audit.log import record_event
from inspect_loop.cases.history import AT_REMINDER, Start, start_sentence
from inspect_loop.cases.models import Case, CaseStatus, Outcome, Stage
from inspect_loop.db import db, lock
from inspect_loop.errors import InvalidInput, TransitionRefused
from inspect_loop.inspections.models import FindingStatus
from inspect_loop.labels import EVENT_LABELS, en, event_en, zh
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, require, require_in_county


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[Stage]
    target: Stage | None  # None: the transition closes the case
    outcome: Outcome | None
    action: Action  # who may perform it: the roles of this action in the permission matrix
    needs_reason: bool = False

    @property
    def label(self) -> str:
        """Chinese, for refusals and notices (the pages translate ``EVENT_LABELS``)."""
        return EVENT_LABELS[f"case.{self.name}"]

    @property
    def label_en(self) -> str:
        return event_en(f"case.{self.name}")

    @property
    def ends_findings(self) -> bool:
        """Outcomes that end a case without rectification: its open findings end with it."""
        return self.outcome in (Outcome.shut_down, Outcome.banned, Outcome.withdrawn)


OPENED = frozenset()  # a case is opened, not entered from a stage
R, W, E = Stage.reminder, Stage.warning, Stage.enforcement
VERIFY, CLOSE_OUT, ENFORCE = Action.verify_rectification, Action.close_out, Action.record_enforcement

TRANSITIONS: dict[str, Transition] = {t.name: t for t in (
    Transition("open", OPENED, R, None, Action.record_inspection),
    # The unit's history counts (cases/history.py): a recurrence opens at 二次警示, a shut-down or banned
    # unit found operating at 三次执法 (非法经营).
    Transition("open_at_warning", OPENED, W, None, Action.record_inspection),
    Transition("open_at_enforcement", OPENED, E, None, Action.record_inspection),
    Transition("rectified_at_reminder", frozenset({R}), None, Outcome.rectified_at_reminder, VERIFY),
    Transition("fail_reinspection", frozenset({R}), W, None, VERIFY),
    Transition("escalate_to_warning", frozenset({R}), W, None, Action.escalate, needs_reason=True),
    Transition("escalate_to_enforcement", frozenset({R, W}), E, None, Action.escalate, needs_reason=True),
    Transition("fail_follow_up", frozenset({W}), E, None, VERIFY),
    Transition("rectified_after_warning", frozenset({W}), None, Outcome.rectified_after_warning, CLOSE_OUT),
    Transition("rectified_after_enforcement", frozenset({E}), None, Outcome.rectified_after_enforcement, CLOSE_OUT),
    Transition("shut_down", frozenset({E}), None, Outcome.shut_down, ENFORCE),
    Transition("ban", frozenset({E}), None, Outcome.banned, ENFORCE),
    Transition("withdraw", frozenset({R, W, E}), None, Outcome.withdrawn, Action.withdraw, needs_reason=True),
)}

# The stage each manual escalation reaches.
ESCALATIONS = {transition.target: transition for transition in TRANSITIONS.values()
               if transition.action == Action.escalate}


def lock_case(case: Case) -> None:
    """Every change of a case — its stage, its findings, summonses, 交办单 and enforcement — takes the lock of
    its unit first: one lock per unit, which the inspection that opens a case takes too (a unit has at most
    one open case). Everything read before is read again under the lock (``db.lock``)."""
    lock(case.unit)


def current_state(case: Case) -> dict:
    """What a refused request is told it lost to."""
    return {"case_id": case.id, "stage": case.stage.value, "status": case.status.value}


def refuse_unless_allowed(transition: Transition, stage: Stage, status: CaseStatus, case_id=None,
                          current: dict | None = None) -> None:
    which = f"Case {case_id}" if case_id else "The case"
    if status != CaseStatus.open:
        raise TransitionRefused(f"案件{case_id or ''}已结案，不能再“{transition.label}”",
                                f"{which} is closed: “{transition.label_en}” is no longer possible.", current=current)
    if stage not in transition.sources:
        raise TransitionRefused(f"案件{case_id or ''}处于“{zh(stage)}”阶段，不能“{transition.label}”",
                                f"{which} is at the {en(stage)} stage, where “{transition.label_en}” is not possible.",
                                current=current)


def next_state(stage: Stage, status: CaseStatus, name: str, moment: datetime, reason: str | None = None) -> dict:
    """The pure step of the table: the case columns transition ``name`` sets from (``stage``, ``status``) at
    ``moment``; refused (``TransitionRefused``) where the table does not allow it."""
    transition = TRANSITIONS[name]
    refuse_unless_allowed(transition, stage, status)
    if transition.target is None:
        return {"status": CaseStatus.closed, "outcome": transition.outcome, "closed_at": moment,
                "closed_on": clock.local_date(moment)}
    entered = {Stage.warning: "warning", Stage.enforcement: "enforcement"}[transition.target]
    return {"stage": transition.target, f"{entered}_at": moment,
            f"{entered}_reason": reason if transition.needs_reason else None}


def check(case: Case, name: str, actor: User, reason: str | None = None) -> Transition:
    """Raise the domain error that refuses ``name`` for ``case`` now, or return the transition."""
    transition = TRANSITIONS[name]
    require(actor, transition.action)
    refuse_unless_allowed(transition, case.stage, case.status, case.id, current_state(case))
    if transition.needs_reason and not (reason or "").strip():
        raise InvalidInput("请填写理由", "Give the reason.", field="reason")
    return transition


def _apply(case: Case, name: str, actor: User, reason: str | None = None, **details) -> Case:
    transition = check(case, name, actor, reason)
    reason = (reason or "").strip() or None
    previous = case.stage
    for column, value in next_state(case.stage, case.status, name, clock.now(), reason).items():
        setattr(case, column, value)
    if transition.ends_findings:
        for finding in case.findings:
            if finding.status == FindingStatus.open:
                finding.status = FindingStatus.voided
    db.session.flush()
    record_event(actor, case_schema(name)(transition=name, case_id=case.id, unit_id=case.unit_id, reason=reason,
                                          from_stage=previous, to_stage=case.stage, outcome=case.outcome,
                                          **details), case)
    db.session.flush()
    return case


# The opening transitions: a case is opened at the stage of one of these (cases/history.py chooses which).
OPENINGS = {name: transition for name, transition in TRANSITIONS.items() if transition.sources == OPENED}


def open_case(unit: Unit, actor: User, start: Start = AT_REMINDER) -> Case:
    """Open the unit's case by the opening transition ``start`` names (一次提醒 unless the unit's history says
    otherwise: ``history.where_to_start``). The caller holds the unit's lock and has checked that it has no
    open case; the partial unique index would refuse a second one anyway."""
    transition = OPENINGS[start.transition]
    require(actor, transition.action)
    moment = clock.now()
    case = Case(unit=unit, unit_id=unit.id, stage=transition.target, status=CaseStatus.open, opened_at=moment,
                opened_on=clock.local_date(moment), start_reason=start.reason,
                start_after_case_id=start.after_case_id, start_interviewed_on=start.interviewed_on)
    # Opened above 一次提醒, the case entered that stage when it opened: the stage's own time is set as a
    # climb would set it (a warning-stage case's findings are all warning-stage findings, SPEC section 3).
    if transition.target in (Stage.warning, Stage.enforcement):
        setattr(case, f"{transition.target.value}_at", moment)
    db.session.add(case)
    db.session.flush()
    record_event(actor, CaseOpened(transition=transition.name, case_id=case.id, unit_id=unit.id,
                                   to_stage=transition.target, reason=start_sentence(case),
                                   start_reason=start.reason, after_case_id=start.after_case_id,
                                   interviewed_on=start.interviewed_on), case)
    return case


def close_rectified_at_reminder(case: Case, actor: User) -> Case:
    return _apply(case, "rectified_at_reminder", actor)


def fail_reinspection(case: Case, actor: User, *, inspection_id: int, unrectified: list[int]) -> Case:
    return _apply(case, "fail_reinspection", actor, inspection_id=inspection_id, unrectified=unrectified)


def fail_follow_up(case: Case, actor: User, *, inspection_id: int, unrectified: list[int]) -> Case:
    return _apply(case, "fail_follow_up", actor, inspection_id=inspection_id, unrectified=unrectified)


def escalate(case: Case, actor: User, reason: str, to_stage: Stage | None = None) -> Case:
    """Manual escalation by the county office: to the next stage, or straight to enforcement."""
    require(actor, Action.escalate)
    require_in_county(actor, case.unit.county_id)
    lock_case(case)
    if to_stage is None:
        to_stage = Stage.warning if case.stage == Stage.reminder else Stage.enforcement
    if to_stage not in ESCALATIONS:
        raise InvalidInput("只能升级到二次警示或三次执法", "A case can be escalated only to the Warning or the Enforcement stage.",
                           field="to_stage")
    return _apply(case, ESCALATIONS[to_stage].name, actor, reason)


def close_rectified(case: Case, actor: User) -> Case:
    """Every finding closed out at 二次警示 or 三次执法: the case closes with the matching outcome."""
    name = "rectified_after_warning" if case.stage == Stage.warning else "rectified_after_enforcement"
    return _apply(case, name, actor)


def shut_down(case: Case, actor: User, *, enforcement_id: int) -> Case:
    return _apply(case, "shut_down", actor, enforcement_id=enforcement_id)


def ban(case: Case, actor: User, *, enforcement_id: int) -> Case:
    return _apply(case, "ban", actor, enforcement_id=enforcement_id)


def withdraw(case: Case, actor: User, reason: str) -> Case:
    require(actor, Action.withdraw)
    require_in_county(actor, case.unit.county_id)
    lock_case(case)
    return _apply(case, "withdraw", actor, reason)
