"""Units (被检查单位): create, list with filters, read; every answer carries the risk colour (三色)."""

from sqlalchemy import or_

from inspect_loop.api import lookups, scope
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.routing import route
from inspect_loop.api.serialize import paginate, unit_by_id_out, unit_out, units_select
from inspect_loop.regions.models import RegionLevel
from inspect_loop.units import uscc as uscc_rules
from inspect_loop.units.models import Unit
from inspect_loop.units.operations import create_unit, deregister_unit, resume_unit, update_unit
from inspect_loop.users.permissions import Action


@route("POST", "/units", summary="登记被检查单位", permission=Action.manage_units, body=inp.UnitIn,
       response=out.UnitOut, status=201)
def post_unit(actor, body: inp.UnitIn):
    region = lookups.region(body.region_code, field="region_code")
    unit = create_unit(actor, name=body.name, region=region, address=body.address, category=body.category,
                       uscc=body.uscc or None, contact_name=body.contact_name, contact_phone=body.contact_phone)
    return unit_by_id_out(unit.id)


@route("GET", "/units", summary="单位列表（含三色风险）", permission=Action.view_cases, query=inp.UnitQuery,
       response=out.Page[out.UnitOut])
def list_units(actor, query: inp.UnitQuery):
    statement = units_select().where(scope.unit_condition(actor))
    if query.region:
        region = lookups.filter_region(query.region)
        column = Unit.county_id if region.level == RegionLevel.county else Unit.township_id
        statement = statement.where(column == region.id)
    if query.q:
        words = query.q.strip()
        statement = statement.where(or_(Unit.name.icontains(words, autoescape=True),
                                        Unit.address.icontains(words, autoescape=True),
                                        Unit.uscc.contains(uscc_rules.normalise(words), autoescape=True)))
    if query.status:
        statement = statement.where(Unit.status == query.status)
    return paginate(statement.order_by(Unit.id), query, lambda result: [unit_out(row) for row in result],
                    out.UnitOut)


@route("GET", "/units/<int:unit_id>", summary="单位详情", permission=Action.view_cases, response=out.UnitOut)
def get_unit(actor, unit_id: int):
    unit = lookups.get_or_404(Unit, unit_id, "unit_id")
    scope.require_unit(actor, unit)
    return unit_by_id_out(unit.id)


@route("PATCH", "/units/<int:unit_id>", summary="修改单位信息（县级平安办：本县；乡镇平安办：本乡镇），记入操作日志",
       permission=Action.manage_units, body=inp.UnitPatchIn, response=out.UnitOut)
def patch_unit(actor, unit_id: int, body: inp.UnitPatchIn):
    unit = lookups.get_or_404(Unit, unit_id, "unit_id")
    scope.require_unit(actor, unit)
    region = lookups.region(body.region_code, field="region_code") if body.region_code is not None else None
    update_unit(actor, unit, name=body.name, uscc=body.uscc, address=body.address, region=region,
                category=body.category, contact_name=body.contact_name, contact_phone=body.contact_phone)
    return unit_by_id_out(unit.id)


@route("POST", "/units/<int:unit_id>/resume", summary="复业：停业整顿的单位恢复正常经营", permission=Action.resume_unit,
       body=inp.UnitResumeIn, response=out.UnitOut)
def post_resume(actor, unit_id: int, body: inp.UnitResumeIn):
    unit = lookups.get_or_404(Unit, unit_id, "unit_id")
    scope.require_unit(actor, unit)
    resume_unit(actor, unit, decision=body.decision, resumed_on=body.resumed_on)
    return unit_by_id_out(unit.id)


@route("POST", "/units/<int:unit_id>/deregister", summary="注销单位（保留历史记录，不再检查）",
       permission=Action.deregister_unit, body=inp.UnitDeregisterIn, response=out.UnitOut)
def post_deregister(actor, unit_id: int, body: inp.UnitDeregisterIn):
    unit = lookups.get_or_404(Unit, unit_id, "unit_id")
    scope.require_unit(actor, unit)
    deregister_unit(actor, unit, reason=body.reason, deregistered_on=body.deregistered_on)
    return unit_by_id_out(unit.id)
