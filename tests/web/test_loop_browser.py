"""The whole loop in Debian's Chromium at phone width (360 px), across five logins, against a live server with
CSRF on: the inspector records two findings with a photo; the re-inspection after the deadline finds one
unrectified (二次警示); the county office convenes a 警示约谈 round, records attendance and the person-times,
prints the round's notices and issues a 交办单; the regulator signs for it and gives guidance; the township
office reports the rectification with a photo; the regulator signs off; the township office closes out; the
case shows 警示后整改到位 to the office and to a leader; the QR code printed on the 交办单 opens its public
verification page. Every step leaves a screenshot in ``test-artifacts/loop/``.

The loop spans weeks: freezegun moves the clock between steps. It patches the ``datetime`` the app's
``clock`` reads, module-wide, so the server thread sees the same frozen day; it ticks, so events keep their
order, and leaves asyncio's clock (Playwright's timeouts) real.
"""

from datetime import date, datetime
from pathlib import Path

import pytest
from freezegun import freeze_time
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select

from inspect_loop.assignments.models import Assignment, AssignmentReceipt, CloseOut, SignOff
from inspect_loop.cases.models import Case, CaseStatus, Outcome, Stage
from inspect_loop.clock import LOCAL_TZ
from inspect_loop.db import db
from inspect_loop.inspections.models import Finding, FindingStatus, Inspection, Photo, Rectification
from inspect_loop.interviews.models import InterviewRound, Summons
from inspect_loop.letters.models import Document, DocumentCheck, DocumentKind
from tests.factories import PASSWORD, build_county
from tests.web.conftest import launch_chromium, needs_chromium

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "loop"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
LANXI = {"latitude": 29.2082, "longitude": 119.4601}
SHOP = "某电子商务商行"


def local(day: str, hour: int, minute: int = 0) -> datetime:
    year, month, date_ = (int(part) for part in day.split("-"))
    return datetime(year, month, date_, hour, minute, tzinfo=LOCAL_TZ)




# -- the walk's tools -------------------------------------------------------------------------------------

class Walk:
    """The browser, the numbered screenshots, the moving clock and the page errors of one walk."""

    def __init__(self, browser, base_url: str, clock):
        self.browser = browser
        self.base_url = base_url
        self.clock = clock
        self.shots: list[Path] = []
        self.errors: list[str] = []
        self.tab = None  # the page last acted on, for the screenshot of a failure

    def at(self, day: str, hour: int, minute: int = 0) -> None:
        self.clock.move_to(local(day, hour, minute))

    def new_tab(self, **options):
        context = self.browser.new_context(base_url=self.base_url, **PHONE, **options)
        tab = context.new_page()
        tab.on("pageerror", lambda error: self.errors.append(f"{tab.url}: {error}"))
        tab.on("console", lambda message: self.errors.append(f"{tab.url}: {message.text}")
               if message.type == "error" else None)
        self.tab = tab
        return tab

    def log_in(self, username: str, home: str | None, **options):
        tab = self.new_tab(**options)
        tab.goto("/login")
        tab.fill("#username", username)
        tab.fill("#password", PASSWORD)
        self.submit(tab, "button[type=submit]")
        landed = tab.url.endswith(home) if home else "/login" not in tab.url
        self.check(tab, landed, f"{username} should be logged in and land on {home or 'their start page'}")
        return tab

    def visit(self, tab, path: str):
        self.tab = tab
        response = tab.goto(path)
        self.check(tab, response is not None and response.status == 200,
                   f"GET {path} answered {response.status if response else 'nothing'}")
        return tab

    def submit(self, tab, selector: str) -> None:
        """Click a submit button and wait for the page the server answers with (after its redirect)."""
        self.tab = tab
        with tab.expect_navigation():
            tab.click(selector)

    def upload_photo(self, tab, key: str, photo: Path) -> None:
        """Pick a photo as from the album; photos.js downscales it, uploads it and keeps its id."""
        tab.set_input_files(f"#photo-pick-{key}", str(photo))
        # A hidden input's value is its attribute, so a selector sees the id once the upload is done.
        tab.wait_for_selector(f"#photo-ids-{key}:not([value=''])", state="attached")
        self.shows(tab, "照片已上传")
        preview = tab.locator(f"[data-photo-field]:has(#photo-ids-{key}) [data-photo-previews] img")
        expect(preview).to_have_js_property("complete", True)
        self.check(tab, preview.evaluate("image => image.naturalWidth") > 0, "the uploaded photo's thumbnail shows")

    def shot(self, tab, name: str) -> Path:
        """A screenshot of the whole page, which must fit the phone's width (no sideways scrolling)."""
        width = tab.evaluate("document.documentElement.scrollWidth")
        self.check(tab, width <= PHONE["viewport"]["width"], f"the page is {width} px wide on a 360 px phone")
        path = ARTIFACTS / f"{len(self.shots) + 1:02d}-{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        self.shots.append(path)
        return path

    def check(self, tab, condition: bool, message: str) -> None:
        if not condition:
            path = ARTIFACTS / "failure.png"
            tab.screenshot(path=str(path), full_page=True)
            raise AssertionError(f"{message}\n  page: {tab.url}\n  screenshot: {path}")

    def shows(self, tab, *texts: str, where: str = "main") -> None:
        self.tab = tab
        content = tab.inner_text(where)
        for text in texts:
            self.check(tab, text in content, f"expected “{text}” in {where}; it shows:\n{content[:1500]}")

    def flash(self, tab, text: str) -> None:
        self.shows(tab, text, where=".flashes")


def stored(statement) -> list:
    """Rows as the server committed them (a new transaction each time, holding no lock between steps)."""
    db.session.rollback()
    return list(db.session.scalars(statement))


def one(statement):
    rows = stored(statement)
    assert len(rows) == 1, f"expected one row, found {len(rows)}: {rows}"
    return rows[0]


def site_photo(path: Path, colour) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (2400, 1800), colour)
    draw = ImageDraw.Draw(image)
    for offset in range(0, 2400, 150):  # some detail, so the JPEG is not trivially small
        draw.line([(offset, 0), (2400 - offset, 1800)], fill=(240, 240, 240), width=9)
    image.save(path, quality=90)
    return path


def qr_links(pdf: bytes) -> set[str]:
    """The distinct QR codes of a PDF, decoded from 200 dpi renderings of every page (a 交办单 prints a copy
    for each recipient, so the code need not be on page 1)."""
    import pymupdf
    import zxingcpp
    from PIL import Image

    links = set()
    with pymupdf.open(stream=pdf, filetype="pdf") as document:
        for page in document:
            pixmap = page.get_pixmap(dpi=200)
            image = Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples)
            links |= {code.text for code in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)}
    return links


# -- the steps ----------------------------------------------------------------------------------------------

def record_two_findings(walk: Walk, county, photo: Path):
    """1. The inspector finds the shop, ticks two hazards with descriptions, photographs one, submits."""
    walk.at("2026-03-02", 10)
    tab = walk.log_in("inspector", "/today", permissions=["geolocation"], geolocation=LANXI)
    walk.shot(tab, "inspector-today")
    tab.fill("#unit-search", "电子商务")
    walk.submit(tab, "#unit-search-submit")
    walk.shows(tab, SHOP)
    walk.shot(tab, "inspector-unit-search")
    with tab.expect_navigation():
        tab.get_by_role("link", name=SHOP).click()
    walk.shows(tab, "无进行中案件")
    with tab.expect_navigation():
        tab.click("#record-inspection")
    tab.click("#category-消防安全 > summary")
    tab.check("#hazard-XF-01")
    tab.fill("#description-XF-01", "二楼走道应急照明灯未接电源")
    walk.upload_photo(tab, "XF-01", photo)
    tab.click("#category-用电安全 > summary")
    tab.check("#hazard-YD-01")
    tab.fill("#description-YD-01", "仓库配电箱接线裸露")
    tab.fill("#notes", "营业时间暗访，店主在场")
    walk.check(tab, tab.is_checked("#kind-unannounced"), "an inspector's form starts on 暗访")
    walk.shot(tab, "inspection-form")
    walk.submit(tab, "#submit-inspection")
    walk.flash(tab, "发现 2 个问题，整改提醒通知书已签发")
    walk.shows(tab, "一次提醒", where="#current-stage")
    walk.shows(tab, "应急照明灯未接通电源", "二楼走道应急照明灯未接电源", "配电箱接线混乱裸露", "整改提醒通知书")
    walk.check(tab, tab.locator("img[src$='/thumb']").count() == 1, "the unit page shows the finding's photo")
    walk.shot(tab, "unit-after-inspection")

    case = one(select(Case).where(Case.unit_id == county.units.shop.id))
    assert (case.stage, case.status) == (Stage.reminder, CaseStatus.open)
    assert case.opened_on == date(2026, 3, 2)  # the server thread reads the frozen clock
    findings = {finding.hazard_type.code: finding for finding in stored(
        select(Finding).where(Finding.case_id == case.id))}
    assert sorted(findings) == ["XF-01", "YD-01"]
    photo_row = one(select(Photo).where(Photo.finding_id == findings["XF-01"].id))
    assert (photo_row.width, photo_row.height) == (1600, 1200)  # downscaled in the browser
    inspection = one(select(Inspection).where(Inspection.case_id == case.id))
    assert inspection.latitude is not None and abs(float(inspection.latitude) - LANXI["latitude"]) < 0.001
    reminder = one(select(Document).where(Document.case_id == case.id))
    assert reminder.kind == DocumentKind.reminder
    return tab, case.id, findings["XF-01"].id, findings["YD-01"].id


def reinspect(walk: Walk, tab, unit_id: int, case_id: int, unrectified: int, rectified: int) -> None:
    """2. After the deadlines the inspector re-inspects from 今日任务: one rectified, one not → 二次警示."""
    walk.at("2026-03-10", 9, 30)
    walk.visit(tab, "/today?tab=reinspections")
    walk.shows(tab, SHOP)
    walk.shot(tab, "inspector-reinspections-due")
    with tab.expect_navigation():
        tab.click(f"#case-{case_id}-verify")
    tab.check(f"#verify-{rectified}-yes")
    tab.check(f"#verify-{unrectified}-no")
    tab.fill("#notes", "配电箱已整改；应急照明灯仍未接电源")
    walk.shot(tab, "reinspection-form")
    walk.submit(tab, "#submit-verification")
    walk.flash(tab, "核验 2 个问题，其中 1 个未整改")
    walk.flash(tab, "案件进入二次警示阶段")
    walk.shows(tab, "二次警示", where="#current-stage")
    walk.shot(tab, "unit-at-warning")
    assert tab.url.endswith(f"/units/{unit_id}")

    case = one(select(Case).where(Case.id == case_id))
    assert case.stage == Stage.warning
    statuses = {finding.id: finding.status for finding in stored(select(Finding).where(Finding.case_id == case_id))}
    assert statuses == {rectified: FindingStatus.closed, unrectified: FindingStatus.open}


def summon_and_assign(walk: Walk, county, case_id: int, unrectified: int):
    """3. The county office: the workbench lists the case 待约谈; a round; attendance and person-times; the
    round's notices as one PDF; then a 交办单 to the fire brigade from the case page."""
    walk.at("2026-03-11", 9)
    tab = walk.log_in("office", "/office")
    due = tab.locator("section.due", has=tab.locator("a[href$='/office/today/awaiting_summons']"))
    walk.check(tab, SHOP in due.inner_text(), "the workbench lists the shop under 待约谈")
    walk.shot(tab, "office-workbench")
    with tab.expect_navigation():
        tab.get_by_role("link", name="组织警示约谈").first.click()
    tab.check(f"input[name=case_ids][value='{case_id}']")
    tab.check(f"input[name=departments][value='{county.fire.id}']")
    walk.check(tab, tab.input_value("#venue") == "平安警示教育站", "the default venue is offered")
    walk.check(tab, tab.input_value("#held_at") == "2026-03-14T14:30", "the default time is 3 days ahead")
    walk.shot(tab, "round-new")
    walk.submit(tab, "#round-form button[type=submit]")
    walk.flash(tab, "已组织2026年第1轮警示约谈，1份约谈通知书已签发")
    interview_round = one(select(InterviewRound))
    summons = one(select(Summons).where(Summons.round_id == interview_round.id))
    assert summons.case_id == case_id and summons.attended is None

    walk.at("2026-03-14", 16)  # after the round
    walk.visit(tab, f"/office/rounds/{interview_round.id}")
    card = f"#summons-{summons.id}"
    tab.check(f"{card} input[name=attended][value=yes]")
    tab.fill(f"#summons-{summons.id}-name", "张三")
    tab.fill(f"#summons-{summons.id}-title", "负责人")
    walk.submit(tab, f"{card} button[type=submit]")
    walk.flash(tab, f"已登记{SHOP}：到场")
    tab.fill("#participants-count", "18")
    walk.submit(tab, "#participants button[type=submit]")
    walk.flash(tab, "参加人次已更新")
    walk.shows(tab, "到场人员：张三（负责人）", "1 个：到场 1，缺席 0，未登记 0")
    walk.shot(tab, "round-attendance")
    printed = tab.context.request.get(tab.get_by_role("link", name="打印全部约谈通知书（PDF）").get_attribute("href"))
    assert printed.status == 200 and printed.headers["content-type"] == "application/pdf"
    assert printed.body().startswith(b"%PDF")
    summons = one(select(Summons).where(Summons.id == summons.id))
    assert (summons.attended, summons.attendee_name, summons.attendee_title) == (True, "张三", "负责人")
    assert one(select(InterviewRound)).participants == 18

    with tab.expect_navigation():
        tab.click(f"{card} a[href$='/office/cases/{case_id}']")
    tab.click("#assign > summary")
    tab.select_option("#regulator", str(county.fire.id))
    walk.check(tab, "★" in tab.locator("#regulator option:checked").inner_text(),
               "the fire brigade is marked as responsible for the open finding")
    walk.shot(tab, "case-assign-form")
    walk.submit(tab, "#assign button[type=submit]")
    walk.flash(tab, "交办单已签发，已送达行业主管部门和属地平安办")
    walk.shows(tab, "兰溪市消防救援大队", "兰江街道平安办", where="main")
    walk.shot(tab, "case-assigned")

    assignment = one(select(Assignment).where(Assignment.case_id == case_id))
    assert (assignment.regulator_id, assignment.territorial_id) == (county.fire.id, county.east_office.id)
    assert [finding.id for finding in assignment.findings] == [unrectified]
    document = one(select(Document).where(Document.assignment_id == assignment.id))
    assert document.kind == DocumentKind.assignment
    return tab, assignment.id


def regulator_receives(walk: Walk, assignment_id: int, unrectified: int, fire_id: int):
    """4. The fire brigade signs for the 交办单 and gives guidance; sign-off waits for a reported rectification."""
    walk.at("2026-03-15", 9)
    tab = walk.log_in("fire", "/inbox")
    walk.shows(tab, SHOP, "待签收")
    walk.shot(tab, "regulator-inbox")
    with tab.expect_navigation():
        tab.click(f"#row-{assignment_id} .row-link")  # the phone row, one link
    walk.submit(tab, "#receive")
    walk.flash(tab, "已签收交办单")
    tab.fill("#guidance-note", "应急照明灯应接入专用回路，断电后持续时间不少于30分钟")
    walk.submit(tab, "#submit-guidance")
    walk.flash(tab, "业务指导意见已记录")
    walk.shows(tab, "等待属地平安办报告整改情况。", where=f"#finding-{unrectified}")
    walk.check(tab, tab.locator(f"#sign-off-form-{unrectified}").count() == 0,
               "no sign-off before a rectification is reported")
    walk.shot(tab, "regulator-received")
    receipt = one(select(AssignmentReceipt).where(AssignmentReceipt.assignment_id == assignment_id))
    assert receipt.department_id == fire_id
    return tab


def township_reports(walk: Walk, assignment_id: int, unrectified: int, photo: Path):
    """5. The township office signs for it and reports the rectification with a photo."""
    walk.at("2026-03-16", 10)
    tab = walk.log_in("east", "/inbox")
    walk.shows(tab, SHOP)
    with tab.expect_navigation():
        tab.click(f"#row-{assignment_id} .row-link")  # the phone row, one link
    walk.shows(tab, "应急照明灯应接入专用回路")  # the regulator's guidance reaches the township
    walk.submit(tab, "#receive")
    walk.flash(tab, "已签收交办单")
    tab.fill(f"#rectification-note-{unrectified}", "已为应急照明灯接入专用回路，断电测试持续40分钟")
    walk.upload_photo(tab, f"rect-{unrectified}", photo)
    walk.shot(tab, "township-rectification-form")
    walk.submit(tab, f"#submit-rectification-{unrectified}")
    walk.flash(tab, "整改情况已报告")
    walk.shows(tab, "已报告整改，等待行业主管部门签认", where=f"#finding-{unrectified}")
    walk.shot(tab, "township-reported")
    report = one(select(Rectification).where(Rectification.finding_id == unrectified))
    assert report.note.startswith("已为应急照明灯接入专用回路")
    assert len(stored(select(Photo).where(Photo.rectification_id == report.id))) == 1
    return tab


def regulator_signs_off(walk: Walk, tab, assignment_id: int, unrectified: int) -> None:
    """6. The fire brigade approves the rectification."""
    walk.at("2026-03-17", 10)
    walk.visit(tab, f"/inbox/{assignment_id}")
    tab.check(f"#sign-off-{unrectified}-approve")
    tab.fill(f"#sign-off-note-{unrectified}", "经现场核查，整改符合要求")
    walk.shot(tab, "regulator-sign-off-form")
    walk.submit(tab, f"#submit-sign-off-{unrectified}")
    walk.flash(tab, "已签认整改")
    walk.shows(tab, "签认通过", "已签认，等待属地平安办验收销号。", where=f"#finding-{unrectified}")
    walk.shot(tab, "regulator-signed-off")
    assert one(select(SignOff).where(SignOff.finding_id == unrectified)).approved is True


def township_closes_out(walk: Walk, tab, assignment_id: int, case_id: int, unrectified: int) -> None:
    """7. The township office accepts the work and closes the finding out; the case closes."""
    walk.at("2026-03-18", 10)
    walk.visit(tab, f"/inbox/{assignment_id}")
    tab.fill(f"#close-note-{unrectified}", "验收合格")
    walk.submit(tab, f"#submit-close-{unrectified}")
    walk.flash(tab, "已验收销号")
    walk.shows(tab, "验收销号", "警示后整改到位", "已办结")
    walk.shot(tab, "township-closed-out")
    assert one(select(CloseOut).where(CloseOut.finding_id == unrectified)).note == "验收合格"
    case = one(select(Case).where(Case.id == case_id))
    assert (case.status, case.outcome, case.closed_on) == (CaseStatus.closed, Outcome.rectified_after_warning,
                                                           date(2026, 3, 18))


def case_shows_closed(walk: Walk, office, county, case_id: int) -> None:
    """8. The office's case page and a leader's view of the unit page show the case closed."""
    walk.at("2026-03-18", 15)
    walk.visit(office, f"/office/cases/{case_id}")
    walk.shows(office, "警示后整改到位", "警示后全部销号，结案", "属地验收销号")
    walk.check(office, office.locator("#assign").count() == 0, "a closed case offers no more 交办单")
    walk.shot(office, "office-case-closed")
    leader = walk.log_in("viewer", None)
    walk.visit(leader, f"/units/{county.units.shop.id}")
    walk.shows(leader, "警示后整改到位", where="main")
    walk.shows(leader, "无进行中案件", where="#current-stage")
    walk.shot(leader, "leader-unit-closed")


def qr_code_verifies(walk: Walk, township, assignment_id: int, unit_id: int) -> None:
    """9. The 交办单 downloaded through its page: its QR code opens the public verification page, and the unit
    page counts the check."""
    walk.visit(township, f"/inbox/{assignment_id}")
    with township.expect_download() as download:
        township.click("#download-assignment")
    pdf = Path(download.value.path()).read_bytes()
    document = one(select(Document).where(Document.assignment_id == assignment_id))
    assert pdf.startswith(b"%PDF") and len(pdf) == document.size
    (ARTIFACTS / "assignment.pdf").write_bytes(pdf)
    links = qr_links(pdf)
    walk.check(township, len(links) == 1 and next(iter(links)).startswith(f"{walk.base_url}/v/"),
               f"the 交办单 carries one QR code, to this server's /v/…; decoded: {links}")
    public = walk.new_tab()
    walk.visit(public, links.pop())
    walk.shows(public, "真实有效：该文书由本系统签发")
    walk.check(public, public.inner_text("#number").strip() == document.number,
               f"the verification page names the 交办单 {document.number}")
    walk.shows(public, "安全隐患整改交办单", where="#title")
    walk.shows(public, "已整改销号", where="#status")
    walk.shot(public, "qr-verification")
    check = one(select(DocumentCheck).where(DocumentCheck.document_id == document.id))
    assert check.channel == "page"
    walk.visit(township, f"/units/{unit_id}")
    checks = township.locator("tr", has_text=document.number).locator("td[data-label='扫码核验次数']")
    walk.check(township, checks.inner_text().strip() == "1", "the unit page counts the QR check of the 交办单")


# -- the walk -----------------------------------------------------------------------------------------------

@pytest.mark.browser
@needs_chromium
def test_the_whole_loop_at_phone_width_across_five_logins(live_server, database, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in (*ARTIFACTS.glob("*.png"), *ARTIFACTS.glob("*.pdf")):
        old.unlink()
    found_photo = site_photo(tmp_path / "found.jpg", (150, 60, 40))
    fixed_photo = site_photo(tmp_path / "fixed.jpg", (40, 120, 60))
    frozen = freeze_time(local("2026-03-01", 9), tick=True, real_asyncio=True)
    clock = frozen.start()
    try:
        county = build_county()
        db.session.commit()
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            walk = Walk(browser, live_server, clock)
            try:
                inspector, case_id, unrectified, rectified = record_two_findings(walk, county, found_photo)
                reinspect(walk, inspector, county.units.shop.id, case_id, unrectified, rectified)
                office, assignment_id = summon_and_assign(walk, county, case_id, unrectified)
                regulator = regulator_receives(walk, assignment_id, unrectified, county.fire.id)
                township = township_reports(walk, assignment_id, unrectified, fixed_photo)
                regulator_signs_off(walk, regulator, assignment_id, unrectified)
                township_closes_out(walk, township, assignment_id, case_id, unrectified)
                case_shows_closed(walk, office, county, case_id)
                qr_code_verifies(walk, township, assignment_id, county.units.shop.id)
            except Exception as error:
                if walk.tab is not None and "screenshot:" not in str(error):
                    path = ARTIFACTS / "failure.png"
                    walk.tab.screenshot(path=str(path), full_page=True)
                    raise AssertionError(f"{error}\n  page: {walk.tab.url}\n  screenshot: {path}") from error
                raise
            finally:
                browser.close()
    finally:
        frozen.stop()
    assert walk.errors == [], "errors in the browser console:\n" + "\n".join(walk.errors)
    assert len(walk.shots) >= 20 and all(path.stat().st_size > 0 for path in walk.shots)
