"""Interview outcomes through the API: the minutes of an attended interview, its signed pledge, and education
sessions recorded, corrected, listed and counted in 教育人次."""

from datetime import datetime

from inspect_loop.clock import LOCAL_TZ
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.interviews.operations import convene_round, record_attendance
from tests.api.client import ok, refused
from tests.api.test_rectification_photos import uploaded_by
from tests.factories import inspect
from tests.helpers import at


def attended_round(county, database):
    with at("2026-03-02"):
        finding = inspect(county, county.units.shop, "XF-01").findings[0]
    with at("2026-03-12", 14):
        inspect(county, county.units.shop, kind=InspectionKind.reinspection, verified=[(finding, False)])
    with at("2026-03-16"):
        held = convene_round(county.users.office, held_at=datetime(2026, 3, 19, 14, 30, tzinfo=LOCAL_TZ),
                             venue="平安警示教育站", convened_by=county.office, departments=[county.fire],
                             cases=[finding.case], participants=10)
    with at("2026-03-19", 16):
        record_attendance(county.users.office, held, finding.case, attended=True, attendee_name="张三")
    database.session.commit()
    return held.id, finding.case_id


def test_the_minutes_are_recorded_once_and_corrected_with_a_reason(api, county, database):
    round_id, case_id = attended_round(county, database)
    path = f"/interview-rounds/{round_id}/minutes"
    refused(api.post(path, "office", day="2026-03-19", json={"case_id": case_id, "minutes": " "}), 400, field="minutes")
    refused(api.post(path, "east", day="2026-03-19", json={"case_id": case_id, "minutes": "承诺"}), 403)
    summons = ok(api.post(path, "office", day="2026-03-19", json={"case_id": case_id, "minutes": "承诺签订责任书"}))
    assert summons["minutes"] == "承诺签订责任书" and summons["minutes_recorded_at"].startswith("2026-03-19")
    refused(api.post(path, "office", day="2026-03-20", json={"case_id": case_id, "minutes": "另写"}), 409,
            field="reason")
    corrected = ok(api.post(path, "office", day="2026-03-20",
                            json={"case_id": case_id, "minutes": "承诺签订责任书、每周自查", "reason": "漏记"}))
    assert corrected["minutes"] == "承诺签订责任书、每周自查"
    listed = ok(api.get(f"/interview-rounds/{round_id}", "office"))["summonses"][0]
    assert listed["minutes"] == "承诺签订责任书、每周自查"


def test_the_pledges_pages_are_the_senders_own_uploads(api, county, database):
    round_id, case_id = attended_round(county, database)
    with at("2026-03-19", 17):
        own, foreign = uploaded_by(county.users.office), uploaded_by(county.users.inspector)
        database.session.commit()
    path = f"/interview-rounds/{round_id}/commitments"
    refused(api.post(path, "office", day="2026-03-19", json={"case_id": case_id, "photos": [foreign.id]}), 404,
            field="photos.0")
    refused(api.post(path, "office", day="2026-03-19", json={"case_id": case_id, "photos": []}), 400)
    summons = ok(api.post(path, "office", day="2026-03-19", json={"case_id": case_id, "photos": [own.id]}))
    assert summons["commitment_photo_ids"] == [own.id]
    refused(api.post(path, "office", day="2026-03-19", json={"case_id": case_id, "photos": [own.id]}), 409,
            field="photos.0")  # already kept with the summons


def test_sessions_are_recorded_corrected_listed_and_counted(api, county, database):
    refused(api.post("/training-sessions", "office", day="2026-04-02", json={
        "held_on": "2026-04-03", "kind": "voluntary", "topic": "消防培训", "person_times": 30}), 400, field="held_on")
    refused(api.post("/training-sessions", "viewer", day="2026-04-02", json={
        "held_on": "2026-04-02", "kind": "voluntary", "topic": "消防培训", "person_times": 30}), 403)
    refused(api.post("/training-sessions", "admin", day="2026-04-02", json={
        "held_on": "2026-04-02", "kind": "voluntary", "topic": "消防培训", "person_times": 30}), 400,
        field="county_code")  # the administrator belongs to no county: it names one
    voluntary = ok(api.post("/training-sessions", "office", day="2026-04-02", json={
        "held_on": "2026-04-02", "kind": "voluntary", "topic": "消防安全知识培训", "person_times": 45,
        "organiser": "兰溪市实验小学", "township_code": "330781001"}), 201)
    assert (voluntary["county_code"], voluntary["township_code"]) == ("330781", "330781001")
    stream = ok(api.post("/training-sessions", "office", day="2026-04-10", json={
        "held_on": "2026-04-10", "kind": "live_stream", "topic": "燃气安全直播", "person_times": 600}), 201)
    changed = ok(api.request("PUT", f"/training-sessions/{stream['id']}", "office", day="2026-04-11", json={
        "held_on": "2026-04-10", "kind": "live_stream", "topic": "燃气安全直播", "person_times": 650}))
    assert changed["person_times"] == 650 and changed["updated_at"].startswith("2026-04-11")
    listed = ok(api.get("/training-sessions", "office", query={"kind": "live_stream"}))
    assert [item["id"] for item in listed["items"]] == [stream["id"]]
    both = ok(api.get("/training-sessions", "office", query={"from": "2026-04-01", "to": "2026-04-30"}))
    assert [item["id"] for item in both["items"]] == [stream["id"], voluntary["id"]]  # the latest first
    figures = ok(api.get("/stats/summary", "viewer", query={"from": "2026-04-01", "to": "2026-04-30"},
                         day="2026-05-01"))
    assert figures["education_person_times"] == 45 + 650


def test_an_unknown_session_is_a_404_naming_it(api, county, database):
    error = refused(api.get("/training-sessions/999999", "office"), 404, field="session_id")
    assert "警示教育活动 999999" in error["message"]
    refused(api.request("PUT", "/training-sessions/999999", "office", json={
        "held_on": "2026-04-10", "kind": "live_stream", "topic": "燃气安全直播", "person_times": 650}), 404,
        field="session_id")
