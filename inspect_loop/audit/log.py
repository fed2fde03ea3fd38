from inspect_loop import clock
from inspect_loop.audit.models import Event
from inspect_loop.db import db
from inspect_loop.users.models import User


def record_event(actor: User | None, action: str, subject, *, case_id: int | None = None,
                 unit_id: int | None = None, reason: str | None = None, **data) -> Event:
    """Append one audit event for ``subject`` (any model with an ``id``; flushed first so it has one)."""
    if subject.id is None:
        db.session.flush()
    event = Event(at=clock.now(), actor_id=actor.id if actor else None, action=action,
                  subject_type=type(subject).__tablename__, subject_id=subject.id, case_id=case_id,
                  unit_id=unit_id, reason=reason, data={key: _plain(value) for key, value in data.items()})
    db.session.add(event)
    return event


def _plain(value):
    """JSON-safe form of the few value types events carry (dates, enums, lists of them)."""
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
