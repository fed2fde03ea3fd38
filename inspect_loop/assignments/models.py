import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_loop.cases.models import Case
from inspect_loop.db import db, enum_column
from inspect_loop.inspections.models import Finding
from inspect_loop.regions.models import Department
from inspect_loop.users.models import User


class RecipientRole(enum.StrEnum):
    regulator = "regulator"  # 行业主管部门联: 业务指导
    territorial = "territorial"  # 属地平安办联: 验收销号


class Assignment(db.Model):
    __tablename__ = "assignment"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    regulator_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    territorial_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    deadline: Mapped[date]
    issued_at: Mapped[datetime]
    issued_on: Mapped[date]
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    case: Mapped[Case] = relationship()
    regulator: Mapped[Department] = relationship(foreign_keys=[regulator_id])
    territorial: Mapped[Department] = relationship(foreign_keys=[territorial_id])
    findings: Mapped[list[Finding]] = relationship(secondary="assignment_finding", order_by=Finding.id)
    receipts: Mapped[list["AssignmentReceipt"]] = relationship(back_populates="assignment",
                                                               order_by="AssignmentReceipt.id")


class AssignmentFinding(db.Model):
    __tablename__ = "assignment_finding"

    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"), primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), primary_key=True, index=True)


class AssignmentReceipt(db.Model):
    """签收: one recipient department acknowledges its copy."""

    __tablename__ = "assignment_receipt"
    __table_args__ = (UniqueConstraint("assignment_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    role: Mapped[RecipientRole] = mapped_column(enum_column(RecipientRole, "recipient_role"))
    received_at: Mapped[datetime]
    received_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    assignment: Mapped[Assignment] = relationship(back_populates="receipts")


class SignOff(db.Model):
    """The regulator's decision on a reported rectification: approved, or refused with a reason."""

    __tablename__ = "sign_off"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    approved: Mapped[bool]
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime]
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    department: Mapped[Department] = relationship()
    decided_by: Mapped[User] = relationship()


class CloseOut(db.Model):
    """验收销号 by the territorial safety office."""

    __tablename__ = "close_out"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("finding.id"), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime]
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
