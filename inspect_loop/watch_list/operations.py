"""Entering and leaving the 重点监管名单, and the county's rules for a unit's history.

Entries are made by ``rules.py`` inside the operation that causes them (a ban, a shutdown, a case opened by a
recurrence, a second case in a calendar year); a unit leaves only by the county office's decision after a
clean period (``Region.watch_list_clean_months`` months without a new case, no case open).
"""

from inspect_loop import clock
from inspect_loop.audit.events import HistoryRulesSet, WatchListEntered, WatchListLeft
from inspect_loop.audit.log import record_event
from inspect_loop.cases.queries import open_case_of
from inspect_loop.db import db, lock
from inspect_loop.errors import InvalidInput, TransitionRefused
from inspect_loop.regions.models import Region, RegionLevel
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, require, require_in_county
from inspect_loop.watch_list.models import WatchListEntry, WatchReason
from inspect_loop.watch_list.queries import add_months, clean_since, current_entries

# The clean period an office may set, in months.
CLEAN_MONTHS_RANGE = range(1, 37)


def enter(actor: User | None, unit: Unit, reason: WatchReason, case_id: int | None) -> WatchListEntry:
    """Put ``unit`` on the list for ``reason`` (the caller's operation holds the unit's lock)."""
    moment = clock.now()
    entry = WatchListEntry(unit_id=unit.id, reason=reason, case_id=case_id, entered_at=moment,
                           entered_on=clock.local_date(moment))
    db.session.add(entry)
    db.session.flush()
    record_event(actor, WatchListEntered(case_id=case_id, unit_id=unit.id, entry_id=entry.id, watch_reason=reason),
                 entry)
    return entry


def decide_exit(actor: User, unit: Unit, note: str) -> list[WatchListEntry]:
    """The county office takes ``unit`` off the list: refused while it is not on it, has a case open, or the
    clean period has not run; every current entry ends with the one decision."""
    require(actor, Action.decide_watch_list_exit)
    require_in_county(actor, unit.county_id)
    if not (note or "").strip():
        raise InvalidInput("请填写移出理由（如整改情况、复查结论）",
                           "Give the reason for taking the unit off the watch list.", field="note")
    lock(unit)
    entries = current_entries(unit.id)
    if not entries:
        raise TransitionRefused(f"“{unit.name}”不在重点监管名单上", f"“{unit.name}” is not on the watch list.",
                                current={"unit_id": unit.id, "on_watch_list": False})
    if open_case_of(unit.id) is not None:
        raise TransitionRefused(f"“{unit.name}”仍有未结案的案件，结案后方可移出重点监管名单",
                                f"“{unit.name}” still has an open case: it can leave the watch list once the case is closed.",
                                current={"unit_id": unit.id, "on_watch_list": True})
    months = unit.county.watch_list_clean_months
    since = clean_since(unit.id, entries)
    earliest = add_months(since, months)
    today = clock.today()
    if today < earliest:
        raise TransitionRefused(
            f"“{unit.name}”须自{since.isoformat()}起连续{months}个月无新案件，{earliest.isoformat()}起方可移出重点监管名单",
            f"“{unit.name}” must go {months} months without a new case from {since.isoformat()}: it can leave the "
            f"watch list from {earliest.isoformat()}.", current={"unit_id": unit.id, "on_watch_list": True})
    moment = clock.now()
    for entry in entries:
        entry.left_at, entry.left_on, entry.left_by_id, entry.left_note = moment, today, actor.id, note.strip()
    db.session.flush()
    record_event(actor, WatchListLeft(unit_id=unit.id, reason=note.strip(), entries=[entry.id for entry in entries],
                                      clean_since=since), unit)
    return entries


def set_history_rules(actor: User, county: Region, *, recurrence_opens_at_warning: bool,
                      watch_list_clean_months: int) -> Region:
    """The county office (or the administrator) sets whether a recurrence opens the new case at 二次警示 and the
    clean period of its 重点监管名单; cases already open keep the stage they opened at."""
    require(actor, Action.configure_history_rules)
    if county.level != RegionLevel.county:
        raise InvalidInput("复发提级和重点监管名单规则按县（市、区）设置，请选择县（市、区）",
                           "These rules are set for a county: choose a county.", field="region_code")
    require_in_county(actor, county.id)
    if watch_list_clean_months not in CLEAN_MONTHS_RANGE:
        raise InvalidInput("无新案件的期限须为 1 至 36 个月", "The clean period is 1 to 36 months.",
                           field="watch_list_clean_months")
    lock(county)
    previous = {"recurrence_opens_at_warning": county.recurrence_opens_at_warning,
                "watch_list_clean_months": county.watch_list_clean_months}
    if previous != {"recurrence_opens_at_warning": recurrence_opens_at_warning,
                    "watch_list_clean_months": watch_list_clean_months}:
        county.recurrence_opens_at_warning = recurrence_opens_at_warning
        county.watch_list_clean_months = watch_list_clean_months
        db.session.flush()
        record_event(actor, HistoryRulesSet(code=county.code, recurrence_opens_at_warning=recurrence_opens_at_warning,
                                            watch_list_clean_months=watch_list_clean_months, previous=previous), county)
    return county
