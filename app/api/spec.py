"""Typed API operations: pydantic models parse requests and shape responses.

The OpenAPI document is generated from the very same models, so the two cannot drift apart.

A domain declares an endpoint once::

    @operation(bp, "POST", "/documents", Permission.MANAGE_GOVERNANCE, tag="governance",
               summary="Register a governing document", body=DocumentIn,
               responses={201: DocumentOut}, errors=(409,))
    def create_document(body: DocumentIn):
        document = service.create_document(db.session, current_actor(), …)
        return DocumentOut.of(document), 201

The wrapper checks the permission first (401/403), then parses path, query and body (a 422
problem naming the member at fault, 415 for a body that is not JSON), calls the view with
`query=` and `body=` keyword arguments, and serialises the model it returns. Every status the
operation can answer is in the document: the declared responses, 401, 403 where some role lacks
the permission, 415/422 where there is input, and the domain errors listed in `errors`.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, ConfigDict, ValidationError

from ..auth.permissions import ALL_ROLES, MATRIX, Permission, requires
from ..errors import DomainError

API_PREFIX = "/api/v1"
#: The largest id a path or query may carry (a signed 64-bit integer, what every database holds).
MAX_ID = 2**63 - 1


class ApiModel(BaseModel):
    """Base of request bodies and responses: unknown members in a body are refused."""

    model_config = ConfigDict(extra="forbid")


class QueryModel(BaseModel):
    """Base of query-string models: unknown parameters are ignored, as browsers add their own."""

    model_config = ConfigDict(extra="ignore")


class ApiInvalid(DomainError):
    """A request that failed its model: every error with the member it concerns."""

    status_code = 422

    def __init__(self, errors: list[dict]):
        self.errors = errors
        first = errors[0]
        super().__init__(f"{first['field']}: {first['message']}" if first["field"]
                         else first["message"])
        self.field = first["field"]


class UnsupportedMediaType(DomainError):
    """A body that is not JSON where JSON is required."""

    status_code = 415


@dataclass(frozen=True)
class Binary:
    """A response that is a file rather than JSON (e.g. a download)."""

    description: str
    media_type: str = "application/octet-stream"


@dataclass(frozen=True)
class RequestBody:
    """A request body other than a JSON model (multipart uploads): its OpenAPI schema, as is."""

    content: dict
    required: bool = True


@dataclass
class Operation:
    """What the document needs to know about one endpoint."""

    method: str
    path: str
    summary: str
    tag: str
    permission: Permission
    path_params: dict[str, dict]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | RequestBody | None = None
    responses: Mapping[int, type[BaseModel] | Binary | str | None] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    description: str | None = None


#: Every typed operation, in the order domains declared them (openapi.build reads it).
OPERATIONS: list[Operation] = []

PROBLEM_TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 409: "Conflict",
                  413: "Payload too large", 415: "Unsupported media type",
                  422: "Invalid input", 500: "Integrity error"}

_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _path_params(rule: str) -> tuple[str, dict[str, dict]]:
    params: dict[str, dict] = {}

    def replace(match: re.Match) -> str:
        conv, name = match.group("conv") or "string", match.group("name")
        params[name] = ({"type": "integer", "minimum": 1, "maximum": MAX_ID} if conv == "int"
                        else {"type": "string", "minLength": 1})
        return "{" + name + "}"

    return _CONVERTER.sub(replace, rule), params


def _validation_errors(error: ValidationError) -> list[dict]:
    errors = []
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item.get("loc", ()) if part != "__root__"]
        errors.append({"field": ".".join(loc) or None, "message": item.get("msg", "invalid")})
    return errors or [{"field": None, "message": "invalid input"}]


def parse(model: type[BaseModel], data) -> BaseModel:
    """Validate `data` against `model`, or raise ApiInvalid naming each member at fault."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiInvalid(_validation_errors(error)) from None


def _is_list(annotation) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return any(_is_list(arg) for arg in typing.get_args(annotation))
    return origin in (list, tuple, set, frozenset)


def query_args(model: type[BaseModel]) -> dict:
    """The query string as a dict for `model`: lists for list fields, single values otherwise."""
    data = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in request.args:
            continue
        data[key] = (request.args.getlist(key) if _is_list(info.annotation)
                     else request.args.get(key))
    return data


def json_object() -> dict:
    """The request's JSON object: 415 when the body is not JSON, 422 when it is not an object."""
    if not request.is_json:
        raise UnsupportedMediaType("Send a JSON object with Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiInvalid([{"field": None,
                           "message": "The body must be a JSON object, e.g. {\"title\": \"…\"}."}])
    return data


def _respond(result, default_status: int) -> Response:
    if isinstance(result, Response):
        return result
    headers = None
    status = default_status
    if isinstance(result, tuple):
        result, status, *rest = result
        headers = rest[0] if rest else None
    response = jsonify(result.model_dump(mode="json", by_alias=True))
    response.status_code = status
    if headers:
        response.headers.update(headers)
    return response


def operation(bp: Blueprint, method: str, rule: str, permission: Permission, *, summary: str,
              tag: str, query: type[BaseModel] | None = None,
              body: type[BaseModel] | RequestBody | None = None,
              responses: Mapping[int, type[BaseModel] | Binary | str | None],
              errors: Iterable[int] = (), description: str | None = None) -> Callable:
    """Declare a typed endpoint on `bp`; see the module docstring."""
    method = method.upper()
    path, path_params = _path_params((bp.url_prefix or "").removeprefix(API_PREFIX) + rule)
    success = sorted(code for code in responses if code < 400)
    if not success:
        raise ValueError(f"{method} {rule}: declare at least one success response")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def endpoint(**path_values):
            for name, value in path_values.items():
                if isinstance(value, int) and not 1 <= value <= MAX_ID:
                    raise ApiInvalid([{"field": name,
                                       "message": f"must be between 1 and {MAX_ID}"}])
            kwargs = dict(path_values)
            if query is not None:
                kwargs["query"] = parse(query, query_args(query))
            if isinstance(body, type):
                kwargs["body"] = parse(body, json_object())
            return _respond(view(**kwargs), success[0])

        guarded = requires(permission)(endpoint)
        bp.add_url_rule(rule, endpoint=view.__name__, view_func=guarded, methods=[method])
        OPERATIONS.append(Operation(
            method=method.lower(), path=path, summary=summary, tag=tag, permission=permission,
            path_params=path_params, query=query, body=body, responses=dict(responses),
            errors=tuple(sorted(set(errors))), description=description or view.__doc__))
        return guarded

    return decorate


def restricted(permission: Permission) -> bool:
    """Whether some role lacks `permission` (so the operation can answer 403)."""
    return MATRIX[permission] != ALL_ROLES
