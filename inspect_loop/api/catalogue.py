"""Regions, departments and the hazard catalogue (《平安建设指导手册》)."""

from sqlalchemy import select

from inspect_loop.api import lookups
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.routing import route
from inspect_loop.api.serialize import department_out, hazard_type_out, paginate, region_out
from inspect_loop.errors import NotFound
from inspect_loop.hazards.models import HazardType
from inspect_loop.regions.operations import (
    create_department,
    create_hazard_type,
    create_region,
    update_department,
    update_hazard_type,
    update_region,
)
from inspect_loop.users.permissions import Action


@route("POST", "/regions", summary="新建行政区划", permission=Action.manage_catalogue, body=inp.RegionIn,
       response=out.RegionOut, status=201)
def post_region(actor, body: inp.RegionIn):
    return region_out(create_region(actor, code=body.code, name=body.name, level=body.level,
                                    parent_code=body.parent_code or None))


@route("POST", "/departments", summary="新建部门（平安办或行业主管部门）", permission=Action.manage_catalogue,
       body=inp.DepartmentIn, response=out.DepartmentOut, status=201)
def post_department(actor, body: inp.DepartmentIn):
    region = lookups.region(body.region_code, field="region_code")
    return department_out(create_department(actor, code=body.code, name=body.name, kind=body.kind, region=region,
                                            sectors=body.sectors, doc_prefix=body.doc_prefix or "",
                                            full_name=body.full_name, address=body.address,
                                            contact_person=body.contact_person, contact_phone=body.contact_phone,
                                            enforcement_powers=body.enforcement_powers))


@route("POST", "/hazard-types", summary="新增隐患类型", permission=Action.manage_catalogue, body=inp.HazardTypeIn,
       response=out.HazardTypeOut, status=201)
def post_hazard_type(actor, body: inp.HazardTypeIn):
    return hazard_type_out(create_hazard_type(actor, code=body.code, category=body.category, title=body.title,
                                              sector=body.sector, severity=body.severity,
                                              rectify_days=body.rectify_days, day_basis=body.day_basis,
                                              legal_basis=body.legal_basis))


def _code(code: str) -> str:
    """A code from the path as it could be stored; any other text (NUL, lone surrogates, too long) names no
    row, and the database must not see it (PostgreSQL refuses NUL in text)."""
    if len(code) > 40 or "\x00" in code or any("\ud800" <= char <= "\udfff" for char in code):
        raise NotFound("该代码不存在", "The hazard catalogue has no entry with this code.", field="code")
    return code


@route("PATCH", "/regions/<code>", summary="修改行政区划名称（代码、层级和上级不可改）", permission=Action.manage_catalogue,
       body=inp.RegionPatchIn, response=out.RegionOut)
def patch_region(actor, code: str, body: inp.RegionPatchIn):
    region = lookups.region(_code(code), field="code")
    return region_out(update_region(actor, region, name=body.name))


@route("PATCH", "/departments/<code>", summary="修改部门名称、负责行业、文号前缀、全称、地址、联系人、联系电话或执法职权"
       "（代码、类别和所在区划不可改）",
       permission=Action.manage_catalogue, body=inp.DepartmentPatchIn, response=out.DepartmentOut)
def patch_department(actor, code: str, body: inp.DepartmentPatchIn):
    department = lookups.department(_code(code), field="code")
    return department_out(update_department(actor, department, name=body.name, sectors=body.sectors,
                                            doc_prefix=body.doc_prefix, full_name=body.full_name,
                                            address=body.address, contact_person=body.contact_person,
                                            contact_phone=body.contact_phone,
                                            enforcement_powers=body.enforcement_powers))


@route("PATCH", "/hazard-types/<code>", summary="修改隐患类型（代码不可改；整改天数等只影响此后发现的问题）",
       permission=Action.manage_catalogue, body=inp.HazardTypePatchIn, response=out.HazardTypeOut)
def patch_hazard_type(actor, code: str, body: inp.HazardTypePatchIn):
    hazard = lookups.hazard_type(_code(code), field="code")
    return hazard_type_out(update_hazard_type(actor, hazard, category=body.category, title=body.title,
                                              sector=body.sector, severity=body.severity,
                                              rectify_days=body.rectify_days, day_basis=body.day_basis,
                                              legal_basis=body.legal_basis))


@route("GET", "/hazard-types", summary="隐患类型目录", permission=Action.view_cases, query=inp.HazardTypeQuery,
       response=out.Page[out.HazardTypeOut])
def list_hazard_types(actor, query: inp.HazardTypeQuery):
    conditions = []
    if query.category:
        conditions.append(HazardType.category == query.category)
    if query.sector:
        conditions.append(HazardType.sector == query.sector)
    return paginate(select(HazardType).where(*conditions).order_by(HazardType.code), query,
                    lambda result: [hazard_type_out(row) for row in result.scalars()], out.HazardTypeOut)
