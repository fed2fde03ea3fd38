"""Managing the catalogue of regions, departments and hazard types (admin): adding and correcting entries.

Codes are identifiers — users, imports, API clients and other rows refer to them — so they never change; a
region's level and parent and a department's kind and seat are fixed too, because they decide which county
every unit, case and user belongs to. Names, a department's sectors, document prefix and what its notices
print of it (full name, address, contact, enforcement powers), and a hazard type's wording, sector, severity,
deadline and legal basis can be corrected; each correction is audited field by field, old →
new. The rules of what a correction may change are in docs/office-and-admin.md (Administration).
"""

from sqlalchemy import exists, select

from inspect_loop.assignments.models import Assignment, AssignmentFinding
from inspect_loop.audit.events import (
    DepartmentCorrected,
    DepartmentCreated,
    HazardTypeCorrected,
    HazardTypeCreated,
    RegionCorrected,
    RegionCreated,
)
from inspect_loop.audit.log import record_event
from inspect_loop.characters import normalise_phone
from inspect_loop.db import db
from inspect_loop.errors import Conflict, InvalidInput
from inspect_loop.hazards.models import DayBasis, HazardType, Severity
from inspect_loop.inspections.models import Finding, FindingStatus
from inspect_loop.labels import en, zh
from inspect_loop.regions.lookup import region_by_code
from inspect_loop.regions.models import Department, DepartmentKind, DepartmentSector, Region, RegionLevel
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, require

PARENT_LEVEL = {RegionLevel.township: RegionLevel.county, RegionLevel.village: RegionLevel.township,
                RegionLevel.grid: RegionLevel.village}
MAX_RECTIFY_DAYS = 365
# The English names of the catalogue's fields, by their Chinese labels, for the English refusals.
LABELS_EN = {"代码": "The code", "名称": "The name", "行业": "A sector's name", "文号前缀": "The document-number prefix",
             "发文机关全称": "The full name of the issuing authority", "地址": "The address", "联系人": "The contact person",
             "联系电话": "The contact telephone", "隐患类别": "The hazard category", "隐患名称": "The hazard's name",
             "所属行业": "The sector", "隐患代码": "The hazard code", "法律依据": "The legal basis"}


def _unique(model, column, value, field: str) -> None:
    if db.session.scalar(select(model.id).where(column == value)) is not None:
        raise Conflict(f"代码 {value} 已存在", f"The code {value} is already in use.", field=field)


def _text(value: str | None, column, field: str, label: str) -> str:
    """A required text of the catalogue, trimmed; refused when empty or longer than its column."""
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"请填写{label}", f"{LABELS_EN[label]} is required.", field=field)
    limit = column.type.length
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}个字", f"{LABELS_EN[label]} may have at most {limit} characters.", field=field)
    return value


def _optional_text(value: str | None, column, field: str, label: str) -> str:
    """An optional text of the catalogue, trimmed ("" when not given); refused when longer than its column."""
    value = (value or "").strip()
    limit = column.type.length
    if len(value) > limit:
        raise InvalidInput(f"{label}不能超过{limit}个字", f"{LABELS_EN[label]} may have at most {limit} characters.", field=field)
    return value


def _changed(record, values: dict) -> dict[str, dict]:
    """Set ``values`` on ``record``; the fields that really changed, as {field: {old, new}} for the audit."""
    changes = {}
    for field, new in values.items():
        old = getattr(record, field)
        if old != new:
            changes[field] = {"old": old, "new": new}
            setattr(record, field, new)
    return changes


# -- regions -------------------------------------------------------------------------------------------

def create_region(actor: User, *, code: str, name: str, level: RegionLevel, parent_code: str | None) -> Region:
    require(actor, Action.manage_catalogue)
    code = _text(code, Region.code, "code", "代码")
    name = _text(name, Region.name, "name", "名称")
    _unique(Region, Region.code, code, "code")
    parent = None
    if level == RegionLevel.county:
        if parent_code:
            parent = region_by_code(parent_code, field="parent_code")
    else:
        if not parent_code:
            raise InvalidInput("请填写上级区划", "Give the parent region.", field="parent_code")
        parent = region_by_code(parent_code, field="parent_code")
        if parent.level != PARENT_LEVEL[level]:
            raise InvalidInput(f"{zh(level)}的上级区划应为{zh(PARENT_LEVEL[level])}",
                               f"The parent of a {en(level).lower()} must be a {en(PARENT_LEVEL[level]).lower()}.",
                               field="parent_code")
    region = Region(code=code, name=name, level=level, parent=parent)
    db.session.add(region)
    db.session.flush()
    record_event(actor, RegionCreated(code=code), region)
    return region


def update_region(actor: User, region: Region, *, name: str | None = None) -> Region:
    """Rename a region (``None``: unchanged). Documents already issued keep the name printed in them."""
    require(actor, Action.manage_catalogue)
    changes = _changed(region, {"name": _text(region.name if name is None else name, Region.name, "name", "名称")})
    if changes:
        record_event(actor, RegionCorrected(code=region.code, changes=changes), region)
    db.session.flush()
    return region


# -- departments ---------------------------------------------------------------------------------------

def _department_terms(kind: DepartmentKind, region: Region, name: str | None, sectors, doc_prefix: str | None,
                      ) -> tuple[str, list[str], str]:
    """The checked name, sectors (trimmed, each once, sorted) and document prefix of a department of ``kind``
    seated in ``region``. An empty prefix becomes the first two characters of the name."""
    name = _text(name, Department.name, "name", "名称")
    sectors = sorted({_text(sector, DepartmentSector.sector, "sectors", "行业")
                      for sector in sectors if sector and sector.strip()})
    if kind == DepartmentKind.regulator:
        if region.level != RegionLevel.county:
            raise InvalidInput("行业主管部门须设在县（市、区）", "A sector regulator is seated in a county.", field="region_code")
        if not sectors:
            raise InvalidInput("行业主管部门须至少负责一个行业", "A sector regulator is responsible for at least one sector.", field="sectors")
    elif region.level not in (RegionLevel.county, RegionLevel.township):
        raise InvalidInput("平安办设在县或乡镇（街道）", "A Safety Office is seated in a county or a township.",
                           field="region_code")
    elif sectors:
        raise InvalidInput("平安办不分管行业", "A Safety Office has no sectors.", field="sectors")
    doc_prefix = (doc_prefix or "").strip() or name[:2]
    return name, sectors, _text(doc_prefix, Department.doc_prefix, "doc_prefix", "文号前缀")


def _issuer_terms(full_name: str | None, address: str | None, contact_person: str | None,
                  contact_phone: str | None) -> dict[str, str]:
    """What a department's notices print of it, checked: all optional (an empty full name prints the name)."""
    return {
        "full_name": _optional_text(full_name, Department.full_name, "full_name", "发文机关全称"),
        "address": _optional_text(address, Department.address, "address", "地址"),
        "contact_person": _optional_text(contact_person, Department.contact_person, "contact_person", "联系人"),
        "contact_phone": _optional_text(
            normalise_phone(contact_phone, field="contact_phone", label="联系电话", label_en="The contact telephone"),
            Department.contact_phone, "contact_phone", "联系电话"),
    }


def create_department(actor: User, *, code: str, name: str, kind: DepartmentKind, region: Region,
                      sectors: list[str] = (), doc_prefix: str = "", full_name: str = "", address: str = "",
                      contact_person: str = "", contact_phone: str = "",
                      enforcement_powers: bool | None = None) -> Department:
    """A new department. ``enforcement_powers`` defaults by kind: a regulator holds them, a safety office not."""
    require(actor, Action.manage_catalogue)
    code = _text(code, Department.code, "code", "代码")
    name, sectors, doc_prefix = _department_terms(kind, region, name, sectors, doc_prefix)
    issuer = _issuer_terms(full_name, address, contact_person, contact_phone)
    _unique(Department, Department.code, code, "code")
    if enforcement_powers is None:
        enforcement_powers = kind == DepartmentKind.regulator
    department = Department(code=code, name=name, kind=kind, region=region, region_id=region.id,
                            doc_prefix=doc_prefix, enforcement_powers=enforcement_powers, **issuer)
    department.sector_rows = [DepartmentSector(sector=sector) for sector in sectors]
    db.session.add(department)
    db.session.flush()
    record_event(actor, DepartmentCreated(code=code), department)
    return department


def _waiting_findings(sector: str):
    """Open findings of ``sector`` not yet signed off: those that still need a regulator of the sector."""
    return (select(Finding.id).join(HazardType, HazardType.id == Finding.hazard_type_id)
            .join(Unit, Unit.id == Finding.unit_id)
            .where(Finding.status == FindingStatus.open, Finding.signed_off_at.is_(None), HazardType.sector == sector))


def _regulator_of(sector: str, county_id):
    """Whether a regulator seated in ``county_id`` (a value or a column) answers for ``sector``."""
    return (select(DepartmentSector.id).join(Department, Department.id == DepartmentSector.department_id)
            .where(Department.kind == DepartmentKind.regulator, Department.region_id == county_id,
                   DepartmentSector.sector == sector))


def _check_dropped_sector(department: Department, sector: str) -> None:
    """A regulator keeps a sector while its county has findings of that sector awaiting sign-off that were
    assigned to it (its inbox is where it signs them off) or that no other regulator of the county covers."""
    waiting = _waiting_findings(sector).where(Unit.county_id == department.region_id)
    assigned = (waiting.join(AssignmentFinding, AssignmentFinding.finding_id == Finding.id)
                .join(Assignment, Assignment.id == AssignmentFinding.assignment_id)
                .where(Assignment.regulator_id == department.id))
    if db.session.scalar(select(exists(assigned))):
        raise Conflict(f"交办给本部门的“{sector}”行业问题尚未全部签认，暂不能取消该行业",
                       f"Problems of the sector “{sector}” assigned to this regulator still await its sign-off, so the "
                       "sector cannot be removed yet.",
                       field="sectors")
    others = _regulator_of(sector, department.region_id).where(Department.id != department.id)
    if db.session.scalar(select(exists(waiting))) and not db.session.scalar(select(exists(others))):
        raise Conflict(f"本县还有“{sector}”行业的问题尚未签认，且没有其他行业主管部门负责该行业；"
                       "请先为接手的部门增加该行业",
                       f"Problems of the sector “{sector}” in this county await sign-off and no other regulator covers "
                       "the sector: first add it to the regulator taking it over.",
                       field="sectors")


def update_department(actor: User, department: Department, *, name: str | None = None,
                      sectors: list[str] | None = None, doc_prefix: str | None = None, full_name: str | None = None,
                      address: str | None = None, contact_person: str | None = None,
                      contact_phone: str | None = None, enforcement_powers: bool | None = None) -> Department:
    """Correct a department's name, sectors (regulators), document prefix, or what its notices print of it
    (``None``: unchanged; "" empties an optional text).

    A new prefix numbers the documents issued from then on; the serial counters are per department, kind and
    year, so the numbers continue. A regulator may drop a sector only when no finding is left without it.
    Notices already issued keep the name, contact and wording they were printed with."""
    require(actor, Action.manage_catalogue)
    name, new_sectors, doc_prefix = _department_terms(
        department.kind, department.region, department.name if name is None else name,
        department.sectors if sectors is None else sectors,
        department.doc_prefix if doc_prefix is None else doc_prefix)
    issuer = _issuer_terms(
        department.full_name if full_name is None else full_name, department.address if address is None else address,
        department.contact_person if contact_person is None else contact_person,
        department.contact_phone if contact_phone is None else contact_phone)
    old_sectors = department.sectors
    for sector in sorted(set(old_sectors) - set(new_sectors)):
        _check_dropped_sector(department, sector)
    powers = department.enforcement_powers if enforcement_powers is None else enforcement_powers
    changes = _changed(department, {"name": name, "doc_prefix": doc_prefix, **issuer, "enforcement_powers": powers})
    if new_sectors != sorted(old_sectors):
        # Rows of kept sectors stay: deleting and re-inserting one would meet the unique constraint.
        kept = {row.sector: row for row in department.sector_rows}
        department.sector_rows = [kept.get(sector) or DepartmentSector(sector=sector) for sector in new_sectors]
        changes["sectors"] = {"old": sorted(old_sectors), "new": new_sectors}
    if changes:
        record_event(actor, DepartmentCorrected(code=department.code, changes=changes), department)
    db.session.flush()
    return department


# -- hazard catalogue ----------------------------------------------------------------------------------

def _hazard_terms(category: str | None, title: str | None, sector: str | None,
                  rectify_days: int) -> tuple[str, str, str, int]:
    category = _text(category, HazardType.category, "category", "隐患类别")
    title = _text(title, HazardType.title, "title", "隐患名称")
    sector = _text(sector, HazardType.sector, "sector", "所属行业")
    if not 0 <= rectify_days <= MAX_RECTIFY_DAYS:
        raise InvalidInput("整改天数应在0至365之间", "The days to rectify must be between 0 and 365.", field="rectify_days")
    return category, title, sector, rectify_days


def create_hazard_type(actor: User, *, code: str, category: str, title: str, sector: str, severity: Severity,
                       rectify_days: int, day_basis: DayBasis = DayBasis.calendar,
                       legal_basis: str = "") -> HazardType:
    require(actor, Action.manage_catalogue)
    code = _text(code, HazardType.code, "code", "隐患代码")
    category, title, sector, rectify_days = _hazard_terms(category, title, sector, rectify_days)
    legal_basis = _optional_text(legal_basis, HazardType.legal_basis, "legal_basis", "法律依据")
    _unique(HazardType, HazardType.code, code, "code")
    hazard = HazardType(code=code, category=category, title=title, sector=sector,
                        severity=severity, rectify_days=rectify_days, day_basis=day_basis, legal_basis=legal_basis)
    db.session.add(hazard)
    db.session.flush()
    record_event(actor, HazardTypeCreated(code=hazard.code), hazard)
    return hazard


def _check_new_sector(hazard: HazardType, sector: str) -> None:
    """A hazard type's findings follow its sector to another regulator: every finding awaiting sign-off must
    find one in its county, and one already assigned must stay with a regulator that can sign it off."""
    awaiting = (Finding.hazard_type_id == hazard.id, Finding.status == FindingStatus.open,
                Finding.signed_off_at.is_(None))
    answering = select(DepartmentSector.id).where(DepartmentSector.department_id == Assignment.regulator_id,
                                                  DepartmentSector.sector == sector)
    assigned_elsewhere = (select(Finding.id).join(AssignmentFinding, AssignmentFinding.finding_id == Finding.id)
                          .join(Assignment, Assignment.id == AssignmentFinding.assignment_id)
                          .where(*awaiting, ~exists(answering)))
    if db.session.scalar(select(exists(assigned_elsewhere))):
        raise Conflict(f"该隐患类型有已交办、尚未签认的问题，其主管部门不负责“{sector}”行业，暂不能改为该行业",
                       f"Assigned problems of this hazard type await sign-off by a regulator that does not cover "
                       f"“{sector}”, so the sector cannot be changed to it yet.",
                       field="sector")
    county = db.session.scalar(
        select(Region.name).join(Unit, Unit.county_id == Region.id).join(Finding, Finding.unit_id == Unit.id)
        .where(*awaiting, ~exists(_regulator_of(sector, Unit.county_id))).limit(1))
    if county is not None:
        raise Conflict(f"{county}有该隐患类型尚未签认的问题，但没有负责“{sector}”行业的主管部门；请先为主管部门增加该行业",
                       f"{county} has problems of this hazard type awaiting sign-off but no regulator of “{sector}”: "
                       "first add the sector to a regulator.",
                       field="sector")


def update_hazard_type(actor: User, hazard: HazardType, *, category: str | None = None, title: str | None = None,
                       sector: str | None = None, severity: Severity | None = None, rectify_days: int | None = None,
                       day_basis: DayBasis | None = None, legal_basis: str | None = None) -> HazardType:
    """Correct a hazard type (``None``: unchanged). Findings already recorded keep their severity and
    deadline — they are in notices already issued; a new ``rectify_days`` or ``day_basis`` applies to findings
    found from then on. The wording, sector and legal basis are read through the hazard type everywhere (a
    notice issued later prints the corrected basis; one issued before keeps its bytes)."""
    require(actor, Action.manage_catalogue)
    category, title, sector, rectify_days = _hazard_terms(
        hazard.category if category is None else category, hazard.title if title is None else title,
        hazard.sector if sector is None else sector, hazard.rectify_days if rectify_days is None else rectify_days)
    legal_basis = _optional_text(hazard.legal_basis if legal_basis is None else legal_basis, HazardType.legal_basis,
                                 "legal_basis", "法律依据")
    if sector != hazard.sector:
        _check_new_sector(hazard, sector)
    changes = _changed(hazard, {"category": category, "title": title, "sector": sector,
                                "severity": severity or hazard.severity, "rectify_days": rectify_days,
                                "day_basis": day_basis or hazard.day_basis, "legal_basis": legal_basis})
    if changes:
        record_event(actor, HazardTypeCorrected(code=hazard.code, changes=changes), hazard)
    db.session.flush()
    return hazard
