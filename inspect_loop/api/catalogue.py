"""Regions, departments and the hazard catalogue (《平安建设指导手册》)."""

from sqlalchemy import select

from inspect_loop.api import lookups
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.routing import route
from inspect_loop.api.serialize import department_out, hazard_type_out, paginate, region_out
from inspect_loop.hazards.models import HazardType
from inspect_loop.regions.operations import create_department, create_hazard_type, create_region
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
                                            sectors=body.sectors, doc_prefix=body.doc_prefix or ""))


@route("POST", "/hazard-types", summary="新增隐患类型", permission=Action.manage_catalogue, body=inp.HazardTypeIn,
       response=out.HazardTypeOut, status=201)
def post_hazard_type(actor, body: inp.HazardTypeIn):
    return hazard_type_out(create_hazard_type(actor, code=body.code, category=body.category, title=body.title,
                                              sector=body.sector, severity=body.severity,
                                              rectify_days=body.rectify_days, day_basis=body.day_basis))


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
