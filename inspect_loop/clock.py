"""The application's one clock.

Every timestamp the product writes comes from here (never from a database default) so that tests can
travel in time with freezegun. Timestamps are stored as naive UTC; the dates users see and the statistics
count are local dates in Asia/Shanghai.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# The days a user may name (a period, a month, a deadline): anything outside is a typing error, and date
# arithmetic near the years 1 and 9999 overflows (a period ending on 9999-12-31 has no next day).
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)

# Set only while the demo and data generators replay history through the domain's own operations.
_replayed_now: ContextVar[datetime | None] = ContextVar("replayed_now", default=None)


def now() -> datetime:
    """Current time as naive UTC, the form every DateTime column stores."""
    replayed = _replayed_now.get()
    if replayed is not None:
        return replayed
    return datetime.now(UTC).replace(tzinfo=None)


@contextmanager
def replaying(moment: datetime) -> Iterator[None]:
    """Run domain operations as if at ``moment`` (aware, or naive local): for generating history."""
    token = _replayed_now.set(to_utc(moment))
    try:
        yield
    finally:
        _replayed_now.reset(token)


def is_replaying() -> bool:
    """True while the demo or the data generator replays history (``replaying``)."""
    return _replayed_now.get() is not None


def today() -> date:
    """Today's local date in Asia/Shanghai."""
    return local_date(now())


def local_date(moment: datetime) -> date:
    """Local (Asia/Shanghai) date of a stored naive-UTC timestamp."""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ).date()


def local_datetime(moment: datetime) -> datetime:
    """A stored naive-UTC timestamp as an aware local datetime, for display and the API."""
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


def to_utc(moment: datetime) -> datetime:
    """Normalise a user-given datetime (aware, or naive meaning local time) to naive UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC).replace(tzinfo=None)


def local_midnight_utc(day: date) -> datetime:
    """The naive-UTC instant at which a local day starts."""
    return to_utc(datetime(day.year, day.month, day.day))

