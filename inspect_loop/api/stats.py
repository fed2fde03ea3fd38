"""``/api/v1/stats/…``: the SPEC section 5 figures, the 月晾晒 ranking and the breakdowns, as JSON or .xlsx.

Every route needs a bearer token whose user may ``view_stats``. ``format=xlsx`` answers the same figures as
an Excel download with a 口径说明 sheet. Statistics are read-only, so no route commits anything.
"""

import re
from collections.abc import Callable
from datetime import date
from functools import wraps
from io import BytesIO

from flask import jsonify, request, send_file

from inspect_loop import clock
from inspect_loop.api import bp
from inspect_loop.errors import DomainError, InvalidInput
from inspect_loop.stats import breakdowns, excel
from inspect_loop.stats.queries import period_of, summary
from inspect_loop.stats.ranking import township_ranking
from inspect_loop.users.models import User
from inspect_loop.users.operations import user_for_token
from inspect_loop.users.permissions import Action, require

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_LIST_LIMIT = 500


class Unauthenticated(DomainError):
    http_status = 401
    code = "unauthorized"


def current_api_user() -> User:
    """The user of the request's ``Authorization: Bearer <token>``, or a 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        raise Unauthenticated("请提供有效的访问令牌", "a valid bearer token is required")
    return user


def error_response(error: DomainError):
    body = {"code": error.code, "message": error.message_zh, "message_en": error.message_en}
    if error.field:
        body["field"] = error.field
    return jsonify({"error": body}), error.http_status


def stats_route(rule: str) -> Callable:
    """A GET route that needs ``view_stats`` and answers a DomainError as the API's JSON error."""
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            try:
                require(current_api_user(), Action.view_stats)
                return view(*args, **kwargs)
            except DomainError as error:
                return error_response(error)
        return bp.get(rule)(guarded)
    return decorate


def date_arg(name: str, default: date) -> date:
    text = request.args.get(name, "").strip()
    if not text:
        return default
    try:
        if not DATE_PATTERN.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name} 应为 YYYY-MM-DD 格式的有效日期", f"{name} must be a date YYYY-MM-DD",
                           field=name) from None


def period_args() -> tuple[date, date, str | None]:
    """``from``/``to`` (default: 1 January of ``to``'s year to today) and ``region``."""
    date_to = date_arg("to", clock.today())
    date_from = date_arg("from", date_to.replace(month=1, day=1))
    return date_from, date_to, request.args.get("region", "").strip() or None


def wants_xlsx() -> bool:
    chosen = request.args.get("format", "json").strip().lower()
    if chosen not in ("json", "xlsx"):
        raise InvalidInput("format 只能为 json 或 xlsx", "format must be json or xlsx", field="format")
    return chosen == "xlsx"


def xlsx_download(content: bytes, filename: str):
    return send_file(BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=filename)


def limit_arg(default: int = 50) -> int:
    text = request.args.get("limit", "").strip()
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIST_LIMIT:
        raise InvalidInput(f"limit 应为 1 至 {MAX_LIST_LIMIT} 的整数", f"limit must be 1..{MAX_LIST_LIMIT}",
                           field="limit")
    return int(text)


@stats_route("/stats/summary")
def stats_summary():
    date_from, date_to, region = period_args()
    as_xlsx = wants_xlsx()
    figures = summary(date_from, date_to, region)
    if as_xlsx:
        return xlsx_download(excel.workbook_for_summary(figures),
                             f"stats-summary-{date_from.isoformat()}-{date_to.isoformat()}.xlsx")
    return jsonify(figures)


@stats_route("/stats/townships")
def stats_townships():
    as_xlsx = wants_xlsx()
    ranking = township_ranking(request.args.get("month", "").strip() or None,
                               request.args.get("region", "").strip() or None)
    if as_xlsx:
        return xlsx_download(excel.workbook_for_ranking(ranking), f"township-ranking-{ranking['month']}.xlsx")
    return jsonify(ranking)


def _period_table(name: str, compute: Callable):
    date_from, date_to, region = period_args()
    as_xlsx = wants_xlsx()
    rows = compute(date_from, date_to, region)
    if as_xlsx:
        period = period_of(date_from, date_to, region).describe()  # for the 口径说明 sheet
        return xlsx_download(excel.workbook_for_breakdown(name, rows, period),
                             f"stats-{name}-{date_from.isoformat()}-{date_to.isoformat()}.xlsx")
    return jsonify({"from": date_from.isoformat(), "to": date_to.isoformat(), "region": region, "rows": rows})


@stats_route("/stats/trend")
def stats_trend():
    return _period_table("trend", breakdowns.monthly_trend)


@stats_route("/stats/categories")
def stats_categories():
    return _period_table("categories", breakdowns.by_category)


@stats_route("/stats/sectors")
def stats_sectors():
    return _period_table("sectors", breakdowns.by_sector)


@stats_route("/stats/risk")
def stats_risk():
    region = request.args.get("region", "").strip() or None
    as_xlsx = wants_xlsx()
    rows = breakdowns.risk_by_township(region)
    if as_xlsx:
        return xlsx_download(excel.workbook_for_breakdown("risk", rows), f"stats-risk-{clock.today()}.xlsx")
    return jsonify({"as_of": clock.today().isoformat(), "region": region, "rows": rows})


@stats_route("/stats/overdue")
def stats_overdue():
    region = request.args.get("region", "").strip() or None
    limit = limit_arg()
    as_xlsx = wants_xlsx()
    rows = breakdowns.overdue_list(region, limit)
    if as_xlsx:
        return xlsx_download(excel.workbook_for_breakdown("overdue", rows), f"stats-overdue-{clock.today()}.xlsx")
    return jsonify({"as_of": clock.today().isoformat(), "region": region, "rows": rows})

