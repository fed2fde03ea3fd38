"""What a request names in its path and query string, read so that no value can become a server error.

Anyone can type any query string, so every page reads its parameters through these:

- ids in a page's path (``<int:…>``) and in filters (``township=``, ``plan=``) beyond ``db.MAX_ID`` name no row and
  never reach a query (they overflowed the database drivers); a filter that is no id is ignored, as an unknown
  choice is: the list shows everything and its select box says 全部;
- a page number past any list is the empty page after the last, never an offset the database cannot hold;
- dates (typed periods, deadlines) lie between ``clock.EARLIEST_DAY`` and ``clock.LATEST_DAY``, or are
  refused with a message naming the field.

Refusals are ``InvalidInput``: a page that shows its own errors (the dashboard) shows the message, any other
answers a 400 page with it (``web/errors.py``). ``docs/decisions.md`` explains the choices.
"""

from datetime import date

from flask import abort, request

from inspect_loop import clock
from inspect_loop.db import MAX_ID
from inspect_loop.errors import InvalidInput
from inspect_loop.labels import english

# 1,000,000 pages of 20 rows is beyond any list; a later page is empty like any page past the last.
MAX_PAGE = 1_000_000
YEARS = range(clock.EARLIEST_DAY.year, clock.LATEST_DAY.year + 1)


def refuse_ids_beyond_any_row(_endpoint: str | None, values: dict | None) -> None:
    """A page's path id above ``MAX_ID`` is a 404, as an unknown id is, before it reaches a query. (The API
    answers its own 404 naming the field, ``api/lookups.py``.)"""
    if any(isinstance(value, int) and value > MAX_ID for value in (values or {}).values()):
        abort(404)


def page_number(arg: str = "page") -> int:
    """``?page=`` as a page from 1 to ``MAX_PAGE``; anything else is the first page."""
    page = request.args.get(arg, 1, type=int)
    return min(page, MAX_PAGE) if page >= 1 else 1


def query_text(name: str, max_length: int = 100) -> str:
    """A text parameter (a search, a filter), trimmed and cut to ``max_length``: a search box's text, not a
    document."""
    return (request.args.get(name) or "").strip()[:max_length]


def query_id(name: str) -> int | None:
    """An id filter of the query string, or None when it is missing or can name no row."""
    value = request.args.get(name, type=int)
    return value if value is not None and 1 <= value <= MAX_ID else None


def query_year(name: str = "year") -> int | None:
    """A year filter, or None when it is missing or outside the years a user may name."""
    value = request.args.get(name, type=int)
    return value if value is not None and value in YEARS else None


def parse_day(text: str, field: str, label: str) -> date | None:
    """A date typed as YYYY-MM-DD (in a query string or a form), None when empty; refused when it is no date or
    lies outside ``EARLIEST_DAY``..``LATEST_DAY``."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{label}应为有效日期（年-月-日）", f"{english(label)}: enter a valid date (year-month-day).",
                           field=field) from None
    check_in_range(day, field, label)
    return day


def check_in_range(day: date, field: str, label: str) -> None:
    if not clock.EARLIEST_DAY <= day <= clock.LATEST_DAY:
        raise InvalidInput(f"{label}应在{clock.EARLIEST_DAY}至{clock.LATEST_DAY}之间",
                           f"{english(label)}: the date must be between {clock.EARLIEST_DAY} and "
                           f"{clock.LATEST_DAY}.", field=field)


def query_day(name: str, label: str) -> date | None:
    """A date of the query string (see ``parse_day``), None when it is missing."""
    return parse_day(query_text(name, 20), name, label)


def link_arguments(**changes) -> dict:
    """This page's path and query arguments for ``url_for``, with ``changes``: the links that keep a list's
    search and filters (other pages, the download, the other language). A query parameter never replaces a
    path argument nor reaches one of url_for's own (``endpoint``, ``_external``, ``_scheme`` …):
    ``?endpoint=x`` made every page with a language switch a server error."""
    query = {name: value for name, value in request.args.items()
             if name != "endpoint" and not name.startswith("_")}
    return {**query, **(request.view_args or {}), **changes}
