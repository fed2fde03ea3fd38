"""Offices as issuers (issue 11, items 1 and 3): each notice, read back from its PDF, names its issuer by its
full name, prints the issuer's contact in the 附注, the legal basis under each finding, the township office
that takes the report (reminder) and the venue's address (summons); and orders a facility out of use only
when its issuer holds that power."""

import re
from datetime import datetime

import pytest

from inspect_loop.assignments.operations import issue_assignment
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Stage
from inspect_loop.clock import LOCAL_TZ
from inspect_loop.interviews.operations import convene_round
from inspect_loop.letters.models import DocumentKind
from inspect_loop.regions.operations import update_department, update_hazard_type
from tests.factories import inspect
from tests.helpers import at
from tests.letters.conftest import document_of, to_warning
from tests.letters.conftest import pdf_text as pages_text

OFFICE_FULL_NAME = "兰溪市平安建设领导小组办公室"
EAST_FULL_NAME = "兰溪市兰江街道平安建设办公室"
BASIS = {
    "XF-01": "《中华人民共和国消防法》第十六条第一款第（二）项",
    "SC-01": "《中华人民共和国安全生产法》第三十九条",
}
STOP_USE_ORDER = "责令你单位整改到位前停止使用相关场所、设施或设备"
# What the safety office says instead: the regulators may order it, under the law that gives them the power.
STOP_USE_BY_REGULATOR = "行业主管部门可依照《中华人民共和国安全生产法》第六十五条第一款第（三）项责令暂时停产停业或者停止使用相关设施、设备"


def pdf_text(pdf: bytes) -> str:
    """The notice's text as one run, without the page numbers (「— 1 —」) a page break puts into a sentence."""
    return re.sub(r"—\d+—", "", pages_text(pdf))


@pytest.fixture
def issuers(county, database):
    """The county office, the shop's township office and the hazards carry what the notices print."""
    admin = county.users.admin
    update_department(admin, county.office, full_name=OFFICE_FULL_NAME, address="兰溪市丹溪大道1号",
                      contact_person="陈科长", contact_phone="0579-88901234")
    update_department(admin, county.east_office, full_name=EAST_FULL_NAME, address="兰溪市兰江街道振兴路88号",
                      contact_phone="0579-88912110")
    update_department(admin, county.fire, contact_person="王参谋", contact_phone="0579-88902119")
    for code, basis in BASIS.items():
        update_hazard_type(admin, county.hazards[code], legal_basis=basis)
    database.session.commit()
    return county


def reminder_text(county, database, *codes, actor=None, day="2026-03-02") -> str:
    with at(day):
        inspect(county, county.units.shop, *codes, actor=actor)
    database.session.commit()
    return pdf_text(document_of(database, DocumentKind.reminder).pdf)


def test_the_reminder_names_its_issuer_in_full_its_contact_and_the_township_office(issuers, database):
    text = reminder_text(issuers, database, "XF-01", "SC-01")
    assert f"2026年3月2日，{OFFICE_FULL_NAME}对你单位" in text  # the body names the issuer in full
    # … and so do the 版头's mark, the 落款, the 版记's 印发机关 and the heading of the 送达回证
    assert text.count(OFFICE_FULL_NAME) == 5
    assert f"{OFFICE_FULL_NAME}2026年3月2日（联系人" in text  # 落款, date, then the 附注
    assert "（联系人：陈科长，联系电话：0579-88901234）" in text  # the 附注
    assert f"报{EAST_FULL_NAME}（地址：兰溪市兰江街道振兴路88号；电话：0579-88912110）" in text
    for basis in BASIS.values():
        assert f"依据：{basis}" in text
    assert "13800000001" not in text and "张三" not in text  # the unit's own contact never


def test_a_safety_office_requests_and_names_the_regulators_power_it_lacks(issuers, database):
    text = reminder_text(issuers, database, "SC-01")  # 重大隐患, issued by the county office
    assert "建议你单位立即采取防范措施" in text and STOP_USE_BY_REGULATOR in text
    assert STOP_USE_ORDER not in text and "停止使用相关场所" not in text


def test_an_issuer_with_enforcement_powers_orders_the_facility_out_of_use(issuers, database):
    text = reminder_text(issuers, database, "SC-01", actor=issuers.users.fire)  # issued by the fire brigade
    assert STOP_USE_ORDER in text and "依照《中华人民共和国安全生产法》第六十五条第一款第（三）项" in text
    assert STOP_USE_BY_REGULATOR not in text
    assert "兰溪市消防救援大队" in text and "（联系人：王参谋，联系电话：0579-88902119）" in text


def test_the_wording_follows_the_issuers_powers_as_the_admin_sets_them(issuers, database):
    update_department(issuers.users.admin, issuers.office, enforcement_powers=True)
    database.session.commit()
    assert STOP_USE_ORDER in reminder_text(issuers, database, "SC-01")


def test_a_general_hazard_needs_no_stop_use_sentence(issuers, database):
    text = reminder_text(issuers, database, "XF-01")
    assert STOP_USE_ORDER not in text and STOP_USE_BY_REGULATOR not in text


def test_without_contact_or_full_name_the_notice_prints_the_short_name_and_no_annotation(county, database):
    text = reminder_text(county, database, "XF-01")
    assert "联系人" not in text and "联系电话" not in text and "依据：" not in text
    assert text.count("兰溪市平安办") >= 2 and "报兰江街道平安办。" in text


def test_the_summons_prints_the_venue_address_and_the_conveners_contact(issuers, database):
    case = to_warning(issuers, issuers.units.shop, "XF-01")
    with at("2026-03-20", 9):
        convene_round(issuers.users.office, held_at=datetime(2026, 3, 24, 14, 30, tzinfo=LOCAL_TZ),
                      venue="兰溪市平安警示教育站", venue_address="兰溪市丹溪大道1号市社会治理中心一楼",
                      convened_by=issuers.office, departments=[issuers.fire], cases=[case])
    database.session.commit()
    text = pdf_text(document_of(database, DocumentKind.summons).pdf)
    assert "二、约谈地点：兰溪市平安警示教育站（地址：兰溪市丹溪大道1号市社会治理中心一楼）。" in text
    assert f"三、召集单位：{OFFICE_FULL_NAME}（第1轮警示约谈）" in text
    assert f"如有疑问，请与{OFFICE_FULL_NAME}联系" in text and "（联系人：陈科长，联系电话：0579-88901234）" in text
    assert f"依据：{BASIS['XF-01']}" in text


def test_the_assignment_and_the_referral_print_the_basis_and_the_contact(issuers, database):
    case = to_warning(issuers, issuers.units.shop, "XF-01", "SC-01")
    with at("2026-03-21"):
        issue_assignment(issuers.users.office, case, issuers.fire)
    with at("2026-03-22"):
        ladder.escalate(case, issuers.users.office, "重大隐患且拒不整改", to_stage=Stage.enforcement)
    database.session.commit()
    assignment = pdf_text(document_of(database, DocumentKind.assignment).pdf)
    assert assignment.count("（联系人：陈科长，联系电话：0579-88901234）") == 2  # one on each copy
    assert assignment.count(f"依据：{BASIS['XF-01']}") == 2
    referral = pdf_text(document_of(database, DocumentKind.referral).pdf)
    assert f"依据：{BASIS['SC-01']}" in referral and "（联系人：陈科长，联系电话：0579-88901234）" in referral


def test_a_notice_that_does_not_verify_names_the_county_office_with_its_full_name_and_phone(issuers, client):
    html = client.get("/v/not-a-token").get_data(as_text=True)
    assert OFFICE_FULL_NAME in html and 'href="tel:0579-88901234"' in html
