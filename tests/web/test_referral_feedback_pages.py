"""The county office's pages for the 执法建议书's feedback — its date and the regulators' answers on the case page,
a form to record an answer on a regulator's behalf, the overdue ones on the workbench with an Excel export —
and the round page refusing attendance before the round's time."""

import html
from datetime import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from inspect_loop.cases import ladder
from inspect_loop.cases.models import Stage
from inspect_loop.clock import LOCAL_TZ
from inspect_loop.db import db
from inspect_loop.enforcement.models import ReferralFeedback
from inspect_loop.interviews.models import Summons
from inspect_loop.interviews.operations import convene_round
from tests.factories import build_other_county, inspect
from tests.helpers import at


@pytest.fixture(autouse=True)
def quick_letters(monkeypatch):
    monkeypatch.setattr("inspect_loop.letters.issuing.render_letter", lambda kind, context: b"%PDF-1.7 stand-in")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def referred(county):
    """Escalated to 三次执法 on Friday 2026-04-10: the fire brigade and the emergency bureau owe feedback by 5月6日."""
    with at("2026-04-08"):
        case = inspect(county, county.units.shop, "XF-01", "SC-01").findings[0].case
    with at("2026-04-10"):
        ladder.escalate(case, county.users.office, "存在重大隐患且拒不整改", to_stage=Stage.enforcement)
    db.session.commit()
    return case


def recorded() -> list[str]:
    return [row.department.code for row in db.session.scalars(select(ReferralFeedback)) if row.is_recorded]


def test_the_case_page_shows_the_feedback_date_and_records_an_answer_on_a_regulator_s_behalf(login, county,
                                                                                              referred):
    path = f"/office/cases/{referred.id}"
    with at("2026-05-07"):
        client = login("office")
        page = text_of(client.get(path))
        assert "执法建议书办理反馈" in page and "2026-05-06" in page and "已逾期1天" in page
        assert page.count("未反馈") == 2 and "代为登记办理反馈" in page
        form = {"department": str(county.fire.id), "action_taken": "已立案调查，罚款五千元", "done_on": "2026-05-06",
                "reply_number": "兰消罚〔2026〕8号"}
        empty = client.post(f"{path}/referral-feedback", data=form | {"action_taken": ""})
        assert empty.status_code == 400 and "请填写办理情况" in text_of(empty)
        future = client.post(f"{path}/referral-feedback", data=form | {"done_on": "2026-05-08"})
        assert future.status_code == 400 and "办理日期须在执法建议书签发之日" in text_of(future)
        nobody = client.post(f"{path}/referral-feedback", data=form | {"department": str(county.market.id)})
        assert nobody.status_code == 400 and "请选择给出反馈的行业主管部门" in text_of(nobody)
        assert recorded() == []
        done = client.post(f"{path}/referral-feedback", data=form)
        assert done.status_code == 302
        page = text_of(client.get(path))
    assert recorded() == ["LX-XF"]
    assert "已立案调查，罚款五千元" in page and "兰消罚〔2026〕8号" in page and page.count("未反馈") == 1
    assert "登记执法建议书办理反馈" in page  # the case's own record of it


def test_the_workbench_lists_overdue_feedback_and_exports_it(login, county, referred):
    with at("2026-05-06"):
        client = login("office")
        assert "执法建议书逾期未反馈" in text_of(client.get("/office"))
        assert "兰平安执〔2026〕1号" not in text_of(client.get("/office/today/overdue_feedback"))
    with at("2026-05-08"):
        home = text_of(client.get("/office"))
        listed = text_of(client.get("/office/today/overdue_feedback"))
        sheet = client.get("/office/today/overdue_feedback?format=xlsx")
    assert "兰溪市消防救援大队" in home and "已逾期2天" in home
    assert "兰平安执〔2026〕1号" in listed and "兰溪市应急管理局" in listed and "某电子商务商行" in listed
    rows = list(load_workbook(BytesIO(sheet.data)).worksheets[0].iter_rows(values_only=True))
    table = rows[[index for index, row in enumerate(rows) if row[0] == "执法建议书文号"][0]:]
    assert [(row[4], row[7]) for row in table[1:]] == [("兰溪市消防救援大队", 2), ("兰溪市应急管理局", 2)]


def test_another_county_s_office_sees_none_of_it(login, county, referred):
    other = build_other_county(county)
    db.session.commit()
    with at("2026-05-08"):
        client = login(other.users.office.username)
        assert "兰平安执〔2026〕1号" not in text_of(client.get("/office/today/overdue_feedback"))
        form = {"department": str(county.fire.id), "action_taken": "已处理", "done_on": "2026-05-08"}
        assert client.post(f"/office/cases/{referred.id}/referral-feedback", data=form).status_code == 403
    assert recorded() == []


def test_the_round_page_refuses_attendance_before_the_round_s_time(login, county):
    with at("2026-03-02"):
        case = inspect(county, county.units.shop, "XF-01").findings[0].case
    with at("2026-03-03"):
        ladder.escalate(case, county.users.office, "重大隐患", to_stage=Stage.warning)
    with at("2026-03-19"):
        interview_round = convene_round(county.users.office, held_at=datetime(2026, 3, 20, 14, 30, tzinfo=LOCAL_TZ),
                                        venue="警示教育站", convened_by=county.office, departments=[county.fire],
                                        cases=[case])
    db.session.commit()
    form = {"case_id": case.id, "attended": "yes", "attendee_name": "张三"}
    with at("2026-03-20", 9):
        client = login("office")
        early = client.post(f"/office/rounds/{interview_round.id}/attendance", data=form)
    assert early.status_code == 409 and "约谈尚未开始（2026-03-20 14:30），约谈开始后才能登记到场情况" in text_of(early)
    assert db.session.scalar(select(Summons.attended)) is None
    with at("2026-03-20", 15):
        assert client.post(f"/office/rounds/{interview_round.id}/attendance", data=form).status_code == 302
    assert db.session.scalar(select(Summons.attended)) is True


def test_the_regulator_sees_its_referrals_and_records_what_it_did(login, county, referred):
    with at("2026-05-07"):
        client = login("fire")
        page = text_of(client.get("/inbox/referrals"))
        assert "某电子商务商行" in page and "兰平安执〔2026〕1号" in page and "逾期未反馈" in page
        assert "2026-05-06" in page and "已逾期1天" in page
        assert "某电子商务商行" not in text_of(login("market").get("/inbox/referrals"))
        row = db.session.scalar(select(ReferralFeedback).where(ReferralFeedback.department_id == county.fire.id))
        other = db.session.scalar(select(ReferralFeedback).where(
            ReferralFeedback.department_id == county.emergency.id))
        form = {"action_taken": "已立案调查", "done_on": "2026-05-07", "reply_number": "兰消罚〔2026〕8号"}
        assert client.post(f"/inbox/referrals/{other.id}", data=form).status_code == 403
        empty = client.post(f"/inbox/referrals/{row.id}", data=form | {"done_on": ""})
        assert empty.status_code == 400 and "请填写办理日期" in text_of(empty)
        assert client.post(f"/inbox/referrals/{row.id}", data=form).status_code == 302
        again = client.post(f"/inbox/referrals/{row.id}", data=form)
        page = text_of(client.get("/inbox/referrals"))
    assert again.status_code == 409 and "不能重复登记" in text_of(again)
    assert recorded() == ["LX-XF"] and "已反馈" in page and "兰消罚〔2026〕8号" in page
    assert login("office").get("/inbox/referrals").status_code == 403


def test_in_english_the_refusals_speak_of_the_form_not_of_its_fields(login, county, referred):
    """The same refusals to an English reader: sentences about the form ("action_taken is required" was)."""
    path = f"/office/cases/{referred.id}"
    with at("2026-05-07"):
        client = login("office")
        client.get("/?lang=en")
        form = {"department": str(county.fire.id), "action_taken": "已立案调查", "done_on": "2026-05-06"}
        empty = client.post(f"{path}/referral-feedback", data=form | {"action_taken": ""})
        assert empty.status_code == 400 and "Describe what was done." in text_of(empty)
        future = client.post(f"{path}/referral-feedback", data=form | {"done_on": "2026-05-08"})
        assert ("The date of the action must be between the enforcement recommendation's issue date (2026-04-10) "
                "and today.") in text_of(future)
        nobody = client.post(f"{path}/referral-feedback", data=form | {"department": str(county.market.id)})
        assert "Choose the sector regulator whose feedback this is." in text_of(nobody)
