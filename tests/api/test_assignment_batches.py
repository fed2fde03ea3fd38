"""POST /assignments/{id}/sign-offs and /close-outs: several findings of one 交办单 in one request, each
checked and audited as on its own, all of them or none."""

from sqlalchemy import func, select

from inspect_loop.assignments.models import CloseOut, SignOff
from inspect_loop.audit.models import Event
from inspect_loop.db import db
from tests.api.client import ok, refused
from tests.api.test_races import reported_pair


def events(action) -> int:
    return db.session.scalar(select(func.count(Event.id)).where(Event.action == action))


def test_a_batch_signs_off_and_closes_out_every_finding_with_one_event_each(api, county):
    _, findings, assignment = reported_pair(api, county)
    signed = ok(api.post(f"/assignments/{assignment['id']}/sign-offs", "fire", day="2026-03-27",
                         json={"finding_ids": findings, "note": "符合要求"}), 201)
    assert [(item["finding_id"], item["approved"], item["note"]) for item in signed["items"]] == [
        (finding_id, True, "符合要求") for finding_id in findings]
    closed = ok(api.post(f"/assignments/{assignment['id']}/close-outs", "east", day="2026-03-28",
                         json={"finding_ids": findings}), 201)
    assert [item["finding"]["status"] for item in closed["items"]] == ["closed", "closed"]
    assert events("finding.signed_off") == 2 and events("finding.closed_out") == 2


def test_one_finding_refused_refuses_the_batch_and_names_it(api, county):
    _, [first, second], assignment = reported_pair(api, county)
    ok(api.post(f"/findings/{first}/sign-off", "fire", day="2026-03-27", json={"approved": True}), 201)
    body = refused(api.post(f"/assignments/{assignment['id']}/close-outs", "east", day="2026-03-28",
                            json={"finding_ids": [first, second]}), 409, "finding_ids", "transition_refused")
    assert body["message"] == f"问题编号{second}：问题“消防设施配备不全”尚未经行业主管部门签认，不能销号"
    assert db.session.scalar(select(func.count(CloseOut.id))) == 0
    again = refused(api.post(f"/assignments/{assignment['id']}/sign-offs", "fire", day="2026-03-28",
                             json={"finding_ids": [first, second]}), 409, "finding_ids", "conflict")
    assert again["message"].startswith(f"问题编号{first}：问题“")
    assert db.session.scalar(select(func.count(SignOff.id))) == 1


def test_a_batch_belongs_to_its_assignment_and_its_recipients(api, county):
    _, findings, assignment = reported_pair(api, county)
    path = f"/assignments/{assignment['id']}/sign-offs"
    refused(api.post(path, "fire", day="2026-03-27", json={"finding_ids": []}), 400, "finding_ids")
    refused(api.post(path, "fire", day="2026-03-27", json={"finding_ids": [999999]}), 400, "finding_ids")
    refused(api.post(path, "market", day="2026-03-27", json={"finding_ids": findings}), 403)
    refused(api.post(f"/assignments/{assignment['id']}/close-outs", "west", day="2026-03-27",
                     json={"finding_ids": findings}), 403)
