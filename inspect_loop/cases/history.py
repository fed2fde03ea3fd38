"""Where a new case starts: the unit's history counts (SPEC section 7, Where a new case starts).

A unit that is shut down (关停) or banned (取缔) and is found with a problem is operating illegally (非法经营): its
new case starts at 三次执法. A finding of a hazard type the unit had in an earlier case, found within two
calendar months after that case's close-out — the recurrence the statistics count (``stats/queries.py::
recurrence_bases``) — starts the new case at 二次警示 while the county keeps that rule on
(``Region.recurrence_opens_at_warning``). Otherwise a case starts at 一次提醒. The stage is reached by an
opening transition of the ladder's table (``ladder.TRANSITIONS``: ``open``, ``open_at_warning``,
``open_at_enforcement``); ``start_sentence`` says why, for the case page and ``GET /cases/{id}``.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from inspect_loop.cases.models import Case, Outcome, StartReason
from inspect_loop.db import db
from inspect_loop.hazards.models import HazardType
from inspect_loop.labels import N_
from inspect_loop.stats.queries import recurrence_bases
from inspect_loop.units.models import Unit, UnitStatus

CLOSED_STATUSES = (UnitStatus.shut_down, UnitStatus.banned)


@dataclass(frozen=True)
class Start:
    """The opening transition a new case takes, and why (None: the plain 一次提醒)."""

    transition: str = "open"
    reason: StartReason | None = None
    after_case_id: int | None = None  # the recurring case, or the case that shut the unit down or banned it
    interviewed_on: date | None = None  # the day the unit attended the recurring case's interview


AT_REMINDER = Start()


def where_to_start(unit: Unit, hazard_types: list[HazardType], found_on: date) -> Start:
    """The start of the case that findings of ``hazard_types`` found on ``found_on`` open for ``unit`` (the
    caller holds the unit's lock, so its status and history are as they stand)."""
    if unit.status in CLOSED_STATUSES:
        closing = db.session.scalar(
            select(Case.id).where(Case.unit_id == unit.id, Case.outcome.in_((Outcome.shut_down, Outcome.banned)))
            .order_by(Case.closed_at.desc(), Case.id.desc()).limit(1))
        return Start("open_at_enforcement", StartReason.closed_unit_operating, after_case_id=closing)
    if unit.county.recurrence_opens_at_warning and hazard_types:
        basis = db.session.execute(recurrence_bases(unit.id, sorted({hazard.id for hazard in hazard_types}),
                                                    found_on).limit(1)).first()
        if basis is not None:
            return Start("open_at_warning", StartReason.recurrence, after_case_id=basis.case_id,
                         interviewed_on=basis.interviewed_on)
    return AT_REMINDER


# Why a case started where it did, with the values they name; translated by the pages (messages.po).
RECURRENCE_SENTENCE = N_("因两个月内同类隐患复发（此前案件 %(earlier)s 于 %(closed_on)s 整改销号，约谈于 %(interviewed_on)s），"
                         "直接进入二次警示")
OPERATING_WHILE_SENTENCES = {
    Outcome.banned: N_("因该单位已于 %(closed_on)s 被取缔仍在经营（非法经营），直接进入三次执法"),
    Outcome.shut_down: N_("因该单位已于 %(closed_on)s 被关停仍在经营（非法经营），直接进入三次执法"),
    None: N_("因该单位已被关停或取缔仍在经营（非法经营），直接进入三次执法"),
}


def start_sentence_parts(case: Case) -> tuple[str, dict] | None:
    """The sentence (a msgid) and its values that say why ``case`` started above 一次提醒; None when it did not."""
    earlier = case.start_after_case
    closed_on = earlier.closed_on.isoformat() if earlier is not None and earlier.closed_on else ""
    if case.start_reason == StartReason.recurrence:
        interviewed_on = case.start_interviewed_on.isoformat() if case.start_interviewed_on else ""
        return RECURRENCE_SENTENCE, {"earlier": f"#{case.start_after_case_id}", "closed_on": closed_on,
                                     "interviewed_on": interviewed_on}
    if case.start_reason == StartReason.closed_unit_operating:
        outcome = earlier.outcome if earlier is not None else None
        return OPERATING_WHILE_SENTENCES[outcome], {"closed_on": closed_on}
    return None


def start_sentence(case: Case) -> str | None:
    """In Chinese (the API's ``start_explanation``, the audit event's reason)."""
    parts = start_sentence_parts(case)
    return parts[0] % parts[1] if parts else None
