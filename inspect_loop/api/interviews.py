"""Interview rounds (约谈轮次) at the warning-education station: convene, attendance, participants, minutes."""

from inspect_loop.api import lookups, scope
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.findings import unattached_photos
from inspect_loop.api.routing import route
from inspect_loop.api.serialize import latest_documents, round_out, summons_out
from inspect_loop.cases.models import Case
from inspect_loop.interviews.models import InterviewRound
from inspect_loop.interviews.operations import (
    attach_commitment,
    convene_round,
    record_attendance,
    record_minutes,
    set_participants,
)
from inspect_loop.letters.models import Document
from inspect_loop.users.permissions import Action


def visible_round(actor, interview_round: InterviewRound) -> out.RoundOut:
    """The round with the summonses of the cases the reader may see."""
    summonses = [summons for summons in interview_round.summonses if scope.can_see_case(actor, summons.case)]
    return round_out(interview_round, summonses)


@route("POST", "/interview-rounds", summary="组织约谈轮次（每个案件签发警示约谈通知书）",
       permission=Action.convene_round, body=inp.RoundIn, response=out.RoundOut, status=201)
def post_round(actor, body: inp.RoundIn):
    cases = []
    for index, case_id in enumerate(body.case_ids):
        case = lookups.get_or_404(Case, case_id, f"case_ids.{index}")
        scope.require_case(actor, case)
        cases.append(case)
    interview_round = convene_round(
        actor, held_at=body.held_at, venue=body.venue, venue_address=body.venue_address,
        convened_by=lookups.department(body.convened_by, "convened_by"),
        departments=lookups.departments(body.departments, "departments"), cases=cases,
        participants=body.participants)
    return visible_round(actor, interview_round)


@route("GET", "/interview-rounds/<int:round_id>", summary="约谈轮次详情", permission=Action.view_cases,
       response=out.RoundOut)
def get_round(actor, round_id: int):
    interview_round = lookups.get_or_404(InterviewRound, round_id, "round_id")
    scope.require_round(actor, interview_round)
    return visible_round(actor, interview_round)


@route("PATCH", "/interview-rounds/<int:round_id>", summary="更新参加人次", permission=Action.record_attendance,
       body=inp.RoundPatchIn, response=out.RoundOut)
def patch_round(actor, round_id: int, body: inp.RoundPatchIn):
    interview_round = lookups.get_or_404(InterviewRound, round_id, "round_id")
    return visible_round(actor, set_participants(actor, interview_round, body.participants))


@route("POST", "/interview-rounds/<int:round_id>/attendance", summary="登记约谈到场情况",
       permission=Action.record_attendance, body=inp.AttendanceIn, response=out.SummonsOut)
def post_attendance(actor, round_id: int, body: inp.AttendanceIn):
    interview_round = lookups.get_or_404(InterviewRound, round_id, "round_id")
    case = lookups.get_or_404(Case, body.case_id, "case_id")
    scope.require_case(actor, case)
    summons = record_attendance(actor, interview_round, case, attended=body.attended,
                                attendee_name=body.attendee_name, attendee_title=body.attendee_title,
                                note=body.note)
    return summons_out(summons, latest_documents(Document.summons_id, [summons.id]).get(summons.id))


@route("POST", "/interview-rounds/<int:round_id>/minutes", summary="填写约谈记录（到场单位说明的情况和承诺；修改须说明原因）",
       permission=Action.record_attendance, body=inp.MinutesIn, response=out.SummonsOut)
def post_minutes(actor, round_id: int, body: inp.MinutesIn):
    interview_round = lookups.get_or_404(InterviewRound, round_id, "round_id")
    case = lookups.get_or_404(Case, body.case_id, "case_id")
    scope.require_case(actor, case)
    summons = record_minutes(actor, interview_round, case, body.minutes, reason=body.reason)
    return summons_out(summons, latest_documents(Document.summons_id, [summons.id]).get(summons.id))


@route("POST", "/interview-rounds/<int:round_id>/commitments", summary="上传单位签订的责任书（承诺书）各页照片",
       permission=Action.record_attendance, body=inp.CommitmentIn, response=out.SummonsOut)
def post_commitments(actor, round_id: int, body: inp.CommitmentIn):
    interview_round = lookups.get_or_404(InterviewRound, round_id, "round_id")
    case = lookups.get_or_404(Case, body.case_id, "case_id")
    scope.require_case(actor, case)
    summons = attach_commitment(actor, interview_round, case, unattached_photos(actor, body.photos))
    return summons_out(summons, latest_documents(Document.summons_id, [summons.id]).get(summons.id))
