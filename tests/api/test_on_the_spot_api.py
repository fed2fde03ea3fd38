"""即查即改 through ``POST /inspections``: a finding marked ``on_the_spot`` with its photos is closed at once; the
API answers it closed, without a case when nothing else is left, and refuses one without a photo."""

from sqlalchemy import func, select

from inspect_loop.db import db
from inspect_loop.inspections.models import Inspection
from inspect_loop.letters.models import Document
from tests.api.client import ok, refused
from tests.api.test_rectification_photos import uploaded_by


def test_a_finding_rectified_on_the_spot_comes_back_closed_without_a_case(api, county):
    before, after = uploaded_by(county.users.inspector), uploaded_by(county.users.inspector)
    db.session.commit()
    body = ok(api.post("/inspections", "inspector", day="2026-03-02", json={
        "unit_id": county.units.shop.id, "kind": "unannounced",
        "findings": [{"hazard_code": "XF-01", "photos": [before.id], "on_the_spot": True,
                      "rectification_note": "已接通电源", "rectification_photos": [after.id]}]}), 201)
    assert (body["case_id"], body["case"], body["documents"]) == (None, None, [])
    [finding] = body["findings"]
    assert (finding["status"], finding["close_kind"], finding["case_id"], finding["closed_on"]) == (
        "closed", "on_the_spot", None, "2026-03-02")
    assert ok(api.get(f"/findings/{finding['id']}", "east"))["close_kind"] == "on_the_spot"
    refused(api.get(f"/findings/{finding['id']}", "west"), 403)  # another township's unit
    # Closed: nothing more can be reported for it.
    refused(api.post(f"/findings/{finding['id']}/rectification", "east", day="2026-03-03",
                     json={"note": "再次报告"}), 409, code="transition_refused")


def test_other_findings_open_a_case_of_their_own(api, county):
    after = uploaded_by(county.users.inspector)
    db.session.commit()
    body = ok(api.post("/inspections", "inspector", day="2026-03-02", json={
        "unit_id": county.units.market.id, "kind": "unannounced",
        "findings": [{"hazard_code": "XF-01", "on_the_spot": True, "rectification_photos": [after.id]},
                     {"hazard_code": "SP-01"}]}), 201)
    assert body["case"]["stage"] == "reminder"
    assert [(item["hazard_code"], item["status"]) for item in body["findings"]] == [
        ("XF-01", "closed"), ("SP-01", "open")]
    assert len(body["documents"]) == 1


def test_on_the_spot_without_a_photo_or_with_someone_elses_is_refused(api, county):
    foreign = uploaded_by(county.users.east)
    db.session.commit()
    path, unit_id = "/inspections", county.units.shop.id
    refused(api.post(path, "inspector", day="2026-03-02", json={
        "unit_id": unit_id, "kind": "unannounced", "findings": [{"hazard_code": "XF-01", "on_the_spot": True}]}),
        400, "rectification_photos")
    refused(api.post(path, "inspector", day="2026-03-02", json={
        "unit_id": unit_id, "kind": "unannounced",
        "findings": [{"hazard_code": "XF-01", "on_the_spot": True, "rectification_photos": [foreign.id]}]}),
        404, "findings.0.rectification_photos.0")
    refused(api.post(path, "inspector", day="2026-03-02", json={
        "unit_id": unit_id, "kind": "unannounced",
        "findings": [{"hazard_code": "SC-01", "on_the_spot": True, "rectification_photos": []}]}), 400, "on_the_spot")
    assert db.session.scalar(select(func.count(Inspection.id))) == 0
    assert db.session.scalar(select(func.count(Document.id))) == 0
