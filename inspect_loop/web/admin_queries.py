"""Read-only queries of the admin pages: the lists of users, regions, departments and hazard types with their
search and filters, and the counts on the admin home page."""

from dataclasses import dataclass

from flask import request
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from inspect_loop.db import db
from inspect_loop.hazards.models import HazardType, Severity
from inspect_loop.inspections.models import Finding, FindingStatus
from inspect_loop.regions.models import Department, DepartmentKind, DepartmentSector, Region, RegionLevel
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role, User
from inspect_loop.web.arguments import query_text
from inspect_loop.web.helpers import like, search_text


def choice(name: str, allowed) -> str:
    """A query argument, kept only when it is one of ``allowed``."""
    value = request.args.get(name, "")
    return value if value in allowed else ""


@dataclass(frozen=True)
class UserFilters:
    text: str
    role: str
    active: str  # "1", "0" or ""

    @classmethod
    def from_request(cls) -> "UserFilters":
        return cls(search_text(), choice("role", set(Role)), choice("active", {"1", "0"}))


def users_statement(filters: UserFilters) -> Select:
    statement = select(User).outerjoin(Department, Department.id == User.department_id).options(
        joinedload(User.department))
    if filters.text:
        pattern = like(filters.text)
        statement = statement.where(or_(User.username.ilike(pattern, escape="\\"),
                                        User.display_name.ilike(pattern, escape="\\"),
                                        Department.name.ilike(pattern, escape="\\")))
    if filters.role:
        statement = statement.where(User.role == Role(filters.role))
    if filters.active:
        statement = statement.where(User.active.is_(filters.active == "1"))
    return statement.order_by(User.username)


def regions_statement(text: str, level: str) -> Select:
    parent = aliased(Region)
    statement = (select(Region).outerjoin(parent, parent.id == Region.parent_id)
                 .options(joinedload(Region.parent)))
    if text:
        pattern = like(text)
        statement = statement.where(or_(Region.code.ilike(pattern, escape="\\"),
                                        Region.name.ilike(pattern, escape="\\"),
                                        parent.name.ilike(pattern, escape="\\")))
    if level:
        statement = statement.where(Region.level == RegionLevel(level))
    return statement.order_by(Region.code)


def departments_statement(text: str, kind: str) -> Select:
    statement = (select(Department).join(Region, Region.id == Department.region_id)
                 .options(joinedload(Department.region), selectinload(Department.sector_rows)))
    if text:
        pattern = like(text)
        in_sector = select(DepartmentSector.id).where(DepartmentSector.department_id == Department.id,
                                                      DepartmentSector.sector.ilike(pattern, escape="\\")).exists()
        statement = statement.where(or_(Department.code.ilike(pattern, escape="\\"),
                                        Department.name.ilike(pattern, escape="\\"),
                                        Region.name.ilike(pattern, escape="\\"), in_sector))
    if kind:
        statement = statement.where(Department.kind == DepartmentKind(kind))
    return statement.order_by(Region.code, Department.kind.desc(), Department.code)


@dataclass(frozen=True)
class HazardFilters:
    text: str
    category: str
    sector: str
    severity: str

    @classmethod
    def from_request(cls) -> "HazardFilters":
        return cls(search_text(), query_text("category", 40), query_text("sector", 40),
                   choice("severity", set(Severity)))


def hazards_statement(filters: HazardFilters) -> Select:
    statement = select(HazardType)
    if filters.text:
        pattern = like(filters.text)
        statement = statement.where(or_(HazardType.code.ilike(pattern, escape="\\"),
                                        HazardType.title.ilike(pattern, escape="\\")))
    if filters.category:
        statement = statement.where(HazardType.category == filters.category)
    if filters.sector:
        statement = statement.where(HazardType.sector == filters.sector)
    if filters.severity:
        statement = statement.where(HazardType.severity == Severity(filters.severity))
    return statement.order_by(HazardType.code)


def open_finding_count(hazard_id: int) -> int:
    """Findings of a hazard type still being rectified: they keep their deadlines when the type changes."""
    return db.session.scalar(select(func.count(Finding.id)).where(
        Finding.hazard_type_id == hazard_id, Finding.status == FindingStatus.open)) or 0


def hazard_categories() -> list[str]:
    return list(db.session.scalars(select(HazardType.category).distinct().order_by(HazardType.category)))


def known_sectors() -> list[str]:
    """Sectors of the catalogue and of the regulators, for filters and the hazard form's suggestions."""
    catalogue = set(db.session.scalars(select(HazardType.sector).distinct()))
    regulated = set(db.session.scalars(select(DepartmentSector.sector).distinct()))
    return sorted(catalogue | regulated)


def counties_and_townships() -> list[Region]:
    """Where a department may sit."""
    return list(db.session.scalars(select(Region).where(Region.level.in_((RegionLevel.county, RegionLevel.township)))
                                   .order_by(Region.code)))


def all_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).join(Region, Region.id == Department.region_id)
                                   .order_by(Region.code, Department.kind.desc(), Department.code)))


def counts() -> dict[str, int]:
    """The figures on the admin home page, one grouped query per table."""
    figures = {"users": 0, "active_users": 0, "units": db.session.scalar(select(func.count(Unit.id))) or 0,
               "hazards": db.session.scalar(select(func.count(HazardType.id))) or 0}
    for active, count in db.session.execute(select(User.active, func.count(User.id)).group_by(User.active)):
        figures["users"] += count
        if active:
            figures["active_users"] = count
    for level, count in db.session.execute(select(Region.level, func.count(Region.id)).group_by(Region.level)):
        figures[f"regions_{level.value}"] = count
    for kind, count in db.session.execute(select(Department.kind, func.count(Department.id))
                                          .group_by(Department.kind)):
        figures[f"departments_{kind.value}"] = count
    return figures
