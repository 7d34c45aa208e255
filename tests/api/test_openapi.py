"""The served OpenAPI description lists exactly the JSON API routes (/api/) the app has."""

from __future__ import annotations

from router.api.openapi import build_openapi
from router.app import create_app
from router.settings import Settings
from tests.fixtures import SAMPLE_ORG, TEST_TOKEN


def test_openapi_paths_match_the_app_routes(org):
    app = create_app(Settings(service_token=TEST_TOKEN, org_file=SAMPLE_ORG), org)
    served = {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.method != "HEAD" and route.resource.canonical.startswith("/api/")
    }
    spec = build_openapi()
    described = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    assert served == described


def test_every_schema_reference_resolves():
    spec = build_openapi()
    schemas = spec["components"]["schemas"]
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                refs.add(node["$ref"].rsplit("/", 1)[1])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    assert refs and refs <= set(schemas)
