"""What can be imported: the columns of each import and the domain operation that saves one row.

Every row goes through the same operation as the web form and the API (``create_unit``/``update_unit``,
``create_hazard_type``), so an import can never do what a user could not do by hand. A unit already in the
ledger — the same USCC, or without one the same name and address in the county — is updated, not duplicated.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspect_loop.db import db
from inspect_loop.errors import Forbidden, InvalidInput
from inspect_loop.hazards.models import DayBasis, Severity
from inspect_loop.regions.lookup import region_by_code
from inspect_loop.regions.models import Department, DepartmentKind, DepartmentSector, Region, RegionLevel
from inspect_loop.regions.operations import create_hazard_type
from inspect_loop.stats.definitions import N_
from inspect_loop.units import uscc as uscc_rules
from inspect_loop.units.models import Unit, UnitStatus
from inspect_loop.units.operations import create_unit, update_unit
from inspect_loop.users.models import Role, User
from inspect_loop.users.permissions import Action


@dataclass(frozen=True)
class ImportColumn:
    key: str  # the operation's argument, also the ``field`` its refusals name
    header: str  # the column's name in the template
    required: bool
    max_length: int
    hint: str  # what to write, for the template's instructions sheet (N_: pages translate it)
    text: bool = False  # digits that must stay text in Excel (codes, phone numbers)


@dataclass(frozen=True)
class ImportKind:
    name: str  # "units" or "hazards", as in the URL and the command
    title: str  # what one row is, in Chinese
    permission: Action
    columns: tuple[ImportColumn, ...]
    unique: str  # a column whose value may appear only once in a file
    save: Callable[[User, dict[str, str]], str]  # what it did with the row: CREATED, UPDATED or UNCHANGED

    def column(self, key: str) -> ImportColumn | None:
        return next((column for column in self.columns if column.key == key), None)


# -- units --------------------------------------------------------------------------------------------

def county_of(region: Region) -> Region | None:
    return region.ancestor(RegionLevel.county)


CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


def unit_in_ledger(values: dict[str, str], county: Region) -> Unit | None:
    """The unit a row describes, if the ledger has it: the one with the row's USCC; else, by name and address
    in the row's county, one without a USCC (or any, when the row gives none) that is not deregistered — a new
    business at the address of a deregistered one is a new unit."""
    session: Session = db.session
    uscc = uscc_rules.normalise(values["uscc"])
    if uscc:
        holder = session.scalar(select(Unit).where(Unit.uscc == uscc))
        if holder is not None:
            return holder
    same_place = (select(Unit).where(Unit.name == values["name"].strip(), Unit.address == values["address"].strip(),
                                     Unit.county_id == county.id, Unit.status != UnitStatus.deregistered)
                  .order_by(Unit.id).limit(2))
    if uscc:
        same_place = same_place.where(Unit.uscc.is_(None))
    matches = list(session.scalars(same_place))
    if len(matches) > 1:
        raise InvalidInput("已登记多个同名同地址的单位，无法确定更新哪一个；请填写统一社会信用代码",
                           "Several registered units have this name and address: give the unified social credit code "
                           "to say which one.", field="uscc")
    return matches[0] if matches else None


def save_unit_row(actor: User, values: dict[str, str]) -> str:
    """Create the unit, or update the one the ledger has (an empty optional cell leaves its field as it is)."""
    region = region_by_code(values["region_code"], field="region_code")
    county = county_of(region)
    # create_unit confines a township office to its township; a county office is confined to its county here.
    if actor.role == Role.safety_office and (county is None or county.id != actor.department.region_id):
        raise Forbidden("只能导入本县（市、区）的单位", "You may import only units of your own county.",
                        field="region_code")
    existing = unit_in_ledger(values, county) if county is not None else None
    if existing is None:
        create_unit(actor, name=values["name"], region=region, address=values["address"],
                    category=values["category"], uscc=values["uscc"] or None,
                    contact_name=values["contact_name"] or None, contact_phone=values["contact_phone"] or None)
        return CREATED
    changes = update_unit(actor, existing, name=values["name"], uscc=values["uscc"] or None,
                          address=values["address"] or None, region=region, category=values["category"] or None,
                          contact_name=values["contact_name"] or None, contact_phone=values["contact_phone"] or None)
    return UPDATED if changes else UNCHANGED


UNITS = ImportKind(
    name="units", title="单位", permission=Action.manage_units, unique="uscc", save=save_unit_row,
    columns=(
        ImportColumn("name", N_("单位名称"), True, 200, N_("场所或单位的名称，如“某某农贸市场”")),
        ImportColumn("uscc", N_("统一社会信用代码"), False, 18,
                     N_("18位，可不填；填写的须通过校验。已登记该代码（或无代码时同名同地址）的单位按本行更新，不重复登记"),
                     text=True),
        ImportColumn("region_code", N_("所在区划代码"), True, 20,
                     N_("单位所在乡镇（街道）、村（社区）或网格的代码，见“区划代码”表"), text=True),
        ImportColumn("address", N_("地址"), False, 300, N_("详细地址")),
        ImportColumn("category", N_("类别"), False, 40, N_("如商铺、市场、餐饮、工厂、学校")),
        ImportColumn("contact_name", N_("联系人"), False, 50, N_("可不填")),
        ImportColumn("contact_phone", N_("联系电话"), False, 30, N_("可不填"), text=True),
    ))


def regions_for_template(actor: User) -> list[Region]:
    """The regions a unit of this user may sit in (townships and below), for the template's code list."""
    if actor.role != Role.safety_office:
        return list(db.session.scalars(select(Region).where(Region.level != RegionLevel.county)
                                       .order_by(Region.code)))
    regions: list[Region] = []
    parents = [actor.department.region_id]
    for _level in (RegionLevel.township, RegionLevel.village, RegionLevel.grid):
        below = list(db.session.scalars(select(Region).where(Region.parent_id.in_(parents))))
        regions.extend(below)
        parents = [region.id for region in below]
    return sorted(regions, key=lambda region: region.code)


# -- hazard catalogue ---------------------------------------------------------------------------------

SEVERITY_WORDS = {"一般": Severity.general, "重大": Severity.major, "general": Severity.general,
                  "major": Severity.major}
DAY_BASIS_WORDS = {"": DayBasis.calendar, "自然日": DayBasis.calendar, "工作日": DayBasis.working,
                   "calendar": DayBasis.calendar, "working": DayBasis.working}


def create_hazard_row(actor: User, values: dict[str, str]) -> str:
    severity = SEVERITY_WORDS.get(values["severity"].lower())
    if severity is None:
        raise InvalidInput("等级应为“一般”或“重大”", "The severity must be 一般 (general) or 重大 (major).", field="severity")
    days = values["rectify_days"]
    # ASCII digits only: "²" or "٣" pass str.isdigit() but are no number a person meant. The range is
    # create_hazard_type's to check.
    if not (days.isascii() and days.isdigit()):
        raise InvalidInput("整改天数应为0至365的整数", "The days to rectify must be a whole number from 0 to 365.", field="rectify_days")
    day_basis = DAY_BASIS_WORDS.get(values["day_basis"].lower())
    if day_basis is None:
        raise InvalidInput("计日方式应为“自然日”或“工作日”", "Days must be counted as 自然日 (calendar days) or 工作日 (working days).",
                           field="day_basis")
    create_hazard_type(actor, code=values["code"], category=values["category"], title=values["title"],
                       sector=values["sector"], severity=severity, rectify_days=int(days),
                       day_basis=day_basis, legal_basis=values["legal_basis"])
    return CREATED


HAZARDS = ImportKind(
    name="hazards", title="隐患类型", permission=Action.manage_catalogue, unique="code", save=create_hazard_row,
    columns=(
        ImportColumn("code", N_("代码"), True, 40, N_("目录中唯一，如 XF-09"), text=True),
        ImportColumn("category", N_("类别"), True, 40, N_("如消防安全、用电安全、食品安全、燃气安全")),
        ImportColumn("title", N_("隐患名称"), True, 200, N_("如“疏散通道堵塞”")),
        ImportColumn("sector", N_("行业"), True, 40, N_("负责该隐患的行业，须与行业主管部门负责的行业一致，见“行业”表")),
        ImportColumn("severity", N_("等级"), True, 10, N_("一般 或 重大")),
        ImportColumn("rectify_days", N_("整改天数"), True, 5, N_("发现后几天内整改，0至365的整数")),
        ImportColumn("day_basis", N_("计日方式"), False, 10, N_("自然日 或 工作日（不填为自然日）")),
        ImportColumn("legal_basis", N_("法律依据"), False, 500,
                     N_("法律法规或标准及条款，如“《中华人民共和国消防法》第二十八条”；可不填")),
    ))


def sectors_for_template() -> list[tuple[str, str]]:
    """(sector, regulators answering for it), for the template's sector list."""
    rows = db.session.execute(
        select(DepartmentSector.sector, Department.name).join(Department)
        .where(Department.kind == DepartmentKind.regulator).order_by(DepartmentSector.sector, Department.code))
    regulators: dict[str, list[str]] = {}
    for sector, name in rows:
        regulators.setdefault(sector, []).append(name)
    return [(sector, "、".join(names)) for sector, names in regulators.items()]


KINDS = {kind.name: kind for kind in (UNITS, HAZARDS)}
