"""``flask import units FILE`` and ``flask import hazards FILE``: every row or none, each bad row reported."""

from io import BytesIO

from openpyxl import Workbook
from sqlalchemy import func, select

from inspect_loop.audit.models import Event
from inspect_loop.hazards.models import HazardType, Severity
from inspect_loop.imports.kinds import UNITS
from inspect_loop.imports.reading import read_table
from inspect_loop.imports.running import run_import
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role
from inspect_loop.users.operations import create_user
from tests.factories import PASSWORD, make_uscc

UNIT_HEADER = "单位名称,统一社会信用代码,所在区划代码,地址,类别,联系人,联系电话"


def write(tmp_path, name: str, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def units_csv(*lines: str) -> bytes:
    return "\n".join([UNIT_HEADER, *lines]).encode("utf-8-sig")


def count(database, model) -> int:
    return database.session.scalar(select(func.count(model.id)))


def test_import_units_from_csv(app, county, database, tmp_path):
    path = write(tmp_path, "units.csv", units_csv(f"兰江副食品商店,{make_uscc(101)},330781001,兰荫路2号,商铺,李四,",
                                                  "郑宅村文化礼堂,,330781101201,郑宅村,公共场所,,"))
    result = app.test_cli_runner().invoke(args=["import", "units", path])
    assert result.exit_code == 0, result.output
    assert "已导入 2 条单位" in result.output
    assert count(database, Unit) == 5
    # recorded as the first active administrator
    actors = database.session.scalars(select(Event.actor_id).where(Event.action == "unit.created")
                                      .order_by(Event.id.desc()).limit(2)).all()
    assert actors == [county.users.admin.id] * 2


def test_a_bad_row_imports_nothing_and_is_reported(app, county, database, tmp_path):
    path = write(tmp_path, "units.csv", units_csv("好商店,,330781001,,,,", "坏商店,,999,,,,", ",,330781001,,,,"))
    result = app.test_cli_runner().invoke(args=["import", "units", path])
    assert result.exit_code == 1
    assert "第3行“所在区划代码”：行政区划代码 999 不存在" in result.output
    assert "第4行“单位名称”：必填，不能为空" in result.output
    assert "2 行有错误，未导入任何数据" in result.output
    assert count(database, Unit) == 3


def test_import_hazards_from_xlsx_as_a_named_user(app, county, database, tmp_path):
    workbook = Workbook()
    for row in (["代码", "类别", "隐患名称", "行业", "等级", "整改天数"],
                ["RQ-01", "燃气安全", "燃气软管老化超长", "燃气", "重大", 3]):
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    path = write(tmp_path, "catalogue.xlsx", buffer.getvalue())
    create_user(username="catalogue-admin", role=Role.admin, password=PASSWORD)
    database.session.commit()
    result = app.test_cli_runner().invoke(args=["import", "hazards", path, "--as", "catalogue-admin"])
    assert result.exit_code == 0, result.output
    hazard = database.session.scalar(select(HazardType).where(HazardType.code == "RQ-01"))
    assert hazard.severity == Severity.major and hazard.rectify_days == 3
    assert hazard.legal_basis == ""  # the column is optional, and a file without it still imports


def test_import_hazards_with_their_legal_basis(app, county, database, tmp_path):
    basis = "《城镇燃气管理条例》第二十八条；《中华人民共和国安全生产法》第三十六条第四款"
    path = write(tmp_path, "catalogue.csv", (
        "代码,类别,隐患名称,行业,等级,整改天数,法律依据\n"
        f"RQ-01,燃气安全,燃气软管老化超长,燃气,一般,3,{basis}\n"
        "RQ-02,燃气安全,未安装燃气泄漏报警装置,燃气,重大,7,\n").encode())
    result = app.test_cli_runner().invoke(args=["import", "hazards", path, "--as", "root"])
    assert result.exit_code == 0, result.output
    bases = dict(database.session.execute(select(HazardType.code, HazardType.legal_basis)
                                          .where(HazardType.code.like("RQ-%"))).all())
    assert bases == {"RQ-01": basis, "RQ-02": ""}


def test_a_legal_basis_too_long_refuses_the_whole_import(app, county, database, tmp_path):
    path = write(tmp_path, "catalogue.csv", (
        "代码,类别,隐患名称,行业,等级,整改天数,法律依据\n"
        "RQ-01,燃气安全,燃气软管老化超长,燃气,一般,3,\n"
        f"RQ-02,燃气安全,未安装燃气泄漏报警装置,燃气,重大,7,{'第一条' * 167}\n").encode())
    result = app.test_cli_runner().invoke(args=["import", "hazards", path, "--as", "root"])
    assert result.exit_code == 1 and "第3行“法律依据”：不能超过500个字" in result.output
    assert count(database, HazardType) == 5


def test_the_importing_user_needs_the_permission(app, county, database, tmp_path):
    path = write(tmp_path, "catalogue.csv", "代码,类别,隐患名称,行业,等级,整改天数\nRQ-01,燃气安全,老化,燃气,一般,3\n"
                 .encode())
    result = app.test_cli_runner().invoke(args=["import", "hazards", path, "--as", "office"])
    assert result.exit_code == 1 and "当前角色无权管理区划、部门、隐患目录" in result.output
    result = app.test_cli_runner().invoke(args=["import", "hazards", path, "--as", "nobody"])
    assert result.exit_code == 1 and "用户 nobody 不存在或已停用" in result.output
    assert count(database, HazardType) == 5


def test_an_unreadable_file_is_a_clear_error(app, county, database, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "units", write(tmp_path, "units.xls", b"\xd0\xcf\x11\xe0")])
    assert result.exit_code == 1 and "不支持旧版 .xls 格式" in result.output
    result = runner.invoke(args=["import", "units", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2 and "does not exist" in result.output
    assert count(database, Unit) == 3


def test_a_failed_import_leaves_nothing_behind_even_if_the_caller_commits(app, county, database):
    table = read_table("units.csv", units_csv("好商店,,330781001,,,,", "坏商店,,999,,,,"))
    report = run_import(UNITS, county.users.admin, table)
    assert not report.ok and report.imported == 0
    database.session.commit()
    assert count(database, Unit) == 3
    assert database.session.scalar(select(func.count(Event.id)).where(Event.action == "unit.created")) == 3


def test_an_import_updates_units_already_in_the_ledger_instead_of_duplicating_them(app, county, database, tmp_path):
    """By the USCC; without one, by name and address in the county. The summary says what each row did."""
    shop, market, factory = county.units.shop, county.units.market, county.units.factory
    path = write(tmp_path, "units.csv", units_csv(
        f"某电子商务商行（振兴店）,{shop.uscc},330781001,,,李四,",  # by USCC: renamed, new contact
        f"柏社农贸市场,{market.uscc.lower()},330781001,,,,",  # by USCC: nothing new
        "马涧五金加工厂,,330781101201,马涧镇郑宅村,五金加工,,",  # no USCC: by name and address
        f"马涧五金加工厂,{make_uscc(103)},330781101,马涧镇郑宅村,,,",  # same name and address, gives its USCC
        "兰江副食品商店,,330781001,兰荫路2号,商铺,,"))  # new
    result = app.test_cli_runner().invoke(args=["import", "units", path])
    assert result.exit_code == 0, result.output
    assert "已导入 5 条单位：新建 1 条，更新 3 条，无变化 1 条" in result.output
    assert count(database, Unit) == 4
    database.session.expire_all()
    assert (shop.name, shop.contact_name, shop.contact_phone) == ("某电子商务商行（振兴店）", "李四", "13800000001")
    assert (factory.category, factory.uscc, factory.region_id) == ("五金加工", make_uscc(103), county.west.id)
    changes = [event.data["changes"] for event in database.session.scalars(
        select(Event).where(Event.action == "unit.updated").order_by(Event.id))]
    assert changes[0] == {"name": {"old": "某电子商务商行", "new": "某电子商务商行（振兴店）"},
                          "contact_name": {"old": "张三", "new": "李四"}}
    assert changes[2] == {"uscc": {"old": None, "new": make_uscc(103)},
                          "region_code": {"old": "330781101201", "new": "330781101"}}


def test_a_row_matching_two_units_by_name_and_address_is_refused(app, county, database):
    from inspect_loop.units.operations import create_unit

    for _ in range(2):
        create_unit(county.users.admin, name="兰江便民亭", region=county.east, address="兰江街道江滨路")
    database.session.commit()
    report = run_import(UNITS, county.users.admin, read_table("units.csv", units_csv("兰江便民亭,,330781001,兰江街道江滨路,,,")))
    assert [(error.column, error.message_zh) for error in report.errors] == [
        ("统一社会信用代码", "已登记多个同名同地址的单位，无法确定更新哪一个；请填写统一社会信用代码")]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 0)


def test_an_import_does_not_update_a_deregistered_unit_by_its_uscc(app, county, database):
    from datetime import date

    from inspect_loop.units.operations import deregister_unit
    from tests.helpers import at

    with at("2027-06-01"):
        deregister_unit(county.users.office, county.units.market, reason="歇业", deregistered_on=date(2027, 6, 1))
    database.session.commit()
    report = run_import(UNITS, county.users.admin, read_table(
        "units.csv", units_csv(f"柏社农贸市场,{county.units.market.uscc},330781001,,,王五,")))
    assert [error.message_zh for error in report.errors] == ["单位“柏社农贸市场”已注销，不能修改"]
