"""延期: requests, decisions, who decides, the 交办单 deadline rule and the figures that read deadlines."""

from datetime import date

import pytest
from sqlalchemy import select

from inspect_loop import clock
from inspect_loop.assignments.operations import deadline_under_assignment, issue_assignment
from inspect_loop.audit.models import Event
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Stage
from inspect_loop.cases.queries import overdue_condition, risk_color
from inspect_loop.deadline_extensions.models import ExtensionStatus
from inspect_loop.deadline_extensions.operations import (
    decide_extension,
    request_extension,
    set_extension_decider,
)
from inspect_loop.errors import Conflict, Forbidden, InvalidInput, TransitionRefused
from inspect_loop.inspections.models import Finding, InspectionKind, Photo
from inspect_loop.inspections.operations import report_rectification
from inspect_loop.letters.models import Document, DocumentKind
from inspect_loop.regions.models import ExtensionDecider
from inspect_loop.stats.queries import Period, on_time_figures, summary
from tests.factories import inspect
from tests.helpers import at
from tests.letters.conftest import pdf_text, qr_urls


def new_finding(county, code="XF-01", day="2026-03-02", unit=None):
    with at(day):
        return inspect(county, unit or county.units.shop, code).findings[0]


def ask(county, finding, day="2026-03-05", until=date(2026, 3, 20), **options):
    with at(day):
        return request_extension(options.pop("actor", county.users.east), finding.case, findings=[finding],
                                 reason=options.pop("reason", "配件需从外地采购"), requested_deadline=until, **options)


def notices(database, kind=DocumentKind.extension) -> list[Document]:
    return list(database.session.scalars(select(Document).where(Document.kind == kind).order_by(Document.id)))


# -- requests and decisions ----------------------------------------------------------------------------------

def test_an_approval_moves_the_deadline_through_its_history_and_issues_the_notice(county, database):
    finding = new_finding(county)  # XF-01: 7 days, due 2026-03-09
    request = ask(county, finding)
    assert request.status == ExtensionStatus.pending and request.decider == county.office
    assert finding.deadline == date(2026, 3, 9) and notices(database) == []
    with at("2026-03-06"):
        decide_extension(county.users.office, request, approved=True, reason="情况属实")
    assert request.status == ExtensionStatus.approved and request.granted_deadline == date(2026, 3, 20)
    assert finding.deadline == date(2026, 3, 20)
    assert [(row.deadline, row.extension_id) for row in finding.deadlines] == [
        (date(2026, 3, 9), None), (date(2026, 3, 20), request.id)]
    [notice] = notices(database)
    assert notice.number == "兰平安延〔2026〕1号" and notice.issuer == county.office
    assert notice.extension_id == request.id and notice.case_id == finding.case_id
    actions = list(database.session.scalars(select(Event.action).where(Event.subject_type == "extension_request")))
    assert actions == ["extension.requested", "extension.approved"]


def test_the_notice_reads_back_with_title_number_old_and_new_deadline_and_its_qr(county, database, client):
    finding = new_finding(county)
    request = ask(county, finding)
    with at("2026-03-06"):
        decide_extension(county.users.office, request, approved=True, granted_deadline=date(2026, 3, 18))
    database.session.commit()
    [notice] = notices(database)
    text = pdf_text(notice.pdf)
    assert "准予延期整改通知书" in text and "兰平安延〔2026〕1号" in text and "某电子商务商行" in text
    assert "原期限2026年3月9日" in text and "现期限2026年3月18日前" in text
    assert "配件需从外地采购" in text and "应急照明灯未接通电源" in text
    # The township office that carried the request, by name, where the report goes too.
    assert "经兰江街道平安办申请延期" in text and "报兰江街道平安办。" in text
    [url] = [url for page in qr_urls(notice.pdf) for url in page]
    page = client.get(url.removeprefix("https://pingan.example.gov.cn"))
    assert page.status_code == 200 and notice.number in page.get_data(as_text=True)


def test_a_refusal_needs_a_reason_and_leaves_the_deadline(county, database):
    finding = new_finding(county)
    request = ask(county, finding)
    with at("2026-03-06"), pytest.raises(InvalidInput) as refused:
        decide_extension(county.users.office, request, approved=False, reason=" ")
    assert refused.value.field == "reason"
    with at("2026-03-06"):
        decide_extension(county.users.office, request, approved=False, reason="理由不充分")
    assert request.status == ExtensionStatus.refused and request.decision_reason == "理由不充分"
    assert finding.deadline == date(2026, 3, 9) and len(finding.deadlines) == 1 and notices(database) == []


@pytest.mark.parametrize("change, field", [
    ({"reason": ""}, "reason"),
    ({"reason": "长" * 2001}, "reason"),
    ({"until": date(2026, 3, 9)}, "requested_deadline"),  # not after the deadline it has
    ({"until": date(2100, 1, 1)}, "requested_deadline"),
])
def test_bad_requests_are_refused_and_name_the_field(county, database, change, field):
    finding = new_finding(county)
    with pytest.raises(InvalidInput) as refused:
        ask(county, finding, **change)
    assert refused.value.field == field


def test_only_the_unit_s_township_office_asks(county, database):
    finding = new_finding(county)
    for actor in (county.users.west, county.users.office, county.users.fire, county.users.inspector):
        with pytest.raises(Forbidden):
            ask(county, finding, actor=actor)


def test_one_pending_request_per_finding_and_none_on_a_closed_finding(county, database):
    finding = new_finding(county)
    first = ask(county, finding)
    with pytest.raises(Conflict) as refused:
        ask(county, finding, until=date(2026, 3, 25))
    assert refused.value.current == {"extension_id": first.id, "status": "pending"}
    with at("2026-03-06"):
        decide_extension(county.users.office, first, approved=False, reason="不同意")
    ask(county, finding, day="2026-03-07")  # decided: a new request may be made
    other = new_finding(county, "YD-01", unit=county.units.market)
    with at("2026-03-04"):
        inspect(county, county.units.market, kind=InspectionKind.reinspection, verified=[(other, True)])
    with pytest.raises(TransitionRefused):
        ask(county, other)


def test_a_decision_is_made_once_and_only_by_the_deciding_office(county, database):
    finding = new_finding(county)
    request = ask(county, finding)
    for actor in (county.users.fire, county.users.east, county.users.viewer):
        with at("2026-03-06"), pytest.raises(Forbidden):
            decide_extension(actor, request, approved=True)
    with at("2026-03-06"):
        decide_extension(county.users.admin, request, approved=True)
    with at("2026-03-06"), pytest.raises(Conflict) as refused:
        decide_extension(county.users.office, request, approved=False, reason="不同意")
    assert refused.value.current == {"extension_id": request.id, "status": "approved"}


def test_a_granted_date_must_lie_after_the_deadline(county, database):
    request = ask(county, new_finding(county))
    with at("2026-03-06"), pytest.raises(InvalidInput) as refused:
        decide_extension(county.users.office, request, approved=True, granted_deadline=date(2026, 3, 8))
    assert refused.value.field == "granted_deadline"


def test_after_the_case_left_the_stage_an_approval_is_refused_a_refusal_is_not(county, database):
    finding = new_finding(county)
    request = ask(county, finding)
    with at("2026-03-06"):
        ladder.escalate(finding.case, county.users.office, "重大隐患拒不整改", to_stage=Stage.warning)
    with at("2026-03-07"), pytest.raises(TransitionRefused) as refused:
        decide_extension(county.users.office, request, approved=True)
    assert "一次提醒" in refused.value.message_zh and refused.value.current["stage"] == "warning"
    assert finding.deadline == date(2026, 3, 9)
    with at("2026-03-07"):
        decide_extension(county.users.office, request, approved=False, reason="案件已升级")
    assert request.status == ExtensionStatus.refused


def test_the_county_office_may_let_the_regulators_decide(county, database):
    with pytest.raises(Forbidden):
        set_extension_decider(county.users.east, county.county, ExtensionDecider.regulator)
    with pytest.raises(InvalidInput):
        set_extension_decider(county.users.office, county.east, ExtensionDecider.regulator)
    with at("2026-03-01"):
        set_extension_decider(county.users.office, county.county, ExtensionDecider.regulator)
    assert county.county.extension_decider == ExtensionDecider.regulator
    fire_finding = new_finding(county)
    request = ask(county, fire_finding)
    assert request.decider == county.fire
    with at("2026-03-06"), pytest.raises(Forbidden):
        decide_extension(county.users.office, request, approved=True)
    with at("2026-03-06"):
        decide_extension(county.users.fire, request, approved=True)
    [notice] = notices(database)
    assert notice.issuer == county.fire and notice.number == "兰消延〔2026〕1号"
    # Findings of two regulators are asked for separately.
    with at("2026-03-02"):
        both = inspect(county, county.units.market, "XF-02", "SP-01").findings
    with at("2026-03-05"), pytest.raises(InvalidInput):
        request_extension(county.users.east, both[0].case, findings=both, reason="一并申请",
                          requested_deadline=date(2026, 3, 30))


# -- 交办单 deadlines ----------------------------------------------------------------------------------------

def test_a_jiaobandan_never_lengthens_a_deadline_the_major_hazard_example(county, database):
    """A 重大隐患 found on 12-01 is due 12-08 (5 working days); the 交办单 of 12-05 with its default 15 days
    (12-20) leaves it at 12-08, while a finding already past its deadline takes the 交办单's date."""
    with at("2026-11-20"):
        late = inspect(county, county.units.shop, "XF-01").findings[0]  # due 11-27
    with at("2026-12-01"):
        major = inspect(county, county.units.shop, "SC-01").findings[0]
    assert major.deadline == date(2026, 12, 8)
    with at("2026-12-02"):
        ladder.escalate(major.case, county.users.office, "存在重大隐患", to_stage=Stage.warning)
    with at("2026-12-05"):
        for_major = issue_assignment(county.users.office, major.case, county.emergency)
        for_late = issue_assignment(county.users.office, late.case, county.fire)
    assert for_major.deadline == date(2026, 12, 20)
    assert major.deadline == date(2026, 12, 8)
    assert late.deadline == date(2026, 12, 20)
    assert [row.deadline for row in major.deadlines] == [date(2026, 12, 8), date(2026, 12, 8)]
    text = pdf_text(database.session.scalar(select(Document.pdf).where(Document.assignment_id == for_major.id)))
    assert "原期限2026年12月8日现期限2026年12月8日前" in text
    late_text = pdf_text(database.session.scalar(select(Document.pdf).where(Document.assignment_id == for_late.id)))
    assert "原期限2026年11月27日现期限2026年12月20日前" in late_text
    # Only an approved extension of the 交办单 lengthens it.
    with at("2026-12-06"):
        request = request_extension(county.users.east, major.case, assignment=for_major, reason="需停产检修",
                                    requested_deadline=date(2026, 12, 22))
    assert [finding.id for finding in request.findings] == [major.id]
    with at("2026-12-07"):
        decide_extension(county.users.office, request, approved=True)
    assert major.deadline == for_major.deadline == date(2026, 12, 22)


def test_a_later_jiaobandan_keeps_a_deadline_an_approved_extension_granted(county, database):
    """The unit holds a 准予延期整改通知书 until 03-20; a 交办单 issued afterwards naming 03-15 does not take it
    back (it failed before: the 交办单 silently shortened the granted deadline to 03-15)."""
    finding = new_finding(county)  # due 03-09
    request = ask(county, finding)  # until 03-20
    with at("2026-03-06"):
        decide_extension(county.users.office, request, approved=True)
        ladder.escalate(finding.case, county.users.office, "存在重大隐患", to_stage=Stage.warning)
    with at("2026-03-07"):
        assignment = issue_assignment(county.users.office, finding.case, county.fire, deadline=date(2026, 3, 15))
    assert finding.deadline == date(2026, 3, 20)
    assert [row.deadline for row in finding.deadlines][-1] == date(2026, 3, 20)
    text = pdf_text(database.session.scalar(select(Document.pdf).where(Document.assignment_id == assignment.id)))
    assert "原期限2026年3月20日现期限2026年3月20日前" in text


def test_the_rule_in_one_function(county, database):
    finding = Finding(deadline=date(2026, 12, 8))
    today = date(2026, 12, 5)
    assert deadline_under_assignment(finding, date(2026, 12, 20), today) == date(2026, 12, 8)
    assert deadline_under_assignment(finding, date(2026, 12, 6), today) == date(2026, 12, 6)
    assert deadline_under_assignment(finding, date(2026, 12, 20), date(2026, 12, 9)) == date(2026, 12, 20)


# -- figures -------------------------------------------------------------------------------------------------

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def test_overdue_and_the_three_colours_follow_the_extended_deadline(county, database):
    finding = new_finding(county)  # due 03-09
    request = ask(county, finding)
    with at("2026-03-06"):
        decide_extension(county.users.office, request, approved=True)  # to 03-20

    def overdue_on(day):
        return database.session.scalar(select(Finding.id).where(overdue_condition(day)))

    assert overdue_on(date(2026, 3, 12)) is None and overdue_on(date(2026, 3, 21)) == finding.id
    with at("2026-03-12"):
        assert risk_color(county.units.shop) == "green"
    with at("2026-03-21"):
        assert risk_color(county.units.shop) == "yellow"


def test_on_time_reads_the_deadline_in_force_when_rectified(county, database):
    """Extended before the report: on time by the new deadline. Reported late, extended the next day: still
    late (a deadline set on the day of the report would count: deadlines are days)."""
    extended, late = new_finding(county), new_finding(county, "YD-01", unit=county.units.market)  # 03-09, 03-07
    request = ask(county, extended)
    with at("2026-03-06"):
        decide_extension(county.users.office, request, approved=True)  # to 03-20
    with at("2026-03-15"):
        report_rectification(county.users.east, extended, "已接通应急照明电源")
        report_rectification(county.users.east, late, "已重新布线")
    late_request = ask(county, late, day="2026-03-15", until=date(2026, 3, 25))
    with at("2026-03-16", 9):
        decide_extension(county.users.office, late_request, approved=True)
    with at("2026-03-16"):
        inspect(county, county.units.shop, kind=InspectionKind.reinspection, verified=[(extended, True)])
        inspect(county, county.units.market, kind=InspectionKind.reinspection, verified=[(late, True)])
    figures = on_time_figures(MARCH)
    assert figures == {"findings_closed": 2, "findings_rectified_on_time": 1, "on_time_rate": 0.5}


def test_extension_figures_count_requests_and_decisions_by_their_days(county, database):
    approved, refused = new_finding(county), new_finding(county, "YD-01", unit=county.units.market)
    first = ask(county, approved, day="2026-02-27")
    second = ask(county, refused)
    ask(county, new_finding(county, "SP-01", unit=county.units.factory), actor=county.users.west)  # pending
    with at("2026-03-06"):
        decide_extension(county.users.office, first, approved=True)
        decide_extension(county.users.office, second, approved=False, reason="不同意")
    figures = summary(date(2026, 3, 1), date(2026, 3, 31))["extensions"]
    assert figures == {"requested": 2, "approved": 1, "refused": 1}
    assert summary(date(2026, 3, 1), date(2026, 3, 31), "330781101")["extensions"] == {
        "requested": 1, "approved": 0, "refused": 0}


def test_the_request_keeps_its_evidence_photos(county, database):
    finding = new_finding(county)
    with at("2026-03-05"):
        photo = Photo(sha256="0" * 64, content_type="image/jpeg", size=1, width=1, height=1,
                      uploaded_at=clock.now(), uploaded_by_id=county.users.east.id)
        database.session.add(photo)
        request = ask(county, finding, photos=[photo])
    assert photo.extension_id == request.id and request.photos == [photo]
