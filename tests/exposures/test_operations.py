"""平安曝光 operations: drafts are changed or discarded, submitted, approved by a second person or returned with a
reason; published exposures get an end date or are taken down; every refusal changes nothing, and only the
county office of the places' county may act."""

from datetime import date

import pytest
from sqlalchemy import func, select

from inspect_loop.audit.models import Event
from inspect_loop.cases import ladder
from inspect_loop.db import db
from inspect_loop.errors import Forbidden, InvalidInput, TransitionRefused
from inspect_loop.exposures.models import Exposure, ExposureStatus
from inspect_loop.exposures.operations import (
    approve_exposure,
    create_exposure,
    discard_draft,
    is_shown,
    places_of,
    return_exposure,
    set_expiry,
    submit_exposure,
    take_down,
    update_draft,
)
from inspect_loop.regions.models import DepartmentKind, RegionLevel
from inspect_loop.regions.operations import create_department, create_region
from inspect_loop.users.models import Role
from inspect_loop.users.operations import create_user
from tests.factories import PASSWORD, inspect, published_exposure
from tests.helpers import at


@pytest.fixture
def problems(county, database):
    c = county
    with at("2026-03-02"):
        shop = inspect(c, c.units.shop, "SC-01", "XF-01").findings
        factory = inspect(c, c.units.factory, "YD-01").findings
    database.session.commit()
    return shop, factory


def draft_of(county, findings, title="待审核的曝光", expires_on=None):
    return create_exposure(county.users.office, title=title, items=places_of(findings), draft=True,
                           expires_on=expires_on)


def count(action) -> int:
    return db.session.scalar(select(func.count(Event.id)).where(Event.action == action))


def test_places_of_groups_problems_by_place_in_the_order_chosen(county, problems):
    shop, factory = problems
    places = places_of([factory[0], shop[1], shop[0]])
    assert [(place.unit, place.findings) for place in places] == [
        (county.units.factory, [factory[0]]), (county.units.shop, [shop[1], shop[0]])]


def test_a_draft_is_changed_submitted_and_published_by_a_second_person(county, problems, database):
    shop, factory = problems
    with at("2026-03-10"):
        exposure = draft_of(county, [shop[0]])
        update_draft(county.users.office, exposure, title="  2026年第1期平安曝光 ", items=places_of([*shop, *factory]),
                     expires_on=date(2026, 4, 30))
        database.session.commit()
        assert exposure.title == "2026年第1期平安曝光" and exposure.status == ExposureStatus.draft
        assert [(item.unit_id, [finding.id for finding in item.findings]) for item in exposure.items] == [
            (county.units.shop.id, [shop[0].id, shop[1].id]), (county.units.factory.id, [factory[0].id])]
        assert count("exposure.updated") == 1
        assert not is_shown(exposure, date(2026, 3, 10))
        assert count("exposure.listed") == 0  # a draft is not public: no unit's history shows it
    with at("2026-03-11"):
        submit_exposure(county.users.office, exposure)
        assert exposure.status == ExposureStatus.awaiting_approval and not is_shown(exposure, date(2026, 3, 11))
        assert count("exposure.listed") == 0
        approve_exposure(county.users.head, exposure)
    assert exposure.approved_by_id == county.users.head.id
    listed = database.session.scalars(select(Event.unit_id).where(Event.action == "exposure.listed")
                                      .order_by(Event.id)).all()
    assert listed == [county.units.shop.id, county.units.factory.id]  # one line per place, at publication
    assert (exposure.status, exposure.published_on) == (ExposureStatus.published, date(2026, 3, 11))
    assert is_shown(exposure, date(2026, 4, 30)) and not is_shown(exposure, date(2026, 5, 1))
    with at("2026-03-12"), pytest.raises(TransitionRefused):
        update_draft(county.users.office, exposure, title="改", items=places_of(shop), expires_on=None)
    with at("2026-03-12"), pytest.raises(TransitionRefused):
        discard_draft(county.users.office, exposure)


def test_a_draft_is_discarded_and_its_history_stays(county, problems, database):
    with at("2026-03-10"):
        exposure = draft_of(county, problems[0])
        database.session.commit()
        discard_draft(county.users.office, exposure)
        database.session.commit()
    assert database.session.scalar(select(func.count(Exposure.id))) == 0
    assert count("exposure.created") == 1 and count("exposure.discarded") == 1
    assert count("exposure.listed") == 0


def test_end_date_and_taking_down(county, problems, database):
    with at("2026-03-10"):
        exposure = published_exposure(county, title="2026年第1期平安曝光", items=places_of(problems[0]))
        set_expiry(county.users.office, exposure, date(2026, 3, 31))
        assert exposure.expires_on == date(2026, 3, 31)
        with pytest.raises(InvalidInput) as error:
            set_expiry(county.users.office, exposure, date(2026, 3, 9))
        assert error.value.field == "expires_on" and exposure.expires_on == date(2026, 3, 31)
        with pytest.raises(InvalidInput) as error:
            take_down(county.users.office, exposure, "  ")
        assert error.value.field == "reason"
        take_down(county.users.office, exposure, "问题已全部整改到位")
        assert exposure.expires_on == date(2026, 3, 9) and not is_shown(exposure, date(2026, 3, 10))
        with pytest.raises(TransitionRefused):
            take_down(county.users.office, exposure, "再次下线")
        set_expiry(county.users.office, exposure, None)  # shown again, with no end
        assert is_shown(exposure, date(2027, 1, 1))
        database.session.commit()
    assert count("exposure.taken_down") == 1 and count("exposure.expiry_set") == 2


def test_an_exposure_whose_end_date_has_passed_is_neither_submitted_nor_approved(county, problems, database):
    with at("2026-03-10"):
        draft = draft_of(county, problems[0], expires_on=date(2026, 3, 20))
        submitted = create_exposure(county.users.office, title="待审批", items=places_of(problems[1]),
                                    expires_on=date(2026, 3, 20))
        database.session.commit()
    with at("2026-03-25"), pytest.raises(InvalidInput) as error:
        submit_exposure(county.users.office, draft)
    assert error.value.field == "expires_on" and draft.status == ExposureStatus.draft
    with at("2026-03-25"), pytest.raises(InvalidInput) as error:
        approve_exposure(county.users.head, submitted)
    assert error.value.field == "expires_on" and submitted.status == ExposureStatus.awaiting_approval


def test_problems_of_a_withdrawn_case_are_not_exposed(county, problems, database):
    shop, _factory = problems
    with at("2026-03-03"):
        ladder.withdraw(shop[0].case, county.users.office, "录入错误")
        with pytest.raises(InvalidInput) as error:
            draft_of(county, [shop[0]])
    assert "已撤销" in error.value.message_zh


@pytest.mark.parametrize("username", ["east", "inspector", "fire", "viewer"])
def test_only_the_county_office_manages_exposures(county, problems, database, username):
    with at("2026-03-10"):
        draft = draft_of(county, problems[0])
        submitted = create_exposure(county.users.office, title="待审批", items=places_of(problems[0]))
        published = published_exposure(county, title="已发布", items=places_of(problems[1]))
        database.session.commit()
        actor = getattr(county.users, username)
        for refused in (lambda: create_exposure(actor, title="曝光", items=places_of(problems[0])),
                        lambda: update_draft(actor, draft, title="改", items=places_of(problems[0]), expires_on=None),
                        lambda: submit_exposure(actor, draft), lambda: approve_exposure(actor, submitted),
                        lambda: return_exposure(actor, submitted, "退回"), lambda: discard_draft(actor, draft),
                        lambda: set_expiry(actor, published, None), lambda: take_down(actor, published, "下线")):
            with pytest.raises(Forbidden):
                refused()
    assert draft.status == ExposureStatus.draft and published.expires_on is None
    assert submitted.status == ExposureStatus.awaiting_approval


def test_another_countys_office_may_not_touch_this_countys_exposures(county, problems, database):
    admin = county.users.admin
    with at("2026-03-01"):
        other = create_region(admin, code="330782", name="义乌市", level=RegionLevel.county, parent_code=None)
        office = create_department(admin, code="YW-PAB", name="义乌市平安办", kind=DepartmentKind.safety_office,
                                   region=other, doc_prefix="义平安")
        stranger = create_user(username="yiwu", role=Role.safety_office, department=office, password=PASSWORD)
    with at("2026-03-10"):
        draft = draft_of(county, problems[0])
        with pytest.raises(Forbidden):
            create_exposure(stranger, title="曝光", items=places_of(problems[0]))
        submitted = create_exposure(county.users.office, title="待审批", items=places_of(problems[1]))
        for refused in (lambda: submit_exposure(stranger, draft), lambda: approve_exposure(stranger, submitted),
                        lambda: return_exposure(stranger, submitted, "退回"), lambda: discard_draft(stranger, draft),
                        lambda: set_expiry(stranger, draft, None),
                        lambda: update_draft(stranger, draft, title="改", items=places_of(problems[0]),
                                             expires_on=None)):
            with pytest.raises(Forbidden):
                refused()


def test_whoever_wrote_or_submitted_an_exposure_cannot_approve_or_return_it(county, problems, database):
    office, head, admin = county.users.office, county.users.head, county.users.admin
    with at("2026-03-10"):
        exposure = draft_of(county, problems[0])  # drafted by the office
        update_draft(head, exposure, title="主任改过的曝光", items=places_of(problems[0]), expires_on=None)
        submit_exposure(office, exposure)
        database.session.commit()
        for author in (office, head):  # the drafter, and the head who changed the draft
            with pytest.raises(Forbidden) as error:
                approve_exposure(author, exposure)
            assert "另一人" in error.value.message_zh
            with pytest.raises(Forbidden):
                return_exposure(author, exposure, "不行")
        assert exposure.status == ExposureStatus.awaiting_approval and exposure.approved_by_id is None
        approve_exposure(admin, exposure)  # a person who took no part in writing it
    assert exposure.status == ExposureStatus.published and exposure.approved_by_id == admin.id


def test_an_exposure_is_returned_with_a_reason_then_changed_and_submitted_again(county, problems, database):
    office, head = county.users.office, county.users.head
    shop, factory = problems
    with at("2026-03-10"):
        exposure = create_exposure(office, title="2026年第1期平安曝光", items=places_of(shop))
        assert exposure.status == ExposureStatus.awaiting_approval  # not a draft: submitted at once
        for refused in (lambda: update_draft(office, exposure, title="改", items=places_of(shop), expires_on=None),
                        lambda: discard_draft(office, exposure), lambda: submit_exposure(office, exposure)):
            with pytest.raises(TransitionRefused) as error:
                refused()
            assert "等待审批" in error.value.message_zh
        with pytest.raises(InvalidInput) as error:
            return_exposure(head, exposure, "  ")
        assert error.value.field == "reason" and exposure.status == ExposureStatus.awaiting_approval
        return_exposure(head, exposure, "请补充马涧五金加工厂的问题")
        database.session.commit()
    assert (exposure.status, exposure.return_reason) == (ExposureStatus.draft, "请补充马涧五金加工厂的问题")
    returned = database.session.scalars(select(Event).where(Event.action == "exposure.returned")).one()
    assert (returned.actor_id, returned.reason) == (head.id, "请补充马涧五金加工厂的问题")
    with at("2026-03-11"):
        with pytest.raises(TransitionRefused):
            approve_exposure(head, exposure)  # a returned exposure is a draft, not awaiting approval
        update_draft(office, exposure, title=exposure.title, items=places_of([*shop, *factory]), expires_on=None)
        submit_exposure(office, exposure)
        assert exposure.return_reason is None
        approve_exposure(head, exposure)
        with pytest.raises(TransitionRefused):
            return_exposure(head, exposure, "已发布后不能退回")
        database.session.commit()
    assert exposure.published_on == date(2026, 3, 11)
    assert count("exposure.submitted") == 2 and count("exposure.published") == 1
