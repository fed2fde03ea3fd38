"""The public 平安曝光 page: published exposures still on show, their places and problems, no personal data."""

import re
from datetime import date

import pytest

from inspect_loop.exposures.models import ExposureStatus
from inspect_loop.exposures.operations import ExposedPlace, create_exposure
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.stats import summary
from tests.factories import inspect, published_exposure
from tests.helpers import at

MOBILE_NUMBER = re.compile(r"1[3-9]\d{9}")


@pytest.fixture
def exposed(county, database):
    """Three exposures of March 2026: one shown until 31 March, one without end, and one awaiting approval."""
    c = county
    c.units.factory.contact_name, c.units.factory.contact_phone = "王五", "13912345678"
    for user, name in ((c.users.office, "陈科长"), (c.users.inspector, "徐组长"), (c.users.east, "李平安")):
        user.display_name = name
    with at("2026-03-02"):
        shop_finding = inspect(c, c.units.shop, "SC-01").findings[0]
        factory_finding = inspect(c, c.units.factory, "YD-01").findings[0]
        market_finding = inspect(c, c.units.market, "SP-01").findings[0]
    with at("2026-03-10"):
        first = published_exposure(c, title="2026年第1期平安曝光", expires_on=date(2026, 3, 31),
                                   items=[ExposedPlace(c.units.shop, [shop_finding])])
        lasting = published_exposure(c, title="2026年第2期平安曝光",
                                     items=[ExposedPlace(c.units.factory, [factory_finding])])
        draft = create_exposure(c.users.office, title="待审核的曝光",
                                items=[ExposedPlace(c.units.market, [market_finding])])
        assert draft.status == ExposureStatus.awaiting_approval
    with at("2026-03-12", 14):  # the shop's problem is seen rectified at its re-inspection
        inspect(c, c.units.shop, kind=InspectionKind.reinspection, verified=[(shop_finding, True)])
    database.session.commit()
    return first, lasting, draft


def page(client, day):
    with at(day):
        response = client.get("/exposures")
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_page_lists_places_problems_and_their_rectification_without_login(client, exposed):
    html = page(client, "2026-03-20")
    assert "2026年第1期平安曝光" in html and "2026年第2期平安曝光" in html
    assert html.index("2026年第2期平安曝光") < html.index("2026年第1期平安曝光")  # newest first
    for text in ("某电子商务商行", "兰江街道振兴路1号", "危险化学品储存不规范", "生产安全", "2026-03-02",
                 "马涧五金加工厂", "马涧镇郑宅村", "配电箱接线混乱裸露", "用电安全"):
        assert text in html, text
    shop_part, factory_part = html.split("某电子商务商行")[1], html.split("马涧五金加工厂")[1]
    assert "已整改" in shop_part.split("</table>")[0]
    assert "整改中" in factory_part.split("</table>")[0] and "已整改" not in factory_part.split("</table>")[0]
    assert "待审核的曝光" not in html and "柏社农贸市场" not in html  # awaiting approval: not public
    assert "/login" not in html.split("<main")[1]  # no login wall


def test_the_page_shows_no_personal_data(client, county, exposed):
    html = page(client, "2026-03-20")
    text = visible_text(html)
    assert not MOBILE_NUMBER.search(html)
    for name in ("张三", "王五", "陈科长", "徐组长", "李平安", "管理员"):
        assert name not in html, name
    for username in ("root", "office", "head", "east", "west", "inspector", "fire", "market", "emergency", "viewer"):
        assert not re.search(rf"\b{username}\b", text), username


def test_an_expired_exposure_leaves_the_page_but_still_counts_for_its_period(client, exposed):
    assert "2026年第1期平安曝光" in page(client, "2026-03-31")  # on show through its last day
    html = page(client, "2026-04-01")
    assert "2026年第1期平安曝光" not in html and "2026年第2期平安曝光" in html
    with at("2026-04-01"):
        figures = summary(date(2026, 3, 1), date(2026, 3, 31))["exposures"]
    assert figures == {"actions": 2, "places": 2, "problems": 2, "problems_closed": 1}


def test_an_empty_page_says_so(client, database):
    html = page(client, "2026-03-20")
    assert "目前没有正在公示的平安曝光" in html
