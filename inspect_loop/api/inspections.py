"""Inspections (检查) recorded at the site, and the secret plans of unannounced visits (四不两直)."""

from inspect_loop.api import lookups, scope
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.findings import unattached_photos
from inspect_loop.api.routing import PLAN_READERS, route
from inspect_loop.api.serialize import inspection_out, paginate, plan_out
from inspect_loop.db import db
from inspect_loop.errors import InvalidInput, NotFound
from inspect_loop.inspections.models import Finding, InspectionPlan
from inspect_loop.inspections.operations import (
    NewFinding,
    VerificationResult,
    plan_inspection,
    record_inspection,
    visible_plans_query,
)
from inspect_loop.units.models import Unit
from inspect_loop.users.permissions import Action


@route("POST", "/inspections", summary="录入检查（发现问题、复查或回访核验）", permission=Action.record_inspection,
       body=inp.InspectionIn, response=out.InspectionOut, status=201)
def post_inspection(actor, body: inp.InspectionIn):
    unit = lookups.get_or_404(Unit, body.unit_id, "unit_id")
    scope.require_unit(actor, unit)
    findings = [NewFinding(lookups.hazard_type(item.hazard_code, f"findings.{index}.hazard_code"),
                           description=item.description, severity=item.severity,
                           photos=tuple(unattached_photos(actor, item.photos, f"findings.{index}.photos")),
                           on_the_spot=item.on_the_spot, rectification_note=item.rectification_note,
                           rectification_photos=tuple(unattached_photos(
                               actor, item.rectification_photos, f"findings.{index}.rectification_photos")))
                for index, item in enumerate(body.findings)]
    claimed = [photo.id for item in findings for photo in (*item.photos, *item.rectification_photos)]
    if len(claimed) != len(set(claimed)):
        raise InvalidInput("同一张照片不能用于两处", "The same photo cannot be used twice.", field="findings")
    verified = [VerificationResult(lookups.get_or_404(Finding, item.finding_id, f"verified.{index}.finding_id"),
                                   item.rectified)
                for index, item in enumerate(body.verified)]
    plan = None
    if body.plan_id is not None:
        # A plan the actor may not see is answered as unknown: its existence is itself secret.
        plan = db.session.scalar(visible_plans_query(actor).where(InspectionPlan.id == body.plan_id)) \
            if actor.role in PLAN_READERS.roles else None
        if plan is None:
            raise NotFound(f"暗访计划 {body.plan_id} 不存在", f"There is no unannounced inspection plan {body.plan_id}.",
                           field="plan_id")
    inspection = record_inspection(actor, unit, body.kind, findings=findings, verified=verified,
                                   team=lookups.users(body.team, "team"), notes=body.notes,
                                   latitude=body.latitude, longitude=body.longitude, plan=plan,
                                   submission_key=body.submission_key)
    return inspection_out(inspection)


@route("GET", "/inspection-plans", summary="暗访计划（仅暗访组本人和县级平安办可见）", permission=PLAN_READERS,
       query=inp.PlanQuery, response=out.Page[out.PlanOut])
def list_plans(actor, query: inp.PlanQuery):
    statement = visible_plans_query(actor)
    if query.status:
        statement = statement.where(InspectionPlan.status == query.status)
    return paginate(statement, query, lambda result: [plan_out(plan) for plan in result.scalars()], out.PlanOut)


@route("POST", "/inspection-plans", summary="制定暗访计划", permission=Action.plan_inspection, body=inp.PlanIn,
       response=out.PlanOut, status=201)
def post_plan(actor, body: inp.PlanIn):
    unit = lookups.get_or_404(Unit, body.unit_id, "unit_id")
    scope.require_unit(actor, unit)
    plan = plan_inspection(actor, unit, body.planned_on, lookups.users(body.team, "team"), notes=body.notes)
    return plan_out(plan)
