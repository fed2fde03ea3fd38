"""POST /cases/{id}/referral-feedback and the feedback on GET /cases/{id}; attendance before the round's time."""

import pytest
from sqlalchemy import event

from tests.api.client import ok


@pytest.fixture(autouse=True)
def quick_letters(monkeypatch):
    """The answers are under test, not typesetting: notices get a stand-in PDF."""
    monkeypatch.setattr("inspect_loop.letters.issuing.render_letter", lambda kind, context: b"%PDF-1.7 stand-in")


def refused(response, status, field=None, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    if field:
        assert error["field"] == field, error
    if code:
        assert error["code"] == code, error
    return error


@pytest.fixture
def referred_case(api, county):
    """A case with a fire hazard and a production hazard, escalated to 三次执法 on Friday 2026-04-10."""
    body = ok(api.post("/inspections", "inspector", day="2026-04-08", json={
        "unit_id": county.units.shop.id, "kind": "unannounced",
        "findings": [{"hazard_code": "XF-01"}, {"hazard_code": "SC-01"}]}), 201)
    case_id = body["case"]["id"]
    ok(api.post(f"/cases/{case_id}/escalate", "office", day="2026-04-10",
                json={"reason": "存在重大隐患且拒不整改", "to_stage": "enforcement"}))
    return case_id


def test_the_case_shows_each_regulator_s_feedback_due_and_then_given(api, referred_case):
    asked = ok(api.get(f"/cases/{referred_case}", "office", day="2026-05-07"))["referral_feedback"]
    assert [(row["department_code"], row["due_on"], row["overdue"], row["recorded"]) for row in asked] == [
        ("LX-XF", "2026-05-06", True, False), ("LX-YJ", "2026-05-06", True, False)]
    assert asked[0]["referral_number"] == "兰平安执〔2026〕1号"

    given = ok(api.post(f"/cases/{referred_case}/referral-feedback", "fire", day="2026-05-07", json={
        "action_taken": "已立案调查，罚款五千元", "done_on": "2026-05-06", "reply_number": "兰消罚〔2026〕8号"}), 201)
    assert (given["department_code"], given["recorded"], given["overdue"], given["recorded_by"]) == (
        "LX-XF", True, False, "fire")
    shown = ok(api.get(f"/cases/{referred_case}", "fire", day="2026-05-07"))["referral_feedback"]
    assert shown[0]["action_taken"] == "已立案调查，罚款五千元" and shown[0]["reply_number"] == "兰消罚〔2026〕8号"
    assert shown[1]["overdue"] and not shown[1]["recorded"]
    assert ok(api.get(f"/cases/{referred_case}", "office", day="2026-05-07"))["events"][-1]["action"] == (
        "referral.feedback")


def test_the_county_office_names_the_regulator_it_records_for(api, referred_case):
    refused(api.post(f"/cases/{referred_case}/referral-feedback", "office", day="2026-04-20",
                     json={"action_taken": "已处理", "done_on": "2026-04-20"}), 400, field="department_code")
    refused(api.post(f"/cases/{referred_case}/referral-feedback", "office", day="2026-04-20",
                     json={"department_code": "NOPE", "action_taken": "已处理", "done_on": "2026-04-20"}),
            404, field="department_code")
    refused(api.post(f"/cases/{referred_case}/referral-feedback", "office", day="2026-04-20",
                     json={"department_code": "LX-SCJG", "action_taken": "已处理", "done_on": "2026-04-20"}),
            404, field="department")
    ok(api.post(f"/cases/{referred_case}/referral-feedback", "office", day="2026-04-20",
                json={"department_code": "LX-YJ", "action_taken": "已责令停产整顿", "done_on": "2026-04-20"}), 201)
    again = refused(api.post(f"/cases/{referred_case}/referral-feedback", "emergency", day="2026-04-21",
                             json={"action_taken": "已处理", "done_on": "2026-04-21"}), 409, code="conflict")
    assert again["current"]["recorded"] and "不能重复登记" in again["message"]


@pytest.mark.parametrize(("body", "field"), [
    ({"action_taken": "", "done_on": "2026-04-20"}, "action_taken"),
    ({"action_taken": "已处理"}, "done_on"),
    ({"action_taken": "已处理", "done_on": "2026-04-21"}, "done_on"),
    ({"action_taken": "已处理", "done_on": "2026-04-20", "reply_number": "号" * 61}, "reply_number"),
    ({"action_taken": "已处理", "done_on": "2026-04-20", "extra": 1}, "extra"),
])
def test_bad_feedback_is_400_naming_the_field(api, referred_case, body, field):
    refused(api.post(f"/cases/{referred_case}/referral-feedback", "fire", day="2026-04-20", json=body), 400,
            field=field)


def test_a_regulator_answers_only_for_itself(api, referred_case):
    refused(api.post(f"/cases/{referred_case}/referral-feedback", "fire", day="2026-04-20",
                     json={"department_code": "LX-YJ", "action_taken": "已处理", "done_on": "2026-04-20"}), 403)


def test_attendance_before_the_round_s_time_is_409_and_after_it_200(api, county):
    body = ok(api.post("/inspections", "inspector", day="2026-03-02", json={
        "unit_id": county.units.shop.id, "kind": "unannounced", "findings": [{"hazard_code": "XF-01"}]}), 201)
    case_id = body["case"]["id"]
    ok(api.post(f"/cases/{case_id}/escalate", "office", day="2026-03-03", json={"reason": "重大隐患"}))
    round_id = ok(api.post("/interview-rounds", "office", day="2026-03-19", json={
        "held_at": "2026-03-20T14:30:00+08:00", "venue": "兰溪市平安警示教育站", "convened_by": "LX-PAB",
        "departments": ["LX-XF"], "case_ids": [case_id]}), 201)["id"]
    attendance = {"case_id": case_id, "attended": True, "attendee_name": "李四"}
    early = refused(api.post(f"/interview-rounds/{round_id}/attendance", "office", day="2026-03-20", hour=14,
                             json=attendance), 409, code="conflict")
    assert "约谈尚未开始（2026-03-20 14:30）" in early["message"]
    assert early["current"]["held_at"] == "2026-03-20T14:30:00+08:00"
    assert ok(api.post(f"/interview-rounds/{round_id}/attendance", "office", day="2026-03-20", hour=15,
                       json=attendance))["attended"] is True


def test_a_page_s_feedback_is_checked_for_overdue_in_one_query_not_one_per_row(api, referred_case, database):
    unit_id = ok(api.get(f"/cases/{referred_case}", "office", day="2026-05-07"))["unit_id"]
    overdue_checks = []

    def record(connection, cursor, statement, *arguments):
        if "referral_feedback.recorded_at IS NULL" in statement:
            overdue_checks.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        page = ok(api.get(f"/cases?unit_id={unit_id}", "office", day="2026-05-07"))
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    assert [row["overdue"] for row in page["items"][0]["referral_feedback"]] == [True, True]
    assert len(overdue_checks) == 1
