"""JSON API v1 (SPEC section 6): ``/api/v1``, bearer tokens, JSON errors.

``docs/api.md`` describes the conventions; ``docs/permissions.md`` who may call which route.
"""

from flask import Blueprint

from inspect_loop.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer-token clients, no cookies

# The route modules register on ``bp`` when imported, so they come after it.
from inspect_loop.api import (  # noqa: E402, F401
    account,
    assignments,
    cases,
    catalogue,
    documents,
    errors,
    exposures,
    extensions,
    findings,
    inspections,
    interviews,
    openapi,
    stats,
    training,
    units,
    watch_list,
)
