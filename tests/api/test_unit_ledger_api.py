"""The unit ledger through the API: PATCH /units/{id}, POST /units/{id}/resume and /deregister; two decisions
at once have one winner and a 409 for the other; imports update a unit instead of duplicating it."""

from sqlalchemy import func, select

from inspect_loop.audit.models import Event
from inspect_loop.db import db
from inspect_loop.units.models import Unit
from tests.api.client import ok, refused
from tests.api.test_races import at_once, one_winner
from tests.factories import make_uscc


def new_unit(api, name="兰江小吃店", day="2026-03-01"):
    return ok(api.post("/units", "office", day=day, json={
        "name": name, "address": "兰江街道振兴路9号", "region_code": "330781001", "category": "餐饮"}), 201)


def suspended_unit(api):
    unit = new_unit(api)
    case_id = ok(api.post("/inspections", "inspector", day="2026-03-02", json={
        "unit_id": unit["id"], "kind": "unannounced", "findings": [{"hazard_code": "XF-01"}]}), 201)["case"]["id"]
    ok(api.post(f"/cases/{case_id}/escalate", "office", day="2026-03-03",
                json={"reason": "拒不整改", "to_stage": "enforcement"}))
    ok(api.post(f"/cases/{case_id}/enforcement", "office", day="2026-03-04",
                json={"action": "suspend", "departments": ["LX-SCJG"]}), 201)
    return unit, case_id


def logged(action) -> int:
    return db.session.scalar(select(func.count(Event.id)).where(Event.action == action))


def test_patch_corrects_a_unit_and_logs_the_old_and_new_values(api, county):
    unit = new_unit(api)
    answer = ok(api.patch(f"/units/{unit['id']}", "east", day="2026-03-05",
                          json={"name": "兰江风味小吃店", "contact_phone": "13900001111", "region_code": "330781001"}))
    assert (answer["name"], answer["contact_phone"], answer["risk_color"]) == ("兰江风味小吃店", "13900001111", "green")
    event = db.session.scalar(select(Event).where(Event.action == "unit.updated"))
    assert event.data == {"changes": {"name": {"old": "兰江小吃店", "new": "兰江风味小吃店"},
                                      "contact_phone": {"old": None, "new": "13900001111"}}}


def test_patch_refuses_bad_input_and_other_townships(api, county):
    unit = new_unit(api)
    refused(api.patch(f"/units/{unit['id']}", "office", json={"uscc": "91330781MA2HX8TQ1F"}), 400, "uscc")
    refused(api.patch(f"/units/{unit['id']}", "office", json={"uscc": county.units.shop.uscc}), 409, "uscc", "conflict")
    refused(api.patch(f"/units/{unit['id']}", "office", json={"region_code": "999999"}), 404, "region_code")
    refused(api.patch(f"/units/{unit['id']}", "office", json={"name": ""}), 400, "name")
    refused(api.patch(f"/units/{unit['id']}", "west", json={"contact_name": "王五"}), 403)
    refused(api.patch("/units/99999", "office", json={"contact_name": "王五"}), 404, "unit_id")
    assert ok(api.get(f"/units/{unit['id']}", "office")) == unit
    assert logged("unit.updated") == 0


def test_resume_sets_a_suspended_unit_operating(api, county):
    unit, _ = suspended_unit(api)
    assert ok(api.get(f"/units/{unit['id']}", "office"))["status"] == "suspended"
    refused(api.post(f"/units/{unit['id']}/resume", "office", day="2026-03-10",
                     json={"decision": "准予复业", "resumed_on": "2026-03-03"}), 400, "resumed_on")
    refused(api.post(f"/units/{unit['id']}/resume", "office", day="2026-03-10",
                     json={"decision": "准予复业", "resumed_on": "2026-03-11"}), 400, "resumed_on")
    refused(api.post(f"/units/{unit['id']}/resume", "office", day="2026-03-10",
                     json={"decision": "", "resumed_on": "2026-03-10"}), 400, "decision")
    answer = ok(api.post(f"/units/{unit['id']}/resume", "office", day="2026-03-10",
                         json={"decision": "兰平安复〔2026〕1号", "resumed_on": "2026-03-09"}))
    assert answer["status"] == "operating"
    error = refused(api.post(f"/units/{unit['id']}/resume", "office", day="2026-03-10",
                             json={"decision": "兰平安复〔2026〕1号", "resumed_on": "2026-03-09"}), 409,
                    code="transition_refused")
    assert error["current"] == {"unit_id": unit["id"], "status": "operating"}


def test_a_deregistered_unit_is_grey_kept_and_refused_an_inspection(api, county):
    unit = new_unit(api)
    answer = ok(api.post(f"/units/{unit['id']}/deregister", "office", day="2026-03-05",
                         json={"reason": "营业执照已注销", "deregistered_on": "2026-03-04"}))
    assert (answer["status"], answer["risk_color"], answer["deregistered_on"], answer["deregistration_reason"]) == (
        "deregistered", "closed", "2026-03-04", "营业执照已注销")
    error = refused(api.post("/inspections", "inspector", day="2026-03-06", json={
        "unit_id": unit["id"], "kind": "unannounced", "findings": [{"hazard_code": "XF-01"}]}), 409)
    assert "已注销" in error["message"]
    listed = ok(api.get("/units", "office", query={"status": "deregistered"}))
    assert [item["id"] for item in listed["items"]] == [unit["id"]]


# -- two decisions at once ---------------------------------------------------------------------------------

def test_parallel_resumptions_resume_once(app, api, tokens, county):
    unit, _ = suspended_unit(api)
    one_winner(at_once(app, tokens, "2026-03-10", lambda api, _: api.post(
        f"/units/{unit['id']}/resume", "office", json={"decision": "准予复业", "resumed_on": "2026-03-10"})))
    assert logged("unit.resumed") == 1


def test_parallel_deregistrations_deregister_once(app, api, tokens, county):
    unit = new_unit(api)
    answers = at_once(app, tokens, "2026-03-10", lambda api, _: api.post(
        f"/units/{unit['id']}/deregister", "office", json={"reason": "歇业", "deregistered_on": "2026-03-10"}))
    one_winner(answers)
    for status, body in answers:
        if status == 409:
            assert body["error"]["current"] == {"unit_id": unit["id"], "status": "deregistered"}
    assert logged("unit.deregistered") == 1


def test_parallel_edits_giving_one_uscc_to_several_units_give_it_once(app, api, tokens, county):
    units = [new_unit(api, name=f"兰江小吃店{index}") for index in range(5)]
    code = make_uscc(777)
    answers = at_once(app, tokens, "2026-03-10", lambda api, index: api.patch(
        f"/units/{units[index]['id']}", "office", json={"uscc": code}))
    one_winner(answers)
    assert db.session.scalar(select(func.count(Unit.id)).where(Unit.uscc == code)) == 1
    assert logged("unit.updated") == 1


def test_parallel_deregistration_and_inspection_leave_no_inspection_after_deregistration(app, api, tokens, county):
    unit = new_unit(api)

    def send(api, index):
        if index == 0:
            return api.post(f"/units/{unit['id']}/deregister", "office",
                            json={"reason": "歇业", "deregistered_on": "2026-03-10"})
        return api.post("/inspections", "inspector", json={"unit_id": unit["id"], "kind": "unannounced"})

    answers = at_once(app, tokens, "2026-03-10", send, n=2)
    deregistered, inspected = answers
    assert deregistered[0] == 200
    # Whichever came first: the inspection was recorded before the deregistration, or refused after it.
    assert inspected[0] in (201, 409)
    if inspected[0] == 201:
        first = db.session.scalar(select(Event.id).where(Event.action == "inspection.recorded"))
        assert first < db.session.scalar(select(Event.id).where(Event.action == "unit.deregistered"))
