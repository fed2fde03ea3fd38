"""送达 through the API: record once (409 after), photos of the signed receipt, the list of unserved notices,
corrections, and N requests at once with one winner."""

from collections import Counter

import pytest
from sqlalchemy import func, select

from inspect_loop.audit.models import Event
from inspect_loop.db import db
from inspect_loop.inspections.models import Photo
from inspect_loop.letters.models import DocumentService
from tests.api.client import ok, refused
from tests.api.test_races import at_once, interviewed_and_assigned, new_case, one_winner
from tests.api.test_rectification_photos import uploaded_by
from tests.helpers import at

SERVICE = {"method": "direct", "served_on": "2026-03-02", "place": "兰江街道振兴路1号", "receiver": "张三"}


@pytest.fixture(autouse=True)
def quick_letters(monkeypatch):
    """Service, not typesetting, is under test: notices get a stand-in PDF."""
    monkeypatch.setattr("inspect_loop.letters.issuing.render_letter", lambda kind, context: b"%PDF-1.7 stand-in")


def reminder_of(api, case_id) -> dict:
    documents = ok(api.get(f"/cases/{case_id}", "office"))["documents"]
    return next(document for document in documents if document["kind"] == "reminder")


def unserved(api, who="office", **query) -> list[int]:
    return [item["id"] for item in ok(api.get("/documents", who, query={"served": "false", **query}))["items"]]


def test_the_inspector_serves_the_reminder_with_a_photo_and_the_document_shows_it(api, county, database):
    case_id, _ = new_case(api, county.units.shop.id, "XF-01")
    document = reminder_of(api, case_id)
    assert document["needs_service"] and document["service"] is None
    assert unserved(api) == [document["id"]] and unserved(api, issued_before="2026-03-02") == []
    with at("2026-03-02", 11):
        photo = uploaded_by(county.users.inspector)
        database.session.commit()
    service = ok(api.post(f"/documents/{document['id']}/service", "inspector", day="2026-03-02",
                          json={**SERVICE, "photos": [photo.id]}), 201)
    assert service["method_label"] == "直接送达" and service["photo_ids"] == [photo.id]
    assert service["server"] == service["recorded_by"] == "inspector"
    shown = ok(api.get(f"/documents/{document['id']}", "east"))["service"]
    assert shown["receiver"] == "张三" and shown["served_on"] == "2026-03-02"
    assert unserved(api) == [] and [item["id"] for item in ok(api.get("/documents", "office",
                                                                      query={"served": "true"}))["items"]] == [document["id"]]

    error = refused(api.post(f"/documents/{document['id']}/service", "office", day="2026-03-03",
                             json={**SERVICE, "served_on": "2026-03-03"}), 409, code="conflict")
    assert error["current"]["served_on"] == "2026-03-02"


def test_bad_input_names_its_field_and_records_nothing(api, county, database):
    case_id, _ = new_case(api, county.units.shop.id, "XF-01")
    path = f"/documents/{reminder_of(api, case_id)['id']}/service"
    refused(api.post(path, "inspector", day="2026-03-02", json={**SERVICE, "served_on": "2026-03-05"}), 400,
            field="served_on")
    refused(api.post(path, "inspector", day="2026-03-02", json={**SERVICE, "method": "pigeon"}), 400, field="method")
    refused(api.post(path, "inspector", day="2026-03-02", json={**SERVICE, "method": "left_at_premises"}), 400,
            field="witness")
    refused(api.post(path, "inspector", day="2026-03-02", json={**SERVICE, "server": "nobody"}), 404, field="server")
    with at("2026-03-02", 11):
        foreign = uploaded_by(county.users.east)
        database.session.commit()
    refused(api.post(path, "inspector", day="2026-03-02", json={**SERVICE, "photos": [foreign.id]}), 400,
            field="photos")
    refused(api.post(path, "inspector2", day="2026-03-02", json=SERVICE), 403)
    refused(api.post(path, "fire", day="2026-03-02", json=SERVICE), 403)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(DocumentService.id))) == 0
    assert db.session.get(Photo, foreign.id).service_id is None


def test_an_assignment_is_acknowledged_not_served_and_is_never_listed_unserved(api, county, database):
    case_id, _findings, assignment = interviewed_and_assigned(api, county.units.shop.id)
    documents = ok(api.get(f"/cases/{case_id}", "office"))["documents"]
    kinds = Counter(document["kind"] for document in documents if document["id"] in unserved(api))
    assert kinds == Counter({"reminder": 1, "summons": 1})
    order = next(document for document in documents if document["kind"] == "assignment")
    assert not order["needs_service"]
    refused(api.post(f"/documents/{order['id']}/service", "office", day="2026-03-25",
                     json={**SERVICE, "served_on": "2026-03-25"}), 400, field="document_id")


def test_the_list_is_scoped_like_the_documents(api, county, database):
    new_case(api, county.units.shop.id, "XF-01")  # 兰江街道
    new_case(api, county.units.factory.id, "SC-01")  # 马涧镇
    assert len(unserved(api, "office")) == 2
    assert len(unserved(api, "east")) == 1 and len(unserved(api, "west")) == 1
    assert len(unserved(api, "fire")) == 1  # only the case with a finding of its sector (消防)


def test_the_county_office_corrects_a_service_with_a_reason(api, county, database):
    case_id, _ = new_case(api, county.units.shop.id, "XF-01")
    document_id = reminder_of(api, case_id)["id"]
    path = f"/documents/{document_id}/service/correction"
    refused(api.post(path, "office", day="2026-03-04", json={**SERVICE, "reason": "姓名写错"}), 409)
    ok(api.post(f"/documents/{document_id}/service", "inspector", day="2026-03-02",
                json={**SERVICE, "receiver": "张山"}), 201)
    refused(api.post(path, "east", day="2026-03-04", json={**SERVICE, "reason": "姓名写错"}), 403)
    refused(api.post(path, "office", day="2026-03-04", json=SERVICE), 400, field="reason")
    corrected = ok(api.post(path, "office", day="2026-03-04", json={**SERVICE, "reason": "姓名写错"}))
    assert corrected["receiver"] == "张三" and corrected["corrected_at"].startswith("2026-03-04")
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "document.service_corrected")) == 1


def test_n_requests_serving_one_notice_at_once_one_wins(app, api, tokens, county, database):
    case_id, _ = new_case(api, county.units.shop.id, "XF-01")
    document_id = reminder_of(api, case_id)["id"]
    senders = ["inspector", "office", "east", "admin", "inspector"]
    answers = at_once(app, tokens, "2026-03-02", lambda client, index: client.post(
        f"/documents/{document_id}/service", senders[index], json={**SERVICE, "receiver": f"张三{index}"}))
    winner = one_winner(answers, won=201)
    losers = [body["error"]["current"] for status, body in answers if status == 409]
    assert all(current["service_id"] == winner["id"] for current in losers)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(DocumentService.id))) == 1
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "document.served")) == 1
