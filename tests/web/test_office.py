"""The county safety office's pages: the workbench, what is due today, interview rounds, the case page and its
forms (交办单, escalation, withdrawal, enforcement, documents), for every role, in and out of the county."""

import re
from datetime import datetime
from io import BytesIO
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import event, func, select

from inspect_loop.assignments.models import Assignment
from inspect_loop.cases.models import Case, CaseStatus, Outcome, Stage
from inspect_loop.clock import LOCAL_TZ
from inspect_loop.db import db
from inspect_loop.enforcement.models import EnforcementAction
from inspect_loop.errors import Forbidden, InvalidInput
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.interviews.models import InterviewRound, Summons
from inspect_loop.interviews.operations import convene_round, record_attendance, set_participants
from inspect_loop.letters.models import Document, DocumentKind, DocumentStatus
from inspect_loop.units.models import UnitStatus
from tests.factories import build_other_county, inspect
from tests.helpers import at, csrf_token_of, strict_login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFFICE_PAGES = ["/office", "/office/today/reinspections_due", "/office/today/overdue_findings", "/office/rounds",
                "/office/rounds/new"]


def text_of(response) -> str:
    return response.get_data(as_text=True)


def warning_case(county, unit, *codes, day="2026-03-02", reinspected="2026-03-10") -> Case:
    """A case of ``unit`` at 二次警示: found on ``day``, every finding unrectified at the re-inspection."""
    with at(day):
        inspection = inspect(county, unit, *codes)
    with at(reinspected):
        inspect(county, unit, kind=InspectionKind.reinspection,
                verified=[(finding, False) for finding in inspection.findings])
    db.session.commit()
    return db.session.get(Case, inspection.case_id)


def reminder_case(county, unit, *codes, day="2026-03-02") -> Case:
    with at(day):
        inspection = inspect(county, unit, *codes)
    db.session.commit()
    return db.session.get(Case, inspection.case_id)


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


@pytest.fixture
def other_county(county):
    """A second county (义乌) with its own office user, a warning-stage case and an interview round."""
    other = build_other_county(county)
    user, unit, office, region = other.users.office, other.unit, other.office, other.county
    db.session.commit()
    case = warning_case(county, unit, "XF-01")
    with at("2026-03-11"):
        interview_round = convene_round(user, held_at=at_local("2026-03-12 14:30"), venue="义乌警示教育站",
                                        convened_by=office, departments=[], cases=[case])
    db.session.commit()
    return SimpleNamespace(county=region, unit=unit, case=case, round=interview_round, office=office)


def at_local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TZ)


# -- who may open the pages ----------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["east", "inspector", "fire", "viewer"])
def test_other_roles_are_refused_every_office_page(login, county, username):
    case = reminder_case(county, county.units.shop, "XF-01")
    client = login(username)
    for path in [*OFFICE_PAGES, f"/office/cases/{case.id}", "/office/reminders.pdf"]:
        assert client.get(path).status_code == 403, path


def test_a_visitor_is_sent_to_the_login_page(client, county):
    response = client.get("/office")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("username", ["office", "root"])
def test_the_county_office_and_the_admin_open_every_page(login, county, username):
    case = warning_case(county, county.units.shop, "XF-01")
    with at("2026-03-12"):
        client = login(username)
        for path in [*OFFICE_PAGES, f"/office/cases/{case.id}"]:
            response = client.get(path)
            assert response.status_code == 200, path
            assert "<html lang=\"zh-CN\">" in text_of(response)


def test_another_countys_case_and_round_are_refused(login, county, other_county):
    with at("2026-03-12"):
        client = login("office")
        assert client.get(f"/office/cases/{other_county.case.id}").status_code == 403
        assert client.get(f"/office/rounds/{other_county.round.id}").status_code == 403
        assert client.get(f"/office/rounds/{other_county.round.id}/summonses.pdf").status_code == 403
        refused = client.post(f"/office/cases/{other_county.case.id}/withdraw", data={"reason": "录入错误"})
        assert refused.status_code == 403
        assert db.session.get(Case, other_county.case.id).is_open
        workbench = text_of(client.get("/office"))
        rounds = text_of(client.get("/office/rounds"))
        assert "义乌小商品店" not in workbench and "义乌警示教育站" not in rounds
        # …and the other county's office sees its own, the admin sees both
        yiwu = login("yiwu")
        assert "义乌小商品店" in text_of(yiwu.get("/office"))
        assert yiwu.get(f"/office/cases/{other_county.case.id}").status_code == 200
        assert "义乌警示教育站" in text_of(login("root").get("/office/rounds"))
        assert login("root").get(f"/office/rounds/{other_county.round.id}").status_code == 200


def test_another_countys_round_is_not_changed_by_this_county_and_rounds_are_the_countys(county, other_county):
    office = county.users.office
    with at("2026-03-12"):
        with pytest.raises(Forbidden):
            set_participants(office, other_county.round, 999)
        with pytest.raises(Forbidden):
            record_attendance(office, other_county.round, other_county.case, attended=True, attendee_name="张三")
        db.session.rollback()
        interview_round = db.session.get(InterviewRound, other_county.round.id)
        assert interview_round.participants == 0 and interview_round.summonses[0].attended is None
        case = warning_case(county, county.units.shop, "XF-01")
        with pytest.raises(InvalidInput) as refused:  # a township office does not convene rounds
            convene_round(office, held_at=at_local("2026-03-20 14:30"), venue="兰江街道会议室",
                          convened_by=county.east_office, departments=[], cases=[case])
        assert refused.value.field == "convened_by"


# -- the workbench -------------------------------------------------------------------------------------

def test_the_workbench_counts_cases_by_stage_and_lists_what_is_due(login, county):
    warning = warning_case(county, county.units.shop, "YD-01")
    reminder_case(county, county.units.market, "XF-02", day="2026-03-05")  # due 03-15
    with at("2026-03-16"):
        client = login("office")
        page = text_of(client.get("/office"))
    assert re.search(r"<strong>2</strong><span>进行中</span>", page)
    assert re.search(r"<strong>1</strong><span>二次警示</span>", page)
    # what is due today: the market's reminder has passed its deadline, the shop awaits its summons
    assert "待复查" in page and "待约谈" in page and "柏社农贸市场" in page
    assert f"/office/cases/{warning.id}" in page


def case_list(client, path: str) -> str:
    """The workbench's case list (below today's lists, which are never filtered)."""
    return text_of(client.get(path)).split('id="cases"', 1)[1]


def test_the_workbench_filters_by_stage_township_overdue_and_search(login, county):
    warning_case(county, county.units.shop, "YD-01")
    reminder_case(county, county.units.factory, "XF-02", day="2026-03-12")
    with at("2026-03-13"):
        client = login("office")
        assert "马涧五金加工厂" not in case_list(client, "/office?stage=warning")
        assert "某电子商务商行" in case_list(client, "/office?stage=warning")
        assert "某电子商务商行" not in case_list(client, f"/office?township={county.west.id}")
        assert "马涧五金加工厂" in case_list(client, f"/office?township={county.west.id}")
        assert "马涧五金加工厂" not in case_list(client, "/office?q=电子商务")
        assert "没有符合条件的案件" in case_list(client, "/office?stage=closed")
        # the shop's re-inspection found its finding unrectified after the 5-day deadline: it is overdue
        overdue = case_list(client, "/office?overdue=1")
        assert "某电子商务商行" in overdue and "马涧五金加工厂" not in overdue


def test_the_case_list_exports_every_filtered_row_to_xlsx(login, county):
    warning_case(county, county.units.shop, "YD-01")
    reminder_case(county, county.units.factory, "XF-02", day="2026-03-12")
    with at("2026-03-13"):
        client = login("office")
        response = client.get("/office?stage=warning&format=xlsx")
    assert response.status_code == 200 and response.mimetype == XLSX
    sheet = load_workbook(BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("案件编号", "单位", "统一社会信用代码")
    assert [row[1] for row in rows[1:]] == ["某电子商务商行"]
    assert rows[1][5] == "二次警示"


def test_each_due_list_pages_filters_and_exports(login, county):
    reminder_case(county, county.units.shop, "YD-01")  # due 03-07
    with at("2026-03-09"):
        client = login("office")
        due = text_of(client.get("/office/today/reinspections_due"))
        overdue = text_of(client.get("/office/today/overdue_findings"))
        assert "某电子商务商行" not in text_of(client.get("/office/today/reinspections_due?q=农贸"))
        export = client.get("/office/today/overdue_findings?format=xlsx")
        assert client.get("/office/today/nothing").status_code == 404
    assert "某电子商务商行" in due and "配电箱接线混乱裸露" in overdue and "已逾期2天" in overdue
    rows = list(load_workbook(BytesIO(export.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("问题编号", "案件编号", "单位") and rows[1][2] == "某电子商务商行"
    assert rows[1][-1] == 2  # days overdue


def test_the_days_reminders_print_as_one_pdf(login, county):
    reminder_case(county, county.units.shop, "YD-01")
    reminder_case(county, county.units.market, "XF-01")
    client = login("office")
    response = client.get("/office/reminders.pdf?day=2026-03-02")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert len(PdfReader(BytesIO(response.data)).pages) >= 2
    empty = client.get("/office/reminders.pdf?day=2026-03-03", follow_redirects=True)
    assert "2026-03-03没有签发有效的整改提醒通知书" in text_of(empty)
    bad = client.get("/office/reminders.pdf?day=not-a-day", follow_redirects=True)
    assert "日期应为有效日期" in text_of(bad)


# -- interview rounds ----------------------------------------------------------------------------------

def test_a_round_summons_the_chosen_cases_and_prints_all_summonses_as_one_pdf(login, county):
    shop = warning_case(county, county.units.shop, "YD-01")
    market = warning_case(county, county.units.market, "SP-01")
    with at("2026-03-11"):
        client = login("office")
        page = text_of(client.get("/office/rounds/new"))
        assert "某电子商务商行" in page and "柏社农贸市场" in page
        assert 'id="venue_address"' in page
        response = client.post("/office/rounds/new", data={
            "held_at": "2026-03-13T14:30", "venue": "兰溪市平安警示教育站", "venue_address": "兰溪市丹溪大道1号",
            "departments": [str(county.fire.id), str(county.market.id)],
            "case_ids": [str(shop.id), str(market.id)], "participants": ""})
    assert response.status_code == 302
    interview_round = db.session.scalar(select(InterviewRound))
    assert interview_round.venue_address == "兰溪市丹溪大道1号"
    assert response.headers["Location"].endswith(f"/office/rounds/{interview_round.id}")
    assert {summons.case_id for summons in interview_round.summonses} == {shop.id, market.id}
    assert {department.code for department in interview_round.departments} == {"LX-XF", "LX-SCJG"}
    with at("2026-03-11"):
        round_page = text_of(client.get(f"/office/rounds/{interview_round.id}"))
        pdf = client.get(f"/office/rounds/{interview_round.id}/summonses.pdf")
        listed = text_of(client.get("/office/rounds"))
    assert "2026年第1轮" in round_page and "兰平安约〔2026〕1号" in round_page
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    notices = db.session.scalars(select(Document).where(Document.kind == DocumentKind.summons)).all()
    assert len(notices) == 2  # one notice per summoned unit, all of them in the printout
    assert len(PdfReader(BytesIO(pdf.data)).pages) == sum(len(PdfReader(BytesIO(notice.pdf)).pages)
                                                          for notice in notices)
    assert "兰溪市平安警示教育站" in listed
    # a case already summoned (attendance not yet recorded) is no longer a candidate
    with at("2026-03-11"):
        again = text_of(client.get("/office/rounds/new"))
    assert "当前没有待约谈的案件" in again
    assert 'value="兰溪市丹溪大道1号"' in again  # the next round is offered the same station's address
    assert "兰溪市丹溪大道1号" in round_page


def test_a_refused_round_shows_the_message_and_creates_nothing(login, county):
    case = warning_case(county, county.units.shop, "YD-01")
    reminder = reminder_case(county, county.units.market, "XF-01")
    with at("2026-03-11"):
        client = login("office")
        for form, message in [
            ({"held_at": "2026-03-13T14:30", "venue": "", "case_ids": [str(case.id)]}, "请填写约谈地点"),
            ({"held_at": "2026-03-13T14:30", "venue": "教育站"}, "请至少选择一个约谈对象"),
            ({"held_at": "明天", "venue": "教育站", "case_ids": [str(case.id)]}, "请填写有效的约谈时间"),
            ({"held_at": "2026-03-13T14:30", "venue": "教育站", "case_ids": [str(reminder.id)]},
             "所选案件已不在待约谈名单中"),
            ({"held_at": "2026-03-13T14:30", "venue": "教育站", "case_ids": [str(case.id)],
              "departments": ["99999"]}, "参加部门须为召集单位所在县"),
        ]:
            response = client.post("/office/rounds/new", data=form)
            assert response.status_code == 400, form
            assert message in text_of(response), form
    assert count(InterviewRound) == 0 and count(Summons) == 0
    assert count(Document) == 2  # only the two reminders


def test_attendance_and_participants_are_recorded_on_the_round_page(login, county):
    case = warning_case(county, county.units.shop, "YD-01")
    with at("2026-03-11"):
        client = login("office")
        client.post("/office/rounds/new", data={"held_at": "2026-03-13T14:30", "venue": "教育站",
                                                "case_ids": [str(case.id)]})
    interview_round = db.session.scalar(select(InterviewRound))
    path = f"/office/rounds/{interview_round.id}"
    with at("2026-03-13", 16):
        refused = client.post(f"{path}/attendance", data={"case_id": case.id, "attended": "yes"})
        assert refused.status_code == 400 and "请填写到场人员姓名" in text_of(refused)
        assert db.session.scalar(select(Summons.attended)) is None
        done = client.post(f"{path}/attendance", data={"case_id": case.id, "attended": "yes",
                                                       "attendee_name": "张三", "attendee_title": "负责人"})
        assert done.status_code == 302
        bad = client.post(f"{path}/participants", data={"participants": "很多"})
        assert bad.status_code == 400 and "参加人次应为0至100000的整数" in text_of(bad)
        assert client.post(f"{path}/participants", data={"participants": "18"}).status_code == 302
        unknown = client.post(f"{path}/attendance", data={"case_id": 999999, "attended": "no"})
        assert unknown.status_code == 404
        sheet = client.get(f"{path}?format=xlsx")
    summons = db.session.scalar(select(Summons))
    db.session.refresh(summons)
    assert summons.attended is True and summons.attendee_name == "张三"
    assert db.session.get(InterviewRound, interview_round.id).participants == 18
    rows = list(load_workbook(BytesIO(sheet.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][-1] == "签字" and rows[1][1] == "某电子商务商行" and rows[1][6] == "到场"


def test_attendance_is_recorded_from_a_searched_list_and_the_list_comes_back_searched(login, county):
    case = warning_case(county, county.units.shop, "YD-01")
    with at("2026-03-11"):
        client = login("office")
        client.post("/office/rounds/new", data={"held_at": "2026-03-13T14:30", "venue": "教育站",
                                                "case_ids": [str(case.id)]})
    path = f"/office/rounds/{db.session.scalar(select(InterviewRound.id))}"
    with at("2026-03-13", 16):
        page = text_of(client.get(f"{path}?q=电子商务"))
        action = re.search(r'action="([^"]*/attendance[^"]*)"', page).group(1).replace("&amp;", "&")
        assert "page=1" in action and "q=" in action  # a refused form is shown again on its own page
        refused = client.post(action, data={"case_id": case.id, "attended": "yes"})
        assert refused.status_code == 400 and 'value="电子商务"' in text_of(refused)
        done = client.post(action, data={"case_id": case.id, "attended": "no"})
    assert done.status_code == 302 and "q=" in done.location and "page=1" in done.location


def test_rounds_list_searches_filters_by_year_and_exports(login, county):
    case = warning_case(county, county.units.shop, "YD-01")
    with at("2026-03-11"):
        client = login("office")
        client.post("/office/rounds/new", data={"held_at": "2026-03-13T14:30", "venue": "兰江教育站",
                                                "case_ids": [str(case.id)]})
        assert "兰江教育站" in text_of(client.get("/office/rounds?q=电子商务"))
        assert "兰江教育站" not in text_of(client.get("/office/rounds?q=农贸"))
        assert "兰江教育站" not in text_of(client.get("/office/rounds?year=2025"))
        export = client.get("/office/rounds?format=xlsx")
    rows = list(load_workbook(BytesIO(export.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == "2026年第1轮" and rows[1][2] == "兰江教育站" and rows[1][5] == 1


# -- the case page: 交办单, escalation, withdrawal, enforcement, documents -------------------------------

def test_the_case_page_makes_no_more_queries_for_five_findings_than_for_one(login, county):
    small = warning_case(county, county.units.shop, "XF-01")
    large = warning_case(county, county.units.market, "XF-01", "XF-02", "YD-01", "SP-01", "SC-01",
                         reinspected="2026-03-13")
    statements = []

    def record(connection, cursor, statement, *arguments):
        statements.append(statement)

    counts = []
    for case in (small, large):
        with at("2026-03-12"):
            client = login("office")
            event.listen(db.engine, "before_cursor_execute", record)
            try:
                assert client.get(f"/office/cases/{case.id}").status_code == 200
            finally:
                event.remove(db.engine, "before_cursor_execute", record)
        counts.append(len(statements))
        statements.clear()
    # Not more (objects the test's session holds already may spare the second page a query or two).
    assert counts[1] <= counts[0], counts


def test_issuing_a_jiaobandan_from_the_case_page(login, county):
    case = warning_case(county, county.units.shop, "XF-01", "YD-01")
    with at("2026-03-11"):
        client = login("office")
        page = text_of(client.get(f"/office/cases/{case.id}"))
        assert "签发交办单" in page
        refused = client.post(f"/office/cases/{case.id}/assignments", data={"regulator": ""})
        assert refused.status_code == 400 and "请选择行业主管部门" in text_of(refused)
        wrong = client.post(f"/office/cases/{case.id}/assignments", data={"regulator": county.market.id})
        assert wrong.status_code == 400 and "该案件没有属于该部门行业的未销号问题" in text_of(wrong)
        assert count(Assignment) == 0
        done = client.post(f"/office/cases/{case.id}/assignments",
                           data={"regulator": county.fire.id, "deadline": "2026-03-25"})
    assert done.status_code == 302
    assignment = db.session.scalar(select(Assignment))
    assert assignment.regulator_id == county.fire.id and assignment.territorial_id == county.east_office.id
    assert [finding.hazard_type.code for finding in assignment.findings] == ["XF-01"]
    assert str(assignment.deadline) == "2026-03-25"
    assert db.session.scalar(select(func.count(Document.id)).where(Document.kind == DocumentKind.assignment)) == 1


def test_a_jiaobandan_is_refused_at_the_reminder_stage(login, county):
    case = reminder_case(county, county.units.shop, "XF-01")
    response = login("office").post(f"/office/cases/{case.id}/assignments", data={"regulator": county.fire.id})
    assert response.status_code == 409  # as in the API: the loop does not allow it now
    assert "不在二次警示或三次执法阶段，不能交办" in text_of(response)
    assert count(Assignment) == 0


def test_escalation_needs_a_reason_and_moves_the_case(login, county):
    case = reminder_case(county, county.units.shop, "XF-01")
    client = login("office")
    refused = client.post(f"/office/cases/{case.id}/escalate", data={"to_stage": "warning", "reason": " "})
    assert refused.status_code == 400 and "请填写理由" in text_of(refused)
    assert db.session.get(Case, case.id).stage == Stage.reminder
    done = client.post(f"/office/cases/{case.id}/escalate",
                       data={"to_stage": "enforcement", "reason": "存在重大隐患，拒不整改"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).stage == Stage.enforcement
    referral = db.session.scalar(select(Document).where(Document.kind == DocumentKind.referral))
    assert referral is not None and referral.case_id == case.id
    again = client.post(f"/office/cases/{case.id}/escalate", data={"to_stage": "enforcement", "reason": "再次"})
    assert again.status_code == 409 and "不能“提级进入三次执法”" in text_of(again)


def test_withdrawal_needs_a_reason_and_closes_the_case(login, county):
    case = reminder_case(county, county.units.shop, "XF-01")
    client = login("office")
    refused = client.post(f"/office/cases/{case.id}/withdraw", data={"reason": ""})
    assert refused.status_code == 400 and "请填写理由" in text_of(refused)
    assert db.session.get(Case, case.id).is_open
    assert client.post(f"/office/cases/{case.id}/withdraw", data={"reason": "录入错误"}).status_code == 302
    db.session.expire_all()
    closed = db.session.get(Case, case.id)
    assert closed.status == CaseStatus.closed and closed.outcome == Outcome.withdrawn
    assert "录入错误" in text_of(client.get(f"/office/cases/{case.id}"))


def test_enforcement_is_recorded_and_a_shutdown_closes_the_case(login, county):
    case = warning_case(county, county.units.shop, "YD-01")
    client = login("office")
    client.post(f"/office/cases/{case.id}/escalate", data={"to_stage": "enforcement", "reason": "缺席约谈"})
    path = f"/office/cases/{case.id}/enforcement"
    for form, message in [({"action": "fine", "departments": [str(county.emergency.id)]}, "罚款须填写大于零的金额"),
                          ({"action": "fine", "departments": [str(county.emergency.id)], "amount": "1.234"},
                           "金额应为不超过两位小数的数字"),
                          ({"action": "joint_enforcement"}, "请选择执法部门"),
                          ({"action": "arrest", "departments": [str(county.fire.id)]}, "请选择执法措施")]:
        response = client.post(path, data=form)
        assert response.status_code == 400 and message in text_of(response), form
    assert count(EnforcementAction) == 0
    assert client.post(path, data={"action": "fine", "departments": [str(county.emergency.id)],
                                   "amount": "5000", "decision_no": "兰应急罚〔2026〕3号"}).status_code == 302
    assert client.post(path, data={"action": "shutdown", "departments": [str(county.emergency.id),
                                                                         str(county.office.id)]}).status_code == 302
    db.session.expire_all()
    closed = db.session.get(Case, case.id)
    assert closed.outcome == Outcome.shut_down and closed.unit.status == UnitStatus.shut_down
    page = text_of(client.get(f"/office/cases/{case.id}"))
    assert "兰应急罚〔2026〕3号" in page and "5000.00 元" in page


def test_a_document_is_revoked_or_reissued_with_a_reason(login, county):
    case = reminder_case(county, county.units.shop, "XF-01")
    reminder = db.session.scalar(select(Document))
    client = login("office")
    refused = client.post(f"/office/documents/{reminder.id}/reissue", data={"reason": ""})
    assert refused.status_code == 400 and "请填写重新签发的理由" in text_of(refused)
    assert count(Document) == 1
    assert client.post(f"/office/documents/{reminder.id}/reissue", data={"reason": "送达地址有误"}).status_code == 302
    new = db.session.scalar(select(Document).where(Document.version == 2))
    assert new.number == reminder.number
    assert client.post(f"/office/documents/{new.id}/revoke", data={"reason": "误发"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Document, new.id).status == DocumentStatus.revoked
    page = text_of(client.get(f"/office/cases/{case.id}"))
    assert f"/documents/{new.id}.pdf" in page and "作废理由" in page


@pytest.mark.parametrize("username", ["east", "fire", "inspector", "viewer"])
def test_other_roles_cannot_post_any_office_form(login, county, username):
    case = warning_case(county, county.units.shop, "XF-01")
    document = db.session.scalar(select(Document))
    client = login(username)
    for path, form in [(f"/office/cases/{case.id}/escalate", {"to_stage": "enforcement", "reason": "x"}),
                       (f"/office/cases/{case.id}/withdraw", {"reason": "x"}),
                       (f"/office/cases/{case.id}/assignments", {"regulator": county.fire.id}),
                       (f"/office/cases/{case.id}/enforcement", {"action": "fine"}),
                       (f"/office/documents/{document.id}/revoke", {"reason": "x"}),
                       ("/office/rounds/new", {"held_at": "2026-03-13T14:30", "venue": "x",
                                               "case_ids": [str(case.id)]})]:
        assert client.post(path, data=form).status_code == 403, path
    db.session.expire_all()
    assert db.session.get(Case, case.id).stage == Stage.warning
    assert count(InterviewRound) == 0 and count(Assignment) == 0
    assert db.session.get(Document, document.id).status == DocumentStatus.valid


# -- CSRF --------------------------------------------------------------------------------------------

def test_an_office_form_without_its_csrf_token_is_refused_and_changes_nothing(strict_app, county):
    case = reminder_case(county, county.units.shop, "XF-01")
    client = strict_login(strict_app, "office")
    path = f"/office/cases/{case.id}/withdraw"
    refused = client.post(path, data={"reason": "录入错误"})
    assert refused.status_code == 400 and "CSRF" in text_of(refused)
    forged = client.post(path, data={"reason": "录入错误", "csrf_token": "forged"})
    assert forged.status_code == 400
    db.session.expire_all()
    assert db.session.get(Case, case.id).is_open
    token = csrf_token_of(client.get(f"/office/cases/{case.id}"))
    assert client.post(path, data={"reason": "录入错误", "csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(Case, case.id).is_open
