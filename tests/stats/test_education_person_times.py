"""教育人次 (SPEC section 7): the participants of the rounds held in the period plus the person-times of the
education sessions (到站教育培训, 线上直播) held in it — worked out by hand on the half year of conftest.py.

Sessions added here: 03-20 a voluntary session at the county's own station (40), 04-10 a live stream from
兰江街道's station (500 viewers), 07-03 a voluntary session at 马涧镇's station (25).
"""

from datetime import date

import pytest

from inspect_loop.interviews.models import TrainingKind
from inspect_loop.interviews.training import TrainingFacts, record_training
from inspect_loop.stats import monthly_trend, summary
from tests.helpers import at


@pytest.fixture
def sessions(year, database):
    c = year.county
    for held_on, kind, person_times, township in (("2026-03-20", TrainingKind.voluntary, 40, None),
                                                  ("2026-04-10", TrainingKind.live_stream, 500, c.east),
                                                  ("2026-07-03", TrainingKind.voluntary, 25, c.west)):
        with at(held_on, 18):
            record_training(c.users.office, c.county, TrainingFacts(
                held_on=date.fromisoformat(held_on), kind=kind, topic="消防安全警示教育", person_times=person_times,
                township=township))
    database.session.commit()
    return year


def education(date_from, date_to, region=None) -> int:
    with at("2026-07-10"):
        return summary(date.fromisoformat(date_from), date.fromisoformat(date_to), region)["education_person_times"]


def test_sessions_add_their_person_times_to_the_rounds_participants(sessions):
    # Rounds 1 and 2 (12 + 20) and both sessions of March–June (40 + 500).
    assert education("2026-03-01", "2026-06-30") == 12 + 20 + 40 + 500
    assert education("2026-07-01", "2026-07-31") == 8 + 25  # round 3 and 马涧镇's session
    assert education("2026-03-20", "2026-03-20") == 40  # a session alone, no round that day
    assert education("2026-04-11", "2026-06-30") == 0


def test_a_township_counts_the_sessions_of_its_own_station(sessions):
    assert education("2026-03-01", "2026-06-30", "330781001") == 12 + 20 + 500  # 兰江街道: both rounds, its stream
    assert education("2026-03-01", "2026-06-30", "330781101") == 12  # 马涧镇: round 1; its session is in July
    assert education("2026-07-01", "2026-07-31", "330781101") == 8 + 25
    assert education("2026-03-01", "2026-07-31", "330781") == 12 + 20 + 8 + 40 + 500 + 25  # the county: all


def test_the_monthly_trend_counts_them_in_their_month(sessions):
    with at("2026-07-10"):
        trend = {month["month"]: month["education_person_times"]
                 for month in monthly_trend(date(2026, 3, 1), date(2026, 7, 31))}
    assert trend == {"2026-03": 12 + 20 + 40, "2026-04": 500, "2026-05": 0, "2026-06": 0, "2026-07": 8 + 25}


def test_without_sessions_the_figure_is_the_rounds_participants_as_before(year):
    assert education("2026-03-01", "2026-06-30") == 32
