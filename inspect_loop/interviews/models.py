from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.regions.models import Department
from inspect_loop.units.models import Unit


class InterviewRound(db.Model):
    __tablename__ = "interview_round"
    __table_args__ = (
        UniqueConstraint("convened_by_id", "year", "number"),
        CheckConstraint("participants >= 0", name="participants_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Rounds are numbered per convening office and year: 第12轮.
    number: Mapped[int]
    year: Mapped[int]
    convened_by_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    held_at: Mapped[datetime]
    held_on: Mapped[date] = mapped_column(index=True)
    venue: Mapped[str] = mapped_column(String(200))
    # Where the venue is, printed in the summons so the unit finds it.
    venue_address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    participants: Mapped[int] = mapped_column(default=0)  # 每轮参加人次
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    convened_by: Mapped[Department] = relationship()
    departments: Mapped[list[Department]] = relationship(secondary="interview_round_department")
    summonses: Mapped[list["Summons"]] = relationship(back_populates="round", order_by="Summons.id")


class InterviewRoundDepartment(db.Model):
    __tablename__ = "interview_round_department"

    round_id: Mapped[int] = mapped_column(ForeignKey("interview_round.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), primary_key=True)


class Summons(db.Model):
    """One case summoned to one round, and whether the unit came."""

    __tablename__ = "summons"
    __table_args__ = (UniqueConstraint("round_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("interview_round.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    attended: Mapped[bool | None]  # None until attendance is recorded
    attendee_name: Mapped[str | None] = mapped_column(String(50))
    attendee_title: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime | None]

    round: Mapped[InterviewRound] = relationship(back_populates="summonses")
    case: Mapped[Case] = relationship()
    unit: Mapped[Unit] = relationship()
