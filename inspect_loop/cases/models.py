import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_loop.db import db, enum_column
from inspect_loop.units.models import Unit


class Stage(enum.StrEnum):
    reminder = "reminder"  # 一次提醒
    warning = "warning"  # 二次警示
    enforcement = "enforcement"  # 三次执法


class CaseStatus(enum.StrEnum):
    open = "open"
    closed = "closed"


class Outcome(enum.StrEnum):
    rectified_at_reminder = "rectified_at_reminder"
    rectified_after_warning = "rectified_after_warning"
    rectified_after_enforcement = "rectified_after_enforcement"
    shut_down = "shut_down"
    banned = "banned"
    withdrawn = "withdrawn"


class StartReason(enum.StrEnum):
    """Why a case started above 一次提醒 (SPEC section 7, Where a new case starts; ``cases/history.py``)."""

    recurrence = "recurrence"  # the same hazard type again within two months of an earlier case's close-out
    closed_unit_operating = "closed_unit_operating"  # a shut-down or banned unit found operating (非法经营)


class Case(db.Model):
    __tablename__ = "case_file"  # "case" is an SQL keyword
    __table_args__ = (
        # At most one open case per unit, enforced by the database itself.
        Index("uq_case_file_open_unit", "unit_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
        CheckConstraint("(status = 'open') = (outcome IS NULL)", name="outcome_iff_closed"),
        Index("ix_case_file_stage_status", "stage", "status"),
        # Cases opened, and escalated to 二次警示 / 三次执法, in a period (statistics, 月晾晒).
        Index("ix_case_file_opened_on", "opened_on"),
        Index("ix_case_file_warning_at", "warning_at"),
        Index("ix_case_file_enforcement_at", "enforcement_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "case_stage"))
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus, "case_status"))
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome, "case_outcome"))
    opened_at: Mapped[datetime]
    opened_on: Mapped[date]
    warning_at: Mapped[datetime | None]
    enforcement_at: Mapped[datetime | None]
    # The county office's reason when it moved the case up by hand (absent from the interview, a major
    # hazard …); None when a failed re-inspection or follow-up moved it. Notices print it.
    warning_reason: Mapped[str | None] = mapped_column(Text)
    enforcement_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None]
    closed_on: Mapped[date | None] = mapped_column(index=True)
    # Why the case opened at 二次警示 or 三次执法 rather than 一次提醒 (None: it opened at 一次提醒), the earlier case
    # that rule refers to (the recurring one, or the one that shut the unit down or banned it) and, for a
    # recurrence, the day the unit attended that case's interview. Pages and the API say why from them.
    start_reason: Mapped[StartReason | None] = mapped_column(enum_column(StartReason, "case_start_reason"))
    start_after_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    start_interviewed_on: Mapped[date | None]

    unit: Mapped[Unit] = relationship()
    start_after_case: Mapped["Case | None"] = relationship(remote_side=[id])
    findings: Mapped[list["Finding"]] = relationship(  # noqa: F821
        back_populates="case", order_by="Finding.id")

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.open

    def __repr__(self) -> str:
        return f"<Case {self.id} unit={self.unit_id} {self.stage}/{self.status}>"
