"""JSON errors: ``{"error": {"code", "message", "message_en", "field"?, "current"?}}`` for every failure under ``/api/``.

Domain refusals keep their own status (400, 403, 404, 409). Flask's HTTP errors inside the blueprint and
the routing errors of unknown ``/api/…`` paths (404, 405) answer in the same shape. Every error path rolls
the session back, so a refused request leaves nothing behind.
"""

from flask import Flask, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, InternalServerError

from inspect_loop.api import bp
from inspect_loop.db import db
from inspect_loop.errors import DomainError
from inspect_loop.extensions import retry_after_header

# Chinese messages for the HTTP errors that can reach an API client without passing through the domain.
HTTP_MESSAGES = {
    400: ("bad_request", "请求格式不正确"),
    401: ("unauthorized", "请提供有效的访问令牌"),
    403: ("forbidden", "无权访问"),
    404: ("not_found", "请求的接口或资源不存在"),
    405: ("method_not_allowed", "该接口不支持此请求方法"),
    413: ("too_large", "请求内容过大"),
    415: ("unsupported_media_type", "请求内容类型不受支持"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
}


class Unauthenticated(DomainError):
    http_status = 401
    code = "unauthorized"


class RequestInvalid(DomainError):
    """A request body or query string that does not fit its model."""

    http_status = 400
    code = "invalid"


def error_response(status: int, code: str, message_zh: str, message_en: str, field: str | None = None,
                   headers: dict | None = None, current: dict | None = None):
    body = {"code": code, "message": message_zh, "message_en": message_en}
    if field:
        body["field"] = field
    if current:
        body["current"] = current
    response = jsonify({"error": body})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    db.session.rollback()
    headers = {"WWW-Authenticate": 'Bearer realm="inspect_loop"'} if error.http_status == 401 else None
    return error_response(error.http_status, error.code, error.message_zh, error.message_en, error.field, headers,
                          error.current)


def http_error(error: HTTPException):
    db.session.rollback()
    code, message_zh = HTTP_MESSAGES.get(error.code, ("http_error", "请求无法处理"))
    headers = retry_after_header() if error.code == 429 else {}
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return error_response(error.code, code, message_zh, error.description or error.name, headers=headers)


@bp.errorhandler(HTTPException)
def blueprint_http_error(error: HTTPException):
    return http_error(error)


@bp.errorhandler(InternalServerError)
def internal_error(error: InternalServerError):
    db.session.rollback()
    return error_response(500, "internal", "服务器内部错误，操作未完成，请稍后再试",
                          "internal server error; nothing was changed")


def answer_unknown_api_paths_in_json(app: Flask) -> None:
    """Unknown paths and wrong methods under ``/api/`` answer JSON, whatever the web pages do for theirs.

    A routing error is known before any view runs; checking it first in the request, rather than through
    an application-wide 404 handler, leaves the web blueprint free to render its own error pages.
    """
    def routing_error_as_json():
        error = request.routing_exception
        if (request.path.startswith("/api/") and isinstance(error, HTTPException)
                and error.code is not None and error.code >= 400):
            return http_error(error)
        return None

    app.before_request_funcs.setdefault(None, []).insert(0, routing_error_as_json)


bp.record_once(lambda state: answer_unknown_api_paths_in_json(state.app))


PYDANTIC_MESSAGES = {
    "missing": "缺少必填字段{field}",
    "extra_forbidden": "不允许的字段{field}",
    "string_too_long": "{field}过长",
    "string_too_short": "{field}不能为空",
    "too_long": "{field}的项数过多",
    "too_short": "{field}不能为空",
    "int_type": "{field}须为整数",
    "int_parsing": "{field}须为整数",
    "int_from_float": "{field}须为整数",
    "bool_type": "{field}须为 true 或 false",
    "bool_parsing": "{field}须为 true 或 false",
    "string_type": "{field}须为字符串",
    "list_type": "{field}须为数组",
    "model_type": "{field}须为对象",
    "dict_type": "{field}须为对象",
    "float_type": "{field}须为数字",
    "float_parsing": "{field}须为数字",
    "finite_number": "{field}须为有限数字",
    "decimal_type": "{field}须为数字",
    "decimal_parsing": "{field}须为数字",
    "decimal_max_digits": "{field}位数过多",
    "decimal_max_places": "{field}最多两位小数",
    "greater_than": "{field}超出允许范围",
    "greater_than_equal": "{field}超出允许范围",
    "less_than": "{field}超出允许范围",
    "less_than_equal": "{field}超出允许范围",
    "enum": "{field}的取值无效",
    "literal_error": "{field}的取值无效",
    "date_type": "{field}须为 YYYY-MM-DD 格式的日期",
    "date_parsing": "{field}须为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_parsing": "{field}须为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_inexact": "{field}须为 YYYY-MM-DD 格式的日期",
    "datetime_type": "{field}须为 ISO 8601 格式的时间",
    "datetime_parsing": "{field}须为 ISO 8601 格式的时间",
    "datetime_from_date_parsing": "{field}须为 ISO 8601 格式的时间",
    "datetime_range": "{field}超出允许的时间范围",
    "date_range": "{field}超出允许的日期范围",
    "text_characters": "{field}含有{character_zh}，请清空后重新输入",
}


def from_validation_error(error: ValidationError, where: str) -> RequestInvalid:
    """The first problem of a pydantic error, naming the field (``findings.0.hazard_code``).

    ``where`` is ``body`` or ``query``.
    """
    first = error.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    if field is None:
        return RequestInvalid("请求体须为 JSON 对象" if where == "body" else "查询参数无效",
                              f"the {where} must be a JSON object: {first['msg']}")
    template = PYDANTIC_MESSAGES.get(first["type"], "{field}的值无效")
    message = template.format(**first.get("ctx", {}), field=f" {field} ").strip()
    return RequestInvalid(message, f"{field}: {first['msg']}", field=field)
