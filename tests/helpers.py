from datetime import datetime

from freezegun import freeze_time

from inspect_loop.clock import LOCAL_TZ


def at(day: str, hour: int = 10, minute: int = 0):
    """freeze_time at a local (Asia/Shanghai) wall-clock time on ``day`` (YYYY-MM-DD)."""
    year, month, date_ = (int(part) for part in day.split("-"))
    return freeze_time(datetime(year, month, date_, hour, minute, tzinfo=LOCAL_TZ))
