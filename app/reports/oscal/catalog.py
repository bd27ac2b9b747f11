"""A Kontrol catalogue as an OSCAL catalog (pure: plain data in, a JSON-ready dict out).

Ids, titles (Danish as a prop) and the nesting of groups; statements only for catalogues
written for Kontrol, whose descriptions are our own words. Imported catalogues keep their
provenance in the metadata and back-matter, never the library's texts; no standard's text
goes beyond ids and titles.
"""

from __future__ import annotations

from .ids import compact, metadata, one_line, prop, props, stable_uuid, token
from .sources import CatalogueData, ControlData


def control_id(code: str) -> str:
    """The OSCAL id of a control (a token; the original id is kept as its label)."""
    return token(code)


def build_catalog(data: CatalogueData) -> dict:
    """The catalog document."""
    children: dict[str | None, list] = {}
    for group in data.groups:
        children.setdefault(group.parent, []).append(group)
    controls: dict[str, list[ControlData]] = {}
    for control in data.controls:
        controls.setdefault(control.group, []).append(control)

    def group_doc(group) -> dict:
        doc = {"id": token(f"grp-{group.code}"), "class": "group", "title": group.title,
               "props": props(prop("label", group.code, ns=None),
                              prop("title", group.title_da, cls="da")),
               "parts": [{"id": token(f"grp-{group.code}_ovw"), "name": "overview",
                          "prose": group.description}]
               if group.description and data.own_texts else [],
               "groups": [group_doc(child) for child in children.get(group.code, [])],
               "controls": [control_doc(c) for c in controls.get(group.code, [])]}
        return doc

    def control_doc(control: ControlData) -> dict:
        cid = control_id(control.code)
        return {"id": cid, "class": data.kind, "title": one_line(control.title),
                "props": props(prop("label", control.code, ns=None),
                               prop("title", control.title_da, cls="da"),
                               prop("key", control.key),
                               prop("status", "withdrawn", ns=None) if control.retired
                               else None),
                "parts": [{"id": f"{cid}_smt", "name": "statement",
                           "prose": control.description}]
                if control.description and data.own_texts else []}

    resources = []
    if data.library_urn:
        resources.append({"uuid": stable_uuid("library", data.library_urn),
                          "title": f"Source library {data.library_urn}",
                          "description": data.copyright,
                          "props": props(prop("provider", data.provider),
                                         prop("licence", data.licence),
                                         prop("urn", data.library_urn)),
                          "document-ids": [{"scheme": "https://www.iana.org/assignments/urn-"
                                                      "namespaces/urn-namespaces.xhtml",
                                            "identifier": data.library_urn}]})
    document = {"uuid": stable_uuid("catalog", data.slug),
                "metadata": metadata(
                    data.title, data.loaded_at, data.version or "1",
                    props=props(prop("catalogue", data.slug), prop("kind", data.kind)),
                    remarks=(f"Imported from {data.library_urn} ({data.provider or 'unknown'}"
                             f"{'; ' + data.licence if data.licence else ''}). "
                             "Ids and titles only." if data.library_urn else None)),
                "groups": [group_doc(group) for group in children.get(None, [])],
                "back-matter": {"resources": resources}}
    return {"catalog": compact(document)}
