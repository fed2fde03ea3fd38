"""``flask gen-data``: deterministic, consistent with the ladder's rules, fast, on SQLite and PostgreSQL."""

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import exists, func, or_, select, text
from sqlalchemy.orm import aliased

from inspect_loop import create_app
from inspect_loop.assignments.models import SignOff
from inspect_loop.audit.models import Event
from inspect_loop.cases.ladder import TRANSITIONS
from inspect_loop.cases.models import Case, CaseStatus, Outcome, Stage, StartReason
from inspect_loop.db import db
from inspect_loop.enforcement.models import ActionKind, EnforcementAction
from inspect_loop.errors import Conflict
from inspect_loop.exposures.models import Exposure, ExposureItem, ExposureItemFinding
from inspect_loop.generator import Rates, generate
from inspect_loop.hazards.models import HazardType
from inspect_loop.inspections.models import (
    CloseKind,
    Finding,
    FindingDeadline,
    FindingStatus,
    Inspection,
    InspectionKind,
    Rectification,
)
from inspect_loop.interviews.models import InterviewRound, Summons
from inspect_loop.letters.models import Document
from inspect_loop.regions.models import Region
from inspect_loop.stats import summary
from inspect_loop.units.models import Unit, UnitStatus
from inspect_loop.units.operations import create_unit
from inspect_loop.users.models import User

END = date(2026, 6, 30)
COUNTED = (Unit, Case, Inspection, Finding, FindingDeadline, Rectification, SignOff, Summons, InterviewRound,
           EnforcementAction, Exposure, Event)


def quiet(line):
    pass


def empty_database():
    db.session.rollback()
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(text(f'DELETE FROM "{table.name}"'))


def fingerprint() -> tuple[dict, str]:
    """Row counts, and a SHA-256 over the key columns in natural keys (not ids, which sequences may shift)."""
    counts = {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED}
    township = aliased(Region)
    queries = [
        select(Unit.name, Unit.uscc, Unit.status, Unit.category, township.code)
        .join(township, township.id == Unit.township_id).order_by(Unit.name),
        select(Unit.name, HazardType.code, Finding.found_at, Finding.deadline, Finding.status, Finding.close_kind,
               Finding.first_reported_on, Finding.signed_off_at, Finding.closed_on)
        .join(Unit, Unit.id == Finding.unit_id).join(HazardType, HazardType.id == Finding.hazard_type_id)
        .order_by(Unit.name, Finding.found_at, HazardType.code),
        select(Unit.name, Case.opened_at, Case.stage, Case.status, Case.outcome, Case.warning_at, Case.enforcement_at,
               Case.closed_on).join(Unit, Unit.id == Case.unit_id).order_by(Unit.name, Case.opened_at),
        select(Unit.name, InterviewRound.held_on, InterviewRound.number, InterviewRound.participants, Summons.attended)
        .join(Unit, Unit.id == Summons.unit_id).join(InterviewRound, InterviewRound.id == Summons.round_id)
        .order_by(Unit.name, InterviewRound.held_on),
        select(Unit.name, EnforcementAction.action, EnforcementAction.decided_on)
        .join(Unit, Unit.id == EnforcementAction.unit_id).order_by(Unit.name, EnforcementAction.decided_at,
                                                                   EnforcementAction.action),
        select(Exposure.title, Exposure.published_on, Unit.name)
        .join(ExposureItem, ExposureItem.exposure_id == Exposure.id).join(Unit, Unit.id == ExposureItem.unit_id)
        .order_by(Exposure.published_on, Unit.name),
    ]
    digest = hashlib.sha256()
    for query in queries:
        for row in db.session.execute(query):
            digest.update(repr(tuple(row)).encode())
    return counts, digest.hexdigest()


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not(database):
    generate(units=300, years=1, seed=1, end=END, progress=quiet)
    database.session.commit()
    first = fingerprint()
    assert first[0]["finding"] > 100 and first[0]["summons"] > 0

    empty_database()
    generate(units=300, years=1, seed=1, end=END, progress=quiet)
    database.session.commit()
    assert fingerprint() == first

    empty_database()
    generate(units=300, years=1, seed=2, end=END, progress=quiet)
    database.session.commit()
    assert fingerprint()[1] != first[1]


@pytest.fixture
def generated(database):
    """1,500 units over two years, with more stubborn units than a real county so that every stage, outcome and
    enforcement kind occurs."""
    report = generate(units=1500, years=2, seed=7, end=END, progress=quiet,
                      rates=Rates(stubborn=0.3, attends=0.85, withdrawn=0.01))
    database.session.commit()
    return report


def count(*conditions, model=Finding):
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def test_history_spans_the_years_before_the_end_and_covers_the_whole_ladder(generated):
    assert (generated.start, generated.end) == (date(2024, 7, 1), END)
    assert db.session.scalar(select(func.min(Finding.found_on))) >= generated.start
    assert db.session.scalar(select(func.max(Event.at))) is not None
    for column in (Finding.found_on, Finding.closed_on, Finding.first_reported_on):
        assert db.session.scalar(select(func.max(column))) <= END
    outcomes = set(db.session.scalars(select(Case.outcome).distinct()))
    assert {Outcome.rectified_at_reminder, Outcome.rectified_after_warning, Outcome.rectified_after_enforcement,
            Outcome.shut_down, Outcome.banned, Outcome.withdrawn, None} <= outcomes
    open_stages = set(db.session.scalars(select(Case.stage).where(Case.status == CaseStatus.open).distinct()))
    assert Stage.reminder in open_stages and len(open_stages) >= 2  # history stops mid-ladder at the end
    assert set(db.session.scalars(select(EnforcementAction.action).distinct())) == set(ActionKind)
    assert count(model=Summons) > count(Summons.attended.is_(False), model=Summons) > 0
    assert count(model=Exposure) == 7  # one a quarter, published early in the next
    assert count(model=Document) == 0  # generated history renders no documents (docs/generator.md)
    kinds = set(db.session.scalars(select(Inspection.kind).distinct()))
    assert set(InspectionKind) == kinds


def test_cases_follow_the_ladder(generated):
    open_per_unit = select(Case.unit_id).where(Case.status == CaseStatus.open).group_by(Case.unit_id).having(
        func.count() > 1)
    assert db.session.execute(open_per_unit).first() is None
    assert count(Case.status == CaseStatus.closed, Case.outcome.is_(None), model=Case) == 0
    assert count(Case.status == CaseStatus.closed, Case.closed_on.is_(None), model=Case) == 0
    assert count(Case.status == CaseStatus.open, Case.outcome.is_not(None), model=Case) == 0
    assert count(Case.stage == Stage.warning, Case.warning_at.is_(None), model=Case) == 0
    assert count(Case.stage == Stage.enforcement, Case.enforcement_at.is_(None), model=Case) == 0
    assert count(Case.outcome == Outcome.rectified_after_warning, Case.stage != Stage.warning, model=Case) == 0
    # Only the ladder's own transitions are logged, and every case was opened.
    actions = set(db.session.scalars(select(Event.action).where(Event.action.like("case.%")).distinct()))
    assert actions <= {f"case.{name}" for name in TRANSITIONS}
    assert count(Event.action.like("case.open%"), model=Event) == count(model=Case)
    # A recurrence opens at 二次警示 (SPEC section 7), after an earlier case of the unit that was interviewed.
    recurring = count(Case.start_reason == StartReason.recurrence, model=Case)
    assert recurring == count(Event.action == "case.open_at_warning", model=Event) > 0
    earlier = aliased(Case)
    assert count(Case.start_reason == StartReason.recurrence, earlier.id == Case.start_after_case_id,
                 earlier.outcome == Outcome.rectified_after_warning, Case.stage != Stage.reminder,
                 Case.warning_at == Case.opened_at, model=Case) == recurring


def test_findings_are_consistent_with_their_case(generated):
    # No finding was found after its case closed.
    assert count(Finding.found_on > Case.closed_on, Finding.case_id == Case.id) == 0
    # Every closed finding has its close date and kind; closed-out ones were signed off first.
    assert count(Finding.status == FindingStatus.closed, or_(Finding.closed_on.is_(None),
                                                             Finding.close_kind.is_(None))) == 0
    assert count(Finding.close_kind == CloseKind.closed_out,
                 or_(Finding.signed_off_at.is_(None), Finding.signed_off_at > Finding.closed_at)) == 0
    # A warning case's closed-out findings have a sign-off time; a re-inspection closes only at 一次提醒.
    assert count(Finding.case_id == Case.id, Case.warning_at.is_not(None), Finding.close_kind == CloseKind.closed_out,
                 Finding.signed_off_at.is_(None)) == 0
    assert count(Finding.case_id == Case.id, Finding.close_kind == CloseKind.verified,
                 Case.warning_at.is_not(None), Finding.closed_at > Case.warning_at) == 0
    # Open findings only in open cases; voided only in cases ended without rectification.
    assert count(Finding.case_id == Case.id, Finding.status == FindingStatus.open, Case.status != CaseStatus.open) == 0
    assert count(Finding.case_id == Case.id, Finding.status == FindingStatus.voided,
                 Case.outcome.not_in((Outcome.shut_down, Outcome.banned, Outcome.withdrawn))) == 0
    # The deadline is the newest of its history; the first history row is found date + rectify_days.
    newest = (select(FindingDeadline.deadline).where(FindingDeadline.finding_id == Finding.id)
              .order_by(FindingDeadline.id.desc()).limit(1).scalar_subquery())
    assert count(Finding.deadline != newest) == 0
    assert count(~exists().where(FindingDeadline.finding_id == Finding.id)) == 0
    # Problems of a withdrawn case (recorded in error) are never exposed, as create_exposure refuses them.
    assert count(ExposureItemFinding.finding_id == Finding.id, Finding.case_id == Case.id,
                 Case.outcome == Outcome.withdrawn, model=ExposureItemFinding) == 0
    # The first report is the earliest report.
    earliest = select(func.min(Rectification.reported_on)).where(Rectification.finding_id == Finding.id)
    assert count(Finding.first_reported_on.is_not(None), Finding.first_reported_on != earliest.scalar_subquery()) == 0


def test_units_rounds_and_enforcement_agree(generated):
    for status, action in ((UnitStatus.shut_down, ActionKind.shutdown), (UnitStatus.banned, ActionKind.ban),
                           (UnitStatus.suspended, ActionKind.suspend)):
        units = count(Unit.status == status, model=Unit)
        assert units > 0
        assert count(Unit.status == status, ~exists().where(EnforcementAction.unit_id == Unit.id,
                                                              EnforcementAction.action == action),
                     model=Unit) == 0
    # A shut-down or banned unit is never inspected again.
    assert count(Inspection.unit_id == EnforcementAction.unit_id,
                 EnforcementAction.action.in_((ActionKind.shutdown, ActionKind.ban)),
                 Inspection.inspected_on > EnforcementAction.decided_on, model=Inspection) == 0
    # Summonses are of warning-stage cases, in rounds held after the case entered 二次警示.
    assert count(Summons.case_id == Case.id, Summons.round_id == InterviewRound.id,
                 or_(Case.warning_at.is_(None), InterviewRound.held_at < Case.warning_at), model=Summons) == 0
    # Rounds are numbered 1, 2, 3 … per year without gaps; participants cover those who came.
    rows = db.session.execute(select(InterviewRound.year, func.count(), func.max(InterviewRound.number))
                              .group_by(InterviewRound.year)).all()
    assert rows and all(rounds == last for _, rounds, last in rows)
    attended = (select(func.count()).where(Summons.round_id == InterviewRound.id, Summons.attended.is_(True))
                .scalar_subquery())
    assert count(InterviewRound.participants < attended, model=InterviewRound) == 0


def test_the_statistics_read_the_generated_history(generated):
    figures = summary(date(2025, 7, 1), END)
    assert figures["interview_rounds"] > 20
    assert figures["units_interviewed"] > figures["units_absent"] > 0
    assert 0 < figures["units_rectified_on_time"] <= figures["recurrence"]["units_eligible"] \
        <= figures["units_interviewed"]
    assert 0.5 < figures["on_time_rate"] < 1
    assert figures["exposures"]["actions"] == 4 and figures["exposures"]["places"] > 0


def test_ids_continue_after_the_generated_rows(generated):
    """New rows made through the operations get fresh ids (PostgreSQL's sequences were moved on)."""
    office = db.session.scalar(select(User).where(User.username == "office"))
    township = db.session.scalar(select(Region).where(Region.code == "330781001"))
    unit = create_unit(office, name="新登记的商铺", region=township)
    db.session.commit()
    assert unit.id == db.session.scalar(select(func.max(Unit.id)))
    assert count(model=Unit) == 1501


def test_units_join_an_existing_county_and_a_second_set_is_refused(county, database):
    regions, users = count(model=Region), count(model=User)
    generate(units=200, years=1, seed=3, end=END, progress=quiet)
    database.session.commit()
    assert count(model=Region) == regions and count(model=User) == users  # its offices and users act
    generated_units = select(Unit).where(Unit.id > county.units.factory.id)
    townships = {unit.township_id for unit in database.session.scalars(generated_units)}
    assert townships == {county.east.id, county.west.id}
    hazards = set(database.session.scalars(select(Finding.hazard_type_id).distinct()))
    assert hazards <= {hazard.id for hazard in county.hazards.values()}
    summoned = select(Summons.id).join(InterviewRound).where(InterviewRound.convened_by_id == county.office.id)
    assert database.session.execute(summoned).first() is not None

    with pytest.raises(Conflict):
        generate(units=10, years=1, seed=4, end=END, progress=quiet)


def test_the_command_line(fresh_database):
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "BASE_URL": "http://127.0.0.1:5000",
                      "SQLALCHEMY_DATABASE_URI": fresh_database("gen")})
    runner = app.test_cli_runner()
    end = (date.today() - timedelta(days=3)).isoformat()
    result = runner.invoke(args=["gen-data", "--units", "60", "--years", "1", "--seed", "5", "--end", end])
    assert result.exit_code == 0, result.output
    assert "60/60 家单位" in result.output and "行/秒" in result.output
    again = runner.invoke(args=["gen-data", "--units", "10", "--years", "1"])
    assert again.exit_code != 0 and "已有生成的数据集" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Unit.id))) == 60
        db.engine.dispose()
