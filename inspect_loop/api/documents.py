"""Documents (文书): metadata, the stored PDF, revocation and re-issue; public verification of a QR token."""

from io import BytesIO

from flask import request, send_file

from inspect_loop.api import lookups, scope
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.routing import PDF, route
from inspect_loop.api.serialize import document_out
from inspect_loop.letters import issuing
from inspect_loop.letters.models import Document
from inspect_loop.letters.verification import verification_rate_limit, verify
from inspect_loop.users.permissions import Action


def visible_document(actor, document_id: int) -> Document:
    document = lookups.get_or_404(Document, document_id, "document_id")
    scope.require_document(actor, document)
    return document


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


@route("GET", "/verify/<token>", summary="核验文书二维码（公开，无需令牌）", permission=None,
       response=out.VerifyOut)
@verification_rate_limit
def verify_token(token: str):
    # Counted as the page's checks are: once per client address, document and day.
    return out.VerifyOut(**verify(token, channel="api", address=request.remote_addr).as_json())
