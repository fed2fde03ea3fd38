"""交办单: a recipient's inbox, one 交办单, and its receipt (签收) by a recipient department."""

from sqlalchemy import or_, select

from inspect_loop.api import lookups, scope
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.routing import route
from inspect_loop.api.serialize import (
    ASSIGNMENT_LOADING,
    assignment_out,
    assignment_status_expression,
    assignments_out,
    paginate,
)
from inspect_loop.assignments.models import Assignment
from inspect_loop.assignments.operations import receive_assignment
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
