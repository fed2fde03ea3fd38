"""Errors are JSON naming the field; unknown ids are 404; refused transitions 409; a failing request changes
nothing in the database."""

import pytest
from sqlalchemy import func, select, text

from inspect_loop.db import db
from inspect_loop.errors import InvalidInput
from tests.api.client import ok, refused
from tests.factories import inspect
from tests.helpers import at


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"kind": "unannounced"}, "unit_id", "缺少必填字段 unit_id"),
    ({"unit_id": 1, "kind": "unannounced", "colour": "red"}, "colour", "不允许的字段 colour"),
    ({"unit_id": "1", "kind": "unannounced"}, "unit_id", "unit_id 须为整数"),
    ({"unit_id": 0, "kind": "unannounced"}, "unit_id", "unit_id 超出允许范围"),
    ({"unit_id": 1, "kind": "picnic"}, "kind", "kind 的取值无效"),
    ({"unit_id": 1, "kind": "unannounced", "findings": [{"description": "x"}]}, "findings.0.hazard_code", None),
    ({"unit_id": 1, "kind": "reinspection", "verified": [{"finding_id": 1, "rectified": "yes"}]},
     "verified.0.rectified", "verified.0.rectified 须为 true 或 false"),
    ({"unit_id": 1, "kind": "unannounced", "latitude": 91}, "latitude", None),
    ({"unit_id": 1, "kind": "unannounced", "notes": "a\u0000b"}, "notes",
     "notes 含有控制字符（U+0000），请清空后重新输入"),
])
def test_bad_input_is_400_naming_the_field(api, body, field, message):
    error = refused(api.post("/inspections", "inspector", json=body), 400, field=field, code="invalid")
    if message:
        assert error["message"] == message


def test_dates_and_times_must_be_iso(api):
    refused(api.post("/inspection-plans", "office", json={"unit_id": 1, "planned_on": "02/03/2026",
                                                          "team": ["inspector"]}), 400, field="planned_on")
    refused(api.post("/inspection-plans", "office", json={"unit_id": 1, "planned_on": "2026-03-02T00:00:00",
                                                          "team": ["inspector"]}), 400, field="planned_on")
    refused(api.post("/interview-rounds", "office", json={"held_at": "tomorrow", "venue": "站", "convened_by": "LX-PAB",
                                                          "departments": [], "case_ids": [1]}), 400, field="held_at")
    refused(api.post("/interview-rounds", "office", json={"held_at": "0001-01-01T00:00:00+14:00", "venue": "站",
                                                          "convened_by": "LX-PAB", "departments": [],
                                                          "case_ids": [1]}), 400, field="held_at")


def test_a_body_that_is_not_a_json_object_is_400(api):
    response = api.client.post("/api/v1/cases/1/escalate", data="{not json",
                               headers={"Authorization": f"Bearer {api.tokens['office']}",
                                        "Content-Type": "application/json"})
    error = refused(response, 400)
    assert error["message"] == "请求体须为 JSON 对象" and "field" not in error
    refused(api.post("/cases/1/escalate", "office", json=["reason"]), 400)


def test_query_strings_are_validated(api):
    refused(api.get("/cases", "office", query={"per_page": 201}), 400, field="per_page")
    refused(api.get("/cases", "office", query={"page": "first"}), 400, field="page")
    refused(api.get("/cases", "office", query={"overdue": "maybe"}), 400, field="overdue")
    refused(api.get("/cases", "office", query={"region": "999999"}), 404, field="region")
    refused(api.get("/units", "office", query={"region": "330781101201"}), 400, field="region")
    page = ok(api.get("/units", "office", query={"per_page": 2, "page": 2}))
    assert (page["total"], page["page"], page["per_page"], len(page["items"])) == (3, 2, 2, 1)


def test_unit_search_and_filters(api, county):
    def names(**query):
        return [unit["name"] for unit in ok(api.get("/units", "office", query=query))["items"]]

    assert names(q="农贸") == ["柏社农贸市场"]
    assert names(q="郑宅村") == ["马涧五金加工厂"]  # by address
    assert names(q=county.units.shop.uscc.lower()) == ["某电子商务商行"]  # by USCC, any case
    assert names(q="100%") == []
    assert names(region="330781101") == ["马涧五金加工厂"]
    assert names(status="banned") == []


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/inspections", {"unit_id": 999, "kind": "unannounced"}, "unit_id"),
    ("/inspections", {"unit_id": "UNIT", "kind": "unannounced"}, "unit_id"),
    ("/cases/999/escalate", {"reason": "逾期"}, "case_id"),
    ("/findings/2147483648/close", {}, "finding_id"),
    ("/interview-rounds/999/attendance", {"case_id": 1, "attended": False}, "round_id"),
    ("/departments", {"code": "X", "name": "X", "kind": "regulator", "region_code": "000000", "sectors": ["消防"]},
     "region_code"),
])
def test_unknown_ids_and_codes_are_404_naming_the_field(api, path, body, field):
    who = {"/departments": "admin", "/findings/2147483648/close": "east"}.get(path, "office")
    response = api.post(path, who, json=body)
    if body.get("unit_id") == "UNIT":
        refused(response, 400, field=field)
    else:
        refused(response, 404, field=field, code="not_found")


def test_unknown_hazard_and_team_member_are_404_naming_the_item(api, county):
    refused(api.post("/inspections", "inspector", json={"unit_id": county.units.shop.id, "kind": "unannounced",
                                                        "findings": [{"hazard_code": "XF-01"},
                                                                     {"hazard_code": "NOPE"}]}),
            404, field="findings.1.hazard_code")
    refused(api.post("/inspections", "inspector", json={"unit_id": county.units.shop.id, "kind": "unannounced",
                                                        "team": ["inspector", "ghost"]}), 404, field="team.1")


def test_refused_transitions_and_conflicts_are_409(api, county, database):
    with at("2026-03-02"):
        case = inspect(county, county.units.shop, "XF-01").findings[0].case
    database.session.commit()
    refused(api.post(f"/cases/{case.id}/enforcement", "office", json={"action": "ban", "departments": ["LX-XF"]}),
            409, code="transition_refused")
    refused(api.post("/regions", "admin", json={"code": "330781", "name": "重复", "level": "county"}), 409,
            field="code", code="conflict")


def test_unknown_api_paths_and_methods_answer_json(api, client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.is_json
    assert response.get_json()["error"]["code"] == "not_found"
    response = client.delete("/api/v1/units")
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}
    response = client.post("/api/v1/cases/1", json={})
    assert response.status_code == 405 and response.is_json
    # Outside /api/ the web pages answer for themselves.
    assert not client.get("/no-such-page").is_json


def _row_counts():
    tables = [table.name for table in db.metadata.sorted_tables]
    return {name: db.session.scalar(select(func.count()).select_from(text(f'"{name}"'))) for name in tables}


def test_a_failing_request_leaves_the_database_unchanged(api, county, database, monkeypatch):
    """The inspection, the case, the findings and their events are flushed before the reminder is issued; the
    issue fails, and the whole request is rolled back."""
    def failing_reminder(inspection, findings, actor):
        assert database.session.scalar(select(func.count()).select_from(text("finding"))) == 2  # flushed
        raise InvalidInput("文书签发失败", "the notice could not be issued", field="findings")

    monkeypatch.setattr("inspect_loop.letters.issuing.issue_reminder", failing_reminder)
    shop_id = county.units.shop.id
    before = _row_counts()
    response = api.post("/inspections", "inspector", json={"unit_id": shop_id, "kind": "unannounced",
                                                           "findings": [{"hazard_code": "XF-01"},
                                                                        {"hazard_code": "YD-01"}]})
    refused(response, 400, field="findings")
    database.session.remove()
    assert _row_counts() == before
    monkeypatch.undo()
    ok(api.post("/inspections", "inspector", json={"unit_id": shop_id, "kind": "unannounced",
                                                   "findings": [{"hazard_code": "XF-01"}]}), 201)
    database.session.remove()
    assert _row_counts()["finding"] == before["finding"] + 1


@pytest.mark.parametrize(("path", "field"), [
    ("/stats/risk?region=%9D%00x", "region"),  # PostgreSQL refuses NUL in text: once a 500 there
    ("/stats/summary?from=2026-02-30", "from"),
    ("/stats/summary?format=pdf", "format"),
    ("/stats/overdue?limit=0", "limit"),
    ("/units?q=a%00b", "q"),
])
def test_bad_query_strings_are_400_naming_the_parameter(api, path, field):
    refused(api.get(path, "office"), 400, field=field, code="invalid")


def test_a_blank_catalogue_field_is_named_in_chinese(api):
    error = refused(api.post("/hazard-types", "admin", json={
        "code": "XF-99", "category": "  ", "title": "测试", "sector": "消防", "severity": "general",
        "rectify_days": 7}), 400, field="category")
    assert error["message"] == "请填写隐患类别"


def test_a_retried_inspection_with_its_submission_key_is_recorded_once(api, county, database):
    from inspect_loop.inspections.models import Inspection
    from inspect_loop.letters.models import Document

    body = {"unit_id": county.units.shop.id, "kind": "unannounced", "findings": [{"hazard_code": "XF-01"}],
            "submission_key": "3f2c9d1e-7a41-4c55-9b0e-2d6f8a1c0b77"}
    first = ok(api.post("/inspections", "inspector", json=body, day="2026-03-02"), 201)
    again = ok(api.post("/inspections", "inspector", json=body, day="2026-03-02", hour=11), 201)
    assert again == first
    assert database.session.scalar(select(func.count(Inspection.id))) == 1
    assert database.session.scalar(select(func.count(Document.id))) == 1  # one reminder, one number
    # The key belongs to that inspection: another user or unit cannot reuse it.
    refused(api.post("/inspections", "inspector2", json=body, day="2026-03-02"), 409, field="submission_key")
    other_unit = {**body, "unit_id": county.units.market.id}
    refused(api.post("/inspections", "inspector", json=other_unit, day="2026-03-02"), 409, field="submission_key")
