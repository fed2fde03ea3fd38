"""The entry rules of the 重点监管名单, as subscribers of the events that cause them: each entry is made inside
the operation that caused it (it holds the unit's lock) and commits or rolls back with it.

| event | entry |
| --- | --- |
| a ban or a shutdown closes a case (``case.ban``, ``case.shut_down``) | ``ban`` / ``shutdown`` |
| a case opens at 二次警示 because the same hazard came back (``case.open_at_warning``) | ``recurrence`` |
| a case opens and it is the unit's second (or later) case of that calendar year, withdrawn ones not counted | ``repeated_cases``, once while the unit is on the list for it |
| a case is withdrawn (recorded in error) | the entries it made end with it |
"""

from sqlalchemy import func, select

from inspect_loop import clock
from inspect_loop.audit.events import CaseMoved, CaseOpened, ClosedByEnforcement
from inspect_loop.audit.log import subscribe
from inspect_loop.cases.models import Case, Outcome, StartReason
from inspect_loop.db import db
from inspect_loop.users.models import User
from inspect_loop.watch_list.models import WatchListEntry, WatchReason
from inspect_loop.watch_list.operations import enter

CASES_IN_A_YEAR = 2
BY_TRANSITION = {"ban": WatchReason.ban, "shut_down": WatchReason.shutdown}
# The note an entry ends with when the case that made it is withdrawn (the withdrawal's event says why).
WITHDRAWN_NOTE = "立案有误，案件已撤销"


@subscribe(ClosedByEnforcement)
def enter_closed(event: ClosedByEnforcement, actor: User, case: Case) -> None:
    enter(actor, case.unit, BY_TRANSITION[event.transition], case.id)


@subscribe(CaseOpened)
def enter_opened(event: CaseOpened, actor: User, case: Case) -> None:
    if event.start_reason == StartReason.recurrence:
        enter(actor, case.unit, WatchReason.recurrence, case.id)
    cases_this_year = db.session.scalar(select(func.count(Case.id)).where(
        Case.unit_id == case.unit_id, Case.outcome.is_distinct_from(Outcome.withdrawn),
        Case.opened_on.between(case.opened_on.replace(month=1, day=1), case.opened_on.replace(month=12, day=31))))
    if cases_this_year >= CASES_IN_A_YEAR and not _listed_for(case.unit_id, WatchReason.repeated_cases):
        enter(actor, case.unit, WatchReason.repeated_cases, case.id)


@subscribe(CaseMoved)
def take_back_withdrawn(event: CaseMoved, actor: User, case: Case) -> None:
    """A case withdrawn (recorded in error) is no evidence: the entries it made end with it."""
    if event.transition != "withdraw":
        return
    moment = clock.now()
    for entry in db.session.scalars(select(WatchListEntry).where(WatchListEntry.case_id == case.id,
                                                                 WatchListEntry.left_at.is_(None))):
        entry.left_at, entry.left_on = moment, clock.local_date(moment)
        entry.left_by_id, entry.left_note = actor.id if actor else None, WITHDRAWN_NOTE


def _listed_for(unit_id: int, reason: WatchReason) -> bool:
    """The unit is on the list for ``reason`` now."""
    return db.session.scalar(select(func.count(WatchListEntry.id)).where(
        WatchListEntry.unit_id == unit_id, WatchListEntry.reason == reason, WatchListEntry.left_at.is_(None))) > 0
