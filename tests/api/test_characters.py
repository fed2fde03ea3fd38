"""The API refuses control and invisible formatting characters in every text it stores, naming the field;
multi-line notes keep their line breaks."""

import pytest
from sqlalchemy import func, select

from inspect_loop.db import db
from inspect_loop.inspections.models import Inspection
from inspect_loop.units.models import Unit
from tests.api.client import ok, refused
from tests.factories import inspect


def unit_body(**changes) -> dict:
    return {"name": "兰江副食品商店", "address": "兰江街道兰荫路2号", "region_code": "330781001", "category": "商铺",
            **changes}


@pytest.mark.parametrize(("field", "value", "described"), [
    ("name", "兰江副食品\x01商店", "控制字符（U+0001）"),
    ("name", "兰江副食品商店\u202e号2", "文字方向控制字符（U+202E）"),
    ("address", "兰荫路\u200b2号", "不可见的格式字符（U+200B）"),
    ("name", "兰江副食品\n商店", "换行符或制表符（U+000A）"),
    ("contact_name", "李\u2066四", "文字方向控制字符（U+2066）"),
])
def test_a_unit_with_a_refused_character_is_not_registered(api, county, field, value, described):
    before = db.session.scalar(select(func.count(Unit.id)))
    error = refused(api.post("/units", "office", json=unit_body(**{field: value})), 400, field=field, code="invalid")
    assert error["message"] == f"{field} 含有{described}，请清空后重新输入"
    assert described.split("（")[1].rstrip("）") in error["message_en"]
    assert db.session.scalar(select(func.count(Unit.id))) == before


def test_notes_keep_their_line_breaks_but_refuse_a_bidi_override(api, county):
    shop = county.units.shop.id
    body = {"unit_id": shop, "kind": "unannounced", "findings": [], "notes": "第一行\r\n第二行\t完"}
    recorded = ok(api.post("/inspections", "inspector", json=body, day="2026-03-02"), 201)
    assert db.session.get(Inspection, recorded["id"]).notes == "第一行\r\n第二行\t完"
    body = {**body, "notes": "整改\u202e完成", "submission_key": "another-visit"}
    refused(api.post("/inspections", "inspector", json=body, day="2026-03-02"), 400, field="notes")
    finding = {"hazard_code": "XF-01", "description": "照明\u200f灯"}
    refused(api.post("/inspections", "inspector", json={"unit_id": shop, "kind": "unannounced",
                                                        "findings": [finding]}, day="2026-03-02"),
            400, field="findings.0.description")


def test_a_reason_and_a_team_member_are_checked_too(api, county, database):
    inspection = inspect(county, county.units.shop, "XF-01")
    database.session.commit()
    refused(api.post(f"/cases/{inspection.case_id}/withdraw", "office", json={"reason": "录入\u202e错误"}), 400,
            field="reason")
    refused(api.post("/inspection-plans", "office", json={"unit_id": county.units.shop.id, "planned_on": "2026-03-09",
                                                          "team": ["inspec\u200btor"]}), 400, field="team.0")
