"""Cases (闭环) through the ladder: read, escalate, withdraw, 交办单 (双交办), enforcement."""

from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from inspect_loop import clock
from inspect_loop.api import lookups, scope
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.routing import route
from inspect_loop.api.serialize import (
    FINDING_LOADING,
    assignment_out,
    case_out,
    cases_out,
    enforcement_out,
    paginate,
    referral_feedback_out,
)
from inspect_loop.assignments.operations import issue_assignment
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Case
from inspect_loop.cases.queries import overdue_condition
from inspect_loop.enforcement.feedback import record_feedback
from inspect_loop.enforcement.operations import record_enforcement
from inspect_loop.errors import InvalidInput
from inspect_loop.inspections.models import Finding
from inspect_loop.regions.models import RegionLevel
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role
from inspect_loop.users.permissions import Action


def visible_case(actor, case_id: int) -> Case:
    case = lookups.get_or_404(Case, case_id, "case_id")
    scope.require_case(actor, case)
    return case


@route("GET", "/cases", summary="案件列表", permission=Action.view_cases, query=inp.CaseQuery,
       response=out.Page[out.CaseOut])
def list_cases(actor, query: inp.CaseQuery):
    statement = select(Case).join(Unit, Unit.id == Case.unit_id).where(scope.case_condition(actor))
    if query.stage:
        statement = statement.where(Case.stage == query.stage)
    if query.status:
        statement = statement.where(Case.status == query.status)
    if query.region:
        region = lookups.filter_region(query.region)
        column = Unit.county_id if region.level == RegionLevel.county else Unit.township_id
        statement = statement.where(column == region.id)
    if query.overdue:
        has_overdue = exists().where(Finding.case_id == Case.id, overdue_condition())
        statement = statement.where(has_overdue if query.overdue == "true" else ~has_overdue)
    if query.unit_id:
        statement = statement.where(Case.unit_id == query.unit_id)
    return paginate(statement.order_by(Case.id), query, lambda result: cases_out(list(result.scalars())),
                    out.CaseOut, options=(joinedload(Case.unit), *FINDING_LOADING))


@route("GET", "/cases/<int:case_id>", summary="案件详情：问题、文书、操作日志", permission=Action.view_cases,
       response=out.CaseOut)
def get_case(actor, case_id: int):
    return case_out(visible_case(actor, case_id))


@route("POST", "/cases/<int:case_id>/escalate", summary="手动升级（须填写理由）", permission=Action.escalate,
       body=inp.EscalateIn, response=out.CaseOut)
def escalate_case(actor, case_id: int, body: inp.EscalateIn):
    case = visible_case(actor, case_id)
    return case_out(ladder.escalate(case, actor, body.reason, to_stage=body.to_stage))


@route("POST", "/cases/<int:case_id>/withdraw", summary="撤销案件（须填写理由）", permission=Action.withdraw,
       body=inp.WithdrawIn, response=out.CaseOut)
def withdraw_case(actor, case_id: int, body: inp.WithdrawIn):
    case = visible_case(actor, case_id)
    return case_out(ladder.withdraw(case, actor, body.reason))


@route("POST", "/cases/<int:case_id>/assignments", summary="签发交办单（双交办）", permission=Action.issue_assignment,
       body=inp.AssignmentIn, response=out.AssignmentOut, status=201)
def post_assignment(actor, case_id: int, body: inp.AssignmentIn):
    case = visible_case(actor, case_id)
    regulator = lookups.department(body.regulator_code, "regulator_code")
    territorial = lookups.department(body.territorial_code, "territorial_code") if body.territorial_code else None
    findings = None
    if body.finding_ids is not None:
        findings = [lookups.get_or_404(Finding, finding_id, f"finding_ids.{index}")
                    for index, finding_id in enumerate(body.finding_ids)]
    assignment = issue_assignment(actor, case, regulator, territorial=territorial, findings=findings,
                                  deadline=body.deadline)
    return assignment_out(assignment, None)


@route("POST", "/cases/<int:case_id>/referral-feedback", summary="登记执法建议书办理反馈（主管部门或县级平安办代为登记）",
       permission=Action.record_referral_feedback, body=inp.ReferralFeedbackIn, response=out.ReferralFeedbackOut,
       status=201)
def post_referral_feedback(actor, case_id: int, body: inp.ReferralFeedbackIn):
    case = visible_case(actor, case_id)
    if body.department_code:
        department = lookups.department(body.department_code, "department_code")
    elif actor.role == Role.regulator and actor.department is not None:
        department = actor.department
    else:
        raise InvalidInput("请指明给出反馈的行业主管部门", "Name the sector regulator whose feedback this is.", field="department_code")
    row = record_feedback(actor, case, department, action_taken=body.action_taken, done_on=body.done_on,
                          reply_number=body.reply_number)
    return referral_feedback_out(row, clock.today())


@route("POST", "/cases/<int:case_id>/enforcement", summary="登记执法（三次执法阶段）",
       permission=Action.record_enforcement, body=inp.EnforcementIn, response=out.EnforcementOut, status=201)
def post_enforcement(actor, case_id: int, body: inp.EnforcementIn):
    case = visible_case(actor, case_id)
    action = record_enforcement(actor, case, body.action, departments=lookups.departments(body.departments,
                                                                                         "departments"),
                                decision_no=body.decision_no, amount=body.amount, note=body.note)
    return enforcement_out(action, case)
