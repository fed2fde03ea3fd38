"""Reading a QR token back: is the document genuine, what did it print (``letters/printed.py``), and where
does its matter stand now; whom to call when it is not genuine or was revoked (``offices_to_ask``).

Every check is counted (the unit page shows how often each notice was verified), but at most once per
client address, document and day, and the public routes are rate-limited per address: reloading the page or
calling the API in a loop neither inflates the count nor costs the server more than a person checking.
"""

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import bindparam, select

from inspect_loop import clock
from inspect_loop.assignments.models import Assignment
from inspect_loop.caching.versions import remember_version, version_columns
from inspect_loop.cases.models import Case, CaseStatus, Outcome, Stage
from inspect_loop.db import db, insert_or_nothing
from inspect_loop.extensions import limiter
from inspect_loop.inspections.models import Finding, FindingStatus, Inspection
from inspect_loop.labels import N_, zh
from inspect_loop.letters.issuing import letter_data_now, verify_url
from inspect_loop.letters.models import Document, DocumentCheck, DocumentKind, DocumentStatus
from inspect_loop.letters.printed import Printed, PrintedFinding, printed_facts, read_printed
from inspect_loop.letters.tokens import make_token, normalise_code, read_token, short_code
from inspect_loop.regions.models import Department, DepartmentKind, Region, RegionLevel

# A person checks a handful of notices; an office behind one address, a few dozen in a sitting. Shared by
# the page and the API, so alternating between them gains nothing.
VERIFY_RATE_LIMIT = "30/minute;300/hour"
verification_rate_limit = limiter.shared_limit(VERIFY_RATE_LIMIT, scope="document-verification")

# What a reader is told of the matter a genuine notice is about: where the case stands on the ladder while
# it is open — a case at 三次执法 is no longer simply "整改中" — and how it ended once closed.
OPEN_LABELS = {Stage.reminder: N_("一次提醒·整改中"), Stage.warning: N_("二次警示·督促整改中"),
               Stage.enforcement: N_("三次执法·依法查处中")}
CLOSED_LABELS = {"closed_out": N_("已整改销号"), "shut_down": N_("已关停"), "banned": N_("已取缔"),
                 "withdrawn": N_("已撤销")}
CLOSING_OUTCOMES = {Outcome.shut_down: "shut_down", Outcome.banned: "banned", Outcome.withdrawn: "withdrawn"}
# The document's own validity, told before the matter's state.
DOCUMENT_LABELS = {DocumentStatus.revoked: N_("已作废"), DocumentStatus.superseded: N_("已被新版本取代")}


@dataclass(frozen=True)
class MatterState:
    code: str  # in_progress, closed_out, shut_down, banned, withdrawn
    stage: Stage | None = None  # the case's stage while it is open

    @property
    def label(self) -> str:
        if self.code == "in_progress":
            return OPEN_LABELS.get(self.stage, N_("整改中"))
        return CLOSED_LABELS[self.code]


@dataclass(frozen=True)
class FindingCheck:
    """A finding as the notice printed it, beside where it stands today."""

    printed: PrintedFinding
    status: FindingStatus | None  # None: no longer found (printed facts without the finding's id)
    deadline: date | None  # today's deadline when it is open and no longer the printed one

    def as_json(self) -> dict:
        return {"hazard_title": self.printed.hazard_title, "category": self.printed.category,
                "major": self.printed.major, "deadline": self.printed.deadline,
                "status": self.status.value if self.status else None,
                "status_label": zh(self.status) if self.status else None, "deadline_now": self.deadline}


@dataclass(frozen=True)
class Verification:
    genuine: bool
    document: Document | None = None
    status: str = ""  # the document's own state when it is not valid, else the matter's code
    status_label: str = ""
    matter: MatterState | None = None
    printed: Printed | None = None
    findings: list[FindingCheck] = field(default_factory=list)
    current: Document | None = None  # the newest version of the number, when this is not it

    def as_json(self) -> dict:
        if not self.genuine:
            return {"genuine": False}
        document, printed = self.document, self.printed
        return {
            "genuine": True,
            "kind": document.kind.value,
            "kind_label": zh(document.kind),
            "title": printed.title,
            "number": document.number,
            "version": document.version,
            "issuer": document.issuer.name,
            "issued_at": clock.local_datetime(document.issued_at).isoformat(),
            "unit_name": document.unit.name,
            "status": self.status,
            "status_label": self.status_label,
            "document_status": document.status.value,
            "matter_status": self.matter.code,
            "matter_label": self.matter.label,
            "stage": self.matter.stage.value if self.matter.stage else None,
            "deadlines": printed.deadlines,
            "findings": [finding.as_json() for finding in self.findings],
            "appointment": {"held_at": clock.local_datetime(printed.appointment.held_at).isoformat(),
                            "venue": printed.appointment.venue} if printed.appointment else None,
            "printed_recorded": printed.recorded,
            "current_version": {"number": self.current.number, "version": self.current.version,
                                "verify_url": verify_url(self.current)} if self.current else None,
            "sha256": document.sha256,
        }


def _findings_about(document: Document) -> list[Finding]:
    """The findings a reminder or a 交办单 is about; summonses and 执法建议书 are about the whole case."""
    if document.assignment_id is not None:
        return db.session.get(Assignment, document.assignment_id).findings
    if document.kind == DocumentKind.reminder and document.inspection_id is not None:
        return db.session.get(Inspection, document.inspection_id).findings
    return []


def matter_state(document: Document) -> MatterState:
    """Where the matter of ``document`` stands today: closed out once every finding it is about is, otherwise
    its case's stage while open and its outcome once closed."""
    findings = _findings_about(document)
    if findings and all(finding.status == FindingStatus.closed for finding in findings):
        return MatterState("closed_out")
    case = db.session.get(Case, document.case_id) if document.case_id else None
    if case is None:
        return MatterState("in_progress")
    if case.status == CaseStatus.open:
        return MatterState("in_progress", case.stage)
    return MatterState(CLOSING_OUTCOMES.get(case.outcome, "closed_out"))


def printed_of(document: Document) -> Printed:
    """What ``document`` printed; for documents issued before that was kept, rebuilt from the matter's rows
    as they stand today (``recorded`` False: the page says they may differ from the paper)."""
    if document.printed is not None:
        return read_printed(document.printed)
    return read_printed(printed_facts(document.kind, letter_data_now(document)), recorded=False)


def finding_checks(printed: Printed) -> list[FindingCheck]:
    ids = [finding.finding_id for finding in printed.findings if finding.finding_id is not None]
    today = {finding.id: finding for finding in db.session.scalars(select(Finding).where(Finding.id.in_(ids)))}
    checks = []
    for row in printed.findings:
        finding = today.get(row.finding_id)
        moved = finding is not None and finding.is_open and finding.deadline != row.deadline
        checks.append(FindingCheck(printed=row, status=finding.status if finding else None,
                                   deadline=finding.deadline if moved else None))
    return checks


def current_version(document: Document) -> Document | None:
    """The newest version issued under ``document``'s number, when it is not ``document`` itself."""
    newest = db.session.scalar(select(Document).where(
        Document.issuer_id == document.issuer_id, Document.kind == document.kind, Document.year == document.year,
        Document.serial == document.serial, Document.sha256 != "").order_by(Document.version.desc()).limit(1))
    return newest if newest is not None and newest.id != document.id else None


def offices_to_ask(document: Document | None, number: str) -> list[Department]:
    """Whom the reader of a notice that did not verify, or was revoked, should call: the office that issued
    it; for a notice the system does not know, the office whose prefix the typed number carries (兰平安 in
    兰平安交〔2026〕12号); failing that, every county safety office."""
    if document is not None:
        return [document.issuer]
    number = normalise_number(number)
    prefix = number[:number.index("〔") - 1] if "〔" in number else ""
    if prefix:
        offices = db.session.scalars(select(Department).where(Department.doc_prefix == prefix)
                                     .order_by(Department.id)).all()
        if offices:
            return list(offices)
    return list(db.session.scalars(
        select(Department).join(Region, Department.region_id == Region.id)
        .where(Department.kind == DepartmentKind.safety_office, Region.level == RegionLevel.county)
        .order_by(Department.id)))


def verify(token: str, channel: str, address: str | None) -> Verification:
    """Check a token and count the check of the client at ``address`` (the request's ``remote_addr``: the
    client's own behind ``PROXY_COUNT`` trusted proxies, never a header it could set itself)."""
    document = genuine_document(token)
    if document is None:
        return Verification(genuine=False)
    _count_check(document.id, channel, address or "")
    return verification_of(document)


# For ``count_check``: the document a token names, its check by this visitor today and the data version the
# page cache reads, in one statement built once (each scan of a QR code runs it).
_DOCUMENT_AND_CHECK = (
    select(Document.id,
           select(DocumentCheck.id).where(DocumentCheck.document_id == Document.id,
                                          DocumentCheck.visitor == bindparam("visitor"))
           .scalar_subquery().label("counted"),
           *version_columns())
    .where(Document.id == bindparam("document_id"), Document.nonce == bindparam("nonce")))


def count_check(connection, token: str, channel: str, address: str | None) -> None:
    """Only the count of ``verify``, on ``connection`` (each statement its own transaction): for a page that
    shows the answer from the page cache, whose data version it reads in the same statement. A repeated
    check only reads (no write lock, no commit to wait for)."""
    parsed = read_token(current_app.config["SECRET_KEY"], token)
    if parsed is None:
        return
    visitor = _visitor(address or "")
    row = connection.execute(_DOCUMENT_AND_CHECK, {"document_id": parsed[0], "nonce": parsed[1],
                                                   "visitor": visitor}).first()
    if row is None:
        return
    remember_version(row.version_epoch, row.version)
    if row.counted is None:
        _insert_check(connection, row.id, channel, visitor)


def genuine_document(token: str) -> Document | None:
    """The document a token names, when the token was signed here and still carries the document's nonce."""
    parsed = read_token(current_app.config["SECRET_KEY"], token)
    if parsed is None:
        return None
    document_id, nonce = parsed
    return db.session.scalar(select(Document).where(Document.id == document_id, Document.nonce == nonce))


def verification_of(document: Document | None) -> Verification:
    """What the verification answers about a genuine ``document`` (None: not genuine)."""
    if document is None:
        return Verification(genuine=False)
    matter = matter_state(document)
    printed = printed_of(document)
    if document.status in DOCUMENT_LABELS:
        status, status_label = document.status.value, DOCUMENT_LABELS[document.status]
    else:
        status, status_label = matter.code, matter.label
    return Verification(genuine=True, document=document, status=status, status_label=status_label, matter=matter,
                        printed=printed, findings=finding_checks(printed), current=current_version(document))


def _count_check(document_id: int, channel: str, address: str) -> None:
    """One ``DocumentCheck`` per document, address and local day; a repeated check (even a concurrent one)
    finds the row there and adds nothing."""
    _insert_check(db.session.connection(), document_id, channel, _visitor(address))


def _visitor(address: str) -> str:
    """The address is kept only as a keyed hash of it with the day: it tells two checks of one day apart, but
    cannot be read back or followed from one day to the next."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"document-check|{clock.today().isoformat()}|{address}".encode(),
                    hashlib.sha256).hexdigest()


def _insert_check(connection, document_id: int, channel: str, visitor: str) -> None:
    insert_or_nothing(connection, DocumentCheck, document_id=document_id, checked_at=clock.now(), channel=channel,
                      visitor=visitor)


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
