import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_loop.cases.models import Case
from inspect_loop.db import db, enum_column
from inspect_loop.units.models import Unit


class WatchReason(enum.StrEnum):
    """Why a unit was put on the 重点监管名单 (``watch_list/rules.py``)."""

    ban = "ban"  # 取缔
    shutdown = "shutdown"  # 关停
    recurrence = "recurrence"  # a case opened at 二次警示 because the same hazard came back
    repeated_cases = "repeated_cases"  # a second case opened in one calendar year


class WatchListEntry(db.Model):
    """One reason a unit is on the 重点监管名单. A unit is on the list while it has an entry not yet left; the
    office's exit decision ends all of its entries at once (the same ``left_at``)."""

    __tablename__ = "watch_list_entry"
    __table_args__ = (
        # The units on the list now (the workbench, ``on_watch_list``), without reading the entries left.
        Index("ix_watch_list_entry_current", "unit_id", sqlite_where=text("left_at IS NULL"),
              postgresql_where=text("left_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    reason: Mapped[WatchReason] = mapped_column(enum_column(WatchReason, "watch_reason"))
    # The case whose event made the entry (the banned or shut-down case, the case opened by a recurrence, the
    # second case of the year).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    entered_at: Mapped[datetime]
    entered_on: Mapped[date]
    left_at: Mapped[datetime | None]
    left_on: Mapped[date | None]
    left_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    left_note: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[Unit] = relationship()
    case: Mapped[Case | None] = relationship()

    @property
    def is_current(self) -> bool:
        return self.left_at is None
