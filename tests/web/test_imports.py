"""Importing units and the hazard catalogue on the web: a good file imports every row; a file with any bad row
imports nothing and reports each bad row (row number, column, message); .csv and .xlsx alike."""

import re
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from inspect_loop.audit.models import Event
from inspect_loop.db import db
from inspect_loop.hazards.models import DayBasis, HazardType, Severity
from inspect_loop.regions.models import DepartmentKind, RegionLevel
from inspect_loop.regions.operations import create_department, create_region
from inspect_loop.units.models import Unit
from tests.factories import make_uscc
from tests.helpers import strict_login

UNIT_HEADER = ["单位名称", "统一社会信用代码", "所在区划代码", "地址", "类别", "联系人", "联系电话"]
HAZARD_HEADER = ["代码", "类别", "隐患名称", "行业", "等级", "整改天数", "计日方式", "法律依据"]


def text_of(response) -> str:
    return response.get_data(as_text=True)


def csv_file(rows: list[list], encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join(",".join(str(cell) for cell in row) for row in rows).encode(encoding)


def xlsx_file(rows: list[list]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, path: str, content: bytes, filename: str):
    return client.post(path, data={"file": (BytesIO(content), filename)}, content_type="multipart/form-data")


def units_count() -> int:
    return db.session.scalar(select(func.count(Unit.id)))


def hazards_count() -> int:
    return db.session.scalar(select(func.count(HazardType.id)))


def good_units() -> list[list]:
    return [UNIT_HEADER,
            ["兰江副食品商店", make_uscc(101), "330781001", "兰江街道兰荫路2号", "商铺", "李四", "13900000001"],
            ["郑宅村文化礼堂", "", "330781101201", "马涧镇郑宅村", "公共场所", "", ""],
            ["马涧镇中心小学", make_uscc(102), "330781101", "马涧镇学府路1号", "学校", "王五", "0579-88888888"]]


def report_rows(response) -> list[tuple[str, str, str]]:
    """(row, column, message) of every line of the error report."""
    return re.findall(r'<td data-label="行号">第(\d+)行</td>\s*<td data-label="列">([^<]*)</td>\s*'
                      r'<td data-label="问题">([^<]*)</td>', text_of(response))


# -- units --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_good_units_file_imports_every_row(login, county, kind):
    content = csv_file(good_units()) if kind == "csv" else xlsx_file(good_units())
    response = upload(login("root"), "/imports/units", content, f"units.{kind}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/units")
    assert units_count() == 6
    school = db.session.scalar(select(Unit).where(Unit.name == "马涧镇中心小学"))
    assert school.township_id == county.west.id and school.uscc == make_uscc(102)
    assert school.contact_phone == "0579-88888888" and school.category == "学校"
    village_hall = db.session.scalar(select(Unit).where(Unit.name == "郑宅村文化礼堂"))
    assert village_hall.region_id == county.village.id and village_hall.uscc is None
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "unit.created")) == 6


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_one_bad_row_imports_nothing_and_reports_that_row(login, county, kind):
    rows = good_units()
    rows[2][2] = "999999"  # row 3: no such region
    content = csv_file(rows) if kind == "csv" else xlsx_file(rows)
    response = upload(login("root"), "/imports/units", content, f"units.{kind}")
    assert response.status_code == 400
    assert report_rows(response) == [("3", "所在区划代码", "行政区划代码 999999 不存在")]
    assert "文件共 3 行数据，其中 1 行有错误" in text_of(response) and "未导入任何数据" in text_of(response)
    assert units_count() == 3  # the test county's own three: neither the good rows before nor after
    assert db.session.scalar(select(func.count(Event.id)).where(Event.action == "unit.created")) == 3


def test_every_bad_row_is_reported_with_its_column(login, county):
    rows = [UNIT_HEADER,
            ["", "", "330781001", "", "", "", ""],  # 2: no name
            ["甲商店", "91330781MA2XXXXXX1", "330781001", "", "", "", ""],  # 3: bad USCC
            ["乙商店", make_uscc(1), "330781001", "", "", "", ""],  # 4: the shop's USCC: updates it, no error
            ["丙商店", make_uscc(201), "330781001", "", "", "", ""],
            ["丁商店", make_uscc(201), "330781001", "", "", "", ""],  # 6: repeats row 5
            ["戊商店", "", "330781", "", "", "", ""],  # 7: a county is not where a unit sits
            ["己商店" * 70, "", "330781001", "", "", "", ""]]  # 8: name too long
    response = upload(login("root"), "/imports/units", xlsx_file(rows), "units.xlsx")
    assert response.status_code == 400
    assert report_rows(response) == [
        ("2", "单位名称", "必填，不能为空"),
        ("3", "统一社会信用代码", "统一社会信用代码校验码不正确"),
        ("6", "统一社会信用代码", "与第5行重复"),
        ("7", "所在区划代码", "单位须位于乡镇（街道）或其下级区划"),
        ("8", "单位名称", "不能超过200个字"),
    ]
    assert units_count() == 3


def test_a_csv_saved_by_excel_in_gbk_is_read(login, county):
    response = upload(login("root"), "/imports/units", csv_file(good_units(), "gbk"), "单位.csv")
    assert response.status_code == 302 and units_count() == 6


def test_a_long_number_excel_has_rounded_is_refused_with_advice(login, county):
    rows = [UNIT_HEADER, ["数字商店", 913307811234567890, "330781001", "", "", "", ""]]
    response = upload(login("root"), "/imports/units", xlsx_file(rows), "units.xlsx")
    assert response.status_code == 400
    [(row, column, message)] = report_rows(response)
    assert (row, column) == ("2", "统一社会信用代码") and "文本" in message
    assert units_count() == 3


def test_a_wrong_header_is_reported_before_any_row(login, county):
    rows = [["名称", "所在区划代码", "地址"], ["某商店", "330781001", ""]]
    response = upload(login("root"), "/imports/units", csv_file(rows), "units.csv")
    assert response.status_code == 400
    report = report_rows(response)
    assert ("1", "名称", report[0][2]) == report[0] and "无法识别的列名" in report[0][2]
    assert ("1", "单位名称", "缺少必填列") in report
    assert "列名有误" in text_of(response) and units_count() == 3


@pytest.mark.parametrize("content, filename, message", [
    (b"", "units.csv", "文件是空的"),
    ("单位名称,所在区划代码\r\n".encode(), "units.csv", "没有数据行"),
    (b"PK\x03\x04 not really a workbook", "units.xlsx", "无法读取该Excel文件"),
    (b"\xd0\xcf\x11\xe0 old excel", "units.xls", "不支持旧版 .xls 格式"),
    (b"%PDF-1.7", "units.pdf", "请上传 .xlsx 或 .csv 文件"),
])
def test_an_unreadable_file_is_refused_in_chinese(login, county, content, filename, message):
    response = upload(login("root"), "/imports/units", content, filename)
    assert response.status_code == 400 and message in text_of(response)
    assert units_count() == 3


def test_a_web_upload_is_limited_to_5000_rows(login, county):
    rows = [UNIT_HEADER, *[[f"商店{number}", "", "330781001", "", "", "", ""] for number in range(5001)]]
    response = upload(login("root"), "/imports/units", csv_file(rows), "units.csv")
    assert response.status_code == 400 and "文件超过5000行数据，请拆分为多个文件分别导入" in text_of(response)
    assert units_count() == 3


def test_an_upload_without_a_file_is_refused(login, county):
    response = login("root").post("/imports/units", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "请选择要导入的文件" in text_of(response)


def test_the_county_office_imports_units_of_its_own_county_only(login, county):
    admin = county.users.admin
    other = create_region(admin, code="330782", name="义乌市", level=RegionLevel.county, parent_code=None)
    create_region(admin, code="330782001", name="稠城街道", level=RegionLevel.township, parent_code="330782")
    create_department(admin, code="YW-PAB", name="义乌市平安办", kind=DepartmentKind.safety_office, region=other)
    db.session.commit()
    client = login("office")
    refused = upload(client, "/imports/units", csv_file([UNIT_HEADER, ["本县商店", "", "330781001", "", "", "", ""],
                                                         ["外县商店", "", "330782001", "", "", "", ""]]), "u.csv")
    assert refused.status_code == 400
    assert report_rows(refused) == [("3", "所在区划代码", "只能导入本县（市、区）的单位")]
    assert units_count() == 3
    assert upload(client, "/imports/units", csv_file([UNIT_HEADER, ["本县商店", "", "330781001", "", "", "", ""]]),
                  "u.csv").status_code == 302
    assert units_count() == 4
    # the office's template lists its own county's regions only
    codes = load_workbook(BytesIO(client.get("/imports/units/template.xlsx").data))["区划代码"]
    listed = [row[0] for row in codes.iter_rows(min_row=2, values_only=True)]
    assert "330781001" in listed and "330782001" not in listed and "330781101201" in listed


@pytest.mark.parametrize("username", ["east", "fire", "inspector", "viewer"])
def test_other_roles_may_not_import_units(login, county, username):
    client = login(username)
    assert client.get("/imports/units").status_code == 403
    assert client.get("/imports/units/template.xlsx").status_code == 403
    assert upload(client, "/imports/units", csv_file(good_units()), "u.csv").status_code == 403
    assert units_count() == 3


# -- the hazard catalogue ------------------------------------------------------------------------------

def good_hazards() -> list[list]:
    return [HAZARD_HEADER,
            ["RQ-01", "燃气安全", "燃气软管老化超长", "燃气", "重大", 3, "工作日"],
            ["RQ-02", "燃气安全", "未安装燃气泄漏报警装置", "燃气", "一般", 15, ""],
            ["DDC-01", "电动自行车", "电动自行车室内停放充电", "消防", "general", 1, "自然日"]]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_good_catalogue_file_imports_every_row(login, county, kind):
    content = csv_file(good_hazards()) if kind == "csv" else xlsx_file(good_hazards())
    response = upload(login("root"), "/imports/hazards", content, f"hazards.{kind}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/hazards")
    assert hazards_count() == 8
    hose = db.session.scalar(select(HazardType).where(HazardType.code == "RQ-01"))
    assert (hose.severity, hose.rectify_days, hose.day_basis) == (Severity.major, 3, DayBasis.working)
    detector = db.session.scalar(select(HazardType).where(HazardType.code == "RQ-02"))
    assert detector.day_basis == DayBasis.calendar


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_catalogue_file_with_a_bad_row_imports_nothing(login, county, kind):
    rows = good_hazards()
    rows[3][4] = "严重"  # row 4: no such severity
    rows.append(["XF-01", "消防安全", "已在目录中", "消防", "一般", 7, ""])  # row 5: code taken
    rows.append(["RQ-03", "燃气安全", "整改天数不对", "燃气", "一般", "三天", ""])  # row 6
    rows.append(["RQ-04", "燃气安全", "上标数字", "燃气", "一般", "²", ""])  # row 7: isdigit() but no number
    rows.append(["RQ-05", "燃气安全", "太久", "燃气", "一般", "400", ""])  # row 8
    content = csv_file(rows) if kind == "csv" else xlsx_file(rows)
    response = upload(login("root"), "/imports/hazards", content, f"hazards.{kind}")
    assert response.status_code == 400
    assert report_rows(response) == [("4", "等级", "等级应为“一般”或“重大”"), ("5", "代码", "代码 XF-01 已存在"),
                                     ("6", "整改天数", "整改天数应为0至365的整数"),
                                     ("7", "整改天数", "整改天数应为0至365的整数"),
                                     ("8", "整改天数", "整改天数应在0至365之间")]
    assert hazards_count() == 5


@pytest.mark.parametrize("username", ["office", "east", "viewer"])
def test_only_the_admin_imports_the_catalogue(login, county, username):
    client = login(username)
    assert client.get("/imports/hazards").status_code == 403
    assert upload(client, "/imports/hazards", csv_file(good_hazards()), "h.csv").status_code == 403
    assert hazards_count() == 5


# -- the templates -------------------------------------------------------------------------------------

def test_the_templates_hold_the_header_the_instructions_and_the_codes(login, county):
    client = login("root")
    units = load_workbook(BytesIO(client.get("/imports/units/template.xlsx").data))
    assert units.sheetnames == ["单位", "填写说明", "区划代码"]
    assert [cell.value for cell in units["单位"][1]] == UNIT_HEADER
    regions = {row[0]: row[1] for row in units["区划代码"].iter_rows(min_row=2, values_only=True)}
    assert regions["330781001"] == "兰江街道" and "330781" not in regions
    hazards = load_workbook(BytesIO(client.get("/imports/hazards/template.xlsx").data))
    assert [cell.value for cell in hazards["隐患类型"][1]] == HAZARD_HEADER
    sectors = dict(hazards["行业"].iter_rows(min_row=2, values_only=True))
    assert sectors["消防"] == "兰溪市消防救援大队"


def test_a_filled_in_template_imports(login, county):
    client = login("root")
    workbook = load_workbook(BytesIO(client.get("/imports/units/template.xlsx").data))
    workbook["单位"].append(["模板里填的商店", make_uscc(301), "330781001", "兰江街道1号", "商铺", "", ""])
    buffer = BytesIO()
    workbook.save(buffer)
    assert upload(client, "/imports/units", buffer.getvalue(), "filled.xlsx").status_code == 302
    assert db.session.scalar(select(Unit.uscc).where(Unit.name == "模板里填的商店")) == make_uscc(301)


# -- CSRF --------------------------------------------------------------------------------------------

def test_an_import_without_its_csrf_token_is_refused(strict_app, login):
    login("root")  # gives the factory's administrator its password
    client = strict_login(strict_app, "root")
    refused = upload(client, "/imports/units", csv_file(good_units()), "units.csv")
    assert refused.status_code == 400 and "CSRF" in text_of(refused)
    assert units_count() == 3


def test_the_english_import_page_explains_each_column_in_english_and_keeps_its_chinese_name(login, county):
    client = login("root")
    page = text_of(client.get("/imports/hazards?lang=en"))
    assert "<strong>等级</strong> (Severity)" in page and "general or major" in page  # the file's header stays Chinese
    assert "一般 或 重大" not in page
    assert "calendar or working (days); calendar when empty" in page
    page = text_of(client.get("/imports/units"))  # the language choice stays in the session
    assert "Name of the place or unit" in page and "<strong>单位名称</strong> (Unit name)" in page
    chinese = text_of(client.get("/imports/units?lang=zh"))
    assert "场所或单位的名称" in chinese and "(Unit name)" not in chinese


def test_a_region_named_like_a_formula_stays_text_in_the_template(login, county):
    create_region(county.users.admin, code="330781009", name="=HYPERLINK(\"http://x\",\"点此\")",
                  level=RegionLevel.township, parent_code="330781")
    db.session.commit()
    workbook = load_workbook(BytesIO(login("root").get("/imports/units/template.xlsx").data))
    cells = [row[1] for row in workbook["区划代码"].iter_rows(min_row=2) if row[0].value == "330781009"]
    assert cells and cells[0].data_type == "s" and cells[0].value.startswith("=HYPERLINK")


def test_the_import_page_says_how_many_units_were_created_updated_and_unchanged(login, county):
    rows = [UNIT_HEADER,
            ["某电子商务商行", make_uscc(1), "330781001", "", "", "李四", ""],  # the shop: a new contact
            ["柏社农贸市场", make_uscc(2), "330781001", "", "", "", ""],  # the market as it is
            ["兰江副食品商店", "", "330781001", "兰江街道兰荫路2号", "商铺", "", ""]]
    client = login("root")
    response = upload(client, "/imports/units", csv_file(rows), "units.csv")
    assert response.status_code == 302 and units_count() == 4
    page = text_of(client.get(response.headers["Location"]))
    assert "已导入 3 条单位：新建 1 条，更新 1 条，无变化 1 条" in page
