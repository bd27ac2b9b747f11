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
the permission, 404 where the path has parameters, 415/422 where there is input, and the domain
errors listed in `errors`.

An operation with path parameters declares 404 in `errors`: a value that names nothing, or
does not fit the route at all ("abc" for an id), is a 404, and tests/api/test_fuzz.py holds every
operation to its declared statuses. Text holding NUL or a lone surrogate is a 422 wherever it
comes (`parse`; `app/routing.py` for paths and queries).

Ids in paths are bounded by the app's `int` converter (`app/routing.py`); ids, pages and dates
in queries and bodies use the bounded types here (`Id`, `Page`, `IsoDate`), so no value reaches
a query unbounded. A body that is not one JSON model (a multipart upload) is declared with
`RequestBody`, whose content may name models (`{"metadata": EvidenceMetadata}`): the document
refers to their generated schemas, and the view parses each JSON part with `json_part`.
"""

from __future__ import annotations

import functools
import json
import re
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import wraps
from typing import Annotated, TypeVar

from flask import Blueprint, Response, jsonify, request
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from .. import params
from ..auth.permissions import ALL_ROLES, MATRIX, Permission, requires
from ..errors import DomainError, Invalid
from ..routing import MAX_ID, unstorable

API_PREFIX = "/api/v1"
#: The largest JSON part of a multipart body `json_part` reads.
MAX_JSON_PART = 64 * 1024
Model = TypeVar("Model", bound=BaseModel)


class ApiModel(BaseModel):
    """Base of request bodies and responses: unknown members in a body are refused."""

    model_config = ConfigDict(extra="forbid")


class QueryModel(BaseModel):
    """Base of query-string models: unknown parameters are ignored, as browsers add their own."""

    model_config = ConfigDict(extra="ignore")


def _iso_date(value, info):
    name = info.field_name or "date"
    try:
        if isinstance(value, date):
            return params.in_range(value, name)
        if isinstance(value, str):
            return params.parse_date(value, name)
    except Invalid as error:
        raise PydanticCustomError("date_parsing", "{reason}", {"reason": error.message}) from None
    raise PydanticCustomError("date_type", "Give a date such as 2026-03-31.")


def _optional_iso_date(value, info):
    return None if value is None or value == "" else _iso_date(value, info)


#: An id in a query or body: 1 … 2^63 − 1, like the ids in paths.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
#: A page number (1 … MAX_PAGE), as every list page bounds it.
Page = Annotated[int, Field(ge=1, le=params.MAX_PAGE)]
#: An ISO date (2026-03-31) between 1990 and 2100, with a message that says so.
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
#: The same, or null (an empty text counts as null).
OptionalIsoDate = Annotated[date | None, BeforeValidator(_optional_iso_date), WithJsonSchema(
    {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0},
               {"type": "null"}]})]


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
    """A request body other than a JSON model (multipart uploads): its OpenAPI content.

    A schema anywhere in `content` may be a pydantic model class: the document replaces it with
    a reference to the model's generated schema, so a JSON part is described by the very model
    that parses it (`json_part`).
    """

    content: dict
    required: bool = True

    def models(self) -> list[type[BaseModel]]:
        """The models named in `content`, in order."""
        found: list[type[BaseModel]] = []

        def walk(node) -> None:
            if isinstance(node, type) and issubclass(node, BaseModel):
                found.append(node)
            elif isinstance(node, Mapping):
                for value in node.values():
                    walk(value)
            elif isinstance(node, list | tuple):
                for value in node:
                    walk(value)

        walk(self.content)
        return list(dict.fromkeys(found))


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
    found: dict[str, dict] = {}

    def replace(match: re.Match) -> str:
        conv, name = match.group("conv") or "string", match.group("name")
        found[name] = ({"type": "integer", "minimum": 1, "maximum": MAX_ID} if conv == "int"
                        else {"type": "string", "minLength": 1, "pattern": "^[^/]+$"})
        return "{" + name + "}"

    return _CONVERTER.sub(replace, rule), found


def _message(item: dict, name: str | None) -> str:
    """The message for one pydantic error, as a person should read it."""
    if item.get("type") == "missing":
        return f"Give a value for {name}." if name else "A value is missing."
    context = item.get("ctx") or {}
    if item.get("type") == "value_error" and "error" in context:
        return str(context["error"])  # a validator's own words, without "Value error, "
    return item.get("msg", "invalid")


def _validation_errors(error: ValidationError) -> list[dict]:
    errors = []
    for item in error.errors(include_url=False):
        loc = [str(part) for part in item.get("loc", ()) if part != "__root__"]
        name = ".".join(loc) or None
        errors.append({"field": name, "message": _message(item, name)})
    return errors or [{"field": None, "message": "invalid input"}]


def _unstorable_member(data, path: str = "") -> str | None:
    """The path of the first text in `data` no database can store (NUL, a lone surrogate)."""
    if isinstance(data, str):
        return path if unstorable(data) else None
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{path}.{key}" if path else str(key)
            found = _unstorable_member(key, name) or _unstorable_member(value, name)
            if found is not None:
                return found
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found = _unstorable_member(value, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


_FORMATS = {"date": (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"), "date such as 2026-03-31"),
            "date-time": (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"),
                          "date and time such as 2026-03-31T09:30:00+02:00")}
_JSON_TYPES = {"boolean": (bool,), "integer": (int,), "number": (int, float), "string": (str,),
               "array": (list,), "object": (dict,), "null": (type(None),)}


@functools.cache
def _validation_schema(model: type[BaseModel]) -> dict:
    return model.model_json_schema(mode="validation")


def _json_type_fits(value, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False  # JSON true is no number, though Python says so
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _JSON_TYPES.get(name, object))


def _mistyped(schema: dict, value, defs: dict, path: str) -> tuple[str, list[str]] | None:
    """The first member whose JSON type `schema` does not allow, with the types it does."""
    if "$ref" in schema:
        schema = defs.get(schema["$ref"].rsplit("/", 1)[-1], {})
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        misses = [_mistyped(option, value, defs, path) for option in options]
        if all(miss is not None for miss in misses):
            inner = [miss for miss in misses if miss[0] != path]
            return inner[0] if len(inner) == 1 else (path, [t for m in misses for t in m[1]])
        return None
    types = schema.get("type")
    allowed = types if isinstance(types, list) else [types] if types else []
    if allowed and not any(_json_type_fits(value, name) for name in allowed):
        return path, allowed
    form = _FORMATS.get(schema.get("format"))
    if isinstance(value, str) and form is not None and not form[0].match(value):
        return path, [form[1]]  # pydantic would read "0" as 1970-01-01
    if isinstance(value, dict):
        for key, member in value.items():
            sub = schema.get("properties", {}).get(key)
            found = sub is not None and _mistyped(sub, member, defs,
                                                  f"{path}.{key}" if path else str(key))
            if found:
                return found
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found = _mistyped(schema["items"], item, defs,
                              f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None


def _formats_only(schema: dict) -> dict:
    """A query parameter's schema reduced to its formats (its values are text on the wire)."""
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return {"anyOf": [_formats_only(option) for option in options]}
    if schema.get("type") == "null":
        return {"type": "null"}  # an absent parameter, never a text
    return {"format": schema["format"]} if "format" in schema else {}


def parse(model: type[BaseModel], data, *, from_json: bool = False) -> BaseModel:
    """Validate `data` against `model`, or raise ApiInvalid naming each member at fault.

    Text holding NUL or a lone surrogate (which JSON allows and no database column stores) is
    refused first, whatever the model says. JSON (`from_json=True`: bodies and JSON parts) must
    also have the JSON types the model's schema names (pydantic would take 0 for false and "7"
    for 7), and dates must be written as dates everywhere (pydantic would take "0" for
    1970-01-01), so the API never accepts what its document refuses.
    """
    bad = _unstorable_member(data)
    if bad is not None:
        raise ApiInvalid([{"field": bad or None, "message": "Text may not contain NUL "
                                                           "characters or unpaired surrogates."}])
    try:
        parsed = model.model_validate(data)
    except ValidationError as error:
        raise ApiInvalid(_validation_errors(error)) from None
    # After the model, so its own messages come first. Query values are all text, so only
    # their formats are checked; JSON must also have the types the schema names.
    schema = _validation_schema(model)
    if not from_json:
        schema = {**schema, "properties": {name: _formats_only(prop) for name, prop
                                           in schema.get("properties", {}).items()}}
    mistyped = _mistyped(schema, data, schema.get("$defs", {}), "")
    if mistyped is not None:
        path, allowed = mistyped
        kinds = " or ".join(dict.fromkeys(allowed))
        raise ApiInvalid([{"field": path or None, "message": f"Give a {kinds} here."
                           if not from_json or kinds.startswith("date") else
                           f"Give a JSON {kinds} here."}])
    return parsed


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


def json_part(name: str, model: type[Model], help_text: str) -> Model:
    """Parse the multipart part `name` (a form field or a file part) holding JSON with `model`.

    A missing part, a part over MAX_JSON_PART, text that is not JSON or JSON that is not an
    object is a 422 naming the part (`help_text` says what to send); member errors name the
    member, as for a JSON body.
    """
    raw = request.form.get(name)
    if raw is None and name in request.files:
        raw = request.files[name].stream.read(MAX_JSON_PART + 1)
    if raw is None:
        raise ApiInvalid([{"field": name, "message": help_text}])
    if len(raw) > MAX_JSON_PART:
        raise ApiInvalid([{"field": name, "message": f"The {name} part is larger than "
                                                      f"{MAX_JSON_PART // 1024} kB."}])
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiInvalid([{"field": name, "message": f"The {name} part is not valid JSON: "
                                                     f"{error}."}]) from None
    if not isinstance(data, dict):
        raise ApiInvalid([{"field": name, "message": help_text}])
    return parse(model, data, from_json=True)


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
            kwargs = dict(path_values)  # ints are already bounded by the app's int converter
            if query is not None:
                kwargs["query"] = parse(query, query_args(query))
            if isinstance(body, type):
                kwargs["body"] = parse(body, json_object(), from_json=True)
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
