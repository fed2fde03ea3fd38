"""The county office's pages of interview outcomes: education sessions (list, new, correct, Excel), the minutes
form of an interview round and the upload of the unit's signed pledge; refusals show a message and change
nothing."""

from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from inspect_loop.clock import LOCAL_TZ
from inspect_loop.db import db
from inspect_loop.inspections.models import InspectionKind, Photo
from inspect_loop.interviews.models import Summons, TrainingKind, TrainingSession
from inspect_loop.interviews.operations import convene_round, record_attendance
from inspect_loop.interviews.training import TrainingFacts, record_training
from tests.factories import inspect
from tests.helpers import at
from tests.web.test_uploads import jpeg_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def session_count() -> int:
    return db.session.scalar(select(func.count(TrainingSession.id)))


@pytest.mark.parametrize("path", ["/office/training", "/office/training/new", "/office/training?format=xlsx"])
def test_only_the_county_office_and_the_administrator_open_the_pages(login, path):
    with at("2026-04-02"):
        for username in ("office", "root"):
            assert login(username).get(path).status_code == 200, username
        for username in ("east", "inspector", "fire", "viewer"):
            assert login(username).get(path).status_code == 403, username


def test_a_session_is_recorded_listed_corrected_and_exported(login, county):
    with at("2026-04-02", 18):
        office = login("office")
        response = office.post("/office/training/new", data={
            "held_on": "2026-04-02", "kind": "voluntary", "topic": "消防安全知识培训", "organiser": "兰溪市实验小学",
            "township": str(county.east.id), "person_times": "45"})
        assert response.status_code == 302 and response.headers["Location"].endswith("/office/training")
        office.post("/office/training/new", data={"held_on": "2026-03-28", "kind": "live_stream",
                                                  "topic": "燃气安全直播", "person_times": "600"})
        listing = office.get("/office/training").get_data(as_text=True)
        assert "消防安全知识培训" in listing and "兰江街道" in listing and "兰溪市本级" in listing
        assert "合计 645 人次" in listing
        streams = office.get("/office/training?kind=live_stream").get_data(as_text=True)
        assert "燃气安全直播" in streams and "消防安全知识培训" not in streams
        stream = db.session.scalar(select(TrainingSession).where(TrainingSession.kind == TrainingKind.live_stream))
        form = office.get(f"/office/training/{stream.id}/edit").get_data(as_text=True)
        assert 'value="燃气安全直播"' in form and 'value="600"' in form
        office.post(f"/office/training/{stream.id}/edit", data={"held_on": "2026-03-28", "kind": "live_stream",
                                                                "topic": "燃气安全直播", "person_times": "650"})
        download = office.get("/office/training?format=xlsx")
    db.session.expire_all()
    assert db.session.get(TrainingSession, stream.id).person_times == 650
    assert download.mimetype == XLSX
    rows = list(load_workbook(BytesIO(download.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("活动日期", "形式", "主题", "组织单位", "教育站", "人次")
    assert [row[1:] for row in rows[1:3]] == [("到站教育培训", "消防安全知识培训", "兰溪市实验小学", "兰江街道", 45),
                                             ("线上直播", "燃气安全直播", None, "兰溪市本级", 650)]


@pytest.mark.parametrize(("form", "message"), [
    ({"held_on": "", "kind": "voluntary", "topic": "培训", "person_times": "30"}, "请填写活动日期"),
    ({"held_on": "2026-04-03", "kind": "voluntary", "topic": "培训", "person_times": "30"}, "活动日期不能晚于今天"),
    ({"held_on": "2026-04-02", "kind": "", "topic": "培训", "person_times": "30"}, "请选择活动形式"),
    ({"held_on": "2026-04-02", "kind": "voluntary", "topic": " ", "person_times": "30"}, "请填写教育主题"),
    ({"held_on": "2026-04-02", "kind": "voluntary", "topic": "培训", "person_times": "三十"}, "人次应为1至"),
    ({"held_on": "2026-04-02", "kind": "voluntary", "topic": "培训", "person_times": "0"}, "人次应为1至"),
    ({"held_on": "2026-04-02", "kind": "voluntary", "topic": "培训", "person_times": "30", "township": "x"},
     "请重新选择乡镇（街道）"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_recorded(login, form, message):
    with at("2026-04-02", 18):
        response = login("office").post("/office/training/new", data=form)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert session_count() == 0


def test_another_role_changes_no_session(login, county):
    with at("2026-04-02", 18):
        session = record_training(county.users.office, county.county, TrainingFacts(
            held_on=date(2026, 4, 2), kind=TrainingKind.voluntary, topic="消防安全培训", person_times=30))
        db.session.commit()
        response = login("east").post(f"/office/training/{session.id}/edit", data={
            "held_on": "2026-04-02", "kind": "voluntary", "topic": "改", "person_times": "1"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).topic == "消防安全培训"


@pytest.fixture
def attended(county, database):
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
    return held, finding.case


def test_the_minutes_are_written_on_the_round_page_and_corrected_with_a_reason(login, attended):
    held, case = attended
    path = f"/office/rounds/{held.id}/minutes"
    with at("2026-03-19", 17):
        office = login("office")
        assert "填写约谈记录" in office.get(f"/office/rounds/{held.id}").get_data(as_text=True)
        refused = office.post(path, data={"case_id": str(case.id), "minutes": " "})
        assert refused.status_code == 400 and "请填写约谈记录" in refused.get_data(as_text=True)
        office.post(path, data={"case_id": str(case.id), "minutes": "负责人说明情况。\n承诺：与商户签订责任书。"})
        page = office.get(f"/office/rounds/{held.id}").get_data(as_text=True)
        assert "承诺：与商户签订责任书。" in page and "修改约谈记录" in page and "修改原因" in page
        refused = office.post(path, data={"case_id": str(case.id), "minutes": "另写一份"})
        assert refused.status_code == 409 and "修改须说明原因" in refused.get_data(as_text=True)
        office.post(path, data={"case_id": str(case.id), "minutes": "承诺：签订责任书，每周自查。", "reason": "漏记"})
        assert login("east").post(path, data={"case_id": str(case.id), "minutes": "乡镇改"}).status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(Summons.minutes)) == "承诺：签订责任书，每周自查。"


def test_the_signed_pledge_is_uploaded_on_the_round_page_and_listed_on_the_unit_page(login, attended):
    held, case = attended
    path = f"/office/rounds/{held.id}/commitments"
    with at("2026-03-19", 17):
        office = login("office")
        assert "上传签订的责任书（承诺书）" in office.get(f"/office/rounds/{held.id}").get_data(as_text=True)
        refused = office.post(path, data={"case_id": str(case.id)}, content_type="multipart/form-data")
        assert refused.status_code == 400 and "请上传责任书或承诺书的照片" in refused.get_data(as_text=True)
        not_an_image = office.post(path, data={"case_id": str(case.id),
                                               "photo_files": (BytesIO(b"%PDF-1.7 not a photo"), "pledge.pdf")},
                                   content_type="multipart/form-data")
        assert not_an_image.status_code == 400  # the photo checks refuse it, with their message
        assert db.session.scalar(select(func.count(Photo.id)).where(Photo.summons_id.is_not(None))) == 0
        response = office.post(path, data={"case_id": str(case.id),
                                           "photo_files": [(BytesIO(jpeg_bytes()), "page1.jpg"),
                                                           (BytesIO(jpeg_bytes(300, 400)), "page2.jpg")]},
                               content_type="multipart/form-data")
        assert response.status_code == 302
        pages = list(db.session.scalars(select(Photo).where(Photo.summons_id.is_not(None)).order_by(Photo.id)))
        assert len(pages) == 2
        round_page = office.get(f"/office/rounds/{held.id}").get_data(as_text=True)
        unit_page = office.get(f"/units/{case.unit_id}").get_data(as_text=True)
        for page in pages:
            assert f"/photos/{page.id}" in round_page and f"/photos/{page.id}" in unit_page
        assert "约谈记录与责任书" in unit_page
        assert office.get(f"/photos/{pages[0].id}").status_code == 200
        assert login("east").post(path, data={"case_id": str(case.id)}).status_code == 403
