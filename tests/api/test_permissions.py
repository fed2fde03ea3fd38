"""Every role × every route: allowed exactly where docs/permissions.md (the matrix) says, refused (403) elsewhere.

For each route and each role a fresh matter is prepared through the domain (in the acting user's scope: an
east-township unit, a 消防 finding for the 消防 regulator), then the role's user calls the route once. An
allowed role must get the route's success status, a refused one 403; the matter is fresh each time, so one
role's success cannot turn into another's conflict.
"""

from datetime import date, datetime
from itertools import count

import pytest
from sqlalchemy import select

from inspect_loop import clock
from inspect_loop.api.docs import PERMISSIONS_FILE, permissions_markdown
from inspect_loop.api.routing import ROUTES
from inspect_loop.assignments.operations import issue_assignment, sign_off
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Stage
from inspect_loop.clock import LOCAL_TZ
from inspect_loop.deadline_extensions.operations import request_extension
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.enforcement.operations import record_enforcement
from inspect_loop.exposures.operations import ExposedPlace, create_exposure
from inspect_loop.inspections.models import Photo
from inspect_loop.inspections.operations import report_rectification
from inspect_loop.interviews.models import TrainingKind
from inspect_loop.interviews.operations import convene_round, record_attendance
from inspect_loop.interviews.training import TrainingFacts, record_training
from inspect_loop.letters.models import Document, ServiceMethod
from inspect_loop.letters.service import ServiceDetails, record_service
from inspect_loop.regions.models import ExtensionDecider
from inspect_loop.units.operations import create_unit
from inspect_loop.users.models import Role
from inspect_loop.users.permissions import MATRIX, Action
from tests.api.conftest import ROLE_USERS
from tests.factories import inspect, published_exposure
from tests.helpers import at

DAY = "2026-03-02"
LATER = "2026-03-20"
serial = count(1)


@pytest.fixture(autouse=True)
def quick_letters(monkeypatch):
    """Permissions, not typesetting, are under test here: documents get a stand-in PDF."""
    monkeypatch.setattr("inspect_loop.letters.issuing.render_letter", lambda kind, context: b"%PDF-1.7 stand-in")


class World:
    """Fresh matters in the acting user's scope, made through the domain and committed."""

    def __init__(self, county, database):
        self.county = county
        self.database = database
        self.role = None  # the role about to call the route

    def extension(self):
        """A pending extension request decided by the acting user's office: the regulators decide when the
        acting user is one (the county's setting), else the county office."""
        county = self.county
        decider = ExtensionDecider.regulator if self.role == Role.regulator else ExtensionDecider.county_office
        county.county.extension_decider = decider
        finding = self.case().findings[0]
        with at(DAY):
            return request_extension(county.users.east, finding.case, findings=[finding], reason="采购周期长",
                                     requested_deadline=date(2026, 4, 30))

    def unit(self):
        county = self.county
        return create_unit(county.users.admin, name=f"兰江测试单位{next(serial)}", region=county.east,
                           address="兰江街道", category="商铺")

    def unit_registered_before(self):
        """A unit registered on DAY, so that a decision dated LATER is not before its registration."""
        with at(DAY):
            return self.unit()

    def suspended_unit(self):
        """A unit suspended (责令停业整顿) on DAY at 三次执法."""
        case = self.case(Stage.enforcement)
        with at(DAY, 16):
            record_enforcement(self.county.users.office, case, ActionKind.suspend, departments=[self.county.market])
        return case.unit

    def case(self, stage=Stage.reminder, code="XF-01"):
        county = self.county
        with at(DAY):
            case = inspect(county, self.unit(), code).findings[0].case
            if stage != Stage.reminder:
                ladder.escalate(case, county.users.office, "测试升级", to_stage=stage)
        return case

    def reported_finding(self, signed=False):
        county = self.county
        finding = self.case(Stage.warning).findings[0]
        with at(LATER):
            report_rectification(county.users.east, finding, "已整改")
            if signed:
                sign_off(county.users.fire, finding, approved=True)
        return finding

    def reported_on_assignment(self, signed=False):
        """A 交办单 and its finding reported rectified (and signed off): the path and body of a batch."""
        county = self.county
        case = self.case(Stage.warning)
        finding = case.findings[0]
        with at(LATER):
            assignment = issue_assignment(county.users.office, case, county.fire)
            report_rectification(county.users.east, finding, "已整改")
            if signed:
                sign_off(county.users.fire, finding, approved=True)
        return f"/assignments/{assignment.id}/{'close-outs' if signed else 'sign-offs'}", {"finding_ids": [finding.id]}

    def round(self):
        county = self.county
        # Held in the morning of the requests' day (they come at 11:00): attendance can be recorded by then.
        with at(LATER, 8):
            return convene_round(county.users.office, held_at=datetime(2026, 3, 20, 9, 0, tzinfo=LOCAL_TZ),
                                 venue="警示教育站", convened_by=county.office, departments=[county.fire],
                                 cases=[self.case(Stage.warning)])

    def attended_round(self):
        """A round whose one unit attended: the path and body of its minutes."""
        held = self.round()
        summons = held.summonses[0]
        with at(LATER, 9):
            record_attendance(self.county.users.office, held, summons.case, attended=True, attendee_name="李四")
        return f"/interview-rounds/{held.id}/minutes", {"case_id": summons.case_id, "minutes": "承诺签订安全责任书"}

    def pledge(self):
        """An attended round and a page of the pledge uploaded by the acting user: the path and body."""
        path, body = self.attended_round()
        user = getattr(self.county.users, ROLE_USERS[self.role])
        with at(LATER, 10):
            page = Photo(sha256=f"{next(serial):064x}", content_type="image/jpeg", size=1, width=1, height=1,
                         uploaded_at=clock.now(), uploaded_by_id=user.id)
            self.database.session.add(page)
            self.database.session.flush()
        return path.replace("/minutes", "/commitments"), {"case_id": body["case_id"], "photos": [page.id]}

    def training(self):
        with at(DAY):
            return record_training(self.county.users.office, self.county.county, TrainingFacts(
                held_on=date.fromisoformat(DAY), kind=TrainingKind.voluntary, topic="消防安全培训", person_times=30))

    def assignment(self):
        with at(LATER):
            return issue_assignment(self.county.users.office, self.case(Stage.warning), self.county.fire)

    def document(self):
        case = self.case()
        return self.database.session.scalar(select(Document).where(Document.case_id == case.id))

    def served_document(self):
        document = self.document()
        with at(LATER):
            record_service(self.county.users.office, document, ServiceDetails(
                method=ServiceMethod.direct, served_on=date.fromisoformat(LATER), place="兰江街道", receiver="张三"))
        return document

    def banned_unit(self):
        """A unit banned in August 2025: on the 重点监管名单, its clean period run by the requests' day."""
        county = self.county
        with at("2025-08-01"):
            case = inspect(county, self.unit(), "XF-01").findings[0].case
            ladder.escalate(case, county.users.office, "测试升级", to_stage=Stage.enforcement)
            record_enforcement(county.users.office, case, ActionKind.ban, departments=[county.fire])
        return case.unit

    def exposure(self, state):
        """A draft or a published exposure; or one awaiting approval, written by the head so that the county
        office's user acting for its role is a second person who may approve it."""
        case = self.case()
        items = [ExposedPlace(case.unit, list(case.findings))]
        with at(LATER):
            if state == "published":
                return published_exposure(self.county, title="平安曝光", items=items)
            author = self.county.users.head if state == "submitted" else self.county.users.office
            return create_exposure(author, title="平安曝光", draft=state == "draft", items=items)


def unique_code():
    return f"T{next(serial):04d}"


# endpoint → (world → (path, json body or None)); paths relative to /api/v1.
PREPARE = {
    "post_region": lambda w: ("/regions", {"code": unique_code(), "name": "测试县", "level": "county"}),
    "post_department": lambda w: ("/departments", {"code": unique_code(), "name": "测试局", "kind": "regulator",
                                                   "region_code": "330781", "sectors": ["消防"]}),
    "post_hazard_type": lambda w: ("/hazard-types", {"code": unique_code(), "category": "消防安全", "title": "测试",
                                                     "sector": "消防", "severity": "general", "rectify_days": 7}),
    "list_hazard_types": lambda w: ("/hazard-types", None),
    "patch_region": lambda w: ("/regions/330781001", {"name": "兰江街道"}),
    "patch_department": lambda w: ("/departments/LX-SCJG", {"name": "兰溪市市场监督管理局", "doc_prefix": "兰市监"}),
    "patch_hazard_type": lambda w: ("/hazard-types/SP-01", {"title": "食品原料储存不规范", "rectify_days": 10}),
    "post_unit": lambda w: ("/units", {"name": "新单位", "address": "兰江街道", "region_code": "330781001",
                                       "category": "商铺"}),
    "list_units": lambda w: ("/units", None),
    "get_unit": lambda w: (f"/units/{w.unit().id}", None),
    "patch_unit": lambda w: (f"/units/{w.unit().id}", {"contact_name": "李四", "contact_phone": "0579-88001234"}),
    "post_resume": lambda w: (f"/units/{w.suspended_unit().id}/resume",
                              {"decision": "兰平安复〔2026〕1号：整改到位，准予复业", "resumed_on": LATER}),
    "post_deregister": lambda w: (f"/units/{w.unit_registered_before().id}/deregister",
                                  {"reason": "营业执照已注销", "deregistered_on": LATER}),
    "post_inspection": lambda w: ("/inspections", {"unit_id": w.unit().id, "kind": "unannounced",
                                                   "findings": [{"hazard_code": "XF-01"}]}),
    "list_plans": lambda w: ("/inspection-plans", None),
    "post_plan": lambda w: ("/inspection-plans", {"unit_id": w.unit().id, "planned_on": "2026-03-05",
                                                  "team": ["inspector"]}),
    "list_cases": lambda w: ("/cases", None),
    "get_case": lambda w: (f"/cases/{w.case().id}", None),
    "escalate_case": lambda w: (f"/cases/{w.case().id}/escalate", {"reason": "逾期未整改"}),
    "withdraw_case": lambda w: (f"/cases/{w.case().id}/withdraw", {"reason": "录入错误"}),
    "post_assignment": lambda w: (f"/cases/{w.case(Stage.warning).id}/assignments", {"regulator_code": "LX-XF"}),
    "post_enforcement": lambda w: (f"/cases/{w.case(Stage.enforcement).id}/enforcement",
                                   {"action": "joint_enforcement", "departments": ["LX-XF"]}),
    "post_referral_feedback": lambda w: (f"/cases/{w.case(Stage.enforcement).id}/referral-feedback", {
        "department_code": "LX-XF", "action_taken": "已立案查处", "done_on": LATER}),
    "post_round": lambda w: ("/interview-rounds", {"held_at": "2026-03-25T14:30:00+08:00", "venue": "警示教育站",
                                                   "convened_by": "LX-PAB", "departments": ["LX-XF"],
                                                   "case_ids": [w.case(Stage.warning).id]}),
    "get_round": lambda w: (f"/interview-rounds/{w.round().id}", None),
    "patch_round": lambda w: (f"/interview-rounds/{w.round().id}", {"participants": 9}),
    "post_attendance": lambda w: (lambda held: (f"/interview-rounds/{held.id}/attendance",
                                                {"case_id": held.summonses[0].case_id, "attended": True,
                                                 "attendee_name": "李四"}))(w.round()),
    "post_minutes": lambda w: w.attended_round(),
    "post_commitments": lambda w: w.pledge(),
    "post_training": lambda w: ("/training-sessions", {"held_on": DAY, "kind": "live_stream", "topic": "消防安全直播",
                                                       "person_times": 800, "county_code": "330781"}),
    "list_training": lambda w: ("/training-sessions", None),
    "get_training": lambda w: (f"/training-sessions/{w.training().id}", None),
    "put_training": lambda w: (f"/training-sessions/{w.training().id}", {
        "held_on": DAY, "kind": "voluntary", "topic": "消防安全培训", "person_times": 31}),
    "list_assignments": lambda w: ("/assignments", None),
    "get_assignment": lambda w: (f"/assignments/{w.assignment().id}", None),
    "post_receipt": lambda w: (f"/assignments/{w.assignment().id}/receipt", None),
    "get_finding": lambda w: (f"/findings/{w.case().findings[0].id}", None),
    "post_rectification": lambda w: (f"/findings/{w.case().findings[0].id}/rectification", {"note": "已整改"}),
    "post_sign_off": lambda w: (f"/findings/{w.reported_finding().id}/sign-off", {"approved": True}),
    "post_sign_offs": lambda w: w.reported_on_assignment(),
    "post_close_outs": lambda w: w.reported_on_assignment(signed=True),
    "post_close": lambda w: (f"/findings/{w.reported_finding(signed=True).id}/close", {"note": "验收合格"}),
    "post_exposure": lambda w: (lambda case: ("/exposures", {"title": "平安曝光", "items": [
        {"unit_id": case.unit_id, "finding_ids": [case.findings[0].id]}]}))(w.case()),
    "post_submit": lambda w: (f"/exposures/{w.exposure('draft').id}/submit", None),
    "post_approve": lambda w: (f"/exposures/{w.exposure('submitted').id}/approve", None),
    "post_return": lambda w: (f"/exposures/{w.exposure('submitted').id}/return", {"reason": "问题描述不准确"}),
    "list_exposures": lambda w: ("/exposures", None),
    "get_exposure": lambda w: (f"/exposures/{w.exposure('published').id}", None),
    "put_exposure": lambda w: (lambda draft: (f"/exposures/{draft.id}", {"title": "平安曝光（修改）", "items": [
        {"unit_id": draft.items[0].unit_id, "finding_ids": [draft.items[0].findings[0].id]}]}))(w.exposure('draft')),
    "delete_exposure": lambda w: (f"/exposures/{w.exposure('draft').id}", None),
    "post_expiry": lambda w: (f"/exposures/{w.exposure('published').id}/expiry", {"expires_on": "2026-12-31"}),
    "post_take_down": lambda w: (f"/exposures/{w.exposure('published').id}/take-down", {"reason": "已整改完毕"}),
    "get_document": lambda w: (f"/documents/{w.document().id}", None),
    "get_document_pdf": lambda w: (f"/documents/{w.document().id}/pdf", None),
    "revoke_document": lambda w: (f"/documents/{w.document().id}/revoke", {"reason": "内容有误"}),
    "reissue_document": lambda w: (f"/documents/{w.document().id}/reissue", {"reason": "原件遗失"}),
    "list_documents": lambda w: ("/documents?served=false", None),
    "post_service": lambda w: (f"/documents/{w.document().id}/service", {
        "method": "direct", "served_on": LATER, "place": "兰江街道", "receiver": "张三"}),
    "correct_service": lambda w: (f"/documents/{w.served_document().id}/service/correction", {
        "method": "direct", "served_on": LATER, "place": "兰江街道", "receiver": "张三丰", "reason": "姓名写错"}),
    "post_extension": lambda w: (lambda finding: ("/extensions", {
        "case_id": finding.case_id, "finding_ids": [finding.id], "requested_deadline": "2026-04-30",
        "reason": "采购周期长"}))(w.case().findings[0]),
    "list_extensions": lambda w: ("/extensions?status=pending", None),
    "get_extension": lambda w: (f"/extensions/{w.extension().id}", None),
    "post_extension_decision": lambda w: (f"/extensions/{w.extension().id}/decision", {"approved": True}),
    "get_extension_decider": lambda w: ("/regions/330781/extension-decider", None),
    "put_extension_decider": lambda w: ("/regions/330781/extension-decider", {"decider": "regulator"}),
    "get_watch_list": lambda w: ("/watch-list", None),
    "post_watch_list_exit": lambda w: (f"/units/{w.banned_unit().id}/watch-list/exit", {"note": "半年无新问题"}),
    "get_history_rules": lambda w: ("/regions/330781/history-rules", None),
    "put_history_rules": lambda w: ("/regions/330781/history-rules", {"recurrence_opens_at_warning": False,
                                                                      "watch_list_clean_months": 12}),
    "get_me": lambda w: ("/me", None),
    "verify_token": lambda w: (f"/verify/{w.document().id}.forged", None),
    "get_openapi": lambda w: ("/openapi.json", None),
    "stats_summary": lambda w: ("/stats/summary?from=2026-01-01", None),
    "stats_townships": lambda w: ("/stats/townships?month=2026-03", None),
    "stats_trend": lambda w: ("/stats/trend", None),
    "stats_categories": lambda w: ("/stats/categories", None),
    "stats_sectors": lambda w: ("/stats/sectors", None),
    "stats_risk": lambda w: ("/stats/risk", None),
    "stats_overdue": lambda w: ("/stats/overdue?limit=5", None),
}
ROUTE_IDS = [f"{route.method} {route.path}" for route in ROUTES]


def test_every_route_has_a_preparation():
    assert sorted(route.endpoint for route in ROUTES) == sorted(PREPARE)


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_each_role_is_allowed_or_refused_as_the_matrix_says(route, county, database, api):
    world = World(county, database)
    outcomes = {}
    for role, username in ROLE_USERS.items():
        world.role = role
        path, body = PREPARE[route.endpoint](world)
        database.session.commit()
        response = api.request(route.method, path, username, json=body, day=LATER, hour=11)
        outcomes[role] = response.status_code
        allowed = route.roles is None or role in route.roles
        expected = route.status if allowed else 403
        assert response.status_code == expected, (role, response.get_data(as_text=True)[:500])
        if not allowed:
            assert response.get_json()["error"]["code"] == "forbidden"
    assert set(outcomes) == set(Role)


def test_public_routes_need_no_token(county, database, api):
    world = World(county, database)
    for route in ROUTES:
        if route.permission is None:
            path, _ = PREPARE[route.endpoint](world)
            database.session.commit()
            assert api.request(route.method, path).status_code == route.status
    assert api.get("/me").status_code == 401


def test_permissions_document_is_generated_from_the_matrix():
    committed = PERMISSIONS_FILE.read_text(encoding="utf-8")
    assert committed == permissions_markdown(), \
        "docs/permissions.md is stale: run .venv/bin/python -m inspect_loop.api.docs"
    for action in Action:
        assert f"| `{action.value}` |" in committed
    for route in ROUTES:
        assert f"| {route.method} | `{route.path}` |" in committed


def test_the_matrix_table_marks_exactly_the_allowed_roles():
    """The generated table is read back: a ✓ for every allowed role, a — for every other."""
    rows = {line.split("|")[1].strip(" `"): [cell.strip() for cell in line.split("|")[3:-1]]
            for line in permissions_markdown().splitlines() if line.startswith("| `") and line.count("|") > 8}
    for action in Action:
        assert rows[action.value] == ["✓" if role in MATRIX[action] else "—" for role in Role]
