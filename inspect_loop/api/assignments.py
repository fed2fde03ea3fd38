"""交办单: a recipient's inbox, one 交办单, its receipt (签收) by a recipient department, and the sign-off and
close-out of several of its findings in one request (all of them or none)."""

from sqlalchemy import or_, select

from inspect_loop.api import lookups, scope
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.findings import close_out_out, sign_off_out
from inspect_loop.api.routing import route
from inspect_loop.api.serialize import (
    ASSIGNMENT_LOADING,
    assignment_out,
    assignment_status_expression,
    assignments_out,
    paginate,
)
from inspect_loop.assignments.models import Assignment
from inspect_loop.assignments.operations import close_out_findings, receive_assignment, sign_off_findings
from inspect_loop.cases.models import Case
from inspect_loop.errors import Forbidden
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role
from inspect_loop.users.permissions import Action

RECIPIENT_ROLES = (Role.township_office, Role.regulator)


def own_recipient_department_id(actor) -> int | None:
    return actor.department_id if actor.role in RECIPIENT_ROLES else None


@route("GET", "/assignments", summary="交办单收件箱", permission=Action.view_cases, query=inp.AssignmentQuery,
       response=out.Page[out.AssignmentOut])
def list_assignments(actor, query: inp.AssignmentQuery):
    viewpoint = own_recipient_department_id(actor)
    statement = (select(Assignment).join(Case, Case.id == Assignment.case_id).join(Unit, Unit.id == Case.unit_id)
                 .where(scope.assignment_condition(actor)))
    if query.department:
        named = lookups.department(query.department, "department")
        if viewpoint is not None and named.id != viewpoint:
            raise Forbidden("只能查看发给本部门的交办单", "You may read only the assignment orders sent to your department.")
        viewpoint = named.id
        statement = statement.where(or_(Assignment.regulator_id == named.id, Assignment.territorial_id == named.id))
    status = assignment_status_expression(viewpoint)
    if query.status:
        statement = statement.where(status == query.status)
    statement = statement.add_columns(status).order_by(Assignment.id)
    return paginate(statement, query, lambda result: assignments_out([tuple(row) for row in result]),
                    out.AssignmentOut, options=ASSIGNMENT_LOADING)


@route("GET", "/assignments/<int:assignment_id>", summary="交办单详情", permission=Action.view_cases,
       response=out.AssignmentOut)
def get_assignment(actor, assignment_id: int):
    assignment = lookups.get_or_404(Assignment, assignment_id, "assignment_id")
    scope.require_assignment(actor, assignment)
    return assignment_out(assignment, own_recipient_department_id(actor))


@route("POST", "/assignments/<int:assignment_id>/receipt", summary="签收交办单（接收部门）",
       permission=Action.receive_assignment, response=out.AssignmentOut, status=201)
def post_receipt(actor, assignment_id: int):
    assignment = lookups.get_or_404(Assignment, assignment_id, "assignment_id")
    receive_assignment(actor, assignment)
    return assignment_out(assignment, actor.department_id)


@route("POST", "/assignments/<int:assignment_id>/sign-offs", summary="批量签认交办单上已报告整改的问题（全部或全不）",
       permission=Action.sign_off, body=inp.FindingsDecisionIn, response=out.SignOffsOut, status=201)
def post_sign_offs(actor, assignment_id: int, body: inp.FindingsDecisionIn):
    assignment = lookups.get_or_404(Assignment, assignment_id, "assignment_id")
    scope.require_assignment(actor, assignment)
    decisions = sign_off_findings(actor, assignment, body.finding_ids, note=body.note)
    return out.SignOffsOut(items=[sign_off_out(decision) for decision in decisions])


@route("POST", "/assignments/<int:assignment_id>/close-outs", summary="批量验收销号交办单上已签认的问题（全部或全不）",
       permission=Action.close_out, body=inp.FindingsDecisionIn, response=out.CloseOutsOut, status=201)
def post_close_outs(actor, assignment_id: int, body: inp.FindingsDecisionIn):
    assignment = lookups.get_or_404(Assignment, assignment_id, "assignment_id")
    scope.require_assignment(actor, assignment)
    records = close_out_findings(actor, assignment, body.finding_ids, note=body.note)
    return out.CloseOutsOut(items=[close_out_out(record) for record in records])
