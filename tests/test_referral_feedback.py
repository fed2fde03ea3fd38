"""The regulators' feedback on a 执法建议书: asked for by a date at issue, recorded once per regulator by itself
or by the county office on its behalf, overdue once the date has passed without it."""

from datetime import date

import pytest
from sqlalchemy import select

from inspect_loop.audit.models import Event
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Stage
from inspect_loop.enforcement import feedback
from inspect_loop.enforcement.models import ReferralFeedback
from inspect_loop.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_loop.letters import issuing
from inspect_loop.letters.models import Document, DocumentKind
from tests.factories import build_other_county, inspect
from tests.helpers import at

# Escalated on Friday 2026-04-10: fifteen working days, over the 劳动节 holidays (5月1日–5日), end on 5月6日.
ISSUED, DUE = "2026-04-10", date(2026, 5, 6)


@pytest.fixture
def referred(county, database):
    """A case at 三次执法 with a fire hazard and a production hazard: its 执法建议书 goes to the fire brigade and the
    emergency bureau."""
    with at("2026-04-08"):
        case = inspect(county, county.units.shop, "XF-01", "SC-01").findings[0].case
    with at(ISSUED):
        ladder.escalate(case, county.users.office, "存在重大隐患且拒不整改", to_stage=Stage.enforcement)
    database.session.commit()
    return case


def rows(database):
    return list(database.session.scalars(select(ReferralFeedback).order_by(ReferralFeedback.department_id)))


def overdue(database, day: date) -> list[ReferralFeedback]:
    return list(database.session.scalars(feedback.overdue_statement(day)))


def test_the_referral_asks_each_regulator_for_feedback_fifteen_working_days_after_issue(referred, county, database):
    assert feedback.feedback_due_on(date(2026, 4, 10)) == DUE
    assert feedback.feedback_due_on(date(2026, 3, 3)) == date(2026, 3, 24)  # three plain weeks
    asked = rows(database)
    assert [row.department for row in asked] == [county.fire, county.emergency]
    referral = database.session.scalar(select(Document).where(Document.kind == DocumentKind.referral))
    assert all(row.due_on == DUE and row.referral_id == referral.id and not row.is_recorded for row in asked)


def test_the_regulator_records_its_feedback_once_and_it_is_audited(referred, county, database):
    with at("2026-04-20"):
        row = feedback.record_feedback(county.users.fire, referred, county.fire, action_taken="已立案调查，责令限期整改",
                                       done_on=date(2026, 4, 18), reply_number="兰消罚〔2026〕8号")
    database.session.commit()
    assert (row.action_taken, row.done_on, row.reply_number) == ("已立案调查，责令限期整改", date(2026, 4, 18),
                                                                 "兰消罚〔2026〕8号")
    assert row.recorded_by_id == county.users.fire.id and row.is_recorded
    event = database.session.scalar(select(Event).where(Event.action == "referral.feedback"))
    assert event.case_id == referred.id and event.data["department"] == "LX-XF"
    assert event.data["referral_number"] == "兰平安执〔2026〕1号"
    with at("2026-04-21"), pytest.raises(Conflict) as twice:
        feedback.record_feedback(county.users.office, referred, county.fire, action_taken="再次反馈",
                                 done_on=date(2026, 4, 21))
    assert "不能重复登记" in twice.value.message_zh and twice.value.current["reply_number"] == "兰消罚〔2026〕8号"


def test_the_county_office_records_a_regulator_s_feedback_on_its_behalf(referred, county, database):
    with at("2026-04-20"):
        row = feedback.record_feedback(county.users.office, referred, county.emergency, action_taken="已责令停产整顿",
                                       done_on=date(2026, 4, 20))
    assert row.department == county.emergency and row.recorded_by_id == county.users.office.id


@pytest.mark.parametrize(("who", "department", "refusal"), [
    ("fire", "emergency", Forbidden),  # a regulator answers only for itself
    ("market", "market", NotFound),  # the referral was not addressed to it
    ("east", "fire", Forbidden),  # township offices do not record feedback
    ("inspector", "fire", Forbidden),
    ("viewer", "fire", Forbidden),
])
def test_only_the_addressed_regulator_or_the_county_office_records_feedback(referred, county, database, who,
                                                                          department, refusal):
    with at("2026-04-20"), pytest.raises(refusal):
        feedback.record_feedback(getattr(county.users, who), referred, getattr(county, department),
                                 action_taken="已处理", done_on=date(2026, 4, 20))
    database.session.rollback()
    assert not any(row.is_recorded for row in rows(database))


def test_another_county_s_office_records_nothing(referred, county, database):
    other = build_other_county(county)
    with at("2026-04-20"), pytest.raises(Forbidden):
        feedback.record_feedback(other.users.office, referred, county.fire, action_taken="已处理",
                                 done_on=date(2026, 4, 20))


@pytest.mark.parametrize(("fields", "field"), [
    ({"action_taken": "  "}, "action_taken"),
    ({"action_taken": "办" * 2001}, "action_taken"),
    ({"action_taken": "已处理\u202e"}, "action_taken"),
    ({"done_on": None}, "done_on"),
    ({"done_on": date(2026, 4, 9)}, "done_on"),  # before the referral
    ({"done_on": date(2026, 4, 21)}, "done_on"),  # tomorrow
    ({"reply_number": "号" * 61}, "reply_number"),
])
def test_bad_feedback_is_refused_naming_its_field_and_changes_nothing(referred, county, database, fields, field):
    values = {"action_taken": "已处理", "done_on": date(2026, 4, 20), "reply_number": None} | fields
    with at("2026-04-20"), pytest.raises(InvalidInput) as refused:
        feedback.record_feedback(county.users.fire, referred, county.fire, **values)
    assert refused.value.field == field
    database.session.rollback()
    assert not any(row.is_recorded for row in rows(database))


def test_a_case_without_a_referral_has_no_feedback_to_record(county, database):
    with at("2026-04-08"):
        case = inspect(county, county.units.market, "XF-01").findings[0].case
    with at("2026-04-20"), pytest.raises(NotFound):
        feedback.record_feedback(county.users.fire, case, county.fire, action_taken="已处理",
                                 done_on=date(2026, 4, 20))


def test_feedback_is_overdue_the_day_after_its_date_until_it_is_recorded(referred, county, database):
    assert overdue(database, DUE) == []
    late = overdue(database, date(2026, 5, 7))
    assert [row.department for row in late] == [county.fire, county.emergency]
    with at("2026-05-07"):
        feedback.record_feedback(county.users.fire, referred, county.fire, action_taken="已罚款",
                                 done_on=date(2026, 5, 7))
    assert [row.department for row in overdue(database, date(2026, 5, 8))] == [county.emergency]


def test_a_reissue_keeps_the_date_and_a_revoked_referral_owes_no_feedback(referred, county, database):
    referral = database.session.scalar(select(Document).where(Document.kind == DocumentKind.referral))
    with at("2026-04-11"):
        issuing.reissue(referral, county.users.office, "收件部门有误")
    # A re-issue keeps the date first printed, and the number still stands.
    assert {row.due_on for row in rows(database)} == {DUE}
    assert len(overdue(database, date(2026, 5, 7))) == 2
    newest = database.session.scalar(select(Document).where(Document.kind == DocumentKind.referral,
                                                            Document.version == 2))
    with at("2026-04-12"):
        issuing.revoke(newest, county.users.office, "误发")
    assert overdue(database, date(2026, 5, 7)) == []


def test_a_withdrawn_case_owes_no_feedback(referred, county, database):
    with at("2026-04-12"):
        ladder.withdraw(referred, county.users.office, "录入错误")
    assert overdue(database, date(2026, 5, 7)) == []
