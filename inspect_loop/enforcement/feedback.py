"""The regulators' feedback on a 执法建议书 (办理反馈): asked for by a date when the referral is issued, recorded
once per regulator it is addressed to, and overdue — computed, never stored — once that date has passed.

The date is the fifteenth Chinese working day after the day of issue (``FEEDBACK_WORKING_DAYS``; the reasons
are in ``docs/letters.md``); the 执法建议书 prints it and a re-issue keeps it.
"""

from datetime import date
from functools import cache

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from inspect_loop import clock
from inspect_loop.audit.events import ReferralFeedbackRecorded
from inspect_loop.audit.log import record_event
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Case, Outcome
from inspect_loop.characters import check_text
from inspect_loop.db import db
from inspect_loop.enforcement.models import ReferralFeedback
from inspect_loop.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_loop.hazards.deadlines import add_working_days
from inspect_loop.letters.models import Document, DocumentKind, DocumentStatus
from inspect_loop.regions.models import Department
from inspect_loop.users.models import Role, User
from inspect_loop.users.permissions import Action, require, require_in_county

FEEDBACK_WORKING_DAYS = 15
ACTION_TAKEN_MAX = 2000
REPLY_NUMBER_MAX = 60


def feedback_due_on(issued_on: date) -> date:
    """The day by which the regulators report what they did about a referral issued on ``issued_on``."""
    return add_working_days(issued_on, FEEDBACK_WORKING_DAYS)


def first_version(document: Document) -> Document:
    """The version 1 of a document: the one a number stands for, whatever re-issues followed."""
    if document.version == 1:
        return document
    return db.session.scalar(select(Document).where(
        Document.issuer_id == document.issuer_id, Document.kind == document.kind, Document.year == document.year,
        Document.serial == document.serial, Document.version == 1))


def due_on_of(case: Case) -> date | None:
    """The feedback date asked for by the case's referral, once one was issued with it."""
    return db.session.scalar(select(ReferralFeedback.due_on).where(ReferralFeedback.case_id == case.id).limit(1))


def expect_feedback(referral: Document, regulators: list[Department], due_on: date) -> None:
    """Ask each regulator the referral is addressed to for its feedback by ``due_on`` (those already asked are
    left as they are: a re-issue keeps the date and adds only a regulator that has come to be concerned)."""
    referral = first_version(referral)
    asked = set(db.session.scalars(select(ReferralFeedback.department_id)
                                   .where(ReferralFeedback.referral_id == referral.id)))
    for regulator in regulators:
        if regulator.id not in asked:
            db.session.add(ReferralFeedback(referral_id=referral.id, case_id=referral.case_id,
                                            department_id=regulator.id, due_on=due_on))
    db.session.flush()


def feedback_of(case: Case) -> list[ReferralFeedback]:
    """Every regulator's feedback on the case's referral (asked and recorded), in the order of departments."""
    return list(db.session.scalars(select(ReferralFeedback).where(ReferralFeedback.case_id == case.id)
                                   .order_by(ReferralFeedback.department_id)))


def record_feedback(actor: User, case: Case, department: Department, *, action_taken: str, done_on: date | None,
                    reply_number: str | None = None) -> ReferralFeedback:
    """Record what ``department`` did about the case's 执法建议书: by that regulator itself, or by the county
    office on its behalf (a reply sent on paper). Once per regulator and referral."""
    require(actor, Action.record_referral_feedback)
    require_in_county(actor, case.unit.county_id)
    if actor.role == Role.regulator and actor.department_id != department.id:
        raise Forbidden("只能登记本部门的办理反馈", "A sector regulator may record only its own feedback.", field="department")
    ladder.lock_case(case)
    feedback = db.session.scalar(select(ReferralFeedback).where(ReferralFeedback.case_id == case.id,
                                                                ReferralFeedback.department_id == department.id))
    if feedback is None:
        raise NotFound(f"本案执法建议书未送{department.name}，无需其反馈",
                       f"The enforcement recommendation of this case was not sent to {department.name}, so no feedback is "
                       "expected from it.",
                       field="department")
    if feedback.is_recorded:
        raise Conflict(f"{department.name}的办理反馈已于{clock.local_date(feedback.recorded_at)}登记，不能重复登记",
                       f"The feedback of {department.name} was already recorded on "
                       f"{clock.local_date(feedback.recorded_at)}.", field="department",
                       current=feedback_state(feedback))
    action_taken = (action_taken or "").strip()
    if not action_taken:
        raise InvalidInput("请填写办理情况", "Describe what was done.", field="action_taken")
    if len(action_taken) > ACTION_TAKEN_MAX:
        raise InvalidInput(f"办理情况不能超过{ACTION_TAKEN_MAX}字", f"What was done may be described in at most {ACTION_TAKEN_MAX} characters.",
                           field="action_taken")
    check_text(action_taken, field="action_taken", label="办理情况", label_en="What was done", multiline=True)
    reply_number = (reply_number or "").strip() or None
    if reply_number is not None:
        if len(reply_number) > REPLY_NUMBER_MAX:
            raise InvalidInput(f"反馈文号不能超过{REPLY_NUMBER_MAX}字", f"The reply's document number may have at most "
                               f"{REPLY_NUMBER_MAX} characters.", field="reply_number")
        check_text(reply_number, field="reply_number", label="反馈文号", label_en="The reply's document number")
    issued_on = feedback.referral.issued_on
    if done_on is None:
        raise InvalidInput("请填写办理日期", "Give the date the action was taken.", field="done_on")
    if not issued_on <= done_on <= clock.today():
        raise InvalidInput(f"办理日期须在执法建议书签发之日（{issued_on}）至今天之间",
                           f"The date of the action must be between the enforcement recommendation's issue date "
                           f"({issued_on}) and today.", field="done_on")
    feedback.action_taken = action_taken
    feedback.done_on = done_on
    feedback.reply_number = reply_number
    feedback.recorded_by_id = actor.id
    feedback.recorded_at = clock.now()
    db.session.flush()
    record_event(actor, ReferralFeedbackRecorded(
        case_id=case.id, unit_id=case.unit_id, referral_number=feedback.referral.number,
        department=department.code, done_on=done_on, reply_number=reply_number), feedback)
    return feedback


def feedback_state(feedback: ReferralFeedback) -> dict:
    return {"department": feedback.department.code, "recorded": feedback.is_recorded,
            "done_on": feedback.done_on.isoformat() if feedback.done_on else None,
            "reply_number": feedback.reply_number}


@cache
def _standing_and_not_withdrawn():
    """The part of ``overdue_condition`` that does not depend on the day, built once: its three aliases of
    many-column models cost more to build than the workbench's whole sweep takes to run."""
    # Aliases of their own, so the condition stays whole inside a query that already joins cases or documents.
    referral, version, case = aliased(Document), aliased(Document), aliased(Case)
    standing = exists().where(version.kind == DocumentKind.referral, version.status == DocumentStatus.valid,
                              version.issuer_id == referral.issuer_id, version.year == referral.year,
                              version.serial == referral.serial)
    referral_stands = exists().where(referral.id == ReferralFeedback.referral_id, standing)
    not_withdrawn = exists().where(case.id == ReferralFeedback.case_id, case.outcome.is_distinct_from(Outcome.withdrawn))
    return referral_stands, not_withdrawn


def overdue_condition(today: date):
    """Feedback asked for by a day before ``today`` and not recorded, on a referral still standing (some version
    of its number valid) of a case not withdrawn. A SQL condition over ``ReferralFeedback``."""
    return and_(ReferralFeedback.recorded_at.is_(None), ReferralFeedback.due_on < today,
                *_standing_and_not_withdrawn())


def overdue_statement(today: date):
    """Overdue feedback, the longest overdue first."""
    return (select(ReferralFeedback).where(overdue_condition(today))
            .order_by(ReferralFeedback.due_on, ReferralFeedback.id))
