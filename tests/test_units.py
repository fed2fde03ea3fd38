import pytest
from sqlalchemy.exc import IntegrityError

from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.errors import Conflict, Forbidden, InvalidInput
from inspect_loop.units import uscc
from inspect_loop.units.operations import create_unit
from tests.factories import make_uscc


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91330781MA2HX8TQ1P", make_uscc(7)])
def test_valid_uscc(code):
    assert uscc.problem(code) is None


@pytest.mark.parametrize("code, why", [
    ("91330781MA2HX8TQ1F", "校验码"),
    ("91330781MA2HX8TQ1", "18位"),
    ("91330781MA2HX8TQIF", "字符"),
    ("9133AB81MA2HX8TQ1F", "字符"),
])
def test_invalid_uscc(code, why):
    assert why in uscc.problem(code)


def test_create_unit_refuses_a_bad_uscc_and_a_duplicate(county, database):
    with pytest.raises(InvalidInput) as refused:
        create_unit(county.users.office, name="某店", region=county.east, uscc="91330781MA2HX8TQ1F")
    assert refused.value.field == "uscc"
    with pytest.raises(Conflict):
        create_unit(county.users.office, name="某店", region=county.east, uscc=county.units.shop.uscc.lower())


def test_township_office_creates_units_only_in_its_township(county, database):
    with pytest.raises(Forbidden):
        create_unit(county.users.east, name="某店", region=county.west)
    unit = create_unit(county.users.east, name="某店", region=county.east)
    assert (unit.township_id, unit.county_id) == (county.east.id, county.county.id)


def test_units_need_a_township(county, database):
    with pytest.raises(InvalidInput):
        create_unit(county.users.office, name="某店", region=county.county)


def test_the_database_refuses_a_second_open_case_for_a_unit(county, database):
    from inspect_loop import clock

    for _ in range(2):
        database.session.add(Case(unit_id=county.units.shop.id, stage=Stage.reminder, status=CaseStatus.open,
                                  opened_at=clock.now(), opened_on=clock.today()))
    with pytest.raises(IntegrityError):
        database.session.flush()


def test_county_office_creates_units_only_in_its_county(county, database):
    from inspect_loop.regions.models import RegionLevel
    from inspect_loop.regions.operations import create_region

    admin = county.users.admin
    create_region(admin, code="330782", name="义乌市", level=RegionLevel.county, parent_code=None)
    elsewhere = create_region(admin, code="330782001", name="稠城街道", level=RegionLevel.township,
                              parent_code="330782")
    with pytest.raises(Forbidden):
        create_unit(county.users.office, name="义乌某店", region=elsewhere)
    assert create_unit(admin, name="义乌某店", region=elsewhere).county_id == elsewhere.parent_id
