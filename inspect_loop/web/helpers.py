"""Small helpers every page uses: the user's language for domain messages, pagination, query filters."""

from flask import request
from flask_babel import get_locale
from sqlalchemy import Select

from inspect_loop.db import db
from inspect_loop.errors import DomainError

PER_PAGE = 20


def is_english() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "en"


def domain_message(error: DomainError) -> str:
    """The refusal in the reader's language (Chinese unless English was chosen)."""
    return error.message_en if is_english() else error.message_zh


def paginate(statement: Select, per_page: int = PER_PAGE, arg: str = "page"):
    """A Flask-SQLAlchemy pagination of ``statement`` for ``?page=`` (or ``?<arg>=`` when a page has two
    lists); out-of-range pages are empty, not 404."""
    page = request.args.get(arg, 1, type=int) or 1
    return db.paginate(statement, page=max(page, 1), per_page=per_page, error_out=False, count=True)


def search_text() -> str:
    """The ``q`` search box, trimmed, with LIKE wildcards escaped (the pattern uses ``\\`` as escape)."""
    text = (request.args.get("q") or "").strip()[:100]
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like(text: str) -> str:
    return f"%{text}%"


def attach_error(form, error: DomainError, default: str, aliases: dict[str, str] | None = None) -> None:
    """Show a domain refusal under the form field it names (or under ``default``)."""
    name = (aliases or {}).get(error.field, error.field)
    field = form[name] if name and name in form else form[default]
    field.errors = [*field.errors, domain_message(error)]
