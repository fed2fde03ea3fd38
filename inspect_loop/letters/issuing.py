"""Issuing, re-issuing and revoking documents: numbered, rendered once, stored with their SHA-256."""

import hashlib
import secrets
from collections.abc import Callable

from flask import current_app

from inspect_loop import clock
from inspect_loop.assignments.models import Assignment
from inspect_loop.audit.events import DocumentIssued, DocumentReissued, DocumentRevoked, DocumentSuperseded
from inspect_loop.audit.log import record_event
from inspect_loop.cases.models import Case
from inspect_loop.config import LOOPBACK_BASE_URL_WARNING, is_loopback_url
from inspect_loop.db import db, lock
from inspect_loop.deadline_extensions.models import ExtensionRequest
from inspect_loop.enforcement import feedback
from inspect_loop.errors import Conflict, InvalidInput
from inspect_loop.inspections.models import Inspection
from inspect_loop.interviews.models import Summons
from inspect_loop.letters import context as letter_context
from inspect_loop.letters.models import Document, DocumentKind, DocumentStatus
from inspect_loop.letters.numbering import format_number, next_serial
from inspect_loop.letters.printed import printed_facts
from inspect_loop.letters.render import pool_size, render_html, render_letter, render_many
from inspect_loop.letters.tokens import make_token, short_code
from inspect_loop.regions.lookup import county_office_of, regulators_of_case
from inspect_loop.regions.models import Department, DepartmentKind
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, require, require_in_county


def token_of(document: Document) -> str:
    """The QR token of ``document``: what its page's address ends with."""
    return make_token(current_app.config["SECRET_KEY"], document.id, document.nonce)


def verify_url(document: Document) -> str:
    """The URL in the document's QR code: ``{BASE_URL}/v/{token}``."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/v/{token_of(document)}"


def _warn_of_loopback_base_url(document: Document) -> None:
    """A loopback BASE_URL is logged for each notice issued outside the demo's replay: it is printed on paper
    for good. Only issuing warns; reading a document's address (API, verification page) does not."""
    if is_loopback_url(current_app.config["BASE_URL"]) and not clock.is_replaying():
        current_app.logger.warning(LOOPBACK_BASE_URL_WARNING + " (notice %s)", current_app.config["BASE_URL"],
                                   document.number)


def verify_lookup_url() -> str:
    """The page where a person without a phone types a document's number and short code."""
    return f"{current_app.config['BASE_URL'].rstrip('/')}/v"


def issuing_office(actor: User, unit: Unit, *, regulator_may_issue: bool = False) -> Department:
    """The actor's own safety office, or — for actors without one — the unit's county safety office."""
    department = actor.department
    if department is not None and (department.kind == DepartmentKind.safety_office or regulator_may_issue):
        return department
    return county_office_of(unit.county_id)


def _numbered(kind: DocumentKind, *, issuer: Department, unit: Unit, case: Case | None, actor: User,
              serial: int | None = None, version: int = 1, supersedes: Document | None = None,
              summons_id: int | None = None, assignment_id: int | None = None,
              inspection_id: int | None = None, extension_id: int | None = None) -> Document:
    """A new document row with its number and QR nonce, flushed (the QR token carries its id); no PDF yet."""
    moment = clock.now()
    issued_on = clock.local_date(moment)
    year = supersedes.year if supersedes else issued_on.year
    if serial is None:
        serial = next_serial(issuer.id, kind, year)
    document = Document(
        kind=kind, issuer=issuer, issuer_id=issuer.id, year=year, serial=serial, version=version,
        # A new version keeps its number, even if the office's prefix has changed since.
        number=supersedes.number if supersedes else format_number(issuer.doc_prefix, kind, year, serial),
        unit=unit, unit_id=unit.id,
        case_id=case.id if case else None, summons_id=summons_id, assignment_id=assignment_id,
        inspection_id=inspection_id, extension_id=extension_id,
        issued_at=moment, issued_on=issued_on, issued_by_id=actor.id, nonce=secrets.token_urlsafe(16),
        sha256="", size=0, pdf=b"", supersedes_id=supersedes.id if supersedes else None)
    db.session.add(document)
    db.session.flush()
    return document


def _letter_data(document: Document, build: Callable[[Document], dict]) -> dict:
    """The template data of ``document``; what of it the paper shows is kept on the document for its
    verification page (``printed.printed_facts``)."""
    _warn_of_loopback_base_url(document)
    url = verify_url(document)
    common = letter_context.common(document, url, short_code(url.rsplit("/", 1)[1]), verify_lookup_url())
    data = common | build(document)
    document.printed = printed_facts(document.kind, data)
    return data


def _pdfs(letters: list[tuple[str, dict]]) -> list[bytes]:
    """The PDFs of (kind, template data) pairs: one by one here, or side by side in the process pool when
    there are many (``render.render_many``)."""
    if not pool_size(len(letters)):
        return [render_letter(kind, data) for kind, data in letters]
    return render_many([render_html(kind, data) for kind, data in letters])


def _store(document: Document, pdf: bytes, actor: User) -> Document:
    """Fix the document's bytes and their SHA-256: from here on they never change."""
    document.pdf = pdf
    document.size = len(pdf)
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    schema = DocumentIssued if document.version == 1 else DocumentReissued
    record_event(actor, schema(case_id=document.case_id, unit_id=document.unit_id, number=document.number,
                               kind=document.kind, version=document.version, sha256=document.sha256), document)
    db.session.flush()
    return document


def _issue(kind: DocumentKind, *, actor: User, build: Callable[[Document], dict], **fields) -> Document:
    document = _numbered(kind, actor=actor, **fields)
    return _store(document, render_letter(kind.value, _letter_data(document, build)), actor)


def issue_reminder(inspection: Inspection, findings: list, actor: User) -> Document:
    return _issue(DocumentKind.reminder, actor=actor,
                  issuer=issuing_office(actor, inspection.unit, regulator_may_issue=True),
                  unit=inspection.unit, case=findings[0].case, inspection_id=inspection.id,
                  build=lambda document: letter_context.reminder(inspection, findings))


def issue_summonses(summonses: list[Summons], actor: User) -> list[Document]:
    """The 约谈通知书 of every summons of a round, numbered in order and rendered together (see
    ``render.render_many``): a round of a hundred units is issued in seconds, in one transaction."""
    documents = [_numbered(DocumentKind.summons, actor=actor, issuer=summons.round.convened_by, unit=summons.unit,
                           case=summons.case, summons_id=summons.id) for summons in summonses]
    letters = [(DocumentKind.summons.value,
                _letter_data(document, lambda _, summons=summons: letter_context.summons(summons)))
               for document, summons in zip(documents, summonses, strict=True)]
    return [_store(document, pdf, actor) for document, pdf in zip(documents, _pdfs(letters), strict=True)]


def issue_assignment(assignment: Assignment, actor: User) -> Document:
    return _issue(DocumentKind.assignment, actor=actor, issuer=issuing_office(actor, assignment.case.unit),
                  unit=assignment.case.unit, case=assignment.case, assignment_id=assignment.id,
                  build=lambda document: letter_context.assignment(assignment))


def issue_referral(case: Case, actor: User) -> Document:
    """The 执法建议书 to the regulators of the case's open findings, each asked for its feedback by the date
    the notice prints (``enforcement/feedback.py``)."""
    regulators = regulators_of_case(case)
    due_on = feedback.feedback_due_on(clock.today())
    document = _issue(DocumentKind.referral, actor=actor, issuer=issuing_office(actor, case.unit), unit=case.unit,
                      case=case, build=lambda document: letter_context.referral(
                          case, [department.name for department in regulators], due_on))
    feedback.expect_feedback(document, regulators, due_on)
    return document


def issue_extension(request: ExtensionRequest, actor: User) -> Document:
    """准予延期整改通知书, in the name of the office that decided (the county office or the regulator)."""
    return _issue(DocumentKind.extension, actor=actor, issuer=request.decider, unit=request.unit, case=request.case,
                  extension_id=request.id, build=lambda document: letter_context.extension(request))


def _builder_for(document: Document) -> Callable[[Document], dict]:
    """Rebuild a document's template data from the matter it was issued for, as it stands now."""
    if document.kind == DocumentKind.reminder:
        inspection = db.session.get(Inspection, document.inspection_id)
        return lambda new: letter_context.reminder(inspection, inspection.findings)
    if document.kind == DocumentKind.summons:
        summons = db.session.get(Summons, document.summons_id)
        return lambda new: letter_context.summons(summons)
    if document.kind == DocumentKind.assignment:
        assignment = db.session.get(Assignment, document.assignment_id)
        return lambda new: letter_context.assignment(assignment)
    if document.kind == DocumentKind.extension:
        request = db.session.get(ExtensionRequest, document.extension_id)
        return lambda new: letter_context.extension(request)
    case = db.session.get(Case, document.case_id)
    recipients = [department.name for department in regulators_of_case(case)]
    # A re-issue corrects the notice; the date its feedback is due stays the one first printed.
    due_on = feedback.due_on_of(case) or feedback.feedback_due_on(clock.today())
    return lambda new: letter_context.referral(case, recipients, due_on)


def letter_data_now(document: Document) -> dict:
    """The template data ``document`` would be rendered with today, without the common header: for
    documents issued before what they printed was kept (``verification.printed_of``)."""
    return _builder_for(document)(document)


def reissue(document: Document, actor: User, reason: str) -> Document:
    """A new version with the same number, rendered from the matter's current data; the old one is
    marked superseded. Used when a notice was wrong or lost."""
    _require_document_office(actor, document)
    lock(document)
    if document.status != DocumentStatus.valid:
        raise Conflict("只能对有效文书重新签发", "Only a valid document can be issued again.",
                       current=_state_of(document))
    if not (reason or "").strip():
        raise InvalidInput("请填写重新签发的理由", "Give the reason for issuing it again.", field="reason")
    new = _issue(document.kind, actor=actor, issuer=document.issuer, unit=document.unit,
                 case=db.session.get(Case, document.case_id) if document.case_id else None,
                 build=_builder_for(document), serial=document.serial, version=document.version + 1,
                 supersedes=document, summons_id=document.summons_id, assignment_id=document.assignment_id,
                 inspection_id=document.inspection_id, extension_id=document.extension_id)
    document.status = DocumentStatus.superseded
    if document.kind == DocumentKind.referral:
        case = db.session.get(Case, document.case_id)
        feedback.expect_feedback(new, regulators_of_case(case),
                                 feedback.due_on_of(case) or feedback.feedback_due_on(new.issued_on))
    record_event(actor, DocumentSuperseded(case_id=document.case_id, unit_id=document.unit_id, reason=reason.strip(),
                                           superseded_by=new.id), document)
    db.session.flush()
    return new


def _state_of(document: Document) -> dict:
    return {"document_id": document.id, "number": document.number, "version": document.version,
            "status": document.status.value}


def _require_document_office(actor: User, document: Document) -> None:
    """Only the county office (or the admin) re-issues and revokes, and only its own county's notices."""
    require(actor, Action.revoke_document)
    require_in_county(actor, document.unit.county_id)


def revoke(document: Document, actor: User, reason: str) -> Document:
    _require_document_office(actor, document)
    lock(document)
    if document.status == DocumentStatus.revoked:
        raise Conflict("该文书已作废", "This document is already revoked.", current=_state_of(document))
    if not (reason or "").strip():
        raise InvalidInput("请填写作废理由", "Give the reason for revoking it.", field="reason")
    document.status = DocumentStatus.revoked
    document.revoked_at = clock.now()
    document.revoke_reason = reason.strip()
    record_event(actor, DocumentRevoked(case_id=document.case_id, unit_id=document.unit_id,
                                        reason=document.revoke_reason), document)
    db.session.flush()
    return document
