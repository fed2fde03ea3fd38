"""The unit ledger (单位台账): register, correct, lift a suspension (复业), deregister (注销)."""

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from inspect_loop import clock
from inspect_loop.audit.events import UnitCorrected, UnitCreated, UnitDeregistered, UnitResumed
from inspect_loop.audit.log import record_event
from inspect_loop.cases.queries import open_case_of
from inspect_loop.db import db, lock
from inspect_loop.enforcement.models import ActionKind, EnforcementAction
from inspect_loop.errors import Conflict, InvalidInput, TransitionRefused
from inspect_loop.labels import en, zh
from inspect_loop.regions.models import Region, RegionLevel
from inspect_loop.units import uscc as uscc_rules
from inspect_loop.units.models import Unit, UnitStatus
from inspect_loop.users.models import User
from inspect_loop.users.permissions import (
    Action,
    require,
    require_in_area,
    require_in_county,
    require_in_township,
)

DECISION_MAX = 2000


def _checked_uscc(uscc: str | None, unit_id: int | None = None) -> str | None:
    """A valid USCC no other unit holds, normalised; None when not given."""
    uscc = uscc_rules.normalise(uscc or "")
    if not uscc:
        return None
    problem = uscc_rules.problem(uscc)
    if problem:
        raise InvalidInput(problem, "This is not a valid unified social credit code (GB 32100-2015).", field="uscc")
    holder = db.session.scalar(select(Unit.id).where(Unit.uscc == uscc))
    if holder is not None and holder != unit_id:
        raise Conflict("该统一社会信用代码已登记", "A unit with this unified social credit code is already registered.",
                       field="uscc")
    return uscc


def _placed(actor: User, region: Region) -> tuple[Region, Region]:
    """The township and county of a unit's ``region``, where the actor may keep units."""
    township = region.ancestor(RegionLevel.township)
    county = region.ancestor(RegionLevel.county)
    if township is None or county is None:
        raise InvalidInput("单位须位于乡镇（街道）或其下级区划", "A unit must lie in a township, or in a village or grid of a township.",
                           field="region_code")
    require_in_township(actor, township.id)
    require_in_county(actor, county.id)
    return township, county


def create_unit(actor: User, *, name: str, region: Region, address: str = "", category: str = "",
                uscc: str | None = None, contact_name: str | None = None,
                contact_phone: str | None = None) -> Unit:
    require(actor, Action.manage_units)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写单位名称", "Give the name of the unit.", field="name")
    township, county = _placed(actor, region)
    uscc = _checked_uscc(uscc)
    unit = Unit(name=name, uscc=uscc or None, address=(address or "").strip(), region=region, region_id=region.id,
                township_id=township.id, county_id=county.id, category=(category or "").strip(),
                contact_name=contact_name or None, contact_phone=contact_phone or None, created_at=clock.now())
    db.session.add(unit)
    db.session.flush()
    record_event(actor, UnitCreated(unit_id=unit.id), unit)
    return unit


def _refuse_if_deregistered(unit: Unit, doing_zh: str, doing_en: str) -> None:
    if unit.status == UnitStatus.deregistered:
        raise TransitionRefused(f"单位“{unit.name}”已注销，不能{doing_zh}", f"“{unit.name}” is deregistered: it cannot {doing_en}.",
                                current={"unit_id": unit.id, "status": unit.status.value})


def update_unit(actor: User, unit: Unit, *, name: str | None = None, uscc: str | None = None,
                address: str | None = None, region: Region | None = None, category: str | None = None,
                contact_name: str | None = None, contact_phone: str | None = None) -> dict[str, dict]:
    """Correct a unit's ledger entry (``None``: unchanged; "" empties an optional text, the USCC included).
    The county office edits its county's units, a township office those of its township (also when it moves
    one: the new place must be its own too). Cases, findings and notices already issued stay as they are —
    a notice keeps the name it printed. Returns the changes, {field: {old, new}}, as audited."""
    require(actor, Action.manage_units)
    require_in_area(actor, unit)
    lock(unit)
    _refuse_if_deregistered(unit, "修改", "be edited")
    values = {}
    if name is not None:
        values["name"] = name.strip()
        if not values["name"]:
            raise InvalidInput("请填写单位名称", "Give the name of the unit.", field="name")
    if uscc is not None:
        values["uscc"] = _checked_uscc(uscc, unit.id)
    for field, given in (("address", address), ("category", category)):
        if given is not None:
            values[field] = given.strip()
    for field, given in (("contact_name", contact_name), ("contact_phone", contact_phone)):
        if given is not None:
            values[field] = given.strip() or None
    old_region = unit.region
    if region is not None and region.id != unit.region_id:
        township, county = _placed(actor, region)
        if county.id != unit.county_id:
            raise InvalidInput("单位只能在本县（市、区）内变更所在区划", "A unit can be moved only within its own county.",
                               field="region_code")
        values.update(region_id=region.id, township_id=township.id)
    changes = {}
    for field, new in values.items():
        old = getattr(unit, field)
        if old != new:
            changes[field] = {"old": old, "new": new}
            setattr(unit, field, new)
    if "region_id" in changes:
        unit.region = region
        changes["region_code"] = {"old": old_region.code, "new": region.code}
        del changes["region_id"]
        changes.pop("township_id", None)
    if not changes:
        return {}
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        # Another unit took the same USCC at the same moment (its transaction committed first).
        raise Conflict("该统一社会信用代码已登记", "A unit with this unified social credit code is already registered.",
                       field="uscc") from None
    record_event(actor, UnitCorrected(unit_id=unit.id, changes=changes), unit)
    db.session.flush()
    return changes


def _decision_day(day: date | None, field: str) -> date:
    if day is None:
        raise InvalidInput("请填写日期", "Give the date.", field=field)
    if day > clock.today():
        raise InvalidInput("日期不能晚于今天", "The date cannot be in the future.", field=field)
    return day


def suspended_on(unit: Unit) -> date | None:
    """The day of the last 责令停业整顿 decided for the unit (None when its suspension has no recorded action)."""
    return db.session.scalar(select(func.max(EnforcementAction.decided_on))
                             .where(EnforcementAction.unit_id == unit.id,
                                    EnforcementAction.action == ActionKind.suspend))


def resume_unit(actor: User, unit: Unit, *, decision: str, resumed_on: date | None) -> Unit:
    """复业: a suspended unit (停业整顿) set back to operating by the office's decision, on a day neither in the
    future nor before the suspension. An open case stays where it is: reopening is not rectification."""
    require(actor, Action.resume_unit)
    require_in_county(actor, unit.county_id)
    lock(unit)
    if unit.status != UnitStatus.suspended:
        raise TransitionRefused(f"单位“{unit.name}”当前为“{zh(unit.status)}”，不是停业整顿，不能办理复业",
                                f"“{unit.name}” is {en(unit.status).lower()}, not suspended: it cannot resume business.",
                                current={"unit_id": unit.id, "status": unit.status.value})
    decision = (decision or "").strip()
    if not decision:
        raise InvalidInput("请填写复业决定（文号或内容）", "Give the office's decision to let the unit resume business.",
                           field="decision")
    if len(decision) > DECISION_MAX:
        raise InvalidInput(f"复业决定不能超过{DECISION_MAX}个字", f"The decision may have at most {DECISION_MAX} characters.",
                           field="decision")
    resumed_on = _decision_day(resumed_on, "resumed_on")
    since = suspended_on(unit)
    if since is not None and resumed_on < since:
        raise InvalidInput(f"复业日期不能早于停业整顿决定日期（{since.isoformat()}）",
                           f"The unit cannot resume before it was suspended ({since.isoformat()}).", field="resumed_on")
    unit.status = UnitStatus.operating
    record_event(actor, UnitResumed(unit_id=unit.id, decision=decision, resumed_on=resumed_on, suspended_on=since), unit)
    db.session.flush()
    return unit


def deregister_unit(actor: User, unit: Unit, *, reason: str, deregistered_on: date | None) -> Unit:
    """注销: the unit leaves the ledger of places to inspect and is kept, with its cases and notices, for history.
    A unit with an open case is refused: the case is closed out or withdrawn first, so that no 闭环 is left
    hanging on a place nobody visits."""
    require(actor, Action.deregister_unit)
    require_in_county(actor, unit.county_id)
    lock(unit)
    _refuse_if_deregistered(unit, "再次注销", "be deregistered again")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写注销原因", "Give the reason for deregistering the unit.", field="reason")
    if len(reason) > DECISION_MAX:
        raise InvalidInput(f"注销原因不能超过{DECISION_MAX}个字", f"The reason may have at most {DECISION_MAX} characters.",
                           field="reason")
    deregistered_on = _decision_day(deregistered_on, "deregistered_on")
    registered_on = clock.local_date(unit.created_at)
    if deregistered_on < registered_on:
        raise InvalidInput(f"注销日期不能早于单位登记日期（{registered_on.isoformat()}）",
                           f"The unit cannot be deregistered before it was registered ({registered_on.isoformat()}).",
                           field="deregistered_on")
    case = open_case_of(unit.id)
    if case is not None:
        raise TransitionRefused(f"单位“{unit.name}”还有进行中的闭环案件（{zh(case.stage)}），请先结案或撤销案件再注销",
                                f"“{unit.name}” still has an open case (at the {en(case.stage)} stage): close or withdraw "
                                "it before deregistering the unit.",
                                current={"unit_id": unit.id, "status": unit.status.value, "case_id": case.id})
    from_status = unit.status
    unit.status = UnitStatus.deregistered
    unit.deregistered_on = deregistered_on
    unit.deregistration_reason = reason
    record_event(actor, UnitDeregistered(unit_id=unit.id, reason=reason, deregistered_on=deregistered_on,
                                         from_status=from_status.value), unit)
    db.session.flush()
    return unit


def refuse_inspection_of_deregistered(unit: Unit) -> None:
    """A deregistered unit is kept for history, never inspected (nor planned for)."""
    _refuse_if_deregistered(unit, "再录入检查或安排暗访", "be inspected any more")
