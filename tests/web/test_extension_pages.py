"""延期 pages: the township office asks with a photo, the deciding office finds it among its pending requests,
exports them, decides; the county office chooses who decides."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from inspect_loop.db import db
from inspect_loop.deadline_extensions.models import ExtensionRequest, ExtensionStatus
from inspect_loop.deadline_extensions.operations import request_extension
from inspect_loop.letters.models import Document, DocumentKind
from inspect_loop.regions.models import ExtensionDecider
from tests.factories import inspect
from tests.helpers import at
from tests.web.test_uploads import jpeg_bytes


def open_finding(county):
    with at("2026-03-02"):
        finding = inspect(county, county.units.shop, "XF-01").findings[0]  # due 2026-03-09
    db.session.commit()
    return finding


def asked(county, finding):
    with at("2026-03-05"):
        extension = request_extension(county.users.east, finding.case, findings=[finding], reason="配件缺货",
                                      requested_deadline=date(2026, 3, 20))
    db.session.commit()
    return extension


@pytest.fixture(autouse=True)
def in_march():
    """The pages are used in March 2026, when the findings below are open (a login lives in that time too)."""
    with at("2026-03-06"):
        yield


def test_the_township_office_asks_from_the_unit_page_with_a_photo(login, county):
    finding = open_finding(county)
    east = login("east")
    unit_page = east.get(f"/units/{county.units.shop.id}").get_data(as_text=True)
    assert f"/extensions/new?case_id={finding.case_id}" in unit_page
    form = east.get(f"/extensions/new?case_id={finding.case_id}")
    assert form.status_code == 200 and "应急照明灯未接通电源" in form.get_data(as_text=True)
    refused = east.post(f"/extensions/new?case_id={finding.case_id}", data={
        "finding_ids": str(finding.id), "requested_deadline": "2026-03-08", "reason": "配件缺货"})
    assert refused.status_code == 400 and "须晚于现整改期限" in refused.get_data(as_text=True)
    sent = east.post(f"/extensions/new?case_id={finding.case_id}", content_type="multipart/form-data", data={
        "finding_ids": str(finding.id), "requested_deadline": "2026-03-20", "reason": "配件缺货，厂家三月中旬到货",
        "photo_files": (BytesIO(jpeg_bytes(640, 480)), "order.jpg")})
    assert sent.status_code == 302
    extension = db.session.scalar(select(ExtensionRequest))
    assert extension.status == ExtensionStatus.pending and len(extension.photos) == 1
    detail = east.get(sent.headers["Location"]).get_data(as_text=True)
    assert "配件缺货，厂家三月中旬到货" in detail and "decision-form" not in detail
    assert east.get(f"/photos/{extension.photos[0].id}").status_code == 200
    assert login("west").get(f"/extensions/new?case_id={finding.case_id}").status_code == 403
    assert login("office").get(f"/extensions/new?case_id={finding.case_id}").status_code == 403


def test_the_county_office_lists_exports_and_approves(login, county):
    extension = asked(county, open_finding(county))
    office = login("office")
    listing = office.get("/extensions").get_data(as_text=True)  # pending requests by default
    assert f"/extensions/{extension.id}" in listing and "某电子商务商行" in listing
    export = office.get("/extensions?status=pending&format=xlsx")
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(export.data)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["申请编号", "单位", "乡镇（街道）", "问题"]
    assert rows[1][:6] == [extension.id, "某电子商务商行", "兰江街道", "应急照明灯未接通电源", "2026-03-09", "2026-03-20"]
    assert "decision-form" in office.get(f"/extensions/{extension.id}").get_data(as_text=True)
    refused = office.post(f"/extensions/{extension.id}/decision", data={"decision": "refuse", "reason": ""})
    assert refused.status_code == 400 and "请填写不予延期的理由" in refused.get_data(as_text=True)
    done = office.post(f"/extensions/{extension.id}/decision", data={
        "decision": "approve", "granted_deadline": "2026-03-18", "reason": "同意"})
    assert done.status_code == 302
    db.session.expire_all()
    extension = db.session.get(ExtensionRequest, extension.id)
    assert extension.status == ExtensionStatus.approved and extension.items[0].finding.deadline == date(2026, 3, 18)
    notice = db.session.scalar(select(Document).where(Document.kind == DocumentKind.extension))
    page = office.get(done.headers["Location"]).get_data(as_text=True)
    assert notice.number in page and "2026-03-18" in page
    assert "没有延期申请" in office.get("/extensions").get_data(as_text=True)
    case_page = office.get(f"/office/cases/{extension.case_id}").get_data(as_text=True)
    assert f"/extensions/{extension.id}" in case_page and "准予延期" in case_page


def test_only_the_deciding_office_decides(login, county):
    extension = asked(county, open_finding(county))
    fire = login("fire")
    assert "decision-form" not in fire.get(f"/extensions/{extension.id}").get_data(as_text=True)
    assert fire.post(f"/extensions/{extension.id}/decision", data={"decision": "approve"}).status_code == 403
    assert login("viewer").get("/extensions").status_code == 403


def test_the_county_office_chooses_the_regulators(login, county):
    assert login("east").get("/extensions/decider").status_code == 403
    office = login("office")
    assert "县级平安办审批" in office.get("/extensions/decider").get_data(as_text=True)
    assert office.post("/extensions/decider", data={"county": str(county.county.id),
                                                   "decider": "regulator"}).status_code == 302
    db.session.expire_all()
    assert county.county.extension_decider == ExtensionDecider.regulator
    extension = asked(county, open_finding(county))
    assert extension.decider_id == county.fire.id
    assert f"/extensions/{extension.id}" in login("fire").get("/extensions").get_data(as_text=True)
