"""The demo county builds, and its figures are plausible and consistent with one another."""

from datetime import date

from sqlalchemy import func, select

from inspect_loop.db import db
from inspect_loop.demo import build_demo
from inspect_loop.enforcement import feedback
from inspect_loop.enforcement.models import EnforcementAction, ReferralFeedback
from inspect_loop.inspections.models import Finding
from inspect_loop.interviews.models import InterviewRound
from inspect_loop.stats import (
    by_category,
    monthly_trend,
    overdue_list,
    risk_by_township,
    summary,
    township_ranking,
)
from tests.helpers import at, one_pdf_for_every_notice


def enforced_cases() -> set[int]:
    return set(db.session.scalars(select(EnforcementAction.case_id)))


def test_demo_county_figures_are_consistent(database, monkeypatch):
    one_pdf_for_every_notice(monkeypatch)
    with at("2026-06-30", 20):
        build_demo(units=40, days=120, progress=lambda line: None)
        database.session.commit()
        start, end = date(2026, 3, 1), date(2026, 6, 29)
        figures = summary(start, end)
        trend = monthly_trend(start, end)
        categories = by_category(start, end)
        ranking = township_ranking("2026-05")
        risk = risk_by_township()
        overdue = overdue_list(limit=500)
        east = summary(start, end, "330781002")

    assert figures["inspections"] > 100 and figures["findings_found"] > 30 and figures["interview_rounds"] > 3
    assert figures["interview_rounds"] == db.session.scalar(select(func.count(InterviewRound.id)))
    assert figures["findings_found"] == db.session.scalar(select(func.count(Finding.id)))
    assert 0 < figures["units_interviewed"] <= 40
    assert figures["units_rectified_on_time"] <= figures["recurrence"]["units_eligible"] <= figures["units_interviewed"]
    assert figures["recurrence"]["units_recurred"] <= figures["recurrence"]["units_eligible"]
    assert figures["findings_rectified_on_time"] <= figures["findings_closed"] <= figures["findings_found"]
    assert 0 <= figures["on_time_rate"] <= 1 and 0 <= figures["recurrence"]["rate"] <= 1
    assert figures["education_person_times"] >= figures["units_interviewed"]
    assert figures["cases_to_enforcement"] <= figures["cases_opened"]
    assert figures["overdue_now"] == len(overdue)

    # The breakdowns add up to the summary.
    assert sum(month["findings_found"] for month in trend) == figures["findings_found"]
    assert sum(month["findings_closed"] for month in trend) == figures["findings_closed"]
    assert sum(month["interview_rounds"] for month in trend) == figures["interview_rounds"]
    assert sum(month["education_person_times"] for month in trend) == figures["education_person_times"]
    assert sum(row["found"] for row in categories) == figures["findings_found"]
    assert sum(row["red"] + row["yellow"] + row["green"] for row in risk) <= 40
    assert len(ranking["rows"]) == 15 and [row["rank"] for row in ranking["rows"]] == list(range(1, 16))
    assert [row["score"] for row in ranking["rows"]] == sorted((row["score"] for row in ranking["rows"]), reverse=True)
    assert all(row["change"] is not None for row in ranking["rows"])  # April had inspections
    assert east["units_interviewed"] <= figures["units_interviewed"]
    assert east["findings_found"] <= figures["findings_found"]

    # Every referral asked its regulators for feedback; those whose enforcement was decided have answered.
    asked = list(db.session.scalars(select(ReferralFeedback)))
    assert asked and all(row.is_recorded for row in asked if row.case_id in enforced_cases())
    assert not db.session.scalars(feedback.overdue_statement(date(2026, 6, 30))).all()


def test_the_demo_publishes_each_quarter_even_when_the_15th_or_the_last_day_is_a_weekend(database, monkeypatch):
    from inspect_loop.exposures.models import Exposure, ExposureStatus

    one_pdf_for_every_notice(monkeypatch)
    with at("2026-08-31", 20):  # 15 August 2026 is a Saturday, yesterday (30 August) a Sunday
        build_demo(units=40, days=75, progress=lambda line: None)
        database.session.commit()
    published = database.session.scalars(select(Exposure.published_on).where(
        Exposure.status == ExposureStatus.published).order_by(Exposure.published_on)).all()
    assert published == [date(2026, 8, 17)]  # the Monday after
    drafts = database.session.scalar(select(func.count(Exposure.id)).where(Exposure.status == ExposureStatus.draft))
    assert drafts == 1
