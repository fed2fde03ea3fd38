"""One decorator for every API route: bearer token, role, query and body validation, one commit.

Each route is also recorded in ``ROUTES``, from which the OpenAPI description (``openapi.py``), the route
table of ``docs/permissions.md`` (``docs.py``) and the role × route test are built, so none of them can
drift from what the routes really do.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from flask import Response, g, jsonify, request
from pydantic import BaseModel, ValidationError

from inspect_loop.api import bp
from inspect_loop.api.errors import Unauthenticated, from_validation_error
from inspect_loop.caching.pages import ANYONE, serve_cached
from inspect_loop.db import db
from inspect_loop.errors import Forbidden
from inspect_loop.users.models import Role, User
from inspect_loop.users.operations import user_for_token
from inspect_loop.users.permissions import ACTION_LABELS, MATRIX, Action, require


@dataclass(frozen=True)
class Rule:
    """Who may use a route that no action of the matrix describes (reading one's own account, secret plans)."""

    key: str
    label_zh: str
    label_en: str
    roles: frozenset[Role]


EVERY_SIGNED_IN_USER = Rule("signed_in", "查看本人账户", "read your own account", frozenset(Role))
# 四不两直: plans are visible to their team and the county office only (inspections.operations.visible_plans_query).
PLAN_READERS = Rule("view_plans", "查看暗访计划", "read unannounced inspection plans",
                    frozenset({Role.admin, Role.safety_office, Role.inspector}))

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass(frozen=True)
class ApiRoute:
    method: str
    rule: str  # Flask rule, relative to /api/v1
    endpoint: str
    summary: str
    permission: Action | Rule | None  # None: public, no token
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    media_type: str
    xlsx: bool  # also answers ``format=xlsx`` with an Excel download

    @property
    def path(self) -> str:
        """The OpenAPI form of the rule: ``/cases/{case_id}/escalate``."""
        return _CONVERTER.sub(lambda match: "{" + match.group(2) + "}", self.rule)

    @property
    def path_parameters(self) -> list[tuple[str, str]]:
        """``(name, converter)`` of each path parameter; the converter is ``int`` or ``string``."""
        return [(match.group(2), match.group(1) or "string") for match in _CONVERTER.finditer(self.rule)]

    @property
    def roles(self) -> frozenset[Role] | None:
        if self.permission is None:
            return None
        if isinstance(self.permission, Action):
            return MATRIX[self.permission]
        return self.permission.roles

    @property
    def permission_label(self) -> str:
        if self.permission is None:
            return "公开（无需令牌）"
        if isinstance(self.permission, Action):
            return f"{ACTION_LABELS[self.permission][0]}（`{self.permission.value}`）"
        return f"{self.permission.label_zh}（`{self.permission.key}`）"


ROUTES: list[ApiRoute] = []


def current_api_user() -> User:
    """The user of the request's ``Authorization: Bearer <token>``; 401 when missing, revoked or inactive."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("请在 Authorization 请求头中提供 Bearer 访问令牌",
                              "Send an access token in an Authorization: Bearer <token> header.")
    user = user_for_token(token)
    if user is None:
        raise Unauthenticated("访问令牌无效、已吊销，或其用户已停用",
                              "The access token is invalid or revoked, or its user is disabled.", code="invalid_token")
    g.api_user = user
    return user


def check_permission(actor: User, permission: Action | Rule) -> None:
    if isinstance(permission, Action):
        require(actor, permission)
    elif actor.role not in permission.roles:
        raise Forbidden(f"当前角色无权{permission.label_zh}", f"Your role may not {permission.label_en}.")


def parse_body(model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate_json(request.get_data(cache=True) or b"{}")
    except ValidationError as error:
        raise from_validation_error(error, "body") from None


def parse_query(model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        raise from_validation_error(error, "query") from None


def route(method: str, rule: str, *, summary: str, permission: Action | Rule | None,
          body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
          response: type[BaseModel] | None = None, status: int = 200, media_type: str = "application/json",
          xlsx: bool = False, cached: bool = True):
    """Register ``view(actor, **path_parameters, query=…, body=…)``; it returns a response model (or a Flask
    ``Response`` for files). The request commits once after the view returned; any error rolls back. A GET's
    JSON answer comes from the page cache (``inspect_loop.caching``) unless ``cached`` is False: a GET that
    writes (counting a verification) must run every time."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def endpoint(**path_arguments):
            arguments = dict(path_arguments)
            actor = None
            if permission is not None:
                actor = current_api_user()
                check_permission(actor, permission)
                arguments["actor"] = actor
            if query is not None:
                arguments["query"] = parse_query(query)
            if body is not None:
                arguments["body"] = parse_body(body)
            if method == "GET" and cached:
                served = serve_cached(actor.get_id() if actor else ANYONE, lambda: answer(arguments))
                db.session.commit()  # a token's last use is written also when the answer was kept
                return served
            return answer(arguments)

        def answer(arguments):
            result = view(**arguments)
            answered = result if isinstance(result, Response) else (jsonify(result.model_dump(mode="json")), status)
            db.session.commit()
            return answered

        bp.add_url_rule(rule, endpoint=view.__name__, view_func=endpoint, methods=[method])
        ROUTES.append(ApiRoute(method=method, rule=rule, endpoint=view.__name__, summary=summary,
                               permission=permission, body=body, query=query, response=response, status=status,
                               media_type=media_type, xlsx=xlsx))
        return view

    return decorate
