import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_loop.db import db, enum_column
from inspect_loop.regions.models import Region


class UnitStatus(enum.StrEnum):
    operating = "operating"
    suspended = "suspended"
    shut_down = "shut_down"
    banned = "banned"
    deregistered = "deregistered"  # 注销: kept for its history, never inspected again


# Places that no longer operate: shut down (关停), banned (取缔) or deregistered (注销). 三色 gives them their own
# state (cases/queries.py::risk_color_expression), never green.
CLOSED_UNIT_STATUSES = (UnitStatus.shut_down, UnitStatus.banned, UnitStatus.deregistered)


class Unit(db.Model):
    """A place that is inspected: shop, market, restaurant, factory, school …"""

    __tablename__ = "unit"
    # Operating units per township (三色 counts, 月晾晒) without reading every unit row.
    __table_args__ = (Index("ix_unit_township_status", "township_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    # The unit's own region (township, village or grid); township and county are kept alongside because
    # every list and statistic filters by them.
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"))
    township_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    category: Mapped[str] = mapped_column(String(40), default="")
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[UnitStatus] = mapped_column(enum_column(UnitStatus, "unit_status"), default=UnitStatus.operating)
    created_at: Mapped[datetime]
    # 注销: the day and the reason the office gave (units.operations.deregister_unit).
    deregistered_on: Mapped[date | None]
    deregistration_reason: Mapped[str | None] = mapped_column(Text)

    region: Mapped[Region] = relationship(foreign_keys=[region_id])
    township: Mapped[Region] = relationship(foreign_keys=[township_id])
    county: Mapped[Region] = relationship(foreign_keys=[county_id])

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name}>"
