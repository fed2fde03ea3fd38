"""Warning interview rounds (约谈轮次) at the warning-education station (平安警示教育站), what each unit said and
agreed there (约谈记录), and the station's other education: voluntary sessions and live streams."""
import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_loop.cases.models import Case
from inspect_loop.db import db, enum_column
from inspect_loop.inspections.models import Photo
from inspect_loop.regions.models import Department, Region
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
    # 约谈记录: what this unit said and agreed at the interview, kept per unit because each unit is
    # interviewed on its own problems and promises its own remedies (docs/decisions.md).
    minutes: Mapped[str | None] = mapped_column(Text)
    minutes_recorded_at: Mapped[datetime | None]
    minutes_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    round: Mapped[InterviewRound] = relationship(back_populates="summonses")
    case: Mapped[Case] = relationship()
    unit: Mapped[Unit] = relationship()
    # The pages of the unit's signed 责任书/承诺书 (photos or scans), in the order uploaded.
    commitment_pages: Mapped[list[Photo]] = relationship(order_by=Photo.id)


class TrainingKind(enum.StrEnum):
    voluntary = "voluntary"  # 自愿参加的警示教育、培训、研学（企业、学校组织到站）
    live_stream = "live_stream"  # 线上直播


class TrainingSession(db.Model):
    """One education session at a warning-education station outside the interview rounds, and its person-times
    (到场人次 of a voluntary session, 观看人次 of a live stream) — counted in 教育人次 (docs/statistics.md)."""

    __tablename__ = "training_session"
    __table_args__ = (CheckConstraint("person_times >= 0", name="person_times_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    # The station's township; None for the county's own station (市本级).
    township_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    held_on: Mapped[date] = mapped_column(index=True)
    kind: Mapped[TrainingKind] = mapped_column(enum_column(TrainingKind, "training_kind"))
    topic: Mapped[str] = mapped_column(String(200))
    organiser: Mapped[str] = mapped_column(String(200), default="", server_default="")
    person_times: Mapped[int]
    created_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime | None]

    county: Mapped[Region] = relationship(foreign_keys=[county_id])
    township: Mapped[Region | None] = relationship(foreign_keys=[township_id])
