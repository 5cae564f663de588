"""A property-based run of the profile's openapi.json against the feed (schemathesis): for generated queries and
ids on every GET operation, no answer is a server error and every documented answer matches its schema.

The profile's openapi.json points at its schemas by URL and has two slips, mended in the copy loaded here (the
vendored file is left as published): `start_time` and `end_time` say `"type": "time"` (read as a string with
format time), and `GET /service_at_locations/{id}` says it answers a service (read as a service_at_location).
"""

from __future__ import annotations

import copy
import json

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from .conftest import OPENAPI, REMOTE, SCHEMA_FILES, STANDARD

pytestmark = pytest.mark.django_db


def _bundled() -> dict:
    schema = copy.deepcopy(OPENAPI)
    schema.pop("jsonSchemaDialect", None)  # an OpenAPI 3.1 key in a 3.0 document
    schema["servers"] = [{"url": "/oruk"}]
    local = {REMOTE + path: f"#/components/schemas/{name}" for name, path in SCHEMA_FILES.items()}
    local["taxonomy_term.json"] = "#/components/schemas/taxonomy_term"

    def mend(node):
        if isinstance(node, dict):
            if node.get("$ref") in local:
                node["$ref"] = local[node["$ref"]]
            if node.get("type") == "time":
                node.update(type="string", format="time")
            for value in node.values():
                mend(value)
        elif isinstance(node, list):
            for value in node:
                mend(value)

    schema["components"]["schemas"].update(
        {name: json.loads((STANDARD / path).read_text()) for name, path in SCHEMA_FILES.items()})
    mend(schema)
    answer = schema["paths"]["/service_at_locations/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
    answer["schema"] = {"$ref": "#/components/schemas/service_at_location"}
    return schema


schema = schemathesis.openapi.from_dict(_bundled())
schema.app = WSGIHandler()


@pytest.fixture
def wsgi_requests_keep_the_test_connection():
    """As Django's test client does: a request finishing must not close the test's database connection (its
    transaction holds the test's data)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_the_profiles_openapi(case, catalogue, wsgi_requests_keep_the_test_connection):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
