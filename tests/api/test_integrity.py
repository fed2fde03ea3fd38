"""Holes found by trying the API as an attacker would: secret plans across counties, and verifications
(复查/回访) that walked around the scope and stage rules of sign-off and escalation."""

from datetime import date

import pytest
from sqlalchemy import select

from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.db import db
from inspect_loop.inspections.models import Finding, FindingStatus
from inspect_loop.letters.models import Document, DocumentKind
from inspect_loop.users.operations import issue_api_token
from tests.api.client import ok, refused
from tests.factories import build_other_county


@pytest.fixture
def yiwu(county, database, tokens):
    other = build_other_county(county)
    for user in vars(other.users).values():
        tokens[user.username] = issue_api_token(user)
    database.session.commit()
    return other


def open_case(api, unit_id, *codes, day="2026-03-02"):
    body = ok(api.post("/inspections", "inspector", day=day, json={
        "unit_id": unit_id, "kind": "unannounced", "findings": [{"hazard_code": code} for code in codes]}), 201)
    return body["case"]["id"], [finding["id"] for finding in body["findings"]]


def verify(api, who, unit_id, kind, results, day):
    return api.post("/inspections", who, day=day, json={
        "unit_id": unit_id, "kind": kind,
        "verified": [{"finding_id": finding_id, "rectified": rectified} for finding_id, rectified in results]})


# -- 四不两直: plans stay inside their county ------------------------------------------------------------

def test_a_county_office_lists_only_its_own_countys_plans(api, county, yiwu):
    ok(api.post("/inspection-plans", "office", day="2026-03-01", json={
        "unit_id": county.units.shop.id, "planned_on": "2026-03-05", "team": ["inspector"]}), 201)
    assert ok(api.get("/inspection-plans", "office"))["total"] == 1
    assert ok(api.get("/inspection-plans", "yiwu"))["total"] == 0


def test_another_countys_plan_id_answers_as_an_unknown_one(api, county, yiwu):
    plan = ok(api.post("/inspection-plans", "office", day="2026-03-01", json={
        "unit_id": county.units.shop.id, "planned_on": "2026-03-05", "team": ["inspector"]}), 201)
    answers = []
    for plan_id in (plan["id"], plan["id"] + 1000):
        response = api.post("/inspections", "yiwu", day="2026-03-05", json={
            "unit_id": yiwu.unit.id, "kind": "unannounced", "plan_id": plan_id, "findings": []})
        error = refused(response, 404, field="plan_id")
        answers.append(error["code"])
    assert answers[0] == answers[1]


# -- verification obeys scope and stage --------------------------------------------------------------

# Who may verify a finding (复查/回访): the inspection teams anywhere, the county office in its county, the admin.
VERIFIERS = {"admin": 201, "office": 201, "inspector": 201, "yiwu": 403, "east": 403, "west": 403, "fire": 403,
             "market": 403, "yiwu-fire": 403, "viewer": 403}


@pytest.mark.parametrize("who, status", VERIFIERS.items())
@pytest.mark.parametrize("rectified", [True, False])
def test_only_the_teams_and_the_county_office_verify_at_the_reminder_stage(api, county, yiwu, who, status,
                                                                          rectified):
    case_id, [finding_id] = open_case(api, county.units.shop.id, "XF-01")
    response = verify(api, who, county.units.shop.id, "reinspection", [(finding_id, rectified)], "2026-03-10")
    case = db.session.get(Case, case_id)
    db.session.refresh(case)
    if status == 201:
        ok(response, 201)
        assert case.status == CaseStatus.closed if rectified else case.stage == Stage.warning
    else:
        refused(response, status)
        assert (case.stage, case.status) == (Stage.reminder, CaseStatus.open)
        assert db.session.get(Finding, finding_id).status == FindingStatus.open


def test_a_regulator_cannot_close_another_sectors_finding_and_its_case(api, county):
    case_id, [fire_finding] = open_case(api, county.units.shop.id, "XF-01")
    refused(verify(api, "market", county.units.shop.id, "reinspection", [(fire_finding, True)], "2026-03-10"),
            403)
    assert db.session.get(Case, case_id).status == CaseStatus.open


def to_warning(api, county):
    case_id, [finding_id] = open_case(api, county.units.shop.id, "XF-01")
    ok(verify(api, "inspector", county.units.shop.id, "reinspection", [(finding_id, False)], "2026-03-10"), 201)
    return case_id, finding_id


def convene(api, case_id, day="2026-03-12", held_at="2026-03-16T14:30:00+08:00"):
    return ok(api.post("/interview-rounds", "office", day=day, json={
        "held_at": held_at, "venue": "兰溪市平安警示教育站", "convened_by": "LX-PAB", "departments": ["LX-XF"],
        "case_ids": [case_id]}), 201)


def referrals(case_id):
    return list(db.session.scalars(select(Document).where(Document.case_id == case_id,
                                                          Document.kind == DocumentKind.referral)))


def test_no_follow_up_pushes_a_case_to_enforcement_while_its_summons_is_pending(api, county):
    case_id, finding_id = to_warning(api, county)
    convene(api, case_id)
    for who, status in (("fire", 403), ("inspector", 409), ("office", 409)):
        refused(verify(api, who, county.units.shop.id, "follow_up", [(finding_id, False)], "2026-03-13"), status)
    assert db.session.get(Case, case_id).stage == Stage.warning
    assert referrals(case_id) == []


def test_a_follow_up_after_the_interview_and_the_new_deadline_moves_the_case_to_enforcement(api, county):
    case_id, finding_id = to_warning(api, county)
    interview_round = convene(api, case_id)
    ok(api.post(f"/interview-rounds/{interview_round['id']}/attendance", "office", day="2026-03-16", hour=17,
                json={"case_id": case_id, "attended": True, "attendee_name": "李四"}))
    ok(api.post(f"/cases/{case_id}/assignments", "office", day="2026-03-17",
                json={"regulator_code": "LX-XF", "deadline": "2026-03-27"}), 201)
    # Before the 交办单's deadline the unit still has time: a follow-up cannot find it failing yet.
    refused(verify(api, "inspector", county.units.shop.id, "follow_up", [(finding_id, False)], "2026-03-20"),
            409, field="verified")
    ok(verify(api, "inspector", county.units.shop.id, "follow_up", [(finding_id, False)], "2026-03-30"), 201)
    assert db.session.get(Case, case_id).stage == Stage.enforcement
    assert len(referrals(case_id)) == 1


def test_a_reinspection_before_the_deadline_cannot_find_a_finding_unrectified(api, county):
    case_id, [finding_id] = open_case(api, county.units.shop.id, "XF-01")  # deadline 2026-03-09
    error = refused(verify(api, "inspector", county.units.shop.id, "reinspection", [(finding_id, False)],
                           "2026-03-09"), 409, field="verified")
    assert "2026-03-09" in error["message"]
    assert db.session.get(Case, case_id).stage == Stage.reminder
    # Seen rectified early, it closes at once.
    ok(verify(api, "inspector", county.units.shop.id, "reinspection", [(finding_id, True)], "2026-03-05"), 201)
    assert db.session.get(Case, case_id).closed_on == date(2026, 3, 5)


# -- the venue's address is printed in the summons -----------------------------------------------------------

def test_a_round_keeps_the_venue_address_it_was_convened_with(api, county):
    case_id, _ = to_warning(api, county)
    body = {"held_at": "2026-03-16T14:30:00+08:00", "venue": "兰溪市平安警示教育站", "convened_by": "LX-PAB",
            "departments": [], "case_ids": [case_id]}
    refused(api.post("/interview-rounds", "office", day="2026-03-12",
                     json={**body, "venue_address": "兰" * 201}), 400, field="venue_address")
    assert db.session.scalar(select(Document.id).where(Document.kind == DocumentKind.summons)) is None
    answer = ok(api.post("/interview-rounds", "office", day="2026-03-12",
                         json={**body, "venue_address": " 兰溪市丹溪大道1号 "}), 201)
    assert answer["venue_address"] == "兰溪市丹溪大道1号"
    assert ok(api.get(f"/interview-rounds/{answer['id']}", "office"))["venue_address"] == "兰溪市丹溪大道1号"
