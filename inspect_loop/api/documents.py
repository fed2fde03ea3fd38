"""Documents (文书): metadata, the stored PDF, revocation and re-issue; public verification of a QR token."""

from io import BytesIO

from flask import request, send_file
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from inspect_loop.api import lookups, scope
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.routing import PDF, route
from inspect_loop.api.serialize import SERVICE_LOADING, document_out, paginate, service_out
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.errors import NotFound
from inspect_loop.letters import issuing, service
from inspect_loop.letters.models import Document, DocumentService
from inspect_loop.letters.verification import verification_rate_limit, verify
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action


def visible_document(actor, document_id: int) -> Document:
    document = lookups.get_or_404(Document, document_id, "document_id")
    scope.require_document(actor, document)
    return document


@route("GET", "/documents", summary="文书列表（served=false：未登记送达的通知书）", permission=Action.view_cases,
       query=inp.DocumentQuery, response=out.Page[out.DocumentOut])
def list_documents(actor, query: inp.DocumentQuery):
    statement = (select(Document).join(Unit, Unit.id == Document.unit_id).outerjoin(Case, Case.id == Document.case_id)
                 .where(scope.document_condition(actor)))
    if query.served == "false":
        statement = statement.where(service.unserved_condition())
    elif query.served == "true":
        statement = statement.where(exists().where(DocumentService.document_id == Document.id))
    if query.kind:
        statement = statement.where(Document.kind == query.kind)
    if query.issued_before:
        statement = statement.where(Document.issued_on < query.issued_before)
    if query.unit_id:
        statement = statement.where(Document.unit_id == query.unit_id)
    return paginate(statement.order_by(Document.issued_at, Document.id), query,
                    lambda result: [document_out(document) for document in result.scalars()], out.DocumentOut,
                    options=(joinedload(Document.issuer), SERVICE_LOADING))


@route("GET", "/documents/<int:document_id>", summary="文书信息", permission=Action.view_cases,
       response=out.DocumentOut)
def get_document(actor, document_id: int):
    return document_out(visible_document(actor, document_id))


@route("GET", "/documents/<int:document_id>/pdf", summary="文书 PDF（签发时保存的原件）", permission=Action.view_cases,
       media_type=PDF)
def get_document_pdf(actor, document_id: int):
    document = visible_document(actor, document_id)
    response = send_file(BytesIO(document.pdf), mimetype=PDF, download_name=f"{document.number}-v{document.version}.pdf")
    response.headers["X-Document-SHA256"] = document.sha256
    return response


@route("POST", "/documents/<int:document_id>/revoke", summary="作废文书（须填写理由）",
       permission=Action.revoke_document, body=inp.DocumentReasonIn, response=out.DocumentOut)
def revoke_document(actor, document_id: int, body: inp.DocumentReasonIn):
    return document_out(issuing.revoke(visible_document(actor, document_id), actor, body.reason))


@route("POST", "/documents/<int:document_id>/reissue", summary="重新签发文书（同一文号，新版本）",
       permission=Action.revoke_document, body=inp.DocumentReasonIn, response=out.DocumentOut, status=201)
def reissue_document(actor, document_id: int, body: inp.DocumentReasonIn):
    return document_out(issuing.reissue(visible_document(actor, document_id), actor, body.reason))


def _details(body: inp.ServiceDetailsIn) -> service.ServiceDetails:
    return service.ServiceDetails(method=body.method, served_on=body.served_on, place=body.place,
                                  receiver=body.receiver, witness=body.witness, left_reason=body.left_reason,
                                  note=body.note)


def _server(username: str | None) -> User | None:
    if username is None:
        return None
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户 {username} 不存在", f"There is no user {username}.", field="server")
    return user


@route("POST", "/documents/<int:document_id>/service", summary="登记文书送达（每份文书一次）",
       permission=Action.serve_document, body=inp.ServiceIn, response=out.ServiceOut, status=201)
def post_service(actor, document_id: int, body: inp.ServiceIn):
    document = visible_document(actor, document_id)
    record = service.record_service(actor, document, _details(body), server=_server(body.server),
                                    photos=service.unattached_uploads(actor, body.photos))
    return service_out(record)


@route("POST", "/documents/<int:document_id>/service/correction", summary="更正送达记录（县级平安办，须填写理由）",
       permission=Action.correct_service, body=inp.ServiceCorrectionIn, response=out.ServiceOut)
def correct_service(actor, document_id: int, body: inp.ServiceCorrectionIn):
    document = visible_document(actor, document_id)
    return service_out(service.correct_service(actor, document, _details(body), body.reason))


@route("GET", "/verify/<token>", summary="核验文书二维码（公开，无需令牌）", permission=None,
       response=out.VerifyOut, cached=False)
@verification_rate_limit
def verify_token(token: str):
    # Counted as the page's checks are: once per client address, document and day.
    return out.VerifyOut(**verify(token, channel="api", address=request.remote_addr).as_json())
