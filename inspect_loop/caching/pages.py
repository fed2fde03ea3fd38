"""Serving a GET page or API answer again until the data under it changes.

The key is the data version, the local day (overdue counts change at midnight), the language, the user (by
id and session generation), the host and the full URL: another user, another day, a write anywhere or a logout
each make another key. An entry lives ``PAGE_CACHE_SECONDS`` at most, which bounds what depends on the time of
day alone (a round's start time passing). Nothing is cached or served from the cache while a flashed message
waits to be shown, and a page whose rendering changed the session is not kept.

Forms carry a per-session CSRF token: a page is rendered with a stand-in in its place, kept so, and every
response gets its own reader's token.

A kept web page is served before the view runs (``serve_kept_page``, a ``before_request`` hook), by the reader
the session names (Flask-Login's ``id:generation``) without loading the user: an entry is only ever kept by a
request that loaded and checked that user after reading the version in the key, and anything that ends a
session or changes a user's rights is a write, which makes a new version.
"""

import time
from collections.abc import Callable
from functools import wraps
from hashlib import sha256

from flask import current_app, g, make_response, request, session
from flask_babel import get_babel
from flask_wtf.csrf import generate_csrf

from inspect_loop import clock
from inspect_loop.caching.store import store
from inspect_loop.caching.versions import current_version

CSRF_STAND_IN = "csrf-stand-in-4f1c2b9e7a"
CACHEABLE_TYPES = ("text/html", "application/json")
KEPT_HEADERS = {"Content-Type", "Content-Length"}
CACHE_HEADER = "X-Page-Cache"


ANYONE = "-"
# Settings the pages print (the address on notices and the warning about it, the county's name).
RENDERED_SETTINGS = ("BASE_URL", "COUNTY_NAME")
# The marker ``cached_page`` leaves on a view (``functools.wraps`` carries it to the decorators around it).
PAGE_CACHE_MARK = "page_cache"


def page_key(reader: str) -> str | None:
    """The key of this request's page for ``reader`` (a user's ``get_id()``, or ANYONE); None: not cached."""
    seconds = current_app.config["PAGE_CACHE_SECONDS"]
    if not seconds or request.method != "GET" or "_flashes" in session:
        return None
    version = current_version()
    if version is None:
        return None
    # The language as the app chooses it (a plain string: Babel's parsed Locale is not needed to tell them apart).
    language = get_babel().locale_selector()
    settings = tuple(str(current_app.config.get(name)) for name in RENDERED_SETTINGS)
    parts = (version, clock.today().isoformat(), language, reader, request.host, request.full_path, *settings)
    return "page:" + sha256("\x1f".join(parts).encode()).hexdigest()


def session_reader() -> str:
    """The user the session names, as Flask-Login keeps it (checked by every request that keeps a page)."""
    return session.get("_user_id") or ANYONE


def _kept_response(key: str | None):
    kept = store().get(key) if key is not None else None
    if kept is None:
        return None
    mimetype, _, body = kept.partition(b"\n")
    response = current_app.response_class(body, mimetype=mimetype.decode())
    response.headers[CACHE_HEADER] = "hit"
    return _with_readers_token(response)


def serve_kept_page():
    """``before_request``: a web page marked ``@cached_page`` straight from the cache, when kept."""
    view = current_app.view_functions.get(request.endpoint)
    if request.method != "GET" or not getattr(view, PAGE_CACHE_MARK, False):
        return None
    return _kept_response(page_key(session_reader()))


def serve_cached(reader: str, produce: Callable[[], object]):
    """``produce()``'s response, or the one kept for this key and ``reader`` (a user's ``get_id()``, or
    ANYONE for a page that is the same for everyone)."""
    key = page_key(reader)
    if key is None:
        return produce()
    kept = _kept_response(key)
    if kept is not None:
        return kept

    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session_was_modified = session.modified
    setattr(g, field, CSRF_STAND_IN)
    try:
        response = make_response(produce())
    finally:
        g.pop(field, None)
    if _keepable(response) and (session_was_modified or not session.modified):
        store().set(key, response.mimetype.encode() + b"\n" + response.get_data(),
                    current_app.config["PAGE_CACHE_SECONDS"])
    response.headers[CACHE_HEADER] = "miss"
    return _with_readers_token(response)


def _keepable(response) -> bool:
    return (response.status_code == 200 and response.mimetype in CACHEABLE_TYPES
            and not response.is_streamed and set(response.headers.keys()) <= KEPT_HEADERS)


def _with_readers_token(response):
    if response.mimetype != "text/html" or response.direct_passthrough or response.is_streamed:
        return response
    body = response.get_data()
    stand_in = CSRF_STAND_IN.encode()
    if stand_in in body:
        response.set_data(body.replace(stand_in, _readers_csrf_token().encode()))
    return response


# Signing the session's CSRF token (Flask-WTF: a timestamp and an HMAC) was a tenth of a kept page's cost. A
# token signed a moment ago is as good: it stays valid for WTF_CSRF_TIME_LIMIT from its signing, so one is
# reused for a twelfth of that (5 of 60 minutes) at most, per secret key and session token.
_signed_tokens: dict[tuple[str, str], tuple[float, str]] = {}
SIGNED_TOKENS_KEPT = 10_000


def _readers_csrf_token() -> str:
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600) or 3600
    raw = session.get(field)
    now = time.monotonic()
    signed = _signed_tokens.get((current_app.secret_key, raw)) if raw is not None else None
    if signed is not None and now - signed[0] < limit / 12:
        return signed[1]
    token = generate_csrf()
    if len(_signed_tokens) >= SIGNED_TOKENS_KEPT:
        _signed_tokens.clear()
    _signed_tokens[(current_app.secret_key, session[field])] = (now, token)
    return token


def cached_page(view: Callable) -> Callable:
    """For a web page's view, under its permission check: the page as rendered for the session's reader."""
    @wraps(view)
    def serve(*args, **kwargs):
        return serve_cached(session_reader(), lambda: view(*args, **kwargs))
    setattr(serve, PAGE_CACHE_MARK, True)
    return serve
