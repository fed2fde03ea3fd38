"""The one policy of the loop (cases/policy.py): verification by role × stage × scope, what is due when,
what a page offers, and the domain events the notices subscribe to."""

import ast
import itertools
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from inspect_loop.audit.events import parse
from inspect_loop.audit.models import Event
from inspect_loop.cases import ladder, policy
from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.cases.sweep import awaiting_follow_up, awaiting_summons, reinspections_due
from inspect_loop.clock import LOCAL_TZ
from inspect_loop.db import db
from inspect_loop.errors import Forbidden, TransitionRefused
from inspect_loop.inspections.models import FindingStatus, InspectionKind
from inspect_loop.interviews.operations import convene_round, record_attendance
from tests.factories import build_other_county, inspect
from tests.helpers import at


@pytest.fixture(autouse=True)
def quick_letters(monkeypatch):
    """The rules are under test, not typesetting: notices get a stand-in PDF."""
    monkeypatch.setattr("inspect_loop.letters.issuing.render_letter", lambda kind, context: b"%PDF-1.7 stand-in")


# -- verification: role × stage × scope -------------------------------------------------------------------

STAGES = ["reminder", "warning before the interview", "warning after the interview", "enforcement"]
ACTORS = ["admin", "office", "other county's office", "east", "fire", "market", "inspector", "viewer"]
VERIFIERS = {"admin", "office", "inspector"}  # the teams anywhere, the county office in its county


def case_at(county, stage: str) -> Case:
    """The shop's case (one 消防 finding, due 2026-03-09) brought to ``stage``; checked on 2026-03-20."""
    with at("2026-03-02"):
        case = inspect(county, county.units.shop, "XF-01").findings[0].case
    if stage == "reminder":
        return case
    with at("2026-03-10"):
        ladder.escalate(case, county.users.office, "拒不整改")
    if stage == "warning before the interview":
        return case
    with at("2026-03-12", 9):
        interview_round = convene_round(county.users.office, held_at=datetime(2026, 3, 12, 14, tzinfo=LOCAL_TZ),
                                        venue="警示教育站", convened_by=county.office, departments=[], cases=[case])
    with at("2026-03-12", 16):
        record_attendance(county.users.office, interview_round, case, attended=True, attendee_name="李四")
    if stage == "enforcement":
        with at("2026-03-13"):
            ladder.escalate(case, county.users.office, "约谈后仍拒不整改")
    return case


def actor_named(county, name):
    if name == "other county's office":
        return build_other_county(county).users.office
    return {"admin": county.users.admin, "office": county.users.office, "east": county.users.east,
            "fire": county.users.fire, "market": county.users.market, "inspector": county.users.inspector,
            "viewer": county.users.viewer}[name]


def expected(actor: str, stage: str, kind: InspectionKind, rectified: bool):
    """What the loop's rule says happens: an error type, or the case's (stage, status) afterwards."""
    if actor not in VERIFIERS:
        return Forbidden
    if kind != policy.verification_kind(Stage(stage.split()[0])):
        return TransitionRefused
    if stage == "reminder":
        return ("reminder", "closed") if rectified else ("warning", "open")
    if stage == "warning before the interview":
        return ("warning", "open") if rectified else TransitionRefused
    if stage == "warning after the interview":
        return ("warning", "open") if rectified else ("enforcement", "open")
    return ("enforcement", "open")


@pytest.mark.parametrize("actor, stage, kind, rectified", list(itertools.product(
    ACTORS, STAGES, [InspectionKind.reinspection, InspectionKind.follow_up], [True, False])))
def test_verification_by_role_stage_and_scope(county, database, actor, stage, kind, rectified):
    case = case_at(county, stage)
    user = actor_named(county, actor)
    finding = case.findings[0]
    outcome = expected(actor, stage, kind, rectified)
    before = (case.stage.value, case.status.value)
    database.session.commit()
    with at("2026-03-20"):
        if isinstance(outcome, type):
            with pytest.raises(outcome):
                inspect(county, county.units.shop, kind=kind, actor=user, verified=[(finding, rectified)])
            database.session.rollback()
            case = database.session.get(Case, case.id)
            assert (case.stage.value, case.status.value) == before
            assert case.findings[0].status == FindingStatus.open
            return
        inspect(county, county.units.shop, kind=kind, actor=user, verified=[(finding, rectified)])
    assert (case.stage.value, case.status.value) == outcome
    # From 二次警示 on, only sign-off and close-out close a finding.
    assert (finding.status == FindingStatus.closed) == (stage == "reminder" and rectified)


def test_a_finding_cannot_be_found_unrectified_before_its_deadline(county, database):
    case = case_at(county, "reminder")
    with at("2026-03-09"), pytest.raises(TransitionRefused) as refused:
        inspect(county, county.units.shop, kind=InspectionKind.reinspection,
                verified=[(case.findings[0], False)])
    assert refused.value.field == "verified" and "2026-03-09" in refused.value.message_zh
    assert refused.value.current == {"case_id": case.id, "stage": "reminder", "status": "open"}


# -- what is due, and when ----------------------------------------------------------------------------------

def listed(statement) -> list[int]:
    return [case.id for case, _unit in db.session.execute(statement)]


def test_a_reinspection_is_due_the_day_after_the_last_deadline_and_the_generator_agrees(county, database):
    with at("2026-03-02"):
        case = inspect(county, county.units.shop, "XF-01", "YD-01").findings[0].case  # due 03-09 and 03-07
    first_day = policy.first_day_due([finding.deadline for finding in case.findings])
    assert first_day == date(2026, 3, 10)
    assert listed(reinspections_due(date(2026, 3, 9))) == []
    assert listed(reinspections_due(first_day)) == [case.id]


def test_a_follow_up_is_due_once_the_unit_was_interviewed_and_its_deadline_passed(county, database):
    case = case_at(county, "warning before the interview")
    assert listed(awaiting_summons()) == [case.id]
    assert listed(awaiting_follow_up(date(2026, 3, 20))) == []
    with at("2026-03-12", 9):
        interview_round = convene_round(county.users.office, held_at=datetime(2026, 3, 12, 14, tzinfo=LOCAL_TZ),
                                        venue="警示教育站", convened_by=county.office, departments=[], cases=[case])
    assert listed(awaiting_summons()) == [] and listed(awaiting_follow_up(date(2026, 3, 20))) == []
    with at("2026-03-12", 16):
        record_attendance(county.users.office, interview_round, case, attended=True, attendee_name="李四")
    assert listed(awaiting_follow_up(date(2026, 3, 20))) == [case.id]


# -- what a page offers -------------------------------------------------------------------------------------

@pytest.mark.parametrize("stage, escalate_to, assign, enforce", [
    ("reminder", [Stage.warning, Stage.enforcement], False, False),
    ("warning before the interview", [Stage.enforcement], True, False),
    ("enforcement", [], True, True),
])
def test_the_county_office_is_offered_the_moves_of_the_stage(county, database, stage, escalate_to, assign, enforce):
    case = case_at(county, stage)
    moves = policy.moves(case, county.users.office)
    assert (moves.escalate_to, moves.assign, moves.enforce, moves.withdraw) == (escalate_to, assign, enforce, True)
    assert moves.verify == policy.verification_kind(case.stage)
    assert policy.moves(case, county.users.fire) == policy.Moves()
    assert policy.moves(case, county.users.inspector).verify == policy.verification_kind(case.stage)


def test_a_closed_case_offers_nothing(county, database):
    case = case_at(county, "reminder")
    with at("2026-03-03"):
        ladder.withdraw(case, county.users.office, "录入错误")
    assert case.status == CaseStatus.closed and policy.moves(case, county.users.admin) == policy.Moves()


def test_another_countys_office_can_neither_escalate_nor_withdraw(county, database):
    case = case_at(county, "reminder")
    other = build_other_county(county).users.office
    for move in (lambda: ladder.escalate(case, other, "越权"), lambda: ladder.withdraw(case, other, "越权")):
        with pytest.raises(Forbidden):
            move()
    assert (case.stage, case.status) == (Stage.reminder, CaseStatus.open)


# -- domain events -------------------------------------------------------------------------------------------

def test_every_logged_event_reads_back_into_its_schema(county, database):
    case = case_at(county, "enforcement")
    with at("2026-03-14"):
        from inspect_loop.assignments.operations import issue_assignment
        from inspect_loop.enforcement.models import ActionKind
        from inspect_loop.enforcement.operations import record_enforcement

        issue_assignment(county.users.office, case, county.fire)
        record_enforcement(county.users.office, case, ActionKind.ban, departments=[county.fire])
    rows = database.session.scalars(select(Event).order_by(Event.id)).all()
    assert {"case.open", "case.escalate_to_warning", "case.escalate_to_enforcement", "case.ban",
            "round.convened", "assignment.issued", "document.issued"} <= {row.action for row in rows}
    for row in rows:
        event = parse(row)
        assert (event.action, event.data(), event.case_id, event.unit_id, event.reason) == (
            row.action, row.data, row.case_id, row.unit_id, row.reason), row.action


def test_the_case_keeps_the_offices_reasons_for_the_notices(county, database):
    case = case_at(county, "enforcement")
    assert (case.warning_reason, case.enforcement_reason) == ("拒不整改", "约谈后仍拒不整改")


DOMAIN = ("audit", "cases", "inspections", "assignments", "interviews", "enforcement", "exposures", "units",
          "regions", "users", "hazards")


def test_no_domain_module_imports_the_letters():
    """Notices are subscribers of the domain's events; the domain knows nothing of letters."""
    root = Path(__file__).resolve().parents[1] / "inspect_loop"
    offenders = []
    for package in DOMAIN:
        for path in (root / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                         else [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
                offenders += [f"{path.relative_to(root)}: {name}" for name in names
                              if name.startswith("inspect_loop.letters.") and not name.endswith(".models")]
    assert offenders == []
