"""The unit search and the unit page: risk colour with its word, cases, findings with photos, documents with
download and verification counts, the timeline; and every field page at a 360 px phone width."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from inspect_loop.cases import ladder
from inspect_loop.db import db
from inspect_loop.inspections.models import Finding, InspectionKind, Photo
from inspect_loop.letters.models import Document
from inspect_loop.letters.tokens import make_token
from inspect_loop.units.operations import create_unit
from tests.factories import PASSWORD, inspect, make_uscc
from tests.helpers import at, phone_rows
from tests.web.conftest import launch_chromium, needs_chromium
from tests.web.test_inbox import assigned
from tests.web.test_uploads import jpeg_bytes, upload


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# -- the search ----------------------------------------------------------------------------------------

def test_units_are_found_by_name_uscc_or_address(login, county):
    client = login("inspector")
    assert "柏社农贸市场" in page(client, "/units?q=农贸")
    by_uscc = page(client, f"/units?q={make_uscc(2).lower()}")
    assert "柏社农贸市场" in by_uscc and "某电子商务商行" not in by_uscc
    by_address = page(client, "/units?q=振兴路")
    assert "某电子商务商行" in by_address and "柏社农贸市场" not in by_address
    assert "没有符合条件的单位" in page(client, "/units?q=100%25")  # a LIKE wildcard is searched literally


def test_units_filter_by_risk_stage_and_township(login, county):
    with at("2026-03-02"):
        inspect(county, county.units.factory, "SC-01")  # a major hazard: red
    db.session.commit()
    client = login("office")
    red = page(client, "/units?risk=red")
    assert "马涧五金加工厂" in red and "某电子商务商行" not in red
    assert "红 · 高风险" in red
    green = page(client, "/units?risk=green")
    assert "马涧五金加工厂" not in green and "某电子商务商行" in green
    reminder = page(client, "/units?stage=reminder")
    assert "马涧五金加工厂" in reminder and "柏社农贸市场" not in reminder
    east = page(client, f"/units?township={county.east.id}")
    assert "某电子商务商行" in east and "马涧五金加工厂" not in east


def test_a_township_office_searches_only_its_own_township(login, county):
    units = page(login("west"), "/units")
    assert "马涧五金加工厂" in units and "某电子商务商行" not in units


def test_the_unit_list_is_paginated_and_keeps_its_filters(login, county):
    for number in range(25):
        create_unit(county.users.admin, name=f"测试商铺{number:02d}", region=county.east,
                    address=f"兰江街道测试路{number}号")
    db.session.commit()
    client = login("office")
    first = page(client, "/units?q=测试商铺")
    assert "共 25 条" in first and "测试商铺00" in first and "测试商铺24" not in first
    assert 'href="/units?q=%E6%B5%8B%E8%AF%95%E5%95%86%E9%93%BA&amp;page=2"' in first
    second = page(client, "/units?q=测试商铺&page=2")
    assert "测试商铺24" in second and "测试商铺00" not in second


def test_a_unit_row_on_a_phone_counts_its_open_problems_the_overdue_ones_and_the_nearest_deadline(login, county):
    with at("2026-03-02"):
        inspect(county, county.units.shop, "XF-01", "YD-01")  # due on 03-09 and 03-07
        inspect(county, county.units.factory, "SP-01")  # due on 03-09
    db.session.commit()
    with at("2026-03-08"):
        rows = phone_rows(page(login("inspector"), "/units"))
    # line 1 (name, stage, risk word) and line 2 run together once the tags are stripped
    assert rows == ["柏社农贸市场绿兰江街道 · 无未销号问题",
                    "某电子商务商行一次提醒黄兰江街道 · 未销号2（逾期1） · 03-07 逾期1天",
                    "马涧五金加工厂一次提醒绿马涧镇 · 未销号1 · 03-09 剩1天"]


def test_the_unit_list_exports_the_whole_filtered_list(login, county):
    response = login("office").get("/units.xlsx?q=兰江街道")
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.data))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:2] == ("单位名称", "统一社会信用代码")
    assert sorted(row[0] for row in rows[1:]) == ["柏社农贸市场", "某电子商务商行"]
    assert rows[1][5] == "绿 · 低风险"
    notes = {row[0]: row[1] for row in workbook.worksheets[1].iter_rows(values_only=True) if row and row[0]}
    assert notes.get("搜索") == "兰江街道"


# -- the unit page -------------------------------------------------------------------------------------

def test_the_unit_page_shows_the_risk_word_case_findings_photos_and_timeline(login, county):
    client = login("inspector")
    photo_id = upload(client, jpeg_bytes()).get_json()["id"]
    hazard = county.hazards["XF-01"]
    client.post(f"/units/{county.units.shop.id}/inspect", data={
        "kind": "unannounced", "hazard": str(hazard.id), f"description_{hazard.id}": "灯不亮",
        f"photos_{hazard.id}": str(photo_id)})
    shown = page(client, f"/units/{county.units.shop.id}")
    assert "绿 · 低风险" in shown  # an open reminder-stage finding before its deadline
    assert 'id="current-stage"><strong>一次提醒</strong>' in shown
    assert "应急照明灯未接通电源" in shown and "灯不亮" in shown
    assert f'src="/photos/{photo_id}/thumb"' in shown
    document = db.session.scalar(select(Document))
    assert document.number in shown and f'href="/documents/{document.id}.pdf"' in shown
    for sentence in ("立案（一次提醒）", "录入检查", "暗访，发现1个问题", "签发文书"):
        assert sentence in shown, sentence
    assert 'id="record-inspection"' in shown and 'id="verify-findings"' in shown


def test_a_warning_case_colours_the_unit_yellow_and_a_major_hazard_red(login, county):
    with at("2026-03-02"):
        finding = inspect(county, county.units.shop, "XF-01").findings[0]
        inspect(county, county.units.factory, "SC-01")
    with at("2026-03-05"):
        ladder.escalate(finding.case, county.users.office, "拒不配合检查")
    db.session.commit()
    with at("2026-03-06"):  # at 二次警示, its finding not yet overdue
        client = login("viewer")
        assert "黄 · 中风险" in page(client, f"/units/{county.units.shop.id}")
        factory = page(client, f"/units/{county.units.factory.id}")
    assert "红 · 高风险" in factory and "（重大）" in factory
    assert 'id="record-inspection"' not in factory  # the viewer only reads


def test_documents_show_how_often_their_qr_code_was_verified(login, county, app):
    with at("2026-03-02"):
        inspect(county, county.units.shop, "XF-01")
    db.session.commit()
    document = db.session.scalar(select(Document))
    token = make_token(app.config["SECRET_KEY"], document.id, document.nonce)
    public = app.test_client()
    # Three people, one of them checking twice the same day (counted once: docs/letters.md).
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.3"):
        answer = public.get(f"/api/v1/verify/{token}", environ_base={"REMOTE_ADDR": address})
        assert answer.get_json()["genuine"] is True
    shown = page(login("east"), f"/units/{county.units.shop.id}")
    cell = shown.split('data-label="扫码核验次数">')[1].split("</td>")[0]
    assert cell == "3"


def test_a_regulator_sees_only_the_cases_of_its_sectors_on_a_unit_page(login, county):
    with at("2026-03-02"):
        inspect(county, county.units.shop, "XF-01")
    db.session.commit()
    fire = page(login("fire"), f"/units/{county.units.shop.id}")
    assert "应急照明灯未接通电源" in fire and "整改提醒通知书" in fire
    market = page(login("market"), f"/units/{county.units.shop.id}")
    assert "某电子商务商行" in market
    assert "应急照明灯未接通电源" not in market and "整改提醒通知书" not in market
    assert "暂无隐患问题" in market and "立案（一次提醒）" not in market
    document = db.session.scalar(select(Document))
    assert login("market").get(f"/documents/{document.id}.pdf").status_code == 403


def test_the_timeline_pages_separately_from_the_findings(login, county):
    with at("2026-03-02"):
        for _round in range(31):
            inspect(county, county.units.shop, kind=InspectionKind.special)
    db.session.commit()
    client = login("office")
    first = page(client, f"/units/{county.units.shop.id}")
    assert "events_page=2" in first and "findings_page" not in first
    assert "登记单位" in first  # newest first: the unit was registered after the back-dated visits
    second = page(client, f"/units/{county.units.shop.id}?events_page=2")
    assert "专项督查" in second and "登记单位" not in second and "共 32 条" in second


def test_a_unit_outside_the_township_is_refused(login, county):
    assert login("west").get(f"/units/{county.units.shop.id}").status_code == 403


# -- 360 px in a real browser --------------------------------------------------------------------------



@pytest.mark.browser
@needs_chromium
def test_field_pages_fit_360_px_and_photos_are_downscaled_before_upload(live_server, county, tmp_path):
    from PIL import Image
    from playwright.sync_api import sync_playwright

    with at("2026-03-02"):
        case = inspect(county, county.units.market, "SP-01").findings[0].case
    assignment = assigned(county)
    db.session.commit()
    big_photo = tmp_path / "site.jpg"
    Image.new("RGB", (3200, 2400), (30, 120, 200)).save(big_photo, quality=90)

    def log_in(browser, username):
        context = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server)
        tab = context.new_page()
        errors = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        tab.goto("/login")
        tab.fill("#username", username)
        tab.fill("#password", PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_load_state()
        return tab, errors

    def fits(tab, path):
        response = tab.goto(path)
        assert response.status == 200, path
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width} px wide at 360 px"

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            inspector, inspector_errors = log_in(browser, "inspector")
            for path in ("/today", "/units", f"/units/{county.units.market.id}",
                         f"/units/{county.units.market.id}/verify", f"/units/{county.units.shop.id}/inspect"):
                fits(inspector, path)
            inspector.click("#category-消防安全 > summary")
            inspector.check("#hazard-XF-02")
            inspector.fill("#description-XF-02", "灭火器压力不足")
            inspector.set_input_files("#photo-pick-XF-02", str(big_photo))
            inspector.wait_for_selector("#photo-ids-XF-02:not([value=''])", state="attached")
            inspector.click("#submit-inspection")
            inspector.wait_for_url(f"**/units/{county.units.shop.id}")
            assert "整改提醒通知书已签发" in inspector.text_content(".flashes")
            assert inspector_errors == []

            township, township_errors = log_in(browser, "east")
            for path in ("/inbox", f"/inbox/{assignment.id}"):
                fits(township, path)
            assert township_errors == []
        finally:
            browser.close()

    db.session.expire_all()
    finding = db.session.scalar(select(Finding).where(Finding.description == "灭火器压力不足"))
    photo = db.session.scalar(select(Photo).where(Photo.finding_id == finding.id))
    assert (photo.width, photo.height) == (1600, 1200)  # downscaled in the browser, kept as sent
    assert case.findings


def test_every_audited_action_has_a_chinese_label():
    """Every kind of audit event (each has its schema) reads as a sentence on a timeline, never as a code, and
    no sentence is left without its kind."""
    from inspect_loop.audit.events import KINDS
    from inspect_loop.cases.ladder import TRANSITIONS
    from inspect_loop.labels import EVENT_LABELS

    assert set(KINDS) | {f"case.{name}" for name in TRANSITIONS} == set(EVENT_LABELS)
