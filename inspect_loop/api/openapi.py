"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 description, generated from the routes' own pydantic models.

The request models that validate bodies and query strings and the response models that shape answers are
the ones turned into JSON Schema here (``models_json_schema`` with ``#/components/schemas/{model}`` refs),
so the description cannot disagree with what the API accepts and sends.
"""

from flask import current_app
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from inspect_loop.api import responses as out
from inspect_loop.api.routing import PDF, ROUTES, XLSX, ApiRoute, route
from inspect_loop.api.schemas import MAX_ID

REF = "#/components/schemas/{model}"
ERROR_STATUSES = {
    "400": "输入有误（message 指出字段）",
    "401": "缺少或无效的访问令牌",
    "403": "角色或管辖范围不允许",
    "404": "编号或代码不存在",
    "409": "当前状态不允许此操作，或与现有数据冲突",
}

def _schemas() -> tuple[dict, dict]:
    """Component schemas of every model the routes use, and the ref of each (model, mode)."""
    wanted: dict[tuple[type[BaseModel], str], None] = {(out.ErrorOut, "serialization"): None}
    for api_route in ROUTES:
        if api_route.body:
            wanted[(api_route.body, "validation")] = None
        if api_route.query:
            wanted[(api_route.query, "validation")] = None
        if api_route.response:
            wanted[(api_route.response, "serialization")] = None
    refs, top = models_json_schema(list(wanted), ref_template=REF)
    return top.get("$defs", {}), refs


def _without_null(schema: dict) -> dict:
    """A query parameter is absent rather than null: keep the non-null branch of an optional's anyOf."""
    schema = {key: value for key, value in schema.items() if key != "title" and not (key == "default" and value is None)}
    branches = [branch for branch in schema.pop("anyOf", []) if branch != {"type": "null"}]
    if len(branches) == 1:
        schema.update(branches[0])
    elif branches:
        schema["anyOf"] = branches
    return schema


def _parameters(api_route: ApiRoute, components: dict, refs: dict) -> list[dict]:
    parameters = []
    for name, converter in api_route.path_parameters:
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID} if converter == "int" else {"type": "string"}
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    if api_route.query:
        model = components[refs[(api_route.query, "validation")]["$ref"].rsplit("/", 1)[1]]
        for name, schema in model["properties"].items():
            schema = _without_null(schema)
            description = schema.pop("description", None)
            parameter = {"name": name, "in": "query", "required": name in model.get("required", []),
                         "schema": schema}
            if description:
                parameter["description"] = description
            parameters.append(parameter)
    return parameters


def _operation(api_route: ApiRoute, components: dict, refs: dict) -> dict:
    if api_route.media_type == PDF:
        content = {PDF: {"schema": {"type": "string", "format": "binary"}}}
    elif api_route.response:
        content = {"application/json": {"schema": refs[(api_route.response, "serialization")]}}
    else:
        content = {"application/json": {"schema": {"type": "object"}}}
    if api_route.xlsx:
        content[XLSX] = {"schema": {"type": "string", "format": "binary"}}
    operation = {
        "operationId": api_route.endpoint,
        "summary": api_route.summary,
        "tags": [api_route.path.strip("/").split("/")[0]],
        "parameters": _parameters(api_route, components, refs),
        "responses": {str(api_route.status): {"description": "成功", "content": content}
                      if api_route.status != 204 else {"description": "成功（无内容）"}},
    }
    if api_route.permission is None:
        operation["security"] = []
    else:
        operation["description"] = f"权限：{api_route.permission_label}"
        roles = sorted(role.value for role in api_route.roles)
        operation["x-roles"] = roles
        for status in ERROR_STATUSES:
            operation["responses"][status] = {"$ref": f"#/components/responses/Error{status}"}
    if api_route.body:
        schema = components[refs[(api_route.body, "validation")]["$ref"].rsplit("/", 1)[1]]
        operation["requestBody"] = {"required": bool(schema.get("required")),
                                    "content": {"application/json": {"schema": refs[(api_route.body, "validation")]}}}
    return operation


def openapi_document() -> dict:
    components, refs = _schemas()
    query_models = {refs[(api_route.query, "validation")]["$ref"].rsplit("/", 1)[1]
                    for api_route in ROUTES if api_route.query}
    paths: dict[str, dict] = {}
    for api_route in ROUTES:
        paths.setdefault(api_route.path, {})[api_route.method.lower()] = _operation(api_route, components, refs)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "inspect_loop API（一次提醒、二次警示、三次执法）",
            "version": "1.0.0",
            "description": "JSON in and out. `Authorization: Bearer <token>`. Errors: "
                           '`{"error": {"code", "message", "message_en", "field"?}}`. Times ISO 8601 (+08:00), '
                           "dates YYYY-MM-DD, ids integers.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            # Query models became parameters above; they are not bodies anyone sends.
            "schemas": {name: schema for name, schema in components.items() if name not in query_models},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "flask --app inspect_loop users token USERNAME"}},
            "responses": {f"Error{status}": {"description": description, "content": {
                "application/json": {"schema": {"$ref": REF.format(model="ErrorOut")}}}}
                for status, description in ERROR_STATUSES.items()},
        },
    }


@route("GET", "/openapi.json", summary="本 API 的 OpenAPI 3.1 描述（公开）", permission=None)
def get_openapi():
    return current_app.response_class(current_app.json.dumps(openapi_document()), mimetype="application/json")
