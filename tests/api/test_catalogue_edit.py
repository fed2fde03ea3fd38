"""PATCH /regions/{code}, /departments/{code}, /hazard-types/{code}: the administrator corrects the catalogue;
an omitted field is unchanged, a bad one is a 400 naming it, an unknown code a 404, any other role a 403 —
and a refused request changes nothing."""

import pytest
from sqlalchemy import select

from inspect_loop.audit.models import Event
from inspect_loop.db import db
from tests.api.client import ok, refused
from tests.factories import inspect
from tests.helpers import at


def updated_events() -> list[str]:
    return list(db.session.scalars(select(Event.action).where(Event.action.like("%.updated")).order_by(Event.id)))


def test_patching_a_region_renames_it(api, county):
    answer = ok(api.patch("/regions/330781101", "admin", json={"name": "马涧镇（新）"}))
    assert answer == {"id": county.west.id, "code": "330781101", "name": "马涧镇（新）", "level": "township",
                      "parent_code": "330781"}
    assert ok(api.patch("/regions/330781101", "admin", json={}))["name"] == "马涧镇（新）"
    db.session.expire_all()
    assert county.west.name == "马涧镇（新）" and updated_events() == ["region.updated"]


def test_patching_a_department_changes_only_the_fields_sent(api, county):
    answer = ok(api.patch("/departments/LX-YJ", "admin", json={"sectors": ["用电", "生产", "燃气"]}))
    assert answer["sectors"] == ["燃气", "生产", "用电"]
    assert (answer["name"], answer["doc_prefix"], answer["kind"], answer["region_code"]) == (
        "兰溪市应急管理局", "兰应急", "regulator", "330781")
    answer = ok(api.patch("/departments/LX-PAB", "admin", json={"name": "兰溪市平安建设办公室", "doc_prefix": "兰平建"}))
    assert (answer["name"], answer["doc_prefix"], answer["sectors"]) == ("兰溪市平安建设办公室", "兰平建", [])
    db.session.expire_all()
    assert county.emergency.sectors == ["燃气", "生产", "用电"] and county.office.doc_prefix == "兰平建"


def test_patching_a_hazard_type_changes_only_the_fields_sent(api, county):
    answer = ok(api.patch("/hazard-types/XF-02", "admin", json={"title": "消防设施配备不全或失效",
                                                                "rectify_days": 15, "day_basis": "working"}))
    assert answer == {"id": county.hazards["XF-02"].id, "code": "XF-02", "category": "消防安全",
                      "title": "消防设施配备不全或失效", "sector": "消防", "severity": "general",
                      "rectify_days": 15, "day_basis": "working", "legal_basis": ""}


def test_a_hazard_types_legal_basis_is_set_and_cleared(api, county):
    basis = "《中华人民共和国消防法》第十六条第一款第（二）项"
    assert ok(api.patch("/hazard-types/XF-02", "admin", json={"legal_basis": f" {basis} "}))["legal_basis"] == basis
    assert ok(api.patch("/hazard-types/XF-02", "admin", json={"title": "消防设施配备不全或失效"}))["legal_basis"] == basis
    db.session.expire_all()
    assert county.hazards["XF-02"].legal_basis == basis
    assert ok(api.patch("/hazard-types/XF-02", "admin", json={"legal_basis": ""}))["legal_basis"] == ""
    assert updated_events() == ["hazard_type.updated"] * 3


def test_a_departments_issuer_details_are_set_and_normalised(api, county):
    answer = ok(api.patch("/departments/LX-PAB", "admin", json={
        "full_name": "兰溪市平安建设领导小组办公室", "address": "兰溪市丹溪大道1号", "contact_person": "陈科长",
        "contact_phone": "０５７９－８８９０１２３４", "enforcement_powers": True}))
    assert {key: answer[key] for key in ("name", "full_name", "address", "contact_person", "contact_phone",
                                         "enforcement_powers")} == {
        "name": "兰溪市平安办", "full_name": "兰溪市平安建设领导小组办公室", "address": "兰溪市丹溪大道1号",
        "contact_person": "陈科长", "contact_phone": "0579-88901234", "enforcement_powers": True}
    assert ok(api.patch("/departments/LX-PAB", "admin", json={"enforcement_powers": False}))["full_name"] == (
        "兰溪市平安建设领导小组办公室")
    db.session.expire_all()
    assert (county.office.contact_phone, county.office.enforcement_powers) == ("0579-88901234", False)


def test_a_new_department_holds_powers_by_its_kind_unless_told(api, county):
    body = {"code": "LX-ZJ", "name": "兰溪市住房和城乡建设局", "kind": "regulator", "region_code": "330781",
            "sectors": ["燃气"]}
    assert ok(api.post("/departments", "admin", json=body), 201)["enforcement_powers"] is True
    office = ok(api.post("/departments", "admin", json={
        "code": "SH-PAB", "name": "水亭乡平安办", "kind": "safety_office", "region_code": "330781101",
        "full_name": "兰溪市水亭畲族乡平安建设办公室", "contact_phone": "0579-88912345"}), 201)
    assert (office["enforcement_powers"], office["full_name"], office["contact_person"]) == (
        False, "兰溪市水亭畲族乡平安建设办公室", "")


@pytest.mark.parametrize("path, body, field", [
    ("/regions/330781001", {"name": ""}, "name"),
    ("/regions/330781001", {"name": "兰江", "level": "county"}, "level"),  # not correctable: unknown here
    ("/regions/330781001", {"code": "330781009"}, "code"),
    ("/departments/LX-XF", {"sectors": []}, "sectors"),
    ("/departments/LX-XF", {"sectors": "消防"}, "sectors"),
    ("/departments/LX-XF", {"doc_prefix": "兰" * 21}, "doc_prefix"),
    ("/departments/LX-PAB", {"sectors": ["消防"]}, "sectors"),
    ("/departments/LX-XF", {"kind": "safety_office"}, "kind"),
    ("/departments/LX-XF", {"contact_phone": "0579-8890abcd"}, "contact_phone"),
    ("/departments/LX-XF", {"contact_phone": "119"}, "contact_phone"),
    ("/departments/LX-XF", {"contact_phone": "0" * 31}, "contact_phone"),
    ("/departments/LX-XF", {"full_name": "兰" * 101}, "full_name"),
    ("/departments/LX-XF", {"contact_person": "王\u202e参谋"}, "contact_person"),
    ("/departments/LX-XF", {"enforcement_powers": "yes"}, "enforcement_powers"),
    ("/hazard-types/XF-01", {"legal_basis": "《消防法》" * 101}, "legal_basis"),
    ("/hazard-types/XF-01", {"legal_basis": "第一条\n第二条"}, "legal_basis"),
    ("/hazard-types/XF-01", {"rectify_days": 400}, "rectify_days"),
    ("/hazard-types/XF-01", {"rectify_days": "7"}, "rectify_days"),
    ("/hazard-types/XF-01", {"title": "  "}, "title"),
    ("/hazard-types/XF-01", {"severity": "fatal"}, "severity"),
    ("/hazard-types/XF-01", {"code": "XF-09"}, "code"),
])
def test_a_bad_field_is_a_400_naming_it_and_changes_nothing(api, county, path, body, field):
    refused(api.patch(path, "admin", json=body), 400, field=field)
    db.session.expire_all()
    assert (county.east.name, county.fire.sectors, county.fire.doc_prefix, county.office.sectors) == (
        "兰江街道", ["消防"], "兰消", [])
    assert (county.fire.full_name, county.fire.contact_phone, county.fire.enforcement_powers) == ("", "", True)
    assert (county.hazards["XF-01"].rectify_days, county.hazards["XF-01"].title) == (7, "应急照明灯未接通电源")
    assert county.hazards["XF-01"].legal_basis == ""
    assert updated_events() == []


@pytest.mark.parametrize("path", ["/regions/999999", "/departments/LX-NONE", "/hazard-types/XX-99",
                                  "/hazard-types/XF-01%00", "/regions/" + "3" * 41])
def test_an_unknown_code_is_a_404(api, county, path):
    refused(api.patch(path, "admin", json={"name": "x"} if "hazard" not in path else {"title": "x"}), 404,
            field="code", code="not_found")


@pytest.mark.parametrize("username", ["office", "east", "fire", "inspector", "viewer"])
def test_other_roles_are_refused_with_403(api, county, username):
    for path, body in [("/regions/330781001", {"name": "改名"}), ("/departments/LX-XF", {"doc_prefix": "改"}),
                       ("/hazard-types/XF-01", {"rectify_days": 30})]:
        refused(api.patch(path, username, json=body), 403, code="forbidden")
    db.session.expire_all()
    assert (county.east.name, county.fire.doc_prefix, county.hazards["XF-01"].rectify_days) == ("兰江街道", "兰消", 7)


def test_a_sector_still_needed_by_open_findings_is_a_409(api, county, database):
    with at("2026-03-02"):
        inspect(county, county.units.shop, "XF-01")
    database.session.commit()
    error = refused(api.patch("/departments/LX-XF", "admin", json={"sectors": ["电动自行车"]}), 409,
                    field="sectors", code="conflict")
    assert "“消防”" in error["message"]
    error = refused(api.patch("/hazard-types/XF-01", "admin", json={"sector": "燃气"}), 409, field="sector")
    assert error["message"].startswith("兰溪市有该隐患类型尚未签认的问题")
    db.session.expire_all()
    assert county.fire.sectors == ["消防"] and county.hazards["XF-01"].sector == "消防"
