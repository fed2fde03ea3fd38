"""Trend by month, by category and sector, 三色 per township, overdue list — on the scenario in conftest.py."""

from datetime import date

from sqlalchemy import select

from inspect_loop.cases.queries import RISK_STATES, risk_color_expression
from inspect_loop.db import db
from inspect_loop.stats import by_category, by_sector, monthly_trend, overdue_list, risk_by_township
from inspect_loop.stats.breakdowns import cohorts, risk_counts_by_township
from inspect_loop.units.models import Unit
from tests.helpers import at

MARCH, JUNE = date(2026, 3, 1), date(2026, 6, 30)


def test_monthly_trend(year):
    with at("2026-07-10"):
        trend = monthly_trend(MARCH, JUNE)
    assert [row["month"] for row in trend] == ["2026-03", "2026-04", "2026-05", "2026-06"]
    march, april, may, june = trend
    assert march == {"month": "2026-03", "findings_found": 8, "on_the_spot_rectified": 0, "findings_closed": 1, "findings_rectified_on_time": 0,
                     "on_time_rate": 0.0, "cases_opened": 7, "interview_rounds": 2, "education_person_times": 32,
                     "units_interviewed": 4, "enforcement_actions": 0}
    # April: factory (late), market SP-01 and shop (on time) closed; the diner's three actions.
    assert (april["findings_found"], april["findings_closed"], april["on_time_rate"], april["cases_opened"],
            april["enforcement_actions"]) == (0, 3, 0.6667, 0, 3)
    # May: school, factory XF-02, market XF-01 found; the school's closed on time; shutdown, joint, ban.
    assert (may["findings_found"], may["findings_closed"], may["on_time_rate"], may["cases_opened"],
            may["enforcement_actions"]) == (3, 1, 1.0, 3, 3)
    assert (june["findings_found"], june["findings_closed"], june["cases_opened"], june["interview_rounds"]) \
        == (3, 0, 2, 0)
    with at("2026-07-10"):
        west = monthly_trend(MARCH, JUNE, "330781101")
    assert [row["findings_found"] for row in west] == [3, 0, 1, 2]


def test_by_category_and_sector(year):
    with at("2026-07-10"):
        categories = by_category(MARCH, JUNE)
        sectors = by_sector(MARCH, JUNE, "330781")
    assert [(row["category"], row["found"]) for row in categories] == [
        ("消防安全", 9), ("用电安全", 3), ("生产安全", 1), ("食品安全", 1)]
    # 消防安全: closed shop F1 (on time), market XF-01 (late), school (on time); open diner, kiosk, factory
    # XF-02, market XF-01 (May), shop XF-01 (June) — all overdue on 07-10; the hostel's ended (voided).
    assert categories[0] == {"category": "消防安全", "found": 9, "major": 0, "on_the_spot": 0, "closed": 3, "rectified_on_time": 2,
                             "on_time_rate": 0.6667, "open": 5, "overdue": 5}
    assert categories[2] == {"category": "生产安全", "found": 1, "major": 1, "on_the_spot": 0, "closed": 0, "rectified_on_time": 0,
                             "on_time_rate": 0.0, "open": 0, "overdue": 0}
    assert sectors[0]["sector"] == "消防" and sectors[0]["regulators"] == ["兰溪市消防救援大队"]
    assert {row["sector"]: row["regulators"] for row in sectors}["用电"] == ["兰溪市应急管理局"]
    with at("2026-07-10"):
        assert cohorts(MARCH, JUNE, "330781") == (by_category(MARCH, JUNE, "330781"), sectors)
        assert cohorts(date(2025, 1, 1), date(2025, 12, 31)) == ([], [])


def test_risk_by_township_and_overdue_list(year):
    with at("2026-07-10"):
        risk = risk_by_township()
        overdue = overdue_list(limit=3)
        west_overdue = overdue_list("330781101")
    assert risk == [
        {"township_code": "330781001", "township_name": "兰江街道", "red": 3, "yellow": 1, "green": 1, "units": 5,
         "closed": 0},  # the shop red: its 06-15 recurrence opened at 二次警示 and is overdue there
        # The depot (shut down 05-10) and the hostel (banned 05-12) are closed places: grey, never green.
        {"township_code": "330781101", "township_name": "马涧镇", "red": 1, "yellow": 1, "green": 0, "units": 2,
         "closed": 2},
    ]
    # Longest overdue first: the kiosk's F7 (03-09), the diner's F4 (04-10), the factory's XF-02 (05-20).
    assert [(row["unit_name"], row["deadline"], row["days_overdue"]) for row in overdue] == [
        ("兰江便民亭", "2026-03-09", 123), ("兰江小吃店", "2026-04-10", 91), ("马涧五金加工厂", "2026-05-20", 51)]
    assert overdue[0]["stage"] == "enforcement" and overdue[0]["stage_label"] == "三次执法"
    assert [row["unit_name"] for row in west_overdue] == ["马涧五金加工厂", "马涧竹木制品厂", "马涧五金加工厂"]


def test_the_set_based_colour_counts_agree_with_each_units_colour(year):
    """``risk_counts_by_township`` (sets of units) and ``cases.queries.risk_color_expression`` (one unit at a
    time) are two spellings of the 三色 rule; on every day of the half year they count the same."""
    for day in ("2026-03-05", "2026-03-13", "2026-03-20", "2026-04-12", "2026-05-13", "2026-06-10", "2026-07-10"):
        with at(day):
            every_unit = select(Unit.township_id, risk_color_expression().label("color"))
            expected: dict[int, dict[str, int]] = {}
            for township_id, color in db.session.execute(every_unit):
                counts = expected.setdefault(township_id, dict.fromkeys(RISK_STATES, 0))
                counts[color] += 1
            assert risk_counts_by_township() == expected, day
