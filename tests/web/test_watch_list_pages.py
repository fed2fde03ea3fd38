"""The pages of a unit's history: why a case started where it did (case page, unit page), the 重点监管名单 on the
unit page with the county office's exit decision, the list with its count on the workbench and its Excel
download, and the county's rules."""

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from inspect_loop.audit.models import Event
from inspect_loop.db import db
from inspect_loop.enforcement.models import ActionKind
from tests.factories import inspect
from tests.helpers import at
from tests.test_unit_history import banned, interviewed_and_closed_out


def test_the_case_and_unit_pages_say_why_a_case_started_at_warning(login, county):
    earlier = interviewed_and_closed_out(county, county.units.shop)
    with at("2026-04-10"):
        case = inspect(county, county.units.shop, "XF-01").findings[0].case
    db.session.commit()
    sentence = f"因两个月内同类隐患复发（此前案件 #{earlier.id} 于 2026-03-25 整改销号，约谈于 2026-03-20），直接进入二次警示"
    office = login("office")
    case_page = office.get(f"/office/cases/{case.id}").get_data(as_text=True)
    assert sentence in case_page and f"/office/cases/{earlier.id}" in case_page
    unit_page = login("east").get(f"/units/{county.units.shop.id}").get_data(as_text=True)
    assert sentence in unit_page
    english = office.get(f"/office/cases/{case.id}?lang=en").get_data(as_text=True)
    assert "recurred within two months" in english and "2026-03-20" in english


def test_the_unit_page_shows_the_watch_list_and_the_office_decides_the_exit(login, county):
    banned(county, county.units.shop, ActionKind.shutdown)
    db.session.commit()
    unit_id = county.units.shop.id
    east = login("east")
    page = east.get(f"/units/{unit_id}").get_data(as_text=True)
    assert "在名单上" in page and "被关停（2026-03-15）" in page and "2026-09-15起可由县级平安办决定移出" in page
    assert "submit-watch-list-exit" not in page
    assert east.post(f"/units/{unit_id}/watch-list/exit", data={"note": "移出"}).status_code == 403
    office = login("office")
    assert "submit-watch-list-exit" in office.get(f"/units/{unit_id}").get_data(as_text=True)
    with at("2026-09-01"):
        office = login("office")
        early = office.post(f"/units/{unit_id}/watch-list/exit", data={"note": "已整改"}, follow_redirects=True)
    assert "2026-09-15起方可移出重点监管名单" in early.get_data(as_text=True)
    assert db.session.scalar(select(Event).where(Event.action == "watch_list.left")) is None
    with at("2026-09-15"):
        office = login("office")
        done = office.post(f"/units/{unit_id}/watch-list/exit", data={"note": "半年无新问题"}, follow_redirects=True)
        assert "已移出重点监管名单" in done.get_data(as_text=True)
        assert "不在名单上" in office.get(f"/units/{unit_id}").get_data(as_text=True)


def test_the_workbench_counts_the_list_and_the_list_exports(login, county):
    banned(county, county.units.shop)
    db.session.commit()
    office = login("office")
    home = office.get("/office").get_data(as_text=True)
    assert 'id="watch-list-link"' in home and '<span class="count-badge">1</span>' in home
    listing = office.get("/watch-list").get_data(as_text=True)
    assert "某电子商务商行" in listing and "被取缔（2026-03-15）" in listing and "2026-09-15" in listing
    export = office.get("/watch-list?format=xlsx")
    assert export.status_code == 200
    rows = [[cell.value for cell in row] for row in load_workbook(BytesIO(export.data)).active.iter_rows()]
    assert rows[0][:3] == ["单位", "统一社会信用代码", "乡镇（街道）"]
    assert rows[1][0] == "某电子商务商行" and rows[1][5] == "被取缔（2026-03-15）"
    assert "名单上没有单位" in login("west").get("/watch-list").get_data(as_text=True)
    assert login("inspector").get("/watch-list").status_code == 200


def test_the_county_office_sets_the_rules(login, county):
    office = login("office")
    page = office.get("/history-rules").get_data(as_text=True)
    assert f'id="history-rules-form-{county.county.id}"' in page
    bad = office.post("/history-rules", data={"county": county.county.id, "watch_list_clean_months": "0"})
    assert bad.status_code == 400 and "无新案件的期限须为 1 至 36 个月" in bad.get_data(as_text=True)
    done = office.post("/history-rules", data={"county": county.county.id, "watch_list_clean_months": "12"})
    assert done.status_code == 302
    db.session.expire_all()
    region = db.session.get(type(county.county), county.county.id)
    assert (region.recurrence_opens_at_warning, region.watch_list_clean_months) == (False, 12)
    assert login("east").get("/history-rules").status_code == 403
