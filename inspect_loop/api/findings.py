"""One finding: read it; rectification reported, regulator's sign-off, territorial close-out (销号)."""

from inspect_loop.api import lookups, scope
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.routing import route
from inspect_loop.api.serialize import case_brief, finding_out, local
from inspect_loop.assignments.models import CloseOut, SignOff
from inspect_loop.assignments.operations import close_out, sign_off
from inspect_loop.db import db
from inspect_loop.errors import Conflict, NotFound
from inspect_loop.inspections.models import Finding, Photo
from inspect_loop.inspections.operations import report_rectification
from inspect_loop.regions.models import Department
from inspect_loop.users.permissions import Action


def visible_finding(actor, finding_id: int) -> Finding:
    finding = lookups.get_or_404(Finding, finding_id, "finding_id")
    if finding.case is None:  # 即查即改 at a unit with no open case: seen with the unit
        scope.require_unit(actor, finding.unit)
    else:
        scope.require_case(actor, finding.case)
    return finding


def unattached_photos(actor, photo_ids: list[int], field: str = "photos") -> list[Photo]:
    """The actor's own uploads (as on the web form): another user's photo reads as unknown, so a report
    can neither show nor claim someone else's pictures."""
    photos = []
    for index, photo_id in enumerate(dict.fromkeys(photo_ids)):
        photo = lookups.get_or_404(Photo, photo_id, f"{field}.{index}")
        if photo.uploaded_by_id != actor.id:
            raise NotFound(f"照片 {photo_id} 不存在", f"There is no photo {photo_id}.", field=f"{field}.{index}")
        if photo.is_attached:
            raise Conflict(f"照片 {photo_id} 已关联到其他记录", f"Photo {photo_id} already belongs to another record.",
                           field=f"{field}.{index}")
        photos.append(photo)
    return photos


@route("GET", "/findings/<int:finding_id>", summary="问题详情", permission=Action.view_cases,
       response=out.FindingOut)
def get_finding(actor, finding_id: int):
    return finding_out(visible_finding(actor, finding_id))


@route("POST", "/findings/<int:finding_id>/rectification", summary="报告整改情况",
       permission=Action.report_rectification, body=inp.RectificationIn, response=out.RectificationOut, status=201)
def post_rectification(actor, finding_id: int, body: inp.RectificationIn):
    finding = visible_finding(actor, finding_id)
    report = report_rectification(actor, finding, body.note, photos=unattached_photos(actor, body.photos))
    return out.RectificationOut(id=report.id, finding_id=finding.id, note=report.note,
                                reported_at=local(report.reported_at), reported_by=actor.username,
                                photo_ids=[photo.id for photo in report.photos], finding=finding_out(finding),
                                case=case_brief(finding.case))


@route("POST", "/findings/<int:finding_id>/sign-off", summary="行业主管部门签认（或不予签认）",
       permission=Action.sign_off, body=inp.SignOffIn, response=out.SignOffOut, status=201)
def post_sign_off(actor, finding_id: int, body: inp.SignOffIn):
    finding = visible_finding(actor, finding_id)
    return sign_off_out(sign_off(actor, finding, approved=body.approved, note=body.note))


def sign_off_out(decision: SignOff) -> out.SignOffOut:
    finding = db.session.get(Finding, decision.finding_id)
    return out.SignOffOut(id=decision.id, finding_id=finding.id, approved=decision.approved, note=decision.note,
                          decided_at=local(decision.decided_at), department_code=decision.department.code,
                          finding=finding_out(finding), case=case_brief(finding.case))


@route("POST", "/findings/<int:finding_id>/close", summary="属地平安办验收销号", permission=Action.close_out,
       body=inp.CloseIn, response=out.CloseOutOut, status=201)
def post_close(actor, finding_id: int, body: inp.CloseIn):
    finding = visible_finding(actor, finding_id)
    return close_out_out(close_out(actor, finding, note=body.note))


def close_out_out(record: CloseOut) -> out.CloseOutOut:
    finding = db.session.get(Finding, record.finding_id)
    return out.CloseOutOut(id=record.id, finding_id=finding.id, note=record.note, closed_at=local(record.closed_at),
                           department_code=db.session.get(Department, record.department_id).code,
                           finding=finding_out(finding), case=case_brief(finding.case))
