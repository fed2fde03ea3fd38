"""送达 on the pages: the inspector's 现场送达 right after the inspection, the office's case page and
correction, the workbench's list of notices not served and its Excel export."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from inspect_loop.db import db
from inspect_loop.letters.models import Document, DocumentKind, DocumentService, ServiceMethod
from tests.factories import inspect
from tests.helpers import at
from tests.web.test_uploads import jpeg_bytes, upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def quick_letters(monkeypatch):
    """Pages, not typesetting, are under test: notices get a stand-in PDF."""
    monkeypatch.setattr("inspect_loop.letters.issuing.render_letter", lambda kind, context: b"%PDF-1.7 stand-in")


def reminder_of(county, unit, *codes, day="2026-03-02") -> Document:
    with at(day):
        inspect(county, unit, *codes)
    db.session.commit()
    return db.session.scalar(select(Document).where(Document.unit_id == unit.id, Document.kind == DocumentKind.reminder))


def services() -> int:
    return db.session.scalar(select(func.count(DocumentService.id)))


def test_the_inspector_serves_the_reminder_on_site_from_the_unit_page_with_a_photo(login, county):
    document = reminder_of(county, county.units.shop, "XF-01")
    with at("2026-03-02", 11):
        client = login("inspector")
        unit_page = client.get(f"/units/{county.units.shop.id}").get_data(as_text=True)
        assert f'id="serve-document-{document.id}"' in unit_page and "现场送达" in unit_page
        form = client.get(f"/documents/{document.id}/service").get_data(as_text=True)
        assert 'value="2026-03-02"' in form and 'value="兰江街道振兴路1号"' in form and 'value="张三"' in form
        photo = upload(client, jpeg_bytes()).get_json()["id"]
        response = client.post(f"/documents/{document.id}/service", data={
            "method": "direct", "served_on": "2026-03-02", "place": "兰江街道振兴路1号", "receiver": "张三",
            "photos_receipt": str(photo)}, content_type="multipart/form-data")
        assert response.status_code == 302 and response.headers["Location"].startswith(f"/units/{county.units.shop.id}")
        unit_page = client.get(f"/units/{county.units.shop.id}").get_data(as_text=True)
        assert client.get(f"/photos/{photo}/thumb").status_code == 200
        assert login("west").get(f"/photos/{photo}/thumb").status_code == 403  # another township's notice
    service = db.session.scalar(select(DocumentService))
    assert (service.method, service.receiver) == (ServiceMethod.direct, "张三")
    assert [item.id for item in service.photos] == [photo]
    assert f'id="serve-document-{document.id}"' not in unit_page and "已送达" in unit_page
    assert f"{document.number} 直接送达 2026-03-02" in unit_page  # the timeline's line of the service


def test_a_refused_service_form_keeps_what_was_entered_and_records_nothing(login, county):
    document = reminder_of(county, county.units.shop, "XF-01")
    with at("2026-03-02", 11):
        client = login("inspector")
        response = client.post(f"/documents/{document.id}/service", data={
            "method": "left_at_premises", "served_on": "2026-03-02", "place": "兰江街道振兴路1号",
            "left_reason": "负责人拒绝签收"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "留置送达须填写见证人" in page and 'value="负责人拒绝签收"' in page
    assert services() == 0


def test_another_inspector_and_a_regulator_cannot_serve_it(login, county):
    document = reminder_of(county, county.units.shop, "XF-01")
    data = {"method": "direct", "served_on": "2026-03-02", "place": "兰江街道振兴路1号", "receiver": "张三"}
    with at("2026-03-02", 11):
        page = login("inspector2").get(f"/units/{county.units.shop.id}").get_data(as_text=True)
        assert f'id="serve-document-{document.id}"' not in page
        assert login("inspector2").post(f"/documents/{document.id}/service", data=data).status_code == 403
        assert login("fire").post(f"/documents/{document.id}/service", data=data).status_code == 403
    assert services() == 0


def test_the_office_sees_the_service_on_the_case_page_and_corrects_it(login, county):
    document = reminder_of(county, county.units.shop, "XF-01")
    data = {"method": "post", "served_on": "2026-03-03", "place": "兰江街道振兴路1号", "receiver": "张山"}
    with at("2026-03-04"):
        office = login("office")
        assert "未送达" in office.get(f"/office/cases/{document.case_id}").get_data(as_text=True)
        assert office.post(f"/documents/{document.id}/service", data=data).headers["Location"].startswith(
            f"/office/cases/{document.case_id}")
        case_page = office.get(f"/office/cases/{document.case_id}").get_data(as_text=True)
        assert "邮寄送达" in case_page and "张山" in case_page
        refused = office.post(f"/documents/{document.id}/service/correction", data={**data, "receiver": "张三"})
        assert refused.status_code == 400 and "请填写更正理由" in refused.get_data(as_text=True)
        assert login("east").post(f"/documents/{document.id}/service/correction",
                                  data={**data, "reason": "姓名写错"}).status_code == 403
        office.post(f"/documents/{document.id}/service/correction", data={**data, "receiver": "张三", "reason": "姓名写错"})
    db.session.expire_all()
    assert db.session.scalar(select(DocumentService)).receiver == "张三"


def test_the_workbench_lists_notices_unserved_three_days_after_issue_and_exports_them(login, county):
    old = reminder_of(county, county.units.shop, "XF-01", day="2026-03-02")
    reminder_of(county, county.units.factory, "SC-01", day="2026-03-04")  # issued two days before: not yet
    with at("2026-03-06"):
        office = login("office")
        home = office.get("/office").get_data(as_text=True)
        listed = office.get("/office/unserved").get_data(as_text=True)
        export = office.get("/office/unserved?format=xlsx")
        assert "某电子商务商行" not in office.get("/office/unserved?q=五金").get_data(as_text=True)
        assert login("east").get("/office/unserved").status_code == 403
    assert 'href="/office/unserved"' in home and f"/documents/{old.id}/service" in home
    assert f'id="unserved-{old.id}"' in listed and "马涧五金加工厂" not in listed and "已4天" in listed
    assert export.mimetype == XLSX
    rows = list(load_workbook(BytesIO(export.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("文号", "文书", "单位")
    assert [row[0] for row in rows[1:]] == [old.number] and rows[1][6] == 4
    with at("2026-03-06", 11):
        login("inspector").post(f"/documents/{old.id}/service", data={
            "method": "direct", "served_on": "2026-03-06", "place": "振兴路1号", "receiver": "张三"})
        assert f'id="unserved-{old.id}"' not in office.get("/office/unserved").get_data(as_text=True)
