"""Reading a QR token back: is the document genuine, and what is the state of its matter now.

Every check is counted (the unit page shows how often each notice was verified), but at most once per
client address, document and day, and the public routes are rate-limited per address: reloading the page or
calling the API in a loop neither inflates the count nor costs the server more than a person checking.
"""

import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from inspect_loop import clock
from inspect_loop.assignments.models import Assignment
from inspect_loop.cases.models import Case, CaseStatus, Outcome
from inspect_loop.db import db
from inspect_loop.extensions import limiter
from inspect_loop.inspections.models import FindingStatus
from inspect_loop.labels import zh
from inspect_loop.letters.models import Document, DocumentCheck, DocumentStatus
from inspect_loop.letters.tokens import make_token, normalise_code, read_token, short_code

# A person checks a handful of notices; an office behind one address, a few dozen in a sitting. Shared by
# the page and the API, so alternating between them gains nothing.
VERIFY_RATE_LIMIT = "30/minute;300/hour"
verification_rate_limit = limiter.shared_limit(VERIFY_RATE_LIMIT, scope="document-verification")

MATTER_LABELS = {
    "revoked": "已作废",
    "superseded": "已被新版本取代",
    "in_progress": "整改中",
    "closed_out": "已销号",
    "shut_down": "已关停",
    "banned": "已取缔",
    "withdrawn": "已撤销",
}


@dataclass(frozen=True)
class Verification:
    genuine: bool
    document: Document | None = None
    status: str = ""
    status_label: str = ""

    def as_json(self) -> dict:
        if not self.genuine:
            return {"genuine": False}
        document = self.document
        return {
            "genuine": True,
            "kind": document.kind.value,
            "kind_label": zh(document.kind),
            "number": document.number,
            "version": document.version,
            "issuer": document.issuer.name,
            "issued_at": clock.local_datetime(document.issued_at).isoformat(),
            "unit_name": document.unit.name,
            "status": self.status,
            "status_label": self.status_label,
            "sha256": document.sha256,
        }


def matter_status(document: Document) -> str:
    """The document's own validity first, then the state of the findings or case it is about."""
    if document.status == DocumentStatus.revoked:
        return "revoked"
    if document.status == DocumentStatus.superseded:
        return "superseded"
    if document.assignment_id is not None:
        findings = db.session.get(Assignment, document.assignment_id).findings
        return "closed_out" if all(f.status != FindingStatus.open for f in findings) else "in_progress"
    case = db.session.get(Case, document.case_id) if document.case_id else None
    if case is None or case.status == CaseStatus.open:
        return "in_progress"
    return {Outcome.shut_down: "shut_down", Outcome.banned: "banned",
            Outcome.withdrawn: "withdrawn"}.get(case.outcome, "closed_out")


def verify(token: str, channel: str, address: str | None) -> Verification:
    """Check a token and count the check of the client at ``address`` (the request's ``remote_addr``: the
    client's own behind ``PROXY_COUNT`` trusted proxies, never a header it could set itself)."""
    parsed = read_token(current_app.config["SECRET_KEY"], token)
    if parsed is None:
        return Verification(genuine=False)
    document_id, nonce = parsed
    document = db.session.scalar(select(Document).where(Document.id == document_id, Document.nonce == nonce))
    if document is None:
        return Verification(genuine=False)
    _count_check(document, channel, address or "")
    status = matter_status(document)
    return Verification(genuine=True, document=document, status=status, status_label=MATTER_LABELS[status])


def _count_check(document: Document, channel: str, address: str) -> None:
    """One ``DocumentCheck`` per document, address and local day; a repeated check (even a concurrent one)
    finds the row there and adds nothing. The address is kept only as a keyed hash of it with the day: it
    tells two checks of one day apart, but cannot be read back or followed from one day to the next."""
    secret = current_app.config["SECRET_KEY"].encode()
    visitor = hmac.new(secret, f"document-check|{clock.today().isoformat()}|{address}".encode(),
                       hashlib.sha256).hexdigest()
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    db.session.execute(insert(DocumentCheck)
                       .values(document_id=document.id, checked_at=clock.now(), channel=channel, visitor=visitor)
                       .on_conflict_do_nothing(index_elements=["document_id", "visitor"]))


# The year's brackets as people type them on a phone or a PC: printed 〔〕 (GB/T 9704), typed [] 【】 () （）.
YEAR_BRACKETS = str.maketrans({opening: "〔" for opening in "[［【(（﹝〖"} | {closing: "〕" for closing in "]］】)）﹞〗"})


def normalise_number(text: str) -> str:
    """A typed 发文字号 in the printed form: no spaces, ASCII digits, the year in 〔〕, ending in 号."""
    text = "".join((text or "").split()).translate(YEAR_BRACKETS)
    text = "".join(str(int(character)) if character.isdecimal() else character for character in text)
    return text + "号" if text and not text.endswith("号") else text


def token_for_code(number: str, code: str) -> str | None:
    """The QR token of the document numbered ``number`` whose printed short code is ``code`` — for people
    who verify a paper notice without a phone, by typing what is printed beside its QR code."""
    wanted = normalise_code(code)
    number = normalise_number(number)
    if not number or len(wanted) != 8:
        return None
    secret = current_app.config["SECRET_KEY"]
    for document_id, nonce in db.session.execute(select(Document.id, Document.nonce).where(Document.number == number)):
        token = make_token(secret, document_id, nonce)
        if normalise_code(short_code(token)) == wanted:
            return token
    return None
