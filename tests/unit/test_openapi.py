"""Every route of every service is in its OpenAPI description (services/<service>/openapi.py), and every
operation described is a real route: a new route without a description fails here."""

import re

import pytest

from ecars_common import openapi
from ecars_common.config import SERVICES
from tests.support.services import document_of, url_rules


def routes_of(service: str) -> set[tuple[str, str]]:
    return {(method, openapi.openapi_path(rule)[0]) for method, rule in url_rules(service)}


@pytest.mark.parametrize("service", SERVICES)
def test_the_description_lists_exactly_the_routes_of_the_service(service):
    described = openapi.operations(document_of(service))
    routes = routes_of(service)
    assert sorted(routes - described) == [], "routes without a description in services/<service>/openapi.py"
    assert sorted(described - routes) == [], "operations described that no route serves"


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_declares_its_errors_with_the_shared_error_shape(service):
    spec = document_of(service)
    for path, item in spec["paths"].items():
        for method, op in item.items():
            public = op.get("security") == []
            assert public or "401" in op["responses"], f"{method.upper()} {path}: 401 not declared"
            if "{" in path:
                assert "404" in op["responses"], f"{method.upper()} {path}: 404 not declared"
                assert [p["name"] for p in op["parameters"] if p["in"] == "path"] == re.findall(r"{(\w+)}", path)
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")) and status != "405":
                    assert response == {"$ref": f"#/components/responses/E{status}"}, f"{method} {path} {status}"


def test_flask_converters_become_typed_path_parameters():
    path, parameters = openapi.openapi_path("/cpoms/<uuid:cpom_id>/<any(axes, objectifs):kind>/<int:n>/<code>.docx")
    assert path == "/cpoms/{cpom_id}/{kind}/{n}/{code}.docx"
    assert [(p["name"], p["schema"]) for p in parameters] == [
        ("cpom_id", {"type": "string", "format": "uuid"}),
        ("kind", {"type": "string", "enum": ["axes", "objectifs"]}),
        ("n", {"type": "integer", "minimum": 0}),
        ("code", {"type": "string", "minLength": 1, "pattern": "^[^/]+$"}),
    ]
