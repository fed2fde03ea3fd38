"""The public verification page of each kind of notice: what the paper printed (title, deadlines, findings,
a summons' appointment), kept at issue so later changes do not rewrite it; the matter's state on the ladder
today; the fingerprint behind a toggle; whom to call about a notice that does not verify or was revoked."""

import re
from datetime import date
from html import unescape
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest

from inspect_loop.assignments.operations import issue_assignment
from inspect_loop.db import db
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.enforcement.operations import record_enforcement
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.letters import issuing, render, views
from inspect_loop.letters.models import Document, DocumentKind
from inspect_loop.letters.printed import printed_facts
from inspect_loop.letters.verification import offices_to_ask
from tests.factories import inspect
from tests.helpers import at
from tests.letters.conftest import document_of, pdf_text, to_warning
from tests.web.conftest import launch_chromium, live_server, needs_chromium  # noqa: F401  (live_server: a fixture)
from tests.web.test_i18n import chinese_left, stored_texts

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "verify"


def page_of(client, document: Document, **options):
    return client.get(urlsplit(issuing.verify_url(document)).path, **options)


def api_of(client, document: Document) -> dict:
    return client.get(urlsplit(issuing.verify_url(document)).path.replace("/v/", "/api/v1/verify/")).get_json()


def field(html: str, element_id: str) -> str:
    """The text of the element with ``element_id`` (one that holds no element of its own tag), tags removed."""
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no #{element_id} on the page"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(2))).split())


def cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_kind_s_page_shows_the_title_deadlines_and_findings_its_paper_prints(every_kind, client, kind):
    document = getattr(every_kind, kind.value)
    paper = pdf_text(document.pdf)
    title = render.printed_title(kind.value)
    assert document.printed["title"] == title and title in paper
    html = page_of(client, document).get_data(as_text=True)
    assert field(html, "title") == title
    deadlines = [date.fromisoformat(day) for day in document.printed["deadlines"]]
    assert deadlines and field(html, "deadlines") == "、".join(day.isoformat() for day in deadlines)
    for day in deadlines:
        assert cn(day) in paper, (kind, day)
    findings = field(html, "findings")
    assert document.printed["findings"]
    for row in document.printed["findings"]:
        assert row["hazard_title"] in paper and row["hazard_title"] in findings
        assert row["category"] in findings and row["deadline"] in findings
    major = [row for row in document.printed["findings"] if row["severity"] == "major"]
    assert findings.count("（重大隐患）") == len(major)


def test_the_page_of_a_summons_shows_its_appointment(every_kind, client):
    html = page_of(client, every_kind.summons).get_data(as_text=True)
    assert field(html, "appointment-time") == "2026-03-20 14:30"
    assert field(html, "appointment-venue") == "兰溪市平安警示教育站"
    assert 'id="appointment-time"' not in page_of(client, every_kind.reminder).get_data(as_text=True)


def test_a_later_change_of_a_deadline_leaves_what_was_printed_and_shows_today_s(county, client, database):
    case = to_warning(county, county.units.shop, "XF-01")  # reminder on 03-02: deadline 7 days later
    reminder = document_of(database, DocumentKind.reminder)
    printed = dict(reminder.printed)
    with at("2026-03-21"):
        issue_assignment(county.users.office, case, county.fire, deadline=date(2026, 4, 30))
    database.session.commit()
    assert reminder.printed == printed
    html = page_of(client, reminder).get_data(as_text=True)
    assert field(html, "deadlines") == "2026-03-09"
    row = field(html, "findings")
    assert "2026-03-09" in row and "现为2026-04-30" in row
    assert field(html, "status") == "二次警示·督促整改中"
    answer = api_of(client, reminder)
    assert answer["deadlines"] == ["2026-03-09"]
    assert answer["findings"][0]["deadline"] == "2026-03-09" and answer["findings"][0]["deadline_now"] == "2026-04-30"
    # The 交办单 printed the new deadline: nothing has moved since.
    assignment = page_of(client, document_of(database, DocumentKind.assignment)).get_data(as_text=True)
    assert field(assignment, "deadlines") == "2026-04-30" and "现为" not in field(assignment, "findings")


def test_the_state_follows_the_ladder_and_a_case_at_enforcement_is_not_rectifying(county, client, database):
    with at("2026-03-02"):
        case = inspect(county, county.units.market, "SP-01").findings[0].case
    database.session.commit()
    market_reminder = document_of(database, DocumentKind.reminder)
    assert field(page_of(client, market_reminder).get_data(as_text=True), "status") == "一次提醒·整改中"
    assert (api_of(client, market_reminder)["matter_status"], api_of(client, market_reminder)["stage"]) == (
        "in_progress", "reminder")
    with at("2026-03-10"):
        inspect(county, county.units.market, kind=InspectionKind.reinspection,
                verified=[(finding, True) for finding in case.findings])
    database.session.commit()
    assert field(page_of(client, market_reminder).get_data(as_text=True), "status") == "已整改销号"
    assert api_of(client, market_reminder)["matter_status"] == "closed_out"


def test_at_enforcement_every_notice_of_the_case_says_so_until_the_shutdown(every_kind, client, county, database):
    for kind in DocumentKind:
        html = page_of(client, getattr(every_kind, kind.value)).get_data(as_text=True)
        assert field(html, "status") == "三次执法·依法查处中", kind
        assert "整改中" not in html and "未销号" in field(html, "findings")
        answer = api_of(client, getattr(every_kind, kind.value))
        assert answer["stage"] == "enforcement" and answer["matter_label"] == "三次执法·依法查处中"
    with at("2026-04-20"):
        record_enforcement(county.users.office, every_kind.case, ActionKind.shutdown, departments=[county.fire])
    database.session.commit()
    for kind in DocumentKind:
        assert field(page_of(client, getattr(every_kind, kind.value)).get_data(as_text=True), "status") == "已关停"
    assert api_of(client, every_kind.referral)["matter_status"] == "shut_down"


def test_the_fingerprint_sits_behind_a_toggle(every_kind, client):
    document = every_kind.reminder
    html = page_of(client, document).get_data(as_text=True)
    toggle = re.search(r'<details class="card fingerprint" id="fingerprint">\s*<summary>(.*?)</summary>(.*?)</details>',
                       html, re.S)
    assert toggle and "SHA-256" in toggle.group(1)
    assert document.sha256 in toggle.group(2) and html.count(document.sha256) == 1


def test_a_superseded_or_revoked_notice_links_to_the_current_version(every_kind, client, county, database):
    with at("2026-04-11"):
        new = issuing.reissue(every_kind.summons, county.users.office, "通知书遗失，重新送达")
    database.session.commit()
    html = page_of(client, every_kind.summons).get_data(as_text=True)
    link = re.search(r'id="current-version" href="([^"]+)"', html).group(1)
    assert link == urlsplit(issuing.verify_url(new)).path
    assert "（第2版）" in client.get(link).get_data(as_text=True)
    assert api_of(client, every_kind.summons)["current_version"] == {
        "number": new.number, "version": 2, "verify_url": issuing.verify_url(new)}
    assert api_of(client, new)["current_version"] is None and 'id="current-version"' not in client.get(
        link).get_data(as_text=True)
    with at("2026-04-12"):
        issuing.revoke(every_kind.summons, county.users.office, "误发")
    database.session.commit()
    revoked = page_of(client, every_kind.summons).get_data(as_text=True)
    assert "该文书已作废" in revoked and 'id="current-version"' in revoked


def test_a_notice_that_does_not_verify_names_the_offices_to_ask(every_kind, client, county):
    unknown = client.get("/v/not-a-token")
    assert unknown.status_code == 404
    assert field(unknown.get_data(as_text=True), "offices").startswith("请向以下机关核实 兰溪市平安办")
    assert "兰江街道平安办" not in field(unknown.get_data(as_text=True), "offices")
    # A typed number that matches no notice: the office its prefix names.
    typed = client.get("/v", query_string={"number": "兰江平安提[2026]9", "code": "ZZZZ-ZZZZ"})
    assert typed.status_code == 404
    offices = field(typed.get_data(as_text=True), "offices")
    assert "兰江街道平安办" in offices and "兰溪市平安办" not in offices
    assert offices_to_ask(None, "马涧平安约（2026）3号") == [county.west_office]
    assert offices_to_ask(None, "兰消执〔2026〕1号") == [county.fire]
    assert offices_to_ask(None, "某某〔2026〕1号") == offices_to_ask(None, "") == [county.office]
    assert offices_to_ask(every_kind.referral, "") == [county.office]
    # A genuine notice in force sends nobody elsewhere; a revoked one names its issuer.
    assert 'id="offices"' not in page_of(client, every_kind.reminder).get_data(as_text=True)
    with at("2026-04-11"):
        issuing.revoke(every_kind.reminder, county.users.office, "录入错误")
    db.session.commit()  # as the request that revokes does: the verification page reads what was committed
    assert "兰溪市平安办" in field(page_of(client, every_kind.reminder).get_data(as_text=True), "offices")


def test_an_office_s_phone_is_a_tel_link_when_it_has_one(client, monkeypatch):
    office = SimpleNamespace(name="兰溪市平安办", full_name="兰溪市平安建设工作领导小组办公室", contact_phone="0579 8888 1234")
    monkeypatch.setattr(views, "offices_to_ask", lambda document, number: [office])
    offices = client.get("/v/not-a-token").get_data(as_text=True)
    assert 'href="tel:057988881234"' in offices and "兰溪市平安建设工作领导小组办公室" in offices
    office.contact_phone = ""
    assert "tel:" not in client.get("/v/not-a-token").get_data(as_text=True)


def test_a_notice_issued_before_its_printed_facts_were_kept_reads_today_s_rows_and_says_so(every_kind, client,
                                                                                          database):
    document = every_kind.reminder
    kept = document.printed
    document.printed = None
    database.session.commit()
    html = page_of(client, document).get_data(as_text=True)
    assert "可能与纸质文书不同" in field(html, "printed-note")
    assert field(html, "title") == "整改提醒通知书"
    for row in kept["findings"]:
        assert row["hazard_title"] in field(html, "findings")
    answer = api_of(client, document)
    assert answer["printed_recorded"] is False and answer["title"] == "整改提醒通知书"
    assert api_of(client, every_kind.summons)["printed_recorded"] is True


def test_the_api_answers_the_printed_facts_and_the_state_without_internal_ids(every_kind, client):
    answer = api_of(client, every_kind.summons)
    assert answer["title"] == "警示约谈通知书" and answer["document_status"] == "valid"
    assert answer["appointment"] == {"held_at": "2026-03-20T14:30:00+08:00", "venue": "兰溪市平安警示教育站"}
    assert answer["deadlines"] == every_kind.summons.printed["deadlines"]
    assert [(row["hazard_title"], row["major"]) for row in answer["findings"]] == [
        ("应急照明灯未接通电源", False), ("消防设施配备不全", False), ("危险化学品储存不规范", True)]
    assert all(set(row) == {"hazard_title", "category", "major", "deadline", "status", "status_label",
                            "deadline_now"} for row in answer["findings"])


def test_the_printed_facts_are_what_the_template_data_holds():
    data = {"findings": [{"finding_id": 7, "hazard_title": "甲", "category": "乙", "severity": "major",
                          "deadline": date(2026, 3, 9), "description": "", "found_on": date(2026, 3, 2)}],
            "assignment": {"deadline": date(2026, 3, 5)}}
    assert printed_facts(DocumentKind.assignment, data) == {
        "title": "安全隐患整改交办单", "deadlines": ["2026-03-05", "2026-03-09"],
        "findings": [{"finding_id": 7, "hazard_title": "甲", "category": "乙", "severity": "major",
                      "deadline": "2026-03-09"}]}


def test_the_page_reads_in_english_but_for_what_the_paper_prints(every_kind, client, county):
    html = page_of(client, every_kind.assignment, query_string={"lang": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in html and "(assignment order" in html.lower()
    # The office's prefix alone is left out of the user data: taken out of the form's example number
    # (兰平安交〔2026〕12号, a quoted name) it would leave a piece of that name behind.
    data = [text for text in stored_texts() if text != county.office.doc_prefix]
    assert not chinese_left(html, data), chinese_left(html, data)


@pytest.mark.browser
@needs_chromium
def test_the_page_fits_a_phone_375_px_wide_and_the_toggle_opens(every_kind, live_server):  # noqa: F811
    from playwright.sync_api import sync_playwright

    path = urlsplit(issuing.verify_url(every_kind.referral)).path
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            tab = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True,
                                      base_url=live_server).new_page()
            problems = []
            tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            tab.on("pageerror", lambda error: problems.append(str(error)))
            tab.goto(path)
            assert tab.evaluate("document.documentElement.scrollWidth") <= 375
            assert tab.locator("#status").inner_text() == "三次执法·依法查处中"
            assert tab.locator("#findings tbody tr").count() == 3
            sha256 = tab.locator("#sha256")
            assert not sha256.is_visible()
            tab.click("#fingerprint summary")
            assert sha256.is_visible() and every_kind.referral.sha256 in sha256.inner_text()
            assert tab.evaluate("document.documentElement.scrollWidth") <= 375
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=ARTIFACTS / "genuine-375px.png", full_page=True)
            assert problems == []
            tab.goto("/v/not-a-token")  # answered 404, which the console reports: not a fault of the page
            assert "兰溪市平安办" in tab.locator("#offices").inner_text()
            assert tab.evaluate("document.documentElement.scrollWidth") <= 375
            tab.screenshot(path=ARTIFACTS / "not-genuine-375px.png", full_page=True)
        finally:
            browser.close()


def test_a_visitor_who_scans_a_notice_gets_no_cookie(every_kind, client):
    """A citizen checking a notice is not given a session: the public pages carry no CSRF token (they post
    nothing), and a kept page is served without one."""
    paths = [urlsplit(issuing.verify_url(every_kind.reminder)).path, "/v", "/v?number=x&code=y", "/exposures"]
    for path in paths + paths:  # the second time from the page cache
        response = client.get(path)
        assert response.status_code in (200, 404) and "Set-Cookie" not in response.headers, path
