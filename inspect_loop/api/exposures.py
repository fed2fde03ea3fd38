"""平安曝光: post (submitted for approval at once unless a draft), change or discard a draft, submit it, approve
or return it (a second person), set the last day on the public page, take it down; list and read."""

from flask import Response
from sqlalchemy import or_, select

from inspect_loop.api import lookups
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.routing import route
from inspect_loop.api.serialize import EXPOSURE_LOADING, exposure_out, paginate
from inspect_loop.errors import Forbidden
from inspect_loop.exposures.models import Exposure, ExposureStatus
from inspect_loop.exposures.operations import (
    ExposedPlace,
    approve_exposure,
    create_exposure,
    discard_draft,
    require_own_county,
    return_exposure,
    set_expiry,
    submit_exposure,
    take_down,
    update_draft,
)
from inspect_loop.exposures.queries import in_county
from inspect_loop.inspections.models import Finding
from inspect_loop.units.models import Unit
from inspect_loop.users.permissions import Action, allowed, county_id_of

DRAFTS_ARE_INTERNAL = ("曝光草稿仅县级平安办可见", "Draft exposures are visible to the County Safety Office only.")


@route("POST", "/exposures", summary="起草平安曝光并送审（或存为草稿）", permission=Action.manage_exposures,
       body=inp.ExposureIn, response=out.ExposureOut, status=201)
def post_exposure(actor, body: inp.ExposureIn):
    exposure = create_exposure(actor, title=body.title, items=places_of(body.items), draft=body.draft,
                               expires_on=body.expires_on)
    return exposure_out(exposure)


def places_of(items: list[inp.ExposureItemIn]) -> list[ExposedPlace]:
    return [ExposedPlace(unit=lookups.get_or_404(Unit, item.unit_id, f"items.{index}.unit_id"),
                         findings=[lookups.get_or_404(Finding, finding_id, f"items.{index}.finding_ids.{position}")
                                   for position, finding_id in enumerate(item.finding_ids)])
            for index, item in enumerate(items)]


@route("PUT", "/exposures/<int:exposure_id>", summary="修改曝光草稿（标题、场所和问题、公示截止日期）",
       permission=Action.manage_exposures, body=inp.ExposureDraftIn, response=out.ExposureOut)
def put_exposure(actor, exposure_id: int, body: inp.ExposureDraftIn):
    exposure = lookups.get_or_404(Exposure, exposure_id, "exposure_id")
    return exposure_out(update_draft(actor, exposure, title=body.title, items=places_of(body.items),
                                     expires_on=body.expires_on))


@route("DELETE", "/exposures/<int:exposure_id>", summary="删除曝光草稿（已发布的曝光不能删除）",
       permission=Action.manage_exposures, status=204)
def delete_exposure(actor, exposure_id: int):
    discard_draft(actor, lookups.get_or_404(Exposure, exposure_id, "exposure_id"))
    return Response(status=204)


@route("POST", "/exposures/<int:exposure_id>/expiry", summary="设定公示截止日期（含当日；null 为不限）",
       permission=Action.manage_exposures, body=inp.ExposureExpiryIn, response=out.ExposureOut)
def post_expiry(actor, exposure_id: int, body: inp.ExposureExpiryIn):
    exposure = lookups.get_or_404(Exposure, exposure_id, "exposure_id")
    return exposure_out(set_expiry(actor, exposure, body.expires_on))


@route("POST", "/exposures/<int:exposure_id>/take-down", summary="撤下公示中的曝光（须填写原因；仍计入发布当期统计）",
       permission=Action.manage_exposures, body=inp.DocumentReasonIn, response=out.ExposureOut)
def post_take_down(actor, exposure_id: int, body: inp.DocumentReasonIn):
    exposure = lookups.get_or_404(Exposure, exposure_id, "exposure_id")
    return exposure_out(take_down(actor, exposure, body.reason))


@route("POST", "/exposures/<int:exposure_id>/submit", summary="曝光草稿送审", permission=Action.manage_exposures,
       response=out.ExposureOut)
def post_submit(actor, exposure_id: int):
    return exposure_out(submit_exposure(actor, lookups.get_or_404(Exposure, exposure_id, "exposure_id")))


@route("POST", "/exposures/<int:exposure_id>/approve", summary="审批通过并发布曝光（起草、送审人以外的另一人）",
       permission=Action.approve_exposures, response=out.ExposureOut)
def post_approve(actor, exposure_id: int):
    return exposure_out(approve_exposure(actor, lookups.get_or_404(Exposure, exposure_id, "exposure_id")))


@route("POST", "/exposures/<int:exposure_id>/return", summary="退回曝光修改（须填写原因；回到草稿）",
       permission=Action.approve_exposures, body=inp.DocumentReasonIn, response=out.ExposureOut)
def post_return(actor, exposure_id: int, body: inp.DocumentReasonIn):
    exposure = lookups.get_or_404(Exposure, exposure_id, "exposure_id")
    return exposure_out(return_exposure(actor, exposure, body.reason))


@route("GET", "/exposures", summary="平安曝光列表", permission=Action.view_cases, query=inp.ExposureQuery,
       response=out.Page[out.ExposureOut])
def list_exposures(actor, query: inp.ExposureQuery):
    statement = select(Exposure)
    if allowed(actor, Action.manage_exposures):  # a county office sees its own county's drafts only
        statement = statement.where(or_(Exposure.status == ExposureStatus.published,
                                        in_county(county_id_of(actor))))
    else:
        statement = statement.where(Exposure.status == ExposureStatus.published)
    if query.status:
        statement = statement.where(Exposure.status == query.status)
    return paginate(statement.order_by(Exposure.id.desc()), query,
                    lambda result: [exposure_out(exposure) for exposure in result.scalars()], out.ExposureOut,
                    options=EXPOSURE_LOADING)


@route("GET", "/exposures/<int:exposure_id>", summary="平安曝光详情", permission=Action.view_cases,
       response=out.ExposureOut)
def get_exposure(actor, exposure_id: int):
    exposure = lookups.get_or_404(Exposure, exposure_id, "exposure_id")
    if exposure.status != ExposureStatus.published:
        if not allowed(actor, Action.manage_exposures):
            raise Forbidden(*DRAFTS_ARE_INTERNAL)
        require_own_county(actor, exposure)
    return exposure_out(exposure)
