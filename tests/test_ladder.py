"""The closed loop end to end, through the domain operations, under a frozen clock."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from inspect_loop.assignments.operations import close_out, issue_assignment, receive_assignment, sign_off
from inspect_loop.audit.models import Event
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Case, CaseStatus, Outcome, Stage
from inspect_loop.cases.queries import risk_color
from inspect_loop.clock import LOCAL_TZ
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.enforcement.operations import record_enforcement
from inspect_loop.errors import Conflict, Forbidden, InvalidInput, TransitionRefused
from inspect_loop.hazards import deadlines
from inspect_loop.inspections.models import CloseKind, FindingStatus, InspectionKind
from inspect_loop.inspections.operations import report_rectification
from inspect_loop.interviews.operations import convene_round, record_attendance
from inspect_loop.letters.models import Document, DocumentKind
from inspect_loop.units.models import UnitStatus
from tests.factories import inspect
from tests.helpers import at


def to_warning(county, unit, *codes, day="2026-03-02"):
    """A case at 二次警示: found on ``day``, re-inspected ten days later with every finding unrectified."""
    with at(day):
        inspection = inspect(county, unit, *codes)
    case = inspection.findings[0].case
    with at(_plus(day, 10)):
        inspect(county, unit, kind=InspectionKind.reinspection,
                verified=[(finding, False) for finding in case.findings])
    assert case.stage == Stage.warning
    return case


def _plus(day: str, days: int) -> str:
    from datetime import timedelta
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def summon(county, cases, day, attended=True):
    with at(day, 9):
        interview_round = convene_round(
            county.users.office, held_at=datetime.fromisoformat(day + "T14:30").replace(tzinfo=LOCAL_TZ),
            venue="兰溪市平安警示教育站", convened_by=county.office, departments=[county.fire, county.market],
            cases=cases, participants=12)
    with at(day, 16):
        for case in cases:
            record_attendance(county.users.office, interview_round, case, attended=attended,
                              attendee_name="李四" if attended else None, attendee_title="负责人")
    return interview_round


def rectify_and_close(county, finding, day, regulator):
    with at(day, 9):
        report_rectification(county.users.east, finding, "已整改，附整改后照片")
    with at(day, 11):
        sign_off(regulator, finding, approved=True, note="符合要求")
    with at(day, 15):
        close_out(county.users.east, finding, note="验收合格，销号")


def test_inspection_opens_a_case_at_reminder_with_deadlines_and_a_reminder_notice(county, database):
    with at("2026-03-02"):
        inspection = inspect(county, county.units.shop, "XF-01", "YD-01")
    database.session.commit()
    case = inspection.findings[0].case
    assert (case.stage, case.status, case.outcome) == (Stage.reminder, CaseStatus.open, None)
    assert case.opened_on == date(2026, 3, 2)
    assert [finding.deadline for finding in case.findings] == [date(2026, 3, 9), date(2026, 3, 7)]
    assert all(len(finding.deadlines) == 1 for finding in case.findings)
    reminder = database.session.scalar(select(Document).where(Document.case_id == case.id))
    assert reminder.kind == DocumentKind.reminder
    assert reminder.number == "兰平安提〔2026〕1号"
    assert reminder.pdf.startswith(b"%PDF")
    actions = database.session.scalars(select(Event.action).where(Event.case_id == case.id).order_by(Event.id))
    assert list(actions) == ["case.open", "inspection.recorded", "document.issued"]


def test_findings_recorded_while_a_case_is_open_join_it(county, database):
    with at("2026-03-02"):
        first = inspect(county, county.units.shop, "XF-01")
    with at("2026-03-05"):
        second = inspect(county, county.units.shop, "SP-01", kind=InspectionKind.department,
                         actor=county.users.market)
    assert first.case_id == second.case_id
    assert len(first.findings[0].case.findings) == 2
    assert database.session.scalar(select(func.count(Case.id))) == 1


def test_reinspection_that_sees_everything_rectified_closes_the_case(county, database):
    with at("2026-03-02"):
        inspection = inspect(county, county.units.shop, "XF-01", "YD-01")
    case = inspection.findings[0].case
    with at("2026-03-06"):
        inspect(county, county.units.shop, kind=InspectionKind.reinspection,
                verified=[(finding, True) for finding in case.findings])
    assert (case.status, case.outcome, case.closed_on) == (CaseStatus.closed, Outcome.rectified_at_reminder,
                                                           date(2026, 3, 6))
    assert all(finding.close_kind == CloseKind.verified for finding in case.findings)
    assert risk_color(county.units.shop) == "green"


def test_one_of_two_findings_rectified_at_reinspection_moves_the_case_to_warning(county, database):
    with at("2026-03-02"):
        inspection = inspect(county, county.units.shop, "XF-01", "YD-01")
    fire, wiring = inspection.findings
    case = fire.case
    with at("2026-03-10"):
        inspect(county, county.units.shop, kind=InspectionKind.reinspection, verified=[(fire, True), (wiring, False)])
    assert case.stage == Stage.warning and case.status == CaseStatus.open
    assert fire.status == FindingStatus.closed and wiring.status == FindingStatus.open
    assert risk_color(county.units.shop) == "red"  # the wiring finding is overdue at warning


def test_unit_absent_from_its_interview_is_summoned_again(county, database):
    case = to_warning(county, county.units.shop, "XF-01")
    first = summon(county, [case], "2026-03-20", attended=False)
    with at("2026-03-23"):
        second = convene_round(county.users.office, held_at=datetime(2026, 3, 27, 14, 30, tzinfo=LOCAL_TZ),
                               venue="兰溪市平安警示教育站", convened_by=county.office, departments=[],
                               cases=[case])
        with pytest.raises(Conflict):  # its summons to the second round is still pending
            convene_round(county.users.office, held_at=datetime(2026, 3, 28, 14, tzinfo=LOCAL_TZ),
                          venue="兰溪市平安警示教育站", convened_by=county.office, departments=[], cases=[case])
    with at("2026-03-27", 16):
        record_attendance(county.users.office, second, case, attended=True, attendee_name="李四")
    assert (first.number, second.number) == (1, 2)
    assert [summons.attended for summons in (first.summonses[0], second.summonses[0])] == [False, True]
    summonses = database.session.scalars(select(Document).where(Document.kind == DocumentKind.summons)
                                         .order_by(Document.id))
    assert [document.number for document in summonses] == ["兰平安约〔2026〕1号", "兰平安约〔2026〕2号"]


def test_warning_is_closed_by_sign_off_and_close_out_after_a_refused_sign_off(county, database):
    case = to_warning(county, county.units.shop, "XF-01", "SP-01")
    summon(county, [case], "2026-03-20")
    fire_finding, food_finding = case.findings
    with at("2026-03-20", 17):
        fire_assignment = issue_assignment(county.users.office, case, county.fire, deadline=date(2026, 4, 3))
        food_assignment = issue_assignment(county.users.office, case, county.market)
    assert fire_assignment.findings == [fire_finding] and food_assignment.findings == [food_finding]
    assert fire_finding.deadline == date(2026, 4, 3)
    assert [row.deadline for row in fire_finding.deadlines] == [date(2026, 3, 9), date(2026, 4, 3)]
    assert food_finding.deadline == date(2026, 4, 4)  # default: 15 days from issue
    with at("2026-03-21"):
        receive_assignment(county.users.fire, fire_assignment)
        receive_assignment(county.users.east, fire_assignment)
        with pytest.raises(Conflict):
            receive_assignment(county.users.east, fire_assignment)
        with pytest.raises(Forbidden):
            receive_assignment(county.users.market, fire_assignment)

    with at("2026-03-25"):
        report_rectification(county.users.east, fire_finding, "应急照明已接通")
        with pytest.raises(InvalidInput):
            sign_off(county.users.fire, fire_finding, approved=False)
        sign_off(county.users.fire, fire_finding, approved=False, note="照明仍未接通主电源")
        with pytest.raises(TransitionRefused):
            close_out(county.users.east, fire_finding)
        # Refused: nothing to decide on again until the township office reports anew (a second look, or a
        # second regulator's user at the same moment, must not sign off what was just refused).
        for approved, note in ((True, None), (False, "仍未整改")):
            with pytest.raises(TransitionRefused) as refused:
                sign_off(county.users.fire, fire_finding, approved=approved, note=note)
            assert "重新报告" in refused.value.message_zh
    assert fire_finding.status == FindingStatus.open
    with at("2026-03-28"):
        report_rectification(county.users.east, fire_finding, "已接通主电源")
        sign_off(county.users.fire, fire_finding, approved=True)
        close_out(county.users.east, fire_finding)
    assert case.status == CaseStatus.open
    rectify_and_close(county, food_finding, "2026-03-30", county.users.market)
    assert (case.status, case.outcome) == (CaseStatus.closed, Outcome.rectified_after_warning)
    assert fire_finding.first_reported_on == date(2026, 3, 25)


def test_regulators_sign_off_only_their_sectors_and_townships_close_out_only_their_units(county, database):
    case = to_warning(county, county.units.shop, "XF-01")
    finding = case.findings[0]
    with at("2026-03-20"):
        report_rectification(county.users.east, finding, "已整改")
        with pytest.raises(Forbidden):
            report_rectification(county.users.west, finding, "已整改")
        with pytest.raises(Forbidden):
            sign_off(county.users.market, finding, approved=True)
        sign_off(county.users.fire, finding, approved=True)
        with pytest.raises(Forbidden):
            close_out(county.users.west, finding)
        with pytest.raises(Forbidden):
            close_out(county.users.office, finding)


def test_failed_follow_up_moves_to_enforcement_and_issues_a_referral(county, database):
    case = to_warning(county, county.units.shop, "XF-01")
    summon(county, [case], "2026-03-20")
    with at("2026-04-10"):
        inspect(county, county.units.shop, kind=InspectionKind.follow_up, verified=[(case.findings[0], False)])
    assert case.stage == Stage.enforcement
    referral = database.session.scalar(select(Document).where(Document.kind == DocumentKind.referral))
    assert referral.case_id == case.id and referral.number == "兰平安执〔2026〕1号"
    assert risk_color(county.units.shop) == "red"


def test_reinspection_and_follow_up_are_refused_at_the_wrong_stage(county, database):
    with at("2026-03-02"):
        inspection = inspect(county, county.units.shop, "XF-01")
    finding = inspection.findings[0]
    with pytest.raises(TransitionRefused):
        inspect(county, county.units.shop, kind=InspectionKind.follow_up, verified=[(finding, False)])
    with pytest.raises(InvalidInput):
        inspect(county, county.units.shop, kind=InspectionKind.unannounced, verified=[(finding, False)])


def test_withdrawal_needs_the_county_office_and_a_reason(county, database):
    with at("2026-03-02"):
        inspection = inspect(county, county.units.shop, "XF-01")
    case = inspection.findings[0].case
    with pytest.raises(Forbidden):
        ladder.withdraw(case, county.users.east, "录入错误")
    with pytest.raises(InvalidInput):
        ladder.withdraw(case, county.users.office, "  ")
    ladder.withdraw(case, county.users.office, "录入错误，单位名称有误")
    assert (case.status, case.outcome) == (CaseStatus.closed, Outcome.withdrawn)
    assert case.findings[0].status == FindingStatus.voided
    event = database.session.scalar(select(Event).where(Event.action == "case.withdraw"))
    assert event.reason == "录入错误，单位名称有误" and event.actor_id == county.users.office.id


@pytest.mark.parametrize("action, outcome, status", [
    (ActionKind.shutdown, Outcome.shut_down, UnitStatus.shut_down),
    (ActionKind.ban, Outcome.banned, UnitStatus.banned),
])
def test_shutdown_and_ban_close_the_case_and_change_the_unit(county, database, action, outcome, status):
    case = to_warning(county, county.units.factory, "SC-01")
    with at("2026-03-15"):
        ladder.escalate(case, county.users.office, "无正当理由缺席约谈，存在重大隐患")
    with at("2026-03-20"):
        record_enforcement(county.users.office, case, ActionKind.joint_enforcement,
                           departments=[county.emergency, county.fire])
        assert case.status == CaseStatus.open
        record_enforcement(county.users.office, case, action, departments=[county.emergency],
                           decision_no="兰应急罚〔2026〕8号")
    assert (case.status, case.outcome) == (CaseStatus.closed, outcome)
    assert county.units.factory.status == status
    assert case.findings[0].status == FindingStatus.voided


def test_enforcement_closes_rectified_after_enforcement(county, database):
    case = to_warning(county, county.units.shop, "YD-01")
    with at("2026-03-15"):
        ladder.escalate(case, county.users.office, "拒不整改")
        issue_assignment(county.users.office, case, county.emergency)
    with pytest.raises(InvalidInput):
        record_enforcement(county.users.office, case, ActionKind.fine, departments=[county.emergency])
    with at("2026-03-16"):
        record_enforcement(county.users.office, case, ActionKind.fine, departments=[county.emergency],
                           amount=5000)
    rectify_and_close(county, case.findings[0], "2026-03-25", county.users.emergency)
    assert case.outcome == Outcome.rectified_after_enforcement


def test_a_recurrence_after_close_out_opens_a_new_case_at_warning(county, database):
    """SPEC section 7: the same hazard within two months of the close-out (tests/test_unit_history.py has the rest)."""
    case = to_warning(county, county.units.shop, "XF-01")
    summon(county, [case], "2026-03-20")
    with at("2026-03-20", 17):
        issue_assignment(county.users.office, case, county.fire)
    rectify_and_close(county, case.findings[0], "2026-03-25", county.users.fire)
    assert case.status == CaseStatus.closed
    with at("2026-05-10"):
        inspection = inspect(county, county.units.shop, "XF-01")
    new_case = inspection.findings[0].case
    assert new_case.id != case.id and new_case.stage == Stage.warning


def test_working_day_deadline_across_the_2026_national_day_holiday(county, database):
    # SC-01 allows 5 working days. From Monday 28 September: 29, 30 September, (1–7 October holiday),
    # 8, 9 October, and Saturday 10 October, an adjusted working day (调休上班).
    with at("2026-09-28"):
        inspection = inspect(county, county.units.factory, "SC-01")
    assert inspection.findings[0].deadline == date(2026, 10, 10)
    with at("2026-10-09"):
        calendar = inspect(county, county.units.shop, "YD-01")
    assert calendar.findings[0].deadline == date(2026, 10, 14)


@pytest.fixture
def calendar_known_until_2026(monkeypatch):
    """chinese-calendar as its release 1.11 is (whatever release is installed): no data after 2026."""
    known = deadlines.chinese_calendar.is_workday

    def is_workday(day):
        if day.year > 2026:
            raise NotImplementedError(f"no available data for year {day.year}")
        return known(day)

    monkeypatch.setattr(deadlines.chinese_calendar, "is_workday", is_workday)
    deadlines.is_workday.cache_clear()
    deadlines._warn_unknown_year.cache_clear()
    yield
    deadlines.is_workday.cache_clear()


def test_a_working_day_deadline_in_a_year_the_calendar_does_not_know_yet_is_still_computed(
        county, database, calendar_known_until_2026, caplog):
    # From Monday 28 December 2026: 29, 30, 31 December, (1 January 2027 元旦 and the weekend), 4 and
    # 5 January. Recording the finding must not fail, and the log asks for a newer chinesecalendar.
    with at("2026-12-28"):
        inspection = inspect(county, county.units.factory, "SC-01")
    assert inspection.findings[0].deadline == date(2027, 1, 5)
    assert any("chinesecalendar" in record.getMessage() for record in caplog.records)


def _table_counts(database):
    return {table.name: database.session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in database.metadata.sorted_tables}


def test_an_illegal_transition_leaves_the_database_unchanged(county, database):
    with at("2026-03-02"):
        inspection = inspect(county, county.units.shop, "XF-01")
    database.session.commit()
    case_id = inspection.case_id
    before = _table_counts(database)
    case = database.session.get(Case, case_id)
    with pytest.raises(TransitionRefused) as refused:
        record_enforcement(county.users.office, case, ActionKind.shutdown, departments=[county.fire])
    assert "不在三次执法阶段" in refused.value.message_zh
    database.session.rollback()
    with pytest.raises(TransitionRefused):
        ladder.shut_down(database.session.get(Case, case_id), county.users.office, enforcement_id=0)
    database.session.rollback()
    assert _table_counts(database) == before
    case = database.session.get(Case, case_id)
    assert (case.stage, case.status) == (Stage.reminder, CaseStatus.open)


def test_interview_needs_a_warning_stage_case(county, database):
    with at("2026-03-02"):
        inspection = inspect(county, county.units.shop, "XF-01")
    with pytest.raises(TransitionRefused):
        convene_round(county.users.office, held_at=datetime(2026, 3, 5, 14), venue="警示教育站",
                      convened_by=county.office, departments=[], cases=[inspection.findings[0].case])


def test_sign_off_is_not_used_at_the_reminder_stage(county, database):
    with at("2026-03-02"):
        finding = inspect(county, county.units.shop, "XF-01").findings[0]
        report_rectification(county.users.east, finding, "已整改")
    with pytest.raises(TransitionRefused):
        sign_off(county.users.fire, finding, approved=True)


def test_a_round_is_convened_for_its_own_countys_units_and_departments(county, database):
    from inspect_loop.regions.models import DepartmentKind, RegionLevel
    from inspect_loop.regions.operations import create_department, create_region
    from inspect_loop.units.operations import create_unit

    admin = county.users.admin
    yiwu = create_region(admin, code="330782", name="义乌市", level=RegionLevel.county, parent_code=None)
    chouchen = create_region(admin, code="330782001", name="稠城街道", level=RegionLevel.township,
                             parent_code="330782")
    create_department(admin, code="YW-PAB", name="义乌市平安办", kind=DepartmentKind.safety_office, region=yiwu,
                      doc_prefix="义平安")
    create_department(admin, code="CC-PAB", name="稠城街道平安办", kind=DepartmentKind.safety_office,
                      region=chouchen, doc_prefix="稠城平安")
    yiwu_fire = create_department(admin, code="YW-XF", name="义乌市消防救援大队", kind=DepartmentKind.regulator,
                                  region=yiwu, sectors=["消防"], doc_prefix="义消")
    outsider = to_warning(county, create_unit(admin, name="义乌小商品店", region=chouchen), "XF-01")
    own = to_warning(county, county.units.shop, "XF-01")
    convene = lambda departments, cases: convene_round(  # noqa: E731
        county.users.office, held_at=datetime(2026, 3, 20, 14, 30, tzinfo=LOCAL_TZ), venue="兰溪市平安警示教育站",
        convened_by=county.office, departments=departments, cases=cases)
    with at("2026-03-16"):
        with pytest.raises(Forbidden) as other_unit:
            convene([county.fire], [own, outsider])
        with pytest.raises(InvalidInput) as other_department:
            convene([yiwu_fire], [own])
        assert (other_unit.value.field, other_department.value.field) == ("case_ids", "departments")
        assert convene([county.fire], [own]).summonses[0].case_id == own.id


def test_an_inspection_refused_after_its_first_write_leaves_nothing_behind(county, database, monkeypatch):
    # On SQLite a SAVEPOINT outside a transaction used to commit the inspection row on its own.
    from inspect_loop.letters import issuing

    def refuse(*arguments):
        raise InvalidInput("无法签发", "cannot issue")

    monkeypatch.setattr(issuing, "issue_reminder", refuse)
    database.session.commit()
    before = _table_counts(database)
    with at("2026-03-02"), pytest.raises(InvalidInput):
        inspect(county, county.units.shop, "XF-01", submission_key="form-1")
    database.session.rollback()
    assert _table_counts(database) == before
