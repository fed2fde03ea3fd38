"""Correcting the catalogue: renaming regions and departments, a regulator's sectors, a department's document
prefix, and every field of a hazard type but its code — audited, refused for anyone but the administrator,
refused without any change on bad input, and never leaving an open finding without a regulator."""

from datetime import date

import pytest
from sqlalchemy import select

from inspect_loop.assignments.operations import issue_assignment, sign_off
from inspect_loop.audit.models import Event
from inspect_loop.cases import ladder
from inspect_loop.errors import Conflict, Forbidden, InvalidInput
from inspect_loop.hazards.models import DayBasis, Severity
from inspect_loop.inspections.operations import report_rectification
from inspect_loop.letters.models import Document, DocumentKind
from inspect_loop.regions.operations import update_department, update_hazard_type, update_region
from tests.factories import inspect
from tests.helpers import at


@pytest.fixture(autouse=True)
def quick_letters(monkeypatch):
    """Numbers, not typesetting, are under test here: documents get a stand-in PDF."""
    monkeypatch.setattr("inspect_loop.letters.issuing.render_letter", lambda kind, context: b"%PDF-1.7 stand-in")


def events(database, action: str) -> list[Event]:
    return list(database.session.scalars(select(Event).where(Event.action == action).order_by(Event.id)))


def reminder_numbers(database) -> list[str]:
    return list(database.session.scalars(select(Document.number).where(Document.kind == DocumentKind.reminder)
                                         .order_by(Document.id)))


def warning_case_with_reported_fire_finding(county):
    """A 消防 finding at the warning stage, assigned to the 消防 regulator and reported rectified."""
    with at("2026-03-02"):
        case = inspect(county, county.units.shop, "XF-01").findings[0].case
        ladder.escalate(case, county.users.office, "逾期未整改")
        issue_assignment(county.users.office, case, county.fire)
        report_rectification(county.users.east, case.findings[0], "已整改")
    return case


# -- regions -------------------------------------------------------------------------------------------

def test_renaming_a_region_keeps_its_code_level_and_parent_and_is_audited(county, database):
    township = update_region(county.users.admin, county.east, name="  兰江街道办事处 ")
    database.session.commit()
    assert (township.code, township.name, township.level, township.parent_id) == (
        "330781001", "兰江街道办事处", "township", county.county.id)
    [event] = events(database, "region.updated")
    assert event.actor_id == county.users.admin.id and event.subject_id == township.id
    assert event.data == {"code": "330781001", "changes": {"name": {"old": "兰江街道", "new": "兰江街道办事处"}}}


def test_an_unchanged_region_writes_no_event(county, database):
    update_region(county.users.admin, county.east, name="兰江街道")
    update_region(county.users.admin, county.east)
    assert events(database, "region.updated") == []


@pytest.mark.parametrize("name, message", [("  ", "请填写名称"), ("长" * 101, "名称不能超过100个字")])
def test_a_bad_region_name_is_refused_and_changes_nothing(county, database, name, message):
    with pytest.raises(InvalidInput) as refused:
        update_region(county.users.admin, county.east, name=name)
    assert refused.value.field == "name" and refused.value.message_zh == message
    assert county.east.name == "兰江街道" and events(database, "region.updated") == []


# -- who may correct -------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["office", "east", "fire", "inspector", "viewer"])
def test_only_the_administrator_corrects_the_catalogue(county, database, username):
    actor = getattr(county.users, username)
    for correct in (lambda: update_region(actor, county.east, name="改名"),
                    lambda: update_department(actor, county.fire, name="改名", doc_prefix="改"),
                    lambda: update_hazard_type(actor, county.hazards["XF-01"], title="改名", rectify_days=30)):
        with pytest.raises(Forbidden):
            correct()
    assert (county.east.name, county.fire.name, county.fire.doc_prefix) == ("兰江街道", "兰溪市消防救援大队", "兰消")
    assert (county.hazards["XF-01"].title, county.hazards["XF-01"].rectify_days) == ("应急照明灯未接通电源", 7)
    assert database.session.scalar(select(Event.id).where(Event.action.like("%.updated"))) is None


# -- departments -----------------------------------------------------------------------------------------

def test_correcting_a_regulator_renames_it_and_changes_its_sectors_and_prefix(county, database):
    regulator = update_department(county.users.admin, county.emergency, name="兰溪市应急管理局（安委办）",
                                  sectors=["用电", "生产", " 燃气 ", "燃气"], doc_prefix="兰应")
    database.session.commit()
    database.session.expire_all()
    assert (regulator.code, regulator.name, regulator.doc_prefix) == ("LX-YJ", "兰溪市应急管理局（安委办）", "兰应")
    assert regulator.sectors == ["燃气", "生产", "用电"]
    [event] = events(database, "department.updated")
    assert event.data["changes"] == {"name": {"old": "兰溪市应急管理局", "new": "兰溪市应急管理局（安委办）"},
                                     "doc_prefix": {"old": "兰应急", "new": "兰应"},
                                     "sectors": {"old": ["生产", "用电"], "new": ["燃气", "生产", "用电"]}}


def test_a_blank_prefix_becomes_the_first_two_characters_of_the_name_as_when_adding(county, database):
    assert update_department(county.users.admin, county.market, doc_prefix=" ").doc_prefix == "兰溪"


@pytest.mark.parametrize("department, changes, field, message", [
    ("fire", {"name": ""}, "name", "请填写名称"),
    ("fire", {"sectors": []}, "sectors", "行业主管部门须至少负责一个行业"),
    ("fire", {"sectors": ["消防" * 21]}, "sectors", "行业不能超过40个字"),
    ("fire", {"doc_prefix": "兰" * 21}, "doc_prefix", "文号前缀不能超过20个字"),
    ("office", {"sectors": ["消防"]}, "sectors", "平安办不分管行业"),
])
def test_a_bad_department_correction_is_refused_and_changes_nothing(county, database, department, changes, field,
                                                                    message):
    target = getattr(county, department)
    before = (target.name, target.sectors, target.doc_prefix)
    with pytest.raises(InvalidInput) as refused:
        update_department(county.users.admin, target, **changes)
    assert refused.value.field == field and refused.value.message_zh == message
    assert (target.name, target.sectors, target.doc_prefix) == before
    assert events(database, "department.updated") == []


def test_a_new_prefix_numbers_the_next_document_and_the_serial_continues(county, database):
    with at("2026-03-02"):
        inspect(county, county.units.shop, "XF-01")
    update_department(county.users.admin, county.office, doc_prefix="兰溪平安")
    with at("2026-03-03"):
        inspect(county, county.units.market, "SP-01")
    database.session.commit()
    assert reminder_numbers(database) == ["兰平安提〔2026〕1号", "兰溪平安提〔2026〕2号"]


def test_a_regulator_keeps_a_sector_while_no_other_regulator_covers_its_open_findings(county, database):
    with at("2026-03-02"):
        inspect(county, county.units.shop, "XF-01")  # open, at the reminder stage, awaiting rectification
    with pytest.raises(Conflict) as refused:
        update_department(county.users.admin, county.fire, sectors=["电动自行车"])
    assert refused.value.field == "sectors" and "本县还有“消防”行业的问题尚未签认" in refused.value.message_zh
    assert county.fire.sectors == ["消防"] and events(database, "department.updated") == []

    # Once another regulator of the county answers for 消防, the findings still have one: the sector may go.
    update_department(county.users.admin, county.emergency, sectors=["生产", "用电", "消防"])
    update_department(county.users.admin, county.fire, sectors=["电动自行车"])
    database.session.commit()
    assert county.fire.sectors == ["电动自行车"]


def test_a_regulator_keeps_a_sector_while_findings_assigned_to_it_await_its_sign_off(county, database):
    case = warning_case_with_reported_fire_finding(county)
    update_department(county.users.admin, county.emergency, sectors=["生产", "用电", "消防"])
    with pytest.raises(Conflict) as refused:
        update_department(county.users.admin, county.fire, sectors=["电动自行车"])
    assert "交办给本部门的“消防”行业问题尚未全部签认" in refused.value.message_zh
    assert county.fire.sectors == ["消防"]

    with at("2026-03-05"):
        sign_off(county.users.fire, case.findings[0], approved=True)
    update_department(county.users.admin, county.fire, sectors=["电动自行车"])
    assert county.fire.sectors == ["电动自行车"]


def test_a_sector_without_open_findings_may_be_dropped(county, database):
    with at("2026-03-02"):
        inspect(county, county.units.shop, "XF-01")  # 消防: the 食品 regulator is not concerned
    update_department(county.users.admin, county.market, sectors=["食品经营"])
    assert county.market.sectors == ["食品经营"]


# -- hazard types ----------------------------------------------------------------------------------------

def test_correcting_a_hazard_type_changes_every_field_but_its_code_and_is_audited(county, database):
    hazard = update_hazard_type(county.users.admin, county.hazards["YD-01"], category="用电安全（含线路）",
                                title="配电箱接线混乱、线路裸露", sector="用电", severity=Severity.major, rectify_days=3,
                                day_basis=DayBasis.working)
    database.session.commit()
    assert (hazard.code, hazard.category, hazard.title, hazard.severity, hazard.rectify_days, hazard.day_basis) == (
        "YD-01", "用电安全（含线路）", "配电箱接线混乱、线路裸露", "major", 3, "working")
    [event] = events(database, "hazard_type.updated")
    assert event.data == {"code": "YD-01", "changes": {
        "category": {"old": "用电安全", "new": "用电安全（含线路）"},
        "title": {"old": "配电箱接线混乱裸露", "new": "配电箱接线混乱、线路裸露"},
        "severity": {"old": "general", "new": "major"}, "rectify_days": {"old": 5, "new": 3},
        "day_basis": {"old": "calendar", "new": "working"}}}


@pytest.mark.parametrize("changes, field, message", [
    ({"title": " "}, "title", "请填写隐患名称"),
    ({"category": ""}, "category", "请填写隐患类别"),
    ({"sector": ""}, "sector", "请填写所属行业"),
    ({"title": "长" * 201}, "title", "隐患名称不能超过200个字"),
    ({"rectify_days": 366}, "rectify_days", "整改天数应在0至365之间"),
    ({"rectify_days": -1}, "rectify_days", "整改天数应在0至365之间"),
])
def test_a_bad_hazard_type_correction_is_refused_and_changes_nothing(county, database, changes, field, message):
    hazard = county.hazards["XF-01"]
    with pytest.raises(InvalidInput) as refused:
        update_hazard_type(county.users.admin, hazard, severity=Severity.major, **changes)
    assert refused.value.field == field and refused.value.message_zh == message
    assert (hazard.title, hazard.category, hazard.sector, hazard.severity, hazard.rectify_days) == (
        "应急照明灯未接通电源", "消防安全", "消防", "general", 7)
    assert events(database, "hazard_type.updated") == []


def test_new_rectify_days_apply_to_findings_found_from_then_on(county, database):
    with at("2026-03-02"):
        earlier = inspect(county, county.units.shop, "XF-01").findings[0]
    assert earlier.deadline == date(2026, 3, 9)
    update_hazard_type(county.users.admin, county.hazards["XF-01"], rectify_days=30, severity=Severity.major)
    with at("2026-03-02"):
        later = inspect(county, county.units.market, "XF-01").findings[0]
    database.session.commit()
    database.session.expire_all()
    assert (earlier.deadline, earlier.severity) == (date(2026, 3, 9), "general")  # as in the notice issued
    assert [row.deadline for row in earlier.deadlines] == [date(2026, 3, 9)]
    assert (later.deadline, later.severity) == (date(2026, 4, 1), "major")


def test_a_new_day_basis_counts_working_days_for_new_findings(county, database):
    update_hazard_type(county.users.admin, county.hazards["SP-01"], day_basis=DayBasis.working, rectify_days=5)
    with at("2026-03-02"):  # a Monday: five working days end on the next Monday, not on Saturday
        finding = inspect(county, county.units.market, "SP-01").findings[0]
    assert finding.deadline == date(2026, 3, 9)


def test_a_hazard_type_moves_to_a_sector_only_where_its_open_findings_find_a_regulator(county, database):
    with at("2026-03-02"):
        inspect(county, county.units.shop, "XF-01")
    hazard = county.hazards["XF-01"]
    with pytest.raises(Conflict) as refused:
        update_hazard_type(county.users.admin, hazard, sector="电动自行车")
    assert refused.value.field == "sector"
    assert refused.value.message_zh.startswith("兰溪市有该隐患类型尚未签认的问题，但没有负责“电动自行车”行业的主管部门")
    assert hazard.sector == "消防"

    update_hazard_type(county.users.admin, hazard, sector="用电")  # the 应急管理局 answers for 用电
    assert hazard.sector == "用电"


def test_a_hazard_type_keeps_its_sector_while_its_assigned_findings_await_sign_off(county, database):
    case = warning_case_with_reported_fire_finding(county)
    hazard = county.hazards["XF-01"]
    with pytest.raises(Conflict) as refused:
        update_hazard_type(county.users.admin, hazard, sector="用电")
    assert "已交办、尚未签认" in refused.value.message_zh and hazard.sector == "消防"

    with at("2026-03-05"):
        sign_off(county.users.fire, case.findings[0], approved=True)
    update_hazard_type(county.users.admin, hazard, sector="用电")  # signed off: only the close-out is left
    assert hazard.sector == "用电"


def test_a_hazard_type_without_open_findings_may_take_any_sector(county, database):
    hazard = update_hazard_type(county.users.admin, county.hazards["XF-02"], sector="电动自行车")
    assert hazard.sector == "电动自行车"
