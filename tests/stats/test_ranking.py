"""月晾晒 of the scenario in conftest.py: every count and the score, worked out by hand."""

from datetime import date

import pytest

from inspect_loop.db import db
from inspect_loop.errors import InvalidInput
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.stats import township_ranking
from inspect_loop.stats.ranking import SCALE_UNITS, WEIGHTS, month_of
from inspect_loop.units.operations import create_unit
from tests.factories import inspect
from tests.helpers import at
from tests.stats.conftest import approve, assign, close, found, interview_round, reinspect, report


def ranking(month, region=None, today="2026-07-10"):
    with at(today):
        return township_ranking(month, region)


def by_name(result):
    return {row["township_name"]: row for row in result["rows"]}


def test_march_ranking(year):
    result = ranking("2026-03")
    assert (result["month"], result["as_of"], result["previous_month"]) == ("2026-03", "2026-03-31", "2026-02")
    east, west = by_name(result)["兰江街道"], by_name(result)["马涧镇"]
    assert east == {
        "rank": 2, "township_code": "330781001", "township_name": "兰江街道", "supervised": True,
        # 100 − 0.5×5 general found − 2×1 overdue − 3×4 warnings − 5×2 absent − 8×1 enforcement
        #     − 10×(1 − 0/1) (the one closure, the market's XF-01, was late) = 55.5
        "score": 55.5, "units": 5,  # fewer than 100 operating units: deductions count in full
        "supervisions": 8,  # shop, market, diner, kiosk: found on 03-02, re-inspected 03-12 / 03-16
        "findings": 5, "findings_by_supervision": 5, "major": 0,
        "closed": 1, "rectified_on_time": 0, "on_time_rate": 0.0,
        # At 03-31 only the kiosk's F7 is past the deadline it had then: the shop's, market's and diner's
        # findings had new 交办单 deadlines in April.
        "overdue": 1,
        "warnings": 4,  # shop, market, kiosk (03-12), diner (03-16)
        "interviews": 3, "absent": 2,  # market, diner, shop (round 2); shop (round 1) and kiosk absent
        "enforcements": 1, "enforcement_actions": 0,  # kiosk escalated 03-27
        # Colours today (07-10): diner and kiosk red (enforcement), the shop red (overdue at 二次警示: its
        # 06-15 recurrence opened there); the market yellow (overdue at reminder in its new case); school green.
        "red": 3, "yellow": 1, "green": 1,
        "change": None,  # February had no inspections
    }
    assert west == {
        "rank": 1, "township_code": "330781101", "township_name": "马涧镇", "supervised": True,
        # 100 − 0.5×2 general (YD-01, XF-01) − 2×1 major (SC-01) − 2×2 overdue − 3×1 warning − 8×2 enforcement
        "score": 74.0, "units": 2,  # the mill and the factory; the depot and the hostel no longer operate
        "supervisions": 4,  # factory (03-03, re-inspected 03-10), depot and hostel (03-04)
        "findings": 3, "findings_by_supervision": 3, "major": 1,
        "closed": 0, "rectified_on_time": 0, "on_time_rate": 0.0,
        # depot SC-01 and hostel XF-01 were open at 03-31 (their cases closed in May); the factory's YD-01
        # had its 04-01 交办单 deadline by then.
        "overdue": 2,
        "warnings": 1, "interviews": 1, "absent": 0, "enforcements": 2, "enforcement_actions": 0,
        # mill red (overdue at warning), factory yellow; the depot (shut down) and hostel (banned) are left out.
        "red": 1, "yellow": 1, "green": 0,
        "change": None,
    }
    assert [row["township_name"] for row in result["rows"]] == ["马涧镇", "兰江街道"]
    assert result["weights"] == WEIGHTS


def test_april_ranking_and_change_against_march(year):
    east, west = (by_name(ranking("2026-04"))[name] for name in ("兰江街道", "马涧镇"))
    # east: closed market SP-01 and shop XF-01, both on time; overdue at 04-30: diner F4 (04-10), kiosk F7;
    # the diner entered enforcement 04-20 with three actions. 100 − 2×2 − 8×1 = 88.
    assert (east["score"], east["closed"], east["on_time_rate"], east["overdue"], east["enforcements"],
            east["enforcement_actions"]) == (88.0, 2, 1.0, 2, 1, 3)
    # west: the factory's YD-01 closed late; depot and hostel still overdue. 100 − 2×2 − 10×1 = 86.
    assert (west["score"], west["closed"], west["on_time_rate"], west["overdue"]) == (86.0, 1, 0.0, 2)
    assert (east["rank"], east["change"]) == (1, 1)
    assert (west["rank"], west["change"]) == (2, -1)


def test_count_deductions_are_per_hundred_operating_units(year):
    """兰江街道 with 200 operating units: its count deductions (34.5 points in March) are halved; the late
    rectification share (10 points) is a rate and is not."""
    with at("2026-07-01", 9):
        for number in range(195):
            create_unit(year.county.users.admin, name=f"兰江商铺{number:03d}号", region=year.county.east, category="商铺")
    db.session.commit()
    result = ranking("2026-03")
    east, west = by_name(result)["兰江街道"], by_name(result)["马涧镇"]
    assert (east["units"], east["green"]) == (200, 196)
    assert east["score"] == 100 - 34.5 * 100 / 200 - 10 == 72.75
    assert (west["units"], west["score"]) == (2, 74.0)  # fewer than 100: counted as 100, in full
    assert [row["township_name"] for row in result["rows"]] == ["马涧镇", "兰江街道"]
    assert result["scale_units"] == SCALE_UNITS == 100


def test_equal_scores_are_ranked_by_name(county):
    for unit in (county.units.shop, county.units.factory):  # one of each township; nothing found
        found_nothing(county, unit, "2026-03-03")
    result = ranking("2026-03", today="2026-03-15")
    assert [(row["rank"], row["township_name"], row["score"]) for row in result["rows"]] == [
        (1, "兰江街道", 100.0), (2, "马涧镇", 100.0)]  # "兰" (U+5170) sorts before "马" (U+9A6C)
    assert result["as_of"] == "2026-03-15"  # the month is not over yet


def found_nothing(county, unit, on, kind=InspectionKind.unannounced):
    with at(on, 10):
        inspect(county, unit, kind=kind)
    db.session.commit()


def test_a_township_without_supervision_is_not_scored_or_ranked(county):
    """马涧镇 had only its own grid patrol in March: 本月未督查, after 兰江街道, with no score, rank or change —
    not a 100 tied with the supervised ones."""
    found_nothing(county, county.units.shop, "2026-02-10")
    found_nothing(county, county.units.factory, "2026-02-11")  # both ranked in February
    found_nothing(county, county.units.shop, "2026-03-03")
    found_nothing(county, county.units.factory, "2026-03-04", kind=InspectionKind.grid_patrol)
    result = ranking("2026-03")
    assert [(row["township_name"], row["supervised"], row["supervisions"], row["rank"], row["score"], row["change"])
            for row in result["rows"]] == [("兰江街道", True, 1, 1, 100.0, 0), ("马涧镇", False, 0, None, None, None)]
    february = ranking("2026-02")
    assert [(row["rank"], row["score"]) for row in february["rows"]] == [(1, 100.0), (2, 100.0)]


def test_ranks_and_changes_are_counted_among_the_supervised_only(county):
    """February: only 马涧镇 supervised (the factory's YD-01), so it is first, not second behind an unsupervised
    兰江街道 at 100. March: both supervised; 马涧镇, still holding the overdue YD-01, falls from 1 to 2, and
    兰江街道, unranked in February, has no change."""
    with at("2026-02-10", 10):
        inspect(county, county.units.factory, "YD-01")
    found_nothing(county, county.units.shop, "2026-03-03")
    found_nothing(county, county.units.factory, "2026-03-04")
    february = ranking("2026-02")
    assert [(row["township_name"], row["rank"], row["change"]) for row in february["rows"]] == [
        ("马涧镇", 1, None), ("兰江街道", None, None)]
    march = ranking("2026-03")
    assert [(row["township_name"], row["rank"], row["change"]) for row in march["rows"]] == [
        ("兰江街道", 1, None), ("马涧镇", 2, -1)]
    assert march["rows"][1]["supervisions"] == 1 and march["rows"][1]["score"] < 100


def test_a_month_with_only_follow_through_to_score_is_ranked_without_a_visit(year):
    """April in 马涧镇: no inspection, but the factory's late close-out and two findings overdue at month end —
    the score holds the township to them (86), so it is ranked, not 本月未督查."""
    west = by_name(ranking("2026-04"))["马涧镇"]
    assert (west["supervisions"], west["supervised"], west["score"], west["rank"]) == (0, True, 86.0, 2)


@pytest.mark.parametrize(("today", "month"), [("2026-12-05", "2026-11"), ("2026-12-01", "2026-11"),
                                              ("2026-11-30", "2026-10"), ("2027-01-01", "2026-12")])
def test_the_default_month_is_the_last_complete_one(county, today, month):
    result = ranking(None, today=today)
    assert result["month"] == month
    assert result["as_of"] == month_of(date.fromisoformat(f"{month}-01")).last.isoformat()  # the whole month
    assert ranking(today[:7], today=today)["month"] == today[:7]  # the current month can still be asked for


def test_month_is_validated(county):
    for bad in ("2026-13", "2026-3", "March", "2026-03-01"):
        with pytest.raises(InvalidInput) as error:
            ranking(bad)
        assert error.value.field == "month"
    with pytest.raises(InvalidInput):
        ranking("2026-08")  # after the current month
    with pytest.raises(InvalidInput) as error:
        ranking("2026-03", region="330781001")  # a township cannot be ranked against itself
    assert error.value.field == "region"
    assert [row["township_code"] for row in ranking("2026-03", region="330781")["rows"]] == ["330781001",
                                                                                            "330781101"]


def test_overdue_at_month_end_uses_the_deadline_and_status_of_that_day(county, database):
    c = county
    finding = found(c, c.units.shop, "XF-01", "2026-03-20")  # deadline 03-27
    reinspect(c, c.units.shop, [(finding, False)], "2026-03-30")
    interview_round(c, "2026-04-02", [(finding.case, True)], 6)
    assign(c, finding.case, c.fire, "2026-04-02", "2026-04-20")  # moves the deadline after month end
    report(c, finding, "2026-04-10")
    approve(c.users.fire, finding, "2026-04-10")
    close(c, finding, "2026-04-10")
    database.session.commit()
    # Closed now, and its deadline is now 04-20 — but on 31 March it was open and past 03-27.
    assert by_name(ranking("2026-03"))["兰江街道"]["overdue"] == 1
    assert by_name(ranking("2026-04"))["兰江街道"]["overdue"] == 0
    with at("2026-03-27"):
        assert by_name(township_ranking("2026-03"))["兰江街道"]["overdue"] == 0  # not past it yet on 03-27
