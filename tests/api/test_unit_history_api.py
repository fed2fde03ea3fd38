"""A unit's history through the API: why a case started where it did (``GET /cases/{id}``), the 重点监管名单
(``GET /units/{id}``, ``GET /watch-list``, the exit decision), the county's rules; and the races of the exit
decision and of two inspections of a banned unit at once."""

from collections import Counter

from inspect_loop.audit.models import Event
from inspect_loop.cases.models import Case
from inspect_loop.letters.models import DocumentKind
from inspect_loop.watch_list.models import WatchListEntry
from tests.api.client import ok
from tests.api.test_races import (  # noqa: F401  (quick_letters, slow_commits: the races' fixtures)
    N,
    at_once,
    count,
    documents,
    new_case,
    one_winner,
    quick_letters,
    slow_commits,
    statuses,
    warning_case,
)


def banned(api, unit_id, day="2026-03-21"):
    """The unit's case taken to 三次执法 and closed by a ban on ``day``."""
    case_id, _ = warning_case(api, unit_id, "YD-01")
    ok(api.post(f"/cases/{case_id}/escalate", "office", day=day, json={"reason": "拒不整改"}))
    ok(api.post(f"/cases/{case_id}/enforcement", "office", day=day,
                json={"action": "ban", "departments": ["LX-YJ"], "decision_no": "兰执〔2026〕1号"}), 201)
    return case_id


def test_a_case_opened_for_a_banned_unit_says_why_and_issues_the_referral(api, county):
    unit_id = county.units.shop.id
    banned_case = banned(api, unit_id)
    case_id, _ = new_case(api, unit_id, "SP-01", day="2026-05-06")
    case = ok(api.get(f"/cases/{case_id}", "office"))
    assert (case["stage"], case["start_reason"], case["start_after_case_id"]) == (
        "enforcement", "closed_unit_operating", banned_case)
    assert case["start_explanation"] == "因该单位已于 2026-03-21 被取缔仍在经营（非法经营），直接进入三次执法"
    assert [document["kind"] for document in case["documents"]] == ["referral"]
    assert case["events"][0]["action"] == "case.open_at_enforcement"
    assert case["events"][0]["reason"] == case["start_explanation"]
    plain = ok(api.get(f"/cases/{banned_case}", "office"))
    assert (plain["start_reason"], plain["start_explanation"]) == (None, None)


def test_a_unit_on_the_watch_list_through_the_api(api, county):
    unit_id = county.units.shop.id
    banned_case = banned(api, unit_id)
    unit = ok(api.get(f"/units/{unit_id}", "east"))
    assert unit["on_watch_list"] is True
    assert unit["watch_list"] == {
        "since": "2026-03-21", "clean_since": "2026-03-21", "clean_months": 6, "may_leave_from": "2026-09-21",
        "entries": [{"reason": "ban", "reason_label": "被取缔", "case_id": banned_case, "entered_on": "2026-03-21"}]}
    other = ok(api.get(f"/units/{county.units.market.id}", "east"))
    assert (other["on_watch_list"], other["watch_list"]) == (False, None)
    listed = ok(api.get("/units", "office"))["items"]
    assert {item["id"]: item["on_watch_list"] for item in listed}[unit_id] is True
    watch_list = ok(api.get("/watch-list", "viewer"))
    assert watch_list["total"] == 1
    assert watch_list["items"][0]["unit_id"] == unit_id and watch_list["items"][0]["township"] == "兰江街道"
    assert ok(api.get("/watch-list?region=330781101", "office"))["total"] == 0  # 马涧镇
    assert ok(api.get("/watch-list", "west"))["total"] == 0  # another township's office


def test_the_exit_decision_through_the_api(api, county):
    unit_id = county.units.shop.id
    banned(api, unit_id)
    early = api.post(f"/units/{unit_id}/watch-list/exit", "office", day="2026-09-20", json={"note": "已整改"})
    assert early.status_code == 409
    assert early.get_json()["error"]["message"] == (
        "“某电子商务商行”须自2026-03-21起连续6个月无新案件，2026-09-21起方可移出重点监管名单")
    assert api.post(f"/units/{unit_id}/watch-list/exit", "office", day="2026-09-21", json={"note": ""}
                    ).status_code == 400
    assert api.post(f"/units/{unit_id}/watch-list/exit", "east", day="2026-09-21", json={"note": "移出"}
                    ).status_code == 403
    unit = ok(api.post(f"/units/{unit_id}/watch-list/exit", "office", day="2026-09-21", json={"note": "半年无新问题"}))
    assert (unit["on_watch_list"], unit["watch_list"]) == (False, None)
    assert ok(api.get("/watch-list", "office"))["total"] == 0


def test_the_countys_rules_through_the_api(api, county):
    assert ok(api.get("/regions/330781/history-rules", "east")) == {
        "region_code": "330781", "region": "兰溪市", "recurrence_opens_at_warning": True, "watch_list_clean_months": 6}
    answer = ok(api.request("PUT", "/regions/330781/history-rules", "office",
                        json={"recurrence_opens_at_warning": False, "watch_list_clean_months": 12}))
    assert (answer["recurrence_opens_at_warning"], answer["watch_list_clean_months"]) == (False, 12)
    bad = api.request("PUT", "/regions/330781/history-rules", "office",
                  json={"recurrence_opens_at_warning": True, "watch_list_clean_months": 0})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "watch_list_clean_months"
    township = api.request("PUT", "/regions/330781001/history-rules", "office",
                       json={"recurrence_opens_at_warning": True, "watch_list_clean_months": 6})
    assert township.status_code == 400


# -- races ---------------------------------------------------------------------------------------------------

def test_parallel_exit_decisions_take_the_unit_off_once(app, api, tokens, county):
    unit_id = county.units.shop.id
    banned(api, unit_id)
    answers = at_once(app, tokens, "2026-10-01", lambda api, _: api.post(
        f"/units/{unit_id}/watch-list/exit", "office", json={"note": "半年无新问题"}))
    one_winner(answers)
    for status, body in answers:
        if status == 409:
            assert body["error"]["current"] == {"unit_id": unit_id, "on_watch_list": False}
    assert count(Event, Event.action == "watch_list.left") == 1
    assert count(WatchListEntry, WatchListEntry.left_at.is_(None)) == 0


def test_parallel_inspections_of_a_banned_unit_open_one_case_at_enforcement(app, api, tokens, county):
    unit_id = county.units.shop.id
    banned_case = banned(api, unit_id)
    answers = at_once(app, tokens, "2026-05-06", lambda api, index: api.post("/inspections", "inspector", json={
        "unit_id": unit_id, "kind": "unannounced", "findings": [{"hazard_code": "SP-01"}]}))
    assert statuses(answers) == Counter({201: N}), answers
    case_ids = {body["case_id"] for _, body in answers}
    assert len(case_ids) == 1
    case_id = case_ids.pop()
    assert count(Case, Case.id != banned_case) == 1
    assert count(Event, Event.action == "case.open_at_enforcement") == 1
    assert {body["case"]["stage"] for _, body in answers} == {"enforcement"}
    assert documents(DocumentKind.referral, case_id) == 1
