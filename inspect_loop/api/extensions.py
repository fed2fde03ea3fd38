"""延期: request an extension, list and read requests, decide one; the county's choice of who decides."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_loop.api import lookups, scope
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.findings import unattached_photos
from inspect_loop.api.routing import route
from inspect_loop.api.serialize import document_out, local, paginate
from inspect_loop.assignments.models import Assignment
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.deadline_extensions.models import ExtensionFinding, ExtensionRequest
from inspect_loop.deadline_extensions.operations import (
    decide_extension,
    request_extension,
    set_extension_decider,
)
from inspect_loop.errors import InvalidInput
from inspect_loop.inspections.models import Finding
from inspect_loop.labels import zh
from inspect_loop.letters.models import Document, DocumentStatus
from inspect_loop.regions.models import Region
from inspect_loop.units.models import Unit
from inspect_loop.users.permissions import Action

EXTENSION_LOADING = (selectinload(ExtensionRequest.items).selectinload(ExtensionFinding.finding)
                     .selectinload(Finding.hazard_type),
                     selectinload(ExtensionRequest.photos), selectinload(ExtensionRequest.decider))


def extension_notice(request: ExtensionRequest) -> Document | None:
    """The valid 准予延期整改通知书 of an approved request."""
    return db.session.scalar(select(Document).where(Document.extension_id == request.id,
                                                    Document.status == DocumentStatus.valid)
                             .order_by(Document.id.desc()).limit(1))


def extension_out(request: ExtensionRequest) -> out.ExtensionOut:
    notice = extension_notice(request)
    return out.ExtensionOut(
        id=request.id, case_id=request.case_id, unit_id=request.unit_id, unit_name=request.unit.name,
        assignment_id=request.assignment_id, stage=request.stage, status=request.status,
        status_label=zh(request.status), reason=request.reason, requested_deadline=request.requested_deadline,
        requested_at=local(request.requested_at), requested_by=request.requested_by.username,
        decider_code=request.decider.code, decider=request.decider.name, decided_at=local(request.decided_at),
        decided_by=request.decided_by.username if request.decided_by else None,
        decision_reason=request.decision_reason, granted_deadline=request.granted_deadline,
        findings=[out.ExtensionItemOut(finding_id=item.finding_id, hazard_title=item.finding.hazard_type.title,
                                       previous_deadline=item.previous_deadline, deadline=item.finding.deadline)
                  for item in request.items],
        photo_ids=[photo.id for photo in request.photos],
        document=document_out(notice) if notice is not None else None)


def visible_extension(actor, extension_id: int) -> ExtensionRequest:
    request = lookups.get_or_404(ExtensionRequest, extension_id, "extension_id")
    scope.require_extension(actor, request)
    return request


@route("POST", "/extensions", summary="申请延期整改（属地乡镇平安办代单位申请）", permission=Action.request_extension,
       body=inp.ExtensionRequestIn, response=out.ExtensionOut, status=201)
def post_extension(actor, body: inp.ExtensionRequestIn):
    case = lookups.get_or_404(Case, body.case_id, "case_id")
    scope.require_case(actor, case)
    if (body.assignment_id is None) == (body.finding_ids is None):
        raise InvalidInput("请选择问题或交办单（二选一）", "Choose either problems or an assignment order, not both.",
                           field="finding_ids")
    assignment = findings = None
    if body.assignment_id is not None:
        assignment = lookups.get_or_404(Assignment, body.assignment_id, "assignment_id")
    else:
        findings = [lookups.get_or_404(Finding, finding_id, f"finding_ids.{index}")
                    for index, finding_id in enumerate(body.finding_ids)]
    request = request_extension(actor, case, reason=body.reason, requested_deadline=body.requested_deadline,
                                findings=findings, assignment=assignment,
                                photos=unattached_photos(actor, body.photos))
    return extension_out(request)


@route("GET", "/extensions", summary="延期申请列表（审批部门的待审批申请：status=pending）",
       permission=Action.view_cases, query=inp.ExtensionQuery, response=out.Page[out.ExtensionOut])
def list_extensions(actor, query: inp.ExtensionQuery):
    statement = (select(ExtensionRequest).join(Case, Case.id == ExtensionRequest.case_id)
                 .join(Unit, Unit.id == Case.unit_id).where(scope.extension_condition(actor)))
    if query.status:
        statement = statement.where(ExtensionRequest.status == query.status)
    if query.case_id:
        statement = statement.where(ExtensionRequest.case_id == query.case_id)
    statement = statement.order_by(ExtensionRequest.id)
    return paginate(statement, query, lambda result: [extension_out(row) for row in result.scalars()],
                    out.ExtensionOut, options=EXTENSION_LOADING)


@route("GET", "/extensions/<int:extension_id>", summary="延期申请详情", permission=Action.view_cases,
       response=out.ExtensionOut)
def get_extension(actor, extension_id: int):
    return extension_out(visible_extension(actor, extension_id))


@route("POST", "/extensions/<int:extension_id>/decision", summary="审批延期申请（准予或不予延期）",
       permission=Action.decide_extension, body=inp.ExtensionDecisionIn, response=out.ExtensionOut)
def post_extension_decision(actor, extension_id: int, body: inp.ExtensionDecisionIn):
    request = visible_extension(actor, extension_id)
    decide_extension(actor, request, approved=body.approved, reason=body.reason,
                     granted_deadline=body.granted_deadline)
    return extension_out(request)


def decider_out(region: Region) -> out.ExtensionDeciderOut:
    return out.ExtensionDeciderOut(region_code=region.code, region=region.name, decider=region.extension_decider,
                                   decider_label=zh(region.extension_decider))


@route("GET", "/regions/<code>/extension-decider", summary="延期审批部门设置", permission=Action.view_cases,
       response=out.ExtensionDeciderOut)
def get_extension_decider(actor, code: str):
    return decider_out(lookups.region(code, "code"))


@route("PUT", "/regions/<code>/extension-decider", summary="设置延期审批部门（县级平安办或行业主管部门）",
       permission=Action.configure_extensions, body=inp.ExtensionDeciderIn, response=out.ExtensionDeciderOut)
def put_extension_decider(actor, code: str, body: inp.ExtensionDeciderIn):
    return decider_out(set_extension_decider(actor, lookups.region(code, "code"), body.decider))
