"""The OpenAPI 3.1 document, generated from the typed operations (`spec.operation`).

Schemas of bodies, queries and responses come from their pydantic models
(`models_json_schema`), so what the document promises is what the code parses and returns.
Nothing here is written by hand but the problem shapes the error handlers produce.
"""

from __future__ import annotations

import re

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

PROBLEM = {
    "type": "object",
    "properties": {"status": {"type": "integer"}, "title": {"type": "string"},
                   "detail": {"type": "string"}},
    "required": ["status", "title", "detail"],
}
VALIDATION_PROBLEM = {
    "type": "object",
    "properties": {
        "status": {"type": "integer"}, "title": {"type": "string"},
        "detail": {"type": "string"}, "field": {"type": ["string", "null"]},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": ["string", "null"]}, "message": {"type": "string"}},
            "required": ["field", "message"]}}},
    "required": ["status", "title", "detail", "field"],
}
SCHEMAS: dict[str, dict] = {"Problem": PROBLEM, "ValidationProblem": VALIDATION_PROBLEM}
REF = "#/components/schemas/{model}"


def _problem(description: str, validation: bool = False) -> dict:
    name = "ValidationProblem" if validation else "Problem"
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}}


def _typed_paths(definitions: dict, schemas: dict) -> dict[str, dict]:
    from .spec import OPERATIONS, PROBLEM_TITLES, Binary, RequestBody, restricted

    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        parameters = [{"name": name, "in": "path", "required": True, "schema": schema}
                      for name, schema in op.path_params.items()]
        if op.query is not None:
            schema = definitions[(op.query, "validation")]
            resolved = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {}) if "$ref" in schema \
                else schema
            required = set(resolved.get("required", ()))
            for name, prop in resolved.get("properties", {}).items():
                parameter = {"name": name, "in": "query", "required": name in required,
                             "schema": {k: v for k, v in prop.items() if k != "description"}}
                if "type" in prop and prop["type"] == "array":
                    parameter.update(style="form", explode=True)
                if prop.get("description"):
                    parameter["description"] = prop["description"]
                parameters.append(parameter)
        slug = re.sub(r"[^A-Za-z0-9]+", "_", op.path).strip("_")
        operation: dict = {"summary": op.summary, "tags": [op.tag],
                           "operationId": f"{op.method}_{slug}"}
        if op.description:
            operation["description"] = " ".join(op.description.split())
        if parameters:
            operation["parameters"] = parameters
        if isinstance(op.body, RequestBody):
            operation["requestBody"] = {"required": op.body.required,
                                        "content": _with_refs(op.body.content, definitions)}
        elif op.body is not None:
            operation["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": definitions[(op.body, "validation")]}}}
        responses: dict[str, dict] = {}
        for code, shape in op.responses.items():
            if isinstance(shape, Binary):
                responses[str(code)] = {"description": shape.description, "content": {
                    shape.media_type: {"schema": {"type": "string", "format": "binary"}}}}
            elif isinstance(shape, type) and issubclass(shape, BaseModel):
                doc = (shape.__doc__ or shape.__name__).strip().splitlines()[0]
                responses[str(code)] = {"description": doc, "content": {"application/json": {
                    "schema": definitions[(shape, "serialization")]}}}
            elif code >= 400:
                responses[str(code)] = _problem(shape or PROBLEM_TITLES.get(code, "Error"),
                                                validation=code == 422)
            else:
                responses[str(code)] = {"description": shape or "No content"}
        responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
        if restricted(op.permission):
            responses.setdefault("403", _problem("The token's user lacks the permission"))
        has_input = op.body is not None or op.query is not None or any(
            s.get("type") == "integer" for s in op.path_params.values())
        if has_input:
            responses.setdefault("422", _problem("Invalid input; `field` names the member at "
                                                 "fault", validation=True))
        if isinstance(op.body, type):
            responses.setdefault("415", _problem("The body is not JSON"))
        for code in op.errors:
            responses.setdefault(str(code), _problem(PROBLEM_TITLES.get(code, "Error")))
        operation["responses"] = dict(sorted(responses.items()))
        paths.setdefault(op.path, {})[op.method] = operation
    return paths


def _with_refs(node, definitions: dict):
    """`node` with every pydantic model class replaced by its schema reference."""
    if isinstance(node, type) and issubclass(node, BaseModel):
        return definitions[(node, "validation")]
    if isinstance(node, dict):
        return {key: _with_refs(value, definitions) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [_with_refs(value, definitions) for value in node]
    return node


def _definitions() -> tuple[dict, dict]:
    from .spec import OPERATIONS, RequestBody

    models: list[tuple[type[BaseModel], str]] = []
    for op in OPERATIONS:
        if op.query is not None:
            models.append((op.query, "validation"))
        if isinstance(op.body, type):
            models.append((op.body, "validation"))
        elif isinstance(op.body, RequestBody):
            models.extend((model, "validation") for model in op.body.models())
        for shape in op.responses.values():
            if isinstance(shape, type) and issubclass(shape, BaseModel):
                models.append((shape, "serialization"))
    unique = list(dict.fromkeys(models))
    if not unique:
        return {}, {}
    definitions, top = models_json_schema(unique, ref_template=REF)
    return definitions, top.get("$defs", {})


def build(version: str) -> dict:
    """The whole document."""
    definitions, schemas = _definitions()
    all_schemas = {**SCHEMAS, **schemas}
    paths = _typed_paths(definitions, all_schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Kontrol API", "version": version,
                 "description": "Send a personal API token as 'Authorization: Bearer <token>'. "
                                "Create tokens on your account page or with "
                                "'flask tokens create'."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": dict(sorted(all_schemas.items())),
            "responses": {"Unauthorized": {
                "description": "Missing, unknown or revoked token",
                "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Problem"}}}}},
        },
    }
