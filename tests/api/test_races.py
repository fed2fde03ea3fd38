"""The same change sent N times at once — a double tap, two clerks, a retried request: exactly one wins, the
others get 409 with the state they lost to, one notice is issued, and no request fails with 500.

Each request runs in its own thread with its own database connection (PostgreSQL row locks, SQLite's write
lock), released together at a barrier."""

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from inspect_loop import clock
from inspect_loop.assignments.models import AssignmentReceipt, CloseOut, SignOff
from inspect_loop.audit.models import Event
from inspect_loop.cases.models import Case, CaseStatus, Stage
from inspect_loop.db import db
from inspect_loop.enforcement.models import EnforcementAction
from inspect_loop.exposures.models import Exposure, ExposureStatus
from inspect_loop.interviews.models import InterviewRound, Summons
from inspect_loop.letters.models import Document, DocumentKind, DocumentStatus
from inspect_loop.users.models import ApiToken
from tests.api.client import Api, ok
from tests.helpers import at

N = 5


@pytest.fixture(autouse=True)
def quick_letters(monkeypatch):
    """Who wins is under test, not typesetting: notices get a stand-in PDF."""
    monkeypatch.setattr("inspect_loop.letters.issuing.render_letter", lambda kind, context: b"%PDF-1.7 stand-in")


@pytest.fixture(autouse=True)
def slow_commits(monkeypatch):
    """Every commit waits a moment first, as on a busy database: a request that decided on what it read
    without a lock then still has its rival's change pending, which is the race these tests provoke."""
    commit = Session.commit

    def slow_commit(session):
        time.sleep(0.05)
        commit(session)

    monkeypatch.setattr(Session, "commit", slow_commit)


def at_once(app, tokens, day, send, n=N, hour=11):
    """Call ``send(api, index)`` from ``n`` threads released together; the responses' (status, JSON)."""
    start, answers, errors = threading.Barrier(n), [None] * n, []

    def run(index):
        try:
            api = Api(app.test_client(), tokens)
            start.wait()
            response = send(api, index)
            answers[index] = (response.status_code, response.get_json())
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(n)]
    with at(day, hour):
        # Tokens just used: a request then writes nothing before the operation (a token's last use is
        # written at most every five minutes), so nothing but the operation's own lock orders the rivals.
        db.session.execute(update(ApiToken).values(last_used_at=clock.now()))
        db.session.commit()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert errors == []
    db.session.expire_all()
    return answers


def statuses(answers) -> Counter:
    return Counter(status for status, _ in answers)


def one_winner(answers, won=200, lost=409):
    assert statuses(answers) == Counter({won: 1, lost: len(answers) - 1}), answers
    return [body for status, body in answers if status == won][0]


def count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def events(action) -> int:
    return count(Event, Event.action == action)


def documents(kind, case_id=None) -> int:
    conditions = [Document.kind == kind] + ([Document.case_id == case_id] if case_id else [])
    return count(Document, *conditions)


# -- building cases through the API --------------------------------------------------------------------------

def new_case(api, unit_id, *codes, day="2026-03-02"):
    body = ok(api.post("/inspections", "inspector", day=day, json={
        "unit_id": unit_id, "kind": "unannounced", "findings": [{"hazard_code": code} for code in codes]}), 201)
    return body["case"]["id"], [finding["id"] for finding in body["findings"]]


def warning_case(api, unit_id, code="XF-01"):
    case_id, findings = new_case(api, unit_id, code)
    ok(api.post("/inspections", "inspector", day="2026-03-20", json={
        "unit_id": unit_id, "kind": "reinspection",
        "verified": [{"finding_id": finding_id, "rectified": False} for finding_id in findings]}), 201)
    return case_id, findings


def convene(api, case_ids, day="2026-03-21"):
    return api.post("/interview-rounds", "office", day=day, json={
        "held_at": "2026-03-23T14:30:00+08:00", "venue": "兰溪市平安警示教育站", "convened_by": "LX-PAB",
        "departments": ["LX-XF"], "case_ids": case_ids})


def interviewed_and_assigned(api, unit_id, code="XF-01"):
    """A warning case whose unit attended its interview and whose finding has a 交办单 due 2026-03-30."""
    case_id, findings = warning_case(api, unit_id, code)
    round_id = ok(convene(api, [case_id]), 201)["id"]
    ok(api.post(f"/interview-rounds/{round_id}/attendance", "office", day="2026-03-23", hour=17,
                json={"case_id": case_id, "attended": True, "attendee_name": "李四"}))
    assignment = ok(api.post(f"/cases/{case_id}/assignments", "office", day="2026-03-24",
                             json={"regulator_code": "LX-XF", "deadline": "2026-03-30"}), 201)
    return case_id, findings, assignment


# -- the ladder's transitions ---------------------------------------------------------------------------------

def test_parallel_escalations_move_a_case_once(app, api, tokens, county):
    case_id, _ = new_case(api, county.units.shop.id, "XF-01")
    answers = at_once(app, tokens, "2026-03-03", lambda api, _: api.post(
        f"/cases/{case_id}/escalate", "office", json={"reason": "拒不整改", "to_stage": "warning"}))
    one_winner(answers)
    for status, body in answers:
        if status == 409:
            assert body["error"]["current"] == {"case_id": case_id, "stage": "warning", "status": "open"}
    assert events("case.escalate_to_warning") == 1


def test_parallel_escalations_to_enforcement_issue_one_referral(app, api, tokens, county):
    case_id, _ = warning_case(api, county.units.shop.id)
    answers = at_once(app, tokens, "2026-03-21", lambda api, _: api.post(
        f"/cases/{case_id}/escalate", "office", json={"reason": "重大隐患拒不整改"}))
    one_winner(answers)
    assert events("case.escalate_to_enforcement") == 1
    assert documents(DocumentKind.referral, case_id) == 1


def test_parallel_withdrawals_withdraw_once(app, api, tokens, county):
    case_id, _ = new_case(api, county.units.shop.id, "XF-01")
    one_winner(at_once(app, tokens, "2026-03-03", lambda api, _: api.post(
        f"/cases/{case_id}/withdraw", "office", json={"reason": "录入错误"})))
    assert events("case.withdraw") == 1


@pytest.mark.parametrize("rectified", [True, False])
def test_parallel_reinspections_move_the_case_once(app, api, tokens, county, rectified):
    case_id, [finding_id] = new_case(api, county.units.shop.id, "XF-01")
    unit_id = county.units.shop.id
    answers = at_once(app, tokens, "2026-03-12", lambda api, index: api.post("/inspections", "inspector", json={
        "unit_id": unit_id, "kind": "reinspection",
        "verified": [{"finding_id": finding_id, "rectified": rectified}]}))
    one_winner(answers, won=201)
    case = db.session.get(Case, case_id)
    assert (case.status, case.stage) == ((CaseStatus.closed, Stage.reminder) if rectified
                                         else (CaseStatus.open, Stage.warning))
    assert events("case.rectified_at_reminder" if rectified else "case.fail_reinspection") == 1


def test_parallel_failed_follow_ups_issue_one_referral(app, api, tokens, county):
    unit_id = county.units.shop.id
    case_id, [finding_id], _ = interviewed_and_assigned(api, unit_id)
    answers = at_once(app, tokens, "2026-04-01", lambda api, index: api.post("/inspections", "inspector", json={
        "unit_id": unit_id, "kind": "follow_up",
        "verified": [{"finding_id": finding_id, "rectified": False}]}))
    assert statuses(answers)[500] == 0, answers
    assert db.session.get(Case, case_id).stage == Stage.enforcement
    assert events("case.fail_follow_up") == 1
    assert documents(DocumentKind.referral, case_id) == 1


def test_parallel_first_inspections_of_a_unit_open_one_case(app, api, tokens, county):
    unit_id = county.units.shop.id
    answers = at_once(app, tokens, "2026-03-02", lambda api, index: api.post("/inspections", "inspector", json={
        "unit_id": unit_id, "kind": "unannounced", "findings": [{"hazard_code": "XF-01"}]}))
    assert statuses(answers) == Counter({201: N}), answers
    assert count(Case) == 1 and events("case.open") == 1
    assert len({body["case_id"] for _, body in answers}) == 1


# -- interviews -----------------------------------------------------------------------------------------------

def test_parallel_rounds_for_one_case_summon_it_once(app, api, tokens, county):
    case_id, _ = warning_case(api, county.units.shop.id)
    one_winner(at_once(app, tokens, "2026-03-21", lambda api, _: convene(api, [case_id])), won=201)
    assert count(Summons) == 1 and documents(DocumentKind.summons) == 1


def test_parallel_rounds_for_different_cases_are_numbered_without_a_conflict(app, api, tokens, county):
    cases = [warning_case(api, unit.id)[0] for unit in (county.units.shop, county.units.market,
                                                         county.units.factory)]
    answers = at_once(app, tokens, "2026-03-21", lambda api, index: convene(api, [cases[index]]), n=3)
    assert statuses(answers) == Counter({201: 3}), answers
    assert sorted(db.session.scalars(select(InterviewRound.number))) == [1, 2, 3]
    assert sorted(db.session.scalars(select(Document.serial).where(Document.kind == DocumentKind.summons))) == [
        1, 2, 3]


def test_parallel_attendance_and_participants_keep_every_write(app, api, tokens, county):
    cases = [warning_case(api, unit.id)[0] for unit in (county.units.shop, county.units.market,
                                                         county.units.factory)]
    round_id = ok(convene(api, cases), 201)["id"]

    def send(api, index):
        if index < 3:
            return api.post(f"/interview-rounds/{round_id}/attendance", "office",
                            json={"case_id": cases[index], "attended": True, "attendee_name": f"到场人{index}"})
        return api.patch(f"/interview-rounds/{round_id}", "office", json={"participants": 40 + index})

    # After the round's time (14:30): attendance is a fact of a held interview.
    answers = at_once(app, tokens, "2026-03-23", send, hour=17)
    assert statuses(answers) == Counter({200: N}), answers
    assert count(Summons, Summons.attended.is_(True)) == 3
    assert events("summons.attended") == 3 and events("round.participants") == 2


# -- 双交办 --------------------------------------------------------------------------------------------------

def test_parallel_assignments_of_the_same_findings_issue_one_order(app, api, tokens, county):
    case_id, _ = warning_case(api, county.units.shop.id)
    one_winner(at_once(app, tokens, "2026-03-21", lambda api, _: api.post(
        f"/cases/{case_id}/assignments", "office", json={"regulator_code": "LX-XF", "deadline": "2026-04-05"})),
        won=201)
    assert documents(DocumentKind.assignment, case_id) == 1


@pytest.mark.parametrize("who", ["fire", "east"])
def test_parallel_receipts_acknowledge_once(app, api, tokens, county, who):
    _, _, assignment = interviewed_and_assigned(api, county.units.shop.id)
    one_winner(at_once(app, tokens, "2026-03-25", lambda api, _: api.post(
        f"/assignments/{assignment['id']}/receipt", who)), won=201)
    assert count(AssignmentReceipt) == 1


def reported(api, county):
    case_id, [finding_id], _ = interviewed_and_assigned(api, county.units.shop.id)
    ok(api.post(f"/findings/{finding_id}/rectification", "east", day="2026-03-26", json={"note": "已整改"}), 201)
    return case_id, finding_id


def test_parallel_sign_offs_decide_once(app, api, tokens, county):
    _, finding_id = reported(api, county)
    one_winner(at_once(app, tokens, "2026-03-27", lambda api, _: api.post(
        f"/findings/{finding_id}/sign-off", "fire", json={"approved": True})), won=201)
    assert count(SignOff) == 1


def test_parallel_refusals_of_a_sign_off_decide_once(app, api, tokens, county):
    _, finding_id = reported(api, county)
    one_winner(at_once(app, tokens, "2026-03-27", lambda api, index: api.post(
        f"/findings/{finding_id}/sign-off", "fire", json={"approved": index % 2 == 0, "note": "照明仍未接通"})),
        won=201)
    assert count(SignOff) == 1


def test_parallel_close_outs_close_the_finding_and_the_case_once(app, api, tokens, county):
    case_id, finding_id = reported(api, county)
    ok(api.post(f"/findings/{finding_id}/sign-off", "fire", day="2026-03-27", json={"approved": True}), 201)
    one_winner(at_once(app, tokens, "2026-03-28", lambda api, _: api.post(
        f"/findings/{finding_id}/close", "east", json={"note": "验收合格"})), won=201)
    assert count(CloseOut) == 1 and events("case.rectified_after_warning") == 1


# -- 三次执法 and documents -------------------------------------------------------------------------------------

@pytest.mark.parametrize("action", ["shutdown", "ban"])
def test_parallel_closing_enforcements_close_the_case_once(app, api, tokens, county, action):
    case_id, _ = warning_case(api, county.units.shop.id)
    ok(api.post(f"/cases/{case_id}/escalate", "office", day="2026-03-21", json={"reason": "拒不整改"}))
    one_winner(at_once(app, tokens, "2026-03-25", lambda api, _: api.post(
        f"/cases/{case_id}/enforcement", "office", json={"action": action, "departments": ["LX-XF"]})), won=201)
    assert count(EnforcementAction) == 1


def test_parallel_feedback_on_a_referral_is_recorded_once(app, api, tokens, county):
    case_id, _ = warning_case(api, county.units.shop.id)
    ok(api.post(f"/cases/{case_id}/escalate", "office", day="2026-03-21", json={"reason": "拒不整改"}))
    # The fire brigade itself and the county office on its behalf, at the same moment.
    answers = at_once(app, tokens, "2026-03-25", lambda api, index: api.post(
        f"/cases/{case_id}/referral-feedback", "fire" if index % 2 else "office",
        json={"department_code": "LX-XF", "action_taken": f"已立案查处（{index}）", "done_on": "2026-03-25"}))
    one_winner(answers, won=201)
    for status, body in answers:
        if status == 409:
            assert body["error"]["current"]["department"] == "LX-XF" and body["error"]["current"]["recorded"]
    assert events("referral.feedback") == 1


def test_parallel_revocations_revoke_once(app, api, tokens, county):
    case_id, _ = new_case(api, county.units.shop.id, "XF-01")
    document_id = db.session.scalar(select(Document.id).where(Document.case_id == case_id))
    one_winner(at_once(app, tokens, "2026-03-03", lambda api, _: api.post(
        f"/documents/{document_id}/revoke", "office", json={"reason": "送达地址有误"})))
    assert events("document.revoked") == 1


def test_parallel_reissues_make_one_new_version(app, api, tokens, county):
    case_id, _ = new_case(api, county.units.shop.id, "XF-01")
    document_id = db.session.scalar(select(Document.id).where(Document.case_id == case_id))
    one_winner(at_once(app, tokens, "2026-03-03", lambda api, _: api.post(
        f"/documents/{document_id}/reissue", "office", json={"reason": "原件遗失"})), won=201)
    assert count(Document, Document.case_id == case_id) == 2
    assert count(Document, Document.case_id == case_id, Document.status == DocumentStatus.valid) == 1


# -- 约谈记录 -------------------------------------------------------------------------------------------------

def test_parallel_first_minutes_keep_one_record(app, api, tokens, county):
    case_id, _ = warning_case(api, county.units.shop.id)
    round_id = ok(convene(api, [case_id]), 201)["id"]
    ok(api.post(f"/interview-rounds/{round_id}/attendance", "office", day="2026-03-23", hour=17,
                json={"case_id": case_id, "attended": True, "attendee_name": "李四"}))
    winner = one_winner(at_once(app, tokens, "2026-03-23", lambda api, index: api.post(
        f"/interview-rounds/{round_id}/minutes", ("office", "admin")[index % 2],
        json={"case_id": case_id, "minutes": f"第{index}份约谈记录"}), hour=18))
    summons = db.session.scalar(select(Summons).where(Summons.round_id == round_id))
    assert summons.minutes == winner["minutes"] and events("summons.minutes") == 1


# -- 平安曝光 -------------------------------------------------------------------------------------------------

def draft_exposure(api, county):
    _, [finding_id] = new_case(api, county.units.shop.id, "XF-01")
    return ok(api.post("/exposures", "office", day="2026-03-03", json={
        "title": "2026年3月平安曝光", "draft": True,
        "items": [{"unit_id": county.units.shop.id, "finding_ids": [finding_id]}]}), 201)["id"]


def submitted_exposure(api, county):
    exposure_id = draft_exposure(api, county)
    ok(api.post(f"/exposures/{exposure_id}/submit", "office", day="2026-03-03"))
    return exposure_id


def test_parallel_submissions_submit_once(app, api, tokens, county):
    exposure_id = draft_exposure(api, county)
    one_winner(at_once(app, tokens, "2026-03-04", lambda api, _: api.post(f"/exposures/{exposure_id}/submit",
                                                                          "office")))
    assert events("exposure.submitted") == 1
    assert db.session.get(Exposure, exposure_id).status == ExposureStatus.awaiting_approval


def test_parallel_approvals_publish_once(app, api, tokens, county):
    exposure_id = submitted_exposure(api, county)
    one_winner(at_once(app, tokens, "2026-03-04", lambda api, index: api.post(
        f"/exposures/{exposure_id}/approve", ("head", "admin")[index % 2])))
    assert events("exposure.published") == 1 and events("exposure.listed") == 1


def test_an_approval_and_a_return_at_once_decide_once(app, api, tokens, county):
    exposure_id = submitted_exposure(api, county)
    answers = at_once(app, tokens, "2026-03-04", lambda api, index: (
        api.post(f"/exposures/{exposure_id}/approve", "head") if index % 2 == 0
        else api.post(f"/exposures/{exposure_id}/return", "admin", json={"reason": "问题描述不准确"})))
    winner = one_winner(answers)
    exposure = db.session.get(Exposure, exposure_id)
    if winner["status"] == "published":
        assert (exposure.status, events("exposure.published"), events("exposure.returned")) == (
            ExposureStatus.published, 1, 0)
        assert exposure.return_reason is None and events("exposure.listed") == 1
    else:
        assert (exposure.status, events("exposure.published"), events("exposure.returned")) == (
            ExposureStatus.draft, 0, 1)
        assert exposure.published_on is None and events("exposure.listed") == 0


def test_parallel_take_downs_take_down_once(app, api, tokens, county):
    exposure_id = submitted_exposure(api, county)
    ok(api.post(f"/exposures/{exposure_id}/approve", "head", day="2026-03-04"))
    one_winner(at_once(app, tokens, "2026-03-10", lambda api, _: api.post(
        f"/exposures/{exposure_id}/take-down", "office", json={"reason": "整改完毕"})))
    assert events("exposure.taken_down") == 1


# -- several findings of one 交办单 in one request ------------------------------------------------------------

def reported_pair(api, county):
    """A warning case with two fire findings on one 交办单, both reported rectified."""
    unit_id = county.units.shop.id
    case_id, findings = new_case(api, unit_id, "XF-01", "XF-02")
    ok(api.post("/inspections", "inspector", day="2026-03-20", json={
        "unit_id": unit_id, "kind": "reinspection",
        "verified": [{"finding_id": finding_id, "rectified": False} for finding_id in findings]}), 201)
    assignment = ok(api.post(f"/cases/{case_id}/assignments", "office", day="2026-03-24",
                             json={"regulator_code": "LX-XF", "deadline": "2026-03-30"}), 201)
    for finding_id in findings:
        ok(api.post(f"/findings/{finding_id}/rectification", "east", day="2026-03-26", json={"note": "已整改"}), 201)
    return case_id, findings, assignment


def test_parallel_batch_sign_offs_sign_each_finding_once(app, api, tokens, county):
    _, findings, assignment = reported_pair(api, county)
    won = one_winner(at_once(app, tokens, "2026-03-27", lambda api, _: api.post(
        f"/assignments/{assignment['id']}/sign-offs", "fire", json={"finding_ids": findings}), n=4), won=201)
    assert [item["finding_id"] for item in won["items"]] == findings
    assert count(SignOff) == 2 and events("finding.signed_off") == 2


def test_parallel_batch_close_outs_close_each_finding_and_the_case_once(app, api, tokens, county):
    case_id, findings, assignment = reported_pair(api, county)
    ok(api.post(f"/assignments/{assignment['id']}/sign-offs", "fire", day="2026-03-27",
                json={"finding_ids": findings}), 201)
    one_winner(at_once(app, tokens, "2026-03-28", lambda api, _: api.post(
        f"/assignments/{assignment['id']}/close-outs", "east", json={"finding_ids": findings}), n=4), won=201)
    assert count(CloseOut) == 2 and events("finding.closed_out") == 2
    assert events("case.rectified_after_warning") == 1
    assert db.session.get(Case, case_id).status == CaseStatus.closed
