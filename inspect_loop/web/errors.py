"""Error pages in the reader's language, for the web pages (the API answers its own errors in JSON)."""

import math

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from inspect_loop.db import db
from inspect_loop.errors import DomainError
from inspect_loop.extensions import retry_after_header
from inspect_loop.web import bp
from inspect_loop.web.helpers import domain_message
from inspect_loop.web.security import retry_after_seconds


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("请求有误"), _("提交的内容无法处理，请返回重试。")),
        403: (_("无权访问"), _("您的角色无权打开此页面或执行此操作。")),
        404: (_("页面不存在"), _("您要找的页面或记录不存在。")),
        405: (_("请求方式不支持"), _("此页面不支持这种请求方式。")),
        413: (_("内容过大"), _("上传的文件太大，请压缩后再试。")),
        429: (_("操作过于频繁"), _("尝试次数过多，请 %(minutes)s 分钟后再试。",
                                  minutes=math.ceil(retry_after_seconds() / 60))),
        500: (_("服务器内部错误"), _("操作未完成，请稍后再试。")),
    }


# Routes called by the pages' scripts (fetch): they read a JSON answer, not an HTML page.
JSON_ENDPOINTS = frozenset({"web.upload_photo"})


def error_page(status: int, detail: str | None = None):
    db.session.rollback()
    title, text = _messages().get(status, (_("请求无法处理"), ""))
    headers = retry_after_header() if status == 429 else {}
    if request.endpoint in JSON_ENDPOINTS:
        return jsonify({"error": detail or text}), status, headers
    return render_template("errors/error.html", status=status, title=title, text=detail or text), status, headers


@bp.app_errorhandler(CSRFError)
def csrf_refused(error: CSRFError):
    return error_page(400, _("页面已过期或来源不明（CSRF 校验失败），请刷新页面后重新提交。"))


@bp.app_errorhandler(DomainError)
def refusal_page(error: DomainError):
    """A refusal no page shows itself, such as a query parameter that cannot be read (``web/arguments.py``):
    its status and message, nothing changed. The API answers its own in JSON (``api/errors.py``)."""
    return error_page(error.http_status, domain_message(error))


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    if request.path.startswith("/api/") or error.code is None or error.code < 400:
        return error
    return error_page(error.code)
