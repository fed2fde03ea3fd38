import enum

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from inspect_loop.db import db, enum_column


class Severity(enum.StrEnum):
    general = "general"
    major = "major"


class DayBasis(enum.StrEnum):
    """How ``rectify_days`` are counted: calendar days, or Chinese working days (holidays and 调休)."""

    calendar = "calendar"
    working = "working"


class HazardType(db.Model):
    __tablename__ = "hazard_type"
    __table_args__ = (CheckConstraint("rectify_days >= 0", name="rectify_days_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(40), index=True)
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "hazard_severity"))
    rectify_days: Mapped[int]
    day_basis: Mapped[DayBasis] = mapped_column(enum_column(DayBasis, "day_basis"), default=DayBasis.calendar)
    # The law, regulation or standard and its article the hazard breaks, e.g. 《中华人民共和国消防法》第二十八条;
    # shown on the checklist and printed under each finding of a notice ("依据：…").
    legal_basis: Mapped[str] = mapped_column(String(500), default="", server_default="")

    def __repr__(self) -> str:
        return f"<HazardType {self.code} {self.title}>"
