"""平安曝光: post (published at once unless a draft), publish a draft, list and read."""

from sqlalchemy import select

from inspect_loop.api import lookups
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.routing import route
from inspect_loop.api.serialize import EXPOSURE_LOADING, exposure_out, paginate
from inspect_loop.errors import Forbidden
from inspect_loop.exposures.models import Exposure, ExposureStatus
from inspect_loop.exposures.operations import ExposedPlace, create_exposure, publish_exposure
from inspect_loop.inspections.models import Finding
from inspect_loop.units.models import Unit
from inspect_loop.users.permissions import Action, allowed

DRAFTS_ARE_INTERNAL = ("曝光草稿仅县级平安办可见", "draft exposures are visible to the county office only")


@route("POST", "/exposures", summary="发布平安曝光（或存为草稿）", permission=Action.manage_exposures,
       body=inp.ExposureIn, response=out.ExposureOut, status=201)
def post_exposure(actor, body: inp.ExposureIn):
    places = [ExposedPlace(unit=lookups.get_or_404(Unit, item.unit_id, f"items.{index}.unit_id"),
                           findings=[lookups.get_or_404(Finding, finding_id, f"items.{index}.finding_ids.{position}")
                                     for position, finding_id in enumerate(item.finding_ids)])
              for index, item in enumerate(body.items)]
    exposure = create_exposure(actor, title=body.title, items=places, draft=body.draft, expires_on=body.expires_on)
    return exposure_out(exposure)


@route("POST", "/exposures/<int:exposure_id>/publish", summary="发布曝光草稿", permission=Action.manage_exposures,
       response=out.ExposureOut)
def publish(actor, exposure_id: int):
    return exposure_out(publish_exposure(actor, lookups.get_or_404(Exposure, exposure_id, "exposure_id")))


@route("GET", "/exposures", summary="平安曝光列表", permission=Action.view_cases, query=inp.ExposureQuery,
       response=out.Page[out.ExposureOut])
def list_exposures(actor, query: inp.ExposureQuery):
    statement = select(Exposure)
    if not allowed(actor, Action.manage_exposures):
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
    if exposure.status != ExposureStatus.published and not allowed(actor, Action.manage_exposures):
        raise Forbidden(*DRAFTS_ARE_INTERNAL)
    return exposure_out(exposure)
