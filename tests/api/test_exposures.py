"""平安曝光 through the API: a draft is changed or discarded, submitted, returned or approved by a second person,
given a last day, taken down."""

from sqlalchemy import func, select

from inspect_loop.exposures.models import Exposure
from tests.api.client import ok, refused
from tests.factories import inspect
from tests.helpers import at


def test_a_draft_is_changed_submitted_approved_given_a_last_day_and_taken_down(api, county, database):
    with at("2026-05-06"):
        shop = inspect(county, county.units.shop, "XF-01", "YD-01").findings
        market = inspect(county, county.units.market, "SP-01").findings
    database.session.commit()
    draft = ok(api.post("/exposures", "office", day="2026-05-10", json={
        "title": "第二季度曝光", "draft": True, "items": [{"unit_id": shop[0].unit_id, "finding_ids": [shop[0].id]}]}),
        201)
    changed = ok(api.request("PUT", f"/exposures/{draft['id']}", "office", day="2026-05-11", json={
        "title": "2026年第二季度安全隐患曝光", "expires_on": "2026-06-30", "items": [
            {"unit_id": shop[0].unit_id, "finding_ids": [shop[0].id, shop[1].id]},
            {"unit_id": market[0].unit_id, "finding_ids": [market[0].id]}]}))
    assert changed["title"] == "2026年第二季度安全隐患曝光" and changed["status"] == "draft"
    assert [len(item["findings"]) for item in changed["items"]] == [2, 1]
    refused(api.request("PUT", f"/exposures/{draft['id']}", "east", json={"title": "x", "items": []}), 403)

    submitted = ok(api.post(f"/exposures/{draft['id']}/submit", "office", day="2026-05-12"))
    assert (submitted["status"], submitted["submitted_by_id"]) == ("awaiting_approval", county.users.office.id)
    assert ok(api.get("/exposures", "viewer"))["total"] == 0  # not public before approval
    refused(api.post(f"/exposures/{draft['id']}/approve", "office", day="2026-05-12"), 403)  # the drafter
    refused(api.post(f"/exposures/{draft['id']}/approve", "east", day="2026-05-12"), 403)
    published = ok(api.post(f"/exposures/{draft['id']}/approve", "head", day="2026-05-12"))
    assert published["published_on"] == "2026-05-12" and published["approved_by_id"] == county.users.head.id
    assert published["status"] == "published"
    refused(api.request("PUT", f"/exposures/{draft['id']}", "office", day="2026-05-13", json={
        "title": "改", "items": [{"unit_id": market[0].unit_id, "finding_ids": [market[0].id]}]}), 409)
    refused(api.request("DELETE", f"/exposures/{draft['id']}", "office", day="2026-05-13"), 409)
    refused(api.post(f"/exposures/{draft['id']}/expiry", "office", day="2026-05-13",
                     json={"expires_on": "2026-05-01"}), 400, field="expires_on")
    assert ok(api.post(f"/exposures/{draft['id']}/expiry", "office", day="2026-05-13",
                       json={"expires_on": None}))["expires_on"] is None
    refused(api.post(f"/exposures/{draft['id']}/take-down", "office", day="2026-05-20", json={"reason": " "}), 400,
            field="reason")
    down = ok(api.post(f"/exposures/{draft['id']}/take-down", "office", day="2026-05-20",
                       json={"reason": "问题已全部整改"}))
    assert down["expires_on"] == "2026-05-19" and down["status"] == "published"
    refused(api.post(f"/exposures/{draft['id']}/take-down", "office", day="2026-05-21",
                     json={"reason": "再次撤下"}), 409)


def test_a_draft_is_discarded_and_nothing_of_it_is_left(api, county, database):
    with at("2026-05-06"):
        finding = inspect(county, county.units.shop, "XF-01").findings[0]
    database.session.commit()
    draft = ok(api.post("/exposures", "office", day="2026-05-10", json={
        "title": "草稿", "draft": True, "items": [{"unit_id": finding.unit_id, "finding_ids": [finding.id]}]}), 201)
    refused(api.request("DELETE", f"/exposures/{draft['id']}", "viewer"), 403)
    response = api.request("DELETE", f"/exposures/{draft['id']}", "office", day="2026-05-11")
    assert response.status_code == 204 and response.get_data() == b""
    assert database.session.scalar(select(func.count(Exposure.id))) == 0
    refused(api.request("DELETE", f"/exposures/{draft['id']}", "office"), 404, field="exposure_id")


def test_a_draft_is_seen_only_by_the_county_office_of_its_places(api, county, database):
    from inspect_loop.regions.models import DepartmentKind, RegionLevel
    from inspect_loop.regions.operations import create_department, create_region
    from inspect_loop.users.models import Role
    from inspect_loop.users.operations import create_user, issue_api_token
    from tests.factories import PASSWORD

    yiwu = create_region(county.users.admin, code="330782", name="义乌市", level=RegionLevel.county,
                         parent_code=None)
    office = create_department(county.users.admin, code="YW-PAB", name="义乌市平安办",
                               kind=DepartmentKind.safety_office, region=yiwu, doc_prefix="义平安")
    other = issue_api_token(create_user(username="yiwu", role=Role.safety_office, department=office,
                                        password=PASSWORD))
    with at("2026-05-06"):
        finding = inspect(county, county.units.shop, "XF-01").findings[0]
    database.session.commit()
    draft = ok(api.post("/exposures", "office", day="2026-05-10", json={
        "title": "草稿", "draft": True, "items": [{"unit_id": finding.unit_id, "finding_ids": [finding.id]}]}), 201)

    assert [item["id"] for item in ok(api.get("/exposures", token=other))["items"]] == []
    refused(api.get(f"/exposures/{draft['id']}", token=other), 403)
    assert [item["id"] for item in ok(api.get("/exposures", "office"))["items"]] == [draft["id"]]
    ok(api.post(f"/exposures/{draft['id']}/submit", "office", day="2026-05-12"))
    ok(api.post(f"/exposures/{draft['id']}/approve", "head", day="2026-05-12"))
    assert [item["id"] for item in ok(api.get("/exposures", token=other))["items"]] == [draft["id"]]


def test_an_exposure_posted_goes_to_approval_and_is_returned_with_a_reason(api, county, database):
    with at("2026-05-06"):
        finding = inspect(county, county.units.shop, "XF-01").findings[0]
    database.session.commit()
    posted = ok(api.post("/exposures", "office", day="2026-05-10", json={
        "title": "第二季度曝光", "items": [{"unit_id": finding.unit_id, "finding_ids": [finding.id]}]}), 201)
    assert posted["status"] == "awaiting_approval" and posted["published_on"] is None
    refused(api.post(f"/exposures/{posted['id']}/return", "head", json={"reason": " "}), 400, field="reason")
    returned = ok(api.post(f"/exposures/{posted['id']}/return", "head", day="2026-05-11",
                           json={"reason": "标题须写明年度"}))
    assert (returned["status"], returned["return_reason"]) == ("draft", "标题须写明年度")
    refused(api.post(f"/exposures/{posted['id']}/approve", "head", day="2026-05-11"), 409)  # a draft again
    assert ok(api.get(f"/exposures/{posted['id']}", "office"))["return_reason"] == "标题须写明年度"
