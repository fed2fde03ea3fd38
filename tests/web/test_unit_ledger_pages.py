"""The unit ledger's pages: the edit form, 复业 and 注销 on the unit page; the grey of closed places."""

from sqlalchemy import select

from inspect_loop.audit.models import Event
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Stage
from inspect_loop.db import db
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.enforcement.operations import record_enforcement
from inspect_loop.units.models import UnitStatus
from inspect_loop.units.operations import create_unit
from tests.factories import inspect
from tests.helpers import at


def text(response) -> str:
    return response.get_data(as_text=True)


def new_unit(county, name="兰江小吃店"):
    with at("2026-03-01", 9):
        unit = create_unit(county.users.admin, name=name, region=county.east, address="兰江街道振兴路9号",
                           category="餐饮")
    db.session.commit()
    return unit


def suspended(county):
    unit = new_unit(county)
    with at("2026-03-02", 9):
        case = inspect(county, unit, "XF-01").findings[0].case
        ladder.escalate(case, county.users.office, "拒不整改", to_stage=Stage.enforcement)
        record_enforcement(county.users.office, case, ActionKind.suspend, departments=[county.market])
    db.session.commit()
    return unit


def unit_form(unit, **changes) -> dict:
    data = {"name": unit.name, "uscc": unit.uscc or "", "address": unit.address, "region": unit.region_id,
            "category": unit.category, "contact_name": unit.contact_name or "", "contact_phone": unit.contact_phone or ""}
    return {**data, **changes}


def test_the_township_office_corrects_a_unit_of_its_township(login, county):
    unit = new_unit(county)
    client = login("east")
    form = client.get(f"/units/{unit.id}/edit")
    assert form.status_code == 200 and 'value="兰江小吃店"' in text(form)
    response = client.post(f"/units/{unit.id}/edit", data=unit_form(unit, contact_name="王五"))
    assert response.status_code == 302
    db.session.refresh(unit)
    assert unit.contact_name == "王五"
    assert "修改单位信息" in text(client.get(f"/units/{unit.id}"))  # the timeline
    assert login("west").get(f"/units/{unit.id}/edit").status_code == 403


def test_a_bad_edit_is_shown_under_its_field_and_changes_nothing(login, county):
    unit = new_unit(county)
    response = login("office").post(f"/units/{unit.id}/edit",
                                    data=unit_form(unit, uscc=county.units.shop.uscc, contact_name="王五"))
    assert response.status_code == 400 and "该统一社会信用代码已登记" in text(response)
    db.session.refresh(unit)
    assert (unit.uscc, unit.contact_name) == (None, None)


def test_the_unit_page_offers_resumption_to_the_county_office_only(login, county):
    unit = suspended(county)
    office_page = text(login("office").get(f"/units/{unit.id}"))
    assert 'id="resume-form"' in office_page and 'id="deregister-form"' in office_page
    east_page = text(login("east").get(f"/units/{unit.id}"))
    assert 'id="resume-form"' not in east_page and 'id="edit-unit"' in east_page
    assert login("east").post(f"/units/{unit.id}/resume", data={"decision": "复业", "resumed_on": "2026-03-05"}) \
        .status_code == 403


def test_resumption_from_the_unit_page(login, county):
    unit = suspended(county)
    client = login("office")
    refused = client.post(f"/units/{unit.id}/resume", data={"decision": "准予复业", "resumed_on": "2026-03-01"})
    assert refused.status_code == 400 and "复业日期不能早于停业整顿决定日期（2026-03-02）" in text(refused)
    assert "准予复业" in text(refused)  # the form keeps what was typed
    done = client.post(f"/units/{unit.id}/resume", data={"decision": "准予复业", "resumed_on": "2026-03-09"})
    assert done.status_code == 302
    db.session.refresh(unit)
    assert unit.status == UnitStatus.operating
    assert 'id="resume-form"' not in text(client.get(f"/units/{unit.id}"))


def test_deregistration_from_the_unit_page(login, county):
    unit = new_unit(county)
    client = login("office")
    assert client.get(f"/units/{unit.id}/deregister").status_code == 200
    refused = client.post(f"/units/{unit.id}/deregister", data={"reason": "", "deregistered_on": "2026-03-10"})
    assert refused.status_code == 400 and "请填写注销原因" in text(refused)
    done = client.post(f"/units/{unit.id}/deregister", data={"reason": "营业执照已注销", "deregistered_on": "2026-03-10"})
    assert done.status_code == 302
    page = text(client.get(f"/units/{unit.id}"))
    assert "已注销" in page and "营业执照已注销" in page and "risk-closed" in page
    assert 'id="record-inspection"' not in page and 'id="edit-unit"' not in page
    assert db.session.scalar(select(Event.reason).where(Event.action == "unit.deregistered")) == "营业执照已注销"


def test_the_unit_list_filters_closed_places_and_shows_their_grey(login, county):
    unit = new_unit(county)
    client = login("office")
    client.post(f"/units/{unit.id}/deregister", data={"reason": "歇业", "deregistered_on": "2026-03-10"})
    page = text(client.get("/units?risk=closed"))
    assert "兰江小吃店" in page and "柏社农贸市场" not in page and "灰" in page
