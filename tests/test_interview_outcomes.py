"""Interview outcomes: the minutes of each unit's interview (约谈记录), its signed pledge (责任书/承诺书) and the
education sessions at the station (到站教育培训, 线上直播) — recorded by the county office of the county only, audited, refused without change on bad
input."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from inspect_loop import clock
from inspect_loop.audit.models import Event
from inspect_loop.clock import LOCAL_TZ
from inspect_loop.db import db
from inspect_loop.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_loop.inspections.models import InspectionKind, Photo
from inspect_loop.interviews.models import TrainingKind
from inspect_loop.interviews.operations import (
    attach_commitment,
    convene_round,
    record_attendance,
    record_minutes,
)
from inspect_loop.interviews.training import TrainingFacts, record_training, update_training
from inspect_loop.regions.models import DepartmentKind, RegionLevel
from inspect_loop.regions.operations import create_department, create_region
from inspect_loop.users.models import Role
from inspect_loop.users.operations import create_user
from tests.factories import PASSWORD, inspect
from tests.helpers import at

AGREED = "负责人说明：应急照明已接通电源，消防器材本周到货。\n承诺：与商户签订安全责任书，每周自查一次。"


def warning_case(county, unit):
    with at("2026-03-02"):
        finding = inspect(county, unit, "XF-01").findings[0]
    with at("2026-03-12", 14):
        inspect(county, unit, kind=InspectionKind.reinspection, verified=[(finding, False)])
    return finding.case


@pytest.fixture
def interviewed(county, database):
    """Round 1 on 03-19: the shop attended, the market was absent."""
    shop, market = warning_case(county, county.units.shop), warning_case(county, county.units.market)
    with at("2026-03-16"):
        held = convene_round(county.users.office, held_at=datetime(2026, 3, 19, 14, 30, tzinfo=LOCAL_TZ),
                             venue="兰溪市平安警示教育站", convened_by=county.office, departments=[county.fire],
                             cases=[shop, market], participants=15)
    with at("2026-03-19", 16):
        record_attendance(county.users.office, held, shop, attended=True, attendee_name="张三")
        record_attendance(county.users.office, held, market, attended=False)
    database.session.commit()
    return held, shop, market


def events(database, action):
    return list(database.session.scalars(select(Event).where(Event.action == action).order_by(Event.id)))


def test_the_minutes_of_an_attended_interview_are_recorded_then_corrected_with_a_reason(county, interviewed, database):
    held, shop, _market = interviewed
    with at("2026-03-19", 17):
        summons = record_minutes(county.users.office, held, shop, f"  {AGREED}  ")
        database.session.commit()
    assert summons.minutes == AGREED and summons.minutes_recorded_by_id == county.users.office.id
    with at("2026-03-20"), pytest.raises(Conflict) as error:
        record_minutes(county.users.office, held, shop, "另一份记录")  # a second first record: refused
    assert error.value.field == "reason" and summons.minutes == AGREED
    with at("2026-03-20"):
        record_minutes(county.users.office, held, shop, "承诺：签订责任书，每周自查。", reason="记录有误")
        database.session.commit()
    first, correction = events(database, "summons.minutes")
    assert (first.case_id, first.data["minutes"], first.data["previous"], first.reason) == (shop.id, AGREED, None, None)
    assert (correction.data["previous"], correction.reason) == (AGREED, "记录有误")
    with at("2026-03-21"), pytest.raises(Conflict) as error:
        record_attendance(county.users.office, held, shop, attended=False)  # minutes make it an attended interview
    assert error.value.field == "attended" and summons.attended is True


@pytest.mark.parametrize(("text", "field"), [(" ", "minutes"), ("记" * 5001, "minutes")])
def test_empty_or_overlong_minutes_are_refused(county, interviewed, text, field):
    held, shop, _market = interviewed
    with at("2026-03-19", 17), pytest.raises(InvalidInput) as error:
        record_minutes(county.users.office, held, shop, text)
    assert error.value.field == field and held.summonses[0].minutes is None


def test_an_absent_or_unsummoned_unit_has_no_minutes(county, interviewed):
    held, _shop, market = interviewed
    with at("2026-03-19", 17), pytest.raises(Conflict) as error:
        record_minutes(county.users.office, held, market, AGREED)
    assert "未登记到场" in error.value.message_zh
    factory = warning_case(county, county.units.factory)
    with at("2026-03-19", 17), pytest.raises(NotFound):
        record_minutes(county.users.office, held, factory, AGREED)


@pytest.mark.parametrize("username", ["east", "inspector", "fire", "viewer"])
def test_only_the_county_office_records_minutes_and_sessions(county, interviewed, username):
    held, shop, _market = interviewed
    actor = getattr(county.users, username)
    with at("2026-03-19", 17):
        with pytest.raises(Forbidden):
            record_minutes(actor, held, shop, AGREED)
        with pytest.raises(Forbidden):
            record_training(actor, county.county, TrainingFacts(held_on=date(2026, 3, 18), kind=TrainingKind.voluntary,
                                                                topic="消防安全培训", person_times=30))
    assert held.summonses[0].minutes is None


def test_a_session_is_recorded_and_corrected_with_its_earlier_facts_kept(county, database):
    with at("2026-04-02", 18):
        session = record_training(county.users.office, county.county, TrainingFacts(
            held_on=date(2026, 4, 2), kind=TrainingKind.voluntary, topic="  消防安全知识培训 ", person_times=45,
            organiser="兰溪市实验小学", township=county.east))
        database.session.commit()
    assert (session.topic, session.township_id, session.person_times) == ("消防安全知识培训", county.east.id, 45)
    with at("2026-04-03"):
        update_training(county.users.office, session, TrainingFacts(
            held_on=date(2026, 4, 2), kind=TrainingKind.live_stream, topic="消防安全知识直播", person_times=1200))
        database.session.commit()
    assert (session.kind, session.township_id, session.person_times) == (TrainingKind.live_stream, None, 1200)
    [recorded], [updated] = events(database, "training.recorded"), events(database, "training.updated")
    assert recorded.data["person_times"] == 45
    assert updated.data["before"]["person_times"] == 45 and updated.data["person_times"] == 1200


@pytest.mark.parametrize(("change", "field"), [
    ({"topic": " "}, "topic"),
    ({"topic": "培" * 201}, "topic"),
    ({"organiser": "单" * 201}, "organiser"),
    ({"held_on": date(2026, 4, 3)}, "held_on"),  # tomorrow: person-times are counted afterwards
    ({"person_times": 0}, "person_times"),
    ({"person_times": 1_000_001}, "person_times"),
])
def test_bad_session_facts_are_refused_and_nothing_is_recorded(county, database, change, field):
    facts = {"held_on": date(2026, 4, 2), "kind": TrainingKind.voluntary, "topic": "消防安全培训", "person_times": 30}
    with at("2026-04-02", 18), pytest.raises(InvalidInput) as error:
        record_training(county.users.office, county.county, TrainingFacts(**{**facts, **change}))
    assert error.value.field == field
    assert events(database, "training.recorded") == []


def test_a_session_belongs_to_the_county_and_one_of_its_townships(county, database):
    admin = county.users.admin
    with at("2026-04-01"):
        other = create_region(admin, code="330782", name="义乌市", level=RegionLevel.county, parent_code=None)
        other_town = create_region(admin, code="330782001", name="稠城街道", level=RegionLevel.township,
                                   parent_code="330782")
        office = create_department(admin, code="YW-PAB", name="义乌市平安办", kind=DepartmentKind.safety_office,
                                   region=other, doc_prefix="义平安")
        stranger = create_user(username="yiwu", role=Role.safety_office, department=office, password=PASSWORD)
    facts = TrainingFacts(held_on=date(2026, 4, 2), kind=TrainingKind.voluntary, topic="消防安全培训", person_times=30)
    with at("2026-04-02", 18):
        with pytest.raises(Forbidden):
            record_training(stranger, county.county, facts)
        with pytest.raises(InvalidInput) as error:
            record_training(county.users.office, county.county, TrainingFacts(**{**facts.__dict__, "township": other_town}))
        assert error.value.field == "township_code"
        with pytest.raises(InvalidInput) as error:
            record_training(admin, county.east, facts)  # a township is no county
        assert error.value.field == "county_code"
        session = record_training(county.users.office, county.county, facts)
        with pytest.raises(Forbidden):
            update_training(stranger, session, facts)


def uploaded_by(user) -> Photo:
    """A photo row as ``POST /photos`` leaves it: checked, stored, not yet attached."""
    photo = Photo(sha256=f"{user.id:064x}", content_type="image/jpeg", size=1, width=1, height=1,
                  uploaded_at=clock.now(), uploaded_by_id=user.id)
    db.session.add(photo)
    db.session.flush()
    return photo


def test_the_signed_pledge_is_kept_with_an_attended_units_summons(county, interviewed, database):
    held, shop, market = interviewed
    with at("2026-03-19", 17):
        pages = [uploaded_by(county.users.office), uploaded_by(county.users.office)]
        with pytest.raises(InvalidInput) as error:
            attach_commitment(county.users.office, held, shop, [])
        assert error.value.field == "photos"
        with pytest.raises(Conflict):
            attach_commitment(county.users.office, held, market, pages)  # absent: it signed nothing there
        with pytest.raises(Forbidden):
            attach_commitment(county.users.east, held, shop, pages)
        assert all(page.summons_id is None for page in pages)
        summons = attach_commitment(county.users.office, held, shop, pages)
        database.session.commit()
    assert summons.commitment_pages == pages
    [event] = events(database, "summons.commitment")
    assert (event.case_id, event.data["photos"]) == (shop.id, [page.id for page in pages])
