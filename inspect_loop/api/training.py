"""警示教育活动 at the warning-education stations (voluntary sessions, live streams): record, correct, list, read.
Their person-times count in 教育人次 (``docs/statistics.md``)."""

from inspect_loop.api import lookups
from inspect_loop.api import responses as out
from inspect_loop.api import schemas as inp
from inspect_loop.api.routing import route
from inspect_loop.api.serialize import paginate, training_out
from inspect_loop.errors import InvalidInput
from inspect_loop.interviews.models import TrainingSession
from inspect_loop.interviews.training import TrainingFacts, record_training, sessions, update_training
from inspect_loop.regions.models import Region
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, county_id_of, require_in_county


def facts_of(body: inp.TrainingIn) -> TrainingFacts:
    township = lookups.region(body.township_code, "township_code") if body.township_code else None
    return TrainingFacts(held_on=body.held_on, kind=body.kind, topic=body.topic, person_times=body.person_times,
                         organiser=body.organiser, township=township)


def county_of(actor: User, body: inp.TrainingIn) -> Region:
    """The county named, or the county office's own."""
    if body.county_code:
        return lookups.region(body.county_code, "county_code")
    if actor.department is None:
        raise InvalidInput("请填写县（市、区）代码", "Give the code of the county.", field="county_code")
    return actor.department.region


def get_session(actor: User, session_id: int) -> TrainingSession:
    session = lookups.get_or_404(TrainingSession, session_id, "session_id")
    require_in_county(actor, session.county_id)
    return session


@route("POST", "/training-sessions", summary="登记警示教育活动（到站教育培训、线上直播）及人次",
       permission=Action.record_training, body=inp.TrainingIn, response=out.TrainingOut, status=201)
def post_training(actor, body: inp.TrainingIn):
    return training_out(record_training(actor, county_of(actor, body), facts_of(body)))


@route("GET", "/training-sessions", summary="警示教育活动列表", permission=Action.record_training,
       query=inp.TrainingQuery, response=out.Page[out.TrainingOut])
def list_training(actor, query: inp.TrainingQuery):
    statement = sessions(county_id_of(actor), kind=query.kind, date_from=query.date_from, date_to=query.date_to)
    return paginate(statement, query, lambda result: [training_out(session) for session in result.scalars()],
                    out.TrainingOut)


@route("GET", "/training-sessions/<int:session_id>", summary="警示教育活动详情", permission=Action.record_training,
       response=out.TrainingOut)
def get_training(actor, session_id: int):
    return training_out(get_session(actor, session_id))


@route("PUT", "/training-sessions/<int:session_id>", summary="修改警示教育活动（日期、形式、主题、人次等）",
       permission=Action.record_training, body=inp.TrainingIn, response=out.TrainingOut)
def put_training(actor, session_id: int, body: inp.TrainingIn):
    session = get_session(actor, session_id)
    if body.county_code and body.county_code != session.county.code:
        raise InvalidInput("不能把活动改到另一个县（市、区）", "A session cannot be moved to another county.",
                           field="county_code")
    return training_out(update_training(actor, session, facts_of(body)))
