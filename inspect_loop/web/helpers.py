"""Small helpers every page uses: the user's language for domain messages, pagination, query filters, reading
posted forms and committing one operation."""

from flask import request
from flask_babel import get_locale
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import lazyload

from inspect_loop.db import MAX_ID, db
from inspect_loop.errors import DomainError, InvalidInput
from inspect_loop.regions.models import Region, RegionLevel
from inspect_loop.users.permissions import home_county
from inspect_loop.web.arguments import page_number, query_text

PER_PAGE = 20


def is_english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def domain_message(error: DomainError) -> str:
    """The refusal in the reader's language (Chinese unless English was chosen)."""
    return error.message_en if is_english() else error.message_zh


class StatementPagination(Pagination):
    """Flask-SQLAlchemy's pagination over a ``select``: items are objects when it selects one thing, rows
    (tuples) when it selects several (``db.paginate`` would keep only the first column of each row)."""

    def _query_items(self) -> list:
        statement = self._query_args["select"].limit(self.per_page).offset(self._query_offset)
        result = db.session.execute(statement).unique()
        return list(result.scalars() if len(statement.column_descriptions) == 1 else result.all())

    def _query_count(self) -> int:
        counted = self._query_args["select"].options(lazyload("*")).order_by(None).subquery()
        return db.session.scalar(select(func.count()).select_from(counted))


def paginate(statement: Select, per_page: int = PER_PAGE, arg: str = "page") -> Pagination:
    """One page of ``statement`` for ``?page=`` (or ``?<arg>=`` when a page has two lists); pages past the last
    are empty, not 404. ``select(Unit, risk)`` gives rows ``(unit, risk)``, ``select(Unit)`` gives units."""
    return StatementPagination(select=statement, page=page_number(arg), per_page=per_page, max_per_page=per_page,
                               error_out=False, count=True)


def search_text() -> str:
    """The ``q`` search box, trimmed, with LIKE wildcards escaped (the pattern uses ``\\`` as escape)."""
    return query_text("q").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like(text: str) -> str:
    return f"%{text}%"


def attach_error(form, error: DomainError, default: str, aliases: dict[str, str] | None = None) -> None:
    """Show a domain refusal under the form field it names (or under ``default``)."""
    name = (aliases or {}).get(error.field, error.field)
    field = form[name] if name and name in form else form[default]
    field.errors = [*field.errors, domain_message(error)]


def form_text(name: str, max_length: int = 500) -> str:
    """A posted text field, trimmed and cut to ``max_length``."""
    return (request.form.get(name) or "").strip()[:max_length]


def form_ids(name: str) -> list[int]:
    """Posted ids: repeated fields and/or comma-separated values (``photos=3,4``), in order, once each."""
    ids = []
    for value in request.form.getlist(name):
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or int(part) > MAX_ID:
                raise InvalidInput("提交的编号无效，请刷新页面后重试", "The form was sent with an invalid number: reload the page and try again.", field=name)
            ids.append(int(part))
    return list(dict.fromkeys(ids))


def commit_or_refusal(operation) -> DomainError | None:
    """Run one domain operation and commit; on a refusal roll back and return it (its message and status)."""
    try:
        operation()
    except DomainError as error:
        db.session.rollback()
        return error
    db.session.commit()
    return None


def commit_or_message(operation) -> str | None:
    """Run one domain operation and commit; on a refusal roll back and return the message to show."""
    error = commit_or_refusal(operation)
    return domain_message(error) if error else None


def kept_photo_ids(form) -> dict[str, list[int]]:
    """Photo ids already uploaded with a form that was refused, per field (``photos…``), so that the form
    shown again still holds them and nothing taken on site is lost."""
    kept = {}
    for name in form:
        if name.startswith("photos"):
            ids = [int(part) for value in form.getlist(name) for part in value.split(",")
                   if part.strip().isdigit()]
            kept[name] = list(dict.fromkeys(ids))
    return kept


def configurable_counties() -> list[Region]:
    """The counties a county setting page changes: the county office's own, every county for the administrator."""
    county = home_county(current_user)
    if county is not None:
        return [county]
    return list(db.session.scalars(select(Region).where(Region.level == RegionLevel.county).order_by(Region.code)))


def posted_county(counties: list[Region]) -> Region | None:
    """The county the form chose among ``counties`` (None: none of them)."""
    by_id = {county.id: county for county in counties}
    value = form_text("county")
    return by_id.get(int(value)) if value.isdigit() else None
