"""The section-5 figures of a half year driven through the API alone, each checked against its definition
by hand.

| unit | story (2026) |
| --- | --- |
| shop (A) | XF-01 03-02 (deadline 03-09); re-inspection 03-12 fails → 二次警示; ABSENT from round 1 (03-19), ATTENDS round 2 (03-26); 交办单 to the fire brigade, deadline 04-10; reported 04-08 (on time), signed off 04-09, closed out 04-15; XF-01 again on 06-15 = close-out + exactly two calendar months: a recurrence, its case opens at 二次警示 |
| market (B) | XF-01 and SP-01 03-02; re-inspection 03-12: XF-01 rectified (closed at 一次提醒, after its 03-09 deadline, never reported: late), SP-01 not → 二次警示; attends round 1; 交办单 to 市场监管局, deadline 04-05; reported 04-07 (LATE), closed out 04-08; then XF-02 on 05-01 (another type, inside the window), XF-01 on 05-10 (the type closed at 一次提醒: not a warning-stage finding) and SP-01 on 06-09 = close-out + two months + one day |
| school (E) | XF-02 03-03 (deadline 03-13); re-inspection 03-10 sees it rectified |
| kiosk (F) | XF-02 03-02; escalated to 三次执法 03-05; joint enforcement 03-10, fine 03-11, 停业整顿 03-12 |
| depot (C) | SC-01 (major) 03-04; escalated to 三次执法 03-05; SHUT DOWN 05-10 |
| hostel (D) | XF-01 03-04; escalated to 三次执法 03-05; BANNED 05-12 |

Exposures: one published 05-15 listing the shop's XF-01 (closed) and the kiosk's XF-02 (open); one draft.
"""

from tests.api.client import ok
from tests.api.test_year import empty_installation, inspect, install_county


def escalate_to_enforcement(api, case_id, day):
    ok(api.post(f"/cases/{case_id}/escalate", "office", json={"reason": "拒不整改", "to_stage": "enforcement"},
                day=day))


def enforce(api, case_id, action, department, day, **extra):
    return ok(api.post(f"/cases/{case_id}/enforcement", "office",
                       json={"action": action, "departments": [department], **extra}, day=day), 201)


def rectified_under_assignment(api, finding_id, regulator, reported, signed, closed):
    ok(api.post(f"/findings/{finding_id}/rectification", "east", json={"note": "已整改"}, day=reported), 201)
    ok(api.post(f"/findings/{finding_id}/sign-off", regulator, json={"approved": True}, day=signed), 201)
    return ok(api.post(f"/findings/{finding_id}/close", "east", json={"note": "验收合格"}, day=closed), 201)


def test_every_summary_figure_of_a_half_year_driven_through_the_api(client, database):
    api = empty_installation(client, database)
    units = install_county(api, database)

    shop = inspect(api, units["shop"], "2026-03-02", "XF-01")
    market = inspect(api, units["market"], "2026-03-02", "XF-01", "SP-01")
    kiosk = inspect(api, units["kiosk"], "2026-03-02", "XF-02")
    school = inspect(api, units["school"], "2026-03-03", "XF-02")
    depot = inspect(api, units["depot"], "2026-03-04", "SC-01", who="west")
    hostel = inspect(api, units["hostel"], "2026-03-04", "XF-01")
    shop_fire = shop["findings"][0]["id"]
    market_fire, market_food = (finding["id"] for finding in market["findings"])

    # 一次提醒: the school rectified in time; the market half; the shop not at all.
    inspect(api, units["school"], "2026-03-10", kind="reinspection", verified=[(school["findings"][0]["id"], True)])
    assert inspect(api, units["shop"], "2026-03-12", kind="reinspection",
                   verified=[(shop_fire, False)])["case"]["stage"] == "warning"
    assert inspect(api, units["market"], "2026-03-12", kind="reinspection",
                   verified=[(market_fire, True), (market_food, False)])["case"]["stage"] == "warning"
    for case in (kiosk, depot, hostel):
        escalate_to_enforcement(api, case["case_id"], "2026-03-05")

    # 二次警示: round 1 — the shop stays away, the market attends; round 2 — the shop attends.
    round_one = ok(api.post("/interview-rounds", "office", json={
        "held_at": "2026-03-19T14:30:00+08:00", "venue": "兰溪市平安警示教育站", "convened_by": "LX-PAB",
        "departments": ["LX-XF", "LX-SCJG"], "case_ids": [shop["case_id"], market["case_id"]], "participants": 12},
        day="2026-03-18"), 201)
    ok(api.post(f"/interview-rounds/{round_one['id']}/attendance", "office",
                json={"case_id": shop["case_id"], "attended": False}, day="2026-03-19", hour=16))
    ok(api.post(f"/interview-rounds/{round_one['id']}/attendance", "office",
                json={"case_id": market["case_id"], "attended": True, "attendee_name": "李四"}, day="2026-03-19",
                hour=16))
    round_two = ok(api.post("/interview-rounds", "office", json={
        "held_at": "2026-03-26T09:00:00+08:00", "venue": "兰溪市平安警示教育站", "convened_by": "LX-PAB",
        "departments": ["LX-XF"], "case_ids": [shop["case_id"]]}, day="2026-03-25"), 201)
    ok(api.post(f"/interview-rounds/{round_two['id']}/attendance", "office",
                json={"case_id": shop["case_id"], "attended": True, "attendee_name": "张三"}, day="2026-03-26"))
    ok(api.patch(f"/interview-rounds/{round_two['id']}", "office", json={"participants": 20}, day="2026-03-26"))

    # 双交办 and close-out: the market late, the shop on time (reported before its deadline, closed after it).
    ok(api.post(f"/cases/{market['case_id']}/assignments", "office",
                json={"regulator_code": "LX-SCJG", "deadline": "2026-04-05"}, day="2026-03-20"), 201)
    closed = rectified_under_assignment(api, market_food, "market", "2026-04-07", "2026-04-08", "2026-04-08")
    assert closed["case"]["outcome"] == "rectified_after_warning"
    ok(api.post(f"/cases/{shop['case_id']}/assignments", "office",
                json={"regulator_code": "LX-XF", "deadline": "2026-04-10"}, day="2026-03-27"), 201)
    closed = rectified_under_assignment(api, shop_fire, "fire", "2026-04-08", "2026-04-09", "2026-04-15")
    assert closed["case"]["outcome"] == "rectified_after_warning"

    # 三次执法.
    enforce(api, kiosk["case_id"], "joint_enforcement", "LX-XF", "2026-03-10")
    enforce(api, kiosk["case_id"], "fine", "LX-XF", "2026-03-11", amount="2000.00")
    assert enforce(api, kiosk["case_id"], "suspend", "LX-XF", "2026-03-12")["unit_status"] == "suspended"
    assert enforce(api, depot["case_id"], "shutdown", "LX-YJ", "2026-05-10")["case"]["outcome"] == "shut_down"
    assert enforce(api, hostel["case_id"], "ban", "LX-XF", "2026-05-12")["case"]["outcome"] == "banned"

    # After the close-outs: what counts as a recurrence, and what does not.
    inspect(api, units["market"], "2026-05-01", "XF-02")  # another type, inside the market's window
    inspect(api, units["market"], "2026-05-10", "XF-01")  # the type closed at 一次提醒
    inspect(api, units["market"], "2026-06-09", "SP-01")  # 04-08 + two months + one day
    inspect(api, units["shop"], "2026-06-15", "XF-01")  # 04-15 + exactly two months

    # 平安曝光: one published (approved by the office's head), one draft.
    exposure = ok(api.post("/exposures", "office", day="2026-05-15", json={"title": "2026年第1期平安曝光", "items": [
        {"unit_id": units["shop"], "finding_ids": [shop_fire]},
        {"unit_id": units["kiosk"], "finding_ids": [kiosk["findings"][0]["id"]]}]}), 201)
    ok(api.post(f"/exposures/{exposure['id']}/approve", "head", day="2026-05-15"))
    ok(api.post("/exposures", "office", day="2026-05-20", json={"title": "草稿", "draft": True, "items": [
        {"unit_id": units["depot"], "finding_ids": [depot["findings"][0]["id"]]}]}), 201)

    figures = ok(api.get("/stats/summary", "viewer", query={"from": "2026-01-01", "to": "2026-06-30"},
                         day="2026-07-01"))
    by_definition = {
        "interview_rounds": 2,  # 03-19 and 03-26
        "education_person_times": 12 + 20,
        "units_interviewed": 2,  # the market (round 1) and the shop (round 2)
        "units_absent": 1,  # the shop in round 1: it counts in both
        "units_rectified_on_time": 1,  # the shop; the market reported after its deadline
        "joint_enforcements": 1, "fines": 1, "suspensions": 1,  # the kiosk
        "shutdowns": 1, "bans": 1,  # the depot, the hostel
        # Both interviewed units closed out everything; only the shop's XF-01 came back inside two months.
        "recurrence": {"units_eligible": 2, "units_recurred": 1, "rate": 0.5},
        # Closed in the period: the school's (on time), the market's XF-01 at 一次提醒 (late, never reported),
        # the market's SP-01 (reported late), the shop's XF-01 (reported in time): 2 of 4.
        "on_time_rate": 0.5,
        # The published one only: two places, two problems, one of them (the shop's) closed now.
        "exposures": {"actions": 1, "places": 2, "problems": 2, "problems_closed": 1},
        "inspections": 13, "findings_found": 11, "on_the_spot_rectified": 0, "findings_closed": 4, "findings_rectified_on_time": 2,
        "cases_opened": 8,  # six in March, then the market's and the shop's second cases
        "cases_closed": 5,  # school, market, shop, depot, hostel
        # shop and market 03-12; the shop's second case opened there on 06-15 (a recurrence: SPEC section 7).
        "cases_to_warning": 3, "cases_to_enforcement": 3,
        # Open past their deadline on 07-01: the kiosk's XF-02 and the four findings found after close-out.
        "overdue_now": 5,
    }
    assert {key: figures[key] for key in by_definition} == by_definition
    assert figures["period"] == {"from": "2026-01-01", "to": "2026-06-30", "region": None}

    # The same period for 马涧镇 only: the depot's shutdown and the hostel's ban, nothing of 兰江街道.
    west = ok(api.get("/stats/summary", "viewer", query={"from": "2026-01-01", "to": "2026-06-30",
                                                           "region": "330781101"}, day="2026-07-01"))
    assert (west["shutdowns"], west["bans"], west["units_interviewed"], west["interview_rounds"]) == (1, 1, 0, 0)
