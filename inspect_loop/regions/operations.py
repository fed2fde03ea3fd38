"""Managing the catalogue of regions, departments and hazard types (admin)."""

from sqlalchemy import select

from inspect_loop.audit.log import record_event
from inspect_loop.db import db
from inspect_loop.errors import Conflict, InvalidInput
from inspect_loop.hazards.models import DayBasis, HazardType, Severity
from inspect_loop.regions.lookup import region_by_code
from inspect_loop.regions.models import Department, DepartmentKind, DepartmentSector, Region, RegionLevel
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, require

PARENT_LEVEL = {RegionLevel.township: RegionLevel.county, RegionLevel.village: RegionLevel.township,
                RegionLevel.grid: RegionLevel.village}


def _unique(model, column, value, field: str) -> None:
    if db.session.scalar(select(model.id).where(column == value)) is not None:
        raise Conflict(f"代码 {value} 已存在", f"{field} {value} already exists", field=field)


def create_region(actor: User, *, code: str, name: str, level: RegionLevel, parent_code: str | None) -> Region:
    require(actor, Action.manage_catalogue)
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise InvalidInput("请填写代码和名称", "code and name are required", field="code" if not code else "name")
    _unique(Region, Region.code, code, "code")
    parent = None
    if level == RegionLevel.county:
        if parent_code:
            parent = region_by_code(parent_code, field="parent_code")
    else:
        if not parent_code:
            raise InvalidInput("请填写上级区划", "parent_code is required", field="parent_code")
        parent = region_by_code(parent_code, field="parent_code")
        if parent.level != PARENT_LEVEL[level]:
            raise InvalidInput("上级区划层级不符", f"the parent of a {level} must be a {PARENT_LEVEL[level]}",
                               field="parent_code")
    region = Region(code=code, name=name, level=level, parent=parent)
    db.session.add(region)
    db.session.flush()
    record_event(actor, "region.created", region, code=code)
    return region


def create_department(actor: User, *, code: str, name: str, kind: DepartmentKind, region: Region,
                      sectors: list[str] = (), doc_prefix: str = "") -> Department:
    require(actor, Action.manage_catalogue)
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise InvalidInput("请填写代码和名称", "code and name are required", field="code" if not code else "name")
    _unique(Department, Department.code, code, "code")
    sectors = [sector.strip() for sector in sectors if sector and sector.strip()]
    if kind == DepartmentKind.regulator:
        if region.level != RegionLevel.county:
            raise InvalidInput("行业主管部门须设在县（市、区）", "a regulator sits in a county", field="region_code")
        if not sectors:
            raise InvalidInput("行业主管部门须至少负责一个行业", "a regulator needs sectors", field="sectors")
    elif region.level not in (RegionLevel.county, RegionLevel.township):
        raise InvalidInput("平安办设在县或乡镇（街道）", "a safety office sits in a county or township",
                           field="region_code")
    elif sectors:
        raise InvalidInput("平安办不分管行业", "a safety office has no sectors", field="sectors")
    department = Department(code=code, name=name, kind=kind, region=region, region_id=region.id,
                            doc_prefix=(doc_prefix or "").strip() or name[:2])
    department.sector_rows = [DepartmentSector(sector=sector) for sector in dict.fromkeys(sectors)]
    db.session.add(department)
    db.session.flush()
    record_event(actor, "department.created", department, code=code)
    return department


def create_hazard_type(actor: User, *, code: str, category: str, title: str, sector: str, severity: Severity,
                       rectify_days: int, day_basis: DayBasis = DayBasis.calendar) -> HazardType:
    require(actor, Action.manage_catalogue)
    required = {"code": (code, "隐患代码"), "category": (category, "隐患类别"), "title": (title, "隐患名称"),
                "sector": (sector, "所属行业")}
    for field, (value, label) in required.items():
        if not (value or "").strip():
            raise InvalidInput(f"请填写{label}", f"{field} is required", field=field)
    if rectify_days < 0 or rectify_days > 365:
        raise InvalidInput("整改天数应在0至365之间", "rectify_days must be between 0 and 365", field="rectify_days")
    _unique(HazardType, HazardType.code, code.strip(), "code")
    hazard = HazardType(code=code.strip(), category=category.strip(), title=title.strip(), sector=sector.strip(),
                        severity=severity, rectify_days=rectify_days, day_basis=day_basis)
    db.session.add(hazard)
    db.session.flush()
    record_event(actor, "hazard_type.created", hazard, code=hazard.code)
    return hazard
