"""The 交办单 inbox of the recipients (双交办): the regulator's receipt, guidance and sign-off or refusal with a
reason; the township office's receipt, rectification reports with photos and close-out (销号)."""

from contextlib import nullcontext
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import func, select

from inspect_loop.assignments.models import AssignmentReceipt, SignOff
from inspect_loop.assignments.operations import issue_assignment
from inspect_loop.audit.models import Event
from inspect_loop.cases import ladder
from inspect_loop.cases.models import CaseStatus, Outcome
from inspect_loop.db import db
from inspect_loop.inspections.models import FindingStatus, InspectionKind, Rectification
from inspect_loop.letters.models import Document
from tests.factories import inspect
from tests.helpers import at
from tests.web.test_uploads import jpeg_bytes, upload


def assigned(county, unit=None, codes=("XF-01",), regulator=None, recently=False):
    """A case at 二次警示 with a 交办单 to the regulator (default: fire) and the unit's township office: issued
    in March 2026 (long overdue now), or ``recently`` (today, due in 15 days)."""
    unit = unit or county.units.shop
    with at("2026-03-02") if not recently else nullcontext():
        case = inspect(county, unit, *codes).findings[0].case
    if recently:  # found today, so not yet due: the office moves it up by hand
        ladder.escalate(case, county.users.office, "拒不整改")
    else:
        with at("2026-03-12"):
            inspect(county, unit, kind=InspectionKind.reinspection,
                    verified=[(finding, False) for finding in case.findings])
    with at("2026-03-20") if not recently else nullcontext():
        assignment = issue_assignment(county.users.office, case, regulator or county.fire)
    db.session.commit()
    return assignment


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def page_of(client, assignment) -> str:
    response = client.get(f"/inbox/{assignment.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# -- the list ------------------------------------------------------------------------------------------

def test_each_recipient_sees_only_its_own_copies(login, county):
    to_fire = assigned(county)
    to_market = assigned(county, county.units.market, ("SP-01",), county.market)
    fire = login("fire").get("/inbox").get_data(as_text=True)
    assert f'id="assignment-{to_fire.id}"' in fire and f'id="assignment-{to_market.id}"' not in fire
    east = login("east").get("/inbox").get_data(as_text=True)
    assert f'id="assignment-{to_fire.id}"' in east and f'id="assignment-{to_market.id}"' in east
    assert "没有待办的交办单" in login("west").get("/inbox").get_data(as_text=True)
    assert "没有符合条件的交办单" in login("west").get("/inbox?status=all").get_data(as_text=True)
    assert login("west").get(f"/inbox/{to_fire.id}").status_code == 403
    assert login("market").get(f"/inbox/{to_fire.id}").status_code == 403
    assert login("office").get("/inbox").status_code == 403


def test_the_list_filters_by_status_search_and_overdue_and_counts_each_status(login, county):
    first = assigned(county)
    second = assigned(county, county.units.market, ("SP-01",), county.market, recently=True)
    client = login("east")
    assert client.post(f"/inbox/{first.id}/receipt").status_code == 302
    page = client.get("/inbox").get_data(as_text=True)
    assert 'id="tab-pending"' in page
    pending = client.get("/inbox?status=pending").get_data(as_text=True)
    assert f'id="assignment-{second.id}"' in pending and f'id="assignment-{first.id}"' not in pending
    received = client.get("/inbox?status=received").get_data(as_text=True)
    assert f'id="assignment-{first.id}"' in received and f'id="assignment-{second.id}"' not in received
    searched = client.get("/inbox?q=农贸").get_data(as_text=True)
    assert f'id="assignment-{second.id}"' in searched and f'id="assignment-{first.id}"' not in searched
    late = client.get("/inbox?overdue=1").get_data(as_text=True)
    assert f'id="assignment-{first.id}"' in late and "已逾期" in late
    assert f'id="assignment-{second.id}"' not in late


def test_the_inbox_exports_to_excel(login, county):
    assignment = assigned(county)
    response = login("fire").get("/inbox?format=xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "交办单文号"
    number = db.session.scalar(select(Document.number).where(Document.assignment_id == assignment.id))
    assert rows[1][0] == number and rows[1][1] == "某电子商务商行" and rows[1][-1] == "待签收"


# -- receipt and guidance ------------------------------------------------------------------------------

def test_each_recipient_signs_for_its_copy_once(login, county):
    assignment = assigned(county)
    fire = login("fire")
    assert 'id="receive"' in page_of(fire, assignment)
    assert fire.post(f"/inbox/{assignment.id}/receipt").status_code == 302
    assert 'id="receive"' not in page_of(fire, assignment)
    again = fire.post(f"/inbox/{assignment.id}/receipt")
    assert again.status_code == 409 and "本部门已签收" in again.get_data(as_text=True)
    assert login("east").post(f"/inbox/{assignment.id}/receipt").status_code == 302
    assert count(AssignmentReceipt) == 2
    assert "已签收" in page_of(login("east"), assignment)


def test_the_regulator_gives_guidance_that_both_recipients_read(login, county):
    assignment = assigned(county)
    fire = login("fire")
    empty = fire.post(f"/inbox/{assignment.id}/guidance", data={"note": "  "})
    assert empty.status_code == 400 and "请填写业务指导意见" in empty.get_data(as_text=True)
    assert fire.post(f"/inbox/{assignment.id}/guidance", data={"note": "应急照明须接入消防电源"}).status_code == 302
    assert "应急照明须接入消防电源" in page_of(login("east"), assignment)
    assert login("east").post(f"/inbox/{assignment.id}/guidance", data={"note": "x"}).status_code == 403
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "assignment.guidance")) == 1


# -- rectification, sign-off, close-out ----------------------------------------------------------------

def test_the_loop_closes_after_a_refused_sign_off_a_new_report_approval_and_close_out(login, county):
    assignment = assigned(county)
    finding = assignment.findings[0]
    east, fire = login("east"), login("fire")
    base = f"/inbox/{assignment.id}/findings/{finding.id}"

    assert f'id="rectification-note-{finding.id}"' in page_of(east, assignment)
    photo_id = upload(east, jpeg_bytes()).get_json()["id"]
    reported = east.post(f"{base}/rectification", data={"note": "已接通应急电源", "photos": str(photo_id)})
    assert reported.status_code == 302

    fire_page = page_of(fire, assignment)
    assert f'id="sign-off-{finding.id}-refuse"' in fire_page and "已接通应急电源" in fire_page
    no_reason = fire.post(f"{base}/sign-off", data={"decision": "refuse", "note": ""})
    assert no_reason.status_code == 400 and "不予签认时请填写理由" in no_reason.get_data(as_text=True)
    assert count(SignOff) == 0
    refused = fire.post(f"{base}/sign-off", data={"decision": "refuse", "note": "未见整改后照片中的电源接线"})
    assert refused.status_code == 302
    db.session.expire_all()
    assert finding.status == FindingStatus.open and finding.signed_off_at is None
    assert "未见整改后照片中的电源接线" in page_of(east, assignment)

    assert east.post(f"{base}/rectification", data={
        "note": "补拍接线照片", "photo_files": (BytesIO(jpeg_bytes(640, 480)), "wire.jpg")},
        content_type="multipart/form-data").status_code == 302
    assert fire.post(f"{base}/sign-off", data={"decision": "approve", "note": "符合要求"}).status_code == 302
    assert east.post(f"{base}/close", data={"note": "验收合格"}).status_code == 302

    db.session.expire_all()
    assert finding.status == FindingStatus.closed
    assert assignment.case.status == CaseStatus.closed
    assert assignment.case.outcome == Outcome.rectified_after_warning
    reports = db.session.scalars(select(Rectification).order_by(Rectification.id)).all()
    assert [len(report.photos) for report in reports] == [1, 1]
    assert "已办结" in page_of(east, assignment)


def test_close_out_before_sign_off_is_refused_and_changes_nothing(login, county):
    assignment = assigned(county)
    finding = assignment.findings[0]
    east = login("east")
    east.post(f"/inbox/{assignment.id}/findings/{finding.id}/rectification", data={"note": "已整改"})
    response = east.post(f"/inbox/{assignment.id}/findings/{finding.id}/close", data={"note": "销号"})
    assert response.status_code == 409
    assert "尚未经行业主管部门签认，不能销号" in response.get_data(as_text=True)
    db.session.expire_all()
    assert finding.status == FindingStatus.open


def test_a_rectification_report_needs_a_note_and_keeps_the_uploaded_photos(login, county):
    assignment = assigned(county)
    finding = assignment.findings[0]
    east = login("east")
    photo_id = upload(east, jpeg_bytes()).get_json()["id"]
    response = east.post(f"/inbox/{assignment.id}/findings/{finding.id}/rectification",
                         data={"note": " ", "photos": str(photo_id)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "请填写整改情况说明" in page
    assert f'id="photo-ids-rect-{finding.id}" name="photos" value="{photo_id}"' in page
    assert count(Rectification) == 0


def test_only_the_right_recipient_acts_on_each_step(login, county):
    assignment = assigned(county)
    finding = assignment.findings[0]
    base = f"/inbox/{assignment.id}/findings/{finding.id}"
    assert login("fire").post(f"{base}/rectification", data={"note": "x"}).status_code == 403
    assert login("fire").post(f"{base}/close").status_code == 403
    assert login("east").post(f"{base}/sign-off", data={"decision": "approve"}).status_code == 403
    assert login("market").post(f"{base}/sign-off", data={"decision": "approve"}).status_code == 403
    assert login("fire").post(f"/inbox/{assignment.id}/findings/999999/sign-off",
                              data={"decision": "approve"}).status_code == 404


def test_the_assignment_document_downloads_through_the_one_document_route(login, county):
    assignment = assigned(county)
    document = db.session.scalar(select(Document).where(Document.assignment_id == assignment.id))
    page = page_of(login("fire"), assignment)
    assert f'href="/documents/{document.id}.pdf"' in page
    response = login("fire").get(f"/documents/{document.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["X-Document-SHA256"] == document.sha256
    assert login("market").get(f"/documents/{document.id}.pdf").status_code == 403
