"""Convening interview rounds, summoning warning-stage cases, recording attendance, participants and what each
unit said and agreed (约谈记录)."""

from datetime import datetime

from sqlalchemy import func, select

from inspect_loop import clock
from inspect_loop.audit.events import (
    Absent,
    Attended,
    CommitmentUploaded,
    MinutesRecorded,
    ParticipantsRecorded,
    RoundConvened,
    Summoned,
)
from inspect_loop.audit.log import record_event
from inspect_loop.cases import policy
from inspect_loop.cases.models import Case
from inspect_loop.db import db, lock
from inspect_loop.errors import Conflict, Forbidden, InvalidInput, NotFound
from inspect_loop.inspections.models import Photo
from inspect_loop.interviews.models import InterviewRound, Summons
from inspect_loop.regions.models import Department, RegionLevel
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, require, require_in_county

VENUE_ADDRESS_MAX = InterviewRound.venue_address.type.length
MINUTES_MAX = 5000  # a page or two of 约谈记录
COMMITMENT_PAGES_MAX = 20  # the pages of one unit's signed 责任书/承诺书


def convene_round(actor: User, *, held_at: datetime, venue: str, convened_by: Department,
                  departments: list[Department], cases: list[Case], participants: int = 0,
                  venue_address: str = "") -> InterviewRound:
    """A round at ``venue`` (its ``venue_address`` printed in each summons), with a summons per case."""
    require(actor, Action.convene_round)
    if not convened_by.is_county_office:
        raise InvalidInput("约谈须由县（市、区）平安办召集", "A warning interview is convened by a County Safety Office.",
                           field="convened_by")
    if not (venue or "").strip():
        raise InvalidInput("请填写约谈地点", "Give the place of the interview.", field="venue")
    venue_address = (venue_address or "").strip()
    if len(venue_address) > VENUE_ADDRESS_MAX:
        raise InvalidInput(f"约谈地点地址不能超过{VENUE_ADDRESS_MAX}个字",
                           f"The address of the place may have at most {VENUE_ADDRESS_MAX} characters.", field="venue_address")
    if not cases:
        raise InvalidInput("请至少选择一个约谈对象", "Choose at least one unit to summon.", field="case_ids")
    if participants < 0:
        raise InvalidInput("参加人次不能为负数", "The number of attendances cannot be negative.", field="participants")
    if len({case.id for case in cases}) != len(cases):
        raise InvalidInput("约谈对象重复", "A unit is chosen twice.", field="case_ids")
    _check_one_county(actor, convened_by, departments, cases)
    # The office's lock numbers its rounds one after the other; the units' locks keep a case from being
    # summoned twice at once.
    lock(convened_by, *(case.unit for case in cases))
    for case in cases:
        policy.check_summonable(case)

    held_at = clock.to_utc(held_at)
    held_on = clock.local_date(held_at)
    year = held_on.year
    last = db.session.scalar(select(func.max(InterviewRound.number)).where(
        InterviewRound.convened_by_id == convened_by.id, InterviewRound.year == year))
    interview_round = InterviewRound(number=(last or 0) + 1, year=year, convened_by=convened_by,
                                     convened_by_id=convened_by.id, held_at=held_at, held_on=held_on,
                                     venue=venue.strip(), venue_address=venue_address, participants=participants,
                                     created_at=clock.now(),
                                     created_by_id=actor.id)
    interview_round.departments = list(dict.fromkeys(departments))
    db.session.add(interview_round)
    db.session.flush()
    for case in cases:
        summons = Summons(round=interview_round, round_id=interview_round.id, case=case, case_id=case.id,
                          unit_id=case.unit_id)
        db.session.add(summons)
        db.session.flush()
        record_event(actor, Summoned(case_id=case.id, unit_id=case.unit_id, round_id=interview_round.id), summons)
    # A subscriber issues the 约谈通知书 of every summons, rendered side by side (letters/notices.py).
    record_event(actor, RoundConvened(number=interview_round.number, held_on=held_on,
                                      cases=[case.id for case in cases]), interview_round)
    return interview_round


def _check_one_county(actor: User, convened_by: Department, departments: list[Department],
                      cases: list[Case]) -> None:
    """A round is the county's: its office convenes it, for the county's units, with the county's departments."""
    county = convened_by.region
    require_in_county(actor, county.id)
    for case in cases:
        if case.unit.county_id != county.id:
            raise Forbidden(f"“{case.unit.name}”不在{county.name}，不能由{convened_by.name}约谈",
                            f"“{case.unit.name}” lies outside {county.name}, so {convened_by.name} cannot "
                            "summon it.", field="case_ids")
    for department in departments:
        if department.region.ancestor(RegionLevel.county) != county:
            raise InvalidInput(f"{department.name}不是{county.name}的部门", f"{department.name} is not a "
                               f"department of {county.name}.", field="departments")


def require_round_in_county(actor: User, interview_round: InterviewRound) -> None:
    """A county office acts only on its own county's rounds."""
    require_in_county(actor, interview_round.convened_by.region.ancestor(RegionLevel.county).id)


def record_attendance(actor: User, interview_round: InterviewRound, case: Case, *, attended: bool,
                      attendee_name: str | None = None, attendee_title: str | None = None,
                      note: str | None = None) -> Summons:
    require(actor, Action.record_attendance)
    require_round_in_county(actor, interview_round)
    lock(interview_round, case.unit)
    summons = _summons_of(interview_round, case)
    if clock.now() < interview_round.held_at:
        # Attendance is a fact of the interview: typed in before the round's time it would be a guess, and the
        # case history on paper would date an interview that has not taken place.
        held = clock.local_datetime(interview_round.held_at)
        raise Conflict(f"约谈尚未开始（{held:%Y-%m-%d %H:%M}），约谈开始后才能登记到场情况",
                       f"The interview has not begun yet ({held:%Y-%m-%d %H:%M}); attendance can be recorded once it "
                       "has.",
                       field="case_id", current={"round_id": interview_round.id, "held_at": held.isoformat()})
    if attended and not (attendee_name or "").strip():
        raise InvalidInput("请填写到场人员姓名", "Give the name of the person who attended.", field="attendee_name")
    if not attended and summons.minutes is not None:
        raise Conflict(f"“{case.unit.name}”已有约谈记录，不能改为缺席",
                       f"The interview of “{case.unit.name}” has its minutes recorded, so it cannot be changed to absent.",
                       field="attended")
    summons.attended = attended
    summons.attendee_name = (attendee_name or "").strip() or None if attended else None
    summons.attendee_title = (attendee_title or "").strip() or None if attended else None
    summons.note = (note or "").strip() or None
    summons.recorded_at = clock.now()
    db.session.flush()
    schema = Attended if attended else Absent
    record_event(actor, schema(case_id=case.id, unit_id=case.unit_id, round_id=interview_round.id), summons)
    return summons


def set_participants(actor: User, interview_round: InterviewRound, participants: int) -> InterviewRound:
    require(actor, Action.record_attendance)
    require_round_in_county(actor, interview_round)
    if participants < 0:
        raise InvalidInput("参加人次不能为负数", "The number of attendances cannot be negative.", field="participants")
    lock(interview_round)
    interview_round.participants = participants
    db.session.flush()
    record_event(actor, ParticipantsRecorded(participants=participants), interview_round)
    return interview_round


def record_minutes(actor: User, interview_round: InterviewRound, case: Case, minutes: str, *,
                   reason: str | None = None) -> Summons:
    """约谈记录 of a unit that attended: what was said and agreed. Recorded once; a later correction gives a reason
    and the event keeps what it said before."""
    require(actor, Action.record_attendance)
    require_round_in_county(actor, interview_round)
    minutes = (minutes or "").strip()
    if not minutes:
        raise InvalidInput("请填写约谈记录", "Write down what was said and agreed at the interview.", field="minutes")
    if len(minutes) > MINUTES_MAX:
        raise InvalidInput(f"约谈记录不能超过{MINUTES_MAX}个字", f"The minutes may have at most {MINUTES_MAX} characters.",
                           field="minutes")
    reason = (reason or "").strip()
    lock(interview_round, case.unit)
    summons = _summons_of(interview_round, case)
    if summons.attended is not True:
        raise Conflict(f"“{case.unit.name}”未登记到场，请先登记到场再填写约谈记录",
                       f"“{case.unit.name}” is not recorded as attending: record its attendance before the minutes.",
                       field="case_id")
    if summons.minutes is not None and not reason:
        # Two people writing the first minutes at once: the second would silently replace the first.
        raise Conflict(f"“{case.unit.name}”的约谈记录已填写，修改须说明原因",
                       f"The minutes of “{case.unit.name}” are already recorded; give a reason to correct them.",
                       field="reason", current={"minutes": summons.minutes})
    previous = summons.minutes
    summons.minutes = minutes
    summons.minutes_recorded_at = clock.now()
    summons.minutes_recorded_by_id = actor.id
    db.session.flush()
    record_event(actor, MinutesRecorded(case_id=case.id, unit_id=case.unit_id, round_id=interview_round.id,
                                        minutes=minutes, previous=previous, reason=reason[:1000] or None), summons)
    return summons


def attach_commitment(actor: User, interview_round: InterviewRound, case: Case, pages: list[Photo]) -> Summons:
    """The unit's signed 责任书/承诺书, handed in at its interview: its pages (the actor's own uploads, validated
    and re-encoded as every photo is, ``web/uploads.py``) are kept with the unit's summons."""
    require(actor, Action.record_attendance)
    require_round_in_county(actor, interview_round)
    if not pages:
        raise InvalidInput("请上传责任书或承诺书的照片", "Upload a photo of the signed pledge.", field="photos")
    if len(pages) > COMMITMENT_PAGES_MAX:
        raise InvalidInput(f"一次最多上传{COMMITMENT_PAGES_MAX}页", f"Upload at most {COMMITMENT_PAGES_MAX} pages at once.",
                           field="photos")
    lock(interview_round, case.unit)
    summons = _summons_of(interview_round, case)
    if summons.attended is not True:
        raise Conflict(f"“{case.unit.name}”未登记到场，请先登记到场再上传责任书",
                       f"“{case.unit.name}” is not recorded as attending: record its attendance before its pledge.",
                       field="case_id")
    for page in pages:
        page.summons_id = summons.id
    db.session.flush()
    record_event(actor, CommitmentUploaded(case_id=case.id, unit_id=case.unit_id, round_id=interview_round.id,
                                           photos=[page.id for page in pages]), summons)
    return summons


def _summons_of(interview_round: InterviewRound, case: Case) -> Summons:
    summons = db.session.scalar(select(Summons).where(Summons.round_id == interview_round.id,
                                                      Summons.case_id == case.id))
    if summons is None:
        raise NotFound(f"“{case.unit.name}”不在第{interview_round.number}轮约谈名单中",
                       f"“{case.unit.name}” was not summoned to interview round {interview_round.number}.", field="case_id")
    return summons
