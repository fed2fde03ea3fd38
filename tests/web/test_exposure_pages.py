"""平安曝光 pages of the county office: who may use them, draft → submit → approve by a second person or return
with a reason → end date / take down, refusals that change nothing, the downloads, and a public page without
personal data."""

import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from inspect_loop.db import db
from inspect_loop.exposures.models import Exposure, ExposureStatus
from inspect_loop.regions.models import DepartmentKind, RegionLevel
from inspect_loop.regions.operations import create_department, create_region
from inspect_loop.stats import summary
from inspect_loop.users.models import Role
from inspect_loop.users.operations import create_user
from tests.factories import PASSWORD, inspect
from tests.helpers import at

MOBILE_NUMBER = re.compile(r"1[3-9]\d{9}")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def problems(county, database):
    """The shop's major SC-01 and its XF-01, the factory's YD-01, found on 2 March; people with names."""
    c = county
    c.units.factory.contact_name, c.units.factory.contact_phone = "王五", "13912345678"
    for user, name in ((c.users.office, "陈科长"), (c.users.inspector, "徐组长"), (c.users.east, "李平安")):
        user.display_name = name
    with at("2026-03-02"):
        shop = inspect(c, c.units.shop, "SC-01", "XF-01").findings
        factory = inspect(c, c.units.factory, "YD-01").findings
    database.session.commit()
    return shop, factory


def exposure_count() -> int:
    return db.session.scalar(select(func.count(Exposure.id)))


def only_exposure() -> Exposure:
    db.session.expire_all()
    return db.session.scalar(select(Exposure))


def public_page(client, day: str) -> str:
    with at(day):
        response = client.get("/exposures")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("path", ["/office/exposures", "/office/exposures/new", "/office/exposures?format=xlsx"])
def test_only_the_county_office_and_the_administrator_open_the_pages(login, anonymous, path):
    with at("2026-03-10"):
        for username in ("office", "root"):
            assert login(username).get(path).status_code == 200, username
        for username in ("east", "inspector", "fire", "viewer"):
            assert login(username).get(path).status_code == 403, username
        response = anonymous.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_menu_offers_exposures_to_the_office_only(login):
    with at("2026-03-10"):
        assert 'href="/office/exposures"' in login("office").get("/units").get_data(as_text=True)
        assert 'href="/office/exposures"' not in login("east").get("/units").get_data(as_text=True)


def approved(login) -> None:
    """The office's head approves the one exposure the office submitted."""
    response = login("head").post(f"/office/exposures/{only_exposure().id}/approve")
    assert response.status_code == 302 and only_exposure().status == ExposureStatus.published


def test_draft_edit_submit_approve_end_date_and_statistics(login, anonymous, problems):
    shop, factory = problems
    with at("2026-03-10"):
        office = login("office")
        response = office.post("/office/exposures/new", data={
            "title": "待审核的曝光", "finding_ids": [str(shop[0].id)], "action": "draft"})
        assert response.status_code == 302
        exposure = only_exposure()
        assert response.headers["Location"].endswith(f"/office/exposures/{exposure.id}")
        assert exposure.status == ExposureStatus.draft
        listing = office.get("/office/exposures?state=draft").get_data(as_text=True)
        assert "待审核的曝光" in listing and "草稿" in listing
    assert "待审核的曝光" not in public_page(anonymous, "2026-03-10")  # a draft is never public

    with at("2026-03-10"):
        form = office.get(f"/office/exposures/{exposure.id}/edit").get_data(as_text=True)
        assert f'value="{shop[0].id}" checked' in form  # the draft's problems, ticked
        response = office.post(f"/office/exposures/{exposure.id}/edit", data={
            "title": "2026年第1期平安曝光", "expires_on": "2026-03-31",
            "finding_ids": [str(shop[0].id), str(factory[0].id)], "action": "draft"})
        assert response.status_code == 302
        exposure = only_exposure()
        assert (exposure.title, exposure.expires_on, [item.unit_id for item in exposure.items]) == (
            "2026年第1期平安曝光", date(2026, 3, 31), [problems[0][0].unit_id, problems[1][0].unit_id])
        office.post(f"/office/exposures/{exposure.id}/submit")
        assert only_exposure().status == ExposureStatus.awaiting_approval
        page = office.get(f"/office/exposures/{exposure.id}").get_data(as_text=True)
        assert "须由本单位另一人审批" in page and "审批通过并发布" not in page  # the drafter does not approve
        refused = office.post(f"/office/exposures/{exposure.id}/approve", follow_redirects=True)
        assert "另一人审批" in refused.get_data(as_text=True)
        assert only_exposure().status == ExposureStatus.awaiting_approval
        head = login("head")
        awaiting = head.get("/office/exposures?state=awaiting").get_data(as_text=True)
        assert "2026年第1期平安曝光" in awaiting and "待审批" in awaiting
        assert "审批通过并发布" in head.get(f"/office/exposures/{exposure.id}").get_data(as_text=True)
    assert "2026年第1期平安曝光" not in public_page(anonymous, "2026-03-10")  # not public before approval
    with at("2026-03-10"):
        head.post(f"/office/exposures/{exposure.id}/approve")
        exposure = only_exposure()
        assert (exposure.status, exposure.published_on) == (ExposureStatus.published, date(2026, 3, 10))
        # Published: the content is fixed; only the end date changes.
        office.post(f"/office/exposures/{exposure.id}/edit", data={"title": "改", "finding_ids": [str(shop[1].id)]})
        assert only_exposure().title == "2026年第1期平安曝光"
        page = office.get(f"/office/exposures/{exposure.id}").get_data(as_text=True)
        assert "公示中" in page and "立即下线" in page and "修改草稿" not in page

    html = public_page(anonymous, "2026-03-31")  # on show through its last day
    assert "2026年第1期平安曝光" in html and "危险化学品储存不规范" in html and "马涧五金加工厂" in html
    assert "2026年第1期平安曝光" not in public_page(anonymous, "2026-04-01")
    with at("2026-04-01"):
        assert "已下线" in login("office").get("/office/exposures").get_data(as_text=True)
        # It counts in March, the month it was published in, though it has left the public page.
        figures = summary(date(2026, 3, 1), date(2026, 3, 31))["exposures"]
    assert figures == {"actions": 1, "places": 2, "problems": 2, "problems_closed": 0}


def test_an_exposure_is_taken_down_with_a_reason_and_shown_again_by_a_new_end_date(login, anonymous, problems):
    with at("2026-03-10"):
        office = login("office")
        office.post("/office/exposures/new", data={"title": "2026年第1期平安曝光", "action": "submit",
                                                   "finding_ids": [str(problems[0][0].id)]})
        approved(login)
        exposure = only_exposure()
        refused = office.post(f"/office/exposures/{exposure.id}/take-down", data={"reason": ""}, follow_redirects=True)
        assert "请填写下线原因" in refused.get_data(as_text=True) and only_exposure().expires_on is None
        office.post(f"/office/exposures/{exposure.id}/take-down", data={"reason": "问题已整改到位"})
        assert only_exposure().expires_on == date(2026, 3, 9)
    assert "2026年第1期平安曝光" not in public_page(anonymous, "2026-03-10")
    with at("2026-03-10"):
        refused = office.post(f"/office/exposures/{exposure.id}/expiry", data={"expires_on": "2026-03-01"},
                              follow_redirects=True)
        assert "曝光截止日期不能早于今天" in refused.get_data(as_text=True)
        office.post(f"/office/exposures/{exposure.id}/expiry", data={"expires_on": "2026-04-15"})
    assert "2026年第1期平安曝光" in public_page(anonymous, "2026-04-15")
    with at("2026-03-10"):
        refused = office.post(f"/office/exposures/{exposure.id}/discard", follow_redirects=True)
        assert "不能删除" in refused.get_data(as_text=True) and exposure_count() == 1


def test_a_draft_is_discarded(login, anonymous, problems):
    with at("2026-03-10"):
        office = login("office")
        office.post("/office/exposures/new", data={"title": "草稿", "action": "draft",
                                                   "finding_ids": [str(problems[0][0].id)]})
        response = office.post(f"/office/exposures/{only_exposure().id}/discard")
        assert response.status_code == 302 and response.headers["Location"].endswith("/office/exposures")
    assert exposure_count() == 0


@pytest.mark.parametrize(("form", "message"), [
    ({"title": " ", "finding_ids": ["SHOP"]}, "请填写曝光标题"),
    ({"title": "曝光"}, "请至少列出一个曝光场所"),
    ({"title": "曝光", "finding_ids": ["SHOP"], "expires_on": "2026-03-01"}, "曝光截止日期不能早于今天"),
    ({"title": "曝光", "finding_ids": ["SHOP"], "expires_on": "2026-02-30"}, "公示截止日期应为有效日期"),
    ({"title": "曝光", "finding_ids": ["x1"]}, "提交的编号无效"),
    ({"title": "曝光", "finding_ids": ["999999"]}, "所选问题不存在或不属于本县"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_created(login, problems, form, message):
    shop_id = str(problems[0][0].id)
    data = {**form, "action": "submit"}
    if "finding_ids" in data:
        data["finding_ids"] = [shop_id if value == "SHOP" else value for value in data["finding_ids"]]
    with at("2026-03-10"):
        response = login("office").post("/office/exposures/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert exposure_count() == 0
    if form.get("finding_ids") == ["SHOP"]:
        assert f'value="{shop_id}" checked' in html  # what was chosen is still chosen


@pytest.mark.parametrize("username", ["east", "inspector", "fire", "viewer"])
def test_other_roles_change_nothing(login, problems, username):
    with at("2026-03-10"):
        office = login("office")
        office.post("/office/exposures/new", data={"title": "草稿", "action": "draft",
                                                   "finding_ids": [str(problems[0][0].id)]})
        draft = only_exposure()
        other = login(username)
        assert other.post("/office/exposures/new", data={"title": "曝光", "action": "submit",
                                                         "finding_ids": [str(problems[0][0].id)]}).status_code == 403
        for action, data in (("submit", {}), ("approve", {}), ("return", {"reason": "退回"}), ("discard", {}), ("expiry", {"expires_on": ""}),
                             ("take-down", {"reason": "下线"}), ("edit", {"title": "改"})):
            assert other.post(f"/office/exposures/{draft.id}/{action}", data=data).status_code == 403, action
        assert other.get(f"/office/exposures/{draft.id}").status_code == 403
    draft = only_exposure()
    assert (exposure_count(), draft.status, draft.title) == (1, ExposureStatus.draft, "草稿")


def test_another_countys_office_gets_403(login, county, problems):
    admin = county.users.admin
    with at("2026-03-10"):
        other = create_region(admin, code="330782", name="义乌市", level=RegionLevel.county, parent_code=None)
        department = create_department(admin, code="YW-PAB", name="义乌市平安办", region=other,
                                       kind=DepartmentKind.safety_office, doc_prefix="义平安")
        create_user(username="yiwu", role=Role.safety_office, department=department, password=PASSWORD)
        db.session.commit()
        login("office").post("/office/exposures/new", data={"title": "兰溪的草稿", "action": "draft",
                                                            "finding_ids": [str(problems[0][0].id)]})
        draft = only_exposure()
        stranger = login("yiwu")
        assert stranger.get(f"/office/exposures/{draft.id}").status_code == 403
        for action in ("submit", "approve", "return"):
            assert stranger.post(f"/office/exposures/{draft.id}/{action}", data={"reason": "退回"}).status_code == 403
        assert "兰溪的草稿" not in stranger.get("/office/exposures").get_data(as_text=True)
        picker = stranger.get("/office/exposures/new").get_data(as_text=True)
        assert "某电子商务商行" not in picker  # the picker offers its own county's problems only
    assert only_exposure().status == ExposureStatus.draft


def test_the_picker_searches_and_filters(login, problems):
    with at("2026-03-10"):
        office = login("office")
        everything = office.get("/office/exposures/new").get_data(as_text=True)
        major = office.get("/office/exposures/new?only=major").get_data(as_text=True)
        factory = office.get("/office/exposures/new?q=五金").get_data(as_text=True)
    offered = lambda html, finding: f'name="finding_ids" value="{finding.id}"' in html  # noqa: E731
    (shop_major, shop_general), (factory_general,) = problems
    assert all(offered(everything, finding) for finding in (shop_major, shop_general, factory_general))
    assert offered(major, shop_major) and not offered(major, shop_general) and not offered(major, factory_general)
    assert offered(factory, factory_general) and not offered(factory, shop_major)


def test_the_downloads_list_the_exposures_and_their_problems(login, problems):
    with at("2026-03-10"):
        office = login("office")
        office.post("/office/exposures/new", data={"title": "2026年第1期平安曝光", "action": "submit",
                                                   "finding_ids": [str(finding.id) for finding in problems[0]]})
        approved(login)
        listing = office.get("/office/exposures?format=xlsx")
        detail = office.get(f"/office/exposures/{only_exposure().id}?format=xlsx")
    assert listing.mimetype == XLSX and detail.mimetype == XLSX
    rows = list(load_workbook(BytesIO(listing.data)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("标题", "状态", "发布日期", "公示截止", "曝光场所数", "曝光问题数", "已整改问题数")
    assert rows[1][:2] == ("2026年第1期平安曝光", "公示中") and rows[1][4:] == (1, 2, 0)
    rows = list(load_workbook(BytesIO(detail.data)).worksheets[0].iter_rows(values_only=True))
    assert [row[3] for row in rows[1:]] == ["危险化学品储存不规范", "应急照明灯未接通电源"]
    assert rows[1][0] == "某电子商务商行" and rows[1][5] == "重大" and rows[1][7] == "整改中"


def test_a_published_exposure_shows_no_personal_data(login, anonymous, county, problems):
    with at("2026-03-10"):
        login("office").post("/office/exposures/new", data={
            "title": "2026年第1期平安曝光", "action": "submit",
            "finding_ids": [str(finding.id) for findings in problems for finding in findings]})
        approved(login)
    html = public_page(anonymous, "2026-03-20")
    assert "2026年第1期平安曝光" in html and "某电子商务商行" in html and "马涧五金加工厂" in html
    assert not MOBILE_NUMBER.search(html)
    for name in ("张三", "王五", "陈科长", "徐组长", "李平安", "管理员"):
        assert name not in html, name
    text = visible_text(html)
    for username in ("root", "office", "head", "east", "west", "inspector", "fire", "market", "emergency", "viewer"):
        assert not re.search(rf"\b{username}\b", text), username


def test_the_approver_returns_an_exposure_with_a_reason_the_drafter_reads(login, problems):
    with at("2026-03-10"):
        office = login("office")
        office.post("/office/exposures/new", data={"title": "2026年第1期平安曝光", "action": "submit",
                                                   "finding_ids": [str(problems[0][0].id)]})
        exposure = only_exposure()
        head = login("head")
        refused = head.post(f"/office/exposures/{exposure.id}/return", data={"reason": " "}, follow_redirects=True)
        assert "请填写退回原因" in refused.get_data(as_text=True)
        assert only_exposure().status == ExposureStatus.awaiting_approval
        head.post(f"/office/exposures/{exposure.id}/return", data={"reason": "请补充整改期限"})
        assert only_exposure().status == ExposureStatus.draft
        page = office.get(f"/office/exposures/{exposure.id}").get_data(as_text=True)
        assert "审批人退回修改：请补充整改期限" in page and "修改草稿" in page
