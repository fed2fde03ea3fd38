"""Every SPEC section 5 figure of the scenario in conftest.py, against expectations worked out by hand."""

import pytest

from inspect_loop.errors import InvalidInput, NotFound
from inspect_loop.stats import summary
from tests.helpers import at
from tests.stats.conftest import day

MARCH_TO_JUNE = (day("2026-03-01"), day("2026-06-30"))


def figures(date_from, date_to, region=None):
    with at("2026-07-10"):
        return summary(day(date_from) if isinstance(date_from, str) else date_from,
                       day(date_to) if isinstance(date_to, str) else date_to, region)


def test_every_figure_of_the_half_year(year):
    result = figures(*MARCH_TO_JUNE)
    expected = {
        # Rounds 1 (03-19) and 2 (03-26); round 3 (07-02) is after the period. 12 + 20 participants.
        "interview_rounds": 2,
        "education_person_times": 32,
        # Attended: market and factory (round 1), shop and diner (round 2).
        "units_interviewed": 4,
        # Absent: shop (round 1, and it counts as interviewed too, from round 2) and kiosk (round 2).
        "units_absent": 2,
        # shop: its one warning-stage finding was reported 04-08 before its 04-10 deadline, closed out 04-15.
        # market: XF-01 was closed at the reminder stage (late, 03-12 > 03-09) and is NOT a warning-stage
        #   finding; SP-01 reported 04-04 ≤ 04-05 and closed out → on time.
        # factory: reported 04-03 after its 04-01 deadline → no. diner: still open → no.
        "units_rectified_on_time": 2,
        "joint_enforcements": 2,  # diner 04-25, hostel 05-12
        "fines": 1,  # diner 04-26
        "suspensions": 1,  # diner 04-27
        "shutdowns": 1,  # depot 05-10
        "bans": 1,  # hostel 05-12
        "recurrence": {
            # shop, market and factory have every warning-stage finding closed out; the diner does not.
            "units_eligible": 3,
            # shop: XF-01 on 06-15 = 04-15 + two months → recurred.
            # market: XF-01 on 05-20 lies in (04-05, 06-05] but XF-01 was not a warning-stage type → no.
            # factory: XF-02 on 05-10 is another type; YD-01 on 06-04 is one day after 04-03 + 2 months → no.
            "units_recurred": 1,
            "rate": 0.3333,
        },
        # Closed in the period: market XF-01 (verified 03-12 > 03-09: late), factory YD-01 (reported late),
        # market SP-01 and shop XF-01 (reported on time), school XF-02 (verified 05-11 ≤ 05-14) → 3 / 5.
        "on_time_rate": 0.6,
        # The 05-15 exposure (shop/F1 closed, diner/F4 open); the draft and the 07-05 one do not count.
        "exposures": {"actions": 1, "places": 2, "problems": 2, "problems_closed": 1},
        "extensions": {"requested": 0, "approved": 0, "refused": 0},  # tests/test_deadline_extensions.py
        # 03-02: shop, market, diner, kiosk; 03-03 factory; 03-04 depot, hostel; re-inspections 03-10 factory,
        # 03-12 shop, market, kiosk, 03-16 diner; follow-up 04-20 diner; 05-04 school, 05-10 factory,
        # 05-11 school, 05-20 market; 06-01 mill, 06-04 factory, 06-08 mill, 06-15 shop → 21.
        "inspections": 21,
        # March 8 (shop, market ×2, diner, kiosk, factory, depot, hostel), May 3, June 3.
        "findings_found": 14, "on_the_spot_rectified": 0,
        "findings_closed": 5,
        "findings_rectified_on_time": 3,
        # March: 7 cases; May: school, factory, market; June: mill, shop (the factory's 06-04 finding joins
        # its open case).
        "cases_opened": 12,
        # factory 04-03, market 04-05, shop 04-15, depot 05-10, school 05-11, hostel 05-12.
        "cases_closed": 6,
        # factory 03-10, shop/market/kiosk 03-12, diner 03-16, mill 06-08; the shop's 06-15 case opened there
        # (XF-01 recurred two months after its close-out: SPEC section 7).
        "cases_to_warning": 7,
        # depot and hostel 03-05, kiosk 03-27, diner 04-20.
        "cases_to_enforcement": 4,
        # On 07-10: diner F4, kiosk F7, mill F8, factory XF-02 and YD-01, market XF-01, shop XF-01; the depot's
        # and hostel's findings ended (voided) with their cases.
        "overdue_now": 7,
    }
    result.pop("period")
    result.pop("service")  # the 送达率, on a scenario of its own: tests/stats/test_service_rate.py
    assert result == expected


def test_period_is_the_two_dates_inclusive(year):
    only_round_one = figures("2026-03-19", "2026-03-19")
    assert (only_round_one["interview_rounds"], only_round_one["education_person_times"],
            only_round_one["units_interviewed"], only_round_one["units_absent"]) == (1, 12, 2, 1)
    assert figures("2026-03-20", "2026-03-25")["interview_rounds"] == 0
    assert figures("2026-03-20", "2026-03-26")["interview_rounds"] == 1
    # Round 3 falls on the last day of the period.
    with_round_three = figures("2026-03-01", "2026-07-02")
    assert (with_round_three["interview_rounds"], with_round_three["education_person_times"],
            with_round_three["units_interviewed"]) == (3, 40, 5)
    # The mill's warning-stage finding is still open: neither rectified nor eligible.
    assert with_round_three["units_rectified_on_time"] == 2
    assert with_round_three["recurrence"]["units_eligible"] == 3

    joint_day = figures("2026-04-25", "2026-04-25")
    assert (joint_day["joint_enforcements"], joint_day["fines"]) == (1, 0)
    after = figures("2026-04-26", "2026-05-10")
    assert (after["joint_enforcements"], after["fines"], after["suspensions"], after["shutdowns"], after["bans"]) \
        == (0, 1, 1, 1, 0)
    # Closed on 04-15 only: the shop's finding, on time.
    assert figures("2026-04-15", "2026-04-15")["on_time_rate"] == 1.0
    assert figures("2026-04-16", "2026-05-10")["on_time_rate"] == 0.0  # nothing closed: 0, not an error
    assert figures("2026-05-15", "2026-05-15")["exposures"]["actions"] == 1
    assert figures("2026-05-16", "2026-07-04")["exposures"]["actions"] == 0


def test_units_interviewed_in_the_period_count_their_outcomes_now(year):
    """Round 1 alone: market (on time) and factory (late); the shop was absent there, so it is not counted."""
    result = figures("2026-03-19", "2026-03-19")
    assert result["units_rectified_on_time"] == 1
    assert result["recurrence"] == {"units_eligible": 2, "units_recurred": 0, "rate": 0.0}
    # Round 2 alone: shop (on time, recurred) and diner (open).
    result = figures("2026-03-26", "2026-03-26")
    assert result["units_rectified_on_time"] == 1
    assert result["recurrence"] == {"units_eligible": 1, "units_recurred": 1, "rate": 1.0}


def test_region_filter_by_township_and_county(year):
    east = figures(*MARCH_TO_JUNE, region="330781001")  # 兰江街道: shop, market, diner, kiosk, school
    east.pop("period"), east.pop("service")
    assert east == {
        "interview_rounds": 2, "education_person_times": 32,  # both rounds summoned east units
        "units_interviewed": 3, "units_absent": 2,  # shop, market, diner; shop and kiosk
        "units_rectified_on_time": 2,  # shop, market
        "joint_enforcements": 1, "fines": 1, "suspensions": 1, "shutdowns": 0, "bans": 0,
        "recurrence": {"units_eligible": 2, "units_recurred": 1, "rate": 0.5},
        "on_time_rate": 0.75,  # market XF-01 late; market SP-01, shop XF-01, school XF-02 on time
        "exposures": {"actions": 1, "places": 2, "problems": 2, "problems_closed": 1},
        "extensions": {"requested": 0, "approved": 0, "refused": 0},  # tests/test_deadline_extensions.py
        "inspections": 13, "findings_found": 8, "on_the_spot_rectified": 0, "findings_closed": 4, "findings_rectified_on_time": 3,
        "cases_opened": 7, "cases_closed": 3, "cases_to_warning": 5, "cases_to_enforcement": 2,  # + shop 06-15
        "overdue_now": 4,  # diner F4, kiosk F7, market XF-01, shop XF-01
    }
    west = figures(*MARCH_TO_JUNE, region="330781101")  # 马涧镇: factory (in a village), depot, hostel, mill
    west.pop("period"), west.pop("service")
    assert west == {
        "interview_rounds": 1, "education_person_times": 12,  # round 1 summoned the factory
        "units_interviewed": 1, "units_absent": 0,
        "units_rectified_on_time": 0,
        "joint_enforcements": 1, "fines": 0, "suspensions": 0, "shutdowns": 1, "bans": 1,
        "recurrence": {"units_eligible": 1, "units_recurred": 0, "rate": 0.0},
        "on_time_rate": 0.0,
        "exposures": {"actions": 0, "places": 0, "problems": 0, "problems_closed": 0},
        "extensions": {"requested": 0, "approved": 0, "refused": 0},  # tests/test_deadline_extensions.py
        "inspections": 8, "findings_found": 6, "on_the_spot_rectified": 0, "findings_closed": 1, "findings_rectified_on_time": 0,
        "cases_opened": 5, "cases_closed": 3, "cases_to_warning": 2, "cases_to_enforcement": 2,
        "overdue_now": 3,  # mill F8, factory XF-02 and YD-01
    }
    county = figures(*MARCH_TO_JUNE, region="330781")
    whole = figures(*MARCH_TO_JUNE)
    assert county["period"]["region"] == {"code": "330781", "name": "兰溪市", "level": "county"}
    county.pop("period"), whole.pop("period")
    assert county == whole


def test_unknown_region_period_and_other_levels_are_refused(year):
    with pytest.raises(NotFound) as unknown:
        figures(*MARCH_TO_JUNE, region="999999")
    assert unknown.value.field == "region"
    with pytest.raises(InvalidInput) as village:
        figures(*MARCH_TO_JUNE, region="330781101201")
    assert village.value.field == "region"
    with pytest.raises(InvalidInput) as backwards:
        figures("2026-06-30", "2026-03-01")
    assert backwards.value.field == "from"


def test_an_empty_county_has_zero_figures_not_errors(county):
    result = figures(*MARCH_TO_JUNE)
    assert result["recurrence"] == {"units_eligible": 0, "units_recurred": 0, "rate": 0.0}
    assert result["on_time_rate"] == 0.0
    assert result["exposures"] == {"actions": 0, "places": 0, "problems": 0, "problems_closed": 0}
    assert result["interview_rounds"] == result["education_person_times"] == result["units_interviewed"] == 0
