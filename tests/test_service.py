"""送达: recording the service of a notice once, by whom, with what; corrections by the county office."""

from datetime import date

import pytest
from sqlalchemy import func, select

from inspect_loop.audit.models import Event
from inspect_loop.errors import Conflict, Forbidden, InvalidInput
from inspect_loop.letters import issuing
from inspect_loop.letters.models import Document, DocumentKind, DocumentService, ServiceMethod
from inspect_loop.letters.service import ServiceDetails, correct_service, record_service
from tests.factories import inspect
from tests.helpers import at


@pytest.fixture(autouse=True)
def quick_letters(monkeypatch):
    """The rules of service are under test, not typesetting: notices get a stand-in PDF."""
    monkeypatch.setattr("inspect_loop.letters.issuing.render_letter", lambda kind, context: b"%PDF-1.7 stand-in")


@pytest.fixture
def reminder(county, database):
    with at("2026-03-02"):
        inspect(county, county.units.shop, "XF-01")
    database.session.commit()
    return database.session.scalar(select(Document).where(Document.kind == DocumentKind.reminder))


def direct(day="2026-03-02", **changes) -> ServiceDetails:
    values = {"method": ServiceMethod.direct, "served_on": date.fromisoformat(day), "place": "兰江街道振兴路1号",
              "receiver": "张三"} | changes
    return ServiceDetails(**values)


def services(database) -> int:
    return database.session.scalar(select(func.count(DocumentService.id)))


def test_the_inspector_records_on_site_service_once_and_it_is_audited(county, database, reminder):
    with at("2026-03-02", 11):
        service = record_service(county.users.inspector, reminder, direct())
    assert (service.method, service.receiver, service.server_id) == (ServiceMethod.direct, "张三", county.users.inspector.id)
    event = database.session.scalar(select(Event).where(Event.action == "document.served"))
    assert event.data["number"] == reminder.number and event.data["method"] == "direct"
    with at("2026-03-03"), pytest.raises(Conflict) as refused:
        record_service(county.users.office, reminder, direct("2026-03-03"))
    assert refused.value.http_status == 409 and refused.value.current["served_on"] == "2026-03-02"


@pytest.mark.parametrize(("changes", "field"), [
    ({"served_on": date(2026, 3, 3)}, "served_on"),  # tomorrow
    ({"served_on": date(2026, 3, 1)}, "served_on"),  # before the notice was issued
    ({"place": "  "}, "place"),
    ({"receiver": ""}, "receiver"),
    ({"method": ServiceMethod.left_at_premises, "receiver": None, "left_reason": "拒绝签收"}, "witness"),
    ({"method": ServiceMethod.left_at_premises, "witness": "王五（村干部）"}, "left_reason"),
    ({"receiver": "张\u202e三"}, "receiver"),
])
def test_bad_input_is_refused_with_its_field_and_changes_nothing(county, database, reminder, changes, field):
    with at("2026-03-02", 11), pytest.raises(InvalidInput) as refused:
        record_service(county.users.inspector, reminder, direct(**changes))
    assert refused.value.field == field and refused.value.message_zh
    database.session.rollback()
    assert services(database) == 0


def test_left_at_premises_keeps_a_witness_and_a_reason(county, database, reminder):
    with at("2026-03-02", 11):
        service = record_service(county.users.inspector, reminder, direct(
            method=ServiceMethod.left_at_premises, receiver=None, witness="王五（村干部）", left_reason="负责人拒绝签收"))
    assert (service.witness, service.left_reason, service.receiver) == ("王五（村干部）", "负责人拒绝签收", None)


def test_who_may_record_service(county, database, reminder):
    refused = [county.users.inspector2, county.users.west, county.users.fire, county.users.viewer]
    for user in refused:
        with at("2026-03-02", 11), pytest.raises(Forbidden):
            record_service(user, reminder, direct())
        database.session.rollback()
    with at("2026-03-04"):
        assert record_service(county.users.east, reminder, direct("2026-03-04")).recorded_by_id == county.users.east.id


def test_a_revoked_or_superseded_notice_cannot_be_served(county, database, reminder):
    with at("2026-03-03"):
        new = issuing.reissue(reminder, county.users.office, "地址有误")
    database.session.commit()
    with at("2026-03-03", 11), pytest.raises(Conflict):
        record_service(county.users.office, reminder, direct("2026-03-03"))
    database.session.rollback()
    with at("2026-03-04"):
        issuing.revoke(new, county.users.office, "录入错误")
    database.session.commit()
    with at("2026-03-04", 11), pytest.raises(Conflict):
        record_service(county.users.office, new, direct("2026-03-04"))
    database.session.rollback()
    assert services(database) == 0


def test_the_county_office_corrects_a_record_with_a_reason_and_the_log_keeps_the_old_one(county, database, reminder):
    with at("2026-03-02", 11):
        record_service(county.users.inspector, reminder, direct(receiver="张山"))
    database.session.commit()
    with at("2026-03-05"), pytest.raises(InvalidInput):
        correct_service(county.users.office, reminder, direct(receiver="张三"), " ")
    database.session.rollback()
    with at("2026-03-05"), pytest.raises(Forbidden):
        correct_service(county.users.east, reminder, direct(receiver="张三"), "姓名写错")
    database.session.rollback()
    with at("2026-03-05"):
        service = correct_service(county.users.office, reminder, direct(receiver="张三"), "姓名写错")
    assert service.receiver == "张三" and service.corrected_at is not None
    event = database.session.scalar(select(Event).where(Event.action == "document.service_corrected"))
    assert event.reason == "姓名写错" and event.data["before"]["receiver"] == "张山"
    assert event.data["after"]["receiver"] == "张三"


def test_a_photo_already_evidence_of_an_extension_request_is_not_a_service_photo(county, database, reminder):
    # It was taken before: the service check listed the owners of a photo by hand and forgot extension requests.
    from inspect_loop import clock
    from inspect_loop.deadline_extensions.operations import request_extension
    from inspect_loop.inspections.models import Finding, Photo

    with at("2026-03-03"):
        photo = Photo(sha256="0" * 64, content_type="image/jpeg", size=1, width=1, height=1,
                      uploaded_at=clock.now(), uploaded_by_id=county.users.east.id)
        database.session.add(photo)
        database.session.flush()
        finding = database.session.scalar(select(Finding).where(Finding.unit_id == reminder.unit_id))
        request_extension(county.users.east, finding.case, findings=[finding], reason="配件需从外地采购",
                          requested_deadline=date(2026, 3, 20), photos=[photo])
    assert photo.extension_id is not None
    with at("2026-03-04"), pytest.raises(InvalidInput) as refused:
        record_service(county.users.east, reminder, direct("2026-03-04"), photos=[photo])
    assert refused.value.field == "photos" and services(database) == 0
