"""Each service's app and OpenAPI description, as the tests look at them (their route lists)."""

import importlib
from functools import cache

from flask import Flask


@cache
def app_of(service: str) -> Flask:
    return importlib.import_module(f"services.{service}.app").create_app()


def document_of(service: str) -> dict:
    """The service's OpenAPI description (services/<service>/openapi.py)."""
    return importlib.import_module(f"services.{service}.openapi").DOCUMENT


def url_rules(service: str) -> set[tuple[str, str]]:
    """(method, Flask rule) of every route of the service's app, static files, HEAD and OPTIONS left out."""
    return {(method, rule.rule) for rule in app_of(service).url_map.iter_rules() if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}
