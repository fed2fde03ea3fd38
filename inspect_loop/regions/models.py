import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inspect_loop.db import db, enum_column


class RegionLevel(enum.StrEnum):
    county = "county"
    township = "township"
    village = "village"
    grid = "grid"


class ExtensionDecider(enum.StrEnum):
    """Who decides the extension requests (延期) of a county's units, as its safety office configures."""

    county_office = "county_office"  # 县级平安办
    regulator = "regulator"  # the regulator of the findings' sector (行业主管部门)


class Region(db.Model):
    """County (县市区) → township (乡镇街道) → village/community (村社区) → grid (网格)."""

    __tablename__ = "region"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[RegionLevel] = mapped_column(enum_column(RegionLevel, "region_level"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    # Read on counties only (deadline_extensions.operations.decider_for).
    extension_decider: Mapped[ExtensionDecider] = mapped_column(
        enum_column(ExtensionDecider, "extension_decider"), default=ExtensionDecider.county_office,
        server_default=ExtensionDecider.county_office.value)
    # The county's rules for a unit's history (cases/history.py, watch_list/): whether a recurrence opens the
    # new case at 二次警示, and the clean months before the office may take a unit off the 重点监管名单.
    recurrence_opens_at_warning: Mapped[bool] = mapped_column(default=True, server_default=true())
    watch_list_clean_months: Mapped[int] = mapped_column(default=6, server_default="6")

    parent: Mapped["Region | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Region"]] = relationship(back_populates="parent")

    def ancestor(self, level: RegionLevel) -> "Region | None":
        region: Region | None = self
        while region is not None and region.level != level:
            region = region.parent
        return region

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


class DepartmentKind(enum.StrEnum):
    safety_office = "safety_office"
    regulator = "regulator"


class Department(db.Model):
    """A safety office (平安办, county or township level) or a sector regulator (行业主管部门)."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[DepartmentKind] = mapped_column(enum_column(DepartmentKind, "department_kind"))
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id"), index=True)
    # Short prefix used in document numbers, e.g. 兰平安 in 兰平安交〔2026〕12号.
    doc_prefix: Mapped[str] = mapped_column(String(20), default="")
    # The issuer as its notices name it (发文机关全称, GB/T 9704 7.3.5); empty: the short ``name``.
    full_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    # Printed on every notice the department issues: where a unit reports and whom it calls (附注).
    address: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contact_person: Mapped[str] = mapped_column(String(50), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(String(30), default="", server_default="")
    # Whether the law gives it powers such as ordering a facility out of use (a regulator under
    # 《安全生产法》第六十五条); its notices order, the others remind and request (docs/letters.md).
    enforcement_powers: Mapped[bool] = mapped_column(default=False, server_default=false())

    region: Mapped[Region] = relationship()
    sector_rows: Mapped[list["DepartmentSector"]] = relationship(
        back_populates="department", cascade="all, delete-orphan", order_by="DepartmentSector.sector")

    @property
    def sectors(self) -> list[str]:
        return [row.sector for row in self.sector_rows]

    @property
    def issuer_name(self) -> str:
        """The name a notice prints: the full name, or the short one while no full name is set."""
        return self.full_name or self.name

    @property
    def is_county_office(self) -> bool:
        return self.kind == DepartmentKind.safety_office and self.region.level == RegionLevel.county

    def __repr__(self) -> str:
        return f"<Department {self.code} {self.name}>"


class DepartmentSector(db.Model):
    """The sectors a regulator answers for; a row per sector so 'the regulator of a finding' is a join."""

    __tablename__ = "department_sector"
    __table_args__ = (UniqueConstraint("department_id", "sector"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id", ondelete="CASCADE"))
    sector: Mapped[str] = mapped_column(String(40), index=True)

    department: Mapped[Department] = relationship(back_populates="sector_rows")
