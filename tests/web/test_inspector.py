"""The field screens of the inspection teams: today's tasks, the inspection form with the hazard checklist,
photos and GPS, and the re-inspection / follow-up form."""

import re
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from inspect_loop import clock
from inspect_loop.cases.models import Case, CaseStatus, Outcome, Stage
from inspect_loop.db import db
from inspect_loop.inspections.models import Finding, FindingStatus, Inspection, InspectionKind, PlanStatus
from inspect_loop.inspections.operations import plan_inspection
from inspect_loop.interviews.operations import convene_round, record_attendance
from inspect_loop.letters.models import Document, DocumentKind
from inspect_loop.regions.operations import update_hazard_type
from tests.factories import inspect
from tests.helpers import at, phone_rows
from tests.web.test_uploads import jpeg_bytes, upload


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def documents_of(kind: DocumentKind) -> int:
    return db.session.scalar(select(func.count(Document.id)).where(Document.kind == kind))


def plan(county, unit, *members, day="2026-03-02"):
    with at(day, 8):
        made = plan_inspection(county.users.office, unit, planned_on=at_day(day), team=list(members))
    db.session.commit()
    return made


def at_day(day: str):
    from datetime import date
    return date.fromisoformat(day)


def reminder_case(county, unit, *codes, day="2026-03-02") -> Case:
    with at(day):
        inspection = inspect(county, unit, *codes)
    db.session.commit()
    return inspection.findings[0].case


# -- today's tasks -------------------------------------------------------------------------------------

def test_today_lists_only_the_plans_of_the_users_team(login, county):
    mine = plan(county, county.units.shop, county.users.inspector)
    plan(county, county.units.market, county.users.inspector2)
    page = login("inspector").get("/today").get_data(as_text=True)
    assert "某电子商务商行" in page and "柏社农贸市场" not in page
    assert f'href="/units/{county.units.shop.id}/inspect?plan={mine.id}"' in page
    office = login("office").get("/today").get_data(as_text=True)
    assert "某电子商务商行" in office and "柏社农贸市场" in office


def test_unannounced_plans_stay_secret_from_township_offices(login, county):
    plan(county, county.units.shop, county.users.inspector)
    response = login("east").get("/today?tab=plans")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "暗访计划" not in page and "某电子商务商行" not in page
    with_plan = login("east").get(f"/units/{county.units.shop.id}/inspect?plan=1")
    assert with_plan.status_code == 200 and "暗访计划" not in with_plan.get_data(as_text=True)


def test_a_plan_of_another_team_is_not_found(login, county):
    theirs = plan(county, county.units.shop, county.users.inspector2)
    path = f"/units/{county.units.shop.id}/inspect?plan={theirs.id}"
    assert login("inspector").get(path).status_code == 404
    own = login("inspector2").get(path)
    assert "按暗访计划（2026-03-02）" in own.get_data(as_text=True)


def test_the_re_inspection_tab_lists_reminder_cases_past_their_deadline(login, county):
    reminder_case(county, county.units.shop, "XF-01", day="2026-03-02")
    reminder_case(county, county.units.factory, "XF-02", day="2026-03-02")
    with at("2026-03-20"):
        page = login("inspector").get("/today?tab=reinspections").get_data(as_text=True)
        filtered = login("inspector").get("/today?tab=reinspections&q=五金").get_data(as_text=True)
        township = login("east").get("/today?tab=reinspections").get_data(as_text=True)
    assert "某电子商务商行" in page and "马涧五金加工厂" in page
    assert "某电子商务商行" not in filtered and "马涧五金加工厂" in filtered
    assert "某电子商务商行" in township and "马涧五金加工厂" not in township  # east sees its own township
    assert f'href="/units/{county.units.shop.id}/verify"' in page


def test_a_re_inspection_row_on_a_phone_counts_the_open_problems_and_the_nearest_deadline(login, county):
    reminder_case(county, county.units.shop, "XF-01", "YD-01", day="2026-03-02")  # due on 03-09 and 03-07
    with at("2026-03-20"):
        page = login("inspector").get("/today?tab=reinspections").get_data(as_text=True)
    assert phone_rows(page) == ["某电子商务商行一次提醒兰江街道 · 未销号2（逾期2） · 03-07 逾期13天"]
    assert '<td data-label="整改期限">2026-03-09</td>' in page  # the desktop keeps the last deadline


def test_today_exports_the_tab_to_excel(login, county):
    reminder_case(county, county.units.shop, "XF-01", day="2026-03-02")
    with at("2026-03-20"):
        response = login("inspector").get("/today?tab=reinspections&format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("单位", "乡镇（街道）")
    assert rows[1][0] == "某电子商务商行"


# -- the inspection form -------------------------------------------------------------------------------

def test_the_form_lists_the_catalogue_by_category_with_stable_control_ids(login, county):
    page = login("inspector").get(f"/units/{county.units.shop.id}/inspect").get_data(as_text=True)
    assert page.index("消防安全") < page.index("应急照明灯未接通电源") < page.index("食品安全")
    for control in ('id="hazard-XF-01"', 'id="description-XF-01"', 'id="photo-camera-XF-01"',
                    'capture="environment"', 'id="no-findings"', 'id="kind-unannounced"', 'id="latitude"', 'id="submit-inspection"',
                    'id="team-inspector2"', 'enctype="multipart/form-data"', "js/photos.js"):
        assert control in page, control


def test_the_checklist_shows_each_hazards_legal_basis(login, county):
    update_hazard_type(county.users.admin, county.hazards["XF-01"],
                       legal_basis="《中华人民共和国消防法》第十六条第一款第（二）项")
    db.session.commit()
    page = login("inspector").get(f"/units/{county.units.shop.id}/inspect").get_data(as_text=True)
    item = re.search(r'<label for="hazard-XF-01">.*?</label>', page, re.S).group(0)
    assert "依据：《中华人民共和国消防法》第十六条第一款第（二）项" in item
    other = re.search(r'<label for="hazard-XF-02">.*?</label>', page, re.S).group(0)
    assert "依据" not in other  # a hazard without a basis shows none


def test_an_inspection_with_findings_photos_gps_and_team_opens_a_case(login, county):
    client = login("inspector")
    mine = plan(county, county.units.shop, county.users.inspector)
    uploaded = upload(client, jpeg_bytes()).get_json()["id"]
    fire, food = county.hazards["XF-01"], county.hazards["SP-01"]
    response = client.post(f"/units/{county.units.shop.id}/inspect", data={
        "kind": "unannounced", "plan_id": str(mine.id), "hazard": [str(fire.id), str(food.id)],
        f"description_{fire.id}": "二楼应急照明灯未接电", f"photos_{fire.id}": str(uploaded),
        f"photo_files_{food.id}": (BytesIO(jpeg_bytes(800, 600)), "food.jpg"),
        "team": str(county.users.inspector2.id), "notes": "四不两直暗访",
        "latitude": "29.208", "longitude": "119.460"}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/units/{county.units.shop.id}"
    inspection = db.session.scalar(select(Inspection))
    assert inspection.kind == InspectionKind.unannounced
    assert (inspection.latitude, inspection.longitude) == (29.208, 119.46)
    assert {member.username for member in inspection.team} == {"inspector", "inspector2"}
    by_hazard = {finding.hazard_type.code: finding for finding in inspection.findings}
    assert by_hazard["XF-01"].description == "二楼应急照明灯未接电"
    assert [photo.id for photo in by_hazard["XF-01"].photos] == [uploaded]
    assert len(by_hazard["SP-01"].photos) == 1  # sent with the form itself (no JavaScript)
    assert inspection.findings[0].case.stage == Stage.reminder
    assert documents_of(DocumentKind.reminder) == 1
    assert mine.status == PlanStatus.done
    unit_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "发现 2 个问题，整改提醒通知书已签发" in unit_page


def test_an_empty_checklist_must_be_confirmed_as_no_problem_found(login, county):
    client = login("inspector")
    path = f"/units/{county.units.shop.id}/inspect"
    refused = client.post(path, data={"kind": "unannounced", "notes": "现场检查"})
    assert refused.status_code == 400
    assert "本次检查未发现问题" in refused.get_data(as_text=True)
    assert count(Inspection) == 0
    both = client.post(path, data={"kind": "unannounced", "no_findings": "1",
                                   "hazard": str(county.hazards["XF-01"].id)})
    assert both.status_code == 400 and count(Inspection) == 0
    accepted = client.post(path, data={"kind": "unannounced", "no_findings": "1"})
    assert accepted.status_code == 302
    assert count(Inspection) == 1 and count(Case) == 0


def test_a_refused_inspection_keeps_what_was_entered_and_uploaded(login, county):
    client = login("inspector")
    uploaded = upload(client, jpeg_bytes()).get_json()["id"]
    hazard = county.hazards["XF-01"]
    response = client.post(f"/units/{county.units.shop.id}/inspect", data={
        "kind": "not-a-kind", "hazard": str(hazard.id), f"description_{hazard.id}": "灯不亮",
        f"photos_{hazard.id}": str(uploaded), "notes": "复核"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请选择检查类型" in page
    assert 'id="hazard-XF-01" checked' in page
    assert ">灯不亮</textarea>" in page and ">复核</textarea>" in page
    assert f'name="photos_{hazard.id}" value="{uploaded}"' in page
    assert count(Inspection) == 0


def test_a_bad_photo_sent_with_the_form_refuses_the_whole_inspection(login, county):
    hazard = county.hazards["XF-01"]
    response = login("inspector").post(f"/units/{county.units.shop.id}/inspect", data={
        "kind": "unannounced", "hazard": str(hazard.id),
        f"photo_files_{hazard.id}": (BytesIO(b"MZ not a picture"), "virus.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "不是有效的图片" in response.get_data(as_text=True)
    assert count(Inspection) == 0 and count(Finding) == 0


def test_a_township_office_inspects_only_in_its_township_and_defaults_to_grid_patrol(login, county):
    page = login("east").get(f"/units/{county.units.shop.id}/inspect").get_data(as_text=True)
    assert 'id="kind-grid_patrol" checked' in page
    assert 'id="team-field"' not in page
    assert login("west").get(f"/units/{county.units.shop.id}/inspect").status_code == 403
    refused = login("west").post(f"/units/{county.units.shop.id}/inspect",
                                 data={"kind": "grid_patrol", "no_findings": "1"})
    assert refused.status_code == 403 and count(Inspection) == 0


# -- re-inspection and follow-up -----------------------------------------------------------------------

def test_a_re_inspection_failing_one_finding_moves_the_case_to_warning(login, county):
    case = reminder_case(county, county.units.shop, "XF-01", "SP-01")
    fixed, failed = case.findings
    client = login("inspector")
    page = client.get(f"/units/{county.units.shop.id}/verify").get_data(as_text=True)
    assert "复查" in page and f'id="verify-{fixed.id}-yes"' in page and f'id="verify-{failed.id}-no"' in page
    response = client.post(f"/units/{county.units.shop.id}/verify", data={
        f"verify_{fixed.id}": "1", f"verify_{failed.id}": "0", "notes": "复查"})
    assert response.status_code == 302
    db.session.expire_all()
    assert case.stage == Stage.warning and case.status == CaseStatus.open
    assert fixed.status == FindingStatus.closed and failed.status == FindingStatus.open
    reinspection = db.session.scalar(select(Inspection).where(Inspection.kind == InspectionKind.reinspection))
    assert {item.finding_id: item.rectified for item in reinspection.verifications} == {fixed.id: True,
                                                                                        failed.id: False}
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "案件进入二次警示阶段" in flashed


def test_a_re_inspection_seeing_everything_rectified_closes_the_case(login, county):
    case = reminder_case(county, county.units.shop, "XF-01")
    client = login("inspector")
    response = client.post(f"/units/{county.units.shop.id}/verify",
                           data={f"verify_{case.findings[0].id}": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert case.status == CaseStatus.closed and case.outcome == Outcome.rectified_at_reminder
    assert "案件已结案（提醒后整改到位）" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_verification_without_any_answer_is_refused_and_changes_nothing(login, county):
    case = reminder_case(county, county.units.shop, "XF-01")
    response = login("inspector").post(f"/units/{county.units.shop.id}/verify", data={
        f"verify_{case.findings[0].id}": "", "notes": "没看"})
    assert response.status_code == 400
    assert "请至少对一个问题" in response.get_data(as_text=True)
    db.session.expire_all()
    assert case.stage == Stage.reminder and count(Inspection) == 1


def test_a_follow_up_at_warning_that_finds_it_unrectified_moves_to_enforcement(login, county):
    case = reminder_case(county, county.units.shop, "XF-01")
    finding = case.findings[0]
    client = login("inspector")
    client.post(f"/units/{county.units.shop.id}/verify", data={f"verify_{finding.id}": "0"})
    page = client.get(f"/units/{county.units.shop.id}/verify").get_data(as_text=True)
    assert "回访" in page
    # Until the unit has been interviewed, a follow-up cannot find it failing; the form says why.
    early = client.post(f"/units/{county.units.shop.id}/verify", data={f"verify_{finding.id}": "0"})
    assert early.status_code == 409 and "尚未参加警示约谈" in early.get_data(as_text=True)
    db.session.expire_all()
    interview_round = convene_round(county.users.office, held_at=clock.now(), venue="兰溪市平安警示教育站",
                                    convened_by=county.office, departments=[], cases=[case])
    record_attendance(county.users.office, interview_round, case, attended=True, attendee_name="李四")
    db.session.commit()
    response = client.post(f"/units/{county.units.shop.id}/verify", data={f"verify_{finding.id}": "0"})
    assert response.status_code == 302
    db.session.expire_all()
    assert case.stage == Stage.enforcement
    assert documents_of(DocumentKind.referral) == 1


def test_a_unit_without_an_open_case_has_nothing_to_verify(login, county):
    response = login("inspector").get(f"/units/{county.units.shop.id}/verify")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/units/{county.units.shop.id}"


def test_the_same_form_sent_twice_records_one_inspection(login, county):
    client = login("inspector")
    path = f"/units/{county.units.shop.id}/inspect"
    page = client.get(path).get_data(as_text=True)
    key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', page)[1]
    hazard = county.hazards["XF-01"]
    form = {"kind": "unannounced", "hazard": str(hazard.id), f"description_{hazard.id}": "安全出口堵塞",
            "submission_key": key}
    assert client.post(path, data=form).status_code == 302
    again = client.post(path, data=form)
    assert again.status_code == 302
    assert "重复提交" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert count(Inspection) == 1 and documents_of(DocumentKind.reminder) == 1
    assert key not in client.get(path).get_data(as_text=True)  # a new form gets a new key


def test_a_verification_sent_twice_records_one_re_inspection(login, county):
    case = reminder_case(county, county.units.shop, "XF-01")
    client = login("inspector")
    path = f"/units/{county.units.shop.id}/verify"
    key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', client.get(path).get_data(as_text=True))[1]
    form = {f"verify_{case.findings[0].id}": "1", "submission_key": key}
    assert client.post(path, data=form).status_code == 302
    again = client.post(path, data=form)  # the case is closed now: without the key this would be refused
    assert again.status_code == 302 and "重复提交" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(select(func.count(Inspection.id)).where(
        Inspection.kind == InspectionKind.reinspection)) == 1
