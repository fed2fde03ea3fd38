import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_loop.db import db, enum_column
from inspect_loop.regions.models import Department


class ActionKind(enum.StrEnum):
    joint_enforcement = "joint_enforcement"  # 联合执法
    fine = "fine"  # 罚款
    suspend = "suspend"  # 责令停业整顿
    shutdown = "shutdown"  # 关停
    ban = "ban"  # 取缔


ACTION_LABELS = {
    ActionKind.joint_enforcement: "联合执法",
    ActionKind.fine: "罚款",
    ActionKind.suspend: "责令停业整顿",
    ActionKind.shutdown: "关停",
    ActionKind.ban: "取缔",
}


class EnforcementAction(db.Model):
    __tablename__ = "enforcement_action"
    __table_args__ = (Index("ix_enforcement_action_kind_day", "action", "decided_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    action: Mapped[ActionKind] = mapped_column(enum_column(ActionKind, "enforcement_kind"))
    decided_at: Mapped[datetime]
    decided_on: Mapped[date]
    decision_no: Mapped[str | None] = mapped_column(String(60))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    departments: Mapped[list[Department]] = relationship(secondary="enforcement_department")


class EnforcementDepartment(db.Model):
    __tablename__ = "enforcement_department"

    action_id: Mapped[int] = mapped_column(ForeignKey("enforcement_action.id", ondelete="CASCADE"),
                                           primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)


class ReferralFeedback(db.Model):
    """What a regulator did about a 执法建议书 (执法建议书办理反馈). One row per referral and regulator it is
    addressed to, made when the referral is issued — who owes feedback, and by when — and completed once the
    feedback is recorded (``enforcement/feedback.py``). Overdue feedback is computed, not stored."""

    __tablename__ = "referral_feedback"
    __table_args__ = (UniqueConstraint("referral_id", "department_id"),
                      Index("ix_referral_feedback_pending_due", "recorded_at", "due_on"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # The referral's first version: its number, which a re-issue keeps, is what the regulator answers.
    referral_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    due_on: Mapped[date]
    action_taken: Mapped[str | None] = mapped_column(Text)
    done_on: Mapped[date | None]
    reply_number: Mapped[str | None] = mapped_column(String(60))  # the regulator's own document number
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime | None]

    department: Mapped[Department] = relationship()
    referral: Mapped["Document"] = relationship()  # noqa: F821

    @property
    def is_recorded(self) -> bool:
        return self.recorded_at is not None
