"""Checks trestle's schema validation does not make: unique ids and resolvable references."""

from __future__ import annotations


class OscalInconsistent(Exception):
    """A generated document refers to something it does not define; a bug, never user input."""


def _walk(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
        yield path, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def check_document(document: dict) -> dict:
    """Return the document if its ids are unique and every internal reference resolves."""
    (model, body), = document.items()
    ids, uuids, problems = {}, {}, []
    for path, node in _walk(body):
        if "uuid" in node:
            if node["uuid"] in uuids:
                problems.append(f"uuid {node['uuid']} at {path} and {uuids[node['uuid']]}")
            uuids.setdefault(node["uuid"], path)
        if model == "catalog" and "id" in node and ("title" in node or "prose" in node):
            if node["id"] in ids:
                problems.append(f"id {node['id']} at {path} and {ids[node['id']]}")
            ids.setdefault(node["id"], path)
    for path, node in _walk(body):
        for key in ("observation-uuid", "component-uuid", "activity-uuid"):
            if key in node and node[key] not in uuids:
                problems.append(f"{path}.{key} names no uuid of this document")
        href = node.get("href")
        if isinstance(href, str) and href.startswith("#") and href[1:] not in uuids:
            problems.append(f"{path}.href {href} names no resource of this document")
        for party in node.get("party-uuids", ()):
            if party not in uuids:
                problems.append(f"{path}.party-uuids names no party of this document")
    if problems:
        raise OscalInconsistent(f"{model}: " + "; ".join(problems[:5]))
    return document
