"""即查即改: a finding rectified during the visit that found it is recorded closed with its photos, issues no
reminder and opens no case unless other findings remain; the statistics count it apart (hand counts)."""

from datetime import date

import pytest
from sqlalchemy import func, select

from inspect_loop import clock
from inspect_loop.cases.models import Case
from inspect_loop.cases.queries import risk_color
from inspect_loop.db import db
from inspect_loop.errors import Conflict, InvalidInput
from inspect_loop.inspections.models import (
    CloseKind,
    Finding,
    FindingStatus,
    Inspection,
    InspectionKind,
    Photo,
)
from inspect_loop.inspections.operations import NewFinding, record_inspection
from inspect_loop.letters.models import Document, DocumentKind
from inspect_loop.stats import by_category, monthly_trend
from inspect_loop.stats.queries import summary
from inspect_loop.units.models import UnitStatus
from tests.factories import inspect
from tests.helpers import at


@pytest.fixture(autouse=True)
def quick_letters(monkeypatch):
    """Which notices are issued is under test, not their typesetting."""
    monkeypatch.setattr("inspect_loop.letters.issuing.render_letter", lambda kind, context: b"%PDF-1.7 stand-in")


def photo_of(user) -> Photo:
    photo = Photo(sha256="0" * 64, content_type="image/jpeg", size=1, width=1, height=1, uploaded_at=clock.now(),
                  uploaded_by_id=user.id)
    db.session.add(photo)
    db.session.flush()
    return photo


def spot(county, code, note="当场整改"):
    return NewFinding(county.hazards[code], description=f"{code} 现场发现", on_the_spot=True, rectification_note=note,
                      rectification_photos=(photo_of(county.users.inspector),))


def record(county, unit, *findings, kind=InspectionKind.unannounced):
    return record_inspection(county.users.inspector, unit, kind, findings=list(findings))


def reminders() -> int:
    return db.session.scalar(select(func.count(Document.id)).where(Document.kind == DocumentKind.reminder))


def test_a_finding_rectified_on_the_spot_opens_no_case_and_issues_no_notice(county, database):
    shop = county.units.shop
    with at("2026-03-02", 10):
        inspection = record(county, shop, spot(county, "XF-01", "已接通应急照明灯电源"))
        assert risk_color(shop) == "green"
    [finding] = inspection.findings
    assert (finding.status, finding.close_kind, finding.case_id, inspection.case_id) == (
        FindingStatus.closed, CloseKind.on_the_spot, None, None)
    assert finding.closed_on == finding.found_on == finding.first_reported_on == date(2026, 3, 2)
    [report] = finding.rectifications
    assert report.note == "已接通应急照明灯电源" and len(report.photos) == 1 and finding.photos == []
    assert db.session.scalar(select(func.count(Case.id))) == 0 and reminders() == 0


def test_other_findings_open_the_case_without_those_rectified_on_the_spot(county, database):
    market = county.units.market
    with at("2026-03-03", 10):
        inspection = record(county, market, spot(county, "XF-01"), NewFinding(county.hazards["SP-01"]))
    fixed, left = inspection.findings
    case = db.session.get(Case, inspection.case_id)
    assert fixed.case_id == left.case_id == case.id  # the one on the spot is listed in the case, closed
    assert (fixed.status, left.status) == (FindingStatus.closed, FindingStatus.open)
    [notice] = db.session.scalars(select(Document).where(Document.kind == DocumentKind.reminder))
    assert [item["finding_id"] for item in notice.printed["findings"]] == [left.id]


def test_a_finding_rectified_on_the_spot_joins_an_open_case_closed(county, database):
    shop = county.units.shop
    with at("2026-03-02"):
        case = inspect(county, shop, "YD-01").findings[0].case
    with at("2026-03-04"):
        inspection = record(county, shop, spot(county, "XF-01"))
    assert inspection.case_id == case.id and inspection.findings[0].case_id == case.id
    assert reminders() == 1  # the first visit's only


@pytest.mark.parametrize("finding, field, words", [
    (lambda county: NewFinding(county.hazards["XF-01"], on_the_spot=True), "rectification_photos", "整改后的照片"),
    (lambda county: spot(county, "SC-01"), "on_the_spot", "重大隐患"),
])
def test_on_the_spot_needs_a_photo_and_a_general_hazard(county, database, finding, field, words):
    with at("2026-03-02"), pytest.raises(InvalidInput) as refused:
        record(county, county.units.shop, finding(county))
    assert refused.value.field == field and words in refused.value.message_zh
    db.session.rollback()
    assert db.session.scalar(select(func.count(Inspection.id))) == 0


@pytest.mark.parametrize("status", [UnitStatus.shut_down, UnitStatus.banned])
def test_a_place_shut_down_or_banned_cannot_put_a_finding_right_on_the_spot(county, database, status):
    """Found operating, it is 非法经营: the finding opens its case at 三次执法, not a closed problem."""
    shop = county.units.shop
    shop.status = status
    db.session.commit()
    with at("2026-03-02"), pytest.raises(Conflict) as refused:
        record(county, shop, spot(county, "XF-01"))
    assert refused.value.field == "on_the_spot" and "非法经营" in refused.value.message_zh
    db.session.rollback()
    assert db.session.scalar(select(func.count(Inspection.id))) == 0


def test_the_same_photo_cannot_show_the_problem_and_its_rectification(county, database):
    photo = photo_of(county.users.inspector)
    finding = NewFinding(county.hazards["XF-01"], photos=(photo,), on_the_spot=True, rectification_photos=(photo,))
    with at("2026-03-02"), pytest.raises(InvalidInput) as refused:
        record(county, county.units.shop, finding)
    assert refused.value.field == "rectification_photos"


def test_figures_count_findings_rectified_on_the_spot_apart(county, database):
    """Hand counts. March: the shop's XF-01 (on the spot), the market's XF-01 (on the spot) and SP-01 (left to
    rectify, the one case opened), the factory's YD-01 on the spot at a grid patrol; April: the shop's YD-01
    (left to rectify, a second case). On the spot: 3, closed the day they were found, so on time."""
    with at("2026-03-02"):
        record(county, county.units.shop, spot(county, "XF-01"))
        record(county, county.units.market, spot(county, "XF-01"), NewFinding(county.hazards["SP-01"]))
    with at("2026-03-20"):
        record(county, county.units.factory, spot(county, "YD-01"), kind=InspectionKind.grid_patrol)
    with at("2026-04-02"):
        record(county, county.units.shop, NewFinding(county.hazards["YD-01"]))
    db.session.commit()
    with at("2026-05-01"):
        march = summary(date(2026, 3, 1), date(2026, 3, 31))
        spring = summary(date(2026, 3, 1), date(2026, 4, 30))
        east = summary(date(2026, 3, 1), date(2026, 4, 30), "330781001")
        trend = monthly_trend(date(2026, 3, 1), date(2026, 4, 30))
        categories = by_category(date(2026, 3, 1), date(2026, 4, 30))
    assert (march["findings_found"], march["on_the_spot_rectified"], march["findings_closed"],
            march["findings_rectified_on_time"], march["on_time_rate"], march["cases_opened"]) == (4, 3, 3, 3, 1.0, 1)
    assert (spring["findings_found"], spring["on_the_spot_rectified"], spring["cases_opened"]) == (5, 3, 2)
    assert (east["findings_found"], east["on_the_spot_rectified"]) == (4, 2)  # the factory lies in 马涧镇
    assert [(row["month"], row["findings_found"], row["on_the_spot_rectified"]) for row in trend] == [
        ("2026-03", 4, 3), ("2026-04", 1, 0)]
    assert {row["category"]: (row["found"], row["on_the_spot"], row["closed"], row["open"]) for row in categories} == {
        "消防安全": (2, 2, 2, 0), "用电安全": (2, 1, 1, 1), "食品安全": (1, 0, 0, 1)}
    assert db.session.scalar(select(func.count(Finding.id)).where(Finding.case_id.is_(None))) == 2


def test_a_finding_rectified_on_the_spot_without_a_case_can_be_exposed(county, database):
    from inspect_loop.exposures.operations import ExposedPlace, create_exposure

    with at("2026-03-02"):
        [finding] = record(county, county.units.shop, spot(county, "XF-01")).findings
        exposure = create_exposure(county.users.office, title="2026年第1期平安曝光",
                                   items=[ExposedPlace(county.units.shop, [finding])])
    assert [item.findings for item in exposure.items] == [[finding]]
