import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_loop.cases.models import Case, Stage
from inspect_loop.db import db, enum_column
from inspect_loop.inspections.models import Finding, Photo
from inspect_loop.regions.models import Department
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User


class ExtensionStatus(enum.StrEnum):
    pending = "pending"  # 待审批
    approved = "approved"  # 准予延期
    refused = "refused"  # 不予延期


class ExtensionRequest(db.Model):
    """A request to move the deadline of one or more findings of a case (a whole 交办单's, when it names one)."""

    __tablename__ = "extension_request"
    __table_args__ = (Index("ix_extension_request_decider_status", "decider_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    # The 交办单 whose deadline is asked to move; None when findings are named one by one.
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"), index=True)
    # The stage the case was at when asked: a decision after the case has left it is refused.
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "extension_stage"))
    reason: Mapped[str] = mapped_column(Text)
    requested_deadline: Mapped[date]
    requested_at: Mapped[datetime]
    requested_on: Mapped[date] = mapped_column(index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The office that decides, fixed when asked from the county's setting (Region.extension_decider).
    decider_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    status: Mapped[ExtensionStatus] = mapped_column(enum_column(ExtensionStatus, "extension_status"),
                                                    default=ExtensionStatus.pending)
    decided_at: Mapped[datetime | None]
    decided_on: Mapped[date | None] = mapped_column(index=True)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    granted_deadline: Mapped[date | None]

    case: Mapped[Case] = relationship()
    unit: Mapped[Unit] = relationship()
    decider: Mapped[Department] = relationship()
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    items: Mapped[list["ExtensionFinding"]] = relationship(back_populates="request", order_by="ExtensionFinding.id",
                                                           cascade="all, delete-orphan")
    photos: Mapped[list[Photo]] = relationship(foreign_keys="Photo.extension_id", order_by="Photo.id")

    @property
    def findings(self) -> list[Finding]:
        return [item.finding for item in self.items]


class ExtensionFinding(db.Model):
    """One finding of a request, with the deadline it had when the request was made."""

    __tablename__ = "extension_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("extension_request.id", ondelete="CASCADE"), index=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    previous_deadline: Mapped[date]

    request: Mapped[ExtensionRequest] = relationship(back_populates="items")
    finding: Mapped[Finding] = relationship()
