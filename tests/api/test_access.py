"""Bearer tokens (missing, forged, revoked, inactive user) and the row scoping of each reader."""

from datetime import date

from inspect_loop.assignments.operations import issue_assignment
from inspect_loop.cases import ladder
from inspect_loop.exposures.operations import ExposedPlace, create_exposure
from inspect_loop.inspections.operations import plan_inspection
from inspect_loop.users.operations import revoke_api_tokens
from tests.api.client import ok, refused
from tests.factories import inspect
from tests.helpers import at


def test_requests_without_a_valid_token_are_refused_with_401(api, county, database):
    response = api.get("/cases")
    error = refused(response, 401, code="unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer" in error["message"]
    refused(api.get("/cases", token="il_forged"), 401, code="invalid_token")
    response = api.client.get("/api/v1/cases", headers={"Authorization": f"Basic {api.tokens['office']}"})
    refused(response, 401)
    ok(api.get("/me", "office"))


def test_a_revoked_token_and_a_token_of_an_inactive_user_are_refused(api, county, database):
    assert ok(api.get("/me", "east"))["username"] == "east"
    revoke_api_tokens(county.users.east)
    database.session.commit()
    refused(api.get("/me", "east"), 401, code="invalid_token")

    assert ok(api.get("/me", "viewer"))["role"] == "viewer"
    county.users.viewer.active = False
    database.session.commit()
    refused(api.get("/me", "viewer"), 401, code="invalid_token")


def test_a_tokens_last_use_is_kept_to_five_minutes_so_reads_stay_reads(api, county, database):
    from datetime import datetime

    from sqlalchemy import select

    from inspect_loop.users.models import ApiToken

    def last_used(hour, minute):
        with at("2026-03-02", hour, minute):
            ok(api.get("/me", "fire"))
        database.session.expire_all()
        return database.session.scalar(select(ApiToken.last_used_at).where(ApiToken.user_id == county.users.fire.id))

    first = last_used(10, 0)
    assert first == datetime(2026, 3, 2, 2, 0)  # stored in UTC
    assert last_used(10, 4) == first  # within five minutes: not written again
    assert last_used(10, 5) == datetime(2026, 3, 2, 2, 5)


def test_me_lists_the_users_permissions(api):
    me = ok(api.get("/me", "fire"))
    assert me["department"]["code"] == "LX-XF" and me["department"]["sectors"] == ["消防"]
    assert me["role_label"] == "行业主管部门"
    assert set(me["permissions"]) == {"view_cases", "record_inspection", "receive_assignment", "sign_off",
                                      "record_referral_feedback", "decide_extension", "view_stats"}


def test_a_township_office_sees_only_its_township(api, county, database):
    with at("2026-03-02"):
        east_case = inspect(county, county.units.shop, "XF-01").findings[0].case
        west_case = inspect(county, county.units.factory, "YD-01").findings[0].case
    database.session.commit()

    units = ok(api.get("/units", "west"))
    assert [unit["id"] for unit in units["items"]] == [county.units.factory.id] and units["total"] == 1
    assert ok(api.get("/units", "office"))["total"] == 3
    refused(api.get(f"/units/{county.units.shop.id}", "west"), 403, code="forbidden")
    assert [case["id"] for case in ok(api.get("/cases", "west"))["items"]] == [west_case.id]
    refused(api.get(f"/cases/{east_case.id}", "west"), 403)
    refused(api.get(f"/findings/{east_case.findings[0].id}", "west"), 403)
    reminder = ok(api.get(f"/cases/{east_case.id}", "east"))["documents"][0]
    refused(api.get(f"/documents/{reminder['id']}", "west"), 403)
    refused(api.get(f"/documents/{reminder['id']}/pdf", "west"), 403)
    # Acting outside the township is refused by the domain as well.
    refused(api.post("/inspections", "west", json={"unit_id": county.units.shop.id, "kind": "grid_patrol",
                                                   "findings": [{"hazard_code": "XF-01"}]}), 403)
    refused(api.post("/units", "west", json={"name": "越界单位", "address": "", "region_code": "330781001",
                                             "category": ""}), 403)


def test_a_regulator_sees_the_cases_of_its_sectors(api, county, database):
    with at("2026-03-02"):
        fire_case = inspect(county, county.units.shop, "XF-01").findings[0].case
        food_case = inspect(county, county.units.market, "SP-01").findings[0].case
    database.session.commit()
    assert [case["id"] for case in ok(api.get("/cases", "fire"))["items"]] == [fire_case.id]
    assert [case["id"] for case in ok(api.get("/cases", "market"))["items"]] == [food_case.id]
    refused(api.get(f"/cases/{food_case.id}", "fire"), 403)
    assert ok(api.get("/units", "fire"))["total"] == 3  # every unit of its county
    assert ok(api.get("/cases", "inspector"))["total"] == 2
    assert ok(api.get("/cases", "viewer"))["total"] == 2


def test_a_recipient_reads_only_its_own_inbox(api, county, database):
    with at("2026-03-02"):
        fire_case = inspect(county, county.units.shop, "XF-01").findings[0].case
        food_case = inspect(county, county.units.factory, "SP-01").findings[0].case
        for case in (fire_case, food_case):
            ladder.escalate(case, county.users.office, "逾期")
        fire = issue_assignment(county.users.office, fire_case, county.fire)
        food = issue_assignment(county.users.office, food_case, county.market)
    database.session.commit()

    def inbox(who, **query):
        return [item["id"] for item in ok(api.get("/assignments", who, query=query, day="2026-03-03"))["items"]]

    assert inbox("fire") == [fire.id]
    assert inbox("east") == [fire.id]
    assert inbox("west") == [food.id]
    assert inbox("office") == [fire.id, food.id]
    assert inbox("office", department="LX-SCJG") == [food.id]
    assert inbox("office", department="LX-SCJG", status="pending") == [food.id]
    assert inbox("viewer", status="received") == []
    refused(api.get("/assignments", "fire", query={"department": "LX-SCJG"}), 403)
    refused(api.get(f"/assignments/{food.id}", "fire"), 403)
    refused(api.post(f"/assignments/{food.id}/receipt", "fire"), 403)
    refused(api.get("/assignments", "office", query={"department": "NOPE"}), 404, field="department")
    refused(api.get("/assignments", "office", query={"status": "lost"}), 400, field="status")


def test_plans_are_secret_to_their_team_and_the_county_office(api, county, database):
    with at("2026-03-01"):
        plan = plan_inspection(county.users.office, county.units.shop, date(2026, 3, 2), team=[county.users.inspector])
    database.session.commit()
    assert ok(api.get("/inspection-plans", "inspector"))["total"] == 1
    assert ok(api.get("/inspection-plans", "inspector2"))["total"] == 0
    assert ok(api.get("/inspection-plans", "admin"))["total"] == 1
    for outsider in ("east", "fire", "viewer"):
        refused(api.get("/inspection-plans", outsider), 403)
    # Naming a plan one may not see is answered as if it did not exist.
    refused(api.post("/inspections", "east", json={"unit_id": county.units.shop.id, "kind": "grid_patrol",
                                                   "plan_id": plan.id}), 404, field="plan_id")
    refused(api.post("/inspections", "inspector2", json={"unit_id": county.units.shop.id, "kind": "unannounced",
                                                         "plan_id": plan.id}), 404, field="plan_id")
    done = ok(api.post("/inspections", "inspector", json={"unit_id": county.units.shop.id, "kind": "unannounced",
                                                          "plan_id": plan.id}, day="2026-03-02"), 201)
    assert done["findings"] == [] and done["case"] is None
    assert ok(api.get("/inspection-plans", "office"))["items"][0]["inspection_id"] == done["id"]


def test_draft_exposures_are_internal(api, county, database):
    with at("2026-03-02"):
        case = inspect(county, county.units.shop, "XF-01").findings[0].case
        draft = create_exposure(county.users.office, title="草稿", draft=True,
                                items=[ExposedPlace(case.unit, list(case.findings))])
    database.session.commit()
    assert ok(api.get("/exposures", "office"))["total"] == 1
    assert ok(api.get("/exposures", "east"))["total"] == 0
    assert ok(api.get("/exposures", "east", query={"status": "draft"}))["total"] == 0
    refused(api.get(f"/exposures/{draft.id}", "east"), 403)
    assert ok(api.get(f"/exposures/{draft.id}", "office"))["items"][0]["findings"][0]["hazard_code"] == "XF-01"
