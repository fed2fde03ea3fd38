"""The inbox of the recipients opens on 待办 — what waits for the reader's department — with the hazards and
the days left or overdue of each row, the most urgent first; a regulator signs off and a township office
closes out several findings of one 交办单 in one action, all of them or none."""

import re
from datetime import date

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import event, func, select

from inspect_loop.assignments.models import CloseOut, SignOff
from inspect_loop.assignments.operations import (
    close_out,
    close_out_findings,
    issue_assignment,
    receive_assignment,
    sign_off,
)
from inspect_loop.audit.models import Event
from inspect_loop.db import db
from inspect_loop.errors import Conflict
from inspect_loop.hazards.models import DayBasis, Severity
from inspect_loop.inspections.models import FindingStatus, InspectionKind
from inspect_loop.inspections.operations import report_rectification
from inspect_loop.regions.operations import create_hazard_type
from inspect_loop.units.operations import create_unit
from tests.factories import PASSWORD, inspect
from tests.helpers import at
from tests.web.conftest import launch_chromium, needs_chromium

TODAY = "2026-03-30"


def unit_in_east(county, name):
    unit = create_unit(county.users.admin, name=name, region=county.east, address=f"兰江街道{name}路",
                       category="商铺")
    db.session.commit()
    return unit


def assigned(county, unit, *codes, deadline="2026-04-04", issued="2026-03-20"):
    """A case at 二次警示 (found 2026-03-02, failed its re-inspection 2026-03-13) with a 交办单 of its findings to
    the fire brigade and the township office of 兰江街道, issued on ``issued``, due on ``deadline``."""
    with at("2026-03-02"):
        case = inspect(county, unit, *(codes or ("XF-01",))).findings[0].case
    with at("2026-03-13"):
        inspect(county, unit, kind=InspectionKind.reinspection,
                verified=[(finding, False) for finding in case.findings])
    with at(issued):
        assignment = issue_assignment(county.users.office, case, county.fire,
                                      deadline=date.fromisoformat(deadline))
    db.session.commit()
    return assignment


def users(county, *names):
    return [next(user for user in vars(county.users).values() if user.username == name) for name in names]


def act(day, operation, *arguments, **keywords):
    with at(day):
        result = operation(*arguments, **keywords)
    db.session.commit()
    return result


def listed(page: str) -> list[int]:
    """The 交办单 ids of a list page, in their order."""
    return [int(number) for number in re.findall(r'<tr id="row-(\d+)"', page)]


def tab_count(page: str, tab: str) -> int:
    match = re.search(rf'id="tab-{tab}"[^>]*>[^<]*<span class="count-badge">(\d+)</span>', page)
    assert match, tab
    return int(match.group(1))


@pytest.fixture
def stages(county):
    """One 交办单 at each step of 双交办, each for a unit of 兰江街道 (township office ``east``)."""
    fire, east = users(county, "fire", "east")
    new = assigned(county, county.units.shop)
    received = assigned(county, county.units.market)
    reported = assigned(county, unit_in_east(county, "甲"))
    refused = assigned(county, unit_in_east(county, "乙"))
    signed = assigned(county, unit_in_east(county, "丙"))
    closed = assigned(county, unit_in_east(county, "丁"))
    for assignment in (received, reported, refused, signed, closed):
        act("2026-03-21", receive_assignment, fire, assignment)
        act("2026-03-21", receive_assignment, east, assignment)
    for assignment in (reported, refused, signed, closed):
        act("2026-03-22", report_rectification, east, assignment.findings[0], "已整改")
    act("2026-03-23", sign_off, fire, refused.findings[0], approved=False, note="照片不清")
    for assignment in (signed, closed):
        act("2026-03-23", sign_off, fire, assignment.findings[0], approved=True)
    act("2026-03-24", close_out, east, closed.findings[0])
    return {"new": new, "received": received, "reported": reported, "refused": refused, "signed": signed,
            "closed": closed}


def test_the_regulators_inbox_opens_on_what_waits_for_it(login, county, stages):
    with at(TODAY):
        client = login("fire")
        page = client.get("/inbox").get_data(as_text=True)
        everything = client.get("/inbox?status=all").get_data(as_text=True)
    # Not received yet, and reported awaiting its sign-off; not what waits for the township office or is done.
    assert set(listed(page)) == {stages["new"].id, stages["reported"].id}
    assert 'id="tab-todo" aria-current="page"' in page and tab_count(page, "todo") == 2
    assert set(listed(everything)) == {assignment.id for assignment in stages.values()}
    assert tab_count(page, "all") == 6 and 'id="tab-all" aria-current="page"' in everything


def test_the_township_offices_inbox_opens_on_what_waits_for_it(login, county, stages):
    with at(TODAY):
        page = login("east").get("/inbox").get_data(as_text=True)
    # To receive, to report, to report again after a refusal, to close out; not what the regulator holds.
    assert set(listed(page)) == {stages[key].id for key in ("new", "received", "refused", "signed")}
    assert tab_count(page, "todo") == 4


def test_a_refusal_waits_for_the_regulator_again_once_reported_anew(login, county, stages):
    act("2026-03-25", report_rectification, users(county, "east")[0], stages["refused"].findings[0], "补拍照片")
    with at(TODAY):
        assert stages["refused"].id in listed(login("fire").get("/inbox").get_data(as_text=True))
        assert stages["refused"].id not in listed(login("east").get("/inbox").get_data(as_text=True))


def test_rows_name_the_hazards_and_the_days_left_or_overdue_the_most_urgent_first(login, county):
    county.hazards["XF-03"] = create_hazard_type(county.users.admin, code="XF-03", category="消防安全", title="疏散通道堵塞", sector="消防",
                       severity=Severity.general, rectify_days=7, day_basis=DayBasis.calendar)
    db.session.commit()
    later = assigned(county, county.units.shop, deadline="2026-04-02", issued="2026-03-18")
    overdue = assigned(county, county.units.market, deadline="2026-03-28", issued="2026-03-20")
    more_overdue = assigned(county, unit_in_east(county, "甲"), "XF-01", "XF-02", "XF-03",
                            deadline="2026-03-25", issued="2026-03-21")
    sooner = assigned(county, unit_in_east(county, "乙"), deadline="2026-04-01", issued="2026-03-19")
    with at(TODAY):
        page = login("fire").get("/inbox").get_data(as_text=True)
    assert listed(page) == [more_overdue.id, overdue.id, sooner.id, later.id]
    row = page[page.index(f'id="row-{more_overdue.id}"'):page.index(f'id="row-{overdue.id}"')]
    assert "应急照明灯未接通电源、消防设施配备不全等3项" in row and '未销号3<span class="overdue">（逾期3）</span>' in row
    assert "03-25 <span class=\"overdue\">逾期5天</span>" in row
    assert "剩2天" in page[page.index(f'id="row-{sooner.id}"'):page.index(f'id="row-{later.id}"')]


def test_the_list_reads_its_rows_without_a_query_per_row(login, county):
    """Two rows or six: the page sends the same number of statements (the summary is one GROUP BY, the
    hazards one selectinload)."""
    def statements_for_inbox():
        seen = []

        def count(*_arguments):
            seen.append(1)

        with at(TODAY):
            client = login("fire")
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                assert client.get("/inbox?status=all").status_code == 200
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    assigned(county, county.units.shop)
    assigned(county, county.units.market)
    few = statements_for_inbox()
    for name in ("甲", "乙", "丙", "丁"):
        assigned(county, unit_in_east(county, name), "XF-01", "XF-02")
    assert statements_for_inbox() == few


# -- several findings in one action --------------------------------------------------------------------------

def events(action) -> int:
    return db.session.scalar(select(func.count(Event.id)).where(Event.action == action))


def reported_pair(county):
    """A 交办单 of two fire findings, received and reported rectified by the township office."""
    fire, east = users(county, "fire", "east")
    assignment = assigned(county, county.units.shop, "XF-01", "XF-02")
    act("2026-03-21", receive_assignment, fire, assignment)
    act("2026-03-21", receive_assignment, east, assignment)
    for finding in assignment.findings:
        act("2026-03-22", report_rectification, east, finding, "已整改")
    return assignment


def test_a_regulator_signs_off_several_findings_in_one_action_each_audited(login, county):
    assignment = reported_pair(county)
    first, second = assignment.findings
    with at(TODAY):
        client = login("fire")
        page = client.get(f"/inbox/{assignment.id}").get_data(as_text=True)
        assert 'id="batch-all"' in page and f'id="batch-{first.id}"' in page and f'id="batch-{second.id}"' in page
        response = client.post(f"/inbox/{assignment.id}/sign-offs",
                               data={"finding_ids": [str(first.id), str(second.id)], "note": "符合要求"})
    assert response.status_code == 302
    db.session.expire_all()
    assert first.signed_off_at and second.signed_off_at
    assert events("finding.signed_off") == 2
    assert {decision.note for decision in db.session.scalars(select(SignOff))} == {"符合要求"}


def test_a_township_office_closes_out_several_findings_in_one_action_and_the_case_closes(login, county):
    assignment = reported_pair(county)
    fire = users(county, "fire")[0]
    for finding in assignment.findings:
        act("2026-03-23", sign_off, fire, finding, approved=True)
    with at(TODAY):
        client = login("east")
        assert 'id="submit-batch"' in client.get(f"/inbox/{assignment.id}").get_data(as_text=True)
        response = client.post(f"/inbox/{assignment.id}/close-outs",
                               data={"finding_ids": [str(finding.id) for finding in assignment.findings]})
    assert response.status_code == 302
    db.session.expire_all()
    assert all(finding.status == FindingStatus.closed for finding in assignment.findings)
    assert events("finding.closed_out") == 2 and assignment.case.outcome is not None


def test_a_batch_with_one_finding_not_eligible_changes_nothing_and_names_it(login, county):
    assignment = reported_pair(county)
    first, second = assignment.findings
    act("2026-03-23", sign_off, users(county, "fire")[0], first, approved=True)
    with at(TODAY):
        client = login("east")
        refused = client.post(f"/inbox/{assignment.id}/close-outs",
                              data={"finding_ids": [str(first.id), str(second.id)], "note": "验收合格"})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 409
        assert f"问题编号{second.id}：问题“消防设施配备不全”尚未经行业主管部门签认，不能销号" in page
        assert 'checked' in page[page.index(f'id="batch-{first.id}"') - 120:page.index(f'id="batch-{first.id}"') + 40]
        signed_again = login("fire").post(f"/inbox/{assignment.id}/sign-offs",
                                          data={"finding_ids": [str(first.id), str(second.id)]})
        assert signed_again.status_code == 409 and f"问题编号{first.id}：问题“应急照明灯未接通电源”" in \
            signed_again.get_data(as_text=True)
    db.session.expire_all()
    assert first.status == second.status == FindingStatus.open and second.signed_off_at is None
    assert db.session.scalar(select(func.count(CloseOut.id))) == 0
    assert events("finding.closed_out") == 0 and events("finding.signed_off") == 1


def test_a_batch_takes_only_findings_of_its_own_assignment_and_its_own_recipient(login, county):
    assignment = reported_pair(county)
    other = assigned(county, county.units.market)
    with at(TODAY):
        wrong = login("fire").post(f"/inbox/{assignment.id}/sign-offs",
                                   data={"finding_ids": [str(other.findings[0].id)]})
        assert wrong.status_code == 400 and "不在该交办单上" in wrong.get_data(as_text=True)
        empty = login("fire").post(f"/inbox/{assignment.id}/sign-offs", data={})
        assert empty.status_code == 400 and "请至少选择一个问题" in empty.get_data(as_text=True)
        assert login("east").post(f"/inbox/{assignment.id}/sign-offs",
                                  data={"finding_ids": [str(assignment.findings[0].id)]}).status_code == 403
        assert login("market").post(f"/inbox/{assignment.id}/sign-offs",
                                    data={"finding_ids": [str(assignment.findings[0].id)]}).status_code == 403


def test_the_batch_operation_refuses_a_department_that_is_not_the_recipient(county):
    assignment = reported_pair(county)
    with at(TODAY), pytest.raises(Exception) as refusal:
        close_out_findings(users(county, "west")[0], assignment, [assignment.findings[0].id])
    assert "属地平安办" in str(refusal.value)
    assert not isinstance(refusal.value, Conflict)


@needs_chromium
def test_on_a_phone_the_rows_are_two_lines_and_select_all_signs_off_every_finding_in_one_tap(live_server, county):
    assignment = reported_pair(county)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.goto(f"{live_server}/login")
        page.fill("input[name=username]", "fire")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.press("input[name=password]", "Enter")
        page.goto(f"{live_server}/inbox")
        heights = page.eval_on_selector_all("table.rows tbody tr", "rows => rows.map(row => row.offsetHeight)")
        assert len(heights) == 1 and heights[0] <= 64
        with page.expect_navigation():
            page.click("table.rows a.row-link")
        page.check("#batch-all")
        assert [box.is_checked() for box in page.query_selector_all("input[name=finding_ids]")] == [True, True]
        with page.expect_navigation():
            page.click("#submit-batch")
        assert "所选问题已签认" in page.inner_text("main")
        browser.close()
    db.session.expire_all()
    assert all(finding.signed_off_at for finding in assignment.findings)


def test_the_batch_form_leaves_out_a_finding_refused_since_its_last_report(login, county, stages):
    """A refused rectification waits for the township office's new report, not for the regulator: the batch
    offers the regulator only what awaits its sign-off (policy.awaiting_sign_off), as the 待办 does."""
    refused, reported = stages["refused"], stages["reported"]
    fire = login("fire")
    assert f'id="batch-{refused.findings[0].id}"' not in fire.get(f"/inbox/{refused.id}").get_data(as_text=True)
    assert f'id="batch-{reported.findings[0].id}"' in fire.get(f"/inbox/{reported.id}").get_data(as_text=True)
