"""Test data built through the domain's own operations, so that tests exercise the same rules users do."""

from types import SimpleNamespace

from inspect_loop import clock
from inspect_loop.db import db
from inspect_loop.exposures.operations import approve_exposure, create_exposure
from inspect_loop.hazards.models import DayBasis, Severity
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.inspections.operations import NewFinding, VerificationResult, record_inspection
from inspect_loop.regions.models import DepartmentKind, RegionLevel
from inspect_loop.regions.operations import create_department, create_hazard_type, create_region
from inspect_loop.units.operations import create_unit
from inspect_loop.units.uscc import ALPHABET, check_character
from inspect_loop.users.models import Role, User
from inspect_loop.users.operations import create_user

PASSWORD = "correct-horse-battery"


def make_uscc(sequence: int) -> str:
    """A valid 统一社会信用代码 for test unit number ``sequence``."""
    body = "913307"  # registration office 9, type 1, Zhejiang 33, 07
    tail = ""
    value = sequence
    for _ in range(9):
        tail = ALPHABET[value % 31] + tail
        value //= 31
    first17 = body + "81" + tail
    return first17 + check_character(first17)


HAZARDS = [
    # code, category, title, sector, severity, days, basis
    ("XF-01", "消防安全", "应急照明灯未接通电源", "消防", Severity.general, 7, DayBasis.calendar),
    ("XF-02", "消防安全", "消防设施配备不全", "消防", Severity.general, 10, DayBasis.calendar),
    ("YD-01", "用电安全", "配电箱接线混乱裸露", "用电", Severity.general, 5, DayBasis.calendar),
    ("SP-01", "食品安全", "食品原料储存不规范", "食品", Severity.general, 7, DayBasis.calendar),
    ("SC-01", "生产安全", "危险化学品储存不规范", "生产", Severity.major, 5, DayBasis.working),
]


def build_county() -> SimpleNamespace:
    admin = User(username="root", role=Role.admin, display_name="管理员", created_at=clock.now())
    db.session.add(admin)
    db.session.flush()
    county = create_region(admin, code="330781", name="兰溪市", level=RegionLevel.county, parent_code=None)
    east = create_region(admin, code="330781001", name="兰江街道", level=RegionLevel.township, parent_code="330781")
    west = create_region(admin, code="330781101", name="马涧镇", level=RegionLevel.township, parent_code="330781")
    village = create_region(admin, code="330781101201", name="郑宅村", level=RegionLevel.village,
                            parent_code="330781101")
    office = create_department(admin, code="LX-PAB", name="兰溪市平安办", kind=DepartmentKind.safety_office,
                               region=county, doc_prefix="兰平安")
    east_office = create_department(admin, code="LJ-PAB", name="兰江街道平安办", kind=DepartmentKind.safety_office,
                                    region=east, doc_prefix="兰江平安")
    west_office = create_department(admin, code="MJ-PAB", name="马涧镇平安办", kind=DepartmentKind.safety_office,
                                    region=west, doc_prefix="马涧平安")
    fire = create_department(admin, code="LX-XF", name="兰溪市消防救援大队", kind=DepartmentKind.regulator,
                             region=county, sectors=["消防"], doc_prefix="兰消")
    market = create_department(admin, code="LX-SCJG", name="兰溪市市场监管局", kind=DepartmentKind.regulator,
                               region=county, sectors=["食品"], doc_prefix="兰市监")
    emergency = create_department(admin, code="LX-YJ", name="兰溪市应急管理局", kind=DepartmentKind.regulator,
                                  region=county, sectors=["生产", "用电"], doc_prefix="兰应急")
    hazards = {code: create_hazard_type(admin, code=code, category=category, title=title, sector=sector,
                                        severity=severity, rectify_days=days, day_basis=basis)
               for code, category, title, sector, severity, days, basis in HAZARDS}
    users = SimpleNamespace(
        admin=admin,
        office=create_user(username="office", role=Role.safety_office, department=office, password=PASSWORD),
        # The county office's head: a second person of the same office, who approves what "office" drafts.
        head=create_user(username="head", role=Role.safety_office, department=office, password=PASSWORD),
        east=create_user(username="east", role=Role.township_office, department=east_office, password=PASSWORD),
        west=create_user(username="west", role=Role.township_office, department=west_office, password=PASSWORD),
        inspector=create_user(username="inspector", role=Role.inspector, password=PASSWORD),
        inspector2=create_user(username="inspector2", role=Role.inspector, password=PASSWORD),
        fire=create_user(username="fire", role=Role.regulator, department=fire, password=PASSWORD),
        market=create_user(username="market", role=Role.regulator, department=market, password=PASSWORD),
        emergency=create_user(username="emergency", role=Role.regulator, department=emergency, password=PASSWORD),
        viewer=create_user(username="viewer", role=Role.viewer, password=PASSWORD),
    )
    units = SimpleNamespace(
        shop=create_unit(admin, name="某电子商务商行", region=east, address="兰江街道振兴路1号", category="商铺",
                         uscc=make_uscc(1), contact_name="张三", contact_phone="13800000001"),
        market=create_unit(admin, name="柏社农贸市场", region=east, address="兰江街道柏社路8号", category="市场",
                           uscc=make_uscc(2)),
        factory=create_unit(admin, name="马涧五金加工厂", region=village, address="马涧镇郑宅村", category="工厂"),
    )
    return SimpleNamespace(county=county, east=east, west=west, village=village, office=office,
                           east_office=east_office, west_office=west_office, fire=fire, market=market,
                           emergency=emergency, hazards=hazards, users=users, units=units)


def inspect(county, unit, *codes, kind=InspectionKind.unannounced, actor=None, verified=(), **extra):
    """Record an inspection of ``unit`` finding the hazards ``codes``; ``verified`` is [(finding, bool)]."""
    return record_inspection(
        actor or county.users.inspector, unit, kind,
        findings=[NewFinding(county.hazards[code], description=f"{code} 现场发现") for code in codes],
        verified=[VerificationResult(finding, rectified) for finding, rectified in verified], **extra)


def build_other_county(county) -> SimpleNamespace:
    """A second county (义乌) beside the test county: its office, a township with its office, a regulator, a
    unit, and their users — for the rules that keep one county's office out of another's matters."""
    admin = county.users.admin
    region = create_region(admin, code="330782", name="义乌市", level=RegionLevel.county, parent_code=None)
    township = create_region(admin, code="330782001", name="稠城街道", level=RegionLevel.township,
                             parent_code="330782")
    office = create_department(admin, code="YW-PAB", name="义乌市平安办", kind=DepartmentKind.safety_office,
                               region=region, doc_prefix="义平安")
    township_office = create_department(admin, code="CC-PAB", name="稠城街道平安办",
                                         kind=DepartmentKind.safety_office, region=township, doc_prefix="稠城平安")
    fire = create_department(admin, code="YW-XF", name="义乌市消防救援大队", kind=DepartmentKind.regulator,
                             region=region, sectors=["消防"], doc_prefix="义消")
    users = SimpleNamespace(
        office=create_user(username="yiwu", role=Role.safety_office, department=office, password=PASSWORD),
        township=create_user(username="chouc", role=Role.township_office, department=township_office,
                             password=PASSWORD),
        fire=create_user(username="yiwu-fire", role=Role.regulator, department=fire, password=PASSWORD),
    )
    unit = create_unit(admin, name="义乌小商品店", region=township, address="稠城街道1号", category="商铺")
    return SimpleNamespace(county=region, township=township, office=office, township_office=township_office,
                           fire=fire, users=users, unit=unit)


def published_exposure(county, *, title, items, expires_on=None):
    """An exposure drafted and submitted by the county office and approved by its head (the second person)."""
    exposure = create_exposure(county.users.office, title=title, items=items, expires_on=expires_on)
    return approve_exposure(county.users.head, exposure)
