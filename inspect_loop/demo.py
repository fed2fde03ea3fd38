"""A living demo county (兰溪-like): regions, offices, regulators, a hazard catalogue, units, users, and a
year of history replayed through the domain's own operations, so every figure on every screen is real."""

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from inspect_loop import clock
from inspect_loop.assignments.operations import close_out, issue_assignment, receive_assignment, sign_off
from inspect_loop.cases import ladder, policy
from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.db import db
from inspect_loop.deadline_extensions.operations import decide_extension, request_extension
from inspect_loop.enforcement import feedback
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.enforcement.operations import record_enforcement
from inspect_loop.exposures.operations import approve_exposure, create_exposure, places_of
from inspect_loop.hazards.models import DayBasis, HazardType, Severity
from inspect_loop.inspections.models import CloseKind, FindingStatus, InspectionKind
from inspect_loop.inspections.operations import (
    NewFinding,
    VerificationResult,
    plan_inspection,
    record_inspection,
    report_rectification,
)
from inspect_loop.interviews.models import Summons, TrainingKind
from inspect_loop.interviews.operations import convene_round, record_attendance
from inspect_loop.interviews.training import TrainingFacts, record_training
from inspect_loop.letters.models import Document, ServiceMethod
from inspect_loop.letters.service import ServiceDetails, record_service
from inspect_loop.regions.models import Department, DepartmentKind, Region, RegionLevel
from inspect_loop.regions.operations import create_department, create_hazard_type, create_region
from inspect_loop.units.models import Unit, UnitStatus
from inspect_loop.units.operations import create_unit
from inspect_loop.units.uscc import ALPHABET, check_character
from inspect_loop.users.models import Role, User
from inspect_loop.users.operations import create_user

DEMO_PASSWORD = "pingan-demo-2026"
EXPOSURE_MONTHS = (2, 5, 8, 11)  # 平安曝光 once a quarter
COUNTY = ("330781", "兰溪市", "兰平安")
# The county office as its notices name and reach it (发文机关全称, 附注); it reminds and requests, it holds no
# power to order a facility out of use.
COUNTY_OFFICE = {"full_name": "兰溪市平安建设领导小组办公室", "address": "兰溪市丹溪大道1号市社会治理中心",
                 "contact_person": "陈科长", "contact_phone": "0579-88901234"}
VENUE = ("兰溪市社会治理中心平安警示教育站", "兰溪市丹溪大道1号市社会治理中心一楼")
TOWNSHIPS = [
    ("云山街道", "云山"), ("兰江街道", "兰江"), ("上华街道", "上华"), ("永昌街道", "永昌"), ("赤溪街道", "赤溪"),
    ("女埠街道", "女埠"), ("游埠镇", "游埠"), ("诸葛镇", "诸葛"), ("黄店镇", "黄店"), ("香溪镇", "香溪"),
    ("马涧镇", "马涧"), ("梅江镇", "梅江"), ("横溪镇", "横溪"), ("柏社乡", "柏社"), ("水亭畲族乡", "水亭"),
]
# code, name, document prefix, sectors, address, contact person, phone (regulators hold enforcement powers)
REGULATORS = [
    ("LX-XF", "兰溪市消防救援大队", "兰消", ["消防", "电动自行车"], "兰溪市兰江街道振兴路50号", "王参谋", "0579-88902119"),
    ("LX-SCJG", "兰溪市市场监督管理局", "兰市监", ["食品", "特种设备"], "兰溪市兰江街道丹溪大道108号", "李科长",
     "0579-88903315"),
    ("LX-YJ", "兰溪市应急管理局", "兰应急", ["生产", "危化品"], "兰溪市云山街道桃花坞路9号", "张科长", "0579-88904350"),
    ("LX-JX", "兰溪市经济和信息化局", "兰经信", ["用电", "燃气"], "兰溪市兰江街道丹溪大道1号", "周科长",
     "0579-88905260"),
    ("LX-SW", "兰溪市商务局", "兰商务", ["商贸物流"], "兰溪市兰江街道丹溪大道1号", "吴科长", "0579-88906180"),
]
# code, category, title, sector, severity, rectify_days, day basis
CATALOGUE = [
    ("XF-01", "消防安全", "应急照明灯未接通电源", "消防", "general", 7, "calendar"),
    ("XF-02", "消防安全", "灭火器配备不足或过期", "消防", "general", 7, "calendar"),
    ("XF-03", "消防安全", "疏散通道堵塞", "消防", "major", 3, "calendar"),
    ("XF-04", "消防安全", "安全出口锁闭", "消防", "major", 1, "calendar"),
    ("XF-05", "消防安全", "消防设施配备不全", "消防", "general", 15, "calendar"),
    ("XF-06", "消防安全", "“三合一”场所违规住人", "消防", "major", 5, "working"),
    ("XF-07", "消防安全", "防火分隔不到位", "消防", "general", 20, "working"),
    ("XF-08", "消防安全", "消防控制室无人值守", "消防", "general", 5, "calendar"),
    ("YD-01", "用电安全", "配电箱接线混乱裸露", "用电", "general", 5, "calendar"),
    ("YD-02", "用电安全", "私拉乱接电线", "用电", "general", 5, "calendar"),
    ("YD-03", "用电安全", "大功率电器违规使用", "用电", "general", 3, "calendar"),
    ("YD-04", "用电安全", "电气线路未穿管保护", "用电", "general", 10, "working"),
    ("YD-05", "用电安全", "漏电保护装置缺失", "用电", "major", 3, "calendar"),
    ("SP-01", "食品安全", "食品原料储存不规范", "食品", "general", 7, "calendar"),
    ("SP-02", "食品安全", "从业人员无健康证", "食品", "general", 10, "working"),
    ("SP-03", "食品安全", "“三防”设施不到位", "食品", "general", 7, "calendar"),
    ("SP-04", "食品安全", "过期食品未及时清理", "食品", "major", 1, "calendar"),
    ("SP-05", "食品安全", "餐具消毒不规范", "食品", "general", 5, "calendar"),
    ("SP-06", "食品安全", "“三白”要求未落实", "食品", "general", 5, "calendar"),
    ("SC-01", "生产安全", "危险化学品储存不规范", "危化品", "major", 5, "working"),
    ("SC-02", "生产安全", "安全生产责任制未落实", "生产", "general", 15, "working"),
    ("SC-03", "生产安全", "特种作业人员无证上岗", "生产", "major", 5, "working"),
    ("SC-04", "生产安全", "设备防护装置缺失", "生产", "general", 10, "calendar"),
    ("SC-05", "生产安全", "有限空间作业未审批", "生产", "major", 3, "working"),
    ("SC-06", "生产安全", "粉尘防爆措施不到位", "生产", "major", 7, "working"),
    ("SC-07", "生产安全", "安全警示标志缺失", "生产", "general", 7, "calendar"),
    ("TS-01", "特种设备安全", "电梯未按期检验", "特种设备", "major", 10, "working"),
    ("TS-02", "特种设备安全", "压力容器超期未检", "特种设备", "major", 10, "working"),
    ("JT-01", "交通安全", "货车超载装卸", "商贸物流", "general", 3, "calendar"),
    ("JT-02", "交通安全", "场内车辆乱停乱放占用通道", "商贸物流", "general", 3, "calendar"),
    ("JT-03", "交通安全", "物流车辆未定期检查", "商贸物流", "general", 10, "calendar"),
    ("JT-04", "交通安全", "加油站卸油区安全距离不足", "商贸物流", "major", 7, "working"),
    ("RQ-01", "燃气安全", "未安装燃气泄漏报警装置", "燃气", "major", 7, "calendar"),
    ("RQ-02", "燃气安全", "液化气钢瓶存放不规范", "燃气", "general", 3, "calendar"),
    ("RQ-03", "燃气安全", "燃气软管老化超长", "燃气", "general", 5, "calendar"),
    ("RQ-04", "燃气安全", "使用非法充装气瓶", "燃气", "major", 1, "calendar"),
    ("DD-01", "电动自行车", "电动自行车室内停放充电", "电动自行车", "major", 1, "calendar"),
    ("DD-02", "电动自行车", "电动自行车飞线充电", "电动自行车", "general", 3, "calendar"),
    ("DD-03", "电动自行车", "集中充电设施未设置", "电动自行车", "general", 20, "working"),
    ("DD-04", "电动自行车", "销售非标电动自行车", "电动自行车", "general", 7, "calendar"),
]
FIRE_LAW = "《中华人民共和国消防法》"
SAFETY_LAW = "《中华人民共和国安全生产法》"
FOOD_LAW = "《中华人民共和国食品安全法》"
EQUIPMENT_LAW = "《中华人民共和国特种设备安全法》"
ROAD_LAW = "《中华人民共和国道路交通安全法》"
GAS_RULES = "《城镇燃气管理条例》"
FIRE_RULES_61 = "《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）"
# The article each hazard of the catalogue breaks (the laws as in force in 2026: 安全生产法 as revised in 2021,
# 消防法 in 2021, 食品安全法 in 2021). Articles quoted by their number only where the article itself states
# the duty; a standard is cited as a whole where no single clause does.
LEGAL_BASIS = {
    "XF-01": f"{FIRE_LAW}第十六条第一款第（二）项；{FIRE_RULES_61}第二十一条",
    "XF-02": f"{FIRE_LAW}第十六条第一款第（二）项；《建筑灭火器配置设计规范》GB 50140-2005",
    "XF-03": f"{FIRE_LAW}第二十八条；{SAFETY_LAW}第四十二条第二款",
    "XF-04": f"{FIRE_LAW}第二十八条；{FIRE_RULES_61}第二十一条",
    "XF-05": f"{FIRE_LAW}第十六条第一款第（二）项",
    "XF-06": f"{FIRE_LAW}第十九条；{SAFETY_LAW}第四十二条第一款",
    "XF-07": f"{FIRE_LAW}第十六条第一款第（四）项；《建筑设计防火规范》GB 50016-2014（2018年版）第5.3节",
    "XF-08": f"{FIRE_LAW}第十六条；《消防控制室通用技术要求》GB 25506-2010",
    "YD-01": f"{FIRE_LAW}第二十七条第二款",
    "YD-02": f"{FIRE_LAW}第二十七条第二款",
    "YD-03": f"{FIRE_LAW}第二十七条第二款",
    "YD-04": f"{FIRE_LAW}第二十七条第二款",
    "YD-05": f"{FIRE_LAW}第二十七条第二款；《剩余电流动作保护装置安装和运行》GB/T 13955-2017",
    "SP-01": f"{FOOD_LAW}第三十三条、第五十四条",
    "SP-02": f"{FOOD_LAW}第四十五条",
    "SP-03": f"{FOOD_LAW}第三十三条",
    "SP-04": f"{FOOD_LAW}第三十四条、第五十四条",
    "SP-05": f"{FOOD_LAW}第三十三条、第五十六条",
    "SP-06": f"{FOOD_LAW}第三十三条",
    "SC-01": f"{SAFETY_LAW}第三十九条；《危险化学品安全管理条例》第二十四条",
    "SC-02": f"{SAFETY_LAW}第四条、第二十二条",
    "SC-03": f"{SAFETY_LAW}第三十条",
    "SC-04": f"{SAFETY_LAW}第三十六条",
    "SC-05": f"{SAFETY_LAW}第四十三条",
    "SC-06": f"{SAFETY_LAW}第四十一条；《工贸企业粉尘防爆安全规定》（应急管理部令第6号）",
    "SC-07": f"{SAFETY_LAW}第三十五条",
    "TS-01": f"{EQUIPMENT_LAW}第四十条",
    "TS-02": f"{EQUIPMENT_LAW}第四十条",
    "JT-01": f"{ROAD_LAW}第四十八条",
    "JT-02": f"{FIRE_LAW}第二十八条",
    "JT-03": f"{ROAD_LAW}第十三条",
    "JT-04": "《汽车加油加气加氢站技术标准》GB 50156-2021",
    "RQ-01": f"{SAFETY_LAW}第三十六条第四款",
    "RQ-02": f"{GAS_RULES}第二十八条",
    "RQ-03": f"{GAS_RULES}第二十八条",
    "RQ-04": f"{EQUIPMENT_LAW}第四十九条；{GAS_RULES}第二十八条",
    "DD-01": f"{FIRE_LAW}第二十八条；《高层民用建筑消防安全管理规定》（应急管理部令第5号）第三十七条",
    "DD-02": f"{FIRE_LAW}第二十七条第二款",
    "DD-03": f"{FIRE_LAW}第十六条",
    "DD-04": "《中华人民共和国产品质量法》第十三条；《电动自行车安全技术规范》GB 17761-2018",
}
UNIT_KINDS = [
    # unit category, name suffixes, hazard prefixes most likely found there
    ("商铺", ["商行", "超市", "五金店", "电器行", "百货店"], ["XF", "YD", "DD", "RQ"]),
    ("餐饮", ["饭店", "小吃店", "面馆", "酒家", "农家乐"], ["SP", "RQ", "XF", "YD"]),
    ("农贸市场", ["农贸市场", "菜市场"], ["SP", "XF", "DD", "JT"]),
    ("工厂", ["五金加工厂", "纺织厂", "机械厂", "竹木制品厂", "化工有限公司"], ["SC", "XF", "YD", "TS"]),
    ("学校", ["小学", "中学", "幼儿园"], ["XF", "SP", "DD", "TS"]),
    ("宾馆", ["宾馆", "民宿", "酒店"], ["XF", "YD", "TS", "RQ"]),
    ("物流仓储", ["物流园", "仓储中心", "加油站"], ["JT", "XF", "SC"]),
    ("出租房", ["出租房", "群租房"], ["DD", "XF", "YD"]),
]
SURNAMES = "金王李张陈徐吴胡方叶章唐项江潘郑黄童姜鲍"
SHOP_WORDS = ["兴旺", "鑫源", "顺达", "恒丰", "金城", "永盛", "华联", "新兴", "百惠", "宏达", "福满", "瑞丰",
              "佳美", "天和", "众鑫", "东升", "富民", "利民", "万家", "锦绣"]


def _uscc(rng: random.Random) -> str:
    first17 = "92330781" + "".join(rng.choice(ALPHABET) for _ in range(9))
    return first17 + check_character(first17)


class DemoCounty:
    """Builds the county and replays its history day by day."""

    def __init__(self, seed: int, units: int, days: int, progress: Callable[[str], None]):
        self.rng = random.Random(seed)
        # Its own stream, so that recording the service of notices leaves the rest of the history as it was.
        self.service_rng = random.Random(seed + 1)
        # The education sessions' own stream too, for the same reason.
        self.training_rng = random.Random(seed + 2)
        self.unit_count = units
        self.days = days
        self.progress = progress

    # -- structure -------------------------------------------------------------------------------
    def build_structure(self, start: date) -> None:
        with clock.replaying(datetime.combine(start - timedelta(days=30), time(9))):
            self.admin = create_user(username="admin", role=Role.admin, password=DEMO_PASSWORD,
                                     display_name="系统管理员")
            code, name, prefix = COUNTY
            self.county = create_region(self.admin, code=code, name=name, level=RegionLevel.county,
                                        parent_code=None)
            self.office = create_department(self.admin, code="LX-PAB", name="兰溪市平安办",
                                            kind=DepartmentKind.safety_office, region=self.county,
                                            doc_prefix=prefix, **COUNTY_OFFICE)
            self.townships: list[Region] = []
            self.township_offices: dict[int, Department] = {}
            for index, (township_name, short) in enumerate(TOWNSHIPS, start=1):
                township = create_region(self.admin, code=f"330781{index:03d}", name=township_name,
                                         level=RegionLevel.township, parent_code=code)
                self.townships.append(township)
                self.township_offices[township.id] = create_department(
                    self.admin, code=f"LX-PAB-{index:02d}", name=f"{township_name}平安办",
                    kind=DepartmentKind.safety_office, region=township, doc_prefix=f"{short}平安",
                    full_name=f"兰溪市{township_name}平安建设办公室", address=f"兰溪市{township_name}人民政府大楼",
                    contact_person=f"{SURNAMES[index % len(SURNAMES)]}主任", contact_phone=f"0579-889{index + 10:02d}110")
            self.regulators = [create_department(self.admin, code=rcode, name=rname, kind=DepartmentKind.regulator,
                                                 region=self.county, sectors=sectors, doc_prefix=rprefix,
                                                 address=address, contact_person=person, contact_phone=phone,
                                                 enforcement_powers=True)
                               for rcode, rname, rprefix, sectors, address, person, phone in REGULATORS]
            self.hazards = [create_hazard_type(self.admin, code=hcode, category=category, title=title,
                                               sector=sector, severity=Severity(severity), rectify_days=days,
                                               day_basis=DayBasis(basis), legal_basis=LEGAL_BASIS[hcode])
                            for hcode, category, title, sector, severity, days, basis in CATALOGUE]
            self._users()
            self._units()

    def _users(self) -> None:
        def user(username, role, department=None, display_name=""):
            return create_user(username=username, role=role, department=department, password=DEMO_PASSWORD,
                               display_name=display_name)

        self.office_user = user("office", Role.safety_office, self.office, "市平安办 陈科长")
        # The office's head approves what the office drafts (平安曝光 needs a second person).
        self.office_head = user("office-head", Role.safety_office, self.office, "市平安办 王主任")
        self.inspectors = [user("inspector", Role.inspector, display_name="暗访组 徐组长"),
                           user("inspector2", Role.inspector, display_name="暗访组 吴组员")]
        self.township_users = {township.id: user(
            "township" if index == 1 else f"township{index:02d}", Role.township_office,
            self.township_offices[township.id], f"{township.name}平安办")
            for index, township in enumerate(self.townships, start=1)}
        self.regulator_users = {department.id: user(
            "regulator" if index == 0 else f"regulator{index + 1}", Role.regulator, department, department.name)
            for index, department in enumerate(self.regulators)}
        self.viewer = user("leader", Role.viewer, display_name="分管领导")

    def _units(self) -> None:
        self.units: list[Unit] = []
        self.unit_kind: dict[int, list[HazardType]] = {}
        by_prefix: dict[str, list[HazardType]] = {}
        for hazard in self.hazards:
            by_prefix.setdefault(hazard.code[:2], []).append(hazard)
        for index in range(self.unit_count):
            township = self.townships[index % len(self.townships)]
            category, suffixes, prefixes = self.rng.choice(UNIT_KINDS)
            short = TOWNSHIPS[self.townships.index(township)][1]
            name = f"兰溪市{short}{self.rng.choice(SHOP_WORDS)}{self.rng.choice(suffixes)}"
            if self.rng.random() < 0.5:
                name = f"{name}（{self.rng.choice(SURNAMES)}氏）"
            name = f"{name}{index + 1:03d}号" if any(unit.name == name for unit in self.units[-50:]) else name
            unit = create_unit(self.admin, name=name, region=township, category=category,
                               address=f"{township.name}{self.rng.choice(SHOP_WORDS)}路{self.rng.randint(1, 300)}号",
                               uscc=_uscc(self.rng) if self.rng.random() < 0.7 else None,
                               contact_name=f"{self.rng.choice(SURNAMES)}先生",
                               contact_phone=f"139{self.rng.randint(10000000, 99999999)}")
            self.units.append(unit)
            self.unit_kind[unit.id] = [hazard for prefix in prefixes for hazard in by_prefix[prefix]]

    # -- history ---------------------------------------------------------------------------------
    def at(self, day: date, hour: int, minute: int = 0):
        return clock.replaying(datetime.combine(day, time(hour, minute)))

    def replay(self, start: date, end: date) -> None:
        self.pending_rectify: dict[int, date] = {}  # finding id → day its rectification is reported
        self.reminder_reports: dict[int, date] = {}  # the same at 一次提醒, before the re-inspection
        self.stubborn: set[int] = set()  # cases whose unit will not rectify after the warning
        self.enforced: set[int] = set()  # cases whose enforcement has been decided
        self.shutdown_done = self.ban_done = self.withdraw_done = False
        self.exposed_months: set[tuple[int, int]] = set()
        last_working_day = end - timedelta(days=max(0, end.weekday() - 4))  # a Friday when end is a weekend
        day = start
        while day <= end:
            if day.weekday() < 5:
                self.working_day(day, last=day == last_working_day)
            if day.day == 1 or day == end:
                self.progress(f"  {day:%Y-%m}: {self.count(Case)} 个闭环案件")
                db.session.flush()
            day += timedelta(days=1)
        self.plans(end)

    def count(self, model) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    def open_cases(self, stage: Stage) -> list[Case]:
        return list(db.session.scalars(select(Case).where(Case.status == CaseStatus.open, Case.stage == stage)
                                       .order_by(Case.id)))

    def working_day(self, day: date, last: bool) -> None:
        inspector = self.rng.choice(self.inspectors)
        self.unannounced(day, inspector)
        self.reports_at_reminder(day)
        self.reinspections(day, inspector)
        if day.weekday() == 3:  # rounds on Thursdays at the warning-education station
            self.interview_round(day)
        if day.weekday() == 2 and day.day <= 7:  # the first Wednesday: a school or company comes to learn
            self.training_session(day)
        self.rectifications(day)
        self.follow_ups(day, inspector)
        self.enforcement(day)
        # On the first working day from the 15th of the quarter's month (the 15th may be a weekend).
        if day.month in EXPOSURE_MONTHS and day.day >= 15 and (day.year, day.month) not in self.exposed_months:
            self.exposed_months.add((day.year, day.month))
            self.exposure(day, draft=False)
        if last:
            self.exposure(day, draft=True)

    def unannounced(self, day: date, inspector: User) -> None:
        candidates = [unit for unit in self.rng.sample(self.units, 6) if unit.status == UnitStatus.operating]
        for minute, unit in enumerate(candidates[:self.rng.randint(1, 3)]):
            findings = []
            if self.rng.random() < 0.45:
                pool = self.unit_kind[unit.id]
                findings = [NewFinding(hazard, description=f"现场检查发现：{hazard.title}")
                            for hazard in self.rng.sample(pool, self.rng.choice((1, 1, 2, 2, 3)))]
            kind = self.rng.choice((InspectionKind.unannounced, InspectionKind.unannounced, InspectionKind.special))
            with self.at(day, 9 + minute, 15 * minute):
                inspection = record_inspection(inspector, unit, kind, findings=findings, team=[inspector],
                                               notes="四不两直暗访" if kind == InspectionKind.unannounced else "专项督查")
                if inspection.findings and self.service_rng.random() < 0.9:
                    self.serve_on_site(inspection, inspector)
            for finding in inspection.findings:
                if self.rng.random() < 0.85:  # most units rectify after the reminder, a few of them late
                    late = self.rng.random() < 0.05
                    self.reminder_reports[finding.id] = (
                        finding.deadline + timedelta(days=self.rng.randint(1, 3)) if late
                        else finding.found_on + timedelta(days=self.rng.randint(1, max(1, (finding.deadline
                                                                                        - finding.found_on).days))))

    def serve_on_site(self, inspection, inspector: User) -> None:
        """The inspector hands the reminder over and the unit's person signs its 送达回证; now and then they
        refuse, and it is left at the premises before the village cadre."""
        reminder = db.session.scalar(select(Document).where(Document.inspection_id == inspection.id))
        if reminder is None:  # a recurrence opened its case at 二次警示: no reminder, the summons will follow
            return
        unit = inspection.unit
        refused = self.service_rng.random() < 0.05
        record_service(inspector, reminder, ServiceDetails(
            method=ServiceMethod.left_at_premises if refused else ServiceMethod.direct, served_on=clock.today(),
            place=unit.address or unit.name, receiver=None if refused else (unit.contact_name or "单位负责人"),
            witness="村（社区）干部" if refused else None, left_reason="负责人拒绝签收" if refused else None))

    def reports_at_reminder(self, day: date) -> None:
        from inspect_loop.inspections.models import Finding

        for finding_id in [key for key, report_day in self.reminder_reports.items() if report_day <= day]:
            del self.reminder_reports[finding_id]
            finding = db.session.get(Finding, finding_id)
            if finding.is_open:
                with self.at(day, 11):
                    report_rectification(self.township_users[finding.unit.township_id], finding,
                                         "单位已自行整改，报请复查")

    def cases_where(self, condition) -> list[Case]:
        return list(db.session.scalars(select(Case).where(condition).order_by(Case.id)))

    def reinspections(self, day: date, inspector: User) -> None:
        for case in self.cases_where(policy.due_for_reinspection(day)):
            if self.rng.random() < 0.5:  # re-inspections happen within a few days after the deadline
                continue
            open_findings = [finding for finding in case.findings if finding.is_open]
            results = [VerificationResult(finding, finding.first_reported_at is not None)
                       for finding in open_findings]
            with self.at(day, 14):
                record_inspection(inspector, case.unit, InspectionKind.reinspection, verified=results,
                                  team=[inspector])
            if case.stage == Stage.warning and self.rng.random() < 0.1:
                self.stubborn.add(case.id)

    def interview_round(self, day: date) -> None:
        waiting = self.cases_where(policy.awaiting_summons())
        if not waiting:
            return
        sectors = {finding.hazard_type.sector for case in waiting for finding in case.findings if finding.is_open}
        departments = [department for department in self.regulators if set(department.sectors) & sectors]
        with self.at(day, 9):
            interview_round = convene_round(
                self.office_user, held_at=datetime.combine(day, time(14, 30), tzinfo=clock.LOCAL_TZ),
                venue=VENUE[0], venue_address=VENUE[1], convened_by=self.office, departments=departments,
                cases=waiting, participants=0)
        attended_count = 0
        with self.at(day, 16, 30):
            for case in waiting:
                attended = self.rng.random() < 0.93
                attended_count += attended
                record_attendance(self.office_user, interview_round, case, attended=attended,
                                  attendee_name=f"{self.rng.choice(SURNAMES)}某某" if attended else None,
                                  attendee_title="负责人" if attended else None,
                                  note=None if attended else "未到场，未说明理由")
            interview_round.participants = attended_count * self.rng.randint(8, 20) + len(departments) * 2 + 6
        with self.at(day, 17):
            for case in waiting:
                summons_attended = db.session.scalar(select(Summons.attended).where(
                    Summons.case_id == case.id, Summons.round_id == interview_round.id))
                if not summons_attended:
                    if len(db.session.scalars(select(Summons.id).where(Summons.case_id == case.id)).all()) >= 2:
                        ladder.escalate(case, self.office_user, "两次无故缺席警示约谈，移送执法")
                    continue
                self.assign(case, day)

    def assign(self, case: Case, day: date) -> None:
        open_sectors = {finding.hazard_type.sector for finding in case.findings if finding.is_open}
        for regulator in self.regulators:
            if set(regulator.sectors) & open_sectors:
                assignment = issue_assignment(self.office_user, case, regulator,
                                              deadline=day + timedelta(days=self.rng.choice((7, 10, 15))))
                with self.at(day + timedelta(days=1), 9):
                    receive_assignment(self.regulator_users[regulator.id], assignment)
                    receive_assignment(self.township_users[case.unit.township_id], assignment)
        if case.id not in self.stubborn:
            for finding in case.findings:
                if finding.is_open:
                    late = self.rng.random() < 0.06
                    self.pending_rectify[finding.id] = finding.deadline + timedelta(
                        days=self.rng.randint(1, 6) if late else -self.rng.randint(0, 5))

    def rectifications(self, day: date) -> None:
        from inspect_loop.inspections.models import Finding

        due = [finding_id for finding_id, report_day in self.pending_rectify.items() if report_day <= day]
        for finding_id in due:
            del self.pending_rectify[finding_id]
            finding = db.session.get(Finding, finding_id)
            if not finding.is_open or finding.case.status != CaseStatus.open:
                continue
            township_user = self.township_users[finding.unit.township_id]
            regulator = next(department for department in self.regulators
                             if finding.hazard_type.sector in department.sectors)
            with self.at(day, 10):
                report_rectification(township_user, finding, "已按要求整改到位，附整改后照片")
            if self.rng.random() < 0.12:
                with self.at(day, 15):
                    sign_off(self.regulator_users[regulator.id], finding, approved=False,
                             note="整改不彻底，请补充整改")
                self.pending_rectify[finding.id] = day + timedelta(days=2)
                continue
            with self.at(day, 15):
                sign_off(self.regulator_users[regulator.id], finding, approved=True, note="整改符合要求")
            with self.at(day, 17):
                close_out(township_user, finding, note="验收合格，予以销号")

    def follow_ups(self, day: date, inspector: User) -> None:
        for case in self.cases_where(policy.due_for_follow_up(day)):
            if case.id not in self.stubborn:
                continue
            open_findings = [finding for finding in case.findings if finding.is_open]
            with self.at(day, 10):
                record_inspection(inspector, case.unit, InspectionKind.follow_up,
                                  verified=[VerificationResult(finding, False) for finding in open_findings],
                                  team=[inspector], notes="回访发现仍未整改")

    def enforcement(self, day: date) -> None:
        for case in self.open_cases(Stage.enforcement):
            if case.id in self.enforced or clock.local_date(case.enforcement_at) > day - timedelta(days=3):
                continue
            self.enforced.add(case.id)
            open_sectors = {finding.hazard_type.sector for finding in case.findings if finding.is_open}
            regulators = [department for department in self.regulators if set(department.sectors) & open_sectors]
            with self.at(day, 10):
                record_enforcement(self.office_user, case, ActionKind.joint_enforcement,
                                   departments=regulators or self.regulators[:1],
                                   decision_no=f"兰联执〔{day.year}〕{case.id}号", note="联合执法检查")
                # Each regulator the 执法建议书 went to reports back what it did, within its feedback date.
                for row in feedback.feedback_of(case):
                    feedback.record_feedback(self.regulator_users[row.department_id], case, row.department,
                                             action_taken="已参与联合执法检查，依法责令整改", done_on=day)
                if not self.shutdown_done:
                    record_enforcement(self.office_user, case, ActionKind.shutdown, departments=regulators[:1],
                                       decision_no=f"兰应急关〔{day.year}〕1号", note="拒不整改，依法关停")
                    self.shutdown_done = True
                    continue
                if not self.ban_done:
                    record_enforcement(self.office_user, case, ActionKind.ban, departments=regulators[:1],
                                       decision_no=f"兰市监取〔{day.year}〕1号", note="无证经营，依法取缔")
                    self.ban_done = True
                    continue
                record_enforcement(self.office_user, case, ActionKind.fine, departments=regulators[:1],
                                   decision_no=f"兰罚〔{day.year}〕{case.id}号", amount=self.rng.choice((2000, 5000)))
                self.stubborn.discard(case.id)
                for regulator in regulators:
                    issue_assignment(self.office_user, case, regulator, deadline=day + timedelta(days=7))
                for finding in case.findings:
                    if finding.is_open:
                        self.pending_rectify[finding.id] = day + timedelta(days=self.rng.randint(2, 6))

    def training_session(self, day: date) -> None:
        """警示教育 outside the rounds (seed 002): a class or a company's staff at a station, and each quarter's
        first month a live stream, which the children liked; their person-times count in 教育人次."""
        rng = self.training_rng
        township = rng.choice([None, *self.townships])
        with self.at(day, 17):
            record_training(self.office_user, self.county, TrainingFacts(
                held_on=day, kind=TrainingKind.voluntary, topic=rng.choice(TRAINING_TOPICS),
                person_times=rng.randint(25, 60), organiser=rng.choice(TRAINING_ORGANISERS), township=township))
            if day.month in EXPOSURE_MONTHS:
                record_training(self.office_user, self.county, TrainingFacts(
                    held_on=day, kind=TrainingKind.live_stream, topic="平安警示教育线上直播",
                    person_times=rng.randint(300, 800)))

    def exposure(self, day: date, draft: bool) -> None:
        """平安曝光 of the places that needed a warning in the last three months, with their unrectified or
        major problems; it leaves the public page after two months. The office drafts and submits it, its head
        approves it the same afternoon. The last one stays a draft."""
        since = clock.local_midnight_utc(day - timedelta(days=90))
        cases = db.session.scalars(select(Case).where(Case.warning_at >= since).order_by(Case.id)).all()
        places = places_of([finding for case in self.rng.sample(cases, min(len(cases), 8))
                            for finding in case.findings
                            if finding.severity == Severity.major or finding.status != FindingStatus.closed
                            or finding.close_kind != CloseKind.verified])
        if not places:
            return
        with self.at(day, 15):
            exposure = create_exposure(self.office_user, title=f"{day.year}年第{(day.month - 1) // 3 + 1}季度安全隐患曝光",
                                       items=places, draft=draft, expires_on=day + timedelta(days=60))
        if not draft:
            with self.at(day, 17):
                approve_exposure(self.office_head, exposure)

    def withdraw_one(self, day: date) -> None:
        cases = self.open_cases(Stage.reminder)
        if cases:
            with self.at(day, 11):
                ladder.withdraw(cases[0], self.office_user, "录入错误：检查对象有误")

    def keep_every_stage_alive(self, day: date) -> None:
        """A living county has open cases at every stage today; escalate one if the dice left none."""
        if self.open_cases(Stage.enforcement):
            return
        candidates = self.open_cases(Stage.warning) or self.open_cases(Stage.reminder)
        if candidates:
            with self.at(day, 16):
                ladder.escalate(candidates[-1], self.office_user, "存在重大隐患且拒不整改，直接移送执法",
                                to_stage=Stage.enforcement)

    def work_for_the_demo_logins(self, end: date) -> None:
        """The first township's office (login ``township``) and the fire brigade (``regulator``) find 交办单
        waiting for them, and the inspection team (``inspector``) a re-inspection that is due: whoever tries
        the demo has something to do on their first page."""
        from inspect_loop.cases.queries import open_case_of

        township, fire = self.townships[0], self.regulators[0]
        free = [unit for unit in self.units if unit.township_id == township.id and unit.status == UnitStatus.operating
                and open_case_of(unit.id) is None]
        if len(free) < 3:
            return
        hazards = {hazard.code: hazard for hazard in self.hazards}
        inspector = self.inspectors[0]
        cases = []
        for unit, codes in ((free[0], ("XF-01", "XF-02")), (free[1], ("XF-02",))):
            with self.at(end - timedelta(days=21), 10):
                inspection = record_inspection(
                    inspector, unit, InspectionKind.unannounced, team=[inspector], notes="四不两直暗访",
                    findings=[NewFinding(hazards[code], description=f"现场检查发现：{hazards[code].title}")
                              for code in codes])
            case = inspection.findings[0].case
            with self.at(end - timedelta(days=11), 10):
                record_inspection(inspector, unit, InspectionKind.reinspection, team=[inspector],
                                  verified=[VerificationResult(finding, False) for finding in case.findings],
                                  notes="复查发现仍未整改")
            cases.append(case)
        with self.at(end, 8):
            interview_round = convene_round(
                self.office_user, held_at=datetime.combine(end, time(9), tzinfo=clock.LOCAL_TZ),
                venue=VENUE[0], venue_address=VENUE[1], convened_by=self.office, departments=[fire], cases=cases,
                participants=0)
        with self.at(end, 11):
            for case in cases:
                record_attendance(self.office_user, interview_round, case, attended=True,
                                  attendee_name=f"{self.rng.choice(SURNAMES)}某某", attendee_title="负责人")
            interview_round.participants = 26
            waiting, in_progress = (issue_assignment(self.office_user, case, fire, deadline=end + timedelta(days=10))
                                    for case in cases)
        with self.at(end, 14):  # the second one is already received and its rectification reported
            receive_assignment(self.regulator_users[fire.id], in_progress)
            receive_assignment(self.township_users[township.id], in_progress)
            for finding in in_progress.findings:
                report_rectification(self.township_users[township.id], finding, "已按要求整改到位，附整改后照片")
        with self.at(end - timedelta(days=9), 10):
            wiring = record_inspection(inspector, free[2], InspectionKind.unannounced, team=[inspector],
                                       notes="四不两直暗访",
                                       findings=[NewFinding(hazards["YD-01"], description="配电箱无盖板，线路裸露")])
        # 延期: one granted (its notice issued), one waiting for the office's decision.
        township_user = self.township_users[free[2].township_id]
        with self.at(end - timedelta(days=8), 10):
            granted = request_extension(township_user, wiring.findings[0].case, findings=wiring.findings,
                                        reason="配电箱需由供电部门统一更换，已预约", requested_deadline=end + timedelta(days=3))
        with self.at(end - timedelta(days=7), 10):
            decide_extension(self.office_user, granted, approved=True, reason="情况属实，同意延期")
        with self.at(end, 15):
            request_extension(self.township_users[township.id], waiting.case, assignment=waiting,
                              reason="消防设施需从厂家订购，到货约需两周", requested_deadline=end + timedelta(days=20))

    def plans(self, end: date) -> None:
        """Tomorrow's unannounced targets for the inspection team (secret to everyone else)."""
        with self.at(end, 18):
            for offset, unit in enumerate(self.rng.sample(self.units, 4)):
                plan_inspection(self.office_user, unit, end + timedelta(days=1 + offset // 2),
                                team=self.inspectors, notes="四不两直：不发通知、不打招呼")


def demo_exists() -> bool:
    return db.session.scalar(select(User.id).where(User.username == "office")) is not None


TRAINING_TOPICS = ("消防安全知识培训", "用电安全警示教育", "燃气安全使用培训", "电动自行车安全警示教育", "平安主题研学活动")
TRAINING_ORGANISERS = ("兰江小学", "实验幼儿园", "城区农贸市场", "工业园区企业", "社区居委会")

DEMO_LOGINS = ("admin", "office", "office-head", "inspector", "township", "regulator", "leader")


def build_demo(seed: int = 2026, units: int = 300, days: int = 365,
               progress: Callable[[str], None] = print) -> list[tuple[str, str, str]]:
    """Build the demo county unless it exists; return the demo logins (username, role, password)."""
    if not demo_exists():
        end = clock.today() - timedelta(days=1)
        start = end - timedelta(days=days - 1)
        demo = DemoCounty(seed, units, days, progress)
        progress(f"正在生成演示县：{units} 家单位，{start} 至 {end} 的检查历史 …")
        demo.build_structure(start)
        demo.replay(start, end)
        demo.withdraw_one(end)
        demo.keep_every_stage_alive(end)
        demo.work_for_the_demo_logins(end)
        progress(f"完成：{demo.count(Case)} 个闭环案件。")
    return [(user.username, user.role.value, DEMO_PASSWORD) for user in db.session.scalars(
        select(User).where(User.username.in_(DEMO_LOGINS)).order_by(User.id))]
