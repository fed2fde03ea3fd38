"""Who is responsible for what: the territorial office of a unit and the regulator of a finding."""

from sqlalchemy import select

from inspect_loop.db import db
from inspect_loop.errors import InvalidInput, NotFound
from inspect_loop.regions.models import Department, DepartmentKind, DepartmentSector, Region, RegionLevel


def region_by_code(code: str, field: str = "region_code") -> Region:
    region = db.session.scalar(select(Region).where(Region.code == code))
    if region is None:
        raise NotFound(f"行政区划代码 {code} 不存在", f"There is no region with the code {code}.", field=field)
    return region


def department_by_code(code: str, field: str = "department") -> Department:
    department = db.session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise NotFound(f"部门代码 {code} 不存在", f"There is no department with the code {code}.", field=field)
    return department


def safety_office_of(region_id: int) -> Department | None:
    """The safety office (平安办) seated in a region: the county office or a township office."""
    return db.session.scalar(select(Department).where(
        Department.region_id == region_id, Department.kind == DepartmentKind.safety_office
    ).order_by(Department.id).limit(1))


def county_office_of(county_id: int) -> Department:
    office = safety_office_of(county_id)
    if office is None:
        raise InvalidInput("该县（市、区）尚未设置平安办", "The county has no Safety Office yet.")
    return office


def regulator_for(county_id: int, sector: str) -> Department | None:
    """The regulator of the county whose sectors include ``sector``."""
    return db.session.scalar(
        select(Department).join(DepartmentSector).join(Region, Region.id == Department.region_id)
        .where(Department.kind == DepartmentKind.regulator, DepartmentSector.sector == sector,
               Region.id == county_id, Region.level == RegionLevel.county)
        .order_by(Department.id).limit(1))


def regulators_of_case(case) -> list[Department]:
    """The regulators responsible for the case's open findings, for the 执法建议书's recipients."""
    from inspect_loop.hazards.models import HazardType
    from inspect_loop.inspections.models import Finding, FindingStatus

    return list(db.session.scalars(
        select(Department).distinct().join(DepartmentSector)
        .join(HazardType, HazardType.sector == DepartmentSector.sector)
        .join(Finding, Finding.hazard_type_id == HazardType.id)
        .where(Finding.case_id == case.id, Finding.status == FindingStatus.open,
               Department.kind == DepartmentKind.regulator, Department.region_id == case.unit.county_id)
        .order_by(Department.id)))
