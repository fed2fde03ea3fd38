"""A unit's history counts (SPEC section 7, Where a new case starts; issue 15 part 1): a recurrence opens the new
case at 二次警示, a shut-down or banned unit found operating opens at 三次执法 (非法经营); the 重点监管名单's entry
rules and its exit by the county office after a clean period."""

from datetime import date

import pytest
from sqlalchemy import select, true

from inspect_loop.assignments.operations import issue_assignment
from inspect_loop.audit.models import Event
from inspect_loop.cases import history, ladder, policy
from inspect_loop.cases.models import Case, CaseStatus, Outcome, Stage, StartReason
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.enforcement.operations import record_enforcement
from inspect_loop.errors import Forbidden, InvalidInput, TransitionRefused
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.letters import context
from inspect_loop.letters.models import Document, DocumentKind
from inspect_loop.stats.queries import Period, outcome_figures
from inspect_loop.units.models import UnitStatus
from inspect_loop.watch_list.models import WatchListEntry, WatchReason
from inspect_loop.watch_list.operations import decide_exit, set_history_rules
from inspect_loop.watch_list.queries import add_months, listed_units, on_watch_list
from tests.factories import build_other_county, inspect
from tests.helpers import at
from tests.test_ladder import rectify_and_close, summon, to_warning


def interviewed_and_closed_out(county, unit, code="XF-01", close_day="2026-03-25", attended=True):
    """A case of ``unit`` that reached 二次警示 on a ``code`` finding, was interviewed on 20 March and whose
    finding was closed out on ``close_day``."""
    case = to_warning(county, unit, code)
    summon(county, [case], "2026-03-20", attended=attended)
    with at("2026-03-20", 17):
        issue_assignment(county.users.office, case, county.fire if code.startswith("XF") else county.emergency)
    rectify_and_close(county, case.findings[0], close_day,
                      county.users.fire if code.startswith("XF") else county.users.emergency)
    assert case.status == CaseStatus.closed
    return case


def new_case(county, unit, code, day):
    with at(day):
        return inspect(county, unit, code).findings[0].case


def documents_of(database, case) -> list[DocumentKind]:
    return list(database.session.scalars(select(Document.kind).where(Document.case_id == case.id)
                                         .order_by(Document.id)))


def entries(database, unit) -> list[tuple[WatchReason, bool]]:
    return [(entry.reason, entry.left_at is None) for entry in database.session.scalars(
        select(WatchListEntry).where(WatchListEntry.unit_id == unit.id).order_by(WatchListEntry.id))]


def banned(county, unit, action=ActionKind.ban, day="2026-03-15"):
    case = to_warning(county, unit, "YD-01")
    with at(day):
        ladder.escalate(case, county.users.office, "拒不整改")
        record_enforcement(county.users.office, case, action, departments=[county.emergency], decision_no="兰执〔2026〕1号")
    return case


# -- the recurrence opening ------------------------------------------------------------------------------------

def test_the_same_hazard_within_two_months_of_the_close_out_opens_at_warning_and_says_why(county, database):
    earlier = interviewed_and_closed_out(county, county.units.shop)
    case = new_case(county, county.units.shop, "XF-01", "2026-05-25")  # close-out 25 March + 2 months: inside
    database.session.commit()
    assert (case.stage, case.status) == (Stage.warning, CaseStatus.open)
    assert (case.start_reason, case.start_after_case_id, case.start_interviewed_on) == (
        StartReason.recurrence, earlier.id, date(2026, 3, 20))
    assert case.warning_at == case.opened_at and case.enforcement_at is None
    sentence = history.start_sentence(case)
    assert sentence == (f"因两个月内同类隐患复发（此前案件 #{earlier.id} 于 2026-03-25 整改销号，约谈于 2026-03-20），"
                        "直接进入二次警示")
    opened = database.session.scalar(select(Event).where(Event.case_id == case.id, Event.action.like("case.open%")))
    assert (opened.action, opened.reason) == ("case.open_at_warning", sentence)
    assert opened.data["start_reason"] == "recurrence" and opened.data["after_case_id"] == earlier.id
    # Not reminded a first time: the case awaits its summons (docs/decisions.md).
    assert documents_of(database, case) == []
    assert list(database.session.scalars(select(Case.id).where(policy.awaiting_summons()))) == [case.id]


def test_a_recurrence_after_two_months_opens_at_reminder(county, database):
    interviewed_and_closed_out(county, county.units.shop)
    case = new_case(county, county.units.shop, "XF-01", "2026-05-26")
    assert (case.stage, case.start_reason) == (Stage.reminder, None)
    assert documents_of(database, case) == [DocumentKind.reminder]


def test_another_hazard_type_within_two_months_opens_at_reminder(county, database):
    interviewed_and_closed_out(county, county.units.shop)
    case = new_case(county, county.units.shop, "YD-01", "2026-04-10")
    assert (case.stage, case.start_reason) == (Stage.reminder, None)


def test_a_county_that_turned_the_rule_off_opens_a_recurrence_at_reminder(county, database):
    interviewed_and_closed_out(county, county.units.shop)
    with at("2026-04-01"):
        set_history_rules(county.users.office, county.county, recurrence_opens_at_warning=False,
                          watch_list_clean_months=6)
    case = new_case(county, county.units.shop, "XF-01", "2026-04-10")
    assert (case.stage, case.start_reason) == (Stage.reminder, None)
    event = database.session.scalar(select(Event).where(Event.action == "region.history_rules"))
    assert event.data == {"code": "330781", "recurrence_opens_at_warning": False, "watch_list_clean_months": 6,
                          "previous": {"recurrence_opens_at_warning": True, "watch_list_clean_months": 6}}


def test_a_unit_absent_from_its_interview_has_no_recurrence_as_the_figure_counts_none(county, database):
    interviewed_and_closed_out(county, county.units.shop, attended=False)
    case = new_case(county, county.units.shop, "XF-01", "2026-04-10")
    assert case.stage == Stage.reminder


@pytest.mark.parametrize("found_on, opens_at, recurred", [("2026-05-25", Stage.warning, 1),
                                                         ("2026-05-26", Stage.reminder, 0)])
def test_the_recurrence_figure_and_the_opening_rule_agree(county, database, found_on, opens_at, recurred):
    interviewed_and_closed_out(county, county.units.shop)
    case = new_case(county, county.units.shop, "XF-01", found_on)
    figures = outcome_figures(Period(date(2026, 3, 1), date(2026, 3, 31)))
    assert case.stage == opens_at
    assert figures["recurrence"] == {"units_eligible": 1, "units_recurred": recurred, "rate": float(recurred)}


# -- a shut-down or banned unit found operating ----------------------------------------------------------------

@pytest.mark.parametrize("action, status, word", [(ActionKind.ban, UnitStatus.banned, "取缔"),
                                                  (ActionKind.shutdown, UnitStatus.shut_down, "关停")])
def test_a_closed_unit_found_operating_opens_at_enforcement_with_a_referral(county, database, action, status, word):
    closing = banned(county, county.units.shop, action)
    assert county.units.shop.status == status
    case = new_case(county, county.units.shop, "SP-01", "2026-06-01")
    database.session.commit()
    assert (case.stage, case.start_reason, case.start_after_case_id) == (
        Stage.enforcement, StartReason.closed_unit_operating, closing.id)
    assert case.enforcement_at == case.opened_at and case.warning_at is None
    assert history.start_sentence(case) == f"因该单位已于 2026-03-15 被{word}仍在经营（非法经营），直接进入三次执法"
    # The 执法建议书 through the referral path, with the findings; no 整改提醒通知书.
    assert documents_of(database, case) == [DocumentKind.referral]
    grounds = context.referral(case, [], date(2026, 6, 22))
    assert grounds["operating_while_closed"] == word and "非法经营" in grounds["grounds"]
    assert [line["text"] for line in grounds["history"]][:2] == [
        "暗访检查发现隐患1项", "已关停或取缔的单位仍在经营（非法经营），立案即进入三次执法"]
    action_row = database.session.scalar(select(Event.action).where(Event.case_id == case.id,
                                                                     Event.action.like("case.open%")))
    assert action_row == "case.open_at_enforcement"


def test_a_case_opened_at_enforcement_can_be_closed_by_a_new_ban(county, database):
    banned(county, county.units.shop)
    case = new_case(county, county.units.shop, "SP-01", "2026-06-01")
    with at("2026-06-02"):
        record_enforcement(county.users.office, case, ActionKind.ban, departments=[county.market])
    assert (case.status, case.outcome) == (CaseStatus.closed, Outcome.banned)


# -- the 重点监管名单: entries ---------------------------------------------------------------------------------

@pytest.mark.parametrize("action, reason", [(ActionKind.ban, WatchReason.ban), (ActionKind.shutdown, WatchReason.shutdown)])
def test_a_ban_or_a_shutdown_puts_the_unit_on_the_watch_list(county, database, action, reason):
    case = banned(county, county.units.shop, action)
    assert entries(database, county.units.shop) == [(reason, True)]
    entry = database.session.scalar(select(WatchListEntry))
    assert (entry.case_id, entry.entered_on) == (case.id, date(2026, 3, 15))
    event = database.session.scalar(select(Event).where(Event.action == "watch_list.entered"))
    assert (event.unit_id, event.case_id, event.data["watch_reason"]) == (county.units.shop.id, case.id, reason.value)


def test_a_recurrence_puts_the_unit_on_the_watch_list(county, database):
    interviewed_and_closed_out(county, county.units.shop)
    new_case(county, county.units.shop, "XF-01", "2026-05-01")
    # The second case of 2026 as well.
    assert entries(database, county.units.shop) == [(WatchReason.recurrence, True),
                                                    (WatchReason.repeated_cases, True)]


def test_two_cases_opened_in_one_calendar_year_put_the_unit_on_the_watch_list_once(county, database):
    with at("2026-03-02"):
        first = inspect(county, county.units.market, "SP-01").findings[0].case
    assert entries(database, county.units.market) == []
    with at("2026-03-06"):
        inspect(county, county.units.market, kind=InspectionKind.reinspection, verified=[(first.findings[0], True)])
    second = new_case(county, county.units.market, "YD-01", "2026-09-01")
    assert second.stage == Stage.reminder
    assert entries(database, county.units.market) == [(WatchReason.repeated_cases, True)]
    with at("2026-09-04"):
        inspect(county, county.units.market, kind=InspectionKind.reinspection, verified=[(second.findings[0], True)])
    new_case(county, county.units.market, "XF-02", "2026-11-01")
    assert entries(database, county.units.market) == [(WatchReason.repeated_cases, True)]


def test_cases_in_two_calendar_years_do_not(county, database):
    with at("2026-12-20"):
        first = inspect(county, county.units.market, "SP-01").findings[0].case
    with at("2026-12-24"):
        inspect(county, county.units.market, kind=InspectionKind.reinspection, verified=[(first.findings[0], True)])
    new_case(county, county.units.market, "YD-01", "2027-01-05")
    assert entries(database, county.units.market) == []


def test_a_withdrawn_case_takes_back_the_entries_it_made(county, database):
    with at("2026-03-02"):
        first = inspect(county, county.units.market, "SP-01").findings[0].case
    with at("2026-03-06"):
        inspect(county, county.units.market, kind=InspectionKind.reinspection, verified=[(first.findings[0], True)])
    second = new_case(county, county.units.market, "YD-01", "2026-04-01")
    with at("2026-04-02"):
        ladder.withdraw(second, county.users.office, "录入错误")
    assert entries(database, county.units.market) == [(WatchReason.repeated_cases, False)]


# -- the 重点监管名单: exit ------------------------------------------------------------------------------------

def test_exit_before_the_clean_period_is_refused_with_the_day_it_may(county, database):
    banned(county, county.units.shop)  # listed on 15 March, its last case opened on 2 March
    with at("2026-09-14"), pytest.raises(TransitionRefused) as refused:
        decide_exit(county.users.office, county.units.shop, "已整改")
    assert refused.value.message_zh == ("“某电子商务商行”须自2026-03-15起连续6个月无新案件，2026-09-15起方可移出重点监管名单")
    assert entries(database, county.units.shop) == [(WatchReason.ban, True)]


def test_exit_after_the_clean_period_by_the_county_office(county, database):
    banned(county, county.units.shop)
    with at("2026-09-15"):
        left = decide_exit(county.users.office, county.units.shop, "六个月无新问题，经研究移出")
    database.session.commit()
    assert [entry.left_on for entry in left] == [date(2026, 9, 15)]
    assert entries(database, county.units.shop) == [(WatchReason.ban, False)]
    event = database.session.scalar(select(Event).where(Event.action == "watch_list.left"))
    assert (event.reason, event.data["clean_since"]) == ("六个月无新问题，经研究移出", "2026-03-15")
    assert not database.session.scalar(select(on_watch_list(county.units.shop.id)))
    with at("2026-09-16"), pytest.raises(TransitionRefused):
        decide_exit(county.users.office, county.units.shop, "再次移出")


def test_a_new_case_restarts_the_clean_period_and_an_open_case_blocks_the_exit(county, database):
    banned(county, county.units.shop)
    case = new_case(county, county.units.shop, "SP-01", "2026-05-01")  # operating while banned
    with at("2026-12-01"), pytest.raises(TransitionRefused) as refused:
        decide_exit(county.users.office, county.units.shop, "已整改")
    assert "仍有未结案的案件" in refused.value.message_zh
    with at("2026-05-02"):
        record_enforcement(county.users.office, case, ActionKind.ban, departments=[county.market])
    with at("2026-11-01"), pytest.raises(TransitionRefused) as refused:
        decide_exit(county.users.office, county.units.shop, "已整改")
    assert "2026-05-02起连续6个月" in refused.value.message_zh
    with at("2026-11-02"):
        decide_exit(county.users.office, county.units.shop, "已整改")


def test_the_clean_period_is_the_countys(county, database):
    banned(county, county.units.shop)
    with at("2026-04-01"):
        set_history_rules(county.users.office, county.county, recurrence_opens_at_warning=True,
                          watch_list_clean_months=3)
    with at("2026-06-15"):
        decide_exit(county.users.office, county.units.shop, "三个月无新问题")


def test_who_decides_the_exit_and_the_rules(county, database):
    banned(county, county.units.shop)
    other = build_other_county(county)
    for actor in (county.users.east, county.users.fire, county.users.inspector, county.users.viewer,
                  other.users.office):
        with at("2026-12-01"), pytest.raises(Forbidden):
            decide_exit(actor, county.units.shop, "移出")
        with pytest.raises(Forbidden):
            set_history_rules(actor, county.county, recurrence_opens_at_warning=False, watch_list_clean_months=6)
    with at("2026-12-01"), pytest.raises(InvalidInput):
        decide_exit(county.users.office, county.units.shop, "  ")
    with pytest.raises(InvalidInput):
        set_history_rules(county.users.office, county.county, recurrence_opens_at_warning=True,
                          watch_list_clean_months=0)
    with pytest.raises(InvalidInput):
        set_history_rules(county.users.admin, county.east, recurrence_opens_at_warning=True,
                          watch_list_clean_months=6)
    with at("2026-12-01"):
        decide_exit(county.users.admin, county.units.shop, "移出")


def test_the_list_reads_the_units_on_it_with_their_reasons(county, database):
    banned(county, county.units.shop)
    listed = listed_units(true())
    assert [(item.unit.name, [entry.reason for entry in item.entries], item.since) for item in listed] == [
        ("某电子商务商行", [WatchReason.ban], date(2026, 3, 15))]


def test_add_months_keeps_to_the_end_of_a_shorter_month():
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 15), 6) == date(2026, 9, 15)
