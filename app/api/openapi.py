"""The OpenAPI 3.1 document, assembled from the paths each domain registers."""

from __future__ import annotations

PATHS: dict[str, dict] = {}
SCHEMAS: dict[str, dict] = {
    "Problem": {
        "type": "object",
        "properties": {"status": {"type": "integer"}, "title": {"type": "string"},
                       "detail": {"type": "string"}},
        "required": ["status", "title", "detail"],
    },
}


def document(path: str, method: str, summary: str, *, responses: dict | None = None,
             parameters: list | None = None, request_body: dict | None = None,
             tag: str = "general") -> None:
    """Register one operation; `path` in OpenAPI form, e.g. /controls/{key}."""
    operation: dict = {"summary": summary, "tags": [tag], "responses": responses or {
        "200": {"description": "OK"}}}
    operation["responses"].setdefault("401", {"$ref": "#/components/responses/Unauthorized"})
    if parameters:
        operation["parameters"] = parameters
    if request_body:
        operation["requestBody"] = request_body
    PATHS.setdefault(path, {})[method.lower()] = operation


def build(version: str) -> dict:
    """The whole document."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "Kontrol API", "version": version,
                 "description": "Send a personal API token as 'Authorization: Bearer <token>'. "
                                "Create tokens on your account page or with "
                                "'flask tokens create'."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(PATHS.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": {"Unauthorized": {
                "description": "Missing, unknown or revoked token",
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Problem"}}}}},
        },
    }
