"""月晾晒: the monthly ranking of townships. The score and the reasons for its weights: ``docs/ranking.md``.

Every count is one statement, counted per unit and summed per township (``_grouped``); only the ~15 township
rows are assembled here.
"""

import re
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from itertools import count

from sqlalchemy import (
    Date,
    DateTime,
    Select,
    and_,
    bindparam,
    case,
    distinct,
    exists,
    func,
    or_,
    select,
    union_all,
)

from inspect_loop import clock
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.enforcement.models import EnforcementAction
from inspect_loop.errors import InvalidInput
from inspect_loop.hazards.models import Severity
from inspect_loop.inspections.models import (
    Finding,
    FindingDeadline,
    FindingStatus,
    Inspection,
    InspectionKind,
)
from inspect_loop.interviews.models import InterviewRound, Summons
from inspect_loop.regions.models import Region, RegionLevel
from inspect_loop.stats.breakdowns import (
    RISK_COLORS,
    places_in_operation,
    risk_counts_by_township,
    townships_of,
)
from inspect_loop.stats.queries import ratio, rectified_on_time, statistical_region
from inspect_loop.units.models import Unit

# Points taken from 100 (docs/ranking.md explains each).
WEIGHTS = {
    "general_finding": 0.5,  # a general hazard found by supervision in the township
    "major_finding": 2.0,  # a major hazard found by supervision
    "overdue": 2.0,  # a finding overdue at month end: the township office's own follow-through
    "warning": 3.0,  # a case escalated to 二次警示: the reminder was ignored
    "absent": 5.0,  # a unit absent from its warning interview
    "enforcement": 8.0,  # a case escalated to 三次执法: the loop failed twice
    "late_rectification": 10.0,  # times the share of the month's closures not rectified on time
}
BASE_SCORE = 100.0
# Count deductions are per this many units of the township, and a smaller township counts as this size: a
# township of 3,000 shops is not ranked below one of 300 for being ten times larger (docs/ranking.md).
SCALE_UNITS = 100
# Findings the township finds itself are not held against it: finding problems is its job (属地自查自纠).
OWN_INSPECTION_KINDS = (InspectionKind.grid_patrol, InspectionKind.self_check)
# Besides an inspection by supervision, what makes a township's month one the county supervised (its units
# summoned to an interview, closures it signed off, escalations) or one the score still holds it to (findings
# overdue at month end): such a month is scored even without a visit (docs/ranking.md, "Supervised").
SUPERVISED_BY = ("interviews", "absent", "closed", "overdue", "warnings", "enforcements")
MONTH_PATTERN = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Month:
    first: date
    last: date

    @property
    def label(self) -> str:
        return f"{self.first:%Y-%m}"

    def previous(self) -> "Month":
        return month_of(self.first - timedelta(days=1))


def month_of(day: date) -> Month:
    return Month(day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1]))


def last_complete_month() -> Month:
    """The month a ranking opens on: the one before today's, which has ended (on 12-01 as on 12-31: 11).

    In the system's first month (January 2000) there is none before it, and today's month is the default."""
    current = month_of(clock.today())
    previous = current.previous()
    return previous if previous.first >= clock.EARLIEST_DAY else current


def parse_month(text: str | None) -> Month:
    """'YYYY-MM' → the month; missing means the last complete month. A month after the current one is refused."""
    if not text:
        return last_complete_month()
    match = MONTH_PATTERN.match(text.strip())
    if match is None:
        raise InvalidInput("月份应按“年-月”填写，如2026-11", "Give the month as year-month, for example 2026-11.", field="month")
    month = month_of(date(int(match.group(1)), int(match.group(2)), 1))
    if not clock.EARLIEST_DAY <= month.first <= clock.LATEST_DAY:  # the month before 0001-01 does not exist
        raise InvalidInput(f"月份应在{clock.EARLIEST_DAY:%Y-%m}至{clock.LATEST_DAY:%Y-%m}之间",
                           f"The month must be between {clock.EARLIEST_DAY:%Y-%m} and {clock.LATEST_DAY:%Y-%m}.",
                           field="month")
    if month.first > clock.today():
        raise InvalidInput("不能对尚未开始的月份排名", "A month that has not begun yet cannot be ranked.", field="month")
    return month


def _grouped(statement, unit_id_column):
    """``statement`` (counts only) per township of the unit in ``unit_id_column``.

    It is counted per unit first, then the units' counts are summed per township. The per-unit step reads
    only the rows the statement selects, through their own indexes; joining the units first would make
    SQLite visit every unit and all its findings. A per-unit ``COUNT(DISTINCT unit_id)`` is 0 or 1, so the
    sum is still the number of distinct units.
    """
    per_unit = statement.add_columns(unit_id_column.label("unit_id")).group_by(unit_id_column).subquery("per_unit")
    counts = [column for column in per_unit.c if column.name != "unit_id"]
    return (select(*(func.sum(column) for column in counts), Unit.township_id)
            .join(Unit, Unit.id == per_unit.c.unit_id).group_by(Unit.township_id))


def _sum_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def deadline_as_of(moment):
    """A finding's deadline as it stood at ``moment`` (a 交办单 issued later may have moved it since)."""
    return (select(FindingDeadline.deadline)
            .where(FindingDeadline.finding_id == Finding.id, FindingDeadline.set_at < moment)
            .order_by(FindingDeadline.id.desc()).limit(1).scalar_subquery())


def overdue_as_of(day, end_of_day):
    """Subquery of ``(id, unit_id)``: findings open at the end of ``day`` (its local end ``end_of_day`` in
    naive UTC) and past the deadline they had then.

    "Open then" is three disjoint sets, each read through its own index (``status``, ``closed_on``): open
    now, closed after ``day``, voided with a case that had not ended by ``day``. One OR over the three
    would make SQLite read every finding ever found. "Found by then" compares ``found_at`` (the same
    instant ``found_on`` is the local date of) so that SQLite does not take the ``found_on`` index, which
    for a month end holds nearly every finding, over the ``status`` index.
    """
    open_then = (
        Finding.status == FindingStatus.open,
        and_(Finding.status == FindingStatus.closed, Finding.closed_on > day),
        and_(Finding.status == FindingStatus.voided,
             ~exists().where(Case.id == Finding.case_id, Case.closed_on <= day)),
    )
    return union_all(*(select(Finding.id, Finding.unit_id)
                       .where(condition, Finding.found_at < end_of_day, deadline_as_of(end_of_day) < day)
                       for condition in open_then)).subquery("overdue")


@cache
def month_statements() -> dict[str, Select]:
    """The month's counts per township, one statement per kind of count, built once for every month and
    database: the month's bounds are bound parameters (``month_parameters``). Building these seven statements
    cost more than running them, and the ranking runs them for two months on every request."""
    first, last = bindparam("first", type_=Date), bindparam("last", type_=Date)
    as_of, as_of_end = bindparam("as_of", type_=Date), bindparam("as_of_end", type_=DateTime)

    def in_month(column):
        return column.between(first, last)

    def escalated(column):  # the local date of a naive-UTC moment lies in the month
        return and_(column >= bindparam("first_moment", type_=DateTime),
                    column < bindparam("after_last_moment", type_=DateTime))

    # The kind of each finding's inspection, looked up by key for the month's few findings; a join lets
    # PostgreSQL hash all inspections ever made instead.
    inspection_kind = select(Inspection.kind).where(Inspection.id == Finding.inspection_id).scalar_subquery()
    supervised = inspection_kind.not_in(OWN_INSPECTION_KINDS)
    overdue_findings = overdue_as_of(as_of, as_of_end)
    return {
        "found": _grouped(select(func.count(Finding.id), _sum_if(supervised),
                                 _sum_if(and_(supervised, Finding.severity == Severity.major)))
                          .select_from(Finding).where(in_month(Finding.found_on)), Finding.unit_id),
        "closed": _grouped(select(func.count(Finding.id), _sum_if(rectified_on_time())).select_from(Finding)
                           .where(Finding.status == FindingStatus.closed, in_month(Finding.closed_on)),
                           Finding.unit_id),
        "overdue": _grouped(select(func.count(overdue_findings.c.id)), overdue_findings.c.unit_id),
        "escalations": _grouped(select(_sum_if(escalated(Case.warning_at)), _sum_if(escalated(Case.enforcement_at)))
                                .select_from(Case).where(or_(escalated(Case.warning_at),
                                                             escalated(Case.enforcement_at))),
                                Case.unit_id),
        "interviews": _grouped(select(func.count(distinct(case((Summons.attended.is_(True), Summons.unit_id)))),
                                      func.count(distinct(case((Summons.attended.is_(False), Summons.unit_id)))))
                               .select_from(Summons).join(InterviewRound, InterviewRound.id == Summons.round_id)
                               .where(in_month(InterviewRound.held_on)), Summons.unit_id),
        "actions": _grouped(select(func.count(EnforcementAction.id)).select_from(EnforcementAction)
                            .where(in_month(EnforcementAction.decided_on)), EnforcementAction.unit_id),
        "supervisions": _grouped(select(func.count(Inspection.id)).select_from(Inspection)
                                 .where(in_month(Inspection.inspected_on),
                                        Inspection.kind.not_in(OWN_INSPECTION_KINDS)), Inspection.unit_id),
    }


def month_parameters(month: Month) -> dict:
    """The values of ``month_statements``' parameters for ``month``: counted up to today in the current one."""
    as_of = min(month.last, clock.today())
    return {"first": month.first, "last": month.last, "as_of": as_of,
            "as_of_end": clock.local_midnight_utc(as_of + timedelta(days=1)),
            "first_moment": clock.local_midnight_utc(month.first),
            "after_last_moment": clock.local_midnight_utc(month.last + timedelta(days=1))}


def month_figures(month: Month) -> dict[int, dict]:
    """township id → the month's counts for every township with any activity."""
    parameters = month_parameters(month)
    counted = {name: {row[-1]: tuple(int(value or 0) for value in row[:-1])
                      for row in db.session.execute(statement, parameters)}
               for name, statement in month_statements().items()}
    found, closed, overdue, escalations, interviews, actions, supervisions = (
        counted[name] for name in ("found", "closed", "overdue", "escalations", "interviews", "actions",
                                   "supervisions"))

    figures: dict[int, dict] = {}
    for township_id in (set(found) | set(closed) | set(overdue) | set(escalations) | set(interviews) | set(actions)
                        | set(supervisions)):
        findings, by_supervision, major = found.get(township_id, (0, 0, 0))
        closed_count, on_time = closed.get(township_id, (0, 0))
        warnings, enforcements = escalations.get(township_id, (0, 0))
        attended, absent = interviews.get(township_id, (0, 0))
        figures[township_id] = {
            "findings": findings, "findings_by_supervision": by_supervision, "major": major,
            "closed": closed_count, "rectified_on_time": on_time, "on_time_rate": ratio(on_time, closed_count),
            "overdue": overdue.get(township_id, (0,))[0], "warnings": warnings, "interviews": attended,
            "absent": absent, "enforcements": enforcements, "enforcement_actions": actions.get(township_id, (0,))[0],
            "supervisions": supervisions.get(township_id, (0,))[0],
        }
    return figures


EMPTY_FIGURES = {"findings": 0, "findings_by_supervision": 0, "major": 0, "closed": 0, "rectified_on_time": 0,
                 "on_time_rate": 0.0, "overdue": 0, "warnings": 0, "interviews": 0, "absent": 0, "enforcements": 0,
                 "enforcement_actions": 0, "supervisions": 0}


def score(figures: dict) -> float:
    general = figures["findings_by_supervision"] - figures["major"]
    per_hundred_units = SCALE_UNITS / max(figures["units"], SCALE_UNITS)
    points = BASE_SCORE - per_hundred_units * (
        WEIGHTS["general_finding"] * general
        + WEIGHTS["major_finding"] * figures["major"]
        + WEIGHTS["overdue"] * figures["overdue"]
        + WEIGHTS["warning"] * figures["warnings"]
        + WEIGHTS["absent"] * figures["absent"]
        + WEIGHTS["enforcement"] * figures["enforcements"])
    if figures["closed"]:
        late_share = (figures["closed"] - figures["rectified_on_time"]) / figures["closed"]
        points -= WEIGHTS["late_rectification"] * late_share
    return round(points, 2)


def _ranked(month: Month, townships: list[Region], units: dict[int, int]) -> list[dict]:
    """Every township's row of ``month``: the supervised ones ranked by score, then the others without a score
    or rank (本月未督查), by name. A township nobody supervised would otherwise score 100 for having been
    looked at by nobody (docs/ranking.md, "Supervised")."""
    figures = month_figures(month)
    rows = []
    for township in townships:
        values = {**figures.get(township.id, EMPTY_FIGURES), "units": units.get(township.id, 0)}
        supervised = values["supervisions"] > 0 or any(values[key] for key in SUPERVISED_BY)
        rows.append({"township_id": township.id, "township_code": township.code, "township_name": township.name,
                     "supervised": supervised, "score": score(values) if supervised else None, **values})
    rows.sort(key=lambda row: (not row["supervised"], -(row["score"] or 0), row["township_name"],
                               row["township_code"]))
    ranks = count(1)
    for row in rows:
        row["rank"] = next(ranks) if row["supervised"] else None
    return rows


def township_ranking(month: str | None = None, region_code: str | None = None) -> dict:
    """The 月晾晒 of ``month`` ('YYYY-MM'; default the last complete month) for the townships of a county
    (default: all)."""
    chosen = parse_month(month)
    region = statistical_region(region_code)
    if region is not None and region.level != RegionLevel.county:
        raise InvalidInput("月晾晒按县（市、区）排名，请填写县级区划代码", "The monthly ranking ranks the townships of a county: give the code of a county.",
                           field="region")
    townships = list(db.session.scalars(townships_of(region)))
    colors = risk_counts_by_township()
    # The size a township's counts are weighed against: its operating units today (the three colours' total).
    units = {township_id: places_in_operation(counts) for township_id, counts in colors.items()}
    rows = _ranked(chosen, townships, units)
    previous = chosen.previous()
    # Last month's ranks among the townships supervised then; one unsupervised then has no rank to change from.
    previous_ranks = ({row["township_id"]: row["rank"] for row in _ranked(previous, townships, units)
                       if row["rank"] is not None}
                      if _inspected_by(previous.last, townships) else {})
    for row in rows:
        township_id = row.pop("township_id")
        row.update({color: colors.get(township_id, {}).get(color, 0) for color in RISK_COLORS})
        row["change"] = (previous_ranks[township_id] - row["rank"]
                         if row["rank"] is not None and township_id in previous_ranks else None)
    return {"month": chosen.label, "as_of": min(chosen.last, clock.today()).isoformat(),
            "previous_month": previous.label, "weights": dict(WEIGHTS), "scale_units": SCALE_UNITS,
            "rows": [_ordered(row) for row in rows]}


def _inspected_by(day: date, townships: list[Region]) -> bool:
    """Whether any unit of these townships had been inspected by ``day``. Every way of being supervised
    stems from an inspection, so before the first one (a month before the system) nobody has a rank, and
    the month's figures need not be counted to know it."""
    township_ids = [township.id for township in townships]
    return db.session.scalar(select(exists().where(
        Inspection.inspected_on <= day,
        Inspection.unit_id.in_(select(Unit.id).where(Unit.township_id.in_(township_ids)))))) is True


ROW_KEYS = ("rank", "township_code", "township_name", "supervised", "score", "supervisions", "units", "findings",
            "findings_by_supervision", "major", "closed", "rectified_on_time", "on_time_rate", "overdue", "warnings", "interviews", "absent",
            "enforcements", "enforcement_actions", "red", "yellow", "green", "change")


def _ordered(row: dict) -> dict:
    return {key: row[key] for key in ROW_KEYS}
