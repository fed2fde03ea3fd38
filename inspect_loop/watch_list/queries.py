"""Reading the 重点监管名单: the condition a list (or a 双随机 pool) filters by, and the list itself."""

import calendar
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, select

from inspect_loop.cases.models import Case, Outcome
from inspect_loop.db import db
from inspect_loop.units.models import Unit
from inspect_loop.watch_list.models import WatchListEntry


def on_watch_list(unit_id_column=Unit.id):
    """SQL condition: the unit behind ``unit_id_column`` is on the 重点监管名单 now (it has an entry not yet left).
    The unit page, the workbench, the API use it; a 双随机 pool (issue 14) draws its 重点 units with it."""
    return exists().where(WatchListEntry.unit_id == unit_id_column, WatchListEntry.left_at.is_(None))


def current_entries(unit_id: int) -> list[WatchListEntry]:
    return list(db.session.scalars(select(WatchListEntry).where(
        WatchListEntry.unit_id == unit_id, WatchListEntry.left_at.is_(None)).order_by(WatchListEntry.id)))


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the last day of that month when it is shorter (as ``stats/sql.py``)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def clean_since(unit_id: int, entries: list[WatchListEntry]) -> date:
    """The day the unit's clean period runs from: its last entry on the list, or the last case opened for it
    (a case withdrawn as recorded in error does not count), whichever is later."""
    last_case = db.session.scalar(select(func.max(Case.opened_on)).where(
        Case.unit_id == unit_id, Case.outcome.is_distinct_from(Outcome.withdrawn)))
    days = [entry.entered_on for entry in entries] + ([last_case] if last_case else [])
    return max(days)


@dataclass
class ListedUnit:
    unit: Unit
    entries: list[WatchListEntry] = field(default_factory=list)

    @property
    def since(self) -> date:
        return min(entry.entered_on for entry in self.entries)


def listed_units(unit_condition) -> list[ListedUnit]:
    """The units on the list now that ``unit_condition`` (SQL on ``Unit``, the reader's scope) lets through,
    the longest listed first, each with its current entries."""
    rows = db.session.execute(
        select(WatchListEntry, Unit).join(Unit, Unit.id == WatchListEntry.unit_id)
        .where(WatchListEntry.left_at.is_(None), unit_condition)
        .order_by(WatchListEntry.entered_at, WatchListEntry.id))
    by_unit: dict[int, ListedUnit] = {}
    for entry, unit in rows:
        by_unit.setdefault(unit.id, ListedUnit(unit)).entries.append(entry)
    return list(by_unit.values())


def listed_count(unit_condition) -> int:
    return db.session.scalar(select(func.count(Unit.id)).where(on_watch_list(Unit.id), unit_condition)) or 0
