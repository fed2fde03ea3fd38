"""Jinja filters for dates and times in local (Asia/Shanghai) time."""

from datetime import date, datetime

from inspect_loop import clock


def local_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return clock.local_datetime(value).strftime("%Y-%m-%d %H:%M")


def iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def file_size(value: int | None) -> str:
    if not value:
        return "0 B"
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


FILTERS = {"local_time": local_time, "iso_date": iso_date, "file_size": file_size}
