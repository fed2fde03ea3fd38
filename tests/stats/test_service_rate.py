"""送达率: served notices ÷ notices first issued in the period, per kind, by number, in the region."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from inspect_loop.db import db
from inspect_loop.letters import issuing
from inspect_loop.letters.models import Document, ServiceMethod
from inspect_loop.letters.service import ServiceDetails, record_service
from inspect_loop.stats import summary
from inspect_loop.stats.excel import workbook_for_summary
from tests.factories import inspect
from tests.helpers import at


@pytest.fixture(autouse=True)
def quick_letters(monkeypatch):
    """Counting, not typesetting, is under test: notices get a stand-in PDF."""
    monkeypatch.setattr("inspect_loop.letters.issuing.render_letter", lambda kind, context: b"%PDF-1.7 stand-in")


def reminder(county, unit, code, day) -> Document:
    with at(day):
        inspect(county, unit, code)
    db.session.commit()
    return db.session.scalars(select(Document).where(Document.unit_id == unit.id).order_by(Document.id.desc())).first()


def serve(county, document, day):
    with at(day, 16):
        record_service(county.users.office, document, ServiceDetails(
            method=ServiceMethod.post, served_on=date.fromisoformat(day), place="邮寄", receiver="张三"))
    db.session.commit()


def service(date_from, date_to, region=None) -> dict:
    with at("2026-04-10"):
        return summary(date.fromisoformat(date_from), date.fromisoformat(date_to), region)["service"]


def test_the_service_rate_counts_each_number_once_by_its_first_issue(county):
    shop = reminder(county, county.units.shop, "XF-01", "2026-03-02")
    market = reminder(county, county.units.market, "SP-01", "2026-03-05")
    factory = reminder(county, county.units.factory, "SC-01", "2026-03-06")
    old = reminder(county, county.units.factory, "XF-02", "2026-02-27")  # before the period
    serve(county, shop, "2026-03-02")
    serve(county, old, "2026-03-02")
    with at("2026-03-07"):
        issuing.reissue(market, county.users.office, "地址有误")  # still one notice, issued 03-05, not served
        issuing.revoke(factory, county.users.office, "录入错误")  # no longer a notice to serve
    db.session.commit()

    march = service("2026-03-01", "2026-03-31")
    assert march["reminder"] == {"issued": 2, "served": 1, "rate": 0.5}
    assert march["summons"] == march["referral"] == {"issued": 0, "served": 0, "rate": 0.0}
    assert service("2026-03-01", "2026-03-31", "330781101")["reminder"] == {"issued": 0, "served": 0, "rate": 0.0}
    assert service("2026-02-01", "2026-02-28")["reminder"] == {"issued": 1, "served": 1, "rate": 1.0}

    serve(county, db.session.scalar(select(Document).where(Document.supersedes_id == market.id)), "2026-03-08")
    assert service("2026-03-01", "2026-03-31")["reminder"] == {"issued": 2, "served": 2, "rate": 1.0}


def test_the_summary_workbook_names_and_defines_the_service_rate(county):
    serve(county, reminder(county, county.units.shop, "XF-01", "2026-03-02"), "2026-03-03")
    with at("2026-04-10"):
        figures = summary(date(2026, 3, 1), date(2026, 3, 31))
        content = workbook_for_summary(figures)
    sheets = load_workbook(BytesIO(content)).worksheets
    values = {row[0]: row[1] for row in sheets[0].iter_rows(values_only=True)}
    assert values["整改提醒通知书送达率"] == 1.0 and values["整改提醒通知书签发数"] == 1
    definitions = " ".join(str(cell) for row in sheets[1].iter_rows(values_only=True) for cell in row)
    assert "按文号计" in definitions
