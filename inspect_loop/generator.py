"""Generated history for demos and benchmarks: ``flask --app inspect_loop gen-data --units N --years Y --seed S``.

The demo (``inspect_loop.demo``) replays a year of one county through the domain operations, which issue a
PDF for every notice and take minutes for a few hundred units. This generator writes years of history for
tens of thousands of units in minutes: it follows each unit through the ladder of SPEC section 3 in Python,
with the same rules as the operations (deadlines from ``hazards.deadlines.deadline_for``, the stages and
outcomes of ``cases.ladder.TRANSITIONS``, sign-off before close-out, shutdown and ban ending the case), and
writes the rows with bulk ``INSERT``s in chunks. It renders no documents (no ``Document`` rows): the data is
for figures, lists, rankings and their benchmarks, not for verifying notices. ``docs/generator.md`` has
the rates, the decisions and the limits.

History runs from ``end - years`` to ``end`` (default: yesterday). Everything that would happen after
``end`` does not happen, so the last weeks leave cases open at every stage, some of them overdue.
"""

import random
import time as timer
from bisect import insort
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cache, lru_cache

import click
from flask.cli import with_appcontext
from sqlalchemy import Table, func, insert, select, text

from inspect_loop import clock
from inspect_loop.assignments.models import (
    Assignment,
    AssignmentFinding,
    AssignmentReceipt,
    CloseOut,
    RecipientRole,
    SignOff,
)
from inspect_loop.audit.events import (
    Absent,
    AssignmentIssued,
    AssignmentReceived,
    Attended,
    CaseOpened,
    ClosedOut,
    DataGenerated,
    DomainEvent,
    EnforcementRecorded,
    ExposureCreated,
    ExposurePublished,
    InspectionRecorded,
    PlaceListed,
    RectificationReported,
    RoundConvened,
    SignedOff,
    SignOffRefused,
    Summoned,
    UnitCreated,
    case_schema,
    row_values,
)
from inspect_loop.audit.log import record_event
from inspect_loop.audit.models import Event
from inspect_loop.cases import policy
from inspect_loop.cases.history import RECURRENCE_SENTENCE
from inspect_loop.cases.ladder import TRANSITIONS, next_state
from inspect_loop.cases.models import Case, CaseStatus, Outcome, Stage, StartReason
from inspect_loop.db import db
from inspect_loop.demo import SHOP_WORDS, SURNAMES, TOWNSHIPS, UNIT_KINDS, DemoCounty
from inspect_loop.enforcement.models import ActionKind, EnforcementAction, EnforcementDepartment
from inspect_loop.errors import Conflict, DomainError, InvalidInput
from inspect_loop.exposures.models import Exposure, ExposureItem, ExposureItemFinding, ExposureStatus
from inspect_loop.hazards.deadlines import deadline_for, is_workday
from inspect_loop.hazards.models import DayBasis, HazardType, Severity
from inspect_loop.inspections.models import (
    CloseKind,
    Finding,
    FindingDeadline,
    FindingStatus,
    Inspection,
    InspectionKind,
    InspectionMember,
    Rectification,
    Verification,
)
from inspect_loop.interviews.models import InterviewRound, InterviewRoundDepartment, Summons
from inspect_loop.regions.lookup import region_by_code, safety_office_of
from inspect_loop.regions.models import Department, DepartmentKind, Region, RegionLevel
from inspect_loop.units.models import Unit, UnitStatus
from inspect_loop.units.uscc import ALPHABET, check_character
from inspect_loop.users.models import Role, User
from inspect_loop.users.operations import create_user

CHUNK_ROWS = 5_000
# Puts a letter first in the serial part of generated USCCs, apart from hand-made ones with small serials.
GENERATED_USCC_OFFSET = 17 * 31**8
FIRST_CALENDAR_YEAR = 2004  # chinese-calendar knows holidays from 2004 on


@dataclass(frozen=True)
class Rates:
    """How often things happen; docs/generator.md gives the reason for each."""

    # Visits per unit and year and the chance a visit finds something, both scaled by the unit's risk tier:
    # about half a finding per unit and year (40,000 units × 5 years ≈ 100,000 findings).
    visits_per_year: float = 0.66
    find_chance: float = 0.36
    withdrawn: float = 0.002  # recorded in error, withdrawn by the county office within days
    escalated_major: float = 0.004  # a case with a major hazard sent straight to enforcement
    reported_before_deadline: float = 0.65  # at 一次提醒, of the findings the unit will rectify
    attends: float = 0.93  # per summons
    stubborn: float = 0.012  # attends, then does not rectify: the follow-up fails
    late_after_warning: float = 0.03  # Lanxi: 176 of 178 interviewed units rectified on time
    late_after_enforcement: float = 0.10
    sign_off_refused: float = 0.08
    recurs: float = 0.012  # Lanxi: recurrence within two months 1.1 %
    # How an enforcement case ends, after the joint enforcement; the rest rectify without a further action.
    shutdown: float = 0.08
    ban: float = 0.08
    suspend: float = 0.15
    fine: float = 0.40


RISK_TIERS = (0.4, 0.4, 1.0, 1.0, 1.0, 2.0, 2.0)
FINDINGS_PER_VISIT = (1, 1, 1, 2, 2, 3)
VISIT_KINDS = ((InspectionKind.unannounced, 45), (InspectionKind.special, 10), (InspectionKind.grid_patrol, 25),
               (InspectionKind.department, 12), (InspectionKind.self_check, 8))
VISIT_KIND_CHOICES, VISIT_KIND_WEIGHTS = zip(*VISIT_KINDS, strict=True)
EXPOSURE_PLACES = 8  # Lanxi: 4 exposures a year, 32 places, 87 serious problems
EXPOSURE_PROBLEMS_PER_PLACE = 3
EXPOSURE_SHOWN_DAYS = 180
ROUND_WEEKDAYS = (1, 3)  # rounds at the warning-education station on Tuesdays and Thursdays
TOWNSHIP_WEIGHTS = {"街道": 3, "镇": 2, "乡": 1}


def workday_on_or_after(day: date) -> date:
    while not is_workday(day):
        day += timedelta(days=1)
    return day


@cache
def round_day_on_or_after(day: date) -> date:
    while day.weekday() not in ROUND_WEEKDAYS or not is_workday(day):
        day += timedelta(days=1)
    return day


cached_deadline = lru_cache(maxsize=None)(deadline_for)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Naive UTC of a local wall-clock time, the form every DateTime column stores."""
    return clock.to_utc(datetime.combine(day, time(hour, minute)))


def generated_uscc(sequence: int) -> str:
    """A valid 统一社会信用代码, unique per sequence number (91: an enterprise; the demo's units are 92)."""
    tail, value = "", sequence + GENERATED_USCC_OFFSET
    for _ in range(9):
        tail = ALPHABET[value % 31] + tail
        value //= 31
    first17 = "91330781" + tail
    return first17 + check_character(first17)


# -- the county the units join ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Hazard:
    id: int
    code: str
    severity: Severity
    rectify_days: int
    day_basis: DayBasis
    regulator_id: int


@dataclass(frozen=True)
class Township:
    id: int
    name: str
    short: str
    office_id: int
    office_code: str
    user_id: int
    weight: int


@dataclass
class CountyFrame:
    county: Region
    office: Department
    office_user_id: int
    inspector_ids: list[int]
    townships: list[Township]
    regulators: dict[int, Department]
    regulator_users: dict[int, int]
    hazards: list[Hazard]
    pools: dict[str, list[Hazard]] = field(default_factory=dict)

    def __post_init__(self):
        self.hazard_by_id = {hazard.id: hazard for hazard in self.hazards}


def _first_user(role: Role, department: Department | None = None) -> User | None:
    query = select(User).where(User.role == role, User.active.is_(True)).order_by(User.id).limit(1)
    if department is not None:
        query = query.where(User.department_id == department.id)
    return db.session.scalar(query)


def _user_for(role: Role, department: Department | None, username: str, label: str) -> User:
    """The first active user of the role (and department), or one created without a password to act for it."""
    user = _first_user(role, department)
    if user is None:
        user = create_user(username=username, role=role, department=department, display_name=label)
    return user


def _choose_county(county_code: str | None) -> Region:
    if county_code:
        county = region_by_code(county_code, field="county")
        if county.level != RegionLevel.county:
            raise InvalidInput("请填写县（市、区）级区划代码", "Give the code of a county.", field="county")
        return county
    counties = list(db.session.scalars(select(Region).where(Region.level == RegionLevel.county).order_by(Region.code)))
    if len(counties) != 1:
        raise InvalidInput("数据库中有多个县（市、区），请用 --county 指定", "The database holds several counties: choose one with --county.",
                           field="county")
    return counties[0]


def county_frame(county: Region) -> CountyFrame:
    """Offices, regulators, users and the hazard catalogue of ``county``, as plain values."""
    office = safety_office_of(county.id)
    if office is None:
        raise InvalidInput(f"{county.name}尚未设置平安办", f"{county.name} has no Safety Office yet.", field="county")
    townships = []
    for township in db.session.scalars(select(Region).where(Region.parent_id == county.id,
                                                            Region.level == RegionLevel.township)
                                       .order_by(Region.code)):
        township_office = safety_office_of(township.id)
        if township_office is None:  # no office to close out (验收销号) there: no generated units either
            continue
        user = _user_for(Role.township_office, township_office, f"gen-{township_office.code}".lower(),
                         f"{township.name}平安办")
        short = dict(TOWNSHIPS).get(township.name, township.name[:2])
        weight = next((weight for suffix, weight in TOWNSHIP_WEIGHTS.items() if township.name.endswith(suffix)), 1)
        townships.append(Township(township.id, township.name, short, township_office.id, township_office.code,
                                  user.id, weight))
    regulators = {department.id: department for department in db.session.scalars(
        select(Department).where(Department.kind == DepartmentKind.regulator, Department.region_id == county.id)
        .order_by(Department.id))}
    regulator_of_sector: dict[str, int] = {}
    for department in regulators.values():
        for sector in department.sectors:
            regulator_of_sector.setdefault(sector, department.id)
    hazards = [Hazard(hazard.id, hazard.code, hazard.severity, hazard.rectify_days, hazard.day_basis,
                      regulator_of_sector[hazard.sector])
               for hazard in db.session.scalars(select(HazardType).order_by(HazardType.code))
               if hazard.sector in regulator_of_sector]
    if not townships or not hazards:
        raise InvalidInput(f"{county.name}缺少设有平安办的乡镇（街道）、行业主管部门或隐患目录，无法生成",
                           f"{county.name} needs townships with a Safety Office, sector regulators and a hazard catalogue "
                           "before data can be generated.",
                           field="county")
    office_user = _user_for(Role.safety_office, office, "gen-office", f"{office.name}")
    inspectors = list(db.session.scalars(select(User.id).where(User.role == Role.inspector, User.active.is_(True))
                                         .order_by(User.id))) or [
        create_user(username="gen-inspector", role=Role.inspector, display_name="暗访组").id]
    regulator_users = {department_id: _user_for(Role.regulator, department, f"gen-{department.code}".lower(),
                                                 department.name).id
                       for department_id, department in regulators.items()}
    frame = CountyFrame(county, office, office_user.id, inspectors, townships, regulators, regulator_users, hazards)
    for category, _, prefixes in UNIT_KINDS:
        frame.pools[category] = [hazard for hazard in hazards if hazard.code[:2] in prefixes] or hazards
    return frame


# -- bulk writing -------------------------------------------------------------------------------------

class BulkWriter:
    """Rows buffered per table and inserted in dependency order, in chunks, with ids assigned here.

    Ids continue after each table's largest id, so the rows of one unit can refer to each other before
    anything is written; PostgreSQL's sequences are moved past them at the end (``finish``).
    """

    def __init__(self, tables: list[Table]):
        self.order = [table for table in db.metadata.sorted_tables if table in tables]
        # A column left out takes the model's own scalar default (as the ORM would), else NULL.
        self.templates = {table: {column.name: column.default.arg if column.default is not None
                                  and column.default.is_scalar else None for column in table.columns}
                          for table in self.order}
        self.buffers: dict[Table, list[dict]] = {table: [] for table in self.order}
        self.last_id = {table: db.session.scalar(select(func.max(table.c.id))) or 0
                        for table in self.order if "id" in table.c}
        self.written = 0

    def next_id(self, table: Table) -> int:
        self.last_id[table] += 1
        return self.last_id[table]

    def add(self, table: Table, **values) -> dict:
        row = dict(self.templates[table])
        row.update(values)
        self.buffers[table].append(row)
        return row

    def new(self, table: Table, **values) -> dict:
        return self.add(table, id=self.next_id(table), **values)

    def flush(self) -> None:
        connection = db.session.connection()
        for table in self.order:
            rows = self.buffers[table]
            if not rows:
                continue
            for start in range(0, len(rows), CHUNK_ROWS):
                connection.execute(insert(table), rows[start:start + CHUNK_ROWS])
            self.written += len(rows)
            self.buffers[table] = []

    def finish(self) -> None:
        self.flush()
        connection = db.session.connection()
        if db.engine.dialect.name == "postgresql":
            for table, last in self.last_id.items():
                if last:
                    connection.execute(text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
                                       {"table": table.name, "last": last})
        # Fresh planner statistics after a bulk load: PostgreSQL's autovacuum gets there some time later (if it
        # runs at all), SQLite never by itself, and until then both may pick plans made for empty tables.
        connection.execute(text("ANALYZE"))


T = {model: model.__table__ for model in (
    Unit, Case, Inspection, InspectionMember, Finding, FindingDeadline, Verification, Rectification, SignOff,
    CloseOut, Assignment, AssignmentFinding, AssignmentReceipt, InterviewRound, InterviewRoundDepartment, Summons,
    EnforcementAction, EnforcementDepartment, Exposure, ExposureItem, ExposureItemFinding, Event)}


# -- one unit's history --------------------------------------------------------------------------------

@dataclass
class Round:
    id: int
    day: date
    attended: int = 0
    case_ids: list[int] = field(default_factory=list)
    departments: set[int] = field(default_factory=set)


class StopHistory(Exception):
    """The next step of a unit's story lies after the end of the generated history."""


class Generator:
    def __init__(self, frame: CountyFrame, *, seed: int, start: date, end: date, rates: Rates):
        self.frame = frame
        self.rates = rates
        self.seed = seed
        self.start, self.end = start, end
        self.writer = BulkWriter(list(T.values()))
        self.rounds: dict[date, Round] = {}
        self.summonses: list[dict] = []  # written after the rounds they refer to
        self.major_findings: dict[tuple[int, int], list[tuple[int, int]]] = {}  # quarter → [(unit, finding)]
        self.prefix = (frame.office.doc_prefix or frame.county.name)[:1]
        self.township_weights = [township.weight for township in frame.townships]

    # .. helpers ..................................................................................
    def event(self, at_: datetime, actor_id: int, event: DomainEvent, subject_type: str, subject_id: int) -> None:
        self.events.append((at_, len(self.events), row_values(event, at=at_, actor_id=actor_id,
                                                              subject_type=subject_type, subject_id=subject_id)))

    def reached(self, day: date) -> None:
        if day > self.end:
            raise StopHistory

    def transition(self, case: dict, name: str, moment: datetime, actor_id: int, reason: str | None = None,
                   **details) -> None:
        """A transition of the ladder on plain rows: the table's own step (``ladder.next_state``), the findings
        it ends, and its audit event."""
        previous = case["stage"]
        case.update(next_state(case["stage"], case["status"], name, moment, reason))
        if TRANSITIONS[name].ends_findings:
            for finding in self.case_findings:
                if finding["status"] == FindingStatus.open:
                    finding["status"] = FindingStatus.voided
            if case["outcome"] == Outcome.withdrawn:  # recorded in error: its problems are never exposed
                for finding in self.case_findings:
                    quarter = (finding["found_on"].year, (finding["found_on"].month - 1) // 3)
                    candidates = self.major_findings.get(quarter, [])
                    candidates[:] = [pair for pair in candidates if pair[1] != finding["id"]]
        self.event(moment, actor_id, case_schema(name)(
            transition=name, case_id=case["id"], unit_id=case["unit_id"], reason=reason, from_stage=previous,
            to_stage=case["stage"], outcome=case["outcome"], **details), "case_file", case["id"])

    def regulator(self, finding: dict) -> int:
        """The regulator of the finding's sector."""
        return self.frame.hazard_by_id[finding["hazard_type_id"]].regulator_id

    def open_findings(self) -> list[dict]:
        return [finding for finding in self.case_findings if finding["status"] == FindingStatus.open]

    # .. a unit ....................................................................................
    def unit(self, index: int, sequence: int) -> None:
        rng = random.Random(f"{self.seed}:unit:{index}")
        frame = self.frame
        township = rng.choices(frame.townships, weights=self.township_weights)[0]
        category, suffixes, _ = rng.choice(UNIT_KINDS)
        name = f"{township.short}{rng.choice(SHOP_WORDS)}{rng.choice(suffixes)}"
        if rng.random() < 0.4:
            name = f"{name}（{rng.choice(SURNAMES)}氏）"
        created = at(self.start - timedelta(days=30), 9)
        self.events = []
        self.unit_row = self.writer.new(
            T[Unit], name=f"{name}{sequence}号",
            uscc=generated_uscc(sequence) if rng.random() < 0.75 else None,
            address=f"{township.name}{rng.choice(SHOP_WORDS)}路{rng.randint(1, 400)}号", region_id=township.id,
            township_id=township.id, county_id=frame.county.id, category=category,
            contact_name=f"{rng.choice(SURNAMES)}{'先生' if rng.random() < 0.6 else '女士'}",
            contact_phone=f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}", status=UnitStatus.operating,
            created_at=created)
        unit_id = self.unit_row["id"]
        self.event(created, frame.office_user_id, UnitCreated(unit_id=unit_id), "unit", unit_id)
        self.rng, self.township, self.pool = rng, township, frame.pools[category]
        risk = rng.choice(RISK_TIERS)
        self.compliance = rng.uniform(0.72, 0.97)
        self.attends = min(0.99, self.rates.attends + rng.uniform(-0.05, 0.05))

        visits = self.visit_days(risk)
        free_from = self.start
        while visits:
            day, _, forced = visits.pop(0)
            if day > self.end or self.unit_row["status"] != UnitStatus.operating:
                break
            if day < free_from:  # the unit is in the ladder; its visits are re-inspections and follow-ups
                continue
            start = None
            if forced is not None:
                hazards, start = [forced[0]], forced[1]
            elif rng.random() < min(0.9, self.rates.find_chance * risk):
                hazards = rng.sample(self.pool, min(len(self.pool), rng.choice(FINDINGS_PER_VISIT)))
            else:
                hazards = []
            closed_on, recurring = self.visit(day, hazards, start)
            if hazards and closed_on is None:
                break  # still open at the end of history
            if closed_on is not None:
                free_from = closed_on + timedelta(days=1)
            if recurring is not None:
                insort(visits, (workday_on_or_after(closed_on + timedelta(days=rng.randint(5, 55))), -1, recurring))
        self.flush_events()

    def visit_days(self, risk: float) -> list[tuple[date, int, Hazard | None]]:
        rng, days, day = self.rng, [], self.start
        mean_gap = 365 / (self.rates.visits_per_year * (0.6 + 0.4 * risk))
        while True:
            day = day + timedelta(days=max(1, round(rng.expovariate(1 / mean_gap))))
            if day > self.end:
                return days
            days.append((workday_on_or_after(day), len(days), None))

    def flush_events(self) -> None:
        for _, _, row in sorted(self.events, key=lambda item: (item[0], item[1])):
            self.writer.new(T[Event], **row)

    # .. inspections ...............................................................................
    def inspection(self, kind: InspectionKind, moment: datetime, case_id: int | None) -> dict:
        rng, frame = self.rng, self.frame
        if kind in (InspectionKind.unannounced, InspectionKind.special, InspectionKind.reinspection,
                    InspectionKind.follow_up):
            team = rng.sample(frame.inspector_ids, min(len(frame.inspector_ids), rng.choice((1, 2))))
        elif kind == InspectionKind.department:
            team = [rng.choice(list(frame.regulator_users.values()))]
        else:
            team = [self.township.user_id]
        notes = {InspectionKind.unannounced: "四不两直暗访", InspectionKind.special: "专项督查",
                 InspectionKind.grid_patrol: "网格员日常巡查", InspectionKind.department: "行业部门检查",
                 InspectionKind.self_check: "主体自查（属地代录）", InspectionKind.reinspection: "到期复查",
                 InspectionKind.follow_up: "回访"}[kind]
        row = self.writer.new(T[Inspection], unit_id=self.unit_row["id"], case_id=case_id, kind=kind,
                              inspected_at=moment, inspected_on=clock.local_date(moment), notes=notes,
                              latitude=None, longitude=None, recorded_by_id=team[0])
        for user_id in team:
            self.writer.add(T[InspectionMember], inspection_id=row["id"], user_id=user_id)
        return row

    def visit(self, day: date, hazards: list[Hazard], start: dict | None = None) -> tuple[date | None, tuple | None]:
        """One visit; with findings it opens a case and follows it to its end. Returns the day the case closed
        (None while open) and, if any, a hazard type that will be found again within two months with the
        ``start`` of the case that finding opens: a recurrence opens at 二次警示 (cases/history.py), with the
        earlier case and its interview, and goes straight to the summons."""
        rng = self.rng
        kind = rng.choices(VISIT_KIND_CHOICES, weights=VISIT_KIND_WEIGHTS)[0]
        moment = at(day, rng.randint(9, 11), rng.choice((0, 15, 30, 45)))
        if not hazards:
            inspection = self.inspection(kind, moment, None)
            self.event(moment, inspection["recorded_by_id"], InspectionRecorded(
                unit_id=self.unit_row["id"], kind=kind, findings=[], verified={}), "inspection", inspection["id"])
            return None, None
        unit_id = self.unit_row["id"]
        stage = Stage.warning if start else Stage.reminder
        self.interviewed_on = None  # the day this case's unit attends its interview, if it does
        opening = ({"warning_at": moment, "start_reason": StartReason.recurrence,
                    "start_after_case_id": start["case_id"], "start_interviewed_on": start["interviewed_on"]}
                   if start else {})
        case = self.writer.new(T[Case], unit_id=unit_id, stage=stage, status=CaseStatus.open, outcome=None,
                               opened_at=moment, opened_on=day, **opening)
        inspection = self.inspection(kind, moment, case["id"])
        actor = inspection["recorded_by_id"]
        reason = (RECURRENCE_SENTENCE % {"earlier": f"#{start['case_id']}", "closed_on": start["closed_on"].isoformat(),
                                         "interviewed_on": start["interviewed_on"].isoformat()} if start else None)
        self.event(moment, actor, CaseOpened(
            transition="open_at_warning" if start else "open", case_id=case["id"], unit_id=unit_id, to_stage=stage,
            reason=reason, start_reason=opening.get("start_reason"), after_case_id=opening.get("start_after_case_id"),
            interviewed_on=opening.get("start_interviewed_on")), "case_file", case["id"])
        self.case_findings = [self.finding(case, inspection, hazard, day) for hazard in hazards]
        self.event(moment, actor, InspectionRecorded(
            case_id=case["id"], unit_id=unit_id, kind=kind, findings=[finding["id"] for finding in self.case_findings],
            verified={}, opened_at=stage), "inspection", inspection["id"])
        try:
            if start:
                self.warning_stage(case, day)
            else:
                self.reminder_stage(case, day)
        except StopHistory:
            return None, None
        recurring = None
        if (case["outcome"] == Outcome.rectified_after_warning and self.interviewed_on is not None
                and rng.random() < self.rates.recurs):
            closed_out = [finding for finding in self.case_findings if finding["close_kind"] == CloseKind.closed_out]
            recurring = (self.frame.hazard_by_id[rng.choice(closed_out)["hazard_type_id"]],
                         {"case_id": case["id"], "interviewed_on": self.interviewed_on, "closed_on": case["closed_on"]})
        return case["closed_on"], recurring

    def finding(self, case: dict, inspection: dict, hazard: Hazard, day: date) -> dict:
        deadline = cached_deadline(day, hazard.rectify_days, hazard.day_basis)
        finding = self.writer.new(
            T[Finding], case_id=case["id"], unit_id=self.unit_row["id"], inspection_id=inspection["id"],
            hazard_type_id=hazard.id, description=f"现场检查发现隐患（{hazard.code}）", severity=hazard.severity,
            found_at=inspection["inspected_at"], found_on=day, deadline=deadline, status=FindingStatus.open,
            first_reported_at=None, first_reported_on=None, signed_off_at=None, closed_at=None, closed_on=None,
            close_kind=None)
        self.writer.new(T[FindingDeadline], finding_id=finding["id"], deadline=deadline,
                        set_at=inspection["inspected_at"], assignment_id=None)
        if hazard.severity == Severity.major:
            quarter = (day.year, (day.month - 1) // 3)
            self.major_findings.setdefault(quarter, []).append((self.unit_row["id"], finding["id"]))
        return finding

    def report(self, finding: dict, day: date, note: str = "已按要求整改到位，附整改后照片") -> None:
        self.reached(day)
        moment = at(day, 10)
        report = self.writer.new(T[Rectification], finding_id=finding["id"], note=note, reported_at=moment,
                                 reported_on=day, reported_by_id=self.township.user_id)
        if finding["first_reported_at"] is None:
            finding["first_reported_at"], finding["first_reported_on"] = moment, day
        self.event(moment, self.township.user_id, RectificationReported(
            case_id=finding["case_id"], unit_id=finding["unit_id"], finding_id=finding["id"]), "rectification",
            report["id"])

    # .. 一次提醒 ..................................................................................
    def reminder_stage(self, case: dict, day: date) -> None:
        rng, frame, rates = self.rng, self.frame, self.rates
        if rng.random() < rates.withdrawn:
            withdrawn = workday_on_or_after(day + timedelta(days=rng.randint(1, 3)))
            self.reached(withdrawn)
            self.transition(case, "withdraw", at(withdrawn, 11), frame.office_user_id, "录入错误：检查对象有误")
            return
        if (any(finding["severity"] == Severity.major for finding in self.case_findings)
                and rng.random() < rates.escalated_major):
            escalated = workday_on_or_after(day + timedelta(days=rng.randint(1, 2)))
            self.reached(escalated)
            moment = at(escalated, 16)
            self.transition(case, "escalate_to_enforcement", moment, frame.office_user_id,
                            "存在重大隐患且拒不整改，直接移送执法")
            self.enforcement_stage(case, moment)
            return

        due = policy.first_day_due([finding["deadline"] for finding in self.case_findings])
        reinspected = workday_on_or_after(due + timedelta(days=rng.randint(0, 5)))
        rectified = {}
        for finding in self.case_findings:
            rectified[finding["id"]] = will = rng.random() < self.compliance
            reported = None
            if will and rng.random() < rates.reported_before_deadline:
                span = (finding["deadline"] - day).days
                reported = day + timedelta(days=rng.randint(min(1, span), max(span, 0)))
            elif will and rng.random() < 0.3 and (reinspected - finding["deadline"]).days > 1:
                reported = finding["deadline"] + timedelta(
                    days=rng.randint(1, (reinspected - finding["deadline"]).days - 1))
            if reported is not None and reported <= self.end:
                self.report(finding, reported)
        self.reached(reinspected)
        moment = at(reinspected, 14)
        inspection = self.inspection(InspectionKind.reinspection, moment, case["id"])
        actor = inspection["recorded_by_id"]
        for finding in self.case_findings:
            self.writer.new(T[Verification], inspection_id=inspection["id"], finding_id=finding["id"],
                            rectified=rectified[finding["id"]])
            if rectified[finding["id"]]:
                finding.update(status=FindingStatus.closed, close_kind=CloseKind.verified, closed_at=moment,
                               closed_on=reinspected)
        unrectified = [finding_id for finding_id, done in rectified.items() if not done]
        if unrectified:
            self.transition(case, "fail_reinspection", moment, actor, inspection_id=inspection["id"],
                            unrectified=unrectified)
        else:
            self.transition(case, "rectified_at_reminder", moment, actor)
        self.event(moment, actor, InspectionRecorded(
            case_id=case["id"], unit_id=case["unit_id"], kind=InspectionKind.reinspection, findings=[],
            verified={str(finding_id): done for finding_id, done in rectified.items()}), "inspection", inspection["id"])
        if unrectified:
            self.warning_stage(case, reinspected)

    # .. 二次警示 ..................................................................................
    def warning_stage(self, case: dict, entered: date) -> None:
        rng, frame = self.rng, self.frame
        absences, day = 0, entered
        while True:
            day = round_day_on_or_after(day + timedelta(days=2))
            if self.summon(case, day):
                break
            absences += 1
            if absences >= 2:
                moment = at(day, 17)
                self.transition(case, "escalate_to_enforcement", moment, frame.office_user_id,
                                "两次无故缺席警示约谈，移送执法")
                self.enforcement_stage(case, moment)
                return
        self.assign(case, day, rng.choice((7, 10, 15)))
        if rng.random() < self.rates.stubborn / self.compliance:
            due = policy.first_day_due([finding["deadline"] for finding in self.open_findings()])
            followed = workday_on_or_after(due + timedelta(days=rng.randint(0, 4)))
            self.reached(followed)
            moment = at(followed, 10)
            inspection = self.inspection(InspectionKind.follow_up, moment, case["id"])
            unrectified = [finding["id"] for finding in self.open_findings()]
            for finding_id in unrectified:
                self.writer.new(T[Verification], inspection_id=inspection["id"], finding_id=finding_id,
                                rectified=False)
            self.transition(case, "fail_follow_up", moment, inspection["recorded_by_id"],
                            inspection_id=inspection["id"], unrectified=unrectified)
            self.event(moment, inspection["recorded_by_id"], InspectionRecorded(
                case_id=case["id"], unit_id=case["unit_id"], kind=InspectionKind.follow_up, findings=[],
                verified={str(finding_id): False for finding_id in unrectified}), "inspection", inspection["id"])
            self.enforcement_stage(case, moment)
            return
        self.rectify(case, day, self.rates.late_after_warning)

    def summon(self, case: dict, day: date) -> bool:
        """Summon the case to the round on ``day``; whether the unit attended."""
        rng, frame = self.rng, self.frame
        self.reached(day)
        held = self.rounds.get(day)
        if held is None:
            held = self.rounds[day] = Round(self.writer.next_id(T[InterviewRound]), day)
        attended = rng.random() < self.attends
        if attended:
            self.interviewed_on = day
        summons_id = self.writer.next_id(T[Summons])
        self.summonses.append(dict(
            id=summons_id, round_id=held.id, case_id=case["id"], unit_id=case["unit_id"], attended=attended,
            attendee_name=f"{rng.choice(SURNAMES)}某某" if attended else None,
            attendee_title=rng.choice(("负责人", "法定代表人", "安全管理员")) if attended else None,
            note=None if attended else "未到场，未说明理由", recorded_at=at(day, 16, 30)))
        held.case_ids.append(case["id"])
        held.attended += attended
        held.departments.update(self.regulator(finding) for finding in self.open_findings())
        self.event(at(day, 9), frame.office_user_id, Summoned(case_id=case["id"], unit_id=case["unit_id"],
                                                             round_id=held.id), "summons", summons_id)
        self.event(at(day, 16, 30), frame.office_user_id, (Attended if attended else Absent)(
            case_id=case["id"], unit_id=case["unit_id"], round_id=held.id), "summons", summons_id)
        return attended

    def assign(self, case: dict, day: date, days: int) -> None:
        """双交办: a 交办单 per regulator of the open findings, with a new deadline; receipts the next day."""
        frame = self.frame
        moment, deadline = at(day, 17), day + timedelta(days=days)
        by_regulator: dict[int, list[dict]] = {}
        for finding in self.open_findings():
            by_regulator.setdefault(self.regulator(finding), []).append(finding)
        for regulator_id, findings in by_regulator.items():
            assignment = self.writer.new(
                T[Assignment], case_id=case["id"], regulator_id=regulator_id, territorial_id=self.township.office_id,
                deadline=deadline, issued_at=moment, issued_on=day, issued_by_id=frame.office_user_id)
            for finding in findings:
                self.writer.add(T[AssignmentFinding], assignment_id=assignment["id"], finding_id=finding["id"])
                finding["deadline"] = deadline
                self.writer.new(T[FindingDeadline], finding_id=finding["id"], deadline=deadline, set_at=moment,
                                assignment_id=assignment["id"])
            self.event(moment, frame.office_user_id, AssignmentIssued(
                case_id=case["id"], unit_id=case["unit_id"], regulator=frame.regulators[regulator_id].code,
                territorial=self.township.office_code, deadline=deadline,
                findings=[finding["id"] for finding in findings]), "assignment", assignment["id"])
            received = day + timedelta(days=1)
            if received <= self.end:
                for department_id, user_id, role in (
                        (regulator_id, frame.regulator_users[regulator_id], RecipientRole.regulator),
                        (self.township.office_id, self.township.user_id, RecipientRole.territorial)):
                    receipt = self.writer.new(T[AssignmentReceipt], assignment_id=assignment["id"],
                                              department_id=department_id, role=role, received_at=at(received, 9),
                                              received_by_id=user_id)
                    self.event(at(received, 9), user_id, AssignmentReceived(
                        case_id=case["id"], unit_id=case["unit_id"], assignment_id=assignment["id"], role=role),
                        "assignment_receipt", receipt["id"])

    def rectify(self, case: dict, after: date, late_chance: float) -> None:
        """Report, sign-off by the sector's regulator, close-out by the township; the last close-out closes the
        case. Steps after the end of history do not happen, finding by finding."""
        rng, frame = self.rng, self.frame
        finished = []
        for finding in self.open_findings():
            deadline = finding["deadline"]
            if rng.random() < late_chance:
                reported = deadline + timedelta(days=rng.randint(1, 6))
            else:
                reported = max(after + timedelta(days=1), deadline - timedelta(days=rng.randint(0, 5)))
            regulator_user = frame.regulator_users[self.regulator(finding)]
            try:
                self.report(finding, reported)
                if rng.random() < self.rates.sign_off_refused:
                    self.sign_off(finding, reported, regulator_user, approved=False)
                    reported += timedelta(days=2)
                    self.report(finding, reported, "已补充整改，附补充整改照片")
                self.sign_off(finding, reported, regulator_user, approved=True)
                closed = reported + timedelta(days=rng.choice((0, 0, 0, 1, 2)))
                self.reached(closed)
            except StopHistory:
                continue
            moment = at(closed, 17)
            record = self.writer.new(T[CloseOut], finding_id=finding["id"], department_id=self.township.office_id,
                                     note="验收合格，予以销号", closed_at=moment, closed_by_id=self.township.user_id)
            finding.update(status=FindingStatus.closed, close_kind=CloseKind.closed_out, closed_at=moment,
                           closed_on=closed)
            self.event(moment, self.township.user_id, ClosedOut(case_id=case["id"], unit_id=case["unit_id"],
                                                                finding_id=finding["id"]), "close_out", record["id"])
            finished.append(moment)
        if self.open_findings():
            raise StopHistory
        name = "rectified_after_warning" if case["stage"] == Stage.warning else "rectified_after_enforcement"
        self.transition(case, name, max(finished), self.township.user_id)

    def sign_off(self, finding: dict, day: date, regulator_user: int, *, approved: bool) -> None:
        moment = at(day, 15)
        note = "整改符合要求" if approved else "整改不彻底，请补充整改"
        decision = self.writer.new(T[SignOff], finding_id=finding["id"],
                                   department_id=self.regulator(finding), approved=approved, note=note,
                                   decided_at=moment, decided_by_id=regulator_user)
        if approved:
            finding["signed_off_at"] = moment
        self.event(moment, regulator_user, (SignedOff if approved else SignOffRefused)(
            case_id=finding["case_id"], unit_id=finding["unit_id"], reason=None if approved else note,
            finding_id=finding["id"]), "sign_off", decision["id"])

    # .. 三次执法 ..................................................................................
    def enforcement_stage(self, case: dict, entered: datetime) -> None:
        rng, frame = self.rng, self.frame
        day = workday_on_or_after(clock.local_date(entered) + timedelta(days=rng.randint(3, 10)))
        self.reached(day)
        departments = sorted({self.regulator(finding) for finding in self.open_findings()})
        self.enforce(case, ActionKind.joint_enforcement, day, departments, f"{self.prefix}联执〔{day.year}〕{case['id']}号")
        roll, ending = rng.random(), None
        rates = self.rates
        for action, chance in ((ActionKind.shutdown, rates.shutdown), (ActionKind.ban, rates.ban),
                               (ActionKind.suspend, rates.suspend), (ActionKind.fine, rates.fine)):
            if roll < chance:
                ending = action
                break
            roll -= chance
        if ending in (ActionKind.shutdown, ActionKind.ban):
            status = UnitStatus.shut_down if ending == ActionKind.shutdown else UnitStatus.banned
            record = self.enforce(case, ending, day, departments[:1], f"{self.prefix}关〔{day.year}〕{case['id']}号")
            self.unit_row["status"] = status
            self.transition(case, "shut_down" if ending == ActionKind.shutdown else "ban", at(day, 10, 30),
                            frame.office_user_id, enforcement_id=record["id"])
            return
        if ending == ActionKind.suspend:
            self.enforce(case, ending, day, departments[:1], f"{self.prefix}停〔{day.year}〕{case['id']}号")
            self.unit_row["status"] = UnitStatus.suspended
        elif ending == ActionKind.fine:
            self.enforce(case, ending, day, departments[:1], f"{self.prefix}罚〔{day.year}〕{case['id']}号",
                         amount=Decimal(rng.choice((2000, 5000, 10000))))
        self.assign(case, day, rng.choice((7, 10)))
        self.rectify(case, day, self.rates.late_after_enforcement)

    def enforce(self, case: dict, action: ActionKind, day: date, departments: list[int], decision_no: str,
                amount: Decimal | None = None) -> dict:
        moment = at(day, 10, 30 if action != ActionKind.joint_enforcement else 0)
        record = self.writer.new(T[EnforcementAction], case_id=case["id"], unit_id=case["unit_id"], action=action,
                                 decided_at=moment, decided_on=day, decision_no=decision_no, amount=amount,
                                 note="联合执法检查" if action == ActionKind.joint_enforcement else "",
                                 recorded_by_id=self.frame.office_user_id)
        for department_id in departments:
            self.writer.add(T[EnforcementDepartment], action_id=record["id"], department_id=department_id)
        self.event(moment, self.frame.office_user_id, EnforcementRecorded(
            case_id=case["id"], unit_id=case["unit_id"], kind=action, decision_no=decision_no,
            amount=str(amount) if amount is not None else None), "enforcement_action", record["id"])
        return record

    # .. after every unit: rounds and exposures ......................................................
    def write_rounds(self) -> None:
        frame, numbers = self.frame, {}
        for held in sorted(self.rounds.values(), key=lambda item: item.day):
            year = held.day.year
            if year not in numbers:
                numbers[year] = db.session.scalar(select(func.max(InterviewRound.number)).where(
                    InterviewRound.convened_by_id == frame.office.id, InterviewRound.year == year)) or 0
            numbers[year] += 1
            rng = random.Random(f"{self.seed}:round:{held.day}")
            participants = held.attended * rng.randint(8, 20) + len(held.departments) * 2 + 6
            self.writer.add(T[InterviewRound], id=held.id, number=numbers[year], year=year,
                            convened_by_id=frame.office.id, held_at=at(held.day, 14, 30), held_on=held.day,
                            venue=f"{frame.county.name}社会治理中心平安警示教育站", participants=participants,
                            created_at=at(held.day, 9), created_by_id=frame.office_user_id)
            for department_id in sorted(held.departments):
                self.writer.add(T[InterviewRoundDepartment], round_id=held.id, department_id=department_id)
            self.writer.new(T[Event], **row_values(
                RoundConvened(number=numbers[year], held_on=held.day, cases=held.case_ids), at=at(held.day, 9),
                actor_id=frame.office_user_id, subject_type="interview_round", subject_id=held.id))
        for summons in self.summonses:
            self.writer.add(T[Summons], **summons)

    def write_exposures(self) -> None:
        """A 平安曝光 a quarter, published early in the next one: places with major hazards found then."""
        rng, frame = random.Random(f"{self.seed}:exposures"), self.frame
        for (year, quarter), candidates in sorted(self.major_findings.items()):
            published = workday_on_or_after(date(year + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 10))
            if published > self.end:
                continue
            by_unit: dict[int, list[int]] = {}
            for unit_id, finding_id in candidates:
                by_unit.setdefault(unit_id, []).append(finding_id)
            places = rng.sample(sorted(by_unit), min(EXPOSURE_PLACES, len(by_unit)))
            moment = at(published, 10)
            exposure = self.writer.new(
                T[Exposure], title=f"{year}年第{quarter + 1}季度平安曝光", status=ExposureStatus.published,
                created_at=moment, created_by_id=frame.office_user_id, published_at=moment, published_on=published,
                expires_on=published + timedelta(days=EXPOSURE_SHOWN_DAYS))
            listed = {unit_id: by_unit[unit_id][:EXPOSURE_PROBLEMS_PER_PLACE] for unit_id in sorted(places)}
            # The events of ``exposures.operations.create_exposure``: created, a line per place, published.
            self.exposure_event(moment, ExposureCreated(
                title=exposure["title"], draft=False, units=list(listed),
                findings=[finding_id for findings in listed.values() for finding_id in findings]),
                "exposure", exposure["id"])
            for unit_id, findings in listed.items():
                item = self.writer.new(T[ExposureItem], exposure_id=exposure["id"], unit_id=unit_id)
                for finding_id in findings:
                    self.writer.add(T[ExposureItemFinding], item_id=item["id"], finding_id=finding_id)
                self.exposure_event(moment, PlaceListed(unit_id=unit_id, exposure_id=exposure["id"],
                                                        findings=findings), "exposure_item", item["id"])
            self.exposure_event(moment, ExposurePublished(published_on=published), "exposure", exposure["id"])

    def exposure_event(self, moment: datetime, event: DomainEvent, subject_type: str, subject_id: int) -> None:
        self.writer.new(T[Event], **row_values(event, at=moment, actor_id=self.frame.office_user_id,
                                               subject_type=subject_type, subject_id=subject_id))


# -- the entry point --------------------------------------------------------------------------------

@dataclass
class GenerationReport:
    units: int
    rows: int
    seconds: float
    start: date
    end: date
    county: str


def generated_set_exists() -> bool:
    return db.session.scalar(select(Event.id).where(Event.action == DataGenerated.ACTION).limit(1)) is not None


def generate(*, units: int, years: int, seed: int, end: date | None = None, county_code: str | None = None,
             rates: Rates = Rates(), progress: Callable[[str], None] = print) -> GenerationReport:
    """Add ``units`` generated units and ``years`` of their history to the county; flushes, never commits."""
    end = end or clock.today() - timedelta(days=1)
    if units < 1:
        raise InvalidInput("单位数须为正数", "The number of units (--units) must be at least 1.", field="units")
    if not 1 <= years <= 20:
        raise InvalidInput("年数须在1至20之间", "The number of years (--years) must be between 1 and 20.", field="years")
    if end >= clock.today():
        raise InvalidInput("历史须在今天之前结束", "The history must end before today (--end).", field="end")
    start = date(end.year - years, end.month, 28 if (end.month, end.day) == (2, 29) else end.day) + timedelta(days=1)
    if start.year < FIRST_CALENDAR_YEAR:
        raise InvalidInput(f"历史不能早于{FIRST_CALENDAR_YEAR}年（节假日数据所限）",
                           f"The history cannot start before {FIRST_CALENDAR_YEAR}: the public "
                           "holidays are known from then on.", field="years")
    if generated_set_exists():
        raise Conflict("数据库中已有生成的数据集；请在新的空数据库中生成",
                       "A generated data set exists already: generate into a new, empty database.")

    if db.session.scalar(select(Region.id).limit(1)) is None:
        progress("数据库为空：先建立演示县的区划、部门、隐患目录和账号 …")
        DemoCounty(seed, 0, 0, progress).build_structure(start)
    county = _choose_county(county_code)
    frame = county_frame(county)
    first_sequence = db.session.scalar(select(func.count(Unit.id))) + 1
    generator = Generator(frame, seed=seed, start=start, end=end, rates=rates)
    progress(f"正在为{county.name}生成 {units} 家单位 {start} 至 {end} 的检查历史（不生成文书 PDF）…")

    began = timer.perf_counter()
    batch = max(1, min(2000, units // 20))
    for index in range(units):
        generator.unit(index, first_sequence + index)
        if (index + 1) % batch == 0 or index + 1 == units:
            generator.writer.flush()
            elapsed = timer.perf_counter() - began
            progress(f"  {index + 1}/{units} 家单位，已写入 {generator.writer.written} 行，"
                     f"{generator.writer.written / elapsed:,.0f} 行/秒")
    generator.write_rounds()
    generator.write_exposures()
    generator.writer.finish()
    record_event(db.session.get(User, frame.office_user_id),
                 DataGenerated(seed=seed, units=units, years=years, start=start, end=end), county)
    db.session.flush()
    seconds = timer.perf_counter() - began
    progress(f"完成：{units} 家单位，{generator.writer.written} 行，用时 {seconds:.1f} 秒。")
    return GenerationReport(units, generator.writer.written, seconds, start, end, county.name)


@click.command("gen-data")
@click.option("--units", default=40_000, show_default=True, help="number of generated units (被检查单位)")
@click.option("--years", default=5, show_default=True, help="years of history before --end")
@click.option("--seed", default=1, show_default=True, help="random seed: the same seed gives the same data")
@click.option("--end", type=click.DateTime(formats=["%Y-%m-%d"]), help="last day of history (default: yesterday)")
@click.option("--county", "county_code", help="county code to add the units to, when the database has several")
@with_appcontext
def gen_data(units, years, seed, end, county_code):
    """Generate years of inspection history for many units, fast, for demos and benchmarks.

    Follows the closed loop of SPEC section 3 (reminder, re-inspection, warning, interview rounds, 交办单,
    rectification, sign-off, close-out, follow-up, enforcement, shutdowns and bans, recurrences, exposures)
    and writes it with bulk inserts. It renders NO documents: no Document rows (notices, summonses, 交办单,
    referrals) exist for generated history. An empty database first gets the demo county's structure and
    logins; otherwise the units join the existing county. A database that already holds a generated set is
    refused. See docs/generator.md.
    """
    from flask_migrate import upgrade

    upgrade()
    try:
        generate(units=units, years=years, seed=seed, end=end.date() if end else None, county_code=county_code,
                 progress=click.echo)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message_zh} ({error.message_en})") from error
    db.session.commit()
