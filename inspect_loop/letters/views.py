"""The public verification pages of a notice's QR code: ``/v/<token>`` (what the QR code opens) and ``/v``
(type the number and the short code printed beside the QR code). No login; each client's checks are
counted once a day and rate-limited (``letters.verification``)."""

from flask import Blueprint, redirect, render_template, request, url_for

from inspect_loop.caching.pages import serve_cached, session_reader
from inspect_loop.caching.versions import NO_TRANSACTION
from inspect_loop.db import db
from inspect_loop.extensions import limiter
from inspect_loop.letters.issuing import token_of
from inspect_loop.letters.models import DocumentStatus
from inspect_loop.letters.verification import (
    count_check,
    genuine_document,
    offices_to_ask,
    token_for_code,
    verification_of,
    verification_rate_limit,
)
from inspect_loop.web.arguments import query_text

bp = Blueprint("verification", __name__)

# Typing a number and guessing codes is the one way to probe for notices: slow it down per address.
LOOKUP_RATE_LIMIT = "20/minute;200/hour"


@bp.get("/v/<token>")
@verification_rate_limit
def verify_page(token: str):
    # The check is counted even though the page only reads, and is served from the cache; the same statement
    # reads the data version the cache keys by (a use note: counting raises no version).
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level=NO_TRANSACTION)  # each statement its own (see versions.py)
        count_check(connection, token, channel="page", address=request.remote_addr)
    return serve_cached(session_reader(), lambda: _verification_answer(token))


def _verification_answer(token: str):
    result = verification_of(genuine_document(token))
    # Whom to call: for a notice that is not genuine or was revoked.
    revoked = result.genuine and result.document.status == DocumentStatus.revoked
    offices = offices_to_ask(result.document, "") if not result.genuine or revoked else []
    current_url = url_for("verification.verify_page", token=token_of(result.current)) if result.current else None
    return render_template("public/verify.html", result=result, offices=offices, current_url=current_url,
                           number="", code=""), 200 if result.genuine else 404


@bp.get("/v")
@limiter.limit(LOOKUP_RATE_LIMIT)
def lookup_page():
    number, code = query_text("number", 60), query_text("code", 20)
    if not number and not code:
        return render_template("public/verify.html", result=None, offices=[], number="", code="")
    token = token_for_code(number, code)
    if token is None:
        return render_template("public/verify.html", result=None, offices=offices_to_ask(None, number),
                               number=number, code=code, not_found=True), 404
    return redirect(url_for("verification.verify_page", token=token))
