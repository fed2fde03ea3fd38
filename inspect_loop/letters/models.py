import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from inspect_loop.db import db, enum_column
from inspect_loop.regions.models import Department
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User

if TYPE_CHECKING:
    from inspect_loop.inspections.models import Photo


class DocumentKind(enum.StrEnum):
    reminder = "reminder"  # 整改提醒通知书
    summons = "summons"  # 警示约谈通知书
    assignment = "assignment"  # 交办单
    referral = "referral"  # 执法建议书
    extension = "extension"  # 准予延期整改通知书


# The notices served on their addressee with a 送达回证 (service receipt) and a record of service. A 交办单 goes
# to two offices inside the system, which acknowledge it there (``AssignmentReceipt``): it needs neither.
SERVED_KINDS = (DocumentKind.reminder, DocumentKind.summons, DocumentKind.referral)  # in the statistics' order


class ServiceMethod(enum.StrEnum):
    direct = "direct"  # 直接送达: handed to the addressee, who signs the receipt
    left_at_premises = "left_at_premises"  # 留置送达: refused, left at the premises before a witness
    post = "post"  # 邮寄送达
    electronic = "electronic"  # 电子送达


# The character after the office prefix in a number: 兰平安交〔2026〕12号.
DOCUMENT_KIND_MARKS = {
    DocumentKind.reminder: "提",
    DocumentKind.summons: "约",
    DocumentKind.assignment: "交",
    DocumentKind.referral: "执",
    DocumentKind.extension: "延",
}


class DocumentStatus(enum.StrEnum):
    valid = "valid"
    superseded = "superseded"
    revoked = "revoked"


class Document(db.Model):
    """An issued notice. Its PDF bytes and SHA-256 are fixed at issue and never change."""

    __tablename__ = "document"
    __table_args__ = (
        UniqueConstraint("issuer_id", "kind", "year", "serial", "version"),
        Index("ix_document_case_kind", "case_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, "document_kind"))
    issuer_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    year: Mapped[int]
    serial: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    number: Mapped[str] = mapped_column(String(60))
    status: Mapped[DocumentStatus] = mapped_column(enum_column(DocumentStatus, "document_status"),
                                                   default=DocumentStatus.valid)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("document.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    summons_id: Mapped[int | None] = mapped_column(ForeignKey("summons.id"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    extension_id: Mapped[int | None] = mapped_column(ForeignKey("extension_request.id"), index=True)
    issued_at: Mapped[datetime]
    issued_on: Mapped[date] = mapped_column(index=True)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # Random part of the QR token: the token is this nonce and the id, signed with the app's secret.
    nonce: Mapped[str] = mapped_column(String(32), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    pdf: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    # What the paper shows, fixed at issue for the verification page (``letters/printed.py``): title,
    # findings, deadlines, a summons' appointment. None on documents issued before it was kept.
    printed: Mapped[dict | None] = mapped_column(JSON)

    issuer: Mapped[Department] = relationship()
    unit: Mapped[Unit] = relationship()
    supersedes: Mapped["Document | None"] = relationship(remote_side=[id])
    # Lists that show it load it with ``selectinload(Document.service)`` (one query per list).
    service: Mapped["DocumentService | None"] = relationship(back_populates="document")

    @property
    def needs_service(self) -> bool:
        """A notice served on its addressee, with a 送达回证 and a record of service."""
        return self.kind in SERVED_KINDS

    def __repr__(self) -> str:
        return f"<Document {self.number} v{self.version} {self.status}>"


class DocumentCounter(db.Model):
    """The last serial issued per office, kind and year; incremented atomically at issue."""

    __tablename__ = "document_counter"

    issuer_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind, "counter_kind"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0)


class DocumentCheck(db.Model):
    """A document verified through its QR code, its verification page or the API: one row per client
    address and local day (``letters.verification.verify``)."""

    __tablename__ = "document_check"
    __table_args__ = (UniqueConstraint("document_id", "visitor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), index=True)
    checked_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(10))  # "page" or "api": the first check of that visitor
    # A keyed hash of the client's address and the day; empty on checks recorded before it was kept.
    visitor: Mapped[str | None] = mapped_column(String(64))


class DocumentService(db.Model):
    """How and when a notice reached its addressee (送达): one record per document, recorded once
    (``letters.service.record_service``) and corrected only by the county office with a reason."""

    __tablename__ = "document_service"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"), unique=True)
    method: Mapped[ServiceMethod] = mapped_column(enum_column(ServiceMethod, "service_method"))
    served_on: Mapped[date] = mapped_column(index=True)
    place: Mapped[str] = mapped_column(String(300))
    # The addressee's person who signed (direct, post), or who refused to (留置, may be unknown).
    receiver: Mapped[str | None] = mapped_column(String(100))
    # 留置送达 only: the witness present and why the notice was left.
    witness: Mapped[str | None] = mapped_column(String(100))
    left_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    server_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime]
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    corrected_at: Mapped[datetime | None]

    document: Mapped[Document] = relationship(back_populates="service")
    server: Mapped[User] = relationship(foreign_keys=[server_id])
    recorded_by: Mapped[User] = relationship(foreign_keys=[recorded_by_id])
    photos: Mapped[list["Photo"]] = relationship(foreign_keys="Photo.service_id", order_by="Photo.id")
