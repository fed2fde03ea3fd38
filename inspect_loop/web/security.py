"""Security headers on every response (``Cache-Control: no-store`` on all but the static assets) and the
session cookie's attributes.

The CSP allows no inline script or style: every script is a file under ``static/js`` and every style a file
under ``static/css``. Behind https (``BASE_URL`` starting with ``https:``) the session cookie is ``Secure``
and named with the ``__Host-`` prefix, which browsers only accept from a secure origin, for the whole host.
"""

import math
import time

from flask import Flask, abort, current_app, request

from inspect_loop.extensions import limiter

CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
                           "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(self), geolocation=(self), microphone=()",
}


def configure_cookies(app: Flask) -> None:
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    if behind_https(app):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"
        # __Host- cookies must have Path=/ and no Domain.
        app.config["SESSION_COOKIE_PATH"] = "/"
        app.config["SESSION_COOKIE_DOMAIN"] = None


# Behind https browsers are told to use nothing else for a year.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def behind_https(app: Flask) -> bool:
    return str(app.config.get("BASE_URL", "")).startswith("https:")


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if behind_https(current_app):
        response.headers.setdefault("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)
    if request.endpoint != "static":
        # Everything but the static assets carries personal or case data, or may (pages, API answers, exports,
        # notices' PDFs, photos): no cache, shared or the browser's, may keep it — a shared computer or a
        # proxy would hand it to the next reader. Set here for every response, so no view can forget it.
        response.headers["Cache-Control"] = "no-store"
    return response


def refuse_nul_characters():
    """A NUL character is never meaningful in a query string, and PostgreSQL cannot even compare it (a search
    with one was a server error): such a request is refused as malformed. Posted forms are held to the whole
    character rule by ``posted_text.py``; the API checks its own query strings, naming the parameter."""
    if request.path.startswith("/api/"):
        return
    if any("\x00" in value for value in request.args.values()):
        abort(400)


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


# For a 429 that no rate limit of the limiter gave.
DEFAULT_RETRY_AFTER = 60


def retry_after_seconds() -> int:
    """Seconds until a request refused with 429 would be let through: when the limit it broke starts a new
    window. Measured on the limiter's own clock (``time.time``), as its windows are."""
    resets = [limit.window.reset_time for limit in limiter.current_limits if limit.breached]
    if not resets:
        return DEFAULT_RETRY_AFTER
    return max(1, math.ceil(max(resets) - time.time()))


def add_retry_after(response):
    """Every 429, of the pages and of the API, says when to come back (RFC 9110 ``Retry-After``)."""
    if response.status_code == 429:
        response.headers["Retry-After"] = str(retry_after_seconds())
    return response


def init_security(app: Flask) -> None:
    configure_cookies(app)
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
    app.after_request(add_retry_after)
