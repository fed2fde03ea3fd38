"""延期 through the API: ask, list the decider's pending requests, read, decide; who decides; a race of deciders."""

import pytest

from inspect_loop.deadline_extensions.models import ExtensionRequest
from inspect_loop.letters.models import DocumentKind
from tests.api.client import ok
from tests.api.test_races import at_once, documents, events, new_case, one_winner, quick_letters, slow_commits  # noqa: F401

ASK = {"requested_deadline": "2026-03-20", "reason": "配件需从外地采购"}


def ask(api, case_id, finding_ids, who="east", day="2026-03-05", **body):
    return api.post("/extensions", who, day=day, json={"case_id": case_id, "finding_ids": finding_ids, **ASK, **body})


def test_the_path_from_request_to_approval_and_its_effect_on_the_finding(api, county, database):
    case_id, [finding_id] = new_case(api, county.units.shop.id, "XF-01")
    asked = ok(ask(api, case_id, [finding_id]), 201)
    assert asked["status"] == "pending" and asked["decider_code"] == "LX-PAB" and asked["document"] is None
    assert asked["findings"] == [{"finding_id": finding_id, "hazard_title": "应急照明灯未接通电源",
                                  "previous_deadline": "2026-03-09", "deadline": "2026-03-09"}]
    pending = ok(api.get("/extensions", "office", query={"status": "pending"}))
    assert [item["id"] for item in pending["items"]] == [asked["id"]]
    assert ok(api.get("/extensions", "west"))["items"] == []  # another township's office sees none
    decided = ok(api.post(f"/extensions/{asked['id']}/decision", "office", day="2026-03-06",
                          json={"approved": True, "reason": "同意", "granted_deadline": "2026-03-18"}))
    assert decided["status"] == "approved" and decided["granted_deadline"] == "2026-03-18"
    assert decided["document"]["kind"] == "extension" and decided["document"]["number"] == "兰平安延〔2026〕1号"
    finding = ok(api.get(f"/findings/{finding_id}", "east", day="2026-03-12"))
    assert finding["deadline"] == "2026-03-18" and finding["overdue"] is False
    assert [row["extension_id"] for row in finding["deadlines"]] == [None, asked["id"]]
    assert ok(api.get(f"/extensions/{asked['id']}", "east"))["status_label"] == "准予延期"
    again = api.post(f"/extensions/{asked['id']}/decision", "office", day="2026-03-06",
                     json={"approved": False, "reason": "撤回"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "conflict"


@pytest.mark.parametrize("body, field", [
    ({"requested_deadline": "2026-03-09"}, "requested_deadline"),
    ({"reason": ""}, "reason"),
    ({"finding_ids": None}, "finding_ids"),
])
def test_bad_requests_name_their_field(api, county, database, body, field):
    case_id, finding_ids = new_case(api, county.units.shop.id, "XF-01")
    response = ask(api, case_id, body.pop("finding_ids", finding_ids), **body)
    assert response.status_code == 400 and field in str(response.get_json()["error"]), response.get_json()


def test_the_county_office_chooses_who_decides(api, county, database):
    assert ok(api.get("/regions/330781/extension-decider", "east"))["decider"] == "county_office"
    assert api.request("PUT", "/regions/330781/extension-decider", "east",
                       json={"decider": "regulator"}).status_code == 403
    assert api.request("PUT", "/regions/330781001/extension-decider", "office",
                       json={"decider": "regulator"}).status_code == 400
    chosen = ok(api.request("PUT", "/regions/330781/extension-decider", "office", json={"decider": "regulator"}))
    assert chosen == {"region_code": "330781", "region": "兰溪市", "decider": "regulator",
                      "decider_label": "行业主管部门审批"}
    case_id, finding_ids = new_case(api, county.units.shop.id, "XF-01")
    asked = ok(ask(api, case_id, finding_ids), 201)
    assert asked["decider_code"] == "LX-XF"
    assert [item["id"] for item in ok(api.get("/extensions", "fire"))["items"]] == [asked["id"]]
    refused = api.post(f"/extensions/{asked['id']}/decision", "office", day="2026-03-06", json={"approved": True})
    assert refused.status_code == 403
    ok(api.post(f"/extensions/{asked['id']}/decision", "fire", day="2026-03-06",
                json={"approved": False, "reason": "未见采购凭证"}))


def test_requests_for_one_finding_sent_at_once_leave_one_pending(app, api, tokens, county, database):
    """The township office's form sent twice (or two clerks at once): one pending request, the others told (409)
    which request is already waiting."""
    case_id, finding_ids = new_case(api, county.units.shop.id, "XF-01")
    answers = at_once(app, tokens, "2026-03-05", lambda rival, index: rival.post(
        "/extensions", "east", json={"case_id": case_id, "finding_ids": finding_ids, **ASK}))
    winner = one_winner(answers, won=201)
    assert events("extension.requested") == 1
    assert [request.id for request in database.session.query(ExtensionRequest)] == [winner["id"]]


def test_two_deciders_at_once_one_wins(app, api, tokens, county, database):
    """The county office and the administrator decide the same request at the same moment: one decision, one
    notice, the other told (409) what it lost to."""
    case_id, finding_ids = new_case(api, county.units.shop.id, "XF-01")
    request_id = ok(ask(api, case_id, finding_ids), 201)["id"]
    answers = at_once(app, tokens, "2026-03-06", lambda rival, index: rival.post(
        f"/extensions/{request_id}/decision", ("office", "admin")[index % 2],
        json={"approved": index % 2 == 0, "reason": "审批意见"}))
    winner = one_winner(answers)
    for status, body in answers:
        if status == 409:
            assert body["error"]["current"] == {"extension_id": request_id, "status": winner["status"]}
    decided = events("extension.approved") + events("extension.refused")
    assert decided == 1
    assert documents(DocumentKind.extension) == (1 if winner["status"] == "approved" else 0)
    assert database.session.get(ExtensionRequest, request_id).status.value == winner["status"]


def test_an_unknown_request_is_404_naming_it(api, county, database):
    for response in (api.get("/extensions/999", "office"),
                     api.post("/extensions/999/decision", "office", json={"approved": True})):
        assert response.status_code == 404 and response.get_json()["error"]["field"] == "extension_id"
