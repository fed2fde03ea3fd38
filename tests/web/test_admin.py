"""系统管理: users, regions, departments and the hazard catalogue — lists with search, filters and .xlsx export,
the forms that add or change them, refusals in Chinese that change nothing, and only the administrator in."""

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from inspect_loop.db import db
from inspect_loop.hazards.models import DayBasis, HazardType, Severity
from inspect_loop.regions.models import Department, Region
from inspect_loop.users.models import ApiToken, Role, User
from inspect_loop.users.operations import issue_api_token
from inspect_loop.users.passwords import check_password
from tests.factories import PASSWORD, inspect
from tests.helpers import at, csrf_token_of, strict_login

ADMIN_PAGES = ["/admin", "/admin/users", "/admin/users/new", "/admin/regions", "/admin/regions/new",
               "/admin/departments", "/admin/departments/new", "/admin/hazards", "/admin/hazards/new",
               "/imports/hazards", "/imports/hazards/template.xlsx"]
NEW_PASSWORD = "a-fresh-long-passphrase"


@pytest.fixture
def admin(login):
    return login("root")


def text_of(response) -> str:
    return response.get_data(as_text=True)


def user_named(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username))


def xlsx_rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return list(load_workbook(BytesIO(response.data)).worksheets[0].iter_rows(values_only=True))


# -- who may open the pages ----------------------------------------------------------------------------

def test_the_admin_opens_every_admin_page(admin):
    for path in ADMIN_PAGES:
        assert admin.get(path).status_code == 200, path


@pytest.mark.parametrize("username", ["office", "east", "fire", "inspector", "viewer"])
def test_every_other_role_is_refused(login, county, username):
    client = login(username)
    for path in [*ADMIN_PAGES, f"/admin/users/{county.users.viewer.id}"]:
        assert client.get(path).status_code == 403, path
    for path, form in [("/admin/users/new", {"username": "x", "role": "viewer"}),
                       (f"/admin/users/{county.users.viewer.id}/active", {"active": "0"}),
                       (f"/admin/users/{county.users.viewer.id}/password", {"password": NEW_PASSWORD,
                                                                             "repeat": NEW_PASSWORD}),
                       ("/admin/regions/new", {"code": "1", "name": "x", "level": "county"}),
                       ("/admin/hazards/new", {"code": "X-1"})]:
        assert client.post(path, data=form).status_code == 403, path
    db.session.expire_all()
    assert county.users.viewer.active and user_named("x") is None
    assert db.session.scalar(select(func.count(Region.id)).where(Region.code == "1")) == 0


def test_the_menu_leads_the_admin_to_the_admin_home(admin):
    response = admin.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin")
    assert "系统管理" in text_of(admin.get("/admin"))


# -- users --------------------------------------------------------------------------------------------

def test_creating_a_user_of_an_office(admin, county):
    response = admin.post("/admin/users/new", data={
        "username": "lijiang", "display_name": "兰江街道 李主任", "role": "township_office",
        "department": county.east_office.id, "password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert response.status_code == 302
    user = user_named("lijiang")
    assert user.role == Role.township_office and user.department_id == county.east_office.id
    assert user.display_name == "兰江街道 李主任" and check_password(user.password_hash, NEW_PASSWORD)


@pytest.mark.parametrize("form, message", [
    ({"username": "x1", "role": "regulator", "department": "0"}, "行业主管部门须指定所属部门"),
    ({"username": "x2", "role": "regulator", "department": "east_office"}, "不能作为行业主管部门的所属部门"),
    ({"username": "office", "role": "viewer", "department": "0"}, "用户名 office 已存在"),
    ({"username": "x3", "role": "viewer", "department": "0", "password": "123456", "repeat": "123456"}, "密码"),
    ({"username": "x4", "role": "viewer", "department": "0", "repeat": "something-else-here"}, "两次输入的密码不一致"),
    ({"username": "", "role": "viewer", "department": "0"}, "请填写此项"),
])
def test_a_refused_user_is_not_created(admin, county, form, message):
    if form.get("department") == "east_office":
        form = {**form, "department": str(county.east_office.id)}
    form = {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD, **form}
    before = db.session.scalar(select(func.count(User.id)))
    response = admin.post("/admin/users/new", data=form)
    assert response.status_code == 400
    assert message in text_of(response)
    assert db.session.scalar(select(func.count(User.id))) == before


def test_changing_a_users_role_and_department(admin, county):
    user = county.users.east
    response = admin.post(f"/admin/users/{user.id}", data={"display_name": "马涧 王", "role": "township_office",
                                                           "department": county.west_office.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert user_named("east").department_id == county.west_office.id
    refused = admin.post(f"/admin/users/{user.id}", data={"role": "regulator", "department": county.west_office.id})
    assert refused.status_code == 400 and "不能作为行业主管部门的所属部门" in text_of(refused)
    db.session.expire_all()
    assert user_named("east").role == Role.township_office
    own = admin.post(f"/admin/users/{county.users.admin.id}", data={"role": "viewer", "department": "0"})
    assert own.status_code == 400 and "不能修改自己的角色" in text_of(own)


def test_disabling_a_user_revokes_its_tokens_and_the_admin_cannot_disable_itself(admin, county):
    issue_api_token(county.users.fire)
    db.session.commit()
    assert admin.post(f"/admin/users/{county.users.fire.id}/active", data={"active": "0"}).status_code == 302
    db.session.expire_all()
    assert not user_named("fire").active
    assert db.session.scalar(select(ApiToken.revoked_at)) is not None
    refused = admin.post(f"/admin/users/{county.users.admin.id}/active", data={"active": "0"})
    assert refused.status_code == 400 and "不能停用自己的账号" in text_of(refused)
    db.session.expire_all()
    assert user_named("root").active
    assert admin.post(f"/admin/users/{county.users.fire.id}/active", data={"active": "1"}).status_code == 302
    db.session.expire_all()
    assert user_named("fire").active


def test_resetting_a_password(admin, county):
    path = f"/admin/users/{county.users.viewer.id}/password"
    refused = admin.post(path, data={"password": "viewer12345", "repeat": "viewer12345"})
    assert refused.status_code == 400 and "用户名" in text_of(refused)
    db.session.expire_all()
    assert check_password(user_named("viewer").password_hash, PASSWORD)
    assert admin.post(path, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}).status_code == 302
    db.session.expire_all()
    assert check_password(user_named("viewer").password_hash, NEW_PASSWORD)


def test_the_user_list_searches_filters_and_exports(admin, county):
    page = text_of(admin.get("/admin/users?role=regulator"))
    assert "fire" in page and "inspector2" not in page
    assert "兰溪市消防救援大队" in text_of(admin.get("/admin/users?q=消防"))
    assert "inspector" not in text_of(admin.get("/admin/users?q=消防")).split("<table", 1)[1]
    county.users.viewer.active = False
    db.session.commit()
    assert "viewer" in text_of(admin.get("/admin/users?active=0")).split("<table", 1)[1]
    rows = xlsx_rows(admin.get("/admin/users?role=regulator&format=xlsx"))
    assert rows[0] == ("用户名", "姓名", "角色", "所属部门", "状态", "创建时间")
    assert sorted(row[0] for row in rows[1:]) == ["emergency", "fire", "market"]
    assert {row[2] for row in rows[1:]} == {"行业主管部门"}


# -- regions, departments, hazard catalogue ------------------------------------------------------------

def test_adding_regions(admin, county):
    assert admin.post("/admin/regions/new", data={"code": "330781102", "name": "梅江镇", "level": "township",
                                                  "parent_code": "330781"}).status_code == 302
    township = db.session.scalar(select(Region).where(Region.code == "330781102"))
    assert township.parent_id == county.county.id
    for form, message in [({"code": "330781102", "name": "重复", "level": "township", "parent_code": "330781"},
                           "代码 330781102 已存在"),
                          ({"code": "330781103", "name": "错层", "level": "village", "parent_code": "330781"},
                           "村（社区）的上级区划应为乡镇（街道）"),
                          ({"code": "330781104", "name": "无上级", "level": "township", "parent_code": ""},
                           "请填写上级区划"),
                          ({"code": "330781105", "name": "未知", "level": "township", "parent_code": "999"},
                           "行政区划代码 999 不存在")]:
        response = admin.post("/admin/regions/new", data=form)
        assert response.status_code == 400 and message in text_of(response), form
    assert db.session.scalar(select(func.count(Region.id)).where(Region.code.like("33078110_"))) == 2
    assert "梅江镇" in text_of(admin.get("/admin/regions?level=township"))
    assert "梅江镇" not in text_of(admin.get("/admin/regions?level=village"))
    rows = xlsx_rows(admin.get("/admin/regions?q=梅江&format=xlsx"))
    assert rows[1] == ("330781102", "梅江镇", "乡镇（街道）", "330781", "兰溪市")


def test_adding_departments(admin, county):
    response = admin.post("/admin/departments/new", data={
        "code": "LX-JX", "name": "兰溪市经济和信息化局", "kind": "regulator", "region": county.county.id,
        "sectors": "用电、燃气", "doc_prefix": "兰经信"})
    assert response.status_code == 302
    department = db.session.scalar(select(Department).where(Department.code == "LX-JX"))
    assert department.sectors == ["燃气", "用电"]
    for form, message in [({"code": "LX-Q1", "name": "无行业", "kind": "regulator", "region": county.county.id},
                           "行业主管部门须至少负责一个行业"),
                          ({"code": "LX-Q2", "name": "乡镇局", "kind": "regulator", "region": county.east.id,
                            "sectors": "消防"}, "行业主管部门须设在县（市、区）"),
                          ({"code": "LX-JX", "name": "重复", "kind": "safety_office", "region": county.county.id},
                           "代码 LX-JX 已存在")]:
        response = admin.post("/admin/departments/new", data=form)
        assert response.status_code == 400 and message in text_of(response), form
    assert db.session.scalar(select(func.count(Department.id)).where(Department.code.like("LX-Q%"))) == 0
    page = text_of(admin.get("/admin/departments?kind=regulator&q=燃气"))
    assert "兰溪市经济和信息化局" in page and "兰溪市消防救援大队" not in page
    rows = xlsx_rows(admin.get("/admin/departments?kind=safety_office&format=xlsx"))
    assert sorted(row[0] for row in rows[1:]) == ["LJ-PAB", "LX-PAB", "MJ-PAB"]
    assert department.enforcement_powers  # a regulator, its powers left to its kind


def test_a_departments_issuer_details_are_edited_on_its_page(admin, county):
    page = f"/admin/departments/{county.office.id}"
    form = {"name": "兰溪市平安办", "doc_prefix": "兰平安", "full_name": "兰溪市平安建设领导小组办公室",
            "address": "兰溪市丹溪大道1号", "contact_person": "陈科长", "contact_phone": "0579-88901234转8001",
            "enforcement_powers": "no"}
    assert admin.post(page, data=form).status_code == 302
    db.session.expire_all()
    office = county.office
    assert (office.full_name, office.address, office.contact_person, office.contact_phone, office.enforcement_powers) \
        == ("兰溪市平安建设领导小组办公室", "兰溪市丹溪大道1号", "陈科长", "0579-88901234转8001", False)
    edit = text_of(admin.get(page))
    assert 'value="兰溪市平安建设领导小组办公室"' in edit and 'value="0579-88901234转8001"' in edit
    assert '<option selected value="no">' in edit or '<option value="no" selected>' in edit
    listing = text_of(admin.get("/admin/departments?q=LX-PAB"))
    assert "兰溪市平安建设领导小组办公室" in listing and "陈科长" in listing
    rows = xlsx_rows(admin.get("/admin/departments?q=LX-PAB&format=xlsx"))
    assert rows[1][2] == "兰溪市平安建设领导小组办公室" and rows[1][-3:] == ("陈科长", "0579-88901234转8001", "无")
    for bad, field, message in [({"contact_phone": "请拨0579-88901234"}, "contact_phone", "联系电话只能填写数字"),
                                ({"contact_phone": "1234"}, "contact_phone", "至少5位数字"),
                                ({"enforcement_powers": "maybe"}, "enforcement_powers", ""),
                                ({"full_name": "办" * 101}, "full_name", "")]:
        response = admin.post(page, data={**form, "full_name": "别的全称", **bad})
        assert response.status_code == 400, bad
        block = re.search(rf'<div class="field has-error">\s*<label for="{field}".*?</div>', text_of(response), re.S)
        assert block and message in block.group(0), bad
    db.session.expire_all()
    assert (county.office.full_name, county.office.contact_phone) == (
        "兰溪市平安建设领导小组办公室", "0579-88901234转8001")


def test_a_new_departments_powers_follow_its_kind_or_the_choice(admin, county):
    base = {"kind": "regulator", "region": county.county.id, "sectors": "燃气"}
    admin.post("/admin/departments/new", data={**base, "code": "LX-ZJ", "name": "兰溪市住房和城乡建设局",
                                               "enforcement_powers": ""})
    admin.post("/admin/departments/new", data={**base, "code": "LX-ZJ2", "name": "兰溪市城市管理局",
                                               "enforcement_powers": "no"})
    powers = dict(db.session.execute(select(Department.code, Department.enforcement_powers)
                                      .where(Department.code.like("LX-ZJ%"))).all())
    assert powers == {"LX-ZJ": True, "LX-ZJ2": False}


def test_adding_hazard_types(admin, county):
    response = admin.post("/admin/hazards/new", data={
        "code": "RQ-01", "category": "燃气安全", "title": "燃气软管老化", "sector": "燃气", "severity": "major",
        "rectify_days": "3", "day_basis": "working", "legal_basis": "《城镇燃气管理条例》第二十八条"})
    assert response.status_code == 302
    hazard = db.session.scalar(select(HazardType).where(HazardType.code == "RQ-01"))
    assert hazard.legal_basis == "《城镇燃气管理条例》第二十八条"
    assert hazard.severity == Severity.major and hazard.day_basis == DayBasis.working and hazard.rectify_days == 3
    for form, message in [({"code": "RQ-01"}, "代码 RQ-01 已存在"), ({"code": "RQ-02", "rectify_days": "400"},
                                                                  "应为0至365的整数")]:
        response = admin.post("/admin/hazards/new", data={
            "category": "燃气安全", "title": "x", "sector": "燃气", "severity": "general", "rectify_days": "3",
            "day_basis": "calendar", **form})
        assert response.status_code == 400 and message in text_of(response), form
    assert db.session.scalar(select(func.count(HazardType.id))) == 6
    assert "燃气软管老化" in text_of(admin.get("/admin/hazards?severity=major&sector=燃气"))
    assert "燃气软管老化" not in text_of(admin.get("/admin/hazards?category=消防安全"))
    rows = xlsx_rows(admin.get("/admin/hazards?q=燃气&format=xlsx"))
    assert rows[1] == ("RQ-01", "燃气安全", "燃气软管老化", "燃气", "重大", 3, "工作日", "《城镇燃气管理条例》第二十八条")
    assert "依据：《城镇燃气管理条例》第二十八条" in text_of(admin.get("/admin/hazards?q=RQ-01"))


def test_lists_are_paginated(admin, county):
    for number in range(25):
        admin.post("/admin/regions/new", data={"code": f"33078110{number:02d}", "name": f"测试村{number}",
                                               "level": "village", "parent_code": "330781101"})
    admin.get("/admin")  # shows (and so clears) the flashed confirmations of the additions
    first = text_of(admin.get("/admin/regions?level=village"))
    second = text_of(admin.get("/admin/regions?level=village&page=2"))
    assert "第 1 / 2 页" in first and "共 26 条" in first
    # Each name is shown twice: in the phone's row and in the desktop's cell.
    assert len(set(re.findall(r"测试村\d+", first))) == 19 and len(set(re.findall(r"测试村\d+", second))) == 6


# -- CSRF --------------------------------------------------------------------------------------------

def test_an_admin_form_without_its_csrf_token_is_refused(strict_app, login, county):
    login("root")  # gives the factory's administrator its password
    client = strict_login(strict_app, "root")
    refused = client.post(f"/admin/users/{county.users.fire.id}/active", data={"active": "0"})
    assert refused.status_code == 400 and "CSRF" in text_of(refused)
    db.session.expire_all()
    assert user_named("fire").active


# -- correcting the catalogue --------------------------------------------------------------------------

def edit_pages(county) -> list[str]:
    return [f"/admin/regions/{county.east.id}", f"/admin/departments/{county.fire.id}",
            f"/admin/hazards/{county.hazards['XF-01'].id}"]


def test_each_list_row_leads_to_its_edit_page_with_the_current_values(admin, county):
    for listing, page in zip(["/admin/regions?q=兰江", "/admin/departments?q=LX-XF", "/admin/hazards?q=XF-01"],
                             edit_pages(county), strict=True):
        assert f'href="{page}"' in text_of(admin.get(listing)), listing
    region, department, hazard = (text_of(admin.get(page)) for page in edit_pages(county))
    assert 'value="兰江街道"' in region and "330781001" in region and 'name="code"' not in region
    assert 'value="兰溪市消防救援大队"' in department and 'value="消防"' in department and 'value="兰消"' in department
    assert 'value="应急照明灯未接通电源"' in hazard and 'value="7"' in hazard and 'name="code"' not in hazard
    office = text_of(admin.get(f"/admin/departments/{county.office.id}"))
    assert 'name="sectors"' not in office  # a safety office has no sectors to edit


def test_correcting_a_region_a_department_and_a_hazard_type(admin, county):
    assert admin.post(f"/admin/regions/{county.east.id}", data={"name": "兰江街道办事处"}).status_code == 302
    assert admin.post(f"/admin/departments/{county.emergency.id}", data={
        "name": "兰溪市应急管理局", "sectors": "生产、用电，燃气", "doc_prefix": "兰应"}).status_code == 302
    response = admin.post(f"/admin/hazards/{county.hazards['XF-01'].id}", data={
        "category": "消防安全", "title": "应急照明灯未接电源", "sector": "消防", "severity": "major",
        "rectify_days": "10", "day_basis": "working"})
    assert response.status_code == 302 and response.location.endswith("/admin/hazards?q=XF-01")
    assert "已保存隐患类型：应急照明灯未接电源" in text_of(admin.get("/admin/hazards?q=XF-01"))
    db.session.expire_all()
    assert county.east.name == "兰江街道办事处" and county.east.code == "330781001"
    assert (county.emergency.sectors, county.emergency.doc_prefix) == (["燃气", "生产", "用电"], "兰应")
    hazard = county.hazards["XF-01"]
    assert (hazard.title, hazard.severity, hazard.rectify_days, hazard.day_basis) == (
        "应急照明灯未接电源", Severity.major, 10, DayBasis.working)


def test_a_refused_correction_shows_the_message_under_its_field_and_keeps_the_old_value(admin, county):
    with at("2026-03-02"):
        inspect(county, county.units.shop, "XF-01")
    db.session.commit()
    hazard_page = f"/admin/hazards/{county.hazards['XF-01'].id}"
    hazard_form = {"category": "消防安全", "title": "应急照明灯未接通电源", "sector": "消防", "severity": "general",
                   "rectify_days": "7", "day_basis": "calendar"}
    for page, form, field, message in [
        (f"/admin/regions/{county.east.id}", {"name": " "}, "name", "请填写此项"),
        (f"/admin/departments/{county.fire.id}", {"name": "兰溪市消防救援大队", "sectors": "电动自行车",
                                                  "doc_prefix": "兰消"}, "sectors", "本县还有“消防”行业的问题尚未签认"),
        (f"/admin/departments/{county.fire.id}", {"name": "兰溪市消防救援大队", "sectors": "",
                                                  "doc_prefix": "兰消"}, "sectors", "行业主管部门须至少负责一个行业"),
        (hazard_page, {**hazard_form, "rectify_days": "400"}, "rectify_days", "应为0至365的整数"),
        (hazard_page, {**hazard_form, "sector": "燃气"}, "sector", "没有负责“燃气”行业的主管部门"),
    ]:
        response = admin.post(page, data=form)
        page_text = text_of(response)
        assert response.status_code == 400, (page, form)
        # The message sits in the field's own block, under its input.
        block = re.search(rf'<div class="field has-error">\s*<label for="{field}".*?</div>', page_text, re.S)
        assert block and message in block.group(0), (page, form)
    db.session.expire_all()
    assert county.east.name == "兰江街道" and county.fire.sectors == ["消防"]
    assert (county.hazards["XF-01"].rectify_days, county.hazards["XF-01"].sector) == (7, "消防")


@pytest.mark.parametrize("username", ["office", "fire", "viewer"])
def test_only_the_administrator_opens_and_posts_the_edit_pages(login, county, username):
    client = login(username)
    for page, form in zip(edit_pages(county), [{"name": "改名"}, {"name": "改名", "sectors": "消防"},
                                               {"title": "改名", "rectify_days": "30"}], strict=True):
        assert client.get(page).status_code == 403, page
        assert client.post(page, data=form).status_code == 403, page
    db.session.expire_all()
    assert (county.east.name, county.fire.name, county.hazards["XF-01"].rectify_days) == (
        "兰江街道", "兰溪市消防救援大队", 7)


def test_an_edit_form_carries_its_csrf_token(strict_app, login, county):
    login("root")  # gives the factory's administrator its password
    client = strict_login(strict_app, "root")
    page = f"/admin/regions/{county.east.id}"
    assert client.post(page, data={"name": "无令牌"}).status_code == 400
    assert client.post(page, data={"name": "兰江街道办事处",
                                   "csrf_token": csrf_token_of(client.get(page))}).status_code == 302
    db.session.expire_all()
    assert county.east.name == "兰江街道办事处"


# -- defaults: nothing privileged or consequential is chosen for the administrator ---------------------

def options_of(page: str, name: str) -> list[tuple[str, str, bool]]:
    """The options of the <select name=…> as (value, text, selected)."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    return [(re.search(r'value="([^"]*)"', attributes).group(1), text, " selected" in attributes)
            for attributes, text in re.findall(r"<option([^>]*)>(.*?)</option>", select.group(1), re.S)]


def selected(page: str, name: str) -> list[str]:
    return [value for value, _text, chosen in options_of(page, name) if chosen]


def error_under(page: str, field: str) -> str:
    """The field's block when it shows an error ('' without one); a checkbox sits inside its label."""
    block = re.search(rf'<div class="field has-error">(?:(?!</div>).)*?(?:for|name)="{field}"(?:(?!</div>).)*</div>',
                      page, re.S)
    return block.group(0) if block else ""


def test_a_new_user_starts_with_no_role_and_no_department_chosen(admin):
    page = text_of(admin.get("/admin/users/new"))
    assert options_of(page, "role")[0] == ("", "请选择角色", True)
    assert selected(page, "role") == [""]
    assert options_of(page, "department")[0] == ("", "请选择所属部门", True)
    assert selected(page, "department") == [""]
    assert 'name="grant_admin"' in page and 'name="grant_admin" checked' not in page


@pytest.mark.parametrize("missing, language, message", [
    ("role", "", "请选择角色"), ("role", "?lang=en", "Choose a role"),
    ("department", "", "请选择所属部门"), ("department", "?lang=en", "Choose a department"),
])
def test_a_new_user_without_a_role_or_department_is_not_created(admin, missing, language, message):
    form = {"username": "newcomer", "role": "viewer", "department": "0", "password": NEW_PASSWORD,
            "repeat": NEW_PASSWORD}
    before = db.session.scalar(select(func.count(User.id)))
    for posted in ({**form, missing: ""}, {key: value for key, value in form.items() if key != missing}):
        response = admin.post(f"/admin/users/new{language}", data=posted)
        assert response.status_code == 400
        assert message in error_under(text_of(response), missing), posted
        assert selected(text_of(response), missing) == [""]
    assert db.session.scalar(select(func.count(User.id))) == before and user_named("newcomer") is None


def test_an_administrator_is_made_only_with_the_confirmation(admin, county):
    form = {"username": "second-admin", "role": "admin", "department": "0", "password": NEW_PASSWORD,
            "repeat": NEW_PASSWORD}
    refused = admin.post("/admin/users/new", data=form)
    assert refused.status_code == 400 and "请勾选“我确认授予系统管理员权限”" in error_under(text_of(refused), "grant_admin")
    english = admin.post("/admin/users/new?lang=en", data=form)
    assert "Tick “I confirm granting system administrator rights”" in error_under(text_of(english), "grant_admin")
    assert user_named("second-admin") is None
    assert admin.post("/admin/users/new?lang=zh_CN", data={**form, "grant_admin": "y"}).status_code == 302
    assert user_named("second-admin").role == Role.admin
    # Another role needs no confirmation; changing a user to administrator does.
    viewer_page = f"/admin/users/{county.users.viewer.id}"
    assert 'name="grant_admin"' in text_of(admin.get(viewer_page))
    refused = admin.post(viewer_page, data={"role": "admin", "department": "0"})
    assert refused.status_code == 400 and "我确认授予系统管理员权限" in error_under(text_of(refused), "grant_admin")
    db.session.expire_all()
    assert user_named("viewer").role == Role.viewer
    assert admin.post(viewer_page, data={"role": "admin", "department": "0", "grant_admin": "y"}).status_code == 302
    db.session.expire_all()
    assert user_named("viewer").role == Role.admin
    # An administrator already: its page keeps its role selected and saves without asking again.
    second = f"/admin/users/{user_named('second-admin').id}"
    page = text_of(admin.get(second))
    assert selected(page, "role") == ["admin"] and 'name="grant_admin"' not in page
    assert admin.post(second, data={"display_name": "第二管理员", "role": "admin", "department": "0"}).status_code == 302


def test_editing_a_user_keeps_its_role_and_department_selected(admin, county):
    page = text_of(admin.get(f"/admin/users/{county.users.fire.id}"))
    assert selected(page, "role") == ["regulator"] and selected(page, "department") == [str(county.fire.id)]
    page = text_of(admin.get(f"/admin/users/{county.users.inspector.id}"))
    assert selected(page, "role") == ["inspector"] and selected(page, "department") == ["0"]


def test_the_catalogue_forms_choose_no_level_kind_or_region_and_the_mildest_severity(admin, county):
    region = text_of(admin.get("/admin/regions/new"))
    assert options_of(region, "level")[0] == ("", "请选择层级", True) and selected(region, "level") == [""]
    department = text_of(admin.get("/admin/departments/new"))
    assert options_of(department, "kind")[0] == ("", "请选择类别", True) and selected(department, "kind") == [""]
    assert options_of(department, "region")[0] == ("", "请选择所在区划", True) and selected(department, "region") == [""]
    assert selected(department, "enforcement_powers") == [""]  # by kind: a safety office holds none
    hazard = text_of(admin.get("/admin/hazards/new"))
    assert selected(hazard, "severity") == ["general"] and selected(hazard, "day_basis") == ["calendar"]
    for path, form, field, message in [
        ("/admin/regions/new", {"code": "330781102", "name": "梅江镇", "parent_code": "330781"}, "level", "请选择层级"),
        ("/admin/departments/new", {"code": "LX-ZJ", "name": "兰溪市住建局", "region": county.county.id,
                                    "sectors": "燃气"}, "kind", "请选择类别"),
        ("/admin/departments/new", {"code": "LX-ZJ", "name": "兰溪市住建局", "kind": "regulator", "region": "",
                                    "sectors": "燃气"}, "region", "请选择所在区划"),
        ("/admin/departments/new?lang=en", {"code": "LX-ZJ", "name": "兰溪市住建局", "kind": "",
                                            "region": county.county.id}, "kind", "Choose a category"),
    ]:
        response = admin.post(path, data=form)
        assert response.status_code == 400 and message in error_under(text_of(response), field), (path, form)
    assert db.session.scalar(select(func.count(Region.id)).where(Region.code == "330781102")) == 0
    assert db.session.scalar(select(func.count(Department.id)).where(Department.code == "LX-ZJ")) == 0


# -- the lists on a phone -------------------------------------------------------------------------------

def phone_row(page: str, href: str) -> tuple[str, str]:
    """The two lines of the phone row that links to ``href``, as text."""
    row = re.search(rf'<td class="phone-row" data-label=""><a class="row-link" href="{re.escape(href)}">'
                    r'<span class="row-line row-first">(.*?)</span><span class="row-line row-second">(.*?)</span></a>',
                    page, re.S)
    assert row, href
    return tuple(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", line)).strip() for line in row.groups())


def test_the_admin_lists_read_in_two_lines_on_a_phone_each_row_a_link_to_its_page(admin, county):
    county.users.market.active = False
    county.fire.contact_person, county.fire.contact_phone = "王队长", "0579-88881234"
    db.session.commit()
    users = text_of(admin.get("/admin/users"))
    assert phone_row(users, f"/admin/users/{county.users.admin.id}") == ("管理员（root） 系统管理员", "无所属部门 · 启用")
    assert phone_row(users, f"/admin/users/{county.users.fire.id}") == ("fire 行业主管部门", "兰溪市消防救援大队 · 启用")
    assert phone_row(users, f"/admin/users/{county.users.market.id}")[1] == "兰溪市市场监管局 · 停用"
    departments = text_of(admin.get("/admin/departments"))
    assert phone_row(departments, f"/admin/departments/{county.fire.id}") == (
        "兰溪市消防救援大队 行业主管部门", "兰溪市 · 消防 · 王队长 0579-88881234")
    assert phone_row(departments, f"/admin/departments/{county.east_office.id}") == ("兰江街道平安办 平安办", "兰江街道")
    hazards = text_of(admin.get("/admin/hazards"))
    assert phone_row(hazards, f"/admin/hazards/{county.hazards['SC-01'].id}") == (
        "危险化学品储存不规范 重大", "SC-01 · 生产安全 · 生产 · 5个工作日")
    assert '<span class="chip chip-bad">重大</span>' in hazards
    admin.post("/admin/hazards/new", data={"code": "XF-09", "category": "消防", "title": "疏散通道堵塞", "sector": "消防",
                                           "severity": "general", "rectify_days": "3", "day_basis": "calendar"})
    same = db.session.scalar(select(HazardType.id).where(HazardType.code == "XF-09"))
    assert phone_row(text_of(admin.get("/admin/hazards?q=XF-09")), f"/admin/hazards/{same}")[1] == "XF-09 · 消防 · 3个自然日"
    regions = text_of(admin.get("/admin/regions"))
    assert phone_row(regions, f"/admin/regions/{county.west.id}") == ("马涧镇 乡镇（街道）", "330781101 · 上级：兰溪市")
    assert phone_row(regions, f"/admin/regions/{county.county.id}") == ("兰溪市 县（市、区）", "330781 · 无上级")
    for page in (users, departments, hazards, regions):
        assert '<table class="cards rows">' in page
    assert 'class="empty"' in text_of(admin.get("/admin/hazards?q=没有这种隐患"))
