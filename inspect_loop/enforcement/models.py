import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
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
