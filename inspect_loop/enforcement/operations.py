"""Recording enforcement at 三次执法: shutdown and ban close the case and change the unit's status."""

from decimal import Decimal

from inspect_loop import clock
from inspect_loop.audit.events import EnforcementRecorded
from inspect_loop.audit.log import record_event
from inspect_loop.cases import ladder, policy
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.enforcement.models import ActionKind, EnforcementAction
from inspect_loop.errors import InvalidInput
from inspect_loop.regions.models import Department
from inspect_loop.units.models import UnitStatus
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, require, require_in_county

UNIT_STATUS_AFTER = {
    ActionKind.suspend: UnitStatus.suspended,
    ActionKind.shutdown: UnitStatus.shut_down,
    ActionKind.ban: UnitStatus.banned,
}


def record_enforcement(actor: User, case: Case, action: ActionKind, *, departments: list[Department],
                       decision_no: str | None = None, amount: Decimal | None = None,
                       note: str | None = None) -> EnforcementAction:
    require(actor, Action.record_enforcement)
    require_in_county(actor, case.unit.county_id)
    ladder.lock_case(case)
    policy.check_enforceable(case)
    if not departments:
        raise InvalidInput("请选择执法部门", "Choose the enforcing departments.", field="departments")
    if action == ActionKind.fine and (amount is None or amount <= 0):
        raise InvalidInput("罚款须填写大于零的金额", "Give the amount of the fine (more than zero).", field="amount")
    if action != ActionKind.fine and amount is not None:
        raise InvalidInput("只有罚款填写金额", "An amount is given only for a fine.", field="amount")
    moment = clock.now()
    record = EnforcementAction(case_id=case.id, unit_id=case.unit_id, action=action, decided_at=moment,
                               decided_on=clock.local_date(moment), decision_no=(decision_no or "").strip() or None,
                               amount=amount, note=(note or "").strip(), recorded_by_id=actor.id)
    record.departments = list(dict.fromkeys(departments))
    db.session.add(record)
    db.session.flush()
    record_event(actor, EnforcementRecorded(case_id=case.id, unit_id=case.unit_id, kind=action,
                                            decision_no=record.decision_no,
                                            amount=str(amount) if amount is not None else None), record)
    if action in UNIT_STATUS_AFTER:
        case.unit.status = UNIT_STATUS_AFTER[action]
    if action == ActionKind.shutdown:
        ladder.shut_down(case, actor, enforcement_id=record.id)
    elif action == ActionKind.ban:
        ladder.ban(case, actor, enforcement_id=record.id)
    db.session.flush()
    return record
