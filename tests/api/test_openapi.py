"""The OpenAPI 3.1 description is built from the models that validate the requests and shape the answers."""

import jsonschema_rs

from inspect_loop.api import schemas
from inspect_loop.api.openapi import REF
from inspect_loop.api.routing import ROUTES
from tests.api.client import ok
from tests.factories import inspect
from tests.helpers import at


def describe(api):
    response = api.get("/openapi.json")  # public: clients read it before they have a token
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def test_every_route_is_described(api):
    document = describe(api)
    assert document["openapi"] == "3.1.0" and document["servers"] == [{"url": "/api/v1"}]
    for route in ROUTES:
        operation = document["paths"][route.path][route.method.lower()]
        assert operation["operationId"] == route.endpoint
        assert str(route.status) in operation["responses"]
        declared = {(parameter["name"], parameter["in"]) for parameter in operation["parameters"]}
        assert {(name, "path") for name, _ in route.path_parameters} <= declared
        if route.query:
            assert {(field.alias or name, "query") for name, field in route.query.model_fields.items()} <= declared
        if route.permission is None:
            assert operation["security"] == []
        else:
            assert "security" not in operation and set(operation["x-roles"]) == {role.value for role in route.roles}
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "flask --app inspect_loop users token USERNAME"}
    assert document["security"] == [{"bearer": []}]
    assert "/stats/summary" in document["paths"]


def test_request_bodies_are_the_validating_models(api):
    document = describe(api)
    components = document["components"]["schemas"]
    for route in ROUTES:
        if route.body is None:
            continue
        body = document["paths"][route.path][route.method.lower()]["requestBody"]
        reference = body["content"]["application/json"]["schema"]["$ref"]
        name = reference.rsplit("/", 1)[1]
        generated = route.body.model_json_schema(ref_template=REF)
        generated.pop("$defs", None)
        assert components[name] == generated, route.path
    inspection = components["InspectionIn"]
    assert inspection["additionalProperties"] is False
    assert set(inspection["required"]) == {"unit_id", "kind"}
    assert inspection["properties"]["unit_id"] == {"maximum": schemas.MAX_ID, "minimum": 1, "title": "Unit Id",
                                                   "type": "integer"}


def test_answers_validate_against_their_described_schemas(api, county, database):
    with at("2026-03-02"):
        case = inspect(county, county.units.shop, "XF-01", "YD-01").findings[0].case
    database.session.commit()
    document = describe(api)

    def validator(name):
        return jsonschema_rs.validator_for({"$ref": REF.format(model=name),
                                            "components": document["components"]})

    validator("CaseOut").validate(ok(api.get(f"/cases/{case.id}", "office", day="2026-03-03")))
    validator("Page_UnitOut_").validate(ok(api.get("/units", "viewer")))
    validator("MeOut").validate(ok(api.get("/me", "fire")))
    validator("ErrorOut").validate(api.get("/cases/999", "office").get_json())
    assert not validator("CaseOut").is_valid({"id": case.id})
