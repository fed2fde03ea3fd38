"""The unit ledger: correcting a unit (audited with the old and new values), 复业, 注销, and that a deregistered
unit is never inspected."""

from datetime import date

import pytest
from sqlalchemy import select

from inspect_loop.audit.models import Event
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Stage
from inspect_loop.cases.queries import risk_color
from inspect_loop.db import db
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.enforcement.operations import record_enforcement
from inspect_loop.errors import Conflict, Forbidden, InvalidInput, TransitionRefused
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.inspections.operations import plan_inspection
from inspect_loop.units.models import UnitStatus
from inspect_loop.units.operations import create_unit, deregister_unit, resume_unit, update_unit
from tests.factories import build_other_county, inspect, make_uscc
from tests.helpers import at


@pytest.fixture
def diner(county, database):
    with at("2026-03-01", 9):
        unit = create_unit(county.users.admin, name="兰江小吃店", region=county.east, address="兰江街道振兴路9号",
                           category="餐饮")
    database.session.commit()
    return unit


def events_of(database, unit, action):
    return list(database.session.scalars(select(Event).where(Event.unit_id == unit.id, Event.action == action)))


def suspend(county, unit, day="2026-03-10"):
    """A case at 三次执法 and 责令停业整顿 decided on ``day``, committed."""
    with at(day, 9):
        case = inspect(county, unit, "XF-01").findings[0].case
        ladder.escalate(case, county.users.office, "重大隐患且拒不整改", to_stage=Stage.enforcement)
        record_enforcement(county.users.office, case, ActionKind.suspend, departments=[county.market])
    db.session.commit()
    return case


# -- correcting a unit -------------------------------------------------------------------------------------

def test_an_edit_is_audited_with_the_old_and_new_values(county, database, diner):
    with at("2026-03-05"):
        changes = update_unit(county.users.office, diner, name="兰江风味小吃店", contact_name="王五",
                              contact_phone="13900001111", region=county.village)
    assert changes == {"name": {"old": "兰江小吃店", "new": "兰江风味小吃店"},
                       "contact_name": {"old": None, "new": "王五"},
                       "contact_phone": {"old": None, "new": "13900001111"},
                       "region_code": {"old": "330781001", "new": "330781101201"}}
    assert (diner.region_id, diner.township_id) == (county.village.id, county.west.id)
    [event] = events_of(database, diner, "unit.updated")
    assert event.data == {"changes": changes}


def test_an_edit_that_changes_nothing_is_not_logged(county, database, diner):
    assert update_unit(county.users.office, diner, name=" 兰江小吃店 ", category="餐饮") == {}
    assert events_of(database, diner, "unit.updated") == []


def test_bad_input_is_refused_and_changes_nothing(county, database, diner):
    cases = [({"name": "  "}, InvalidInput, "name"), ({"uscc": "91330781MA2HX8TQ1F"}, InvalidInput, "uscc"),
             ({"uscc": county.units.shop.uscc}, Conflict, "uscc"), ({"region": county.county}, InvalidInput, "region_code")]
    for arguments, error, field in cases:
        with pytest.raises(error) as refused:
            update_unit(county.users.office, diner, contact_name="改了", **arguments)
        assert refused.value.field == field
        database.session.rollback()
    database.session.refresh(diner)
    assert (diner.name, diner.contact_name, diner.uscc) == ("兰江小吃店", None, None)
    assert events_of(database, diner, "unit.updated") == []


def test_the_uscc_can_be_given_and_removed(county, database, diner):
    code = make_uscc(901)
    update_unit(county.users.office, diner, uscc=code.lower())
    assert diner.uscc == code
    update_unit(county.users.office, diner, uscc="")
    assert diner.uscc is None


def test_a_township_office_edits_only_units_of_its_township_and_keeps_them_there(county, database, diner):
    with pytest.raises(Forbidden):
        update_unit(county.users.west, diner, contact_name="王五")
    with pytest.raises(Forbidden):
        update_unit(county.users.east, diner, region=county.village)  # 郑宅村 lies in 马涧镇
    update_unit(county.users.east, diner, contact_name="王五")
    assert diner.contact_name == "王五"


def test_roles_without_the_ledger_cannot_edit(county, database, diner):
    for user in (county.users.inspector, county.users.fire, county.users.viewer):
        with pytest.raises(Forbidden):
            update_unit(user, diner, contact_name="王五")


# -- 复业 ------------------------------------------------------------------------------------------------------

def test_a_suspended_unit_resumes_with_the_offices_decision(county, database, diner):
    case = suspend(county, diner)
    assert diner.status == UnitStatus.suspended
    with at("2026-03-20"):
        resume_unit(county.users.office, diner, decision="兰平安复〔2026〕1号", resumed_on=date(2026, 3, 18))
    assert diner.status == UnitStatus.operating
    [event] = events_of(database, diner, "unit.resumed")
    assert event.data == {"decision": "兰平安复〔2026〕1号", "resumed_on": "2026-03-18", "suspended_on": "2026-03-10"}
    assert case.status.value == "open" and case.stage == Stage.enforcement  # reopening is not rectification


@pytest.mark.parametrize("decision, day, field", [
    ("", date(2026, 3, 18), "decision"),
    ("兰平安复〔2026〕1号", date(2026, 3, 21), "resumed_on"),  # tomorrow
    ("兰平安复〔2026〕1号", date(2026, 3, 9), "resumed_on"),  # before the suspension
    ("兰平安复〔2026〕1号", None, "resumed_on"),
])
def test_a_resumption_needs_a_decision_and_a_day_between_the_suspension_and_today(county, database, diner,
                                                                                  decision, day, field):
    suspend(county, diner)
    with at("2026-03-20"), pytest.raises(InvalidInput) as refused:
        resume_unit(county.users.office, diner, decision=decision, resumed_on=day)
    assert refused.value.field == field
    database.session.rollback()
    assert diner.status == UnitStatus.suspended


def test_only_a_suspended_unit_resumes_and_only_by_the_county_office(county, database, diner):
    with at("2026-03-20"), pytest.raises(TransitionRefused) as refused:
        resume_unit(county.users.office, diner, decision="复业", resumed_on=date(2026, 3, 20))
    assert refused.value.current == {"unit_id": diner.id, "status": "operating"}
    suspend(county, diner)
    for user in (county.users.east, county.users.inspector, county.users.fire):
        with at("2026-03-20"), pytest.raises(Forbidden):
            resume_unit(user, diner, decision="复业", resumed_on=date(2026, 3, 20))


# -- 注销 ------------------------------------------------------------------------------------------------------

def test_a_deregistered_unit_is_kept_grey_and_never_inspected_again(county, database, diner):
    with at("2026-03-02"):
        case = inspect(county, diner, "XF-01").findings[0].case
    with at("2026-03-05"):
        ladder.withdraw(case, county.users.office, "误录")
        deregister_unit(county.users.office, diner, reason="营业执照已注销", deregistered_on=date(2026, 3, 4))
        assert risk_color(diner) == "closed"
    assert (diner.status, diner.deregistered_on, diner.deregistration_reason) == (
        UnitStatus.deregistered, date(2026, 3, 4), "营业执照已注销")
    [event] = events_of(database, diner, "unit.deregistered")
    assert (event.reason, event.data) == ("营业执照已注销", {"deregistered_on": "2026-03-04", "from_status": "operating"})
    with at("2026-03-06"), pytest.raises(TransitionRefused) as refused:
        inspect(county, diner, "XF-02")
    assert "已注销" in refused.value.message_zh and refused.value.current["status"] == "deregistered"
    with at("2026-03-06"), pytest.raises(TransitionRefused):
        plan_inspection(county.users.office, diner, date(2026, 3, 9), [county.users.inspector])
    with pytest.raises(TransitionRefused):
        update_unit(county.users.office, diner, contact_name="王五")
    with at("2026-03-06"), pytest.raises(TransitionRefused):
        deregister_unit(county.users.office, diner, reason="再次", deregistered_on=date(2026, 3, 6))


def test_a_unit_with_an_open_case_is_not_deregistered(county, database, diner):
    with at("2026-03-02"):
        case = inspect(county, diner, "XF-01").findings[0].case
    with at("2026-03-05"), pytest.raises(TransitionRefused) as refused:
        deregister_unit(county.users.office, diner, reason="歇业", deregistered_on=date(2026, 3, 5))
    assert refused.value.current["case_id"] == case.id
    assert "进行中的闭环案件" in refused.value.message_zh


@pytest.mark.parametrize("reason, day, field", [
    (" ", date(2026, 3, 5), "reason"),
    ("歇业", date(2026, 3, 6), "deregistered_on"),  # tomorrow
    ("歇业", date(2026, 2, 28), "deregistered_on"),  # before the unit was registered
])
def test_a_deregistration_needs_a_reason_and_a_day_between_registration_and_today(county, database, diner,
                                                                                  reason, day, field):
    with at("2026-03-05"), pytest.raises(InvalidInput) as refused:
        deregister_unit(county.users.office, diner, reason=reason, deregistered_on=day)
    assert refused.value.field == field
    database.session.rollback()
    assert diner.status == UnitStatus.operating


def test_only_the_county_office_of_the_unit_deregisters(county, database, diner):
    other_county = build_other_county(county)
    for user in (county.users.east, county.users.inspector, other_county.users.office):
        with at("2026-03-05"), pytest.raises(Forbidden):
            deregister_unit(user, diner, reason="歇业", deregistered_on=date(2026, 3, 5))


def test_a_shut_down_unit_is_grey_and_a_suspended_one_keeps_its_colour(county, database, diner):
    case = suspend(county, diner)
    with at("2026-03-11"):
        assert diner.status == UnitStatus.suspended and risk_color(diner) == "red"  # its case is at 三次执法
    with at("2026-03-12", 9):
        record_enforcement(county.users.office, case, ActionKind.shutdown, departments=[county.market])
        assert risk_color(diner) == "closed"
    with at("2026-03-12", 10):
        # Found operating again: its new case makes it red, not grey.
        inspect(county, diner, "SC-01", kind=InspectionKind.unannounced)
        assert risk_color(diner) == "red"
