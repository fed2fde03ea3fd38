"""Jinja filters for dates and times in local (Asia/Shanghai) time, and for the statistics' figures."""

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


def stat_number(value, rate: bool = False) -> str:
    """A count with thousands separators ("1,234"), "—" for none, or a rate as a percentage with one decimal
    ("97.5%"). A filter rather than a macro: the statistics' tables show it in every cell."""
    if rate:
        return "%.1f%%" % (value * 100)
    return "—" if value is None else f"{value:,}"


FILTERS = {"local_time": local_time, "iso_date": iso_date, "file_size": file_size, "stat_number": stat_number}
