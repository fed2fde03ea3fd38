"""Every list reads in two lines per row on a phone (issue 13): in Debian's Chromium at 360 x 740, each row of
each list (``m.list_table``) is at most ``MAX_ROW_HEIGHT`` px tall, shows two lines of text and no desktop cell
but an action button (``phone-keep``), and its ``.row-link`` covers the row and is a tap target of at least
``MIN_TAP_TARGET`` px.

Why 64 px: a phone row is two lines of text, line 1 at 1 rem x 1.45 (23 px) and line 2 at 0.88 rem x 1.45
(20 px), inside 2 x 0.45 rem of padding (14 px) and a 1 px border above and below: 60 px. 64 px leaves room
for font metrics and rounding, and no room for a third line. A row is one tap target, so it is never under
44 px (WCAG 2.5.5, Apple's 44 pt).

One browser, one live server, one data set for every list; the clock is frozen on ``TODAY`` so the
deadlines, plans and dues of the data are what each list shows.

Other lists join by adding a line to ``LISTS`` (and the data they need to ``build_lists_data``).
"""

from datetime import date, datetime

from freezegun import freeze_time
from playwright.sync_api import sync_playwright

from inspect_loop.assignments.operations import issue_assignment
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Stage
from inspect_loop.clock import LOCAL_TZ
from inspect_loop.db import db
from inspect_loop.deadline_extensions.operations import request_extension
from inspect_loop.exposures.operations import places_of
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.inspections.operations import plan_inspection
from inspect_loop.interviews.operations import convene_round, record_attendance
from inspect_loop.regions.models import RegionLevel
from inspect_loop.regions.operations import create_region
from inspect_loop.units.operations import create_unit
from inspect_loop.users.passwords import hash_password
from tests.factories import PASSWORD, build_county, inspect, published_exposure
from tests.helpers import at
from tests.web.conftest import launch_chromium, needs_chromium

# (who logs in — None for the public —, the list's address, at least this many rows). {unit} is the unit with
# a case, findings and documents (the unit page's three lists).
LISTS = [
    ("office", "/office", 3),
    ("office", "/units", 3),
    ("inspector", "/units", 3),
    ("office", "/units/{unit}", 3),
    ("office", "/office/rounds", 3),
    ("office", "/office/exposures", 3),
    (None, "/exposures", 3),
    ("inspector", "/today?tab=plans", 3),
    ("inspector", "/today?tab=reinspections", 3),
    ("inspector", "/today?tab=follow_ups", 3),
    ("office", "/office/today/reinspections_due", 3),
    ("office", "/office/today/awaiting_summons", 3),
    ("office", "/office/today/awaiting_follow_up", 3),
    ("office", "/office/today/overdue_findings", 3),
    ("office", "/office/today/overdue_feedback", 3),
    ("office", "/office/unserved", 3),
    ("fire", "/inbox", 3),
    ("east", "/inbox", 3),
    ("fire", "/inbox/referrals", 3),
    ("east", "/extensions", 3),
    ("viewer", "/ranking", 3),
    ("viewer", "/dashboard", 3),
    ("root", "/admin/users", 3),
    ("root", "/admin/departments", 3),
    ("root", "/admin/regions", 3),
    ("root", "/admin/hazards", 3),
]
# Lists whose rows have no page to open: their .row-link is text, not a link.
TEXT_ONLY = {"/exposures", "/ranking"}

MAX_ROW_HEIGHT = 64
MIN_TAP_TARGET = 44
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
TODAY = "2026-04-20"

# Per row: its height, its .row-link (tag, height), the text lines of the .row-link (line boxes grouped by their
# vertical middle: a chip beside the name is on the name's line) and the desktop cells left visible.
MEASURE_ROWS = """() => [...document.querySelectorAll('table.rows tbody tr')]
  .filter(row => !row.querySelector('td.empty'))
  .map(row => {
    const link = row.querySelector('.row-link');
    const middles = [];
    if (link) {
      const walker = document.createTreeWalker(link, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) {
        if (!walker.currentNode.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(walker.currentNode);
        for (const box of range.getClientRects()) if (box.height) middles.push(box.top + box.height / 2);
      }
    }
    middles.sort((a, b) => a - b);
    const lines = middles.filter((middle, index) => index === 0 || middle - middles[index - 1] > 8).length;
    const shown = [...row.querySelectorAll('td:not(.phone-row):not(.phone-keep)')]
      .filter(cell => getComputedStyle(cell).display !== 'none');
    return {height: row.getBoundingClientRect().height, text: row.innerText.replace(/\\s+/g, ' ').slice(0, 80),
            tag: link ? link.tagName.toLowerCase() : null,
            linkHeight: link ? link.getBoundingClientRect().height : 0, lines, desktopCells: shown.length};
  })"""


def local(day: str, hour: int, minute: int = 0) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:{minute:02d}").replace(tzinfo=LOCAL_TZ)


def build_lists_data() -> dict:
    """Three rows at least for every list of ``LISTS`` on ``TODAY``; returns the ids the addresses name."""
    county = build_county()
    office, inspector = county.users.office, county.users.inspector
    units = [create_unit(county.users.admin, name=f"兰江测试单位{number:02d}号（列表行高）", region=county.east,
                         address=f"兰江街道测试路{number}号", category="商铺") for number in range(1, 13)]
    due, summonable, interviewed, referred = units[0:3], units[3:6], units[6:9], units[9:12]
    county.users.admin.password_hash = hash_password(PASSWORD)  # the factory's admin has none
    # 待复查: a reminder whose deadline has passed; its 整改提醒通知书 is still not served.
    with at("2026-04-01"):
        for unit in due:
            inspect(county, unit, "XF-01", "YD-01")
    # 待约谈 and 待回访: 二次警示 after a failed re-inspection; the interviewed ones each in a round of its own.
    warned = []
    for unit in summonable + interviewed:
        with at("2026-03-02"):
            case = inspect(county, unit, "XF-01").findings[0].case
        with at("2026-03-12"):
            inspect(county, unit, kind=InspectionKind.reinspection,
                    verified=[(finding, False) for finding in case.findings])
        warned.append(case)
    for number, case in enumerate(warned[3:]):
        day = f"2026-03-{16 + number}"
        with at(day, 9):
            interview_round = convene_round(office, held_at=local(day, 14, 30), venue="兰溪市平安警示教育站",
                                            convened_by=county.office, departments=[county.fire], cases=[case],
                                            participants=5)
        with at(day, 16):
            record_attendance(office, interview_round, case, attended=True, attendee_name="李四")
    # 执法建议书 not answered by the fire brigade within fifteen working days.
    with at("2026-03-02"):
        referred_cases = [inspect(county, unit, "XF-02").findings[0].case for unit in referred]
    with at("2026-03-04"):
        for case in referred_cases:
            ladder.escalate(case, office, "存在重大隐患且拒不整改", to_stage=Stage.enforcement)
    # Three 交办单 to the fire brigade and 兰江街道, not yet received: the 待办 of both inboxes.
    assigned = [create_unit(county.users.admin, name=f"兰江交办单位{number}号", region=county.east,
                            address=f"兰江街道交办路{number}号", category="商铺") for number in range(1, 4)]
    for unit in assigned:
        with at("2026-03-02"):
            case = inspect(county, unit, "XF-01").findings[0].case
        with at("2026-03-12"):
            inspect(county, unit, kind=InspectionKind.reinspection,
                    verified=[(finding, False) for finding in case.findings])
        with at("2026-04-01"):
            issue_assignment(office, case, county.fire, deadline=date(2026, 4, 30))
    # The 月晾晒 of March: 兰江街道 and 诸葛镇 supervised, 马涧镇 not (本月未督查).
    with at("2026-03-01", 9):
        township = create_region(county.users.admin, code="330781102", name="诸葛镇", level=RegionLevel.township,
                                 parent_code="330781")
        guesthouse = create_unit(county.users.admin, name="诸葛古村民宿", region=township, category="宾馆")
    with at("2026-03-05"):
        inspect(county, guesthouse, "XF-01")
    with at(TODAY, 8):
        for case in warned[:3]:  # 待复查 of its own: the township office asks for a later deadline
            request_extension(county.users.east, case, reason="设备采购周期长", requested_deadline=date(2026, 5, 30),
                              findings=[case.findings[0]])
        for unit in units[:3]:
            plan_inspection(office, unit, date.fromisoformat(TODAY), [inspector])
        for number, case in enumerate(warned[:3], start=1):
            published_exposure(county, title=f"2026年第{number}期安全隐患曝光", items=places_of(case.findings),
                               expires_on=date(2026, 5, 31))
    db.session.commit()
    return {"unit": interviewed[0].id}


def logged_in(browser, base_url: str, username: str | None):
    context = browser.new_context(base_url=base_url, **PHONE)
    page = context.new_page()
    if username:
        page.goto("/login")
        page.fill("#username", username)
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert "/login" not in page.url, f"{username} could not log in"
    return page


@needs_chromium
def test_every_list_reads_in_two_lines_per_row_at_phone_width(live_server, database, monkeypatch):
    # The lists show the notices, never their PDF: a stand-in saves the second each one takes to typeset.
    monkeypatch.setattr("inspect_loop.letters.issuing.render_letter", lambda kind, context: b"%PDF-1.7 stand-in")
    frozen = freeze_time(local(TODAY, 10), tick=True, real_asyncio=True)
    frozen.start()
    try:
        ids = build_lists_data()
        problems = []
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            pages = {}
            for username, address, least in LISTS:
                if username not in pages:
                    pages[username] = logged_in(browser, live_server, username)
                page = pages[username]
                url = address.format(**ids)
                response = page.goto(url)
                assert response.status == 200, f"{username} GET {url}: {response.status}"
                rows = page.evaluate(MEASURE_ROWS)
                where = f"{username or 'the public'} {url}"
                if len(rows) < least:
                    problems.append(f"{where}: {len(rows)} rows, expected at least {least}")
                for row in rows:
                    problems.extend(f"{where}: {problem} — {row['text']}" for problem in row_problems(row, url))
            browser.close()
        assert not problems, "\n".join(problems)
    finally:
        frozen.stop()


def row_problems(row: dict, url: str) -> list[str]:
    problems = []
    if row["height"] > MAX_ROW_HEIGHT:
        problems.append(f"row {row['height']:.0f} px tall (at most {MAX_ROW_HEIGHT})")
    if row["lines"] != 2:
        problems.append(f"{row['lines']} lines of text (two)")
    if row["desktopCells"]:
        problems.append(f"{row['desktopCells']} desktop cells shown")
    expected_tag = "div" if url in TEXT_ONLY else "a"
    if row["tag"] != expected_tag:
        problems.append(f"its row-link is {row['tag'] or 'missing'}, expected <{expected_tag}>")
    if row["linkHeight"] < MIN_TAP_TARGET:
        problems.append(f"row-link {row['linkHeight']:.0f} px tall (at least {MIN_TAP_TARGET})")
    if row["height"] - row["linkHeight"] > 4:
        problems.append(f"row-link {row['linkHeight']:.0f} px of the row's {row['height']:.0f} px")
    return problems
