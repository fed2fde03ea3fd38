from sqlalchemy import select

from inspect_loop import clock
from inspect_loop.audit.events import UnitCreated
from inspect_loop.audit.log import record_event
from inspect_loop.db import db
from inspect_loop.errors import Conflict, InvalidInput
from inspect_loop.regions.models import Region, RegionLevel
from inspect_loop.units import uscc as uscc_rules
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, require, require_in_county, require_in_township


def create_unit(actor: User, *, name: str, region: Region, address: str = "", category: str = "",
                uscc: str | None = None, contact_name: str | None = None,
                contact_phone: str | None = None) -> Unit:
    require(actor, Action.manage_units)
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写单位名称", "Give the name of the unit.", field="name")
    township = region.ancestor(RegionLevel.township)
    county = region.ancestor(RegionLevel.county)
    if township is None or county is None:
        raise InvalidInput("单位须位于乡镇（街道）或其下级区划", "A unit must lie in a township, or in a village or grid of a township.",
                           field="region_code")
    require_in_township(actor, township.id)
    require_in_county(actor, county.id)
    if uscc:
        uscc = uscc_rules.normalise(uscc)
        problem = uscc_rules.problem(uscc)
        if problem:
            raise InvalidInput(problem, "This is not a valid unified social credit code (GB 32100-2015).",
                               field="uscc")
        if db.session.scalar(select(Unit.id).where(Unit.uscc == uscc)) is not None:
            raise Conflict("该统一社会信用代码已登记", "A unit with this unified social credit code is already registered.", field="uscc")
    unit = Unit(name=name, uscc=uscc or None, address=(address or "").strip(), region=region, region_id=region.id,
                township_id=township.id, county_id=county.id, category=(category or "").strip(),
                contact_name=contact_name or None, contact_phone=contact_phone or None, created_at=clock.now())
    db.session.add(unit)
    db.session.flush()
    record_event(actor, UnitCreated(unit_id=unit.id), unit)
    return unit
