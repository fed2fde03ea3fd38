"""The daily sweep: what is due today for the county office and the inspection teams."""

from dataclasses import dataclass

from sqlalchemy import select

from inspect_loop import clock
from inspect_loop.cases import policy
from inspect_loop.cases.models import Case
from inspect_loop.cases.queries import overdue_condition
from inspect_loop.db import db
from inspect_loop.inspections.models import Finding
from inspect_loop.units.models import Unit


@dataclass
class SweepSection:
    key: str
    title: str
    rows: list[str]


def reinspections_due(today):
    """Reminder-stage cases whose every open finding is past its deadline: time to re-inspect."""
    return (select(Case, Unit).join(Unit, Unit.id == Case.unit_id).where(policy.due_for_reinspection(today))
            .order_by(policy.latest_open_deadline(), Case.id))


def overdue_findings(today):
    return (select(Finding, Unit).join(Unit, Unit.id == Finding.unit_id).where(overdue_condition(today))
            .order_by(Finding.deadline, Finding.id))


def awaiting_summons():
    """Warning-stage cases with no summons yet, or whose every summons found the unit absent."""
    return (select(Case, Unit).join(Unit, Unit.id == Case.unit_id).where(policy.awaiting_summons())
            .order_by(Case.warning_at, Case.id))


def awaiting_follow_up(today):
    """Warning-stage cases whose unit was interviewed and whose open findings are all past due."""
    return (select(Case, Unit).join(Unit, Unit.id == Case.unit_id).where(policy.due_for_follow_up(today))
            .order_by(Case.id))


def daily_sweep() -> list[SweepSection]:
    today = clock.today()
    session = db.session
    return [
        SweepSection("reinspections_due", "待复查", [
            f"案件{case.id} {unit.name}" for case, unit in session.execute(reinspections_due(today))]),
        SweepSection("overdue_findings", "逾期未整改问题", [
            f"问题{finding.id} {unit.name} 期限{finding.deadline:%Y-%m-%d}"
            for finding, unit in session.execute(overdue_findings(today))]),
        SweepSection("awaiting_summons", "待约谈", [
            f"案件{case.id} {unit.name}" for case, unit in session.execute(awaiting_summons())]),
        SweepSection("awaiting_follow_up", "待回访", [
            f"案件{case.id} {unit.name}" for case, unit in session.execute(awaiting_follow_up(today))]),
    ]
