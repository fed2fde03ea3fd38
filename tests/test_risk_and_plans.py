"""Risk colour (三色), overdue, the secrecy of unannounced plans, and the append-only audit log."""

from datetime import date

import pytest
from sqlalchemy import select

from inspect_loop.audit.models import Event
from inspect_loop.cases import ladder
from inspect_loop.cases.queries import risk_color
from inspect_loop.errors import Forbidden, InvalidInput
from inspect_loop.inspections.models import InspectionKind, PlanStatus
from inspect_loop.inspections.operations import plan_inspection, visible_plans_query
from tests.factories import inspect
from tests.helpers import at


def test_risk_colour_follows_stage_severity_and_overdue(county, database):
    shop = county.units.shop
    assert risk_color(shop) == "green"
    with at("2026-03-02"):
        inspection = inspect(county, shop, "YD-01")  # general, 5 days → deadline 7 March
        assert risk_color(shop) == "green"
    with at("2026-03-08"):
        assert risk_color(shop) == "yellow"  # overdue at reminder
    case = inspection.findings[0].case
    with at("2026-03-08"):
        ladder.escalate(case, county.users.office, "逾期未整改")
        assert risk_color(shop) == "red"  # overdue at warning
    with at("2026-03-02"):
        assert risk_color(shop) == "yellow"  # at warning, nothing overdue yet
    with at("2026-03-02"):
        inspect(county, county.units.factory, "SC-01")
        assert risk_color(county.units.factory) == "red"  # an open major finding


def test_unannounced_plans_are_secret_to_everyone_but_the_team_and_the_county_office(county, database):
    with at("2026-03-01"):
        plan = plan_inspection(county.users.office, county.units.shop, date(2026, 3, 2),
                               team=[county.users.inspector])
        with pytest.raises(Forbidden):
            plan_inspection(county.users.east, county.units.shop, date(2026, 3, 2), team=[county.users.inspector])
        with pytest.raises(InvalidInput):
            plan_inspection(county.users.office, county.units.shop, date(2026, 3, 2), team=[county.users.fire])

    def visible(user):
        return list(database.session.scalars(visible_plans_query(user)))

    assert visible(county.users.office) == [plan]
    assert visible(county.users.inspector) == [plan]
    assert visible(county.users.inspector2) == []
    for outsider in (county.users.east, county.users.fire, county.users.viewer):
        with pytest.raises(Forbidden):
            visible(outsider)

    with at("2026-03-02"):
        inspection = inspect(county, county.units.shop, "XF-01", plan=plan)
    assert plan.status == PlanStatus.done and plan.inspection_id == inspection.id
    with pytest.raises(InvalidInput):
        inspect(county, county.units.shop, kind=InspectionKind.unannounced, plan=plan)


def test_audit_events_cannot_be_changed_or_deleted(county, database):
    event = database.session.scalar(select(Event).limit(1))
    event.reason = "改写"
    with pytest.raises(RuntimeError):
        database.session.flush()
    database.session.rollback()
    database.session.delete(database.session.scalar(select(Event).limit(1)))
    with pytest.raises(RuntimeError):
        database.session.flush()
