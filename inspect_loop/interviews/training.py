"""警示教育 at the warning-education station outside the interview rounds: voluntary sessions (companies and
schools bring their people to learn, 研学) and live streams (线上直播), each with its person-times — those who came,
or those who watched. The county office records and corrects them; they count in 教育人次
(``docs/statistics.md``).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from inspect_loop import clock
from inspect_loop.audit.events import TrainingRecorded, TrainingUpdated
from inspect_loop.audit.log import record_event
from inspect_loop.db import db, lock
from inspect_loop.errors import InvalidInput
from inspect_loop.interviews.models import TrainingKind, TrainingSession
from inspect_loop.regions.models import Region, RegionLevel
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, require, require_in_county

TOPIC_MAX = TrainingSession.topic.type.length
ORGANISER_MAX = TrainingSession.organiser.type.length
PERSON_TIMES_MAX = 1_000_000  # a live stream of the whole county, many times over


@dataclass(frozen=True)
class TrainingFacts:
    """What a session is recorded with; ``township`` is the station's township, None for the county's own."""

    held_on: date
    kind: TrainingKind
    topic: str
    person_times: int
    organiser: str = ""
    township: Region | None = None


def record_training(actor: User, county: Region, facts: TrainingFacts) -> TrainingSession:
    require(actor, Action.record_training)
    _check_county(actor, county)
    facts = _checked(county, facts)
    session = TrainingSession(county_id=county.id, township_id=facts.township.id if facts.township else None,
                              held_on=facts.held_on, kind=facts.kind, topic=facts.topic, organiser=facts.organiser,
                              person_times=facts.person_times, created_at=clock.now(), created_by_id=actor.id)
    db.session.add(session)
    db.session.flush()
    record_event(actor, TrainingRecorded(held_on=session.held_on, kind=session.kind.value, topic=session.topic,
                                         person_times=session.person_times), session)
    return session


def update_training(actor: User, session: TrainingSession, facts: TrainingFacts) -> TrainingSession:
    """Correct a session's facts; the event keeps the ones it had."""
    require(actor, Action.record_training)
    _check_county(actor, session.county)
    facts = _checked(session.county, facts)
    lock(session)
    before = {"held_on": session.held_on.isoformat(), "kind": session.kind.value, "topic": session.topic,
              "organiser": session.organiser, "person_times": session.person_times,
              "township_id": session.township_id}
    session.held_on, session.kind, session.topic = facts.held_on, facts.kind, facts.topic
    session.organiser, session.person_times = facts.organiser, facts.person_times
    session.township_id = facts.township.id if facts.township else None
    session.updated_at = clock.now()
    db.session.flush()
    record_event(actor, TrainingUpdated(held_on=session.held_on, kind=session.kind.value, topic=session.topic,
                                        person_times=session.person_times, before=before), session)
    return session


def sessions(county_id: int | None, *, kind: TrainingKind | None = None, date_from: date | None = None,
             date_to: date | None = None) -> Select:
    """The county's sessions (every county's for None, the administrator), the latest first."""
    statement = select(TrainingSession).options(selectinload(TrainingSession.township))
    if county_id is not None:
        statement = statement.where(TrainingSession.county_id == county_id)
    if kind is not None:
        statement = statement.where(TrainingSession.kind == kind)
    if date_from is not None:
        statement = statement.where(TrainingSession.held_on >= date_from)
    if date_to is not None:
        statement = statement.where(TrainingSession.held_on <= date_to)
    return statement.order_by(TrainingSession.held_on.desc(), TrainingSession.id.desc())


def _check_county(actor: User, county: Region) -> None:
    if county.level != RegionLevel.county:
        raise InvalidInput("请选择县（市、区）", "Choose a county.", field="county_code")
    require_in_county(actor, county.id)


def _checked(county: Region, facts: TrainingFacts) -> TrainingFacts:
    topic = (facts.topic or "").strip()
    organiser = (facts.organiser or "").strip()
    if not topic:
        raise InvalidInput("请填写教育主题", "Give the topic of the session.", field="topic")
    if len(topic) > TOPIC_MAX:
        raise InvalidInput(f"教育主题不能超过{TOPIC_MAX}个字", f"The topic may have at most {TOPIC_MAX} characters.",
                           field="topic")
    if len(organiser) > ORGANISER_MAX:
        raise InvalidInput(f"组织单位不能超过{ORGANISER_MAX}个字",
                           f"The organiser may have at most {ORGANISER_MAX} characters.", field="organiser")
    if facts.held_on > clock.today():
        # Person-times are counted after the session: one in the future has none yet.
        raise InvalidInput("活动日期不能晚于今天，活动结束后再登记人次", "The date cannot be later than today: record a session "
                           "once it has taken place.", field="held_on")
    if not 1 <= facts.person_times <= PERSON_TIMES_MAX:
        raise InvalidInput(f"人次应为1至{PERSON_TIMES_MAX}之间的整数",
                           f"The person-times must be a whole number from 1 to {PERSON_TIMES_MAX}.", field="person_times")
    township = facts.township
    if township is not None and (township.level != RegionLevel.township or township.parent_id != county.id):
        raise InvalidInput(f"{township.name}不是{county.name}的乡镇（街道）",
                           f"{township.name} is not a township of {county.name}.", field="township_code")
    return TrainingFacts(held_on=facts.held_on, kind=facts.kind, topic=topic, person_times=facts.person_times,
                         organiser=organiser, township=township)
