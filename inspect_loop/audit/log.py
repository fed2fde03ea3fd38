"""The append-only audit log (操作日志), and the subscribers that act on what it records.

Subscribers run synchronously, in the order they subscribed, inside the operation's transaction: what they
do (issue a notice) commits or rolls back with the change that caused it. A subscriber of a schema also
hears its subclasses (``CaseMoved`` hears ``VerificationFailed``). A plain registry rather than blinker's
signals: subscribers are matched by type, with subclasses, and their order is the order of registration.
"""

from collections.abc import Callable

from inspect_loop import clock
from inspect_loop.audit.events import DomainEvent, row_values
from inspect_loop.audit.models import Event
from inspect_loop.db import db
from inspect_loop.users.models import User

Subscriber = Callable[[DomainEvent, User | None, object], None]
_subscribers: dict[type[DomainEvent], list[Subscriber]] = {}


def subscribe(schema: type[DomainEvent]):
    """``@subscribe(AssignmentIssued)``: call the function with (event, actor, subject) for every such event."""
    def register(subscriber: Subscriber) -> Subscriber:
        _subscribers.setdefault(schema, []).append(subscriber)
        return subscriber
    return register


def record_event(actor: User | None, event: DomainEvent, subject) -> Event:
    """Append ``event`` about ``subject`` (any model with an ``id``; flushed first so it has one), then let
    its subscribers act on it."""
    if subject.id is None:
        db.session.flush()
    row = Event(**row_values(event, at=clock.now(), actor_id=actor.id if actor else None,
                             subject_type=type(subject).__tablename__, subject_id=subject.id))
    db.session.add(row)
    for schema in type(event).__mro__:
        for subscriber in _subscribers.get(schema, ()):
            subscriber(event, actor, subject)
    return row
