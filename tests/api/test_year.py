"""One county's year through the JSON API alone, as an integrating client would drive it.

Only the accounts come from the domain (``create_user`` and ``issue_api_token``, as the ``flask users``
commands do); the catalogue, the units and every step of the loop go through ``/api/v1``.

| unit | township | story |
| --- | --- | --- |
| shop | 兰江街道 (east) | planned unannounced visit 03-02 finds XF-01, YD-01; re-inspection 03-12: XF-01 rectified, YD-01 not → warning; attends round 1; 交办单 to 应急管理局; sign-off refused once, then approved; closed out 04-05 → rectified_after_warning |
| market | east | SP-01 03-02; re-inspection fails → warning; absent from round 1 → escalated to enforcement; joint enforcement and a fine; 交办单 to 市场监管局; closed out → rectified_after_enforcement |
| school | east | XF-02 03-03; re-inspection 03-10 sees it rectified → rectified_at_reminder |
| kiosk | east | XF-01 03-02, recorded in error → withdrawn |
| depot | 马涧镇 (west) | SC-01 (major) 03-04; escalated twice → enforcement; shut down 05-10 |
| hostel | west (a village) | XF-01 03-04; re-inspection fails; attends round 2; follow-up 04-20 fails → enforcement; banned 05-12 |
"""

from datetime import date

from inspect_loop.regions.lookup import department_by_code
from inspect_loop.users.models import Role
from inspect_loop.users.operations import create_user, issue_api_token
from tests.api.client import Api, ok, refused
from tests.factories import make_uscc

REGIONS = [
    {"code": "330781", "name": "兰溪市", "level": "county", "parent_code": None},
    {"code": "330781001", "name": "兰江街道", "level": "township", "parent_code": "330781"},
    {"code": "330781101", "name": "马涧镇", "level": "township", "parent_code": "330781"},
    {"code": "330781101201", "name": "郑宅村", "level": "village", "parent_code": "330781101"},
]
DEPARTMENTS = [
    {"code": "LX-PAB", "name": "兰溪市平安办", "kind": "safety_office", "region_code": "330781", "doc_prefix": "兰平安"},
    {"code": "LJ-PAB", "name": "兰江街道平安办", "kind": "safety_office", "region_code": "330781001",
     "doc_prefix": "兰江平安"},
    {"code": "MJ-PAB", "name": "马涧镇平安办", "kind": "safety_office", "region_code": "330781101",
     "doc_prefix": "马涧平安"},
    {"code": "LX-XF", "name": "兰溪市消防救援大队", "kind": "regulator", "region_code": "330781", "sectors": ["消防"]},
    {"code": "LX-SCJG", "name": "兰溪市市场监管局", "kind": "regulator", "region_code": "330781", "sectors": ["食品"]},
    {"code": "LX-YJ", "name": "兰溪市应急管理局", "kind": "regulator", "region_code": "330781",
     "sectors": ["生产", "用电"]},
]
HAZARD_TYPES = [
    {"code": "XF-01", "category": "消防安全", "title": "应急照明灯未接通电源", "sector": "消防", "severity": "general",
     "rectify_days": 7},
    {"code": "XF-02", "category": "消防安全", "title": "消防设施配备不全", "sector": "消防", "severity": "general",
     "rectify_days": 10},
    {"code": "YD-01", "category": "用电安全", "title": "配电箱接线混乱裸露", "sector": "用电", "severity": "general",
     "rectify_days": 5},
    {"code": "SP-01", "category": "食品安全", "title": "食品原料储存不规范", "sector": "食品", "severity": "general",
     "rectify_days": 7},
    {"code": "SC-01", "category": "生产安全", "title": "危险化学品储存不规范", "sector": "生产", "severity": "major",
     "rectify_days": 5, "day_basis": "working"},
]
UNITS = {
    "shop": {"name": "某电子商务商行", "uscc": make_uscc(1), "address": "兰江街道振兴路1号", "region_code": "330781001",
             "category": "商铺", "contact_name": "张三", "contact_phone": "13800000001"},
    "market": {"name": "柏社农贸市场", "uscc": make_uscc(2), "address": "兰江街道柏社路8号", "region_code": "330781001",
               "category": "市场"},
    "school": {"name": "振兴小学", "address": "兰江街道学前路2号", "region_code": "330781001", "category": "学校"},
    "kiosk": {"name": "路口小卖部", "address": "兰江街道路口", "region_code": "330781001", "category": "商铺"},
    "depot": {"name": "马涧化工仓库", "address": "马涧镇工业区", "region_code": "330781101", "category": "仓储"},
    "hostel": {"name": "郑宅民宿", "address": "马涧镇郑宅村5号", "region_code": "330781101201", "category": "民宿"},
}
ACCOUNTS = [  # username, role, department
    ("office", Role.safety_office, "LX-PAB"),
    ("head", Role.safety_office, "LX-PAB"),  # the office's head: approves what the office drafts
    ("east", Role.township_office, "LJ-PAB"),
    ("west", Role.township_office, "MJ-PAB"),
    ("inspector", Role.inspector, None),
    ("fire", Role.regulator, "LX-XF"),
    ("market", Role.regulator, "LX-SCJG"),
    ("emergency", Role.regulator, "LX-YJ"),
    ("viewer", Role.viewer, None),
]


def accounts(api, database):
    """What ``flask users create`` and ``flask users token`` do, once the departments exist."""
    for username, role, code in ACCOUNTS:
        user = create_user(username=username, role=role, department=department_by_code(code) if code else None)
        api.tokens[username] = issue_api_token(user)
    database.session.commit()


def inspect(api, unit_id, day, *codes, kind="unannounced", verified=(), who="inspector", **extra):
    body = {"unit_id": unit_id, "kind": kind, "team": ["inspector"],
            "findings": [{"hazard_code": code, "description": f"现场发现{code}"} for code in codes],
            "verified": [{"finding_id": finding_id, "rectified": rectified} for finding_id, rectified in verified],
            **extra}
    return ok(api.post("/inspections", who, json=body, day=day), 201)


def case_of(api, case_id, who="office", day=None):
    return ok(api.get(f"/cases/{case_id}", who, day=day))


def inbox(api, who, status, day):
    page = ok(api.get("/assignments", who, query={"status": status}, day=day))
    return [item["id"] for item in page["items"]]


def empty_installation(client, database) -> Api:
    """An installation with one administrator and a token for them, and nothing else."""
    admin = create_user(username="root", role=Role.admin)
    tokens = {"admin": issue_api_token(admin)}
    database.session.commit()
    return Api(client, tokens)


def install_county(api, database) -> dict[str, int]:
    """The catalogue, the accounts and the units, by the administrator; the unit ids by name."""
    for body in REGIONS:
        ok(api.post("/regions", "admin", json=body, day="2026-01-05"), 201)
    for body in DEPARTMENTS:
        created = ok(api.post("/departments", "admin", json=body, day="2026-01-05"), 201)
        assert created["sectors"] == body.get("sectors", [])
    for body in HAZARD_TYPES:
        ok(api.post("/hazard-types", "admin", json=body, day="2026-01-05"), 201)
    accounts(api, database)
    return {name: ok(api.post("/units", "admin", json=body, day="2026-01-06"), 201)["id"]
            for name, body in UNITS.items()}


def test_a_county_year_through_the_api(client, database):
    api = empty_installation(client, database)
    units = install_county(api, database)
    hostel = ok(api.get(f"/units/{units['hostel']}", "viewer"))
    assert (hostel["region_code"], hostel["township_code"], hostel["county_code"]) == \
        ("330781101201", "330781101", "330781")
    assert hostel["status"] == "operating" and hostel["risk_color"] == "green"
    catalogue = ok(api.get("/hazard-types", "east", query={"sector": "消防"}))
    assert [item["code"] for item in catalogue["items"]] == ["XF-01", "XF-02"]

    # 四不两直: the county office plans the visit to the shop; only the team sees it.
    plan = ok(api.post("/inspection-plans", "office", json={"unit_id": units["shop"], "planned_on": "2026-03-02",
                                                           "team": ["inspector"]}, day="2026-03-01"), 201)
    assert [item["id"] for item in ok(api.get("/inspection-plans", "inspector", day="2026-03-01"))["items"]] == \
        [plan["id"]]
    refused(api.get("/inspection-plans", "east", day="2026-03-01"), 403)

    # 一次提醒: inspections open cases and issue reminders.
    shop = inspect(api, units["shop"], "2026-03-02", "XF-01", "YD-01", plan_id=plan["id"], latitude=29.21,
                   longitude=119.46)
    assert shop["case"]["stage"] == "reminder" and shop["case"]["status"] == "open"
    shop_fire, shop_wiring = shop["findings"]
    assert (shop_fire["hazard_code"], shop_fire["deadline"], shop_fire["status"]) == ("XF-01", "2026-03-09", "open")
    assert shop_wiring["deadline"] == "2026-03-07"
    assert [document["number"] for document in shop["documents"]] == ["兰平安提〔2026〕1号"]
    assert shop["inspected_at"] == "2026-03-02T10:00:00+08:00"
    assert ok(api.get("/inspection-plans", "office", query={"status": "done"}))["total"] == 1
    shop_case = shop["case_id"]
    market = inspect(api, units["market"], "2026-03-02", "SP-01")
    kiosk = inspect(api, units["kiosk"], "2026-03-02", "XF-01")
    school = inspect(api, units["school"], "2026-03-03", "XF-02")
    depot = inspect(api, units["depot"], "2026-03-04", "SC-01", who="west")
    hostel = inspect(api, units["hostel"], "2026-03-04", "XF-01")
    assert depot["findings"][0]["deadline"] == "2026-03-11"  # five working days
    assert depot["documents"][0]["number"] == "马涧平安提〔2026〕1号"  # issued by the recording township office

    colours = {unit["id"]: unit["risk_color"]
               for unit in ok(api.get("/units", "office", query={"per_page": 50}, day="2026-03-08"))["items"]}
    assert colours[units["shop"]] == "yellow"  # YD-01 overdue at the reminder stage
    assert colours[units["depot"]] == "red"  # an open major finding
    assert colours[units["school"]] == "green"

    # The kiosk was recorded in error.
    withdrawn = ok(api.post(f"/cases/{kiosk['case_id']}/withdraw", "office", json={"reason": "录入错误，单位名称有误"},
                            day="2026-03-03"))
    assert (withdrawn["status"], withdrawn["outcome"]) == ("closed", "withdrawn")
    assert withdrawn["findings"][0]["status"] == "voided"
    refused(api.post(f"/cases/{kiosk['case_id']}/withdraw", "office", json={"reason": "再次撤销"}), 409,
            code="transition_refused")

    # 复查: the school rectified in time, the shop only in part, the market and the hostel not at all.
    closed = inspect(api, units["school"], "2026-03-10", kind="reinspection",
                     verified=[(school["findings"][0]["id"], True)])
    assert closed["case"] == {"id": school["case_id"], "unit_id": units["school"], "stage": "reminder",
                              "status": "closed", "outcome": "rectified_at_reminder"}
    partial = inspect(api, units["shop"], "2026-03-12", kind="reinspection",
                      verified=[(shop_fire["id"], True), (shop_wiring["id"], False)])
    assert partial["case"]["stage"] == "warning"
    shop_now = case_of(api, shop_case, day="2026-03-12")
    assert [finding["status"] for finding in shop_now["findings"]] == ["closed", "open"]
    assert shop_now["findings"][0]["close_kind"] == "verified" and shop_now["findings"][0]["overdue"] is False
    assert shop_now["findings"][1]["overdue"] is True and shop_now["overdue"] is True
    inspect(api, units["market"], "2026-03-12", kind="reinspection", verified=[(market["findings"][0]["id"], False)])
    inspect(api, units["hostel"], "2026-03-12", kind="reinspection", verified=[(hostel["findings"][0]["id"], False)])
    # Verifying is the teams' and the county office's: the township office records patrols, not re-inspections.
    refused(api.post("/inspections", "west", json={"unit_id": units["hostel"], "kind": "follow_up",
                                                    "verified": [{"finding_id": hostel["findings"][0]["id"],
                                                                  "rectified": True}]}), 403)
    refused(api.post("/inspections", "inspector", json={"unit_id": units["shop"], "kind": "reinspection",
                                                         "verified": [{"finding_id": shop_wiring["id"],
                                                                       "rectified": True}]}), 409,
            field="verified", code="transition_refused")

    # The depot's major hazard: straight up the ladder, by hand, with reasons.
    warned = ok(api.post(f"/cases/{depot['case_id']}/escalate", "office", json={"reason": "重大隐患"}, day="2026-03-05"))
    assert warned["stage"] == "warning"
    refused(api.post(f"/cases/{depot['case_id']}/escalate", "office", json={"reason": " "}), 400, field="reason")
    enforced = ok(api.post(f"/cases/{depot['case_id']}/escalate", "office",
                           json={"reason": "重大危险化学品隐患，拒不整改", "to_stage": "enforcement"}, day="2026-03-05"))
    assert enforced["stage"] == "enforcement"
    assert [document["kind"] for document in enforced["documents"]] == ["reminder", "referral"]
    assert enforced["events"][-2]["reason"] == "重大危险化学品隐患，拒不整改"

    # 二次警示: round 1, the shop attends, the market stays away.
    round_one = ok(api.post("/interview-rounds", "office", json={
        "held_at": "2026-03-19T14:30:00+08:00", "venue": "兰溪市平安警示教育站", "convened_by": "LX-PAB",
        "departments": ["LX-XF", "LX-SCJG", "LX-YJ"], "case_ids": [shop_case, market["case_id"]]},
        day="2026-03-18"), 201)
    assert (round_one["number"], round_one["held_on"], round_one["held_at"]) == (1, "2026-03-19",
                                                                                 "2026-03-19T14:30:00+08:00")
    assert [summons["document"]["number"] for summons in round_one["summonses"]] == \
        ["兰平安约〔2026〕1号", "兰平安约〔2026〕2号"]
    attended = ok(api.post(f"/interview-rounds/{round_one['id']}/attendance", "office", json={
        "case_id": shop_case, "attended": True, "attendee_name": "张三", "attendee_title": "负责人"},
        day="2026-03-19", hour=16))
    assert attended["attended"] is True
    ok(api.post(f"/interview-rounds/{round_one['id']}/attendance", "office",
                json={"case_id": market["case_id"], "attended": False}, day="2026-03-19", hour=16))
    patched = ok(api.patch(f"/interview-rounds/{round_one['id']}", "office", json={"participants": 12},
                           day="2026-03-19", hour=17))
    assert patched["participants"] == 12
    # The township office reads the round, but only its own units' summonses (both are east).
    assert len(ok(api.get(f"/interview-rounds/{round_one['id']}", "west"))["summonses"]) == 0
    assert len(ok(api.get(f"/interview-rounds/{round_one['id']}", "east"))["summonses"]) == 2

    # 双交办 for the shop's wiring: the 应急管理局 and the 兰江街道 office.
    assignment = ok(api.post(f"/cases/{shop_case}/assignments", "office",
                             json={"regulator_code": "LX-YJ", "deadline": "2026-04-05"}, day="2026-03-20"), 201)
    assert (assignment["regulator_code"], assignment["territorial_code"]) == ("LX-YJ", "LJ-PAB")
    assert assignment["finding_ids"] == [shop_wiring["id"]]
    assert assignment["document"]["number"] == "兰平安交〔2026〕1号"
    wiring = ok(api.get(f"/findings/{shop_wiring['id']}", "emergency"))
    assert wiring["deadline"] == "2026-04-05"
    assert [row["deadline"] for row in wiring["deadlines"]] == ["2026-03-07", "2026-04-05"]
    assert wiring["deadlines"][1]["assignment_id"] == assignment["id"]

    assert inbox(api, "emergency", "pending", "2026-03-21") == [assignment["id"]]
    assert inbox(api, "market", "pending", "2026-03-21") == []  # another regulator's inbox
    received = ok(api.post(f"/assignments/{assignment['id']}/receipt", "emergency", day="2026-03-21"), 201)
    assert received["status"] == "received"
    refused(api.post(f"/assignments/{assignment['id']}/receipt", "emergency", day="2026-03-21"), 409)
    ok(api.post(f"/assignments/{assignment['id']}/receipt", "east", day="2026-03-21", hour=11), 201)
    assert [receipt["department_code"] for receipt in
            ok(api.get(f"/assignments/{assignment['id']}", "office"))["receipts"]] == ["LX-YJ", "LJ-PAB"]
    assert inbox(api, "emergency", "received", "2026-03-22") == [assignment["id"]]

    # Rectification reported, sign-off refused once and then given, close-out by the township office.
    ok(api.post(f"/findings/{shop_wiring['id']}/rectification", "east", json={"note": "已重新布线"},
                day="2026-04-01"), 201)
    refusal = ok(api.post(f"/findings/{shop_wiring['id']}/sign-off", "emergency",
                          json={"approved": False, "note": "配电箱未加锁"}, day="2026-04-02"), 201)
    assert refusal["approved"] is False and refusal["finding"]["signed_off"] is False
    refused(api.post(f"/findings/{shop_wiring['id']}/close", "east", json={}, day="2026-04-02"), 409)
    ok(api.post(f"/findings/{shop_wiring['id']}/rectification", "east", json={"note": "已加锁"}, day="2026-04-03"), 201)
    refused(api.post(f"/findings/{shop_wiring['id']}/sign-off", "fire", json={"approved": True}), 403)
    approval = ok(api.post(f"/findings/{shop_wiring['id']}/sign-off", "emergency", json={"approved": True},
                           day="2026-04-04"), 201)
    assert approval["finding"]["signed_off"] is True and approval["department_code"] == "LX-YJ"
    assert inbox(api, "emergency", "completed", "2026-04-04") == [assignment["id"]]
    assert inbox(api, "east", "received", "2026-04-04") == [assignment["id"]]
    refused(api.post(f"/findings/{shop_wiring['id']}/close", "west", json={}), 403)
    closed_out = ok(api.post(f"/findings/{shop_wiring['id']}/close", "east", json={"note": "验收合格"},
                             day="2026-04-05"), 201)
    assert closed_out["finding"]["status"] == "closed" and closed_out["finding"]["closed_on"] == "2026-04-05"
    assert closed_out["case"]["outcome"] == "rectified_after_warning"
    assert inbox(api, "east", "completed", "2026-04-05") == [assignment["id"]]
    assert ok(api.get(f"/units/{units['shop']}", "east", day="2026-04-05"))["risk_color"] == "green"

    # The absent market: escalated to enforcement, fined, then rectified under a 交办单.
    ok(api.post(f"/cases/{market['case_id']}/escalate", "office",
                json={"reason": "未参加警示约谈", "to_stage": "enforcement"}, day="2026-03-20"))
    joint = ok(api.post(f"/cases/{market['case_id']}/enforcement", "office", json={
        "action": "joint_enforcement", "departments": ["LX-SCJG", "LX-XF"], "note": "联合检查"}, day="2026-03-25"), 201)
    assert joint["departments"] == ["LX-SCJG", "LX-XF"] and joint["unit_status"] == "operating"
    refused(api.post(f"/cases/{market['case_id']}/enforcement", "office",
                     json={"action": "fine", "departments": ["LX-SCJG"]}), 400, field="amount")
    fine = ok(api.post(f"/cases/{market['case_id']}/enforcement", "office", json={
        "action": "fine", "departments": ["LX-SCJG"], "amount": "5000.00", "decision_no": "兰市监罚〔2026〕8号"},
        day="2026-03-26"), 201)
    assert fine["amount"] == "5000.00"
    food = ok(api.post(f"/cases/{market['case_id']}/assignments", "office", json={"regulator_code": "LX-SCJG"},
                       day="2026-03-26"), 201)
    assert food["deadline"] == "2026-04-10"  # fifteen days by default
    market_food = market["findings"][0]["id"]
    ok(api.post(f"/findings/{market_food}/rectification", "inspector", json={"note": "冷库已整改"}, day="2026-04-08"),
       201)
    ok(api.post(f"/findings/{market_food}/sign-off", "market", json={"approved": True}, day="2026-04-09"), 201)
    done = ok(api.post(f"/findings/{market_food}/close", "east", json={}, day="2026-04-09"), 201)
    assert done["case"]["outcome"] == "rectified_after_enforcement"

    # The hostel: round 2, a failed follow-up, a ban.
    round_two = ok(api.post("/interview-rounds", "office", json={
        "held_at": "2026-03-26T09:00", "venue": "兰溪市平安警示教育站", "convened_by": "LX-PAB",
        "departments": ["LX-XF"], "case_ids": [hostel["case_id"]], "participants": 8}, day="2026-03-25"), 201)
    assert round_two["number"] == 2 and round_two["held_at"] == "2026-03-26T09:00:00+08:00"
    ok(api.post(f"/interview-rounds/{round_two['id']}/attendance", "office",
                json={"case_id": hostel["case_id"], "attended": True, "attendee_name": "郑五"}, day="2026-03-26"))
    follow_up = inspect(api, units["hostel"], "2026-04-20", kind="follow_up",
                        verified=[(hostel["findings"][0]["id"], False)])
    assert follow_up["case"]["stage"] == "enforcement"
    ban = ok(api.post(f"/cases/{hostel['case_id']}/enforcement", "office",
                      json={"action": "ban", "departments": ["LX-XF"]}, day="2026-05-12"), 201)
    assert (ban["case"]["outcome"], ban["unit_status"]) == ("banned", "banned")

    shutdown = ok(api.post(f"/cases/{depot['case_id']}/enforcement", "office",
                           json={"action": "shutdown", "departments": ["LX-YJ"], "decision_no": "兰应急关〔2026〕1号"},
                           day="2026-05-10"), 201)
    assert (shutdown["case"]["outcome"], shutdown["unit_status"]) == ("shut_down", "shut_down")
    assert ok(api.get(f"/units/{units['depot']}", "viewer"))["status"] == "shut_down"

    # 平安曝光: one submitted at once and approved by the office's head, one drafted and published later.
    published = ok(api.post("/exposures", "office", json={
        "title": "2026年第1期平安曝光", "items": [
            {"unit_id": units["shop"], "finding_ids": [shop_wiring["id"]]},
            {"unit_id": units["hostel"], "finding_ids": [hostel["findings"][0]["id"]]}]}, day="2026-05-15"), 201)
    assert published["status"] == "awaiting_approval"
    published = ok(api.post(f"/exposures/{published['id']}/approve", "head", day="2026-05-15"))
    assert published["status"] == "published" and published["published_on"] == "2026-05-15"
    draft = ok(api.post("/exposures", "office", json={
        "title": "2026年第2期平安曝光", "draft": True, "expires_on": "2026-12-31",
        "items": [{"unit_id": units["depot"], "finding_ids": [depot["findings"][0]["id"]]}]}, day="2026-05-20"), 201)
    assert draft["status"] == "draft"
    assert [item["id"] for item in ok(api.get("/exposures", "viewer"))["items"]] == [published["id"]]
    refused(api.get(f"/exposures/{draft['id']}", "viewer"), 403)
    ok(api.post(f"/exposures/{draft['id']}/submit", "office", day="2026-06-01"))
    ok(api.post(f"/exposures/{draft['id']}/approve", "head", day="2026-06-01"))
    refused(api.post(f"/exposures/{draft['id']}/approve", "head"), 409)
    assert [item["id"] for item in ok(api.get("/exposures", "viewer"))["items"]] == [draft["id"], published["id"]]

    # The year's cases, filtered as the office reads them.
    def case_ids(**query):
        return [case["id"] for case in ok(api.get("/cases", "office", query=query, day="2026-06-30"))["items"]]

    assert case_ids(status="open") == []
    assert case_ids(region="330781101") == [depot["case_id"], hostel["case_id"]]
    assert case_ids(region="330781001", status="closed") == [shop_case, market["case_id"], kiosk["case_id"],
                                                             school["case_id"]]
    assert case_ids(stage="enforcement") == [market["case_id"], depot["case_id"], hostel["case_id"]]
    outcomes = {case["id"]: case["outcome"] for case in ok(api.get("/cases", "viewer", query={"per_page": 200}))["items"]}
    assert outcomes == {shop_case: "rectified_after_warning", market["case_id"]: "rectified_after_enforcement",
                        kiosk["case_id"]: "withdrawn", school["case_id"]: "rectified_at_reminder",
                        depot["case_id"]: "shut_down", hostel["case_id"]: "banned"}
    history = case_of(api, shop_case)
    assert [event["action"] for event in history["events"] if event["action"].startswith("case.")] == \
        ["case.open", "case.fail_reinspection", "case.rectified_after_warning"]
    assert history["events"][0]["actor"] == "inspector"
    assert {document["kind"] for document in history["documents"]} == {"reminder", "summons", "assignment"}

    # Documents: the stored PDF, the public check, a revocation and a re-issue.
    reminder = history["documents"][0]
    pdf = api.get(f"/documents/{reminder['id']}/pdf", "east")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert pdf.headers["X-Document-SHA256"] == reminder["sha256"]
    token = reminder["verify_url"].rsplit("/", 1)[1]
    assert reminder["verify_url"].startswith("https://pingan.example.gov.cn/v/")
    check = ok(api.get(f"/verify/{token}"))
    assert (check["genuine"], check["number"], check["status"], check["unit_name"]) == \
        (True, "兰平安提〔2026〕1号", "closed_out", "某电子商务商行")
    assert ok(api.get(f"/verify/{token[:-2]}xx")) == {"genuine": False, **{key: None for key in check if key != "genuine"}}
    revoked = ok(api.post(f"/documents/{reminder['id']}/revoke", "office", json={"reason": "送达地址有误"},
                          day="2026-07-01"))
    assert revoked["status"] == "revoked" and revoked["revoke_reason"] == "送达地址有误"
    assert ok(api.get(f"/verify/{token}"))["status"] == "revoked"
    summons = history["documents"][1]
    reissued = ok(api.post(f"/documents/{summons['id']}/reissue", "office", json={"reason": "原件遗失"},
                           day="2026-07-02"), 201)
    assert (reissued["number"], reissued["version"], reissued["supersedes_id"]) == \
        (summons["number"], 2, summons["id"])
    assert ok(api.get(f"/documents/{summons['id']}", "viewer"))["status"] == "superseded"
    assert date.fromisoformat(reissued["issued_at"][:10]) == date(2026, 7, 2)
