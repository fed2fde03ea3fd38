import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_loop.db import db, enum_column
from inspect_loop.inspections.models import Finding
from inspect_loop.units.models import Unit


class ExposureStatus(enum.StrEnum):
    draft = "draft"  # 草稿: the office's, changed at will; a returned exposure is a draft again
    awaiting_approval = "awaiting_approval"  # 待审批: submitted, waiting for a second person's approval
    published = "published"  # 已发布: approved by someone other than its drafter


class Exposure(db.Model):
    __tablename__ = "exposure"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[ExposureStatus] = mapped_column(enum_column(ExposureStatus, "exposure_status"))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None]
    published_on: Mapped[date | None] = mapped_column(index=True)
    expires_on: Mapped[date | None]
    # 送审 and 审批 (docs/decisions.md, "Exposures need a second person").
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Why the approver sent it back; kept until the draft is submitted again so the drafter sees it.
    return_reason: Mapped[str | None] = mapped_column(Text)

    items: Mapped[list["ExposureItem"]] = relationship(back_populates="exposure", order_by="ExposureItem.id",
                                                       cascade="all, delete-orphan")


class ExposureItem(db.Model):
    __tablename__ = "exposure_item"
    __table_args__ = (UniqueConstraint("exposure_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    exposure_id: Mapped[int] = mapped_column(ForeignKey("exposure.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)

    exposure: Mapped[Exposure] = relationship(back_populates="items")
    unit: Mapped[Unit] = relationship()
    findings: Mapped[list[Finding]] = relationship(secondary="exposure_item_finding", order_by=Finding.id)


class ExposureItemFinding(db.Model):
    __tablename__ = "exposure_item_finding"

    item_id: Mapped[int] = mapped_column(ForeignKey("exposure_item.id", ondelete="CASCADE"), primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), primary_key=True, index=True)
